/* unawaited_ring.h - unawaited-task's findings about work left in flight on
 * a local object (an io_uring ring): more requests started than reaped
 * before the teardown, and a ring on the stack the function returns from
 * without ever tearing it down.  unawaited_task.c runs the dataflow and
 * calls these; rules/unawaited_ring.c. */
#ifndef TL_RULES_UNAWAITED_RING_H
#define TL_RULES_UNAWAITED_RING_H

#include <stdbool.h>

#include "inflight.h"
#include "../analyzer/dataflow/analysis.h"
#include "../analyzer/report/finding.h"

/* owned[v] (f->nvars entries, in: candidates that may hold started work) is
 * kept for a local struct variable that the function never tears down or
 * releases and whose address goes nowhere it cannot see: not stored,
 * copied, returned, handed to another task, nor passed to a function no
 * model or summary describes.  Linear in the function. */
void tl_ut_local_objects(const tl_analysis *a, int fi, bool *owned);

/* The teardown `in` of variable vn while n started requests were not
 * reaped; `why` is the call that last started some (or NULL). */
void tl_ut_report_unreaped(const tl_analysis *a, tl_findings *out, const tl_func *f,
                           const tl_instr *in, const char *vn, const tl_instr *why, int n);

/* Returning from block b (the return in it, else its end) with work
 * started by `why` pending on local object vn never torn down. */
void tl_ut_report_dropped(const tl_analysis *a, tl_findings *out, const tl_func *f,
                          const tl_block *b, const char *vn, const tl_instr *why);

/* Does start call `call` start only requests that post no completion when
 * they succeed (request_flags skip_success, inflight.h)?  Then it leaves
 * nothing to reap. */
bool tl_ut_starts_nothing(const tl_inflight *r, int call);

/* Is everything prepared or in flight on the object before call `call`
 * a request that completed when it was submitted (prepare op `immediate`)?
 * Then a teardown there cuts nothing short: only completions nobody needs
 * are left.  (An object dropped without a teardown still leaks.) */
bool tl_ut_only_immediate(const tl_inflight *r, int call);

/* What follows each block of main(): `ahead[b]`, some path from block b
 * reaches a call that may do work - a wait, a start, a spawn, a blocking
 * call, code of the program or nobody's (one backward walk); `cyclic[b]`,
 * b lies on a loop.  Both NULL for another function. */
typedef struct {
    bool *ahead, *cyclic;
} tl_ut_main_tail;
tl_ut_main_tail tl_ut_main_tail_make(const tl_analysis *a, int fi);
void tl_ut_main_tail_free(tl_ut_main_tail *t);
/* Is instruction ii of block b (a teardown) main()'s last work: no call
 * that may do work follows it on any path to main()'s return (the
 * process's exit), and no loop comes back to it?  Then it cuts short
 * nothing the exit would not. */
bool tl_ut_final_in_main(const tl_analysis *a, int fi, const tl_ut_main_tail *t, const tl_block *b, int ii);

#endif
