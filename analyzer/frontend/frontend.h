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
#include "../util/str_map.h"

/* Expressions nested deeper than this are lowered down to it; below, one
 * opaque value (tl_func.opaque_deep_exprs counts them; the driver reports an
 * analysis-limit finding).  See cfg_expr.c. */
#define TL_FRONTEND_MAX_EXPR_DEPTH 1000

/* Returns 0, or -1 on an internal limit (out: whatever was lowered). */
int tl_frontend_lower(CXTranslationUnit tu, const tl_model_set *models, tl_tu *out);

/* Where a file is a system header: nowhere, in all of it, or from an
 * offset on (`#pragma GCC system_header`); the state at its first and its
 * last byte, asked once per file (cfg_builder.c:
 * cfgb_spelled_in_system_header). */
enum { TL_FILE_SYS_UNKNOWN, TL_FILE_SYS_NONE, TL_FILE_SYS_ALL, TL_FILE_SYS_MIXED };

/* TL_FILE_SYS_* of file F (SIZE bytes) in TU. */
int tl_frontend_file_sys(CXTranslationUnit tu, CXFile f, size_t size);

/* What a TU parsed against a shared precompiled prefix is lowered with. */
typedef struct {
    const tl_annot_raw *annots;    /* the prefix's annotation records, in its declaration order */
    int nannots;
    const char *dir;               /* the TU's working directory (relative file names), or NULL */
    const tl_str_map *files;       /* the files the PCH read (absolute when dir is known) -> index */
    const unsigned char *file_sys; /* per index: TL_FILE_SYS_*, as in the prefix's own parse */
} tl_frontend_prefix;

/* The same as tl_frontend_lower for a TU parsed against a shared
 * precompiled prefix with an index that excludes the PCH's declarations
 * (pch_prefix.h): the prefix's annotation records stand for its
 * declarations, and the static functions of its headers are found from
 * the references to them; the prefix's files are read from themselves.
 * The IR is the same as tl_frontend_lower's on the plain parse. */
int tl_frontend_lower_shared(CXTranslationUnit tu, const tl_model_set *models,
                             const tl_frontend_prefix *prefix, tl_tu *out);

#endif
