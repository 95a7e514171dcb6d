/* phase2_spread.h - phase 2 of a run's TUs over forked processes.
 *
 * Phase 2 (driver.h: tl_unit_finish) runs after the link, in the run's own
 * process, one TU after another; with -j N the workers are idle by then,
 * so on a project of a few hundred files it was a quarter of the wall time
 * at -j 2.  tl_cli_phase2_spread runs it in up to N forked copies of the
 * process (the linked program is shared copy-on-write), each taking every
 * N-th TU, and reads each TU's findings back over a pipe (finding_wire.h).
 * Every TU's findings are the same as in one process: phase 2 of a TU
 * depends only on that TU and the program.  A TU whose copy died, or whose
 * findings did not come back whole, has its phase 2 run again in the run's
 * process; so does everything when forking fails.
 */
#ifndef TL_CLI_PHASE2_SPREAD_H
#define TL_CLI_PHASE2_SPREAD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "driver.h"

/* Runs phase 2 of TU j into results[j] (its findings, or fatal). */
typedef void (*tl_phase2_fn)(void *ctx, size_t j);

typedef struct {
    int processes;  /* the copies that ran phase 2 (0: all in this process) */
    size_t redone;  /* TUs done again in this process: their copy died or was not made */
} tl_phase2_stats;

/* Calls fn(ctx, j) for every j < n with todo[j], in up to `jobs`
 * processes; results[j] holds what it made when this returns.  Fewer than
 * 2 jobs, or few TUs, run in this process.  interrupted: stop taking TUs
 * when it becomes non-zero. */
tl_phase2_stats tl_cli_phase2_spread(size_t n, const bool *todo, tl_tu_result *results, int jobs,
                                     void *ctx, tl_phase2_fn fn, volatile sig_atomic_t *interrupted);

#endif
