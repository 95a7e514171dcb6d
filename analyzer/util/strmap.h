/* strmap.h - a hash map from C strings to size_t values (open addressing).
 *
 * For the lookups by name that must stay O(1) however large a model set or
 * a YAML mapping grows: function models by callee name, libraries, exempt
 * functions, duplicate keys while a YAML mapping is read.  Values are
 * typically indices into the caller's own array.
 *
 * Keys are borrowed: the map stores the pointer, never a copy, so a key must
 * stay valid and unchanged while it is in the map (the strings of the
 * caller's records are).  Entries are never removed one by one; clear or
 * free the whole map.  A zeroed tl_strmap is a valid empty map.  Functions
 * that allocate return -1 when out of memory and leave the map as it was.
 */
#ifndef TL_STRMAP_H
#define TL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *key; /* NULL: empty slot */
    size_t hash;
    size_t value;
} tl_strmap_slot;

typedef struct {
    tl_strmap_slot *slots;
    size_t cap;   /* a power of two, or 0 */
    size_t count;
} tl_strmap;

void tl_strmap_init(tl_strmap *m);
void tl_strmap_free(tl_strmap *m);
/* Forgets every entry, keeps the memory. */
void tl_strmap_clear(tl_strmap *m);
/* Makes room for n entries in all, so that n inserts do not rehash. */
int tl_strmap_reserve(tl_strmap *m, size_t n);

/* Adds key -> value unless the key is present.  Returns 1 when added, 0 when
 * the key was present (its value, unchanged, in *existing if not NULL), -1
 * when out of memory. */
int tl_strmap_insert(tl_strmap *m, const char *key, size_t value, size_t *existing);
/* Sets key -> value, replacing the value of a present key.  0, or -1. */
int tl_strmap_put(tl_strmap *m, const char *key, size_t value);
/* The value of key in *value (if not NULL); false when absent. */
bool tl_strmap_get(const tl_strmap *m, const char *key, size_t *value);

#endif
