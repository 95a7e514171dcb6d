/* finding.h - what the analysis reports.
 *
 * A finding is one diagnostic at a primary location, with optional notes
 * (the path where a handle leaks, the call chain to a blocking call) that
 * text, SARIF and the store all render.  A finding list belongs to one
 * translation unit's analysis; the driver merges and sorts lists.
 */
#ifndef TL_FINDING_H
#define TL_FINDING_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { TL_SEV_NOTE = 0, TL_SEV_WARNING, TL_SEV_ERROR } tl_severity;

typedef struct {
    char *file;
    unsigned line, col;
    char *message;
    /* the step happens before the finding's location on its path (the start
       of work torn down there, a callback's registration): a path (SARIF
       codeFlows, the HTML report) lists it first; other notes follow */
    bool before;
} tl_note;

/* How a finding compares with a baseline (SARIF baselineState). */
typedef enum {
    TL_BASELINE_NONE = 0, /* not compared */
    TL_BASELINE_NEW,
    TL_BASELINE_UNCHANGED,
    TL_BASELINE_ABSENT    /* in the baseline, gone now (fixed) */
} tl_baseline_state;

typedef struct {
    char *rule;       /* rule id, e.g. "orphaned-spawn", "clang-diagnostic" */
    tl_severity severity;
    char *file;
    unsigned line, col;
    char *function;   /* enclosing function, or NULL */
    char *message;
    char *snippet;    /* normalised text of the flagged statement (fingerprints) */
    tl_note *notes;
    size_t nnotes;
    bool suppressed;  /* matched a tasklint-ignore comment */
    char *fingerprint;            /* stable identity (store/fingerprint.h), or NULL */
    int triage;                   /* tl_triage_state (store.h); 0 = none */
    char *triage_reason;
    tl_baseline_state baseline_state;
} tl_finding;

typedef struct {
    tl_finding *items;
    size_t n, cap;
} tl_findings;

void tl_findings_init(tl_findings *fs);
void tl_findings_free(tl_findings *fs);
/* Frees what one finding owns (not the finding itself: it lives in a list). */
void tl_finding_free_fields(tl_finding *f);
/* Append a finding (all strings copied); returns it so notes can be added. */
tl_finding *tl_findings_add(tl_findings *fs, const char *rule, tl_severity sev,
                            const char *file, unsigned line, unsigned col,
                            const char *function, const char *message);
/* printf-style message variant. */
tl_finding *tl_findings_addf(tl_findings *fs, const char *rule, tl_severity sev,
                             const char *file, unsigned line, unsigned col,
                             const char *function, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
void tl_finding_add_note(tl_finding *f, const char *file, unsigned line,
                         unsigned col, const char *message);
/* A note for a step before the finding's location (tl_note.before). */
void tl_finding_add_note_before(tl_finding *f, const char *file, unsigned line,
                                unsigned col, const char *message);
/* The path in the order it runs, for the formats that draw one (SARIF
 * codeFlows, the HTML report): into steps (f->nnotes + 1 entries) the
 * indices of the notes that come before the finding's location, -1 for the
 * location itself, then the other notes, each group in its order. */
void tl_finding_path(const tl_finding *f, long *steps);
void tl_finding_set_snippet(tl_finding *f, const char *snippet);
void tl_finding_set_fingerprint(tl_finding *f, const char *fingerprint);
void tl_finding_set_triage(tl_finding *f, int triage, const char *reason);
/* Deep copy of one finding appended to fs. */
tl_finding *tl_findings_add_copy(tl_findings *fs, const tl_finding *src);
/* Move all of src's findings to the end of dst; src is left empty. */
void tl_findings_move(tl_findings *dst, tl_findings *src);
/* Sort by file, line, col, rule, message; drop exact duplicates. */
void tl_findings_sort(tl_findings *fs);

const char *tl_severity_name(tl_severity s);

#endif
