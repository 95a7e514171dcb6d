/* unit_str_map.c - the string -> int hash map of analyzer/util. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "util/str_map.h"

static void test_empty_map_finds_nothing(void **state) {
    (void)state;
    tl_str_map m;
    tl_str_map_init(&m);
    assert_int_equal(tl_str_map_get(&m, "main"), -1);
    assert_int_equal(tl_str_map_get(&m, NULL), -1);
    tl_str_map_free(&m);
}

static void test_first_insertion_wins_and_set_replaces(void **state) {
    (void)state;
    tl_str_map m;
    tl_str_map_init(&m);
    assert_int_equal(tl_str_map_add(&m, "worker", 3), 3);
    assert_int_equal(tl_str_map_add(&m, "worker", 7), 3); /* a second definition */
    assert_int_equal(tl_str_map_get(&m, "worker"), 3);
    tl_str_map_set(&m, "worker", 9);
    assert_int_equal(tl_str_map_get(&m, "worker"), 9);
    tl_str_map_set(&m, "fresh", 1);
    assert_int_equal(tl_str_map_get(&m, "fresh"), 1);
    assert_int_equal(tl_str_map_get(&m, "work"), -1); /* a prefix is another key */
    tl_str_map_free(&m);
}

/* Many keys: every one survives the table's growth with its own value. */
static void test_many_keys_survive_growth(void **state) {
    (void)state;
    tl_str_map m;
    tl_str_map_init(&m);
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "step_%d", i);
        assert_int_equal(tl_str_map_add(&m, key, i), i);
    }
    assert_int_equal((int)tl_str_map_count(&m), 20000);
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "step_%d", i);
        assert_int_equal(tl_str_map_get(&m, key), i);
    }
    assert_int_equal(tl_str_map_get(&m, "step_20000"), -1);
    tl_str_map_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_map_finds_nothing),
        cmocka_unit_test(test_first_insertion_wins_and_set_replaces),
        cmocka_unit_test(test_many_keys_survive_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
