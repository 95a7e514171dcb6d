/* handshake.h - a semaphore wait that a spawned thread answers for sure.
 *
 * missing-timeout reports a wait on a semaphore initialised to 0 (a start-up
 * handshake) as a wait on another task that may never post.  It cannot hang
 * on that task when, on every path from the function's entry to the wait, a
 * spawn succeeded (the path took an edge where its result means success, or
 * the model says it cannot fail - a result variable assigned more than once
 * counts in the block that assigns it, `if ((ret = create(...)) != 0)`)
 * whose thread entry posts the waited object
 * on every path that returns (dataflow/must_post.h, read from the linked
 * program): the object was handed to it (the spawn's `data_arg` is the
 * wait's object expression, `&sem`) or is a global it posts.  A spawn in a
 * loop counts for the code after the loop (`for (i..n) create(...)` then
 * `for (i..n) sem_wait(...)`): edges leaving the loop are cut too.
 *
 * One post answers one wait: a spawn outside any loop answers a wait outside
 * any loop, and only when no other wait on the object can follow the spawn
 * (`create(worker, &s); sem_wait(&s); sem_wait(&s);` - the second hangs);
 * a spawn in a loop answers waits after it, in a loop or not (as many
 * threads as waits is assumed: libuv's pool), and a wait in its own loop.
 *
 * A condition wait (`pthread_cond_wait(&c, &m)`: the model's lock_arg) is
 * answered the same way - the start-up lock dance - when c and m are
 * file-scope (or both fields of what a parameter of the waiter never
 * assigned points to, `&ctx->cond` and `&ctx->lock`, and the spawn hands
 * that parameter over as its data) and the entry signals c while holding m
 * on every path that returns (dataflow/must_post.h's locked pairs), and the waiter holds m on
 * every path to the spawn (dataflow/must_held.h) and no path from the spawn
 * to the wait hands m to a call that may release it (an unlock, a helper,
 * another condition wait): the entry cannot take m, hence signal, before
 * the wait has released it.  One more search of the CFG per such spawn
 * (cached like the others), and the must_held analysis once per function.
 *
 * Per spawn that hands over such an object, one search of the CFG from the
 * entry with its success edges cut gives the blocks a path reaches without
 * that success; the answers are cached per function for its waits (at most
 * TL_HS_MAX_SPAWNS spawns: beyond, the wait stays reported).  A wait looks
 * at no more than TL_HS_MAX_SPAWNS spawns handing over its object and as
 * many for a global, found through an index of the function's spawns built
 * once.  Linear.
 */
#ifndef TL_HANDSHAKE_H
#define TL_HANDSHAKE_H

#include "../analyzer/dataflow/analysis.h"
#include "../analyzer/dataflow/must_held.h"

#define TL_HS_MAX_SPAWNS 8

typedef struct {
    int fi;                         /* the function cached, -1 none */
    int nspawns;
    int spawn[TL_HS_MAX_SPAWNS];    /* call ids */
    bool *unanswered[TL_HS_MAX_SPAWNS]; /* per block: reached without that spawn's success */
    int *holds;                     /* per variable: the call whose result it holds, -1 */
    const tl_block *branch;         /* the branch block being read (var_holds), or NULL */
    /* the function's spawns with a known entry, once: chained per variable
       their data_arg names (by_var, next), and all in order (all, nall) */
    int *by_var, *next, *all, nall;
    /* the waits on each variable's object, chained (wait_by_var, wait_next) */
    int *wait_by_var, *wait_next;
    int *fwait_by_var;              /* ... and on a field of what each points to (`&ctx->cond`) */
    bool *assigned;                 /* per variable: assigned somewhere in the function */
    int *comp;                      /* the CFG's loops (tl_cycle_components), on first use */
    bool *after[TL_HS_MAX_SPAWNS];  /* per block: reachable from that spawn's block */
    unsigned char *released[TL_HS_MAX_SPAWNS]; /* per block: 2 when reached from that spawn
                                                 after a call that may release mutex released_bit */
    int released_bit[TL_HS_MAX_SPAWNS];
    tl_must_held held;              /* the function's mutexes, on first lock dance */
    bool held_done;
} tl_handshake_cache;

void tl_handshake_init(tl_handshake_cache *c);
void tl_handshake_free(tl_handshake_cache *c);

/* The spawn call that answers the counter wait `wait` of function fi
 * (whose waited object is argument object_arg), or NULL.  With lock_arg >= 0
 * the wait is a condition wait releasing that argument's mutex: the lock
 * dance. */
const tl_instr *tl_handshake_answered(tl_handshake_cache *c, const tl_analysis *a, int fi,
                                      const tl_call_facts *wait, int object_arg, int lock_arg);

#endif
