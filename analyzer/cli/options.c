/* options.c - command line parsing, and the tables that document it (--help
 * prints them here, the manual page in manpage.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
    [TL_OPTSEC_ANALYSIS] = {"Analysis options", NULL},
    [TL_OPTSEC_STORE] = {"Findings store",
                         "every run is recorded; unchanged files are not re-analysed"},
    [TL_OPTSEC_INFO] = {"Information", NULL},
};

const tl_cli_option_doc tl_cli_option_docs[] = {
    {NULL, 'p', "DIR|FILE",
     "read DIR/compile_commands.json, or the database FILE: each entry is analysed with its own "
     "arguments (without -p: the compile_commands.json found next to each file, in its "
     "directory, a parent or their build/)",
     TL_OPTSEC_ANALYSIS},
    {"no-compdb", 0, NULL, "do not look for a compile_commands.json", TL_OPTSEC_ANALYSIS},
    {"", 0, "ARGS...",
     "compiler arguments for every file (-I, -D, -std=...); with -p they are added to each "
     "entry's own",
     TL_OPTSEC_ANALYSIS},
    {"enable", 0, "RULE[,RULE]", "enable rules (repeatable; overrides the config file)",
     TL_OPTSEC_ANALYSIS},
    {"disable", 0, "RULE[,RULE]", "disable rules (repeatable; overrides the config file)",
     TL_OPTSEC_ANALYSIS},
    {"profile", 0, "NAME",
     "default, or strict (also flags forever joins, accept and event loops, condition waits)",
     TL_OPTSEC_ANALYSIS},
    {"config", 0, "FILE", "use this project config for every file", TL_OPTSEC_ANALYSIS},
    {"no-config", 0, NULL, "do not look for .tasklint.yaml files", TL_OPTSEC_ANALYSIS},
    {"models", 0, "FILE", "load an extra library model file (repeatable)", TL_OPTSEC_ANALYSIS},
    {"jobs", 'j', "N",
     "analyse N files in parallel (default: CPUs online), each in a worker process limited by "
     "TASKLINT_MEMORY_LIMIT and TASKLINT_TU_TIMEOUT",
     TL_OPTSEC_ANALYSIS},
    {"color", 0, "WHEN",
     "auto (default), always or never; NO_COLOR (non-empty) always disables colour",
     TL_OPTSEC_ANALYSIS},
    {"quiet", 'q', NULL, "no summary line", TL_OPTSEC_ANALYSIS},
    {"verbose", 'v', NULL,
     "diff/check: also list unchanged findings; name the compile databases used and the "
     "arguments dropped",
     TL_OPTSEC_ANALYSIS},
    {"format", 0, "FMT",
     "text (default), json, sarif, github (Actions annotations) or codeclimate (GitLab Code "
     "Quality)",
     TL_OPTSEC_ANALYSIS},
    {"output", 'o', "FILE", "write the findings to FILE instead of stdout", TL_OPTSEC_ANALYSIS},
    {"include-suppressed", 0, NULL,
     "sarif: also write suppressed findings, with suppressions[].justification (the comment's "
     "reason)",
     TL_OPTSEC_ANALYSIS},

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
    {"run", 0, "RUN", "baseline export: export this run", TL_OPTSEC_STORE},

    {"list-rules", 0, NULL, "list the rules", TL_OPTSEC_INFO},
    {"explain", 0, "RULE", "print a rule's documentation", TL_OPTSEC_INFO},
    {"version", 0, NULL, "print the version", TL_OPTSEC_INFO},
    {"help", 'h', NULL, "print this help", TL_OPTSEC_INFO},

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

/* Matches "--name" or "--name=value"; sets *val (NULL if no '=' form). */
static bool long_opt(const char *arg, const char *name, const char **val) {
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return false;
    if (arg[n] == 0) {
        *val = NULL;
        return true;
    }
    if (arg[n] == '=') {
        *val = arg + n + 1;
        return true;
    }
    return false;
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
                   {"link", TL_CMD_LINK}};

int tl_cli_parse(int argc, char **argv, tl_cli_options *o, FILE *err) {
    memset(o, 0, sizeof *o);
    tl_options_init(&o->opts);
    o->color = TL_COLOR_AUTO;
    o->command_line = join_command_line(argc, argv);
    tl_cli_command sub = TL_CMD_ANALYZE;
    bool positional_seen = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        /* options that take a value: --opt=V, --opt V (and -pDIR, -jN) */
#define NEED_VALUE(name)                                                   \
    do {                                                                   \
        if (!val) {                                                        \
            if (i + 1 >= argc) return usage_error(err, "%s needs a value", name); \
            val = argv[++i];                                               \
        }                                                                  \
    } while (0)
        if (!strcmp(a, "--")) {
            for (int k = i + 1; k < argc; k++) {
                o->extra_args = tl_xrealloc(o->extra_args, (size_t)(o->nextra + 1) *
                                                               sizeof *o->extra_args);
                o->extra_args[o->nextra++] = tl_xstrdup(argv[k]);
            }
            break;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            o->command = TL_CMD_HELP;
        } else if (!strcmp(a, "--help-man")) {
            if (o->command == TL_CMD_ANALYZE) o->command = TL_CMD_HELP_MAN;
        } else if (!strcmp(a, "--version")) {
            if (o->command == TL_CMD_ANALYZE) o->command = TL_CMD_VERSION;
        } else if (!strcmp(a, "--list-rules")) {
            if (o->command == TL_CMD_ANALYZE) o->command = TL_CMD_LIST_RULES;
        } else if (long_opt(a, "--explain", &val)) {
            NEED_VALUE("--explain");
            if (o->command == TL_CMD_ANALYZE || o->command == TL_CMD_EXPLAIN) {
                o->command = TL_CMD_EXPLAIN;
                o->explain_rule = val;
            }
        } else if (long_opt(a, "--enable", &val)) {
            NEED_VALUE("--enable");
            int rc = set_rules(o, val, 1, "--enable", err);
            if (rc) return rc;
        } else if (long_opt(a, "--disable", &val)) {
            NEED_VALUE("--disable");
            int rc = set_rules(o, val, 0, "--disable", err);
            if (rc) return rc;
        } else if (long_opt(a, "--profile", &val)) {
            NEED_VALUE("--profile");
            if (!strcmp(val, "default")) o->opts.profile = TL_PROFILE_DEFAULT;
            else if (!strcmp(val, "strict")) o->opts.profile = TL_PROFILE_STRICT;
            else
                return usage_error(err, "--profile: unknown profile '%s' (default or strict)",
                                   val);
            o->opts.profile_set = true;
        } else if (long_opt(a, "--config", &val)) {
            NEED_VALUE("--config");
            if (!*val) return usage_error(err, "%s needs a file", "--config");
            o->opts.config_path = val;
        } else if (!strcmp(a, "--no-config")) {
            o->opts.no_config = true;
        } else if (long_opt(a, "--models", &val)) {
            NEED_VALUE("--models");
            push(&o->model_files, &o->nmodel_files, val);
        } else if (long_opt(a, "--jobs", &val) || !strncmp(a, "-j", 2)) {
            if (a[1] == 'j') val = a[2] ? a + 2 : NULL;
            NEED_VALUE("-j");
            char *end;
            errno = 0;
            long n = strtol(val, &end, 10);
            if (errno || end == val || *end || n < 1 || n > 1024)
                return usage_error(err, "-j: expected a number of jobs from 1 to 1024, got '%s'",
                                   val);
            o->jobs = (int)n;
        } else if (long_opt(a, "--color", &val) || long_opt(a, "--colour", &val)) {
            NEED_VALUE("--color");
            if (tl_color_mode_parse(val, &o->color) != 0)
                return usage_error(err, "--color: expected auto, always or never, got '%s'",
                                   val);
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = true;
        } else if (long_opt(a, "--db", &val)) {
            NEED_VALUE("--db");
            if (!*val) return usage_error(err, "%s needs a file", "--db");
            o->db_path = val;
        } else if (!strcmp(a, "--no-db")) {
            o->no_db = true;
        } else if (!strcmp(a, "--include-suppressed")) {
            o->include_suppressed = true;
        } else if (long_opt(a, "--baseline", &val)) {
            NEED_VALUE("--baseline");
            if (!*val) return usage_error(err, "%s needs a name or a file", "--baseline");
            o->baseline = val;
        } else if (long_opt(a, "--baseline-commit", &val)) {
            NEED_VALUE("--baseline-commit");
            if (!*val) return usage_error(err, "%s needs a git revision", "--baseline-commit");
            o->baseline_commit = val;
        } else if (long_opt(a, "--fail-on", &val)) {
            NEED_VALUE("--fail-on");
            if (!strcmp(val, "new")) o->fail_on = TL_FAIL_NEW;
            else if (!strcmp(val, "any")) o->fail_on = TL_FAIL_ANY;
            else if (!strcmp(val, "none")) o->fail_on = TL_FAIL_NONE;
            else return usage_error(err, "--fail-on: expected new, any or none, got '%s'", val);
        } else if (long_opt(a, "--format", &val)) {
            NEED_VALUE("--format");
            if (!strcmp(val, "text")) o->format = TL_FORMAT_TEXT;
            else if (!strcmp(val, "json")) o->format = TL_FORMAT_JSON;
            else if (!strcmp(val, "sarif")) o->format = TL_FORMAT_SARIF;
            else if (!strcmp(val, "github")) o->format = TL_FORMAT_GITHUB;
            else if (!strcmp(val, "codeclimate")) o->format = TL_FORMAT_CODECLIMATE;
            else return usage_error(err, "--format: expected text, json, sarif, github or "
                                         "codeclimate, got '%s'", val);
        } else if (long_opt(a, "--output", &val) || !strcmp(a, "-o")) {
            NEED_VALUE("--output");
            if (!*val) return usage_error(err, "%s needs a file", "--output");
            o->output = val;
        } else if (long_opt(a, "--name", &val)) {
            NEED_VALUE("--name");
            if (!*val) return usage_error(err, "%s needs a name", "--name");
            o->name = val;
        } else if (long_opt(a, "--run", &val)) {
            NEED_VALUE("--run");
            o->run = val;
        } else if (!strcmp(a, "--no-compdb")) {
            o->no_compdb = true;
        } else if (!strncmp(a, "-p", 2)) {
            val = a[2] ? a + 2 : NULL;
            NEED_VALUE("-p");
            o->compdb_dir = val;
        } else if (a[0] == '-' && a[1] != 0) {
            return usage_error(err, "unknown option '%s'", a);
        } else {
            if (!positional_seen) {
                positional_seen = true;
                bool is_sub = false;
                for (size_t k = 0; k < sizeof subcommands / sizeof *subcommands; k++)
                    if (!strcmp(a, subcommands[k].name)) {
                        sub = subcommands[k].cmd;
                        is_sub = true;
                    }
                if (is_sub) continue;
            }
            push(&o->paths, &o->npaths, a);
        }
#undef NEED_VALUE
    }
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
    if (o->command == TL_CMD_ANALYZE || o->command == TL_CMD_CHECK || o->command == TL_CMD_SUMMARIZE) {
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
    free(o->command_line);
    memset(o, 0, sizeof *o);
}
