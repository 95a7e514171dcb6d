/* cycles.h - which blocks of a function's CFG lie on a cycle.
 *
 * A block is on a cycle when it has a self edge or belongs to a strongly
 * connected component of two or more blocks (some back edge leads into a
 * loop containing it), whatever the loop's shape: `while`, `do`/`while`,
 * `for (;;)` left with `break`, a goto loop.  Tarjan's algorithm without
 * recursion, linear in the CFG.
 */
#ifndef TL_CYCLES_H
#define TL_CYCLES_H

#include <stdbool.h>
#include "../ir/ir.h"

/* A new array of f->nblocks flags (at least one element); free() it. */
bool *tl_blocks_on_cycles(const tl_func *f);
/* A new array of f->nblocks entries (at least one): per block, the loop it
 * lies in (its strongly connected component, numbered 0..*ncomp-1), or -1
 * when it lies on no cycle; free() it.  A loop nested in another is part of
 * the outer one's component. */
int *tl_cycle_components(const tl_func *f, int *ncomp);
/* Per component of comp (tl_cycle_components, ncomp of them; a new array of
 * at least one element: free() it): does any edge leave it?  A loop nothing
 * leaves (no break, return or goto out) runs for the program's lifetime. */
bool *tl_cycle_components_left(const tl_func *f, const int *comp, int ncomp);

#endif
