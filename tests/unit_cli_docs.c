/* unit_cli_docs.c - the command line's documentation tables (options.c) and
 * what is printed from them: every documented option is one the parser
 * accepts, --help and the manual page (manpage.c) show every visible option,
 * subcommand, variable and exit status, and the roff is well-formed whatever
 * the rule documentation contains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "rules/rule.h"

typedef struct {
    FILE *fp;
    char *buf;
    size_t len;
} memout;

static void mo_open(memout *m) {
    m->buf = NULL;
    m->len = 0;
    m->fp = open_memstream(&m->buf, &m->len);
    assert_non_null(m->fp);
}

static char *mo_close(memout *m) {
    fclose(m->fp);
    return m->buf;
}

/* A value the option accepts. */
static const char *value_for(const tl_cli_option_doc *d) {
    const char *n = d->long_name ? d->long_name : "";
    if (!strcmp(n, "enable") || !strcmp(n, "disable") || !strcmp(n, "explain"))
        return "orphaned-spawn";
    if (!strcmp(n, "profile")) return "strict";
    if (!strcmp(n, "jobs") || d->short_name == 'j') return "2";
    if (!strcmp(n, "color") || !strcmp(n, "colour")) return "never";
    if (!strcmp(n, "format")) return "json";
    if (!strcmp(n, "fail-on")) return "any";
    if (!strcmp(n, "run")) return "3";
    if (!strcmp(n, "keep-runs")) return "20";
    if (!strcmp(n, "keep-trend")) return "week";
    return "value";
}

/* Parses {"tasklint", OPT [, VALUE]}; returns the status, *err the messages. */
static int parse_one(const char *opt, const char *value, tl_cli_command *cmd, char **err) {
    char *argv[] = {"tasklint", (char *)opt, (char *)value, NULL};
    memout e;
    mo_open(&e);
    tl_cli_options o;
    int rc = tl_cli_parse(value ? 3 : 2, argv, &o, e.fp);
    if (cmd) *cmd = o.command;
    tl_cli_options_free(&o);
    *err = mo_close(&e);
    return rc;
}

static void test_every_documented_option_is_parsed(void **state) {
    (void)state;
    size_t n = 0;
    for (const tl_cli_option_doc *d = tl_cli_option_docs; d->help; d++) {
        if (d->long_name && !*d->long_name) continue; /* the "--" separator */
        char opt[64];
        if (d->long_name) {
            snprintf(opt, sizeof opt, "--%s", d->long_name);
            char *err;
            int rc = parse_one(opt, d->arg ? value_for(d) : NULL, NULL, &err);
            if (rc != 0) fprintf(stderr, "%s: %s", opt, err);
            assert_int_equal(rc, 0);
            assert_string_equal(err, "");
            free(err);
            if (d->arg) { /* --opt=VALUE too */
                char eq[128];
                snprintf(eq, sizeof eq, "--%s=%s", d->long_name, value_for(d));
                rc = parse_one(eq, NULL, NULL, &err);
                assert_int_equal(rc, 0);
                free(err);
            }
        }
        if (d->short_name) {
            snprintf(opt, sizeof opt, "-%c", d->short_name);
            char *err;
            int rc = parse_one(opt, d->arg ? value_for(d) : NULL, NULL, &err);
            if (rc != 0) fprintf(stderr, "%s: %s", opt, err);
            assert_int_equal(rc, 0);
            free(err);
        }
        n++;
    }
    assert_true(n >= 25);
    /* the control: an option that is not in the table is refused */
    char *err;
    assert_int_equal(parse_one("--no-such-option", NULL, NULL, &err), 2);
    assert_non_null(strstr(err, "unknown option"));
    free(err);
}

static void test_help_man_is_a_command(void **state) {
    (void)state;
    tl_cli_command cmd;
    char *err;
    assert_int_equal(parse_one("--help-man", NULL, &cmd, &err), 0);
    assert_int_equal(cmd, TL_CMD_HELP_MAN);
    free(err);
}

static void test_every_documented_subcommand_is_parsed(void **state) {
    (void)state;
    for (size_t i = 0; tl_cli_command_docs[i].name; i++) {
        tl_cli_command cmd;
        char *err;
        assert_int_equal(parse_one(tl_cli_command_docs[i].name, NULL, &cmd, &err), 0);
        assert_int_not_equal(cmd, TL_CMD_ANALYZE);
        free(err);
    }
}

static void test_option_labels(void **state) {
    (void)state;
    const tl_cli_option_doc jobs = {"jobs", 'j', "N", "x", TL_OPTSEC_INPUT};
    const tl_cli_option_doc quiet = {"quiet", 'q', NULL, "x", TL_OPTSEC_INPUT};
    const tl_cli_option_doc p = {NULL, 'p', "DIR", "x", TL_OPTSEC_INPUT};
    const tl_cli_option_doc sep = {"", 0, "ARGS...", "x", TL_OPTSEC_INPUT};
    const tl_cli_option_doc nodb = {"no-db", 0, NULL, "x", TL_OPTSEC_STORE};
    const struct {
        const tl_cli_option_doc *d;
        const char *label;
    } cases[] = {{&jobs, "-j N, --jobs N"}, {&quiet, "-q, --quiet"}, {&p, "-p DIR"},
                 {&sep, "-- ARGS..."},      {&nodb, "--no-db"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *l = tl_cli_option_label(cases[i].d);
        assert_string_equal(l, cases[i].label);
        free(l);
    }
}

/* The option sections come in the order a reader needs them: what is
 * analysed, which rules, what is printed, the store, the rest. */
static void test_help_section_order(void **state) {
    (void)state;
    memout m;
    mo_open(&m);
    tl_cli_print_help(m.fp);
    char *help = mo_close(&m);
    const char *order[] = {"\nInput options:\n", "\nRules and configuration:\n",
                           "\nOutput options:\n", "\nFindings store (",
                           "\nOther options:\n", "\nSubcommands:\n"};
    const char *prev = help;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *at = strstr(help, order[i]);
        assert_non_null(at);
        assert_true(at > prev);
        prev = at;
    }
    /* each option in the section it belongs to */
    const char *rules = strstr(help, "\nRules and configuration:\n");
    const char *output = strstr(help, "\nOutput options:\n");
    const char *enable = strstr(help, "  --enable ");
    const char *quiet = strstr(help, "  -q, --quiet");
    assert_true(enable > rules && enable < output);
    assert_true(quiet > output);
    free(help);
}

static void test_help_shows_every_visible_entry(void **state) {
    (void)state;
    memout m;
    mo_open(&m);
    tl_cli_print_help(m.fp);
    char *help = mo_close(&m);
    for (const tl_cli_option_doc *d = tl_cli_option_docs; d->help; d++) {
        char *label = tl_cli_option_label(d);
        if (d->section == TL_OPTSEC_HIDDEN) assert_null(strstr(help, label));
        else assert_non_null(strstr(help, label));
        free(label);
    }
    for (size_t i = 0; tl_cli_command_docs[i].name; i++)
        assert_non_null(strstr(help, tl_cli_command_docs[i].name));
    for (size_t i = 0; tl_cli_environment_docs[i].name; i++)
        assert_non_null(strstr(help, tl_cli_environment_docs[i].name));
    assert_non_null(strstr(help, "\nExit status:\n  0 "));
    assert_non_null(strstr(help, "\n  130 "));
    /* wrapped to 79 columns */
    for (char *line = help; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > 79) fprintf(stderr, "long help line: %.*s\n", (int)n, line);
        assert_true(n <= 79);
        line += n + (line[n] == '\n');
    }
    free(help);
}

/* The man page with SOURCE_DATE_EPOCH=0. */
static char *man_page(void) {
    setenv("SOURCE_DATE_EPOCH", "0", 1);
    memout m;
    mo_open(&m);
    tl_cli_print_man(m.fp);
    unsetenv("SOURCE_DATE_EPOCH");
    return mo_close(&m);
}

static void test_man_sections_in_order(void **state) {
    (void)state;
    char *man = man_page();
    assert_memory_equal(man, ".TH TASKLINT 1 1970-01-01 \"tasklint ", 36);
    const char *sections[] = {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS",
                              "RULES", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"};
    const char *at = man;
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
        char want[32];
        snprintf(want, sizeof want, "\n.SH %s\n", sections[i]);
        const char *found = strstr(at, want);
        if (!found) fprintf(stderr, "section %s missing or out of order\n", sections[i]);
        assert_non_null(found);
        at = found + 1;
    }
    free(man);
}

/* "--baseline-commit" as roff: "\-\-baseline\-commit" */
static void roff_dashes(const char *s, char *out, size_t size) {
    size_t n = 0;
    for (; *s && n + 3 < size; s++) {
        if (*s == '-') out[n++] = '\\';
        out[n++] = *s;
    }
    out[n] = 0;
}

static void test_man_documents_every_visible_entry(void **state) {
    (void)state;
    char *man = man_page();
    for (const tl_cli_option_doc *d = tl_cli_option_docs; d->help; d++) {
        if (!d->long_name || !*d->long_name) continue;
        char name[64], want[160];
        snprintf(name, sizeof name, "--%s", d->long_name);
        roff_dashes(name, want + 3, sizeof want - 8);
        memcpy(want, "\\fB", 3);
        strcat(want, "\\fR"); /* the whole option name in bold */
        if (d->section == TL_OPTSEC_HIDDEN) {
            assert_null(strstr(man, want));
        } else {
            if (!strstr(man, want)) fprintf(stderr, "man: no %s\n", want);
            assert_non_null(strstr(man, want));
        }
    }
    for (size_t i = 0; tl_rules[i]; i++) {
        char want[96], id[64];
        roff_dashes(tl_rules[i]->id, id, sizeof id);
        snprintf(want, sizeof want, "\n.SS %s\n", id);
        assert_non_null(strstr(man, want));
    }
    for (size_t i = 0; tl_cli_environment_docs[i].name; i++) {
        char want[96];
        snprintf(want, sizeof want, ".TP\n\\fB%s\\fR\n", tl_cli_environment_docs[i].name);
        assert_non_null(strstr(man, want));
    }
    free(man);
}

/* No raw control character; text lines never start with '.' or '\'' unless
 * they are requests; filled text lines fit in 80 columns. */
static void assert_clean_roff(const char *roff) {
    bool example = false;
    for (const char *line = roff; *line;) {
        size_t n = strcspn(line, "\n");
        for (size_t i = 0; i < n; i++)
            assert_false((unsigned char)line[i] < 0x20 || line[i] == 0x7f);
        if (line[0] == '.' || line[0] == '\'') {
            const char *requests[] = {".TH ", ".SH ", ".SS ", ".PP", ".TP", ".IP ", ".RS ", ".RE",
                                      ".EX", ".EE", ".SY ", ".YS", ".BR ", ".br"};
            bool known = false;
            for (size_t k = 0; k < sizeof requests / sizeof *requests; k++)
                if (!strncmp(line, requests[k], strlen(requests[k]))) known = true;
            if (!known) fprintf(stderr, "not a request: %.*s\n", (int)n, line);
            assert_true(known);
            if (!strncmp(line, ".EX", 3)) example = true;
            if (!strncmp(line, ".EE", 3)) example = false;
        } else if (!example) {
            if (n > 80) fprintf(stderr, "long roff line: %.*s\n", (int)n, line);
            assert_true(n <= 80);
        }
        line += n + (line[n] == '\n');
    }
}

static void test_man_is_clean_roff(void **state) {
    (void)state;
    char *man = man_page();
    assert_clean_roff(man);
    free(man);
}

static void test_markdown_to_roff(void **state) {
    (void)state;
    const char *md = "## What it does\n"
                     "\n"
                     "Calls `go()` and **never** waits, *really*; 5 * 3 *x.\n"
                     "A back\\slash.\n"
                     ".starts with a dot, 'quote at the start, and \xe2\x80\x94 a dash\x1b[31m.\n"
                     "\n"
                     "- one\n"
                     "- two `a-b`\n"
                     "1. first\n"
                     "\n"
                     "```c\n"
                     "  .indented(); // \\n\n"
                     "\n"
                     "'x';\n"
                     "```\n"
                     "An unmatched `tick stays.\n";
    memout m;
    mo_open(&m);
    tl_cli_man_markdown(m.fp, md);
    char *roff = mo_close(&m);
    const char *want[] = {
        ".PP\n\\fBWhat it does\\fR\n.br\n",
        "Calls \\fBgo()\\fR and \\fBnever\\fR waits, \\fIreally\\fR; 5 * 3 *x.\nA back\\eslash.\n",
        "\\&.starts with a dot,",
        "\\[u2014] a dash[31m.\n", /* no raw escape character */
        ".IP \\(bu 2\none\n.IP \\(bu 2\ntwo \\fBa\\-b\\fR\n.IP 1. 4\nfirst\n",
        ".RS 4\n.EX\n  .indented(); // \\en\n\n\\&'x';\n.EE\n.RE\n",
        "An unmatched `tick stays.\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!strstr(roff, want[i])) fprintf(stderr, "missing %s\nin:\n%s", want[i], roff);
        assert_non_null(strstr(roff, want[i]));
    }
    assert_clean_roff(roff);
    free(roff);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_documented_option_is_parsed),
        cmocka_unit_test(test_help_man_is_a_command),
        cmocka_unit_test(test_every_documented_subcommand_is_parsed),
        cmocka_unit_test(test_option_labels),
        cmocka_unit_test(test_help_section_order),
        cmocka_unit_test(test_help_shows_every_visible_entry),
        cmocka_unit_test(test_man_sections_in_order),
        cmocka_unit_test(test_man_documents_every_visible_entry),
        cmocka_unit_test(test_man_is_clean_roff),
        cmocka_unit_test(test_markdown_to_roff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
