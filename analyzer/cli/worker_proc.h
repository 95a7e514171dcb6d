/* worker_proc.h - the inside of one worker process of the pool (workers.c).
 *
 * The pool forks a worker per job slot; the child calls tl_worker_main,
 * which isolates itself (signals, standard streams, memory limit, dies with
 * the main process), then analyses the TUs whose indices arrive on its
 * socket, one at a time, and sends each result back as a wire frame
 * (tu_wire.h).  It exits when the socket is closed, and after a fatal
 * result (libclang may have recovered from a crash inside it, leaving its
 * state in doubt): the pool then starts a fresh worker.
 */
#ifndef TL_WORKER_PROC_H
#define TL_WORKER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

/* Job messages on the socket: the index of a TU in the pool's list. */
#define TL_WORKER_JOB_SIZE 4

typedef struct {
    const tl_cli_tus *tus;
    const tl_options *opts;
    const tl_model_set *base;
    bool want_includes;
    bool want_units;         /* phase 1 only: results carry the unit */
    tl_pool_limits limits;
} tl_worker_config;

/* Runs in the child after fork: never returns.  close_fds are the main
 * process's descriptors of the other workers (closed first, so that a
 * worker's death is seen as end-of-file on its own socket). */
_Noreturn void tl_worker_main(int sock, const int *close_fds, size_t nclose,
                              const tl_worker_config *cfg);

/* Whether this build enforces TASKLINT_MEMORY_LIMIT: not under
 * AddressSanitizer, whose shadow memory needs terabytes of address space. */
bool tl_worker_memory_limit_supported(void);

#endif
