/* unit_cli_parse.c - the command line parser (options.c, suggest.c): GNU
 * getopt_long conventions (bundled short options, values attached to short
 * options, `--`), "did you mean" for mistyped options and subcommands, and
 * `all` / `*` as every rule in --enable and --disable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "rules/rule.h"

/* Parses argv (NULL-ended, without "tasklint"); *err gets the messages. */
static int parse(tl_cli_options *o, char **err, ...) {
    char *argv[32] = {"tasklint"};
    int argc = 1;
    va_list ap;
    va_start(ap, err);
    for (char *a; (a = va_arg(ap, char *)) != NULL;) argv[argc++] = a;
    va_end(ap);
    size_t len = 0;
    FILE *fp = open_memstream(err, &len);
    assert_non_null(fp);
    int rc = tl_cli_parse(argc, argv, o, fp);
    fclose(fp);
    return rc;
}

static void test_bundled_short_options(void **state) {
    (void)state;
    tl_cli_options o;
    char *err;
    assert_int_equal(parse(&o, &err, "-qv", "-j2", "-oreport.txt", "-pbuild", "src", NULL), 0);
    assert_string_equal(err, "");
    assert_true(o.quiet);
    assert_true(o.verbose);
    assert_int_equal(o.jobs, 2);
    assert_string_equal(o.output, "report.txt");
    assert_string_equal(o.compdb_dir, "build");
    assert_int_equal(o.npaths, 1);
    assert_string_equal(o.paths[0], "src");
    tl_cli_options_free(&o);
    free(err);
    /* a value-taking letter at the end of a bundle takes the next word */
    assert_int_equal(parse(&o, &err, "-qj", "3", "a.c", NULL), 0);
    assert_true(o.quiet);
    assert_int_equal(o.jobs, 3);
    tl_cli_options_free(&o);
    free(err);
    /* an unknown letter inside a bundle is named */
    assert_int_equal(parse(&o, &err, "-qx", "a.c", NULL), 2);
    assert_non_null(strstr(err, "unknown option '-x'"));
    tl_cli_options_free(&o);
    free(err);
}

static void test_separator_and_order(void **state) {
    (void)state;
    tl_cli_options o;
    char *err;
    assert_int_equal(parse(&o, &err, "check", "a.c", "-q", "b.c", "--", "-DX=1", "--enable",
                           "-q", NULL),
                     0);
    assert_int_equal(o.command, TL_CMD_CHECK);
    assert_int_equal(o.npaths, 2);
    assert_string_equal(o.paths[0], "a.c");
    assert_string_equal(o.paths[1], "b.c");
    assert_int_equal(o.nextra, 3);
    assert_string_equal(o.extra_args[0], "-DX=1");
    assert_string_equal(o.extra_args[1], "--enable");
    assert_string_equal(o.extra_args[2], "-q");
    tl_cli_options_free(&o);
    free(err);
    /* "--" as an option's value is not the separator */
    assert_int_equal(parse(&o, &err, "-o", "--", "a.c", NULL), 0);
    assert_string_equal(o.output, "--");
    assert_int_equal(o.npaths, 1);
    assert_int_equal(o.nextra, 0);
    tl_cli_options_free(&o);
    free(err);
    /* a subcommand's name after the first word is a path */
    assert_int_equal(parse(&o, &err, "a.c", "check", NULL), 0);
    assert_int_equal(o.command, TL_CMD_ANALYZE);
    assert_int_equal(o.npaths, 2);
    tl_cli_options_free(&o);
    free(err);
}

static void test_option_errors(void **state) {
    (void)state;
    tl_cli_options o;
    char *err;
    assert_int_equal(parse(&o, &err, "a.c", "--profile", NULL), 2);
    assert_non_null(strstr(err, "--profile needs a value"));
    tl_cli_options_free(&o);
    free(err);
    assert_int_equal(parse(&o, &err, "--quiet=yes", "a.c", NULL), 2);
    assert_non_null(strstr(err, "--quiet does not take a value"));
    tl_cli_options_free(&o);
    free(err);
    /* an unambiguous prefix is the option (getopt_long), an ambiguous one is refused */
    assert_int_equal(parse(&o, &err, "--verb", "a.c", NULL), 0);
    assert_true(o.verbose);
    tl_cli_options_free(&o);
    free(err);
    assert_int_equal(parse(&o, &err, "--baseline-c", "HEAD", "--base", "x", "a.c", NULL), 2);
    assert_non_null(strstr(err, "'--base' is ambiguous"));
    assert_non_null(strstr(err, "'--baseline-commit'"));
    tl_cli_options_free(&o);
    free(err);
}

static void test_did_you_mean_option(void **state) {
    (void)state;
    tl_cli_options o;
    char *err;
    assert_int_equal(parse(&o, &err, "--enabel", "orphaned-spawn", "a.c", NULL), 2);
    assert_non_null(strstr(err, "unknown option '--enabel'; did you mean '--enable'?"));
    tl_cli_options_free(&o);
    free(err);
    assert_int_equal(parse(&o, &err, "--statstics", "a.c", NULL), 2);
    assert_non_null(strstr(err, "did you mean '--statistics'?"));
    tl_cli_options_free(&o);
    free(err);
    /* nothing close: no guess */
    assert_int_equal(parse(&o, &err, "--frobnicate", "a.c", NULL), 2);
    assert_non_null(strstr(err, "unknown option '--frobnicate'"));
    assert_null(strstr(err, "did you mean"));
    tl_cli_options_free(&o);
    free(err);
}

static void test_did_you_mean_subcommand(void **state) {
    (void)state;
    char dir[] = "/tmp/tl_cli_parse_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    tl_cli_options o;
    char *err;
    assert_int_equal(parse(&o, &err, "chek", NULL), 2);
    assert_non_null(strstr(err, "did you mean 'check'?"));
    tl_cli_options_free(&o);
    free(err);
    assert_int_equal(parse(&o, &err, "-q", "bsaeline", "set", NULL), 2);
    assert_non_null(strstr(err, "did you mean 'baseline'?"));
    tl_cli_options_free(&o);
    free(err);
    /* a file of that name is an input, not a typo */
    FILE *f = fopen("chek", "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(parse(&o, &err, "chek", NULL), 0);
    assert_string_equal(err, "");
    assert_int_equal(o.npaths, 1);
    tl_cli_options_free(&o);
    free(err);
    /* only the first word can be a subcommand */
    assert_int_equal(parse(&o, &err, "chek", "chekk", NULL), 0);
    tl_cli_options_free(&o);
    free(err);
    unlink("chek");
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
}

static void test_all_rules(void **state) {
    (void)state;
    size_t nrules = 0;
    while (tl_rules[nrules]) nrules++;
    const char *spellings[] = {"all", "*"};
    for (size_t s = 0; s < 2; s++) {
        tl_cli_options o;
        char *err;
        assert_int_equal(parse(&o, &err, "--disable", spellings[s], "a.c", NULL), 0);
        assert_string_equal(err, "");
        for (size_t i = 0; i < nrules; i++) assert_int_equal(o.opts.rule_state[i], 0);
        tl_cli_options_free(&o);
        free(err);
        /* later options win: all off, then one back on */
        assert_int_equal(parse(&o, &err, "--disable", spellings[s], "--enable",
                               "missing-timeout", "a.c", NULL),
                         0);
        for (size_t i = 0; i < nrules; i++)
            assert_int_equal(o.opts.rule_state[i],
                             strcmp(tl_rules[i]->id, "missing-timeout") ? 0 : 1);
        tl_cli_options_free(&o);
        free(err);
        assert_int_equal(parse(&o, &err, "--enable", spellings[s], "a.c", NULL), 0);
        for (size_t i = 0; i < nrules; i++) assert_int_equal(o.opts.rule_state[i], 1);
        tl_cli_options_free(&o);
        free(err);
    }
}

static void test_edit_distance(void **state) {
    (void)state;
    assert_int_equal(tl_edit_distance("enabel", "enable"), 1); /* a transposition */
    assert_int_equal(tl_edit_distance("chek", "check"), 1);
    assert_int_equal(tl_edit_distance("", "abc"), 3);
    assert_int_equal(tl_edit_distance("kitten", "sitting"), 3);
    const char *known[] = {"check", "runs", "diff"};
    assert_string_equal(tl_suggest("chekc", known, 3), "check");
    assert_null(tl_suggest("x", known, 3));
    assert_null(tl_suggest("zzzzzz", known, 3));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_short_options), cmocka_unit_test(test_separator_and_order),
        cmocka_unit_test(test_option_errors),         cmocka_unit_test(test_did_you_mean_option),
        cmocka_unit_test(test_did_you_mean_subcommand), cmocka_unit_test(test_all_rules),
        cmocka_unit_test(test_edit_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
