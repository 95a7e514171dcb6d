/* str_map.c - string -> int hash map (see str_map.h). */
#include "str_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void tl_str_map_init(tl_str_map *m) {
    memset(m, 0, sizeof *m);
}

void tl_str_map_free(tl_str_map *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    tl_str_map_init(m);
}

/* Slot holding key, or the empty slot where it would go (cap > 0). */
static size_t find_slot(const tl_str_map *m, const char *key) {
    size_t i = (size_t)hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
    return i;
}

static void grow(tl_str_map *m) {
    tl_str_map bigger;
    bigger.cap = m->cap ? m->cap * 2 : 16;
    bigger.n = m->n;
    bigger.keys = tl_xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = tl_xcalloc(bigger.cap, sizeof *bigger.vals);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = find_slot(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        bigger.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = bigger;
}

int tl_str_map_get(const tl_str_map *m, const char *key) {
    if (!m->cap || !key) return -1;
    size_t i = find_slot(m, key);
    return m->keys[i] ? m->vals[i] : -1;
}

/* The slot for key, inserted with val when absent; *added says which. */
static size_t insert(tl_str_map *m, const char *key, int val, bool *added) {
    if ((m->n + 1) * 2 > m->cap) grow(m);
    size_t i = find_slot(m, key);
    *added = !m->keys[i];
    if (*added) {
        m->keys[i] = tl_xstrdup(key);
        m->vals[i] = val;
        m->n++;
    }
    return i;
}

int tl_str_map_add(tl_str_map *m, const char *key, int val) {
    bool added;
    size_t i = insert(m, key, val, &added);
    return m->vals[i];
}

void tl_str_map_set(tl_str_map *m, const char *key, int val) {
    bool added;
    size_t i = insert(m, key, val, &added);
    m->vals[i] = val;
}
