/* unit_store_safety.c - the store under SIGKILL and concurrent writers.
 *
 * A child process writes runs into a real database file and is killed with
 * SIGKILL at several moments (after N ms, right after BEGIN of a large TU,
 * deep inside it, while the database is being created).  Afterwards the
 * parent checks that the file passes PRAGMA quick_check, the earlier
 * complete runs are intact, and the killed run is reported failed (or is
 * absent).  Two processes writing 20 runs each at once both succeed. */
#include "store_test_util.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/fingerprint.h"
#include "store/store.h"
#include "store/store_internal.h"

typedef struct {
    char *dir, *db;
    int64_t prev[2];             /* complete runs written before the kills */
    tl_findings prev_findings[2];
} fixture;

static const tl_run_info info = {.tool_version = "test", .config_hash = "cfg", .root = "/proj"};

static void make_findings(tl_findings *fs, int n, int tu, int seed) {
    char file[64];
    snprintf(file, sizeof file, "/proj/src/f%d.c", tu);
    for (int i = 0; i < n; i++) {
        char fn[32], snip[64];
        snprintf(fn, sizeof fn, "fn%d", i / 4);
        snprintf(snip, sizeof snip, "call_%d_%d(x)", seed, i);
        tl_finding *f = tl_findings_addf(fs, "orphaned-spawn", TL_SEV_WARNING, file,
                                         (unsigned)(i + 1), 1, fn, "finding %d/%d", seed, i);
        tl_finding_set_snippet(f, snip);
        if (i % 5 == 0) tl_finding_add_note(f, file, (unsigned)i, 2, "started here");
    }
    tl_fingerprint_findings(fs, "/proj");
}

/* One complete run of `ntus` TUs with `per` findings each; 0 or -1. */
static int write_run(tl_store *s, int ntus, int per, int seed, int64_t *out_run) {
    tl_store_error e;
    int64_t run = tl_store_run_begin(s, &info, &e);
    if (run <= 0) {
        fprintf(stderr, "run_begin: %s\n", e.msg);
        return -1;
    }
    for (int t = 0; t < ntus; t++) {
        tl_findings fs;
        tl_findings_init(&fs);
        make_findings(&fs, per, t, seed);
        char key[32];
        snprintf(key, sizeof key, "tu%d", t);
        int r = tl_store_record_tu(s, run, key, fs.n ? fs.items[0].file : "/proj/x.c", NULL, 0,
                                   &fs, 0, &e);
        tl_findings_free(&fs);
        if (r) {
            fprintf(stderr, "record_tu: %s\n", e.msg);
            return -1;
        }
    }
    if (tl_store_run_finish(s, run, true, &e)) {
        fprintf(stderr, "run_finish: %s\n", e.msg);
        return -1;
    }
    if (out_run) *out_run = run;
    return 0;
}

static int setup(void **state) {
    fixture *fx = tl_xcalloc(1, sizeof *fx);
    fx->dir = tu_mkdtemp();
    if (!fx->dir) return -1;
    fx->db = tl_xasprintf("%s/.tasklint/findings.db", fx->dir);
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, true, &e);
    if (!s) return -1;
    for (int r = 0; r < 2; r++) {
        if (write_run(s, 3, 20, r, &fx->prev[r])) return -1;
        tl_findings_init(&fx->prev_findings[r]);
        if (tl_store_run_findings(s, fx->prev[r], &fx->prev_findings[r], &e)) return -1;
    }
    tl_store_close(s);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    for (int r = 0; r < 2; r++) tl_findings_free(&fx->prev_findings[r]);
    tu_rmrf(fx->dir);
    free(fx->dir);
    free(fx->db);
    free(fx);
    return 0;
}

static void assert_same_findings(const tl_findings *a, const tl_findings *b) {
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const tl_finding *x = &a->items[i], *y = &b->items[i];
        assert_string_equal(x->rule, y->rule);
        assert_string_equal(x->file, y->file);
        assert_int_equal(x->line, y->line);
        assert_string_equal(x->message, y->message);
        assert_string_equal(x->fingerprint, y->fingerprint);
        assert_int_equal(x->nnotes, y->nnotes);
        for (size_t k = 0; k < x->nnotes; k++)
            assert_string_equal(x->notes[k].message, y->notes[k].message);
    }
}

static void quick_check_ok(const char *db) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

static int64_t sql_int(const char *db, const char *sql) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* ---- the child that gets killed ---- */

typedef struct {
    int fd;          /* write end of the pipe to the parent */
    long fire_at;    /* row count at which to signal */
    long rows;
    bool fired;
} hook_ctx;

static void on_row(void *arg, int op, const char *dbname, const char *table, sqlite3_int64 id) {
    (void)op;
    (void)dbname;
    (void)table;
    (void)id;
    hook_ctx *h = arg;
    if (!h->fired && ++h->rows >= h->fire_at) {
        h->fired = true;
        if (write(h->fd, "!", 1) != 1) _exit(3);
    }
}

/* Writes TUs forever (a run that never finishes).  With fire_at > 0, the
   fourth TU is a large one and the parent is told when `fire_at` rows of it
   have been inserted (inside its transaction). */
static void child_writer(const char *db, int fd, long fire_at) {
    tl_store_error e;
    tl_store *s = tl_store_open(db, true, &e);
    if (!s) {
        fprintf(stderr, "child open: %s\n", e.msg);
        _exit(2);
    }
    int64_t run = tl_store_run_begin(s, &info, &e);
    if (run <= 0) _exit(2);
    if (fire_at <= 0 && write(fd, "r", 1) != 1) _exit(3); /* the run has begun */
    hook_ctx h = {.fd = fd, .fire_at = fire_at};
    for (int t = 0; t < 100000; t++) {
        bool big = fire_at > 0 && t == 3;
        tl_findings fs;
        tl_findings_init(&fs);
        make_findings(&fs, big ? 20000 : 50, t, 100 + t);
        if (big) sqlite3_update_hook(s->db, on_row, &h);
        char key[32];
        snprintf(key, sizeof key, "tu%d", t);
        if (tl_store_record_tu(s, run, key, fs.items[0].file, NULL, 0, &fs, 0, &e)) _exit(2);
        tl_findings_free(&fs);
        if (big) _exit(4); /* the parent should have killed us by now */
    }
    _exit(5);
}

/* After a kill: the database is valid, the earlier runs are intact, and
   the killed run is failed or absent; the store is usable again. */
static void check_after_kill(fixture *fx, const char *label) {
    quick_check_ok(fx->db);
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, true, &e);
    if (!s) fail_msg("%s: reopen: %s", label, e.msg);
    for (int r = 0; r < 2; r++) {
        tl_findings now;
        tl_findings_init(&now);
        assert_int_equal(tl_store_run_findings(s, fx->prev[r], &now, &e), 0);
        assert_same_findings(&fx->prev_findings[r], &now);
        tl_findings_free(&now);
    }
    tl_run *runs;
    size_t n;
    assert_int_equal(tl_store_runs(s, 0, &runs, &n, &e), 0);
    for (size_t i = 0; i < n; i++) {
        bool earlier = runs[i].id == fx->prev[0] || runs[i].id == fx->prev[1];
        if (!earlier && runs[i].status != TL_RUN_FAILED)
            fail_msg("%s: run %lld is %d, not failed", label, (long long)runs[i].id,
                     (int)runs[i].status);
        if (earlier) assert_int_equal(runs[i].status, TL_RUN_COMPLETE);
    }
    tl_runs_free(runs, n);
    assert_int_equal(tl_store_last_complete_run(s, 0), fx->prev[1]);
    /* the next run marks it failed in the table, and works */
    int64_t run;
    assert_int_equal(write_run(s, 1, 5, 9, &run), 0);
    tl_store_close(s);
    char *q = tl_xasprintf("SELECT count(*) FROM runs WHERE status = 'running' AND id < %lld",
                           (long long)run);
    assert_int_equal(sql_int(fx->db, q), 0);
    free(q);
    /* leave the fixture as it was: drop what the killed and the check runs added */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    char *del = tl_xasprintf("PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id > %lld",
                             (long long)fx->prev[1]);
    assert_int_equal(sqlite3_exec(h, del, NULL, NULL, NULL), SQLITE_OK);
    free(del);
    sqlite3_close(h);
}

static pid_t spawn_writer(const char *db, long fire_at, int *rfd) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child_writer(db, p[1], fire_at);
    }
    close(p[1]);
    *rfd = p[0];
    return pid;
}

static void kill_and_reap(pid_t pid) {
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        fail_msg("the writer ended on its own (status %d) before it was killed", status);
}

static void test_sigkill_after_delays(void **state) {
    fixture *fx = *state;
    static const int delays_ms[] = {0, 1, 5, 20, 50};
    for (size_t i = 0; i < sizeof delays_ms / sizeof delays_ms[0]; i++) {
        int rfd;
        pid_t pid = spawn_writer(fx->db, 0, &rfd);
        if (delays_ms[i] > 0) {
            /* count from the moment the run has begun */
            char c;
            assert_int_equal(read(rfd, &c, 1), 1);
            usleep((useconds_t)delays_ms[i] * 1000);
        }
        kill_and_reap(pid);
        close(rfd);
        char label[32];
        snprintf(label, sizeof label, "kill after %d ms", delays_ms[i]);
        check_after_kill(fx, label);
    }
}

static void test_sigkill_inside_transaction(void **state) {
    fixture *fx = *state;
    /* right after BEGIN (the first row of the big TU), and deep inside it,
       when SQLite has spilled uncommitted pages into the WAL */
    static const long fire_at[] = {1, 15000};
    for (size_t i = 0; i < 2; i++) {
        int rfd;
        pid_t pid = spawn_writer(fx->db, fire_at[i], &rfd);
        char c;
        assert_int_equal(read(rfd, &c, 1), 1);
        kill_and_reap(pid);
        close(rfd);
        /* none of the big TU was committed: exactly the 3 small TUs */
        char *q = tl_xasprintf("SELECT count(*) FROM findings WHERE run > %lld",
                               (long long)fx->prev[1]);
        assert_int_equal(sql_int(fx->db, q), 3 * 50);
        free(q);
        q = tl_xasprintf("SELECT count(*) FROM tus WHERE run > %lld", (long long)fx->prev[1]);
        assert_int_equal(sql_int(fx->db, q), 3);
        free(q);
        char label[48];
        snprintf(label, sizeof label, "kill inside a transaction at row %ld", fire_at[i]);
        check_after_kill(fx, label);
    }
}

/* Killed while creating the database (schema migration): the next open
   works and nothing half-made remains. */
static void test_sigkill_while_creating(void **state) {
    fixture *fx = *state;
    static const int delays_us[] = {0, 200, 1000, 3000};
    for (size_t i = 0; i < sizeof delays_us / sizeof delays_us[0]; i++) {
        char *db = tl_xasprintf("%s/new%zu/findings.db", fx->dir, i);
        int rfd;
        pid_t pid = spawn_writer(db, 0, &rfd);
        usleep((useconds_t)delays_us[i]);
        kill_and_reap(pid);
        close(rfd);
        tl_store_error e;
        tl_store *s = tl_store_open(db, true, &e);
        if (!s) fail_msg("open after a kill at %d us: %s", delays_us[i], e.msg);
        int64_t run;
        assert_int_equal(write_run(s, 1, 3, 1, &run), 0);
        tl_store_close(s);
        quick_check_ok(db);
        assert_int_equal(sql_int(db, "PRAGMA user_version"), TL_STORE_SCHEMA_VERSION);
        free(db);
    }
}

/* A run of a live process is "running", not failed; once it dies it is. */
static void test_live_run_not_failed(void **state) {
    fixture *fx = *state;
    int go[2], ready[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(ready), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(go[1]);
        close(ready[0]);
        tl_store_error e;
        tl_store *s = tl_store_open(fx->db, true, &e);
        if (!s || tl_store_run_begin(s, &info, &e) <= 0) _exit(2);
        if (write(ready[1], "r", 1) != 1) _exit(3);
        char c;
        if (read(go[0], &c, 1) < 0) _exit(3); /* until the parent closes it */
        _exit(0);                           /* dies without finishing the run */
    }
    close(go[0]);
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, true, &e);
    assert_non_null(s);
    int64_t mine = tl_store_run_begin(s, &info, &e); /* must not fail the child's run */
    assert_true(mine > 0);
    tl_run *runs;
    size_t n;
    assert_int_equal(tl_store_runs(s, 0, &runs, &n, &e), 0);
    assert_int_equal(runs[0].id, mine);
    assert_int_equal(runs[0].status, TL_RUN_RUNNING);
    assert_int_equal(runs[1].status, TL_RUN_RUNNING); /* the child's, alive */
    int64_t child_run = runs[1].id;
    tl_runs_free(runs, n);
    close(go[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    assert_int_equal(tl_store_runs(s, 0, &runs, &n, &e), 0);
    assert_int_equal(runs[1].id, child_run);
    assert_int_equal(runs[1].status, TL_RUN_FAILED);
    assert_int_equal(runs[0].status, TL_RUN_RUNNING); /* ours */
    tl_runs_free(runs, n);
    assert_int_equal(tl_store_run_finish(s, mine, true, &e), 0);
    tl_store_close(s);
}

/* ---- concurrent writers ---- */

static void two_writers(const char *db) {
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t pids[2];
    fflush(NULL);
    for (int w = 0; w < 2; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            close(gate[1]);
            char c;
            if (read(gate[0], &c, 1) < 0) _exit(3); /* released together */
            tl_store_error e;
            tl_store *s = tl_store_open(db, true, &e);
            if (!s) {
                fprintf(stderr, "writer %d: open: %s\n", w, e.msg);
                _exit(1);
            }
            for (int r = 0; r < 20; r++)
                if (write_run(s, 5, 10, w * 100 + r, NULL)) _exit(1);
            tl_store_close(s);
            _exit(0);
        }
    }
    close(gate[0]);
    double t0 = tu_now();
    close(gate[1]);
    for (int w = 0; w < 2; w++) {
        int status;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("writer %d failed (status %d)", w, status);
    }
    double dt = tu_now() - t0;
    print_message("two writers, 2 x 20 runs x 50 findings: %.2f s\n", dt);
    quick_check_ok(db);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM runs"), 40);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM runs WHERE status = 'complete'"), 40);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM findings"), 40 * 50);
    /* every run has all of its findings */
    assert_int_equal(sql_int(db, "SELECT count(*) FROM (SELECT run FROM findings GROUP BY run "
                                 "HAVING count(*) = 50)"),
                     40);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM finding_notes"), 40 * 5 * 2);
}

static void test_two_writers(void **state) {
    fixture *fx = *state;
    /* both start on a database that does not exist yet */
    char *db = tl_xasprintf("%s/shared/findings.db", fx->dir);
    two_writers(db);
    free(db);
    /* on an empty file (SQLite creates the schema in place, in rollback
       journal mode until one of them switches it to WAL) */
    db = tl_xasprintf("%s/empty.db", fx->dir);
    tu_write(db, "");
    two_writers(db);
    free(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sigkill_after_delays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_inside_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_while_creating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_run_not_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
