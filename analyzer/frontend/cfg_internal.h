/* cfg_internal.h - state and helpers shared by the parts of the CFG builder.
 *
 * The lowering of a translation unit into the IR (frontend.h, the public
 * API) is split in four files that share the builder below:
 *   cfg_builder.c  the TU-level driver: collects the functions to lower,
 *                  lowers each one and marks go()-style spawn entries, plus
 *                  the small helpers over libclang, the variable map and the
 *                  block/temporary bookkeeping everything else uses;
 *   cfg_expr.c     expressions: calls (with the callee as the user spelled
 *                  it), assignments, function addresses stored into fields
 *                  and globals, conditions;
 *   cfg_init.c     brace initializers: functions they store into fields,
 *                  descriptor slots' initial values, a local record's
 *                  initialized fields that model facets read;
 *   cfg_stmt.c     statements: blocks and edges for if/else, loops, switch,
 *                  break/continue, goto/labels, return, declarations.
 * Nothing here is meant for use outside analyzer/frontend/.
 */
#ifndef TL_CFG_INTERNAL_H
#define TL_CFG_INTERNAL_H

#include "frontend.h"
#include "annotations.h"

#include <stdbool.h>
#include <stdint.h>

#include "../util/str_map.h"

/* ---- builder state ---- */

/* A cursor's children (cfgb_children_of); the caller frees items. */
typedef struct {
    CXCursor *items;
    int n, cap;
} cursor_list;

/* Variable map: cursor -> var id, per function. */
typedef struct {
    CXCursor cursor;
    int var;
    bool used;
} var_slot;

typedef struct {
    var_slot *slots;
    unsigned cap, n;
} var_map;

typedef struct {
    int break_to, continue_to; /* -1 when not allowed */
} jump_targets;

typedef struct {
    int block;           /* block ending in the switch */
    int *targets;
    int64_t *values;
    int n, cap;
    int default_target;  /* -1 none */
} switch_ctx;

typedef struct {
    CXTranslationUnit ctu;
    const tl_model_set *models;
    tl_tu *tu;
    tl_func *f;
    int cur;
    int return_splits;   /* `return c ? a : b` statements split so far (lower_return) */
    var_map vars;
    jump_targets *jumps;
    int njumps, capjumps;
    switch_ctx *switches;
    int nswitches, capswitches;
    tl_str_map labels;        /* label name -> block, per function */
    int stmt_expr_depth;      /* inside a GNU statement expression */
    int expr_depth;           /* cfgb_lower_expr / cfgb_lower_cond calls under way (MAX_EXPR_DEPTH) */
    int ntemps;
    int *temp_src_call;       /* per var: call id whose result a temp holds, or -1 */
    int cap_temp_src;
    /* where each call of the current function lives: call id -> block, index */
    int *call_block, *call_index;
    int cap_calls;
    /* functions defined in the main file: name -> index, for callee_func */
    tl_str_map fn_index;      /* name -> index in tu->funcs (also scheduled ones) */
    /* static functions of the project's headers, lowered only when a function
       of the TU refers to them (the rest are not this TU's concern) */
    tl_str_map hdr_index;     /* name -> index in hdr_fns */
    tl_str_map facet_fields;  /* struct field names model facets read (see cfgb_emit_field_inits) */
    CXCursor *hdr_fns;
    int nhdr, caphdr;
    int *scheduled;           /* hdr_fns index per scheduled function, in order */
    int nscheduled, capscheduled;
    int next_index;           /* index the next scheduled function gets */
    tl_annot_collector annots; /* annotated declarations -> tu->annots */
    /* parsed against a shared precompiled prefix (pch_prefix.h): the walk
       does not see the prefix's declarations, so a static function of a
       project header is found from the reference to it */
    bool lazy_headers;
    const char *prefix_dir;  /* the TU's working directory, or NULL */
    const tl_str_map *prefix_files; /* the files the prefix read (absolute when prefix_dir is known), or NULL */
    const unsigned char *prefix_file_sys; /* their TL_FILE_SYS_* states */
    /* clang_getFileContents per file, looked up once: libclang finds a
       file's buffer by a linear scan of the TU's source entries (and of a
       PCH's, loading them), which per literal or call would be quadratic */
    struct file_text *files;
    unsigned files_cap, files_n;
    /* expansion locations already asked for, by raw location (a call and
       its callee, an expression and its statement share one): libclang
       decomposes each one again; direct-mapped, LOC_CACHE_SIZE slots */
    struct loc_slot *locs;
    /* USRs of the declarations referred to (cfgb_decl_usr), per TU */
    struct usr_slot *usrs;
    unsigned usrs_cap, usrs_n;
} builder;

struct file_text {
    CXFile file;
    const char *text;
    size_t size;
    unsigned char sys; /* TL_FILE_SYS_*: cfgb_spelled_in_system_header */
    char *owned;       /* text read from the file itself (file_entry) */
};

struct usr_slot {
    CXCursor decl;
    char *usr; /* NULL: clang has none */
    bool used;
};

/* Expressions are lowered recursively, a level per operator, and a
 * machine-made `1 + 1 + ... + 1` of tens of thousands of terms would exhaust
 * the stack.  Past this depth the rest of an expression is one opaque value
 * (TL_E_OTHER: calls inside it are not seen), counted in
 * tl_func.opaque_deep_exprs.  A level takes about 0.75 KiB of stack, 4.6 KiB
 * under ASan: 1000 levels fit a main thread's 8 MiB with room to spare (the
 * workers have 16).  Written code stays far below. */
#define MAX_EXPR_DEPTH TL_FRONTEND_MAX_EXPR_DEPTH

/* ---- cfg_builder.c: helpers over libclang, variables, blocks ---- */

cursor_list cfgb_children_of(CXCursor c);
cursor_list cfgb_code_children_of(CXCursor c);
char *cfgb_cursor_spelling(CXCursor c);
char *cfgb_cursor_usr(CXCursor c);
char *cfgb_decl_usr(builder *b, CXCursor decl);
bool cfgb_eval_int(CXCursor c, int64_t *out);
bool cfgb_type_is_pointer(CXType t);
bool cfgb_type_is_void(CXType t);
int cfgb_vm_get(const var_map *m, CXCursor c);
tl_loc cfgb_loc_of(builder *b, CXCursor c);
const char *cfgb_file_contents(builder *b, CXFile f, size_t *size);
bool cfgb_spelled_in_system_header(builder *b, CXFile f, unsigned offset);
tl_block *cfgb_cur_block(builder *b);
int cfgb_new_block(builder *b);
void cfgb_goto_block(builder *b, int to);
void cfgb_set_block(builder *b, int blk);
void cfgb_start_dead_block(builder *b);
int cfgb_find_func_index(builder *b, const char *name, CXCursor ref);
void cfgb_set_temp_src(builder *b, int var, int call_id);
int cfgb_temp_src(builder *b, int var);
void cfgb_note_call_position(builder *b, int id, int block, int index);
tl_instr *cfgb_call_instr(builder *b, int id);
int cfgb_new_temp(builder *b);
int cfgb_var_for_decl(builder *b, CXCursor decl);
int cfgb_declare_local(builder *b, CXCursor decl);

/* ---- cfg_expr.c: expressions, conditions ---- */

tl_expr *cfgb_lower_expr(builder *b, CXCursor c);
/* A member expression's field flags (field_array, field_system). */
void cfgb_set_field_flags(tl_expr *e, CXCursor field);
CXCursor cfgb_strip_parens(CXCursor c);
void cfgb_lower_cond(builder *b, CXCursor c, int t, int f);

/* ---- cfg_init.c: brace initializers ---- */

CXCursor cfgb_strip_init(CXCursor c);
void cfgb_record_init_stores(builder *b, CXCursor init, int depth);
/* A global's or static's initializer giving it a descriptor value (not a
 * constant <= 0): noted in tl_tu.init_slots (records: by their fields). */
void cfgb_note_var_init(builder *b, CXCursor decl);
/* Functions whose address decl's initializer takes: "p:USR#*" init slots */
void cfgb_note_init_fn_refs(builder *b, CXCursor decl);
void cfgb_emit_field_inits(builder *b, int v, CXCursor init, tl_loc loc);

/* ---- cfg_stmt.c: statements ---- */

void cfgb_emit_return(builder *b, tl_expr *value, tl_loc loc);
void cfgb_lower_stmt(builder *b, CXCursor c);

#endif
