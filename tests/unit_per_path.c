/* unit_per_path.c - path globs (util/glob.c: fnmatch FNM_PATHNAME semantics,
 * `**`, a directory covering its files, refusal of bad globs, no
 * super-linear blow-up on hostile globs) and the `per_path:` settings of
 * .tasklint.yaml (model/per_path.c: parsing, errors with file:line:col,
 * which entries apply and in which order, the built-in entries, copies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "model/model.h"
#include "model/per_path.h"
#include "util/glob.h"

/* ---- globs ---- */

static void test_glob_fnmatch_pathname(void **state) {
    (void)state;
    assert_true(tl_glob_match("src/*.c", "src/a.c"));
    assert_false(tl_glob_match("src/*.c", "src/net/a.c")); /* '*' stops at '/' */
    assert_false(tl_glob_match("*.c", "src/a.c"));
    assert_true(tl_glob_match("*", ".hidden.c")); /* no FNM_PERIOD */
    assert_true(tl_glob_match("src/?.c", "src/a.c"));
    assert_false(tl_glob_match("src/?.c", "src/ab.c"));
    assert_false(tl_glob_match("a?b", "a/b"));
    assert_true(tl_glob_match("t[0-9].c", "t7.c"));
    assert_false(tl_glob_match("t[0-9].c", "tx.c"));
    assert_true(tl_glob_match("t[!0-9].c", "tx.c"));
    assert_true(tl_glob_match("t[^0-9].c", "tx.c"));
    assert_true(tl_glob_match("[]x].c", "].c"));
    assert_true(tl_glob_match("a\\*b", "a*b"));
    assert_false(tl_glob_match("a\\*b", "axb"));
    assert_true(tl_glob_match("src/a.c", "./src/a.c")); /* a leading ./ */
    assert_true(tl_glob_match("*a*b*c", "xxaxxbxxc"));
    assert_false(tl_glob_match("*a*b*c", "xxaxxbxxcx"));
}

static void test_glob_double_star(void **state) {
    (void)state;
    assert_true(tl_glob_match("**/t.c", "t.c")); /* none included */
    assert_true(tl_glob_match("**/t.c", "a/b/t.c"));
    assert_true(tl_glob_match("src/**/t.c", "src/t.c"));
    assert_true(tl_glob_match("src/**/t.c", "src/a/b/t.c"));
    assert_false(tl_glob_match("src/**/t.c", "lib/a/t.c"));
    assert_true(tl_glob_match("src/**", "src/a/b.c"));
    assert_true(tl_glob_match("**", "a/b/c.c"));
    assert_true(tl_glob_match("a/**/b/**/c.c", "a/x/b/y/z/c.c"));
    assert_false(tl_glob_match("a/**/b/**/c.c", "a/x/y/z/c.c"));
    /* not a whole segment: a plain star */
    assert_true(tl_glob_match("src/**.c", "src/a.c"));
    assert_false(tl_glob_match("src/**.c", "src/net/a.c"));
}

static void test_glob_under_directory(void **state) {
    (void)state;
    assert_true(tl_glob_match_under("tests", "tests/a.c"));
    assert_true(tl_glob_match_under("tests", "tests/net/a.c"));
    assert_true(tl_glob_match_under("tests", "tests"));
    assert_false(tl_glob_match_under("tests", "src/tests.c"));
    assert_false(tl_glob_match_under("tests", "testsuite/a.c"));
    assert_true(tl_glob_match_under("**/tests", "lib/uv/tests/a.c"));
    assert_false(tl_glob_match_under("**/tests", "lib/contests/a.c"));
    assert_true(tl_glob_match_under("src/core/*.c", "src/core/a.c"));
    assert_false(tl_glob_match_under("src/core/*.c", "src/core/x/a.c"));
    assert_false(tl_glob_match("tests", "tests/a.c"));
}

static void test_glob_invalid(void **state) {
    (void)state;
    assert_non_null(tl_glob_valid("", 0));
    assert_non_null(tl_glob_valid("a[b", 3));
    assert_non_null(tl_glob_valid("a[b/c]", 6)); /* a set never holds '/' */
    assert_non_null(tl_glob_valid("a\\", 2));
    assert_non_null(tl_glob_valid("a\0b", 3));
    char big[TL_GLOB_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_non_null(tl_glob_valid(big, strlen(big)));
    big[TL_GLOB_MAX] = 0;
    assert_null(tl_glob_valid(big, strlen(big)));
    assert_null(tl_glob_valid("**/t[0-9]*.c", 12));
    /* an invalid glob matches nothing */
    assert_false(tl_glob_match("a[b", "a[b"));
}

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The time to match `glob` against `path` 20 times. */
static double time_match(const char *glob, const char *path) {
    double t0 = seconds();
    for (int i = 0; i < 20; i++) assert_false(tl_glob_match(glob, path));
    return seconds() - t0;
}

/* "*a*a*a...*b" against "aaaa...": exponential for a backtracking matcher;
 * here at most |glob| x |path| steps: doubling both takes ~4x, not more. */
static void test_glob_hostile_is_polynomial(void **state) {
    (void)state;
    char g1[520], g2[1040], p1[2048], p2[4096];
    size_t n = 0;
    for (int i = 0; i < 256; i++) g1[n++] = '*', g1[n++] = 'a';
    g1[n++] = 'b', g1[n] = 0;
    n = 0;
    for (int i = 0; i < 512; i++) g2[n++] = '*', g2[n++] = 'a';
    g2[n++] = 'b', g2[n] = 0;
    memset(p1, 'a', sizeof p1 - 1), p1[sizeof p1 - 1] = 0;
    memset(p2, 'a', sizeof p2 - 1), p2[sizeof p2 - 1] = 0;
    double t1 = time_match(g1, p1), t2 = time_match(g2, p2);
    assert_true(t1 < 2.0);
    assert_true(t2 < 8.0 * t1 + 0.05);
    /* the same at the segment level: "**" and many directories */
    char gs[1024], ps[4000];
    n = 0;
    for (int i = 0; i < 100; i++) memcpy(gs + n, "**/a/", 5), n += 5;
    memcpy(gs + n, "b", 2);
    n = 0;
    for (int i = 0; i < 500 && n + 3 < sizeof ps; i++) memcpy(ps + n, "a/", 2), n += 2;
    memcpy(ps + n, "c", 2);
    double t3 = time_match(gs, ps);
    assert_true(t3 < 2.0);
}

/* ---- per-path settings ---- */

static int load_config(tl_model_set *ms, const char *text, tl_model_error *err) {
    tl_models_init(ms);
    return tl_models_load_config_text(ms, text, strlen(text), "c.yaml", err);
}

typedef struct {
    const char *globs[16];
    int n;
} seen;

static void collect(const tl_per_path *e, void *data) {
    seen *s = data;
    if (s->n < 16) s->globs[s->n++] = e->glob;
}

static void test_per_path_parse(void **state) {
    (void)state;
    tl_model_set ms;
    tl_model_error err;
    int rc = load_config(&ms,
                         "profile: default\n"
                         "per_path:\n"
                         "  \"tests\": {disable: [missing-timeout]}\n"
                         "  \"src/core/*.c\": {profile: strict, enable: [unawaited-task]}\n"
                         "  'src/**/gen_*.c': {disable: [orphaned-spawn, unawaited-task]}\n",
                         &err);
    assert_int_equal(rc, 0);
    assert_int_equal(ms.nper_path, 3);
    assert_false(ms.no_path_defaults);
    const tl_per_path *e = ms.per_path;
    assert_string_equal(e[0].glob, "tests");
    assert_int_equal(e[0].profile, -1);
    assert_int_equal(e[0].ndisable, 1);
    assert_string_equal(e[0].disable[0], "missing-timeout");
    assert_int_equal(e[0].line, 3);
    assert_int_equal(e[1].profile, TL_PROFILE_STRICT);
    assert_int_equal(e[1].nenable, 1);
    assert_int_equal(e[2].ndisable, 2);
    /* a copy is deep */
    tl_model_set copy;
    assert_int_equal(tl_models_copy(&copy, &ms), 0);
    tl_models_free(&ms);
    assert_int_equal(copy.nper_path, 3);
    assert_string_equal(copy.per_path[2].disable[1], "unawaited-task");
    tl_models_free(&copy);

    assert_int_equal(load_config(&ms, "per_path_defaults: false\n", &err), 0);
    assert_true(ms.no_path_defaults);
    tl_models_free(&ms);
    assert_int_equal(load_config(&ms, "per_path: {}\n", &err), 0);
    tl_models_free(&ms);
}

static void expect_error(const char *text, const char *pos, const char *part) {
    tl_model_set ms;
    tl_model_error err;
    int rc = load_config(&ms, text, &err);
    if (rc == 0 || strncmp(err.msg, pos, strlen(pos)) != 0 || !strstr(err.msg, part))
        fail_msg("config %s: rc %d, error '%s' (expected %s ... %s)", text, rc, err.msg, pos, part);
    /* a failed load changes nothing */
    assert_int_equal(ms.nper_path, 0);
    tl_models_free(&ms);
}

static void test_per_path_errors(void **state) {
    (void)state;
    expect_error("per_path: [tests]\n", "c.yaml:1:11:", "must be a mapping of globs");
    expect_error("per_path:\n  tests: [a]\n", "c.yaml:2:10:", "must be a mapping (keys");
    expect_error("per_path:\n  tests: {profile: lax}\n", "c.yaml:2:", "valid values: default, strict");
    expect_error("per_path:\n  tests: {ignore: [x]}\n", "c.yaml:2:", "ignore");
    expect_error("per_path:\n  \"a[b\": {}\n", "c.yaml:2:3:", "'[' must be closed");
    expect_error("per_path_defaults: maybe\n", "c.yaml:1:", "valid values: false, true");
    expect_error("exclude: [ok, \"bad[\"]\n", "c.yaml:1:", "exclude glob 'bad['");
    /* too long (an explicit key: YAML's implicit keys stop at 1024) */
    size_t n = TL_GLOB_MAX + 64;
    char *text = malloc(n + 64);
    strcpy(text, "per_path:\n  ? ");
    size_t at = strlen(text);
    memset(text + at, 'x', TL_GLOB_MAX + 1);
    strcpy(text + at + TL_GLOB_MAX + 1, "\n  : {}\n");
    expect_error(text, "c.yaml:2:5:", "at most 1024 bytes");
    free(text);
}

static void test_per_path_order(void **state) {
    (void)state;
    tl_model_set ms;
    tl_model_error err;
    assert_int_equal(load_config(&ms,
                                 "per_path:\n"
                                 "  \"tests/net\": {enable: [missing-timeout]}\n"
                                 "  \"**/*.c\": {profile: strict}\n"
                                 "  \"src\": {disable: [unawaited-task]}\n",
                                 &err),
                     0);
    /* the built-in entry first, then the config's in file order */
    seen s = {{0}, 0};
    assert_int_equal(tl_per_path_each(&ms, "tests/net/a.c", collect, &s), 3);
    assert_string_equal(s.globs[0], "**/tests");
    assert_string_equal(s.globs[1], "tests/net");
    assert_string_equal(s.globs[2], "**/*.c");
    s.n = 0;
    assert_int_equal(tl_per_path_each(&ms, "src/a.c", collect, &s), 2);
    assert_string_equal(s.globs[0], "**/*.c");
    assert_string_equal(s.globs[1], "src");
    assert_int_equal(tl_per_path_each(&ms, "README", NULL, NULL), 0);
    assert_int_equal(tl_per_path_each(&ms, NULL, NULL, NULL), 0);
    tl_models_free(&ms);

    /* per_path_defaults: false drops the built-in entries */
    assert_int_equal(load_config(&ms, "per_path_defaults: false\n", &err), 0);
    assert_int_equal(tl_per_path_each(&ms, "tests/a.c", NULL, NULL), 0);
    tl_models_free(&ms);
    /* without a config: the built-in entries only */
    s.n = 0;
    assert_int_equal(tl_per_path_each(NULL, "lib/bench/b.c", collect, &s), 1);
    assert_string_equal(s.globs[0], "**/bench");
    assert_int_equal(tl_per_path_each(NULL, "src/benchmark.c", NULL, NULL), 0);
    /* perf only at the top: tools/perf is a program */
    s.n = 0;
    assert_int_equal(tl_per_path_each(NULL, "perf/local_lat.c", collect, &s), 1);
    assert_string_equal(s.globs[0], "perf");
    assert_int_equal(tl_per_path_each(NULL, "tools/perf/builtin-top.c", NULL, NULL), 0);
    assert_int_equal(tl_per_path_each(NULL, "perf.c", NULL, NULL), 0);
}

static void test_per_path_relative(void **state) {
    (void)state;
    char *r = tl_per_path_relative("/usr/include/stdio.h", "/usr");
    assert_string_equal(r, "include/stdio.h");
    free(r);
    assert_null(tl_per_path_relative("/usr/include/stdio.h", "/usr/lib"));
    assert_null(tl_per_path_relative("/usr/include/stdio.h", "/us"));
    r = tl_per_path_relative("/usr/include/stdio.h", "/");
    assert_string_equal(r, "usr/include/stdio.h");
    free(r);
    assert_null(tl_per_path_relative("/no/such/file.c", "/no"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob_fnmatch_pathname),
        cmocka_unit_test(test_glob_double_star),
        cmocka_unit_test(test_glob_under_directory),
        cmocka_unit_test(test_glob_invalid),
        cmocka_unit_test(test_glob_hostile_is_polynomial),
        cmocka_unit_test(test_per_path_parse),
        cmocka_unit_test(test_per_path_errors),
        cmocka_unit_test(test_per_path_order),
        cmocka_unit_test(test_per_path_relative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
