/* program.h - the whole program, linked from per-TU summaries.
 *
 * Phase 2 of a whole-program run.  tl_program_link() joins the summaries of
 * every TU (analyzer/summary/) into one program: a call graph whose calls
 * through a struct field or a global function pointer go to every function
 * whose address is stored into that field or global anywhere in the program
 * (a documented over-approximation, capped), and whose calls through a
 * parameter go to every function its callers pass there.  Over that graph it
 * computes, each to a fixpoint with worklists (linear in the graph):
 *   - async contexts: callbacks registered in another file, through a
 *     project's wrapper around a registration function, or through a field;
 *   - blocking: whether a function may block, with the chain of calls to
 *     the blocking call, across files;
 *   - ownership: what each function does with a handle passed to it
 *     (releases it, keeps it, or only borrows it), through calls;
 *   - deadlines: which parameters reach the timeout of a wait;
 *   - handles a function returns after spawning them;
 *   - handle slots (globals, struct fields) spawned into and never released
 *     anywhere in the program.
 * Rules read these facts through the small interface below; the facts about
 * user functions also come as derived models (the same tl_fn_model facets
 * the library models use), so the per-function dataflow applies them to
 * calls of program functions as it applies library models.
 */
#ifndef TL_PROGRAM_H
#define TL_PROGRAM_H

#include <stdbool.h>

#include "../model/model.h"
#include "../summary/summary.h"

typedef struct tl_program tl_program;

/* How a function of the program runs, decided program-wide. */
typedef struct {
    tl_context_kind kind;
    bool readiness;
    const char *library;  /* library of the registering model */
    const char *via;      /* model function that registered it */
    const char *wrapper;  /* the project's function that called it, or NULL */
    const char *in_func;  /* function containing the registration */
    tl_loc loc;           /* where it was registered */
} tl_prog_context;

/* One step of a blocking chain or of a deadline's way to its wait. */
typedef struct {
    tl_loc loc;           /* the call */
    const char *caller;   /* function making the call */
    const char *callee;   /* what it calls, as spelled */
    const char *field;    /* the call went through this field or pointer, or NULL */
    bool final;           /* the blocking call (or the wait) itself */
    bool fd_file;         /* final: descriptor I/O on a file opened by path */
} tl_chain_step;

typedef struct {
    int functions;        /* distinct functions linked */
    int duplicates;       /* definitions seen again (header functions) */
    int indirect_calls;   /* calls through fields, globals or parameters */
    int resolved_indirect;/* ... that resolved to at least one function */
    int capped;           /* indirect calls whose targets were cut at the cap */
    int programs;         /* TUs defining an external main (executables) */
    int multi_defined;    /* external functions defined in several files */
} tl_program_stats;

/* Link the summaries.  `models` are the library models (spawn facets of
 * helpers that return a handle copy theirs).  The program points into the
 * summaries and the models: they must outlive it.  The order of `units`
 * does not matter (they are linked in a canonical order).  Never fails. */
tl_program *tl_program_link(tl_tu_summary *const *units, int nunits, const tl_model_set *models);
void tl_program_free(tl_program *p);
/* Whether the linked TUs are the whole program (a compile database's every
 * entry, a directory, a multi-file fixture), not a few files of it: only
 * then can "no function releases this slot" be said.  Default false. */
void tl_program_set_whole(tl_program *p, bool whole);
const tl_program_stats *tl_program_stats_of(const tl_program *p);
/* Answer the queries below for the TU whose summary's main file this is
 * (NULL: none): in a run that builds several executables, a function or a
 * global several of them define means that TU's program's own
 * (prog_units.c). */
void tl_program_set_unit(tl_program *p, const char *main_file);

/* Does every store of the program into the global descriptor slot `key`
 * ("g:USR", dataflow/fdstate_slots.c) store a non-blocking descriptor?  A
 * non-static global only when the program is whole (fd_slots.c). */
bool tl_program_fd_slot_nonblocking(const tl_program *p, const char *key);
/* What a function of the program (by USR) does to the scalar descriptors it
 * is handed: bit k of *nonblocking, argument k is non-blocking after every
 * return that is no error; of *moded, its mode may change otherwise
 * (summary.h).  False (both 0) when the program has no such function. */
bool tl_program_param_modes(const tl_program *p, const char *fn_usr, unsigned *nonblocking, unsigned *moded);
/* The same under hypotheses on its integer parameters (summary.h): what it
 * leaves non-blocking when some are non-zero (*params_if) and whether its
 * results are non-blocking when some have a flag bit (*returns_if); the
 * caller resolves them with its arguments.  NULL when none. */
void tl_program_conditional(const tl_program *p, const char *fn_usr, const tl_fd_params_if **params_if,
                            const tl_fd_returns_if **returns_if);

/* The context a function (by USR) runs in, or NULL when none. */
const tl_prog_context *tl_program_context(const tl_program *p, const char *fn_usr);

/* Whether a function (by USR) runs only as a coroutine that its owners end
 * by cancelling: every spawn of it is cancel-bounded (rules/cancel_bound.h),
 * it has no other registration and no caller, and it is static or the
 * program is whole.  Its forever waits end when the owner releases it. */
bool tl_program_cancel_bounded(const tl_program *p, const char *fn_usr);
/* The parameters (bit k) of program function fn_usr that start as fresh
 * connections nothing was written to: every launch of it hands one over
 * there (the summaries' fresh_args) and nothing else runs it (as for
 * tl_program_cancel_bounded); 0 when none (dataflow/send_budget.h). */
unsigned tl_program_fresh_params(const tl_program *p, const char *fn_usr);
/* Is the return of program function fn_usr the process's exit: main(), or
 * a function every caller of which returns its result at once from such a
 * function (program/exit_returns.c)? */
bool tl_program_returns_exit(const tl_program *p, const char *fn_usr);
/* Does program function fn_usr only ever run inside a loop of a caller:
 * called only from calls on a cycle of their caller's CFG, or from
 * functions that are looped in turn (program/loop_callers.c)? */
bool tl_program_looped(const tl_program *p, const char *fn_usr);
/* The parameters (bit k) of coroutine fn_usr a sink serves: every launch
 * of it hands over there a variable its launcher, before that on every
 * path, handed to a task receiving it in a loop nothing leaves (the
 * summaries' sink_params and reg shares; program/sinks.c); 0 when none. */
unsigned tl_program_served_params(const tl_program *p, const char *fn_usr);
/* The stop parameters of a function of the program (dataflow/stop_params.h:
 * its channel end there, once the other end is done, leaves it nothing to
 * wait for); 0 when not known. */
unsigned tl_program_stop_params(const tl_program *p, const char *fn_usr);

/* Whether a function (by USR) - or, with `is_slot`, any function stored in a
 * field/global slot - may block; with ready, descriptor I/O does not count. */
bool tl_program_blocks(const tl_program *p, const char *usr, bool is_slot, bool ready);
/* The same for a call whose arguments have the values argv (nargs of them):
 * false also when they contradict what every blocking call of the function
 * needs of its parameters (dataflow/param_guards.h; `recv_msg(c, 0)`). */
bool tl_program_blocks_at(const tl_program *p, const char *usr, bool is_slot, bool ready, const tl_cval *argv,
                          int nargs);
/* The chain from that function (or slot) to its blocking call: fills up to
 * max steps, returns how many. */
int tl_program_chain(const tl_program *p, const char *usr, bool is_slot, bool ready, tl_chain_step *out,
                     int max);
/* The same for a call whose arguments have the values argv (nargs of them):
 * each step names a call the constants passed to it do not rule out, where
 * the summary's first choice is ruled out (dataflow/param_guards.h). */
int tl_program_chain_at(const tl_program *p, const char *usr, bool is_slot, bool ready, const tl_cval *argv,
                        int nargs, tl_chain_step *out, int max);

/* Derived facets for a program function (or, with is_slot, for a call
 * through a field/global slot): callback registration through a wrapper,
 * a deadline parameter, release or borrow of handle parameters, a returned
 * handle.  NULL when there is nothing to say. */
const tl_fn_model *tl_program_model(const tl_program *p, const char *usr, bool is_slot);
/* What the function (by USR) awaits through its parameter `param`: 1 the
 * work of the object the parameter is (or points to), 2 the work of an
 * object reached through it (`td->ring`), 0 neither; also through the
 * functions it passes the parameter on to.  A thread entry's summary, for
 * unawaited-task: the join of a thread that reaps a ring counts as reaping. */
int tl_program_param_awaits(const tl_program *p, const char *usr, int param);
/* Whether the function awaits the work of the global (by USR) itself. */
bool tl_program_awaits_global(const tl_program *p, const char *usr, const char *global_usr);
/* Whether the function (by USR) posts what its parameter `param` points to,
 * or the global (by USR), on every path that returns (TL_PE_POST,
 * post_globals: dataflow/must_post.h): a thread entry that answers its
 * spawner's semaphore handshake whatever happens (missing-timeout). */
bool tl_program_param_posts(const tl_program *p, const char *usr, int param);
bool tl_program_posts_global(const tl_program *p, const char *usr, const char *global_usr);
/* Whether the function (by USR) signals the condition while holding the
 * mutex on every path that returns (the summary's locked posts): with param
 * -1 both are globals (by USR), else both are fields (by USR) of what its
 * parameter `param` points to.  A thread entry answering the start-up lock
 * dance. */
bool tl_program_posts_locked(const tl_program *p, const char *usr, int param, const char *object_usr,
                             const char *mutex_usr);
/* Whether the program defines the function (it has a summary): with no
 * derived model, it does nothing modelled with its parameters. */
bool tl_program_defines(const tl_program *p, const char *usr);
/* Whether some function of the program calls function usr in a loop that
 * runs until stopped (tl_sum_call.in_unbounded_loop, rules/event_loop.h). */
bool tl_program_called_in_loop(const tl_program *p, const char *usr);
/* Where a deadline parameter of a function (or slot) ends in a wait. */
int tl_program_deadline_chain(const tl_program *p, const char *usr, bool is_slot, tl_chain_step *out, int max);

/* Handle slots (a global, a struct field) that some function spawns into and
 * no function of the program releases, not even through a helper it hands
 * the slot to: fn is called once per spawn site.  Nothing unless the
 * program is whole. */
typedef struct {
    const char *slot;     /* the global's or field's name */
    const char *function; /* the function that spawns */
    tl_loc loc;           /* the spawn */
    const char *task;     /* "thread" */
    const char *library;
} tl_orphan_slot;
typedef void (*tl_orphan_slot_fn)(void *ctx, const tl_orphan_slot *s);
void tl_program_orphan_slots(const tl_program *p, tl_orphan_slot_fn fn, void *ctx);
/* Does some function of the program make a release_all call (model facet,
 * its `when` conditions met by constant arguments) for this task noun -
 * wait(), waitpid(-1, ...), signal(SIGCHLD, SIG_IGN) for "child process"? */
bool tl_program_releases_all(const tl_program *p, const char *task);
/* Does the program function (by USR) store its task's own handle (a
 * self_handle result: getpid() for "child process") into a global or field
 * that some call of the program releases - itself, or through the functions
 * it calls directly?  A fork whose child calls it publishes the child's pid
 * for the program to reap (rules/self_publish.c). */
bool tl_program_publishes_self(const tl_program *p, const char *usr, const char *task);
/* Does some call of the program release the global or field (by USR)? */
bool tl_program_slot_released(const tl_program *p, const char *slot_usr);
/* Does the program function (by USR) never return, by its summary? */
bool tl_program_never_returns(const tl_program *p, const char *fn_usr);
/* Does function fn_usr release its own task's handle on every path (a
 * thread entry that detaches itself; tl_func_summary.self_releases)? */
bool tl_program_self_releases(const tl_program *p, const char *fn_usr);

#endif
