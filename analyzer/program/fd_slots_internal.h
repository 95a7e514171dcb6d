/* fd_slots_internal.h - the slot graph of fd_slots.c, shared with the
 * passes that add nodes and copy edges to it before "not known" is spread
 * (fd_settle.c).  Internal to the program module. */
#ifndef TL_FD_SLOTS_INTERNAL_H
#define TL_FD_SLOTS_INTERNAL_H

#include <stdbool.h>

#include "../summary/summary.h"
#include "../util/strmap.h"
#include "fd_slots.h"

typedef struct {
    const char *key;
    bool is_static, stored, other;
    bool nb_whole, nb_part; /* the fact, with and without the whole program */
} slot;

struct tl_fd_slots {
    slot *v;
    int n, cap;
    tl_strmap index;
    char **owned; /* keys made here (elements an effect summary stores) */
    int nowned, capowned;
};

/* Copy edges src[i] -> dst[i] (slot indices). */
typedef struct {
    int *src, *dst, n, cap;
} edge_list;

/* The node named key, made (with its own copy of the key) when absent. */
int tl_fd_slots_node(tl_fd_slots *s, const char *key, bool is_static);

/* fd_settle.c: whether a unit's store is a call-site record ("s:F#A"), and
 * the "s:" nodes resolved from them (copy edges into el). */
bool tl_fd_settle_is_site(const tl_slot_store *st);
void tl_fd_settle_resolve(tl_fd_slots *s, tl_tu_summary *const *units, int nunits, edge_list *el);

#endif
