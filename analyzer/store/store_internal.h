/* store_internal.h - what the store's source files share: the connection,
 * the prepared-statement cache, transactions and error mapping.
 * Internal to analyzer/store (and its unit tests). */
#ifndef TL_STORE_INTERNAL_H
#define TL_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* Every statement the store runs, prepared once per connection on first use
 * (SQLITE_PREPARE_PERSISTENT) and reset after each use. */
typedef enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_BEGIN_READ,
    ST_RUN_INSERT,
    ST_RUN_FINISH,
    ST_RUN_GET_STATUS,
    ST_RUNS_RUNNING,
    ST_RUN_MARK_FAILED,
    ST_RUNS_LIST,
    ST_RUN_RULE_COUNTS,
    ST_LAST_COMPLETE,
    ST_LAST_COMPLETE_BEFORE,
    ST_RUN_FILES,
    ST_TU_INSERT,
    ST_FILESET_GET,
    ST_FILESET_INSERT,
    ST_FILE_INSERT,
    ST_FINDING_INSERT,
    ST_NOTE_INSERT,
    ST_TU_CANDIDATES,
    ST_TU_FILES,
    ST_TU_FINDINGS,
    ST_FINDING_NOTES,
    ST_RUN_FINDINGS,
    ST_BASELINE_SET,
    ST_BASELINE_GET,
    ST_RUN_STARTED_ROOT,
    ST_TRIAGE_UPSERT,
    ST_TRIAGE_DELETE,
    ST_TRIAGE_GET,
    ST_FINGERPRINT_EXISTS,
    ST_UNIT_SAVE,
    ST_UNITS_ALL,
    ST_RUN_SET_PROGRAM,
    ST_RUN_GET_PROGRAM,
    ST__COUNT
} tl_stmt_id;

struct tl_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST__COUNT];
    int in_tx;                 /* a write transaction is open */
    int busy_ms;               /* how long to wait for a lock */
    bool readonly;             /* tl_store_open_readonly: never writes */
};

/* How long this connection waits for a lock (tests shorten it). */
void tl_store__set_busy_timeout(tl_store *s, int ms);

/* The cached statement (prepared on first use, reset and unbound). NULL and
 * `err` filled on failure. */
sqlite3_stmt *tl_store__stmt(tl_store *s, tl_stmt_id id, tl_store_error *err);

/* Fill `err` from a SQLite result code: CORRUPT/NOTADB -> E_CORRUPT,
 * BUSY/LOCKED -> E_BUSY, READONLY/CANTOPEN/PERM -> E_READONLY, else E_IO.
 * `what` says what was being done.  Returns -1. */
int tl_store__fail(tl_store *s, int rc, const char *what, tl_store_error *err);
/* The same for a connection that is not a tl_store yet (db may be NULL);
 * `busy_ms` is how long it waited for a lock. */
void tl_store__fail_path(const char *path, sqlite3 *db, int rc, const char *what, int busy_ms,
                         tl_store_error *err);
void tl_store__set_error(tl_store_error *err, tl_store_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tl_store__ok(tl_store_error *err);

/* BEGIN IMMEDIATE (waits up to the busy timeout for other writers), COMMIT,
 * ROLLBACK (never fails visibly).  begin/commit return 0 or -1 + err. */
int tl_store__begin(tl_store *s, tl_store_error *err);
int tl_store__commit(tl_store *s, tl_store_error *err);
void tl_store__rollback(tl_store *s);

/* 'TLNT': marks a file as tasklint's (PRAGMA application_id) */
#define TL_APPLICATION_ID 0x544c4e54

/* ---- whose file is it (inspect.c), before SQLite opens it for writing ---- */
typedef enum {
    TL_DBFILE_EMPTY, /* 0 bytes, or a SQLite database with nothing in it: may become a store */
    TL_DBFILE_OURS   /* tasklint's application id */
} tl_dbfile_kind;
/* An existing file at `path`: 0 and its kind, or -1 and `err` (not SQLite,
 * damaged header, another program's database).  Reads only. */
int tl_store__inspect(const char *path, tl_dbfile_kind *kind, tl_store_error *err);
/* -1 and `err` (TL_STORE_E_UNSAFE) when PATH-wal, -shm or -journal (next to
 * the file a symlink at `path` leads to) exists and is not a regular file. */
int tl_store__check_side_files(const char *path, tl_store_error *err);
/* realpath(path), or a copy of `path` when it does not resolve (malloc'd). */
char *tl_store__real_location(const char *path);

/* Column text duplicated (NULL stays NULL). */
char *tl_store__col_dup(sqlite3_stmt *st, int col);
/* Current time as ISO 8601 UTC ("2024-05-01T10:20:30Z"). */
void tl_store__now_iso(char out[32]);

/* ---- the process-wide file stamp cache (tu.c), thread-safe ---- */
/* How many files have been read and hashed by this process (for tests and
 * the benchmark: proves the stat shortcut works). */
unsigned long tl_store__hash_count(void);
void tl_store__stamp_cache_clear(void);

/* Liveness of a run's owning process (runs.c). */
typedef struct {
    int64_t pid;
    const char *host, *boot_id;
    int64_t proc_start;
    const char *started;     /* ISO time */
} tl_run_owner;
bool tl_store__owner_alive(const tl_run_owner *o);

#endif
