/* sinks.h - a coroutine that serves a channel for the program's lifetime,
 * and the variables a function's spawns share.
 *
 * A sink parameter: the entry receives on it (a wait with the model's
 * kind_in_endless_loop, its object_arg the parameter, never reassigned) in
 * a loop nothing leaves (no edge out of its CFG cycle), and nothing else in
 * that loop may wait: no other wait (a receive on another object too), no
 * blocking call, no call of code nobody models (`statistics(ch)`: `for (;;) { op = chr(ch, int); ... }`).
 *
 * Shared spawn arguments: argument j of a spawn entry call is a variable
 * assigned at most once (its address never taken) that another spawn
 * entry call of the function, whose block lies on every path from the
 * entry to this one's, passes too.  With the sink parameters of the
 * entries (program/sinks.c), a coroutine's parameter is served when every
 * launch hands it a variable a sink launched before got.
 *
 * Both are linear in the function: a spawn is compared with at most the
 * first 8 earlier spawns passing each of its variables, and each earlier
 * spawn compared costs one walk of the CFG, at most TL_SINK_PAIRS_MAX of
 * them (a function with thousands of spawns costs no more).
 */
#ifndef TL_DATAFLOW_SINKS_H
#define TL_DATAFLOW_SINKS_H

#include "analysis.h"

#define TL_SINK_PAIRS_MAX 16 /* CFG walks per function (one per earlier spawn looked at) */

/* The parameters (bit k, k < 32) function fi serves as a sink. */
unsigned tl_sink_params(const tl_analysis *a, int fi);

/* The blocks of function fi reachable from its entry without passing the
 * spawn whose entry call is call_id (its block, or the branch of its spawn
 * statement), into reach (nblocks flags): every path to a block not marked
 * passes that spawn.  One walk of the CFG. */
void tl_reach_avoiding_spawn(const tl_analysis *a, int fi, int call_id, bool *reach);
/* The blocks of f reachable from its entry without passing block via, into
 * reach (nblocks flags) - no branch counts as passing it. */
void tl_reach_avoiding_block(const tl_func *f, int via, bool *reach);

/* One shared argument: argument `arg` of spawn entry call `call` is the
 * variable argument `other_arg` of spawn entry call `other` (which comes
 * first on every path) hands over too. */
typedef struct {
    int call, arg, other, other_arg;
} tl_spawn_share;

/* The shared arguments among the spawn entry calls (ids) calls[0..n), in
 * order (a share names an earlier call), into out (at most max; 8 per
 * argument suffice); returns how many. */
int tl_spawn_shares(const tl_analysis *a, int fi, const int *calls, int n, tl_spawn_share *out, int max);

#endif
