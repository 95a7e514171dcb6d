/* str_map.c - string -> int map owning its keys (see str_map.h). */
#include "str_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void) {
    fputs("tasklint: out of memory\n", stderr);
    exit(2);
}

void tl_str_map_init(tl_str_map *m) {
    memset(m, 0, sizeof *m);
}

void tl_str_map_free(tl_str_map *m) {
    tl_strmap_free(&m->map);
    tl_arena_free(&m->keys);
    tl_str_map_init(m);
}

size_t tl_str_map_count(const tl_str_map *m) {
    return m->map.count;
}

int tl_str_map_get(const tl_str_map *m, const char *key) {
    size_t v;
    return key && tl_strmap_get(&m->map, key, &v) ? (int)v : -1;
}

int tl_str_map_add(tl_str_map *m, const char *key, int val) {
    size_t v;
    if (tl_strmap_get(&m->map, key, &v)) return (int)v;
    char *copy = tl_arena_strndup(&m->keys, key, strlen(key));
    if (!copy || tl_strmap_insert(&m->map, copy, (size_t)val, NULL) < 0) out_of_memory();
    return val;
}

void tl_str_map_set(tl_str_map *m, const char *key, int val) {
    size_t v;
    if (tl_strmap_get(&m->map, key, &v)) {
        /* the stored key is the map's own copy: replace the value only */
        if (tl_strmap_put(&m->map, key, (size_t)val) < 0) out_of_memory();
        return;
    }
    tl_str_map_add(m, key, val);
}
