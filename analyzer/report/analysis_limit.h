/* analysis_limit.h - saying that a function was not fully checked.
 *
 * The analyses have internal limits that keep their cost bounded: the
 * dataflow solver's visit budget (deeply nested loops), the number of spawned
 * handles orphaned-spawn follows in one function, the number of path states
 * it keeps apart.  When one is hit, findings in that function may be missing.
 * That must never look like a clean result, so the analysis reports it as a
 * finding of the pseudo-rule `analysis-limit` (like `clang-diagnostic` and
 * `suppression`), at the function, naming the limit:
 *
 *   - severity warning: it is a finding of its own and makes the exit status
 *     1, as clang errors do, because the file was not fully checked;
 *   - it cannot be suppressed with a tasklint-ignore comment (like
 *     clang-diagnostic); the way out is to simplify the function or to name it
 *     under `exempt:` in .tasklint.yaml, which stops checking it knowingly;
 *   - SARIF carries it as a tool execution notification (sarif.c).
 */
#ifndef TL_ANALYSIS_LIMIT_H
#define TL_ANALYSIS_LIMIT_H

#include "report/finding.h"

#define TL_ANALYSIS_LIMIT_RULE "analysis-limit"

/* Report that `function` (defined at file:line:col) hit a limit; `what` says
 * which one and where, e.g. "orphaned-spawn follows at most 32 spawned
 * handles per function and this one has 40 (not followed from line 88 on)". */
tl_finding *tl_report_analysis_limit(tl_findings *out, const char *file, unsigned line,
                                     unsigned col, const char *function, const char *what);

#endif
