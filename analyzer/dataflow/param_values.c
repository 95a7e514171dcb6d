/* param_values.c - values a function got from its parameters (see
 * param_values.h). */
#include "param_values.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

/* A call result is derived when the call makes no descriptor and is handed
 * a derived value (depth bounds the nesting of calls in arguments). */
static bool expr_derived(const tl_func *f, const tl_func_facts *ff, const bool *derived, const tl_expr *e, int depth) {
    e = tl_expr_uncast(e);
    if (!e || depth > 64) return false;
    switch (e->kind) {
    case TL_E_VAR:
        return e->var >= 0 && e->var < f->nvars && derived[e->var];
    case TL_E_MEMBER:
    case TL_E_DEREF:
    case TL_E_INDEX:
    case TL_E_ADDR:
        return e->nkids > 0 && expr_derived(f, ff, derived, e->kids[0], depth + 1);
    case TL_E_CALLRES: {
        if (!ff || e->call_id < 0 || e->call_id >= ff->ncalls) return false;
        const tl_call_facts *cf = &ff->calls[e->call_id];
        if (!cf->instr || (cf->model && cf->model->descriptor.present)) return false;
        for (int a = 0; a < cf->instr->call.nargs; a++)
            if (expr_derived(f, ff, derived, cf->instr->call.args[a], depth + 1)) return true;
        return false;
    }
    default:
        return false;
    }
}

bool tl_param_value_expr(const tl_func *f, const tl_func_facts *ff, const bool *derived, const tl_expr *e) {
    return expr_derived(f, ff, derived, e, 0);
}

/* A value that names no descriptor: a constant, NULL. */
static bool neutral(const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && (e->kind == TL_E_CONST || e->kind == TL_E_NULL ||
                 (e->kind == TL_E_UNARY && e->nkids == 1 && strcmp(e->op, "-") == 0 &&
                  tl_expr_uncast(e->kids[0]) && tl_expr_uncast(e->kids[0])->kind == TL_E_CONST));
}

void tl_param_values(const tl_func *f, const tl_func_facts *ff, bool *derived) {
    int nv = f->nvars;
    if (nv <= 0) return;
    memset(derived, 0, (size_t)nv * sizeof *derived);
    /* variables assigned (parameters) or whose address is taken: bad[v] */
    unsigned char *bad = tl_xcalloc((size_t)nv + 1, 1), *st = tl_xcalloc((size_t)nv + 1, 1);
    tl_func_addr_taken(f, bad);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < f->nparams &&
                in->var < nv)
                bad[in->var] = 1;
        }
    for (int v = 0; v < nv && v < f->nparams; v++) derived[v] = f->vars[v].kind == TL_VAR_PARAM && !bad[v];
    /* locals (not arrays: calls fill them) whose every assignment is derived
       or a constant, at least one derived: a least fixpoint */
    for (int sweep = 0; sweep < TL_PARAM_VALUES_SWEEPS; sweep++) {
        memset(st, 0, (size_t)nv);
        for (int bi = 0; bi < f->nblocks; bi++) {
            const tl_block *b = &f->blocks[bi];
            for (int i = 0; i < b->ninstrs; i++) {
                const tl_instr *in = &b->instrs[i];
                int v = in->var;
                if (in->kind != TL_I_ASSIGN || v < f->nparams || v >= nv || derived[v] || st[v] == 2) continue;
                if (neutral(in->value)) continue;
                st[v] = expr_derived(f, ff, derived, in->value, 0) ? (st[v] ? st[v] : 1) : 2;
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
    free(bad);
    free(st);
}
