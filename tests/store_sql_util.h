/* store_sql_util.h - reading and poking a findings store with plain SQL
 * from the store's unit tests (unit_store.c, unit_store_gc.c).  Include
 * after <cmocka.h> and <sqlite3.h>. */
#ifndef TL_STORE_SQL_UTIL_H
#define TL_STORE_SQL_UTIL_H

#include <stdint.h>

/* The first column of the first row of sql on db (read-only), -1 if none. */
static inline int64_t tu_sql_int(const char *db, const char *sql) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(h));
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* Runs sql on db; a failure fails the test. */
static inline void tu_sql_exec(const char *db, const char *sql) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

#endif
