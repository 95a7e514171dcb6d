/* text_output.h - gcc/clang style text rendering of findings.
 *
 *   file:line:col: warning: message [rule-id]
 *       go(worker());
 *       ^
 *   file:line:col: note: message
 *
 * Colour only when asked for or when the stream is a terminal and NO_COLOR
 * is not set.  Suppressed findings are not printed.
 */
#ifndef TL_TEXT_OUTPUT_H
#define TL_TEXT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/finding.h"

typedef enum { TL_COLOR_AUTO = 0, TL_COLOR_ALWAYS, TL_COLOR_NEVER } tl_color_mode;

/* "auto", "always", "never" (also "yes"/"no"); returns 0 or -1. */
int tl_color_mode_parse(const char *s, tl_color_mode *out);
/* NO_COLOR set (non-empty) -> false, whatever the mode; always -> true;
 * never -> false; auto -> stream is a TTY and TERM is not "dumb". */
bool tl_color_enabled(tl_color_mode mode, FILE *stream);

/* Source lines for the caret display, read lazily from disk (a few files
 * are kept) or provided in memory. */
typedef struct tl_source_cache tl_source_cache;
tl_source_cache *tl_source_cache_new(void);
void tl_source_cache_free(tl_source_cache *c);
/* Use this text for `file` instead of reading it (copied; kept until freed). */
void tl_source_cache_put(tl_source_cache *c, const char *file, const char *text, size_t len);
/* Line `line` (1-based) of `file` without its line terminator, or NULL. */
const char *tl_source_cache_line(tl_source_cache *c, const char *file, unsigned line,
                                 size_t *len);
/* The whole text of `file` (valid until the cache reads another file), or
 * NULL when it cannot be read. */
const char *tl_source_cache_text(tl_source_cache *c, const char *file, size_t *len);

typedef struct {
    bool color;
    tl_source_cache *sources; /* NULL: no source line / caret */
} tl_text_options;

void tl_text_print_finding(FILE *out, const tl_finding *f, const tl_text_options *o);
/* Every unsuppressed finding; returns how many were printed. */
size_t tl_text_print_findings(FILE *out, const tl_findings *fs, const tl_text_options *o);

/* Totals over a run, for the closing line. */
typedef struct {
    size_t errors, warnings, notes; /* unsuppressed findings by severity */
    size_t suppressed;
    size_t files_analysed;
    size_t files_failed;            /* could not be analysed (fatal errors) */
    char **files;                   /* distinct files with unsuppressed findings */
    size_t nfiles, capfiles;
} tl_summary;

void tl_summary_init(tl_summary *s);
void tl_summary_free(tl_summary *s);
void tl_summary_add(tl_summary *s, const tl_findings *fs);
/* "3 warnings and 1 error in 2 files (5 files analysed, 1 failed, 1 suppressed)." */
void tl_text_print_summary(FILE *out, const tl_summary *s);

#endif
