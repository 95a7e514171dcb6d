/* unit_store_access.c - reading a store without writing it, and saying who
 * holds a lock.
 *
 * tl_store_open_readonly reads a store in a directory the user cannot write
 * (checked as an unprivileged user: as root the test forks and drops to
 * nobody), writes nothing, and refuses what tl_store_open refuses.  A lock
 * held by another program is reported as "locked by another process"; when
 * the runs table shows a live tasklint run of another process, its run and
 * pid are named. */
#include "store_test_util.h"

#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/fingerprint.h"
#include "store/store.h"
#include "store/store_internal.h"

#define NOBODY 65534

static const tl_run_info info = {.tool_version = "t", .config_hash = "c", .root = "/proj"};

typedef struct {
    char *dir, *db;
} fixture;

static int64_t write_run(tl_store *s, int nfindings) {
    tl_store_error e;
    int64_t run = tl_store_run_begin(s, &info, &e);
    if (run <= 0) fail_msg("run_begin: %s", e.msg);
    tl_findings fs;
    tl_findings_init(&fs);
    for (int i = 0; i < nfindings; i++)
        tl_findings_addf(&fs, "orphaned-spawn", TL_SEV_WARNING, "/proj/a.c", (unsigned)i + 1, 1,
                         "f", "finding %d", i);
    tl_fingerprint_findings(&fs, "/proj");
    if (tl_store_record_tu(s, run, "k", "/proj/a.c", NULL, 0, &fs, 0, &e))
        fail_msg("record: %s", e.msg);
    tl_findings_free(&fs);
    if (tl_store_run_finish(s, run, true, &e)) fail_msg("finish: %s", e.msg);
    return run;
}

static int setup(void **state) {
    fixture *fx = tl_xcalloc(1, sizeof *fx);
    fx->dir = tu_mkdtemp();
    if (!fx->dir) return -1;
    fx->db = tl_xasprintf("%s/store/findings.db", fx->dir);
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, true, &e);
    if (!s) return -1;
    write_run(s, 3);
    write_run(s, 5);
    tl_store_close(s);
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

static bool side_exists(const char *db, const char *suffix) {
    char *p = tl_xasprintf("%s%s", db, suffix);
    bool there = access(p, F_OK) == 0;
    free(p);
    return there;
}

/* What runs, diff and baseline export do; 0 when all of it works, else the
   number of the step that failed (for a child's exit status). */
static int read_everything(const char *db, char *msg, size_t msgsz) {
    tl_store_error e;
    tl_store *s = tl_store_open_readonly(db, &e);
    if (!s) {
        snprintf(msg, msgsz, "open: %s", e.msg);
        return 1;
    }
    tl_run *runs = NULL;
    size_t n = 0;
    int step = 0;
    if (tl_store_runs(s, 0, &runs, &n, &e) != 0 || n != 2) step = 2;
    else if (tl_store_last_complete_run(s, 0) != 2) step = 3;
    if (!step) {
        tl_findings fs;
        tl_findings_init(&fs);
        if (tl_store_run_findings(s, 2, &fs, &e) != 0 || fs.n != 5) step = 4;
        else if (tl_store_triage_apply(s, &fs, &e) != 0) step = 5;
        tl_findings_free(&fs);
    }
    /* a write through it fails cleanly */
    if (!step && tl_store_run_begin(s, &info, &e) > 0) step = 6;
    else if (!step && e.status != TL_STORE_E_READONLY) step = 7;
    if (step) snprintf(msg, msgsz, "step %d: %s", step, e.msg);
    tl_runs_free(runs, n);
    tl_store_close(s);
    return step;
}

static void test_readonly_reads_and_writes_nothing(void **state) {
    fixture *fx = *state;
    size_t n0, n1;
    char *before = tu_slurp(fx->db, &n0);
    char msg[600] = "";
    if (read_everything(fx->db, msg, sizeof msg)) fail_msg("%s", msg);
    char *after = tu_slurp(fx->db, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    /* a store another process is writing: its committed runs are seen */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE; UPDATE runs SET tool_version = 'x';", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    if (read_everything(fx->db, msg, sizeof msg)) fail_msg("while another writes: %s", msg);
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h);
}

static void test_readonly_refusals(void **state) {
    fixture *fx = *state;
    tl_store_error e;
    char *missing = tl_xasprintf("%s/none/findings.db", fx->dir);
    assert_null(tl_store_open_readonly(missing, &e));
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    assert_int_equal(access(missing, F_OK), -1);
    char *empty = tl_xasprintf("%s/empty.db", fx->dir);
    tu_write(empty, "");
    assert_null(tl_store_open_readonly(empty, &e));
    assert_int_equal(e.status, TL_STORE_E_NOT_FOUND);
    struct stat st;
    assert_int_equal(stat(empty, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_false(side_exists(empty, "-wal"));
    char *foreign = tl_xasprintf("%s/foreign.db", fx->dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(foreign, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = WAL; CREATE TABLE t(x);", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    assert_null(tl_store_open_readonly(foreign, &e));
    assert_int_equal(e.status, TL_STORE_E_FOREIGN);
    assert_false(side_exists(foreign, "-wal"));
    assert_false(side_exists(foreign, "-shm"));
    free(missing);
    free(empty);
    free(foreign);
}

/* Runs `fn(db)` as a user without write access to the store's directory:
   nobody when we are root, else ourselves after chmod. */
static void as_reader_without_write_access(fixture *fx, int (*fn)(const char *, char *, size_t)) {
    char *sdir = tl_xasprintf("%s/store", fx->dir);
    chmod(fx->dir, 0755);
    chmod(sdir, 0555);
    if (geteuid() != 0 && access(sdir, W_OK) == 0) {
        chmod(sdir, 0755);
        free(sdir);
        skip(); /* permissions do not restrict us */
    }
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pipefd[0]);
        if (geteuid() == 0 &&
            (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
            _exit(90);
        if (access(sdir, W_OK) == 0) _exit(91); /* still allowed to write */
        char msg[600] = "";
        int rc = fn(fx->db, msg, sizeof msg);
        if (write(pipefd[1], msg, strlen(msg)) < 0) _exit(92);
        _exit(rc);
    }
    close(pipefd[1]);
    char msg[600] = "";
    ssize_t got = read(pipefd[0], msg, sizeof msg - 1);
    msg[got > 0 ? got : 0] = '\0';
    close(pipefd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    chmod(sdir, 0755);
    free(sdir);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) fail_msg("as a reader (status %d): %s", WEXITSTATUS(status), msg);
}

static void test_readonly_directory(void **state) {
    fixture *fx = *state;
    assert_false(side_exists(fx->db, "-shm")); /* closed cleanly: read as immutable */
    size_t n0, n1;
    char *before = tu_slurp(fx->db, &n0);
    as_reader_without_write_access(fx, read_everything);
    char *after = tu_slurp(fx->db, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    assert_false(side_exists(fx->db, "-wal"));
    assert_false(side_exists(fx->db, "-shm"));
}

/* The writer tl_store_open refuses the same directory, as before. */
static int open_for_writing(const char *db, char *msg, size_t msgsz) {
    tl_store_error e;
    tl_store *s = tl_store_open(db, false, &e);
    if (s) {
        tl_store_close(s);
        snprintf(msg, msgsz, "opened for writing");
        return 1;
    }
    if (e.status != TL_STORE_E_READONLY) {
        snprintf(msg, msgsz, "status %d: %s", e.status, e.msg);
        return 2;
    }
    return 0;
}

static void test_readonly_directory_writer_refused(void **state) {
    as_reader_without_write_access(*state, open_for_writing);
}

/* ---- lock messages ---- */

static void test_lock_by_another_program(void **state) {
    fixture *fx = *state;
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, false, &e);
    assert_non_null(s);
    tl_store__set_busy_timeout(s, 100);
    assert_true(tl_store_run_begin(s, &info, &e) <= 0);
    assert_int_equal(e.status, TL_STORE_E_BUSY);
    assert_non_null(strstr(e.msg, "locked by another process"));
    assert_null(strstr(e.msg, "tasklint run")); /* nothing known about the holder */
    tl_store_close(s);
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(h);
}

static void test_lock_names_running_run(void **state) {
    fixture *fx = *state;
    int ready[2], done[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        close(done[1]);
        tl_store_error e;
        tl_store *s = tl_store_open(fx->db, false, &e);
        if (!s || tl_store_run_begin(s, &info, &e) <= 0) _exit(2);
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) _exit(3);
        if (write(ready[1], "r", 1) != 1) _exit(4);
        char c;
        if (read(done[0], &c, 1) < 0) _exit(5); /* until the parent is done */
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    tl_store_error e;
    tl_store *s = tl_store_open(fx->db, false, &e);
    assert_non_null(s);
    tl_store__set_busy_timeout(s, 100);
    assert_true(tl_store_run_begin(s, &info, &e) <= 0);
    tl_store_close(s);
    close(done[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    assert_int_equal(e.status, TL_STORE_E_BUSY);
    char *want = tl_xasprintf("tasklint run is in progress and may hold it: run 3 (pid %d", (int)pid);
    if (!strstr(e.msg, want)) fail_msg("message '%s' lacks '%s'", e.msg, want);
    free(want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readonly_reads_and_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_directory_writer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_by_another_program, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_names_running_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
