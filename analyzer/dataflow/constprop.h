/* constprop.h - constant propagation over one function's CFG.
 *
 * Gives the constant environment in front of every call, so that analysis.c
 * can evaluate call arguments (a -1 deadline is seen whether it is spelled in
 * place, comes from a #define, an enum constant or a local variable).
 *
 * The states are sparse: a block's state lists only the variables that can
 * ever hold a constant (a variable assigned only from calls, memory or
 * unknown values always reads as unknown) and, of those, only the ones live
 * on entry to the block (liveness.h).  So a function with many locals or many
 * blocks costs what it has in flight, not blocks x variables.  Within a block
 * the state is unpacked into one dense environment per function, which is
 * what tl_eval_expr reads.
 */
#ifndef TL_CONSTPROP_H
#define TL_CONSTPROP_H

#include <stdbool.h>
#include "../ir/ir.h"
#include "analysis.h"

/* Called for each call instruction, in block order, with the environment in
 * front of it (f->nvars entries, for tl_eval_expr).  `reached` is false for a
 * block no path from the entry reaches (its environment then starts empty). */
typedef void (*tl_constprop_call_fn)(void *ctx, const tl_instr *in, int block, int index,
                                     bool reached, const tl_cval *env);

/* Run the propagation and visit every call.  Returns 0, or -1 when the
 * solver hit its budget (dataflow.h): the values are then those computed so
 * far and may be incomplete. */
int tl_constprop_run(const tl_func *f, tl_constprop_call_fn visit, void *ctx);

#endif
