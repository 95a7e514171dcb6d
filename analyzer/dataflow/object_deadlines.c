/* object_deadlines.c - waits whose deadline is a setting of the object
 * (object_deadlines.h). */
#include "object_deadlines.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"

#define OD_MAX_PLACES 16
#define OD_MAX_OPTIONS 2
#define OD_MIXED (-2) /* opened by different calls on different paths */

typedef struct {
    bool reached;
    uint32_t opened;                /* bit p: place p opened on every path */
    uint32_t may_set;               /* bit p * 2 + o: option o may have a deadline */
    int opener[OD_MAX_PLACES];      /* the call that opened place p, -1, OD_MIXED */
    uint32_t typed;                 /* bit p: place p's type is type[p] on every path */
    int64_t type[OD_MAX_PLACES];
} od_state;

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    const tl_model_set *models;
    int nplaces;
    int *place_of;                  /* var -> place, -1 */
    const char *options[OD_MAX_OPTIONS];
    int noptions;
} od_ctx;

static uint32_t all_options(int p) {
    return 3u << (p * 2);
}

static const tl_fn_model *model_of(const od_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

/* The place of `v` or `&v`, -1 none. */
static int place_of_arg(const od_ctx *c, const tl_expr *e, bool *addr) {
    e = tl_expr_uncast(e);
    *addr = false;
    if (e && e->kind == TL_E_ADDR && e->nkids == 1) {
        e = tl_expr_uncast(e->kids[0]);
        *addr = true;
    }
    return e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < c->f->nvars ? c->place_of[e->var]
                                                                                               : -1;
}

/* The index of the option argument j of the call names: a string literal
 * "NAME", or an integer constant (compared in decimal); -1 an option no
 * wait of the function asks for, -2 not known (neither). */
static int option_index(const od_ctx *c, const tl_call_facts *cf, const tl_instr *in, int j) {
    char num[32];
    const char *name;
    size_t n;
    const tl_expr *e = tl_expr_uncast(in->call.args[j]);
    if (e && e->kind == TL_E_STRING && e->name && (n = strlen(e->name)) >= 2 && e->name[0] == '"' &&
        e->name[n - 1] == '"') {
        name = e->name + 1;
        n -= 2;
    } else if (cf->argv && cf->argv[j].kind == TL_CV_INT) {
        snprintf(num, sizeof num, "%lld", (long long)cf->argv[j].v);
        name = num;
        n = strlen(num);
    } else {
        return -2;
    }
    for (int o = 0; o < c->noptions; o++)
        if (strlen(c->options[o]) == n && memcmp(c->options[o], name, n) == 0) return o;
    return -1;
}

/* Place p was opened by call cf: its type, when the model gives one. */
static void set_type(od_state *s, int p, const tl_call_facts *cf) {
    const tl_object_open_facet *o = &cf->model->object_open;
    s->typed &= ~(1u << p);
    if (o->has_type) {
        s->type[p] = o->type;
        s->typed |= 1u << p;
    } else if (o->type_arg >= 0 && cf->argv && cf->instr && o->type_arg < cf->instr->call.nargs &&
               cf->argv[o->type_arg].kind == TL_CV_INT) {
        s->type[p] = cf->argv[o->type_arg].v;
        s->typed |= 1u << p;
    }
}

static bool type_in(const int64_t *types, int n, int64_t t) {
    for (int i = 0; i < n; i++)
        if (types[i] == t) return true;
    return false;
}

/* The call opens a new object as its result (zmq_socket). */
static bool opens_result(const od_ctx *c, const tl_expr *value) {
    const tl_expr *e = tl_expr_uncast(value);
    const tl_fn_model *m = e && e->kind == TL_E_CALLRES ? model_of(c, e->call_id) : NULL;
    return m && m->object_open.present && m->object_open.result;
}

static bool value_forever(const tl_call_facts *cf, const tl_deadline_option_facet *d) {
    if (!cf->argv || d->value_arg >= cf->instr->call.nargs) return false;
    const tl_cval *v = &cf->argv[d->value_arg];
    for (int i = 0; i < d->nforever; i++) {
        const tl_forever *fv = &d->forever[i];
        if (fv->kind == TL_FOREVER_NEGATIVE && v->kind == TL_CV_INT && v->v < 0) return true;
        if (fv->kind == TL_FOREVER_VALUE && v->kind == TL_CV_INT && v->v == fv->value) return true;
        if (fv->kind == TL_FOREVER_NULL && v->kind == TL_CV_NULL) return true;
    }
    return false;
}

static void od_entry(void *ctx, void *st) {
    (void)ctx;
    od_state *s = st;
    memset(s, 0, sizeof *s);
    s->reached = true;
    for (int p = 0; p < OD_MAX_PLACES; p++) s->opener[p] = -1;
}

static void od_bottom(void *ctx, void *st) {
    (void)ctx;
    memset(st, 0, sizeof(od_state));
}

static void od_copy(void *ctx, void *dst, const void *src) {
    (void)ctx;
    memcpy(dst, src, sizeof(od_state));
}

static bool od_join(void *ctx, void *dstp, const void *srcp) {
    const od_ctx *c = ctx;
    od_state *d = dstp;
    const od_state *s = srcp;
    if (!s->reached) return false;
    if (!d->reached) {
        *d = *s;
        return true;
    }
    uint32_t opened = d->opened & s->opened, may_set = d->may_set | s->may_set;
    uint32_t typed = d->typed & s->typed;
    for (int p = 0; p < c->nplaces; p++)
        if ((typed >> p & 1u) && d->type[p] != s->type[p]) typed &= ~(1u << p);
    bool changed = opened != d->opened || may_set != d->may_set || typed != d->typed;
    d->opened = opened;
    d->may_set = may_set;
    d->typed = typed;
    for (int p = 0; p < c->nplaces; p++)
        if (d->opener[p] != s->opener[p] && d->opener[p] != OD_MIXED) {
            d->opener[p] = OD_MIXED;
            changed = true;
        }
    return changed;
}

/* Place p gets a value nobody follows (declared, assigned). */
static void forget(od_state *s, int p) {
    s->opened &= ~(1u << p);
    s->typed &= ~(1u << p);
    s->may_set &= ~all_options(p);
    s->opener[p] = -1;
}

static void apply_call(const od_ctx *c, od_state *s, const tl_instr *in) {
    const tl_call_facts *cf = &c->ff->calls[in->call.id];
    const tl_fn_model *m = model_of(c, in->call.id);
    /* code no model file describes (the program's own, even with a model
       derived from its body, which says what it blocks on, not what it
       sets; a call through a pointer) - but not an unmodelled function in
       a library's namespace (`prefixes:`): a library's own functions
       (nng_listen, nng_msg_alloc) would be modelled if they set a
       deadline.  A call a model file or the config describes does what its
       facets say. */
    const char *callee = in->call.callee;
    bool described = callee && c->models && tl_models_find(c->models, callee);
    bool unknown = !described && !(callee && in->call.callee_func < 0 && c->models &&
                                   tl_models_namespace(c->models, callee));
    if (m && m->readiness_wait.present) {
        /* zmq_poll: the socket may be among the items it reported ready */
        for (int p = 0; p < c->nplaces; p++) s->may_set |= all_options(p);
        return;
    }
    for (int j = 0; j < in->call.nargs; j++) {
        bool addr;
        int p = place_of_arg(c, in->call.args[j], &addr);
        if (p < 0) continue;
        if (m && m->object_open.present && !m->object_open.result && m->object_open.arg == j && addr) {
            s->opened |= 1u << p;
            s->may_set &= ~all_options(p);
            s->opener[p] = in->call.id;
            set_type(s, p, cf);
        } else if (m && m->deadline_option.present && m->deadline_option.arg == j) {
            const tl_deadline_option_facet *d = &m->deadline_option;
            int o = d->name_arg < in->call.nargs ? option_index(c, cf, in, d->name_arg) : -2;
            if (o == -1) continue; /* an option no wait here asks for */
            uint32_t bits = o >= 0 ? 1u << (p * 2 + o) : all_options(p);
            if (o >= 0 && value_forever(cf, d)) s->may_set &= ~bits;
            else s->may_set |= bits;
        } else if (unknown) {
            s->may_set |= all_options(p); /* code nobody models may set anything */
        }
    }
}

static void od_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i) {
    (void)f;
    const od_ctx *c = ctx;
    od_state *s = st;
    if (!s->reached) return;
    const tl_instr *in = &b->instrs[i];
    if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < c->f->nvars &&
        c->place_of[in->var] >= 0) {
        int p = c->place_of[in->var];
        forget(s, p);
        if (in->kind == TL_I_ASSIGN && opens_result(c, in->value)) { /* s = zmq_socket(...) */
            const tl_expr *e = tl_expr_uncast(in->value);
            s->opened |= 1u << p;
            s->opener[p] = e->call_id;
            if (e->call_id >= 0 && e->call_id < c->ff->ncalls) set_type(s, p, &c->ff->calls[e->call_id]);
        }
    }
    else if (in->kind == TL_I_CALL && in->call.id >= 0 && in->call.id < c->ff->ncalls)
        apply_call(c, s, in);
}

static const tl_dataflow_ops od_ops = {
    .state_size = sizeof(od_state),
    .init_entry = od_entry,
    .init_bottom = od_bottom,
    .copy = od_copy,
    .join = od_join,
    .transfer = od_transfer,
};

/* ---- which variables are followed ---- */

/* Mark every variable e reads or takes the address of. */
static void mark_vars(const tl_func *f, const tl_expr *e, unsigned char *out) {
    if (!e) return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars) out[e->var] = 1;
    for (int k = 0; k < e->nkids; k++) mark_vars(f, e->kids[k], out);
}

/* Variables used anywhere but as a call's argument (`v`, `&v`) or in a
 * branch condition. */
static void mark_escapes(const tl_func *f, unsigned char *out) {
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *blk = &f->blocks[b];
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            switch (in->kind) {
            case TL_I_CALL:
                mark_vars(f, in->call.fn, out);
                for (int j = 0; j < in->call.nargs; j++) {
                    const tl_expr *e = tl_expr_uncast(in->call.args[j]);
                    if (e && e->kind == TL_E_ADDR && e->nkids == 1) e = tl_expr_uncast(e->kids[0]);
                    if (e && e->kind == TL_E_VAR && e->nkids == 0) continue;
                    mark_vars(f, in->call.args[j], out);
                }
                break;
            case TL_I_STORE:
                mark_vars(f, in->target, out);
                mark_vars(f, in->value, out);
                break;
            default:
                mark_vars(f, in->value, out);
                break;
            }
        }
        /* a test of the variable (`if (!s)`) reads it, copies it nowhere */
    }
}

static void run_func(tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return;
    od_ctx c = {.f = f, .ff = ff, .models = a->models};
    /* the option names the function's waits ask for */
    bool opens = false;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        opens = opens || (m && m->object_open.present);
        if (!m || !m->wait.present || m->wait.deadline_arg < 0) continue;
        bool seen = false;
        for (int o = 0; o < c.noptions; o++) seen = seen || strcmp(c.options[o], m->wait.deadline_option) == 0;
        if (!seen && c.noptions < OD_MAX_OPTIONS) c.options[c.noptions++] = m->wait.deadline_option;
    }
    if (c.noptions == 0 || !opens) return;
    unsigned char *escapes = tl_xcalloc((size_t)f->nvars, 1);
    mark_escapes(f, escapes);
    c.place_of = tl_xmalloc((size_t)f->nvars * sizeof *c.place_of);
    for (int v = 0; v < f->nvars; v++) c.place_of[v] = -1;
    for (int b = 0; b < f->nblocks && c.nplaces < OD_MAX_PLACES; b++)
        for (int i = 0; i < f->blocks[b].ninstrs && c.nplaces < OD_MAX_PLACES; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars || !opens_result(&c, in->value))
                continue;
            int v = in->var;
            if (f->vars[v].kind != TL_VAR_LOCAL || escapes[v] || c.place_of[v] >= 0) continue;
            c.place_of[v] = c.nplaces++;
        }
    for (int id = 0; id < ff->ncalls && c.nplaces < OD_MAX_PLACES; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !m->object_open.present || m->object_open.result || !in || m->object_open.arg < 0 ||
            m->object_open.arg >= in->call.nargs)
            continue;
        const tl_expr *e = tl_expr_uncast(in->call.args[m->object_open.arg]);
        if (!e || e->kind != TL_E_ADDR || e->nkids != 1) continue;
        e = tl_expr_uncast(e->kids[0]);
        if (!e || e->kind != TL_E_VAR || e->nkids != 0 || e->var < 0 || e->var >= f->nvars) continue;
        int v = e->var;
        if (f->vars[v].kind != TL_VAR_LOCAL || escapes[v] || c.place_of[v] >= 0) continue;
        c.place_of[v] = c.nplaces++;
    }
    tl_dataflow_result r;
    int rc = c.nplaces > 0 ? tl_dataflow_forward(f, &od_ops, &c, &r) : -1;
    if (rc == 0) {
        od_state s;
        for (int bi = 0; bi < f->nblocks; bi++) {
            if (!r.reached[bi]) continue;
            tl_dataflow_replay(&r, f, bi, 0, &s);
            for (int i = 0; i < f->blocks[bi].ninstrs && s.reached; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                const tl_fn_model *m = in->kind == TL_I_CALL ? model_of(&c, in->call.id) : NULL;
                if (m && m->wait.present && m->wait.deadline_arg >= 0 && m->wait.deadline_arg < in->call.nargs) {
                    bool addr;
                    int p = place_of_arg(&c, in->call.args[m->wait.deadline_arg], &addr);
                    int o = -1;
                    for (int k = 0; k < c.noptions; k++)
                        if (strcmp(c.options[k], m->wait.deadline_option) == 0) o = k;
                    const tl_wait_facet *w = &m->wait;
                    bool typed = p >= 0 && (s.typed >> p & 1u);
                    if (p >= 0 && o >= 0 && (s.opened >> p & 1u) && !(s.may_set >> (p * 2 + o) & 1u) &&
                        !(typed && type_in(w->never_types, w->nnever_types, s.type[p]))) {
                        ff->calls[in->call.id].deadline_forever = true;
                        ff->calls[in->call.id].deadline_open = s.opener[p] >= 0 ? s.opener[p] : -1;
                        ff->calls[in->call.id].deadline_client =
                            typed && type_in(w->client_types, w->nclient_types, s.type[p]);
                    }
                }
                od_transfer(&c, &s, f, &f->blocks[bi], i);
            }
        }
    }
    if (c.nplaces > 0) tl_dataflow_free(&r);
    free(c.place_of);
    free(escapes);
}

void tl_analysis_mark_object_deadlines(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, fi);
}
