/* analysis_limit.c - findings of the pseudo-rule analysis-limit
 * (see analysis_limit.h). */
#include "report/analysis_limit.h"

tl_finding *tl_report_analysis_limit(tl_findings *out, const char *file, unsigned line,
                                     unsigned col, const char *function, const char *what) {
    return tl_findings_addf(out, TL_ANALYSIS_LIMIT_RULE, TL_SEV_WARNING, file, line, col, function,
                            "'%s' was not fully checked: %s; findings in it may be missing",
                            function ? function : "?", what);
}
