/* unit_store.c - the findings store on real database files in temp
 * directories: schema and migrations, runs, TU recording, diff, baselines,
 * triage, incremental reuse and invalidation, corrupt / foreign / read-only
 * files. */
#include "store_test_util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store_sql_util.h"

#include "store/fingerprint.h"
#include "store/store.h"
#include "store/store_internal.h"

typedef struct {
    char *dir;
    char *db;
} fixture;

static int setup(void **state) {
    fixture *fx = tl_xcalloc(1, sizeof *fx);
    fx->dir = tu_mkdtemp();
    if (!fx->dir) return -1;
    fx->db = tl_xasprintf("%s/.tasklint/findings.db", fx->dir);
    tl_store__stamp_cache_clear();
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    tu_rmrf(fx->dir);
    free(fx->dir);
    free(fx->db);
    free(fx);
    return 0;
}

static tl_store *open_ok(const char *path) {
    tl_store_error e;
    tl_store *s = tl_store_open(path, true, &e);
    if (!s) fail_msg("open %s: %s", path, e.msg);
    assert_int_equal(e.status, TL_STORE_OK);
    return s;
}

static const tl_run_info info = {.tool_version = "0.1.0-test",
                                 .config_hash = "cfg",
                                 .git_commit = "abc123",
                                 .git_branch = "main",
                                 .command_line = "tasklint src",
                                 .root = "/proj"};

static int64_t begin(tl_store *s) {
    tl_store_error e;
    int64_t r = tl_store_run_begin(s, &info, &e);
    if (r <= 0) fail_msg("run_begin: %s", e.msg);
    return r;
}

static void finish(tl_store *s, int64_t run, bool complete) {
    tl_store_error e;
    if (tl_store_run_finish(s, run, complete, &e) != 0) fail_msg("run_finish: %s", e.msg);
}

static void record(tl_store *s, int64_t run, const char *key, const char *main_file,
                   const tl_file_stamp *st, size_t nst, const tl_findings *fs, int64_t reused) {
    tl_store_error e;
    if (tl_store_record_tu(s, run, key, main_file, st, nst, fs, reused, &e) != 0)
        fail_msg("record_tu: %s", e.msg);
}

/* A few findings in one file, fingerprinted, one with notes. */
static void sample_findings(tl_findings *fs, const char *file, int n, const char *tag) {
    for (int i = 0; i < n; i++) {
        char fn[32], snip[64];
        snprintf(fn, sizeof fn, "fn_%s_%d", tag, i);
        snprintf(snip, sizeof snip, "poll(&p%d, 1, -1)", i);
        tl_finding *f = tl_findings_addf(fs, i % 2 ? "missing-timeout" : "orphaned-spawn",
                                         TL_SEV_WARNING, file, (unsigned)(10 + i), 3, fn,
                                         "finding %d of %s", i, tag);
        tl_finding_set_snippet(f, snip);
        if (i == 0) {
            tl_finding_add_note_before(f, file, 4, 2, "thread created here");
            tl_finding_add_note(f, NULL, 0, 0, "no location");
            tl_finding_add_note(f, "/proj/include/x.h", 7, 1, "declared in a header");
        }
    }
    tl_fingerprint_findings(fs, "/proj");
}

static void assert_same_findings(const tl_findings *a, const tl_findings *b) {
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const tl_finding *x = &a->items[i], *y = &b->items[i];
        assert_string_equal(x->rule, y->rule);
        assert_int_equal(x->severity, y->severity);
        assert_string_equal(x->file, y->file);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->col, y->col);
        if (x->function || y->function) assert_string_equal(x->function, y->function);
        assert_string_equal(x->message, y->message);
        if (x->snippet || y->snippet) assert_string_equal(x->snippet, y->snippet);
        if (x->fingerprint || y->fingerprint) assert_string_equal(x->fingerprint, y->fingerprint);
        assert_int_equal(x->suppressed, y->suppressed);
        assert_int_equal(x->nnotes, y->nnotes);
        for (size_t k = 0; k < x->nnotes; k++) {
            if (x->notes[k].file || y->notes[k].file)
                assert_string_equal(x->notes[k].file, y->notes[k].file);
            assert_int_equal(x->notes[k].line, y->notes[k].line);
            assert_int_equal(x->notes[k].col, y->notes[k].col);
            assert_string_equal(x->notes[k].message, y->notes[k].message);
            assert_int_equal(x->notes[k].before, y->notes[k].before);
        }
    }
}

/* ---- schema ---- */

static void test_schema_created(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db); /* creates .tasklint/ too */
    tl_store_close(s);
    assert_int_equal(tu_sql_int(fx->db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
    assert_int_equal(tu_sql_int(fx->db, "PRAGMA user_version"), 3);
    /* the .tasklint/ directory it made ignores itself in git */
    char *gi = tl_xasprintf("%s/.tasklint/.gitignore", fx->dir);
    size_t gn = 0;
    char *gtext = tu_slurp(gi, &gn);
    assert_non_null(gtext);
    assert_non_null(memchr(gtext, '*', gn));
    free(gtext);
    free(gi);
    static const char *const tables[] = {"runs",     "tus",           "filesets",  "fileset_files",
                                         "findings", "finding_notes", "baselines", "triage"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *q = tl_xasprintf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name = '%s'",
                               tables[i]);
        assert_int_equal(tu_sql_int(fx->db, q), 1);
        free(q);
    }
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                     "AND name = 'tus_key'"),
                     1);
    /* the files each run analysed, as the issue names them */
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM sqlite_master WHERE type = 'view' "
                                     "AND name = 'files'"),
                     1);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(h);
    /* reopening an up-to-date database changes nothing */
    s = open_ok(fx->db);
    tl_store_close(s);
    assert_int_equal(tu_sql_int(fx->db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
}

/* A store of schema 1 (before whole-program runs) is migrated in place: its
 * runs stay, the units table and the runs' program column appear; units
 * and program digests round-trip. */
static void test_migration_from_v1_and_units(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    int64_t run = begin(s);
    finish(s, run, true);
    tl_store_close(s);
    tu_sql_exec(fx->db, "DROP TABLE tu_units; ALTER TABLE runs DROP COLUMN program;"
                        " ALTER TABLE finding_notes DROP COLUMN before; PRAGMA user_version = 1;");
    assert_int_equal(tu_sql_int(fx->db, "PRAGMA user_version"), 1);
    s = open_ok(fx->db);
    assert_int_equal(tu_sql_int(fx->db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM runs"), 1);
    tl_store_error e;
    assert_int_equal(tl_store_save_unit(s, "/p/a.c", "k1", "i1", "abc", 3, &e), 0);
    assert_int_equal(tl_store_save_unit(s, "/p/b.c", "k2", "i2", "de", 2, &e), 0);
    assert_int_equal(tl_store_save_unit(s, "/p/a.c", "k3", "i3", "fghi", 4, &e), 0); /* replaces a.c's */
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM tu_units"), 2);
    assert_null(tl_store_run_program(s, run, &e));
    assert_int_equal(tl_store_run_set_program(s, run, "digest-1", &e), 0);
    char *d = tl_store_run_program(s, run, &e);
    assert_string_equal(d, "digest-1");
    free(d);
    tl_store_close(s);
}

/* A store of schema 2 keeps its notes across the migration to 3: each reads
 * as a step after its finding (tl_note.before), as they were shown. */
static void test_migration_from_v2_keeps_notes(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    int64_t run = begin(s);
    tl_findings a;
    tl_findings_init(&a);
    sample_findings(&a, "/proj/a.c", 1, "a");
    record(s, run, "ka", "/proj/a.c", NULL, 0, &a, 0);
    finish(s, run, true);
    tl_store_close(s);
    tu_sql_exec(fx->db, "ALTER TABLE finding_notes DROP COLUMN before; PRAGMA user_version = 2;");
    s = open_ok(fx->db);
    assert_int_equal(tu_sql_int(fx->db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
    tl_findings got;
    tl_findings_init(&got);
    tl_store_error e;
    assert_int_equal(tl_store_run_findings(s, run, &got, &e), 0);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.items[0].nnotes, 3);
    for (size_t k = 0; k < 3; k++) assert_false(got.items[0].notes[k].before);
    assert_string_equal(got.items[0].notes[0].message, "thread created here");
    tl_findings_free(&got);
    tl_findings_free(&a);
    tl_store_close(s);
}

static void test_migration_from_v0(void **state) {
    fixture *fx = *state;
    char *db = tl_xasprintf("%s/old.db", fx->dir);
    /* a version 0 database with nothing in it (a database with tables of
       its own is another program's: unit_store_foreign.c) */
    tu_sql_exec(db, "CREATE TABLE t(x); DROP TABLE t;");
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    assert_true(st.st_size > 0);
    assert_int_equal(tu_sql_int(db, "PRAGMA user_version"), 0);
    tl_store *s = open_ok(db);
    int64_t run = begin(s);
    finish(s, run, true);
    tl_store_close(s);
    assert_int_equal(tu_sql_int(db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM runs"), 1);
    free(db);

    /* an empty (0-byte) file is a new database */
    db = tl_xasprintf("%s/empty.db", fx->dir);
    tu_write(db, "");
    s = open_ok(db);
    tl_store_close(s);
    assert_int_equal(tu_sql_int(db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
    free(db);
}

static void test_refuses_newer(void **state) {
    fixture *fx = *state;
    char *db = tl_xasprintf("%s/new.db", fx->dir);
    tu_sql_exec(db, "PRAGMA application_id = 1414286932; CREATE TABLE runs(id INTEGER PRIMARY KEY);"
                 "PRAGMA user_version = 7;");
    size_t n0, n1;
    char *before = tu_slurp(db, &n0);
    tl_store_error e;
    tl_store *s = tl_store_open(db, true, &e);
    assert_null(s);
    assert_int_equal(e.status, TL_STORE_E_NEWER);
    assert_non_null(strstr(e.msg, db));
    assert_non_null(strstr(e.msg, "newer"));
    assert_non_null(strstr(e.msg, "7"));
    char *after = tu_slurp(db, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    /* another application's database is not ours either */
    char *other = tl_xasprintf("%s/other.db", fx->dir);
    tu_sql_exec(other, "PRAGMA application_id = 42; CREATE TABLE t(x);");
    s = tl_store_open(other, true, &e);
    assert_null(s);
    assert_int_equal(e.status, TL_STORE_E_FOREIGN);
    free(other);
    /* our version number without our tables */
    char *fake = tl_xasprintf("%s/fake.db", fx->dir);
    tu_sql_exec(fake, "PRAGMA application_id = 1414286932; CREATE TABLE runs(id INTEGER PRIMARY KEY);"
                   "PRAGMA user_version = 1;");
    s = tl_store_open(fake, true, &e);
    assert_null(s);
    assert_int_equal(e.status, TL_STORE_E_NOT_SQLITE);
    assert_non_null(strstr(e.msg, "lacks tasklint's tables"));
    free(fake);
    /* without `create`, a missing database is reported */
    char *missing = tl_xasprintf("%s/nope/x.db", fx->dir);
    s = tl_store_open(missing, false, &e);
    assert_null(s);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    assert_int_equal(access(missing, F_OK), -1);
    free(missing);
    free(db);
}

/* ---- runs ---- */

static void test_runs(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    tl_store_error e;
    assert_int_equal(tl_store_last_complete_run(s, 0), 0);
    int64_t r1 = begin(s);
    tl_findings fs;
    tl_findings_init(&fs);
    sample_findings(&fs, "/proj/a.c", 5, "a");
    record(s, r1, "key-a", "/proj/a.c", NULL, 0, &fs, 0);
    tl_findings_free(&fs);
    sample_findings(&fs, "/proj/b.c", 2, "b");
    fs.items[1].suppressed = true; /* not counted */
    record(s, r1, "key-b", "/proj/b.c", NULL, 0, &fs, 0);
    tl_findings_free(&fs);
    finish(s, r1, true);
    int64_t r2 = begin(s);
    finish(s, r2, false);
    int64_t r3 = begin(s);
    record(s, r3, "key-a", "/proj/a.c", NULL, 0, NULL, r1);
    finish(s, r3, true);
    int64_t r4 = begin(s); /* still running, by this live process */

    tl_run *runs;
    size_t n;
    assert_int_equal(tl_store_runs(s, 0, &runs, &n, &e), 0);
    assert_int_equal(n, 4);
    assert_int_equal(runs[0].id, r4);
    assert_int_equal(runs[0].status, TL_RUN_RUNNING);
    assert_int_equal(runs[1].id, r3);
    assert_int_equal(runs[1].status, TL_RUN_COMPLETE);
    assert_int_equal(runs[1].nfiles, 1);
    assert_int_equal(runs[1].nreused, 1);
    assert_int_equal(runs[2].status, TL_RUN_FAILED);
    assert_int_equal(runs[3].id, r1);
    assert_int_equal(runs[3].nfindings, 6);
    assert_int_equal(runs[3].nfiles, 2);
    assert_int_equal(runs[3].nreused, 0);
    assert_string_equal(runs[3].tool_version, "0.1.0-test");
    assert_string_equal(runs[3].git_branch, "main");
    assert_string_equal(runs[3].command_line, "tasklint src");
    assert_int_equal(strlen(runs[3].started), 20); /* 2024-05-01T10:20:30Z */
    assert_int_equal(runs[3].started[10], 'T');
    assert_true(runs[3].finished[0] != '\0');
    assert_true(runs[0].finished[0] == '\0');
    tl_runs_free(runs, n);
    assert_int_equal(tl_store_runs(s, 2, &runs, &n, &e), 0);
    assert_int_equal(n, 2);
    tl_runs_free(runs, n);

    char **rules;
    int *counts;
    assert_int_equal(tl_store_run_rule_counts(s, r1, &rules, &counts, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rules[0], "missing-timeout");
    assert_int_equal(counts[0], 2); /* 1, 3 of a; b's is suppressed */
    assert_string_equal(rules[1], "orphaned-spawn");
    assert_int_equal(counts[1], 4); /* 0, 2, 4 of a; 0 of b */
    for (size_t i = 0; i < n; i++) free(rules[i]);
    free(rules);
    free(counts);
    assert_int_equal(tl_store_run_rule_counts(s, 999, &rules, &counts, &n, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);

    assert_int_equal(tl_store_last_complete_run(s, 0), r3);
    assert_int_equal(tl_store_last_complete_run(s, r3), r1);
    assert_int_equal(tl_store_last_complete_run(s, r1), 0);
    assert_int_equal(tl_store_run_finish(s, 999, true, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    finish(s, r4, true);
    tl_store_close(s);
}

/* ---- recording and reading back ---- */

static void test_record_roundtrip(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    tl_store_error e;
    int64_t run = begin(s);
    tl_findings a, b, all;
    tl_findings_init(&a);
    tl_findings_init(&b);
    tl_findings_init(&all);
    sample_findings(&a, "/proj/a.c", 4, "a");
    tl_findings_add(&b, "clang-diagnostic", TL_SEV_ERROR, "/proj/b.c", 1, 1, NULL,
                    "tab\there, newline\nthere, quote ' and unicode \xc3\xa9");
    b.items[0].suppressed = true;
    tl_fingerprint_findings(&b, "/proj");
    record(s, run, "ka", "/proj/a.c", NULL, 0, &a, 0);
    record(s, run, "kb", "/proj/b.c", NULL, 0, &b, 0);
    record(s, run, "kc", "/proj/c.c", NULL, 0, NULL, 0); /* a TU without findings */
    finish(s, run, true);
    for (size_t i = 0; i < a.n; i++) tl_findings_add_copy(&all, &a.items[i]);
    tl_findings_add_copy(&all, &b.items[0]);

    tl_findings got;
    tl_findings_init(&got);
    assert_int_equal(tl_store_run_findings(s, run, &got, &e), 0);
    assert_same_findings(&all, &got);
    assert_int_equal(got.items[0].nnotes, 3);
    assert_true(got.items[0].notes[0].before);
    assert_false(got.items[0].notes[1].before);
    assert_null(got.items[0].notes[1].file);
    assert_int_equal(got.items[4].severity, TL_SEV_ERROR);
    assert_null(got.items[4].function);
    tl_findings_free(&got);
    /* reading a run that does not exist */
    assert_int_equal(tl_store_run_findings(s, 77, &got, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    assert_int_equal(got.n, 0);
    tl_findings_free(&a);
    tl_findings_free(&b);
    tl_findings_free(&all);
    tl_store_close(s);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM finding_notes"), 3);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM tus"), 3);
}

/* ---- diff ---- */

static tl_finding *fp_finding(tl_findings *fs, const char *fp, unsigned line) {
    tl_finding *f = tl_findings_add(fs, "r", TL_SEV_WARNING, "/p/a.c", line, 1, "f", "m");
    tl_finding_set_fingerprint(f, fp);
    return f;
}

static void test_diff(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    fp_finding(&a, "x", 1);
    fp_finding(&a, "y", 2);
    fp_finding(&a, "y", 3); /* a second occurrence of y */
    fp_finding(&a, "w", 4);
    fp_finding(&b, "y", 20);
    fp_finding(&b, "z", 21);
    fp_finding(&b, "w", 22);
    fp_finding(&b, "z", 23);
    tl_diff d;
    tl_diff_compute(&a, &b, &d);
    assert_int_equal(d.added.n, 2);
    assert_string_equal(d.added.items[0].fingerprint, "z");
    assert_int_equal(d.added.items[0].line, 21);
    assert_int_equal(d.added.items[0].baseline_state, TL_BASELINE_NEW);
    assert_int_equal(d.unchanged.n, 2);
    assert_int_equal(d.unchanged.items[0].line, 20); /* B's copy, in B's order */
    assert_int_equal(d.unchanged.items[1].line, 22);
    assert_int_equal(d.unchanged.items[0].baseline_state, TL_BASELINE_UNCHANGED);
    assert_int_equal(d.fixed.n, 2);
    assert_string_equal(d.fixed.items[0].fingerprint, "x");
    assert_string_equal(d.fixed.items[1].fingerprint, "y"); /* one y is gone */
    assert_int_equal(d.fixed.items[1].line, 3);
    assert_int_equal(d.fixed.items[0].baseline_state, TL_BASELINE_ABSENT);
    tl_diff_free(&d);
    /* against nothing */
    tl_findings none;
    tl_findings_init(&none);
    tl_diff_compute(&none, &b, &d);
    assert_int_equal(d.added.n, 4);
    assert_int_equal(d.fixed.n + d.unchanged.n, 0);
    tl_diff_free(&d);
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_diff_between_runs(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    tl_store_error e;
    tl_findings f1, f2;
    tl_findings_init(&f1);
    tl_findings_init(&f2);
    sample_findings(&f1, "/proj/a.c", 3, "a");
    /* the next run: a new function with a finding above the others, one fixed */
    tl_finding *n = tl_findings_add(&f2, "missing-timeout", TL_SEV_WARNING, "/proj/a.c", 2, 1,
                                    "fresh", "new wait");
    tl_finding_set_snippet(n, "chrecv(ch, &v, 4, -1)");
    for (size_t i = 0; i < 2; i++) {
        tl_finding *c = tl_findings_add_copy(&f2, &f1.items[i]);
        c->line += 5;
    }
    tl_fingerprint_findings(&f2, "/proj");
    int64_t r1 = begin(s);
    record(s, r1, "k", "/proj/a.c", NULL, 0, &f1, 0);
    finish(s, r1, true);
    int64_t r2 = begin(s);
    record(s, r2, "k", "/proj/a.c", NULL, 0, &f2, 0);
    finish(s, r2, true);
    int64_t b = tl_store_last_complete_run(s, 0), a = tl_store_last_complete_run(s, b);
    assert_int_equal(a, r1);
    assert_int_equal(b, r2);
    tl_findings fa, fb;
    tl_findings_init(&fa);
    tl_findings_init(&fb);
    assert_int_equal(tl_store_run_findings(s, a, &fa, &e), 0);
    assert_int_equal(tl_store_run_findings(s, b, &fb, &e), 0);
    tl_diff d;
    tl_diff_compute(&fa, &fb, &d);
    assert_int_equal(d.added.n, 1);
    assert_string_equal(d.added.items[0].function, "fresh");
    assert_int_equal(d.fixed.n, 1);
    assert_string_equal(d.fixed.items[0].function, "fn_a_2");
    assert_int_equal(d.unchanged.n, 2);
    tl_diff_free(&d);
    tl_findings_free(&fa);
    tl_findings_free(&fb);
    tl_findings_free(&f1);
    tl_findings_free(&f2);
    tl_store_close(s);
}

/* ---- baselines ---- */

static void test_baselines(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    tl_store_error e;
    tl_findings fs;
    tl_findings_init(&fs);
    sample_findings(&fs, "/proj/src/a.c", 6, "a");
    fs.items[5].suppressed = true; /* not in the baseline */
    int64_t r1 = begin(s);
    record(s, r1, "k", "/proj/src/a.c", NULL, 0, &fs, 0);
    finish(s, r1, true);
    int64_t r2 = begin(s);
    finish(s, r2, false);

    assert_int_equal(tl_store_baseline_run(s, "main"), 0);
    assert_int_equal(tl_store_baseline_set(s, "main", r1, &e), 0);
    assert_int_equal(tl_store_baseline_run(s, "main"), r1);
    assert_int_equal(tl_store_baseline_set(s, "main", r2, &e), -1); /* failed run */
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    assert_int_equal(tl_store_baseline_set(s, "main", 42, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    assert_int_equal(tl_store_baseline_run(s, "main"), r1);
    int64_t r3 = begin(s);
    finish(s, r3, true);
    assert_int_equal(tl_store_baseline_set(s, "main", r3, &e), 0); /* replaced */
    assert_int_equal(tl_store_baseline_run(s, "main"), r3);
    assert_int_equal(tl_store_baseline_set(s, "release", r1, &e), 0);
    assert_int_equal(tl_store_baseline_run(s, "release"), r1);

    /* triage travels with the exported file */
    assert_int_equal(tl_store_triage_set(s, fs.items[2].fingerprint, TL_TRIAGE_INTENTIONAL,
                                         "we wait\tforever on purpose", &e),
                     0);

    char *file = tl_xasprintf("%s/baseline.txt", fx->dir);
    assert_int_equal(tl_store_baseline_export(s, r1, file, &e), 0);
    size_t n1;
    char *text = tu_slurp(file, &n1);
    assert_non_null(text);
    char *tmp = tl_xasprintf("%s.tmp", file);
    assert_int_equal(access(tmp, F_OK), -1);
    free(tmp);
    /* header, then 5 lines sorted by fingerprint */
    char *hdr = tl_xasprintf("# tasklint baseline v1: run %lld, ", (long long)r1);
    assert_memory_equal(text, hdr, strlen(hdr));
    free(hdr);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_memory_equal(nl - strlen(", 5 findings"), ", 5 findings", strlen(", 5 findings"));
    const char *prev = "";
    int nlines = 0;
    char *copy = tl_xstrndup(text, n1);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        assert_true(strcmp(prev, line) < 0);
        prev = line;
        nlines++;
        assert_non_null(strstr(line, "\tsrc/a.c\t")); /* relative to the run's root */
    }
    assert_int_equal(nlines, 5);
    assert_non_null(strstr(text, "\tintentional\twe wait\\tforever on purpose\n"));
    free(copy);

    tl_findings back;
    tl_findings_init(&back);
    char msg[256];
    assert_int_equal(tl_baseline_file_read(file, &back, msg, sizeof msg), 0);
    assert_int_equal(back.n, 5);
    int triaged = 0;
    for (size_t i = 0; i < back.n; i++) {
        bool found = false;
        for (size_t k = 0; k < 5; k++)
            if (strcmp(back.items[i].fingerprint, fs.items[k].fingerprint) == 0) {
                found = true;
                assert_string_equal(back.items[i].rule, fs.items[k].rule);
                assert_string_equal(back.items[i].function, fs.items[k].function);
                assert_string_equal(back.items[i].file, "src/a.c");
            }
        assert_true(found);
        if (back.items[i].triage == TL_TRIAGE_INTENTIONAL) {
            triaged++;
            assert_string_equal(back.items[i].triage_reason, "we wait\tforever on purpose");
        }
    }
    assert_int_equal(triaged, 1);
    tl_findings_free(&back);

    /* re-export: byte-identical */
    assert_int_equal(tl_store_baseline_export(s, r1, file, &e), 0);
    size_t n2;
    char *again = tu_slurp(file, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(text, again, n1);
    free(again);
    free(text);

    /* export of an unknown run */
    assert_int_equal(tl_store_baseline_export(s, 99, file, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    free(file);
    tl_findings_free(&fs);
    tl_store_close(s);
}

static void expect_bad_baseline(const char *dir, const char *text, const char *want) {
    char *file = tl_xasprintf("%s/bad.txt", dir);
    tu_write(file, text);
    tl_findings out;
    tl_findings_init(&out);
    char msg[512];
    assert_int_equal(tl_baseline_file_read(file, &out, msg, sizeof msg), -1);
    assert_int_equal(out.n, 0);
    if (!strstr(msg, want)) fail_msg("message '%s' lacks '%s'", msg, want);
    assert_non_null(strstr(msg, file));
    tl_findings_free(&out);
    free(file);
}

static void test_baseline_file_errors(void **state) {
    fixture *fx = *state;
    const char *fp = "0123456789abcdef0123456789abcdef";
    char *ok = tl_xasprintf("# tasklint baseline v1: run 1, x, 1 findings\r\n"
                            "\n# a comment\n%s\trule\tsrc/a.c\t-\t-\n",
                            fp);
    char *file = tl_xasprintf("%s/ok.txt", fx->dir);
    tu_write(file, ok);
    tl_findings out;
    tl_findings_init(&out);
    char msg[512];
    assert_int_equal(tl_baseline_file_read(file, &out, msg, sizeof msg), 0);
    assert_int_equal(out.n, 1);
    assert_null(out.items[0].function);
    assert_int_equal(out.items[0].triage, TL_TRIAGE_NONE);
    tl_findings_free(&out);
    free(file);
    free(ok);

    expect_bad_baseline(fx->dir, "int main(void) { return 0; }\n", ":1: not a tasklint baseline");
    expect_bad_baseline(fx->dir, "# tasklint baseline v2: run 1\n", ":1: baseline format v2");
    expect_bad_baseline(fx->dir, "", "empty file");
    char *t = tl_xasprintf("# tasklint baseline v1: run 1\n%s\trule\tsrc/a.c\tf\t-\n"
                           "%s\trule\tsrc/a.c\n",
                           fp, fp);
    expect_bad_baseline(fx->dir, t, ":3: expected 5 or 6 tab-separated fields");
    free(t);
    expect_bad_baseline(fx->dir, "# tasklint baseline v1\nXYZ\trule\tp\tf\t-\n",
                        ":2: 'XYZ' is not a fingerprint");
    t = tl_xasprintf("# tasklint baseline v1\n%s\trule\tp\tf\twontfix\n", fp);
    expect_bad_baseline(fx->dir, t, ":2: unknown triage state 'wontfix'");
    free(t);
    t = tl_xasprintf("# tasklint baseline v1\n%s\trule\tp\tf\t-\tbecause\n", fp);
    expect_bad_baseline(fx->dir, t, ":2: a reason without a triage state");
    free(t);
    t = tl_xasprintf("# tasklint baseline v1\n%s\trule\tp\\q\tf\t-\n", fp);
    expect_bad_baseline(fx->dir, t, ":2: field 3 has an unknown backslash escape");
    free(t);
    char *missing = tl_xasprintf("%s/none.txt", fx->dir);
    assert_int_equal(tl_baseline_file_read(missing, &out, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "cannot read"));
    free(missing);
}

/* ---- triage ---- */

static void test_triage(void **state) {
    fixture *fx = *state;
    tl_store *s = open_ok(fx->db);
    tl_store_error e;
    tl_findings fs;
    tl_findings_init(&fs);
    sample_findings(&fs, "/proj/a.c", 3, "a");
    int64_t run = begin(s);
    record(s, run, "k", "/proj/a.c", NULL, 0, &fs, 0);
    finish(s, run, true);
    const char *fp0 = fs.items[0].fingerprint, *fp1 = fs.items[1].fingerprint;

    assert_int_equal(tl_store_triage_set(s, fp0, TL_TRIAGE_FALSE_POSITIVE, "", &e), -1);
    assert_non_null(strstr(e.msg, "reason"));
    assert_int_equal(tl_store_triage_set(s, fp0, TL_TRIAGE_FALSE_POSITIVE, "  \t", &e), -1);
    assert_int_equal(tl_store_triage_set(s, fp0, TL_TRIAGE_FALSE_POSITIVE, NULL, &e), -1);
    assert_int_equal(
        tl_store_triage_set(s, "ffffffffffffffffffffffffffffffff", TL_TRIAGE_CONFIRMED, "x", &e),
        -1);
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    assert_int_equal(tl_store_triage_set(s, fp0, TL_TRIAGE_FALSE_POSITIVE, "joined in pool_stop",
                                         &e),
                     0);
    assert_int_equal(tl_store_triage_set(s, fp1, TL_TRIAGE_CONFIRMED, "bug 123", &e), 0);

    /* applied to a later run's findings (fresh copies without triage) */
    tl_findings later;
    tl_findings_init(&later);
    for (size_t i = 0; i < fs.n; i++) tl_findings_add_copy(&later, &fs.items[i]);
    tl_findings_add(&later, "r", TL_SEV_WARNING, "/proj/z.c", 1, 1, NULL, "no fingerprint");
    assert_int_equal(tl_store_triage_apply(s, &later, &e), 0);
    assert_int_equal(later.items[0].triage, TL_TRIAGE_FALSE_POSITIVE);
    assert_string_equal(later.items[0].triage_reason, "joined in pool_stop");
    assert_int_equal(later.items[1].triage, TL_TRIAGE_CONFIRMED);
    assert_int_equal(later.items[2].triage, TL_TRIAGE_NONE);
    assert_int_equal(later.items[3].triage, TL_TRIAGE_NONE);

    /* update: the newest decision wins */
    assert_int_equal(tl_store_triage_set(s, fp0, TL_TRIAGE_INTENTIONAL, "by design", &e), 0);
    assert_int_equal(tl_store_triage_apply(s, &later, &e), 0);
    assert_int_equal(later.items[0].triage, TL_TRIAGE_INTENTIONAL);
    assert_string_equal(later.items[0].triage_reason, "by design");
    /* and the store's own findings carry it */
    tl_findings got;
    tl_findings_init(&got);
    assert_int_equal(tl_store_run_findings(s, run, &got, &e), 0);
    assert_int_equal(got.items[0].triage, TL_TRIAGE_INTENTIONAL);
    assert_int_equal(got.items[1].triage, TL_TRIAGE_CONFIRMED);
    tl_findings_free(&got);
    /* clearing */
    assert_int_equal(tl_store_triage_set(s, fp1, TL_TRIAGE_NONE, NULL, &e), 0);
    assert_int_equal(tl_store_run_findings(s, run, &got, &e), 0);
    assert_int_equal(got.items[1].triage, TL_TRIAGE_NONE);
    tl_findings_free(&got);

    /* names */
    tl_triage_state st;
    assert_int_equal(tl_triage_parse("false-positive", &st), 0);
    assert_int_equal(st, TL_TRIAGE_FALSE_POSITIVE);
    assert_int_equal(tl_triage_parse("intentional", &st), 0);
    assert_int_equal(st, TL_TRIAGE_INTENTIONAL);
    assert_int_equal(tl_triage_parse("confirmed", &st), 0);
    assert_int_equal(st, TL_TRIAGE_CONFIRMED);
    assert_int_equal(tl_triage_parse("bogus", &st), -1);
    assert_string_equal(tl_triage_name(TL_TRIAGE_FALSE_POSITIVE), "false-positive");
    assert_string_equal(tl_triage_name(TL_TRIAGE_CONFIRMED), "confirmed");
    tl_findings_free(&later);
    tl_findings_free(&fs);
    tl_store_close(s);
}

/* ---- incremental re-analysis ---- */

typedef struct {
    const char *main;
    const char *headers[3];
} tu_spec;

/* three TUs with different include sets: a: h1 h2; b: h2 h3; c: h3 */
static const tu_spec tus[3] = {
    {"a.c", {"h1.h", "h2.h", NULL}},
    {"b.c", {"h2.h", "h3.h", NULL}},
    {"c.c", {"h3.h", NULL, NULL}},
};

static char *tu_key_of(const fixture *fx, int i) {
    char *main_file = tl_xasprintf("%s/%s", fx->dir, tus[i].main);
    const char *args[] = {"-Iinclude", "-DX=1"};
    char *k = tl_store_tu_key(main_file, args, 2, "0.1.0-test", "cfg");
    free(main_file);
    return k;
}

static tl_file_stamp *stamps_of(const fixture *fx, int i, size_t *n) {
    tl_file_stamp *st = tl_xcalloc(4, sizeof *st);
    *n = 0;
    char *p = tl_xasprintf("%s/%s", fx->dir, tus[i].main);
    assert_int_equal(tl_store_stamp_file(p, &st[(*n)++]), 0);
    free(p);
    for (int h = 0; h < 3 && tus[i].headers[h]; h++) {
        p = tl_xasprintf("%s/%s", fx->dir, tus[i].headers[h]);
        assert_int_equal(tl_store_stamp_file(p, &st[(*n)++]), 0);
        free(p);
    }
    return st;
}

static void write_project(const fixture *fx, int age) {
    static const char *const files[] = {"a.c", "b.c", "c.c", "h1.h", "h2.h", "h3.h"};
    for (size_t i = 0; i < 6; i++) {
        char *p = tl_xasprintf("%s/%s", fx->dir, files[i]);
        char *text = tl_xasprintf("/* %s */\nint %c_%zu;\n", files[i], files[i][0], i);
        tu_write(p, text);
        if (age) tu_age(p, age);
        free(text);
        free(p);
    }
}

/* One full run: every TU analysed (a finding per TU), or reused when the
   store says so.  Returns the run; hits[i] tells which TUs were reused. */
static int64_t incremental_run(const fixture *fx, tl_store *s, bool hits[3]) {
    int64_t run = begin(s);
    for (int i = 0; i < 3; i++) {
        char *key = tu_key_of(fx, i);
        char *main_file = tl_xasprintf("%s/%s", fx->dir, tus[i].main);
        tl_findings fs;
        tl_findings_init(&fs);
        tl_file_stamp *st = NULL;
        size_t nst = 0;
        tl_store_error e;
        int64_t from = tl_store_reuse_tu(s, key, &fs, &st, &nst, &e);
        assert_true(from >= 0);
        hits[i] = from > 0;
        if (!from) {
            tl_findings_addf(&fs, "orphaned-spawn", TL_SEV_WARNING, main_file, 3, 1, "f",
                             "finding in %s", tus[i].main);
            tl_finding_add_note(&fs.items[0], main_file, 2, 1, "started here");
            tl_fingerprint_findings(&fs, fx->dir);
            st = stamps_of(fx, i, &nst);
        } else {
            assert_int_equal(fs.n, 1);
            assert_int_equal(fs.items[0].nnotes, 1);
            assert_non_null(fs.items[0].fingerprint);
            assert_int_equal(nst, tus[i].headers[1] ? 3 : 2);
        }
        record(s, run, key, main_file, st, nst, &fs, from);
        tl_file_stamps_free(st, nst);
        tl_findings_free(&fs);
        free(main_file);
        free(key);
    }
    finish(s, run, true);
    return run;
}

static void change(const fixture *fx, const char *name, const char *text) {
    char *p = tl_xasprintf("%s/%s", fx->dir, name);
    tu_write(p, text);
    free(p);
}

static void test_incremental(void **state) {
    fixture *fx = *state;
    write_project(fx, 0);
    tl_store *s = open_ok(fx->db);
    bool hit[3];
    char *tu_key_of_a;
    int64_t r1 = incremental_run(fx, s, hit);
    assert_false(hit[0] || hit[1] || hit[2]);
    /* a's include graph: a.c, h1.h, h2.h */
    char *q = tl_xasprintf("SELECT count(*) FROM files WHERE run = %lld AND tu_key = '%s'",
                           (long long)r1, tu_key_of_a = tu_key_of(fx, 0));
    assert_int_equal(tu_sql_int(fx->db, q), 3);
    free(q);
    int64_t sets = tu_sql_int(fx->db, "SELECT count(*) FROM fileset_files");
    int64_t r2 = incremental_run(fx, s, hit);
    assert_true(hit[0] && hit[1] && hit[2]);
    /* an unchanged re-run shares the file sets: no new file rows */
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM fileset_files"), sets);
    q = tl_xasprintf("SELECT count(*) FROM files WHERE run = %lld AND tu_key = '%s'",
                     (long long)r2, tu_key_of_a);
    assert_int_equal(tu_sql_int(fx->db, q), 3);
    free(q);
    free(tu_key_of_a);
    /* the reused findings are the first run's */
    tl_findings f1, f2;
    tl_findings_init(&f1);
    tl_findings_init(&f2);
    tl_store_error e;
    assert_int_equal(tl_store_run_findings(s, r1, &f1, &e), 0);
    assert_int_equal(tl_store_run_findings(s, r2, &f2, &e), 0);
    assert_same_findings(&f1, &f2);
    tl_findings_free(&f1);
    tl_findings_free(&f2);
    tl_run *runs;
    size_t n;
    assert_int_equal(tl_store_runs(s, 1, &runs, &n, &e), 0);
    assert_int_equal(runs[0].nreused, 3);
    tl_runs_free(runs, n);

    /* one header changes (the same size, so only the hash can tell): exactly
       the TUs that include it are analysed again */
    change(fx, "h2.h", "/* h2.h */\nint X_4;\n");
    incremental_run(fx, s, hit);
    assert_false(hit[0]);
    assert_false(hit[1]);
    assert_true(hit[2]);
    incremental_run(fx, s, hit);
    assert_true(hit[0] && hit[1] && hit[2]);

    /* h3.h: b and c */
    change(fx, "h3.h", "/* h3.h changed */\n");
    incremental_run(fx, s, hit);
    assert_true(hit[0]);
    assert_false(hit[1]);
    assert_false(hit[2]);

    /* the main file */
    change(fx, "c.c", "/* c.c */\nint c_2; int more;\n");
    incremental_run(fx, s, hit);
    assert_true(hit[0] && hit[1]);
    assert_false(hit[2]);

    /* a deleted header */
    char *h1 = tl_xasprintf("%s/h1.h", fx->dir);
    unlink(h1);
    char *key = tu_key_of(fx, 0);
    tl_findings fs;
    tl_findings_init(&fs);
    tl_file_stamp *st;
    size_t nst;
    assert_int_equal(tl_store_reuse_tu(s, key, &fs, &st, &nst, &e), 0);
    assert_int_equal(fs.n, 0);
    assert_null(st);
    /* a key never seen; other arguments make another key */
    const char *args[] = {"-Iinclude", "-DX=2"};
    char *a_c = tl_xasprintf("%s/a.c", fx->dir);
    char *other = tl_store_tu_key(a_c, args, 2, "0.1.0-test", "cfg");
    assert_string_not_equal(other, key);
    assert_int_equal(strlen(other), 64);
    assert_int_equal(tl_store_reuse_tu(s, other, &fs, &st, &nst, &e), 0);
    char *other2 = tl_store_tu_key(a_c, args, 2, "0.1.0-test", "cfg2");
    assert_string_not_equal(other, other2);
    free(other2);
    free(other);
    free(a_c);
    free(key);
    free(h1);
    tl_store_close(s);
}

/* Touching files without changing them still hits, and files whose stat
   is unchanged are not even read. */
static void test_incremental_stat_shortcut(void **state) {
    fixture *fx = *state;
    write_project(fx, 3600); /* old files: not "racily clean" */
    tl_store *s = open_ok(fx->db);
    bool hit[3];
    incremental_run(fx, s, hit);
    assert_false(hit[0] || hit[1] || hit[2]);

    tl_store__stamp_cache_clear(); /* as in a new tasklint process */
    unsigned long h0 = tl_store__hash_count();
    incremental_run(fx, s, hit);
    assert_true(hit[0] && hit[1] && hit[2]);
    assert_int_equal(tl_store__hash_count() - h0, 0); /* stat only */

    /* touch: new mtime, same content -> re-hashed once, still a hit */
    char *h2 = tl_xasprintf("%s/h2.h", fx->dir);
    tu_age(h2, 1800);
    tl_store__stamp_cache_clear();
    h0 = tl_store__hash_count();
    incremental_run(fx, s, hit);
    assert_true(hit[0] && hit[1] && hit[2]);
    assert_int_equal(tl_store__hash_count() - h0, 1); /* h2.h, once for both TUs */
    /* the new mtime was recorded: the next run is stat-only again */
    tl_store__stamp_cache_clear();
    h0 = tl_store__hash_count();
    incremental_run(fx, s, hit);
    assert_true(hit[0] && hit[1] && hit[2]);
    assert_int_equal(tl_store__hash_count() - h0, 0);
    free(h2);

    /* stamp_file itself */
    char *p = tl_xasprintf("%s/h1.h", fx->dir);
    tl_file_stamp st;
    assert_int_equal(tl_store_stamp_file(p, &st), 0);
    assert_string_equal(st.path, p);
    assert_int_equal(strlen(st.hash), 64);
    assert_int_equal(st.size, (int64_t)strlen("/* h1.h */\nint h_3;\n"));
    assert_true(st.mtime_ns > 0);
    free((char *)st.path);
    free((char *)st.hash);
    free(p);
    char *missing = tl_xasprintf("%s/missing.h", fx->dir);
    assert_int_equal(tl_store_stamp_file(missing, &st), -1);
    free(missing);
    tl_store_close(s);
}

/* ---- damaged, foreign and read-only files ---- */

static void assert_unchanged(const char *path, const char *before, size_t n0) {
    size_t n1;
    char *after = tu_slurp(path, &n1);
    assert_non_null(after);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(after);
}

static void test_not_sqlite(void **state) {
    fixture *fx = *state;
    char *p = tl_xasprintf("%s/notes.txt", fx->dir);
    tu_write(p, "my notes: do not delete\n");
    tl_store_error e;
    assert_null(tl_store_open(p, true, &e));
    assert_int_equal(e.status, TL_STORE_E_NOT_SQLITE);
    assert_non_null(strstr(e.msg, p));
    assert_non_null(strstr(e.msg, "not a SQLite database"));
    assert_unchanged(p, "my notes: do not delete\n", strlen("my notes: do not delete\n"));
    char *wal = tl_xasprintf("%s-wal", p);
    assert_int_equal(access(wal, F_OK), -1);
    free(wal);
    /* random bytes */
    unsigned char rnd[8192];
    srand(7);
    for (size_t i = 0; i < sizeof rnd; i++) rnd[i] = (unsigned char)rand();
    FILE *f = fopen(p, "wb");
    fwrite(rnd, 1, sizeof rnd, f);
    fclose(f);
    assert_null(tl_store_open(p, true, &e));
    assert_int_equal(e.status, TL_STORE_E_NOT_SQLITE);
    assert_unchanged(p, (const char *)rnd, sizeof rnd);
    /* a directory at the path */
    assert_null(tl_store_open(fx->dir, true, &e));
    assert_int_not_equal(e.status, TL_STORE_OK);
    free(p);
}

static void test_corrupt(void **state) {
    fixture *fx = *state;
    /* a real database with some content */
    tl_store *s = open_ok(fx->db);
    for (int r = 0; r < 3; r++) {
        int64_t run = begin(s);
        tl_findings fs;
        tl_findings_init(&fs);
        sample_findings(&fs, "/proj/a.c", 200, "a");
        record(s, run, "k", "/proj/a.c", NULL, 0, &fs, 0);
        tl_findings_free(&fs);
        finish(s, run, true);
    }
    tl_store_close(s);
    size_t n;
    char *img = tu_slurp(fx->db, &n);
    assert_true(n > 8 * 4096);
    char *wal = tl_xasprintf("%s-wal", fx->db);
    assert_int_equal(access(wal, F_OK), -1); /* checkpointed on close */

    /* pages after the first overwritten with garbage */
    srand(11);
    for (size_t i = 4096; i < n; i++) img[i] = (char)rand();
    FILE *f = fopen(fx->db, "wb");
    fwrite(img, 1, n, f);
    fclose(f);
    tl_store_error e;
    s = tl_store_open(fx->db, true, &e);
    if (s) {
        /* when the check on open did not see it, the first use does */
        tl_findings fs;
        tl_findings_init(&fs);
        int64_t run = tl_store_run_begin(s, &info, &e);
        if (run > 0) tl_store_run_findings(s, 1, &fs, &e);
        tl_findings_free(&fs);
        tl_store_close(s);
    }
    assert_int_equal(e.status, TL_STORE_E_CORRUPT);
    assert_non_null(strstr(e.msg, fx->db));
    assert_non_null(strstr(e.msg, "damaged"));
    assert_unchanged(fx->db, img, n);

    /* the SQLite header followed by garbage */
    memset(img + 16, 0xA5, 4096 - 16);
    f = fopen(fx->db, "wb");
    fwrite(img, 1, n, f);
    fclose(f);
    s = tl_store_open(fx->db, true, &e);
    assert_null(s);
    assert_int_equal(e.status, TL_STORE_E_CORRUPT);
    assert_unchanged(fx->db, img, n);
    assert_int_equal(access(wal, F_OK), -1);
    free(wal);
    free(img);
}

static void test_readonly(void **state) {
    fixture *fx = *state;
    char *ro = tl_xasprintf("%s/ro", fx->dir);
    assert_int_equal(mkdir(ro, 0755), 0);
    char *db = tl_xasprintf("%s/.tasklint/findings.db", ro);
    char *existing = tl_xasprintf("%s/ro2", fx->dir);
    assert_int_equal(mkdir(existing, 0755), 0);
    char *db2 = tl_xasprintf("%s/findings.db", existing);
    tl_store_close(open_ok(db2));
    chmod(ro, 0555);
    chmod(existing, 0555);
    if (access(ro, W_OK) == 0) {
        /* root: permissions do not restrict */
        chmod(ro, 0755);
        chmod(existing, 0755);
        free(ro);
        free(db);
        free(existing);
        free(db2);
        skip();
    }
    tl_store_error e;
    assert_null(tl_store_open(db, true, &e));
    assert_int_equal(e.status, TL_STORE_E_READONLY);
    assert_non_null(strstr(e.msg, ro));
    /* an existing database in a directory that became read-only */
    assert_null(tl_store_open(db2, true, &e));
    assert_int_equal(e.status, TL_STORE_E_READONLY);
    assert_non_null(strstr(e.msg, existing));
    /* a read-only database file in a writable directory */
    chmod(existing, 0755);
    chmod(db2, 0444);
    assert_null(tl_store_open(db2, true, &e));
    assert_int_equal(e.status, TL_STORE_E_READONLY);
    assert_non_null(strstr(e.msg, db2));
    chmod(ro, 0755);
    free(ro);
    free(db);
    free(existing);
    free(db2);
}

/* ---- locations ---- */

static void test_project_root(void **state) {
    fixture *fx = *state;
    char *repo = tl_xasprintf("%s/repo", fx->dir);
    char *sub = tl_xasprintf("%s/repo/sub", fx->dir);
    char *src = tl_xasprintf("%s/repo/sub/src", fx->dir);
    char *other = tl_xasprintf("%s/repo/other", fx->dir);
    assert_int_equal(mkdir(repo, 0755), 0);
    char *git = tl_xasprintf("%s/.git", repo);
    assert_int_equal(mkdir(git, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(mkdir(src, 0755), 0);
    assert_int_equal(mkdir(other, 0755), 0);
    char *cfg = tl_xasprintf("%s/.tasklint.yaml", sub);
    tu_write(cfg, "profile: default\n");
    char *x = tl_xasprintf("%s/x.c", src);
    tu_write(x, "int x;\n");
    char *y = tl_xasprintf("%s/y.c", other);
    tu_write(y, "int y;\n");

    char *r = tl_store_project_root(x);
    assert_string_equal(r, sub); /* the config's directory */
    free(r);
    r = tl_store_project_root(src);
    assert_string_equal(r, sub);
    free(r);
    r = tl_store_project_root(y);
    assert_string_equal(r, repo); /* the git top level */
    free(r);
    /* a worktree / submodule has a .git file */
    rmdir(git);
    tu_write(git, "gitdir: /elsewhere\n");
    r = tl_store_project_root(other);
    assert_string_equal(r, repo);
    free(r);
    char *d = tl_store_default_path("/proj");
    assert_string_equal(d, "/proj/.tasklint/findings.db");
    free(d);
    d = tl_store_default_path("/proj/");
    assert_string_equal(d, "/proj/.tasklint/findings.db");
    free(d);
    r = tl_store_project_root(NULL);
    assert_true(r[0] == '/');
    free(r);
    free(repo);
    free(sub);
    free(src);
    free(other);
    free(git);
    free(cfg);
    free(x);
    free(y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_created, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v1_and_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v2_keeps_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_roundtrip, setup, teardown),
        cmocka_unit_test(test_diff),
        cmocka_unit_test_setup_teardown(test_diff_between_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_baselines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_baseline_file_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_triage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental_stat_shortcut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_project_root, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
