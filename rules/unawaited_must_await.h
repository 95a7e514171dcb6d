/* unawaited_must_await.h - a must_await call's result discarded (see
 * unawaited_must_await.c). */
#ifndef TL_RULES_UNAWAITED_MUST_AWAIT_H
#define TL_RULES_UNAWAITED_MUST_AWAIT_H

#include "../analyzer/dataflow/analysis.h"
#include "../analyzer/report/finding.h"

/* Report in function fi each call modelled `must_await` whose result is
 * discarded (not cast to void, not used by an enclosing expression). */
void tl_ut_check_must_await(const tl_analysis *a, int fi, tl_findings *out);

#endif
