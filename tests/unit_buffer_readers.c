/* unit_buffer_readers.c - the in-memory twins of the path-based readers,
 * tl_models_load_config_text(), tl_baseline_text_read() and
 * tl_compdb_from_text(), which the fuzz targets (tests/fuzz) call: they read
 * exactly the bytes given (no NUL needed), agree with the file readers, and
 * name their origin in errors. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/compile_db.h"
#include "model/model.h"
#include "store/store.h"

#define FP1 "0c1d2e3f405162738495a6b7c8d9eaf0"
#define FP2 "9f4e8d7c6b5a49382716051423324150"

static const char config_text[] = "profile: strict\n"
                                  "disable: [orphaned-spawn]\n"
                                  "exempt: [legacy_loop]\n"
                                  "functions:\n"
                                  "  job_wait:\n"
                                  "    wait: {timeout_arg: 1, forever: [negative], kind: task}\n";

static const char baseline_text[] =
    "# tasklint baseline v1: run 3, 2024-05-01T10:20:30Z, 2 findings\n" FP1
    "\torphaned-spawn\tsrc/pool.c\tpool_start\t-\n" FP2
    "\tmissing-timeout\tsrc/a\\tb.c\t-\tintentional\twaits for the peer\n";

/* a relative "directory" is relative to the database's own directory */
static const char compdb_text[] =
    "[{\"directory\": \"src\", \"file\": \"a.c\", \"command\": \"cc -DX=1 -c a.c\"},\n"
    " {\"directory\": \"/abs\", \"file\": \"b.c\", \"arguments\": [\"cc\", \"-Iinc\", \"b.c\"]}]\n";

/* Writes text to a new temporary file; returns its malloc'd path. */
static char *temp_file(const char *text) {
    char *path = strdup("/tmp/tasklint-unit-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_config_text_matches_file(void **state) {
    (void)state;
    tl_model_set a, b;
    tl_model_error err;
    tl_models_init(&a);
    tl_models_init(&b);
    assert_int_equal(tl_models_load_config_text(&a, config_text, strlen(config_text), "p.yaml", &err), 0);
    char *path = temp_file(config_text);
    assert_int_equal(tl_models_load_config(&b, path, &err), 0);
    unlink(path);
    free(path);
    tl_models_finish(&a);
    tl_models_finish(&b);
    assert_true(a.has_profile && a.profile == TL_PROFILE_STRICT);
    assert_int_equal(a.profile, b.profile);
    assert_int_equal(a.ndisable, 1);
    assert_string_equal(a.disable[0], b.disable[0]);
    assert_true(tl_models_is_exempt(&a, "legacy_loop"));
    const tl_fn_model *fa = tl_models_find(&a, "job_wait"), *fb = tl_models_find(&b, "job_wait");
    assert_non_null(fa);
    assert_non_null(fb);
    assert_int_equal(fa->wait.timeout_arg, 1);
    assert_int_equal(fa->wait.kind, fb->wait.kind);
    tl_models_free(&a);
    tl_models_free(&b);
}

static void test_config_text_reads_only_len_bytes(void **state) {
    (void)state;
    /* the bytes after len ("wat: 1") would be an unknown key */
    const char text[] = "profile: default\nwat: 1\n";
    tl_model_set ms;
    tl_model_error err;
    tl_models_init(&ms);
    assert_int_equal(tl_models_load_config_text(&ms, text, strlen("profile: default\n"), "p.yaml", &err), 0);
    assert_true(ms.has_profile && ms.profile == TL_PROFILE_DEFAULT);
    tl_models_free(&ms);
}

static void test_config_text_error_names_origin(void **state) {
    (void)state;
    const char text[] = "profile: strict\nwat: 1\n";
    tl_model_set ms;
    tl_model_error err;
    tl_models_init(&ms);
    assert_int_equal(tl_models_load_config_text(&ms, text, strlen(text), "proj/.tasklint.yaml", &err), -1);
    assert_non_null(strstr(err.msg, "proj/.tasklint.yaml:2:1: unknown key 'wat'"));
    assert_false(ms.has_profile); /* a rejected config changes nothing */
    assert_int_equal(tl_models_load_config_text(&ms, text, strlen(text), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "<config>:2:1: "));
    tl_models_free(&ms);
}

static void test_baseline_text_matches_file(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    char msg[256];
    assert_int_equal(tl_baseline_text_read(baseline_text, strlen(baseline_text), "b.txt", &a, msg, sizeof msg), 0);
    char *path = temp_file(baseline_text);
    assert_int_equal(tl_baseline_file_read(path, &b, msg, sizeof msg), 0);
    unlink(path);
    free(path);
    assert_int_equal(a.n, 2);
    assert_int_equal(b.n, 2);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.items[i].fingerprint, b.items[i].fingerprint);
        assert_string_equal(a.items[i].rule, b.items[i].rule);
        assert_string_equal(a.items[i].file, b.items[i].file);
        assert_int_equal(a.items[i].triage, b.items[i].triage);
    }
    assert_string_equal(a.items[1].file, "src/a\tb.c");
    assert_null(a.items[1].function);
    assert_int_equal(a.items[1].triage, TL_TRIAGE_INTENTIONAL);
    assert_string_equal(a.items[1].triage_reason, "waits for the peer");
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_baseline_text_reads_only_len_bytes(void **state) {
    (void)state;
    /* cut after the first finding: the second line is not read */
    size_t first = (size_t)(strchr(strchr(baseline_text, '\n') + 1, '\n') + 1 - baseline_text);
    tl_findings fs;
    tl_findings_init(&fs);
    char msg[256];
    assert_int_equal(tl_baseline_text_read(baseline_text, first, "b.txt", &fs, msg, sizeof msg), 0);
    assert_int_equal(fs.n, 1);
    assert_string_equal(fs.items[0].fingerprint, FP1);
    tl_findings_free(&fs);
}

static void test_baseline_text_errors_name_origin(void **state) {
    (void)state;
    tl_findings fs;
    tl_findings_init(&fs);
    char msg[256];
    assert_int_equal(tl_baseline_text_read("", 0, "empty.txt", &fs, msg, sizeof msg), -1);
    assert_string_equal(msg, "empty.txt: empty file, not a tasklint baseline");
    const char bad[] = "# tasklint baseline v1: x\nnot-a-fingerprint\trule\tp\tf\t-\n";
    assert_int_equal(tl_baseline_text_read(bad, strlen(bad), "bad.txt", &fs, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "bad.txt:2: 'not-a-fingerprint' is not a fingerprint"));
    assert_int_equal(tl_baseline_text_read(bad, strlen(bad), NULL, &fs, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "<baseline>:2: "));
    assert_int_equal(fs.n, 0);
    tl_findings_free(&fs);
}

/* The arguments tl_compdb_add_tu gives entry i, as one string. */
static char *tu_args(tl_compdb *db, size_t i) {
    tl_cli_tus tus = {0};
    assert_int_equal(tl_compdb_add_tu(db, i, NULL, 0, &tus, stderr), 0);
    assert_int_equal(tus.n, 1);
    char buf[1024] = "";
    for (int k = 0; k < tus.items[0].nargs; k++) {
        strncat(buf, tus.items[0].args[k], sizeof buf - strlen(buf) - 2);
        strcat(buf, " ");
    }
    tl_cli_tus_free(&tus);
    return strdup(buf);
}

static void test_compdb_text_matches_file(void **state) {
    (void)state;
    char dir[] = "/tmp/tasklint-unit-XXXXXX", real[PATH_MAX], path[PATH_MAX + 32];
    assert_non_null(mkdtemp(dir));
    assert_non_null(realpath(dir, real));
    snprintf(path, sizeof path, "%s/compile_commands.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(compdb_text, f);
    fclose(f);
    char *error = NULL;
    tl_compdb *from_file = tl_compdb_open(path, &error);
    assert_non_null(from_file);
    unlink(path);
    rmdir(dir);
    tl_compdb *from_text = tl_compdb_from_text(compdb_text, strlen(compdb_text), path, &error);
    assert_non_null(from_text);
    assert_null(error);
    assert_string_equal(tl_compdb_path(from_text), path);
    assert_int_equal(tl_compdb_count(from_text), 2);
    assert_int_equal(tl_compdb_count(from_file), 2);
    char want[PATH_MAX + 16];
    snprintf(want, sizeof want, "%s/src/a.c", real);
    assert_string_equal(tl_compdb_file(from_text, 0), want);
    assert_string_equal(tl_compdb_file(from_text, 1), "/abs/b.c");
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(tl_compdb_file(from_text, i), tl_compdb_file(from_file, i));
        char *a = tu_args(from_text, i), *b = tu_args(from_file, i);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    tl_compdb_close(from_text);
    tl_compdb_close(from_file);
}

static void test_compdb_text_reads_only_len_bytes(void **state) {
    (void)state;
    /* a UTF-8 BOM is skipped; "x" after len would be a syntax error */
    const char text[] = "\xEF\xBB\xBF[]x";
    char *error = NULL;
    tl_compdb *db = tl_compdb_from_text(text, strlen(text) - 1, "db.json", &error);
    assert_non_null(db);
    assert_int_equal(tl_compdb_count(db), 0);
    tl_compdb_close(db);
    assert_null(tl_compdb_from_text(text, strlen(text), "db.json", &error));
    assert_string_equal(error, "line 1, column 3: end of file expected near 'x'");
    free(error);
}

static void test_compdb_text_errors(void **state) {
    (void)state;
    char *error = NULL;
    const char shape[] = "[{\"directory\": \"/d\", \"file\": \"a.c\"}]";
    assert_null(tl_compdb_from_text(shape, strlen(shape), "db.json", &error));
    assert_string_equal(error, "entry 1: compile command without \"command\" or \"arguments\"");
    free(error);
    /* a control character in the text is escaped in the message */
    const char ctrl[] = "[\n\x1b]";
    assert_null(tl_compdb_from_text(ctrl, strlen(ctrl), "db.json", &error));
    assert_non_null(strstr(error, "line 2, column "));
    assert_null(strchr(error, '\x1b'));
    assert_non_null(strstr(error, "\\x1b"));
    free(error);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_text_matches_file),
        cmocka_unit_test(test_config_text_reads_only_len_bytes),
        cmocka_unit_test(test_config_text_error_names_origin),
        cmocka_unit_test(test_baseline_text_matches_file),
        cmocka_unit_test(test_baseline_text_reads_only_len_bytes),
        cmocka_unit_test(test_baseline_text_errors_name_origin),
        cmocka_unit_test(test_compdb_text_matches_file),
        cmocka_unit_test(test_compdb_text_reads_only_len_bytes),
        cmocka_unit_test(test_compdb_text_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
