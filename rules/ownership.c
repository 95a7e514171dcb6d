/* ownership.c - helpers shared by orphaned-spawn and unawaited-task
 * (see ownership.h). */
#include "ownership.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/util/xalloc.h"

bool tl_own_is_program_main(const tl_func *f)
{
    return f && !f->is_static && f->name && strcmp(f->name, "main") == 0;
}

const tl_fn_model *tl_own_model(const tl_analysis *a, int fi, int call_id)
{
    if (!a || !a->funcs || fi < 0 || call_id < 0)
        return NULL;
    const tl_func_facts *ff = &a->funcs[fi];
    if (!ff->calls || call_id >= ff->ncalls)
        return NULL;
    return ff->calls[call_id].model;
}

static tl_cval literal_value(const tl_expr *e)
{
    tl_cval v = {TL_CV_UNKNOWN, 0, -1};
    e = tl_expr_uncast(e);
    if (!e)
        return v;
    if (e->kind == TL_E_CONST) {
        v.kind = TL_CV_INT;
        v.v = e->ival;
    } else if (e->kind == TL_E_NULL) {
        v.kind = TL_CV_NULL;
    } else if (e->kind == TL_E_UNARY && e->nkids == 1 && strcmp(e->op, "-") == 0) {
        const tl_expr *k = tl_expr_uncast(e->kids[0]);
        if (k && k->kind == TL_E_CONST) {
            v.kind = TL_CV_INT;
            v.v = -k->ival;
        }
    }
    return v;
}

tl_cval tl_own_arg_value(const tl_analysis *a, int fi, const tl_call *c, int arg)
{
    tl_cval v = {TL_CV_UNKNOWN, 0, -1};
    if (!c || arg < 0 || arg >= c->nargs)
        return v;
    if (a && a->funcs && fi >= 0 && c->id >= 0) {
        const tl_func_facts *ff = &a->funcs[fi];
        if (ff->calls && c->id < ff->ncalls && ff->calls[c->id].argv)
            return ff->calls[c->id].argv[arg];
    }
    return literal_value(c->args[arg]);
}

bool tl_own_mentions_callres(const tl_expr *e, int call_id)
{
    if (!e)
        return false;
    if (e->kind == TL_E_CALLRES)
        return e->call_id == call_id;
    for (int i = 0; i < e->nkids; i++)
        if (tl_own_mentions_callres(e->kids[i], call_id))
            return true;
    return false;
}

/* ---- which call results are used ---- */

/* Nodes of the "value flows into" graph: call results are 0..ncalls-1,
 * temporaries ncalls + var. */
typedef struct {
    const tl_func *f;
    bool *used;     /* per node */
    int *src_first; /* per node: first edge whose target it is, -1 */
    int *edge_src, *edge_next;
    int nedges, capedges;
    int *stack;     /* nodes found used, not yet propagated */
    int nstack;
} use_graph;

static int node_of(const use_graph *g, const tl_expr *e)
{
    if (e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < g->f->ncalls)
        return e->call_id;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < g->f->nvars &&
        g->f->vars[e->var].kind == TL_VAR_TEMP)
        return g->f->ncalls + e->var;
    return -1;
}

static void mark_used(use_graph *g, int node)
{
    if (g->used[node])
        return;
    g->used[node] = true;
    g->stack[g->nstack++] = node;
}

/* Every call result and temporary e reads is used. */
static void uses_in(use_graph *g, const tl_expr *e)
{
    if (!e)
        return;
    int node = node_of(g, e);
    if (node >= 0)
        mark_used(g, node);
    for (int i = 0; i < e->nkids; i++)
        uses_in(g, e->kids[i]);
}

/* e's call results and temporaries flow into temporary node `to`. */
static void flows_in(use_graph *g, const tl_expr *e, int to)
{
    if (!e)
        return;
    int node = node_of(g, e);
    if (node >= 0 && node != to) {
        if (g->nedges == g->capedges) {
            g->capedges = g->capedges ? g->capedges * 2 : 64;
            g->edge_src = tl_xrealloc(g->edge_src, (size_t)g->capedges * sizeof *g->edge_src);
            g->edge_next = tl_xrealloc(g->edge_next, (size_t)g->capedges * sizeof *g->edge_next);
        }
        g->edge_src[g->nedges] = node;
        g->edge_next[g->nedges] = g->src_first[to];
        g->src_first[to] = g->nedges++;
    }
    for (int i = 0; i < e->nkids; i++)
        flows_in(g, e->kids[i], to);
}

void tl_own_results_used(const tl_func *f, bool *used)
{
    size_t nnodes = (size_t)f->ncalls + (size_t)f->nvars + 1;
    use_graph g = {f, tl_xcalloc(nnodes, sizeof(bool)), tl_xmalloc(nnodes * sizeof(int)), NULL, NULL,
                   0, 0, tl_xmalloc(nnodes * sizeof(int)), 0};
    for (size_t i = 0; i < nnodes; i++)
        g.src_first[i] = -1;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        if (b->term == TL_T_BRANCH || b->term == TL_T_SWITCH)
            uses_in(&g, b->cond);
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            switch (in->kind) {
            case TL_I_CALL:
                for (int a = 0; a < in->call.nargs; a++)
                    uses_in(&g, in->call.args[a]);
                break;
            case TL_I_STORE:
            case TL_I_RETURN:
                uses_in(&g, in->value);
                uses_in(&g, in->target);
                break;
            case TL_I_ASSIGN:
                if (in->var < 0 || in->var >= f->nvars || f->vars[in->var].kind != TL_VAR_TEMP)
                    uses_in(&g, in->value); /* a user variable receives it */
                else
                    flows_in(&g, in->value, f->ncalls + in->var);
                break;
            default: /* TL_I_USE: evaluated and dropped */
                break;
            }
        }
    }
    /* a value is used when it flows into a used temporary */
    while (g.nstack > 0) {
        int to = g.stack[--g.nstack];
        for (int e = g.src_first[to]; e >= 0; e = g.edge_next[e])
            mark_used(&g, g.edge_src[e]);
    }
    for (int id = 0; id < f->ncalls; id++)
        used[id] = g.used[id];
    free(g.used);
    free(g.src_first);
    free(g.edge_src);
    free(g.edge_next);
    free(g.stack);
}

bool tl_own_spawn_has_owner(const tl_analysis *a, int fi, const tl_call *c,
                            const tl_fn_model *m)
{
    if (!m || !m->spawn.present || m->spawn.owner_arg < 0 || m->spawn.owner_arg >= c->nargs)
        return false;
    if (!m->spawn.has_no_owner_value)
        return true;
    tl_cval v = tl_own_arg_value(a, fi, c, m->spawn.owner_arg);
    if (v.kind == TL_CV_INT && v.v == m->spawn.no_owner_value)
        return false;
    if (v.kind == TL_CV_NULL && m->spawn.no_owner_value == 0)
        return false;
    return true;
}

bool tl_own_var_is_local(const tl_var *v)
{
    return v->kind == TL_VAR_LOCAL || v->kind == TL_VAR_TEMP || v->kind == TL_VAR_PARAM;
}

static bool var_ok(const tl_func *f, int v)
{
    return v >= 0 && v < f->nvars && tl_own_var_is_local(&f->vars[v]);
}

tl_place_kind tl_own_lvalue_place(const tl_func *f, const tl_expr *lv, int *var)
{
    *var = -1;
    const tl_expr *e = tl_expr_uncast(lv);
    if (!e)
        return TL_PLACE_NONLOCAL;
    switch (e->kind) {
    case TL_E_VAR:
        if (!var_ok(f, e->var))
            return TL_PLACE_NONLOCAL;
        *var = e->var;
        if (f->vars[e->var].is_array || f->vars[e->var].is_record)
            return TL_PLACE_AGGREGATE;
        return TL_PLACE_SCALAR;
    case TL_E_MEMBER: {
        if (e->arrow || e->nkids < 1)
            return TL_PLACE_NONLOCAL;
        tl_place_kind k = tl_own_lvalue_place(f, e->kids[0], var);
        return k == TL_PLACE_NONLOCAL ? k : TL_PLACE_AGGREGATE;
    }
    case TL_E_INDEX: {
        if (e->nkids < 1)
            return TL_PLACE_NONLOCAL;
        const tl_expr *base = tl_expr_uncast(e->kids[0]);
        if (base && base->kind == TL_E_VAR) {
            /* arr[i]: the array's memory; p[i]: memory elsewhere */
            if (var_ok(f, base->var) && f->vars[base->var].is_array) {
                *var = base->var;
                return TL_PLACE_AGGREGATE;
            }
            return TL_PLACE_NONLOCAL;
        }
        /* s.arr[i], m[i][j] */
        tl_place_kind k = tl_own_lvalue_place(f, base, var);
        return k == TL_PLACE_AGGREGATE ? k : TL_PLACE_NONLOCAL;
    }
    case TL_E_DEREF: {
        const tl_expr *k = e->nkids ? tl_expr_uncast(e->kids[0]) : NULL;
        if (k && k->kind == TL_E_ADDR && k->nkids)
            return tl_own_lvalue_place(f, k->kids[0], var);
        return TL_PLACE_NONLOCAL;
    }
    default:
        return TL_PLACE_NONLOCAL;
    }
}

tl_place_kind tl_own_out_place(const tl_func *f, const tl_expr *ptr, int *var)
{
    *var = -1;
    const tl_expr *e = tl_expr_uncast(ptr);
    if (!e)
        return TL_PLACE_NONLOCAL;
    if (e->kind == TL_E_ADDR && e->nkids)
        return tl_own_lvalue_place(f, e->kids[0], var);
    /* a local array decays to a pointer to its first element: t, t + i */
    if (e->kind == TL_E_BINARY && (strcmp(e->op, "+") == 0 || strcmp(e->op, "-") == 0)) {
        for (int i = 0; i < e->nkids; i++) {
            const tl_expr *k = tl_expr_uncast(e->kids[i]);
            if (k && k->kind == TL_E_VAR && var_ok(f, k->var) && f->vars[k->var].is_array) {
                *var = k->var;
                return TL_PLACE_AGGREGATE;
            }
        }
        return TL_PLACE_NONLOCAL;
    }
    if (e->kind == TL_E_VAR && var_ok(f, e->var) && f->vars[e->var].is_array) {
        *var = e->var;
        return TL_PLACE_AGGREGATE;
    }
    return TL_PLACE_NONLOCAL;
}

int tl_own_arg_root(const tl_expr *e)
{
    return tl_expr_root_var(e, NULL);
}

int tl_own_call_arg_var(const tl_call *call, int arg, int nvars)
{
    if (arg < 0 || arg >= call->nargs)
        return -1;
    int v = tl_own_arg_root(call->args[arg]);
    return v >= 0 && v < nvars ? v : -1;
}

/* ---- spawn-success refinement ---- */

int tl_own_rel_negate(int op)
{
    switch (op) {
    case TL_REL_EQ: return TL_REL_NE;
    case TL_REL_NE: return TL_REL_EQ;
    case TL_REL_LT: return TL_REL_GE;
    case TL_REL_LE: return TL_REL_GT;
    case TL_REL_GT: return TL_REL_LE;
    default:        return TL_REL_LT; /* GE */
    }
}

static int rel_swap(int op)
{
    switch (op) {
    case TL_REL_LT: return TL_REL_GT;
    case TL_REL_LE: return TL_REL_GE;
    case TL_REL_GT: return TL_REL_LT;
    case TL_REL_GE: return TL_REL_LE;
    default:        return op;
    }
}

static int rel_of(const char *op)
{
    static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};
    for (int i = 0; i < 6; i++)
        if (strcmp(op, names[i]) == 0)
            return i;
    return -1;
}

static bool rel_holds(int op, int64_t x, int64_t k)
{
    switch (op) {
    case TL_REL_EQ: return x == k;
    case TL_REL_NE: return x != k;
    case TL_REL_LT: return x < k;
    case TL_REL_LE: return x <= k;
    case TL_REL_GT: return x > k;
    default:        return x >= k;
    }
}

bool tl_own_relation_fails(tl_success s, int op, int64_t k)
{
    switch (s) {
    case TL_SUCCESS_ZERO:
        return !rel_holds(op, 0, k);
    case TL_SUCCESS_NONNULL:
        return op == TL_REL_EQ && k == 0;
    case TL_SUCCESS_NONNEG:
        return (op == TL_REL_LT && k <= 0) || (op == TL_REL_LE && k < 0) ||
               (op == TL_REL_EQ && k < 0);
    case TL_SUCCESS_POSITIVE: /* result <= 0 */
        return (op == TL_REL_LT && k <= 1) || (op == TL_REL_LE && k <= 0) ||
               (op == TL_REL_EQ && k <= 0);
    default:
        return false;
    }
}

bool tl_own_relation_succeeds(tl_success s, int op, int64_t k)
{
    switch (s) {
    case TL_SUCCESS_ZERO:
        return op == TL_REL_EQ && k == 0;
    case TL_SUCCESS_NONNULL:
        return op == TL_REL_NE && k == 0;
    case TL_SUCCESS_NONNEG:
        return (op == TL_REL_GE && k >= 0) || (op == TL_REL_GT && k >= -1) ||
               (op == TL_REL_EQ && k >= 0);
    case TL_SUCCESS_POSITIVE: /* result > 0 */
        return (op == TL_REL_GE && k >= 1) || (op == TL_REL_GT && k >= 0) ||
               (op == TL_REL_EQ && k >= 1);
    default:
        return false;
    }
}

static int subject_call(const tl_expr *e, tl_own_var_holds_fn var_holds, void *ctx)
{
    e = tl_expr_uncast(e);
    if (!e)
        return -1;
    if (e->kind == TL_E_CALLRES)
        return e->call_id;
    if (e->kind == TL_E_VAR && var_holds)
        return var_holds(ctx, e->var);
    return -1;
}

static bool const_of(const tl_expr *e, int64_t *k)
{
    tl_cval v = literal_value(e);
    if (v.kind == TL_CV_UNKNOWN && e && e->kind != TL_E_CALLRES)
        v = tl_eval_expr(e, NULL, 0); /* a constant expression: (FILE_SIZE / BS) */
    if (v.kind == TL_CV_INT) {
        *k = v.v;
        return true;
    }
    if (v.kind == TL_CV_NULL) {
        *k = 0;
        return true;
    }
    return false;
}

/* cond holds <=> result(call) OP k */
static bool parse_cond(const tl_expr *e, tl_own_var_holds_fn var_holds, void *ctx,
                       const tl_expr *const *defs, int *call, int *op, int64_t *k)
{
    e = tl_expr_uncast(e);
    if (!e)
        return false;
    if (e->kind == TL_E_VAR && defs && e->var >= 0 && defs[e->var])
        return parse_cond(defs[e->var], NULL, NULL, NULL, call, op, k); /* reads no variable */
    if (e->kind == TL_E_UNARY && strcmp(e->op, "!") == 0 && e->nkids == 1) {
        if (!parse_cond(e->kids[0], var_holds, ctx, defs, call, op, k))
            return false;
        *op = tl_own_rel_negate(*op);
        return true;
    }
    if (e->kind == TL_E_BINARY && e->nkids == 2) {
        int r = rel_of(e->op);
        if (r < 0)
            return false;
        int64_t c;
        int id;
        if (const_of(e->kids[1], &c) && (id = subject_call(e->kids[0], var_holds, ctx)) >= 0) {
            *call = id; *op = r; *k = c;
            return true;
        }
        if (const_of(e->kids[0], &c) && (id = subject_call(e->kids[1], var_holds, ctx)) >= 0) {
            *call = id; *op = rel_swap(r); *k = c;
            return true;
        }
        return false;
    }
    int id = subject_call(e, var_holds, ctx);
    if (id < 0)
        return false;
    *call = id; *op = TL_REL_NE; *k = 0;
    return true;
}

/* Does e read the result of a call directly, with no variable in it? */
static bool reads_call_only(const tl_expr *e, bool *has_call)
{
    if (!e)
        return true;
    if (e->kind == TL_E_VAR)
        return false;
    if (e->kind == TL_E_CALLRES)
        *has_call = true;
    for (int i = 0; i < e->nkids; i++)
        if (!reads_call_only(e->kids[i], has_call))
            return false;
    return true;
}

static void mark_address_taken(const tl_expr *e, bool *taken, int nvars)
{
    if (!e)
        return;
    if (e->kind == TL_E_ADDR) {
        int v = tl_expr_root_var(e, NULL);
        if (v >= 0 && v < nvars)
            taken[v] = true;
    }
    for (int i = 0; i < e->nkids; i++)
        mark_address_taken(e->kids[i], taken, nvars);
}

const tl_expr **tl_own_outcome_defs(const tl_analysis *a, int fi)
{
    const tl_func *f = &a->tu->funcs[fi];
    if (f->nvars <= 0)
        return NULL;
    const tl_expr **defs = tl_xcalloc((size_t)f->nvars, sizeof *defs);
    unsigned char *nassign = tl_xcalloc((size_t)f->nvars, 1);
    bool *taken = tl_xcalloc((size_t)f->nvars, sizeof *taken);
    bool any = false;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        mark_address_taken(b->cond, taken, f->nvars);
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            mark_address_taken(in->value, taken, f->nvars);
            mark_address_taken(in->target, taken, f->nvars);
            if (in->kind == TL_I_CALL)
                for (int ai = 0; ai < in->call.nargs; ai++)
                    mark_address_taken(in->call.args[ai], taken, f->nvars);
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars)
                continue;
            if (nassign[in->var] < 2)
                nassign[in->var]++;
            bool has_call = false;
            int call, op;
            int64_t kv;
            const tl_fn_model *m;
            if (f->vars[in->var].kind == TL_VAR_LOCAL && reads_call_only(in->value, &has_call) &&
                has_call && parse_cond(in->value, NULL, NULL, NULL, &call, &op, &kv) &&
                (m = tl_own_model(a, fi, call)) && m->spawn.present)
                defs[in->var] = in->value;
        }
    }
    for (int v = 0; v < f->nvars; v++) {
        if (nassign[v] != 1 || taken[v])
            defs[v] = NULL;
        any = any || defs[v];
    }
    free(nassign);
    free(taken);
    if (!any) {
        free(defs);
        return NULL;
    }
    return defs;
}

/* Block b's edge s as a relation on a call's result: a branch on the
 * condition (defs as for tl_own_edge_spawn_outcome, may be NULL) or a case
 * of a switch on the result (the default edge says nothing). */
static int edge_relation(const tl_block *b, int s, tl_own_var_holds_fn var_holds, void *ctx,
                         const tl_expr *const *defs, int *op, int64_t *k)
{
    int call;
    if (b->term == TL_T_SWITCH && b->cond && s >= 0 && s < b->nsucc - 1) {
        if ((call = subject_call(b->cond, var_holds, ctx)) < 0)
            return -1;
        *op = TL_REL_EQ;
        *k = b->case_values[s];
        return call;
    }
    if (b->term != TL_T_BRANCH || !b->cond || s < 0 || s > 1 ||
        !parse_cond(b->cond, var_holds, ctx, defs, &call, op, k))
        return -1;
    if (s == 1)
        *op = tl_own_rel_negate(*op);
    return call;
}

int tl_own_edge_relation(const tl_block *b, int s, tl_own_var_holds_fn var_holds, void *ctx,
                         int *op, int64_t *k)
{
    return edge_relation(b, s, var_holds, ctx, NULL, op, k);
}

int tl_own_edge_spawn_outcome(const tl_analysis *a, int fi, const tl_block *b, int s,
                              tl_own_var_holds_fn var_holds, void *ctx,
                              const tl_expr *const *defs, int *outcome)
{
    *outcome = 0;
    int op;
    int64_t k;
    int call = edge_relation(b, s, var_holds, ctx, defs, &op, &k);
    if (call < 0)
        return -1;
    const tl_fn_model *m = tl_own_model(a, fi, call);
    if (!m || !m->spawn.present)
        return -1;
    if (tl_own_relation_fails(m->spawn.success, op, k))
        *outcome = -1;
    else if (tl_own_relation_succeeds(m->spawn.success, op, k))
        *outcome = 1;
    else
        return -1;
    return call;
}

/* ---- wording ---- */

const char *tl_own_user_name(const tl_call *c, char *buf, size_t n)
{
    const char *t = c->text;
    size_t at, len;
    if (t && c->in_macro && tl_call_spelled_callee(c, &at, &len) && len < n) {
        memcpy(buf, t + at, len); /* assert(chrecv(...) == 0): "chrecv" */
        buf[len] = 0;
        return buf;
    }
    if (t) {
        size_t i = 0;
        if (isalpha((unsigned char)t[0]) || t[0] == '_') {
            while (isalnum((unsigned char)t[i]) || t[i] == '_')
                i++;
            size_t j = i;
            while (t[j] == ' ')
                j++;
            if (t[j] == '(' && i < n) {
                memcpy(buf, t, i);
                buf[i] = 0;
                return buf;
            }
        }
    }
    snprintf(buf, n, "%s", c->callee ? c->callee : "(indirect call)");
    return buf;
}

const char *tl_own_call_phrase(const char *spelled, const char *func, char *buf, size_t n)
{
    bool ident = spelled && (isalpha((unsigned char)spelled[0]) || spelled[0] == '_');
    for (const char *q = spelled; ident && *q; q++)
        ident = isalnum((unsigned char)*q) || *q == '_';
    if (!func || !*func)
        snprintf(buf, n, "%s()", spelled ? spelled : "(indirect call)");
    else if (ident && strcmp(spelled, func) != 0)
        snprintf(buf, n, "%s() (expanded from %s())", func, spelled);
    else
        snprintf(buf, n, "%s()", func);
    return buf;
}

const char *tl_own_call_named(const tl_analysis *a, const tl_call *c, const char *spelled,
                              char *buf, size_t n)
{
    char user[128];
    if (!spelled)
        spelled = tl_own_user_name(c, user, sizeof user);
    bool program_fn = c->in_macro && c->callee && a && a->models &&
                      !tl_models_find(a->models, c->callee) &&
                      !tl_models_namespace(a->models, c->callee);
    /* a library function through a macro of the project (redis_fsync() for
       fdatasync()); a library's own macro (go(), chrecv) keeps its name */
    bool project_macro = c->in_macro && c->callee && c->macro_project;
    return tl_own_call_phrase(spelled, program_fn || project_macro ? c->callee : NULL, buf, n);
}

const char *tl_own_peer_name(const tl_call *ref, const char *model, char *buf, size_t n)
{
    char user[128];
    snprintf(buf, n, "%s", model);
    if (!ref || !ref->callee)
        return buf;
    tl_own_user_name(ref, user, sizeof user);
    size_t cl = strlen(ref->callee), ul = strlen(user);
    if (ul == 0 || ul >= cl || strcmp(ref->callee + cl - ul, user) != 0)
        return buf;
    size_t pl = cl - ul;
    if (strncmp(model, ref->callee, pl) == 0 && model[pl])
        snprintf(buf, n, "%s", model + pl);
    return buf;
}

const char *tl_own_past(const char *how, char *buf, size_t n)
{
    if (!how || !*how) {
        snprintf(buf, n, "released");
        return buf;
    }
    size_t l = strlen(how);
    snprintf(buf, n, "%s%s", how, how[l - 1] == 'e' ? "d" : "ed");
    return buf;
}

static int how_rank(const char *how)
{
    static const char *const order[] = {"join", "close", "destroy", "detach"};
    for (int i = 0; i < 4; i++)
        if (strcmp(how, order[i]) == 0)
            return i;
    return 4;
}

const char *tl_own_release_verbs(const tl_model_set *ms, const char *library,
                                 char *buf, size_t n)
{
    const char *hows[16];
    int nh = 0;
    if (ms && library) {
        for (size_t i = 0; i < ms->nfns; i++) {
            const tl_fn_model *m = &ms->fns[i];
            if (!m->release.present || !m->release.how || !m->library ||
                strcmp(m->library, library) != 0)
                continue;
            bool dup = false;
            for (int j = 0; j < nh; j++)
                dup = dup || strcmp(hows[j], m->release.how) == 0;
            if (!dup && nh < 16)
                hows[nh++] = m->release.how;
        }
    }
    /* stable insertion sort by canonical rank */
    for (int i = 1; i < nh; i++) {
        const char *h = hows[i];
        int j = i;
        while (j > 0 && how_rank(hows[j - 1]) > how_rank(h)) {
            hows[j] = hows[j - 1];
            j--;
        }
        hows[j] = h;
    }
    if (nh == 0) {
        snprintf(buf, n, "released");
        return buf;
    }
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < nh; i++) {
        char past[64];
        tl_own_past(hows[i], past, sizeof past);
        const char *sep = i == 0 ? "" : (i == nh - 1 ? " or " : ", ");
        int w = snprintf(buf + len, len < n ? n - len : 0, "%s%s", sep, past);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
    return buf;
}

const tl_fn_model *tl_own_library_await(const tl_model_set *ms, const char *library)
{
    const tl_fn_model *best = NULL;
    if (!ms || !library)
        return NULL;
    for (size_t i = 0; i < ms->nfns; i++) {
        const tl_fn_model *m = &ms->fns[i];
        if (!m->await.present || !m->library || strcmp(m->library, library) != 0)
            continue;
        if (!best) {
            best = m;
            continue;
        }
        if (m->wait.present != best->wait.present) {
            if (m->wait.present)
                best = m;
            continue;
        }
        size_t lm = strlen(m->name), lb = strlen(best->name);
        if (lm < lb || (lm == lb && strcmp(m->name, best->name) < 0))
            best = m;
    }
    return best;
}
