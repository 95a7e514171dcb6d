/* unit_strmap.c - the string hash map (util/strmap.h) and the arena
 * (util/arena.h) the YAML tree lives in: insert/put/get semantics, growth
 * across many keys, colliding hashes, borrowed keys, clear and reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/strmap.h"

static void test_empty_map(void **state) {
    (void)state;
    tl_strmap m;
    tl_strmap_init(&m);
    size_t v = 42;
    assert_false(tl_strmap_get(&m, "x", &v));
    assert_int_equal(v, 42);
    assert_false(tl_strmap_get(&m, NULL, &v));
    tl_strmap_clear(&m);
    tl_strmap_free(&m);
    tl_strmap zero = {0}; /* a zeroed map is valid */
    assert_false(tl_strmap_get(&zero, "", NULL));
    assert_int_equal(tl_strmap_put(&zero, "", 7), 0);
    assert_true(tl_strmap_get(&zero, "", &v));
    assert_int_equal(v, 7);
    tl_strmap_free(&zero);
}

static void test_insert_put_get(void **state) {
    (void)state;
    tl_strmap m;
    tl_strmap_init(&m);
    size_t v = 0;
    assert_int_equal(tl_strmap_insert(&m, "alpha", 1, NULL), 1);
    assert_int_equal(tl_strmap_insert(&m, "beta", 2, &v), 1);
    /* insert keeps the first value and reports it */
    assert_int_equal(tl_strmap_insert(&m, "alpha", 9, &v), 0);
    assert_int_equal(v, 1);
    assert_true(tl_strmap_get(&m, "alpha", &v));
    assert_int_equal(v, 1);
    /* put replaces */
    assert_int_equal(tl_strmap_put(&m, "alpha", 10), 0);
    assert_true(tl_strmap_get(&m, "alpha", &v));
    assert_int_equal(v, 10);
    assert_int_equal(m.count, 2);
    /* keys are compared by content, not by pointer */
    char copy[] = "beta";
    assert_true(tl_strmap_get(&m, copy, &v));
    assert_int_equal(v, 2);
    assert_false(tl_strmap_get(&m, "bet", NULL));
    assert_false(tl_strmap_get(&m, "betaa", NULL));
    assert_true(tl_strmap_get(&m, "beta", NULL)); /* value pointer is optional */
    tl_strmap_free(&m);
}

/* Many keys: the table grows, and every key keeps its value. */
static void test_growth(void **state) {
    (void)state;
    enum { N = 100000 };
    char (*keys)[16] = malloc(sizeof(*keys) * N);
    tl_strmap m;
    tl_strmap_init(&m);
    for (size_t i = 0; i < N; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
        assert_int_equal(tl_strmap_insert(&m, keys[i], i, NULL), 1);
    }
    assert_int_equal(m.count, N);
    assert_true(m.count <= m.cap / 4 * 3); /* load factor kept */
    for (size_t i = 0; i < N; i++) {
        size_t v;
        assert_true(tl_strmap_get(&m, keys[i], &v));
        assert_int_equal(v, i);
    }
    assert_false(tl_strmap_get(&m, "k100000", NULL));
    /* clear keeps the memory and forgets the keys */
    size_t cap = m.cap;
    tl_strmap_clear(&m);
    assert_int_equal(m.count, 0);
    assert_int_equal(m.cap, cap);
    assert_false(tl_strmap_get(&m, "k5", NULL));
    assert_int_equal(tl_strmap_insert(&m, keys[5], 55, NULL), 1);
    size_t v;
    assert_true(tl_strmap_get(&m, "k5", &v));
    assert_int_equal(v, 55);
    tl_strmap_free(&m);
    free(keys);
}

/* reserve makes room up front; later inserts do not move the table. */
static void test_reserve(void **state) {
    (void)state;
    tl_strmap m;
    tl_strmap_init(&m);
    assert_int_equal(tl_strmap_reserve(&m, 1000), 0);
    tl_strmap_slot *slots = m.slots;
    char keys[1000][8];
    for (int i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof(keys[i]), "%d", i);
        assert_int_equal(tl_strmap_put(&m, keys[i], (size_t)i), 0);
    }
    assert_ptr_equal(m.slots, slots);
    assert_int_equal(tl_strmap_reserve(&m, 10), 0); /* never shrinks */
    assert_ptr_equal(m.slots, slots);
    tl_strmap_free(&m);
}

/* A table at its highest load (12 keys in 16 slots, where keys must share
 * slots and probe past each other): every key is found, a miss stops at an
 * empty slot, and one more key grows the table. */
static void test_full_table(void **state) {
    (void)state;
    tl_strmap m;
    tl_strmap_init(&m);
    char keys[12][8];
    for (int i = 0; i < 12; i++) { /* 12 keys fill a 16-slot table to 3/4 */
        snprintf(keys[i], sizeof(keys[i]), "c%d", i);
        assert_int_equal(tl_strmap_insert(&m, keys[i], (size_t)i, NULL), 1);
    }
    assert_int_equal(m.cap, 16);
    for (int i = 0; i < 12; i++) {
        size_t v;
        assert_true(tl_strmap_get(&m, keys[i], &v));
        assert_int_equal(v, (size_t)i);
    }
    assert_false(tl_strmap_get(&m, "c12", NULL)); /* a miss ends at an empty slot */
    assert_int_equal(tl_strmap_insert(&m, "c12", 12, NULL), 1); /* the 13th grows the table */
    assert_int_equal(m.cap, 32);
    tl_strmap_free(&m);
}

static void test_arena(void **state) {
    (void)state;
    tl_arena a;
    tl_arena_init(&a);
    /* many small blocks, aligned and distinct */
    char *prev = NULL;
    for (int i = 0; i < 10000; i++) {
        char *p = tl_arena_alloc(&a, (size_t)(i % 13));
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        memset(p, 0xab, (size_t)(i % 13));
        assert_true(p != prev);
        prev = p;
    }
    /* a big block gets a chunk of its own; small ones still fit after it */
    char *big = tl_arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    char *s = tl_arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_string_equal(tl_arena_strndup(&a, "", 0), "");
    int *z = tl_arena_calloc(&a, 100, sizeof(int));
    for (int i = 0; i < 100; i++) assert_int_equal(z[i], 0);
    assert_null(tl_arena_calloc(&a, SIZE_MAX / 2, 4)); /* overflow */
    assert_null(tl_arena_alloc(&a, SIZE_MAX));
    tl_arena_free(&a); /* everything at once (ASan checks for leaks) */
    tl_arena_free(&a); /* and a freed arena is empty again */
    tl_arena empty = {0};
    assert_non_null(tl_arena_alloc(&empty, 1 << 20)); /* a big first block */
    assert_non_null(tl_arena_alloc(&empty, 8));
    tl_arena_free(&empty);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_map),
        cmocka_unit_test(test_insert_put_get),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_full_table),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
