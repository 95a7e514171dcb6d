/* json_writer.h - a small streaming JSON writer.
 *
 * Every machine-readable output (SARIF, tasklint's own JSON) is written
 * through this: no JSON text is assembled by hand anywhere else, so every
 * string is escaped the same way.
 *
 * Layout is pretty-printed and stable: 2-space indent, one key (or array
 * element) per line, `"key": value`, empty containers as `{}` / `[]`, and a
 * final newline after the top-level value.
 *
 *   tl_jw *w = tl_jw_new(stdout);
 *   tl_jw_object_begin(w);
 *   tl_jw_key(w, "version");  tl_jw_int(w, 1);
 *   tl_jw_key(w, "files");    tl_jw_array_begin(w); tl_jw_string(w, "a.c"); tl_jw_array_end(w);
 *   tl_jw_object_end(w);
 *   int rc = tl_jw_finish(w);   // 0, or -1 on a write error
 *
 * Strings: `"` and `\` are escaped; control characters as \b \f \n \r \t or
 * \u00XX (DEL, 0x7f, too); valid UTF-8 is passed through unchanged; each
 * invalid byte sequence (a stray continuation byte, 0xC0/0xC1/0xF5..0xFF, an
 * overlong form, a surrogate, a sequence cut short) becomes one U+FFFD per
 * maximal invalid subpart (Unicode's recommended practice).
 *
 * Misuse is a programming error and aborts with a message, in every build
 * type (not only with assertions enabled): a value in an object without a
 * key, a key in an array or twice in a row, a mismatched end, a second
 * top-level value, finishing with containers still open.
 */
#ifndef TL_JSON_WRITER_H
#define TL_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct tl_jw tl_jw;

tl_jw *tl_jw_new(FILE *out);
/* Checks the document is complete, writes the final newline, flushes and
 * frees the writer.  Returns 0, or -1 if any write failed. */
int tl_jw_finish(tl_jw *w);
/* Frees the writer without the completeness check (error paths). */
void tl_jw_abandon(tl_jw *w);

void tl_jw_object_begin(tl_jw *w);
void tl_jw_object_end(tl_jw *w);
void tl_jw_array_begin(tl_jw *w);
void tl_jw_array_end(tl_jw *w);
void tl_jw_key(tl_jw *w, const char *key);

/* A NULL string is written as null. */
void tl_jw_string(tl_jw *w, const char *s);
/* The first n bytes of s (which may contain NUL bytes: written as \u0000). */
void tl_jw_string_n(tl_jw *w, const char *s, size_t n);
void tl_jw_int(tl_jw *w, int64_t v);
void tl_jw_uint(tl_jw *w, uint64_t v);
void tl_jw_bool(tl_jw *w, bool v);
void tl_jw_null(tl_jw *w);

/* Key + value shorthands. */
void tl_jw_kv_string(tl_jw *w, const char *key, const char *s);
void tl_jw_kv_int(tl_jw *w, const char *key, int64_t v);
void tl_jw_kv_bool(tl_jw *w, const char *key, bool v);

/* Nesting depth (0 at top level). */
size_t tl_jw_depth(const tl_jw *w);

/* ---- UTF-8 helpers (shared by the writers) ---- */

/* Length of the valid UTF-8 sequence at s[0..n), 0 if it is invalid there
 * (n > 0).  *cp receives the code point when valid. */
size_t tl_utf8_valid_seq(const unsigned char *s, size_t n, uint32_t *cp);
/* The largest length <= max that does not cut a valid UTF-8 sequence of
 * s[0..n) in two (invalid bytes count as one-byte units). */
size_t tl_utf8_truncate_len(const char *s, size_t n, size_t max);
/* Number of code points in s[0..n) (an invalid byte counts as one). */
size_t tl_utf8_count(const char *s, size_t n);

#endif
