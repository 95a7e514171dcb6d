/* unit_compile_db.c - reading compile_commands.json with jansson: syntax
 * errors with line and column, shape errors naming the entry, special
 * files (FIFO, /dev/zero) refused without blocking, "command" and
 * "arguments" entries, relative directories, the first entry of a file
 * wins, and entries whose file is not a regular file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "cli/compile_db.h"

static char dir[] = "/tmp/tl_unit_compdb_XXXXXX";
static char real_dir[4096];

static char *path_of(const char *name) {
    static char path[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static void write_file(const char *name, const char *text) {
    FILE *f = fopen(path_of(name), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_dir(void **state) {
    (void)state;
    if (!mkdtemp(dir) || !realpath(dir, real_dir)) return -1;
    mkdir(path_of("src"), 0755);
    mkdir(path_of("build"), 0755);
    write_file("src/a.c", "int a;\n");
    write_file("src/b.c", "int b;\n");
    if (mkfifo(path_of("fifo.json"), 0600) != 0) return -1;
    if (mkfifo(path_of("src/fifo.c"), 0600) != 0) return -1;
    if (symlink("/dev/zero", path_of("zero.json")) != 0) return -1;
    if (symlink("/dev/zero", path_of("src/zero.c")) != 0) return -1;
    return 0;
}

static int teardown_dir(void **state) {
    (void)state;
    const char *names[] = {"src/a.c", "src/b.c", "src/fifo.c", "src/zero.c", "fifo.json",
                           "zero.json", "db.json", "build/compile_commands.json", "src",
                           "build"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) remove(path_of(names[i]));
    rmdir(dir);
    return 0;
}

static void expect_open_error(const char *json, const char *want) {
    write_file("db.json", json);
    char *error = NULL;
    tl_compdb *db = tl_compdb_open(path_of("db.json"), &error);
    if (db) fail_msg("expected an error for: %s", json);
    if (!strstr(error, want)) fail_msg("error '%s' lacks '%s'", error, want);
    free(error);
}

static void test_syntax_errors_have_line_and_column(void **state) {
    (void)state;
    expect_open_error("[\n  {\"directory\": \".\", \"file\": \"a.c\", \"command\": \"cc a.c\"},\n"
                      "  {\"directory\": \"x\" \"file\": \"y\"}\n]\n",
                      "line 3, column 26: '}' expected near '\"file\"'");
    expect_open_error("[1,]", "line 1, column 4: ");
    expect_open_error("[", "line 1, column 1: ']' expected near end of file");
    expect_open_error("[] x", "line 1, column 4: end of file expected");
    /* raw control characters from the file are escaped in the message */
    expect_open_error("[\x1b]", "\\x1b");
}

static void test_shape_errors_name_the_entry(void **state) {
    (void)state;
    expect_open_error("{\"directory\": \".\"}", "expected an array of compile commands, found an object");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\", \"command\": \"cc\"}, 3]",
                      "entry 2: expected an object for each compile command, found a number");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\"}]",
                      "entry 1: compile command without \"command\" or \"arguments\"");
    expect_open_error("[{\"file\": \"a.c\", \"command\": \"cc\"}]",
                      "entry 1: compile command without \"directory\"");
    expect_open_error("[{\"directory\": \".\", \"command\": \"cc\"}]",
                      "entry 1: compile command without \"file\"");
    expect_open_error("[{\"directory\": \".\", \"file\": 7, \"command\": \"cc\"}]",
                      "entry 1: \"file\" must be a string, found a number");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\", \"arguments\": [\"cc\", true]}]",
                      "entry 1: \"arguments\" must hold strings, found a boolean");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\", \"arguments\": \"cc\"}]",
                      "entry 1: \"arguments\" must be an array, found a string");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\", \"command\": \"cc\", \"output\": 1}]",
                      "entry 1: \"output\" must be a string");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\", \"command\": \"cc '-DX\"}]",
                      "entry 1: \"command\": the quote (') at offset 3 is not closed");
    expect_open_error("[{\"directory\": \".\", \"file\": \"a.c\", \"arguments\": []}]",
                      "entry 1: the compile command is empty");
}

static void test_special_files_are_refused(void **state) {
    (void)state;
    char *error = NULL;
    assert_null(tl_compdb_open(path_of("fifo.json"), &error)); /* does not block */
    assert_string_equal(error, "not a regular file (a FIFO)");
    free(error);
    assert_null(tl_compdb_open(path_of("zero.json"), &error));
    assert_string_equal(error, "not a regular file (a character device)");
    free(error);
    assert_null(tl_compdb_open(path_of("src"), &error));
    assert_string_equal(error, "not a regular file (a directory)");
    free(error);
    assert_null(tl_compdb_open(path_of("none.json"), &error));
    assert_string_equal(error, "No such file or directory");
    free(error);
}

static void test_entries(void **state) {
    (void)state;
    /* a BOM; "directory" relative to the database's directory; "arguments"
       wins over "command"; the first entry of a file is the one used */
    char json[2048];
    snprintf(json, sizeof json,
             "\xEF\xBB\xBF[\n"
             " {\"directory\": \"..\", \"file\": \"src/a.c\",\n"
             "  \"command\": \"gcc -DNAME=\\\"a b\\\" -DS=\\\\\\\"v\\\\\\\" -I'inc dir' -c src/a.c\"},\n"
             " {\"directory\": \"%s/src\", \"file\": \"b.c\", \"command\": \"ignored\",\n"
             "  \"arguments\": [\"cc\", \"-DB\", \"b.c\"], \"output\": \"b.o\"},\n"
             " {\"directory\": \"..\", \"file\": \"./src/a.c\", \"arguments\": [\"cc\", \"-DSECOND\"]}\n"
             "]\n",
             dir);
    write_file("build/compile_commands.json", json);
    char *error = NULL;
    tl_compdb *db = tl_compdb_open(path_of("build/compile_commands.json"), &error);
    if (!db) fail_msg("%s", error);
    assert_int_equal(tl_compdb_count(db), 3);
    char want_a[4200], want_b[4200];
    snprintf(want_a, sizeof want_a, "%s/src/a.c", real_dir);
    snprintf(want_b, sizeof want_b, "%s/src/b.c", real_dir);
    assert_string_equal(tl_compdb_file(db, 0), want_a);
    assert_string_equal(tl_compdb_file(db, 1), want_b);
    assert_string_equal(tl_compdb_file(db, 2), want_a);
    assert_int_equal(tl_compdb_find(db, want_a), 0);
    assert_int_equal(tl_compdb_find(db, want_b), 1);
    assert_int_equal(tl_compdb_find(db, "/nowhere.c"), -1);

    tl_cli_tus tus = {0};
    char *extra[] = {"-DEXTRA"};
    char *msgs = NULL;
    size_t msgs_len = 0;
    FILE *err = open_memstream(&msgs, &msgs_len);
    assert_int_equal(tl_compdb_add_tu(db, 0, extra, 1, &tus, err), 0);
    assert_int_equal(tl_compdb_add_tu(db, 1, NULL, 0, &tus, err), 0);
    fclose(err);
    assert_string_equal(msgs, "");
    free(msgs);
    assert_int_equal(tus.n, 2);
    /* shell-like: quotes group, a backslash keeps the next character */
    const char *args_a[] = {"-D", "NAME=a b", "-D", "S=\"v\"", "-I", "inc dir", "-w", "-DEXTRA"};
    assert_int_equal(tus.items[0].nargs, 8);
    for (int i = 0; i < 8; i++) assert_string_equal(tus.items[0].args[i], args_a[i]);
    assert_true(tus.items[0].from_compdb);
    assert_string_equal(tus.items[0].file, want_a);
    const char *args_b[] = {"-D", "B", "-w"};
    assert_int_equal(tus.items[1].nargs, 3);
    for (int i = 0; i < 3; i++) assert_string_equal(tus.items[1].args[i], args_b[i]);
    tl_cli_tus_free(&tus);
    tl_compdb_close(db);
}

static void test_entry_whose_file_is_special(void **state) {
    (void)state;
    write_file("db.json", "[{\"directory\": \"src\", \"file\": \"fifo.c\", \"command\": \"cc -c fifo.c\"},\n"
                          " {\"directory\": \"src\", \"file\": \"zero.c\", \"command\": \"cc -c zero.c\"},\n"
                          " {\"directory\": \"src\", \"file\": \"a.c\", \"command\": \"cc -c a.c -include /dev/zero\"},\n"
                          " {\"directory\": \"src\", \"file\": \"b.c\", \"command\": \"cc -c b.c\"}]");
    char *error = NULL;
    tl_compdb *db = tl_compdb_open(path_of("db.json"), &error);
    if (!db) fail_msg("%s", error);
    tl_cli_tus tus = {0};
    char *msgs = NULL;
    size_t msgs_len = 0;
    FILE *err = open_memstream(&msgs, &msgs_len);
    for (size_t i = 0; i < 4; i++) tl_compdb_add_tu(db, i, NULL, 0, &tus, err);
    fclose(err);
    assert_int_equal(tus.n, 1); /* only b.c */
    assert_non_null(strstr(msgs, "entry 1 (fifo.c): not a regular file (a FIFO)"));
    assert_non_null(strstr(msgs, "entry 2 (zero.c): not a regular file (a character device)"));
    assert_non_null(strstr(msgs, "entry 3 (a.c): -include /dev/zero: not a regular file"));
    free(msgs);
    tl_cli_tus_free(&tus);
    tl_compdb_close(db);
}

static void test_assembly_entries(void **state) {
    (void)state;
    write_file("asm.json", "[{\"directory\": \"src\", \"file\": \"start.S\", \"command\": \"cc -c start.S\"},\n"
                           " {\"directory\": \"src\", \"file\": \"gen.inc\", \"command\": \"cc -x assembler -c gen.inc\"},\n"
                           " {\"directory\": \"src\", \"file\": \"b.c\", \"command\": \"cc -c b.c\"}]");
    char *error = NULL;
    tl_compdb *db = tl_compdb_open(path_of("asm.json"), &error);
    if (!db) fail_msg("%s", error);
    tl_cli_tus tus = {0};
    char *msgs = NULL;
    size_t msgs_len = 0;
    FILE *err = open_memstream(&msgs, &msgs_len);
    assert_int_equal(tl_compdb_add_tu(db, 0, NULL, 0, &tus, err), -1);
    assert_int_equal(tl_compdb_add_tu(db, 1, NULL, 0, &tus, err), -1);
    assert_int_equal(tl_compdb_add_tu(db, 2, NULL, 0, &tus, err), 0);
    fclose(err);
    assert_int_equal(tus.n, 1); /* only b.c: assembly is skipped without an error */
    assert_string_equal(msgs, "");
    free(msgs);
    tl_cli_tus_free(&tus);
    tl_compdb_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors_have_line_and_column),
        cmocka_unit_test(test_shape_errors_name_the_entry),
        cmocka_unit_test(test_special_files_are_refused),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_entry_whose_file_is_special),
        cmocka_unit_test(test_assembly_entries),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
