/* cli.h - the command line tool's pieces: options, inputs (files found on
 * disk or entries of a compile_commands.json), the worker pool, progress.
 * main.c glues them together. */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "driver.h"
#include "model/model.h"
#include "report/text_output.h"

/* ---- options (options.c) ---- */

typedef enum {
    TL_CMD_ANALYZE = 0,
    TL_CMD_LIST_RULES,
    TL_CMD_EXPLAIN,
    TL_CMD_VERSION,
    TL_CMD_HELP
} tl_cli_command;

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

/* ---- workers (workers.c) ---- */

typedef void (*tl_result_fn)(void *ctx, size_t index, tl_tu_result *r);

typedef enum {
    TL_POOL_DONE = 0,       /* every TU was analysed and handed to on_result */
    TL_POOL_INTERRUPTED,    /* *stop was set; all workers have finished */
    TL_POOL_ABANDONED       /* *stop was set; some workers are still parsing */
} tl_pool_status;

/* Analyses every TU with `jobs` worker threads (each with its own CXIndex);
 * calls on_result on the calling thread in input order.  When *stop becomes
 * nonzero no new TU is started and no more results are reported. */
tl_pool_status tl_pool_run(const tl_cli_tus *tus, const tl_options *opts,
                           const tl_model_set *base, int jobs,
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
