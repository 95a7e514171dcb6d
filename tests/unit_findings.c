/* unit_findings.c - finding lists: add, notes, move, sort, dedup; registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report/finding.h"
#include "rules/rule.h"

static void test_add_copies_strings(void **state) {
    (void)state;
    tl_findings fs;
    tl_findings_init(&fs);
    char rule[] = "orphaned-spawn", file[] = "a.c", fn[] = "main", msg[] = "leak";
    tl_finding *f = tl_findings_add(&fs, rule, TL_SEV_WARNING, file, 3, 5, fn, msg);
    rule[0] = file[0] = fn[0] = msg[0] = 'X';
    assert_string_equal(f->rule, "orphaned-spawn");
    assert_string_equal(f->file, "a.c");
    assert_string_equal(f->function, "main");
    assert_string_equal(f->message, "leak");
    assert_int_equal(f->line, 3);
    assert_int_equal(f->col, 5);
    assert_false(f->suppressed);
    assert_null(f->snippet);
    tl_finding *g = tl_findings_add(&fs, "r", TL_SEV_ERROR, "b.c", 1, 1, NULL, "m");
    assert_null(g->function);
    assert_int_equal(fs.n, 2);
    tl_findings_free(&fs);
    assert_int_equal(fs.n, 0);
    assert_null(fs.items);
}

static void test_addf_notes_snippet(void **state) {
    (void)state;
    tl_findings fs;
    tl_findings_init(&fs);
    tl_finding *f = tl_findings_addf(&fs, "missing-timeout", TL_SEV_WARNING, "x.c", 10, 2, NULL,
                                     "%s() waits %d", "chrecv", -1);
    assert_string_equal(f->message, "chrecv() waits -1");
    tl_finding_add_note(f, "x.c", 4, 1, "declared here");
    tl_finding_add_note(f, NULL, 0, 0, "no location");
    assert_int_equal(f->nnotes, 2);
    assert_string_equal(f->notes[0].message, "declared here");
    assert_null(f->notes[1].file);
    tl_finding_set_snippet(f, "chrecv(ch, &v, sizeof v, -1)");
    tl_finding_set_snippet(f, "chrecv(ch)");
    assert_string_equal(f->snippet, "chrecv(ch)");
    tl_findings_free(&fs);
}

static void test_move(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    tl_findings_add(&a, "r", TL_SEV_WARNING, "a.c", 1, 1, NULL, "a1");
    for (int i = 0; i < 20; i++) tl_findings_addf(&b, "r", TL_SEV_WARNING, "b.c", i, 1, NULL, "b%d", i);
    tl_findings_move(&a, &b);
    assert_int_equal(a.n, 21);
    assert_int_equal(b.n, 0);
    assert_null(b.items);
    assert_string_equal(a.items[20].message, "b19");
    tl_findings_move(&a, &b); /* empty source */
    assert_int_equal(a.n, 21);
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_sort_and_dedup(void **state) {
    (void)state;
    tl_findings fs;
    tl_findings_init(&fs);
    tl_findings_add(&fs, "r2", TL_SEV_WARNING, "b.c", 1, 1, NULL, "m");
    tl_findings_add(&fs, "r1", TL_SEV_WARNING, "a.c", 10, 1, NULL, "m");
    tl_findings_add(&fs, "r1", TL_SEV_WARNING, "a.c", 2, 7, NULL, "m");
    tl_findings_add(&fs, "r1", TL_SEV_WARNING, "a.c", 2, 3, NULL, "z");
    tl_findings_add(&fs, "r0", TL_SEV_WARNING, "a.c", 2, 3, NULL, "z");
    tl_findings_add(&fs, "r1", TL_SEV_WARNING, "a.c", 2, 3, NULL, "a");
    /* an exact duplicate, suppressed: the kept one is unsuppressed */
    tl_finding *d = tl_findings_add(&fs, "r1", TL_SEV_WARNING, "a.c", 10, 1, NULL, "m");
    d->suppressed = true;
    /* same place, rule and message, different notes: one report (the first in
       sort order, which is the one without notes) */
    tl_finding *n = tl_findings_add(&fs, "r2", TL_SEV_WARNING, "b.c", 1, 1, NULL, "m");
    tl_finding_add_note(n, "b.c", 5, 1, "returns here");
    tl_findings_sort(&fs);
    assert_int_equal(fs.n, 6);
    const char *expect[][3] = {{"a.c", "r0", "z"}, {"a.c", "r1", "a"}, {"a.c", "r1", "z"},
                               {"a.c", "r1", "m"}, {"a.c", "r1", "m"}, {"b.c", "r2", "m"}};
    unsigned lines[] = {2, 2, 2, 2, 10, 1};
    unsigned cols[] = {3, 3, 3, 7, 1, 1};
    for (size_t i = 0; i < fs.n; i++) {
        assert_string_equal(fs.items[i].file, expect[i][0]);
        assert_string_equal(fs.items[i].rule, expect[i][1]);
        assert_string_equal(fs.items[i].message, expect[i][2]);
        assert_int_equal(fs.items[i].line, lines[i]);
        assert_int_equal(fs.items[i].col, cols[i]);
    }
    assert_false(fs.items[4].suppressed);
    assert_int_equal(fs.items[5].nnotes, 0);
    tl_findings_free(&fs);
}

static void test_sort_is_order_independent(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    for (int i = 0; i < 50; i++)
        tl_findings_addf(&a, i % 2 ? "x" : "y", TL_SEV_WARNING, "f.c", (unsigned)(i % 7), 1,
                         NULL, "m%d", i % 5);
    for (int i = 49; i >= 0; i--)
        tl_findings_addf(&b, i % 2 ? "x" : "y", TL_SEV_WARNING, "f.c", (unsigned)(i % 7), 1,
                         NULL, "m%d", i % 5);
    tl_findings_sort(&a);
    tl_findings_sort(&b);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.items[i].rule, b.items[i].rule);
        assert_string_equal(a.items[i].message, b.items[i].message);
        assert_int_equal(a.items[i].line, b.items[i].line);
    }
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_severity_names(void **state) {
    (void)state;
    assert_string_equal(tl_severity_name(TL_SEV_NOTE), "note");
    assert_string_equal(tl_severity_name(TL_SEV_WARNING), "warning");
    assert_string_equal(tl_severity_name(TL_SEV_ERROR), "error");
}

static void test_registry(void **state) {
    (void)state;
    assert_int_equal(tl_rule_count(), 4);
    const char *ids[] = {"orphaned-spawn", "unawaited-task", "missing-timeout",
                         "blocking-in-coroutine"};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(tl_rules[i]);
        assert_string_equal(tl_rules[i]->id, ids[i]);
        assert_ptr_equal(tl_rule_find(ids[i]), tl_rules[i]);
        assert_non_null(tl_rules[i]->summary);
        assert_non_null(tl_rules[i]->doc);
    }
    assert_null(tl_rules[4]);
    assert_null(tl_rule_find("clang-diagnostic"));
    assert_null(tl_rule_find(""));
    assert_null(tl_rule_find(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_copies_strings),
        cmocka_unit_test(test_addf_notes_snippet),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_sort_and_dedup),
        cmocka_unit_test(test_sort_is_order_independent),
        cmocka_unit_test(test_severity_names),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
