/* unit_output.c - text rendering on in-memory streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/text_output.h"

typedef struct {
    FILE *fp;
    char *buf;
    size_t len;
} memout;

static void mo_open(memout *m) {
    m->buf = NULL;
    m->len = 0;
    m->fp = open_memstream(&m->buf, &m->len);
    assert_non_null(m->fp);
}

static char *mo_close(memout *m) {
    fclose(m->fp);
    return m->buf;
}

static const char *SRC = "int main(void) {\n"
                         "    go(worker());\n"
                         "\tif (x)\tchrecv(ch, -1);\r\n"
                         "    s = \"\xc3\xa9t\xc3\xa9\"; f();\n";

static void test_plain_with_caret_and_notes(void **state) {
    (void)state;
    tl_source_cache *sc = tl_source_cache_new();
    tl_source_cache_put(sc, "t.c", SRC, strlen(SRC));
    tl_text_options o = {.color = false, .sources = sc};
    tl_findings fs;
    tl_findings_init(&fs);
    tl_finding *f = tl_findings_add(&fs, "orphaned-spawn", TL_SEV_WARNING, "t.c", 2, 5, "main",
                                    "coroutine handle is never closed");
    tl_finding_add_note(f, "t.c", 4, 1, "the handle leaks when returning here");
    memout m;
    mo_open(&m);
    size_t n = tl_text_print_findings(m.fp, &fs, &o);
    char *out = mo_close(&m);
    assert_int_equal(n, 1);
    assert_string_equal(out,
                        "t.c:2:5: warning: coroutine handle is never closed [orphaned-spawn]\n"
                        "    go(worker());\n"
                        "    ^\n"
                        "t.c:4:1: note: the handle leaks when returning here\n");
    free(out);
    tl_findings_free(&fs);
    tl_source_cache_free(sc);
}

static void test_tabs_crlf_utf8(void **state) {
    (void)state;
    tl_source_cache *sc = tl_source_cache_new();
    tl_source_cache_put(sc, "t.c", SRC, strlen(SRC));
    tl_text_options o = {.color = false, .sources = sc};
    tl_finding f;
    memset(&f, 0, sizeof f);
    f.rule = "missing-timeout";
    f.severity = TL_SEV_WARNING;
    f.file = "t.c";
    f.line = 3;
    f.col = 9; /* "\tif (x)\t" is 8 bytes: chrecv at byte column 9 */
    f.message = "waits forever";
    memout m;
    mo_open(&m);
    tl_text_print_finding(m.fp, &f, &o);
    char *out = mo_close(&m);
    assert_string_equal(out, "t.c:3:9: warning: waits forever [missing-timeout]\n"
                             "\tif (x)\tchrecv(ch, -1);\n"
                             "\t      \t^\n");
    free(out);

    /* a UTF-8 character is one column wide: f() at byte column 18 */
    f.line = 4;
    f.col = 18;
    mo_open(&m);
    tl_text_print_finding(m.fp, &f, &o);
    out = mo_close(&m);
    const char *caret = strrchr(out, '\n');
    assert_non_null(caret);
    /* "    s = "ete"; " is 15 characters wide */
    assert_non_null(strstr(out, "\n               ^\n"));
    free(out);
    tl_source_cache_free(sc);
}

/* Text from the tree is escaped everywhere (file names, the source line,
   message, notes) and the caret follows the escaped line: one column per
   character, four for \x1b, a tab under a tab. */
static void test_control_characters_escaped(void **state) {
    (void)state;
    static const char evil_src[] = "x = 1; /* \x1b[2J\xff\xc3\xa9 */\tgo(w());\n";
    tl_source_cache *sc = tl_source_cache_new();
    tl_source_cache_put(sc, "ev\x1b[31mil.c", evil_src, strlen(evil_src));
    for (int color = 0; color < 2; color++) {
        tl_text_options o = {.color = color, .sources = sc};
        tl_findings fs;
        tl_findings_init(&fs);
        /* 21 bytes precede go( (the comment 10 + ESC 1 + 3 + \xff 1 + e-acute 2 + 3,
           then the tab): byte column 22 */
        tl_finding *f = tl_findings_add(&fs, "orphaned-spawn", TL_SEV_WARNING, "ev\x1b[31mil.c", 1,
                                        22, "main", "handle 'h\x1b]0;x\x07' is never closed");
        tl_finding_add_note(f, "n\x7fote.c", 2, 1, "returns\nhere");
        memout m;
        mo_open(&m);
        tl_text_print_findings(m.fp, &fs, &o);
        char *out = mo_close(&m);
        if (!color) {
            assert_string_equal(
                out, "ev\\x1b[31mil.c:1:22: warning: handle 'h\\x1b]0;x\\x07' is never closed "
                     "[orphaned-spawn]\n"
                     "x = 1; /* \\x1b[2J\\xff\xc3\xa9 */\tgo(w());\n"
                     /* 10 + 4 + 3 + 4 + 1 + 3 = 25 columns, the tab, the caret */
                     "                         \t^\n"
                     "n\\x7fote.c:2:1: note: returns\\x0ahere\n");
        } else {
            /* the only ESC bytes are tasklint's colours: each starts "\x1b[" and
               ends with 'm' after digits and ';' */
            for (const char *p = strchr(out, 0x1b); p; p = strchr(p + 1, 0x1b)) {
                assert_int_equal(p[1], '[');
                size_t k = 2;
                while ((p[k] >= '0' && p[k] <= '9') || p[k] == ';') k++;
                assert_int_equal(p[k], 'm');
            }
            assert_non_null(strstr(out, "ev\\x1b[31mil.c"));
        }
        free(out);
        tl_findings_free(&fs);
    }
    tl_source_cache_free(sc);
}

static void test_color(void **state) {
    (void)state;
    tl_text_options o = {.color = true, .sources = NULL};
    tl_finding f;
    memset(&f, 0, sizeof f);
    f.rule = "clang-diagnostic";
    f.severity = TL_SEV_ERROR;
    f.file = "t.c";
    f.line = 1;
    f.col = 2;
    f.message = "expected ';'";
    memout m;
    mo_open(&m);
    tl_text_print_finding(m.fp, &f, &o);
    char *out = mo_close(&m);
    assert_non_null(strstr(out, "\033[1mt.c:1:2:\033[0m"));
    assert_non_null(strstr(out, "\033[1;31merror:"));
    assert_non_null(strstr(out, "[clang-diagnostic]"));
    free(out);

    f.severity = TL_SEV_WARNING;
    mo_open(&m);
    tl_text_print_finding(m.fp, &f, &o);
    out = mo_close(&m);
    assert_non_null(strstr(out, "\033[1;35mwarning:"));
    free(out);

    o.color = false;
    mo_open(&m);
    tl_text_print_finding(m.fp, &f, &o);
    out = mo_close(&m);
    assert_null(strchr(out, '\033'));
    free(out);
}

static void test_color_mode(void **state) {
    (void)state;
    tl_color_mode c;
    assert_int_equal(tl_color_mode_parse("always", &c), 0);
    assert_int_equal(c, TL_COLOR_ALWAYS);
    assert_int_equal(tl_color_mode_parse("never", &c), 0);
    assert_int_equal(c, TL_COLOR_NEVER);
    assert_int_equal(tl_color_mode_parse("auto", &c), 0);
    assert_int_equal(c, TL_COLOR_AUTO);
    assert_int_equal(tl_color_mode_parse("sometimes", &c), -1);
    /* a memory stream is never a terminal */
    memout m;
    mo_open(&m);
    unsetenv("NO_COLOR");
    assert_false(tl_color_enabled(TL_COLOR_AUTO, m.fp));
    assert_true(tl_color_enabled(TL_COLOR_ALWAYS, m.fp));
    assert_false(tl_color_enabled(TL_COLOR_NEVER, m.fp));
    setenv("NO_COLOR", "1", 1);
    assert_false(tl_color_enabled(TL_COLOR_AUTO, m.fp));
    assert_false(tl_color_enabled(TL_COLOR_ALWAYS, m.fp)); /* NO_COLOR wins */
    setenv("NO_COLOR", "", 1); /* empty means unset */
    assert_true(tl_color_enabled(TL_COLOR_ALWAYS, m.fp));
    setenv("NO_COLOR", "1", 1);
    free(mo_close(&m));
}

static void test_no_location_suppressed_and_missing_source(void **state) {
    (void)state;
    tl_text_options o = {.color = false, .sources = tl_source_cache_new()};
    tl_findings fs;
    tl_findings_init(&fs);
    tl_findings_add(&fs, "clang-diagnostic", TL_SEV_ERROR, "gone.c", 0, 0, NULL, "no line");
    tl_findings_add(&fs, "r", TL_SEV_WARNING, "gone.c", 7, 0, NULL, "no column");
    tl_findings_add(&fs, "r", TL_SEV_WARNING, "gone.c", 8, 3, NULL, "hidden")->suppressed = true;
    tl_findings_add(&fs, "r", TL_SEV_NOTE, "/nonexistent/x.c", 9999, 1, NULL, "unreadable");
    memout m;
    mo_open(&m);
    size_t n = tl_text_print_findings(m.fp, &fs, &o);
    char *out = mo_close(&m);
    assert_int_equal(n, 3);
    assert_string_equal(out, "gone.c: error: no line [clang-diagnostic]\n"
                             "gone.c:7: warning: no column [r]\n"
                             "/nonexistent/x.c:9999:1: note: unreadable [r]\n");
    free(out);
    tl_findings_free(&fs);
    tl_source_cache_free(o.sources);
}

static void test_source_cache_from_disk(void **state) {
    (void)state;
    char path[] = "/tmp/tl_unit_output_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("one\ntwo\nthree", fp);
    fclose(fp);
    tl_source_cache *sc = tl_source_cache_new();
    size_t len;
    const char *l = tl_source_cache_line(sc, path, 3, &len);
    assert_non_null(l);
    assert_int_equal(len, 5);
    assert_memory_equal(l, "three", 5);
    l = tl_source_cache_line(sc, path, 1, &len);
    assert_int_equal(len, 3);
    assert_null(tl_source_cache_line(sc, path, 4, &len));
    assert_null(tl_source_cache_line(sc, path, 0, &len));
    /* more files than the cache keeps: eviction must not break anything */
    for (int i = 0; i < 20; i++) {
        char name[64];
        snprintf(name, sizeof name, "/nonexistent/%d.c", i);
        assert_null(tl_source_cache_line(sc, name, 1, &len));
    }
    l = tl_source_cache_line(sc, path, 2, &len);
    assert_non_null(l);
    assert_memory_equal(l, "two", 3);
    tl_source_cache_free(sc);
    unlink(path);
}

static void test_summary(void **state) {
    (void)state;
    tl_summary s;
    tl_summary_init(&s);
    tl_findings fs;
    tl_findings_init(&fs);
    tl_findings_add(&fs, "r", TL_SEV_WARNING, "a.c", 1, 1, NULL, "m");
    tl_findings_add(&fs, "r", TL_SEV_WARNING, "a.c", 2, 1, NULL, "m");
    tl_findings_add(&fs, "clang-diagnostic", TL_SEV_ERROR, "b.h", 2, 1, NULL, "m");
    tl_findings_add(&fs, "r", TL_SEV_WARNING, "c.c", 2, 1, NULL, "m")->suppressed = true;
    tl_summary_add(&s, &fs);
    s.files_analysed = 5;
    memout m;
    mo_open(&m);
    tl_text_print_summary(m.fp, &s);
    char *out = mo_close(&m);
    assert_string_equal(out, "2 warnings and 1 error in 2 files (5 files analysed, 1 suppressed).\n");
    free(out);
    tl_summary_free(&s);
    tl_findings_free(&fs);

    tl_summary_init(&s);
    s.files_analysed = 1;
    mo_open(&m);
    tl_text_print_summary(m.fp, &s);
    out = mo_close(&m);
    assert_string_equal(out, "no findings (1 file analysed).\n");
    free(out);
    tl_summary_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_with_caret_and_notes),
        cmocka_unit_test(test_tabs_crlf_utf8),
        cmocka_unit_test(test_control_characters_escaped),
        cmocka_unit_test(test_color),
        cmocka_unit_test(test_color_mode),
        cmocka_unit_test(test_no_location_suppressed_and_missing_source),
        cmocka_unit_test(test_source_cache_from_disk),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
