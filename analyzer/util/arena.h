/* arena.h - a bump allocator: many small allocations freed all at once.
 *
 * The YAML reader puts a document's whole node tree (nodes, strings, child
 * arrays) in one arena, so aliases can share nodes and freeing the tree is
 * one call whatever its shape.  Allocations are aligned for any object and
 * live until tl_arena_free.  A zeroed tl_arena is a valid empty arena.
 */
#ifndef TL_ARENA_H
#define TL_ARENA_H

#include <stddef.h>

typedef struct tl_arena_chunk tl_arena_chunk;

typedef struct {
    tl_arena_chunk *head; /* the chunk being filled; older ones follow */
    size_t used;          /* bytes used in head */
} tl_arena;

void tl_arena_init(tl_arena *a);
void tl_arena_free(tl_arena *a);
/* n bytes (n may be 0), uninitialised, aligned for any object; NULL when
 * out of memory. */
void *tl_arena_alloc(tl_arena *a, size_t n);
/* n zeroed items of size bytes; NULL when out of memory or on overflow. */
void *tl_arena_calloc(tl_arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n) (packed: byte-aligned); NULL when out
 * of memory. */
char *tl_arena_strndup(tl_arena *a, const char *s, size_t n);

#endif
