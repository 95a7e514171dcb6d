/* send_budget.h - the bytes written to a fresh connection (the byte budget).
 *
 * A send waits only when the connection's send buffer is full.  A
 * connection or pipe end a `fresh` call just made (`tcp_accept`, `accept`,
 * `socketpair`, `pipe`, libdill's `ipc_pair`) starts with an empty buffer,
 * and the smallest one Linux gives a socket or a pipe holds 4 KiB; so while
 * everything written to it (the `sends` facets since it was made: constant
 * lengths, string literals, each call's own framing, and TL_SEND_SLACK per
 * call) stays within TL_SEND_BUDGET bytes, a
 * send to it cannot wait.  Such a call gets `send_fits`: missing-timeout
 * does not call it a forever wait, blocking-in-coroutine does not call its
 * descriptor I/O blocking.
 *
 * A forward dataflow per function over the variables (and array elements)
 * holding such connections: the most bytes any path may have written, or
 * "not known" (handed to code that may write, a length not constant, a send
 * in a loop once the passes add up past the budget).  A coroutine's parameter starts at 0 when
 * every launch of it hands over a fresh connection the launching function
 * writes nothing to (the summary's `fresh_args`, combined by the program:
 * tl_program_fresh_params).  Linear: a send adds at least TL_SEND_SLACK, so a
 * loop settles within 16 passes; at most 64 places.
 */
#ifndef TL_SEND_BUDGET_H
#define TL_SEND_BUDGET_H

#include "analysis.h"

#define TL_SEND_BUDGET 4096
/* per send, for what layered protocols add; also the least a send in a loop
 * adds each pass, so that a loop exceeds the budget within 16 passes of the
 * solver (whose limit is TL_DF_VISITS_PER_BLOCK) */
#define TL_SEND_SLACK 256

/* Fill send_fits and fresh_args of the TU's calls (a->program, when set,
 * gives the parameters that start fresh). */
void tl_analysis_mark_send_budget(tl_analysis *a);

#endif
