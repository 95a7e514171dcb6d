/* inflight.h - the operations prepared and in flight on an object (an
 * io_uring ring), per function, for missing-timeout and unawaited-task.
 *
 * A forward dataflow (sparse: only the objects with work are stored) over
 * one function follows, per object variable, what the models say happens
 * to it: a `part_of` call hands out a part of the object (an sqe of a ring),
 * a `prepare` call on such a part prepares one operation of a kind (may wait
 * on a peer / always completes / read-write whose kind depends on the
 * descriptor's origin, `descriptor` facets), a `start` call starts what was
 * prepared, an `await` reaps `count` completions (all when unsaid) and a
 * `teardown` ends the object; once everything started was reaped, a later
 * wait finds completions already there (the kinds become "complete").
 * Counts are kept while they are constants (a join of two different
 * counts, a loop, an unknown argument make them "many").  An object the function did not create (a parameter, a global,
 * the target of a pointer) or handed to a function nobody models starts
 * with operations from "outside" (an object the function prepares
 * operations on anywhere does not start so: the function manages its work,
 * and what its callers started they reap themselves).
 *
 * Requests are followed one by one as well (inflight_requests.c): flags set
 * on a prepared part (`request_flags`: a request that skips its completion
 * on success is not counted; a linked one chains the next), linked
 * timeouts, and how many requests in flight surely complete on their own
 * (a wait for no more than those is bounded).
 *
 * The result, per call: the state of the call's object just before it; per
 * branch edge: the start call whose failure the edge implies (`ret < 0`
 * after `ret = io_uring_submit(&ring)`, or `ret != N` with N operations
 * prepared), on which the work is not in flight.  No library name here.
 */
#ifndef TL_RULES_INFLIGHT_H
#define TL_RULES_INFLIGHT_H

#include <stdbool.h>

#include "../analyzer/dataflow/analysis.h"

/* Kinds of the operations prepared or in flight on an object. */
enum {
    TL_IF_PEER = 1,     /* some may wait on a peer for ever */
    TL_IF_COMPLETE = 2, /* some always complete */
    TL_IF_OUTSIDE = 4,  /* unknown ones, from outside the function */
    TL_IF_SKIPPED = 8,  /* some post no completion when they succeed (request_flags
                           skip_success): they are not counted in prepared/inflight */
    TL_IF_MULTISHOT = 16, /* a multishot request that may wait on a peer is armed: one
                           reap does not end it, it stays a peer request (until a
                           cancel or the teardown) */
    TL_IF_IMMEDIATE = 32 /* some completed while they were submitted (prepare op
                           `immediate`), or were all reaped: a kind of TL_IF_COMPLETE
                           that leaves nothing in flight */
};
/* Whether every operation of these kinds always completes (TL_IF_SKIPPED
 * aside), and whether every one of them completed when it was submitted. */
#define TL_IF_ALL_COMPLETE(k) \
    (((k) & ~(unsigned)(TL_IF_SKIPPED | TL_IF_COMPLETE | TL_IF_IMMEDIATE)) == 0 && \
     ((k) & (TL_IF_COMPLETE | TL_IF_IMMEDIATE)))
#define TL_IF_ALL_IMMEDIATE(k) (((k) & ~(unsigned)TL_IF_SKIPPED) == TL_IF_IMMEDIATE)
#define TL_IF_MANY 255 /* a count that is not a known constant */

typedef struct {
    bool known;       /* the call was reached and its object is followed */
    unsigned kinds;   /* TL_IF_* */
    int prepared;     /* prepared, not started: 0..254 or TL_IF_MANY */
    int inflight;     /* started, not reaped: 0..254 or TL_IF_MANY */
    int peer_prep;    /* a prepare call of a peer operation on the object, or -1 */
    int ready;        /* completions known to wait in the ring (a `keeps` await
                         succeeded and nothing consumed them since), 0..254 */
    int bounded;      /* of the prepared and in-flight requests, how many surely post
                         a completion on their own (a timeout, a no-op, a peer request
                         bounded by a linked timeout; not one chained after a request
                         that may wait): a lower bound, 0..254 */
    int comp_prep;    /* a prepare call of such a request on the object, or -1 */
} tl_inflight_at;

typedef struct {
    int fi;                 /* the function, -1 when nothing was computed */
    int ncalls, nblocks;
    tl_inflight_at *before; /* per call id with a start/await/teardown facet */
    int *failed_edge;       /* per block * 2 + successor: the start call that failed, or -1 */
    bool incomplete;        /* the dataflow hit its budget */
} tl_inflight;

/* Compute for function fi of a.  Cheap (nothing allocated but the result)
 * when the function has no part_of/prepare/start call. */
void tl_inflight_compute(const tl_analysis *a, int fi, tl_inflight *out);
void tl_inflight_free(tl_inflight *r);

/* Per variable of function fi (kinds: f->nvars entries, zeroed by the
 * caller): the TL_IF_* kinds of the operations the function prepares on the
 * object the variable holds, wherever in the function (the summary's "a
 * helper prepares a receive on its parameter"); TL_IF_OUTSIDE for
 * operations of unknown kinds.  Read/write on a parameter descriptor the
 * function knows nothing about is not counted in kinds: fd_param (f->nvars
 * entries, set to -1 by the caller) gets that parameter's variable, -2 when
 * there are several - the caller's descriptor decides. */
void tl_inflight_prepared_kinds(const tl_analysis *a, int fi, unsigned *kinds, int *fd_param);

/* The state before call `call`, or NULL when nothing is known there. */
const tl_inflight_at *tl_inflight_before(const tl_inflight *r, int call);
/* The start call whose failure edge b -> succ[s] implies, or -1. */
int tl_inflight_failed_start(const tl_inflight *r, int b, int s);

#endif
