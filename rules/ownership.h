/* ownership.h - helpers shared by the handle-lifecycle rules
 * (orphaned-spawn, unawaited-task): per-call model/argument lookups,
 * classification of where a spawned handle lives, spawn-success
 * refinement of branch conditions, and message wording taken from the
 * models (task nouns, release verbs, user-facing callee names).
 *
 * Nothing here names a library: everything comes from the model set.
 */
#ifndef TL_RULES_OWNERSHIP_H
#define TL_RULES_OWNERSHIP_H

#include <stdbool.h>
#include <stddef.h>

#include "../analyzer/dataflow/analysis.h"
#include "../analyzer/report/finding.h"

/* Is f the program's main()?  Returning from it ends the process, as
 * exit() does: threads still running and rings still open end with it, so
 * a handle still owned at its return is not lost (a leak in a loop of it,
 * a handle overwritten, still is). */
bool tl_own_is_program_main(const tl_func *f);

/* Model of call `call_id` in function `fi` (NULL: not modelled / unknown). */
const tl_fn_model *tl_own_model(const tl_analysis *a, int fi, int call_id);

/* Constant value of argument `arg` of the call (kind TL_CV_UNKNOWN when the
 * analysis has none).  Falls back to the literal expression when the
 * analysis gave no argv. */
tl_cval tl_own_arg_value(const tl_analysis *a, int fi, const tl_call *c, int arg);

/* Does e contain TL_E_CALLRES(call_id)? */
bool tl_own_mentions_callres(const tl_expr *e, int call_id);

/* Which call results are used: used[id] (f->ncalls entries) says whether the
 * result of call `id` is stored, returned, passed to a call, tested by a
 * branch, assigned to a user variable, or assigned to a temporary that is
 * itself used, through any chain of temporaries.  (A front end may mark
 * `s->h = f()` as a discarded full expression; this looks at where the value
 * goes.)  One pass over the function. */
void tl_own_results_used(const tl_func *f, bool *used);

/* Is the spawn handed to an owner (owner_arg set and its value is not the
 * model's no_owner_value)?  A non-constant owner counts as an owner. */
bool tl_own_spawn_has_owner(const tl_analysis *a, int fi, const tl_call *c,
                            const tl_fn_model *m);

/* Does the spawn start a detached task through its creation attributes
 * (model spawn.attr_arg naming `&attr`, a `detach_attr` call setting attr to
 * a detached value earlier in the function, none setting another value)?
 * Such a task needs no release.  rules/detach_attr.c. */
typedef struct {
    int fi;               /* the function read, or -1 */
    unsigned char *state; /* per variable: TL_ATTR_SET_* bits */
    tl_loc *first;        /* per variable: earliest detached setting */
} tl_detach_attrs;
enum { TL_ATTR_SET_DETACHED = 1, TL_ATTR_SET_OTHER = 2 };
#define TL_DETACH_ATTRS_INIT {-1, NULL, NULL}
/* d caches the function's setter calls across its spawns (read on first
 * use, re-read for another function); release it with tl_detach_attrs_free. */
bool tl_own_spawn_detached(const tl_analysis *a, int fi, const tl_instr *spawn,
                           const tl_fn_model *m, tl_detach_attrs *d);
void tl_detach_attrs_free(tl_detach_attrs *d);

/* Is every handle of this task noun released wholesale by some call of the
 * program (a model's release_all: wait(), waitpid(-1, ...), SIGCHLD set to
 * SIG_IGN)?  r caches a TU's answer when there is no program (zero it
 * first, free it with tl_released_all_free).  rules/release_all.c. */
typedef struct {
    const char **tasks;
    int n, cap;
    bool collected;
} tl_released_all;
bool tl_own_released_all(const tl_analysis *a, tl_released_all *r, const char *task);
void tl_released_all_free(tl_released_all *r);

/* Does the child of this fork-like spawn (model m, in function fi) publish
 * its own pid where the program reaps from (`td->pid = getpid()`, directly
 * or in a function it calls, with `waitpid(td->pid, ...)` somewhere)?  Then
 * the parent's copy of the pid needs no release.  rules/self_publish.c. */
bool tl_own_child_publishes_self(const tl_analysis *a, int fi, const tl_fn_model *m);
/* Does the spawn's entry function release its own handle on every path (a
 * thread that detaches itself; self_publish.c)? */
bool tl_own_entry_self_releases(const tl_analysis *a, const tl_call *call, const tl_fn_model *m);

/* Where an out-pointer argument (`&t`, `&arr[i]`, `&s.t`, `p`, `&p->t`)
 * points to. */
typedef enum {
    TL_PLACE_NONLOCAL = 0, /* global/static, through a pointer, unknown memory */
    TL_PLACE_SCALAR,       /* a local variable itself: &t */
    TL_PLACE_AGGREGATE     /* an element/field of a local array or record */
} tl_place_kind;

/* Classify the lvalue an out-pointer expression designates; *var gets the
 * root variable for SCALAR/AGGREGATE (else -1). */
tl_place_kind tl_own_out_place(const tl_func *f, const tl_expr *ptr, int *var);
/* Classify an lvalue expression (a store target). */
tl_place_kind tl_own_lvalue_place(const tl_func *f, const tl_expr *lv, int *var);

/* Root variable of an argument naming an object or handle: t, &t, arr[i],
 * *&t, (cast)t, s.f.  -1 when the object is behind a pointer other than a
 * plain variable. */
int tl_own_arg_root(const tl_expr *e);

/* The root variable (tl_own_arg_root) of argument `arg` of a call, or -1
 * when there is no such argument or no variable below nvars. */
int tl_own_call_arg_var(const tl_call *call, int arg, int nvars);

/* Whether a variable is a storage place a handle may live in on this
 * function's stack: automatic locals, temporaries and parameters. */
bool tl_own_var_is_local(const tl_var *v);

/* Given a relation "result OP k" known to hold, is it disjoint from the
 * success set (the spawn failed)? */
bool tl_own_relation_fails(tl_success s, int op, int64_t k);
/* ... is it contained in the success set (the spawn succeeded)? */
bool tl_own_relation_succeeds(tl_success s, int op, int64_t k);
/* Relation codes for tl_own_* condition helpers. */
enum { TL_REL_EQ = 0, TL_REL_NE, TL_REL_LT, TL_REL_LE, TL_REL_GT, TL_REL_GE };
int tl_own_rel_negate(int op);

/* Spawn-success refinement: does block b's branch condition imply, on edge
 * s, that a spawn failed (*outcome = -1) or succeeded (*outcome = +1)?  The
 * condition may test the result directly (TL_E_CALLRES) or a variable for
 * which var_holds(ctx, v) gives the call id whose result it holds (-1:
 * none), bare, under `!`, or compared with a constant (==, !=, <, <=, >, >=,
 * either side), or a switch on the result (`case 0:`; the default edge
 * says nothing).  A variable v with defs[v] set stands for that condition
 * (`ok = pthread_create(...) == 0; ... if (ok)`; defs may be NULL, see
 * tl_own_outcome_defs).  Returns the spawn's call id, or -1 when the edge
 * says nothing about a spawn's outcome. */
typedef int (*tl_own_var_holds_fn)(void *ctx, int var);
/* The relation "result(call) OP k" that holds on edge s of block b (a branch
 * as above, or a switch case on the result); returns the call id, -1 when
 * the edge says nothing about a call's result. */
int tl_own_edge_relation(const tl_block *b, int s, tl_own_var_holds_fn var_holds, void *ctx, int *op,
                         int64_t *k);
int tl_own_edge_spawn_outcome(const tl_analysis *a, int fi, const tl_block *b, int s,
                              tl_own_var_holds_fn var_holds, void *ctx,
                              const tl_expr *const *defs, int *outcome);
/* Per variable of f: the condition on a spawn's result it is assigned, when
 * that is its only assignment in the function and its address is never taken
 * (`int ok = pthread_create(&t, ...) == 0;`), else NULL.  The condition reads
 * the call's result directly (no variable), so it never refers to another
 * definition.  One walk of the function; NULL when there is none (free). */
const tl_expr **tl_own_outcome_defs(const tl_analysis *a, int fi);

/* Block b's branch condition on edge s as a relation on a call's result
 * (same shapes as above): returns the call id, with "result *op *k" known
 * to hold on the edge, or -1. */
int tl_own_edge_relation(const tl_block *b, int s, tl_own_var_holds_fn var_holds, void *ctx,
                         int *op, int64_t *k);

/* User-facing name of the callee, as spelled at the call site: the leading
 * identifier of the call's text when followed by '(' ("go" for
 * "go(worker(1))"), else the callee.  Writes into buf. */
const char *tl_own_user_name(const tl_call *c, char *buf, size_t n);

/* A call of the program's function `func` as a message names it: "func()",
 * or "func() (expanded from M())" when the user wrote it through a macro M
 * of another name (`spelled`, tl_own_user_name at the call: FLUSH(a) for
 * flush_state(a)), so the function named is the one the chain enters and
 * the macro is what the reader finds at the line.  Writes into buf. */
const char *tl_own_call_phrase(const char *spelled, const char *func, char *buf, size_t n);

/* How a message names the call c: "name()" as the user spelled it
 * (`spelled`, or tl_own_user_name when NULL: "chrecv()" inside assert(),
 * "go()" for a go() expansion), except a function of the program (no
 * library model, not in a library's namespace), or a library function
 * through a macro of the project (tl_call.macro_project: redis_fsync() for
 * fdatasync()), written through a macro of another name: "func() (expanded
 * from M())" (tl_own_call_phrase), the
 * function called and the macro the reader finds at the line.  Writes into
 * buf. */
const char *tl_own_call_named(const tl_analysis *a, const tl_call *c, const char *spelled,
                              char *buf, size_t n);

/* Display name of a model function the user did not call here, spelled like
 * the user spells `ref` (a call of the same library): when ref's callee is
 * "<prefix><user name>" (macro alias "hclose" -> "dill_hclose") and `model`
 * starts with that prefix, the prefix is dropped. */
const char *tl_own_peer_name(const tl_call *ref, const char *model, char *buf, size_t n);

/* Past-tense release verbs of a library, joined with "or":
 * "joined or detached", "closed".  Canonical order join, close, destroy,
 * detach, then others.  "released" when the library has none. */
const char *tl_own_release_verbs(const tl_model_set *ms, const char *library,
                                 char *buf, size_t n);
/* Past tense of one release "how" ("join" -> "joined"). */
const char *tl_own_past(const char *how, char *buf, size_t n);

/* The library's preferred await function (a model with an await facet,
 * preferring ones that also wait, then the shortest name); NULL if none. */
const tl_fn_model *tl_own_library_await(const tl_model_set *ms, const char *library);

/* orphaned-spawn's program-wide half (orphaned_spawn_slots.c): handles
 * spawned into globals and struct fields that no function of the program
 * releases.  Needs a->program; does nothing without it. */
void tl_os_check_slots(const tl_analysis *a, tl_findings *out);
/* unawaited-task: generators created and torn down in function fi without
 * ever being resumed (unawaited_generators.c). */
void tl_ut_check_never_resumed(const tl_analysis *a, int fi, tl_findings *out);
/* A fork's child branch that returns into the caller's code
 * (rules/fork_child.c). */
void tl_os_check_fork_children(const tl_analysis *a, tl_findings *out);

#endif
