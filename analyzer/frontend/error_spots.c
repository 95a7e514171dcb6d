/* error_spots.c - the clang errors of a TU by place, to skip only the
 * function definitions they touch (see error_spots.h). */
#include "frontend/error_spots.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int cmp_spot(const void *pa, const void *pb) {
    const tl_error_spot *a = pa, *b = pb;
    uintptr_t fa = (uintptr_t)a->file, fb = (uintptr_t)b->file;
    if (fa != fb) return fa < fb ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

bool tl_error_spots_is_limit(CXDiagnostic d) {
    CXString opt = clang_getDiagnosticOption(d, NULL);
    const char *o = clang_getCString(opt);
    bool limit = o && !strcmp(o, "-ferror-limit=");
    clang_disposeString(opt);
    return limit;
}

void tl_error_spots_collect(CXTranslationUnit tu, tl_error_spots *out) {
    memset(out, 0, sizeof *out);
    unsigned n = clang_getNumDiagnostics(tu);
    size_t cap = 0;
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            CXFile f = NULL;
            unsigned off = 0;
            clang_getExpansionLocation(clang_getDiagnosticLocation(d), &f, NULL, NULL, &off);
            if (tl_error_spots_is_limit(d)) out->truncated = true;
            else if (f) out->last = (tl_error_spot){f, off};
            if (f) {
                if (out->n == cap) {
                    cap = cap ? cap * 2 : 16;
                    out->v = tl_xrealloc(out->v, cap * sizeof *out->v);
                }
                out->v[out->n++] = (tl_error_spot){f, off};
            }
        }
        clang_disposeDiagnostic(d);
    }
    if (out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_spot);
}

bool tl_error_spots_touch(const tl_error_spots *s, CXCursor fn) {
    if (clang_isInvalidDeclaration(fn)) return true;
    if (s->n == 0) return false;
    CXSourceRange r = clang_getCursorExtent(fn);
    CXFile fa = NULL, fb = NULL;
    unsigned a = 0, b = 0;
    clang_getExpansionLocation(clang_getRangeStart(r), &fa, NULL, NULL, &a);
    clang_getExpansionLocation(clang_getRangeEnd(r), &fb, NULL, NULL, &b);
    if (!fa || fa != fb) return s->truncated;
    if (s->truncated && (fa != s->last.file || b >= s->last.offset)) return true;
    /* the first spot at or after (fa, a) */
    size_t lo = 0, hi = s->n;
    tl_error_spot key = {fa, a};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_spot(&s->v[mid], &key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->n && s->v[lo].file == fa && s->v[lo].offset <= b;
}

void tl_error_spots_free(tl_error_spots *s) {
    free(s->v);
    s->v = NULL;
    s->n = 0;
}
