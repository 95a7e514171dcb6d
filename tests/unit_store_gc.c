/* unit_store_gc.c - tl_store_gc (store/gc.c): which runs are kept (the
 * newest N, running runs, baselines' runs, the newest run of each triaged
 * fingerprint, one per day or week), that nothing dangles afterwards, that
 * a failure drops nothing, the read-only and locked refusals, and that
 * VACUUM gives the space back. */
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
    fx->db = tl_xasprintf("%s/findings.db", fx->dir);
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

static const tl_run_info info = {.tool_version = "test", .config_hash = "cfg", .root = "/proj"};

/* "1,2,3": the ids of the runs left, ascending */
static char *run_ids(const char *db) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT id FROM runs ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    char *s = tl_xstrdup("");
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *n = tl_xasprintf("%s%s%lld", s, *s ? "," : "", (long long)sqlite3_column_int64(st, 0));
        free(s);
        s = n;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return s;
}

/* Run `i`: one TU with a file set of its own, three findings: one all runs
   share, two of its own (one with notes).  `reused`: the TU's reused_from. */
static int64_t add_run(tl_store *s, int i, int64_t reused, bool complete) {
    tl_store_error e;
    int64_t run = tl_store_run_begin(s, &info, &e);
    if (run <= 0) fail_msg("run_begin: %s", e.msg);
    char hash[65], key[32], tag[16];
    memset(hash, 'a' + (char)(i % 6), 64);
    hash[64] = '\0';
    char num[16];
    snprintf(num, sizeof num, "%07d", i % 10000000);
    memcpy(hash, num, 7);
    hash[7] = 'x';
    tl_file_stamp st[2] = {{"/proj/a.c", hash, 100 + i, 1}, {"/proj/common.h", "c0ffee", 5, 1}};
    snprintf(key, sizeof key, "key%d", i % 3);
    snprintf(tag, sizeof tag, "r%d", i);
    tl_findings fs;
    tl_findings_init(&fs);
    tl_findings_add(&fs, "orphaned-spawn", TL_SEV_WARNING, "/proj/a.c", 5, 1, "shared", "always");
    tl_finding *f = tl_findings_add(&fs, "missing-timeout", TL_SEV_WARNING, "/proj/a.c", 10, 1,
                                    tag, "own");
    tl_finding_add_note(f, "/proj/a.c", 8, 1, "step");
    tl_findings_add(&fs, "missing-timeout", TL_SEV_WARNING, "/proj/a.c", 20, 1, tag, "own two");
    tl_fingerprint_findings(&fs, "/proj");
    if (tl_store_record_tu(s, run, key, "/proj/a.c", st, 2, &fs, reused, &e) != 0)
        fail_msg("record_tu: %s", e.msg);
    tl_findings_free(&fs);
    if (complete && tl_store_run_finish(s, run, true, &e) != 0) fail_msg("finish: %s", e.msg);
    return run;
}

/* Nothing refers to what is gone, and the file is sound. */
static void assert_consistent(const char *db) {
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM findings WHERE run NOT IN (SELECT id FROM runs)"), 0);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM finding_notes WHERE finding NOT IN (SELECT id FROM findings)"), 0);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM tus WHERE run NOT IN (SELECT id FROM runs)"), 0);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM tus WHERE reused_from IS NOT NULL AND reused_from NOT IN (SELECT id FROM runs)"), 0);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM filesets WHERE id NOT IN (SELECT fileset FROM tus WHERE fileset IS NOT NULL)"), 0);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM fileset_files WHERE fileset NOT IN (SELECT id FROM filesets)"), 0);
    assert_int_equal(tu_sql_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* 12 complete runs over three days (4 a day), then one still running. */
static tl_store *history(const char *db) {
    tl_store_error e;
    tl_store *s = tl_store_open(db, true, &e);
    if (!s) fail_msg("open: %s", e.msg);
    for (int i = 1; i <= 12; i++) add_run(s, i, i > 1 ? i - 1 : 0, true);
    add_run(s, 13, 12, false); /* this process is alive: the run is live */
    tu_sql_exec(db, "UPDATE runs SET started = printf('2026-01-%02d T%02d:00:00Z', (id - 1) / 4 + 1,"
                 " id) WHERE id <= 12");
    tu_sql_exec(db, "UPDATE runs SET started = replace(started, ' ', '') WHERE id <= 12");
    return s;
}

static void test_policy(void **state) {
    fixture *fx = *state;
    tl_store *s = history(fx->db);
    tl_store_error e;
    assert_int_equal(tl_store_baseline_set(s, "default", 2, &e), 0);
    /* a triage decision on run 3's own finding (fingerprint only it has) */
    tl_findings fs;
    tl_findings_init(&fs);
    assert_int_equal(tl_store_run_findings(s, 3, &fs, &e), 0);
    char *fp = NULL;
    for (size_t i = 0; i < fs.n; i++)
        if (!strcmp(fs.items[i].message, "own two")) fp = tl_xstrdup(fs.items[i].fingerprint);
    assert_non_null(fp);
    assert_int_equal(tl_store_triage_set(s, fp, TL_TRIAGE_INTENTIONAL, "by design", &e), 0);
    tl_findings_free(&fs);
    tl_findings before;
    tl_findings_init(&before);
    assert_int_equal(tl_store_run_findings(s, 2, &before, &e), 0);

    /* week: all twelve are in 2026-W01, so its newest (12) stands for it */
    tl_gc_policy p = {.keep_last = 2, .trend = TL_GC_TREND_DAY};
    tl_gc_result r;
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_NEVER, &r, &e), 0);
    char *ids = run_ids(fx->db);
    /* 13 (running, newest), 12 (newest), 8 and 4 (newest of their day; 12
       is day 3's), 3 (triage), 2 (baseline) */
    assert_string_equal(ids, "2,3,4,8,12,13");
    free(ids);
    assert_int_equal(r.runs_before, 13);
    assert_int_equal(r.runs_kept, 6);
    assert_int_equal(r.runs_deleted, 7);
    assert_consistent(fx->db);
    /* what is kept is intact */
    tl_findings after;
    tl_findings_init(&after);
    assert_int_equal(tl_store_run_findings(s, 2, &after, &e), 0);
    assert_int_equal(after.n, before.n);
    for (size_t i = 0; i < after.n; i++) {
        assert_string_equal(after.items[i].fingerprint, before.items[i].fingerprint);
        assert_int_equal(after.items[i].nnotes, before.items[i].nnotes);
    }
    tl_findings_free(&after);
    tl_findings_free(&before);
    /* the triage decision still has its finding */
    assert_int_equal(tl_store_triage_set(s, fp, TL_TRIAGE_CONFIRMED, "still there", &e), 0);
    free(fp);

    /* week, then none: the trend runs go, baseline and triage stay */
    p.trend = TL_GC_TREND_WEEK;
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_NEVER, &r, &e), 0);
    ids = run_ids(fx->db);
    assert_string_equal(ids, "2,3,12,13");
    free(ids);
    p.keep_last = 1;
    p.trend = TL_GC_TREND_NONE;
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_NEVER, &r, &e), 0);
    ids = run_ids(fx->db);
    assert_string_equal(ids, "2,3,13"); /* 13 is the newest */
    free(ids);
    assert_int_equal(r.runs_deleted, 1);
    assert_consistent(fx->db);
    /* runs go on after a collection */
    add_run(s, 14, 13, true);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM runs"), 4);
    tl_store_close(s);
}

static void test_failure_drops_nothing(void **state) {
    fixture *fx = *state;
    tl_store *s = history(fx->db);
    int64_t runs = tu_sql_int(fx->db, "SELECT count(*) FROM runs");
    int64_t findings = tu_sql_int(fx->db, "SELECT count(*) FROM findings");
    int64_t notes = tu_sql_int(fx->db, "SELECT count(*) FROM finding_notes");
    int64_t files = tu_sql_int(fx->db, "SELECT count(*) FROM fileset_files");
    /* the last delete fails: everything before it in the transaction must
       be undone */
    tu_sql_exec(fx->db, "CREATE TRIGGER no_fileset_delete BEFORE DELETE ON filesets"
                     " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    tl_gc_policy p = {.keep_last = 1, .trend = TL_GC_TREND_NONE};
    tl_gc_result r;
    tl_store_error e;
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_ALWAYS, &r, &e), -1);
    assert_int_not_equal(e.status, TL_STORE_OK);
    assert_non_null(strstr(e.msg, "refused by the test"));
    assert_int_equal(r.runs_deleted, 0);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM runs"), runs);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM findings"), findings);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM finding_notes"), notes);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM fileset_files"), files);
    /* foreign keys are on again for the connection's next writes */
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(s->db, "PRAGMA foreign_keys", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    tu_sql_exec(fx->db, "DROP TRIGGER no_fileset_delete");
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_ALWAYS, &r, &e), 0);
    assert_int_equal(r.runs_deleted, 12); /* all but the running run 13 */
    assert_consistent(fx->db);
    tl_store_close(s);
}

static void test_readonly_and_locked(void **state) {
    fixture *fx = *state;
    tl_store *s = history(fx->db);
    tl_store_close(s);
    tl_store_error e;
    tl_gc_policy p = {.keep_last = 1};
    tl_gc_result r;
    tl_store *ro = tl_store_open_readonly(fx->db, &e);
    assert_non_null(ro);
    assert_int_equal(tl_store_gc(ro, &p, TL_GC_VACUUM_ALWAYS, &r, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_READONLY);
    tl_store_close(ro);
    /* another connection holds the write lock */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    s = tl_store_open(fx->db, false, &e);
    assert_non_null(s);
    tl_store__set_busy_timeout(s, 50);
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_ALWAYS, &r, &e), -1);
    assert_int_equal(e.status, TL_STORE_E_BUSY);
    assert_non_null(strstr(e.msg, "locked"));
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h);
    assert_int_equal(tu_sql_int(fx->db, "SELECT count(*) FROM runs"), 13);
    tl_store_close(s);
}

static void test_vacuum_shrinks(void **state) {
    fixture *fx = *state;
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, true, &e);
    assert_non_null(s);
    /* 30 runs of 2000 findings */
    for (int i = 1; i <= 30; i++) {
        int64_t run = tl_store_run_begin(s, &info, &e);
        tl_findings fs;
        tl_findings_init(&fs);
        for (int k = 0; k < 2000; k++)
            tl_findings_addf(&fs, "missing-timeout", TL_SEV_WARNING, "/proj/big.c",
                             (unsigned)k + 1, 1, "f", "waits forever in call %d of run %d", k, i);
        tl_fingerprint_findings(&fs, "/proj");
        tl_file_stamp st = {"/proj/big.c", "feed", 1, 1};
        assert_int_equal(tl_store_record_tu(s, run, "k", "/proj/big.c", &st, 1, &fs, 0, &e), 0);
        tl_findings_free(&fs);
        assert_int_equal(tl_store_run_finish(s, run, true, &e), 0);
    }
    tl_gc_policy p = {.keep_last = 3, .trend = TL_GC_TREND_DAY};
    tl_gc_result r;
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_ALWAYS, &r, &e), 0);
    assert_true(r.vacuumed);
    assert_int_equal(r.runs_kept, 3); /* all today: the newest is also the day's */
    assert_true(r.bytes_after * 4 < r.bytes_before);
    print_message("gc: %lld -> %lld bytes\n", (long long)r.bytes_before, (long long)r.bytes_after);
    /* after a run: nothing to do is not worth a VACUUM */
    assert_int_equal(tl_store_gc(s, &p, TL_GC_VACUUM_IF_WORTH, &r, &e), 0);
    assert_false(r.vacuumed);
    assert_consistent(fx->db);
    tl_store_close(s);
}

static void test_trend_names(void **state) {
    (void)state;
    tl_gc_trend t;
    assert_int_equal(tl_gc_trend_parse("week", &t), 0);
    assert_int_equal(t, TL_GC_TREND_WEEK);
    assert_string_equal(tl_gc_trend_name(TL_GC_TREND_DAY), "day");
    assert_int_equal(tl_gc_trend_parse("month", &t), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_drops_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_and_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_shrinks, setup, teardown),
        cmocka_unit_test(test_trend_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
