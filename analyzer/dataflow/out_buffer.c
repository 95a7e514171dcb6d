/* out_buffer.c - bytes buffered in a connection's own output buffer
 * (out_buffer.h).
 *
 * Places are the variables handed as the connection to a `buffered` call,
 * their addresses never taken.  A state gives each place the most bytes any
 * path to the point may have left in its buffer (OB_UNKNOWN: not known):
 *   - `v = fresh_call()`: 0; `v = w`: w's; any other assignment, a
 *     declaration: not known;
 *   - a flush on the place: 0;
 *   - a buffered copy: plus its length when the sum fits the buffer (the
 *     call only copies: buffer_fits), else not known (it writes);
 *   - a call handed the place whose model says nothing of buffering - code
 *     nobody models, or the program's own - may copy into it: not known.
 */
#include "out_buffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"

#define OB_MAX_PLACES 64
#define OB_UNKNOWN 0xFFFFu

typedef struct {
    bool reached;
    uint16_t n[OB_MAX_PLACES];
} ob_state;

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    int nplaces;
    int *place_of; /* var -> place, -1 */
    long work, budget;
    bool recording;
} ob_ctx;

static int place(const ob_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->f->nvars ? c->place_of[e->var] : -1;
}

static const tl_fn_model *model_of(const ob_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

/* The bytes a buffered copy adds, or -1 when not known. */
static long copy_length(const ob_ctx *c, const tl_call *call, const tl_buffered_facet *b) {
    const tl_call_facts *cf = &c->ff->calls[call->id];
    if (b->len_arg < 0 || b->len_arg >= call->nargs || !cf->argv) return -1;
    const tl_cval *v = &cf->argv[b->len_arg];
    if (v->kind == TL_CV_INT && v->v >= 0 && v->v <= b->size) return (long)v->v;
    /* more than the fixed-size array it copies from would read past it */
    const tl_expr *e = b->buf_arg >= 0 && b->buf_arg < call->nargs ? tl_expr_uncast(call->args[b->buf_arg]) : NULL;
    if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->f->nvars && c->f->vars[e->var].is_array &&
        c->f->vars[e->var].array_bytes > 0 && c->f->vars[e->var].array_bytes <= b->size)
        return (long)c->f->vars[e->var].array_bytes;
    return -1;
}

static void apply(ob_ctx *c, ob_state *s, const tl_instr *in) {
    c->work += c->nplaces + 1;
    if (in->kind == TL_I_DECL || in->kind == TL_I_ASSIGN) {
        int p = in->var >= 0 && in->var < c->f->nvars ? c->place_of[in->var] : -1;
        if (p < 0) return;
        const tl_expr *v = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
        const tl_fn_model *m = v && v->kind == TL_E_CALLRES ? model_of(c, v->call_id) : NULL;
        int q = v ? place(c, v) : -1;
        s->n[p] = m && m->fresh.present && m->fresh.result ? 0 : q >= 0 ? s->n[q] : OB_UNKNOWN;
        return;
    }
    if (in->kind != TL_I_CALL) return;
    const tl_call *call = &in->call;
    const tl_fn_model *m = model_of(c, call->id);
    for (int j = 0; j < call->nargs; j++) {
        int p = place(c, call->args[j]);
        if (p < 0) continue;
        if (m && m->buffered.present && j == m->buffered.handle_arg) {
            const tl_buffered_facet *b = &m->buffered;
            if (b->flush) {
                s->n[p] = 0;
                continue;
            }
            long len = s->n[p] == OB_UNKNOWN ? -1 : copy_length(c, call, b);
            if (len >= 0 && (long)s->n[p] + len <= b->size && (long)s->n[p] + len < (long)OB_UNKNOWN) {
                s->n[p] = (uint16_t)(s->n[p] + len);
                if (c->recording) c->ff->calls[call->id].buffer_fits = true;
            } else {
                s->n[p] = OB_UNKNOWN;
            }
        } else if (!m && !call->callee_system) {
            s->n[p] = OB_UNKNOWN; /* code nobody models may copy into it */
        }
    }
}

static void ob_entry(void *ctx, void *st) {
    ob_ctx *c = ctx;
    ob_state *s = st;
    s->reached = true;
    for (int p = 0; p < OB_MAX_PLACES; p++) s->n[p] = OB_UNKNOWN;
    (void)c;
}

static void ob_bottom(void *ctx, void *st) {
    (void)ctx;
    memset(st, 0, sizeof(ob_state));
}

static void ob_copy(void *ctx, void *dst, const void *src) {
    (void)ctx;
    memcpy(dst, src, sizeof(ob_state));
}

static bool ob_join(void *ctx, void *dstp, const void *srcp) {
    ob_ctx *c = ctx;
    ob_state *d = dstp;
    const ob_state *s = srcp;
    if (!s->reached) return false;
    if (!d->reached) {
        *d = *s;
        return true;
    }
    bool changed = false;
    for (int p = 0; p < c->nplaces; p++)
        if (s->n[p] > d->n[p]) {
            d->n[p] = s->n[p];
            changed = true;
        }
    c->work += c->nplaces;
    return changed;
}

static void ob_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i) {
    (void)f;
    ob_state *s = st;
    if (s->reached) apply(ctx, s, &b->instrs[i]);
}

static bool ob_exhausted(void *ctx) {
    const ob_ctx *c = ctx;
    return c->work > c->budget;
}

static const tl_dataflow_ops ob_ops = {
    .state_size = sizeof(ob_state),
    .init_entry = ob_entry,
    .init_bottom = ob_bottom,
    .copy = ob_copy,
    .join = ob_join,
    .transfer = ob_transfer,
    .exhausted = ob_exhausted,
};

static void run_func(tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return;
    ob_ctx c = {.f = f, .ff = ff, .budget = tl_dataflow_budget(f)};
    c.place_of = tl_xmalloc((size_t)f->nvars * sizeof *c.place_of);
    for (int v = 0; v < f->nvars; v++) c.place_of[v] = -1;
    unsigned char *taken = tl_xcalloc((size_t)f->nvars, 1);
    tl_func_addr_taken(f, taken);
    for (int id = 0; id < ff->ncalls && c.nplaces < OB_MAX_PLACES; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !m->buffered.present || !in || m->buffered.handle_arg >= in->call.nargs) continue;
        const tl_expr *e = tl_expr_uncast(in->call.args[m->buffered.handle_arg]);
        if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars && !taken[e->var] &&
            c.place_of[e->var] < 0)
            c.place_of[e->var] = c.nplaces++;
    }
    if (c.nplaces > 0) {
        tl_dataflow_result r;
        if (tl_dataflow_forward(f, &ob_ops, &c, &r) == 0) {
            c.recording = true;
            ob_state s;
            for (int bi = 0; bi < f->nblocks; bi++) {
                if (!r.reached[bi]) continue;
                tl_dataflow_replay(&r, f, bi, 0, &s);
                for (int i = 0; i < f->blocks[bi].ninstrs && s.reached; i++) apply(&c, &s, &f->blocks[bi].instrs[i]);
            }
        }
        tl_dataflow_free(&r);
    }
    free(taken);
    free(c.place_of);
}

void tl_analysis_mark_out_buffers(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, fi);
}
