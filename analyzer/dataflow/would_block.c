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
 * Which call set errno: from each comparison (a branch or switch condition,
 * or an expression of an instruction: the value of `a && b` through a
 * temporary), a walk backwards over the instructions and the predecessor
 * blocks stops, on each path, at the first call that is not an errno read:
 * when that call is modelled `blocking.fd_io`, it is marked.  Any other call
 * (perror, close) may have set errno itself, so the path ends there, unmarked.
 * The walk from one comparison visits at most WALK_LIMIT blocks, so a
 * function costs at most that many steps per comparison: linear.
 */
#include "would_block.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

#define WALK_LIMIT 64

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    int *seen;  /* per block: the walk that last visited it (walk ids from 1) */
    int *queue; /* blocks to visit */
    int walk;
} wb_ctx;

/* The errno_location facet of the call whose result e dereferences, or NULL. */
static const tl_errno_facet *errno_read(const wb_ctx *x, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e || e->nkids != 1 || !(e->kind == TL_E_DEREF || (e->kind == TL_E_UNARY && strcmp(e->op, "*") == 0)))
        return NULL;
    const tl_expr *k = tl_expr_uncast(e->kids[0]);
    if (!k || k->kind != TL_E_CALLRES || k->call_id < 0 || k->call_id >= x->ff->ncalls) return NULL;
    const tl_fn_model *m = x->ff->calls[k->call_id].model;
    return m && m->errno_location.present ? &m->errno_location : NULL;
}

static bool is_errno_call(const wb_ctx *x, const tl_instr *in) {
    int id = in->call.id;
    if (id < 0 || id >= x->ff->ncalls) return false;
    const tl_fn_model *m = x->ff->calls[id].model;
    return m && m->errno_location.present;
}

static bool would_block_value(const tl_errno_facet *e, const tl_expr *c) {
    c = tl_expr_uncast(c);
    if (!c || c->kind != TL_E_CONST) return false;
    for (int i = 0; i < e->nwould_block; i++)
        if (e->would_block[i] == c->ival) return true;
    return false;
}

/* Whether e holds `errno == V` / `errno != V` with V a would-block value. */
static bool compares_would_block(const wb_ctx *x, const tl_expr *e, int depth) {
    if (!e || depth > 32) return false;
    if (e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "==") || !strcmp(e->op, "!="))) {
        const tl_errno_facet *l = errno_read(x, e->kids[0]), *r = errno_read(x, e->kids[1]);
        if ((l && would_block_value(l, e->kids[1])) || (r && would_block_value(r, e->kids[0]))) return true;
    }
    for (int i = 0; i < e->nkids; i++)
        if (compares_would_block(x, e->kids[i], depth + 1)) return true;
    return false;
}

/* `switch (errno) { case EAGAIN: ... }` */
static bool switches_would_block(const wb_ctx *x, const tl_block *b) {
    const tl_errno_facet *e = b->term == TL_T_SWITCH ? errno_read(x, b->cond) : NULL;
    for (int i = 0; e && i + 1 < b->nsucc; i++) {
        tl_expr c = {.kind = TL_E_CONST, .ival = b->case_values[i]};
        if (would_block_value(e, &c)) return true;
    }
    return false;
}

/* Walks back over block bi's instructions before index `upto`: 1 when a
 * call ended the path (marked if it is descriptor I/O), 0 to go on into
 * the predecessors. */
static int back_over(wb_ctx *x, int bi, int upto) {
    const tl_block *b = &x->f->blocks[bi];
    for (int i = upto - 1; i >= 0; i--) {
        const tl_instr *in = &b->instrs[i];
        if (in->kind != TL_I_CALL || is_errno_call(x, in)) continue;
        int id = in->call.id;
        if (id >= 0 && id < x->ff->ncalls) {
            tl_call_facts *cf = &x->ff->calls[id];
            if (cf->model && cf->model->blocking.present && cf->model->blocking.fd_io)
                cf->would_block_handled = true;
        }
        return 1;
    }
    return 0;
}

static void walk_from(wb_ctx *x, int bi, int upto) {
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

void tl_mark_would_block_calls(const tl_func *f, tl_func_facts *ff) {
    bool any = false;
    for (int id = 0; id < ff->ncalls && !any; id++)
        if (ff->calls[id].model && ff->calls[id].model->errno_location.present) any = true;
    if (!any || f->nblocks <= 0) return; /* no errno read: nothing to do */
    wb_ctx x = {f, ff, tl_xcalloc((size_t)f->nblocks, sizeof(int)), tl_xmalloc(WALK_LIMIT * sizeof(int)), 0};
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            const tl_expr *v = in->kind == TL_I_CALL ? NULL : in->value;
            if (v && compares_would_block(&x, v, 0)) walk_from(&x, bi, i);
        }
        if ((b->term == TL_T_BRANCH && compares_would_block(&x, b->cond, 0)) || switches_would_block(&x, b))
            walk_from(&x, bi, b->ninstrs);
    }
    free(x.seen);
    free(x.queue);
}
