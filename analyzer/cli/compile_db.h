/* compile_db.h - one compile_commands.json, read with jansson in a single
 * parse, and its entries turned into translation units (tl_cli_tu).
 *
 * Used by tl_compdb_load (-p, compile_db.c) and by the discovery of
 * databases next to the analysed files (discover.c).  Every entry's
 * arguments pass the allow-list of compile_args.c.
 */
#ifndef TL_COMPILE_DB_H
#define TL_COMPILE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"

/* The largest database tasklint reads. */
#define TL_COMPDB_MAX ((size_t)512 << 20)

typedef struct tl_compdb tl_compdb;

/* Reads the database file `path`: a regular file of at most TL_COMPDB_MAX
 * bytes, a JSON array of objects with "directory", "file" and "arguments"
 * or "command" (and an optional "output").  A relative "directory" is
 * relative to the database's directory.  Returns NULL with *error
 * (malloc'd, printable: "line L, column C: ..." for a syntax error,
 * "entry N: ..." for a shape error). */
tl_compdb *tl_compdb_open(const char *path, char **error);
/* The same for a database's text already in memory (need not be
 * NUL-terminated; a UTF-8 BOM is skipped): `path` names it and its
 * directory anchors relative "directory" values; no file is read.  For the
 * fuzz target (tests/fuzz/fuzz_compdb.c). */
tl_compdb *tl_compdb_from_text(const char *text, size_t len, const char *path, char **error);
void tl_compdb_close(tl_compdb *db);

/* The path it was opened with. */
const char *tl_compdb_path(const tl_compdb *db);
size_t tl_compdb_count(const tl_compdb *db);
/* Entry i's file, absolute (symlinks resolved when it exists). */
const char *tl_compdb_file(const tl_compdb *db, size_t i);
/* The first entry for `abs_file` (absolute, symlinks resolved), or -1. */
long tl_compdb_find(const tl_compdb *db, const char *abs_file);

/* Adds entry i to `out`: its file, directory and allow-listed arguments,
 * then `extra`.  Arguments that were dropped are remembered for
 * tl_compdb_print_dropped.  Returns 0, 2 after printing an error about
 * this entry (its file is a FIFO or a device, a response file cannot be
 * used...), or -1 for an assembly file (tl_compile_args_is_assembly):
 * then the entry is not added. */
int tl_compdb_add_tu(tl_compdb *db, size_t i, char *const *extra, int nextra,
                     tl_cli_tus *out, FILE *err);

/* "tasklint: note: DB: not on the allow-list, not passed to clang: ..." listing each distinct
 * dropped argument once (escaped), if any were dropped. */
void tl_compdb_print_dropped(const tl_compdb *db, FILE *err);

#endif
