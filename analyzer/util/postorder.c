/* postorder.c - depth-first postorder of a graph (see postorder.h). */
#include "postorder.h"

#include <stdbool.h>
#include <stdlib.h>

#include "xalloc.h"

int *tl_postorder(int n, tl_successor_fn successor, void *ctx) {
    int *order = tl_xmalloc(((size_t)n + 1) * sizeof *order), norder = 0;
    int *stack = tl_xmalloc(((size_t)n + 1) * sizeof *stack), *next = tl_xcalloc((size_t)n + 1, sizeof *next);
    bool *seen = tl_xcalloc((size_t)n + 1, sizeof *seen);
    for (int root = 0; root < n; root++) {
        if (seen[root]) continue;
        int sp = 0;
        stack[sp++] = root;
        seen[root] = true;
        while (sp > 0) {
            int f = stack[sp - 1], g = -1, t;
            while (g < 0 && (t = successor(ctx, f, next[f])) != TL_POSTORDER_END) {
                next[f]++;
                if (t >= 0 && t < n && !seen[t]) g = t;
            }
            if (g >= 0) {
                seen[g] = true;
                stack[sp++] = g;
            } else {
                order[norder++] = f;
                sp--;
            }
        }
    }
    free(next);
    free(stack);
    free(seen);
    return order;
}
