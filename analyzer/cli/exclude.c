/* exclude.c - files the user keeps out of the analysis (vendored code):
 * --exclude GLOB and the `exclude:` list of the project config.  analyze.c
 * drops the matching TUs after discovery or the compile database has listed
 * them, before anything is parsed, so an excluded file is never analysed.
 * Globs are matched against the path relative to the project root
 * (util/glob.c). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/model.h"
#include "store/fingerprint.h"
#include "util/glob.h"
#include "util/xalloc.h"

/* util/glob.h: fnmatch with FNM_PATHNAME, `**` for any directories, a glob
 * matching a directory covers every file under it; linear in the glob times
 * the path, whatever an untrusted config writes. */
bool tl_exclude_match(const char *glob, const char *relpath) {
    return tl_glob_match_under(glob, relpath);
}

/* The project config's `exclude:` globs, appended to *globs.  A config that
 * cannot be loaded adds nothing here: the analysis reports it. */
static void config_globs(const tl_cli_options *o, const char *root, char ***globs, size_t *n) {
    if (o->opts.no_config && !o->opts.config_path) return;
    char *path = o->opts.config_path ? tl_xstrdup(o->opts.config_path) : tl_config_find(root);
    if (!path) return;
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    if (tl_models_load_config(&ms, path, &err) == 0 && ms.nexclude) {
        *globs = tl_xrealloc(*globs, (*n + ms.nexclude) * sizeof **globs);
        for (size_t i = 0; i < ms.nexclude; i++) (*globs)[(*n)++] = tl_xstrdup(ms.exclude[i]);
    }
    tl_models_free(&ms);
    free(path);
}

size_t tl_exclude_tus(const tl_cli_options *o, const char *root, tl_cli_tus *tus) {
    size_t nglobs = 0;
    char **globs = NULL;
    if (o->nexcludes) {
        globs = tl_xmalloc(o->nexcludes * sizeof *globs);
        for (size_t i = 0; i < o->nexcludes; i++) globs[nglobs++] = tl_xstrdup(o->excludes[i]);
    }
    config_globs(o, root, &globs, &nglobs);
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < tus->n; i++) {
        tl_cli_tu *tu = &tus->items[i];
        bool excluded = false;
        if (nglobs) {
            char *abs = tl_cli_abspath(tu->file, tu->directory);
            char *rel = tl_fingerprint_relpath(abs, root);
            for (size_t k = 0; k < nglobs && !excluded; k++)
                excluded = tl_exclude_match(globs[k], rel);
            free(rel);
            free(abs);
        }
        if (excluded) {
            tl_cli_tu_free(tu);
            dropped++;
        } else {
            tus->items[kept++] = *tu;
        }
    }
    tus->n = kept;
    for (size_t i = 0; i < nglobs; i++) free(globs[i]);
    free(globs);
    return dropped;
}
