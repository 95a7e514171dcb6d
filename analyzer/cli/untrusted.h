/* untrusted.h - reading files that come with the analysed checkout
 * (compile databases, response files) and printing what they contain.
 *
 * Such a file may be a FIFO, a device or a symlink to /dev/zero: it is
 * opened without blocking, must be a regular file and is read up to a
 * bound.  Strings taken from it are escaped before they reach a terminal.
 */
#ifndef TL_UNTRUSTED_H
#define TL_UNTRUSTED_H

#include <stddef.h>

/* Opens `path` read-only without blocking on a FIFO and without taking a
 * controlling terminal, and checks that it is a regular file of at most
 * `max` bytes.  Returns the descriptor, or -1 with *error (malloc'd: "not a
 * regular file (a FIFO)", "larger than N bytes", or strerror). */
int tl_open_regular_file(const char *path, size_t max, char **error);

/* Reads a file opened that way whole.  Returns the text (malloc'd,
 * NUL-terminated, *len set) or NULL with *error (malloc'd). */
char *tl_read_regular_file(const char *path, size_t max, size_t *len, char **error);

/* What kind of file `mode` is, for messages: "a FIFO", "a directory"... */
const char *tl_file_kind(unsigned mode);

/* `s` with control characters, DEL, C1 controls and invalid UTF-8 written
 * as \xNN and a backslash as \\, safe to print on a terminal. (malloc'd) */
char *tl_escape_for_terminal(const char *s);

#endif
