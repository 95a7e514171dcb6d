/* orphaned_spawn_internal.h - what the two halves of the per-function
 * orphaned-spawn analysis share: rules/orphaned_spawn.c (the rule: which
 * spawns are followed, the driver, the reports) and
 * rules/orphaned_spawn_flow.c (the path states and their transfer functions,
 * run by the forward solver of analyzer/dataflow).  The per-function
 * context, the path state, the recorded leak events, and the few functions
 * one calls in the other.  Not for other rules. */
#ifndef TL_RULES_ORPHANED_SPAWN_INTERNAL_H
#define TL_RULES_ORPHANED_SPAWN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rule.h"
#include "../analyzer/dataflow/dataflow.h"


#define OS_MAX_SPAWNS 32 /* tracked handles: two slots (current / older instances) each */
#define OS_MAX_OUTCOMES 64 /* spawn calls whose success/failure is followed per path */

/* ---- per-function context ---- */

/* EV_RETURN_ARM: a return of a conditional expression (`return ok ? h : 0`)
 * whose other branch returns the handle: the leak is on this branch. */
enum { EV_RETURN = 0, EV_RETURN_ARM, EV_OVERWRITE, EV_REDECL };

typedef struct {
    int spawn;  /* spawn index */
    int kind;   /* EV_* */
    tl_loc loc;
    int var;    /* EV_OVERWRITE / EV_REDECL: the variable */
    int seq;    /* order found */
} os_event;

typedef enum { SP_RESULT = 0, SP_OUT_SCALAR } sp_mode;

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    int nvars;
    int nspawn;
    int call[OS_MAX_SPAWNS];
    const tl_instr *instr[OS_MAX_SPAWNS];
    const tl_fn_model *model[OS_MAX_SPAWNS];
    sp_mode mode[OS_MAX_SPAWNS];
    int out_var[OS_MAX_SPAWNS];
    int *spawn_of_call;          /* call id -> spawn index, -1 */
    int nall;                    /* all spawn calls (tracked or not), for outcomes */
    int all_call[OS_MAX_OUTCOMES];
    int *all_of_call;            /* call id -> outcome index, -1 */
    const tl_instr **entry_of;   /* call id of a spawn -> its entry call (go()), NULL */
    /* the variables that may ever hold a handle or a spawn's result get a
       place in the path states; the others always hold nothing */
    int *tidx;                   /* var -> index among them, -1 */
    int *tvar;                   /* index -> var */
    int ntracked;
    /* flow-insensitive facts gathered while reporting */
    bool reporting;
    bool touched[OS_MAX_SPAWNS]; /* released/escaped on some path */
    int name_var[OS_MAX_SPAWNS]; /* first user variable that held the handle */
    int agg_var[OS_MAX_SPAWNS];  /* moved into this local aggregate, -1 */
    os_event *ev;                /* in the order found, duplicates included */
    int nev, capev;
    /* limits hit (analysis-limit findings) */
    int nspawn_all;              /* spawns that would need a handle slot */
    unsigned first_untracked_line;
    bool merged;                 /* all path states were merged into one (OS_K) */
    long work, budget;           /* path-state words processed, and how many may be */
    const tl_expr **outcome_defs; /* tl_own_outcome_defs: `ok = spawn(...) == 0`, or NULL */
    /* per `return c ? a : b` statement (tl_instr.return_arm): how many of its
       sides return a variable that may hold a handle, or NULL */
    int *arm_handles;
    int narm_handles;
} os_ctx;

/* Path state: mem[0] = owned slots, mem[1] / mem[2] = spawn
 * calls (outcome index) that may have succeeded / failed on this path,
 * mem[3 + t] = slots tracked variable t may hold, mem[3 + ntracked + t] =
 * spawn calls (outcome index) whose result t may hold. */

/* The lattice element is a small set of path states (layout above), as in
 * ESP-style property simulation: paths whose facts differ stay apart, so
 * "the spawn failed and the handle was never handed off" and "the spawn
 * succeeded and the handle escaped" are not merged into "may have failed,
 * may still be owned".  A path state dominated by another (bitwise subset)
 * is dropped.  Beyond OS_K path states, those that own the same handles in
 * the same variables are merged (they differ only in what is known about
 * outcomes); if that is not enough all are merged into one, which is an
 * analysis limit and reported as such.  n == 0 is bottom (unreached). */
#define OS_K 8
typedef struct {
    int n;
    uint64_t *sub[OS_K + 1]; /* one more while a state is being added */
} os_state;

/* The forward dataflow over os_state (orphaned_spawn_flow.c); ctx is the
 * os_ctx. */
extern const tl_dataflow_ops tl_os_flow_ops;
void tl_os_state_bottom(void *ctx, void *st);
void tl_os_state_destroy(void *ctx, void *st);

/* The spawn index of a slot bit (CUR or OLD of that spawn). */
int tl_os_slot_spawn(uint64_t bit);

/* Record a leak event of spawn `spawn` (only while c->reporting). */
void tl_os_add_event(os_ctx *c, int spawn, int kind, tl_loc loc, int var);

/* orphaned_spawn_arrays.c: the spawns (n of them, into local aggregates
 * vars[i] that are used elsewhere) followed along the paths; a return that
 * leaves handles in one is reported.  defs: tl_own_outcome_defs, or NULL. */
void tl_os_check_arrays(const tl_analysis *a, int fi, const tl_instr *const *spawns, const int *vars, int n,
                        const tl_expr *const *defs, tl_findings *out);

#endif
