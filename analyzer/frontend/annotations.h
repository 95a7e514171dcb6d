/* annotations.h - roles declared in the source with annotate attributes.
 *
 * `__attribute__((annotate("tasklint::async")))` on a function (and
 * tasklint::blocking, ::nonblocking, ::spawn; ::owns on a parameter), or a
 * project's own annotate string that the config's `annotations:` maps to
 * one of these roles (QEMU's `coroutine_fn`), is read from every function
 * declaration of the TU - headers included - into tl_tu.annots, one entry
 * per name.  The analysis (dataflow/analysis.c) turns the entries into
 * contexts (async) and call models (blocking, nonblocking, spawn, owns).
 */
#ifndef TL_FRONTEND_ANNOTATIONS_H
#define TL_FRONTEND_ANNOTATIONS_H

#include <clang-c/Index.h>
#include <stdbool.h>

#include "../ir/ir.h"
#include "../model/model.h"
#include "../util/str_map.h"

typedef struct {
    tl_str_map index; /* function name -> index in tu->annots */
} tl_annot_collector;

/* Reads the annotations of a function declaration (any declaration of the
 * TU; its inherited attributes count) into tu->annots.  O(attributes and
 * parameters of the declaration). */
void tl_annot_collect(tl_annot_collector *c, const tl_model_set *models, tl_tu *tu, CXCursor decl);
void tl_annot_collector_free(tl_annot_collector *c);

/* The annotate strings of one function declaration as written, before any
 * model gives them a role: what tl_annot_collect reads, kept for a
 * declaration that comes from a shared precompiled prefix (pch_prefix.h),
 * whose declarations the lowering does not visit.  Replaying the records of
 * the prefix's declarations, in their order, before the TU's own gives the
 * same tu->annots as visiting them. */
typedef struct {
    char *name;
    bool returns_pointer;
    char **strs;   /* the declaration's own (and inherited) annotate strings */
    int nstrs;
    int *pidx;     /* parameter index (< 64) of each parameter string */
    char **pstrs;
    int npstrs;
} tl_annot_raw;

/* Reads decl's annotate strings into *out; false (out empty) when it has
 * none. */
bool tl_annot_read(CXCursor decl, tl_annot_raw *out);
/* What tl_annot_collect does with the declaration read into r. */
void tl_annot_apply(tl_annot_collector *c, const tl_model_set *models, tl_tu *tu, const tl_annot_raw *r);
void tl_annot_raw_free(tl_annot_raw *r);

#endif
