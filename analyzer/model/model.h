/* model.h - library knowledge as data.
 *
 * A model set says, per called function (keyed by the name libclang sees
 * after macro expansion, e.g. dill_chrecv, mill_msleep_), which lifecycle
 * facets it has: spawns a task, releases a handle, waits with a deadline,
 * blocks, registers a callback that runs in an async context...  Models are
 * loaded from the YAML files in rules/models/ (embedded in the binary at
 * build time) and extended by a project's .tasklint.yaml.  The engine and
 * the rules read only these structs; no library name appears in engine code.
 */
#ifndef TL_MODEL_H
#define TL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strmap.h"

#define TL_MAX_CB_ARGS 4
#define TL_MAX_FOREVER 4
#define TL_MAX_VALUES 4
#define TL_MAX_FIELD 32 /* longest struct field name a facet names, with its NUL */
#define TL_MAX_OPTION 48 /* longest option name (deadline_option), with its NUL */
#define TL_MAX_TYPES 8   /* object types a wait lists (never_types, client_types) */

/* Where a spawned task's handle lands. */
typedef enum {
    TL_HANDLE_NONE = 0,   /* no handle (libmill go) */
    TL_HANDLE_RESULT,     /* the call's return value (libdill go, bundle) */
    TL_HANDLE_OUT_ARG     /* written through pointer argument (pthread_create(&t,...)) */
} tl_handle_where;

/* Which results of a spawn call mean success. */
typedef enum {
    TL_SUCCESS_ALWAYS = 0, /* cannot fail (or failure not checkable) */
    TL_SUCCESS_ZERO,       /* result == 0 is success (pthread_create, thrd_create: thrd_success) */
    TL_SUCCESS_NONNEG,     /* result >= 0 is success (libdill handles) */
    TL_SUCCESS_NONNULL,    /* result != NULL is success (pointer handles) */
    TL_SUCCESS_COUNT,      /* the result counts what was started: negative, 0 or fewer
                              than were prepared is failure (io_uring_submit) */
    TL_SUCCESS_POSITIVE    /* result > 0 is success (fork: 0 in the child, -1 failed) */
} tl_success;

/* Kind of an async context a function can run in. */
typedef enum {
    TL_CTX_NONE = 0,
    TL_CTX_COROUTINE,     /* libdill/libmill coroutine, minicoro entry: must not block */
    TL_CTX_LOOP_CALLBACK, /* runs on an event-loop thread: must not block */
    TL_CTX_THREAD         /* thread entry / thread-pool work: blocking allowed */
} tl_context_kind;

/* How a wait's "forever" value is spelled. */
typedef enum {
    TL_FOREVER_NEGATIVE = 1, /* any negative integer (-1) */
    TL_FOREVER_VALUE,        /* one exact integer value (e.g. ~0ull) */
    TL_FOREVER_NULL          /* a null pointer (ppoll, select, io_uring_wait_cqe_timeout) */
} tl_forever_kind;

typedef struct {
    tl_forever_kind kind;
    int64_t value; /* for TL_FOREVER_VALUE */
} tl_forever;

/* What a wait waits for; decides whether a forever wait is flagged by default
 * (peer, task, io) or only in the strict profile (the others). */
typedef enum {
    TL_WAIT_NONE = 0,
    TL_WAIT_PEER,      /* a remote peer: connect, DNS, recv/send, fd wait on one fd */
    TL_WAIT_TASK,      /* another task's result: channel op, bundle_wait */
    TL_WAIT_IO,        /* an I/O completion: io_uring_wait_cqe */
    TL_WAIT_LOOP,      /* an event loop's central wait: epoll_wait, poll over many fds */
    TL_WAIT_ACCEPT,    /* a server's accept loop */
    TL_WAIT_CONDITION, /* condition variable / semaphore (predicate loop) */
    TL_WAIT_JOIN,      /* joining a thread */
    TL_WAIT_SLEEP,     /* sleeping: a forever sleep is always a bug */
    TL_WAIT_BOUNDED,   /* the system ends it on its own: a TCP connect gives up after
                          its SYN retries (strict profile only) */
    TL_WAIT_KIND_COUNT
} tl_wait_kind;

typedef struct {
    bool present;
    tl_handle_where where;
    int handle_arg;          /* for TL_HANDLE_OUT_ARG: which argument is the out-pointer */
    tl_success success;
    int entry_arg;           /* argument holding the entry function pointer, -1 none */
    int data_arg;            /* with entry_arg: the argument the entry function receives as
                                its parameter 0 (pthread_create: 3), -1 none */
    char *entry_before_call; /* entry = the call emitted just before a call to this
                                function (libdill/libmill go() expansion), or NULL */
    int owner_arg;           /* argument naming an owning bundle, -1 none (dill_prologue: 3) */
    int attr_arg;            /* argument holding creation attributes, -1 none
                                (pthread_create: 1); see tl_detach_attr_facet */
    int64_t no_owner_value;  /* owner_arg value meaning "no owner" (-1) */
    bool has_no_owner_value;
    tl_context_kind context; /* context the entry function runs in */
    char *task;              /* noun for messages: "thread", "coroutine", "bundle" */
    bool awaited_by_any_wait;/* a later cooperative wait of the parent counts as awaiting
                                (libdill go handle); else only an explicit await facet */
    bool child_if_zero;      /* the call returns twice: 0 in a new child process that runs
                                on from the call (fork, vfork); see rules/fork_child.c */
    bool parent_waits_child; /* with child_if_zero: the parent is suspended until the child
                                _exits or execs (vfork), so the child's blocking calls stall
                                the parent's thread (analyzer/dataflow/fork_branch.c) */
    bool eager;              /* the spawn runs the new task at once, until it first
                                suspends, before it returns (libdill's go()): an entry
                                function that never suspends has finished by then */
} tl_spawn_facet;

typedef struct {
    bool present;
    int arg;          /* argument that is (or points to) the handle */
    char *how;        /* "join", "close", "detach", "destroy", "reap" - for messages */
    bool cancels;     /* releasing a running coroutine (or a bundle of them) cancels it:
                         its blocking calls fail at once (libdill hclose) */
} tl_release_facet;

/* An argument and the constant values it must have (one of them). */
typedef struct {
    int arg;
    int64_t values[TL_MAX_VALUES];
    int nvalues;
} tl_arg_values;

/* Releases every handle of one task noun, wherever in the program it was
 * spawned - wait(), waitpid(-1, ...), signal(SIGCHLD, SIG_IGN) - when each
 * `when` argument has one of its values at the call (all of them must). */
typedef struct {
    bool present;
    char *task;       /* the spawn facet's task noun ("child process") */
    tl_arg_values when[TL_MAX_VALUES];
    int nwhen;
} tl_release_all_facet;

/* Returns the calling task's own handle (getpid() for a child process): a
 * child that stores it where the program reaps from (a field or global some
 * call releases) publishes itself, and its fork needs no release of the
 * parent's copy of the pid (orphaned-spawn, rules/self_publish.c). */
typedef struct {
    bool present;
    char *task;       /* the spawn facet's task noun ("child process") */
} tl_self_handle_facet;

/* Sets an attribute object's detach state (pthread_attr_setdetachstate): a
 * spawn whose attr_arg names an object set to one of `values` starts a
 * detached task, which needs no release. */
typedef struct {
    bool present;
    int arg;        /* the attribute object (pointer to it) */
    int value_arg;  /* the detach-state argument */
    int64_t values[TL_MAX_VALUES]; /* values meaning "detached" */
    int nvalues;
} tl_detach_attr_facet;

/* An argument index facet (borrow/start/await/teardown/part_of). */
typedef struct {
    bool present;
    int arg;
} tl_arg_facet;

/* The await facet's optional fields: how many completions it reaps. */
typedef struct {
    bool has_count;      /* `count` completions ... */
    int64_t count;
    bool has_count_arg;  /* ... or the value of argument `count_arg`; neither: all */
    int count_arg;
    bool submits;        /* starts what was prepared first (submit_and_wait) */
    bool observes;       /* reads how many completions arrived, consuming none
                            (io_uring_cq_ready): after it the number still in flight
                            is not a known constant; implies count 0 */
    bool keeps;          /* waits for its count without consuming the completions: on
                            success they are still there for the next wait (submit_and_wait) */
} tl_reap_facet;

/* What an operation prepared on an object does (prepare facet). */
typedef enum {
    TL_OP_PEER = 0,  /* may wait on a peer for ever (recv, accept, connect, poll) */
    TL_OP_COMPLETE,  /* always completes by itself (nop, timeout, cancel, fsync, open) */
    TL_OP_FD_IO,     /* read/write: a peer wait unless its descriptor is a file */
    TL_OP_UNKNOWN,   /* operations of unknown kinds (a program function's derived model) */
    TL_OP_CANCEL,    /* cancels or bounds the object's operations: they complete
                        (cancel, poll_remove) */
    TL_OP_LINK_TIMEOUT, /* completes on its own and bounds the request linked before it
                        (the one prepared just before it on the object); with none
                        known, as TL_OP_CANCEL (io_uring_prep_link_timeout) */
    TL_OP_IMMEDIATE  /* completes while it is submitted (a no-op): after the submit
                        nothing of it is in flight, only its completion waits in the
                        ring (io_uring_prep_nop); as TL_OP_COMPLETE when linked after
                        another request */
} tl_op_kind;

/* Flags set on a prepared request (a part of an object, see part_of): a
 * function (io_uring_sqe_set_flags(sqe, flags): `arg` the part, `value_arg`
 * the flags, which replace the part's flags) or a field entry RECORD.FIELD
 * (a store into that field of a part: `sqe->flags |= X` adds X, `= X`
 * replaces; no arg/value_arg there).  Bits of `skip_success`: the request
 * posts no completion when it succeeds (IOSQE_CQE_SKIP_SUCCESS); bits of
 * `link`: the next request prepared on the object runs after this one
 * (IOSQE_IO_LINK, IOSQE_IO_HARDLINK). */
typedef struct {
    bool present;
    int arg;
    int value_arg;
    int64_t skip_success;
    int64_t link;
} tl_request_flags_facet;

/* Prepares one operation in the object (or part of one, see part_of) in
 * `arg`: io_uring_prep_recv(sqe, fd, ...). */
typedef struct {
    bool present;
    int arg;
    tl_op_kind op;
    int fd_arg;      /* TL_OP_FD_IO: the descriptor argument */
    bool multishot;  /* with TL_OP_PEER or TL_OP_FD_IO: posts completions until it ends or is cancelled,
                        so one reap does not end it (recv_multishot, poll_multishot) */
    bool fails;      /* the kernel fails it when it completes on its own (a timeout
                        expiring: -ETIME), so a skip_success flag leaves its completion */
    int fails_unless_arg;      /* -1, or: it succeeds instead when this argument is a */
    int64_t fails_unless_mask; /* constant with a bit of this mask (IORING_TIMEOUT_ETIME_SUCCESS) */
} tl_prepare_facet;

/* Kind of descriptor a call makes (descriptor facet). */
typedef enum {
    TL_DESC_FILE = 0, /* a file opened by path: I/O on it completes */
    TL_DESC_PEER,     /* a socket or pipe: I/O on it may wait on a peer */
    TL_DESC_KERNEL    /* served by the kernel itself (an AF_ALG crypto socket): I/O on
                         it completes */
} tl_desc_kind;

typedef struct {
    bool present;
    tl_desc_kind kind;
    int arg;         /* -1: the result; else the out-array argument (pipe(fds)) */
    /* the kind instead when argument kind_if_arg is one of the constant values
       (socket(AF_ALG, ...): kernel); kind_if_arg -1: none */
    int kind_if_arg;
    int64_t kind_if_values[TL_MAX_VALUES];
    int nkind_if_values;
    tl_desc_kind kind_if_kind;
    /* the kind of the descriptor in this argument, when known (accept on an
       AF_ALG socket gives an AF_ALG operation socket), -1 none */
    int from_arg;
    /* a datagram socket when argument datagram_if_arg, masked with
       datagram_if_mask, is one of the values (socket's type & 0xf: SOCK_DGRAM,
       SOCK_RAW); -1 none */
    int datagram_if_arg;
    int64_t datagram_if_mask;
    int64_t datagram_if_values[TL_MAX_VALUES];
    int ndatagram_if_values;
} tl_descriptor_facet;

typedef struct {
    bool present;
    int timeout_arg;          /* -1: no timeout parameter, always forever */
    tl_forever forever[TL_MAX_FOREVER];
    int nforever;
    tl_wait_kind kind;
    /* kind override when an argument has a given constant value
       (poll with nfds == 1 waits on a single peer). */
    bool has_kind_if;
    int kind_if_arg;
    int64_t kind_if_value;
    tl_wait_kind kind_if_kind;
    /* wait is only potentially infinite when this argument is nonzero
       (io_uring_submit_and_wait(ring, wait_nr)); -1 none */
    int only_if_nonzero_arg;
    /* The object waited on (sem_wait's sem_t *), -1 none; with
       kind_if_zero_init: the kind when a counter_init call in the function
       (or, for a global/static object, anywhere in the TU) gives that object
       the count 0, i.e. it signals an event (a start-up handshake). */
    int object_arg;
    tl_wait_kind kind_if_zero_init;   /* TL_WAIT_NONE: no override */
    /* The kind when the wait is not inside a loop of its function (its CFG
       block lies on no cycle): a condition wait that does not re-check a
       predicate.  TL_WAIT_NONE: no override. */
    tl_wait_kind kind_if_unlooped;
    /* Not a wait at all when this argument is a string literal spelling a
       numeric IPv4/IPv6 address (no name lookup happens), -1 none. */
    int unless_numeric_arg;
    /* The kind when the wait is the central wait of an event loop: it lies
       in an unbounded loop (no exit of it tests a variable the loop steps)
       that also calls a `dispatch` function, or it lies in a function that
       calls one and is called in such a loop (rules/event_loop.h).
       TL_WAIT_NONE: no override. */
    tl_wait_kind kind_in_event_loop;
    /* The kind when the wait lies in a loop nothing leaves (no edge out of
       its cycle: `while (1)` with no break, return or goto out), the body
       of a task that serves for the program's lifetime (a channel sink:
       `for (;;) { op = chr(ch); count(op); }`).  TL_WAIT_NONE: no override. */
    tl_wait_kind kind_in_endless_loop;
    /* Not a wait at all when the waited object (object_arg) is a
       coroutine's parameter that a sink serves: every launch of the
       coroutine hands over a variable its launcher handed, before that (on
       every path), to a task receiving it in a loop nothing leaves and
       nothing else in which waits (a wait of kind_in_endless_loop on the
       object: its own parameter there).  A send to it is always taken (chs
       to a statistics coroutine; program/sinks.c). */
    bool unless_served;
    /* Not a wait at all once the peer's end was seen on the handle in this
       argument (an `end_errno` failure of a receive on it, on every path
       to the call): a close or detach that drains the input until the
       peer's end (tcp_close, http_detach); -1 none (dataflow/peer_end.h). */
    int unless_peer_ended;
    /* Fails at once (EPIPE) once the other end of its channel (object_arg)
       is done (channel_done): a coroutine whose only waits are these on a
       channel end it was handed stops as soon as its launcher ends the
       other end (dataflow/stop_params.h). */
    bool unless_other_end_done;
    /* The mutex the wait releases while it waits and holds again when it
       returns (pthread_cond_wait's second argument), -1 none: a waiter that
       holds it from before a spawn whose entry signals the object under it
       on every path cannot miss the signal (the start-up lock dance). */
    int lock_arg;
    /* The wait's deadline is a setting of the object in this argument, not
       an argument (nng_recv: the socket's "recv-timeout"), -1 none: the wait
       is forever when the object was opened in the function on every path
       (object_open) and no deadline_option call set the option named
       deadline_option on it on any path since (dataflow/object_deadlines.h);
       anything else is not known, and not reported.  The option is a name or
       an integer written in decimal (zmq's ZMQ_RCVTIMEO: "27"). */
    int deadline_arg;
    char deadline_option[TL_MAX_OPTION];
    char deadline_label[TL_MAX_OPTION]; /* how the user spells it (ZMQ_RCVTIMEO), or "" */
    /* On an object of one of these types (object_open's type) the call
       never waits: a REP socket's reply, a PUB socket's publication. */
    int64_t never_types[TL_MAX_TYPES];
    int nnever_types;
    /* On one of these types the call waits for the answer to the caller's
       own request (a REQ socket's receive): a loop nothing leaves does not
       make it a server's loop (kind_in_endless_loop does not apply). */
    int64_t client_types[TL_MAX_TYPES];
    int nclient_types;
    /* On one of these types a receive (`reads` on the object) right after
       another receive on it - no send or unknown call on it between, on
       every path - reads a later frame of the same message, already
       delivered whole (ZeroMQ's multipart: a ROUTER's identity, then the
       body): no wait. */
    int64_t frames_types[TL_MAX_TYPES];
    int nframes_types;
    /* A send on an object that an object_connect call connected, on every
       path, does not wait: connecting makes its queue at once (ZeroMQ's
       zmq_connect), and the queue takes the message. */
    bool unless_connected;
    /* Not a wait at all when this argument certainly has a bit of the mask
       (nng_recv's NNG_FLAG_NONBLOCK), -1 none. */
    int unless_flag_arg;
    int64_t unless_flag_mask;
} tl_wait_facet;

/* Initialises a counting object: `arg` is the object, `value_arg` its
 * initial count (sem_init(&s, pshared, value): 0 and 2). */
typedef struct {
    bool present;
    int arg;
    int value_arg;
} tl_counter_init_facet;

typedef struct {
    bool present;
    int if_null_arg;      /* blocking only when this argument is NULL (uv_fs_* cb), -1 none */
    int unless_flag_arg;  /* not blocking when (arg & mask) != 0 (waitpid WNOHANG), -1 none */
    int64_t unless_flag_mask;
    int unless_zero_arg;  /* not blocking when this argument is 0 (poll timeout), -1 none */
    int unless_running_loop_arg; /* not blocking when this argument is the loop running the
                                    calling callback (libevent's event_base_loop on its own
                                    base returns -1 at once: re-entrant), -1 none */
    int if_value_arg;     /* blocking only when arg is one of values (fcntl F_SETLKW), -1 none */
    int64_t if_values[TL_MAX_VALUES];
    int nif_values;
    char *replacement;    /* generic advice when no context-specific replacement exists */
    bool fd_io;           /* I/O on a descriptor: does not block once the descriptor
                             is ready or non-blocking (fd_state, readiness_wait) */
    bool strict_only;     /* blocks only under --profile strict (slow in some
                             cases: unlink of a large file) */
    int fd_arg;           /* with fd_io: the descriptor argument (default 0) */
    int unless_numeric_arg; /* not blocking when this argument is a string literal
                               spelling a numeric IP address (getaddrinfo), -1 none */
    /* not blocking when the argument points to a local struct whose field
       holds a constant with (value & mask) != 0 at the call (getaddrinfo's
       hints.ai_flags & AI_NUMERICHOST), -1 none */
    int unless_field_arg;
    char unless_field[TL_MAX_FIELD];
    int64_t unless_field_mask;
    int unless_immediate_arg; /* not blocking when this argument is a descriptor or stream
                                 known to answer at once (TL_FDS_IMMEDIATE), -1 none */
    /* not blocking when the argument is this field of this record, "RECORD.FIELD"
       (unlink(addr.sun_path): a socket's name frees no data), -1 none */
    int unless_record_field_arg;
    char unless_record_field[2 * TL_MAX_FIELD];
    int unless_datagram_arg; /* not blocking when this argument is a local descriptor every
                                assignment of which is a datagram socket (descriptor.datagram_if:
                                connect() only records the peer's address), -1 none */
} tl_blocking_facet;

/* What a call does to a descriptor's state (read by the descriptor-state
 * dataflow, analyzer/dataflow/fdstate.c). */
typedef enum {
    TL_FDS_NONBLOCKING = 1, /* I/O on it never blocks */
    TL_FDS_READY = 2,       /* a readiness wait reported it ready */
    TL_FDS_DERIVED = 4,     /* (internal) a value reached from a readiness callback's
                               parameters: a struct holding its descriptor, say */
    TL_FDS_IMMEDIATE = 8    /* a kernel pseudo-file (procfs, sysfs) opened by path:
                               reads and writes answer at once (immediate_path) */
} tl_fd_state_bits;

typedef struct {
    bool present;
    bool result;          /* the state applies to the call's result (socket) */
    int arg;              /* else to this argument (fcntl's fd), -1 none */
    bool out;             /* arg points to the descriptor (uv_fileno(h, &fd)) */
    int array;            /* > 0: arg is an array of that many descriptors, each gets
                             the state (pipe2(fds, O_NONBLOCK), socketpair's sv) */
    unsigned sets;        /* TL_FDS_* bits set when the conditions hold */
    int from_arg;         /* instead of `sets`: copy the state of this argument, -1 none */
    int if_flag_arg;      /* only when (arg & mask) != 0 is known, -1 none */
    int64_t if_flag_mask;
    int if_value_arg;     /* only when arg is one of values, -1 none; when it is
                             and if_flag does not hold, the bits are cleared */
    int64_t if_values[TL_MAX_VALUES];
    int nif_values;
} tl_fd_state_facet;

/* The call's result is the status flags of descriptor `arg` (fcntl with
 * F_GETFL: if_value); bit `mask` set in them means it is non-blocking (a
 * branch finding the bit set makes the descriptor non-blocking there). */
typedef struct {
    bool present;
    int arg;
    int64_t mask;
    int if_value_arg; /* only when arg is one of values, -1 none */
    int64_t if_values[TL_MAX_VALUES];
    int nif_values;
} tl_fd_flags_facet;

/* The descriptor or stream a call returns (open, fopen) is a kernel
 * pseudo-file whose reads and writes answer at once when argument `arg` is a
 * string literal under one of `paths` and under none of `except` (globs, as
 * util/glob.h; a glob naming a directory covers what is under it).  Lists
 * of NUL-terminated globs, ended by an empty one; owned by the model. */
typedef struct {
    bool present;
    int arg;
    char *paths;
    char *except;
} tl_immediate_path_facet;

/* A readiness wait (fdin, poll on one pollfd): after it returns, the
 * descriptor in `arg` (or in field `field` of the struct `arg` points to) is
 * ready, so fd_io calls on it do not block. */
typedef enum {
    TL_RW_SUCCESS_ANY = 0,  /* the result is not looked at */
    TL_RW_SUCCESS_ZERO,     /* 0 is success, -1 failure (fdin) */
    TL_RW_SUCCESS_NONZERO,  /* 0 is a timeout, anything else success (fdwait's events) */
    TL_RW_SUCCESS_POSITIVE  /* > 0 is success; 0 a timeout, -1 an error (poll) */
} tl_rw_success;

typedef struct {
    bool present;
    int arg;
    char field[TL_MAX_FIELD]; /* "" : arg is the descriptor itself */
    int if_value_arg;         /* only when this argument has value `if_value` (nfds == 1), -1 none */
    int64_t if_value;
    tl_rw_success success;    /* on a branch where the result means failure, not ready */
} tl_readiness_wait_facet;

/* A callback registration.  On a field entry ("RECORD.FIELD", see
 * tl_models_find_field) it has no args: every function whose address is
 * stored into that field runs in the context. */
typedef struct {
    bool present;
    int args[TL_MAX_CB_ARGS]; /* callback argument indices */
    int nargs;
    tl_context_kind context;  /* context the callbacks run in */
    bool readiness;           /* callbacks run when their descriptor is ready
                                 (uv_poll_start, event_new) */
    int ready_param;          /* with readiness: the callback's parameter that is the ready
                                 descriptor or the handle owning it (fd_io on it does not
                                 block), -1 none */
    int fd_arg;               /* the registration's descriptor argument: a negative constant
                                 there (a timer) means no readiness, -1 none */
    int data_arg;             /* the registration's argument handed to the callback ... */
    int data_param;           /* ... as this parameter: when it is the descriptor in fd_arg
                                 (event_new(b, fd, EV_READ, cb, (void *)fd)) it is ready too */
    int loop_arg;             /* the registration's argument naming the loop the callback
                                 runs on (event_new's base); with data_arg the same operand,
                                 data_param holds the running loop.  -1 none */
    int handle_param;         /* the callback's parameter the loop always fills: the handle or
                                 request it was registered with, never NULL (libuv's first
                                 parameter); code under a test of it being NULL does not run
                                 as the callback.  -1 none */
    char ready_field[TL_MAX_FIELD]; /* with ready_param: the field of the handle ready_param
                                 points to that holds the ready descriptor (ev_io's fd: `w->fd`);
                                 a store into that field of that record watches the value
                                 stored; "" none */
} tl_callback_facet;

/* errno_location: {would_block: [V, ...]} - the function whose result,
 * dereferenced, is errno (glibc's and musl's `__errno_location`); comparing
 * errno after descriptor I/O with one of these values (EAGAIN, EWOULDBLOCK)
 * is code written for a non-blocking descriptor (dataflow/would_block.c). */
typedef struct {
    bool present;
    int64_t would_block[TL_MAX_VALUES];
    int nwould_block;
} tl_errno_facet;

/* fresh: the call makes a connection or pipe end nothing has been written
 * to yet - its result (`tcp_accept`, `accept`), each element of the array
 * in `arg` (`socketpair`'s sv, `pipe`'s fds), or, with from_arg, a handle
 * on the same connection as that argument, with what was written to it
 * (`suffix_attach(s, ...)`, `tls_attach_client(s, ...)`).  Read by the
 * byte budget (dataflow/send_budget.c). */
typedef struct {
    bool present;
    bool result;
    int arg;       /* with array: the array argument, -1 none */
    int array;     /* elements of arg (1 to 8) */
    int from_arg;  /* the result continues this argument's connection, -1 none */
    int64_t bytes; /* with from_arg: what the call itself writes to it first (a
                      handshake's first flight) */
} tl_fresh_facet;

/* sends: the call writes to the connection in handle_arg: len_arg bytes (a
 * constant at the call; else, with buf_arg, at most the size of the
 * fixed-size array passed there: more would read past it), plus the lengths
 * of the string literals in `strings` (or of the arrays holding them), plus
 * `bytes` of its own (framing); with none of these, an amount nobody can
 * tell.  A send whose connection is fresh and holds, with
 * it, at most TL_SEND_BUDGET bytes cannot wait (send_budget.h).  A model
 * call without `sends` writes nothing to the handles it is given. */
typedef struct {
    bool present;
    int handle_arg;
    int len_arg;             /* -1 none */
    int buf_arg;             /* the buffer len_arg counts the bytes of, -1 none */
    int strings[TL_MAX_CB_ARGS];
    int nstrings;
    int64_t bytes;
    bool sized;              /* one of len_arg, strings, bytes is given; else the call
                                writes an amount nobody can tell (bsendl, sendmsg) */
    bool receives;           /* it also waits for the peer's answer (a handshake):
                                its bytes count, but fitting does not make it no wait */
} tl_sends_facet;

/* end_errno: a failure of the call (a receive) with errno one of `values`
 * means the peer has finished on the handle in handle_arg: its end of
 * stream, or its protocol's terminator, arrived (libdill's EPIPE).  A
 * wait with `unless_peer_ended` on that handle, past such a failure on
 * every path, waits for nothing (dataflow/peer_end.h). */
typedef struct {
    bool present;
    int handle_arg;
    int64_t values[TL_MAX_VALUES];
    int nvalues;
    bool any_failure; /* any failure (a negative result) ends the handle for the
                         closes too: libdill marks the layer broken (inerr), and
                         a close or detach then fails at once */
} tl_end_errno_facet;

/* numeric_check: the call tells whether the string in `arg` is a numeric
 * address: a result meaning `success` says it is (inet_pton() returns 1 for
 * "127.0.0.1").  On that branch the variable holding the string counts as
 * a numeric literal for the calls' `unless_numeric_address`, until it is
 * assigned again (dataflow/numeric_hosts.h). */
typedef struct {
    bool present;
    int arg;
    tl_success success;
} tl_numeric_check_facet;

/* object_open: the call opens a new object with no deadline set on it, in
 * *arg (nng_req0_open(&s)) or as its result (zmq_socket): see
 * wait.deadline_arg. */
typedef struct {
    bool present;
    int arg;      /* -1 with result */
    bool result;
    bool has_type; /* the object's type: `type` (nng_rep0_open: the protocol) */
    int64_t type;
    int type_arg; /* or the constant in this argument (zmq_socket's ZMQ_REP), -1 none */
} tl_object_open_facet;

/* deadline_option: the call sets the option named in `name_arg` - a string
 * literal (nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 1000)) or an integer
 * constant, compared in decimal (zmq_setsockopt(s, ZMQ_RCVTIMEO, ...)) - of
 * the object in `arg` to the duration in `value_arg`; a value among
 * `forever` sets no deadline.  A name that is neither, or a value not
 * known, counts as setting a deadline (dataflow/object_deadlines.h). */
typedef struct {
    bool present;
    int arg, name_arg, value_arg;
    tl_forever forever[TL_MAX_FOREVER];
    int nforever;
} tl_deadline_option_facet;

/* buffered: the call copies len_arg bytes (a constant; else, with buf_arg,
 * at most the size of the fixed-size array there) into the connection's
 * own output buffer of `size` bytes, writing to the connection - and so
 * maybe waiting - only when they do not fit (libmill's tcpsend); with
 * `flush: true` it writes the buffer out and leaves it empty (tcpflush).
 * A connection a `fresh` result made starts empty (dataflow/out_buffer.h). */
typedef struct {
    bool present;
    int handle_arg;
    int len_arg;  /* -1 none (a flush) */
    int buf_arg;  /* -1 none */
    int64_t size;
    bool flush;
} tl_buffered_facet;

typedef struct tl_fn_model {
    char *name;     /* callee name after macro expansion, or RECORD.FIELD for a
                       function-pointer field (ev_io.cb) */
    char *library;  /* library that declared it (file's "library:") */
    tl_spawn_facet spawn;
    tl_release_facet release;
    tl_release_all_facet release_all;
    tl_self_handle_facet self_handle;
    tl_arg_facet borrow[TL_MAX_CB_ARGS]; int nborrow; /* args used without ownership change */
    tl_arg_facet start;      /* starts work on the object (mco_resume, io_uring_submit) */
    tl_arg_facet await;      /* awaits the object's work (bundle_wait, io_uring_wait_cqe) */
    tl_success start_success;/* start: results meaning the work started (ALWAYS: any) */
    tl_reap_facet reap;      /* await: completions reaped */
    tl_arg_facet teardown;   /* ends the object; unawaited work is a bug (hclose, io_uring_queue_exit) */
    tl_arg_facet part_of;    /* the result is a part of the object in arg (io_uring_get_sqe) */
    tl_prepare_facet prepare;       /* prepares an operation (io_uring_prep_recv) */
    tl_request_flags_facet request_flags; /* sets flags of a prepared request
                                (io_uring_sqe_set_flags, the field io_uring_sqe.flags) */
    tl_descriptor_facet descriptor; /* makes a descriptor (socket, open, pipe) */
    tl_arg_facet watch_fd;   /* the descriptor in arg is watched for readiness (uv_poll_init):
                                I/O on the same struct field in a readiness callback is ready */
    tl_arg_facet channel_pair; /* fills the two-element array in arg with the two ends of one
                                new channel (libdill's chmake) */
    tl_arg_facet channel_done; /* ends the channel from the end in arg: waits with
                                unless_other_end_done on the other end fail at once from now
                                on (libdill's chdone; rules/unawaited_stops.c) */
    tl_arg_facet channel_buffer; /* the result is a new buffered channel holding up to the
                                value of arg messages (libmill's chmake(type, n)) */
    tl_arg_facet channel_put;  /* puts one message into the channel in arg, waiting while
                                it is full (libmill's chs) */
    tl_arg_facet channel_take; /* takes one message from the channel in arg, waiting while
                                it is empty (libmill's chr); dataflow/chan_fill.c */
    tl_arg_facet reads;      /* receives what the peer sent on the connection in arg (recv,
                                brecv, tcprecv): an answer - in a request/response exchange
                                the peer has taken what was sent before (dataflow/send_budget.c) */
    tl_wait_facet wait;
    tl_counter_init_facet counter_init;
    tl_arg_facet post;       /* posts (counts up) the counting object in arg: sem_post, whose
                                waiter it wakes (missing-timeout: a handshake's other side);
                                also a condition's signal/broadcast */
    tl_arg_facet lock;       /* takes the mutex in arg (pthread_mutex_lock) */
    tl_arg_facet unlock;     /* releases the mutex in arg (pthread_mutex_unlock) */
    tl_blocking_facet blocking;
    tl_callback_facet callback;
    tl_detach_attr_facet detach_attr;
    bool start_generator; /* start: {generator: true}: the object runs only while
                             this call resumes it (minicoro): resumed in a loop it
                             is consumed; torn down with no resume, it never ran */
    tl_fd_state_facet fd_state;
    tl_fd_flags_facet fd_flags;
    tl_readiness_wait_facet readiness_wait;
    tl_immediate_path_facet immediate_path;
    tl_errno_facet errno_location;
    tl_fresh_facet fresh;
    tl_sends_facet sends;
    tl_buffered_facet buffered;
    tl_end_errno_facet end_errno;
    tl_numeric_check_facet numeric_check;
    tl_object_open_facet object_open;
    tl_deadline_option_facet deadline_option;
    tl_arg_facet object_connect; /* connects the object in arg: see wait.unless_connected */
    bool cooperative;  /* yields to the library's scheduler (counts as the parent waiting) */
    bool synchronizes; /* other code may run, or publish its writes, during the call: it
                          runs callbacks (an event loop's run) or orders memory with other
                          threads (a lock, a barrier; POSIX's memory-synchronizing
                          functions): a file-scope value read before it may differ after
                          it (dataflow/branch_facts.h) - implied by spawn, wait, release,
                          lock, unlock, post, start, await, teardown, cooperative */
    bool must_await;   /* discarding the result is an unawaited task */
    bool nonblocking;  /* never blocking; cuts transitive blocking chains */
    bool noreturn;     /* ends the path (exit, abort) */
    bool noreturn_thread; /* noreturn: thread - ends only the calling thread (pthread_exit) */
    int64_t returns_only[TL_MAX_VALUES]; /* the call returns only with one of these results */
    int nreturns_only;                   /* (execve: -1, it returns only on failure); 0: any */
    bool dispatch;     /* takes completions in a batch or routes one to its handler by its
                          user data (io_uring_peek_batch_cqe, io_uring_cqe_get_data): an
                          unbounded loop calling it is an event loop (kind_in_event_loop) */
} tl_fn_model;

/* A library's advice for replacing a blocking call inside its async contexts. */
typedef struct {
    char *library;
    char *callee;
    char *replacement;
} tl_replacement;

typedef enum { TL_PROFILE_DEFAULT = 0, TL_PROFILE_STRICT } tl_profile;

/* Roles a declaration takes on through an annotate attribute in the source
 * (`__attribute__((annotate("tasklint::async")))`, or a project's own string
 * mapped by the config's `annotations:`).  Bits; the front end records them
 * per annotated function (tl_annot in ir.h). */
enum {
    TL_ROLE_ASYNC = 1 << 0,       /* the function runs in an async context (a coroutine) */
    TL_ROLE_BLOCKING = 1 << 1,    /* calls to it block the calling thread */
    TL_ROLE_NONBLOCKING = 1 << 2, /* calls to it never block; cuts chains */
    TL_ROLE_SPAWN = 1 << 3,       /* returns a task handle that must be released */
    TL_ROLE_OWNS = 1 << 4         /* on a parameter: takes over the handle passed there */
};

typedef struct tl_model_set {
    tl_fn_model *fns;  /* sorted by name after tl_models_finish() */
    size_t nfns, capfns;
    tl_replacement *repl;
    size_t nrepl, caprepl;
    char **exempt;     /* functions whose bodies are not checked */
    size_t nexempt, capexempt;
    char **libraries;  /* names of loaded libraries, for --list-models */
    size_t nlibraries, caplibraries;
    /* settings from a project config */
    bool has_profile;
    tl_profile profile;
    char **enable, **disable; /* rule ids */
    size_t nenable, ndisable;
    char **exclude;           /* `exclude:` globs: files not analysed (cli/exclude.c) */
    size_t nexclude;
    struct tl_per_path_s *per_path; /* `per_path:` entries, in file order (per_path.h) */
    size_t nper_path;
    bool no_path_defaults;    /* `per_path_defaults: false`: no built-in per-path entries */
    /* history kept in the findings store (`tasklint gc`, store.h): 0 unset */
    int keep_runs;            /* `keep_runs: N`: drop older runs after each run */
    int keep_trend;           /* `keep_trend:` 1 none, 2 day, 3 week */
    /* Lookup indexes, kept up to date by the loaders, copy and finish, so
     * that loading and every lookup by name are O(1) per name.  A set filled
     * by hand (tests) has none: tl_models_find and tl_models_is_exempt then
     * scan. */
    tl_strmap fn_index;     /* name -> index in fns */
    tl_strmap exempt_index; /* exempt names (values unused) */
    tl_strmap lib_index;    /* library -> index in libraries */
    tl_strmap *repl_index;  /* per library (parallel to libraries): callee -> index in repl */
    size_t caprepl_index;
    /* Library namespaces (a model file's `prefixes:`): a function whose name
       starts with one belongs to that library even when the model does not
       list it - it is not part of the analysed program's own code, and its
       implementation (when the library's own sources are analysed) is not
       followed from user code.  Few: looked up by a scan. */
    char **prefixes, **prefix_libs;
    size_t nprefixes, capprefixes;
    /* The config's `annotations:`: a project's annotate strings and the
       TL_ROLE_* bits each stands for.  Few: looked up by a scan. */
    char **annot_names;
    unsigned *annot_roles;
    size_t nannots;
} tl_model_set;

/* Error text for the loaders: "file:line:col: message" (see tl_yaml_format_error). */
typedef struct {
    char msg[1024]; /* the facets alone, listed with a "did you mean", take about 560 bytes */
} tl_model_error;

void tl_models_init(tl_model_set *ms);
/* A function model with no facets (argument fields -1), as the loader starts one. */
void tl_fn_model_init(tl_fn_model *f);
void tl_models_free(tl_model_set *ms);
/* Deep copy (project configs extend a copy of the built-in set). */
int tl_models_copy(tl_model_set *dst, const tl_model_set *src);

/* Load a model document (the YAML text of a rules/models file or of a project
 * config's "models:" section).  Later definitions of a function merge into /
 * override earlier facets.  Returns 0, or -1 with err filled. */
int tl_models_load_text(tl_model_set *ms, const char *text, size_t len,
                        const char *origin, tl_model_error *err);
int tl_models_load_file(tl_model_set *ms, const char *path, tl_model_error *err);
/* Load the models embedded at build time from rules/models/ (all libraries). */
int tl_models_load_builtin(tl_model_set *ms, tl_model_error *err);
/* Load a project config (.tasklint.yaml): profile, enable/disable, exempt,
 * and models (same format as a model file). */
int tl_models_load_config(tl_model_set *ms, const char *path, tl_model_error *err);
/* The same for config text already in memory; path names it in errors. */
int tl_models_load_config_text(tl_model_set *ms, const char *text, size_t len, const char *path,
                               tl_model_error *err);
/* Sorts fns by name (a stable order for callers that walk them); call after
 * loading.  Lookups work before it too. */
void tl_models_finish(tl_model_set *ms);

const tl_fn_model *tl_models_find(const tl_model_set *ms, const char *callee);
/* The entry "RECORD.FIELD" for a struct/union field given by its clang USR
 * (c:@S@ev_io@FI@cb -> ev_io.cb; the record's tag, or the typedef name of an
 * anonymous one), when the models describe that field; else NULL. */
const tl_fn_model *tl_models_find_field(const tl_model_set *ms, const char *field_usr);
/* The field entry with a request_flags facet for a field's USR, or NULL. */
const tl_fn_model *tl_models_find_field_flags(const tl_model_set *ms, const char *field_usr);
/* The "RECORD.FIELD" key of a field's USR (what field entries are named by);
 * false when the USR is not a field of a named record or the key is longer
 * than size. */
bool tl_models_field_key(const char *field_usr, char *key, size_t size);
/* The library whose namespace (`prefixes:`) the name is in, or NULL. */
const char *tl_models_namespace(const tl_model_set *ms, const char *name);
const char *tl_models_replacement(const tl_model_set *ms, const char *library,
                                  const char *callee);
bool tl_models_is_exempt(const tl_model_set *ms, const char *fn);
/* Does the string literal `spelling` (as written, with its quotes; no
 * escapes, prefixes or concatenation) name a path under one of ip's paths
 * and under none of its exceptions (immediate_path facet)? */
bool tl_immediate_path_matches(const tl_immediate_path_facet *ip, const char *spelling);
/* The TL_ROLE_* bits of an annotate string: "tasklint::async" ... built in,
 * the others from the config's `annotations:`; 0 for any other string. */
unsigned tl_models_annotation_roles(const tl_model_set *ms, const char *text);
/* The role named ("async", "blocking", "nonblocking", "spawn", "owns"), or 0. */
unsigned tl_annotation_role_named(const char *name);

/* Find the project config for a file: walk up from its directory looking for
 * .tasklint.yaml (or .tasklint.yml).  Returns malloc'd path or NULL. */
char *tl_config_find(const char *file_path);

const char *tl_wait_kind_name(tl_wait_kind k);
const char *tl_context_name(tl_context_kind k);
/* Whether a forever wait of this kind is reported under the profile. */
bool tl_wait_kind_flagged(tl_wait_kind k, tl_profile p);

#endif
