/* postorder.h - the nodes of a directed graph in depth-first postorder
 * (each node after the nodes it reaches; in a cycle, after those reached
 * first), roots taken in index order: an iterative walk, linear in nodes
 * and edges.  The callers' graphs differ (a TU's call facts, the link's
 * edge index), so successors come from a callback. */
#ifndef TL_POSTORDER_H
#define TL_POSTORDER_H

#define TL_POSTORDER_END (-2)

/* The k-th successor of node (k = 0, 1, ...): a node index, -1 for an edge
 * that leads to no node (skipped), or TL_POSTORDER_END past the last. */
typedef int (*tl_successor_fn)(void *ctx, int node, int k);

/* A new array of the n nodes in postorder (free() it). */
int *tl_postorder(int n, tl_successor_fn successor, void *ctx);

#endif
