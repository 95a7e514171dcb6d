/* cancel_bound.h - coroutine spawns whose owner ends them by cancellation
 * on every path (rules/cancel_bound.c).  The summary records it per spawn
 * entry; the program combines the spawn sites of each entry
 * (tl_program_cancel_bounded); missing-timeout reads that. */
#ifndef TL_RULES_CANCEL_BOUND_H
#define TL_RULES_CANCEL_BOUND_H

#include <stdbool.h>

#include "../analyzer/dataflow/analysis.h"

/* Per call id of function fi (f->ncalls entries): true for a coroutine
 * spawn (spawn facet, context coroutine) that is cancel-bounded.  NULL when
 * the function has no such spawn; free() the array. */
bool *tl_cancel_bounded_spawns(const tl_analysis *a, int fi);

#endif
