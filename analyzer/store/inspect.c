/* inspect.c - whose database file is it?  Decided from the bytes on disk
 * before SQLite opens the file for writing, so that a file tasklint refuses
 * is never modified: no schema, no switch to WAL, no application id, and no
 * -wal/-shm/-journal file appears beside it.  schema.c calls it on open.
 *
 *   - 0 bytes: a new store;
 *   - a SQLite header with tasklint's application id: ours;
 *   - another application id: refused;
 *   - application id 0: a new store only when the database has no table and
 *     user_version 0 (SQLite made the file, nothing was created in it), else
 *     refused.  The main file is read directly when no write-ahead log is
 *     pending; otherwise through a read-only connection, which creates
 *     nothing when the -wal and -shm files both exist (without the -shm the
 *     question cannot be answered without writing, and the file is refused).
 *
 * Beside the database, SQLite writes PATH-wal, PATH-shm and PATH-journal;
 * anything there that is not a regular file (a symlink planted by a checkout)
 * is refused with a clear message. */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define HEADER_BYTES 108 /* the 100-byte file header and page 1's b-tree header */
#define PAGE1_LEAF_TABLE 0x0D
#define PAGE1_INTERIOR_TABLE 0x05

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

char *tl_store__real_location(const char *path) {
    char *real = realpath(path, NULL);
    return real ? real : tl_xstrdup(path);
}

/* Size of a regular file PATH+suffix, 0 when absent. */
static off_t side_size(const char *db, const char *suffix) {
    char *p = tl_xasprintf("%s%s", db, suffix);
    struct stat st;
    off_t n = lstat(p, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
    free(p);
    return n;
}

static bool side_exists(const char *db, const char *suffix) {
    char *p = tl_xasprintf("%s%s", db, suffix);
    struct stat st;
    bool there = lstat(p, &st) == 0;
    free(p);
    return there;
}

int tl_store__check_side_files(const char *path, tl_store_error *err) {
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    char *real = tl_store__real_location(path);
    int r = 0;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes && r == 0; i++) {
        char *p = tl_xasprintf("%s%s", real, suffixes[i]);
        struct stat st;
        if (lstat(p, &st) == 0 && !S_ISREG(st.st_mode)) {
            tl_store__set_error(err, TL_STORE_E_UNSAFE,
                                "%s is %s, not a file: SQLite would write the database's %s "
                                "through it; tasklint will not (remove it)",
                                p, S_ISLNK(st.st_mode) ? "a symbolic link" : "something else",
                                suffixes[i] + 1);
            r = -1;
        }
        free(p);
    }
    free(real);
    return r;
}

/* The header says SQLite; is it a plausible one?  (page size, the fixed
   payload fractions, page 1's b-tree type) */
static bool header_plausible(const unsigned char *h) {
    unsigned page = (unsigned)h[16] << 8 | h[17];
    bool pow2 = page == 1 || (page >= 512 && page <= 32768 && (page & (page - 1)) == 0);
    return pow2 && h[21] == 64 && h[22] == 32 && h[23] == 32 &&
           (h[100] == PAGE1_LEAF_TABLE || h[100] == PAGE1_INTERIOR_TABLE);
}

static void refuse_foreign(const char *path, const char *why, tl_store_error *err) {
    tl_store__set_error(err, TL_STORE_E_FOREIGN,
                        "%s is a SQLite database that tasklint did not create (%s); tasklint "
                        "will not modify it",
                        path, why);
}

/* Application id 0 and a pending write-ahead log: what SQLite sees. */
static int inspect_through_sqlite(const char *path, const char *real, tl_dbfile_kind *kind,
                                  tl_store_error *err) {
    if (!side_exists(real, "-shm")) {
        tl_store__set_error(err, TL_STORE_E_FOREIGN,
                            "%s has a write-ahead log (%s-wal) but no -shm file and is not "
                            "marked as tasklint's: which program it belongs to cannot be read "
                            "without writing; tasklint will not modify it",
                            path, path);
        return -1;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    int64_t app = -1, uv = -1, tables = -1;
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        static const char *const q[] = {"PRAGMA application_id", "PRAGMA user_version",
                                        "SELECT count(*) FROM sqlite_master"};
        int64_t *out[] = {&app, &uv, &tables};
        for (int i = 0; i < 3 && rc == SQLITE_OK; i++) {
            sqlite3_stmt *st = NULL;
            rc = sqlite3_prepare_v2(db, q[i], -1, &st, NULL);
            if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                *out[i] = sqlite3_column_int64(st, 0);
                rc = SQLITE_OK;
            }
            sqlite3_finalize(st);
        }
    }
    if (rc != SQLITE_OK) {
        tl_store__set_error(err, TL_STORE_E_FOREIGN,
                            "%s: cannot tell whose database it is (%s, reading it read-only); "
                            "tasklint will not modify it",
                            path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_close(db);
    if (app == TL_APPLICATION_ID) {
        *kind = TL_DBFILE_OURS;
        return 0;
    }
    if (app == 0 && uv == 0 && tables == 0) {
        *kind = TL_DBFILE_EMPTY;
        return 0;
    }
    if (app != 0) {
        tl_store__set_error(err, TL_STORE_E_FOREIGN,
                            "%s is the SQLite database of another application (application_id "
                            "0x%08llx); tasklint will not modify it",
                            path, (unsigned long long)app & 0xffffffffULL);
        return -1;
    }
    refuse_foreign(path, tables ? "it has tables, and not tasklint's application id"
                                : "it has a user_version, and not tasklint's application id",
                   err);
    return -1;
}

/* One look at the file; *in_progress when it was refused only for a
 * rollback journal beside a database without an application id, which is
 * also what another tasklint process creating the store looks like for a
 * moment (SQLite switches a new, empty file to WAL mode through the
 * journal, before the schema and the application id are written). */
static int inspect_once(const char *path, tl_dbfile_kind *kind, tl_store_error *err, bool *in_progress) {
    *in_progress = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        tl_store__set_error(err,
                            e == EACCES || e == EPERM ? TL_STORE_E_READONLY
                            : e == ENOENT             ? TL_STORE_E_NOT_FOUND
                                                      : TL_STORE_E_IO,
                            "cannot read %s: %s", path, strerror(e));
        return -1;
    }
    unsigned char h[HEADER_BYTES];
    size_t n = 0;
    while (n < sizeof h) {
        ssize_t r = read(fd, h + n, sizeof h - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n == 0) {
        /* nothing in the file; a write-ahead log may still hold a database */
        char *real = tl_store__real_location(path);
        int r = 0;
        if (side_size(real, "-wal") > 0) r = inspect_through_sqlite(path, real, kind, err);
        else *kind = TL_DBFILE_EMPTY;
        free(real);
        return r;
    }
    if (n < 16 || memcmp(h, "SQLite format 3", 16) != 0) {
        tl_store__set_error(err, TL_STORE_E_NOT_SQLITE,
                            "%s exists and is not a SQLite database; tasklint will not "
                            "overwrite it (remove it, or choose another file with --db)",
                            path);
        return -1;
    }
    if (n < sizeof h || !header_plausible(h)) {
        tl_store__set_error(err, TL_STORE_E_CORRUPT,
                            "%s is damaged (its SQLite header is invalid); tasklint will not "
                            "modify it: move it away (or use --no-db) and the next run starts "
                            "a new database",
                            path);
        return -1;
    }
    uint32_t app = be32(h + 68), uv = be32(h + 60);
    if (app == TL_APPLICATION_ID) {
        *kind = TL_DBFILE_OURS;
        return 0;
    }
    if (app != 0) {
        tl_store__set_error(err, TL_STORE_E_FOREIGN,
                            "%s is the SQLite database of another application (application_id "
                            "0x%08x); tasklint will not modify it",
                            path, (unsigned)app);
        return -1;
    }
    /* no application id: only a database with nothing in it is taken */
    char *real = tl_store__real_location(path);
    int r = -1;
    if (side_size(real, "-wal") > 0) {
        r = inspect_through_sqlite(path, real, kind, err); /* the main file may be behind */
    } else if (side_size(real, "-journal") > 0) {
        *in_progress = true;
        tl_store__set_error(err, TL_STORE_E_FOREIGN,
                            "%s has an unfinished transaction (%s-journal) and is not marked as "
                            "tasklint's; tasklint will not modify it",
                            path, path);
    } else if (uv != 0) {
        refuse_foreign(path, "it has a user_version, and not tasklint's application id", err);
    } else if (h[100] != PAGE1_LEAF_TABLE || ((unsigned)h[103] << 8 | h[104]) != 0) {
        refuse_foreign(path, "it has tables, and not tasklint's application id", err);
    } else {
        *kind = TL_DBFILE_EMPTY;
        r = 0;
    }
    free(real);
    return r;
}

/* A journal beside an unmarked database may be another tasklint process
 * creating the store at this moment: look again until it is gone (for up to
 * INSPECT_WAIT_MS), then decide; a foreign database with a transaction left
 * unfinished is still refused, only later. */
#define INSPECT_WAIT_MS 3000
int tl_store__inspect(const char *path, tl_dbfile_kind *kind, tl_store_error *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        bool in_progress;
        int r = inspect_once(path, kind, err, &in_progress);
        if (r == 0 || !in_progress) return r;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > INSPECT_WAIT_MS) return r;
        usleep(10000);
    }
}
