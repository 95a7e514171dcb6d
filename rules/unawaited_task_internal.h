/* unawaited_task_internal.h - what rules/unawaited_task.c (the dataflow,
 * the transfer functions, the reports) and rules/unawaited_loops.c (loop
 * summaries: which bits a loop's exit clears) share: the state, the
 * per-function context, and the few functions one calls in the other.  Not
 * for other rules. */
#ifndef TL_RULES_UNAWAITED_TASK_INTERNAL_H
#define TL_RULES_UNAWAITED_TASK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "inflight.h"
#include "unawaited_reapers.h"
#include "unawaited_stops.h"
#include "unawaited_ring.h"
#include "../analyzer/dataflow/analysis.h"
#include "../analyzer/dataflow/dataflow.h"
#include "../analyzer/dataflow/sparse_map.h"
#include "../analyzer/report/finding.h"

/* Per-variable state bits. */
#define UT_STRICT 1u /* started; only an await clears it */
#define UT_ANY 2u    /* started; an await or any cooperative call clears it */

enum { WHY_NONE = 0, WHY_RESULT, WHY_OWNER, WHY_START };

/* Summary of a loop's body for the exit edges of its condition (computed
 * when a non-empty state first takes one of them). */
typedef struct {
    bool done;        /* computed */
    bool exits;       /* the header is a loop header with an exit edge */
    bool exit_succ[2];
    bool coop;        /* the body makes a cooperative call */
    int *setv, nsetv; /* tracked variables the body (re)starts or reassigns, ascending */
    int *awv, nawv;   /* tracked variables the body awaits, ascending */
    int *condv, ncondv; /* tracked variables the loop's condition blocks (the header and
                           the blocks of an `&&` chain after it) start or reassign */
    bool multishot;   /* the body prepares a multishot operation (one reap does not end it) */
    bool refined;     /* backv is known (after a first solve) */
    int *backv, nbackv; /* tracked variables pending on some back edge into the header */
} ut_loop;

/* Origins in a traced replay of one block: the start (call id, WHY_*)
 * whose work variable v holds is call/why[v] when st[v] == stamp, else what
 * v held at the block's entry. */
typedef struct {
    unsigned stamp;
    unsigned *st;
    int *call, *why;
} ut_trace;

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    int nvars;
    bool reporting;
    unsigned char *result_bits; /* per call id: bits a result-handle spawn sets */
    unsigned char *done_at_once; /* per call id: an eager spawn whose entry never suspends
                                   (it has finished when the spawn returns), or NULL */
    bool *tracked;              /* per var: may ever hold started work */
    /* flow-insensitive: why a variable was marked, and by which call */
    int *why;
    int *why_call;
    const char **noun;          /* task noun of the spawn a variable was assigned from */
    unsigned char *reported;    /* per call id */
    unsigned char *reported_exit; /* per var */
    /* loops are assumed to run at least once (unawaited_loops.c): on an
       exit edge of a loop's condition, bits the loop body clears (await on
       the object, any cooperative call) are cleared, unless the body also
       (re)starts or reassigns the object; after a first solve, what no back
       edge brings round too */
    int *rpo;                   /* reverse-postorder position per block, -1 unreachable */
    ut_loop *loops;             /* per block, as a header */
    int *body_stamp, *walk;     /* per block: scratch of the body walk */
    tl_sparse_scratch env;      /* the state being applied, unpacked */
    const char *awm_library;    /* cache of tl_own_library_await */
    const tl_fn_model *awm;
    long work, budget;          /* state entries processed, and how many may be */
    tl_inflight inflight;       /* operations in flight per object */
    tl_ut_reapers reapers;      /* objects a joined thread or a reaped child reaps */
    tl_ut_stops stops;          /* variables each channel_done call stops (unawaited_stops.h) */
    unsigned char *moved_out;   /* per var: its work moves on at its one copy (or NULL) */
    int failed_var;             /* scratch of failed_mask */
    unsigned char *owner_spawns; /* per call id: a spawn into an owner (bundle_go(b, ...)):
                                    1 when it is the only call starting work on that owner
                                    here (its failure edge leaves the owner empty), 2 when
                                    others do too (its failure edge leaves the owner empty
                                    unless prior_work), 0 other calls; or NULL */
    unsigned char *prior_work;   /* with owner_spawns, per call id: the owner held work
                                    when that spawn ran, on some path */
    unsigned char *addr_taken;   /* with owner_spawns, per variable */
    int *pred_start, *preds;     /* with owner_spawns: each block's reached predecessors (CSR) */
    int edge_block;              /* the branch block whose edge is being applied */
    int *result_of;              /* with owner_spawns, per variable: the call whose result
                                    is its only assignment (directly or through copies
                                    each assigned once: `rc = h` after `h = dill_prologue(...)`
                                    in bundle_go()'s expansion), -1 none */
    bool *owned;                /* per var: a local object never torn down here whose
                                   address does not escape (reported at returns) */
    tl_findings *out;
    /* reporting: the solved states, and a second scratch to replay them
       while the first holds the block being reported (path_clause) */
    const tl_dataflow_result *res;
    tl_sparse_scratch env2;
    bool *cyclic;               /* blocks on a CFG cycle, when a generator is started */
    tl_ut_main_tail main_tail;  /* main(): what follows each block (unawaited_ring.h) */
    /* path tracing (unawaited_path.c): the reporting replay traces each
       block it applies (rtrace), the backward searches the blocks they
       replay (strace); per block, the searches' visits and the position on
       the path being described (-1 off it); path_work: instructions the
       current finding's search replayed (bounded) */
    bool tracing;
    ut_trace rtrace, strace, *trace;
    unsigned visit, reach;
    unsigned *visit_stamp, *reach_stamp;
    int *path_pos;
    long path_work;
} ut_ctx;

/* A state: the variables whose work may be pending, with their bits
 * (UT_STRICT / UT_ANY); unreached blocks are bottom. */
typedef struct {
    bool reached;
    tl_sparse_map vars;
} ut_state;

/* The object variable of argument `arg` of a call (-1 if none). */
int tl_ut_obj_var(const ut_ctx *c, const tl_call *call, int arg);

/* The dataflow's operations on ut_state (unawaited_task.c). */
void tl_ut_bottom(void *ctx, void *st);
void tl_ut_copy(void *ctx, void *dst, const void *src);
void tl_ut_destroy(void *ctx, void *st);
void tl_ut_transfer_block(void *ctx, void *stp, const tl_func *f, const tl_block *b);
bool tl_ut_edge(void *ctx, void *stp, const tl_func *f, const tl_block *b, int s);

/* Apply instruction ii of block b to the unpacked state c->env. */
void tl_ut_apply(ut_ctx *c, const tl_block *b, int ii);
/* The instruction of call id of the function, or NULL. */
const tl_instr *tl_ut_find_call(const ut_ctx *c, int id);

/* The reports (unawaited_report.c): the teardown `in`, instruction ii of
 * block blk, of v with work pending (bits); and, at a return from block b
 * (not main()'s), the local objects owned outright with work pending that
 * the function never tears down. */
void tl_ut_report_teardown(ut_ctx *c, const tl_instr *in, const tl_fn_model *m, int v, unsigned bits, int blk,
                           int ii);
void tl_ut_report_exit(ut_ctx *c, const tl_block *b);

/* Path tracing (unawaited_path.c).  While c->tracing: v now holds the work
 * started by `call` (why: WHY_*), or what `from` held. */
void tl_ut_trace_set(ut_ctx *c, int v, int call, int why);
void tl_ut_trace_copy(ut_ctx *c, int v, int from);
/* Allocates the tracing arrays (before the reporting replay), and starts
 * tracing the reporting replay of a new block. */
void tl_ut_path_init(ut_ctx *c);
void tl_ut_trace_block(ut_ctx *c);

/* The path a finding is about, during the reporting replay of block `blk`
 * (c->res solved; c->rtrace traces the block so far): from the start of
 * the work v holds now back along the edges the solved states say carry
 * it.  call: that start's call id (-1 if none was found within the walk's
 * bounds), why: its WHY_*; clause (only with want_clause, else ""): " on
 * the path where the condition at line N is true|false" naming the branch
 * on that path that decides it reaches blk with the work pending, or "". */
typedef struct {
    int call;
    int why;
    char clause[96];
} ut_path;
void tl_ut_path_find(ut_ctx *c, int blk, bool want_clause, int v, ut_path *out);
/* Frees the tracing arrays. */
void tl_ut_path_free(ut_ctx *c);

/* Loops (unawaited_loops.c).  The header whose loop condition's exit edge
 * b -> succ[s] is (b itself, or the header of the `&&` chain b ends), -1 if
 * none; summarises loops on first use. */
int tl_ut_exit_header(ut_ctx *c, const tl_block *b, int s);
/* With a ut_loop as ctx: the bits its exit edges clear from variable v. */
uint64_t tl_ut_loop_clear_mask(void *ctx, int v);
/* After a first solve r: what each exited loop's back edges bring round;
 * true when a second solve would clear more. */
bool tl_ut_refine_loops(ut_ctx *c, const tl_dataflow_result *r);
/* Frees the loop summaries' lists. */
void tl_ut_loops_free(ut_ctx *c);

#endif
