/* summary.h - what one translation unit tells the rest of the program.
 *
 * Phase 1 of a whole-program run: after a TU is lowered and its per-TU facts
 * are computed (analysis.h), each function defined in it is condensed into a
 * summary of plain data - no IR, no libclang - that the link phase
 * (analyzer/program/) joins across all TUs.  A summary says, per function:
 * whom it calls (directly, through a struct field, a global function pointer
 * or a parameter) and with which constant arguments; which functions it
 * registers as callbacks or task entries, and which of its own parameters it
 * hands to a registration (a project's wrapper around uv_poll_start); what
 * it does with each parameter that may hold a handle (releases it, stores or
 * returns it, passes it on, or only borrows it); which parameters reach the
 * deadline of a wait; which counting objects it posts on every path; whether
 * it returns a freshly spawned handle; which
 * global or field handle slots it spawns into or releases.  Functions are
 * named by clang USRs, fields and globals too, so the link phase matches
 * them across files.
 */
#ifndef TL_SUMMARY_H
#define TL_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "../dataflow/analysis.h"
#include "../dataflow/fdstate.h"
#include "../dataflow/field_guards.h"
#include "../ir/ir.h"
#include "../util/strmap.h"

/* What a call goes to, or what a registration registers. */
typedef enum {
    TL_REF_NONE = 0, /* unknown (a computed pointer) */
    TL_REF_FUNC,     /* a function, by USR */
    TL_REF_FIELD,    /* every function stored into this struct field (USR) */
    TL_REF_GLOBAL,   /* every function stored into this global pointer (USR) */
    TL_REF_PARAM     /* whatever the callers pass in parameter `param` */
} tl_ref_kind;

typedef struct {
    tl_ref_kind kind;
    char *usr;  /* FUNC, FIELD, GLOBAL */
    char *name; /* for messages: function, field or variable name */
    int param;  /* PARAM */
} tl_ref;

/* Candidate fork wrappers recorded per call (fork_branch.h's TL_FORK_CANDIDATES). */
#define TL_SUM_CHILD_OF_MAX 4

/* One argument at a call, as the link phase needs it. */
typedef struct {
    tl_cval value; /* constant value at the call (analysis) */
    int param;     /* the caller's own parameter passed unchanged, else -1 */
    char *fn_usr;  /* a function designator passed (a callback), else NULL */
    char *fn_name;
} tl_sum_arg;

typedef struct {
    tl_ref target;
    tl_loc loc;        /* file interned in the summary's strings */
    char *spelling;    /* the name the user spelled (chrecv, go, helper) */
    tl_sum_arg *args;
    int nargs;
    bool modelled;     /* the callee has a library model: not a program function */
    bool nonblocking;  /* the model says it never blocks: chains stop here */
    bool blocks;       /* blocks under its argument values (model) */
    bool blocks_unless_ready; /* blocks even when its descriptor is ready */
    bool spawn_entry;  /* runs as a new task, not as part of this function */
    bool passes_param; /* some argument comes from the caller's parameters
                          (dataflow/param_values.h): a callee checked with its descriptor
                          ready stays so through this call, else its plain summary applies */
    bool fd_file;      /* descriptor I/O on a file opened by path (tl_call_facts.fd_file) */
    bool in_unbounded_loop; /* a program function called in a loop that runs until
                               stopped (rules/event_loop.h): one iteration of it */
    bool in_loop;         /* the call lies on a cycle of the caller's CFG (dataflow/cycles.h):
                             it may run again after it returns (program/loop_callers.c) */
    bool result_returned; /* the caller returns the call's result at once (`return f(...);`,
                             `r = f(...); return r;`): what the callee returns, the caller
                             does (program/exit_returns.c) */
    int child_of[TL_SUM_CHILD_OF_MAX]; /* reached only where each of these calls (indices in
                          calls, unmodelled; nchild_of of them) returned 0: when one of them
                          returns a fork's result (a wrapper of fork in another file), this
                          one runs in the child and blocks no caller (dataflow/fork_branch.c) */
    int nchild_of;
    char *fd_slot;     /* descriptor I/O (blocking.fd_io) on a global or field slot
                          ("g:USR", "f:USR"): it does not block when the program says
                          every store into that slot is non-blocking, else NULL */
    unsigned guard_nz, guard_z; /* the caller's parameters (bit k < 32) tested non-zero /
                          zero on every path to the call (dataflow/param_guards.h) */
    unsigned guard_pass; /* bit j: argument j is the caller's parameter args[j].param,
                          never assigned and its address never taken */
    /* a call through a field of a variable's object (`t->main()`): the
       other fields of that object tested on every path to it
       (dataflow/field_guards.h; field USRs interned), nfguards of them */
    tl_field_guard fguards[TL_FIELD_GUARDS_MAX];
    int nfguards;
} tl_sum_call;

/* An argument of a spawn entry call that another spawn of the same function
 * hands over too: argument `arg` is a variable assigned once that spawn
 * `reg` (an index in the function's regs), whose call comes first on every
 * path to this one, passes as its argument `reg_arg` (program/sinks.c). */
typedef struct {
    unsigned char arg, reg, reg_arg;
} tl_sum_share;
#define TL_SUM_SHARES_MAX 8

/* A callback or task entry this function registers. */
typedef struct {
    tl_ref target;
    tl_context_kind context;
    bool readiness;
    bool cancel_bounded; /* a coroutine spawn its function ends by cancelling on
                            every path (rules/cancel_bound.h) */
    unsigned fresh_args; /* a spawn entry: the arguments (bit j) handed over as fresh
                            connections (dataflow/send_budget.h) */
    tl_sum_share shares[TL_SUM_SHARES_MAX]; /* a spawn entry: arguments an earlier spawn
                                               hands over too */
    int nshares;
    const char *library; /* interned */
    const char *via;     /* model function that registers */
    tl_loc loc;
} tl_sum_reg;

/* What the function does with a parameter that may hold a handle. */
enum {
    TL_PE_RELEASE = 1 << 0, /* joins/closes/detaches it (release facet) */
    TL_PE_STORE = 1 << 1,   /* stores it into memory or a global */
    TL_PE_RETURN = 1 << 2,  /* returns it */
    TL_PE_ESCAPE = 1 << 3,  /* hands it to code nobody can see (indirect call) */
    TL_PE_BORROW = 1 << 4,  /* uses it without taking ownership */
    TL_PE_PASS = 1 << 5,    /* passes it to a program function (see passes) */
    TL_PE_AWAIT = 1 << 6,   /* awaits its work (await facet) */
    TL_PE_TEARDOWN = 1 << 7, /* tears it down (teardown facet) */
    TL_PE_PREPARE = 1 << 8,  /* prepares or starts work on it (part_of, start facets) */
    /* ... the kinds of the operations it prepares there (rules/inflight.h) */
    TL_PE_PREP_PEER = 1 << 9,    /* one may wait on a peer (a socket receive) */
    TL_PE_PREP_DONE = 1 << 10,   /* one completes on its own (a read of a file) */
    TL_PE_PREP_UNKNOWN = 1 << 11, /* one of unknown kind */
    TL_PE_PREP_FD = 1 << 12,      /* reads/writes the descriptor of parameter
                                     TL_PE_PREP_FD_PARAM(effects): the caller's kind */
    TL_PE_AWAIT_REACH = 1 << 13,  /* awaits work on an object it reaches through it
                                     (`io_uring_wait_cqe(td->ring, ...)`: a reaper thread's
                                     argument) */
    TL_PE_POST = 1 << 14,         /* posts what it points to on every returning path
                                     (`sem_post(arg)` first thing: dataflow/must_post.h) */
    TL_PE_SPAWN_OUT = 1 << 15,    /* writes a handle it spawned through it (`*out = t` after
                                     pthread_create(t, ...), or pthread_create(out, ...)):
                                     the function is a spawn for its callers, handle in this
                                     argument (spawn_model names the spawning call) */
    TL_PE_SPAWN_ATTR = 1 << 24    /* is the creation attributes (the spawn model's attr_arg)
                                     of the spawn whose handle TL_PE_SPAWN_OUT writes out:
                                     the caller's attribute object (detached or not) applies;
                                     bits 16-23 hold TL_PE_PREP_FD's parameter */
};
/* The parameter whose descriptor TL_PE_PREP_FD operations use, kept in bits
 * 16-23 of the effects (so the wire format carries it unchanged). */
#define TL_PE_PREP_FD_PARAM(e) ((int)(((e) >> 16) & 0xffu) - 1)
#define TL_PE_PREP_FD_BITS(p) (((unsigned)(p) + 1u) << 16)

typedef struct {
    unsigned effects;
    const char *release_how; /* "join", "close", ... for TL_PE_RELEASE */
} tl_sum_param;

/* Parameter `param` is passed unchanged as argument `arg` of calls[call]. */
typedef struct {
    int param, call, arg;
} tl_sum_pass;

/* Parameter `param` reaches the deadline of the wait at calls[call]. */
typedef struct {
    int param, call;
    tl_wait_kind kind;
    tl_forever forever[TL_MAX_FOREVER];
    int nforever;
} tl_sum_deadline;

/* A handle slot outside the stack (a global, a struct field) spawned into,
 * released, or handed to a program function here. */
typedef struct {
    char *slot_usr;
    char *slot_name;
    bool spawn;        /* a spawn writes its handle there */
    const char *how;   /* release: "join", "detach"...; NULL for a spawn or a pass */
    int pass_call;     /* passed as argument pass_arg of calls[pass_call], else -1 */
    int pass_arg;
    const char *task;  /* spawn: the task noun ("thread"); self: the self_handle's */
    const char *library;
    tl_loc loc;
    bool self;         /* the task's own handle is stored there (`td->pid = getpid()`:
                          a self_handle call's result), not a spawn's */
} tl_sum_slot;

typedef struct {
    char *usr;
    char *name;
    tl_loc loc;
    bool is_static, in_header;
    int nparams;
    tl_sum_param *params; /* nparams entries */
    tl_sum_call *calls;
    int ncalls;
    tl_sum_reg *regs;
    int nregs;
    tl_sum_pass *passes;
    int npasses;
    tl_sum_deadline *deadlines;
    int ndeadlines;
    tl_sum_slot *slots;
    int nslots;
    /* returns a handle it spawned (a helper that starts a worker) */
    bool returns_handle;
    bool returns_pointer;    /* the handle is a pointer: NULL means no task */
    bool returns_bool;       /* its result is a bool (a TL_PE_SPAWN_OUT wrapper: true is success) */
    bool never_returns;      /* no return reachable (tl_analysis_never_returns) */
    bool self_releases;      /* releases its own task's handle on every path
                                (tl_analysis_self_releases: a thread entry that detaches itself) */
    /* scalar parameters (bit k, k < 32) it leaves non-blocking at every return
       that is no error, and those it otherwise hands to a mode-changing call
       (tl_func_facts.params_nonblocking / params_moded): a call in another
       file makes the first arguments non-blocking, the second not known */
    unsigned params_nonblocking, params_moded;
    /* parameters (bit k, k < 32) it receives on in a loop nothing leaves and
       nothing else in which waits: a sink serving them (program/sinks.c) */
    unsigned sink_params;
    /* parameters (bit k) whose channel end, once its other end is done,
       leaves it nothing to wait for (dataflow/stop_params.h) */
    unsigned stop_params;
    /* the same under hypotheses on its integer parameters (fdstate_hyp.c):
       the scalar parameters left non-blocking when given ones are non-zero
       (`set_block(fd, on)`), and whether every result is non-blocking when
       given ones have a flag bit (`connect_generic(..., flags)`); a call in
       another file with constant arguments resolves them.  None: zeroed */
    tl_fd_params_if params_if;
    tl_fd_returns_if returns_if;
    const char *spawn_model; /* the spawning library function */
    tl_loc spawn_loc;
    /* globals whose work it awaits (their USRs, interned; a reaper thread's
       global ring), at most TL_SUM_MAX_AWAIT_GLOBALS */
    const char **await_globals;
    int nawait_globals;
    /* globals it posts on every returning path (must_post.h; USRs, interned),
       at most TL_SUM_MAX_AWAIT_GLOBALS */
    const char **post_globals;
    int npost_globals;
    /* conditions it signals while holding a mutex on every returning path
       (must_post.h's locked pairs; USRs, interned): object k is signalled
       under mutex k - both globals when locked_post_params[k] is -1, else
       both fields of what that parameter points to; at most
       TL_SUM_MAX_AWAIT_GLOBALS */
    const char **locked_post_objects, **locked_post_mutexes;
    int *locked_post_params;
    int nlocked_posts;
} tl_func_summary;

#define TL_SUM_MAX_AWAIT_GLOBALS 16
#define TL_SUM_MAX_ASSIGNED_FIELDS 4096

/* The summary of one TU: its functions and the function addresses it
 * stores into fields and globals. */
typedef struct {
    char *main_file;
    tl_func_summary *funcs;
    int nfuncs;
    tl_fn_store *stores;
    int nstores;
    /* what it stores into global descriptor slots (fdstate.h): the program
       decides which slots only ever hold non-blocking descriptors */
    tl_slot_store *fd_stores;
    int nfd_stores;
    /* the struct fields (USRs, interned) its functions assign (`t->flag =
       1`, `tbl[i].on = 0`): a brace initializer's value for them may not
       hold at run time (field guards, program.c); assigned_over: more
       than TL_SUM_MAX_ASSIGNED_FIELDS, any field may be */
    const char **assigned_fields;
    int nassigned_fields, capassigned_fields;
    bool assigned_over;
    /* interned strings (file names, library and model names) and their index */
    char **strings;
    int nstrings, capstrings;
    tl_strmap string_index;
} tl_tu_summary;

/* Condense the analysed TU.  The summary copies what it keeps: it outlives
 * the IR and the analysis. */
void tl_tu_summary_extract(const tl_analysis *a, tl_tu_summary *out);
void tl_tu_summary_free(tl_tu_summary *s);
/* The summary's own copy of str (one per distinct string); NULL for NULL. */
const char *tl_tu_summary_intern(tl_tu_summary *s, const char *str);

#endif
