/* cycles.h - which blocks of a function's CFG lie on a cycle.
 *
 * A block is on a cycle when it has a self edge or belongs to a strongly
 * connected component of two or more blocks (some back edge leads into a
 * loop containing it), whatever the loop's shape: `while`, `do`/`while`,
 * `for (;;)` left with `break`, a goto loop.  Tarjan's algorithm without
 * recursion, linear in the CFG.  (rules/missing_timeout.c has its own copy,
 * blocks_on_cycles, which can use this one.)
 */
#ifndef TL_CYCLES_H
#define TL_CYCLES_H

#include <stdbool.h>
#include "../ir/ir.h"

/* A new array of f->nblocks flags (at least one element); free() it. */
bool *tl_blocks_on_cycles(const tl_func *f);

#endif
