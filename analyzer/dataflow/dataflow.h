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

/* The solver's budgets, both linear in the size of the function, so that no
 * function costs more than a constant times its size:
 *   - block visits: TL_DF_VISITS_PER_BLOCK per block.  A lattice of height h
 *     settles in about h passes over each loop nest, so only very deeply
 *     nested loops (or a buggy join) exhaust it;
 *   - the work on states, counted by the client (entries copied, joined,
 *     updated) against tl_dataflow_budget(f): in a nest of d loops the
 *     states of the inner blocks carry the d outer counters, so the work
 *     grows with d * d.
 * When one is exhausted the solver stops and says so (callers report an
 * analysis-limit finding). */
#define TL_DF_VISITS_PER_BLOCK 50
#define TL_DF_WORK_PER_ITEM 1000L    /* per block, instruction and variable */
#define TL_DF_WORK_FLOOR 4000000L    /* small functions may always use this much */

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
    /* optional: apply all of b's instructions at once (a client with sparse
       states unpacks the state once per block); used instead of `transfer`
       when a whole block is applied */
    void (*transfer_block)(void *ctx, void *state, const tl_func *f, const tl_block *b);
    /* refine the state along edge b -> b->succ[s]; may be NULL.  Return false
       if the edge is infeasible under the state (then it is not followed). */
    bool (*transfer_edge)(void *ctx, void *state, const tl_func *f, const tl_block *b, int s);
    void (*destroy)(void *ctx, void *state);
    /* optional: has the client used up its work budget?  Asked after each
       block visit; true stops the solver as the visit budget does. */
    bool (*exhausted)(void *ctx);
    /* keep each block's states apart by the branch facts their paths
       established (branch_facts.h): at most TL_DF_SPLIT states per block,
       an edge whose test contradicts a state's facts is not followed, and
       the block's in-state given to clients is the join of its states */
    bool split_by_facts;
    /* optional, with split_by_facts: does call instruction `call` leave the
       function's file-scope and static variables as they were (no code of
       the program runs in it, it orders no memory with other threads)?
       Facts on those variables survive such calls; NULL: no call does. */
    bool (*call_keeps_globals)(void *ctx, const tl_instr *call);
} tl_dataflow_ops;

/* States per block kept apart by branch facts; beyond that the block
 * forgets a fact for good (the solver still terminates, and costs at most
 * TL_DF_SPLIT times the plain run, plus at most 64 forgettings per block). */
#define TL_DF_SPLIT 4

typedef struct {
    const tl_dataflow_ops *ops;
    void *ctx;
    int nblocks;
    unsigned char *in;   /* nblocks * state_size */
    bool *reached;       /* block reached by the fixpoint */
} tl_dataflow_result;

/* The work budget of a client on f (see TL_DF_WORK_PER_ITEM). */
long tl_dataflow_budget(const tl_func *f);

/* Solve; returns 0, or -1 if a budget was exhausted (the states are then
 * those computed so far, not a fixpoint). */
int tl_dataflow_forward(const tl_func *f, const tl_dataflow_ops *ops, void *ctx,
                        tl_dataflow_result *out);
/* Pointer to block b's in-state. */
void *tl_dataflow_in(const tl_dataflow_result *r, int b);
/* Copy block b's in-state into `state` (initialised by the caller with
   init_bottom) and apply instructions [0, upto). */
void tl_dataflow_replay(const tl_dataflow_result *r, const tl_func *f, int b,
                        int upto, void *state);
void tl_dataflow_free(tl_dataflow_result *r);

/* Reverse postorder of the blocks reachable from f's entry (a depth-first
 * walk): rpo_index[b] = position, -1 for a block no path reaches (f->nblocks
 * entries).  Returns how many are reached, or -1 when out of memory. */
int tl_dataflow_rpo(const tl_func *f, int *rpo_index);

#endif
