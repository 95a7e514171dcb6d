/* errors.c - the store's errors: SQLite result codes mapped to statuses,
 * messages that name the file and say what was being done, and for a lock,
 * who is known to hold it (a live tasklint run named in the runs table). */
#include "store/store_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void tl_store__set_error(tl_store_error *err, tl_store_status st, const char *fmt, ...) {
    if (!err) return;
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void tl_store__ok(tl_store_error *err) {
    if (!err) return;
    err->status = TL_STORE_OK;
    err->msg[0] = '\0';
}

static tl_store_status status_of(int rc) {
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return TL_STORE_E_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return TL_STORE_E_BUSY;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH: return TL_STORE_E_READONLY;
    default: return TL_STORE_E_IO;
    }
}

void tl_store__fail_path(const char *path, sqlite3 *db, int rc, const char *what, int busy_ms,
                         tl_store_error *err) {
    const char *m = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (status_of(rc)) {
    case TL_STORE_E_CORRUPT:
        tl_store__set_error(err, TL_STORE_E_CORRUPT,
                            "%s is damaged (%s, while %s); tasklint will not modify it: move it "
                            "away (or use --no-db) and the next run starts a new database",
                            path, m, what);
        break;
    case TL_STORE_E_BUSY:
        tl_store__set_error(err, TL_STORE_E_BUSY,
                            "%s is locked by another process (waited %.1f s while %s): %s", path,
                            busy_ms / 1000.0, what, m);
        break;
    case TL_STORE_E_READONLY:
        tl_store__set_error(err, TL_STORE_E_READONLY, "cannot write %s (%s): %s", path, what, m);
        break;
    default:
        tl_store__set_error(err, TL_STORE_E_IO, "%s: %s: %s", path, what, m);
        break;
    }
}

/* Who may hold the lock: the runs table names tasklint's own running runs
   and their processes (readable in WAL mode while another process writes).
   Only live processes other than this one count; the reader does not wait. */
static void describe_lock_holders(tl_store *s, tl_store_error *err) {
    sqlite3_stmt *st = NULL;
    sqlite3_busy_timeout(s->db, 0);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, pid, host, boot_id, proc_start, started FROM runs"
                           " WHERE status = 'running' ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_busy_timeout(s->db, s->busy_ms);
        return;
    }
    char names[160] = "";
    size_t len = 0;
    int shown = 0, more = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        tl_run_owner o = {.pid = sqlite3_column_int64(st, 1),
                          .host = (const char *)sqlite3_column_text(st, 2),
                          .boot_id = (const char *)sqlite3_column_text(st, 3),
                          .proc_start = sqlite3_column_int64(st, 4),
                          .started = (const char *)sqlite3_column_text(st, 5)};
        if (o.pid == (int64_t)getpid() || !tl_store__owner_alive(&o)) continue;
        if (shown == 3) {
            more++;
            continue;
        }
        int w = snprintf(names + len, sizeof names - len, "%srun %lld (pid %lld%s%s)",
                         shown ? ", " : "", (long long)sqlite3_column_int64(st, 0),
                         (long long)o.pid, o.host ? " on " : "", o.host ? o.host : "");
        if (w > 0 && (size_t)w < sizeof names - len) len += (size_t)w;
        shown++;
    }
    sqlite3_finalize(st);
    sqlite3_busy_timeout(s->db, s->busy_ms);
    if (!shown) return;
    size_t used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used,
             "; tasklint %s in progress and may hold it: %s%s", shown + more > 1 ? "runs are" : "run is",
             names, more ? ", ..." : "");
}

int tl_store__fail(tl_store *s, int rc, const char *what, tl_store_error *err) {
    tl_store__fail_path(s->path, s->db, rc, what, s->busy_ms, err);
    if (err && err->status == TL_STORE_E_BUSY && s->db) describe_lock_holders(s, err);
    return -1;
}
