/* param_values.c - values a function got from its parameters (see
 * param_values.h). */
#include "param_values.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

enum { CALL_UNKNOWN = 0, CALL_BUSY, CALL_YES, CALL_NO };

/* The variable at the root of an lvalue, through fields (also `->`),
 * elements, `*`, `&` and casts: c->fd, w->link[1], *p; -1 none. */
static int deep_root(const tl_expr *e) {
    for (int depth = 0; e && depth < 256; depth++) {
        e = tl_expr_uncast(e);
        if (!e) return -1;
        if (e->kind == TL_E_VAR) return e->var;
        if ((e->kind == TL_E_MEMBER || e->kind == TL_E_DEREF || e->kind == TL_E_INDEX || e->kind == TL_E_ADDR) &&
            e->nkids > 0)
            e = e->kids[0];
        else
            return -1;
    }
    return -1;
}

/* A call result is derived when the call makes no descriptor and is handed
 * a derived value; each call is decided once per sweep (pv->calls), so the
 * cost stays linear whatever the nesting (a call among its own arguments,
 * in a frame no front end made, is not derived). */
static bool expr_derived(tl_param_values_t *pv, const tl_expr *e, int depth) {
    e = tl_expr_uncast(e);
    if (!e || depth > 64) return false;
    switch (e->kind) {
    case TL_E_VAR:
        return e->var >= 0 && e->var < pv->f->nvars && pv->derived[e->var];
    case TL_E_MEMBER:
    case TL_E_DEREF:
    case TL_E_ADDR:
    case TL_E_INDEX: /* (an element of a handed array; not a table entry a handed value
                        indexes, `workers[which]`: whose entry is not known) */
        return e->nkids > 0 && expr_derived(pv, e->kids[0], depth + 1);
    case TL_E_CALLRES: {
        const tl_func_facts *ff = pv->ff;
        if (!ff || e->call_id < 0 || e->call_id >= ff->ncalls) return false;
        unsigned char *st = &pv->calls[e->call_id];
        if (*st != CALL_UNKNOWN) return *st == CALL_YES;
        *st = CALL_BUSY;
        const tl_call_facts *cf = &ff->calls[e->call_id];
        bool yes = false;
        if (cf->instr && !(cf->model && cf->model->descriptor.present))
            for (int a = 0; a < cf->instr->call.nargs && !yes; a++)
                yes = expr_derived(pv, cf->instr->call.args[a], depth + 1);
        *st = yes ? CALL_YES : CALL_NO;
        return yes;
    }
    default:
        return false;
    }
}

bool tl_param_value_expr(tl_param_values_t *pv, const tl_expr *e) {
    return expr_derived(pv, e, 0);
}

/* A value that names no descriptor: a constant, NULL. */
static bool neutral(const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && (e->kind == TL_E_CONST || e->kind == TL_E_NULL ||
                 (e->kind == TL_E_UNARY && e->nkids == 1 && strcmp(e->op, "-") == 0 &&
                  tl_expr_uncast(e->kids[0]) && tl_expr_uncast(e->kids[0])->kind == TL_E_CONST));
}

/* A descriptor the function makes: a `descriptor` call's result. */
static bool made_here(const tl_func_facts *ff, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_CALLRES || e->call_id < 0 || e->call_id >= ff->ncalls) return false;
    const tl_call_facts *cf = &ff->calls[e->call_id];
    return cf->model && cf->model->descriptor.present && cf->model->descriptor.arg < 0;
}

void tl_param_values_init(tl_param_values_t *pv, const tl_func *f, const tl_func_facts *ff) {
    int nv = f->nvars;
    pv->f = f;
    pv->ff = ff;
    pv->derived = tl_xcalloc((size_t)nv + 1, sizeof *pv->derived);
    pv->calls = tl_xcalloc((size_t)(ff ? ff->ncalls : 0) + 1, 1);
    bool *derived = pv->derived;
    /* variables assigned (parameters), whose address is taken, or into whose
       fields the function stores a descriptor it made (`c->fd = socket()`:
       what it reads there is its own): bad[v] */
    unsigned char *bad = tl_xcalloc((size_t)nv + 1, 1), *st = tl_xcalloc((size_t)nv + 1, 1),
                  *made = tl_xcalloc((size_t)nv + 1, 1);
    tl_func_addr_taken(f, bad);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < nv && ff && made_here(ff, in->value))
                made[in->var] = 1; /* (a local holding one: `s = socket(); c->fd = s;`) */
        }
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < f->nparams &&
                in->var < nv)
                bad[in->var] = 1;
            if (in->kind == TL_I_STORE && ff) {
                const tl_expr *v = tl_expr_uncast(in->value);
                bool own = made_here(ff, v) || (v && v->kind == TL_E_VAR && v->var >= 0 && v->var < nv && made[v->var]);
                int root = own ? deep_root(in->target) : -1;
                if (root >= 0 && root < nv) bad[root] = 1;
            }
        }
    for (int v = 0; v < nv && v < f->nparams; v++) derived[v] = f->vars[v].kind == TL_VAR_PARAM && !bad[v];
    /* locals (not arrays: calls fill them) whose every assignment is derived
       or a constant, at least one derived: a least fixpoint */
    for (int sweep = 0; sweep < TL_PARAM_VALUES_SWEEPS; sweep++) {
        memset(st, 0, (size_t)nv);
        memset(pv->calls, 0, (size_t)(ff ? ff->ncalls : 0) + 1); /* (call results depend on derived[]) */
        for (int bi = 0; bi < f->nblocks; bi++) {
            const tl_block *b = &f->blocks[bi];
            for (int i = 0; i < b->ninstrs; i++) {
                const tl_instr *in = &b->instrs[i];
                int v = in->var;
                if (in->kind != TL_I_ASSIGN || v < f->nparams || v >= nv || derived[v] || st[v] == 2) continue;
                if (neutral(in->value)) continue;
                st[v] = expr_derived(pv, in->value, 0) ? (st[v] ? st[v] : 1) : 2;
            }
        }
        bool changed = false;
        for (int v = f->nparams; v < nv; v++) {
            const tl_var *var = &f->vars[v];
            if (st[v] != 1 || bad[v] || var->is_array || (var->kind != TL_VAR_LOCAL && var->kind != TL_VAR_TEMP))
                continue;
            derived[v] = true;
            changed = true;
        }
        if (!changed) break;
    }
    memset(pv->calls, 0, (size_t)(ff ? ff->ncalls : 0) + 1);
    free(bad);
    free(st);
    free(made);
}

void tl_param_values_free(tl_param_values_t *pv) {
    free(pv->derived);
    free(pv->calls);
    pv->derived = NULL;
    pv->calls = NULL;
}
