/* atomic_file.h - the one way tasklint writes a file it produces (--output,
 * `baseline export`): never through a name someone else may have prepared,
 * and never half.
 *
 * The data goes to a new temporary file next to the target, created under a
 * random name with O_CREAT|O_EXCL|O_NOFOLLOW (a symlink or file planted there
 * is never opened), with the mode any new file gets (0666 & ~umask).  It is
 * flushed, fsync'ed and renamed over the target.  On any error the temporary
 * is removed and the target is left as it was.  The null device and the
 * process's own descriptors, as the user spells them (`-o /dev/null`,
 * /dev/stdout, /dev/fd/N), are written in place: renaming over them would
 * replace the device with a file.  Any other device node, FIFO or symlink
 * at the target is replaced, never written through.
 *
 * Temporaries still open are listed in a fixed table, so a SIGINT handler
 * can remove them (tl_atomic_file_discard_all is async-signal-safe).  Meant
 * for the main thread.
 */
#ifndef TL_ATOMIC_FILE_H
#define TL_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct tl_atomic_file tl_atomic_file;

/* Creates the temporary for `target` in the target's directory.  NULL on
 * error, with errno set and a message in `err` ("cannot create a temporary
 * file in DIR: Permission denied"). */
tl_atomic_file *tl_atomic_file_open(const char *target, char *err, size_t errsz);

/* The stream to write to (owned by the file: do not fclose it). */
FILE *tl_atomic_file_stream(tl_atomic_file *f);
/* The temporary's path (for tests and messages). */
const char *tl_atomic_file_temp(const tl_atomic_file *f);

/* Flushes, fsyncs, closes and renames the temporary over the target, then
 * frees `f`.  0, or -1 with errno set and a message in `err`: then the
 * temporary has been removed and the target is unchanged. */
int tl_atomic_file_commit(tl_atomic_file *f, char *err, size_t errsz);

/* Closes and removes the temporary, frees `f`; the target is unchanged. */
void tl_atomic_file_discard(tl_atomic_file *f);

/* Removes every temporary still open (their tl_atomic_file objects stay
 * allocated and must not be committed afterwards).  Async-signal-safe: for
 * an interrupt handler, or an exit path that does no other cleanup. */
void tl_atomic_file_discard_all(void);

/* The whole file at once (open, write, commit), with SIGINT, SIGTERM and
 * SIGHUP held back meanwhile so that an interrupt cannot leave the
 * temporary behind.  0, or -1 with errno set and a message in `err`. */
int tl_atomic_file_write(const char *target, const void *data, size_t len, char *err,
                         size_t errsz);

/* The same without the fsync of the file and its directory, for a caller
 * that writes many files and syncs them once (syncfs) at the end: a reader
 * still sees each file whole or not at all; a power cut before that sync
 * may lose them.  (`report --html` writes thousands of pages.) */
int tl_atomic_file_write_unsynced(const char *target, const void *data, size_t len, char *err,
                                  size_t errsz);

#endif
