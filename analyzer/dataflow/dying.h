/* dying.h - the blocks of a function from which every path ends the process
 * (or the thread): a noreturn call (exit, abort, pthread_exit) on every
 * path, the front end's TL_T_NORETURN blocks.
 *
 * Used by analysis.c (tl_call_facts.dying): a blocking call on a dying path
 * stalls nothing that would run again (a shutdown callback that cleans up
 * and exits).  A least fixpoint over the CFG, so a loop that may run
 * forever is not dying - except a loop that walks a linked list with a
 * local pointer (`for (l = list; l != NULL; l = l->next)`): every cycle of
 * its strongly connected component passes through the test of that pointer
 * and through a `l = l->FIELD` step (or `l = g_list_next(l)`: a temporary
 * holding `l->FIELD` or NULL), the pointer is not written otherwise
 * and its address is never taken, so the loop ends (on a finite list); when
 * every edge leaving the loop goes to a dying block, the loop is dying too.
 * Linear in the CFG: the components come in Tarjan's order (a loop after
 * the loops it leads to), each is checked once with a bounded number of
 * walks over its own blocks.
 */
#ifndef TL_DYING_H
#define TL_DYING_H

#include <stdbool.h>
#include "../ir/ir.h"

/* A new array of f->nblocks flags (at least one element); free() it. */
bool *tl_dying_blocks(const tl_func *f);
/* The same, with the blocks flagged in `ends` (f->nblocks flags, or NULL)
 * ending the process too: they call a function of the project that ends it
 * on every path (`quit(c)` whose every path reaches `_exit`). */
bool *tl_dying_blocks_with(const tl_func *f, const bool *ends);

#endif
