/* cli.h - the command line tool's pieces: options, inputs (files found on
 * disk or entries of a compile_commands.json), the worker pool, progress.
 * main.c glues them together. */
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
    TL_CMD_TRIAGE    /* tasklint triage FINGERPRINT STATE REASON */
} tl_cli_command;

typedef enum { TL_FAIL_DEFAULT = 0, TL_FAIL_NEW, TL_FAIL_ANY, TL_FAIL_NONE } tl_fail_on;
typedef enum { TL_FORMAT_TEXT = 0, TL_FORMAT_JSON, TL_FORMAT_SARIF } tl_format;

typedef struct {
    tl_cli_command command;
    const char *explain_rule;
    char **paths;             /* PATH arguments */
    size_t npaths;
    char **extra_args;        /* after "--" */
    int nextra;
    const char *compdb_dir;   /* -p DIR */
    tl_options opts;          /* profile, rule states, config */
    char **model_files;       /* --models, in order */
    size_t nmodel_files;
    int jobs;                 /* 0: number of online CPUs */
    tl_color_mode color;
    bool quiet;
    bool verbose;             /* -v: diff/check also list unchanged findings */
    /* findings store */
    const char *db_path;      /* --db PATH */
    bool no_db;               /* --no-db */
    const char *baseline;     /* --baseline NAME|FILE */
    const char *baseline_commit; /* --baseline-commit REF */
    tl_fail_on fail_on;       /* --fail-on */
    tl_format format;         /* --format */
    const char *output;       /* --output FILE */
    const char *name;         /* --name NAME (baseline set) */
    const char *run;          /* --run RUN (baseline export) */
    char *command_line;       /* argv joined, shell-quoted where needed */
} tl_cli_options;

/* Parses argv.  Returns 0, or 2 after printing a usage error to err. */
int tl_cli_parse(int argc, char **argv, tl_cli_options *o, FILE *err);
void tl_cli_options_free(tl_cli_options *o);
void tl_cli_print_help(FILE *out);
/* "orphaned-spawn, unawaited-task, ..." (malloc'd) */
char *tl_cli_rule_list(void);

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
} tl_cli_tus;

void tl_cli_tus_free(tl_cli_tus *t);
tl_cli_tu *tl_cli_tus_add(tl_cli_tus *t, const char *file, const char *directory);
void tl_cli_tu_add_arg(tl_cli_tu *tu, const char *arg);

/* discover.c: files named on the command line and *.c files under the
 * directories (sorted; hidden directories and CMake build directories are
 * skipped).  Each gets `extra` as its arguments.  Returns 0, or 2 after
 * printing an error (a path that does not exist / cannot be read). */
int tl_discover(char *const *paths, size_t npaths, char *const *extra, int nextra,
                tl_cli_tus *out, FILE *err);

/* compile_db.c */
/* Syntax-checks JSON text; on error returns -1 and writes
 * "line L, column C: what" to msg. */
int tl_json_check(const char *text, size_t len, char *msg, size_t msgsz);
/* Checks a compile_commands.json document: JSON syntax plus its shape (an
 * array of objects with "directory", "file" and "command" or "arguments"). */
int tl_compdb_check(const char *text, size_t len, char *msg, size_t msgsz);
/* The arguments of an entry's command line that tasklint keeps: drops the
 * compiler (and a ccache-style wrapper), -c, -o X, the source file,
 * dependency-file options and -Werror.  Returns a malloc'd vector of
 * malloc'd strings; *nout set. */
char **tl_compdb_clean_args(const char *const *argv, int argc, const char *file,
                            const char *directory, int *nout);
/* Loads DIR/compile_commands.json (DIR may also name the file itself).
 * Entries are kept when no filter is given, or when their file equals a
 * filter path or lies under a filter directory; `extra` is appended to
 * each entry's arguments.  A file listed twice is analysed once (first
 * entry).  Returns 0, or 2 after printing an error. */
int tl_compdb_load(const char *dir, char *const *filters, size_t nfilters, char *const *extra,
                   int nextra, tl_cli_tus *out, FILE *err);

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

/* ---- workers (workers.c) ---- */

typedef void (*tl_result_fn)(void *ctx, size_t index, tl_tu_result *r);

typedef enum {
    TL_POOL_DONE = 0,       /* every TU was analysed and handed to on_result */
    TL_POOL_INTERRUPTED,    /* *stop was set; all workers have finished */
    TL_POOL_ABANDONED       /* *stop was set; some workers are still parsing */
} tl_pool_status;

/* Analyses every TU with `jobs` worker threads (each with its own CXIndex);
 * calls on_result on the calling thread in input order.  When *stop becomes
 * nonzero no new TU is started and no more results are reported.
 * want_includes: results carry the TU's include list. */
tl_pool_status tl_pool_run(const tl_cli_tus *tus, const tl_options *opts,
                           const tl_model_set *base, int jobs, bool want_includes,
                           volatile sig_atomic_t *stop, tl_result_fn on_result, void *ctx);

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
