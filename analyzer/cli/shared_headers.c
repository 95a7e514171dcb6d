/* shared_headers.c - shared precompiled prefixes for one run of the CLI
 * (frontend/pch_prefix.h, docs/shared-headers.md).
 *
 * Before the worker pool starts, the run's TUs are grouped: each TU's
 * leading includes give a key per prefix length (parse arguments + prefix
 * text), and a TU takes the longest prefix that at least MIN_MEMBERS TUs
 * share and that keeps at least half of the TUs that share its first
 * include (a project's umbrella header first, then what most of its files
 * add).  The plan (per TU: how many includes) reaches the workers through
 * tl_options.pch_plan; they build and use the PCHs (driver.c).  The
 * counters live in memory shared with the workers, for -v.
 *
 * The cache is ROOT/.tasklint/findings.db.pch/SECRET/ next to the store (or
 * next to --db's file), kept across runs and pruned to a size bound after
 * each run (TASKLINT_SHARED_HEADERS_CACHE, MiB, default 1024); with --no-db,
 * or when no secret can be had, a private directory under TMPDIR, removed
 * at the end of the run.  SECRET is a random name kept outside the analysed
 * tree ($XDG_CACHE_HOME or ~/.cache, tasklint/pch-secret): a checkout can
 * hold a .tasklint/ directory, but not PCHs planted where tasklint would
 * load them.
 */
#include "cli/shared_headers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend/pch_prefix.h"
#include "store/store.h"
#include "util/str_map.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

#define MIN_MEMBERS 3
#define DEFAULT_CACHE_MIB 1024

/* "DIR/FILE" with "./" dropped, as the driver names the main file. */
static char *main_path(const tl_cli_tu *tu) {
    const char *file = tu->file;
    const char *dir = tu->directory && *tu->directory ? tu->directory : NULL;
    if (!dir || file[0] == '/') return tl_xstrdup(file);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (file[0] == '.' && file[1] == '/') file += 2;
    return tl_xasprintf("%.*s/%s", (int)n, dir, file);
}

/* A directory the cache may write into: created if missing (0700), a real
 * directory (not a symbolic link) owned by this user.  0 or -1. */
static int cache_dir_ok(const char *dir) {
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) return -1;
    return 0;
}

/* The user's secret (32 hex digits, malloc'd) from the user's cache
 * directory, made on first use; NULL when there is no such directory. */
static char *user_secret(void) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *base = xdg && xdg[0] == '/' ? tl_xstrdup(xdg)
                 : home && home[0] == '/' ? tl_xasprintf("%s/.cache", home)
                                          : NULL;
    if (!base) return NULL;
    char *dir = tl_xasprintf("%s/tasklint", base);
    char *path = tl_xasprintf("%s/pch-secret", dir);
    mkdir(base, 0700);
    char *secret = NULL;
    if (cache_dir_ok(dir) == 0) {
        for (int attempt = 0; attempt < 2 && !secret; attempt++) {
            int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0) {
                char buf[33] = "";
                struct stat st;
                ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid()
                                ? read(fd, buf, 32)
                                : -1;
                close(fd);
                bool hex = n == 32;
                for (int i = 0; hex && i < 32; i++)
                    hex = (buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f');
                if (hex) secret = tl_xstrndup(buf, 32);
                break;
            }
            unsigned char r[16];
            if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) break;
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd < 0) continue; /* made meanwhile by another run: read it */
            char hexs[33];
            for (int i = 0; i < 16; i++) snprintf(hexs + 2 * i, 3, "%02x", r[i]);
            bool ok = write(fd, hexs, 32) == 32;
            close(fd);
            if (ok) secret = tl_xstrdup(hexs);
            else unlink(path);
        }
    }
    free(path);
    free(dir);
    free(base);
    return secret;
}

static uint64_t cache_bound(void) {
    const char *env = getenv("TASKLINT_SHARED_HEADERS_CACHE");
    if (env && *env) {
        char *end;
        unsigned long long mib = strtoull(env, &end, 10);
        if (*end == 0) return (uint64_t)mib << 20;
    }
    return (uint64_t)DEFAULT_CACHE_MIB << 20;
}

/* TASKLINT_SHARED_HEADERS_MIN_BYTES: the smallest PCH worth loading. */
static uint64_t min_pch_bytes(void) {
    const char *env = getenv("TASKLINT_SHARED_HEADERS_MIN_BYTES");
    if (env && *env) {
        char *end;
        unsigned long long n = strtoull(env, &end, 10);
        if (*end == 0) return (uint64_t)n;
    }
    return TL_PCH_MIN_BYTES;
}

static int min_members(void) {
    const char *env = getenv("TASKLINT_SHARED_HEADERS_MIN");
    int n = env && *env ? atoi(env) : MIN_MEMBERS;
    return n < 1 ? 1 : n;
}

void tl_cli_shared_headers_begin(tl_cli_shared_headers *sh, const tl_cli_options *o, const char *root,
                                 bool with_store, const tl_cli_tus *tus) {
    memset(sh, 0, sizeof *sh);
    if (o->no_shared_headers || tus->n == 0) return;

    /* the directory */
    char *secret = with_store ? user_secret() : NULL;
    if (secret) {
        char *db = o->db_path ? tl_xstrdup(o->db_path) : tl_store_default_path(root);
        char *top = db ? tl_xasprintf("%s.pch", db) : NULL;
        if (top && cache_dir_ok(top) == 0) {
            sh->dir = tl_xasprintf("%s/%s", top, secret);
            if (cache_dir_ok(sh->dir) != 0) {
                free(sh->dir);
                sh->dir = NULL;
                sh->refused = true;
            }
        } else if (top) {
            sh->refused = true;
        }
        if (sh->dir && sh->dir[0] != '/') {
            /* a relative --db: the prefix files and PCHs are named to clang,
               which resolves relative names in each TU's own directory */
            char *abs = realpath(sh->dir, NULL);
            free(sh->dir);
            sh->dir = abs;
        }
        free(top);
        free(db);
        free(secret);
    }
    if (!sh->dir) {
        const char *tmp = getenv("TMPDIR");
        char *tmpl = tl_xasprintf("%s/tasklint-pch-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
        if (!mkdtemp(tmpl)) {
            free(tmpl);
            return;
        }
        sh->dir = tmpl;
        sh->private_dir = true;
    }
    void *mem = mmap(NULL, sizeof(tl_pch_stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        if (sh->private_dir) rmdir(sh->dir);
        free(sh->dir);
        sh->dir = NULL;
        return;
    }
    sh->stats = mem;
    memset(sh->stats, 0, sizeof *sh->stats);

    /* the grouping: keys per prefix length, counted over the run */
    size_t n = tus->n;
    int *ninc = tl_xcalloc(n, sizeof *ninc);
    char (**keys)[65] = tl_xcalloc(n, sizeof *keys);
    tl_str_map counts;
    tl_str_map_init(&counts);
    for (size_t i = 0; i < n; i++) {
        const tl_cli_tu *t = &tus->items[i];
        tl_tu_job job = {.file = t->file, .directory = t->directory,
                         .args = (const char *const *)t->args, .nargs = t->nargs};
        char *wd = NULL;
        int na = 0;
        const char **args = tl_driver_clang_args(&job, &na, &wd);
        char *path = main_path(t);
        tl_pch_includes inc;
        if (tl_pch_args_allow(args, na) && tl_pch_scan_file(path, &inc) == 0) {
            if (inc.n > 0) {
                keys[i] = tl_xcalloc((size_t)inc.n, sizeof *keys[i]);
                tl_pch_keys(args, na, path, &inc, keys[i]);
                ninc[i] = inc.n;
                for (int k = 0; k < inc.n; k++) {
                    int c = tl_str_map_get(&counts, keys[i][k]);
                    tl_str_map_set(&counts, keys[i][k], c < 0 ? 1 : c + 1);
                }
            }
            tl_pch_includes_free(&inc);
        }
        free(path);
        free(wd);
        free(args);
    }
    int *plan = tl_xcalloc(n + 1, sizeof *plan);
    int min = min_members();
    for (size_t i = 0; i < n; i++) {
        if (ninc[i] == 0) continue;
        int first = tl_str_map_get(&counts, keys[i][0]);
        for (int k = 0; k < ninc[i]; k++) {
            int c = tl_str_map_get(&counts, keys[i][k]);
            if (c < min || 2 * c < first) break;
            plan[i] = k + 1;
        }
        if (plan[i] > 0) sh->planned++;
        free(keys[i]);
    }
    free(keys);
    free(ninc);
    tl_str_map_free(&counts);
    sh->includes = plan;
    sh->plan.dir = sh->dir;
    sh->plan.stats = sh->stats;
    sh->plan.min_bytes = min_pch_bytes();
    sh->plan.one_run = sh->private_dir;
    sh->plan.includes = plan;
    sh->plan.n = n;
}

const tl_pch_plan *tl_cli_shared_headers_plan(const tl_cli_shared_headers *sh) {
    return sh->dir && sh->planned > 0 ? &sh->plan : NULL;
}

void tl_cli_shared_headers_end(tl_cli_shared_headers *sh, bool verbose, FILE *err) {
    if (!sh->dir) return;
    uint64_t left = 0;
    if (sh->private_dir) tl_pch_cache_remove(sh->dir);
    else left = tl_pch_cache_prune(sh->dir, cache_bound());
    if (verbose && sh->stats) {
        const tl_pch_stats *s = sh->stats;
        fprintf(err,
                "shared headers: %llu of %zu files parsed against a precompiled prefix (%zu "
                "planned); %llu prefixes built, %llu rebuilt because a header changed, %llu could "
                "not be precompiled; %llu files parsed plainly after an error with the prefix, "
                "%llu while another process built theirs, %llu because their prefix is too small "
                "to pay",
                (unsigned long long)s->shared, sh->plan.n, sh->planned, (unsigned long long)s->built,
                (unsigned long long)s->stale, (unsigned long long)s->build_failed,
                (unsigned long long)s->fallback, (unsigned long long)s->busy,
                (unsigned long long)s->light);
        if (sh->private_dir && sh->refused) {
            fputs("; the cache directory next to the store was refused (a symbolic link, not a "
                  "directory, or not yours): the cache was private\n", err);
        } else if (sh->private_dir) {
            fputs("; no store: the cache was private\n", err);
        } else {
            fputs("; cache ", err);
            tl_term_puts(err, sh->dir);
            fprintf(err, ": %.1f MiB\n", (double)left / (1024.0 * 1024.0));
        }
    }
    if (sh->stats) munmap(sh->stats, sizeof *sh->stats);
    free(sh->includes);
    free(sh->dir);
    memset(sh, 0, sizeof *sh);
}
