/* gc.c - keeping the history small: `tasklint gc` and the `keep_runs:`
 * setting drop old runs, in one transaction, then reclaim the space.
 *
 * What is kept (docs/store.md "Keeping the history small"):
 *   - the newest `keep_last` runs, whatever their status;
 *   - every run that is still `running` (it may belong to a live process);
 *   - every run a named baseline points at;
 *   - for every triaged fingerprint, the newest run holding a finding with
 *     it (a triage decision is keyed by fingerprint and `tasklint triage`
 *     needs a recorded finding to accept one);
 *   - for the trend, the newest complete run of each UTC day (or ISO week,
 *     or none) among the older ones.
 * Everything else goes: its findings and their notes, its TUs, then the
 * file sets no TU uses any more.  The deletes are bulk statements over a
 * temporary table of dropped runs (each table is scanned once), with
 * foreign keys switched off for the transaction and the references cleared
 * by hand, so the cost is linear in the store, not runs x TUs.
 * Afterwards VACUUM rewrites the file (and the WAL is truncated), so the
 * space is given back to the file system. */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/xalloc.h"

const char *tl_gc_trend_name(tl_gc_trend t) {
    switch (t) {
    case TL_GC_TREND_NONE: return "none";
    case TL_GC_TREND_DAY: return "day";
    case TL_GC_TREND_WEEK: return "week";
    }
    return "?";
}

int tl_gc_trend_parse(const char *s, tl_gc_trend *out) {
    if (!s) return -1;
    if (!strcmp(s, "none")) *out = TL_GC_TREND_NONE;
    else if (!strcmp(s, "day")) *out = TL_GC_TREND_DAY;
    else if (!strcmp(s, "week")) *out = TL_GC_TREND_WEEK;
    else return -1;
    return 0;
}

/* The bytes the store takes on disk: the file and its write-ahead log. */
static int64_t disk_size(const char *path) {
    struct stat st;
    int64_t n = 0;
    if (stat(path, &st) == 0) n += st.st_size;
    char *wal = tl_xasprintf("%s-wal", path);
    if (stat(wal, &st) == 0) n += st.st_size;
    free(wal);
    return n;
}

static int exec_sql(tl_store *s, const char *sql, const char *what, tl_store_error *err) {
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) return tl_store__fail(s, rc, what, err);
    return 0;
}

/* The trend bucket of an ISO time ("2024-05-01T10:20:30Z"): the day, or the
   ISO week ("2024-W18"); "" when the time cannot be read. */
static void bucket_of(const char *iso, tl_gc_trend t, char out[16]) {
    out[0] = '\0';
    if (!iso) return;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) return;
    time_t when = timegm(&tm);
    gmtime_r(&when, &tm);
    strftime(out, 16, t == TL_GC_TREND_WEEK ? "%G-W%V" : "%Y-%m-%d", &tm);
}

typedef struct {
    int64_t id;
    char status[12];
    char started[32];
    bool keep;
} gc_run;

/* Marks the runs that the result of `sql` names (one id per row). */
static int keep_named(tl_store *s, const char *sql, gc_run *runs, size_t n, const char *what,
                      tl_store_error *err) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return tl_store__fail(s, rc, what, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        /* runs are sorted newest first: binary search on descending ids */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (runs[mid].id == id) {
                runs[mid].keep = true;
                break;
            }
            if (runs[mid].id > id) lo = mid + 1;
            else hi = mid;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, what, err);
    return 0;
}

static int choose(tl_store *s, const tl_gc_policy *p, gc_run **out, size_t *nout,
                  tl_store_error *err) {
    *out = NULL;
    *nout = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, status, started FROM runs ORDER BY id DESC", -1,
                                &st, NULL);
    if (rc != SQLITE_OK) return tl_store__fail(s, rc, "listing runs", err);
    size_t n = 0, cap = 0;
    gc_run *runs = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            runs = tl_xrealloc(runs, cap * sizeof *runs);
        }
        gc_run *r = &runs[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        const unsigned char *t = sqlite3_column_text(st, 1);
        snprintf(r->status, sizeof r->status, "%s", t ? (const char *)t : "");
        t = sqlite3_column_text(st, 2);
        snprintf(r->started, sizeof r->started, "%s", t ? (const char *)t : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(runs);
        return tl_store__fail(s, rc, "listing runs", err);
    }
    for (size_t i = 0; i < n; i++) {
        if (i < (size_t)(p->keep_last > 0 ? p->keep_last : 0)) runs[i].keep = true;
        if (!strcmp(runs[i].status, "running")) runs[i].keep = true;
    }
    if (keep_named(s, "SELECT run FROM baselines", runs, n, "reading baselines", err) ||
        keep_named(s,
                   "SELECT max(f.run) FROM findings f JOIN triage t ON t.fingerprint = f.fingerprint"
                   " GROUP BY f.fingerprint",
                   runs, n, "reading triage decisions", err)) {
        free(runs);
        return -1;
    }
    if (p->trend != TL_GC_TREND_NONE) {
        /* newest first: the first complete run seen in a bucket is its newest;
           buckets only grow older along the list, so comparing with the last
           bucket taken is enough */
        char last[16] = "";
        for (size_t i = 0; i < n; i++) {
            if (strcmp(runs[i].status, "complete") != 0) continue;
            char b[16];
            bucket_of(runs[i].started, p->trend, b);
            if (!*b || strcmp(b, last) == 0) continue;
            runs[i].keep = true;
            memcpy(last, b, sizeof last);
        }
    }
    *out = runs;
    *nout = n;
    return 0;
}

/* The deletes, each one statement over every dropped run (temp.gc_drop). */
static const char *const drop_sql[] = {
    "DELETE FROM finding_notes WHERE finding IN"
    " (SELECT id FROM findings WHERE run IN (SELECT id FROM temp.gc_drop))",
    "DELETE FROM findings WHERE run IN (SELECT id FROM temp.gc_drop)",
    "UPDATE tus SET reused_from = NULL WHERE reused_from IN (SELECT id FROM temp.gc_drop)",
    "DELETE FROM tus WHERE run IN (SELECT id FROM temp.gc_drop)",
    "DELETE FROM baselines WHERE run IN (SELECT id FROM temp.gc_drop)", /* none: kept above */
    "DELETE FROM runs WHERE id IN (SELECT id FROM temp.gc_drop)",
    "DELETE FROM fileset_files WHERE fileset NOT IN"
    " (SELECT fileset FROM tus WHERE fileset IS NOT NULL)",
    "DELETE FROM filesets WHERE id NOT IN (SELECT fileset FROM tus WHERE fileset IS NOT NULL)",
};

int tl_store_gc(tl_store *s, const tl_gc_policy *p, tl_gc_vacuum vacuum, tl_gc_result *out,
                tl_store_error *err) {
    tl_store__ok(err);
    memset(out, 0, sizeof *out);
    if (s->readonly) {
        tl_store__set_error(err, TL_STORE_E_READONLY, "%s was opened read-only", s->path);
        return -1;
    }
    out->bytes_before = disk_size(s->path);
    /* foreign keys off for the bulk deletes (the pragma is a no-op inside a
       transaction); every reference is cleared by the statements above */
    if (exec_sql(s, "PRAGMA foreign_keys = OFF", "configuring the connection", err)) return -1;
    gc_run *runs = NULL;
    size_t n = 0;
    int r = -1;
    if (tl_store__begin(s, err)) goto restore;
    if (choose(s, p, &runs, &n, err)) goto fail;
    if (exec_sql(s, "CREATE TEMP TABLE IF NOT EXISTS gc_drop(id INTEGER PRIMARY KEY);"
                    "DELETE FROM temp.gc_drop",
                 "preparing the collection", err))
        goto fail;
    {
        sqlite3_stmt *ins = NULL;
        int rc = sqlite3_prepare_v2(s->db, "INSERT INTO temp.gc_drop(id) VALUES (?1)", -1, &ins,
                                    NULL);
        if (rc != SQLITE_OK) {
            tl_store__fail(s, rc, "preparing the collection", err);
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            if (runs[i].keep) {
                out->runs_kept++;
                continue;
            }
            sqlite3_bind_int64(ins, 1, runs[i].id);
            rc = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (rc != SQLITE_DONE) {
                sqlite3_finalize(ins);
                tl_store__fail(s, rc, "choosing the runs to drop", err);
                goto fail;
            }
            out->runs_deleted++;
        }
        sqlite3_finalize(ins);
    }
    out->runs_before = n;
    for (size_t i = 0; out->runs_deleted && i < sizeof drop_sql / sizeof *drop_sql; i++)
        if (exec_sql(s, drop_sql[i], "dropping old runs", err)) goto fail;
    if (exec_sql(s, "DELETE FROM temp.gc_drop", "dropping old runs", err)) goto fail;
    if (tl_store__commit(s, err)) goto restore;
    r = 0;
    goto restore;
fail:
    tl_store__rollback(s);
    out->runs_kept = out->runs_deleted = out->runs_before = 0;
restore:
    {
        tl_store_error ignored;
        exec_sql(s, "PRAGMA foreign_keys = ON", "configuring the connection", &ignored);
    }
    free(runs);
    if (r != 0) return -1;

    int64_t freelist = 0, pages = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT (SELECT freelist_count FROM pragma_freelist_count),"
                                  " (SELECT page_count FROM pragma_page_count)",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        freelist = sqlite3_column_int64(q, 0);
        pages = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    /* after a run, only when a quarter of the file is free pages: VACUUM
       rewrites the whole file, and free pages are reused by the next runs */
    bool worth = vacuum == TL_GC_VACUUM_ALWAYS ||
                 (vacuum == TL_GC_VACUUM_IF_WORTH && pages > 0 && freelist * 4 >= pages);
    if (worth) {
        if (exec_sql(s, "VACUUM", "reclaiming space (VACUUM)", err)) return -1;
        out->vacuumed = true;
    }
    /* the WAL holds the rewritten pages until a checkpoint copies them in */
    if (exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing", err)) return -1;
    out->bytes_after = disk_size(s->path);
    return 0;
}

/* ---- what the HTML report reads besides runs and findings ---- */

int tl_store_run_file_hashes(tl_store *s, int64_t run, char ***paths, char ***hashes, size_t *n,
                             tl_store_error *err) {
    tl_store__ok(err);
    *paths = *hashes = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    /* one hash per path (a file rewritten mid-run could have two: the
       smallest is as good as any, the page then says it changed) */
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT path, min(hash) FROM files WHERE run = ?1"
                                " GROUP BY path ORDER BY path",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return tl_store__fail(s, rc, "reading the files of a run", err);
    sqlite3_bind_int64(st, 1, run);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *paths = tl_xrealloc(*paths, cap * sizeof **paths);
            *hashes = tl_xrealloc(*hashes, cap * sizeof **hashes);
        }
        char *p = tl_store__col_dup(st, 0), *h = tl_store__col_dup(st, 1);
        if (!p || !h) {
            free(p);
            free(h);
            continue;
        }
        (*paths)[*n] = p;
        (*hashes)[*n] = h;
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        tl_store_paths_free(*paths, *n);
        tl_store_paths_free(*hashes, *n);
        *paths = *hashes = NULL;
        *n = 0;
        return tl_store__fail(s, rc, "reading the files of a run", err);
    }
    return 0;
}
