/* run.h - what the analysis run (run.c) shares with the commands that
 * drive it (analyze.c) and with main.c.  Internal to analyzer/cli/.
 *
 * run_ctx is one run's state: the TUs, the store lookups and stamps, the
 * results held until their turn to be printed, the counts.  run_env is
 * what stays the same across the runs of one command (a --baseline-commit
 * check runs twice: once in a temporary worktree, once on the tree).
 */
#ifndef TL_CLI_RUN_H
#define TL_CLI_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "driver.h"
#include "report/report.h"
#include "report/text_output.h"
#include "store/fingerprint.h"
#include "store/store.h"
#include "util/str_map.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

/* Set by the first Ctrl-C (analyze.c's handler): the run stops. */
extern volatile sig_atomic_t tl_cli_interrupted;

/* ---- the run ---- */

/* A TU's results, held until it is its turn to be printed: TUs whose
 * results come from the store are known before the workers start, the
 * others arrive from the pool; both are printed in input order. */
typedef struct {
    bool reused;
    bool rerun;   /* reused inputs, but phase 2 ran again: the program changed */
    int64_t from; /* run the results were carried over from */
    tl_findings findings;
    tl_file_stamp *stamps;
    size_t nstamps;
} tu_slot;

typedef struct {
    char *path;
    tl_file_stamp st;
    bool ok;
} stamp_entry;

typedef struct {
    const tl_cli_options *o;
    const tl_cli_tus *tus;
    const char *root;        /* project root: fingerprints, the store */
    char *cwd;               /* with a trailing '/' */
    volatile sig_atomic_t *stop;

    /* output */
    bool print;              /* text findings to `out` */
    bool only_new;           /* check: only new findings (unless -v) */
    FILE *out;
    tl_text_options text;
    tl_progress progress;

    /* store */
    tl_store *store;
    int64_t run;
    char **keys;             /* per TU */
    tu_slot *slots;          /* per TU */
    size_t *miss_map;        /* pool index -> TU index */
    size_t nmiss;
    size_t next_emit;        /* next TU (input order) to print */
    size_t nreused;
    stamp_entry *stamps;     /* every file stamped in this run, sorted by path on demand */
    size_t nstamps, capstamps;
    bool store_failed;

    /* baseline */
    const tl_fpset *baseline;

    /* results */
    tl_summary summary;
    size_t counted;          /* unsuppressed, not triaged false-positive/intentional */
    size_t counted_new;
    size_t nnew, nunchanged;
    size_t ntriaged;
    bool any_fatal;
    bool any_crashed;        /* a TU's worker died (tl_tu_result.crashed) */
    char **fatal_seen;
    size_t nfatal;
    double t_lookup, t_stamp, t_record; /* seconds spent on the store (-v) */
    tl_findings all;         /* every finding, absolute paths, fingerprinted */
    const tl_tu_result **units; /* per TU: the result holding its phase-1 unit (to keep) */
    tl_str_map header_findings; /* findings outside their TU's main file, reported once */
    char **analysed;         /* absolute main files analysed */
    size_t nanalysed;
    tl_rule_counts rule_counts; /* --statistics */
} run_ctx;

/* ---- analysis ---- */

typedef struct {
    const tl_cli_options *o;
    const tl_model_set *base;
    int jobs;
    tl_store *store;
    const char *config_hash;  /* global */
    const char *tool_id;
    bool quiet_progress;
    /* `link`: the phase-1 results read from summary files, one per TU (no
       parse, no reuse from the store) */
    tl_tu_result *preloaded;
} run_env;

typedef struct {
    int status;      /* 0 done, 130 tl_cli_interrupted, 2 store failure */
    bool fatal;
    bool crashed;    /* a worker died on a file: the run is complete, the exit status 2 */
} run_outcome;

/* One analysis run over `tus`, recorded in the store when there is one. */
run_outcome tl_cli_run_analysis(const run_env *env, const tl_cli_tus *tus, const char *root,
                         const char *git_dir, const char *label, run_ctx *c);
void tl_cli_run_ctx_free(run_ctx *c);

/* Between run.c and run_program.c (the whole-program link of a run):
 * phase 1's results kept until the link, one TU's findings processed
 * (printed, stored, counted), a store error reported once. */
typedef struct {
    run_ctx *c;
    tl_tu_result *results; /* per pool index (misses) */
    bool *have;
    size_t ndone;
} phase1_acc;
void tl_cli_collect_result(void *ctx, size_t j, tl_tu_result *r);
void tl_cli_finish_program(run_ctx *c, const run_env *env, phase1_acc *acc, size_t n);
void tl_cli_process_tu(run_ctx *c, size_t index, tl_findings *fs, bool fatal, const char *fatal_msg,
                       bool crashed, char **includes, size_t nincludes, tu_slot *slot);
void tl_cli_run_store_error(run_ctx *c, const tl_store_error *e);

/* analyze.c */
int tl_cli_load_base(const tl_cli_options *o, tl_model_set *base);
int tl_cli_analyze(const tl_cli_options *o);

#endif
