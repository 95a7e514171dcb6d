/* fuzz_compdb.c - libFuzzer target: a compile_commands.json document.
 *
 * tl_json_check() and tl_compdb_check() validate the bytes in memory;
 * a document they accept is then written to a private temporary directory
 * and loaded with tl_compdb_load() (the reader -p DIR uses), which turns
 * every entry into a translation unit with cleaned arguments.
 * Seeds: corpus/compdb/ (small databases, command vs. arguments, odd JSON). */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fuzz_target.h"

#define MAX_LOADED_SIZE (64 * 1024) /* larger inputs are only syntax-checked */

static char db_dir[4096];
static char db_file[4200];
static FILE *devnull;

static void remove_db_dir(void) {
    unlink(db_file);
    rmdir(db_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(db_dir, sizeof db_dir, "%s/tasklint-fuzz-compdb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    fuzz_require(mkdtemp(db_dir) != NULL, "a temporary directory can be made");
    snprintf(db_file, sizeof db_file, "%s/compile_commands.json", db_dir);
    devnull = fopen("/dev/null", "w");
    fuzz_require(devnull != NULL, "/dev/null opens");
    atexit(remove_db_dir);
    return 0;
}

static void write_db(const uint8_t *data, size_t size) {
    FILE *f = fopen(db_file, "wb");
    fuzz_require(f != NULL, "the database file can be written");
    fuzz_require(fwrite(data, 1, size, f) == size, "the database file is written whole");
    fuzz_require(fclose(f) == 0, "the database file closes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char msg[512];
    const char *text = (const char *)data;
    int json_rc = tl_json_check(text, size, msg, sizeof msg);
    fuzz_require(json_rc == 0 || msg[0] != '\0', "a JSON error says where");
    int db_rc = tl_compdb_check(text, size, msg, sizeof msg);
    fuzz_require(db_rc == 0 || msg[0] != '\0', "a database error says where");
    fuzz_require(json_rc == 0 || db_rc != 0, "a database is valid JSON");
    if (db_rc != 0 || size > MAX_LOADED_SIZE) return 0;

    write_db(data, size);
    tl_cli_tus tus = {0};
    int rc = tl_compdb_load(db_dir, NULL, 0, NULL, 0, &tus, devnull);
    fuzz_require(rc == 0 || rc == 2, "the loader returns 0 or 2");
    for (size_t i = 0; i < tus.n; i++) {
        const tl_cli_tu *tu = &tus.items[i];
        fuzz_require(tu->file && tu->file[0] == '/', "an entry's file is made absolute");
        fuzz_require(tu->from_compdb, "an entry is marked as coming from the database");
        for (int k = 0; k < tu->nargs; k++)
            fuzz_require(tu->args[k] != NULL, "the argument vector has no holes");
        for (size_t j = 0; j < i; j++)
            fuzz_require(strcmp(tus.items[j].file, tu->file) != 0, "a file is listed once");
    }
    tl_cli_tus_free(&tus);
    return 0;
}
