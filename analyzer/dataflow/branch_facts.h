/* branch_facts.h - which branch conditions of a function are correlated.
 *
 * Two branches that test the same local variable or parameter, with no
 * write to it in between, take the same direction:
 *
 *     if (do_connect) pthread_create(&t, ...);
 *     ...
 *     if (do_connect) pthread_join(t, NULL);
 *
 * or under the same test of a mode against a constant (`mode == FORKED`
 * ... `mode != FORKED`, an enum's value, a term of `&&` / `||`).
 *
 * This module finds, once per function, the tests that can be correlated
 * (a "fact" each: a variable known zero / non-zero, or `v == k` for a
 * non-zero constant k known true / false; a write to v ends all of v's) and, per block,
 * what its branch tells about them and which facts its instructions
 * invalidate.  The dataflow solver (dataflow.c, ops->split_by_facts) keeps
 * a block's states apart by the facts their paths established and drops an
 * edge whose test contradicts them.
 *
 * A fact's variable is an automatic local, parameter or temporary of scalar
 * type whose address is never taken (so no call or store through a pointer
 * can change it) - or a file-scope or static variable of integer or pointer
 * type, not volatile or atomic, whose address the function never takes:
 * `if (use_accept4) fd = accept4(...); else fd = accept(...); ... if
 * (!use_accept4) fcntl(fd, ...)`.  What else may change such a variable
 * ends its facts too: a call the client does not say keeps it (the
 * program's own code, a callback, a lock, a join, a coroutine switch) and a
 * store through a pointer.  A write from another thread with no such call
 * in between would be a data race, which the compiler too assumes away.
 * The same test is made by at least two branches (the
 * tests are numbered through a hash map: linear).  Writes (assignments,
 * increments, re-declarations) end what is known about it.  At most
 * TL_BF_MAX_FACTS facts are followed, the first tested ones.  Everything
 * is computed in one walk of the function plus a backward bit-vector
 * liveness (which facts a later branch may still test), so the cost is
 * linear in the function's size times the 64-bit word.
 */
#ifndef TL_BRANCH_FACTS_H
#define TL_BRANCH_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include "../ir/ir.h"

#define TL_BF_MAX_FACTS 64

typedef struct {
    int nfacts;           /* 0: nothing to correlate */
    int nblocks;
    uint64_t *kill;       /* per block: facts its instructions invalidate */
    uint64_t *live;       /* per block: facts a branch reachable from its entry
                             (before a write) may test */
    /* per block whose branch tests a fact: the fact, and for each of its two
       edges what it establishes */
    signed char *test;    /* fact index, -1 */
    unsigned char *on;    /* bits 0/1: edge s implies non-zero; bits 2/3: zero */
} tl_branch_facts;

/* Compute the facts of f (bf is filled; free with tl_branch_facts_free).
 * keeps_globals(ctx, call), when given, says which calls leave file-scope
 * and static variables as they were (dataflow.h); NULL: none does. */
void tl_branch_facts_compute(const tl_func *f, tl_branch_facts *bf,
                             bool (*keeps_globals)(void *ctx, const tl_instr *call), void *ctx);
/* Along edge b -> succ[s], refine the known non-zero / zero sets; false if
 * the edge contradicts them (no path with these facts takes it). */
bool tl_branch_facts_edge(const tl_branch_facts *bf, int b, int s, uint64_t *nonzero,
                          uint64_t *zero);
void tl_branch_facts_free(tl_branch_facts *bf);

/* The variable a branch condition tests and what each of its two edges
 * implies about it (*on: bit s, edge s implies non-zero; bit 2 + s, edge s
 * implies zero), or -1.  Forms: v, !c, v == k, v != k, k == v, v < 0, v > 0
 * (k a constant or NULL). */
int tl_branch_test(const tl_expr *cond, unsigned *on);

#endif
