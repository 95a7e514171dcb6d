/* str_map.h - a hash map from strings to ints.
 *
 * For name lookups that must not scan a list: the functions of a TU and the
 * labels of a function in the front end, the included files in the driver.
 * Keys are copied.  Open addressing with linear probing, FNV-1a hashing; the
 * table doubles at half load, so insertions and lookups cost O(key length)
 * on average.
 */
#ifndef TL_STR_MAP_H
#define TL_STR_MAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char **keys;  /* NULL = empty slot */
    int *vals;
    size_t cap;   /* 0 or a power of two */
    size_t n;
} tl_str_map;

void tl_str_map_init(tl_str_map *m);
void tl_str_map_free(tl_str_map *m);
/* The value stored for key, or -1 when absent. */
int tl_str_map_get(const tl_str_map *m, const char *key);
/* Store key -> val unless key is present; returns the value now stored
 * (the old one when key was present: the first insertion wins). */
int tl_str_map_add(tl_str_map *m, const char *key, int val);
/* Store key -> val, replacing any old value. */
void tl_str_map_set(tl_str_map *m, const char *key, int val);

#endif
