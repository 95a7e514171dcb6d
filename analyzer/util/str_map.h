/* str_map.h - a hash map from strings to ints that keeps its own copies of
 * the keys.
 *
 * For name lookups that must not scan a list and whose keys do not outlive
 * the lookup: the functions of a TU and the labels of a function in the
 * front end, the included files in the driver, call sites in a rule.  A
 * thin layer over util/strmap.h (the hashing) and util/arena.h (the key
 * copies), so there is one hash table in the code base.
 */
#ifndef TL_STR_MAP_H
#define TL_STR_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "strmap.h"

typedef struct {
    tl_strmap map;  /* keys point into `keys` */
    tl_arena keys;  /* the copies */
} tl_str_map;

void tl_str_map_init(tl_str_map *m);
void tl_str_map_free(tl_str_map *m);
/* How many keys it holds. */
size_t tl_str_map_count(const tl_str_map *m);
/* The value stored for key, or -1 when absent. */
int tl_str_map_get(const tl_str_map *m, const char *key);
/* Store key -> val unless key is present; returns the value now stored
 * (the old one when key was present: the first insertion wins). */
int tl_str_map_add(tl_str_map *m, const char *key, int val);
/* Store key -> val, replacing any old value. */
void tl_str_map_set(tl_str_map *m, const char *key, int val);

#endif
