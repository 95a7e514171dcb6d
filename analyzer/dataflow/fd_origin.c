/* fd_origin.c - origins of descriptor variables (see fd_origin.h).
 *
 * Two passes over a function's assignments, so that a copy seen before its
 * source in block order is followed too; each pass is linear. */
#include "fd_origin.h"

#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/xalloc.h"

static unsigned kind_bits(tl_desc_kind k) {
    return k == TL_DESC_PEER ? TL_FDO_PEER : TL_FDO_COMPLETES;
}

/* A file-scope variable with internal linkage: clang spells the file into
 * the USR of such a declaration ("c:kdigest.c@outfd"), not into that of a
 * variable other files can assign ("c:@outfd"). */
static bool file_local(const tl_var *v) {
    return (v->kind == TL_VAR_GLOBAL || v->kind == TL_VAR_STATIC) && v->usr &&
           strncmp(v->usr, "c:@", 3) != 0;
}

/* The origins of the descriptor a descriptor call makes. */
static unsigned call_bits(const tl_func *f, const tl_call_facts *cf, const unsigned char *desc) {
    const tl_descriptor_facet *d = &cf->model->descriptor;
    const tl_call *c = &cf->instr->call;
    if (d->kind_if_arg >= 0 && d->kind_if_arg < c->nargs && cf->argv &&
        cf->argv[d->kind_if_arg].kind == TL_CV_INT)
        for (int i = 0; i < d->nkind_if_values; i++)
            if (cf->argv[d->kind_if_arg].v == d->kind_if_values[i]) return kind_bits(d->kind_if_kind);
    if (d->from_arg >= 0 && d->from_arg < c->nargs) {
        int v = tl_expr_root_var(c->args[d->from_arg], NULL);
        if (v >= 0 && v < f->nvars && desc[v]) return desc[v];
    }
    return kind_bits(d->kind);
}

static const tl_call_facts *descriptor_call(const tl_func_facts *ff, const tl_expr *e) {
    if (!e || e->kind != TL_E_CALLRES || e->call_id < 0 || e->call_id >= ff->ncalls) return NULL;
    const tl_call_facts *cf = &ff->calls[e->call_id];
    return cf->instr && cf->model && cf->model->descriptor.present && cf->model->descriptor.arg < 0 ? cf
                                                                                                   : NULL;
}

void tl_fd_origins(const tl_analysis *a, int fi, unsigned char *desc) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    for (int v = 0; v < f->nvars; v++) /* what the TU assigns to file-local variables */
        if (file_local(&f->vars[v])) {
            int g = tl_str_map_get(&a->fd_globals, f->vars[v].usr);
            if (g > 0) desc[v] = (unsigned char)g;
        }
    for (int pass = 0; pass < 2; pass++) {
        for (int id = 0; id < ff->ncalls; id++) { /* out arrays: pipe(fds) */
            const tl_call_facts *cf = &ff->calls[id];
            if (!cf->instr || !cf->model || !cf->model->descriptor.present || cf->model->descriptor.arg < 0)
                continue;
            const tl_call *c = &cf->instr->call;
            int v = cf->model->descriptor.arg < c->nargs ? tl_expr_root_var(c->args[cf->model->descriptor.arg], NULL)
                                                         : -1;
            if (v >= 0 && v < f->nvars) desc[v] |= (unsigned char)call_bits(f, cf, desc);
        }
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                int v = -1;
                const tl_expr *e = NULL;
                if (in->kind == TL_I_ASSIGN) v = in->var, e = tl_expr_uncast(in->value);
                else if (in->kind == TL_I_STORE) v = tl_expr_root_var(in->target, NULL), e = tl_expr_uncast(in->value);
                if (v < 0 || v >= f->nvars || !e) continue;
                const tl_call_facts *cf = descriptor_call(ff, e);
                if (cf) desc[v] |= (unsigned char)call_bits(f, cf, desc);
                else if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars) desc[v] |= desc[e->var];
            }
    }
}

/* Whether e assigns no descriptor at all: a constant (`fd = -1`). */
static bool no_descriptor(const tl_expr *e) {
    return e && (e->kind == TL_E_CONST || e->kind == TL_E_NULL ||
                 (e->kind == TL_E_UNARY && e->nkids == 1 && tl_expr_uncast(e->kids[0]) &&
                  tl_expr_uncast(e->kids[0])->kind == TL_E_CONST));
}

void tl_fd_origin_collect_globals(tl_analysis *a) {
    const tl_tu *tu = a->tu;
    unsigned char *desc = NULL;
    int cap = 0;
    for (int fi = 0; fi < tu->nfuncs; fi++) {
        const tl_func *f = &tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        bool any = false; /* does it assign a file-local variable? */
        for (int bi = 0; bi < f->nblocks && !any; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs && !any; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                any = in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars &&
                      file_local(&f->vars[in->var]);
            }
        if (!any) continue;
        if (f->nvars + 1 > cap) {
            cap = f->nvars + 1;
            desc = tl_xrealloc(desc, (size_t)cap);
        }
        memset(desc, 0, (size_t)cap);
        tl_fd_origins(a, fi, desc);
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars ||
                    !file_local(&f->vars[in->var]))
                    continue;
                const tl_expr *e = tl_expr_uncast(in->value);
                if (no_descriptor(e)) continue;
                const tl_call_facts *cf = descriptor_call(ff, e);
                unsigned bits = cf ? call_bits(f, cf, desc)
                                : e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars ? desc[e->var]
                                                                                                : 0;
                if (!bits) bits = TL_FDO_PEER; /* from anything else: unknown */
                const char *usr = f->vars[in->var].usr;
                int old = tl_str_map_get(&a->fd_globals, usr);
                tl_str_map_set(&a->fd_globals, usr, (int)(bits | (old > 0 ? (unsigned)old : 0u)));
            }
    }
    free(desc);
}

/* A descriptor call whose datagram_if holds on its constant arguments. */
static bool datagram_call(const tl_call_facts *cf) {
    const tl_descriptor_facet *d = &cf->model->descriptor;
    const tl_call *c = &cf->instr->call;
    if (d->datagram_if_arg < 0 || d->datagram_if_arg >= c->nargs || !cf->argv ||
        cf->argv[d->datagram_if_arg].kind != TL_CV_INT)
        return false;
    int64_t t = cf->argv[d->datagram_if_arg].v & d->datagram_if_mask;
    for (int i = 0; i < d->ndatagram_if_values; i++)
        if (t == d->datagram_if_values[i]) return true;
    return false;
}

bool tl_fd_datagram_var(const tl_analysis *a, int fi, int v, const unsigned char *taken) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    if (v < 0 || v >= f->nvars || taken[v] || f->vars[v].is_array ||
        (f->vars[v].kind != TL_VAR_LOCAL && f->vars[v].kind != TL_VAR_TEMP))
        return false;
    int seen = 0;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var != v) continue;
            const tl_expr *e = tl_expr_uncast(in->value);
            if (no_descriptor(e)) continue;
            const tl_call_facts *cf = descriptor_call(ff, e);
            if (!cf || !datagram_call(cf)) return false;
            seen++;
        }
    return seen > 0;
}
