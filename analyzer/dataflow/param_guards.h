/* param_guards.h - which parameters a path to each block has tested.
 *
 *     static int recv_msg(struct conn *c, int sync, struct msg *req) {
 *         ...
 *         if (sync && req) wait_fd(c->fd);   // only when both are non-zero
 *     }
 *     static void on_read(...) { recv_msg(c, 0, NULL); }   // never waits
 *
 * A forward "must" dataflow over one function: at the entry of each block,
 * the parameters (bit k: parameter k, k < 32) known non-zero and known zero
 * on every path from the function's entry, from the branches that test them
 * (`p`, `!p`, `p == 0`, `p != NULL`, `p > 0`...; `&&` and `||` are branches
 * of their own in the IR).  Only parameters never assigned and whose address
 * is never taken count, so a test holds until the function returns.  The
 * blocking summaries (analysis_blocking.c, program.c) use it: a function
 * whose every blocking call needs parameter k non-zero does not block for a
 * caller passing a constant 0 there.
 *
 * Bit vectors over reverse post-order sweeps: linear in the function's size;
 * a function that has not settled after TL_GUARD_MAX_SWEEPS sweeps (deeply
 * nested loops) gets no guards at all, which is what is known without them.
 */
#ifndef TL_PARAM_GUARDS_H
#define TL_PARAM_GUARDS_H

#include <stdbool.h>

#include "../ir/ir.h"
#include "analysis.h"

#define TL_GUARD_MAX_SWEEPS 16

/* Fill nz[b] and z[b] (f->nblocks entries each) for every block b of f.  A
 * block no path reaches gets 0 in both (nothing claimed). */
void tl_param_guards(const tl_func *f, unsigned *nz, unsigned *z);

/* The parameters (bit k < 32) never assigned and whose address is never
 * taken: a test of one holds for the rest of the function, and a caller
 * passing one on unchanged passes the callee's guards on to its own. */
unsigned tl_param_guards_stable(const tl_func *f);

/* A callee's guard mask (bits over its parameters) seen from a call:
 * the caller's parameters (bits k) it passes unchanged (`stable`) at the
 * guarded positions. */
unsigned tl_guard_through(unsigned callee_mask, const tl_call *call, unsigned stable);

/* Do the argument values of a call (argv, nargs entries; analysis.h)
 * contradict a callee's guard: a parameter every blocking call of it needs
 * non-zero (need_nz) given a constant 0 or NULL, or one it needs zero
 * (need_z) given a non-zero constant of -128..127 (non-zero in any integer
 * type: 256 is 0 as an unsigned char) or a pointer known non-null? */
bool tl_guard_cut(unsigned need_nz, unsigned need_z, const tl_cval *argv, int nargs);
/* The same for one argument's value v against one parameter's needs. */
bool tl_guard_value_cut(bool need_nz, bool need_z, const tl_cval *v);

#endif
