/* run_store.c - what the command line needs around the findings store:
 * opening it with clear errors, the configuration hash and TU keys for
 * incremental re-analysis, fingerprint sets, baselines given as a name or
 * a file, and the tags text output adds to a finding (triage, [new]). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "model/model.h"
#include "store/hash.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

/* ---- opening ---- */

void tl_cli_store_report(const tl_store_error *e, const char *path) {
    fflush(stdout);
    fputs("tasklint: error: ", stderr);
    if (e->msg[0]) {
        tl_term_puts(stderr, e->msg);
        fputc('\n', stderr);
    } else {
        tl_term_puts(stderr, path);
        fputs(": cannot use the findings store\n", stderr);
    }
    const char *hint = NULL;
    switch (e->status) {
    case TL_STORE_E_NOT_SQLITE:
    case TL_STORE_E_CORRUPT:
        hint = "the file was not modified; --no-db analyses without the store";
        break;
    case TL_STORE_E_NEWER:
        hint = "the store was written by a newer tasklint; use that version, --db PATH, "
               "or --no-db";
        break;
    case TL_STORE_E_READONLY:
        hint = "the store's location is not writable; analyse without the store with "
               "--no-db, or put it somewhere writable with --db PATH";
        break;
    case TL_STORE_E_BUSY:
        hint = "another process holds the store locked; try again, or use --no-db";
        break;
    case TL_STORE_E_FOREIGN:
        hint = "the file was not modified; name another store with --db PATH, or analyse "
               "without one with --no-db";
        break;
    case TL_STORE_E_UNSAFE:
        hint = "nothing was written; remove what is in the way, name another store with "
               "--db PATH, or analyse without one with --no-db";
        break;
    default: break;
    }
    if (hint) {
        fprintf(stderr, "tasklint: note: %s (", hint);
        tl_term_puts(stderr, path);
        fputs(")\n", stderr);
    }
}

/* `sub` is `top` or below it (both resolved). */
static bool inside(const char *sub, const char *top) {
    size_t n = strlen(top);
    if (n == 1 && top[0] == '/') return true;
    return strncmp(sub, top, n) == 0 && (sub[n] == '/' || sub[n] == '\0');
}

/* The default store (ROOT/.tasklint/findings.db) stays inside the project:
 * a checkout may contain a .tasklint/ directory or a findings.db that is a
 * symbolic link to somewhere else, and tasklint does not write there unless
 * --db names the path.  0, or 2 after an error. */
static int check_default_location(const char *root, const char *path) {
    char *real_root = realpath(root, NULL);
    if (!real_root) return 0; /* the open reports what is wrong */
    char *dir = tl_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    const char *const check[] = {dir, path};
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        struct stat st;
        if (lstat(check[i], &st) != 0 || !S_ISLNK(st.st_mode)) continue;
        char *real = realpath(check[i], NULL);
        if (!real || !inside(real, real_root)) {
            fflush(stdout);
            fputs("tasklint: error: ", stderr);
            tl_term_puts(stderr, check[i]);
            if (real) {
                fputs(" is a symbolic link to ", stderr);
                tl_term_puts(stderr, real);
                fputs(", outside the project ", stderr);
            } else {
                fputs(" is a symbolic link that leads nowhere, outside the project ", stderr);
            }
            fputs("(", stderr);
            tl_term_puts(stderr, real_root);
            fputs("): tasklint does not follow it to its findings store\n"
                  "tasklint: note: to use that store, name it with --db PATH; or analyse "
                  "without a store with --no-db\n",
                  stderr);
            rc = 2;
        }
        free(real);
    }
    free(dir);
    free(real_root);
    return rc;
}

typedef enum { OPEN_CREATE, OPEN_EXISTING, OPEN_READONLY } open_mode;

static int open_store(const tl_cli_options *o, const char *root, open_mode mode, tl_store **out) {
    *out = NULL;
    bool create = mode == OPEN_CREATE;
    char *path = o->db_path ? tl_xstrdup(o->db_path) : tl_store_default_path(root);
    if (!o->db_path && check_default_location(root, path) != 0) {
        free(path);
        return 2;
    }
    if (!create && access(path, F_OK) != 0) {
        fputs("tasklint: error: no findings store at ", stderr);
        tl_term_puts(stderr, path);
        fputs(": run an analysis first, or name the store with --db PATH\n", stderr);
        free(path);
        return 2;
    }
    tl_store_error e;
    memset(&e, 0, sizeof e);
    tl_store *s = mode == OPEN_READONLY ? tl_store_open_readonly(path, &e)
                                        : tl_store_open(path, create, &e);
    if (!s) {
        tl_cli_store_report(&e, path);
        free(path);
        return 2;
    }
    free(path);
    *out = s;
    return 0;
}

int tl_cli_store_open(const tl_cli_options *o, const char *root, bool create, tl_store **out) {
    return open_store(o, root, create ? OPEN_CREATE : OPEN_EXISTING, out);
}

int tl_cli_store_open_readonly(const tl_cli_options *o, const char *root, tl_store **out) {
    return open_store(o, root, OPEN_READONLY, out);
}

char *tl_cli_root_for(const char *first_path) {
    char *r = tl_store_project_root(first_path ? first_path : ".");
    if (r) return r;
    char *cwd = getcwd(NULL, 0);
    return cwd ? cwd : tl_xstrdup(".");
}

/* ---- paths ---- */

char *tl_cli_abspath(const char *path, const char *dir) {
    char *joined;
    if (path[0] == '/') {
        joined = tl_xstrdup(path);
    } else {
        char *base = NULL;
        if (dir && dir[0] == '/') base = tl_xstrdup(dir);
        else {
            char *cwd = getcwd(NULL, 0);
            base = dir && *dir ? tl_xasprintf("%s/%s", cwd ? cwd : ".", dir)
                               : tl_xstrdup(cwd ? cwd : ".");
            free(cwd);
        }
        joined = tl_xasprintf("%s/%s", base, path);
        free(base);
    }
    /* normalise components */
    size_t n = strlen(joined);
    char *outp = tl_xmalloc(n + 2);
    size_t len = 0;
    const char *p = joined;
    while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *e = strchr(p, '/');
        size_t cl = e ? (size_t)(e - p) : strlen(p);
        if (cl == 1 && p[0] == '.') {
            /* skip */
        } else if (cl == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && outp[len - 1] != '/') len--;
            if (len > 0) len--; /* the slash */
        } else {
            outp[len++] = '/';
            memcpy(outp + len, p, cl);
            len += cl;
        }
        p += cl;
    }
    if (len == 0) outp[len++] = '/';
    outp[len] = 0;
    free(joined);
    return outp;
}

/* ---- configuration hash ---- */

struct tl_builtin_model {
    const char *name;
    const char *text;
    size_t len;
};
extern const struct tl_builtin_model tl_builtin_models[];

/* Finish a digest as 64 lowercase hex characters. */
static void digest_hex(tl_store_sha256 *h, char out[65]) {
    unsigned char d[32];
    tl_store_sha256_final(h, d);
    tl_store_hex(d, sizeof d, out);
}

static void hash_str(tl_store_sha256 *h, const char *s) {
    if (!s) s = "(null)";
    tl_store_sha256_update(h, s, strlen(s) + 1);
}

static void hash_file(tl_store_sha256 *h, const char *path) {
    hash_str(h, path);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        hash_str(h, "(unreadable)");
        return;
    }
    char buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, fp)) > 0) tl_store_sha256_update(h, buf, r);
    fclose(fp);
    hash_str(h, "(end)");
}

char *tl_cli_config_hash(const tl_cli_options *o) {
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    hash_str(&h, "tasklint-config-v1");
    for (const struct tl_builtin_model *b = tl_builtin_models; b->name; b++) {
        hash_str(&h, b->name);
        tl_store_sha256_update(&h, b->text, b->len);
        hash_str(&h, "");
    }
    for (size_t i = 0; i < o->nmodel_files; i++) hash_file(&h, o->model_files[i]);
    if (o->opts.config_path) hash_file(&h, o->opts.config_path);
    char buf[128];
    snprintf(buf, sizeof buf, "no_config=%d profile_set=%d profile=%d%s", o->opts.no_config,
             o->opts.profile_set, (int)o->opts.profile,
             o->opts.no_suppression_reports ? " no_suppression_reports" : "");
    hash_str(&h, buf);
    for (size_t i = 0; i < sizeof o->opts.rule_state; i++) {
        snprintf(buf, sizeof buf, "rule%zu=%d", i, o->opts.rule_state[i]);
        hash_str(&h, buf);
    }
    char *out = tl_xmalloc(65);
    digest_hex(&h, out);
    return out;
}

typedef struct {
    char *path; /* config file, "" for none */
    char *hash;
} cfg_hash;
static cfg_hash *cfg_cache;
static size_t cfg_n;

const char *tl_cli_tu_config_hash(const tl_cli_options *o, const char *global,
                                  const char *abs_file) {
    if (o->opts.config_path || o->opts.no_config) return global;
    char *cfg = tl_config_find(abs_file);
    const char *key = cfg ? cfg : "";
    for (size_t i = 0; i < cfg_n; i++)
        if (!strcmp(cfg_cache[i].path, key)) {
            free(cfg);
            return cfg_cache[i].hash;
        }
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    hash_str(&h, global);
    if (cfg) hash_file(&h, cfg);
    char *hex = tl_xmalloc(65);
    digest_hex(&h, hex);
    cfg_cache = tl_xrealloc(cfg_cache, (cfg_n + 1) * sizeof *cfg_cache);
    cfg_cache[cfg_n].path = tl_xstrdup(key);
    cfg_cache[cfg_n].hash = hex;
    cfg_n++;
    free(cfg);
    return hex;
}

char *tl_cli_tool_identity(void) {
    struct stat st;
    if (stat("/proc/self/exe", &st) == 0)
        return tl_xasprintf("%s+%lld.%lld.%ld", TASKLINT_VERSION, (long long)st.st_size,
                            (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    return tl_xstrdup(TASKLINT_VERSION);
}

char *tl_cli_unreusable_tu_key(const char *key) {
    /* tl_store_tu_key gives 64 hex digits: no lookup ever computes this */
    return tl_xasprintf("crashed:%s", key);
}

int tl_cli_parse_run(const char *s, int64_t *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0) return -1;
    *out = v;
    return 0;
}

/* ---- fingerprint sets ---- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void tl_fpset_build(tl_fpset *s, const tl_findings *fs, bool skip_suppressed) {
    s->v = tl_xmalloc((fs->n + 1) * sizeof *s->v);
    s->n = 0;
    for (size_t i = 0; i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        if (!f->fingerprint || (skip_suppressed && f->suppressed)) continue;
        s->v[s->n++] = f->fingerprint; /* borrowed */
    }
    qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

bool tl_fpset_has(const tl_fpset *s, const char *fp) {
    if (!fp || !s || !s->n) return false;
    return bsearch(&fp, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

void tl_fpset_free(tl_fpset *s) {
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* ---- baselines ---- */

int tl_cli_load_baseline(tl_store *s, const char *spec, tl_findings *out, char **label) {
    tl_findings_init(out);
    *label = NULL;
    struct stat st;
    if (stat(spec, &st) == 0) {
        char *shown = tl_term_escape(spec);
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "tasklint: error: --baseline %s: is a directory, not a baseline file\n",
                    shown);
            free(shown);
            return 2;
        }
        char msg[512] = "";
        if (tl_baseline_file_read(spec, out, msg, sizeof msg) != 0) {
            char *why = tl_term_escape(msg[0] ? msg : "not a tasklint baseline file");
            fprintf(stderr, "tasklint: error: --baseline %s: %s\n", shown, why);
            free(why);
            free(shown);
            tl_findings_free(out);
            return 2;
        }
        free(shown);
        *label = tl_xasprintf("baseline file %s", spec);
        return 0;
    }
    if (!s) {
        char *shown = tl_term_escape(spec);
        fprintf(stderr,
                "tasklint: error: --baseline %s: no such file, and without the store (--no-db) "
                "a baseline can only be a file\n",
                shown);
        free(shown);
        return 2;
    }
    int64_t run = tl_store_baseline_run(s, spec);
    if (run <= 0) {
        char *shown = tl_term_escape(spec);
        fprintf(stderr,
                "tasklint: error: --baseline %s: no such file, and no baseline of that name in "
                "the store (set one with `tasklint baseline set --name %s`)\n",
                shown, shown);
        free(shown);
        return 2;
    }
    tl_store_error e;
    memset(&e, 0, sizeof e);
    if (tl_store_run_findings(s, run, out, &e) != 0) {
        tl_cli_store_report(&e, spec);
        tl_findings_free(out);
        return 2;
    }
    *label = tl_xasprintf("baseline '%s' (run %lld)", spec, (long long)run);
    return 0;
}

/* ---- text tags ---- */

char *tl_cli_triage_tag(const tl_finding *f) {
    if (f->triage <= TL_TRIAGE_NONE) return tl_xstrdup("");
    const char *name = tl_triage_name((tl_triage_state)f->triage);
    if (f->triage_reason && *f->triage_reason)
        return tl_xasprintf(" (triaged: %s: %s)", name ? name : "?", f->triage_reason);
    return tl_xasprintf(" (triaged: %s)", name ? name : "?");
}

void tl_cli_print_tagged(FILE *out, const tl_finding *f, const tl_text_options *o,
                         const char *tags) {
    if (!tags || !*tags) {
        tl_text_print_finding(out, f, o);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        tl_text_print_finding(out, f, o);
        return;
    }
    tl_text_print_finding(m, f, o);
    fclose(m);
    char *nl = memchr(buf, '\n', len);
    if (!nl) {
        fwrite(buf, 1, len, out);
        tl_term_puts(out, tags); /* a triage reason comes from the store or a baseline file */
    } else {
        fwrite(buf, 1, (size_t)(nl - buf), out);
        tl_term_puts(out, tags);
        fwrite(nl, 1, len - (size_t)(nl - buf), out);
    }
    free(buf);
}
