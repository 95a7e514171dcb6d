/* term_escape.h - text from the analysed tree or the store, made safe to
 * print on a terminal.
 *
 * File names, source lines, identifiers and spellings in messages, notes,
 * clang diagnostics, triage reasons, command lines and branch names recorded
 * in the store: any of them may hold bytes that a terminal obeys (ESC starts
 * a control sequence that can recolour, retitle, move the cursor or hide
 * text).  Every human-readable output (text findings, runs, diff, triage,
 * error messages) prints such text through these functions; JSON and SARIF
 * have their own escaping.
 *
 * What is shown differently:
 *   - C0 control characters except tab, and DEL: \xNN (lowercase hex);
 *   - a byte that is not part of valid UTF-8 (stray continuation, overlong
 *     form, surrogate, beyond U+10FFFF, truncated sequence): \xNN;
 *   - C1 control characters (U+0080..U+009F, which some terminals obey) and
 *     the bidirectional embedding, override and isolate controls
 *     (U+202A..U+202E, U+2066..U+2069, which reorder what is displayed):
 *     \uNNNN.
 * Everything else, valid UTF-8 included, is printed as it is; a tab stays a
 * tab (so that a caret line can reproduce it).
 */
#ifndef TL_TERM_ESCAPE_H
#define TL_TERM_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* How the input at one position is shown. */
typedef struct {
    size_t nbytes;    /* input bytes this unit covers (>= 1) */
    char shown[8];    /* what is printed for them (NUL-terminated) */
    size_t nshown;
    unsigned columns; /* terminal columns that takes: 1 per character, 1 for a tab */
    bool escaped;     /* shown differently from the input */
} tl_term_unit;

/* The unit starting at s[i] (i < len). */
void tl_term_next(const char *s, size_t len, size_t i, tl_term_unit *u);

/* Writes s[0..len) escaped. */
void tl_term_write(FILE *out, const char *s, size_t len);
/* Writes a NUL-terminated string escaped (NULL writes nothing). */
void tl_term_puts(FILE *out, const char *s);
/* Writes s[0..len) escaped except for its newlines: for text that is
 * already lines of messages (a newline inside one of them cannot be told
 * apart any more). */
void tl_term_write_lines(FILE *out, const char *s, size_t len);
/* An escaped copy (malloc'd), or NULL for NULL. */
char *tl_term_escape(const char *s);

#endif
