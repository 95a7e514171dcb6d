/* report.h - what every machine-readable output format (SARIF, JSON) is
 * handed: the run's findings and the context needed to render them.
 * The text format (text_output.h) prints findings as they come; these
 * formats write one document at the end of the run. */
#ifndef TL_REPORT_H
#define TL_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "finding.h"

typedef struct {
    const tl_findings *findings;  /* all findings of the run, sorted; includes
                                     suppressed ones and clang-diagnostic errors */
    const tl_findings *absent;    /* baseline findings that are gone (fixed), or NULL */
    const char *root;             /* project root: %SRCROOT%, relative artifact URIs */
    bool include_suppressed;      /* SARIF: emit suppressed results with `suppressions` */
    bool execution_successful;    /* no fatal error, not interrupted */
    bool baseline_compared;       /* findings carry baseline_state */
    const char *command_line;
    const char *tool_version;
    int files_analysed;
    int files_failed;             /* TUs that could not be analysed at all */
    const char *const *fatal_messages; /* per failed TU: "file: message" */
    int nfatal;
    /* SARIF versionControlProvenance, when the root is in a git checkout
       (all NULL otherwise): the remote as given by `git remote get-url
       origin` (made a URI without credentials: report_util.h), else NULL;
       the work tree's top level; the HEAD commit; the branch, or NULL. */
    const char *vcs_remote;
    const char *vcs_toplevel;
    const char *vcs_revision;
    const char *vcs_branch;
    const char *start_time_utc;   /* ISO 8601, or NULL */
    const char *end_time_utc;
} tl_report_input;

/* SARIF 2.1.0 (sarif.c).  Returns 0, or -1 on a write error. */
int tl_sarif_write(FILE *out, const tl_report_input *in);
/* tasklint's own JSON (json_output.c; schema documented in docs/json-output.md). */
int tl_json_write(FILE *out, const tl_report_input *in);

/* GitHub Actions workflow commands, one per finding (github_output.c). */
int tl_github_write(FILE *out, const tl_report_input *in);
/* GitLab Code Quality JSON: an array of issues (codeclimate_output.c). */
int tl_codeclimate_write(FILE *out, const tl_report_input *in);

#endif
