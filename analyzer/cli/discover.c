/* discover.c - the translation units named on the command line (without -p):
 * files as given, directories searched recursively for *.c in sorted order;
 * then, like clang-tidy, the compile_commands.json that lies next to them
 * (in the file's directory or a parent, or their build/ subdirectory)
 * gives the files it lists their own arguments. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/compile_args.h"
#include "cli/compile_db.h"
#include "cli/untrusted.h"
#include "util/xalloc.h"

void tl_cli_tu_free(tl_cli_tu *tu) {
    free(tu->file);
    free(tu->directory);
    for (int k = 0; k < tu->nargs; k++) free(tu->args[k]);
    free(tu->args);
}

void tl_cli_tus_free(tl_cli_tus *t) {
    for (size_t i = 0; i < t->n; i++) tl_cli_tu_free(&t->items[i]);
    free(t->items);
    memset(t, 0, sizeof *t);
}

tl_cli_tu *tl_cli_tus_add(tl_cli_tus *t, const char *file, const char *directory) {
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->items = tl_xrealloc(t->items, t->cap * sizeof *t->items);
    }
    tl_cli_tu *tu = &t->items[t->n++];
    memset(tu, 0, sizeof *tu);
    tu->file = tl_xstrdup(file);
    tu->directory = directory ? tl_xstrdup(directory) : NULL;
    return tu;
}

void tl_cli_tu_add_arg(tl_cli_tu *tu, const char *arg) {
    tu->args = tl_xrealloc(tu->args, (size_t)(tu->nargs + 1) * sizeof *tu->args);
    tu->args[tu->nargs++] = tl_xstrdup(arg);
}

/* A set of real paths already queued (a file named twice, or both as a file
 * and through its directory, is analysed once). */
typedef struct {
    char **items;
    size_t n, cap;
} strset;

static bool strset_add(strset *s, const char *v) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->items[i], v)) return false;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = tl_xrealloc(s->items, s->cap * sizeof *s->items);
    }
    s->items[s->n++] = tl_xstrdup(v);
    return true;
}

static void strset_free(strset *s) {
    for (size_t i = 0; i < s->n; i++) free(s->items[i]);
    free(s->items);
}

static void add_file(const char *path, char *const *extra, int nextra, tl_cli_tus *out,
                     strset *seen) {
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    if (!strset_add(seen, key)) return;
    tl_cli_tu *tu = tl_cli_tus_add(out, path, NULL);
    for (int i = 0; i < nextra; i++) tl_cli_tu_add_arg(tu, extra[i]);
}

static bool is_c_file(const char *name) {
    size_t n = strlen(name);
    return n > 2 && name[n - 2] == '.' && name[n - 1] == 'c';
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (n == 1 && dir[0] == '.') return tl_xstrdup(name); /* "./x.c" -> "x.c" */
    return tl_xasprintf("%.*s/%s", (int)n, dir, name);
}

/* Skip hidden directories (.git, .cache, ...) and CMake build trees
 * (build*, holding a CMakeCache.txt) - they hold generated C files. */
static bool skip_dir(const char *path, const char *name) {
    if (name[0] == '.') return true;
    if (strncmp(name, "build", 5) == 0) {
        char *cache = tl_xasprintf("%s/CMakeCache.txt", path);
        bool is_build = access(cache, F_OK) == 0;
        free(cache);
        return is_build;
    }
    return false;
}

static void walk(const char *dir, char *const *extra, int nextra, tl_cli_tus *out,
                 strset *seen, FILE *err, int depth) {
    if (depth > 64) return;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(err, "tasklint: warning: %s: cannot read directory: %s\n", dir, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = tl_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = tl_xstrdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *p = join(dir, names[i]);
        struct stat st;
        /* lstat: symlinked directories are not followed (no cycles); a
           symlink to a .c file is */
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (!skip_dir(p, names[i])) walk(p, extra, nextra, out, seen, err, depth + 1);
            } else if (is_c_file(names[i]) && (S_ISREG(st.st_mode) ||
                                               (S_ISLNK(st.st_mode) && stat(p, &st) == 0 &&
                                                S_ISREG(st.st_mode)))) {
                add_file(p, extra, nextra, out, seen);
            }
        }
        free(p);
        free(names[i]);
    }
    free(names);
}

int tl_discover(char *const *paths, size_t npaths, char *const *extra, int nextra,
                tl_cli_tus *out, FILE *err) {
    strset seen = {0};
    int rc = 0;
    for (size_t i = 0; i < npaths; i++) {
        const char *p = paths[i];
        struct stat st;
        if (stat(p, &st) != 0) {
            fprintf(err, "tasklint: error: %s: %s\n", p, strerror(errno));
            rc = 2;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            walk(p, extra, nextra, out, &seen, err, 0);
        } else if (!S_ISREG(st.st_mode)) { /* clang would read a FIFO or a device forever */
            fprintf(err, "tasklint: error: %s: not a regular file (%s)\n", p,
                    tl_file_kind(st.st_mode));
            rc = 2;
        } else if (access(p, R_OK) != 0) {
            fprintf(err, "tasklint: error: %s: %s\n", p, strerror(errno));
            rc = 2;
        } else {
            add_file(p, extra, nextra, out, &seen);
        }
    }
    strset_free(&seen);
    return rc;
}

/* ---- compile databases next to the files ---- */

typedef struct {
    json_t *by_dir;    /* object: directory -> index in dbs, or null: none */
    tl_compdb **dbs;
    size_t *used;      /* TUs that took their arguments from dbs[i] */
    size_t ndbs;
    FILE *err;
} db_finder;

static char *parent_dir(const char *dir) {
    const char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return tl_xstrdup("/");
    return tl_xstrndup(dir, (size_t)(slash - dir));
}

/* Loads the database at `path` if there is one.  Returns its index, -1
 * when there is none, or -2 when it cannot be used (a warning is printed:
 * the search goes on, as clang-tidy's does). */
static long try_database(db_finder *f, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    char *why = NULL;
    tl_compdb *db = tl_compdb_open(path, &why);
    if (!db) {
        char *shown = tl_escape_for_terminal(path);
        fprintf(f->err, "tasklint: warning: ignoring %s: %s\n", shown, why);
        free(shown);
        free(why);
        return -2;
    }
    f->dbs = tl_xrealloc(f->dbs, (f->ndbs + 1) * sizeof *f->dbs);
    f->used = tl_xrealloc(f->used, (f->ndbs + 1) * sizeof *f->used);
    f->dbs[f->ndbs] = db;
    f->used[f->ndbs] = 0;
    return (long)f->ndbs++;
}

/* The database for files in `dir` (absolute): the nearest one in dir or a
 * parent, or in its build/ subdirectory; -1 if none.  Every directory on
 * the way is remembered, so each is looked at once per run. */
static long database_for(db_finder *f, const char *dir) {
    char **pending = NULL;
    size_t npending = 0;
    long found = -1;
    char *d = tl_xstrdup(dir);
    for (;;) {
        const json_t *known = json_object_get(f->by_dir, d);
        if (known) {
            found = json_is_integer(known) ? (long)json_integer_value(known) : -1;
            free(d);
            break;
        }
        pending = tl_xrealloc(pending, (npending + 1) * sizeof *pending);
        pending[npending++] = d;
        const char *base = strcmp(d, "/") ? d : "";
        char *here = tl_xasprintf("%s/compile_commands.json", base);
        char *in_build = tl_xasprintf("%s/build/compile_commands.json", base);
        long idx = try_database(f, here);
        if (idx < 0) idx = try_database(f, in_build);
        free(here);
        free(in_build);
        if (idx >= 0) {
            found = idx;
            break;
        }
        if (!strcmp(d, "/")) break;
        d = parent_dir(d);
    }
    for (size_t i = 0; i < npending; i++) {
        json_object_set_new_nocheck(f->by_dir, pending[i],
                                    found >= 0 ? json_integer(found) : json_null());
        free(pending[i]);
    }
    free(pending);
    return found;
}

static void copy_tu(tl_cli_tus *out, const tl_cli_tu *tu) {
    tl_cli_tu *c = tl_cli_tus_add(out, tu->file, tu->directory);
    c->from_compdb = tu->from_compdb;
    for (int k = 0; k < tu->nargs; k++) tl_cli_tu_add_arg(c, tu->args[k]);
}

void tl_discover_compdbs(tl_cli_tus *tus, char *const *extra, int nextra, bool verbose,
                         FILE *err) {
    db_finder f = {.by_dir = json_object(), .err = err};
    tl_cli_tus result = {0};
    result.input_errors = tus->input_errors;
    for (size_t i = 0; i < tus->n; i++) {
        const tl_cli_tu *tu = &tus->items[i];
        if (tu->from_compdb) {
            copy_tu(&result, tu);
            continue;
        }
        char *abs = tl_cli_abspath(tu->file, tu->directory);
        char *dir = parent_dir(abs);
        long idx = database_for(&f, dir);
        long entry = -1;
        if (idx >= 0) {
            char real[PATH_MAX];
            entry = tl_compdb_find(f.dbs[idx], realpath(abs, real) ? real : abs);
        }
        tl_strvec args = {tu->args, tu->nargs, tu->nargs};
        if (entry < 0 && tl_compile_args_is_assembly(&args, tu->file)) {
            char *shown = tl_escape_for_terminal(tu->file);
            fprintf(err, "tasklint: note: %s: assembly (by its name), skipped\n", shown);
            free(shown);
        } else if (entry < 0) {
            copy_tu(&result, tu);
        } else {
            int added = tl_compdb_add_tu(f.dbs[idx], (size_t)entry, extra, nextra, &result, err);
            if (added == 0) f.used[idx]++;
            if (added > 0) result.input_errors = true;
            if (added < 0) { /* named, but assembly */
                char *shown = tl_escape_for_terminal(tu->file);
                fprintf(err, "tasklint: note: %s: assembly (its compile command says so), skipped\n", shown);
                free(shown);
            }
        }
        free(dir);
        free(abs);
    }
    for (size_t i = 0; i < f.ndbs; i++) {
        if (verbose && f.used[i]) {
            char *shown = tl_escape_for_terminal(tl_compdb_path(f.dbs[i]));
            fprintf(err, "tasklint: note: using %s for %zu file%s\n", shown, f.used[i],
                    f.used[i] == 1 ? "" : "s");
            free(shown);
            tl_compdb_print_dropped(f.dbs[i], err);
        }
        tl_compdb_close(f.dbs[i]);
    }
    free(f.dbs);
    free(f.used);
    json_decref(f.by_dir);
    tl_cli_tus_free(tus);
    *tus = result;
}
