/* would_block.c - descriptor I/O written for a non-blocking descriptor.
 *
 * `n = write(fd, ...); ... if (n == -1 && errno == EAGAIN) lost++;`: a
 * comparison of errno with a "would block" value (the errno_location facet
 * of the models: glibc's `(*__errno_location())` against EAGAIN and
 * EWOULDBLOCK) after descriptor I/O is code written for a descriptor its
 * author made non-blocking somewhere the analysis may not follow (another
 * executable's setup, a library's socket layer).  On a blocking descriptor
 * the branch would be dead.  Such a call is marked would_block_handled, and
 * blocking-in-coroutine reports it under `--profile strict` only
 * (tl_call_blocks_in).
 *
 * The project's own errno helpers count as what they return: a function of
 * the TU whose every return gives errno (`socket_errno()`) reads errno; one
 * whose every return compares errno, or such a helper's result, with
 * constants (`socket_eintr()`, `socket_eagain()`: `return socket_errno() ==
 * EAGAIN;`) tests it, and a call to one testing a would-block value is such
 * a comparison.  Classified once per TU, callees first through a memo
 * (helpers of helpers up to HELPER_DEPTH deep).
 *
 * Which call set errno: from each comparison (a branch or switch condition,
 * or an expression of an instruction: the value of `a && b` through a
 * temporary), a walk backwards over the instructions and the predecessor
 * blocks stops, on each path, at the first call that neither reads nor
 * tests errno: when that call is modelled `blocking.fd_io`, it is marked.
 * Any other call (perror, close) may have set errno itself, so the path
 * ends there, unmarked.  The walk from one comparison visits at most
 * WALK_LIMIT blocks: linear.
 */
#include "would_block.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "fd_origin.h"

#define WALK_LIMIT 64
#define HELPER_DEPTH 4

/* What a function of the TU does with errno (its result). */
enum { H_UNKNOWN = 0, H_NONE, H_READS, H_TESTS, H_TESTS_WOULD_BLOCK };

typedef struct {
    const tl_analysis *a;
    const tl_tu *tu;
    const tl_func_facts *funcs;
    const tl_errno_facet *errno_facet; /* the would-block values: the first errno_location model seen */
    unsigned char *helper;             /* per function: H_* (H_UNKNOWN until classified) */
    const tl_func *f;
    int fi;
    tl_func_facts *ff;
    unsigned char *origins; /* per variable of f: TL_FDO_* (fd_origin.h), filled on first use */
    int cmp_block;          /* the block of the comparison walked from */
    int *seen;  /* per block: the walk that last visited it (walk ids from 1) */
    int *queue; /* blocks to visit */
    int walk;
    bool cut; /* a classification below reached HELPER_DEPTH */
} wb_ctx;

static int classify(wb_ctx *x, int fi, int depth);
static bool inspects_errno(wb_ctx *x, const tl_func_facts *ff, int id, int depth);

/* The callee of call id of function facts ff, when it is a function of the TU. */
static int callee_of(const tl_func_facts *ff, int id) {
    if (id < 0 || id >= ff->ncalls || !ff->calls[id].instr) return -1;
    return ff->calls[id].instr->call.callee_func;
}

static bool errno_call(wb_ctx *x, const tl_func_facts *ff, int id, int depth) {
    if (id < 0 || id >= ff->ncalls) return false;
    const tl_fn_model *m = ff->calls[id].model;
    if (m && m->errno_location.present) return true;
    int g = callee_of(ff, id);
    return g >= 0 && classify(x, g, depth + 1) == H_READS;
}

/* e reads errno: `*__errno_location()`, or a call of a helper returning it. */
static bool errno_read(wb_ctx *x, const tl_func_facts *ff, const tl_expr *e, int depth) {
    e = tl_expr_uncast(e);
    if (!e) return false;
    if (e->kind == TL_E_CALLRES) {
        int g = callee_of(ff, e->call_id);
        return g >= 0 && classify(x, g, depth + 1) == H_READS;
    }
    if (e->nkids != 1 || !(e->kind == TL_E_DEREF || (e->kind == TL_E_UNARY && strcmp(e->op, "*") == 0))) return false;
    const tl_expr *k = tl_expr_uncast(e->kids[0]);
    if (!k || k->kind != TL_E_CALLRES || k->call_id < 0 || k->call_id >= ff->ncalls) return false;
    const tl_fn_model *m = ff->calls[k->call_id].model;
    return m && m->errno_location.present;
}

static bool would_block_value(const wb_ctx *x, int64_t v) {
    for (int i = 0; x->errno_facet && i < x->errno_facet->nwould_block; i++)
        if (x->errno_facet->would_block[i] == v) return true;
    return false;
}

/* `errno == C` / `errno != C` (either side): H_TESTS_WOULD_BLOCK when C is a
 * would-block value, H_TESTS for another constant, H_NONE else. */
static int errno_test(wb_ctx *x, const tl_func_facts *ff, const tl_expr *e, int depth) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_BINARY || e->nkids != 2 || (strcmp(e->op, "==") && strcmp(e->op, "!=")))
        return H_NONE;
    for (int side = 0; side < 2; side++) {
        const tl_expr *c = tl_expr_uncast(e->kids[1 - side]);
        if (c && c->kind == TL_E_CONST && errno_read(x, ff, e->kids[side], depth))
            return would_block_value(x, c->ival) ? H_TESTS_WOULD_BLOCK : H_TESTS;
    }
    return H_NONE;
}

/* A helper's result, as a test: `socket_eagain()` in a condition. */
static int helper_test(wb_ctx *x, const tl_func_facts *ff, const tl_expr *e, int depth) {
    e = tl_expr_uncast(e);
    int g = e && e->kind == TL_E_CALLRES ? callee_of(ff, e->call_id) : -1;
    int h = g >= 0 ? classify(x, g, depth + 1) : H_NONE;
    return h == H_TESTS || h == H_TESTS_WOULD_BLOCK ? h : H_NONE;
}

/* Call id reads or tests errno (`*__errno_location()`, `sock_errno()`,
 * `sock_eintr()`): it sets nothing. */
static bool inspects_errno(wb_ctx *x, const tl_func_facts *ff, int id, int depth) {
    if (errno_call(x, ff, id, depth)) return true;
    int g = callee_of(ff, id);
    int h = g >= 0 ? classify(x, g, depth + 1) : H_NONE;
    return h == H_TESTS || h == H_TESTS_WOULD_BLOCK;
}

/* Function fi: does every return give errno, or a test of it? */
static int classify(wb_ctx *x, int fi, int depth) {
    if (fi < 0 || fi >= x->tu->nfuncs) return H_NONE;
    if (x->helper[fi] != H_UNKNOWN) return x->helper[fi];
    if (depth > HELPER_DEPTH) {
        x->cut = true; /* (not memoised: a shallower caller may tell) */
        return H_NONE;
    }
    bool was_cut = x->cut;
    x->cut = false;
    x->helper[fi] = H_NONE; /* (recursion: not a helper) */
    const tl_func *f = &x->tu->funcs[fi];
    const tl_func_facts *ff = &x->funcs[fi];
    int kind = H_UNKNOWN;
    for (int bi = 0; bi < f->nblocks && kind != H_NONE; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs && kind != H_NONE; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind == TL_I_CALL) {
                if (!inspects_errno(x, ff, in->call.id, depth)) kind = H_NONE; /* a helper calls nothing else */
                continue;
            }
            if (in->kind != TL_I_RETURN || !in->value) continue; /* (falling off the end: unreachable) */
            int k = errno_read(x, ff, in->value, depth) ? H_READS : errno_test(x, ff, in->value, depth);
            if (k == H_NONE) k = helper_test(x, ff, in->value, depth);
            if (k == H_NONE || (kind != H_UNKNOWN && (kind == H_READS) != (k == H_READS))) kind = H_NONE;
            else if (kind == H_UNKNOWN || k == H_TESTS_WOULD_BLOCK) kind = k;
        }
    int result = kind == H_UNKNOWN ? H_NONE : kind;
    /* a result found with a callee past the depth limit is not memoised */
    x->helper[fi] = x->cut && result == H_NONE ? H_UNKNOWN : (unsigned char)result;
    x->cut |= was_cut;
    return result;
}

/* Whether e holds a would-block test: `errno == EAGAIN`, `socket_eagain()`. */
static bool tests_would_block(wb_ctx *x, const tl_expr *e, int depth) {
    if (!e || depth > 32) return false;
    if (errno_test(x, x->ff, e, 0) == H_TESTS_WOULD_BLOCK || helper_test(x, x->ff, e, 0) == H_TESTS_WOULD_BLOCK)
        return true;
    for (int i = 0; i < e->nkids; i++)
        if (tests_would_block(x, e->kids[i], depth + 1)) return true;
    return false;
}

/* `switch (errno) { case EAGAIN: ... }` */
static bool switches_would_block(wb_ctx *x, const tl_block *b) {
    if (b->term != TL_T_SWITCH || !errno_read(x, x->ff, b->cond, 0)) return false;
    for (int i = 0; i + 1 < b->nsucc; i++)
        if (would_block_value(x, b->case_values[i])) return true;
    return false;
}

/* The test retries the call at once (`while ((n = read(fd, ...)) < 0 &&
 * (errno == EINTR || errno == EAGAIN));`): a branch of the comparison's
 * block leads straight back (through empty blocks) to the call's block.
 * Spinning until the call succeeds is no sign the descriptor is
 * non-blocking. */
static bool retries(const wb_ctx *x, int call_block) {
    const tl_block *b = &x->f->blocks[x->cmp_block];
    for (int s = 0; s < b->nsucc; s++) {
        int t = b->succ[s];
        for (int step = 0; t >= 0 && t < x->f->nblocks && step < 8; step++) {
            if (t == call_block) return true;
            const tl_block *n = &x->f->blocks[t];
            if (n->ninstrs || n->nsucc != 1) break;
            t = n->succ[0];
        }
    }
    return false;
}

/* The descriptor of fd_io call cf is a local this function makes (socket,
 * open, accept...): its mode is the dataflow's to tell (it knows the flag
 * when the code sets it); a blocking one with EAGAIN tested is a read
 * timeout (SO_RCVTIMEO) or a mistake, not a descriptor set up elsewhere. */
static bool made_here(wb_ctx *x, const tl_call_facts *cf) {
    const tl_fn_model *m = cf->model;
    const tl_call *c = &cf->instr->call;
    int fd = m->blocking.fd_arg >= 0 ? m->blocking.fd_arg : 0;
    const tl_expr *e = fd < c->nargs ? tl_expr_uncast(c->args[fd]) : NULL;
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= x->f->nvars) return false;
    const tl_var *v = &x->f->vars[e->var];
    if (v->kind != TL_VAR_LOCAL && v->kind != TL_VAR_TEMP) return false;
    if (!x->origins) {
        x->origins = tl_xcalloc((size_t)x->f->nvars + 1, 1);
        tl_fd_origins(x->a, x->fi, x->origins);
    }
    return x->origins[e->var] != 0;
}

/* Walks back over block bi's instructions before index `upto`: 1 when a
 * call ended the path (marked if it is descriptor I/O), 0 to go on into
 * the predecessors. */
static int back_over(wb_ctx *x, int bi, int upto) {
    const tl_block *b = &x->f->blocks[bi];
    for (int i = upto - 1; i >= 0; i--) {
        const tl_instr *in = &b->instrs[i];
        if (in->kind != TL_I_CALL) continue;
        int id = in->call.id;
        if (inspects_errno(x, x->ff, id, 0)) continue; /* reads or tests errno: sets nothing */
        if (id >= 0 && id < x->ff->ncalls) {
            tl_call_facts *cf = &x->ff->calls[id];
            if (cf->model && cf->model->blocking.present && cf->model->blocking.fd_io && !retries(x, bi) &&
                !made_here(x, cf))
                cf->would_block_handled = true;
        }
        return 1;
    }
    return 0;
}

static void walk_from(wb_ctx *x, int bi, int upto) {
    x->cmp_block = bi;
    x->walk++;
    x->seen[bi] = x->walk;
    if (back_over(x, bi, upto)) return;
    int head = 0, tail = 0;
    x->queue[tail++] = bi;
    while (head < tail) {
        const tl_block *b = &x->f->blocks[x->queue[head++]];
        for (int p = 0; p < b->npred; p++) {
            int q = b->pred[p];
            if (q < 0 || q >= x->f->nblocks || x->seen[q] == x->walk || tail >= WALK_LIMIT) continue;
            x->seen[q] = x->walk;
            if (!back_over(x, q, x->f->blocks[q].ninstrs)) x->queue[tail++] = q;
        }
    }
}

static void mark_function(wb_ctx *x) {
    const tl_func *f = x->f;
    if (f->nblocks <= 0) return;
    x->seen = tl_xcalloc((size_t)f->nblocks, sizeof(int));
    x->walk = 0;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            const tl_expr *v = in->kind == TL_I_CALL ? NULL : in->value;
            if (v && tests_would_block(x, v, 0)) walk_from(x, bi, i);
        }
        if ((b->term == TL_T_BRANCH && tests_would_block(x, b->cond, 0)) || switches_would_block(x, b))
            walk_from(x, bi, b->ninstrs);
    }
    free(x->seen);
    x->seen = NULL;
}

void tl_mark_would_block_calls(const tl_analysis *a) {
    const tl_tu *tu = a->tu;
    tl_func_facts *funcs = a->funcs;
    wb_ctx x = {0};
    x.a = a;
    x.tu = tu;
    x.funcs = funcs;
    bool *reads = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *reads);
    bool any = false;
    for (int fi = 0; fi < tu->nfuncs; fi++)
        for (int id = 0; id < funcs[fi].ncalls; id++) {
            const tl_fn_model *m = funcs[fi].calls[id].model;
            if (!m || !m->errno_location.present) continue;
            if (!x.errno_facet) x.errno_facet = &m->errno_location;
            reads[fi] = any = true;
        }
    if (any) {
        x.helper = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *x.helper);
        x.queue = tl_xmalloc(WALK_LIMIT * sizeof(int));
        for (int fi = 0; fi < tu->nfuncs; fi++) {
            bool calls_helper = false; /* (a test through a helper reads no errno itself) */
            for (int id = 0; !reads[fi] && !calls_helper && id < funcs[fi].ncalls; id++)
                calls_helper = callee_of(&funcs[fi], id) >= 0;
            if (!reads[fi] && !calls_helper) continue;
            x.f = &tu->funcs[fi];
            x.fi = fi;
            x.ff = &funcs[fi];
            x.origins = NULL;
            mark_function(&x);
            free(x.origins);
        }
        free(x.helper);
        free(x.queue);
    }
    free(reads);
}
