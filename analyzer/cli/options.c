/* options.c - command line parsing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/rule.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

void tl_cli_print_help(FILE *out) {
    fputs(
        "Usage: tasklint [options] PATH... [-- COMPILER_ARGS...]\n"
        "       tasklint -p BUILD_DIR [options] [PATH...] [-- COMPILER_ARGS...]\n"
        "       tasklint check [--baseline NAME|FILE | --baseline-commit REF] [options] PATH...\n"
        "       tasklint runs | diff [RUN_A [RUN_B]] | baseline set [RUN] |\n"
        "                baseline export FILE | triage FINGERPRINT STATE REASON\n"
        "\n"
        "Finds async task-lifecycle bugs in C: spawned tasks that are never joined,\n"
        "work torn down before it is awaited, waits without a timeout, and blocking\n"
        "calls inside coroutines and event-loop callbacks.\n"
        "\n"
        "PATH is a C file or a directory (searched recursively for *.c files).\n"
        "With -p, the files come from BUILD_DIR/compile_commands.json and PATHs\n"
        "only select entries (a file, or every entry under a directory).\n"
        "\n"
        "Options:\n"
        "  -p DIR               read DIR/compile_commands.json\n"
        "  -- ARGS...           compiler arguments for every file (-I, -D, -std=...)\n"
        "  --enable RULE[,RULE] enable rules (overrides the config file)\n"
        "  --disable RULE[,..]  disable rules (overrides the config file)\n"
        "  --profile NAME       default, or strict (also flags forever joins, accept\n"
        "                       and event loops, condition waits)\n"
        "  --config FILE        use this project config for every file\n"
        "  --no-config          do not look for .tasklint.yaml files\n"
        "  --models FILE        load an extra library model file (repeatable)\n"
        "  -j N, --jobs N       analyse N files in parallel (default: CPUs online)\n"
        "  --color WHEN         auto (default), always or never; NO_COLOR (non-empty) always disables colour\n"
        "  -q, --quiet          no summary line\n"
        "  -v, --verbose        diff/check: also list unchanged findings\n"
        "  --format FMT         text (default), json or sarif\n"
        "  --output FILE        write the findings to FILE instead of stdout\n"
        "\n"
        "Findings store (every run is recorded; unchanged files are not re-analysed):\n"
        "  --db PATH            the store (default: .tasklint/findings.db at the\n"
        "                       project root)\n"
        "  --no-db              do not read or write the store\n"
        "                       (TASKLINT_DB=PATH sets the default database, TASKLINT_DB=none\n"
        "                       disables it; the options win over the variable)\n"
        "  --baseline NAME|FILE compare with a baseline: a name set with `baseline set`,\n"
        "                       or a file written by `baseline export`; new findings\n"
        "                       are tagged [new]\n"
        "  --baseline-commit REF  compare with git commit REF, analysed in a temporary\n"
        "                       worktree\n"
        "  --fail-on WHICH      new, any or none: which findings make the exit status 1\n"
        "                       (default: new with a baseline, else any)\n"
        "  --name NAME          baseline set/export: the baseline's name (default: default)\n"
        "  --run RUN            baseline export: export this run\n"
        "\n"
        "Subcommands:\n"
        "  check PATH...        analyse, print only findings new since the baseline\n"
        "                       (default: the baseline named default), then\n"
        "                       'N new, M unchanged, K fixed'\n"
        "  runs                 the recorded runs with counts per rule\n"
        "  diff [A [B]]         new, fixed (and with -v unchanged) findings between two\n"
        "                       runs (default: the last two complete runs; --baseline as A)\n"
        "  baseline set [RUN]   name a run (default: the newest complete run) as baseline\n"
        "  baseline export FILE write a baseline as a sorted text file to commit\n"
        "  triage FP STATE REASON  record a decision for a finding's fingerprint (or a\n"
        "                       unique prefix of 8+ characters): false-positive,\n"
        "                       intentional or confirmed; kept across runs\n"
        "A PATH named like a subcommand can be given as ./NAME.\n"
        "  --list-rules         list the rules\n"
        "  --explain RULE       print a rule's documentation\n"
        "  --version            print the version\n"
        "  -h, --help           print this help\n"
        "\n"
        "Suppress a finding with a comment: // tasklint-ignore(RULE): reason\n"
        "(also -next-line, -begin/-end and -file forms).\n"
        "\n"
        "Exit status: 0 no findings, 1 findings (see --fail-on), 2 usage or fatal\n"
        "error (also a store that cannot be opened), 130 interrupted.\n",
        out);
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
                   {"triage", TL_CMD_TRIAGE}};

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
            else return usage_error(err, "--format: expected text, json or sarif, got '%s'", val);
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
