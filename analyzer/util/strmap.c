/* strmap.c - see strmap.h.
 *
 * Linear probing over a power-of-two table kept at most 3/4 full; each slot
 * keeps the key's full hash, so probing compares strings only on a hash
 * match and growing never rehashes a string.  FNV-1a hash.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 16

static size_t hash_string(const char *s) {
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 32));
}

void tl_strmap_init(tl_strmap *m) { memset(m, 0, sizeof(*m)); }

void tl_strmap_free(tl_strmap *m) {
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

void tl_strmap_clear(tl_strmap *m) {
    if (m->slots) memset(m->slots, 0, m->cap * sizeof(*m->slots));
    m->count = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static tl_strmap_slot *find_slot(tl_strmap_slot *slots, size_t cap, const char *key, size_t hash) {
    size_t mask = cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        tl_strmap_slot *s = &slots[i];
        if (!s->key || (s->hash == hash && strcmp(s->key, key) == 0)) return s;
    }
}

static bool fits(size_t count, size_t cap) { return count <= cap / 4 * 3; }

int tl_strmap_reserve(tl_strmap *m, size_t n) {
    if (m->cap && fits(n, m->cap)) return 0;
    size_t cap = m->cap ? m->cap : MIN_CAP;
    while (!fits(n, cap)) {
        if (cap > SIZE_MAX / 2 / sizeof(tl_strmap_slot)) return -1;
        cap *= 2;
    }
    tl_strmap_slot *slots = calloc(cap, sizeof(*slots));
    if (!slots) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        const tl_strmap_slot *s = &m->slots[i];
        if (s->key) *find_slot(slots, cap, s->key, s->hash) = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int tl_strmap_insert(tl_strmap *m, const char *key, size_t value, size_t *existing) {
    size_t hash = hash_string(key);
    if (m->cap) {
        tl_strmap_slot *s = find_slot(m->slots, m->cap, key, hash);
        if (s->key) {
            if (existing) *existing = s->value;
            return 0;
        }
    }
    if (tl_strmap_reserve(m, m->count + 1) != 0) return -1;
    tl_strmap_slot *s = find_slot(m->slots, m->cap, key, hash);
    s->key = key;
    s->hash = hash;
    s->value = value;
    m->count++;
    return 1;
}

int tl_strmap_put(tl_strmap *m, const char *key, size_t value) {
    if (m->cap) {
        tl_strmap_slot *s = find_slot(m->slots, m->cap, key, hash_string(key));
        if (s->key) {
            s->value = value;
            return 0;
        }
    }
    return tl_strmap_insert(m, key, value, NULL) < 0 ? -1 : 0;
}

bool tl_strmap_get(const tl_strmap *m, const char *key, size_t *value) {
    if (!m->cap || !key) return false;
    const tl_strmap_slot *s = find_slot(m->slots, m->cap, key, hash_string(key));
    if (!s->key) return false;
    if (value) *value = s->value;
    return true;
}
