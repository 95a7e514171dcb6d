/* fuzz_compdb.c - libFuzzer target: a compile_commands.json document.
 *
 * tl_compdb_from_text() (compile_db.h) reads the bytes in memory: one
 * jansson parse, then the shape of every entry; the database is anchored in
 * a directory that does not exist, so relative paths name no real file.
 * Every entry that opens is turned into a translation unit with
 * tl_compdb_add_tu(), which splits "command", reads response files and
 * applies the argument allow-list (compile_args.h).
 * Seeds: corpus/compdb/ (small databases, command vs. arguments, odd JSON). */
#include <stdbool.h>
#include <string.h>

#include "cli/compile_db.h"
#include "fuzz_target.h"

#define DB_PATH "/nonexistent/tasklint-fuzz/compile_commands.json"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    fuzz_require(devnull != NULL, "/dev/null opens");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *why = NULL;
    tl_compdb *db = tl_compdb_from_text((const char *)data, size, DB_PATH, &why);
    if (!db) {
        fuzz_require(why != NULL && why[0] != '\0', "a rejected database says why");
        free(why);
        return 0;
    }
    fuzz_require(why == NULL, "an accepted database has no error");
    fuzz_require(!strcmp(tl_compdb_path(db), DB_PATH), "the database keeps its name");
    tl_cli_tus tus = {0};
    for (size_t i = 0; i < tl_compdb_count(db); i++) {
        const char *file = tl_compdb_file(db, i);
        fuzz_require(file && file[0] == '/', "an entry's file is made absolute");
        long first = tl_compdb_find(db, file);
        fuzz_require(first >= 0 && (size_t)first <= i, "an entry's file is indexed");
        fuzz_require(!strcmp(tl_compdb_file(db, (size_t)first), file),
                     "the index names an entry for the same file");
        if ((size_t)first != i) continue; /* listed before: analysed once, as -p does */
        size_t before = tus.n;
        int rc = tl_compdb_add_tu(db, i, NULL, 0, &tus, devnull);
        fuzz_require(rc == 0 || rc == 2 || rc == -1, "adding an entry returns 0, 2 or -1 (assembly)");
        fuzz_require(tus.n == before + (rc == 0), "an entry becomes one TU, or none on error or assembly");
        if (rc != 0) continue;
        const tl_cli_tu *tu = &tus.items[before];
        fuzz_require(!strcmp(tu->file, file), "the TU is the entry's file");
        fuzz_require(tu->from_compdb, "a TU is marked as coming from the database");
        for (int k = 0; k < tu->nargs; k++)
            fuzz_require(tu->args[k] != NULL, "the argument vector has no holes");
    }
    tl_compdb_print_dropped(db, devnull);
    tl_cli_tus_free(&tus);
    tl_compdb_close(db);
    return 0;
}
