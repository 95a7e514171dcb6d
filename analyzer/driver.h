/* driver.h - analysing one translation unit end to end.
 *
 * parse with libclang -> clang diagnostics as findings -> lower to IR
 * (frontend) -> per-TU facts (analysis) -> enabled rules -> suppression
 * comments.  The CLI calls this once per TU, in worker processes with a
 * CXIndex each (cli/workers.c); the fixture runner calls it in-process.
 */
#ifndef TL_DRIVER_H
#define TL_DRIVER_H

#include <clang-c/Index.h>
#include <stdbool.h>
#include "model/model.h"
#include "report/finding.h"
#include "summary/summary.h"

typedef struct {
    tl_profile profile;
    bool profile_set;        /* --profile given: overrides the config file */
    /* per rule (index into tl_rules): -1 default, 0 disabled, 1 enabled */
    signed char rule_state[16];
    bool no_config;          /* do not look for .tasklint.yaml */
    bool no_suppression_reports; /* --disable suppression (the CLI drops them) */
    const char *config_path; /* --config FILE: use this config for every file */
    const char *root;        /* the project root: the built-in per-path entries
                                are relative to it when no config is found */
    /* shared precompiled prefixes for the CLI's workers (frontend/
       pch_prefix.h), indexed like the worker pool's TU list; NULL: plain */
    const struct tl_pch_plan *pch_plan;
} tl_options;

typedef struct {
    const char *file;        /* main file (absolute or relative to directory) */
    const char *directory;   /* working directory for relative paths, or NULL */
    const char *const *args; /* compiler arguments (without the file name) */
    int nargs;
    bool want_includes;      /* fill tl_tu_result.includes (incremental re-analysis) */
    bool want_unit;          /* tl_analyze_tu_phase1: fill tl_tu_result.unit */
    /* the main file's text from an editor's unsaved buffer (libclang's
       unsaved files; the language server), or NULL: read from disk */
    const char *unsaved_text;
    size_t unsaved_len;
    /* parse against the shared precompiled prefix of the main file's first
       pch_includes includes (frontend/pch_prefix.h), when it can be had;
       any error of that parse falls back to the plain parse.  NULL/0: plain */
    struct tl_pch_cache *pch_cache;
    int pch_includes;
} tl_tu_job;

typedef struct {
    tl_findings findings;
    int nerrors;             /* clang errors in the TU */
    bool fatal;              /* could not be analysed at all */
    char *fatal_message;
    /* set by the CLI's worker pool, never by tl_analyze_tu: the process
       analysing the TU died (a crash, the memory or the time limit); the
       findings hold one clang-diagnostic error that says how */
    bool crashed;
    /* with want_includes: the main file first, then every file the TU
       included (clang_getInclusions), distinct, absolute when the job's
       directory is known or the path was absolute */
    char **includes;
    size_t nincludes;
    /* with want_unit: phase 1's unit, encoded (tl_unit_encode), for phase 2
       in another process */
    unsigned char *unit;
    size_t unit_len;
} tl_tu_result;

void tl_options_init(tl_options *o);

/* ---- in two phases, for the whole program ----
 * tl_unit_prepare (phase 1, any thread): parse, clang diagnostics (into out),
 * lower, per-TU facts, the TU's summary, its suppression comments, its
 * include list; the libclang TU is disposed.  Then the caller links every
 * unit's summary (analyzer/program/) and calls tl_unit_finish (phase 2, any
 * thread) with the program: the rules run with the program's facts, the
 * suppressions apply, findings are sorted into out (the same out) and the
 * IR is freed.  The program reads the units' summaries: free the units with
 * tl_unit_free only after the program.  tl_analyze_tu is both, with no
 * program. */
typedef struct tl_tu_unit tl_tu_unit;
struct tl_program;
int tl_unit_prepare(CXIndex index, const tl_options *opts, const tl_model_set *base,
                    const tl_tu_job *job, tl_tu_unit **unit, tl_tu_result *out);
const tl_tu_summary *tl_unit_summary(const tl_tu_unit *u);
int tl_unit_finish(tl_tu_unit *u, const struct tl_program *program, tl_tu_result *out);
void tl_unit_free(tl_tu_unit *u);

/* A unit as bytes (frames: its settings and suppressions, its IR, its
 * summary), to finish it in another process; 0, or -1 when too large. */
int tl_unit_encode(const tl_tu_unit *u, unsigned char **data, size_t *len);
/* The unit back, with its project config resolved again against base (as
 * tl_unit_prepare did).  0, or -1 with err. */
int tl_unit_decode(const unsigned char *data, size_t len, const tl_model_set *base, tl_tu_unit **out,
                   char *err, size_t errsz);
/* The same without decoding its summary (tl_unit_summary is then empty):
 * for phase 2 of a unit whose summary was decoded on its own for the link,
 * as tl_unit_finish does not read it. */
int tl_unit_decode_to_finish(const unsigned char *data, size_t len, const tl_model_set *base, tl_tu_unit **out,
                             char *err, size_t errsz);
/* Verifies the checksums of an encoded unit's frames (bytes read back from
 * a store); the decoders below do not.  0, or -1 when damaged. */
int tl_unit_verify(const unsigned char *data, size_t len);
/* The summary frame of an encoded unit (a pointer into data), for digests
 * and for linking a file that is not analysed again; 0 or -1. */
int tl_unit_summary_bytes(const unsigned char *data, size_t len, const unsigned char **frame, size_t *n);
/* Only the summary of an encoded unit.  0, or -1 with err. */
int tl_unit_decode_summary(const unsigned char *data, size_t len, tl_tu_summary *out, char *err, size_t errsz);
/* Phase 1 for a worker process: tl_unit_prepare, then the unit encoded into
 * out->unit (and freed). */
int tl_analyze_tu_phase1(CXIndex index, const tl_options *opts, const tl_model_set *base,
                         const tl_tu_job *job, tl_tu_result *out);
/* base: the built-in models (plus --models files).  Project config is looked
 * up per file unless disabled. */
int tl_analyze_tu(CXIndex index, const tl_options *opts, const tl_model_set *base,
                  const tl_tu_job *job, tl_tu_result *out);
void tl_tu_result_free(tl_tu_result *r);

/* The arguments libclang parses job's main file with (without the file):
 * the job's, clang's resource directory, then -w, no colours, the error
 * limit and -working-directory (*wd, malloc'd, or NULL).  The array
 * (malloc'd) has room for two more.  Free the array and *wd. */
const char **tl_driver_clang_args(const tl_tu_job *job, int *na, char **wd);

#endif
