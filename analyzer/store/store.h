/* store.h - the findings store: every run recorded in SQLite.
 *
 * One database file (default .tasklint/findings.db at the project root) holds
 * runs, the files each run analysed (content hashes, include graph), the
 * findings of each run with their fingerprints and path notes, named
 * baselines and triage decisions.  Every write is a transaction; a run is
 * marked complete only at its end, so a killed run leaves the previous runs
 * intact.  WAL mode and a busy timeout let two tasklint processes share it.
 * The CLI (analyzer/cli) uses it for incremental re-analysis, `tasklint diff`,
 * `runs`, `baseline`, `triage` and `check --baseline`.
 */
#ifndef TL_STORE_H
#define TL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../report/finding.h"

#define TL_STORE_SCHEMA_VERSION 3

typedef struct tl_store tl_store;

typedef enum {
    TL_STORE_OK = 0,
    TL_STORE_E_NOT_SQLITE,   /* the file exists and is not a SQLite database (never overwritten) */
    TL_STORE_E_CORRUPT,      /* SQLite says the database is malformed */
    TL_STORE_E_NEWER,        /* schema version newer than this tasklint understands */
    TL_STORE_E_READONLY,     /* location or file not writable */
    TL_STORE_E_BUSY,         /* locked longer than the busy timeout */
    TL_STORE_E_IO,           /* anything else (message says what) */
    TL_STORE_E_NOT_FOUND,    /* a run / baseline / fingerprint that does not exist */
    TL_STORE_E_FOREIGN,      /* another program's SQLite database (never modified) */
    TL_STORE_E_UNSAFE        /* a symbolic link or special file where the store or its
                                -wal/-shm/-journal would be written (never followed) */
} tl_store_status;

typedef struct {
    tl_store_status status;
    char msg[512];           /* "cannot open .tasklint/findings.db: ..." */
} tl_store_error;

/* Open (creating the file and its directory when `create`), migrate the
 * schema forward, set WAL + busy timeout.  Only a file that is tasklint's
 * (its application id), empty (0 bytes), or a SQLite database without any
 * table and without an application id is used; anything else (not SQLite,
 * another program's database, a symlink at PATH-wal/-shm/-journal) is
 * reported and left untouched, before SQLite opens it for writing. */
tl_store *tl_store_open(const char *path, bool create, tl_store_error *err);
/* Opens an existing store for reading only (runs, diff, baseline export):
 * nothing is created, migrated or written, and a store in a directory this
 * user cannot write is read too.  Same refusals as tl_store_open; a missing
 * or empty file is TL_STORE_E_NOT_FOUND.  Writes through it fail
 * (TL_STORE_E_READONLY). */
tl_store *tl_store_open_readonly(const char *path, tl_store_error *err);
void tl_store_close(tl_store *s);

/* Project root for a set of analysed paths: the directory holding the nearest
 * .tasklint.yaml, else the git top level, else the current directory.
 * (malloc'd, absolute) */
char *tl_store_project_root(const char *first_path);
/* Default database path for a root: ROOT/.tasklint/findings.db (malloc'd) */
char *tl_store_default_path(const char *root);

/* ---- runs ---- */

typedef struct {
    const char *tool_version;
    const char *config_hash;  /* hash of the models + config + profile + rule states */
    const char *git_commit;   /* NULL when not in a git repository */
    const char *git_branch;
    const char *command_line;
    const char *root;
} tl_run_info;

typedef enum { TL_RUN_RUNNING = 0, TL_RUN_COMPLETE, TL_RUN_FAILED } tl_run_status;

typedef struct {
    int64_t id;
    tl_run_status status;
    char started[32], finished[32]; /* ISO 8601 UTC */
    char *tool_version, *config_hash, *git_commit, *git_branch, *command_line;
    int nfindings;
    int nfiles, nreused;
} tl_run;

/* Starts a run (status running). Returns its id, or -1. */
int64_t tl_store_run_begin(tl_store *s, const tl_run_info *info, tl_store_error *err);
/* Marks it complete or failed (one transaction). */
int tl_store_run_finish(tl_store *s, int64_t run, bool complete, tl_store_error *err);
/* Runs newest first (at most `limit`, 0 = all); caller frees with tl_runs_free. */
int tl_store_runs(tl_store *s, int limit, tl_run **out, size_t *n, tl_store_error *err);
void tl_runs_free(tl_run *runs, size_t n);
/* Counts per rule of a run: parallel arrays (malloc'd). */
int tl_store_run_rule_counts(tl_store *s, int64_t run, char ***rules, int **counts, size_t *n,
                             tl_store_error *err);
/* The newest complete run (0 if none), and the one before `run`. */
int64_t tl_store_last_complete_run(tl_store *s, int64_t before_run);
/* The files a run analysed (the main files of its TUs and every file they
 * read), sorted by strcmp, distinct (malloc'd; free with tl_store_paths_free). */
int tl_store_run_files(tl_store *s, int64_t run, char ***paths, size_t *n, tl_store_error *err);
void tl_store_paths_free(char **paths, size_t n);

/* ---- translation units, incremental re-analysis ---- */

typedef struct {
    const char *path;         /* absolute path as analysed */
    const char *hash;         /* content hash (hex) */
    int64_t size, mtime_ns;   /* for the stat shortcut */
} tl_file_stamp;

/* The key of a TU's analysis: main file path + compiler arguments + tool
 * version + config hash (hex, computed by tl_store_tu_key). */
char *tl_store_tu_key(const char *main_file, const char *const *args, int nargs,
                      const char *tool_version, const char *config_hash);

/* Record one analysed TU in run `run`, in one transaction: the main file and
 * every included file with its stamp (the include graph), and the TU's
 * findings (fingerprints must be set).  `reused_from` is the run whose
 * results were carried over, or 0 when the TU was analysed now. */
int tl_store_record_tu(tl_store *s, int64_t run, const char *tu_key, const char *main_file,
                       const tl_file_stamp *files, size_t nfiles, const tl_findings *findings,
                       int64_t reused_from, tl_store_error *err);

/* Incremental lookup: the newest complete run that recorded `tu_key` and in
 * which every recorded file still has the same content (checked with the
 * stat shortcut, re-hashing only files whose size/mtime changed).  On a hit,
 * fills `out` with that run's findings for the TU and the stamps to record,
 * and returns the run id; 0 on a miss (something changed or never seen). */
int64_t tl_store_reuse_tu(tl_store *s, const char *tu_key, tl_findings *out,
                          tl_file_stamp **stamps, size_t *nstamps, tl_store_error *err);
void tl_file_stamps_free(tl_file_stamp *st, size_t n);

/* ---- whole program: phase-1 units (units.c) ---- */

/* The digest of a TU's inputs: the content hashes of the files it read
 * (malloc'd hex). */
char *tl_store_inputs_digest(const tl_file_stamp *stamps, size_t n);
/* Keep the unit (driver.h tl_unit_encode) of the TU `tu_key` of
 * `main_file`, made from `inputs` (tl_store_inputs_digest), replacing the
 * one kept before for that file. */
int tl_store_save_unit(tl_store *s, const char *main_file, const char *tu_key, const char *inputs,
                       const void *unit, size_t len, tl_store_error *err);
/* Calls fn for every kept unit, by main file; fn returns nonzero to stop. */
typedef int (*tl_store_unit_fn)(void *ctx, const char *main_file, const char *tu_key, const char *inputs,
                                const void *unit, size_t len);
int tl_store_each_unit(tl_store *s, tl_store_unit_fn fn, void *ctx, tl_store_error *err);
/* The digest of the program a run linked (malloc'd; NULL when none was
 * recorded), and recording it. */
char *tl_store_run_program(tl_store *s, int64_t run, tl_store_error *err);
int tl_store_run_set_program(tl_store *s, int64_t run, const char *digest, tl_store_error *err);

/* Content hash of a file (hex, malloc'd) and its stat stamp; -1 on error. */
int tl_store_stamp_file(const char *path, tl_file_stamp *out);

/* ---- findings of a run, diff ---- */

/* All findings of a run (with fingerprints, notes, triage state). */
int tl_store_run_findings(tl_store *s, int64_t run, tl_findings *out, tl_store_error *err);

typedef struct {
    tl_findings added;     /* in B, not in A (by fingerprint) */
    tl_findings fixed;     /* in A, not in B */
    tl_findings unchanged; /* in both (B's copy) */
} tl_diff;

/* Pure function on two finding lists (by fingerprint). */
void tl_diff_compute(const tl_findings *a, const tl_findings *b, tl_diff *out);
void tl_diff_free(tl_diff *d);

/* ---- baselines ---- */

/* Name a run as a baseline (replaces an existing baseline of that name). */
int tl_store_baseline_set(tl_store *s, const char *name, int64_t run, tl_store_error *err);
/* The run a baseline names, or 0. */
int64_t tl_store_baseline_run(tl_store *s, const char *name);
/* Export a run's fingerprints as a sorted text file, one line per finding:
 * "FINGERPRINT<TAB>RULE<TAB>PATH<TAB>FUNCTION<TAB>TRIAGE" (header comment
 * line first); written to a temp file and renamed. */
int tl_store_baseline_export(tl_store *s, int64_t run, const char *file, tl_store_error *err);
/* Read such a file into a finding list (fingerprint, rule, file, function
 * and triage state set on each; importing triage into the store is the
 * caller's job). */
int tl_baseline_file_read(const char *file, tl_findings *out, char *msg, size_t msgsz);
/* The same for the text of such a file already in memory (need not be
 * NUL-terminated); origin names it in messages. */
int tl_baseline_text_read(const char *text, size_t len, const char *origin, tl_findings *out,
                          char *msg, size_t msgsz);

/* ---- triage ---- */

typedef enum {
    TL_TRIAGE_NONE = 0,
    TL_TRIAGE_FALSE_POSITIVE,
    TL_TRIAGE_INTENTIONAL,
    TL_TRIAGE_CONFIRMED
} tl_triage_state;

int tl_store_triage_set(tl_store *s, const char *fingerprint, tl_triage_state st,
                        const char *reason, tl_store_error *err);
/* Apply stored triage to findings (sets tl_finding.triage / triage_reason). */
int tl_store_triage_apply(tl_store *s, tl_findings *fs, tl_store_error *err);
const char *tl_triage_name(tl_triage_state st);
int tl_triage_parse(const char *s, tl_triage_state *out);

/* ---- keeping the history small (gc.c; docs/store.md) ---- */

/* Beyond the newest runs, one run per UTC day or ISO week is kept for the
 * trend (or none). */
typedef enum { TL_GC_TREND_NONE = 0, TL_GC_TREND_DAY, TL_GC_TREND_WEEK } tl_gc_trend;
const char *tl_gc_trend_name(tl_gc_trend t);
int tl_gc_trend_parse(const char *s, tl_gc_trend *out); /* "none", "day", "week" */

typedef struct {
    int keep_last;       /* the newest N runs (any status) */
    tl_gc_trend trend;   /* and the newest complete run of each day/week */
} tl_gc_policy;

typedef enum {
    TL_GC_VACUUM_NEVER = 0,
    TL_GC_VACUUM_IF_WORTH, /* when a quarter of the file or more is free pages */
    TL_GC_VACUUM_ALWAYS
} tl_gc_vacuum;

typedef struct {
    size_t runs_before, runs_kept, runs_deleted;
    int64_t bytes_before, bytes_after; /* the file plus its -wal */
    bool vacuumed;
} tl_gc_result;

/* Drops the runs the policy does not keep (also never: running runs, runs a
 * baseline names, the newest run holding each triaged fingerprint), with
 * their TUs, findings, notes and unused file sets, in one transaction; then
 * VACUUM as asked and a WAL checkpoint.  On failure nothing is dropped. */
int tl_store_gc(tl_store *s, const tl_gc_policy *p, tl_gc_vacuum vacuum, tl_gc_result *out,
                tl_store_error *err);

/* The content hash recorded for every file a run analysed: parallel arrays
 * sorted by path (free with tl_store_paths_free, both). */
int tl_store_run_file_hashes(tl_store *s, int64_t run, char ***paths, char ***hashes, size_t *n,
                             tl_store_error *err);

#endif
