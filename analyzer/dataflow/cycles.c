/* cycles.c - blocks on a CFG cycle (see cycles.h). */
#include "cycles.h"

#include <stdlib.h>

#include "../util/xalloc.h"

bool *tl_blocks_on_cycles(const tl_func *f)
{
    size_t sz = (size_t)(f->nblocks > 0 ? f->nblocks : 1);
    bool *cyclic = tl_xcalloc(sz, sizeof *cyclic);
    int ncomp;
    int *comp = tl_cycle_components(f, &ncomp);
    for (int b = 0; b < f->nblocks; b++)
        cyclic[b] = comp[b] >= 0;
    free(comp);
    return cyclic;
}

int *tl_cycle_components(const tl_func *f, int *ncomp)
{
    int n = f->nblocks;
    size_t sz = (size_t)(n > 0 ? n : 1);
    int *comp = tl_xmalloc(sz * sizeof *comp);
    bool *self = tl_xcalloc(sz, sizeof *self);
    bool *on_stack = tl_xcalloc(sz, sizeof *on_stack);
    int *index = tl_xmalloc(sz * sizeof *index), *low = tl_xmalloc(sz * sizeof *low);
    int *stack = tl_xmalloc(sz * sizeof *stack);           /* Tarjan's stack */
    int *walk = tl_xmalloc(sz * sizeof *walk), *next = tl_xmalloc(sz * sizeof *next); /* DFS path */
    for (int v = 0; v < n; v++)
        index[v] = comp[v] = -1;
    int counter = 0, sp = 0;
    *ncomp = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0)
            continue;
        int depth = 0;
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on_stack[root] = true;
        walk[depth] = root;
        next[depth++] = 0;
        while (depth > 0) {
            int v = walk[depth - 1];
            const tl_block *blk = &f->blocks[v];
            if (next[depth - 1] < blk->nsucc) {
                int w = blk->succ[next[depth - 1]++];
                if (w < 0 || w >= n)
                    continue;
                if (w == v)
                    self[v] = true;
                if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on_stack[w] = true;
                    walk[depth] = w;
                    next[depth++] = 0;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            depth--;
            if (depth > 0 && low[v] < low[walk[depth - 1]])
                low[walk[depth - 1]] = low[v];
            if (low[v] != index[v])
                continue;
            int p = sp; /* pop v's component */
            while (stack[--p] != v) {
            }
            bool cycle = sp - p > 1 || self[v];
            for (int i = p; i < sp; i++) {
                on_stack[stack[i]] = false;
                if (cycle)
                    comp[stack[i]] = *ncomp;
            }
            *ncomp += cycle;
            sp = p;
        }
    }
    free(self);
    free(on_stack);
    free(index);
    free(low);
    free(stack);
    free(walk);
    free(next);
    return comp;
}

bool *tl_cycle_components_left(const tl_func *f, const int *comp, int ncomp) {
    bool *leaves = tl_xcalloc((size_t)ncomp + 1, sizeof *leaves);
    for (int i = 0; i < f->nblocks; i++) {
        if (comp[i] < 0) continue;
        for (int k = 0; k < f->blocks[i].nsucc; k++) {
            int s = f->blocks[i].succ[k];
            if (s < 0 || s >= f->nblocks || comp[s] != comp[i]) leaves[comp[i]] = true;
        }
    }
    return leaves;
}
