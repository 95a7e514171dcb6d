/* annotations.c - reads annotate attributes of function declarations into
 * tl_tu.annots (see annotations.h).  libclang shows an attribute as a child
 * cursor of kind CXCursor_AnnotateAttr whose spelling is the annotation
 * string; a later redeclaration (the definition) carries the attributes it
 * inherits, and a parameter's own attributes are children of its ParmDecl.
 */
#include "annotations.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

typedef struct {
    const tl_model_set *models;
    unsigned roles;
    char *async_text; /* the first string that made the function async */
} attr_scan;

static enum CXChildVisitResult scan_attr(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    attr_scan *s = data;
    if (clang_getCursorKind(c) != CXCursor_AnnotateAttr) return CXChildVisit_Continue;
    CXString str = clang_getCursorSpelling(c);
    const char *text = clang_getCString(str);
    unsigned roles = tl_models_annotation_roles(s->models, text);
    if ((roles & TL_ROLE_ASYNC) && !s->async_text) s->async_text = tl_xstrdup(text);
    s->roles |= roles;
    clang_disposeString(str);
    return CXChildVisit_Continue;
}

static unsigned roles_of(const tl_model_set *models, CXCursor c, char **async_text) {
    if (!clang_Cursor_hasAttrs(c)) return 0;
    attr_scan s = {models, 0, NULL};
    clang_visitChildren(c, scan_attr, &s);
    if (async_text && !*async_text) *async_text = s.async_text;
    else free(s.async_text);
    return s.roles;
}

void tl_annot_collect(tl_annot_collector *c, const tl_model_set *models, tl_tu *tu, CXCursor decl) {
    char *text = NULL;
    unsigned roles = roles_of(models, decl, &text) & ~(unsigned)TL_ROLE_OWNS;
    uint64_t owns = 0;
    int nparams = clang_Cursor_getNumArguments(decl);
    for (int i = 0; i < nparams && i < 64; i++)
        if (roles_of(models, clang_Cursor_getArgument(decl, i), NULL) & TL_ROLE_OWNS) owns |= (uint64_t)1 << i;
    if (!roles && !owns) {
        free(text);
        return;
    }
    CXString ns = clang_getCursorSpelling(decl);
    const char *name = clang_getCString(ns);
    int at = tl_str_map_get(&c->index, name ? name : "");
    tl_annot *a;
    if (at >= 0) {
        a = &tu->annots[at];
    } else {
        tl_str_map_add(&c->index, name ? name : "", tu->nannots);
        a = tl_tu_add_annot(tu, name);
        CXType rt = clang_getResultType(clang_getCursorType(decl));
        a->returns_pointer = clang_getCanonicalType(rt).kind == CXType_Pointer;
    }
    clang_disposeString(ns);
    a->roles |= roles;
    a->owns |= owns;
    if (!a->text) a->text = text;
    else free(text);
}

void tl_annot_collector_free(tl_annot_collector *c) {
    tl_str_map_free(&c->index);
}
