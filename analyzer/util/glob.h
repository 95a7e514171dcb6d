/* glob.h - path globs from untrusted configs, matched without backtracking
 * blow-ups.
 *
 * The syntax is fnmatch(3) with FNM_PATHNAME, plus `**`:
 *   `*`      any run of characters except '/'
 *   `?`      one character except '/'
 *   `[...]`  one character of the set (`[!...]` or `[^...]`: not in it;
 *            ranges `a-z`; never matches '/')
 *   `\c`     the character c itself
 *   `**`     as a whole segment (between slashes, or at either end):
 *            any number of whole directories, none included ("tests" + "/" +
 *            "**" is everything under tests); elsewhere it is a plain `*`
 * A leading "./" of the path is ignored; `*` matches a leading '.' (no
 * FNM_PERIOD), as `exclude:` always did.
 *
 * Cost: a glob from a project's .tasklint.yaml is untrusted, and glibc's
 * fnmatch backtracks (`*a*a*a*...b` against a long name takes exponential
 * time).  This matcher uses the two-pointer greedy method at both levels
 * (characters within a segment, segments within the path): when a star
 * fails further on, only the last star is retried one step later, so
 * matching costs at most O(|glob| x |path|) character steps.  Globs longer
 * than TL_GLOB_MAX bytes are refused by tl_glob_valid (the config loader
 * reports them).
 */
#ifndef TL_GLOB_H
#define TL_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#define TL_GLOB_MAX 1024

/* Whether `glob` matches the whole of `path` (both '/'-separated). */
bool tl_glob_match(const char *glob, const char *path);
/* Whether `glob` matches `path` or one of its leading directories (a glob
 * naming a directory covers every file under it). */
bool tl_glob_match_under(const char *glob, const char *path);

/* NULL when the glob can be used, else a static message saying why not
 * (empty, too long, an unterminated `[`, a trailing `\`, a NUL...). */
const char *tl_glob_valid(const char *glob, size_t len);

#endif
