/* tu.c - translation units in the store: TU keys, file stamps (with the
 * process-wide stamp cache), recording a TU's include graph and findings in
 * one transaction, incremental reuse, reading a run's findings back.
 *
 * The stamp cache maps a path to (size, mtime_ns, device, inode) -> content
 * hash.  It is shared by all threads (a mutex guards it): the CLI's workers
 * may call tl_store_stamp_file in parallel.  A tl_store connection itself is
 * not thread-safe; see docs/store.md.
 *
 * "Racily clean" files: a file written in the same timestamp tick as (or
 * shortly before) it was hashed could change again without its mtime
 * changing.  A stamp whose mtime is within RACY_NS of the moment its hash
 * was computed is therefore never trusted by stat alone: the cache re-hashes
 * it, and the store records its mtime as 0, so the next run re-hashes it
 * once too. */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/hash.h"
#include "util/xalloc.h"

#define RACY_NS (2LL * 1000000000LL)

/* ---- TU keys ---- */

static void key_field(tl_store_sha256 *h, const char *v) {
    if (!v) {
        tl_store_sha256_update(h, "\x01", 1); /* NULL differs from "" */
        return;
    }
    tl_store_sha256_update(h, "\x02", 1);
    tl_store_sha256_update(h, v, strlen(v) + 1);
}

char *tl_store_tu_key(const char *main_file, const char *const *args, int nargs,
                      const char *tool_version, const char *config_hash) {
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    key_field(&h, "tasklint-tu-v1");
    key_field(&h, main_file);
    char num[32];
    snprintf(num, sizeof num, "%d", nargs > 0 ? nargs : 0);
    key_field(&h, num);
    for (int i = 0; i < nargs; i++) key_field(&h, args[i]);
    key_field(&h, tool_version);
    key_field(&h, config_hash);
    unsigned char d[32];
    tl_store_sha256_final(&h, d);
    char *hex = tl_xmalloc(65);
    tl_store_hex(d, 32, hex);
    return hex;
}

/* ---- the stamp cache ---- */

typedef struct {
    char *path; /* NULL: empty slot */
    int64_t size, mtime_ns, hashed_at;
    dev_t dev;
    ino_t ino;
    char hash[65];
} stamp_ent;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static stamp_ent *cache;
static size_t cache_cap, cache_n;
static unsigned long hash_count;

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Slot of `path` (or the empty slot where it would go); cache_mu held. */
static stamp_ent *slot(const char *path) {
    size_t i = (size_t)fnv1a(path) & (cache_cap - 1);
    while (cache[i].path && strcmp(cache[i].path, path) != 0) i = (i + 1) & (cache_cap - 1);
    return &cache[i];
}

static void grow_cache(void) {
    stamp_ent *old = cache;
    size_t oldcap = cache_cap;
    cache_cap = cache_cap ? cache_cap * 2 : 1024;
    cache = tl_xcalloc(cache_cap, sizeof *cache);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].path) *slot(old[i].path) = old[i];
    free(old);
}

static int64_t mtime_of(const struct stat *st) {
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

unsigned long tl_store__hash_count(void) {
    pthread_mutex_lock(&cache_mu);
    unsigned long n = hash_count;
    pthread_mutex_unlock(&cache_mu);
    return n;
}

void tl_store__stamp_cache_clear(void) {
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < cache_cap; i++) free(cache[i].path);
    free(cache);
    cache = NULL;
    cache_cap = cache_n = 0;
    pthread_mutex_unlock(&cache_mu);
}

/* When the hash of this exact (path, size, mtime) was computed; `fallback`
   when the cache does not know. */
static int64_t hashed_at(const char *path, int64_t size, int64_t mtime, int64_t fallback) {
    int64_t t = fallback;
    pthread_mutex_lock(&cache_mu);
    if (cache_cap) {
        stamp_ent *e = slot(path);
        if (e->path && e->size == size && e->mtime_ns == mtime) t = e->hashed_at;
    }
    pthread_mutex_unlock(&cache_mu);
    return t;
}

/* Hash of the file at `path`, from the cache when its stat is unchanged and
   not racy; *size and *mtime get the stat the hash belongs to. */
static int content_hash(const char *path, char hash[65], int64_t *size, int64_t *mtime) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    pthread_mutex_lock(&cache_mu);
    if (cache_cap) {
        stamp_ent *e = slot(path);
        if (e->path && e->size == (int64_t)st.st_size && e->mtime_ns == mtime_of(&st) &&
            e->dev == st.st_dev && e->ino == st.st_ino && e->mtime_ns + RACY_NS <= e->hashed_at) {
            memcpy(hash, e->hash, 65);
            *size = e->size;
            *mtime = e->mtime_ns;
            pthread_mutex_unlock(&cache_mu);
            return 0;
        }
    }
    pthread_mutex_unlock(&cache_mu);

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    static __thread unsigned char buf[1 << 16];
    struct stat before, after;
    int64_t started = 0;
    int ok = 0;
    for (int attempt = 0; attempt < 3 && !ok; attempt++) {
        if (lseek(fd, 0, SEEK_SET) != 0 || fstat(fd, &before) != 0) break;
        started = now_ns();
        tl_store_sha256 h;
        tl_store_sha256_init(&h);
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0) tl_store_sha256_update(&h, buf, (size_t)r);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        unsigned char d[32];
        tl_store_sha256_final(&h, d);
        tl_store_hex(d, 32, hash);
        if (fstat(fd, &after) != 0) break;
        /* written to while we read it: read it again */
        ok = after.st_size == before.st_size && mtime_of(&after) == mtime_of(&before);
    }
    close(fd);
    if (!ok) return -1;
    *size = (int64_t)after.st_size;
    *mtime = mtime_of(&after);

    pthread_mutex_lock(&cache_mu);
    hash_count++;
    if ((cache_n + 1) * 2 > cache_cap) grow_cache();
    stamp_ent *e = slot(path);
    if (!e->path) {
        e->path = tl_xstrdup(path);
        cache_n++;
    }
    e->size = *size;
    e->mtime_ns = *mtime;
    e->dev = after.st_dev;
    e->ino = after.st_ino;
    e->hashed_at = started;
    memcpy(e->hash, hash, 65);
    pthread_mutex_unlock(&cache_mu);
    return 0;
}

int tl_store_stamp_file(const char *path, tl_file_stamp *out) {
    memset(out, 0, sizeof *out);
    char hash[65];
    int64_t size, mtime;
    if (!path || content_hash(path, hash, &size, &mtime) != 0) return -1;
    out->path = tl_xstrdup(path);
    out->hash = tl_xstrdup(hash);
    out->size = size;
    out->mtime_ns = mtime;
    return 0;
}

void tl_file_stamps_free(tl_file_stamp *st, size_t n) {
    if (!st) return;
    for (size_t i = 0; i < n; i++) {
        free((char *)st[i].path);
        free((char *)st[i].hash);
    }
    free(st);
}

/* ---- recording ---- */

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v) {
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* A stamp as recorded: "racily clean" files get mtime 0, so that the next
   run re-hashes them instead of trusting stat. */
typedef struct {
    const char *path, *hash;
    int64_t size, mtime_ns;
} rec_stamp;

static int cmp_rec_path(const void *a, const void *b) {
    return strcmp(((const rec_stamp *)a)->path, ((const rec_stamp *)b)->path);
}

/* The file set of a TU: sorted by path, duplicates dropped; its key is the
   SHA-256 of the whole list. */
static size_t build_fileset(const tl_file_stamp *files, size_t nfiles, const tl_file_stamp *extra,
                            int64_t now, rec_stamp *out, char key[65]) {
    size_t n = 0;
    for (size_t i = 0; i <= nfiles; i++) {
        const tl_file_stamp *f = i < nfiles ? &files[i] : extra;
        if (!f || !f->path) continue;
        int64_t mtime = f->mtime_ns;
        if (mtime + RACY_NS > hashed_at(f->path, f->size, f->mtime_ns, now)) mtime = 0;
        out[n++] = (rec_stamp){f->path, f->hash ? f->hash : "", f->size, mtime};
    }
    qsort(out, n, sizeof *out, cmp_rec_path);
    size_t w = 0;
    for (size_t r = 0; r < n; r++)
        if (w == 0 || strcmp(out[w - 1].path, out[r].path) != 0) out[w++] = out[r];
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    tl_store_sha256_update(&h, "fileset-v1", 11);
    for (size_t i = 0; i < w; i++) {
        char num[64];
        int nl = snprintf(num, sizeof num, "%lld:%lld", (long long)out[i].size,
                          (long long)out[i].mtime_ns);
        tl_store_sha256_update(&h, out[i].path, strlen(out[i].path) + 1);
        tl_store_sha256_update(&h, out[i].hash, strlen(out[i].hash) + 1);
        tl_store_sha256_update(&h, num, (size_t)nl + 1);
    }
    unsigned char d[32];
    tl_store_sha256_final(&h, d);
    tl_store_hex(d, 32, key);
    return w;
}

/* The id of the file set with this key, inserting it when new; -1 on error.
   Inside the TU's transaction. */
static int64_t store_fileset(tl_store *s, const rec_stamp *fs, size_t n, const char *key,
                             tl_store_error *err) {
    sqlite3_stmt *st = tl_store__stmt(s, ST_FILESET_GET, err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW) return id;
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "looking up a file set", err);
    if (!(st = tl_store__stmt(s, ST_FILESET_INSERT, err))) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "recording a file set", err);
    id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n; i++) {
        if (!(st = tl_store__stmt(s, ST_FILE_INSERT, err))) return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, fs[i].path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, fs[i].hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, fs[i].size);
        sqlite3_bind_int64(st, 5, fs[i].mtime_ns);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "recording a file", err);
    }
    return id;
}

static int insert_finding(tl_store *s, int64_t run, int64_t tu, const tl_finding *f,
                          tl_store_error *err) {
    sqlite3_stmt *st = tl_store__stmt(s, ST_FINDING_INSERT, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run);
    if (tu > 0)
        sqlite3_bind_int64(st, 2, tu);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, f->rule ? f->rule : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, tl_severity_name(f->severity), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->file ? f->file : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, f->line);
    sqlite3_bind_int64(st, 7, f->col);
    bind_text_or_null(st, 8, f->function);
    sqlite3_bind_text(st, 9, f->message ? f->message : "", -1, SQLITE_STATIC);
    bind_text_or_null(st, 10, f->snippet);
    bind_text_or_null(st, 11, f->fingerprint);
    sqlite3_bind_int(st, 12, f->suppressed ? 1 : 0);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "recording a finding", err);
    int64_t id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < f->nnotes; i++) {
        const tl_note *n = &f->notes[i];
        if (!(st = tl_store__stmt(s, ST_NOTE_INSERT, err))) return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        bind_text_or_null(st, 3, n->file);
        sqlite3_bind_int64(st, 4, n->line);
        sqlite3_bind_int64(st, 5, n->col);
        sqlite3_bind_text(st, 6, n->message ? n->message : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, n->before ? 1 : 0);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "recording a note", err);
    }
    return 0;
}

int tl_store_record_tu(tl_store *s, int64_t run, const char *tu_key, const char *main_file,
                       const tl_file_stamp *files, size_t nfiles, const tl_findings *findings,
                       int64_t reused_from, tl_store_error *err) {
    tl_store__ok(err);
    if (!tu_key || !main_file) {
        tl_store__set_error(err, TL_STORE_E_IO, "%s: a TU needs a key and a main file", s->path);
        return -1;
    }
    /* the main file is part of what the TU depends on even if the caller's
       list forgot it */
    bool has_main = false;
    for (size_t i = 0; i < nfiles && !has_main; i++)
        has_main = files[i].path && strcmp(files[i].path, main_file) == 0;
    tl_file_stamp main_stamp;
    memset(&main_stamp, 0, sizeof main_stamp);
    if (!has_main && tl_store_stamp_file(main_file, &main_stamp) != 0) main_stamp.path = NULL;

    rec_stamp *set = tl_xmalloc((nfiles + 1) * sizeof *set);
    char key[65];
    size_t nset = build_fileset(files, nfiles, main_stamp.path ? &main_stamp : NULL, now_ns(),
                                set, key);
    if (tl_store__begin(s, err)) goto fail_nobegin;
    int64_t fileset = store_fileset(s, set, nset, key, err);
    if (fileset < 0) goto fail;
    sqlite3_stmt *st = tl_store__stmt(s, ST_TU_INSERT, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, tu_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, main_file, -1, SQLITE_STATIC);
    if (reused_from > 0)
        sqlite3_bind_int64(st, 4, reused_from);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, fileset);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        tl_store__fail(s, rc, "recording a translation unit", err);
        goto fail;
    }
    int64_t tu = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; findings && i < findings->n; i++)
        if (insert_finding(s, run, tu, &findings->items[i], err)) goto fail;
    if (tl_store__commit(s, err)) goto fail_nobegin;
    free(set);
    free((char *)main_stamp.path);
    free((char *)main_stamp.hash);
    return 0;
fail:
    tl_store__rollback(s);
fail_nobegin:
    free(set);
    free((char *)main_stamp.path);
    free((char *)main_stamp.hash);
    return -1;
}

/* ---- reading findings ---- */

static tl_severity parse_severity(const char *t) {
    if (t && strcmp(t, "error") == 0) return TL_SEV_ERROR;
    if (t && strcmp(t, "note") == 0) return TL_SEV_NOTE;
    return TL_SEV_WARNING;
}

/* Appends the rows of a findings query (ST_TU_FINDINGS / ST_RUN_FINDINGS,
   bound) with their notes. */
static int read_findings(tl_store *s, sqlite3_stmt *q, tl_findings *out, tl_store_error *err) {
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        tl_finding *f = tl_findings_add(
            out, (const char *)sqlite3_column_text(q, 1),
            parse_severity((const char *)sqlite3_column_text(q, 2)),
            (const char *)sqlite3_column_text(q, 3), (unsigned)sqlite3_column_int64(q, 4),
            (unsigned)sqlite3_column_int64(q, 5), (const char *)sqlite3_column_text(q, 6),
            (const char *)sqlite3_column_text(q, 7));
        tl_finding_set_snippet(f, (const char *)sqlite3_column_text(q, 8));
        tl_finding_set_fingerprint(f, (const char *)sqlite3_column_text(q, 9));
        f->suppressed = sqlite3_column_int(q, 10) != 0;
        tl_triage_state ts = TL_TRIAGE_NONE;
        if (sqlite3_column_type(q, 11) != SQLITE_NULL &&
            tl_triage_parse((const char *)sqlite3_column_text(q, 11), &ts) == 0)
            tl_finding_set_triage(f, (int)ts, (const char *)sqlite3_column_text(q, 12));
        sqlite3_stmt *nq = tl_store__stmt(s, ST_FINDING_NOTES, err);
        if (!nq) {
            sqlite3_reset(q);
            return -1;
        }
        sqlite3_bind_int64(nq, 1, id);
        int nrc;
        while ((nrc = sqlite3_step(nq)) == SQLITE_ROW) {
            /* f may move when out grows: notes go to the last finding */
            tl_finding *last = &out->items[out->n - 1];
            tl_finding_add_note(last, (const char *)sqlite3_column_text(nq, 0),
                                (unsigned)sqlite3_column_int64(nq, 1),
                                (unsigned)sqlite3_column_int64(nq, 2),
                                (const char *)sqlite3_column_text(nq, 3));
            last->notes[last->nnotes - 1].before = sqlite3_column_int(nq, 4) != 0;
        }
        sqlite3_reset(nq);
        if (nrc != SQLITE_DONE) {
            sqlite3_reset(q);
            return tl_store__fail(s, nrc, "reading notes", err);
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "reading findings", err);
    return 0;
}

int tl_store_run_findings(tl_store *s, int64_t run, tl_findings *out, tl_store_error *err) {
    tl_store__ok(err);
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_GET_STATUS, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND, "%s: no run %lld", s->path, (long long)run);
        return -1;
    }
    if (rc != SQLITE_ROW) return tl_store__fail(s, rc, "reading a run", err);
    if (!(st = tl_store__stmt(s, ST_RUN_FINDINGS, err))) return -1;
    sqlite3_bind_int64(st, 1, run);
    tl_findings got;
    tl_findings_init(&got);
    if (read_findings(s, st, &got, err) != 0) {
        tl_findings_free(&got);
        return -1;
    }
    tl_findings_move(out, &got);
    tl_findings_free(&got);
    return 0;
}

/* ---- incremental reuse ---- */

typedef struct {
    char *path, *hash;
    int64_t size, mtime_ns;
} rec_file;

static void rec_files_free(rec_file *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].path);
        free(v[i].hash);
    }
    free(v);
}

/* The recorded files of a file set. */
static int load_tu_files(tl_store *s, int64_t fileset, rec_file **out, size_t *n, tl_store_error *err) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = tl_store__stmt(s, ST_TU_FILES, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, fileset);
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            *out = tl_xrealloc(*out, cap * sizeof **out);
        }
        rec_file *f = &(*out)[(*n)++];
        f->path = tl_store__col_dup(st, 0);
        f->hash = tl_store__col_dup(st, 1);
        f->size = sqlite3_column_int64(st, 2);
        f->mtime_ns = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rec_files_free(*out, *n);
        *out = NULL;
        *n = 0;
        return tl_store__fail(s, rc, "reading a TU's files", err);
    }
    return 0;
}

/* Does every recorded file still have its recorded content?  Fills the
   current stamps on success. */
static bool files_unchanged(const rec_file *rf, size_t n, tl_file_stamp *cur) {
    for (size_t i = 0; i < n; i++) {
        if (!rf[i].path || !rf[i].hash) return false;
        struct stat st;
        if (stat(rf[i].path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
        int64_t size = (int64_t)st.st_size, mtime = mtime_of(&st);
        if (rf[i].mtime_ns != 0 && size == rf[i].size && mtime == rf[i].mtime_ns) {
            cur[i].size = size;
            cur[i].mtime_ns = mtime;
            continue; /* the stat shortcut */
        }
        char hash[65];
        if (content_hash(rf[i].path, hash, &size, &mtime) != 0 || strcmp(hash, rf[i].hash) != 0)
            return false;
        cur[i].size = size;
        cur[i].mtime_ns = mtime;
    }
    return true;
}

int64_t tl_store_reuse_tu(tl_store *s, const char *tu_key, tl_findings *out,
                          tl_file_stamp **stamps, size_t *nstamps, tl_store_error *err) {
    tl_store__ok(err);
    if (stamps) *stamps = NULL;
    if (nstamps) *nstamps = 0;
    if (!tu_key) return 0;
    sqlite3_stmt *st = tl_store__stmt(s, ST_TU_CANDIDATES, err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, tu_key, -1, SQLITE_STATIC);
    int64_t cand_tu[8], cand_run[8], cand_set[8];
    size_t ncand = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && ncand < 8) {
        cand_tu[ncand] = sqlite3_column_int64(st, 0);
        cand_run[ncand] = sqlite3_column_int64(st, 1);
        cand_set[ncand++] = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return tl_store__fail(s, rc, "looking up a TU", err);

    for (size_t c = 0; c < ncand; c++) {
        rec_file *rf;
        size_t nrf;
        if (load_tu_files(s, cand_set[c], &rf, &nrf, err)) return -1;
        tl_file_stamp *cur = tl_xcalloc(nrf ? nrf : 1, sizeof *cur);
        if (nrf == 0 || !files_unchanged(rf, nrf, cur)) {
            free(cur);
            rec_files_free(rf, nrf);
            continue;
        }
        /* a hit: the findings of that TU, and the stamps to record */
        if (out) {
            sqlite3_stmt *q = tl_store__stmt(s, ST_TU_FINDINGS, err);
            tl_findings got;
            tl_findings_init(&got);
            if (q) sqlite3_bind_int64(q, 1, cand_tu[c]);
            if (!q || read_findings(s, q, &got, err) != 0) {
                tl_findings_free(&got);
                free(cur);
                rec_files_free(rf, nrf);
                return -1;
            }
            tl_findings_move(out, &got);
            tl_findings_free(&got);
        }
        for (size_t i = 0; i < nrf; i++) {
            cur[i].path = rf[i].path; /* ownership moves to the stamps */
            cur[i].hash = rf[i].hash;
        }
        free(rf);
        if (stamps && nstamps) {
            *stamps = cur;
            *nstamps = nrf;
        } else {
            tl_file_stamps_free(cur, nrf);
        }
        return cand_run[c];
    }
    return 0;
}
