/* must_post.h - the counting objects a function posts on every path.
 *
 * A call with a `post` facet (sem_post, uv_sem_post) counts a semaphore up.
 * A function must-posts an object when every path from its entry that
 * returns - reaches the exit, or ends in a call that ends only the thread
 * (`noreturn: thread`, pthread_exit) - goes through a post of it, and no path
 * that has not posted yet can loop: a thread entry that posts first thing
 * answers its spawner's handshake however it ends (missing-timeout).  A path
 * ending in exit() or abort() needs no post: the waiter ends with the
 * process.
 *
 * The objects followed are the one a parameter points to (`sem_post(arg)`,
 * `sem_post((sem_t *)arg)` with no assignment to `arg` on a path before it -
 * a forward may-analysis of the parameters assigned, 32 bits per block - or
 * through a local assigned once from a never-assigned parameter) and a
 * file-scope semaphore (`sem_post(&started)`).
 * The summary carries the result (TL_PE_POST, post_globals) to the link
 * phase, where a spawn in another file reads it.
 *
 * A condition's signal (pthread_cond_signal: a `post` facet too) made while
 * the function holds a mutex on every path to it (must_held.h) is a post
 * under that mutex: a file-scope condition signalled under a file-scope
 * mutex on every returning path is a `locked` pair, and so is a field of
 * what a parameter points to signalled under another field of it
 * (`ctx = arg; lock(&ctx->lock); signal(&ctx->cond)`).  A waiter that holds the
 * mutex from before the spawn until its condition wait cannot miss that
 * signal (the start-up lock dance, rules/handshake.h).
 *
 * Cost: one walk of the calls and, per object (at most TL_MP_MAX), one
 * search of the CFG that avoids the object's post blocks; for the locked
 * pairs one must_held analysis and one search per pair: linear.
 */
#ifndef TL_MUST_POST_H
#define TL_MUST_POST_H

#include "analysis.h"

#define TL_MP_MAX 16

typedef struct {
    unsigned params;                 /* bit k: what parameter k points to (k < 32) */
    const char *globals[TL_MP_MAX];  /* file-scope objects, by USR (the IR's strings) */
    int nglobals;
    struct {
        int param;                   /* -1: file-scope object and mutex; else both are fields
                                        of what parameter `param` points to */
        const char *object, *mutex;  /* USRs (globals' or fields'): signalled holding the mutex */
    } locked[TL_MP_MAX];
    int nlocked;
} tl_must_posts;

/* What function fi of the analysed TU must-posts. */
void tl_must_posts_compute(const tl_analysis *a, int fi, tl_must_posts *out);

#endif
