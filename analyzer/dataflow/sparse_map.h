/* sparse_map.h - sparse per-variable bit sets for dataflow states.
 *
 * A lattice that keeps a few bits per variable (unawaited-task: "work started
 * on this object may be pending") stores, per block, only the variables whose
 * bits are not zero, sorted by variable: a function with thousands of locals
 * and blocks costs what is in flight, not blocks x variables.
 *
 * To apply a block, the map is unpacked into a dense scratch array owned by
 * the client (one per function), updated with plain array writes that record
 * which variables they touched, and packed back: O(entries + writes) per
 * block instead of O(variables).
 */
#ifndef TL_SPARSE_MAP_H
#define TL_SPARSE_MAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int key;
    uint64_t bits; /* never 0 in a packed map */
} tl_sparse_entry;

typedef struct {
    tl_sparse_entry *e; /* ascending key */
    int n;
} tl_sparse_map;

/* The dense view of one map while a block is applied. */
typedef struct {
    uint64_t *val;      /* per key; 0 outside an unpacked map */
    unsigned *stamp;    /* per key: `serial` once touched */
    unsigned serial;
    int *touched;       /* keys that may be non-zero: the map's own first */
    int ntouched, nfirst;
    int nkeys;
} tl_sparse_scratch;

void tl_sparse_free(tl_sparse_map *m);
void tl_sparse_copy(tl_sparse_map *dst, const tl_sparse_map *src);
/* dst |= src; true if dst changed. */
bool tl_sparse_join(tl_sparse_map *dst, const tl_sparse_map *src);
/* The bits of key (0 when absent; binary search). */
uint64_t tl_sparse_get(const tl_sparse_map *m, int key);
/* Clear bits in every entry: entry.bits &= ~mask(ctx, key); zeros dropped. */
void tl_sparse_clear(tl_sparse_map *m, uint64_t (*mask)(void *ctx, int key), void *ctx);

void tl_sparse_scratch_init(tl_sparse_scratch *s, int nkeys);
void tl_sparse_scratch_free(tl_sparse_scratch *s);
/* Load m (NULL: the empty map) into the scratch. */
void tl_sparse_unpack(tl_sparse_scratch *s, const tl_sparse_map *m);
/* Writable slot of key (recorded as touched). */
uint64_t *tl_sparse_slot(tl_sparse_scratch *s, int key);
/* Store the scratch into m (replacing it) and clear the scratch. */
void tl_sparse_pack(tl_sparse_scratch *s, tl_sparse_map *m);
/* Clear the scratch without storing it. */
void tl_sparse_discard(tl_sparse_scratch *s);

#endif
