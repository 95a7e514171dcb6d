/* unit_term_escape.c - what text from the analysed tree looks like on a
 * terminal: control characters and invalid UTF-8 escaped, valid UTF-8 and
 * tabs kept, and the column widths the caret line relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/term_escape.h"

/* tl_term_write of n bytes, as a string */
static char *written(const char *s, size_t n) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    tl_term_write(m, s, n);
    fclose(m);
    return buf;
}

static void expect(const char *in, const char *want) {
    char *a = tl_term_escape(in);
    assert_string_equal(a, want);
    free(a);
    char *b = written(in, strlen(in));
    assert_string_equal(b, want);
    free(b);
}

static void test_plain_text_unchanged(void **state) {
    (void)state;
    expect("", "");
    expect("src/pool.c: thread 't' is never joined", "src/pool.c: thread 't' is never joined");
    expect("a\tb", "a\tb");
    expect("back\\slash", "back\\slash");
    assert_null(tl_term_escape(NULL));
}

static void test_controls_escaped(void **state) {
    (void)state;
    expect("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
    expect("\x1b]0;title\x07", "\\x1b]0;title\\x07");
    expect("line\nnext\r", "line\\x0anext\\x0d");
    expect("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
    expect("\b\f\v", "\\x08\\x0c\\x0b");
    /* an embedded NUL in a counted string */
    char *w = written("a\0b", 3);
    assert_string_equal(w, "a\\x00b");
    free(w);
}

static void test_valid_utf8_kept(void **state) {
    (void)state;
    expect("caf\xc3\xa9", "caf\xc3\xa9");                 /* é */
    expect("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
    expect("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");       /* U+1F600 */
    expect("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");       /* U+10FFFF */
    expect("\xc2\xa0", "\xc2\xa0");                       /* U+00A0, just past C1 */
}

static void test_invalid_utf8_escaped(void **state) {
    (void)state;
    expect("\xff", "\\xff");
    expect("\x80x", "\\x80x");                       /* stray continuation */
    expect("ab\xc3", "ab\\xc3");                     /* truncated at the end */
    expect("\xc3(", "\\xc3(");                       /* bad continuation */
    expect("\xc0\xaf", "\\xc0\\xaf");                /* overlong '/' */
    expect("\xe0\x80\xaf", "\\xe0\\x80\\xaf");       /* overlong, 3 bytes */
    expect("\xed\xa0\x80", "\\xed\\xa0\\x80");       /* a surrogate */
    expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* beyond U+10FFFF */
    expect("\xf5\x80", "\\xf5\\x80");
}

static void test_dangerous_codepoints(void **state) {
    (void)state;
    expect("\xc2\x9b" "31m", "\\u009b31m");     /* C1 CSI */
    expect("\xc2\x80", "\\u0080");
    expect("a\xe2\x80\xae" "b", "a\\u202eb");   /* RIGHT-TO-LEFT OVERRIDE */
    expect("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069"); /* isolates */
    expect("\xe2\x80\x8f", "\xe2\x80\x8f");     /* a plain RLM mark is kept */
}

static void test_units_and_columns(void **state) {
    (void)state;
    const char *s = "\t\x1b" "\xc3\xa9" "x\xff";
    size_t len = strlen(s);
    tl_term_unit u;
    tl_term_next(s, len, 0, &u);
    assert_int_equal(u.nbytes, 1);
    assert_false(u.escaped);
    assert_string_equal(u.shown, "\t");
    tl_term_next(s, len, 1, &u);
    assert_int_equal(u.nbytes, 1);
    assert_true(u.escaped);
    assert_int_equal(u.columns, 4);
    assert_string_equal(u.shown, "\\x1b");
    tl_term_next(s, len, 2, &u);
    assert_int_equal(u.nbytes, 2);
    assert_int_equal(u.columns, 1);
    assert_false(u.escaped);
    tl_term_next(s, len, 4, &u);
    assert_int_equal(u.columns, 1);
    tl_term_next(s, len, 5, &u);
    assert_int_equal(u.nbytes, 1);
    assert_int_equal(u.columns, 4);
    tl_term_next("\xe2\x80\xae", 3, 0, &u);
    assert_int_equal(u.nbytes, 3);
    assert_int_equal(u.columns, 6);
    /* a sequence cut short by the length given is invalid */
    tl_term_next("\xc3\xa9", 1, 0, &u);
    assert_true(u.escaped);
    assert_int_equal(u.nbytes, 1);
}

static void test_write_lines_keeps_newlines(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    const char *msgs = "tasklint: error: a\x1b[1m.c: gone\ntasklint: warning: \xff\r\n";
    tl_term_write_lines(m, msgs, strlen(msgs));
    fclose(m);
    assert_string_equal(buf, "tasklint: error: a\\x1b[1m.c: gone\ntasklint: warning: \\xff\\x0d\n");
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_unchanged), cmocka_unit_test(test_controls_escaped),
        cmocka_unit_test(test_valid_utf8_kept),      cmocka_unit_test(test_invalid_utf8_escaped),
        cmocka_unit_test(test_dangerous_codepoints), cmocka_unit_test(test_units_and_columns),
        cmocka_unit_test(test_write_lines_keeps_newlines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
