/* annotations.c - reads annotate attributes of function declarations into
 * tl_tu.annots (see annotations.h).  libclang shows an attribute as a child
 * cursor of kind CXCursor_AnnotateAttr whose spelling is the annotation
 * string; a later redeclaration (the definition) carries the attributes it
 * inherits, and a parameter's own attributes are children of its ParmDecl.
 * A declaration is read into its strings (tl_annot_read), then given roles
 * by the models (tl_annot_apply), so that a precompiled prefix's records
 * can be replayed without its cursors.
 */
#include "annotations.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

/* The annotate strings of a cursor's AnnotateAttr children, in order. */
typedef struct {
    char **v;
    int n, cap;
} str_list;

static enum CXChildVisitResult read_attr(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    str_list *l = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    /* a declaration's attributes are its first children: past them are its
       parameters and types, which a prototype of every header has */
    if (!clang_isAttribute(k)) return CXChildVisit_Break;
    if (k != CXCursor_AnnotateAttr) return CXChildVisit_Continue;
    CXString str = clang_getCursorSpelling(c);
    const char *text = clang_getCString(str);
    l->v = tl_xgrow(l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = tl_xstrdup(text ? text : "");
    clang_disposeString(str);
    return CXChildVisit_Continue;
}

static str_list strings_of(CXCursor c) {
    str_list l = {0};
    if (clang_Cursor_hasAttrs(c)) clang_visitChildren(c, read_attr, &l);
    return l;
}

bool tl_annot_read(CXCursor decl, tl_annot_raw *out) {
    memset(out, 0, sizeof *out);
    str_list own = strings_of(decl);
    out->strs = own.v;
    out->nstrs = own.n;
    int cap = 0;
    int nparams = clang_Cursor_getNumArguments(decl);
    for (int i = 0; i < nparams && i < 64; i++) {
        str_list p = strings_of(clang_Cursor_getArgument(decl, i));
        for (int k = 0; k < p.n; k++) {
            int before = cap;
            out->pstrs = tl_xgrow(out->pstrs, out->npstrs, &cap, sizeof *out->pstrs);
            if (cap != before) out->pidx = tl_xrealloc(out->pidx, (size_t)cap * sizeof *out->pidx);
            out->pidx[out->npstrs] = i;
            out->pstrs[out->npstrs++] = p.v[k];
        }
        free(p.v);
    }
    if (out->nstrs == 0 && out->npstrs == 0) {
        tl_annot_raw_free(out);
        return false;
    }
    CXString ns = clang_getCursorSpelling(decl);
    const char *name = clang_getCString(ns);
    out->name = tl_xstrdup(name ? name : "");
    clang_disposeString(ns);
    CXType rt = clang_getResultType(clang_getCursorType(decl));
    out->returns_pointer = clang_getCanonicalType(rt).kind == CXType_Pointer;
    return true;
}

void tl_annot_raw_free(tl_annot_raw *r) {
    for (int i = 0; i < r->nstrs; i++) free(r->strs[i]);
    for (int i = 0; i < r->npstrs; i++) free(r->pstrs[i]);
    free(r->strs);
    free(r->pstrs);
    free(r->pidx);
    free(r->name);
    memset(r, 0, sizeof *r);
}

void tl_annot_apply(tl_annot_collector *c, const tl_model_set *models, tl_tu *tu, const tl_annot_raw *r) {
    unsigned roles = 0;
    const char *text = NULL; /* the first string that made the function async */
    for (int i = 0; i < r->nstrs; i++) {
        unsigned ro = tl_models_annotation_roles(models, r->strs[i]);
        if ((ro & TL_ROLE_ASYNC) && !text) text = r->strs[i];
        roles |= ro;
    }
    roles &= ~(unsigned)TL_ROLE_OWNS;
    uint64_t owns = 0;
    for (int i = 0; i < r->npstrs; i++)
        if (tl_models_annotation_roles(models, r->pstrs[i]) & TL_ROLE_OWNS) owns |= (uint64_t)1 << r->pidx[i];
    if (!roles && !owns) return;
    int at = tl_str_map_get(&c->index, r->name);
    tl_annot *a;
    if (at >= 0) {
        a = &tu->annots[at];
    } else {
        tl_str_map_add(&c->index, r->name, tu->nannots);
        a = tl_tu_add_annot(tu, r->name);
        a->returns_pointer = r->returns_pointer;
    }
    a->roles |= roles;
    a->owns |= owns;
    if (!a->text && text) a->text = tl_xstrdup(text);
}

void tl_annot_collect(tl_annot_collector *c, const tl_model_set *models, tl_tu *tu, CXCursor decl) {
    tl_annot_raw r;
    if (!tl_annot_read(decl, &r)) return;
    tl_annot_apply(c, models, tu, &r);
    tl_annot_raw_free(&r);
}

void tl_annot_collector_free(tl_annot_collector *c) {
    tl_str_map_free(&c->index);
}
