/* discover.c - the translation units named on the command line (without -p):
 * files as given, directories searched recursively for *.c in sorted order. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/xalloc.h"

void tl_cli_tus_free(tl_cli_tus *t) {
    for (size_t i = 0; i < t->n; i++) {
        tl_cli_tu *tu = &t->items[i];
        free(tu->file);
        free(tu->directory);
        for (int k = 0; k < tu->nargs; k++) free(tu->args[k]);
        free(tu->args);
    }
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
