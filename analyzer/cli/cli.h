/* cli.h - the command line tool's pieces: options, inputs (files found on
 * disk or entries of a compile_commands.json), the worker pool, progress.
 * main.c dispatches the commands; analyze.c and run.c (run.h) drive the
 * analysis. */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "driver.h"
#include "model/model.h"
#include "report/text_output.h"
#include "store/store.h"

/* ---- options (options.c) ---- */

typedef enum {
    TL_CMD_ANALYZE = 0,
    TL_CMD_LIST_RULES,
    TL_CMD_EXPLAIN,
    TL_CMD_VERSION,
    TL_CMD_HELP,
    TL_CMD_CHECK,    /* tasklint check PATH...: analyse, compare with a baseline */
    TL_CMD_RUNS,     /* tasklint runs */
    TL_CMD_DIFF,     /* tasklint diff [RUN_A [RUN_B]] */
    TL_CMD_BASELINE, /* tasklint baseline set [RUN] | export FILE */
    TL_CMD_TRIAGE,   /* tasklint triage FINGERPRINT STATE REASON */
    TL_CMD_HELP_MAN, /* --help-man: the manual page (manpage.c) */
    TL_CMD_SUMMARIZE,/* tasklint summarize -o FILE PATH...: phase 1 into a file */
    TL_CMD_LINK,     /* tasklint link FILE...: phase 2 over summary files */
    TL_CMD_REPORT,   /* tasklint report --html DIR (cmd_report.c) */
    TL_CMD_GC,       /* tasklint gc: drop old runs (cmd_gc.c) */
    TL_CMD_LSP       /* tasklint lsp: the language server on stdio (analyzer/lsp) */
} tl_cli_command;

typedef enum { TL_FAIL_DEFAULT = 0, TL_FAIL_NEW, TL_FAIL_ANY, TL_FAIL_NONE } tl_fail_on;
typedef enum {
    TL_FORMAT_TEXT = 0,
    TL_FORMAT_JSON,
    TL_FORMAT_SARIF,
    TL_FORMAT_GITHUB,     /* GitHub Actions workflow commands */
    TL_FORMAT_CODECLIMATE /* GitLab Code Quality */
} tl_format;

typedef struct {
    tl_cli_command command;
    const char *explain_rule;
    char **paths;             /* PATH arguments */
    size_t npaths;
    char **extra_args;        /* after "--" */
    int nextra;
    const char *compdb_dir;   /* -p DIR */
    bool no_compdb;           /* --no-compdb: no compile_commands.json discovery */
    tl_options opts;          /* profile, rule states, config */
    char **model_files;       /* --models, in order */
    size_t nmodel_files;
    char **excludes;          /* --exclude GLOB, in order */
    size_t nexcludes;
    int jobs;                 /* 0: number of online CPUs */
    tl_color_mode color;
    bool quiet;
    bool verbose;             /* -v: diff/check also list unchanged findings; notes */
    bool show_config;         /* --show-config: print the effective settings, exit */
    bool statistics;          /* --statistics: per-rule counts after the summary */
    /* findings store */
    const char *db_path;      /* --db PATH */
    bool no_db;               /* --no-db */
    bool no_shared_headers;   /* --no-shared-headers: every TU parsed plainly */
    const char *baseline;     /* --baseline NAME|FILE */
    const char *baseline_commit; /* --baseline-commit REF */
    tl_fail_on fail_on;       /* --fail-on */
    tl_format format;         /* --format */
    bool include_suppressed;  /* --include-suppressed: SARIF results with suppressions */
    const char *output;       /* --output FILE */
    const char *name;         /* --name NAME (baseline set) */
    const char *run;          /* --run RUN (baseline export, report) */
    const char *html_dir;     /* --html DIR (report) */
    int keep_runs;            /* --keep-runs N (gc); 0: the config's, else the default */
    int keep_trend;           /* --keep-trend WHEN (gc): 0 unset, 1 none, 2 day, 3 week */
    char *command_line;       /* argv joined, shell-quoted where needed */
} tl_cli_options;

/* Parses argv.  Returns 0, or 2 after printing a usage error to err. */
int tl_cli_parse(int argc, char **argv, tl_cli_options *o, FILE *err);
void tl_cli_options_free(tl_cli_options *o);
void tl_cli_print_help(FILE *out);

/* ---- the documentation of the command line (options.c) ----
 * One set of tables that --help and the manual page (--help-man) print. */

/* The sections of --help and the manual page, in the order printed. */
typedef enum {
    TL_OPTSEC_INPUT = 0, /* what is analysed: -p, --no-compdb, -- */
    TL_OPTSEC_RULES,     /* rules, profile, config, models */
    TL_OPTSEC_OUTPUT,    /* what is printed and where */
    TL_OPTSEC_STORE,     /* the findings store and baselines */
    TL_OPTSEC_OTHER,     /* jobs, information */
    TL_OPTSEC_HIDDEN /* accepted but not documented: aliases, --help-man */
} tl_cli_option_section;

typedef struct {
    const char *title; /* "Findings store" */
    const char *intro; /* or NULL */
} tl_cli_section_doc;

/* One option: the shape of a getopt_long table plus its documentation. */
typedef struct {
    const char *long_name; /* "enable" for --enable; "" for the "--" separator; NULL: short only */
    char short_name;       /* 'j' for -j, or 0 */
    const char *arg;       /* "N", "RULE[,RULE]"; NULL: takes no value */
    const char *help;      /* one paragraph, no line breaks; NULL ends the table */
    tl_cli_option_section section;
} tl_cli_option_doc;

typedef struct {
    const char *name; /* "baseline" (one entry per form: set, export) */
    const char *args; /* "set [RUN]", or "" */
    const char *help;
} tl_cli_command_doc;

typedef struct {
    const char *name; /* "TASKLINT_DB", "2"; NULL ends the table */
    const char *text;
} tl_cli_text_doc;

extern const char tl_cli_help_summary[];               /* "find async task-lifecycle bugs ..." */
extern const char *const tl_cli_usage_docs[];          /* "[OPTIONS] PATH... ...", NULL-ended */
extern const char *const tl_cli_description_docs[];    /* paragraphs, NULL-ended */
extern const tl_cli_section_doc tl_cli_option_sections[TL_OPTSEC_HIDDEN];
extern const tl_cli_option_doc tl_cli_option_docs[];
extern const tl_cli_command_doc tl_cli_command_docs[]; /* NULL name ends it */
extern const tl_cli_text_doc tl_cli_environment_docs[];
extern const tl_cli_text_doc tl_cli_exit_status_docs[];
/* "-j N, --jobs N" (malloc'd) */
char *tl_cli_option_label(const tl_cli_option_doc *d);

/* manpage.c: tasklint(1) as roff, from the tables above and the rules'
 * documentation.  The date is SOURCE_DATE_EPOCH's, else today's. */
void tl_cli_print_man(FILE *out);
/* The markdown of a rule's documentation as man macros (the RULES section). */
void tl_cli_man_markdown(FILE *out, const char *markdown);
/* "orphaned-spawn, unawaited-task, ..." (malloc'd) */
char *tl_cli_rule_list(void);

/* suggest.c: the edit distance (with transpositions) between two words, and
 * the known word closest to `word` if it is close enough to be a slip
 * (NULL otherwise). */
size_t tl_edit_distance(const char *a, const char *b);
const char *tl_suggest(const char *word, const char *const *known, size_t n);

/* ---- inputs ---- */

typedef struct {
    char *file;      /* path handed to the driver */
    char *directory; /* working directory (compile_commands.json), or NULL */
    char **args;     /* compiler arguments without the file */
    int nargs;
    bool from_compdb;
} tl_cli_tu;

typedef struct {
    tl_cli_tu *items;
    size_t n, cap;
    bool input_errors; /* an input was reported and skipped: exit 2 at the end */
} tl_cli_tus;

void tl_cli_tus_free(tl_cli_tus *t);
void tl_cli_tu_free(tl_cli_tu *tu);

/* exclude.c: --exclude and the `exclude:` globs of the project config (the
 * --config file, else ROOT's .tasklint.yaml unless --no-config).  A glob
 * matches a path relative to the project root with fnmatch FNM_PATHNAME;
 * a leading "**" + "/" matches any directories; a glob that matches a
 * directory excludes every file under it. */
bool tl_exclude_match(const char *glob, const char *relpath);
/* Drops the TUs whose file matches one of the globs; returns how many. */
size_t tl_exclude_tus(const tl_cli_options *o, const char *root, tl_cli_tus *tus);

/* ---- summary files (summary_file.c): `summarize` writes, `link` reads ---- */

/* Writes the header and every TU with its phase-1 result (results[i] for
 * tus->items[i]).  0, or -1 with err. */
int tl_summary_file_write(FILE *out, const char *tool_id, const char *config_hash, const tl_cli_tus *tus,
                          const tl_tu_result *results, char *err, size_t errsz);
/* Appends a summary file's TUs to tus and their results to *results (grown
 * to tus->n).  A file of another tasklint (tool_id), a truncated or damaged
 * one is refused whole: -1 with err, nothing appended. */
int tl_summary_file_read(const char *path, const char *tool_id, tl_cli_tus *tus, tl_tu_result **results,
                         char *err, size_t errsz);
tl_cli_tu *tl_cli_tus_add(tl_cli_tus *t, const char *file, const char *directory);
void tl_cli_tu_add_arg(tl_cli_tu *tu, const char *arg);

/* discover.c: files named on the command line and *.c files under the
 * directories (sorted; hidden directories and CMake build directories are
 * skipped).  Each gets `extra` as its arguments.  Returns 0, or 2 after
 * printing an error (a path that does not exist, cannot be read or is not
 * a regular file or directory: a FIFO would hang clang). */
int tl_discover(char *const *paths, size_t npaths, char *const *extra, int nextra,
                tl_cli_tus *out, FILE *err);

/* compile_db.c (-p; see compile_db.h and compile_args.h for the pieces) */
/* Loads DIR/compile_commands.json, or the database file DIR names (any
 * name).  Entries are kept when no filter is given, or when their file
 * equals a filter path or lies under a filter directory; their arguments
 * pass the allow-list, then `extra` is appended.  A file listed twice is
 * analysed once (first entry).  An entry that cannot be used (its file is a
 * FIFO or a device, a bad response file) is reported and skipped, and
 * out->input_errors is set.  verbose: a note lists the dropped arguments.
 * Returns 0, or 2 after printing an error. */
int tl_compdb_load(const char *dir, char *const *filters, size_t nfilters, char *const *extra,
                   int nextra, bool verbose, tl_cli_tus *out, FILE *err);
/* discover.c: without -p, each TU whose directory or a parent (or their
 * build/ subdirectory) holds a compile_commands.json gets, when the nearest
 * such database lists its file, that entry's directory and allow-listed
 * arguments (then `extra`), like clang-tidy finds a database.  A database
 * that cannot be read is skipped with a warning (the search goes on);
 * entries that cannot be used are reported and set input_errors.
 * verbose: notes name the databases used and the dropped arguments. */
void tl_discover_compdbs(tl_cli_tus *tus, char *const *extra, int nextra, bool verbose,
                         FILE *err);

/* ---- helpers (git.c) ---- */

/* Runs git with `argv` (without "git") in `dir`; stdout (trailing newline
 * stripped) into *out (malloc'd) when out is not NULL.  stderr goes to
 * *errout likewise, or is discarded.  Returns git's exit status, or -1 when
 * git cannot be run. */
int tl_git(const char *dir, const char *const *argv, char **out, char **errout);
/* The commit HEAD names and the branch (NULL when detached / not a repo).
 * Uses git when available, else reads .git/HEAD, refs and packed-refs. */
void tl_git_head(const char *dir, char **commit, char **branch);
/* The repository's top level directory, or NULL. */
char *tl_git_toplevel(const char *dir);

/* ---- the findings store from the command line (run_store.c) ---- */


/* Opens the store named by --db, else the default one of `root`.  With
 * create false a missing store is an error ("run an analysis first").
 * Prints the error (and what to do) and returns 2 on failure. */
int tl_cli_store_open(const tl_cli_options *o, const char *root, bool create,
                      tl_store **out);
/* The same for commands that only read (runs, diff, baseline export): the
 * store is opened read-only, so one the user cannot write is read too. */
int tl_cli_store_open_readonly(const tl_cli_options *o, const char *root, tl_store **out);
/* "tasklint: error: MSG" plus a hint for the status (the file is never
 * touched; --no-db; --db). */
void tl_cli_store_report(const tl_store_error *e, const char *path);
/* The project root for a subcommand (from the current directory) or for
 * the analysed paths. (malloc'd) */
char *tl_cli_root_for(const char *first_path);
/* Lexically normalised absolute path (".", ".." and "//" removed), joined
 * to `dir` (or the current directory) when relative. (malloc'd) */
char *tl_cli_abspath(const char *path, const char *dir);
/* Hash of what decides the analysis besides the sources: the built-in and
 * --models model texts, the --config file, --no-config, the profile and the
 * rule states. (hex, malloc'd) */
char *tl_cli_config_hash(const tl_cli_options *o);
/* Hash for one TU: the global hash plus the project config that applies to
 * `abs_file` (looked up like the driver does).  Cached per config file. */
const char *tl_cli_tu_config_hash(const tl_cli_options *o, const char *global,
                                  const char *abs_file);
/* The tool identity in TU keys: the version plus the executable's size and
 * mtime, so a rebuilt tasklint never reuses results of another build. */
char *tl_cli_tool_identity(void);
/* The key to record a TU under when its worker crashed: the run keeps its
 * crash finding, but tl_store_reuse_tu never finds it, so the next run
 * analyses the file again. (malloc'd) */
char *tl_cli_unreusable_tu_key(const char *key);
/* A run id: "12"; returns 0 or -1. */
int tl_cli_parse_run(const char *s, int64_t *out);

/* A sorted set of fingerprints. */
typedef struct {
    char **v;
    size_t n;
} tl_fpset;
/* Every finding with a fingerprint (skip_suppressed: unsuppressed ones). */
void tl_fpset_build(tl_fpset *s, const tl_findings *fs, bool skip_suppressed);
bool tl_fpset_has(const tl_fpset *s, const char *fp);
void tl_fpset_free(tl_fpset *s);

/* The findings of a baseline: SPEC is a file when such a file exists, else
 * the name of a baseline in the store (store may be NULL: then only files
 * work).  *label describes it ("baseline 'default' (run 3)", "FILE").
 * Returns 0, or 2 after printing an error. */
int tl_cli_load_baseline(tl_store *s, const char *spec, tl_findings *out, char **label);

/* triage tag of a finding for text output: " (triaged: STATE: reason)" or "" */
char *tl_cli_triage_tag(const tl_finding *f);
/* Prints one finding like tl_text_print_finding, with `tags` appended to its
 * first line. */
void tl_cli_print_tagged(FILE *out, const tl_finding *f, const tl_text_options *o,
                         const char *tags);

/* ---- subcommands (cmd_*.c) ---- */
int tl_cmd_runs(const tl_cli_options *o);
int tl_cmd_diff(const tl_cli_options *o);
int tl_cmd_baseline(const tl_cli_options *o);
int tl_cmd_triage(const tl_cli_options *o);
int tl_cmd_report(const tl_cli_options *o);
int tl_cmd_gc(const tl_cli_options *o);
/* After a run: applies the project config's `keep_runs:` (cmd_gc.c); a
 * failure is a warning, the run stays recorded. */
void tl_cli_gc_after_run(const tl_cli_options *o, tl_store *s, const char *root);
/* analyzer/lsp/server.c: the language server on stdin/stdout until `exit`
 * or end-of-file; base: the built-in and --models models. */
int tl_cmd_lsp(const tl_cli_options *o, const tl_model_set *base);

/* ---- workers (workers.c, worker_proc.c) ---- */

typedef void (*tl_result_fn)(void *ctx, size_t index, tl_tu_result *r);

typedef enum {
    TL_POOL_DONE = 0,       /* every TU was analysed and handed to on_result */
    TL_POOL_INTERRUPTED     /* *stop was set; the workers were killed and reaped */
} tl_pool_status;

/* Analyses every TU in `jobs` worker processes (each with its own CXIndex);
 * calls on_result on the calling thread in input order.  A TU whose worker
 * dies (crash, memory limit) or exceeds the time limit gets a result marked
 * `crashed` with one clang-diagnostic error saying so; the others are not
 * affected.  When *stop becomes nonzero no new TU is started and no more
 * results are reported.  want_units: the workers run phase 1 only and
 * results carry the unit for phase 2 (driver.h).  want_includes: results carry the TU's include
 * list. */
tl_pool_status tl_pool_run(const tl_cli_tus *tus, const tl_options *opts,
                           const tl_model_set *base, int jobs, bool want_includes, bool want_units,
                           volatile sig_atomic_t *stop, tl_result_fn on_result, void *ctx);

typedef struct {
    uint64_t memory_bytes;  /* address-space limit of each worker; 0: none */
    unsigned timeout_s;     /* wall-clock limit per TU; 0: none */
} tl_pool_limits;

/* The workers' limits: TASKLINT_MEMORY_LIMIT (a size such as 2G or 512M,
 * 0 for none; default 4 GiB, or half the physical memory when that is
 * less; not enforced in AddressSanitizer builds) and TASKLINT_TU_TIMEOUT
 * (seconds, 0 for none; default 600).  Returns 0, or -1 with a message
 * (an invalid variable leaves its default in *out). */
int tl_pool_limits_from_env(tl_pool_limits *out, char *msg, size_t msgsz);

/* ---- --show-config (show_config.c) ---- */

/* Prints the effective settings (config file, profile, rules, models,
 * store, jobs) and where each comes from.  Returns 0, or 2 after printing
 * an error (a config file that cannot be read). */
int tl_cli_show_config(const tl_cli_options *o, FILE *out);

/* ---- --statistics (statistics.c) ---- */

/* The rule id of every finding a run counts. */
typedef struct {
    char **rules;
    size_t n, cap;
} tl_rule_counts;

void tl_rule_counts_add(tl_rule_counts *s, const char *rule);
/* "Findings by rule:" then "  COUNT  RULE" lines, most first (sorts s). */
void tl_rule_counts_print(FILE *out, tl_rule_counts *s);
void tl_rule_counts_free(tl_rule_counts *s);

/* ---- progress (progress.c) ---- */

typedef struct {
    bool enabled;
    size_t total;
    bool drawn;
    FILE *out;
} tl_progress;

/* Enabled when `out` is a terminal and there are more than a few TUs. */
void tl_progress_init(tl_progress *p, FILE *out, size_t total, bool allowed);
/* "[done/total] name", rewriting the line. */
void tl_progress_update(tl_progress *p, size_t done, const char *name);
/* Erase the line (before printing anything else to the terminal). */
void tl_progress_clear(tl_progress *p);

#endif
