/* config.c - reads a project config (.tasklint.yaml) into a tl_model_set,
 * and finds the config that applies to a file.
 *
 * A config's keys (profile, enable, disable, exempt, exclude, per_path,
 * keep_runs, annotations, ...) are all read and checked into a scratch set
 * first and moved into the set only when the whole document is valid, like a
 * model file.  Its functions: and replacements: go through the model
 * loader's document steps (model.c, shared through model_loader.h); per_path
 * is read by per_path.c, annotations by annotation_roles.c.
 */
#include "model_loader.h"
#include "per_path.h"
#include "util/glob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A list of names (or one name) into a new vector appended to *v (also per_path.c). */
int ml_read_names(loader *L, const tl_yaml_node *n, const char *what, char ***v, size_t *count) {
    const tl_yaml_node *one = n;
    size_t k = 1;
    if (n->type == TL_YAML_SEQ) k = n->n;
    else if (tl_yaml_is_null(n)) k = 0;
    else if (n->type != TL_YAML_SCALAR)
        return ml_fail(L, n, "'%s' must be a list of names, e.g. [a, b]", what);
    for (size_t i = 0; i < k; i++) {
        if (n->type == TL_YAML_SEQ) one = n->items[i];
        if (one->type != TL_YAML_SCALAR || one->str[0] == '\0')
            return ml_fail(L, one, "'%s' entries must be non-empty names", what);
    }
    if (k == 0) return 0;
    char **nv = realloc(*v, (*count + k) * sizeof(char *));
    if (!nv) return ml_fail(L, n, "out of memory");
    *v = nv;
    for (size_t i = 0; i < k; i++) {
        one = n->type == TL_YAML_SEQ ? n->items[i] : n;
        if (!(nv[*count] = ml_strdup(one->str))) return ml_fail(L, one, "out of memory");
        (*count)++;
    }
    return 0;
}

int tl_models_load_config(tl_model_set *ms, const char *path, tl_model_error *err) {
    tl_model_error dummy;
    if (!err) err = &dummy;
    size_t len;
    char *text = ml_slurp(path, &len, err);
    if (!text) return -1;
    int rc = tl_models_load_config_text(ms, text, len, path, err);
    free(text);
    return rc;
}

int tl_models_load_config_text(tl_model_set *ms, const char *text, size_t len, const char *path,
                               tl_model_error *err) {
    static const char *const keys[] = {"profile", "enable", "disable", "exempt", "exclude",
                                       "per_path", "per_path_defaults", "functions",
                                       "replacements", "library", "keep_runs",
                                       "keep_trend", "annotations", NULL};
    static const char *const bools[] = {"false", "true", NULL};
    static const char *const profiles[] = {"default", "strict", NULL};
    static const char *const trends[] = {"none", "day", "week", NULL};
    tl_model_error dummy;
    loader L = {path ? path : "<config>", err ? err : &dummy, NULL, NULL};
    L.err->msg[0] = '\0';
    tl_yaml_node *root;
    if (!ml_parse_root(&L, text, len, &root)) return -1;

    pending_doc d = {0};
    tl_model_set scratch; /* settings, moved into ms only when all is valid */
    tl_models_init(&scratch);
    int rc = -1;
    int profile = -1, keep_trend = -1;
    long keep_runs = 0;
    const tl_yaml_node *x;
    if (tl_yaml_is_null(root)) {
        rc = 0; /* an empty config: nothing to change */
        goto out;
    }
    if (root->type != TL_YAML_MAP) {
        ml_fail(&L, root, "a config must be a mapping (keys: profile, enable, disable, exempt, "
                              "exclude, per_path, per_path_defaults, functions, replacements, "
                              "library, keep_runs, keep_trend, annotations)");
        goto out;
    }
    if (ml_check_keys(&L, root, keys) != 0) goto out;
    d.library = "project";
    if ((x = tl_yaml_get(root, "library"))) {
        if (x->type != TL_YAML_SCALAR || x->str[0] == '\0') {
            ml_fail(&L, x, "'library' must be a non-empty name");
            goto out;
        }
        d.library = x->str;
    }
    if ((x = tl_yaml_get(root, "profile")) && ml_get_choice(&L, x, "profile", profiles, &profile))
        goto out;
    if ((x = tl_yaml_get(root, "enable")) &&
        ml_read_names(&L, x, "enable", &scratch.enable, &scratch.nenable))
        goto out;
    if ((x = tl_yaml_get(root, "disable")) &&
        ml_read_names(&L, x, "disable", &scratch.disable, &scratch.ndisable))
        goto out;
    if ((x = tl_yaml_get(root, "exempt")) &&
        ml_read_names(&L, x, "exempt", &scratch.exempt, &scratch.nexempt))
        goto out;
    if ((x = tl_yaml_get(root, "exclude")) &&
        ml_read_names(&L, x, "exclude", &scratch.exclude, &scratch.nexclude))
        goto out;
    for (size_t i = 0; i < scratch.nexclude; i++) {
        const char *why = tl_glob_valid(scratch.exclude[i], strlen(scratch.exclude[i]));
        if (why) {
            ml_fail(&L, x->type == TL_YAML_SEQ ? x->items[i] : x, "exclude glob '%.60s%s': %s",
                    scratch.exclude[i], strlen(scratch.exclude[i]) > 60 ? "..." : "", why);
            goto out;
        }
    }
    if ((x = tl_yaml_get(root, "per_path")) &&
        ml_read_per_path(&L, x, &scratch.per_path, &scratch.nper_path))
        goto out;
    int path_defaults = -1;
    if ((x = tl_yaml_get(root, "per_path_defaults")) &&
        ml_get_choice(&L, x, "per_path_defaults", bools, &path_defaults))
        goto out;
    if ((x = tl_yaml_get(root, "keep_runs"))) {
        char *end = NULL;
        if (x->type == TL_YAML_SCALAR) keep_runs = strtol(x->str, &end, 10);
        if (x->type != TL_YAML_SCALAR || !end || end == x->str || *end || keep_runs < 1 ||
            keep_runs > 1000000) {
            ml_fail(&L, x, "'keep_runs' must be a number of runs from 1 to 1000000");
            goto out;
        }
    }
    if ((x = tl_yaml_get(root, "keep_trend")) &&
        ml_get_choice(&L, x, "keep_trend", trends, &keep_trend))
        goto out;
    if ((x = tl_yaml_get(root, "annotations")) && ml_read_annotations(&L, x, &scratch) != 0) goto out;
    if ((x = tl_yaml_get(root, "functions")) && ml_read_functions(&L, x, &d) != 0) goto out;
    if ((x = tl_yaml_get(root, "replacements")) && ml_read_replacements(&L, x, &d) != 0) goto out;

    /* all valid: apply */
    if (d.nfns || d.replacements) {
        if (ml_apply_doc(ms, &d) != 0) goto oom;
    }
    if (keep_runs > 0) ms->keep_runs = (int)keep_runs;
    if (keep_trend >= 0) ms->keep_trend = keep_trend + 1;
    if (profile >= 0) {
        ms->has_profile = true;
        ms->profile = profile == 1 ? TL_PROFILE_STRICT : TL_PROFILE_DEFAULT;
    }
    if (path_defaults >= 0) ms->no_path_defaults = path_defaults == 0;
    if (scratch.nper_path) {
        tl_per_path *nv = realloc(ms->per_path, (ms->nper_path + scratch.nper_path) * sizeof *nv);
        if (!nv) goto oom;
        memcpy(nv + ms->nper_path, scratch.per_path, scratch.nper_path * sizeof *nv);
        ms->per_path = nv;
        ms->nper_path += scratch.nper_path;
        free(scratch.per_path);
        scratch.per_path = NULL;
        scratch.nper_path = 0;
    }
    size_t exempt_before = ms->nexempt;
    struct {
        char ***v;
        size_t *n;
        char ***sv;
        size_t *sn;
    } lists[] = {{&ms->enable, &ms->nenable, &scratch.enable, &scratch.nenable},
                 {&ms->disable, &ms->ndisable, &scratch.disable, &scratch.ndisable},
                 {&ms->exempt, &ms->nexempt, &scratch.exempt, &scratch.nexempt},
                 {&ms->exclude, &ms->nexclude, &scratch.exclude, &scratch.nexclude}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        if (*lists[i].sn == 0) continue;
        char **nv = realloc(*lists[i].v, (*lists[i].n + *lists[i].sn) * sizeof(char *));
        if (!nv) goto oom;
        memcpy(nv + *lists[i].n, *lists[i].sv, *lists[i].sn * sizeof(char *));
        *lists[i].v = nv;
        *lists[i].n += *lists[i].sn;
        free(*lists[i].sv);
        *lists[i].sv = NULL;
        *lists[i].sn = 0;
    }
    ms->capexempt = ms->nexempt;
    if (ml_index_exempt(ms, exempt_before) != 0) goto oom;
    if (scratch.nannots) {
        char **nn = realloc(ms->annot_names, (ms->nannots + scratch.nannots) * sizeof(char *));
        if (nn) ms->annot_names = nn;
        unsigned *nr = nn ? realloc(ms->annot_roles, (ms->nannots + scratch.nannots) * sizeof(unsigned)) : NULL;
        if (!nr) goto oom;
        ms->annot_roles = nr;
        for (size_t i = 0; i < scratch.nannots; i++) {
            ms->annot_names[ms->nannots + i] = scratch.annot_names[i];
            ms->annot_roles[ms->nannots + i] = scratch.annot_roles[i];
        }
        ms->nannots += scratch.nannots;
        free(scratch.annot_names);
        free(scratch.annot_roles);
        scratch.annot_names = NULL;
        scratch.annot_roles = NULL;
        scratch.nannots = 0;
    }
    rc = 0;
    goto out;
oom:
    ml_set_error(L.err, L.origin, "out of memory");
out:
    ml_pending_free(&d);
    tl_models_free(&scratch);
    tl_yaml_free(root);
    return rc;
}

static bool is_regular_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *tl_config_find(const char *file_path) {
    if (!file_path || !*file_path) return NULL;
    /* the directory of the file (the path itself if it is a directory) */
    struct stat st;
    char *dir;
    if (stat(file_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = ml_strdup(file_path);
    } else {
        const char *slash = strrchr(file_path, '/');
        if (!slash)
            dir = ml_strdup(".");
        else if (slash == file_path)
            dir = ml_strdup("/");
        else {
            dir = malloc((size_t)(slash - file_path) + 1);
            if (dir) {
                memcpy(dir, file_path, (size_t)(slash - file_path));
                dir[slash - file_path] = '\0';
            }
        }
    }
    if (!dir) return NULL;
    char *abs = realpath(dir, NULL);
    free(dir);
    if (!abs) return NULL;

    static const char *const names[] = {".tasklint.yaml", ".tasklint.yml"};
    char *found = NULL;
    size_t n = strlen(abs);
    char *buf = malloc(n + 32);
    while (buf) {
        for (size_t i = 0; i < 2 && !found; i++) {
            snprintf(buf, n + 32, "%s%s%s", abs, n && abs[n - 1] == '/' ? "" : "/", names[i]);
            if (is_regular_file(buf)) found = ml_strdup(buf);
        }
        if (found || strcmp(abs, "/") == 0) break;
        char *slash = strrchr(abs, '/');
        if (!slash) break;
        if (slash == abs)
            abs[1] = '\0';
        else
            *slash = '\0';
        n = strlen(abs);
    }
    free(buf);
    free(abs);
    return found;
}
