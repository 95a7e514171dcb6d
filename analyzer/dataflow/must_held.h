/* must_held.h - the mutexes a function holds on every path to a point.
 *
 * A call with a `lock` facet (pthread_mutex_lock, mtx_lock, uv_mutex_lock,
 * g_mutex_lock) takes the mutex its argument names, one with an `unlock`
 * facet releases it.  A mutex is named by the variable its argument spells:
 * `&m` (a global or local mutex), `p` (a pointer variable) or `&p->f` (a
 * field reached through a pointer variable, by the field's USR); at most
 * TL_MH_MAX of them per function are followed, in order of first lock.
 * A condition wait (a wait facet's `lock_arg`) releases its mutex and takes
 * it again before it returns: held afterwards, but released for a while
 * (TL_MH_WAIT).  Any other call handed the mutex may release it (a helper
 * that unlocks, pthread_cond_timedwait): it counts as an unlock, and so
 * does a call handed the pointer a field mutex is reached through
 * (`helper(ctx)` for `&ctx->lock`).  Calls not handed the mutex are assumed
 * to leave it as it was.
 *
 * A forward must-analysis (intersection at joins) of one bit per mutex over
 * the CFG on a worklist: a block's set only shrinks, so the cost is linear
 * in the CFG times TL_MH_MAX bits, plus sorting the function's lock calls.
 * Used by must_post.c (an entry that signals a condition while holding a
 * mutex) and rules/handshake.c (a waiter that holds the mutex from before
 * a spawn to its condition wait: the start-up lock dance).
 */
#ifndef TL_MUST_HELD_H
#define TL_MUST_HELD_H

#include "analysis.h"

#define TL_MH_MAX 32

typedef enum { TL_MH_LOCK, TL_MH_UNLOCK, TL_MH_WAIT } tl_mh_kind;

typedef struct {
    int block, index;   /* the call's position */
    int bit;            /* the mutex */
    tl_mh_kind kind;    /* takes it, releases it (or may), releases it while waiting */
} tl_mh_event;

/* A mutex's name: `key` names the variable (2*var+1 for `&var`, 2*var for
 * `var`), `field` the field's USR when the mutex is `&var->field` (key is
 * then 2*var), else NULL. */
typedef struct {
    int key;
    const char *field;
} tl_mutex_name;

typedef struct {
    int nmutex;
    tl_mutex_name name[TL_MH_MAX];
    unsigned *in;           /* per block: mutexes held at its start on every path */
    tl_mh_event *events;    /* lock/unlock calls sorted by position */
    int nevents;
    int *first;             /* per block: its first event, nblocks+1 entries */
} tl_must_held;

/* The name of the mutex an argument spells; key -1 for anything else (a
 * field of a record, an array element, a call...). */
tl_mutex_name tl_mutex_name_of(const tl_func *f, const tl_expr *e);
/* The mutex bit of a name, -1 when the function never locks it. */
int tl_must_held_bit(const tl_must_held *h, tl_mutex_name n);

void tl_must_held_compute(const tl_analysis *a, int fi, tl_must_held *out);
/* The mutexes held on every path just before instruction `index` of block b. */
unsigned tl_must_held_at(const tl_must_held *h, int b, int index);
void tl_must_held_free(tl_must_held *h);

#endif
