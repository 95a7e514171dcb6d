/* pch_prefix.c - shared precompiled prefixes (see pch_prefix.h): the
 * cache - building a PCH under its lock, checking a built one (its headers'
 * content hashes, sizes and times), and pruning the directory.  The scan of
 * a main file's leading includes, the prefix file and its key are in
 * pch_scan.c; the parse against a PCH and the fallback to a plain parse are
 * the driver's (driver.c).
 */
#include "pch_prefix.h"

#include "frontend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/hash.h"
#include "../util/atomic_file.h"
#include "../util/path.h"
#include "../util/str_map.h"
#include "../util/wire.h"
#include "../util/xalloc.h"

#define META_KIND 80                   /* wire frame kind of KEY.meta */
#define REC_HEAD 1
#define REC_DEP 2
#define REC_ANNOT 3
#define LOCK_STALE_S 600   /* a lock this old was left by a process that died */
#define DEBRIS_STALE_S 3600

/* ---- the cache ---- */

typedef struct {
    char key[65];
    int state;  /* 1 usable (pch), 0 cannot be built: use `usable` includes */
    int usable;
    tl_pch pch;
} memo_entry;

struct tl_pch_cache {
    char *dir;
    uint64_t min_bytes;
    tl_pch_stats *stats;
    tl_pch_stats own;
    CXIndex build_index; /* plain: the prefix TU is walked whole for its annotations */
    CXIndex use_index;   /* excludes the PCH's declarations */
    memo_entry *memo;
    int nmemo, capmemo;
    tl_str_map memo_index; /* key -> index in memo */
    /* content hashes of the headers the PCHs read, computed once per process
       (many PCHs of a run read the same system headers) */
    char **hashes;
    int nhashes, caphashes;
    tl_str_map hash_index; /* path -> index in hashes */
    bool stamps_only;      /* a cache of one run: size and time stand for the content */
};

tl_pch_cache *tl_pch_cache_new(const char *dir, tl_pch_stats *stats) {
    tl_pch_cache *c = tl_xcalloc(1, sizeof *c);
    c->dir = tl_xstrdup(dir);
    c->min_bytes = TL_PCH_MIN_BYTES;
    c->stats = stats ? stats : &c->own;
    tl_str_map_init(&c->memo_index);
    tl_str_map_init(&c->hash_index);
    return c;
}

static void pch_free(tl_pch *p) {
    free(p->pch_path);
    for (int i = 0; i < p->nannots; i++) tl_annot_raw_free(&p->annots[i]);
    free(p->annots);
    for (int i = 0; i < p->ndeps; i++) free(p->deps[i]);
    free(p->deps);
    free(p->deps_sys);
    memset(p, 0, sizeof *p);
}

void tl_pch_cache_free(tl_pch_cache *c) {
    if (!c) return;
    for (int i = 0; i < c->nmemo; i++) pch_free(&c->memo[i].pch);
    free(c->memo);
    tl_str_map_free(&c->memo_index);
    for (int i = 0; i < c->nhashes; i++) free(c->hashes[i]);
    free(c->hashes);
    tl_str_map_free(&c->hash_index);
    if (c->build_index) clang_disposeIndex(c->build_index);
    if (c->use_index) clang_disposeIndex(c->use_index);
    free(c->dir);
    free(c);
}

void tl_pch_cache_set_min_bytes(tl_pch_cache *c, uint64_t bytes) {
    c->min_bytes = bytes;
}

void tl_pch_cache_set_one_run(tl_pch_cache *c, bool one_run) {
    c->stamps_only = one_run;
}

tl_pch_stats *tl_pch_cache_stats(tl_pch_cache *c) {
    return c->stats;
}

CXIndex tl_pch_cache_index(tl_pch_cache *c) {
    if (!c->use_index) c->use_index = clang_createIndex(1, 0);
    return c->use_index;
}

static void count(uint64_t *counter) {
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static char *cache_file(const tl_pch_cache *c, const char *key, const char *ext) {
    return tl_xasprintf("%s/%s%s", c->dir, key, ext);
}

static memo_entry *memo_add(tl_pch_cache *c, const char *key, int state, int usable) {
    c->memo = tl_xgrow(c->memo, c->nmemo, &c->capmemo, sizeof *c->memo);
    memo_entry *e = &c->memo[c->nmemo];
    memset(e, 0, sizeof *e);
    memcpy(e->key, key, 65);
    e->state = state;
    e->usable = usable;
    tl_str_map_add(&c->memo_index, key, c->nmemo++);
    return e;
}

/* The whole file (malloc'd), or NULL. */
static unsigned char *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > ((off_t)1 << 30)) {
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    unsigned char *buf = tl_xmalloc(cap);
    for (;;) {
        if (n == cap) buf = tl_xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    *len = n;
    return buf;
}

/* The content hash of a file the PCH read ("" when unreadable), followed
 * by its size and modification time: clang rejects a PCH whose inputs'
 * size or time changed, and tasklint one whose content changed. */
static void content_hash(const char *path, bool stamp_only, char out[100]) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    out[0] = 0;
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    if (stamp_only) {
        close(fd);
        snprintf(out, 100, "-%64s %lld %lld", "", (long long)st.st_size, (long long)st.st_mtime);
        return;
    }
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    unsigned char buf[65536];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            close(fd);
            return;
        }
        if (r == 0) break;
        tl_store_sha256_update(&h, buf, (size_t)r);
    }
    close(fd);
    unsigned char d[32];
    tl_store_sha256_final(&h, d);
    tl_store_hex(d, 32, out);
    snprintf(out + 64, 36, " %lld %lld", (long long)st.st_size, (long long)st.st_mtime);
}

/* content_hash of path, once per process and cache. */
static void content_hash_once(tl_pch_cache *c, const char *path, char out[100]) {
    int at = tl_str_map_get(&c->hash_index, path);
    if (at >= 0) {
        memcpy(out, c->hashes[at], 100);
        return;
    }
    content_hash(path, c->stamps_only, out);
    if (c->nhashes == c->caphashes) {
        c->caphashes = c->caphashes ? 2 * c->caphashes : 64;
        c->hashes = tl_xrealloc(c->hashes, (size_t)c->caphashes * sizeof *c->hashes);
    }
    c->hashes[c->nhashes] = tl_xmalloc(100);
    memcpy(c->hashes[c->nhashes], out, 100);
    tl_str_map_set(&c->hash_index, path, c->nhashes++);
}

/* KEY.meta into p (deps and annotations); the deps' hashes into *hashes.
 * 0, or -1 when missing or damaged. */
static int load_meta(const char *path, tl_pch *p, char ***hashes) {
    size_t len = 0;
    unsigned char *buf = read_file(path, &len);
    if (!buf) return -1;
    tl_wire_frame f;
    char err[128];
    int rc = -1;
    int caps[2] = {0, 0};
    int caph = 0, capsys = 0;
    *hashes = NULL;
    if (tl_wire_scan_frame(buf, len, &f, err, sizeof err) != TL_WIRE_FRAME || f.kind != META_KIND ||
        f.frame_len != len)
        goto out;
    tl_wire_reader pr, body;
    tl_wire_reader_init(&pr, f.payload, f.payload_len);
    uint16_t kind;
    int r;
    while ((r = tl_wire_next_record(&pr, &kind, &body)) == 1) {
        if (kind == REC_DEP) {
            char *dep = tl_wire_get_str(&body);
            char *hash = tl_wire_get_str(&body);
            uint8_t sys = tl_wire_get_u8(&body);
            if (body.bad || !dep || !hash || sys > TL_FILE_SYS_MIXED) {
                free(dep);
                free(hash);
                goto out;
            }
            int n = p->ndeps;
            p->deps = tl_xgrow(p->deps, n, &caps[0], sizeof *p->deps);
            p->deps_sys = tl_xgrow(p->deps_sys, n, &capsys, sizeof *p->deps_sys);
            *hashes = tl_xgrow(*hashes, n, &caph, sizeof **hashes);
            p->deps[n] = dep;
            p->deps_sys[n] = sys;
            (*hashes)[n] = hash;
            p->ndeps++;
        } else if (kind == REC_ANNOT) {
            tl_annot_raw a;
            memset(&a, 0, sizeof a);
            a.name = tl_wire_get_str(&body);
            a.returns_pointer = tl_wire_get_u8(&body) != 0;
            uint32_t ns = tl_wire_get_count(&body, 4);
            a.strs = tl_xcalloc((size_t)ns + 1, sizeof *a.strs);
            for (uint32_t k = 0; k < ns && !body.bad; k++) a.strs[a.nstrs++] = tl_wire_get_str(&body);
            uint32_t np = tl_wire_get_count(&body, 8);
            a.pstrs = tl_xcalloc((size_t)np + 1, sizeof *a.pstrs);
            a.pidx = tl_xcalloc((size_t)np + 1, sizeof *a.pidx);
            for (uint32_t k = 0; k < np && !body.bad; k++) {
                uint32_t idx = tl_wire_get_u32(&body);
                if (idx >= 64) tl_wire_fail(&body, "parameter index");
                a.pidx[a.npstrs] = (int)idx;
                a.pstrs[a.npstrs++] = tl_wire_get_str(&body);
            }
            bool bad = body.bad || !a.name;
            for (int k = 0; k < a.nstrs; k++) bad = bad || !a.strs[k];
            for (int k = 0; k < a.npstrs; k++) bad = bad || !a.pstrs[k];
            if (bad) {
                tl_annot_raw_free(&a);
                goto out;
            }
            p->annots = tl_xgrow(p->annots, p->nannots, &caps[1], sizeof *p->annots);
            p->annots[p->nannots++] = a;
        }
    }
    if (r == 0) rc = 0;
out:
    free(buf);
    return rc;
}

static void free_hashes(char **h, int n) {
    for (int i = 0; i < n; i++) free(h[i]);
    free(h);
}

/* Whether every file the PCH read still has the content it had. */
static bool deps_fresh(tl_pch_cache *c, const tl_pch *p, char **hashes) {
    for (int i = 0; i < p->ndeps; i++) {
        char now[100];
        content_hash_once(c, p->deps[i], now);
        if (!now[0] || strcmp(now, hashes[i]) != 0) return false;
    }
    return true;
}

/* A usable PCH for key (its meta read and its headers unchanged): 1; 0 when
 * there is none; -1 when there is one but it is stale or damaged. */
static int try_existing(tl_pch_cache *c, const char *key, tl_pch *out) {
    char *meta = cache_file(c, key, ".meta");
    char *pch = cache_file(c, key, ".pch");
    int rc = 0;
    struct stat st;
    if (lstat(meta, &st) == 0 && S_ISREG(st.st_mode)) {
        tl_pch p;
        memset(&p, 0, sizeof p);
        char **hashes = NULL;
        struct stat ps;
        int loaded = load_meta(meta, &p, &hashes);
        int nhashes = p.ndeps;
        if (loaded == 0 && lstat(pch, &ps) == 0 && S_ISREG(ps.st_mode) && deps_fresh(c, &p, hashes)) {
            p.pch_path = pch;
            pch = NULL;
            memcpy(p.key, key, 65);
            p.checked = true;
            p.bytes = (uint64_t)ps.st_size;
            *out = p;
            utimensat(AT_FDCWD, meta, NULL, AT_SYMLINK_NOFOLLOW); /* used: pruned last */
            rc = 1;
        } else {
            pch_free(&p);
            rc = -1;
        }
        free_hashes(hashes, nhashes);
    }
    free(meta);
    free(pch);
    return rc;
}

/* KEY.fail: how many leading includes of this prefix can be precompiled,
 * or -1 when there is no such file. */
static int read_fail(tl_pch_cache *c, const char *key) {
    char *path = cache_file(c, key, ".fail");
    size_t len = 0;
    unsigned char *buf = read_file(path, &len);
    free(path);
    if (!buf) return -1;
    char tmp[16] = "";
    memcpy(tmp, buf, len < sizeof tmp - 1 ? len : sizeof tmp - 1);
    free(buf);
    int n = atoi(tmp);
    return n < 0 ? 0 : n;
}

static void write_small(tl_pch_cache *c, const char *key, const char *ext, const char *text) {
    char *path = cache_file(c, key, ext);
    char err[256];
    tl_atomic_file_write_unsynced(path, text, strlen(text), err, sizeof err);
    free(path);
}

/* The lock: 1 taken, 0 held by another process. */
static int take_lock(tl_pch_cache *c, const char *key) {
    char *path = cache_file(c, key, ".lock");
    int rc = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            if (write(fd, pid, (size_t)n) < 0) { /* the content is for people only */
            }
            close(fd);
            rc = 1;
            break;
        }
        struct stat st;
        if (errno != EEXIST || lstat(path, &st) != 0 || time(NULL) - st.st_mtime < LOCK_STALE_S) break;
        unlink(path); /* left by a process that died */
    }
    free(path);
    return rc;
}

static void drop_lock(tl_pch_cache *c, const char *key) {
    char *path = cache_file(c, key, ".lock");
    unlink(path);
    free(path);
}

/* ---- building ---- */

typedef struct {
    const char *dir;
    const char *prefix_path;
    CXTranslationUnit tu;
    int first_unguarded;  /* line of the first unguarded direct include, or INT_MAX */
    char **deps;
    unsigned char *deps_sys;
    int ndeps, capdeps, capsys;
    tl_str_map seen;
} build_acc;

static void on_build_inclusion(CXFile f, CXSourceLocation *stack, unsigned depth, CXClientData data) {
    build_acc *a = data;
    if (depth == 0) return; /* the prefix file itself */
    if (depth == 1 && !clang_isFileMultipleIncludeGuarded(a->tu, f)) {
        unsigned line = 0;
        clang_getSpellingLocation(stack[0], NULL, &line, NULL, NULL);
        if ((int)line < a->first_unguarded) a->first_unguarded = (int)line;
    }
    CXString s = clang_getFileName(f);
    const char *name = clang_getCString(s);
    if (name && *name) {
        char *p = tl_path_join(a->dir, name);
        if (tl_str_map_get(&a->seen, p) < 0) {
            tl_str_map_add(&a->seen, p, a->ndeps);
            a->deps = tl_xgrow(a->deps, a->ndeps, &a->capdeps, sizeof *a->deps);
            a->deps_sys = tl_xgrow(a->deps_sys, a->ndeps, &a->capsys, sizeof *a->deps_sys);
            /* as the TUs parsed against the PCH see it (their source
               entries for it come from the PCH), once per file here */
            struct stat st;
            size_t size = stat(p, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
            a->deps_sys[a->ndeps] = (unsigned char)tl_frontend_file_sys(a->tu, f, size);
            a->deps[a->ndeps++] = p;
        } else {
            free(p);
        }
    }
    clang_disposeString(s);
}

typedef struct {
    tl_annot_raw *v;
    int n, cap;
} annot_acc;

static enum CXChildVisitResult on_build_decl(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    annot_acc *a = data;
    if (clang_getCursorKind(c) != CXCursor_FunctionDecl) return CXChildVisit_Continue;
    tl_annot_raw r;
    if (tl_annot_read(c, &r)) {
        a->v = tl_xgrow(a->v, a->n, &a->cap, sizeof *a->v);
        a->v[a->n++] = r;
    }
    return CXChildVisit_Continue;
}

static int write_meta(tl_pch_cache *c, const char *key, const tl_pch *p, char **hashes) {
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    tl_wire_begin_frame(&w, META_KIND);
    tl_wire_begin_record(&w, REC_HEAD);
    tl_wire_put_str(&w, key);
    tl_wire_end_record(&w);
    for (int i = 0; i < p->ndeps; i++) {
        tl_wire_begin_record(&w, REC_DEP);
        tl_wire_put_str(&w, p->deps[i]);
        tl_wire_put_str(&w, hashes[i]);
        tl_wire_put_u8(&w, p->deps_sys[i]);
        tl_wire_end_record(&w);
    }
    for (int i = 0; i < p->nannots; i++) {
        const tl_annot_raw *a = &p->annots[i];
        tl_wire_begin_record(&w, REC_ANNOT);
        tl_wire_put_str(&w, a->name);
        tl_wire_put_u8(&w, a->returns_pointer);
        tl_wire_put_u32(&w, (uint32_t)a->nstrs);
        for (int k = 0; k < a->nstrs; k++) tl_wire_put_str(&w, a->strs[k]);
        tl_wire_put_u32(&w, (uint32_t)a->npstrs);
        for (int k = 0; k < a->npstrs; k++) {
            tl_wire_put_u32(&w, (uint32_t)a->pidx[k]);
            tl_wire_put_str(&w, a->pstrs[k]);
        }
        tl_wire_end_record(&w);
    }
    int rc = tl_wire_end_frame(&w);
    if (rc == 0) {
        char *path = cache_file(c, key, ".meta");
        char err[256];
        rc = tl_atomic_file_write_unsynced(path, w.data, w.len, err, sizeof err);
        free(path);
    }
    tl_wire_writer_free(&w);
    return rc;
}

/* Builds KEY.pch from the prefix text (the lock held).  1 built (into out);
 * 0 when only the first *usable includes can be precompiled; -1 on an
 * error of the cache itself. */
static int build(tl_pch_cache *c, const char *key, const char *dir, const char *const *args, int na,
                 const char *text, int nincl, int *usable, tl_pch *out) {
    char *hpath = cache_file(c, key, ".h");
    char err[256];
    if (tl_atomic_file_write_unsynced(hpath, text, strlen(text), err, sizeof err) != 0) {
        free(hpath);
        return -1;
    }
    const char **a = tl_xmalloc(((size_t)na + 3) * sizeof *a);
    int n = 0;
    for (int i = 0; i < na; i++) a[n++] = args[i];
    a[n++] = "-x";
    a[n++] = "c-header";
    if (!c->build_index) c->build_index = clang_createIndex(0, 0);
    CXTranslationUnit tu = NULL;
    enum CXErrorCode ec = clang_parseTranslationUnit2(
        c->build_index, hpath, a, n, NULL, 0,
        CXTranslationUnit_Incomplete | CXTranslationUnit_ForSerialization, &tu);
    free(a);
    int rc = -1;
    *usable = 0;
    if (ec != CXError_Success || !tu) goto out;
    for (unsigned i = 0, nd = clang_getNumDiagnostics(tu); i < nd; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        bool error = clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error;
        clang_disposeDiagnostic(d);
        if (error) {
            rc = 0; /* the TUs report their own errors, plainly */
            goto out;
        }
    }
    build_acc acc = {.dir = dir, .prefix_path = hpath, .tu = tu, .first_unguarded = nincl + 1};
    tl_str_map_init(&acc.seen);
    clang_getInclusions(tu, on_build_inclusion, &acc);
    tl_str_map_free(&acc.seen);
    if (acc.first_unguarded <= nincl) {
        *usable = acc.first_unguarded - 1;
        for (int i = 0; i < acc.ndeps; i++) free(acc.deps[i]);
        free(acc.deps);
        free(acc.deps_sys);
        rc = 0;
        goto out;
    }
    annot_acc an = {0};
    clang_visitChildren(clang_getTranslationUnitCursor(tu), on_build_decl, &an);
    tl_pch p;
    memset(&p, 0, sizeof p);
    memcpy(p.key, key, 65);
    p.deps = acc.deps;
    p.deps_sys = acc.deps_sys;
    p.ndeps = acc.ndeps;
    p.annots = an.v;
    p.nannots = an.n;
    p.checked = true;
    int nhashes = p.ndeps;
    char **hashes = tl_xcalloc((size_t)nhashes + 1, sizeof *hashes);
    for (int i = 0; i < nhashes; i++) {
        hashes[i] = tl_xmalloc(100);
        content_hash_once(c, p.deps[i], hashes[i]);
    }
    char *pch = cache_file(c, key, ".pch");
    char *tmp = tl_xasprintf("%s/%s.%ld.tmp", c->dir, key, (long)getpid());
    if (clang_saveTranslationUnit(tu, tmp, clang_defaultSaveOptions(tu)) == CXSaveError_None &&
        rename(tmp, pch) == 0 && write_meta(c, key, &p, hashes) == 0) {
        struct stat ps;
        p.bytes = stat(pch, &ps) == 0 ? (uint64_t)ps.st_size : 0;
        p.pch_path = pch;
        pch = NULL;
        *out = p;
        rc = 1;
    } else {
        unlink(tmp);
        pch_free(&p);
    }
    free_hashes(hashes, nhashes);
    free(tmp);
    free(pch);
out:
    if (tu) clang_disposeTranslationUnit(tu);
    free(hpath);
    return rc;
}

const tl_pch *tl_pch_get(tl_pch_cache *c, const char *main_path, const char *dir,
                         const char *const *args, int na, int want) {
    if (want <= 0 || !main_path || !tl_pch_args_allow(args, na)) return NULL;
    tl_pch_includes inc;
    if (tl_pch_scan_file(main_path, &inc) != 0) return NULL;
    int n = want < inc.n ? want : inc.n;
    const tl_pch *result = NULL;
    while (n > 0 && !result) {
        char *text = tl_pch_prefix_text(main_path, &inc, n);
        char key[65];
        tl_pch_key(args, na, text, key);
        int at = tl_str_map_get(&c->memo_index, key);
        if (at >= 0) {
            memo_entry *e = &c->memo[at];
            if (e->state == 1) result = &e->pch;
            else n = e->usable < n ? e->usable : n - 1;
            free(text);
            continue;
        }
        int usable = read_fail(c, key);
        if (usable >= 0) {
            memo_add(c, key, 0, usable);
            n = usable < n ? usable : n - 1;
            free(text);
            continue;
        }
        tl_pch p;
        int have = try_existing(c, key, &p);
        if (have == 1) {
            result = &memo_add(c, key, 1, n)->pch;
            c->memo[c->nmemo - 1].pch = p;
        } else if (take_lock(c, key)) {
            /* another process may have finished it meanwhile */
            int again = have == 0 ? try_existing(c, key, &p) : -1;
            if (again == 1) {
                result = &memo_add(c, key, 1, n)->pch;
                c->memo[c->nmemo - 1].pch = p;
            } else {
                if (have < 0 || again < 0) count(&c->stats->stale);
                int b = build(c, key, dir, args, na, text, n, &usable, &p);
                if (b == 1) {
                    count(&c->stats->built);
                    result = &memo_add(c, key, 1, n)->pch;
                    c->memo[c->nmemo - 1].pch = p;
                } else {
                    count(&c->stats->build_failed);
                    if (b == 0) {
                        char num[16];
                        snprintf(num, sizeof num, "%d\n", usable);
                        write_small(c, key, ".fail", num);
                    }
                    memo_add(c, key, 0, b == 0 ? usable : 0);
                    n = b == 0 && usable < n ? usable : 0;
                }
            }
            drop_lock(c, key);
        } else {
            count(&c->stats->busy); /* being built by another process: this TU plainly */
            free(text);
            break;
        }
        free(text);
    }
    tl_pch_includes_free(&inc);
    if (result && result->bytes < c->min_bytes) {
        count(&c->stats->light);
        return NULL;
    }
    return result;
}

/* ---- pruning ---- */

typedef struct {
    char key[65];
    uint64_t bytes;
    time_t used;
} cache_item;

/* A name the cache makes: 64 hex digits, then an extension or a temporary's
 * suffix.  Returns the length of the rest, or -1. */
static int cache_name(const char *name) {
    for (int i = 0; i < 64; i++) {
        char ch = name[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return -1;
    }
    return name[64] == '.' ? (int)strlen(name + 64) : -1;
}

static int cmp_item(const void *a, const void *b) {
    const cache_item *x = a, *y = b;
    return x->used < y->used ? -1 : x->used > y->used ? 1 : strcmp(x->key, y->key);
}

static void remove_key(int dfd, const char *key) {
    static const char *const exts[] = {".meta", ".pch", ".h", ".fail"};
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        char name[80];
        snprintf(name, sizeof name, "%s%s", key, exts[i]);
        unlinkat(dfd, name, 0);
    }
}

uint64_t tl_pch_cache_prune(const char *dir, uint64_t max_bytes) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return 0;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 0;
    }
    cache_item *items = NULL;
    int n = 0, cap = 0;
    tl_str_map at;
    tl_str_map_init(&at);
    uint64_t total = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (cache_name(e->d_name) < 0) continue;
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        const char *ext = e->d_name + 64;
        bool debris = !strcmp(ext, ".lock") || strstr(ext, ".tmp") != NULL ||
                      (strcmp(ext, ".meta") && strcmp(ext, ".pch") && strcmp(ext, ".h") &&
                       strcmp(ext, ".fail"));
        if (debris) {
            if (now - st.st_mtime > DEBRIS_STALE_S) unlinkat(dfd, e->d_name, 0);
            else total += (uint64_t)st.st_size;
            continue;
        }
        char key[65];
        memcpy(key, e->d_name, 64);
        key[64] = 0;
        int k = tl_str_map_get(&at, key);
        if (k < 0) {
            items = tl_xgrow(items, n, &cap, sizeof *items);
            memset(&items[n], 0, sizeof items[n]);
            memcpy(items[n].key, key, 65);
            tl_str_map_add(&at, key, n);
            k = n++;
        }
        items[k].bytes += (uint64_t)st.st_size;
        if (st.st_mtime > items[k].used) items[k].used = st.st_mtime;
        total += (uint64_t)st.st_size;
    }
    if (total > max_bytes && n > 0) {
        qsort(items, (size_t)n, sizeof *items, cmp_item);
        for (int i = 0; i < n && total > max_bytes; i++) {
            remove_key(dfd, items[i].key);
            total -= items[i].bytes;
        }
    }
    tl_str_map_free(&at);
    free(items);
    closedir(d);
    return total;
}

void tl_pch_cache_remove(const char *dir) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (cache_name(e->d_name) >= 0) unlinkat(dfd, e->d_name, 0);
    closedir(d);
    rmdir(dir);
}
