/* must_bits.h - pieces the small "known on every path" passes share.
 *
 * peer_end.c (handles whose peer's end arrived) and numeric_hosts.c (host
 * strings a numeric check accepted) each follow at most 32 variables as
 * one bit set that holds on every path (the join intersects), set by the
 * branch edges that test a call's result and cleared by assignments.
 * Here: that state and its solver operations, the reached predecessors of
 * each block, and the walk back from a test to the call whose result a
 * variable holds.
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

/* tl_dataflow_ops members for a tl_must_bits state (ctx unused): */
void tl_must_bits_entry(void *ctx, void *st);  /* reached, nothing known */
void tl_must_bits_bottom(void *ctx, void *st); /* not reached */
void tl_must_bits_copy(void *ctx, void *dst, const void *src);
bool tl_must_bits_join(void *ctx, void *dst, const void *src); /* on every path */

/* The predecessors of each block that a path from the entry reaches: how
 * many (*npred) and the last one (*pred1); the dead block after a `break`
 * or `continue` that falls into a join does not count.  Free both. */
void tl_reached_preds(const tl_func *f, int **npred, int **pred1);

/* The call whose result variable v holds at the end of block b: its last
 * assignment there (`rc = call(...)`) or in the single reached predecessors
 * before it, at most TL_MUST_WALK_BLOCKS blocks back; -1 when that
 * assignment is no call's result or none is found. */
int tl_reaching_result(const tl_func *f, int b, int v, const int *npred, const int *pred1);

#endif
