/* read_file.h - a whole (source) file into memory.  Used where libclang's
 * own copy of a file is not to be had cheaply (a header read through a
 * shared precompiled prefix) or not at all (a finding's source line). */
#ifndef TL_READ_FILE_H
#define TL_READ_FILE_H

#include <stddef.h>

/* The file's bytes (malloc'd, not terminated) and *len, or NULL when it
 * cannot be opened or read.  A file over 256 MiB is no source file: what
 * was read up to there is returned. */
char *tl_read_file(const char *path, size_t *len);

#endif
