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

#endif
