/* analysis.h - facts computed once per translation unit, read by every rule.
 *
 * - constant propagation: the value of each call argument (through locals,
 *   enum constants and macros), so a deadline of -1 is seen wherever it
 *   comes from;
 * - the model of each call's callee;
 * - async-context discovery: which functions run as coroutines or
 *   event-loop callbacks (from spawn entries and callback registrations);
 * - blocking summaries: which functions may block, and through which chain
 *   of in-TU calls.
 */
#ifndef TL_ANALYSIS_H
#define TL_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>
#include "../ir/ir.h"
#include "../model/model.h"
#include "dataflow.h"
#include "../util/str_map.h"

/* A constant-propagation lattice value. */
typedef enum {
    TL_CV_UNDEF = 0, /* no definition reaches (bottom) */
    TL_CV_INT,       /* a known integer */
    TL_CV_NULL,      /* a null pointer */
    TL_CV_NONNULL,   /* a known non-null pointer (address of something, a function) */
    TL_CV_UNKNOWN    /* not a constant (top) */
} tl_cval_kind;

typedef struct {
    tl_cval_kind kind;
    int64_t v;
    /* where a constant came from when it was not spelled at the use:
       the variable it flowed through (-1 if the constant is spelled in place) */
    int via_var;
} tl_cval;

/* Facts for one call instruction. */
typedef struct {
    const tl_instr *instr;   /* the TL_I_CALL */
    int block, index;        /* its position */
    const tl_fn_model *model;/* NULL when the callee is not modelled */
    tl_cval *argv;           /* value of each argument at the call */
    bool reached;            /* the call's block is reachable */
    bool strict;             /* the run's profile is strict: a blocking facet's
                                strict_only counts */
    bool dying;              /* every path from the call ends in a noreturn call
                                (exit, abort, a failed assertion): the process
                                ends, so a blocking call here stalls nothing;
                                dying.h: a list walk before the exit counts) */
    bool in_fork_child;      /* only a fork's child process runs the call (fork_branch.c):
                                a blocking call here stalls the child, not the caller */
    bool in_waited_child;    /* only the child of a fork whose parent waits for it runs the
                                call (vfork): ending that child still holds the parent,
                                so its calls are never dying */
    bool would_block_handled;/* descriptor I/O whose errno the code compares with EAGAIN
                                (would_block.c): written for a non-blocking descriptor */
    /* descriptor facts (fdstate.h): */
    unsigned fd_state;       /* blocking.fd_io: TL_FDS_* bits of its descriptor argument;
                                blocking.unless_immediate: TL_FDS_IMMEDIATE of that argument */
    bool field_flag;         /* blocking.unless_field_flag holds at the call */
    bool passes_fd_state;    /* some argument is a descriptor known non-blocking or ready */
    unsigned guard_nz, guard_z; /* parameters of the function (bit k < 32) tested non-zero /
                                zero on every path to the call (param_guards.h) */
    bool fd_from_param;      /* blocking.fd_io: its descriptor comes from the function's
                                parameters (param_values.h): ready when the function is
                                checked with its descriptor ready */
    bool passes_param;       /* some argument comes from the function's parameters: a callee
                                checked "ready" stays so through this call */
    bool fd_file;            /* blocking.fd_io on a local whose every origin is a file opened
                                by path (fd_origin.h): the fix is a worker, not a watcher */
    bool datagram;           /* blocking.unless_datagram: its descriptor is a local datagram
                                socket (fd_origin.h): connect() does not wait */
    bool send_fits;          /* a `sends` call whose connection is fresh and, with it, holds
                                at most TL_SEND_BUDGET bytes: it cannot wait (send_budget.h) */
    bool buffer_fits;        /* a `buffered` call whose bytes fit the connection's output
                                buffer: it only copies, it cannot wait (out_buffer.h) */
    bool peer_ended;         /* a wait `unless_peer_ended` on a handle whose peer's end was
                                seen on every path to it: it waits for nothing (peer_end.h) */
    bool chan_ready;         /* a channel_put with room, or a channel_take with a message
                                waiting, on a buffered channel only this function uses: it
                                cannot wait (chan_fill.h) */
    bool deadline_forever;   /* a wait.object_deadline whose object this function opened on
                                every path and set that option on none (object_deadlines.h) */
    int deadline_open;       /* with deadline_forever: the call id that opened it, -1 several */
    bool deadline_client;    /* with deadline_forever: the object's type is one of the wait's
                                client_types (a REQ socket: it awaits its own request's answer) */
    const tl_instr *deadline_via; /* with deadline_forever on a call of the TU's own helper
                                (s_recv(s)): the library call in it that waits, else NULL */
    const struct tl_fn_model *deadline_via_model; /* and its model */
    unsigned numeric_args;   /* arguments (bit j < 32) a numeric-address check accepted on
                                every path to the call (numeric_hosts.h) */
    unsigned fresh_args;     /* a coroutine's entry call: the arguments (bit j) that hand over a
                                fresh connection nothing was written to, which this function
                                neither writes nor hands elsewhere (send_budget.h) */
} tl_call_facts;

/* Why a function runs in an async context. */
typedef struct {
    tl_context_kind kind;    /* TL_CTX_NONE if it does not */
    const char *library;     /* library of the registering/spawning model */
    const char *via;         /* callee that made it async: "dill_prologue", "uv_timer_start" */
    const char *wrapper;     /* the project's wrapper that registered it, or NULL */
    const char *in_func;     /* registered in another file: the registering function's name */
    int from_func;           /* function containing the registration, -1 if none */
    tl_loc loc;              /* where it was registered / spawned */
    bool readiness;          /* runs when its descriptor is ready */
    int loop_param;          /* a loop callback's parameter holding the loop it runs on (every
                                registration hands the loop as its data: callback.loop_arg), -1 */
    int handle_param;        /* a loop callback's parameter never NULL when the loop calls it
                                (callback.handle_param, the same for every registration), -1 */
    int ready_param;         /* with readiness: the parameter holding the ready descriptor
                                (or its handle), -1 unknown: fd I/O on it does not block */
    int ready_data_param;    /* a second one: the user-data parameter when the registration
                                passed the descriptor there (callback.data_arg), -1 none */
    const char *ready_field; /* with ready_param: the field of the handle it points to that
                                holds the ready descriptor (callback.ready_field), or NULL */
    const char *declared;    /* async by an annotation in the source: its string
                                ("tasklint::async", "coroutine_fn"), else NULL */
} tl_context_info;

/* Why a function may block: first blocking call, directly or through calls. */
typedef struct {
    bool may_block;
    int call_id;             /* the call in this function that blocks or leads there */
    const char *blocking_callee; /* the final blocking function (e.g. "sleep") */
    int next_func;           /* -1 if call_id is directly blocking, else the callee func */
    bool next_plain;         /* blocks_when_ready: the call hands next_func nothing of its
                                own parameters, so next_func's plain summary applies */
    unsigned guard_nz, guard_z; /* parameters every blocking call of it needs non-zero /
                                zero (param_guards.h): a caller passing a constant
                                that contradicts one does not block through it */
} tl_block_summary;

/* A function's result under hypotheses about one flag bit of its integer
 * parameters (fdstate_effects.c): for mask k, bit `a` of ok[k] says that
 * under assignment a (bit j of a: parameter iparams[j] has masks[k]) every
 * return that is no negative constant gives a non-blocking descriptor
 * (`connect_generic(..., flags)` doing `if (flags & NONBLOCK) set_nb(s)`). */
typedef struct {
    int64_t masks[2];
    int iparams[3];
    unsigned char nmasks, niparams, ok[2];
} tl_fd_returns_if;

/* The scalar parameters a function leaves non-blocking under hypotheses
 * about which of its integer parameters are non-zero (fdstate.c:
 * `set_block(fd, on)` leaves fd non-blocking when `on` is not 0): nb[a] for
 * assignment a (bit j of a: parameter iparams[j] is not 0); niparams 0: none. */
typedef struct {
    int iparams[3];
    unsigned char niparams;
    unsigned nb[8];
} tl_fd_params_if;

typedef struct {
    tl_call_facts *calls;    /* indexed by call id, ncalls entries */
    int ncalls;
    tl_context_info context;
    tl_block_summary blocks;
    tl_block_summary blocks_when_ready; /* the same, not counting fd I/O on what it was handed
                                           (readiness callbacks' helpers: param_values.h) */
    unsigned stable_params;  /* parameters never assigned, address never taken (param_guards.h) */
    bool exempt;             /* config says: do not report in this function */
    bool constprop_incomplete; /* constant propagation hit the solver's limit: argument
                                  values and reachability may be incomplete */
    unsigned returns_fd_state; /* TL_FDS_NONBLOCKING: every return gives a descriptor
                                  known non-blocking (fdstate.c) */
    unsigned params_nonblocking; /* bit k: scalar parameter k (< 32), never assigned, is a
                                    descriptor known non-blocking at every return that
                                    does not give a negative constant (fdstate.c:
                                    `set_nonblocking(fd)`) */
    unsigned params_moded;       /* bit k: scalar parameter k (< 32) is handed to a call that
                                    changes a descriptor's mode, and is not in
                                    params_nonblocking (`set_blocking(fd)`) */
    tl_fd_returns_if returns_if; /* what every return gives under flag hypotheses */
    tl_fd_params_if params_if;   /* params_nonblocking under non-zero hypotheses */
    char *returns_via;           /* every return gives a descriptor non-blocking if this
                                    pseudo-slot holds (a helper of another file:
                                    dataflow/fdstate_later.c), or NULL; owned */
} tl_func_facts;

struct tl_program;

typedef struct tl_analysis {
    const tl_tu *tu;
    const tl_model_set *models;
    tl_profile profile;
    tl_func_facts *funcs;    /* tu->nfuncs entries */
    /* the whole program's facts (analyzer/program/), or NULL in a per-TU run */
    const struct tl_program *program;
    /* roles declared in the source (tu->annots): name -> index, and the call
       model each entry stands for (NULL when it has no call role) */
    tl_str_map annot_index;
    tl_fn_model **annot_models;
    /* origins of the descriptors file-local variables hold, by USR
       (fd_origin.h: TL_FDO_* bits) */
    tl_str_map fd_globals;
    /* what the TU stores into global descriptor slots (fdstate.h), for the
       program's summaries */
    struct tl_slot_stores_s *slot_stores;
} tl_analysis;

int tl_analysis_run(const tl_tu *tu, const tl_model_set *models, tl_profile profile,
                    tl_analysis *out);
/* The same, with the program's facts: calls of program functions get their
 * derived models (deadline parameters, handles borrowed or released,
 * callbacks registered through wrappers, returned handles), and functions
 * registered in other files get their contexts. */
int tl_analysis_run_program(const tl_tu *tu, const tl_model_set *models, tl_profile profile,
                            const struct tl_program *program, tl_analysis *out);
/* Keep the constant propagation's results in the IR (tl_func.call_values)
 * so that a later run over the same IR (phase 2) does not propagate again:
 * the values do not depend on models or on the program. */
void tl_analysis_keep_values(const tl_analysis *a, tl_tu *tu);
/* The program-wide identity a call goes to: its callee's USR, or for a call
 * through a field or a global pointer that slot's USR (*is_slot set). */
const char *tl_call_target_usr(const tl_func *f, const tl_call *c, bool *is_slot);
void tl_analysis_free(tl_analysis *a);
/* Per function of the TU (a malloc'd array of nfuncs flags): does it never
 * return - no return reachable from its entry, paths ending at noreturn
 * calls (the front end's TL_T_NORETURN blocks), at calls of TU functions
 * that never return, and, with a program, at calls of program functions
 * whose summary says they never return (one level across files)? */
bool *tl_analysis_never_returns(const tl_analysis *a);
/* A yes/no fact of every function of the TU decided callees first (a
 * malloc'd array of nfuncs flags): decide(a, st, fi) sees in st[] the
 * TL_CF_* state of the TU functions, TL_CF_BUSY for those on the call stack
 * (recursion).  Shared by never_returns and self_releases. */
enum { TL_CF_UNKNOWN = 0, TL_CF_BUSY, TL_CF_NO, TL_CF_YES };
typedef bool (*tl_callees_first_fn)(const tl_analysis *a, const unsigned char *st, int fi);
bool *tl_analysis_callees_first(const tl_analysis *a, tl_callees_first_fn decide);
/* Does the call end the path (a TU or program function that never
 * returns, given the flags above)? */
bool tl_call_never_returns(const tl_analysis *a, const bool *never, const tl_call *c);
/* Per function of the TU (a malloc'd array of nfuncs flags): does it release
 * its own task's handle on every path (`pthread_detach(pthread_self())`,
 * directly or through a function of the TU that does)?  self_release.c */
bool *tl_analysis_self_releases(const tl_analysis *a);
/* The TL_ROLE_* bits the source declares for function `name` (tu->annots). */
unsigned tl_analysis_roles(const tl_analysis *a, const char *name);

/* Evaluate an expression under a constant environment (values per variable,
 * nvars entries) - also used by unit tests and by rules on branch conditions. */
tl_cval tl_eval_expr(const tl_expr *e, const tl_cval *env, int nvars);

/* Is the call blocking given its argument values (model conditions) and
 * its descriptor's state?  With fd_ready, descriptor I/O (blocking.fd_io)
 * on a descriptor the function was handed does not count (a function
 * reached from a readiness callback with the ready descriptor; its own
 * sockets and pipes still block: param_values.h). */
bool tl_call_is_blocking(const tl_call_facts *cf);
bool tl_call_blocks_in(const tl_call_facts *cf, bool fd_ready);
/* The blocking summary that applies in a context. */
const tl_block_summary *tl_func_blocking(const tl_func_facts *ff, bool fd_ready);
/* Is the wait forever given its argument values?  Sets *kind to the wait's
 * effective kind. */
bool tl_call_waits_forever(const tl_call_facts *cf, tl_wait_kind *kind);
/* Is v one of a facet's `forever` values (negative, an integer, null)? */
bool tl_value_is_forever(const tl_forever *forever, int n, const tl_cval *v);
/* Does the registration call cf start its callbacks on a ready descriptor
 * (callback.readiness, and no negative constant in callback.fd_arg: a timer)? */
bool tl_call_registers_readiness(const tl_call_facts *cf);
/* Does the call leave the caller's file-scope and static variables as they
 * were: a system function (no code of the program runs in it: no callback
 * handed to it) whose model says nothing of spawning, waiting, locking,
 * releasing, yielding or `synchronizes` (an event loop's run, a lock)?
 * For branch facts on such variables (branch_facts.h). */
bool tl_call_keeps_globals(const tl_func *f, const tl_call_facts *cf);
/* Is the expression a string literal spelling a numeric IPv4 or IPv6 address? */
bool tl_expr_is_numeric_address(const tl_expr *e);
/* Does the value meet the condition (a constant integer, or a null pointer
 * for 0, among w's values)?  For release_all's `when`. */
bool tl_arg_value_in(const tl_arg_values *w, const tl_cval *v);

#endif
