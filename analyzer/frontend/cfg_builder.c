/* cfg_builder.c - lowers a libclang translation unit into the IR.
 *
 * The TU-level driver (tl_frontend_lower, frontend.h): collects the functions
 * defined in the main file (and the static functions of project headers they
 * refer to), lowers each body into a CFG (statements in cfg_stmt.c,
 * expressions in cfg_expr.c), marks the entry calls of go()-style spawns and
 * gathers annotated declarations.  Also holds the small helpers every part
 * of the builder uses (cfg_internal.h): libclang cursors, the per-function
 * variable map, blocks and temporaries.  The builder works on what libclang
 * sees after macro expansion and records locations at the expansion site,
 * which is what the user typed.
 *
 * Against a shared precompiled prefix (pch_prefix.h, tl_frontend_lower_shared)
 * the TU cursor's children are only the TU's own declarations (the index
 * excludes the PCH's): the prefix's annotations come from records read when
 * it was built, and its static header functions are found from the
 * references to them, so that the PCH is not deserialised whole.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_spots.h"
#include "../util/path.h"
#include "../util/read_file.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"

/* ---- small helpers over libclang ---- */

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    cursor_list *l = data;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = tl_xrealloc(l->items, (size_t)l->cap * sizeof *l->items);
    }
    l->items[l->n++] = c;
    return CXChildVisit_Continue;
}

cursor_list cfgb_children_of(CXCursor c) {
    cursor_list l = {0};
    clang_visitChildren(c, collect_child, &l);
    return l;
}

/* Children that are expressions or statements (drops TypeRef, attributes...),
 * filtered as they are visited: one list, not a second one to copy from. */
static enum CXChildVisitResult collect_code_child(CXCursor c, CXCursor parent, CXClientData data) {
    enum CXCursorKind k = clang_getCursorKind(c);
    if (clang_isExpression(k) || clang_isStatement(k) || k == CXCursor_DeclStmt) return collect_child(c, parent, data);
    return CXChildVisit_Continue;
}

cursor_list cfgb_code_children_of(CXCursor c) {
    cursor_list l = {0};
    clang_visitChildren(c, collect_code_child, &l);
    return l;
}

char *cfgb_cursor_spelling(CXCursor c) {
    CXString s = clang_getCursorSpelling(c);
    const char *cs = clang_getCString(s);
    char *r = tl_xstrdup(cs ? cs : "");
    clang_disposeString(s);
    return r;
}

/* The real path of the file clang names an internal-linkage declaration's
 * USR after: the file of its canonical declaration's start, as clang's USR
 * generator takes it.  NULL when it cannot be had or is not the file the
 * USR names (basename `base`, `nbase` bytes). */
static char *usr_file_path(CXCursor c, const char *base, size_t nbase) {
    CXSourceRange ext = clang_getCursorExtent(clang_getCanonicalCursor(c));
    CXFile file = NULL;
    clang_getExpansionLocation(clang_getRangeStart(ext), &file, NULL, NULL, NULL);
    if (!file) return NULL;
    CXString rp = clang_File_tryGetRealPathName(file);
    const char *path = clang_getCString(rp);
    CXString fn = {0};
    if (!path || !*path) {
        clang_disposeString(rp);
        rp = (CXString){0};
        fn = clang_getFileName(file);
        path = clang_getCString(fn);
    }
    char *r = NULL;
    if (path && *path) {
        const char *slash = strrchr(path, '/');
        const char *name = slash ? slash + 1 : path;
        if (strlen(name) == nbase && memcmp(name, base, nbase) == 0) r = tl_xstrdup(path);
    }
    if (rp.data) clang_disposeString(rp);
    if (fn.data) clang_disposeString(fn);
    return r;
}

/* clang's Unified Symbol Resolution string: the same for a declaration in
 * every translation unit, so it names functions, fields and globals
 * program-wide.  clang qualifies an internal-linkage declaration (a static
 * function or global, a local) by its file's base name only
 * ("c:util.c@F@helper"), so two files of one program named alike (src/util.c,
 * tests/util.c) would share their static functions' names: the base name is
 * replaced by the file's whole path ("c:/src/util.c@F@helper"), the same in
 * every TU that includes that file (a static function of a header stays one
 * function of the program).  NULL when clang has none. */
char *cfgb_cursor_usr(CXCursor c) {
    CXString s = clang_getCursorUSR(c);
    const char *cs = clang_getCString(s);
    char *r = NULL;
    if (cs && *cs) {
        const char *at = cs[0] == 'c' && cs[1] == ':' && cs[2] && cs[2] != '@' ? strchr(cs + 2, '@') : NULL;
        char *path = at ? usr_file_path(c, cs + 2, (size_t)(at - (cs + 2))) : NULL;
        r = path ? tl_xasprintf("c:%s%s", path, at) : tl_xstrdup(cs);
        free(path);
    }
    clang_disposeString(s);
    return r;
}

/* cfgb_cursor_usr of a declaration a body refers to, computed once per TU:
 * the same callees, fields and functions come up at every use, and clang
 * builds a USR by walking the declaration's contexts each time. */
char *cfgb_decl_usr(builder *b, CXCursor decl) {
    struct usr_slot *t = b->usrs;
    if (t) {
        for (unsigned h = clang_hashCursor(decl) & (b->usrs_cap - 1); t[h].used; h = (h + 1) & (b->usrs_cap - 1))
            if (clang_equalCursors(t[h].decl, decl)) return t[h].usr ? tl_xstrdup(t[h].usr) : NULL;
    }
    if ((b->usrs_n + 1) * 2 > b->usrs_cap) {
        unsigned cap = b->usrs_cap ? b->usrs_cap * 2 : 256;
        struct usr_slot *bigger = tl_xcalloc(cap, sizeof *bigger);
        for (unsigned i = 0; i < b->usrs_cap; i++) {
            if (!t[i].used) continue;
            unsigned h = clang_hashCursor(t[i].decl) & (cap - 1);
            while (bigger[h].used) h = (h + 1) & (cap - 1);
            bigger[h] = t[i];
        }
        free(t);
        b->usrs = t = bigger;
        b->usrs_cap = cap;
    }
    unsigned h = clang_hashCursor(decl) & (b->usrs_cap - 1);
    while (t[h].used) h = (h + 1) & (b->usrs_cap - 1);
    t[h] = (struct usr_slot){decl, cfgb_cursor_usr(decl), true};
    b->usrs_n++;
    return t[h].usr ? tl_xstrdup(t[h].usr) : NULL;
}

static void free_usrs(builder *b) {
    for (unsigned i = 0; i < b->usrs_cap; i++) free(b->usrs[i].usr);
    free(b->usrs);
    b->usrs = NULL;
    b->usrs_cap = b->usrs_n = 0;
}

/* Integer value of a constant expression, if libclang can fold it. */
bool cfgb_eval_int(CXCursor c, int64_t *out) {
    CXEvalResult r = clang_Cursor_Evaluate(c);
    if (!r) return false;
    bool ok = false;
    if (clang_EvalResult_getKind(r) == CXEval_Int) {
        if (clang_EvalResult_isUnsignedInt(r))
            *out = (int64_t)clang_EvalResult_getAsUnsigned(r);
        else
            *out = (int64_t)clang_EvalResult_getAsLongLong(r);
        ok = true;
    }
    clang_EvalResult_dispose(r);
    return ok;
}

bool cfgb_type_is_pointer(CXType t) {
    t = clang_getCanonicalType(t);
    return t.kind == CXType_Pointer || t.kind == CXType_BlockPointer;
}

bool cfgb_type_is_void(CXType t) {
    return clang_getCanonicalType(t).kind == CXType_Void;
}

/* ---- variable map: cursor -> var id, per function ---- */

static void vm_free(var_map *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

int cfgb_vm_get(const var_map *m, CXCursor c) {
    if (!m->cap) return -1;
    unsigned h = clang_hashCursor(c) & (m->cap - 1);
    while (m->slots[h].used) {
        if (clang_equalCursors(m->slots[h].cursor, c)) return m->slots[h].var;
        h = (h + 1) & (m->cap - 1);
    }
    return -1;
}

static void vm_put(var_map *m, CXCursor c, int var) {
    if ((m->n + 1) * 2 > m->cap) {
        var_map bigger = {0};
        bigger.cap = m->cap ? m->cap * 2 : 64;
        bigger.slots = tl_xcalloc(bigger.cap, sizeof *bigger.slots);
        for (unsigned i = 0; i < m->cap; i++)
            if (m->slots[i].used) vm_put(&bigger, m->slots[i].cursor, m->slots[i].var);
        free(m->slots);
        *m = bigger;
    }
    unsigned h = clang_hashCursor(c) & (m->cap - 1);
    while (m->slots[h].used) h = (h + 1) & (m->cap - 1);
    m->slots[h].used = true;
    m->slots[h].cursor = c;
    m->slots[h].var = var;
    m->n++;
}

#define LOC_CACHE_SIZE 4096u /* a power of two */

struct loc_slot {
    const void *ptr0, *ptr1; /* the CXSourceLocation: its owner and raw encoding */
    unsigned raw;
    bool used;
    tl_loc loc;
};

static tl_loc loc_of_location_uncached(builder *b, CXSourceLocation sl);

static tl_loc loc_of_location(builder *b, CXSourceLocation sl) {
    if (!b->locs) b->locs = tl_xcalloc(LOC_CACHE_SIZE, sizeof *b->locs);
    uint32_t h = sl.int_data * 0x9E3779B1u;
    struct loc_slot *s = &b->locs[(h >> 20) & (LOC_CACHE_SIZE - 1)];
    if (s->used && s->raw == sl.int_data && s->ptr0 == sl.ptr_data[0] && s->ptr1 == sl.ptr_data[1]) return s->loc;
    tl_loc loc = loc_of_location_uncached(b, sl);
    s->used = true;
    s->ptr0 = sl.ptr_data[0];
    s->ptr1 = sl.ptr_data[1];
    s->raw = sl.int_data;
    s->loc = loc;
    return loc;
}

static tl_loc loc_of_location_uncached(builder *b, CXSourceLocation sl) {
    tl_loc loc = {0};
    CXFile file;
    unsigned line, col, off;
    clang_getExpansionLocation(sl, &file, &line, &col, &off);
    loc.line = line;
    loc.col = col;
    loc.offset = off;
    if (file) {
        CXString s = clang_getFileName(file);
        loc.file = tl_tu_intern(b->tu, clang_getCString(s));
        clang_disposeString(s);
    }
    return loc;
}

static unsigned file_slot(const builder *b, CXFile f) {
    uintptr_t h = (uintptr_t)f;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (unsigned)(h >> 7) & (b->files_cap - 1);
}

/* The index of F among the files the shared prefix read, or -1. */
static int prefix_file_index(builder *b, CXFile f, char **path) {
    *path = NULL;
    if (!b->prefix_files) return -1;
    CXString s = clang_getFileName(f);
    const char *name = clang_getCString(s);
    int at = -1;
    if (name && *name) {
        *path = tl_path_join(b->prefix_dir, name);
        at = tl_str_map_get(b->prefix_files, *path);
    }
    clang_disposeString(s);
    return at;
}

/* The cache entry of file F, made on first use.  libclang finds a file by a
 * linear scan of the TU's source entries, and of all of a PCH's, which it
 * loads for that: against a PCH, one such lookup cost more than the rest of
 * the lowering.  So a file the shared prefix read is read from the file
 * itself (the PCH holds no source text: clang too reads a header from its
 * file, which was checked against the PCH when it was loaded), and its
 * system-header state comes with the PCH. */
static struct file_text *file_entry(builder *b, CXFile f) {
    if (b->files_cap) {
        for (unsigned h = file_slot(b, f); b->files[h].file; h = (h + 1) & (b->files_cap - 1))
            if (b->files[h].file == f) return &b->files[h];
    }
    if ((b->files_n + 1) * 2 > b->files_cap) {
        struct file_text *old = b->files;
        unsigned oldcap = b->files_cap;
        b->files_cap = oldcap ? oldcap * 2 : 32;
        b->files = tl_xcalloc(b->files_cap, sizeof *b->files);
        for (unsigned i = 0; i < oldcap; i++) {
            if (!old[i].file) continue;
            unsigned h = file_slot(b, old[i].file);
            while (b->files[h].file) h = (h + 1) & (b->files_cap - 1);
            b->files[h] = old[i];
        }
        free(old);
    }
    size_t n = 0;
    char *path = NULL;
    int at = prefix_file_index(b, f, &path);
    char *owned = at >= 0 ? tl_read_file(path, &n) : NULL;
    free(path);
    const char *text = owned ? owned : clang_getFileContents(b->ctu, f, &n);
    unsigned char sys = at >= 0 && b->prefix_file_sys ? b->prefix_file_sys[at] : TL_FILE_SYS_UNKNOWN;
    unsigned h = file_slot(b, f);
    while (b->files[h].file) h = (h + 1) & (b->files_cap - 1);
    b->files[h] = (struct file_text){f, text, text ? n : 0, sys, owned};
    b->files_n++;
    return &b->files[h];
}

const char *cfgb_file_contents(builder *b, CXFile f, size_t *size) {
    if (!f) return NULL;
    struct file_text *e = file_entry(b, f);
    *size = e->size;
    return e->text;
}

/* Whether offset OFF of file F is in a system header.  libclang's answer
 * takes a lookup of the file (file_entry), so it is asked once per file, at
 * its first and its last byte (tl_frontend_file_sys); only a file whose
 * state changes in between (`#pragma GCC system_header`) is asked per
 * offset. */
bool cfgb_spelled_in_system_header(builder *b, CXFile f, unsigned off) {
    if (!f) return false;
    struct file_text *e = file_entry(b, f);
    if (e->sys == TL_FILE_SYS_UNKNOWN) e->sys = (unsigned char)tl_frontend_file_sys(b->ctu, f, e->size);
    if (e->sys == TL_FILE_SYS_MIXED)
        return clang_Location_isInSystemHeader(clang_getLocationForOffset(b->ctu, f, off)) != 0;
    return e->sys == TL_FILE_SYS_ALL;
}

int tl_frontend_file_sys(CXTranslationUnit tu, CXFile f, size_t size) {
    bool first = clang_Location_isInSystemHeader(clang_getLocationForOffset(tu, f, 0)) != 0;
    bool last = size > 0 ? clang_Location_isInSystemHeader(
                               clang_getLocationForOffset(tu, f, (unsigned)(size - 1))) != 0
                         : first;
    return first != last ? TL_FILE_SYS_MIXED : first ? TL_FILE_SYS_ALL : TL_FILE_SYS_NONE;
}

tl_loc cfgb_loc_of(builder *b, CXCursor c) {
    return loc_of_location(b, clang_getCursorLocation(c));
}

tl_block *cfgb_cur_block(builder *b) {
    return &b->f->blocks[b->cur];
}

int cfgb_new_block(builder *b) {
    return tl_func_add_block(b->f);
}

/* End the current block with a goto to `to` (and make `to` current). */
void cfgb_goto_block(builder *b, int to) {
    tl_block *blk = cfgb_cur_block(b);
    blk->term = TL_T_GOTO;
    tl_block_add_succ(b->f, b->cur, to);
}

/* Start lowering into `blk` (after the current block was terminated). */
void cfgb_set_block(builder *b, int blk) {
    b->cur = blk;
}

/* Continue in a fresh unreachable block after a jump. */
void cfgb_start_dead_block(builder *b) {
    b->cur = cfgb_new_block(b);
}

static bool project_header_function(CXCursor c);

/* The TU function index of `name` (`ref`: the declaration a reference to it
 * names); a static function of a project header is scheduled for lowering
 * the first time it is referred to.  Against a shared prefix, the header
 * functions the walk did not see are found through ref's definition. */
int cfgb_find_func_index(builder *b, const char *name, CXCursor ref) {
    int i = tl_str_map_get(&b->fn_index, name);
    if (i >= 0) return i;
    int h = tl_str_map_get(&b->hdr_index, name);
    if (h < 0 && b->lazy_headers) {
        CXCursor def = clang_getCursorDefinition(ref);
        if (clang_Cursor_isNull(def) || clang_getCursorKind(def) != CXCursor_FunctionDecl ||
            !project_header_function(def) || clang_Location_isFromMainFile(clang_getCursorLocation(def)))
            return -1;
        b->hdr_fns = tl_xgrow(b->hdr_fns, b->nhdr, &b->caphdr, sizeof *b->hdr_fns);
        h = b->nhdr;
        tl_str_map_add(&b->hdr_index, name, h);
        b->hdr_fns[b->nhdr++] = def;
    }
    if (h < 0) return -1;
    i = b->next_index++;
    tl_str_map_add(&b->fn_index, name, i);
    b->scheduled = tl_xgrow(b->scheduled, b->nscheduled, &b->capscheduled, sizeof *b->scheduled);
    b->scheduled[b->nscheduled++] = h;
    return i;
}

void cfgb_set_temp_src(builder *b, int var, int call_id) {
    if (var >= b->cap_temp_src) {
        int ncap = b->cap_temp_src ? b->cap_temp_src : 32;
        while (ncap <= var) ncap *= 2;
        b->temp_src_call = tl_xrealloc(b->temp_src_call, (size_t)ncap * sizeof(int));
        for (int i = b->cap_temp_src; i < ncap; i++) b->temp_src_call[i] = -1;
        b->cap_temp_src = ncap;
    }
    b->temp_src_call[var] = call_id;
}

int cfgb_temp_src(builder *b, int var) {
    return var >= 0 && var < b->cap_temp_src ? b->temp_src_call[var] : -1;
}

void cfgb_note_call_position(builder *b, int id, int block, int index) {
    if (id >= b->cap_calls) {
        int ncap = b->cap_calls ? b->cap_calls * 2 : 64;
        while (ncap <= id) ncap *= 2;
        b->call_block = tl_xrealloc(b->call_block, (size_t)ncap * sizeof(int));
        b->call_index = tl_xrealloc(b->call_index, (size_t)ncap * sizeof(int));
        b->cap_calls = ncap;
    }
    b->call_block[id] = block;
    b->call_index[id] = index;
}

/* The call instruction with this id in the current function (ids are dense). */
tl_instr *cfgb_call_instr(builder *b, int id) {
    if (id < 0 || id >= b->f->ncalls) return NULL;
    return &b->f->blocks[b->call_block[id]].instrs[b->call_index[id]];
}

int cfgb_new_temp(builder *b) {
    char name[32];
    snprintf(name, sizeof name, "tmp.%d", b->ntemps++);
    return tl_func_add_var(b->f, name, TL_VAR_TEMP);
}

static void fill_var_type(tl_var *v, CXType t) {
    CXType ct = clang_getCanonicalType(t);
    v->is_array = ct.kind == CXType_ConstantArray || ct.kind == CXType_IncompleteArray ||
                  ct.kind == CXType_VariableArray || ct.kind == CXType_DependentSizedArray;
    v->is_record = ct.kind == CXType_Record;
    v->is_pointer = ct.kind == CXType_Pointer;
    v->is_volatile = clang_isVolatileQualifiedType(t) || clang_isVolatileQualifiedType(ct) ||
                     ct.kind == CXType_Atomic;
    if (ct.kind == CXType_Pointer) {
        CXType pt = clang_getCanonicalType(clang_getPointeeType(ct));
        v->is_funcptr = pt.kind == CXType_FunctionProto || pt.kind == CXType_FunctionNoProto;
    }
    long long size = clang_Type_getSizeOf(ct);
    bool integer = (ct.kind >= CXType_Char_U && ct.kind <= CXType_Int128) || ct.kind == CXType_Enum;
    v->int_bits = ct.kind == CXType_Bool ? 1 : integer && size > 0 && size <= 16 ? (unsigned char)(size * 8) : 0;
    v->array_bytes = ct.kind == CXType_ConstantArray && size > 0 && size <= UINT32_MAX ? (uint32_t)size : 0;
}

/* The var id for a VarDecl/ParmDecl, creating globals/statics on first use. */
int cfgb_var_for_decl(builder *b, CXCursor decl) {
    int v = cfgb_vm_get(&b->vars, decl);
    if (v >= 0) return v;
    tl_var_kind kind = TL_VAR_GLOBAL;
    if (clang_getCursorKind(decl) == CXCursor_ParmDecl) {
        kind = TL_VAR_PARAM;
    } else {
        enum CX_StorageClass sc = clang_Cursor_getStorageClass(decl);
        CXCursor parent = clang_getCursorSemanticParent(decl);
        bool in_function = clang_getCursorKind(parent) == CXCursor_FunctionDecl;
        if (in_function)
            kind = (sc == CX_SC_Static || sc == CX_SC_Extern) ? TL_VAR_STATIC : TL_VAR_LOCAL;
    }
    char *name = cfgb_cursor_spelling(decl);
    v = tl_func_add_var(b->f, name, kind);
    free(name);
    fill_var_type(&b->f->vars[v], clang_getCursorType(decl));
    b->f->vars[v].decl_loc = cfgb_loc_of(b, decl);
    if (kind == TL_VAR_GLOBAL || kind == TL_VAR_STATIC) {
        b->f->vars[v].usr = cfgb_cursor_usr(decl);
        b->f->vars[v].internal = kind == TL_VAR_STATIC || clang_getCursorLinkage(decl) == CXLinkage_Internal;
    }
    vm_put(&b->vars, decl, v);
    return v;
}

/* Declare a new local instance (each execution of the declaration). */
int cfgb_declare_local(builder *b, CXCursor decl) {
    int v = cfgb_vm_get(&b->vars, decl);
    if (v < 0) {
        v = cfgb_var_for_decl(b, decl);
        if (b->stmt_expr_depth > 0 && b->f->vars[v].kind == TL_VAR_LOCAL)
            b->f->vars[v].kind = TL_VAR_TEMP; /* macro-internal (go() statement expressions) */
    }
    return v;
}

/* The model of a go()-style spawn call (one with an entry_before function),
 * else NULL. */
static const tl_fn_model *entry_before_spawn(builder *b, const tl_instr *in) {
    if (in->kind != TL_I_CALL || !in->call.callee) return NULL;
    const tl_fn_model *m = tl_models_find(b->models, in->call.callee);
    return m && m->spawn.present && m->spawn.entry_before_call ? m : NULL;
}

/* Mark the entry calls of go()-style expansions: the call emitted just before
 * the model's entry_before function (dill_epilogue, mill_epilogue_), the
 * first one after the spawn.  One backward pass over the call ids finds, for
 * every spawn, the next call of its entry_before function. */
static void mark_spawn_entries(builder *b) {
    tl_func *f = b->f;
    tl_str_map wanted; /* entry_before name -> the next call of it (INT_MAX: none yet) */
    tl_str_map_init(&wanted);
    int *next_entry_before = tl_xmalloc(((size_t)f->ncalls + 1) * sizeof *next_entry_before);
    const tl_fn_model **models = tl_xcalloc((size_t)f->ncalls + 1, sizeof *models);
    for (int id = 0; id < f->ncalls; id++) {
        models[id] = entry_before_spawn(b, cfgb_call_instr(b, id));
        if (models[id]) tl_str_map_set(&wanted, models[id]->spawn.entry_before_call, INT_MAX);
    }
    if (tl_str_map_count(&wanted) == 0) goto done;
    for (int id = f->ncalls - 1; id >= 0; id--) {
        int next = models[id] ? tl_str_map_get(&wanted, models[id]->spawn.entry_before_call) : INT_MAX;
        next_entry_before[id] = next == INT_MAX ? -1 : next;
        const char *callee = cfgb_call_instr(b, id)->call.callee;
        if (callee && tl_str_map_get(&wanted, callee) != -1) tl_str_map_set(&wanted, callee, id);
    }
    /* in block order, as a later spawn may claim the same entry call */
    for (int bi = 0; bi < f->nblocks; bi++) {
        tl_block *blk = &f->blocks[bi];
        for (int i = 0; i < blk->ninstrs; i++) {
            tl_instr *in = &blk->instrs[i];
            if (in->kind != TL_I_CALL || in->call.id < 0 || in->call.id >= f->ncalls ||
                !models[in->call.id])
                continue;
            int epi = next_entry_before[in->call.id];
            if (epi <= in->call.id + 1) continue;
            tl_instr *entry = cfgb_call_instr(b, epi - 1);
            if (entry) {
                entry->call.is_spawn_entry = true;
                entry->call.spawn_call = in->call.id;
            }
        }
    }
done:
    free(next_entry_before);
    free(models);
    tl_str_map_free(&wanted);
}

static void lower_function(builder *b, CXCursor fn, int index) {
    tl_func *f = &b->tu->funcs[index];
    b->f = f;
    memset(&b->vars, 0, sizeof b->vars);
    b->njumps = b->nswitches = 0;
    b->ntemps = 0;
    tl_str_map_free(&b->labels);
    for (int i = 0; i < b->cap_temp_src; i++) b->temp_src_call[i] = -1;

    f->loc = cfgb_loc_of(b, fn);
    f->is_static = clang_Cursor_getStorageClass(fn) == CX_SC_Static;
    CXType rt = clang_getCanonicalType(clang_getResultType(clang_getCursorType(fn)));
    f->returns_pointer = cfgb_type_is_pointer(rt);
    f->returns_bool = rt.kind == CXType_Bool;
    int nparams = clang_Cursor_getNumArguments(fn);
    for (int i = 0; i < nparams; i++) cfgb_var_for_decl(b, clang_Cursor_getArgument(fn, i));
    f->nparams = f->nvars;

    f->entry = cfgb_new_block(b);
    f->exit = cfgb_new_block(b);
    f->blocks[f->exit].term = TL_T_EXIT;
    cfgb_set_block(b, f->entry);

    cursor_list kids = cfgb_children_of(fn);
    CXCursor body = clang_getNullCursor();
    for (int i = 0; i < kids.n; i++)
        if (clang_getCursorKind(kids.items[i]) == CXCursor_CompoundStmt) body = kids.items[i];
    free(kids.items);
    if (!clang_Cursor_isNull(body)) {
        CXSourceRange ext = clang_getCursorExtent(body);
        f->end_loc = loc_of_location(b, clang_getRangeEnd(ext));
        if (f->end_loc.col > 1) f->end_loc.col--; /* the range end is one past the brace */
        cfgb_lower_stmt(b, body);
    }
    /* falling off the end returns */
    cfgb_emit_return(b, NULL, f->end_loc);
    tl_func_finish(f);
    mark_spawn_entries(b);
    vm_free(&b->vars);
}

typedef struct {
    builder *b;
    CXCursor *fns;
    bool *in_header;
    int n, cap;
    const char *main_name;
    tl_error_spots errors;    /* where clang reported errors */
    int caperror;
} fn_list;

/* Is the declaration written in the main file, as the user wrote it?  A
 * definition produced by a macro expansion (`TEST_IMPL(name) { ... }`)
 * belongs to the file that expands the macro: compare its expansion file by
 * name (libclang's file identity is not reliable for unsaved buffers). */
/* A global a project header defines with external linkage: only one file
 * of a program can include that definition. */
static bool header_table(CXCursor c) {
    return clang_isCursorDefinition(c) && clang_getCursorLinkage(c) == CXLinkage_External &&
           !clang_Location_isInSystemHeader(clang_getCursorLocation(c));
}

static bool in_main_file(const fn_list *l, CXCursor c) {
    CXSourceLocation loc = clang_getCursorLocation(c);
    if (clang_Location_isFromMainFile(loc)) return true;
    CXFile f = NULL;
    clang_getExpansionLocation(loc, &f, NULL, NULL, NULL);
    if (!f) return false;
    CXString name = clang_getFileName(f);
    const char *cs = clang_getCString(name);
    bool same = cs && strcmp(cs, l->main_name) == 0;
    clang_disposeString(name);
    return same;
}

/* A static function defined in a header of the project (not a system header):
 * analysed with every file that includes it, reported once at the header. */
static bool project_header_function(CXCursor c) {
    if (clang_Cursor_getStorageClass(c) != CX_SC_Static) return false;
    CXSourceLocation loc = clang_getCursorLocation(c);
    return !clang_Location_isInSystemHeader(loc);
}

static void add_function(fn_list *l, CXCursor c, bool in_header) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->fns = tl_xrealloc(l->fns, (size_t)l->cap * sizeof *l->fns);
        l->in_header = tl_xrealloc(l->in_header, (size_t)l->cap * sizeof *l->in_header);
    }
    l->in_header[l->n] = in_header;
    l->fns[l->n++] = c;
}

static enum CXChildVisitResult collect_function(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    fn_list *l = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_FunctionDecl) tl_annot_collect(&l->b->annots, l->b->models, l->b->tu, c);
    if (k == CXCursor_FunctionDecl && clang_isCursorDefinition(c)) {
        if (tl_error_spots_touch(&l->errors, c)) {
            /* clang's recovery is not the user's code: leave it out, and
               say so for the main file's definitions */
            if (in_main_file(l, c)) {
                tl_tu *tu = l->b->tu;
                tu->error_funcs = tl_xgrow(tu->error_funcs, tu->nerror_funcs, &l->caperror,
                                           sizeof *tu->error_funcs);
                tu->error_funcs[tu->nerror_funcs].name = cfgb_cursor_spelling(c);
                tu->error_funcs[tu->nerror_funcs++].loc = cfgb_loc_of(l->b, c);
            }
        } else if (in_main_file(l, c)) {
            add_function(l, c, false);
        } else if (project_header_function(c)) {
            builder *b = l->b;
            char *name = cfgb_cursor_spelling(c);
            if (tl_str_map_get(&b->hdr_index, name) < 0) {
                b->hdr_fns = tl_xgrow(b->hdr_fns, b->nhdr, &b->caphdr, sizeof *b->hdr_fns);
                tl_str_map_add(&b->hdr_index, name, b->nhdr);
                b->hdr_fns[b->nhdr++] = c;
            }
            free(name);
        }
    } else if (k == CXCursor_VarDecl) {
        if (in_main_file(l, c)) cfgb_note_var_init(l->b, c); /* static int fd = 2; */
        cfgb_note_init_fn_refs(l->b, c); /* (a header's table too) */
        /* command tables and ops structs: functions stored into fields (a
           table a project header defines - not declares - for the one file
           that includes it too: `task_entry_t TASKS[] = {...}` in a list
           header) */
        CXCursor init = clang_Cursor_getVarDeclInitializer(c);
        if (!clang_Cursor_isNull(init) && clang_getCursorKind(cfgb_strip_init(init)) == CXCursor_InitListExpr &&
            (in_main_file(l, c) || header_table(c)))
            cfgb_record_init_stores(l->b, cfgb_strip_init(init), 0);
    }
    return CXChildVisit_Continue;
}

static int lower(CXTranslationUnit ctu, const tl_model_set *models, const tl_frontend_prefix *prefix,
                 tl_tu *out);

int tl_frontend_lower(CXTranslationUnit ctu, const tl_model_set *models, tl_tu *out) {
    return lower(ctu, models, NULL, out);
}

int tl_frontend_lower_shared(CXTranslationUnit ctu, const tl_model_set *models,
                             const tl_frontend_prefix *prefix, tl_tu *out) {
    static const tl_frontend_prefix none = {0};
    return lower(ctu, models, prefix ? prefix : &none, out);
}

static int lower(CXTranslationUnit ctu, const tl_model_set *models, const tl_frontend_prefix *prefix,
                 tl_tu *out) {
    builder b;
    memset(&b, 0, sizeof b);
    b.ctu = ctu;
    b.models = models;
    b.lazy_headers = prefix != NULL;
    const tl_annot_raw *prefix_annots = prefix ? prefix->annots : NULL;
    int nprefix_annots = prefix ? prefix->nannots : 0;
    if (prefix) {
        b.prefix_dir = prefix->dir;
        b.prefix_files = prefix->files;
        b.prefix_file_sys = prefix->file_sys;
    }
    for (size_t i = 0; models && i < models->nfns; i++) {
        const tl_fn_model *m = &models->fns[i];
        if (m->blocking.present && m->blocking.unless_field[0] &&
            tl_str_map_get(&b.facet_fields, m->blocking.unless_field) < 0)
            tl_str_map_add(&b.facet_fields, m->blocking.unless_field, 1);
        if (m->readiness_wait.present && m->readiness_wait.field[0] &&
            tl_str_map_get(&b.facet_fields, m->readiness_wait.field) < 0)
            tl_str_map_add(&b.facet_fields, m->readiness_wait.field, 1);
    }
    b.tu = out;
    CXString main_name = clang_getTranslationUnitSpelling(ctu);
    out->main_file = tl_xstrdup(clang_getCString(main_name));
    clang_disposeString(main_name);

    fn_list fns = {0};
    fns.b = &b;
    fns.main_name = out->main_file;
    tl_error_spots_collect(ctu, &fns.errors);
    /* the prefix's declarations come first in the TU, as their records */
    for (int i = 0; i < nprefix_annots; i++) tl_annot_apply(&b.annots, models, out, &prefix_annots[i]);
    clang_visitChildren(clang_getTranslationUnitCursor(ctu), collect_function, &fns);
    tl_error_spots_free(&fns.errors);
    for (int i = 0; i < fns.n; i++) {
        char *name = cfgb_cursor_spelling(fns.fns[i]);
        tl_tu_add_func(out, name);
        tl_str_map_add(&b.fn_index, name, i); /* the first definition wins */
        free(name);
    }
    b.next_index = fns.n;
    for (int i = 0; i < fns.n; i++) {
        lower_function(&b, fns.fns[i], i);
        out->funcs[i].in_header = fns.in_header[i];
        out->funcs[i].usr = cfgb_cursor_usr(fns.fns[i]);
    }
    /* the header functions referred to, and those they refer to, in the
       order they were scheduled (their indices); each batch is added to the
       TU before it is lowered, as lowering may schedule more */
    for (int done = 0; done < b.nscheduled;) {
        int end = b.nscheduled;
        for (int k = done; k < end; k++) {
            char *name = cfgb_cursor_spelling(b.hdr_fns[b.scheduled[k]]);
            tl_tu_add_func(out, name);
            free(name);
        }
        for (int k = done; k < end; k++) {
            int index = fns.n + k;
            CXCursor fn = b.hdr_fns[b.scheduled[k]];
            lower_function(&b, fn, index);
            out->funcs[index].in_header = true;
            out->funcs[index].usr = cfgb_cursor_usr(fn);
        }
        done = end;
    }

    tl_str_map_free(&b.fn_index);
    tl_str_map_free(&b.hdr_index);
    tl_str_map_free(&b.facet_fields);
    tl_annot_collector_free(&b.annots);
    free(b.hdr_fns);
    free(b.scheduled);
    free(fns.fns);
    free(fns.in_header);
    tl_str_map_free(&b.labels);
    free(b.jumps);
    free(b.switches);
    free(b.temp_src_call);
    free(b.call_block);
    free(b.call_index);
    for (unsigned i = 0; i < b.files_cap; i++) free(b.files[i].owned);
    free(b.files);
    free(b.locs);
    free_usrs(&b);
    return 0;
}
