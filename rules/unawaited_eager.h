/* unawaited_eager.h - eager spawns whose entry never suspends (see
 * unawaited_eager.c). */
#ifndef TL_RULES_UNAWAITED_EAGER_H
#define TL_RULES_UNAWAITED_EAGER_H

#include <stdbool.h>

#include "../analyzer/dataflow/analysis.h"

/* Per function of the TU (a new array; free() it), whether it never
 * suspends - decided callees first; NULL when the TU has no eager spawn. */
bool *tl_ut_never_suspending(const tl_analysis *a);

/* Per call id of function fi (a new array, or NULL when there is none): the
 * eager spawns whose entry, a TU function that never suspends (quiet), has
 * finished when the spawn returns. */
unsigned char *tl_ut_spawns_done_at_once(const tl_analysis *a, int fi, const bool *quiet);

#endif
