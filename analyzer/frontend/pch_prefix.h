/* pch_prefix.h - shared precompiled prefixes: the headers that many TUs of a
 * run include first, parsed once into a PCH that each of them is parsed
 * against (docs/shared-headers.md).  The prefix: pch_scan.c; the cache and
 * the PCHs: pch_prefix.c.
 *
 * A TU's prefix is the leading run of `#include "..."` / `#include <...>`
 * lines of its main file, with nothing but blank lines and comments before
 * and between them (tl_pch_scan): text that could change what the includes
 * mean (#define, #if, code) ends the run.  The prefix file is that run, the
 * quoted names that exist next to the main file made absolute (so that they
 * resolve as they do from the main file, under the same name), and its key
 * the hash of the parse arguments and that text (tl_pch_key).  Built with
 * libclang (clang_saveTranslationUnit) into a cache directory under names
 * made of the key only - nothing from the analysed tree names a file there.
 *
 * A PCH is only built when the prefix parses without an error and every
 * header it includes directly is guarded (include guard or #pragma once), so
 * that the main file's own copy of those includes is skipped: otherwise the
 * build records how many leading includes were usable (`KEY.fail`) and the
 * TU tries that shorter prefix.  Next to the PCH, `KEY.meta` holds the files
 * it read with their content hashes, sizes and times (a PCH whose headers
 * changed is stale: it is rebuilt) and the annotate strings of its function declarations
 * (frontend.h: tl_frontend_lower_shared).  Several processes share the
 * directory: the first to need a PCH builds it under an O_EXCL lock file
 * (`KEY.lock`) and renames it into place; one that finds the lock taken
 * parses its TU plainly.  The cache prunes itself to a size bound
 * (tl_pch_cache_prune).
 */
#ifndef TL_PCH_PREFIX_H
#define TL_PCH_PREFIX_H

#include <clang-c/Index.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annotations.h"

/* At most this many leading includes form a prefix. */
#define TL_PCH_MAX_INCLUDES 64

/* ---- the prefix of a main file ---- */

typedef struct {
    int n;
    char *names[TL_PCH_MAX_INCLUDES]; /* the header name as written, without delimiters */
    bool angled[TL_PCH_MAX_INCLUDES];
    bool to_end; /* the run went on to the end of the text scanned (it may go on after it) */
} tl_pch_includes;

/* The leading #include lines of a main file's text; 0 (n may be 0). */
void tl_pch_scan(const char *text, size_t len, tl_pch_includes *out);
/* The same, reading the start of the file at path; -1 when unreadable.
 * When path is relative, the prefix ends before the first quoted include
 * found next to the file (the prefix file could not name it the same). */
int tl_pch_scan_file(const char *path, tl_pch_includes *out);
void tl_pch_includes_free(tl_pch_includes *inc);
/* The prefix file's text for the first n includes (malloc'd). */
char *tl_pch_prefix_text(const char *main_path, const tl_pch_includes *inc, int n);
/* Whether a TU with these arguments may share a prefix at all: not when
 * they include or precompile files of their own (-include, -imacros,
 * -include-pch, -x other than c). */
bool tl_pch_args_allow(const char *const *args, int na);
/* The key (64 hex digits) of a prefix text parsed with args. */
void tl_pch_key(const char *const *args, int na, const char *prefix_text, char out[65]);
/* The keys of all of main_path's prefixes at once: keys[i] for the first
 * i + 1 includes (inc->n keys). */
void tl_pch_keys(const char *const *args, int na, const char *main_path, const tl_pch_includes *inc,
                 char (*keys)[65]);

/* ---- the cache ---- */

/* Counters of a run; the CLI keeps them in memory shared by its workers. */
typedef struct {
    uint64_t built;        /* PCHs built */
    uint64_t build_failed; /* prefixes that could not be precompiled (errors, unguarded headers) */
    uint64_t stale;        /* PCHs rebuilt because a header changed */
    uint64_t shared;       /* TUs parsed against a PCH */
    uint64_t fallback;     /* TUs whose parse against a PCH failed or had errors: parsed plainly */
    uint64_t busy;         /* TUs parsed plainly while another process built their PCH */
    uint64_t light;        /* TUs parsed plainly because their PCH is too small to pay */
} tl_pch_stats;

typedef struct tl_pch_cache tl_pch_cache;

/* What a run hands its workers (driver.h: tl_options.pch_plan): the cache
 * directory, the counters, and per TU of the run's list how many leading
 * includes its prefix takes (0: parse it plainly). */
typedef struct tl_pch_plan {
    const char *dir;
    tl_pch_stats *stats;
    uint64_t min_bytes;     /* tl_pch_cache_set_min_bytes */
    bool one_run;           /* tl_pch_cache_set_one_run */
    const int *includes;
    size_t n;
} tl_pch_plan;

/* A cache in `dir` (which must exist).  stats: counters to add to (may be
 * shared with other processes), or NULL. */
tl_pch_cache *tl_pch_cache_new(const char *dir, tl_pch_stats *stats);
void tl_pch_cache_free(tl_pch_cache *c);
tl_pch_stats *tl_pch_cache_stats(tl_pch_cache *c);
/* A PCH smaller than this is not used (its TUs parse plainly, counted as
 * light): loading a PCH has a cost of its own, and a few system headers
 * parse faster than that.  Default TL_PCH_MIN_BYTES. */
#define TL_PCH_MIN_BYTES ((uint64_t)1 << 20)
void tl_pch_cache_set_min_bytes(tl_pch_cache *c, uint64_t bytes);
/* A private cache that lives for one run (--no-db, summarize): the files a
 * PCH read are checked by size and modification time only, not read and
 * hashed (which cost a few per cent of a cold run); a cache kept next to
 * a store checks their content. */
void tl_pch_cache_set_one_run(tl_pch_cache *c, bool one_run);
/* The index TUs are parsed against a PCH with: it leaves the PCH's
 * declarations out of the TU cursor's children. */
CXIndex tl_pch_cache_index(tl_pch_cache *c);

typedef struct {
    char key[65];
    char *pch_path;
    tl_annot_raw *annots; /* the prefix's annotated function declarations, in order */
    int nannots;
    char **deps;          /* the files the PCH read (absolute when dir is known) */
    unsigned char *deps_sys; /* per file: where it is a system header (frontend.h: TL_FILE_SYS_*) */
    int ndeps;
    uint64_t bytes;       /* the PCH's size */
    bool checked;         /* deps verified by this process */
} tl_pch;

/* The PCH of the first `want` leading includes of main_path (fewer when a
 * longer prefix cannot be precompiled), built now if missing or stale, or
 * NULL: parse plainly (no prefix, a failed build, the lock taken by
 * another process, a PCH too small to pay).  args/na: the parse arguments without the main file;
 * dir: the TU's working directory (for relative file names), or NULL.
 * Owned by the cache. */
const tl_pch *tl_pch_get(tl_pch_cache *c, const char *main_path, const char *dir,
                         const char *const *args, int na, int want);

/* Removes the cache's PCHs (with their files), least recently used first,
 * until it holds at most max_bytes; also lock and temporary files older
 * than an hour.  Only names the cache makes are touched.  Returns the
 * bytes left. */
uint64_t tl_pch_cache_prune(const char *dir, uint64_t max_bytes);
/* Removes every cache file from dir (a private cache), then dir. */
void tl_pch_cache_remove(const char *dir);

#endif
