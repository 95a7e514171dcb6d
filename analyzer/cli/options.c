/* options.c - command line parsing, and the tables that document it (--help
 * prints them here, the manual page in manpage.c). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "rules/rule.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

/* ---- the documentation of the command line ----
 *
 * One set of tables for `--help` (below) and the manual page (manpage.c,
 * `--help-man`), so the two cannot drift.  Help texts are single paragraphs
 * without line breaks: each printer wraps them. */

const char tl_cli_help_summary[] = "find async task-lifecycle bugs in C programs";

const char *const tl_cli_usage_docs[] = {
    "[OPTIONS] PATH... [-- COMPILER_ARGS...]",
    "-p BUILD_DIR [OPTIONS] [PATH...] [-- COMPILER_ARGS...]",
    NULL,
};

const char *const tl_cli_description_docs[] = {
    "Finds async task-lifecycle bugs in C: spawned tasks that are never joined, work torn down "
    "before it is awaited, waits without a timeout, and blocking calls inside coroutines and "
    "event-loop callbacks.",
    "PATH is a C file or a directory (searched recursively for *.c files). With -p, the files "
    "come from BUILD_DIR/compile_commands.json and PATHs only select entries (a file, or every "
    "entry under a directory). A PATH named like a subcommand can be given as ./NAME.",
    "Suppress a finding with a comment: // tasklint-ignore(RULE): reason (also -next-line, "
    "-begin/-end and -file forms).",
    NULL,
};

const tl_cli_section_doc tl_cli_option_sections[TL_OPTSEC_HIDDEN] = {
    [TL_OPTSEC_INPUT] = {"Input options", NULL},
    [TL_OPTSEC_RULES] = {"Rules and configuration", NULL},
    [TL_OPTSEC_OUTPUT] = {"Output options", NULL},
    [TL_OPTSEC_STORE] = {"Findings store",
                         "every run is recorded; unchanged files are not re-analysed"},
    [TL_OPTSEC_OTHER] = {"Other options", NULL},
};

/* Also the parser's table: tl_cli_parse builds getopt_long's option array
 * and short option string from it. */
const tl_cli_option_doc tl_cli_option_docs[] = {
    {NULL, 'p', "DIR|FILE",
     "read DIR/compile_commands.json, or the database FILE: each entry is analysed with its own "
     "arguments (without -p: the compile_commands.json found next to each file, in its "
     "directory, a parent or their build/)",
     TL_OPTSEC_INPUT},
    {"no-compdb", 0, NULL, "do not look for a compile_commands.json", TL_OPTSEC_INPUT},
    {"", 0, "ARGS...",
     "compiler arguments for every file (-I, -D, -std=...); with -p they are added to each "
     "entry's own",
     TL_OPTSEC_INPUT},

    {"enable", 0, "RULE[,RULE]",
     "enable rules; all (or *) names every rule (repeatable; overrides the config file)",
     TL_OPTSEC_RULES},
    {"disable", 0, "RULE[,RULE]",
     "disable rules; all (or *) names every rule (repeatable; overrides the config file)",
     TL_OPTSEC_RULES},
    {"profile", 0, "NAME",
     "default, or strict (also flags forever joins, accept and event loops, condition waits)",
     TL_OPTSEC_RULES},
    {"config", 0, "FILE", "use this project config for every file", TL_OPTSEC_RULES},
    {"no-config", 0, NULL, "do not look for .tasklint.yaml files", TL_OPTSEC_RULES},
    {"models", 0, "FILE", "load an extra library model file (repeatable)", TL_OPTSEC_RULES},
    {"show-config", 0, NULL,
     "print the effective settings (profile, rules, config file, models, store, jobs) and where "
     "they come from, then exit without analysing",
     TL_OPTSEC_RULES},
    {"exclude", 0, "GLOB",
     "do not analyse files whose path relative to the project root matches GLOB (repeatable; "
     "'*' stops at '/', '**/' matches any directories, a matching directory excludes all under it)",
     TL_OPTSEC_INPUT},

    {"format", 0, "FMT",
     "text (default), json, sarif, github (Actions annotations) or codeclimate (GitLab Code "
     "Quality)",
     TL_OPTSEC_OUTPUT},
    {"output", 'o', "FILE", "write the findings to FILE instead of stdout", TL_OPTSEC_OUTPUT},
    {"color", 0, "WHEN",
     "auto (default), always or never; NO_COLOR (non-empty) always disables colour",
     TL_OPTSEC_OUTPUT},
    {"quiet", 'q', NULL, "no summary line", TL_OPTSEC_OUTPUT},
    {"verbose", 'v', NULL,
     "diff/check: also list unchanged findings; name the compile databases used and the "
     "arguments dropped",
     TL_OPTSEC_OUTPUT},
    {"statistics", 0, NULL,
     "after the summary, the number of findings of each rule (stderr; printed even with -q)",
     TL_OPTSEC_OUTPUT},
    {"include-suppressed", 0, NULL,
     "sarif: also write suppressed findings, with suppressions[].justification (the comment's "
     "reason)",
     TL_OPTSEC_OUTPUT},

    {"db", 0, "PATH", "the store (default: .tasklint/findings.db at the project root)",
     TL_OPTSEC_STORE},
    {"no-db", 0, NULL, "do not read or write the store", TL_OPTSEC_STORE},
    {"baseline", 0, "NAME|FILE",
     "compare with a baseline: a name set with `baseline set`, or a file written by `baseline "
     "export`; new findings are tagged [new]",
     TL_OPTSEC_STORE},
    {"baseline-commit", 0, "REF",
     "compare with git commit REF, analysed in a temporary worktree", TL_OPTSEC_STORE},
    {"fail-on", 0, "WHICH",
     "new, any or none: which findings make the exit status 1 (default: new with a baseline, "
     "else any)",
     TL_OPTSEC_STORE},
    {"name", 0, "NAME", "baseline set/export: the baseline's name (default: default)",
     TL_OPTSEC_STORE},
    {"run", 0, "RUN", "baseline export: export this run; report: report this run",
     TL_OPTSEC_STORE},
    {"html", 0, "DIR",
     "report: write the HTML report into DIR (created if missing; open DIR/index.html)",
     TL_OPTSEC_STORE},
    {"keep-runs", 0, "N",
     "gc: keep the newest N runs (default: keep_runs of .tasklint.yaml, else 20)",
     TL_OPTSEC_STORE},
    {"keep-trend", 0, "WHEN",
     "gc: of the older runs keep the newest of each day (default), week, or none",
     TL_OPTSEC_STORE},

    {"jobs", 'j', "N",
     "analyse N files in parallel (default: CPUs online), each in a worker process limited by "
     "TASKLINT_MEMORY_LIMIT and TASKLINT_TU_TIMEOUT",
     TL_OPTSEC_OTHER},
    {"no-shared-headers", 0, NULL,
     "parse every file on its own: no shared precompiled prefixes of the headers most files "
     "include first (the findings are the same; see docs/shared-headers.md)",
     TL_OPTSEC_OTHER},
    {"list-rules", 0, NULL, "list the rules", TL_OPTSEC_OTHER},
    {"explain", 0, "RULE", "print a rule's documentation", TL_OPTSEC_OTHER},
    {"version", 0, NULL, "print the version", TL_OPTSEC_OTHER},
    {"help", 'h', NULL, "print this help", TL_OPTSEC_OTHER},

    {"colour", 0, "WHEN", "the same as --color", TL_OPTSEC_HIDDEN},
    {"help-man", 0, NULL, "print the manual page (roff); the build installs it",
     TL_OPTSEC_HIDDEN},
    {NULL, 0, NULL, NULL, 0},
};

const tl_cli_command_doc tl_cli_command_docs[] = {
    {"check", "[OPTIONS] PATH...",
     "analyse, print only findings new since the baseline (default: the baseline named "
     "default), then 'N new, M unchanged, K fixed'"},
    {"runs", "", "the recorded runs with counts per rule"},
    {"diff", "[RUN_A [RUN_B]]",
     "new, fixed (and with -v unchanged) findings between two runs (default: the last two "
     "complete runs; --baseline as A)"},
    {"baseline", "set [RUN]", "name a run (default: the newest complete run) as baseline"},
    {"baseline", "export FILE", "write a baseline as a sorted text file to commit"},
    {"summarize", "-o FILE PATH...",
     "phase 1 only: parse and summarise the files into FILE, for `link` (a CI matrix shard)"},
    {"link", "[OPTIONS] FILE...",
     "phase 2 over summary files: link them into one program and report, as a run over all "
     "their files would"},
    {"report", "--html DIR",
     "a static HTML report of a run (default: the newest complete one) from the store: counts "
     "per state, rule and directory, the trend over the recorded runs, a sortable table and a "
     "page per finding"},
    {"gc", "[--keep-runs N] [--keep-trend WHEN]",
     "drop old runs from the store (keeping baselines', triaged findings' and one run per day "
     "for the trend), then reclaim the space"},
    {"lsp", "[OPTIONS]",
     "a language server (LSP 3.17) on stdin and stdout: diagnostics as you type and on save, "
     "hover explains the rule, a code action adds a suppression comment (editors/README.md)"},
    {"triage", "FINGERPRINT STATE REASON",
     "record a decision for a finding's fingerprint (or a unique prefix of 8+ characters): "
     "false-positive, intentional or confirmed; kept across runs"},
    {NULL, NULL, NULL},
};

const tl_cli_text_doc tl_cli_environment_docs[] = {
    {"TASKLINT_MEMORY_LIMIT",
     "SIZE (e.g. 768M, 4G): the address space of each worker process (default 4G or half the "
     "RAM if less; 0: no limit)"},
    {"TASKLINT_TU_TIMEOUT",
     "SECONDS: a file whose parse and analysis take longer is stopped and reported (default 600; "
     "0: no limit)"},
    {"TASKLINT_DB",
     "the store's path when neither --db nor --no-db is given; none (or off, 0) disables the "
     "store"},
    {"TASKLINT_SHARED_HEADERS_CACHE",
     "MIB: the size the cache of shared precompiled prefixes next to the store is pruned to "
     "after each run (default 1024)"},
    {"NO_COLOR", "when not empty, no colour, even with --color always"},
    {"TERM", "when dumb, no colour with --color auto"},
    {"TMPDIR", "where --baseline-commit makes its temporary worktree (default: /tmp)"},
    {NULL, NULL},
};

const tl_cli_text_doc tl_cli_exit_status_docs[] = {
    {"0", "no findings (see --fail-on)"},
    {"1", "findings; clang errors in a file count as findings"},
    {"2", "usage or fatal error (also a store that cannot be opened)"},
    {"130", "interrupted"},
    {NULL, NULL},
};

char *tl_cli_option_label(const tl_cli_option_doc *d) {
    char *s;
    if (d->long_name && !*d->long_name) /* the "--" separator */
        return tl_xasprintf("-- %s", d->arg);
    const char *arg = d->arg ? d->arg : "";
    const char *sep = d->arg ? " " : "";
    if (d->short_name && d->long_name)
        s = tl_xasprintf("-%c%s%s, --%s%s%s", d->short_name, sep, arg, d->long_name, sep, arg);
    else if (d->short_name)
        s = tl_xasprintf("-%c%s%s", d->short_name, sep, arg);
    else
        s = tl_xasprintf("--%s%s%s", d->long_name, sep, arg);
    return s;
}

#define HELP_WIDTH 79
#define HELP_COLUMN 23 /* where the help text of an entry starts */

/* Prints `text` from column `col` on, wrapped at HELP_WIDTH; continuation
 * lines start at column `indent`.  Ends the line. */
static void print_wrapped(FILE *out, const char *text, int col, int indent) {
    const char *p = text;
    bool first = true;
    while (*p) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (!*p) break;
        if (!first && col + 1 + (int)len > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            first = true;
        }
        if (!first) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, len, out);
        col += (int)len;
        p += len;
        first = false;
    }
    fputc('\n', out);
}

/* "  LABEL              help..." (the help on the next line when LABEL is long:
 * two blanks at least separate them) */
static void print_entry(FILE *out, const char *label, const char *help) {
    int n = fprintf(out, "  %s", label);
    if (n + 2 > HELP_COLUMN) {
        fputc('\n', out);
        n = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - n, "");
    print_wrapped(out, help, HELP_COLUMN, HELP_COLUMN);
}

void tl_cli_print_help(FILE *out) {
    for (size_t i = 0; tl_cli_usage_docs[i]; i++)
        fprintf(out, "%s tasklint %s\n", i ? "      " : "Usage:", tl_cli_usage_docs[i]);
    /* the subcommands on as few lines as fit */
    int col = fprintf(out, "       tasklint");
    for (size_t i = 0; tl_cli_command_docs[i].name; i++) {
        const tl_cli_command_doc *c = &tl_cli_command_docs[i];
        int len = (int)(strlen(c->name) + (*c->args ? 1 + strlen(c->args) : 0));
        if (i && col + 3 + len > HELP_WIDTH) {
            fputs(" |\n               ", out);
            col = 15;
        } else if (i) {
            col += fprintf(out, " |");
        }
        col += fprintf(out, " %s%s%s", c->name, *c->args ? " " : "", c->args);
    }
    fputc('\n', out);
    for (size_t i = 0; tl_cli_description_docs[i]; i++) {
        fputc('\n', out);
        print_wrapped(out, tl_cli_description_docs[i], 0, 0);
    }
    for (int sec = 0; sec < TL_OPTSEC_HIDDEN; sec++) {
        const tl_cli_section_doc *s = &tl_cli_option_sections[sec];
        if (s->intro) fprintf(out, "\n%s (%s):\n", s->title, s->intro);
        else fprintf(out, "\n%s:\n", s->title);
        for (const tl_cli_option_doc *d = tl_cli_option_docs; d->help; d++) {
            if ((int)d->section != sec) continue;
            char *label = tl_cli_option_label(d);
            print_entry(out, label, d->help);
            free(label);
        }
    }
    fputs("\nSubcommands:\n", out);
    for (size_t i = 0; tl_cli_command_docs[i].name; i++) {
        const tl_cli_command_doc *c = &tl_cli_command_docs[i];
        char *label = tl_xasprintf("%s%s%s", c->name, *c->args ? " " : "", c->args);
        print_entry(out, label, c->help);
        free(label);
    }
    fputs("\nEnvironment:\n", out);
    for (size_t i = 0; tl_cli_environment_docs[i].name; i++)
        print_entry(out, tl_cli_environment_docs[i].name, tl_cli_environment_docs[i].text);
    fputs("\nExit status:\n", out);
    for (size_t i = 0; tl_cli_exit_status_docs[i].name; i++)
        print_entry(out, tl_cli_exit_status_docs[i].name, tl_cli_exit_status_docs[i].text);
}

char *tl_cli_rule_list(void) {
    char *s = tl_xstrdup("");
    for (size_t i = 0; tl_rules[i]; i++) {
        char *n = tl_xasprintf("%s%s%s", s, i ? ", " : "", tl_rules[i]->id);
        free(s);
        s = n;
    }
    return s;
}

static void push(char ***v, size_t *n, const char *s) {
    *v = tl_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = tl_xstrdup(s);
}

static int usage_error(FILE *err, const char *fmt, const char *a) {
    char *shown = tl_term_escape(a); /* an argument may be a file name from a checkout */
    fputs("tasklint: error: ", err);
    fprintf(err, fmt, shown);
    free(shown);
    fputs("\nTry 'tasklint --help' for more information.\n", err);
    return 2;
}

static int set_rules(tl_cli_options *o, const char *list, int state, const char *opt,
                     FILE *err) {
    char *copy = tl_xstrdup(list);
    int rc = 0;
    bool any = false;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ') tok[--len] = 0;
        if (!*tok) continue;
        any = true;
        if (!strcmp(tok, "all") || !strcmp(tok, "*")) { /* like tasklint-ignore(*) */
            for (size_t i = 0; tl_rules[i] && i < sizeof o->opts.rule_state; i++)
                o->opts.rule_state[i] = (signed char)state;
            continue;
        }
        const tl_pseudo_rule *pseudo = tl_pseudo_rule_find(tok);
        if (pseudo && !pseudo->can_disable) {
            fprintf(err, "tasklint: error: %s: '%s' is a pseudo-rule that cannot be %s: %s\n", opt,
                    tok, state ? "enabled or disabled" : "disabled", pseudo->why_not);
            rc = 2;
            break;
        }
        if (pseudo) { /* suppression */
            o->opts.no_suppression_reports = state == 0;
            continue;
        }
        int idx = -1;
        for (size_t i = 0; tl_rules[i]; i++)
            if (!strcmp(tl_rules[i]->id, tok)) idx = (int)i;
        if (idx < 0 || idx >= (int)sizeof o->opts.rule_state) {
            char *valid = tl_cli_rule_list();
            char *shown = tl_term_escape(tok);
            fprintf(err, "tasklint: error: %s: unknown rule '%s' (valid rules: %s)\n", opt, shown,
                    valid);
            free(shown);
            free(valid);
            rc = 2;
            break;
        }
        o->opts.rule_state[idx] = (signed char)state;
    }
    free(copy);
    if (rc == 0 && !any) return usage_error(err, "%s needs a rule id", opt);
    return rc;
}

static char *join_command_line(int argc, char **argv) {
    size_t cap = 64, len = 0;
    char *s = tl_xmalloc(cap);
    s[0] = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = i == 0 ? "tasklint" : argv[i];
        bool plain = *a != 0;
        for (const char *p = a; *p && plain; p++)
            plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                           "-_=./,:+@%", *p) != NULL;
        size_t need = len + strlen(a) * 4 + 4;
        if (need > cap) {
            cap = need * 2;
            s = tl_xrealloc(s, cap);
        }
        if (i) s[len++] = ' ';
        if (plain) {
            len += (size_t)sprintf(s + len, "%s", a);
        } else {
            s[len++] = '\'';
            for (const char *p = a; *p; p++) {
                if (*p == '\'') {
                    memcpy(s + len, "'\\''", 4);
                    len += 4;
                } else {
                    s[len++] = *p;
                }
            }
            s[len++] = '\'';
            s[len] = 0;
        }
    }
    return s;
}

static const struct {
    const char *name;
    tl_cli_command cmd;
} subcommands[] = {{"check", TL_CMD_CHECK},       {"runs", TL_CMD_RUNS},
                   {"diff", TL_CMD_DIFF},         {"baseline", TL_CMD_BASELINE},
                   {"triage", TL_CMD_TRIAGE},     {"summarize", TL_CMD_SUMMARIZE},
                   {"link", TL_CMD_LINK},         {"report", TL_CMD_REPORT},
                   {"gc", TL_CMD_GC},             {"lsp", TL_CMD_LSP}};

/* ---- parsing: getopt_long, driven by tl_cli_option_docs ---- */

/* getopt_long returns LONG_BASE + i for the long option tl_cli_option_docs[i]
 * (short options return their letter). */
#define LONG_BASE 256

typedef struct {
    struct option *longopts; /* zero-ended */
    char *shortopts;         /* "-:p:o:qvj:h": '-' keeps the order, ':' reports a missing value */
} getopt_tables;

static void tables_build(getopt_tables *t) {
    size_t n = 0;
    while (tl_cli_option_docs[n].help) n++;
    t->longopts = tl_xcalloc(n + 1, sizeof *t->longopts);
    t->shortopts = tl_xmalloc(2 * n + 3);
    size_t nl = 0, ns = 0;
    t->shortopts[ns++] = '-';
    t->shortopts[ns++] = ':';
    for (size_t i = 0; i < n; i++) {
        const tl_cli_option_doc *d = &tl_cli_option_docs[i];
        if (d->long_name && *d->long_name)
            t->longopts[nl++] = (struct option){d->long_name,
                                                d->arg ? required_argument : no_argument, NULL,
                                                LONG_BASE + (int)i};
        if (d->short_name) {
            t->shortopts[ns++] = d->short_name;
            if (d->arg) t->shortopts[ns++] = ':';
        }
    }
    t->shortopts[ns] = 0;
}

static void tables_free(getopt_tables *t) {
    free(t->longopts);
    free(t->shortopts);
}

/* The documented option getopt_long returned (c: a letter or LONG_BASE + i). */
static const tl_cli_option_doc *option_for(int c) {
    if (c >= LONG_BASE) return &tl_cli_option_docs[c - LONG_BASE];
    for (const tl_cli_option_doc *d = tl_cli_option_docs; d->help; d++)
        if (d->short_name == c) return d;
    return NULL;
}

/* "--jobs" or "-p" (malloc'd), for messages */
static char *option_name(const tl_cli_option_doc *d) {
    if (d->long_name && *d->long_name) return tl_xasprintf("--%s", d->long_name);
    return tl_xasprintf("-%c", d->short_name);
}

/* An argument getopt_long did not accept as a long option: ambiguous
 * (a prefix of several), or unknown (with the closest name, if close). */
static int bad_long_option(const char *arg, FILE *err) {
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    char *word = tl_xstrndup(name, len);
    size_t n = 0;
    while (tl_cli_option_docs[n].help) n++;
    const char **known = tl_xcalloc(n + 1, sizeof *known);
    char *matches = tl_xstrdup("");
    size_t nmatches = 0;
    for (size_t i = 0; i < n; i++) {
        const char *l = tl_cli_option_docs[i].long_name;
        if (!l || !*l) continue;
        known[i] = l;
        if (len && !strncmp(l, word, len)) {
            char *m = tl_xasprintf("%s%s'--%s'", matches, nmatches ? ", " : "", l);
            free(matches);
            matches = m;
            nmatches++;
        }
    }
    int rc;
    if (nmatches > 1) {
        char *fmt = tl_xasprintf("option '%%s' is ambiguous; possibilities: %s", matches);
        rc = usage_error(err, fmt, arg);
        free(fmt);
    } else {
        const char *close = tl_suggest(word, known, n);
        char *fmt = close ? tl_xasprintf("unknown option '%%s'; did you mean '--%s'?", close)
                          : tl_xstrdup("unknown option '%s'");
        rc = usage_error(err, fmt, arg);
        free(fmt);
    }
    free(matches);
    free(known);
    free(word);
    return rc;
}

/* The first positional word when it is not a subcommand: when no such file
 * or directory exists and it is close to a subcommand's name, it is a typo
 * (`tasklint chek`), not a missing input. */
static int check_subcommand_typo(const char *word, FILE *err) {
    struct stat st;
    if (lstat(word, &st) == 0 || errno != ENOENT) return 0;
    const char *names[sizeof subcommands / sizeof *subcommands];
    for (size_t k = 0; k < sizeof subcommands / sizeof *subcommands; k++)
        names[k] = subcommands[k].name;
    const char *close = tl_suggest(word, names, sizeof names / sizeof *names);
    if (!close) return 0;
    char *fmt = tl_xasprintf("'%%s' is neither a subcommand nor a file or directory; did you "
                             "mean '%s'?",
                             close);
    int rc = usage_error(err, fmt, word);
    free(fmt);
    return rc;
}

/* Applies one option and its value (NULL when it takes none). */
static int apply_option(tl_cli_options *o, const tl_cli_option_doc *d, const char *val,
                        FILE *err) {
    const char *n = d->long_name ? d->long_name : "";
    if (d->short_name == 'p' && !*n) {
        o->compdb_dir = val;
    } else if (!strcmp(n, "help")) {
        o->command = TL_CMD_HELP;
    } else if (!strcmp(n, "help-man")) {
        if (o->command == TL_CMD_ANALYZE) o->command = TL_CMD_HELP_MAN;
    } else if (!strcmp(n, "version")) {
        if (o->command == TL_CMD_ANALYZE) o->command = TL_CMD_VERSION;
    } else if (!strcmp(n, "list-rules")) {
        if (o->command == TL_CMD_ANALYZE) o->command = TL_CMD_LIST_RULES;
    } else if (!strcmp(n, "explain")) {
        if (o->command == TL_CMD_ANALYZE || o->command == TL_CMD_EXPLAIN) {
            o->command = TL_CMD_EXPLAIN;
            o->explain_rule = val;
        }
    } else if (!strcmp(n, "enable") || !strcmp(n, "disable")) {
        bool on = !strcmp(n, "enable");
        return set_rules(o, val, on, on ? "--enable" : "--disable", err);
    } else if (!strcmp(n, "profile")) {
        if (!strcmp(val, "default")) o->opts.profile = TL_PROFILE_DEFAULT;
        else if (!strcmp(val, "strict")) o->opts.profile = TL_PROFILE_STRICT;
        else
            return usage_error(err, "--profile: unknown profile '%s' (default or strict)", val);
        o->opts.profile_set = true;
    } else if (!strcmp(n, "config")) {
        if (!*val) return usage_error(err, "%s needs a file", "--config");
        o->opts.config_path = val;
    } else if (!strcmp(n, "no-config")) {
        o->opts.no_config = true;
    } else if (!strcmp(n, "models")) {
        push(&o->model_files, &o->nmodel_files, val);
    } else if (!strcmp(n, "show-config")) {
        o->show_config = true;
    } else if (!strcmp(n, "jobs")) {
        char *end;
        errno = 0;
        long j = strtol(val, &end, 10);
        if (errno || end == val || *end || j < 1 || j > 1024)
            return usage_error(err, "-j: expected a number of jobs from 1 to 1024, got '%s'", val);
        o->jobs = (int)j;
    } else if (!strcmp(n, "color") || !strcmp(n, "colour")) {
        if (tl_color_mode_parse(val, &o->color) != 0)
            return usage_error(err, "--color: expected auto, always or never, got '%s'", val);
    } else if (!strcmp(n, "quiet")) {
        o->quiet = true;
    } else if (!strcmp(n, "verbose")) {
        o->verbose = true;
    } else if (!strcmp(n, "statistics")) {
        o->statistics = true;
    } else if (!strcmp(n, "db")) {
        if (!*val) return usage_error(err, "%s needs a file", "--db");
        o->db_path = val;
    } else if (!strcmp(n, "no-db")) {
        o->no_db = true;
    } else if (!strcmp(n, "no-shared-headers")) {
        o->no_shared_headers = true;
    } else if (!strcmp(n, "baseline")) {
        if (!*val) return usage_error(err, "%s needs a name or a file", "--baseline");
        o->baseline = val;
    } else if (!strcmp(n, "baseline-commit")) {
        if (!*val) return usage_error(err, "%s needs a git revision", "--baseline-commit");
        o->baseline_commit = val;
    } else if (!strcmp(n, "fail-on")) {
        if (!strcmp(val, "new")) o->fail_on = TL_FAIL_NEW;
        else if (!strcmp(val, "any")) o->fail_on = TL_FAIL_ANY;
        else if (!strcmp(val, "none")) o->fail_on = TL_FAIL_NONE;
        else return usage_error(err, "--fail-on: expected new, any or none, got '%s'", val);
    } else if (!strcmp(n, "format")) {
        if (!strcmp(val, "text")) o->format = TL_FORMAT_TEXT;
        else if (!strcmp(val, "json")) o->format = TL_FORMAT_JSON;
        else if (!strcmp(val, "sarif")) o->format = TL_FORMAT_SARIF;
        else if (!strcmp(val, "github")) o->format = TL_FORMAT_GITHUB;
        else if (!strcmp(val, "codeclimate")) o->format = TL_FORMAT_CODECLIMATE;
        else return usage_error(err, "--format: expected text, json, sarif, github or codeclimate, "
                                     "got '%s'", val);
    } else if (!strcmp(n, "include-suppressed")) {
        o->include_suppressed = true;
    } else if (!strcmp(n, "output")) {
        if (!*val) return usage_error(err, "%s needs a file", "--output");
        o->output = val;
    } else if (!strcmp(n, "name")) {
        if (!*val) return usage_error(err, "%s needs a name", "--name");
        o->name = val;
    } else if (!strcmp(n, "run")) {
        o->run = val;
    } else if (!strcmp(n, "html")) {
        if (!*val) return usage_error(err, "%s needs a directory", "--html");
        o->html_dir = val;
    } else if (!strcmp(n, "keep-runs")) {
        char *end;
        errno = 0;
        long k = strtol(val, &end, 10);
        if (errno || end == val || *end || k < 1 || k > 1000000)
            return usage_error(err, "--keep-runs: expected a number of runs from 1 to 1000000, "
                                    "got '%s'", val);
        o->keep_runs = (int)k;
    } else if (!strcmp(n, "keep-trend")) {
        if (!strcmp(val, "none")) o->keep_trend = 1;
        else if (!strcmp(val, "day")) o->keep_trend = 2;
        else if (!strcmp(val, "week")) o->keep_trend = 3;
        else return usage_error(err, "--keep-trend: expected day, week or none, got '%s'", val);
    } else if (!strcmp(n, "exclude")) {
        push(&o->excludes, &o->nexcludes, val);
    } else if (!strcmp(n, "no-compdb")) {
        o->no_compdb = true;
    } else {
        /* a documented option without a case here: a programming error the
           unit tests catch (every documented option is parsed) */
        return usage_error(err, "option '%s' is not implemented", n);
    }
    return 0;
}

int tl_cli_parse(int argc, char **argv, tl_cli_options *o, FILE *err) {
    memset(o, 0, sizeof *o);
    tl_options_init(&o->opts);
    o->color = TL_COLOR_AUTO;
    o->command_line = join_command_line(argc, argv);
    tl_cli_command sub = TL_CMD_ANALYZE;
    bool positional_seen = false;
    getopt_tables t;
    tables_build(&t);
    int rc = 0;
    int c, before;
    opterr = 0;
    optind = 0; /* glibc: start afresh (tl_cli_parse may be called again) */
    while (before = optind < 1 ? 1 : optind,
           (c = getopt_long(argc, argv, t.shortopts, t.longopts, NULL)) != -1) {
        const char *a = argv[optind - 1 < argc ? optind - 1 : argc - 1];
        if (c == 1) { /* a positional word, in order */
            if (!positional_seen) {
                positional_seen = true;
                bool is_sub = false;
                for (size_t k = 0; k < sizeof subcommands / sizeof *subcommands; k++)
                    if (!strcmp(optarg, subcommands[k].name)) {
                        sub = subcommands[k].cmd;
                        is_sub = true;
                    }
                if (is_sub) continue;
                if ((rc = check_subcommand_typo(optarg, err)) != 0) break;
            }
            push(&o->paths, &o->npaths, optarg);
        } else if (c == ':') {
            const tl_cli_option_doc *d = option_for(optopt);
            char *name = d ? option_name(d) : tl_xstrdup("?");
            rc = usage_error(err, "%s needs a value", name);
            free(name);
            break;
        } else if (c == '?') {
            if (optopt >= LONG_BASE) {
                char *name = option_name(option_for(optopt));
                rc = usage_error(err, "%s does not take a value", name);
                free(name);
            } else if (optopt) {
                char shown[3] = {'-', (char)optopt, 0};
                rc = usage_error(err, "unknown option '%s'", shown);
            } else if (!strncmp(a, "--", 2)) {
                rc = bad_long_option(a, err);
            } else {
                rc = usage_error(err, "unknown option '%s'", a);
            }
            break;
        } else {
            const tl_cli_option_doc *d = option_for(c);
            if ((rc = apply_option(o, d, d->arg ? optarg : NULL, err)) != 0) break;
        }
    }
    /* "--": everything after it is compiler arguments (optind is past it;
       a "--" taken as an option's value is not the separator) */
    if (rc == 0 && optind == before + 1 && optind <= argc && !strcmp(argv[optind - 1], "--")) {
        for (int k = optind; k < argc; k++) {
            o->extra_args = tl_xrealloc(o->extra_args, (size_t)(o->nextra + 1) *
                                                           sizeof *o->extra_args);
            o->extra_args[o->nextra++] = tl_xstrdup(argv[k]);
        }
    }
    tables_free(&t);
    if (rc) return rc;
    if (sub != TL_CMD_ANALYZE && o->command == TL_CMD_ANALYZE) o->command = sub;
    if (o->no_db && o->db_path)
        return usage_error(err, "%s: --db and --no-db exclude each other", "--no-db");
    /* TASKLINT_DB: the database path when neither --db nor --no-db is given;
       "none" (or "off", "0") disables the store, like --no-db. */
    const char *env_db = getenv("TASKLINT_DB");
    if (env_db && *env_db && !o->no_db && !o->db_path) {
        if (!strcmp(env_db, "none") || !strcmp(env_db, "off") || !strcmp(env_db, "0")) o->no_db = true;
        else o->db_path = env_db;
    }
    if (o->baseline && o->baseline_commit)
        return usage_error(err, "%s: give --baseline or --baseline-commit, not both",
                           "--baseline-commit");
    /* the workers' limits come from the environment: bad values are refused
       before anything starts */
    if (o->command == TL_CMD_ANALYZE || o->command == TL_CMD_CHECK || o->command == TL_CMD_SUMMARIZE ||
        o->command == TL_CMD_LSP) {
        tl_pool_limits limits;
        char msg[256];
        if (tl_pool_limits_from_env(&limits, msg, sizeof msg) != 0)
            return usage_error(err, "%s", msg);
    }
    return 0;
}

void tl_cli_options_free(tl_cli_options *o) {
    for (size_t i = 0; i < o->npaths; i++) free(o->paths[i]);
    free(o->paths);
    for (int i = 0; i < o->nextra; i++) free(o->extra_args[i]);
    free(o->extra_args);
    for (size_t i = 0; i < o->nmodel_files; i++) free(o->model_files[i]);
    free(o->model_files);
    for (size_t i = 0; i < o->nexcludes; i++) free(o->excludes[i]);
    free(o->excludes);
    free(o->command_line);
    memset(o, 0, sizeof *o);
}
