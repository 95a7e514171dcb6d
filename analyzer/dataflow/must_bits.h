/* must_bits.h - pieces the small "known on every path" passes share.
 *
 * peer_end.c (handles whose peer's end arrived) and numeric_hosts.c (host
 * strings a numeric check accepted) each follow at most 32 variables as
 * one bit set that holds on every path (the join intersects), set by the
 * branch edges that test a call's result and cleared by assignments.
 * Here: that solve (tl_must_bits_solve), the reached predecessors of each
 * block (also unawaited-task's walk back to a launch's result), and the
 * walk back from a test to the call whose result a variable holds.
 */
#ifndef TL_DATAFLOW_MUST_BITS_H
#define TL_DATAFLOW_MUST_BITS_H

#include <stdbool.h>
#include <stdint.h>

#include "../ir/ir.h"

/* blocks searched back from a test for the value a variable holds */
#define TL_MUST_WALK_BLOCKS 8

typedef struct {
    bool reached;
    uint32_t bits; /* bit p: the fact holds for place p */
} tl_must_bits;

/* What a call learns: the bits known on every path to it. */
typedef void (*tl_must_bits_use_fn)(void *ctx, const tl_instr *call, uint32_t bits);

/* Solve one such pass over f and hand every reached call its bits.
 * place_of (f->nvars entries): the bit of each variable, -1 none; an
 * assignment or declaration of the variable clears it.  edge_set (2 per
 * block): the bits the branch edge block * 2 + successor sets.  A function
 * the solver gives up on hands nothing (nothing is known). */
void tl_must_bits_solve(const tl_func *f, const int *place_of, const uint32_t *edge_set, tl_must_bits_use_fn use,
                        void *ctx);

/* The predecessors of each block that a path from the entry reaches: how
 * many (*npred) and the last one (*pred1); the dead block after a `break`
 * or `continue` that falls into a join does not count.  Free both. */
void tl_reached_preds(const tl_func *f, int **npred, int **pred1);

/* The same as lists: block b's reached predecessors are
 * (*preds)[(*start)[b] .. (*start)[b + 1]).  Free both. */
void tl_reached_pred_lists(const tl_func *f, int **start, int **preds);

/* The call whose result variable v holds at the end of block b: its last
 * assignment there (`rc = call(...)`) or in the single reached predecessors
 * before it, at most TL_MUST_WALK_BLOCKS blocks back; -1 when that
 * assignment is no call's result or none is found. */
int tl_reaching_result(const tl_func *f, int b, int v, const int *npred, const int *pred1);

#endif
