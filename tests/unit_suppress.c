/* unit_suppress.c - tasklint-ignore comments on in-memory sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/suppress.h"

/* Scans src as "t.c", applies it to fs, reports problems into probs. */
static void run(const char *src, tl_findings *fs, tl_findings *probs, const bool *enabled) {
    tl_suppress_set s;
    tl_suppress_init(&s);
    tl_suppress_scan(&s, "t.c", src, strlen(src));
    tl_suppress_apply(&s, fs);
    tl_suppress_report(&s, enabled, probs);
    tl_suppress_free(&s);
}

static tl_finding *add(tl_findings *fs, const char *rule, unsigned line) {
    return tl_findings_add(fs, rule, TL_SEV_WARNING, "t.c", line, 5, NULL, "msg");
}

static bool has_problem(const tl_findings *p, unsigned line, const char *substr) {
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].line == line && strstr(p->items[i].message, substr) &&
            !strcmp(p->items[i].rule, "suppression"))
            return true;
    return false;
}

static void test_same_line(void **state) {
    (void)state;
    const char *src = "int a;\n"
                      "go(f()); // tasklint-ignore(orphaned-spawn): owned by the pool\n"
                      "go(g());\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "orphaned-spawn", 2);
    add(&fs, "orphaned-spawn", 3);
    add(&fs, "missing-timeout", 2);
    run(src, &fs, &p, NULL);
    assert_true(fs.items[0].suppressed);
    assert_false(fs.items[1].suppressed);
    assert_false(fs.items[2].suppressed); /* other rule */
    assert_int_equal(p.n, 0);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_next_line_and_block_comment(void **state) {
    (void)state;
    const char *src = "// tasklint-ignore-next-line(missing-timeout): shutdown wait\n"
                      "poll(p, 1, -1);\n"
                      "/* tasklint-ignore-next-line(missing-timeout, orphaned-spawn):\n"
                      "   a reason on the next line of the comment */\n"
                      "chrecv(c, -1);\n"
                      "x(); /* tasklint-ignore(*): anything goes */ y();\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "missing-timeout", 2);
    add(&fs, "missing-timeout", 5);
    add(&fs, "blocking-in-coroutine", 6);
    add(&fs, "missing-timeout", 4); /* the comment's own lines are not covered */
    run(src, &fs, &p, NULL);
    assert_true(fs.items[0].suppressed);
    assert_true(fs.items[1].suppressed);
    assert_true(fs.items[2].suppressed);
    assert_false(fs.items[3].suppressed);
    /* orphaned-spawn on line 3's directive suppressed nothing */
    assert_int_equal(p.n, 1);
    assert_true(has_problem(&p, 3, "unused suppression: no orphaned-spawn finding on the next line"));
    assert_int_equal(p.items[0].col, 4);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_begin_end_and_file(void **state) {
    (void)state;
    const char *src = "a();\n"                                                     /* 1 */
                      "// tasklint-ignore-begin(blocking-in-coroutine): startup\n" /* 2 */
                      "sleep(1);\n"                                                /* 3 */
                      "sleep(2);\n"                                                /* 4 */
                      "// tasklint-ignore-end\n"                                   /* 5 */
                      "sleep(3);\n"                                                /* 6 */
                      "/* tasklint-ignore-file(unawaited-task): legacy */\n";      /* 7 */
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "blocking-in-coroutine", 3);
    add(&fs, "blocking-in-coroutine", 4);
    add(&fs, "blocking-in-coroutine", 6);
    add(&fs, "unawaited-task", 1);
    add(&fs, "unawaited-task", 100);
    run(src, &fs, &p, NULL);
    assert_true(fs.items[0].suppressed);
    assert_true(fs.items[1].suppressed);
    assert_false(fs.items[2].suppressed);
    assert_true(fs.items[3].suppressed);
    assert_true(fs.items[4].suppressed);
    assert_int_equal(p.n, 0);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_unbalanced(void **state) {
    (void)state;
    const char *src = "// tasklint-ignore-end\n"
                      "// tasklint-ignore-begin(orphaned-spawn): no end\n"
                      "go(f());\n"
                      "go(g());\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "orphaned-spawn", 4);
    run(src, &fs, &p, NULL);
    assert_true(fs.items[0].suppressed); /* an open begin reaches the end of the file */
    assert_true(has_problem(&p, 1, "without a matching tasklint-ignore-begin"));
    assert_true(has_problem(&p, 2, "without a matching tasklint-ignore-end"));
    assert_int_equal(p.n, 2);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_unknown_rule_and_missing_reason(void **state) {
    (void)state;
    const char *src = "go(f()); // tasklint-ignore(orphaned-spawns): typo\n"
                      "go(g()); // tasklint-ignore(orphaned-spawn)\n"
                      "go(h()); // tasklint-ignore(orphaned-spawn):   \n"
                      "go(i()); // tasklint-ignore(clang-diagnostic, orphaned-spawn): x\n"
                      "go(j()); // tasklint-ignore(): x\n"
                      "go(k()); // tasklint-ignore(orphaned-spawn: x\n"
                      "go(l()); // tasklint-ignore: x\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    for (unsigned l = 1; l <= 7; l++) add(&fs, "orphaned-spawn", l);
    run(src, &fs, &p, NULL);
    assert_false(fs.items[0].suppressed);
    assert_true(fs.items[1].suppressed); /* still applies, but reported */
    assert_true(fs.items[2].suppressed);
    assert_true(fs.items[3].suppressed);
    assert_false(fs.items[4].suppressed);
    assert_false(fs.items[5].suppressed);
    assert_false(fs.items[6].suppressed);
    assert_true(has_problem(&p, 1, "unknown rule 'orphaned-spawns'"));
    assert_true(has_problem(&p, 1, "orphaned-spawn, unawaited-task, missing-timeout, "
                                   "blocking-in-coroutine"));
    assert_true(has_problem(&p, 2, "without a reason"));
    assert_true(has_problem(&p, 3, "without a reason"));
    assert_true(has_problem(&p, 4, "clang-diagnostic findings cannot be suppressed"));
    assert_true(has_problem(&p, 5, "empty rule list"));
    assert_true(has_problem(&p, 6, "expected ',' or ')'"));
    assert_true(has_problem(&p, 7, "malformed suppression"));
    assert_int_equal(p.n, 7);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_not_in_strings(void **state) {
    (void)state;
    const char *src = "puts(\"// tasklint-ignore(orphaned-spawn): no\"); go(f());\n"
                      "char c = '\"'; go(g()); // tasklint-ignore(orphaned-spawn): yes\n"
                      "puts(\"/* tasklint-ignore-file(*): no */\");\n"
                      "puts(\"esc \\\" // tasklint-ignore(orphaned-spawn): no\"); go(h());\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "orphaned-spawn", 1);
    add(&fs, "orphaned-spawn", 2);
    add(&fs, "orphaned-spawn", 4);
    run(src, &fs, &p, NULL);
    assert_false(fs.items[0].suppressed);
    assert_true(fs.items[1].suppressed);
    assert_false(fs.items[2].suppressed);
    assert_int_equal(p.n, 0);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_unused_and_disabled(void **state) {
    (void)state;
    const char *src = "a(); // tasklint-ignore(missing-timeout, orphaned-spawn): x\n"
                      "b(); // tasklint-ignore(*): nothing here\n"
                      "c(); // tasklint-ignore(unawaited-task): rule disabled\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "missing-timeout", 1);
    bool enabled[] = {true, false, true, true}; /* unawaited-task off */
    run(src, &fs, &p, enabled);
    assert_true(fs.items[0].suppressed);
    assert_true(has_problem(&p, 1, "no orphaned-spawn finding on this line"));
    assert_true(has_problem(&p, 2, "unused suppression: no finding on this line"));
    assert_int_equal(p.n, 2);
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_never_suppressed_rules_and_other_files(void **state) {
    (void)state;
    const char *src = "int x = ; // tasklint-ignore(*): try to hide a clang error\n";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    tl_findings_add(&fs, "clang-diagnostic", TL_SEV_ERROR, "t.c", 1, 9, NULL, "expected expression");
    tl_findings_add(&fs, "orphaned-spawn", TL_SEV_WARNING, "other.c", 1, 1, NULL, "m");
    run(src, &fs, &p, NULL);
    assert_false(fs.items[0].suppressed);
    assert_false(fs.items[1].suppressed);
    assert_true(has_problem(&p, 1, "unused suppression"));
    tl_findings_free(&fs);
    tl_findings_free(&p);
}

static void test_prose_and_edge_cases(void **state) {
    (void)state;
    /* the word in prose, an unterminated comment, a file without newline */
    const char *src = "/* see the tasklint-ignore docs */\n"
                      "// mytasklint-ignore(orphaned-spawn): not ours\n"
                      "go(f()); /* tasklint-ignore(orphaned-spawn): unterminated";
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    add(&fs, "orphaned-spawn", 2);
    add(&fs, "orphaned-spawn", 3);
    run(src, &fs, &p, NULL);
    assert_false(fs.items[0].suppressed);
    assert_true(fs.items[1].suppressed);
    assert_int_equal(p.n, 0);
    tl_findings_free(&fs);
    tl_findings_free(&p);

    tl_suppress_set s;
    tl_suppress_init(&s);
    tl_suppress_scan(&s, "e.c", "", 0);
    tl_suppress_scan(&s, "e.c", NULL, 0);
    assert_int_equal(s.n, 0);
    tl_suppress_free(&s);
    assert_false(tl_suppress_rule_suppressible("clang-diagnostic"));
    assert_false(tl_suppress_rule_suppressible("suppression"));
    assert_false(tl_suppress_rule_suppressible("analysis-limit"));
    assert_true(tl_suppress_rule_suppressible("orphaned-spawn"));
}

/* 20000 lines, each with a finding; every other line suppresses its own
 * rule, every fourth a rule it does not have; a range covers the last
 * hundred lines.  Each suppression is matched with its own line (one-line
 * ones are looked up by line, not tried against every finding). */
static void test_many_suppressions(void **state) {
    (void)state;
    enum { N = 20000 };
    size_t cap = (size_t)N * 80, len = 0;
    char *src = malloc(cap);
    for (unsigned line = 1; line <= N; line++) {
        const char *tail = line == N - 99 ? " // tasklint-ignore-begin(missing-timeout): legacy"
                           : line % 4 == 0 ? " // tasklint-ignore(unawaited-task): wrong rule"
                           : line % 2 == 0 ? " // tasklint-ignore(orphaned-spawn): owned by the pool"
                                           : "";
        len += (size_t)snprintf(src + len, cap - len, "go(f());%s\n", tail);
    }
    len += (size_t)snprintf(src + len, cap - len, "// tasklint-ignore-end\n");
    tl_findings fs, p;
    tl_findings_init(&fs);
    tl_findings_init(&p);
    for (unsigned line = 1; line <= N; line++) add(&fs, line > N - 100 ? "missing-timeout" : "orphaned-spawn", line);
    tl_suppress_set s;
    tl_suppress_init(&s);
    tl_suppress_scan(&s, "t.c", src, len);
    size_t count = tl_suppress_apply(&s, &fs);
    tl_suppress_report(&s, NULL, &p);
    /* suppressed: the even lines before the range that name orphaned-spawn
       (not multiples of 4), and the range's 100 lines */
    size_t want = 0;
    for (unsigned line = 1; line <= N - 100; line++) want += line % 2 == 0 && line % 4 != 0;
    assert_int_equal(count, want + 100);
    for (unsigned line = 1; line <= N; line++) {
        bool expect = line > N - 100 || (line % 2 == 0 && line % 4 != 0);
        assert_int_equal(fs.items[line - 1].suppressed, expect);
    }
    /* unused: the wrong-rule ones before the range, and the one-line
       suppressions inside it (their lines hold missing-timeout findings) */
    size_t unused = 0;
    for (unsigned line = 1; line <= N; line++)
        unused += line != N - 99 && line % 2 == 0 && (line % 4 == 0 || line > N - 100);
    assert_int_equal(p.n, unused);
    tl_suppress_free(&s);
    tl_findings_free(&fs);
    tl_findings_free(&p);
    free(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_suppressions),
        cmocka_unit_test(test_same_line),
        cmocka_unit_test(test_next_line_and_block_comment),
        cmocka_unit_test(test_begin_end_and_file),
        cmocka_unit_test(test_unbalanced),
        cmocka_unit_test(test_unknown_rule_and_missing_reason),
        cmocka_unit_test(test_not_in_strings),
        cmocka_unit_test(test_unused_and_disabled),
        cmocka_unit_test(test_never_suppressed_rules_and_other_files),
        cmocka_unit_test(test_prose_and_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
