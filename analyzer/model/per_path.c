/* per_path.c - the `per_path:` section of .tasklint.yaml (read by the config
 * loader in model.c), the built-in entries for test and benchmark
 * directories, and which entries apply to a file (used by the driver and by
 * --show-config).  See per_path.h. */
#include "per_path.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_loader.h"
#include "util/glob.h"
#include "util/xalloc.h"

/* ---- built in ---- */

/* Most intentional missing-timeout findings of the issue-12 survey were in
 * tests and benchmarks: there the peer a wait waits for is the test itself,
 * and the test runner's timeout bounds it.  The other rules stay on (a
 * leaked thread in a test is still a leak).  `perf` only at the top of the
 * project: messaging libraries keep their benchmark programs there (libzmq,
 * nanomsg, libdill, libmill: local_lat/remote_lat, whispers, c10k), each one
 * talking to itself; deeper, a `perf` directory may be a program of its own
 * (Linux's tools/perf) or a module counting performance events. */
static char *mt_off[] = {"missing-timeout"};
const tl_per_path tl_per_path_builtin[] = {
    {"**/test", -1, NULL, mt_off, 0, 1, 0},
    {"**/tests", -1, NULL, mt_off, 0, 1, 0},
    {"**/bench", -1, NULL, mt_off, 0, 1, 0},
    {"**/benchmark", -1, NULL, mt_off, 0, 1, 0},
    {"**/benchmarks", -1, NULL, mt_off, 0, 1, 0},
    {"perf", -1, NULL, mt_off, 0, 1, 0},
};
const size_t tl_per_path_nbuiltin = sizeof tl_per_path_builtin / sizeof tl_per_path_builtin[0];

/* ---- matching ---- */

size_t tl_per_path_each(const tl_model_set *ms, const char *relpath, tl_per_path_fn fn,
                        void *data) {
    size_t hits = 0;
    if (!relpath) return 0;
    if (!ms || !ms->no_path_defaults)
        for (size_t i = 0; i < tl_per_path_nbuiltin; i++)
            if (tl_glob_match_under(tl_per_path_builtin[i].glob, relpath)) {
                if (fn) fn(&tl_per_path_builtin[i], data);
                hits++;
            }
    for (size_t i = 0; ms && i < ms->nper_path; i++)
        if (tl_glob_match_under(ms->per_path[i].glob, relpath)) {
            if (fn) fn(&ms->per_path[i], data);
            hits++;
        }
    return hits;
}

char *tl_per_path_relative(const char *file, const char *base) {
    if (!file || !base) return NULL;
    char *f = realpath(file, NULL);
    char *b = realpath(base, NULL);
    char *rel = NULL;
    if (f && b) {
        size_t n = strlen(b);
        if (n == 1 && b[0] == '/') rel = tl_xstrdup(f + 1);
        else if (!strncmp(f, b, n) && f[n] == '/') rel = tl_xstrdup(f + n + 1);
    }
    free(f);
    free(b);
    return rel;
}

/* ---- reading the config ---- */

static void entry_free(tl_per_path *e) {
    free(e->glob);
    for (size_t k = 0; k < e->nenable; k++) free(e->enable[k]);
    for (size_t k = 0; k < e->ndisable; k++) free(e->disable[k]);
    free(e->enable);
    free(e->disable);
}

void tl_per_path_free(tl_per_path *v, size_t n) {
    for (size_t i = 0; i < n; i++) entry_free(&v[i]);
    free(v);
}

static char **copy_names(char *const *v, size_t n, int *failed) {
    if (n == 0) return NULL;
    char **out = calloc(n, sizeof *out);
    if (!out) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!(out[i] = ml_strdup(v[i]))) *failed = 1;
    return out;
}

tl_per_path *tl_per_path_copy(const tl_per_path *v, size_t n, int *failed) {
    if (n == 0) return NULL;
    tl_per_path *out = calloc(n, sizeof *out);
    if (!out) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = v[i];
        out[i].glob = ml_strdup(v[i].glob);
        if (!out[i].glob) *failed = 1;
        out[i].enable = copy_names(v[i].enable, v[i].nenable, failed);
        out[i].disable = copy_names(v[i].disable, v[i].ndisable, failed);
        if (!out[i].enable) out[i].nenable = 0;
        if (!out[i].disable) out[i].ndisable = 0;
    }
    return out;
}

int ml_read_per_path(loader *L, const tl_yaml_node *n, tl_per_path **v, size_t *count) {
    static const char *const keys[] = {"profile", "enable", "disable", NULL};
    static const char *const profiles[] = {"default", "strict", NULL};
    if (tl_yaml_is_null(n)) return 0;
    if (n->type != TL_YAML_MAP)
        return ml_fail(L, n, "'per_path' must be a mapping of globs to settings, e.g. "
                             "\"tests\": {disable: [missing-timeout]}");
    if (n->n == 0) return 0;
    tl_per_path *nv = realloc(*v, (*count + n->n) * sizeof *nv);
    if (!nv) return ml_fail(L, n, "out of memory");
    *v = nv;
    for (size_t i = 0; i < n->n; i++) {
        const char *glob = n->keys[i];
        const tl_yaml_node *body = n->items[i];
        tl_yaml_node at = {.line = n->key_lines[i], .col = n->key_cols[i]};
        const char *why = tl_glob_valid(glob, strlen(glob));
        if (why)
            return ml_fail(L, &at, "per_path glob '%.60s%s': %s", glob,
                           strlen(glob) > 60 ? "..." : "", why);
        if (body->type != TL_YAML_MAP)
            return ml_fail(L, body, "per_path '%s' must be a mapping (keys: profile, enable, "
                                    "disable)", glob);
        if (ml_check_keys(L, body, keys) != 0) return -1;
        tl_per_path e = {.profile = -1, .line = n->key_lines[i]};
        const tl_yaml_node *x;
        if ((x = tl_yaml_get(body, "profile")) &&
            ml_get_choice(L, x, "profile", profiles, &e.profile))
            return -1;
        if (((x = tl_yaml_get(body, "enable")) &&
             ml_read_names(L, x, "enable", &e.enable, &e.nenable)) ||
            ((x = tl_yaml_get(body, "disable")) &&
             ml_read_names(L, x, "disable", &e.disable, &e.ndisable)) ||
            !(e.glob = ml_strdup(glob))) {
            entry_free(&e);
            return L->err->msg[0] ? -1 : ml_fail(L, &at, "out of memory");
        }
        if (e.profile == 1) e.profile = TL_PROFILE_STRICT;
        else if (e.profile == 0) e.profile = TL_PROFILE_DEFAULT;
        (*v)[(*count)++] = e;
    }
    return 0;
}
