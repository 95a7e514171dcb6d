/* liveness.h - the variables live on entry to each block, for a chosen
 * subset of a function's variables.
 *
 * A variable is live at a point when some path from there reads it before it
 * is assigned or declared again.  Here a read is a mention in an assigned
 * or stored value or a store's target (`c->fds[0] = sv[0]`: c and sv), a
 * call argument (what constant propagation evaluates) or a returned value
 * (what the descriptor-state summary reads, fdstate.c), and a
 * definition is an assignment or a declaration of the variable.  Constant
 * propagation keeps only live variables in its per-block states: a value
 * nobody reads again cannot change any result, and dropping it keeps the
 * states as small as the set of values still in flight instead of every
 * local of the function.
 *
 * Computed one variable at a time, by a backward walk from its reads that
 * stops at its definitions (twice: to count, then to fill): the cost is the
 * size of the function plus the size of the result.  No blocks x variables
 * matrix is ever built.
 */
#ifndef TL_LIVENESS_H
#define TL_LIVENESS_H

#include <stdbool.h>
#include "../ir/ir.h"

typedef struct {
    int nblocks;
    int *start; /* nblocks + 1 offsets into vars */
    int *vars;  /* live-in variables of block b, ascending: vars[start[b] .. start[b+1]) */
} tl_liveness;

/* Liveness of the variables v with tracked[v] (tracked has f->nvars entries).
 * Gives up (returns false, out empty) when the lists would hold more than
 * max_entries variables in all: deeply nested loops keep every outer counter
 * live in every inner block.  With cond_reads, a block's branch condition
 * reads too (after the block's instructions: the descriptor-state analysis
 * decides branches on flag bits and status flags, fdstate.c). */
bool tl_liveness_compute(const tl_func *f, const bool *tracked, long max_entries, bool cond_reads, tl_liveness *out);
/* Is v live on entry to block b?  (binary search) */
bool tl_liveness_has(const tl_liveness *l, int b, int v);
void tl_liveness_free(tl_liveness *l);

#endif
