/* frontend.h - lowering a libclang translation unit into the IR.
 *
 * Every function defined in the TU's main file becomes a tl_func: a CFG whose
 * blocks hold calls (resolved callee, argument expression trees), assignments
 * to variables, stores into memory, declarations and returns.  Control flow
 * inside expressions (&&, ||, ?:, GNU statement expressions) becomes blocks.
 * Calls to functions the models mark noreturn (or with clang's noreturn
 * attribute) end their block's path.  Spawn entry calls inside go()-style
 * expansions (model spawn.entry_before) are marked is_spawn_entry.
 */
#ifndef TL_FRONTEND_H
#define TL_FRONTEND_H

#include <clang-c/Index.h>
#include "../ir/ir.h"
#include "../model/model.h"
#include "annotations.h"

/* Expressions nested deeper than this are lowered down to it; below, one
 * opaque value (tl_func.opaque_deep_exprs counts them; the driver reports an
 * analysis-limit finding).  See cfg_expr.c. */
#define TL_FRONTEND_MAX_EXPR_DEPTH 1000

/* Returns 0, or -1 on an internal limit (out: whatever was lowered). */
int tl_frontend_lower(CXTranslationUnit tu, const tl_model_set *models, tl_tu *out);

/* The same for a TU parsed against a shared precompiled prefix with an
 * index that excludes the PCH's declarations (pch_prefix.h): the prefix's
 * annotation records (in the prefix's declaration order) stand for its
 * declarations, and the static functions of its headers are found from
 * the references to them.  The IR is the same as tl_frontend_lower's on
 * the plain parse. */
int tl_frontend_lower_shared(CXTranslationUnit tu, const tl_model_set *models,
                             const tl_annot_raw *prefix_annots, int nprefix_annots, tl_tu *out);

#endif
