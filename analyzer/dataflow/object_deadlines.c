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
#define OD_MIXED (-2) /* opened by different calls on different paths */

typedef struct {
    bool reached;
    uint32_t opened;                /* bit p: place p opened on every path */
    uint64_t may_set;               /* bit p * 4 + o: TU option o may have a deadline */
    int opener[OD_MAX_PLACES];      /* the call that opened place p, -1, OD_MIXED */
    uint32_t typed;                 /* bit p: place p's type is type[p] on every path */
    uint32_t received;              /* bit p: the last call on p's object was a receive,
                                       on every path */
    uint32_t connected;             /* bit p: an object_connect call connected it, on
                                       every path */
    int64_t type[OD_MAX_PLACES];
} od_state;

/* What a function of the TU does with the objects its parameters hold
 * (the first OD_SUM_PARAMS), for its callers in the TU: may it set a
 * deadline on one (a deadline_option call, code nobody models), and which
 * options' waits it makes on one, through which call. */
#define OD_SUM_PARAMS 8
#define OD_TU_OPTIONS 4
typedef struct {
    uint32_t sets;                              /* bit k: param k may get a deadline */
    uint32_t reads;                             /* bit k: what it does with param k's object
                                                   receives from it, and nothing else */
    uint32_t other;                             /* bit k: it does something else with it */
    uint8_t waits[OD_SUM_PARAMS];               /* bit o: a wait with TU option o on it */
    const tl_instr *via[OD_SUM_PARAMS][OD_TU_OPTIONS];  /* the library call that waits */
    const tl_fn_model *via_model[OD_SUM_PARAMS][OD_TU_OPTIONS];
} od_summary;

typedef struct {
    const char *options[OD_TU_OPTIONS]; /* the option names the TU's waits ask for */
    int noptions;
    od_summary *sums;                   /* per function of the TU */
    bool **escapes;                     /* per function: mark_escapes() of its variables */
} od_tu;

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    const tl_model_set *models;
    const tl_tu *tu;
    const od_tu *sum;
    int nplaces;
    int *place_of;                  /* var -> place, -1 */
} od_ctx;

static uint64_t all_options(int p) {
    return (uint64_t)0xf << (p * 4);
}

static const tl_fn_model *model_of(const od_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

/* The variable an argument names as `v` or `&v` (*addr: through `&`), -1
 * for anything else. */
static int plain_var(const tl_func *f, const tl_expr *e, bool *addr) {
    e = tl_expr_uncast(e);
    *addr = false;
    if (e && e->kind == TL_E_ADDR && e->nkids == 1) {
        e = tl_expr_uncast(e->kids[0]);
        *addr = true;
    }
    return e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < f->nvars ? e->var : -1;
}

/* The place of `v` or `&v`, -1 none. */
static int place_of_arg(const od_ctx *c, const tl_expr *e, bool *addr) {
    int v = plain_var(c->f, e, addr);
    return v >= 0 ? c->place_of[v] : -1;
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
    for (int o = 0; o < c->sum->noptions; o++)
        if (strlen(c->sum->options[o]) == n && memcmp(c->sum->options[o], name, n) == 0) return o;
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
    return cf->argv && d->value_arg < cf->instr->call.nargs &&
           tl_value_is_forever(d->forever, d->nforever, &cf->argv[d->value_arg]);
}

static int tu_option(const od_tu *t, const char *name) {
    for (int o = 0; o < t->noptions; o++)
        if (strcmp(t->options[o], name) == 0) return o;
    return -1;
}

/* The TU function a call reaches that no model file describes, or NULL. */
static const od_summary *callee_summary(const od_ctx *c, const tl_instr *in) {
    int g = in->call.callee_func;
    if (!c->sum || !c->sum->sums || g < 0 || g >= c->tu->nfuncs) return NULL;
    if (in->call.callee && c->models && tl_models_find(c->models, in->call.callee)) return NULL;
    return &c->sum->sums[g];
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
    uint32_t opened = d->opened & s->opened;
    uint64_t may_set = d->may_set | s->may_set;
    uint32_t typed = d->typed & s->typed, received = d->received & s->received;
    uint32_t connected = d->connected & s->connected;
    for (int p = 0; p < c->nplaces; p++)
        if ((typed >> p & 1u) && d->type[p] != s->type[p]) typed &= ~(1u << p);
    bool changed = opened != d->opened || may_set != d->may_set || typed != d->typed || received != d->received ||
                   connected != d->connected;
    d->received = received;
    d->connected = connected;
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
    s->received &= ~(1u << p);
    s->connected &= ~(1u << p);
    s->typed &= ~(1u << p);
    s->may_set &= ~all_options(p);
    s->opener[p] = -1;
}

/* May the call set any deadline on what it is handed, for all anyone
 * knows?  Code no model file describes: the program's own (even with a
 * model derived from its body, which says what it blocks on, not what it
 * sets), a call through a pointer - but not an unmodelled function in a
 * library's namespace (`prefixes:`): a library's own functions (nng_listen,
 * nng_msg_alloc) would be modelled if they set a deadline.  A call a model
 * file or the config describes does what its facets say. */
static bool call_unknown(const tl_model_set *models, const tl_instr *in) {
    const char *callee = in->call.callee;
    if (callee && models && tl_models_find(models, callee)) return false;
    return !(callee && in->call.callee_func < 0 && models && tl_models_namespace(models, callee));
}

static void apply_call(const od_ctx *c, od_state *s, const tl_instr *in) {
    const tl_call_facts *cf = &c->ff->calls[in->call.id];
    const tl_fn_model *m = model_of(c, in->call.id);
    const od_summary *sum = callee_summary(c, in);
    bool unknown = call_unknown(c->models, in);
    if (m && m->readiness_wait.present) {
        /* zmq_poll: the socket may be among the items it reported ready */
        for (int p = 0; p < c->nplaces; p++) s->may_set |= all_options(p);
        return;
    }
    for (int j = 0; j < in->call.nargs; j++) {
        bool addr;
        int p = place_of_arg(c, in->call.args[j], &addr);
        if (p < 0) continue;
        /* a receive on the object (it reads it), or anything else done with it */
        if (m && m->reads.present && m->reads.arg == j) s->received |= 1u << p;
        else if (sum && j < OD_SUM_PARAMS && (sum->reads >> j & 1u) &&
                 !(sum->other >> j & 1u))
            s->received |= 1u << p;
        else s->received &= ~(1u << p);
        if (m && m->object_connect.present && m->object_connect.arg == j) s->connected |= 1u << p;
        if (m && m->object_open.present && !m->object_open.result && m->object_open.arg == j && addr) {
            s->opened |= 1u << p;
            s->may_set &= ~all_options(p);
            s->connected &= ~(1u << p);
            s->opener[p] = in->call.id;
            set_type(s, p, cf);
        } else if (m && m->deadline_option.present && m->deadline_option.arg == j) {
            const tl_deadline_option_facet *d = &m->deadline_option;
            int o = d->name_arg < in->call.nargs ? option_index(c, cf, in, d->name_arg) : -2;
            if (o == -1) continue; /* an option no wait here asks for */
            uint64_t bits = o >= 0 ? (uint64_t)1 << (p * 4 + o) : all_options(p);
            if (o >= 0 && value_forever(cf, d)) s->may_set &= ~bits;
            else s->may_set |= bits;
        } else if (sum) {
            if (j >= OD_SUM_PARAMS || (sum->sets >> j & 1u)) s->may_set |= all_options(p);
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

/* Variables used anywhere but as a call's argument (`v`, `&v`) or in a
 * branch condition (`if (!s)` reads it, copies it nowhere). */
static void mark_escapes(const tl_func *f, bool *out) {
    int nv = f->nvars;
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *blk = &f->blocks[b];
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            bool addr;
            switch (in->kind) {
            case TL_I_CALL:
                tl_expr_mark_vars(in->call.fn, out, nv);
                for (int j = 0; j < in->call.nargs; j++)
                    if (plain_var(f, in->call.args[j], &addr) < 0) tl_expr_mark_vars(in->call.args[j], out, nv);
                break;
            case TL_I_STORE:
                tl_expr_mark_vars(in->target, out, nv);
                tl_expr_mark_vars(in->value, out, nv);
                break;
            default:
                tl_expr_mark_vars(in->value, out, nv);
                break;
            }
        }
    }
}

/* Mark the wait of call cf (facet w of model wm) on place p as forever
 * when the state says so: opened on every path, option o set on none, no
 * type that never waits.  via: the library call that waits, when the call
 * is a helper of the TU. */
static void mark_wait(const od_state *s, tl_call_facts *cf, int p, int o, const tl_fn_model *wm,
                      const tl_instr *via) {
    const tl_wait_facet *w = &wm->wait;
    bool typed = s->typed >> p & 1u;
    if (o < 0 || !(s->opened >> p & 1u) || (s->may_set >> (p * 4 + o) & 1u)) return;
    if (typed && type_in(w->never_types, w->nnever_types, s->type[p])) return;
    /* a send into the queue a connect made */
    if (w->unless_connected && (s->connected >> p & 1u)) return;
    /* a later frame of a message a receive just began */
    if (typed && wm->reads.present && (s->received >> p & 1u) &&
        type_in(w->frames_types, w->nframes_types, s->type[p]))
        return;
    if (cf->deadline_forever) return; /* one object per call is enough */
    cf->deadline_forever = true;
    cf->deadline_open = s->opener[p] >= 0 ? s->opener[p] : -1;
    cf->deadline_client = typed && type_in(w->client_types, w->nclient_types, s->type[p]);
    cf->deadline_via = via;
    cf->deadline_via_model = via ? wm : NULL;
}

static void use_call(od_ctx *c, const od_state *s, const tl_instr *in) {
    tl_call_facts *cf = &c->ff->calls[in->call.id];
    const tl_fn_model *m = model_of(c, in->call.id);
    const od_summary *sum;
    bool addr;
    if (m && m->wait.present && m->wait.deadline_arg >= 0 && m->wait.deadline_arg < in->call.nargs) {
        int p = place_of_arg(c, in->call.args[m->wait.deadline_arg], &addr);
        if (p >= 0) mark_wait(s, cf, p, tu_option(c->sum, m->wait.deadline_option), m, NULL);
    } else if ((sum = callee_summary(c, in))) {
        /* s_recv(s): a helper of the TU that waits on the object */
        for (int j = 0; j < in->call.nargs && j < OD_SUM_PARAMS; j++) {
            int p = place_of_arg(c, in->call.args[j], &addr);
            if (p < 0 || (sum->sets >> j & 1u)) continue;
            for (int o = 0; o < c->sum->noptions; o++)
                if (sum->waits[j] >> o & 1u) mark_wait(s, cf, p, o, sum->via_model[j][o], sum->via[j][o]);
        }
    }
}

static void run_func(tl_analysis *a, const od_tu *t, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return;
    od_ctx c = {.f = f, .ff = ff, .models = a->models, .tu = a->tu, .sum = t};
    bool opens = false;
    for (int id = 0; id < ff->ncalls && !opens; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        opens = m && m->object_open.present;
    }
    if (!opens) return;
    const bool *escapes = t->escapes[fi];
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
        bool addr;
        int v = plain_var(f, in->call.args[m->object_open.arg], &addr);
        if (v < 0 || !addr || f->vars[v].kind != TL_VAR_LOCAL || escapes[v] || c.place_of[v] >= 0) continue;
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
                if (in->kind == TL_I_CALL && in->call.id >= 0 && in->call.id < ff->ncalls) use_call(&c, &s, in);
                od_transfer(&c, &s, f, &f->blocks[bi], i);
            }
        }
    }
    if (c.nplaces > 0) tl_dataflow_free(&r);
    free(c.place_of);
}

/* ---- the TU's helpers ---- */

/* Parameter k (< OD_SUM_PARAMS) that e (`v` or `&v`) names, never assigned
 * in f, or -1. */
static int param_of(const tl_func *f, const bool *assigned, const tl_expr *e) {
    bool addr;
    int v = plain_var(f, e, &addr);
    return v >= 0 && v < f->nparams && v < OD_SUM_PARAMS && !assigned[v] ? v : -1;
}

/* One pass over function fi: grow its summary from its calls and its
 * callees' summaries; true when it changed. */
static bool summarize(tl_analysis *a, od_tu *t, int fi, const bool *assigned, const bool *escapes) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    od_summary *sum = &t->sums[fi], old = *sum;
    od_ctx c = {.f = f, .ff = (tl_func_facts *)ff, .models = a->models, .tu = a->tu, .sum = t};
    bool polls = false;
    for (int k = 0; k < f->nparams && k < OD_SUM_PARAMS; k++)
        if (assigned[k] || escapes[k]) sum->sets |= 1u << k;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_instr *in = ff->calls[id].instr;
        const tl_fn_model *m = ff->calls[id].model;
        if (!in || !ff->calls[id].reached) continue;
        if (m && m->readiness_wait.present) polls = true;
        const od_summary *g = callee_summary(&c, in);
        bool unknown = call_unknown(a->models, in);
        for (int j = 0; j < in->call.nargs; j++) {
            int k = param_of(f, assigned, in->call.args[j]);
            if (k < 0) continue;
            if (m && m->reads.present && m->reads.arg == j) sum->reads |= 1u << k;
            else if (g && j < OD_SUM_PARAMS && (g->reads >> j & 1u) && !(g->other >> j & 1u)) sum->reads |= 1u << k;
            else sum->other |= 1u << k;
            if (m && m->wait.present && m->wait.deadline_arg == j) {
                int o = tu_option(t, m->wait.deadline_option);
                if (o >= 0 && !(sum->waits[k] >> o & 1u)) {
                    sum->waits[k] |= (uint8_t)(1u << o);
                    sum->via[k][o] = in;
                    sum->via_model[k][o] = m;
                }
            } else if (m && m->deadline_option.present && m->deadline_option.arg == j) {
                /* an option no wait of the TU asks for (s_set_id: ZMQ_IDENTITY) sets none */
                const tl_deadline_option_facet *d = &m->deadline_option;
                int o = d->name_arg < in->call.nargs ? option_index(&c, &ff->calls[id], in, d->name_arg) : -2;
                if (o != -1) sum->sets |= 1u << k;
            } else if (g) {
                if (j >= OD_SUM_PARAMS || (g->sets >> j & 1u)) sum->sets |= 1u << k;
                for (int o = 0; o < t->noptions && j < OD_SUM_PARAMS; o++)
                    if ((g->waits[j] >> o & 1u) && !(sum->waits[k] >> o & 1u)) {
                        sum->waits[k] |= (uint8_t)(1u << o);
                        sum->via[k][o] = g->via[j][o];
                        sum->via_model[k][o] = g->via_model[j][o];
                    }
            } else if (unknown) {
                sum->sets |= 1u << k;
            }
        }
    }
    if (polls) memset(sum->waits, 0, sizeof sum->waits); /* after a poll: not known */
    return sum->sets != old.sets || sum->reads != old.reads || sum->other != old.other ||
           memcmp(sum->waits, old.waits, sizeof sum->waits) != 0;
}

#define OD_SUM_ROUNDS 16

static void build_tu(tl_analysis *a, od_tu *t) {
    const tl_tu *tu = a->tu;
    bool opens = false;
    for (int fi = 0; fi < tu->nfuncs; fi++)
        for (int id = 0; id < a->funcs[fi].ncalls; id++) {
            const tl_fn_model *m = a->funcs[fi].calls[id].model;
            opens = opens || (m && m->object_open.present);
            if (!m || !m->wait.present || m->wait.deadline_arg < 0 || tu_option(t, m->wait.deadline_option) >= 0 ||
                t->noptions >= OD_TU_OPTIONS)
                continue;
            t->options[t->noptions++] = m->wait.deadline_option;
        }
    if (!opens || t->noptions == 0) {
        t->noptions = 0;
        return;
    }
    t->sums = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *t->sums);
    bool **assigned = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *assigned);
    bool **escapes = t->escapes = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *escapes);
    for (int fi = 0; fi < tu->nfuncs; fi++) {
        const tl_func *f = &tu->funcs[fi];
        assigned[fi] = tl_xcalloc((size_t)f->nvars + 1, sizeof **assigned);
        escapes[fi] = tl_xcalloc((size_t)f->nvars + 1, sizeof **escapes);
        mark_escapes(f, escapes[fi]);
        for (int b = 0; b < f->nblocks; b++)
            for (int i = 0; i < f->blocks[b].ninstrs; i++) {
                const tl_instr *in = &f->blocks[b].instrs[i];
                if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars) assigned[fi][in->var] = true;
            }
    }
    bool changed = true;
    for (int round = 0; round < OD_SUM_ROUNDS && changed; round++) {
        changed = false;
        for (int fi = 0; fi < tu->nfuncs; fi++) changed |= summarize(a, t, fi, assigned[fi], escapes[fi]);
    }
    if (changed) /* a call chain deeper than the rounds: nothing is known */
        for (int fi = 0; fi < tu->nfuncs; fi++) {
            t->sums[fi].sets = t->sums[fi].other = ~0u;
            memset(t->sums[fi].waits, 0, sizeof t->sums[fi].waits);
        }
    for (int fi = 0; fi < tu->nfuncs; fi++) free(assigned[fi]);
    free(assigned);
}

void tl_analysis_mark_object_deadlines(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    od_tu t = {.noptions = 0};
    build_tu(a, &t);
    if (t.noptions == 0) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, &t, fi);
    for (int fi = 0; fi < a->tu->nfuncs && t.escapes; fi++) free(t.escapes[fi]);
    free(t.escapes);
    free(t.sums);
}
