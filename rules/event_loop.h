/* event_loop.h - the central waits of event loops, for missing-timeout.
 *
 * A forever wait for completions is what an event loop is built around:
 * `while (!stop) { io_uring_submit_and_wait(&ring, 1); for each completion:
 * dispatch it; }` waits for whatever the program armed, for as long as it
 * runs.  Like epoll_wait's, such a wait is a design choice (reported only in
 * the strict profile), not a request that hangs.  A wait model says which
 * kind it takes then (`kind_in_event_loop`); this module says when:
 *
 * - the wait lies in an unbounded loop of its function - a cycle of the CFG
 *   none of whose exits tests a variable the loop steps (`i++`,
 *   `left -= n`): `while (1)`, `for (;;)`, `while (!stop)` and loops ended
 *   by errors or by state other code changes, not a loop counting
 *   requests - and that loop calls a `dispatch` function (takes completions
 *   in a batch, routes one to its handler by its user data); or
 * - the wait lies on no cycle of a function that calls a `dispatch`
 *   function after it (on some path from the wait) and that some function
 *   calls in an unbounded loop (one iteration of the loop, in a helper): a
 *   function of the same translation unit, or of the program (the
 *   summaries' calls, analyzer/program).  A helper that only peeks before waiting
 *   (`io_uring_for_each_cqe(...) return cqe;` then `io_uring_wait_cqe`)
 *   hands the completion back: its caller decides, not a loop.
 *
 * Loops are strongly connected components of the CFG (cycles.h): a loop
 * nested in a counted loop counts as counted.  Each function's loops are
 * found once, in time linear in its size; the callers' loops only when a
 * wait asks, once per TU.  No library name here.
 */
#ifndef TL_RULES_EVENT_LOOP_H
#define TL_RULES_EVENT_LOOP_H

#include <stdbool.h>

#include "../analyzer/dataflow/analysis.h"

typedef struct tl_event_loops tl_event_loops;

/* Per block of function fi (out: f->nblocks entries, zeroed by the caller):
 * whether it lies in an unbounded loop - for the summary's calls, so that a
 * one-iteration helper in another file is seen (analyzer/program). */
void tl_event_loop_unbounded_blocks(const tl_analysis *a, int fi, bool *out);

tl_event_loops *tl_event_loops_new(const tl_analysis *a);
void tl_event_loops_free(tl_event_loops *el);

/* Whether the call `at` in block b of function fi is the central wait of an
 * event loop (see above). */
bool tl_event_loop_central(tl_event_loops *el, int fi, int b, const tl_instr *at);

#endif
