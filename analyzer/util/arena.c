/* arena.c - see arena.h.
 *
 * Chunks of CHUNK_SIZE bytes; a request larger than a quarter chunk gets a
 * chunk of its own (linked behind the current one, so the current chunk's
 * free space is not wasted).  Memory overhead stays below 25% plus one chunk,
 * and alignment padding: objects are aligned for any type, strings packed.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define ALIGN alignof(max_align_t)

struct tl_arena_chunk {
    tl_arena_chunk *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

void tl_arena_init(tl_arena *a) { memset(a, 0, sizeof(*a)); }

void tl_arena_free(tl_arena *a) {
    tl_arena_chunk *c = a->head;
    while (c) {
        tl_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    memset(a, 0, sizeof(*a));
}

static tl_arena_chunk *new_chunk(size_t size) {
    if (size > SIZE_MAX - sizeof(tl_arena_chunk)) return NULL;
    tl_arena_chunk *c = malloc(sizeof(tl_arena_chunk) + size);
    if (c) c->size = size;
    return c;
}

/* n bytes aligned to align (a power of two, at most ALIGN). */
static void *alloc_aligned(tl_arena *a, size_t n, size_t align) {
    if (n > SIZE_MAX - ALIGN) return NULL;
    if (n == 0) n = 1;
    if (a->head) {
        size_t at = (a->used + align - 1) & ~(align - 1);
        if (at <= a->head->size && a->head->size - at >= n) {
            a->used = at + n;
            return a->head->data + at;
        }
    }
    if (n > CHUNK_SIZE / 4) {
        /* a big block: its own chunk, behind the current one */
        tl_arena_chunk *c = new_chunk(n);
        if (!c) return NULL;
        if (a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = NULL;
            a->head = c;
            a->used = n;
        }
        return c->data;
    }
    tl_arena_chunk *c = new_chunk(CHUNK_SIZE);
    if (!c) return NULL;
    c->next = a->head;
    a->head = c;
    a->used = n;
    return c->data;
}

void *tl_arena_alloc(tl_arena *a, size_t n) { return alloc_aligned(a, n, ALIGN); }

void *tl_arena_calloc(tl_arena *a, size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = tl_arena_alloc(a, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

char *tl_arena_strndup(tl_arena *a, const char *s, size_t n) {
    if (n == SIZE_MAX) return NULL;
    char *p = alloc_aligned(a, n + 1, 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
