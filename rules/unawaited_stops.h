/* unawaited_stops.h - coroutines their launcher stopped through a channel
 * (for unawaited-task).
 *
 *     chmake(ch);
 *     int h = go(worker(ch[0]));   // worker only waits in chrecv(ch[0])
 *     chdone(ch[1]);               // ... which now fails at once
 *     hclose(h);                   // nothing to cut short: not reported
 *
 * A `channel_done` call on one end of a channel a `channel_pair` call made
 * (`X[i]` of a local array X) stops the coroutines whose entry call got
 * the other end (`X[1-i]`) in a stop parameter of the entry function
 * (dataflow/stop_params.h, from the program's summaries for another
 * file's): they cannot wait again.  The variables whose work can only come
 * from such launches (the launch's handle, copies of it, a bundle only they
 * launch into) hold no work past that call.  Which variables may hold which
 * launch's work is flow-insensitive (their assignments, over copies: a
 * worklist, linear); a new channel made into X between the launch and the
 * done is not told apart.  rules/unawaited_stops.c.
 */
#ifndef TL_RULES_UNAWAITED_STOPS_H
#define TL_RULES_UNAWAITED_STOPS_H

#include "../analyzer/dataflow/analysis.h"

/* launches looked at per channel_done call */
#define TL_UT_STOPS_MAX 64

typedef struct {
    int *first;  /* per call id: start of its variables in vars, -1 none (NULL: no stops) */
    int *count;  /* per call id */
    int *vars;
    int nvars;
} tl_ut_stops;

/* The variables each channel_done call of function fi stops (tracked[v]:
 * may hold work at all; result_bits[id]: the call's result is a launched
 * task's handle, as unawaited_task.c marks it). */
void tl_ut_stops_compute(const tl_analysis *a, int fi, const bool *tracked, const unsigned char *result_bits,
                         tl_ut_stops *out);
void tl_ut_stops_free(tl_ut_stops *s);

#endif
