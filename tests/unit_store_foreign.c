/* unit_store_foreign.c - the store writes only its own database.
 *
 * Another program's SQLite file (tables without tasklint's application id,
 * a foreign application id, a user_version, a pending write-ahead log or an
 * unfinished transaction of its own) is refused with TL_STORE_E_FOREIGN and
 * left byte for byte as it was, with no -wal/-shm/-journal beside it.  A
 * tasklint store whose application id is still only in its write-ahead log
 * is recognised.  Symlinks at PATH-wal/-shm/-journal, or a dangling one at
 * PATH, are refused (TL_STORE_E_UNSAFE) and not written through. */
#include "store_test_util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

static int setup(void **state) {
    *state = tu_mkdtemp();
    return *state ? 0 : -1;
}

static int teardown(void **state) {
    tu_rmrf(*state);
    free(*state);
    return 0;
}

static sqlite3 *sql_open(const char *db) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    return h;
}

static void sql_run(sqlite3 *h, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

/* A database file made by "another program" with `sql`, closed cleanly. */
static char *make_db(const char *dir, const char *name, const char *sql) {
    char *db = tl_xasprintf("%s/%s", dir, name);
    sqlite3 *h = sql_open(db);
    sql_run(h, sql);
    sqlite3_close(h);
    return db;
}

static bool side_exists(const char *db, const char *suffix) {
    char *p = tl_xasprintf("%s%s", db, suffix);
    bool there = access(p, F_OK) == 0;
    free(p);
    return there;
}

/* tl_store_open refuses `db` with `status` and changes nothing. */
static void assert_refused_unchanged(const char *db, tl_store_status status, const char *words) {
    bool wal = side_exists(db, "-wal"), shm = side_exists(db, "-shm"),
         journal = side_exists(db, "-journal");
    size_t n0, n1;
    char *before = tu_slurp(db, &n0);
    assert_non_null(before);
    for (int create = 0; create < 2; create++) {
        tl_store_error e;
        tl_store *s = tl_store_open(db, create, &e);
        if (s) {
            tl_store_close(s);
            fail_msg("%s was opened as a store", db);
        }
        if (e.status != status) fail_msg("%s: status %d, expected %d: %s", db, e.status, status, e.msg);
        assert_non_null(strstr(e.msg, db));
        if (words && !strstr(e.msg, words)) fail_msg("%s: message '%s' lacks '%s'", db, e.msg, words);
    }
    char *after = tu_slurp(db, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    assert_int_equal(side_exists(db, "-wal"), wal);
    assert_int_equal(side_exists(db, "-shm"), shm);
    assert_int_equal(side_exists(db, "-journal"), journal);
}

static void test_foreign_tables_refused(void **state) {
    const char *dir = *state;
    /* rollback journal, WAL, tables without rows, a view only */
    char *a = make_db(dir, "notes.db",
                      "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('keep me');");
    char *b = make_db(dir, "wal.db",
                      "PRAGMA journal_mode = WAL; CREATE TABLE notes(body TEXT);"
                      "INSERT INTO notes VALUES ('keep me');");
    char *c = make_db(dir, "view.db", "CREATE VIEW v AS SELECT 1;");
    assert_false(side_exists(b, "-wal"));
    assert_refused_unchanged(a, TL_STORE_E_FOREIGN, "tasklint will not modify it");
    assert_refused_unchanged(b, TL_STORE_E_FOREIGN, "has tables");
    assert_refused_unchanged(c, TL_STORE_E_FOREIGN, NULL);
    /* a tasklint-looking table name does not make it ours */
    char *d = make_db(dir, "runs.db", "CREATE TABLE runs(id INTEGER PRIMARY KEY);");
    assert_refused_unchanged(d, TL_STORE_E_FOREIGN, NULL);
    free(a);
    free(b);
    free(c);
    free(d);
}

static void test_foreign_ids_refused(void **state) {
    const char *dir = *state;
    char *a = make_db(dir, "app.db", "PRAGMA application_id = 42;");
    char *b = make_db(dir, "app_wal.db",
                      "PRAGMA journal_mode = WAL; PRAGMA application_id = 305419896;"
                      "CREATE TABLE t(x);");
    char *c = make_db(dir, "uv.db", "PRAGMA user_version = 3;");
    assert_refused_unchanged(a, TL_STORE_E_FOREIGN, "another application (application_id 0x0000002a)");
    assert_refused_unchanged(b, TL_STORE_E_FOREIGN, "0x12345678");
    assert_refused_unchanged(c, TL_STORE_E_FOREIGN, "user_version");
    free(a);
    free(b);
    free(c);
}

/* Another program has the database open in WAL mode: its tables are only in
   the -wal so far; the main file says nothing yet. */
static void test_foreign_pending_wal_refused(void **state) {
    const char *dir = *state;
    char *db = tl_xasprintf("%s/live.db", dir);
    sqlite3 *h = sql_open(db);
    sql_run(h, "PRAGMA journal_mode = WAL; CREATE TABLE notes(body TEXT);"
               "INSERT INTO notes VALUES ('keep me');");
    assert_true(side_exists(db, "-wal"));
    assert_true(side_exists(db, "-shm"));
    assert_refused_unchanged(db, TL_STORE_E_FOREIGN, "tasklint will not modify it");
    sql_run(h, "INSERT INTO notes VALUES ('still mine');"); /* the owner carries on */
    sqlite3_close(h);
    free(db);
    /* a -wal without -shm: cannot be read without writing */
    db = make_db(dir, "walonly.db", "PRAGMA journal_mode = WAL;");
    char *wal = tl_xasprintf("%s-wal", db);
    tu_write(wal, "not really a log, but not empty");
    assert_refused_unchanged(db, TL_STORE_E_FOREIGN, "-shm");
    free(wal);
    free(db);
    /* an unfinished transaction of a rollback-journal database */
    db = make_db(dir, "hot.db", "CREATE TABLE t(x); DROP TABLE t;");
    char *journal = tl_xasprintf("%s-journal", db);
    tu_write(journal, "a hot journal");
    assert_refused_unchanged(db, TL_STORE_E_FOREIGN, "unfinished transaction");
    free(journal);
    free(db);
}

/* tasklint's own store, made in place on an empty file, whose writer died
   before the first checkpoint: the application id is only in the -wal. */
static void test_own_pending_wal_recognised(void **state) {
    const char *dir = *state;
    char *db = tl_xasprintf("%s/inplace.db", dir);
    tu_write(db, "");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        tl_store_error e;
        tl_store *s = tl_store_open(db, true, &e);
        if (!s) _exit(2);
        tl_run_info info = {.tool_version = "t", .config_hash = "c", .root = "/p"};
        int64_t run = tl_store_run_begin(s, &info, &e);
        if (run <= 0 || tl_store_run_finish(s, run, true, &e)) _exit(3);
        _exit(0); /* no close: no checkpoint */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(side_exists(db, "-wal"));
    /* the main file does not say whose it is (yet) */
    size_t n;
    unsigned char *img = (unsigned char *)tu_slurp(db, &n);
    assert_true(n == 0 || (n >= 72 && img[68] == 0 && img[69] == 0 && img[70] == 0 && img[71] == 0));
    free(img);
    tl_store_error e;
    tl_store *s = tl_store_open(db, true, &e);
    if (!s) fail_msg("own store with a pending WAL: %s", e.msg);
    assert_int_equal(tl_store_last_complete_run(s, 0), 1);
    tl_store_close(s);
    free(db);
}

static void test_symlinks_beside_refused(void **state) {
    const char *dir = *state;
    char *db = tl_xasprintf("%s/findings.db", dir);
    tl_store_error e;
    tl_store *s = tl_store_open(db, true, &e);
    assert_non_null(s);
    tl_store_close(s);
    char *victim = tl_xasprintf("%s/victim", dir);
    tu_write(victim, "precious\n");
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    for (int i = 0; i < 3; i++) {
        char *link = tl_xasprintf("%s%s", db, sides[i]);
        assert_int_equal(symlink(victim, link), 0);
        for (int create = 0; create < 2; create++) {
            assert_null(tl_store_open(db, create, &e));
            assert_int_equal(e.status, TL_STORE_E_UNSAFE);
            assert_non_null(strstr(e.msg, link));
            assert_non_null(strstr(e.msg, "symbolic link"));
        }
        /* also when the database does not exist yet */
        char *fresh = tl_xasprintf("%s/fresh.db", dir);
        char *fresh_link = tl_xasprintf("%s%s", fresh, sides[i]);
        assert_int_equal(symlink(victim, fresh_link), 0);
        assert_null(tl_store_open(fresh, true, &e));
        assert_int_equal(e.status, TL_STORE_E_UNSAFE);
        assert_int_equal(access(fresh, F_OK), -1);
        unlink(fresh_link);
        unlink(link);
        free(fresh);
        free(fresh_link);
        free(link);
    }
    size_t n;
    char *v = tu_slurp(victim, &n);
    assert_int_equal(n, strlen("precious\n"));
    assert_memory_equal(v, "precious\n", n);
    free(v);
    /* a dangling link at the database path is not created through */
    char *dangling = tl_xasprintf("%s/dangling.db", dir);
    char *target = tl_xasprintf("%s/elsewhere.db", dir);
    assert_int_equal(symlink(target, dangling), 0);
    assert_null(tl_store_open(dangling, true, &e));
    assert_int_equal(e.status, TL_STORE_E_UNSAFE);
    assert_int_equal(access(target, F_OK), -1);
    free(dangling);
    free(target);
    free(victim);
    free(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_foreign_tables_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_ids_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_pending_wal_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_pending_wal_recognised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_beside_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
