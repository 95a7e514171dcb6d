/* summary_wire.c - encoding and decoding a TU's summary (see summary_wire.h).
 * The decoder trusts nothing: counts are bounded by the bytes left, enum
 * values and indices are range-checked, and a record out of place fails the
 * whole frame. */
#include "summary_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

enum {
    REC_UNIT = 1,
    REC_FUNC = 2,
    REC_CALL = 3,
    REC_REG = 4,
    REC_PASS = 5,
    REC_DEADLINE = 6,
    REC_SLOT = 7,
    REC_STORE = 8,
    REC_AWAIT_GLOBAL = 9,
    REC_FD_STORE = 10,
    REC_POST_GLOBAL = 11,
    REC_LOCKED_POST = 12,
    REC_ASSIGNED_FIELD = 13 /* a field the TU assigns; "" once: more than can be listed */
};

#define MAX_PARAMS 4096
#define MAX_ARGS 4096

/* ---- encoding ---- */

static void put_i32(tl_wire_writer *w, int v) {
    tl_wire_put_u32(w, (uint32_t)v);
}

static void put_loc(tl_wire_writer *w, tl_loc l) {
    tl_wire_put_str(w, l.file);
    tl_wire_put_u32(w, l.line);
    tl_wire_put_u32(w, l.col);
    tl_wire_put_u32(w, l.offset);
}

static void put_ref(tl_wire_writer *w, const tl_ref *r) {
    tl_wire_put_u8(w, (uint8_t)r->kind);
    tl_wire_put_str(w, r->usr);
    tl_wire_put_str(w, r->name);
    put_i32(w, r->param);
}

/* params_if and returns_if (zero when absent): a byte saying which follow. */
static void put_conditional(tl_wire_writer *w, const tl_func_summary *f) {
    const tl_fd_params_if *q = &f->params_if;
    const tl_fd_returns_if *r = &f->returns_if;
    bool has_q = q->niparams > 0 && q->niparams <= 3, has_r = (r->ok[0] | r->ok[1]) && r->nmasks <= 2 && r->niparams <= 3;
    tl_wire_put_u8(w, (uint8_t)(has_q | has_r << 1));
    if (has_q) {
        tl_wire_put_u8(w, q->niparams);
        for (int j = 0; j < q->niparams; j++) put_i32(w, q->iparams[j]);
        for (int a = 0; a < (1 << q->niparams); a++) tl_wire_put_u32(w, q->nb[a]);
    }
    if (has_r) {
        tl_wire_put_u8(w, r->nmasks);
        tl_wire_put_u8(w, r->niparams);
        for (int k = 0; k < r->nmasks; k++) {
            tl_wire_put_u64(w, (uint64_t)r->masks[k]);
            tl_wire_put_u8(w, r->ok[k]);
        }
        for (int j = 0; j < r->niparams; j++) put_i32(w, r->iparams[j]);
    }
}

static void put_func(tl_wire_writer *w, const tl_func_summary *f) {
    tl_wire_begin_record(w, REC_FUNC);
    tl_wire_put_str(w, f->usr);
    tl_wire_put_str(w, f->name);
    put_loc(w, f->loc);
    tl_wire_put_u8(w, (uint8_t)(f->is_static | f->in_header << 1 | f->returns_handle << 2 | f->returns_pointer << 3 |
                                f->never_returns << 4 | f->returns_bool << 5 | f->self_releases << 6));
    tl_wire_put_str(w, f->spawn_model);
    put_loc(w, f->spawn_loc);
    tl_wire_put_u32(w, (uint32_t)f->nparams);
    for (int k = 0; k < f->nparams; k++) {
        tl_wire_put_u32(w, f->params[k].effects);
        tl_wire_put_str(w, f->params[k].release_how);
    }
    tl_wire_put_u32(w, f->params_nonblocking); /* appended: absent in older frames */
    tl_wire_put_u32(w, f->params_moded);
    put_conditional(w, f); /* appended too */
    tl_wire_put_u32(w, f->sink_params); /* appended later */
    tl_wire_put_u32(w, f->stop_params); /* appended after that */
    tl_wire_end_record(w);

    for (int i = 0; i < f->ncalls; i++) {
        const tl_sum_call *c = &f->calls[i];
        tl_wire_begin_record(w, REC_CALL);
        put_ref(w, &c->target);
        put_loc(w, c->loc);
        tl_wire_put_str(w, c->spelling);
        tl_wire_put_u8(w, (uint8_t)(c->modelled | c->nonblocking << 1 | c->blocks << 2 |
                                    c->blocks_unless_ready << 3 | c->spawn_entry << 4 |
                                    c->in_unbounded_loop << 5 | c->passes_param << 6 | c->fd_file << 7));
        tl_wire_put_u32(w, (uint32_t)c->nargs);
        for (int k = 0; k < c->nargs; k++) {
            const tl_sum_arg *a = &c->args[k];
            tl_wire_put_u8(w, (uint8_t)a->value.kind);
            tl_wire_put_u64(w, (uint64_t)a->value.v);
            put_i32(w, a->value.via_var);
            put_i32(w, a->param);
            tl_wire_put_str(w, a->fn_usr);
            tl_wire_put_str(w, a->fn_name);
        }
        put_i32(w, c->nchild_of ? c->child_of[0] : -1); /* appended: absent in older frames */
        tl_wire_put_u32(w, (uint32_t)c->nchild_of);   /* appended later: all of them */
        for (int k = 0; k < c->nchild_of; k++) put_i32(w, c->child_of[k]);
        tl_wire_put_str(w, c->fd_slot); /* appended later still */
        tl_wire_put_u32(w, c->guard_nz); /* appended after that */
        tl_wire_put_u32(w, c->guard_z);
        tl_wire_put_u32(w, c->guard_pass);
        /* appended last: bit 0 result_returned, bit 1 (later) in_loop */
        tl_wire_put_u8(w, (uint8_t)(c->result_returned | c->in_loop << 1));
        tl_wire_put_u8(w, (uint8_t)c->nfguards); /* appended after that */
        for (int k = 0; k < c->nfguards; k++) {
            tl_wire_put_str(w, c->fguards[k].field_usr);
            tl_wire_put_u64(w, (uint64_t)c->fguards[k].mask);
            tl_wire_put_u8(w, c->fguards[k].nonzero);
        }
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->nregs; i++) {
        const tl_sum_reg *r = &f->regs[i];
        tl_wire_begin_record(w, REC_REG);
        put_ref(w, &r->target);
        tl_wire_put_u8(w, (uint8_t)r->context);
        tl_wire_put_u8(w, (uint8_t)(r->readiness | r->cancel_bounded << 1));
        tl_wire_put_str(w, r->library);
        tl_wire_put_str(w, r->via);
        put_loc(w, r->loc);
        tl_wire_put_u32(w, r->fresh_args); /* (appended: older frames end before it) */
        tl_wire_put_u8(w, (uint8_t)r->nshares); /* (appended later) */
        for (int k = 0; k < r->nshares; k++) {
            tl_wire_put_u8(w, r->shares[k].arg);
            tl_wire_put_u8(w, r->shares[k].reg);
            tl_wire_put_u8(w, r->shares[k].reg_arg);
        }
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->npasses; i++) {
        tl_wire_begin_record(w, REC_PASS);
        put_i32(w, f->passes[i].param);
        put_i32(w, f->passes[i].call);
        put_i32(w, f->passes[i].arg);
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->ndeadlines; i++) {
        const tl_sum_deadline *d = &f->deadlines[i];
        tl_wire_begin_record(w, REC_DEADLINE);
        put_i32(w, d->param);
        put_i32(w, d->call);
        tl_wire_put_u8(w, (uint8_t)d->kind);
        tl_wire_put_u32(w, (uint32_t)d->nforever);
        for (int k = 0; k < d->nforever; k++) {
            tl_wire_put_u8(w, (uint8_t)d->forever[k].kind);
            tl_wire_put_u64(w, (uint64_t)d->forever[k].value);
        }
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->nawait_globals; i++) {
        tl_wire_begin_record(w, REC_AWAIT_GLOBAL);
        tl_wire_put_str(w, f->await_globals[i]);
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->npost_globals; i++) {
        tl_wire_begin_record(w, REC_POST_GLOBAL);
        tl_wire_put_str(w, f->post_globals[i]);
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->nlocked_posts; i++) {
        tl_wire_begin_record(w, REC_LOCKED_POST);
        put_i32(w, f->locked_post_params[i]);
        tl_wire_put_str(w, f->locked_post_objects[i]);
        tl_wire_put_str(w, f->locked_post_mutexes[i]);
        tl_wire_end_record(w);
    }
    for (int i = 0; i < f->nslots; i++) {
        const tl_sum_slot *s = &f->slots[i];
        tl_wire_begin_record(w, REC_SLOT);
        tl_wire_put_str(w, s->slot_usr);
        tl_wire_put_str(w, s->slot_name);
        tl_wire_put_u8(w, s->spawn);
        tl_wire_put_str(w, s->how);
        put_i32(w, s->pass_call);
        put_i32(w, s->pass_arg);
        tl_wire_put_str(w, s->task);
        tl_wire_put_str(w, s->library);
        put_loc(w, s->loc);
        tl_wire_put_u8(w, s->self); /* appended later */
        tl_wire_end_record(w);
    }
}

int tl_summary_wire_encode(tl_wire_writer *w, const tl_tu_summary *s) {
    tl_wire_begin_frame(w, TL_WIRE_KIND_SUMMARY);
    tl_wire_begin_record(w, REC_UNIT);
    tl_wire_put_str(w, s->main_file);
    tl_wire_end_record(w);
    for (int fi = 0; fi < s->nfuncs; fi++) put_func(w, &s->funcs[fi]);
    for (int i = 0; i < s->nstores; i++) {
        const tl_fn_store *st = &s->stores[i];
        tl_wire_begin_record(w, REC_STORE);
        tl_wire_put_str(w, st->slot_usr);
        tl_wire_put_str(w, st->slot_name);
        tl_wire_put_str(w, st->fn_usr);
        tl_wire_put_str(w, st->fn_name);
        put_loc(w, st->loc);
        tl_wire_put_varu(w, (uint32_t)st->nconsts); /* (appended) */
        for (int k = 0; k < st->nconsts; k++) {
            tl_wire_put_str(w, st->consts[k].field_usr);
            tl_wire_put_vari(w, st->consts[k].value);
        }
        tl_wire_end_record(w);
    }
    for (int i = 0; i < s->nfd_stores; i++) {
        const tl_slot_store *st = &s->fd_stores[i];
        tl_wire_begin_record(w, REC_FD_STORE);
        tl_wire_put_str(w, st->key);
        tl_wire_put_str(w, st->src);
        tl_wire_put_u8(w, (uint8_t)st->kind);
        tl_wire_put_u8(w, st->is_static);
        tl_wire_end_record(w);
    }
    for (int i = 0; i < s->nassigned_fields + (s->assigned_over ? 1 : 0); i++) {
        tl_wire_begin_record(w, REC_ASSIGNED_FIELD);
        tl_wire_put_str(w, i < s->nassigned_fields ? s->assigned_fields[i] : "");
        tl_wire_end_record(w);
    }
    return tl_wire_end_frame(w);
}

/* ---- decoding ---- */

typedef struct {
    tl_tu_summary *s;
    tl_wire_reader *r;
    int capfuncs;
    int capcalls, capregs, cappasses, capdeadlines, capslots, capstores, capfdstores;
} decoder;

static int get_i32(tl_wire_reader *r) {
    return (int)tl_wire_get_u32(r);
}

/* A string interned into the summary (file, library and model names). */
static const char *get_interned(decoder *d) {
    char *s = tl_wire_get_str(d->r);
    const char *i = s ? tl_tu_summary_intern(d->s, s) : NULL;
    free(s);
    return i;
}

static tl_loc get_loc(decoder *d) {
    tl_loc l;
    l.file = get_interned(d);
    l.line = tl_wire_get_u32(d->r);
    l.col = tl_wire_get_u32(d->r);
    l.offset = tl_wire_get_u32(d->r);
    return l;
}

static tl_ref get_ref(tl_wire_reader *r) {
    tl_ref ref;
    uint8_t kind = tl_wire_get_u8(r);
    if (kind > TL_REF_PARAM) tl_wire_fail(r, "bad reference kind");
    ref.kind = (tl_ref_kind)kind;
    ref.usr = tl_wire_get_str(r);
    ref.name = tl_wire_get_str(r);
    ref.param = get_i32(r);
    return ref;
}

static tl_func_summary *current(decoder *d) {
    if (d->s->nfuncs == 0) {
        tl_wire_fail(d->r, "a function's record before any function");
        return NULL;
    }
    return &d->s->funcs[d->s->nfuncs - 1];
}

/* put_conditional's fields, checked: at most 3 parameters, each one of f's,
 * and 2 masks (what the dataflow computes); anything else fails the frame. */
static void get_conditional(tl_wire_reader *r, tl_func_summary *f) {
    uint8_t has = tl_wire_get_u8(r);
    if (has & ~3u) tl_wire_fail(r, "unknown conditional facts");
    if (has & 1) {
        tl_fd_params_if *q = &f->params_if;
        q->niparams = tl_wire_get_u8(r);
        if (q->niparams < 1 || q->niparams > 3) tl_wire_fail(r, "bad params_if");
        for (int j = 0; !r->bad && j < q->niparams; j++) {
            q->iparams[j] = get_i32(r);
            if (q->iparams[j] < 0 || q->iparams[j] >= f->nparams) tl_wire_fail(r, "bad params_if parameter");
        }
        for (int a = 0; !r->bad && a < (1 << q->niparams); a++) q->nb[a] = tl_wire_get_u32(r);
    }
    if ((has & 2) && !r->bad) {
        tl_fd_returns_if *x = &f->returns_if;
        x->nmasks = tl_wire_get_u8(r);
        x->niparams = tl_wire_get_u8(r);
        if (x->nmasks > 2 || x->niparams > 3) tl_wire_fail(r, "bad returns_if");
        for (int k = 0; !r->bad && k < x->nmasks; k++) {
            x->masks[k] = (int64_t)tl_wire_get_u64(r);
            x->ok[k] = tl_wire_get_u8(r);
        }
        for (int j = 0; !r->bad && j < x->niparams; j++) {
            x->iparams[j] = get_i32(r);
            if (x->iparams[j] < 0 || x->iparams[j] >= f->nparams) tl_wire_fail(r, "bad returns_if parameter");
        }
    }
    if (r->bad) {
        memset(&f->params_if, 0, sizeof f->params_if);
        memset(&f->returns_if, 0, sizeof f->returns_if);
    }
}

static void read_func(decoder *d) {
    tl_wire_reader *r = d->r;
    d->s->funcs = tl_xgrow(d->s->funcs, d->s->nfuncs, &d->capfuncs, sizeof *d->s->funcs);
    tl_func_summary *f = &d->s->funcs[d->s->nfuncs++];
    memset(f, 0, sizeof *f);
    d->capcalls = d->capregs = d->cappasses = d->capdeadlines = d->capslots = 0;
    f->usr = tl_wire_get_str(r);
    f->name = tl_wire_get_str(r);
    f->loc = get_loc(d);
    uint8_t flags = tl_wire_get_u8(r);
    f->is_static = flags & 1;
    f->in_header = flags >> 1 & 1;
    f->returns_handle = flags >> 2 & 1;
    f->returns_pointer = flags >> 3 & 1;
    f->never_returns = flags >> 4 & 1;
    f->returns_bool = flags >> 5 & 1;
    f->self_releases = flags >> 6 & 1;
    f->spawn_model = get_interned(d);
    f->spawn_loc = get_loc(d);
    uint32_t np = tl_wire_get_count(r, 8);
    if (np > MAX_PARAMS) tl_wire_fail(r, "too many parameters");
    if (r->bad) return;
    f->nparams = (int)np;
    f->params = tl_xcalloc(np + 1, sizeof *f->params);
    for (uint32_t k = 0; k < np; k++) {
        f->params[k].effects = tl_wire_get_u32(r);
        f->params[k].release_how = get_interned(d);
    }
    if (tl_wire_remaining(r) >= 8) { /* (newer frames) */
        f->params_nonblocking = tl_wire_get_u32(r);
        f->params_moded = tl_wire_get_u32(r);
    }
    if (tl_wire_remaining(r) >= 1) get_conditional(r, f); /* (newer still) */
    if (tl_wire_remaining(r) >= 4) f->sink_params = tl_wire_get_u32(r);
    if (tl_wire_remaining(r) >= 4) f->stop_params = tl_wire_get_u32(r);
    if (!f->usr || !f->name) tl_wire_fail(r, "a function without a name");
}

static void read_call(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_func_summary *f = current(d);
    if (!f) return;
    f->calls = tl_xgrow(f->calls, f->ncalls, &d->capcalls, sizeof *f->calls);
    tl_sum_call *c = &f->calls[f->ncalls++];
    memset(c, 0, sizeof *c);
    c->target = get_ref(r);
    c->loc = get_loc(d);
    c->spelling = tl_wire_get_str(r);
    uint8_t flags = tl_wire_get_u8(r);
    c->modelled = flags & 1;
    c->nonblocking = flags >> 1 & 1;
    c->blocks = flags >> 2 & 1;
    c->blocks_unless_ready = flags >> 3 & 1;
    c->spawn_entry = flags >> 4 & 1;
    c->in_unbounded_loop = flags >> 5 & 1;
    c->passes_param = flags >> 6 & 1;
    c->fd_file = flags >> 7 & 1;
    uint32_t na = tl_wire_get_count(r, 21);
    if (na > MAX_ARGS) tl_wire_fail(r, "too many arguments");
    if (r->bad) return;
    c->args = tl_xcalloc(na + 1, sizeof *c->args);
    c->nargs = (int)na;
    for (uint32_t k = 0; k < na; k++) {
        tl_sum_arg *a = &c->args[k];
        uint8_t kind = tl_wire_get_u8(r);
        if (kind > TL_CV_UNKNOWN) tl_wire_fail(r, "bad constant kind");
        a->value.kind = (tl_cval_kind)kind;
        a->value.v = (int64_t)tl_wire_get_u64(r);
        a->value.via_var = get_i32(r);
        a->param = get_i32(r);
        a->fn_usr = tl_wire_get_str(r);
        a->fn_name = tl_wire_get_str(r);
        if (a->param < -1 || a->param >= f->nparams) tl_wire_fail(r, "argument names a missing parameter");
    }
    /* appended field (absent in older frames); the program checks its range */
    int first = tl_wire_remaining(r) >= 4 ? get_i32(r) : -1;
    if (first < -1) tl_wire_fail(r, "bad child_of call");
    c->nchild_of = first >= 0;
    c->child_of[0] = first;
    if (tl_wire_remaining(r) >= 4) { /* the whole list (newer frames) */
        uint32_t nc = tl_wire_get_u32(r);
        if (nc > TL_SUM_CHILD_OF_MAX) tl_wire_fail(r, "too many child_of calls");
        c->nchild_of = 0;
        for (uint32_t k = 0; k < nc && !r->bad; k++) {
            int of = get_i32(r);
            if (of < 0) tl_wire_fail(r, "bad child_of call");
            else c->child_of[c->nchild_of++] = of;
        }
    }
    if (tl_wire_remaining(r) > 0) c->fd_slot = tl_wire_get_str(r);
    if (tl_wire_remaining(r) >= 12) {
        c->guard_nz = tl_wire_get_u32(r);
        c->guard_z = tl_wire_get_u32(r);
        c->guard_pass = tl_wire_get_u32(r);
        for (int j = 0; j < c->nargs && j < 32; j++) /* (only arguments naming a parameter) */
            if (((c->guard_pass >> j) & 1u) && c->args[j].param < 0) tl_wire_fail(r, "guard on no parameter");
        if (c->nargs < 32 && (c->guard_pass >> c->nargs)) tl_wire_fail(r, "guard on a missing argument");
    }
    if (tl_wire_remaining(r) >= 1) {
        uint8_t b = tl_wire_get_u8(r);
        c->result_returned = b & 1;
        c->in_loop = (b >> 1) & 1;
    }
    if (tl_wire_remaining(r) >= 1) {
        uint8_t ng = tl_wire_get_u8(r);
        if (ng > TL_FIELD_GUARDS_MAX) tl_wire_fail(r, "too many field guards");
        for (int k = 0; k < ng && !r->bad; k++) {
            const char *usr = get_interned(d);
            int64_t mask = (int64_t)tl_wire_get_u64(r);
            bool nonzero = tl_wire_get_u8(r) != 0;
            if (!usr || mask == 0) tl_wire_fail(r, "a bad field guard");
            else c->fguards[c->nfguards++] = (tl_field_guard){usr, mask, nonzero};
        }
    }
    if (c->target.kind == TL_REF_PARAM && (c->target.param < 0 || c->target.param >= f->nparams))
        tl_wire_fail(r, "call through a missing parameter");
}

static void read_reg(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_func_summary *f = current(d);
    if (!f) return;
    f->regs = tl_xgrow(f->regs, f->nregs, &d->capregs, sizeof *f->regs);
    tl_sum_reg *g = &f->regs[f->nregs++];
    memset(g, 0, sizeof *g);
    g->target = get_ref(r);
    uint8_t ctx = tl_wire_get_u8(r);
    if (ctx > TL_CTX_THREAD) tl_wire_fail(r, "bad context kind");
    g->context = (tl_context_kind)ctx;
    uint8_t rflags = tl_wire_get_u8(r);
    g->readiness = rflags & 1;
    g->cancel_bounded = rflags >> 1 & 1;
    g->library = get_interned(d);
    g->via = get_interned(d);
    g->loc = get_loc(d);
    if (tl_wire_remaining(r) >= 4) g->fresh_args = tl_wire_get_u32(r);
    if (tl_wire_remaining(r) >= 1) {
        uint8_t ns = tl_wire_get_u8(r);
        if (ns > TL_SUM_SHARES_MAX) tl_wire_fail(r, "too many shared arguments");
        for (int k = 0; k < ns && !r->bad; k++) {
            tl_sum_share *s = &g->shares[g->nshares++];
            s->arg = tl_wire_get_u8(r);
            s->reg = tl_wire_get_u8(r);
            s->reg_arg = tl_wire_get_u8(r);
            if (s->reg >= f->nregs - 1) tl_wire_fail(r, "a shared argument of a later registration");
        }
    }
    if (g->target.kind == TL_REF_PARAM && (g->target.param < 0 || g->target.param >= f->nparams))
        tl_wire_fail(r, "registration of a missing parameter");
}

static void read_pass(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_func_summary *f = current(d);
    if (!f) return;
    tl_sum_pass p;
    p.param = get_i32(r); /* one statement each: initializers are unsequenced */
    p.call = get_i32(r);
    p.arg = get_i32(r);
    if (p.param < 0 || p.param >= f->nparams || p.call < 0 || p.call >= f->ncalls || p.arg < 0 ||
        p.arg >= f->calls[p.call].nargs) {
        tl_wire_fail(r, "a pass out of range");
        return;
    }
    f->passes = tl_xgrow(f->passes, f->npasses, &d->cappasses, sizeof *f->passes);
    f->passes[f->npasses++] = p;
}

static void read_await_global(decoder *d) {
    tl_func_summary *f = current(d);
    if (!f) return;
    const char *usr = get_interned(d);
    if (!usr || f->nawait_globals >= TL_SUM_MAX_AWAIT_GLOBALS) {
        tl_wire_fail(d->r, "a bad awaited global");
        return;
    }
    if (!f->await_globals)
        f->await_globals = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *f->await_globals);
    f->await_globals[f->nawait_globals++] = usr;
}

static void read_post_global(decoder *d) {
    tl_func_summary *f = current(d);
    if (!f) return;
    const char *usr = get_interned(d);
    if (!usr || f->npost_globals >= TL_SUM_MAX_AWAIT_GLOBALS) {
        tl_wire_fail(d->r, "a bad posted global");
        return;
    }
    if (!f->post_globals)
        f->post_globals = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *f->post_globals);
    f->post_globals[f->npost_globals++] = usr;
}

static void read_locked_post(decoder *d) {
    tl_func_summary *f = current(d);
    if (!f) return;
    int param = get_i32(d->r);
    const char *object = get_interned(d);
    const char *mutex = object ? get_interned(d) : NULL;
    if (!object || !mutex || param < -1 || param >= f->nparams || f->nlocked_posts >= TL_SUM_MAX_AWAIT_GLOBALS) {
        tl_wire_fail(d->r, "a bad signal under a lock");
        return;
    }
    if (!f->locked_post_objects) {
        f->locked_post_objects = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *f->locked_post_objects);
        f->locked_post_mutexes = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *f->locked_post_mutexes);
        f->locked_post_params = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *f->locked_post_params);
    }
    f->locked_post_params[f->nlocked_posts] = param;
    f->locked_post_objects[f->nlocked_posts] = object;
    f->locked_post_mutexes[f->nlocked_posts++] = mutex;
}

static void read_deadline(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_func_summary *f = current(d);
    if (!f) return;
    tl_sum_deadline dl;
    memset(&dl, 0, sizeof dl);
    dl.param = get_i32(r);
    dl.call = get_i32(r);
    uint8_t kind = tl_wire_get_u8(r);
    if (kind >= TL_WAIT_KIND_COUNT) tl_wire_fail(r, "bad wait kind");
    dl.kind = (tl_wait_kind)kind;
    uint32_t nf = tl_wire_get_u32(r);
    if (nf > TL_MAX_FOREVER) tl_wire_fail(r, "too many forever values");
    for (uint32_t k = 0; k < nf && !r->bad; k++) {
        uint8_t fk = tl_wire_get_u8(r);
        if (fk < TL_FOREVER_NEGATIVE || fk > TL_FOREVER_NULL) tl_wire_fail(r, "bad forever kind");
        dl.forever[k].kind = (tl_forever_kind)fk;
        dl.forever[k].value = (int64_t)tl_wire_get_u64(r);
    }
    dl.nforever = (int)nf;
    if (dl.param < 0 || dl.param >= f->nparams || dl.call < 0 || dl.call >= f->ncalls)
        tl_wire_fail(r, "a deadline out of range");
    if (r->bad) return;
    f->deadlines = tl_xgrow(f->deadlines, f->ndeadlines, &d->capdeadlines, sizeof *f->deadlines);
    f->deadlines[f->ndeadlines++] = dl;
}

static void read_slot(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_func_summary *f = current(d);
    if (!f) return;
    f->slots = tl_xgrow(f->slots, f->nslots, &d->capslots, sizeof *f->slots);
    tl_sum_slot *s = &f->slots[f->nslots++];
    memset(s, 0, sizeof *s);
    s->slot_usr = tl_wire_get_str(r);
    s->slot_name = tl_wire_get_str(r);
    s->spawn = tl_wire_get_u8(r) != 0;
    s->how = get_interned(d);
    s->pass_call = get_i32(r);
    s->pass_arg = get_i32(r);
    s->task = get_interned(d);
    s->library = get_interned(d);
    s->loc = get_loc(d);
    if (tl_wire_remaining(r) > 0) s->self = tl_wire_get_u8(r) != 0;
    if (!s->slot_usr || !s->slot_name) tl_wire_fail(r, "a slot without a name");
    if (s->pass_call < -1 || s->pass_call >= f->ncalls ||
        (s->pass_call >= 0 && (s->pass_arg < 0 || s->pass_arg >= f->calls[s->pass_call].nargs)))
        tl_wire_fail(r, "a slot pass out of range");
}

static void read_store(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_tu_summary *s = d->s;
    s->stores = tl_xgrow(s->stores, s->nstores, &d->capstores, sizeof *s->stores);
    tl_fn_store *st = &s->stores[s->nstores++];
    memset(st, 0, sizeof *st);
    st->slot_usr = tl_wire_get_str(r);
    st->slot_name = tl_wire_get_str(r);
    st->fn_usr = tl_wire_get_str(r);
    st->fn_name = tl_wire_get_str(r);
    st->loc = get_loc(d);
    uint32_t nconsts = tl_wire_remaining(r) > 0 ? tl_wire_get_varu(r) : 0;
    if (nconsts > TL_STORE_CONSTS_MAX) tl_wire_fail(r, "too many field constants in a store");
    for (uint32_t k = 0; k < nconsts && !r->bad; k++) {
        st->consts[k].field_usr = tl_wire_get_str(r);
        st->consts[k].value = tl_wire_get_vari(r);
        st->nconsts = (int)k + 1;
        if (!st->consts[k].field_usr) tl_wire_fail(r, "a field constant without a field");
    }
    if (!st->slot_usr || !st->fn_usr || !st->slot_name || !st->fn_name) tl_wire_fail(r, "a store without names");
}

static void read_assigned_field(decoder *d) {
    tl_tu_summary *s = d->s;
    const char *usr = get_interned(d);
    if (!usr) {
        tl_wire_fail(d->r, "an assigned field without a name");
    } else if (!usr[0] || s->nassigned_fields >= TL_SUM_MAX_ASSIGNED_FIELDS) {
        s->assigned_over = true;
    } else {
        s->assigned_fields = tl_xgrow(s->assigned_fields, s->nassigned_fields, &s->capassigned_fields,
                                      sizeof *s->assigned_fields);
        s->assigned_fields[s->nassigned_fields++] = usr;
    }
}

static void read_fd_store(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_tu_summary *s = d->s;
    s->fd_stores = tl_xgrow(s->fd_stores, s->nfd_stores, &d->capfdstores, sizeof *s->fd_stores);
    tl_slot_store *st = &s->fd_stores[s->nfd_stores++];
    memset(st, 0, sizeof *st);
    st->key = tl_wire_get_str(r);
    st->src = tl_wire_get_str(r);
    uint8_t kind = tl_wire_get_u8(r);
    st->is_static = tl_wire_get_u8(r) != 0;
    if (kind < TL_SLOT_NONBLOCKING || kind > TL_SLOT_COPY) tl_wire_fail(r, "bad descriptor store kind");
    st->kind = (tl_slot_store_kind)kind;
    if (!st->key || (st->kind == TL_SLOT_COPY) != (st->src != NULL)) tl_wire_fail(r, "a descriptor store without its slots");
}

int tl_summary_wire_decode(const tl_wire_frame *f, tl_tu_summary *out, char *err, size_t errsz) {
    memset(out, 0, sizeof *out);
    if (f->kind != TL_WIRE_KIND_SUMMARY) {
        snprintf(err, errsz, "not a summary (frame kind %u)", f->kind);
        return -1;
    }
    tl_wire_reader payload;
    tl_wire_reader_init(&payload, f->payload, f->payload_len);
    decoder d;
    memset(&d, 0, sizeof d);
    d.s = out;
    bool seen_unit = false;
    uint16_t kind;
    tl_wire_reader body;
    int rc;
    while ((rc = tl_wire_next_record(&payload, &kind, &body)) == 1) {
        d.r = &body;
        if (!seen_unit && kind != REC_UNIT) {
            tl_wire_fail(&body, "the unit record is not first");
        } else {
            switch (kind) {
            case REC_UNIT:
                if (seen_unit) {
                    tl_wire_fail(&body, "two unit records");
                    break;
                }
                seen_unit = true;
                out->main_file = tl_wire_get_str(&body);
                if (!out->main_file) tl_wire_fail(&body, "a unit without a file");
                break;
            case REC_FUNC: read_func(&d); break;
            case REC_CALL: read_call(&d); break;
            case REC_REG: read_reg(&d); break;
            case REC_PASS: read_pass(&d); break;
            case REC_DEADLINE: read_deadline(&d); break;
            case REC_SLOT: read_slot(&d); break;
            case REC_STORE: read_store(&d); break;
            case REC_AWAIT_GLOBAL: read_await_global(&d); break;
            case REC_FD_STORE: read_fd_store(&d); break;
            case REC_POST_GLOBAL: read_post_global(&d); break;
            case REC_LOCKED_POST: read_locked_post(&d); break;
            case REC_ASSIGNED_FIELD: read_assigned_field(&d); break;
            default: break; /* a newer record kind: skipped */
            }
        }
        if (body.bad) {
            snprintf(err, errsz, "malformed summary: %s", body.why ? body.why : "bad record");
            return -1;
        }
    }
    if (rc < 0 || !seen_unit) {
        snprintf(err, errsz, "malformed summary: %s",
                 rc < 0 ? (payload.why ? payload.why : "bad payload") : "no unit record");
        return -1;
    }
    return 0;
}
