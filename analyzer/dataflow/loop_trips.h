/* loop_trips.h - loops that run a known number of times.
 *
 * A counted loop is a cycle of the CFG (a strongly connected component,
 * cycles.h) with one way in - its header, reached from outside by one edge,
 * from its preheader - and one edge back to the header, from its latch, with
 * no other cycle inside it; the header holds no instruction and ends in a
 * test of an induction variable against a bound:
 *
 *     for (i = 0; i < 16; i++)          for (c = '9'; c >= '0'; --c)
 *     for (i = 0; i != count; ++i)      i = 0; while (i <= n) { ...; i += 1; }
 *
 * The induction variable is a local or parameter whose address is never
 * taken; the loop assigns it once, in the latch, a step of one towards the
 * bound (`++`, `--`, `+= 1`, `-= 1`, `i = i + 1`); the preheader's last
 * assignment to it is a constant.  The bound is a constant, or a local or
 * parameter the function assigns at most once, outside any loop, whose
 * address is never taken: it holds the same value wherever the loop reads
 * it.  Then every pass runs each block of the loop at most once, the body
 * runs at most `trips` times, and the header's edge out is taken exactly
 * after `trips` passes (a `break` elsewhere leaves earlier, by another edge).
 *
 * Clients (send_budget.c, chan_fill.c) solve such a loop without iterating
 * it: they compute what one pass adds (a walk over `order`), cut the back
 * edge, and scale on the preheader's and the header's out edges.  A loop
 * nested in another shares the outer one's component: neither is counted.
 * Linear in the CFG.
 */
#ifndef TL_LOOP_TRIPS_H
#define TL_LOOP_TRIPS_H

#include <stdbool.h>
#include <stdint.h>

#include "../ir/ir.h"

typedef struct {
    int header, latch, preheader; /* blocks */
    int stay, leave;               /* indices in the header's succ: into the body, out */
    int var;                       /* the induction variable */
    int64_t trips;                 /* bound_var < 0: the passes; else their offset */
    int bound_var;                 /* >= 0: the passes are bound_var's value + trips */
    int *order;                    /* the loop's blocks, header first, each after
                                      its predecessors in the loop (back edge aside) */
    int norder;
} tl_counted_loop;

typedef struct {
    tl_counted_loop *loops;
    int nloops;
    int *loop_of; /* per block: the counted loop holding it, -1 (f->nblocks entries) */
    int *comp;    /* per block: its cycle component (cycles.h), -1; NULL when f has no blocks */
    int ncomp;
    unsigned char *invariant; /* per variable: holds one value wherever it is read (a
                                 bound may be such a variable; f->nvars entries) */
} tl_loop_trips;

/* Find f's counted loops (out is filled; free it with tl_loop_trips_free).
 * read_only, when not NULL, names the call arguments through which the
 * callee only reads (a model's send buffer): `msend(s, &c, 1, -1)` leaves
 * the counter c alone. */
void tl_loop_trips_find(const tl_func *f, tl_loop_trips *out,
                        bool (*read_only)(void *ctx, const tl_call *call, int arg), void *ctx);
void tl_loop_trips_free(tl_loop_trips *lt);

/* The counted loop whose header's edge b -> b->succ[s] is its leave edge,
 * its back edge (the latch's), or its preheader's edge in; -1 none. */
typedef enum { TL_LOOP_EDGE_NONE = 0, TL_LOOP_EDGE_ENTER, TL_LOOP_EDGE_BACK, TL_LOOP_EDGE_LEAVE,
               TL_LOOP_EDGE_STAY } tl_loop_edge;
tl_loop_edge tl_loop_edge_kind(const tl_loop_trips *lt, const tl_func *f, int b, int s, int *loop);

#endif
