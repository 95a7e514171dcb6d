/* dataflow.h - a generic forward dataflow solver over the IR's CFG.
 *
 * A client describes its lattice with tl_dataflow_ops (states are opaque
 * blobs of ops->state_size bytes that may own heap memory) and gets, per
 * block, the state on entry at the fixpoint.  Branch edges can refine the
 * state (transfer_edge), which is how "the handle was not created on the
 * error path" is expressed.  Clients replay a block's instructions from its
 * in-state with tl_dataflow_replay to see the state at each instruction.
 */
#ifndef TL_DATAFLOW_H
#define TL_DATAFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include "../ir/ir.h"

typedef struct tl_dataflow_ops {
    size_t state_size;
    /* init_entry and init_bottom fill uninitialised memory (states may own heap) */
    /* state at the function's entry */
    void (*init_entry)(void *ctx, void *state);
    /* the "unreached" state (identity of join) */
    void (*init_bottom)(void *ctx, void *state);
    void (*copy)(void *ctx, void *dst, const void *src);
    /* dst = dst JOIN src; return true if dst changed */
    bool (*join)(void *ctx, void *dst, const void *src);
    /* apply instruction b->instrs[i] */
    void (*transfer)(void *ctx, void *state, const tl_func *f, const tl_block *b, int i);
    /* refine the state along edge b -> b->succ[s]; may be NULL.  Return false
       if the edge is infeasible under the state (then it is not followed). */
    bool (*transfer_edge)(void *ctx, void *state, const tl_func *f, const tl_block *b, int s);
    void (*destroy)(void *ctx, void *state);
} tl_dataflow_ops;

typedef struct {
    const tl_dataflow_ops *ops;
    void *ctx;
    int nblocks;
    unsigned char *in;   /* nblocks * state_size */
    bool *reached;       /* block reached by the fixpoint */
} tl_dataflow_result;

/* Solve; returns 0, or -1 if the iteration limit was hit (the result is then
 * still a sound over-approximation of what was computed so far). */
int tl_dataflow_forward(const tl_func *f, const tl_dataflow_ops *ops, void *ctx,
                        tl_dataflow_result *out);
/* Pointer to block b's in-state. */
void *tl_dataflow_in(const tl_dataflow_result *r, int b);
/* Copy block b's in-state into `state` (initialised by the caller with
   init_bottom) and apply instructions [0, upto). */
void tl_dataflow_replay(const tl_dataflow_result *r, const tl_func *f, int b,
                        int upto, void *state);
void tl_dataflow_free(tl_dataflow_result *r);

#endif
