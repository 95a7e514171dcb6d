/* unit_json_writer.c - the streaming JSON writer: escaping, UTF-8, layout, misuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/json_writer.h"

typedef struct {
    FILE *fp;
    char *buf;
    size_t len;
} memout;

static tl_jw *mo_open(memout *m) {
    m->buf = NULL;
    m->len = 0;
    m->fp = open_memstream(&m->buf, &m->len);
    assert_non_null(m->fp);
    return tl_jw_new(m->fp);
}

static char *mo_finish(memout *m, tl_jw *w) {
    assert_int_equal(tl_jw_finish(w), 0);
    fclose(m->fp);
    return m->buf;
}

/* One string value as a whole document. */
static char *str_doc(const char *s, size_t n) {
    memout m;
    tl_jw *w = mo_open(&m);
    tl_jw_string_n(w, s, n);
    return mo_finish(&m, w);
}

static void expect_str(const char *in, size_t n, const char *want) {
    char *got = str_doc(in, n);
    assert_string_equal(got, want);
    free(got);
}

static void test_escapes(void **state) {
    (void)state;
    expect_str("a\"b", 3, "\"a\\\"b\"\n");
    expect_str("a\\b", 3, "\"a\\\\b\"\n");
    expect_str("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\"\n");
    expect_str("\x01", 1, "\"\\u0001\"\n");
    expect_str("\x1f", 1, "\"\\u001f\"\n");
    expect_str("\x7f", 1, "\"\\u007f\"\n");
    expect_str("\b\f", 2, "\"\\b\\f\"\n");
    expect_str("nul\0x", 5, "\"nul\\u0000x\"\n");
    expect_str("/ ok", 4, "\"/ ok\"\n");
    expect_str("", 0, "\"\"\n");
}

static void test_utf8_passthrough(void **state) {
    (void)state;
    expect_str("\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\"\n");              /* été */
    expect_str("\xe6\x97\xa5\xe6\x9c\xac", 6, "\"\xe6\x97\xa5\xe6\x9c\xac\"\n"); /* 日本 */
    expect_str("\xf0\x9f\x98\x80!", 5, "\"\xf0\x9f\x98\x80!\"\n");              /* emoji */
    expect_str("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"\n");                /* U+10FFFF */
}

#define FFFD "\xef\xbf\xbd"

static void test_utf8_invalid(void **state) {
    (void)state;
    expect_str("a\xff" "b", 3, "\"a" FFFD "b\"\n");               /* lone 0xff */
    expect_str("\x80", 1, "\"" FFFD "\"\n");                      /* stray continuation */
    expect_str("x\xe6\x97", 3, "\"x" FFFD "\"\n");                /* truncated at the end */
    expect_str("\xe6\x97y", 3, "\"" FFFD "y\"\n");                /* truncated in the middle */
    expect_str("\xf0\x9f\x98", 3, "\"" FFFD "\"\n");              /* 4-byte cut short */
    expect_str("\xc0\xaf", 2, "\"" FFFD FFFD "\"\n");             /* overlong '/' */
    expect_str("\xe0\x80\xaf", 3, "\"" FFFD FFFD FFFD "\"\n");    /* overlong 3-byte */
    expect_str("\xed\xa0\x80", 3, "\"" FFFD FFFD FFFD "\"\n");    /* surrogate U+D800 */
    expect_str("\xf4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\"\n"); /* > U+10FFFF */
    expect_str("\xc3\"", 2, "\"" FFFD "\\\"\"\n");                /* cut before a quote */
    /* the output never contains an invalid byte */
    char *got = str_doc("\xfe\xc3\xa9\xff", 4);
    assert_string_equal(got, "\"" FFFD "\xc3\xa9" FFFD "\"\n");
    free(got);
}

static void test_utf8_helpers(void **state) {
    (void)state;
    const char *s = "a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80"; /* 1+2+3+4 bytes */
    size_t n = strlen(s);
    assert_int_equal(tl_utf8_count(s, n), 4);
    assert_int_equal(tl_utf8_truncate_len(s, n, 100), n);
    assert_int_equal(tl_utf8_truncate_len(s, n, 2), 1);  /* not inside é */
    assert_int_equal(tl_utf8_truncate_len(s, n, 3), 3);
    assert_int_equal(tl_utf8_truncate_len(s, n, 5), 3);  /* not inside 日 */
    assert_int_equal(tl_utf8_truncate_len(s, n, 9), 6);  /* not inside the emoji */
    assert_int_equal(tl_utf8_truncate_len("\xff\xff", 2, 1), 1);
    uint32_t cp = 0;
    assert_int_equal(tl_utf8_valid_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(tl_utf8_valid_seq((const unsigned char *)"\xf0\x9f\x98", 3, &cp), 0);
}

static void test_numbers_literals(void **state) {
    (void)state;
    memout m;
    tl_jw *w = mo_open(&m);
    tl_jw_array_begin(w);
    tl_jw_int(w, 0);
    tl_jw_int(w, -42);
    tl_jw_int(w, INT64_MIN);
    tl_jw_int(w, INT64_MAX);
    tl_jw_uint(w, UINT64_MAX);
    tl_jw_bool(w, true);
    tl_jw_bool(w, false);
    tl_jw_null(w);
    tl_jw_string(w, NULL);
    tl_jw_array_end(w);
    char *out = mo_finish(&m, w);
    assert_string_equal(out, "[\n"
                             "  0,\n"
                             "  -42,\n"
                             "  -9223372036854775808,\n"
                             "  9223372036854775807,\n"
                             "  18446744073709551615,\n"
                             "  true,\n"
                             "  false,\n"
                             "  null,\n"
                             "  null\n"
                             "]\n");
    free(out);
}

static void test_nesting_layout(void **state) {
    (void)state;
    memout m;
    tl_jw *w = mo_open(&m);
    tl_jw_object_begin(w);
    tl_jw_kv_int(w, "version", 1);
    tl_jw_key(w, "tool");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "name", "tasklint");
    tl_jw_kv_bool(w, "ok", true);
    tl_jw_object_end(w);
    tl_jw_key(w, "empty_obj");
    tl_jw_object_begin(w);
    tl_jw_object_end(w);
    tl_jw_key(w, "empty_arr");
    tl_jw_array_begin(w);
    tl_jw_array_end(w);
    tl_jw_key(w, "list");
    tl_jw_array_begin(w);
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "k\"ey", "v");
    tl_jw_key(w, "deep");
    tl_jw_array_begin(w);
    tl_jw_array_begin(w);
    assert_int_equal(tl_jw_depth(w), 5);
    tl_jw_int(w, 3);
    tl_jw_array_end(w);
    tl_jw_array_end(w);
    tl_jw_object_end(w);
    tl_jw_string(w, "x");
    tl_jw_array_end(w);
    tl_jw_object_end(w);
    assert_int_equal(tl_jw_depth(w), 0);
    char *out = mo_finish(&m, w);
    assert_string_equal(out, "{\n"
                             "  \"version\": 1,\n"
                             "  \"tool\": {\n"
                             "    \"name\": \"tasklint\",\n"
                             "    \"ok\": true\n"
                             "  },\n"
                             "  \"empty_obj\": {},\n"
                             "  \"empty_arr\": [],\n"
                             "  \"list\": [\n"
                             "    {\n"
                             "      \"k\\\"ey\": \"v\",\n"
                             "      \"deep\": [\n"
                             "        [\n"
                             "          3\n"
                             "        ]\n"
                             "      ]\n"
                             "    },\n"
                             "    \"x\"\n"
                             "  ]\n"
                             "}\n");
    free(out);
}

static void test_deep_nesting(void **state) {
    (void)state;
    memout m;
    tl_jw *w = mo_open(&m);
    for (int i = 0; i < 100; i++) tl_jw_array_begin(w);
    for (int i = 0; i < 100; i++) tl_jw_array_end(w);
    char *out = mo_finish(&m, w);
    /* 100 '[' lines indented 0..99 levels, innermost "[]" */
    assert_true(strstr(out, "[[") == NULL);
    assert_non_null(strstr(out, "[]"));
    free(out);
}

static void test_write_error(void **state) {
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f) skip();
    setvbuf(f, NULL, _IONBF, 0);
    tl_jw *w = tl_jw_new(f);
    tl_jw_string(w, "x");
    assert_int_equal(tl_jw_finish(w), -1);
    fclose(f);
}

/* Misuse aborts (in every build type): run it in a child. */
typedef void (*misuse_fn)(tl_jw *w);

static void mis_value_without_key(tl_jw *w) {
    tl_jw_object_begin(w);
    tl_jw_int(w, 1);
}
static void mis_key_in_array(tl_jw *w) {
    tl_jw_array_begin(w);
    tl_jw_key(w, "k");
}
static void mis_two_keys(tl_jw *w) {
    tl_jw_object_begin(w);
    tl_jw_key(w, "a");
    tl_jw_key(w, "b");
}
static void mis_mismatched_end(tl_jw *w) {
    tl_jw_object_begin(w);
    tl_jw_array_end(w);
}
static void mis_dangling_key(tl_jw *w) {
    tl_jw_object_begin(w);
    tl_jw_key(w, "a");
    tl_jw_object_end(w);
}
static void mis_two_top_values(tl_jw *w) {
    tl_jw_int(w, 1);
    tl_jw_int(w, 2);
}
static void mis_unclosed(tl_jw *w) {
    tl_jw_array_begin(w);
    tl_jw_finish(w);
}
static void mis_end_at_top(tl_jw *w) { tl_jw_object_end(w); }
static void mis_empty_doc(tl_jw *w) { tl_jw_finish(w); }

static void expect_abort(misuse_fn fn) {
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *devnull = fopen("/dev/null", "w");
        if (!devnull || !freopen("/dev/null", "w", stderr)) _exit(3);
        tl_jw *w = tl_jw_new(devnull);
        fn(w);
        _exit(0); /* not reached if misuse was detected */
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
}

static void test_misuse_aborts(void **state) {
    (void)state;
    expect_abort(mis_value_without_key);
    expect_abort(mis_key_in_array);
    expect_abort(mis_two_keys);
    expect_abort(mis_mismatched_end);
    expect_abort(mis_dangling_key);
    expect_abort(mis_two_top_values);
    expect_abort(mis_unclosed);
    expect_abort(mis_end_at_top);
    expect_abort(mis_empty_doc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_utf8_passthrough),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_utf8_helpers),
        cmocka_unit_test(test_numbers_literals),
        cmocka_unit_test(test_nesting_layout),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_misuse_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
