/* stop_params.h - the channel ends that stop a coroutine.
 *
 *     static coroutine void worker(int ch) {
 *         int v;
 *         while (1)
 *             if (chrecv(ch, &v, sizeof v, -1) < 0 && errno == EPIPE) return;
 *     }
 *     ...
 *     int h = go(worker(ch[0]));
 *     chdone(ch[1]);      // worker's chrecv fails at once from now on:
 *     hclose(h);          // it cannot wait again - nothing is cut short
 *
 * A parameter k of a function is a *stop parameter* when the function's
 * only calls that can suspend it are waits whose model says they fail at
 * once when the other end of their channel is done (the wait facet's
 * `unless_other_end_done`), on parameter k itself (never assigned, its
 * address never taken), and there is at least one: no other wait, no
 * cooperative call, no call of code nobody models (a function of the
 * program, a call through a pointer).  Calls of system functions do not
 * suspend a coroutine.  Once the launcher ends the other end of the
 * channel it handed there (`channel_done`), the coroutine cannot wait
 * again: it returns, or runs on without suspending, and closing its handle
 * cuts nothing short (rules/unawaited_stops.c).  One scan of the calls.
 */
#ifndef TL_DATAFLOW_STOP_PARAMS_H
#define TL_DATAFLOW_STOP_PARAMS_H

#include "analysis.h"

/* The stop parameters (bit k < 32) of function fi of the TU. */
unsigned tl_stop_params(const tl_analysis *a, int fi);

#endif
