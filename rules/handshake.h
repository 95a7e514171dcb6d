/* handshake.h - a semaphore wait that a spawned thread answers for sure.
 *
 * missing-timeout reports a wait on a semaphore initialised to 0 (a start-up
 * handshake) as a wait on another task that may never post.  It cannot hang
 * on that task when, on every path from the function's entry to the wait, a
 * spawn succeeded (the path took an edge where its result means success, or
 * the model says it cannot fail) whose thread entry posts the waited object
 * on every path that returns (dataflow/must_post.h, read from the linked
 * program): the object was handed to it (the spawn's `data_arg` is the
 * wait's object expression, `&sem`) or is a global it posts.  A spawn in a
 * loop counts for the code after the loop (`for (i..n) create(...)` then
 * `for (i..n) sem_wait(...)`): edges leaving the loop are cut too.
 *
 * Per spawn that hands over such an object, one search of the CFG from the
 * entry with its success edges cut gives the blocks a path reaches without
 * that success; the answers are cached per function for its waits (at most
 * TL_HS_MAX_SPAWNS spawns: beyond, the wait stays reported).  Linear.
 */
#ifndef TL_HANDSHAKE_H
#define TL_HANDSHAKE_H

#include "../analyzer/dataflow/analysis.h"

#define TL_HS_MAX_SPAWNS 8

typedef struct {
    int fi;                         /* the function cached, -1 none */
    int nspawns;
    int spawn[TL_HS_MAX_SPAWNS];    /* call ids */
    bool *unanswered[TL_HS_MAX_SPAWNS]; /* per block: reached without that spawn's success */
    int *holds;                     /* per variable: the call whose result it holds, -1 */
} tl_handshake_cache;

void tl_handshake_init(tl_handshake_cache *c);
void tl_handshake_free(tl_handshake_cache *c);

/* The spawn call that answers the counter wait `wait` of function fi
 * (whose waited object is argument object_arg), or NULL. */
const tl_instr *tl_handshake_answered(tl_handshake_cache *c, const tl_analysis *a, int fi,
                                      const tl_call_facts *wait, int object_arg);

#endif
