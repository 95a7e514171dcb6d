/* unawaited_reapers.h - work on an object reaped by another task that the
 * function waits for (for unawaited-task).
 *
 * A thread whose entry function reaps the object's completions (on the
 * object it is handed, on one reached through its argument - `td.ring =
 * &ring; pthread_create(&t, 0, reaper, &td)` with `io_uring_wait_cqe(
 * td->ring, ...)` in reaper -, or on a global), and a fork()ed child that
 * reaps on the shared object in its branch, reap it for the function once
 * it joins the thread (`pthread_join(t, ...)`) or reaps the child
 * (`waitpid(pid, ...)`).  The entry's behaviour comes from the program's
 * summaries (tl_program_param_awaits, tl_program_awaits_global); nothing
 * here names a library.  rules/unawaited_reapers.c.
 */
#ifndef TL_RULES_UNAWAITED_REAPERS_H
#define TL_RULES_UNAWAITED_REAPERS_H

#include <stdbool.h>

#include "../analyzer/dataflow/analysis.h"

/* At most this many (handle, object) pairs per function: a constant, so a
 * join clears its objects in constant time. */
#define TL_UT_MAX_REAPERS 32

typedef struct {
    int handle; /* the variable holding the thread / child handle */
    int object; /* the object variable its task reaps */
} tl_ut_reaper;

typedef struct {
    tl_ut_reaper pairs[TL_UT_MAX_REAPERS];
    int n;
} tl_ut_reapers;

/* The pairs of function fi, for objects with tracked[v] set.  Linear in the
 * function (one pass over its calls and stores). */
void tl_ut_reapers_compute(const tl_analysis *a, int fi, const bool *tracked, tl_ut_reapers *out);

/* Is `call` (with model m) the join of a thread or the reaping of a child
 * whose handle is in a variable of r?  Returns that variable, or -1. */
int tl_ut_reaper_release(const tl_ut_reapers *r, const tl_fn_model *m, const tl_call *call);

/* Is v reaped by another task somewhere in the function? */
bool tl_ut_reaped_elsewhere(const tl_ut_reapers *r, int v);

#endif
