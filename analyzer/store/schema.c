/* schema.c - opening the store: safety checks before SQLite touches the
 * file (with inspect.c), connection settings, forward migrations, read-only
 * connections for commands that only read, the statement cache and
 * transactions.  Errors are in errors.c, the default location in
 * location.c. */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define BUSY_TIMEOUT_MS 10000
/* PRAGMA quick_check on open only below this size: it reads every page
   (about 1 s per 400 MB); bigger files are still checked by SQLite on every
   page it reads, and SQLITE_CORRUPT maps to TL_STORE_E_CORRUPT anywhere. */
#define QUICK_CHECK_MAX_BYTES (64LL << 20)

/* ---- schema: migration i takes user_version i to i + 1 ----
 * To change the schema, append a step and raise TL_STORE_SCHEMA_VERSION;
 * never edit a step that has shipped. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "PRAGMA application_id = 1414286932;" /* TL_APPLICATION_ID */
    "CREATE TABLE runs("
    "  id INTEGER PRIMARY KEY,"
    "  started TEXT NOT NULL,"
    "  finished TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),"
    "  tool_version TEXT, config_hash TEXT, git_commit TEXT, git_branch TEXT,"
    "  command_line TEXT, root TEXT,"
    /* the process that writes the run: stale 'running' runs are recognised by it */
    "  pid INTEGER, host TEXT, boot_id TEXT, proc_start INTEGER);"
    "CREATE INDEX runs_status ON runs(status, id);"
    /* the include graph: the files a TU read, with their stamps, as a
       content-addressed set shared by every TU (of any run) that read
       exactly these files in exactly these versions: an unchanged re-run
       adds no file rows */
    "CREATE TABLE filesets("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE);"
    "CREATE TABLE fileset_files("
    "  fileset INTEGER NOT NULL REFERENCES filesets(id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL, hash TEXT NOT NULL,"
    "  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (fileset, path)) WITHOUT ROWID;"
    "CREATE TABLE tus("
    "  id INTEGER PRIMARY KEY,"
    "  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  tu_key TEXT NOT NULL,"
    "  main_file TEXT NOT NULL,"
    "  reused_from INTEGER REFERENCES runs(id) ON DELETE SET NULL,"
    "  fileset INTEGER REFERENCES filesets(id));"
    "CREATE INDEX tus_key ON tus(tu_key, run);"
    "CREATE INDEX tus_run ON tus(run);"
    /* the files each run analysed, and which TU read which file */
    "CREATE VIEW files AS"
    "  SELECT t.run AS run, t.id AS tu, t.tu_key AS tu_key, f.path AS path, f.hash AS hash,"
    "         f.size AS size, f.mtime_ns AS mtime_ns"
    "  FROM tus t JOIN fileset_files f ON f.fileset = t.fileset;"
    "CREATE TABLE findings("
    "  id INTEGER PRIMARY KEY,"
    "  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  tu INTEGER REFERENCES tus(id) ON DELETE CASCADE,"
    "  rule TEXT NOT NULL, severity TEXT NOT NULL,"
    "  path TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL,"
    "  function TEXT, message TEXT NOT NULL, snippet TEXT, fingerprint TEXT,"
    "  suppressed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX findings_run ON findings(run);"
    "CREATE INDEX findings_tu ON findings(tu);"
    "CREATE INDEX findings_fp ON findings(fingerprint);"
    "CREATE TABLE finding_notes("
    "  finding INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, path TEXT, line INTEGER NOT NULL, col INTEGER NOT NULL,"
    "  message TEXT NOT NULL,"
    "  PRIMARY KEY (finding, idx)) WITHOUT ROWID;"
    "CREATE TABLE baselines("
    "  name TEXT PRIMARY KEY,"
    "  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  created TEXT NOT NULL);"
    "CREATE TABLE triage("
    "  fingerprint TEXT PRIMARY KEY,"
    "  state TEXT NOT NULL CHECK (state IN ('false-positive', 'intentional', 'confirmed')),"
    "  reason TEXT NOT NULL,"
    "  updated TEXT NOT NULL);",
    /* 1 -> 2: whole-program analysis.  The newest phase-1 unit of each main
       file (its IR and summary, driver.h), so an unchanged file is not
       parsed again when another file's change alters what the program says
       about it, and a run over a few files links the other files' summaries;
       and the digest of the program each run linked. */
    "CREATE TABLE tu_units("
    "  main_file TEXT PRIMARY KEY,"
    "  tu_key TEXT NOT NULL,"
    "  inputs TEXT NOT NULL," /* digest of the files it read, with their contents */
    "  unit BLOB NOT NULL,"
    "  updated TEXT NOT NULL);"
    "ALTER TABLE runs ADD COLUMN program TEXT;",
    /* 2 -> 3: a note's step comes before the finding's location on its
       path (report/finding.h: tl_note.before) */
    "ALTER TABLE finding_notes ADD COLUMN before INTEGER NOT NULL DEFAULT 0;",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == TL_STORE_SCHEMA_VERSION,
               "one migration step per schema version");

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_RUN_INSERT] =
        "INSERT INTO runs(started, status, tool_version, config_hash, git_commit, git_branch,"
        " command_line, root, pid, host, boot_id, proc_start)"
        " VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_RUN_FINISH] = "UPDATE runs SET status = ?2, finished = ?3 WHERE id = ?1",
    [ST_RUN_GET_STATUS] = "SELECT status FROM runs WHERE id = ?1",
    [ST_RUNS_RUNNING] = "SELECT id, pid, host, boot_id, proc_start, started FROM runs"
                        " WHERE status = 'running'",
    [ST_RUN_MARK_FAILED] = "UPDATE runs SET status = 'failed' WHERE id = ?1 AND status = 'running'",
    [ST_RUNS_LIST] =
        "SELECT r.id, r.status, r.started, r.finished, r.tool_version, r.config_hash,"
        " r.git_commit, r.git_branch, r.command_line, r.pid, r.host, r.boot_id, r.proc_start,"
        " (SELECT count(*) FROM findings f WHERE f.run = r.id AND NOT f.suppressed),"
        " (SELECT count(*) FROM tus t WHERE t.run = r.id),"
        " (SELECT count(*) FROM tus t WHERE t.run = r.id AND t.reused_from IS NOT NULL)"
        " FROM runs r ORDER BY r.id DESC LIMIT ?1",
    [ST_RUN_RULE_COUNTS] = "SELECT rule, count(*) FROM findings WHERE run = ?1 AND NOT suppressed"
                           " GROUP BY rule ORDER BY rule",
    [ST_LAST_COMPLETE] = "SELECT max(id) FROM runs WHERE status = 'complete'",
    [ST_LAST_COMPLETE_BEFORE] = "SELECT max(id) FROM runs WHERE status = 'complete' AND id < ?1",
    /* every file a run analysed: main files (also of TUs that failed) and
       the files they read */
    [ST_RUN_FILES] = "SELECT path FROM files WHERE run = ?1"
                     " UNION SELECT main_file FROM tus WHERE run = ?1 ORDER BY 1",
    [ST_TU_INSERT] = "INSERT INTO tus(run, tu_key, main_file, reused_from, fileset)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_FILESET_GET] = "SELECT id FROM filesets WHERE key = ?1",
    [ST_FILESET_INSERT] = "INSERT INTO filesets(key) VALUES (?1)",
    [ST_FILE_INSERT] = "INSERT OR IGNORE INTO fileset_files(fileset, path, hash, size, mtime_ns)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_FINDING_INSERT] =
        "INSERT INTO findings(run, tu, rule, severity, path, line, col, function, message,"
        " snippet, fingerprint, suppressed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_NOTE_INSERT] = "INSERT INTO finding_notes(finding, idx, path, line, col, message, before)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* newest first, one per distinct file set; a few older ones too, so
       switching branches back and forth still finds the other branch's
       analysis (SQLite takes the bare columns from the max(run) row) */
    [ST_TU_CANDIDATES] = "SELECT t.id, max(t.run), t.fileset FROM tus t"
                         " JOIN runs r ON r.id = t.run"
                         " WHERE t.tu_key = ?1 AND r.status = 'complete'"
                         " AND t.fileset IS NOT NULL"
                         " GROUP BY t.fileset ORDER BY 2 DESC LIMIT 8",
    [ST_TU_FILES] = "SELECT path, hash, size, mtime_ns FROM fileset_files WHERE fileset = ?1",
    [ST_TU_FINDINGS] =
        "SELECT f.id, f.rule, f.severity, f.path, f.line, f.col, f.function, f.message,"
        " f.snippet, f.fingerprint, f.suppressed, t.state, t.reason"
        " FROM findings f LEFT JOIN triage t ON t.fingerprint = f.fingerprint"
        " WHERE f.tu = ?1 ORDER BY f.id",
    [ST_FINDING_NOTES] = "SELECT path, line, col, message, before FROM finding_notes WHERE finding = ?1"
                         " ORDER BY idx",
    [ST_RUN_FINDINGS] =
        "SELECT f.id, f.rule, f.severity, f.path, f.line, f.col, f.function, f.message,"
        " f.snippet, f.fingerprint, f.suppressed, t.state, t.reason"
        " FROM findings f LEFT JOIN triage t ON t.fingerprint = f.fingerprint"
        " WHERE f.run = ?1 ORDER BY f.id",
    [ST_BASELINE_SET] = "INSERT INTO baselines(name, run, created) VALUES (?1, ?2, ?3)"
                        " ON CONFLICT(name) DO UPDATE SET run = excluded.run,"
                        " created = excluded.created",
    [ST_BASELINE_GET] = "SELECT run FROM baselines WHERE name = ?1",
    [ST_RUN_STARTED_ROOT] = "SELECT started, root, status FROM runs WHERE id = ?1",
    [ST_TRIAGE_UPSERT] = "INSERT INTO triage(fingerprint, state, reason, updated)"
                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(fingerprint) DO UPDATE SET"
                         " state = excluded.state, reason = excluded.reason,"
                         " updated = excluded.updated",
    [ST_TRIAGE_DELETE] = "DELETE FROM triage WHERE fingerprint = ?1",
    [ST_TRIAGE_GET] = "SELECT state, reason FROM triage WHERE fingerprint = ?1",
    [ST_FINGERPRINT_EXISTS] = "SELECT 1 FROM findings WHERE fingerprint = ?1 LIMIT 1",
    [ST_UNIT_SAVE] = "INSERT OR REPLACE INTO tu_units(main_file, tu_key, inputs, unit, updated) "
                     "VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    [ST_UNITS_ALL] = "SELECT main_file, tu_key, inputs, unit FROM tu_units ORDER BY main_file",
    [ST_RUN_SET_PROGRAM] = "UPDATE runs SET program = ?2 WHERE id = ?1",
    [ST_RUN_GET_PROGRAM] = "SELECT program FROM runs WHERE id = ?1",
};

/* ---- the connection ---- */

void tl_store__set_busy_timeout(tl_store *s, int ms) {
    s->busy_ms = ms;
    if (s->db) sqlite3_busy_timeout(s->db, ms);
}

/* ---- statements, transactions ---- */

sqlite3_stmt *tl_store__stmt(tl_store *s, tl_stmt_id id, tl_store_error *err) {
    sqlite3_stmt *st = s->stmt[id];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        tl_store__fail(s, rc, "preparing a statement", err);
        sqlite3_finalize(st);
        return NULL;
    }
    s->stmt[id] = st;
    return st;
}

static int step_done(tl_store *s, tl_stmt_id id, const char *what, tl_store_error *err) {
    sqlite3_stmt *st = tl_store__stmt(s, id, err);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, what, err);
    return 0;
}

int tl_store__begin(tl_store *s, tl_store_error *err) {
    if (step_done(s, ST_BEGIN, "starting a transaction", err)) return -1;
    s->in_tx = 1;
    return 0;
}

int tl_store__commit(tl_store *s, tl_store_error *err) {
    if (step_done(s, ST_COMMIT, "committing", err)) {
        tl_store__rollback(s);
        return -1;
    }
    s->in_tx = 0;
    return 0;
}

void tl_store__rollback(tl_store *s) {
    if (sqlite3_get_autocommit(s->db) == 0) {
        tl_store_error ignored;
        step_done(s, ST_ROLLBACK, "rolling back", &ignored);
    }
    s->in_tx = 0;
}

char *tl_store__col_dup(sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? tl_xstrdup((const char *)t) : NULL;
}

void tl_store__now_iso(char out[32]) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs a fixed multi-statement script (schema steps) statement by statement. */
static int exec_script(sqlite3 *db, const char *sql) {
    while (sql && *sql) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
        if (rc != SQLITE_OK) return rc;
        if (st) {
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            }
            sqlite3_finalize(st);
            if (rc != SQLITE_DONE) return rc;
        }
        sql = tail;
    }
    return SQLITE_OK;
}

static int pragma_int(sqlite3 *db, const char *sql, int64_t *out) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t outsz) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    out[0] = '\0';
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, outsz, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- opening ---- */

static char *parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return tl_xstrdup(".");
    if (slash == path) return tl_xstrdup("/");
    return tl_xstrndup(path, (size_t)(slash - path));
}

static int mkdir_p(const char *dir) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        errno = ENOTDIR;
        return -1;
    }
    if (errno != ENOENT) return -1;
    char *parent = parent_dir(dir);
    int r = strcmp(parent, dir) != 0 ? mkdir_p(parent) : 0;
    free(parent);
    if (r) return -1;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

static bool errno_readonly(int e) { return e == EACCES || e == EPERM || e == EROFS; }

/* The checks made before SQLite sees the path; 0 when it may be opened. */
static int precheck(const char *path, bool create, tl_store_error *err) {
    struct stat st;
    char *dir = parent_dir(path);
    int r = -1;
    if (tl_store__check_side_files(path, err)) goto out;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) != 0 && errno == ENOENT) {
        tl_store__set_error(err, TL_STORE_E_UNSAFE,
                            "%s is a symbolic link to a file that does not exist; tasklint "
                            "will not create its database through a link",
                            path);
        goto out;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            tl_store__set_error(err, TL_STORE_E_IO, "%s is a directory, not a database file",
                                path);
            goto out;
        }
        if (!S_ISREG(st.st_mode)) {
            tl_store__set_error(err, TL_STORE_E_NOT_SQLITE,
                                "%s is not a regular file; tasklint will not use it as its "
                                "database", path);
            goto out;
        }
        /* only tasklint's own database, or one with nothing in it, is
           handed to SQLite for writing: anything else stays untouched */
        tl_dbfile_kind kind;
        if (tl_store__inspect(path, &kind, err)) goto out;
        if (access(path, R_OK | W_OK) != 0) {
            tl_store__set_error(err, errno_readonly(errno) ? TL_STORE_E_READONLY : TL_STORE_E_IO,
                                "cannot write %s: %s", path, strerror(errno));
            goto out;
        }
    } else if (errno == ENOENT) {
        if (!create) {
            tl_store__set_error(err, TL_STORE_E_NOT_FOUND, "no database at %s", path);
            goto out;
        }
        struct stat dst;
        bool made = stat(dir, &dst) != 0;
        if (mkdir_p(dir) != 0) {
            tl_store__set_error(err, errno_readonly(errno) ? TL_STORE_E_READONLY : TL_STORE_E_IO,
                                "cannot create the directory %s for %s: %s", dir, path,
                                strerror(errno));
            goto out;
        }
        /* a .tasklint/ directory we made keeps itself out of version control
           (like .pytest_cache): nobody commits the database by accident */
        const char *base = strrchr(dir, '/');
        if (made && strcmp(base ? base + 1 : dir, ".tasklint") == 0) {
            char *gi = tl_xasprintf("%s/.gitignore", dir);
            int fd = open(gi, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
            if (fd >= 0) {
                static const char text[] = "# created by tasklint: the findings store is local\n*\n";
                if (write(fd, text, sizeof text - 1) < 0) {
                }
                close(fd);
            }
            free(gi);
        }
    } else {
        tl_store__set_error(err, errno_readonly(errno) ? TL_STORE_E_READONLY : TL_STORE_E_IO,
                            "cannot access %s: %s", path, strerror(errno));
        goto out;
    }
    /* SQLite creates PATH-wal and PATH-shm next to the database */
    if (access(dir, W_OK | X_OK) != 0) {
        tl_store__set_error(err, errno_readonly(errno) ? TL_STORE_E_READONLY : TL_STORE_E_IO,
                            "cannot write to %s (the directory of %s): %s", dir, path,
                            strerror(errno));
        goto out;
    }
    r = 0;
out:
    free(dir);
    return r;
}

/* Whether the database holds tasklint's tables (of every schema since 1):
 * 1 yes, 0 no, or an SQLite error code (negated). */
static int has_our_tables(tl_store *s) {
    int64_t have = 0;
    int rc = pragma_int(s->db,
                        "SELECT count(*) FROM sqlite_master WHERE name IN ('runs', 'tus', 'filesets',"
                        " 'fileset_files', 'files', 'findings', 'finding_notes', 'baselines',"
                        " 'triage')",
                        &have);
    if (rc != SQLITE_OK) return -rc;
    return have == 9;
}

static void not_ours(tl_store *s, tl_store_error *err) {
    tl_store__set_error(err, TL_STORE_E_NOT_SQLITE,
                        "%s says it has schema version %d but lacks tasklint's tables: it is "
                        "not a tasklint database (or one made by a development build); "
                        "tasklint will not modify it",
                        s->path, TL_STORE_SCHEMA_VERSION);
}

static int migrate(tl_store *s, tl_store_error *err) {
    int64_t uv = 0;
    int rc = pragma_int(s->db, "PRAGMA user_version", &uv);
    if (rc != SQLITE_OK) return tl_store__fail(s, rc, "reading the schema version", err);
    if (uv == TL_STORE_SCHEMA_VERSION) return 0;
    if (tl_store__begin(s, err)) return -1;
    /* another process may have migrated while we waited for the lock */
    rc = pragma_int(s->db, "PRAGMA user_version", &uv);
    if (rc != SQLITE_OK) goto sqlfail;
    if (uv > TL_STORE_SCHEMA_VERSION) {
        tl_store__rollback(s);
        tl_store__set_error(err, TL_STORE_E_NEWER,
                            "%s has schema version %lld, newer than this tasklint understands "
                            "(%d): it was written by a newer tasklint; upgrade tasklint or use "
                            "another --db",
                            s->path, (long long)uv, TL_STORE_SCHEMA_VERSION);
        return -1;
    }
    if (uv == 0) {
        /* only a database with nothing in it becomes a store (inspect.c
           checked the file before it was opened; this holds under the lock) */
        int64_t tables = 0;
        rc = pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
        if (rc != SQLITE_OK) goto sqlfail;
        if (tables != 0) {
            tl_store__rollback(s);
            tl_store__set_error(err, TL_STORE_E_FOREIGN,
                                "%s is a SQLite database that tasklint did not create (it has "
                                "tables, and not tasklint's schema); tasklint will not modify it",
                                s->path);
            return -1;
        }
    }
    if (uv >= 1) {
        /* a file that claims one of our schemas must have its tables before
           a step alters them */
        int ours = has_our_tables(s);
        if (ours < 0) {
            rc = -ours;
            goto sqlfail;
        }
        if (!ours) {
            tl_store__rollback(s);
            not_ours(s, err);
            return -1;
        }
    }
    for (int64_t v = uv; v < TL_STORE_SCHEMA_VERSION; v++) {
        rc = exec_script(s->db, migrations[v]);
        if (rc != SQLITE_OK) goto sqlfail;
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", TL_STORE_SCHEMA_VERSION);
    rc = exec_script(s->db, sql);
    if (rc != SQLITE_OK) goto sqlfail;
    return tl_store__commit(s, err);
sqlfail:
    tl_store__fail(s, rc, "migrating the schema", err);
    tl_store__rollback(s);
    return -1;
}

/* "file:PATH" with every byte but unreserved ones and '/' percent-encoded
   (SQLite decodes them), for URI parameters. */
static char *file_uri(const char *abs, const char *params) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(abs);
    char *enc = tl_xmalloc(3 * n + 1), *o = enc;
    for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    char *uri = tl_xasprintf("file:%s?%s", enc, params);
    free(enc);
    return uri;
}

/* A read-only connection that has read the schema.  In WAL mode SQLite needs
   a -shm file (an existing one, or one it creates); in a directory we cannot
   write and without one, the database is read as immutable, which is exact
   because then there is no -wal either: everything is in the file. */
static int connect_readonly(tl_store *s, tl_store_error *err) {
    int64_t probe;
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, s->busy_ms);
        rc = pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &probe);
        if (rc == SQLITE_OK) return 0;
    }
    int prim = rc & 0xff;
    char *real = tl_store__real_location(s->path);
    char *wal = tl_xasprintf("%s-wal", real);
    struct stat st;
    bool log_pending = stat(wal, &st) == 0 && st.st_size > 0;
    free(wal);
    if ((prim == SQLITE_CANTOPEN || prim == SQLITE_READONLY) && !log_pending && real[0] == '/') {
        sqlite3_close(s->db);
        s->db = NULL;
        char *uri = file_uri(real, "immutable=1");
        rc = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
        free(uri);
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(s->db, 1);
            rc = pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &probe);
        }
    }
    free(real);
    if (rc == SQLITE_OK) return 0;
    const char *what = log_pending ? "its write-ahead log needs a -shm file, which cannot be "
                                     "created here"
                                   : "opening it read-only";
    tl_store__fail_path(s->path, s->db, rc, what, s->busy_ms, err);
    if (err->status == TL_STORE_E_READONLY)
        tl_store__set_error(err, TL_STORE_E_READONLY, "cannot read %s (%s): %s", s->path, what,
                            s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    return -1;
}

/* Everything a writer needs once the file is known to be ours (or empty):
   WAL mode, connection settings, the schema migrated forward. */
static int prepare_for_writing(tl_store *s, tl_store_error *err) {
    /* WAL: readers never block the writer, and a killed writer leaves the
       database as of its last commit.  On a file system without shared
       memory support SQLite keeps the rollback journal, which is just as safe.
       The switch needs the database to itself, and SQLite does not call the
       busy handler for it: retry while another process holds it. */
    char mode[32];
    struct timespec t0, t1;
    int rc;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        rc = pragma_text(s->db, "PRAGMA journal_mode", mode, sizeof mode);
        if (rc == SQLITE_OK && strcmp(mode, "wal") != 0)
            rc = pragma_text(s->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
        if (rc == SQLITE_OK) break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        int prim = rc & 0xff;
        if ((prim != SQLITE_BUSY && prim != SQLITE_LOCKED) ||
            (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > s->busy_ms)
            return tl_store__fail(s, rc, "switching to WAL mode", err);
        usleep(5000);
    }
    /* NORMAL in WAL mode: a killed process loses nothing that was
       committed; a power cut may lose the last transactions, never the
       database's integrity */
    if ((rc = exec_script(s->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")) !=
        SQLITE_OK)
        return tl_store__fail(s, rc, "configuring the connection", err);
    return migrate(s, err);
}

/* Opens an existing (or, with `create`, new) database file: read-only
   checks, then WAL, connection settings and migrations; or, `readonly`,
   a connection that never writes (an existing store of the current schema). */
static tl_store *open_db(const char *path, bool create, bool readonly, tl_store_error *err) {
    tl_store *s = tl_xcalloc(1, sizeof *s);
    s->path = tl_xstrdup(path);
    s->busy_ms = BUSY_TIMEOUT_MS;
    s->readonly = readonly;
    int rc;
    if (readonly) {
        if (connect_readonly(s, err)) goto fail;
    } else {
        int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        rc = sqlite3_open_v2(path, &s->db, flags, NULL);
        if (rc != SQLITE_OK) {
            tl_store__fail_path(path, s->db, rc, "opening", s->busy_ms, err);
            goto fail;
        }
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, s->busy_ms);
    }

    /* read-only checks first: nothing is written to a file we refuse */
    int64_t uv = 0, app = 0;
    if ((rc = pragma_int(s->db, "PRAGMA user_version", &uv)) != SQLITE_OK ||
        (rc = pragma_int(s->db, "PRAGMA application_id", &app)) != SQLITE_OK) {
        tl_store__fail(s, rc, "reading the database header", err);
        goto fail;
    }
    if (app != 0 && app != TL_APPLICATION_ID) {
        tl_store__set_error(err, TL_STORE_E_FOREIGN,
                            "%s is the SQLite database of another application (application_id "
                            "%lld); tasklint will not modify it",
                            path, (long long)app);
        goto fail;
    }
    if (readonly && uv < TL_STORE_SCHEMA_VERSION) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND,
                            "%s holds no tasklint schema yet (version %lld): run an analysis "
                            "first",
                            path, (long long)uv);
        goto fail;
    }
    if (uv > TL_STORE_SCHEMA_VERSION) {
        tl_store__set_error(err, TL_STORE_E_NEWER,
                            "%s has schema version %lld, newer than this tasklint understands "
                            "(%d): it was written by a newer tasklint; upgrade tasklint or use "
                            "another --db",
                            path, (long long)uv, TL_STORE_SCHEMA_VERSION);
        goto fail;
    }
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0 && st.st_size <= QUICK_CHECK_MAX_BYTES) {
        char res[256];
        rc = pragma_text(s->db, "PRAGMA quick_check(1)", res, sizeof res);
        if (rc != SQLITE_OK) {
            tl_store__fail(s, rc, "checking the database", err);
            goto fail;
        }
        if (strcmp(res, "ok") != 0) {
            tl_store__set_error(err, TL_STORE_E_CORRUPT,
                                "%s is damaged (integrity check: %s); tasklint will not modify "
                                "it: move it away (or use --no-db) and the next run starts a new "
                                "database",
                                path, res);
            goto fail;
        }
    }

    if (readonly) {
        if ((rc = exec_script(s->db, "PRAGMA query_only = ON")) != SQLITE_OK) {
            tl_store__fail(s, rc, "configuring the connection", err);
            goto fail;
        }
    } else if (prepare_for_writing(s, err)) {
        goto fail;
    }
    /* a file that claims our schema version must have our schema */
    int ours = has_our_tables(s);
    if (ours < 0) {
        tl_store__fail(s, -ours, "reading the schema", err);
        goto fail;
    }
    if (!ours) {
        not_ours(s, err);
        goto fail;
    }
    return s;
fail:
    tl_store_close(s);
    return NULL;
}

/* A new database appears at `path` complete (schema and WAL mode) or not
   at all: it is made under a temporary name and hard-linked into place,
   which fails rather than replaces when another process was faster.  Two
   processes creating the same database at once would otherwise race on the
   first write and on the switch to WAL. */
static int create_atomically(const char *path, tl_store_error *err) {
    static int counter;
    char *tmp = tl_xasprintf("%s.new-%ld-%d", path, (long)getpid(),
                             __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    char *side[2] = {tl_xasprintf("%s-wal", tmp), tl_xasprintf("%s-shm", tmp)};
    unlink(tmp); /* whatever is at these names (a planted link) goes first */
    unlink(side[0]);
    unlink(side[1]);
    int r = -1;
    tl_store *t = open_db(tmp, true, false, err);
    if (t) {
        free(t->path);
        t->path = tl_xstrdup(path); /* errors name the real file */
        tl_store_close(t);
        if (link(tmp, path) == 0 || errno == EEXIST) {
            r = 0;
        } else if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP) {
            r = 0; /* no hard links on this file system: SQLite creates it */
        } else {
            tl_store__set_error(err, errno_readonly(errno) ? TL_STORE_E_READONLY : TL_STORE_E_IO,
                                "cannot create %s: %s", path, strerror(errno));
        }
    } else {
        /* the message named the temporary file */
        char *m = tl_xstrdup(err->msg);
        tl_store__set_error(err, err->status, "cannot create %s: %s", path, m);
        free(m);
    }
    unlink(tmp);
    unlink(side[0]);
    unlink(side[1]);
    free(side[0]);
    free(side[1]);
    free(tmp);
    return r;
}

tl_store *tl_store_open(const char *path, bool create, tl_store_error *err) {
    tl_store_error dummy;
    if (!err) err = &dummy;
    tl_store__ok(err);
    if (!path || !*path) {
        tl_store__set_error(err, TL_STORE_E_IO, "no database path");
        return NULL;
    }
    if (precheck(path, create, err)) return NULL;
    if (create && access(path, F_OK) != 0 && create_atomically(path, err)) return NULL;
    return open_db(path, create, false, err);
}

tl_store *tl_store_open_readonly(const char *path, tl_store_error *err) {
    tl_store_error dummy;
    if (!err) err = &dummy;
    tl_store__ok(err);
    if (!path || !*path) {
        tl_store__set_error(err, TL_STORE_E_IO, "no database path");
        return NULL;
    }
    if (tl_store__check_side_files(path, err)) return NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        tl_store__set_error(err, errno == ENOENT ? TL_STORE_E_NOT_FOUND
                                 : errno_readonly(errno) ? TL_STORE_E_READONLY
                                                         : TL_STORE_E_IO,
                            errno == ENOENT ? "no database at %s" : "cannot access %s: %s", path,
                            strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        tl_store__set_error(err, TL_STORE_E_NOT_SQLITE,
                            "%s is not a regular file; tasklint will not use it as its database",
                            path);
        return NULL;
    }
    tl_dbfile_kind kind;
    if (tl_store__inspect(path, &kind, err)) return NULL;
    if (kind != TL_DBFILE_OURS) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND,
                            "%s holds no findings yet: run an analysis first", path);
        return NULL;
    }
    return open_db(path, false, true, err);
}

void tl_store_close(tl_store *s) {
    if (!s) return;
    if (s->db && s->in_tx) tl_store__rollback(s);
    for (int i = 0; i < ST__COUNT; i++) sqlite3_finalize(s->stmt[i]);
    if (s->db) sqlite3_close(s->db);
    free(s->path);
    free(s);
}
