/* send_budget.h - the bytes written to a fresh connection (the byte budget).
 *
 * A send waits only when the connection's send buffer is full.  A
 * connection or pipe end a `fresh` call just made (`tcp_accept`, `accept`,
 * `socketpair`, `pipe`, libdill's `ipc_pair`) starts with an empty buffer,
 * and the smallest one Linux gives a socket or a pipe holds 4 KiB; so while
 * everything written to it (the `sends` facets since it was made: constant
 * lengths, string literals, each call's own framing, and TL_SEND_SLACK per
 * call for what layered protocols add) stays within TL_SEND_BUDGET bytes, a
 * send to it cannot wait.  Such a call gets `send_fits`: missing-timeout
 * does not call it a forever wait, blocking-in-coroutine does not call its
 * descriptor I/O blocking.
 *
 * A forward dataflow per function over the variables (and array elements)
 * holding such connections: the most bytes any path may have written, or
 * "not known" (handed to code that may write, a length not constant, a send
 * on a cycle of the CFG: a loop keeps adding).  A coroutine's parameter starts at 0 when
 * every launch of it hands over a fresh connection the launching function
 * writes nothing to (the summary's `fresh_args`, combined by the program:
 * tl_program_fresh_params).  Linear: a place's count grows only outside
 * loops, so the solver settles in a few passes; at most 64 places.
 */
#ifndef TL_SEND_BUDGET_H
#define TL_SEND_BUDGET_H

#include "analysis.h"

#define TL_SEND_BUDGET 4096
#define TL_SEND_SLACK 64

/* Fill send_fits and fresh_args of the TU's calls (a->program, when set,
 * gives the parameters that start fresh). */
void tl_analysis_mark_send_budget(tl_analysis *a);

#endif
