/* per_path.h - settings for the files under some paths: the `per-path:`
 * section of .tasklint.yaml, and the built-in default for test and benchmark
 * directories.
 *
 *     per-path:
 *       "tests": {disable: [missing-timeout]}
 *       "src/core": {profile: strict, enable: [unawaited-task]}
 *     per-path-defaults: false    # drop the built-in entries below
 *
 * A glob (util/glob.h: fnmatch with FNM_PATHNAME, `**` for any directories)
 * is matched against the analysed file's path relative to the directory of
 * the config that holds it, and a glob that matches a directory covers every
 * file under it.  The built-in entries come first, then the config's in file
 * order, and every entry that matches applies, so a later entry wins over
 * an earlier one for the same setting.  The driver applies them after the
 * config's top-level settings and before the command line's --profile,
 * --enable and --disable, which win over everything.
 */
#ifndef TL_PER_PATH_H
#define TL_PER_PATH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tl_per_path_s {
    char *glob;
    int profile;              /* -1: not set, else a tl_profile */
    char **enable, **disable; /* rule ids */
    size_t nenable, ndisable;
    int line;                 /* in the config (0: built in) */
} tl_per_path;

/* The built-in entries: missing-timeout is off in test and benchmark
 * directories (see the README, "Config file and profiles"). */
extern const tl_per_path tl_per_path_builtin[];
extern const size_t tl_per_path_nbuiltin;

struct tl_model_set;

/* The entries that apply to `relpath` (relative to the config's directory),
 * in order: the built-in ones unless the config turned them off, then the
 * config's.  Calls fn for each; returns how many matched. */
typedef void (*tl_per_path_fn)(const tl_per_path *e, void *data);
size_t tl_per_path_each(const struct tl_model_set *ms, const char *relpath, tl_per_path_fn fn,
                        void *data);

/* The path of `file` relative to the directory `base` (both made absolute
 * and resolved), or NULL when it is not under it.  malloc'd. */
char *tl_per_path_relative(const char *file, const char *base);

void tl_per_path_free(tl_per_path *v, size_t n);
/* Deep copy of n entries; NULL when n is 0 or memory ran out (*failed). */
tl_per_path *tl_per_path_copy(const tl_per_path *v, size_t n, int *failed);

#endif
