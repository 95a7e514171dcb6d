/* cfg_builder.c - lowers libclang function bodies into the IR's CFG.
 *
 * Statements become blocks and edges (if/else, loops, switch, break,
 * continue, goto/labels, return); expressions become expression trees, with
 * calls and assignments emitted as instructions in evaluation order and
 * control flow inside expressions (&&, ||, ?:, GNU statement expressions)
 * lowered into blocks through synthetic temporaries.  The builder works on
 * what libclang sees after macro expansion and records locations at the
 * expansion site, which is what the user typed.
 */
#include "frontend.h"
#include "annotations.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_spots.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"

/* ---- small helpers over libclang ---- */

typedef struct {
    CXCursor *items;
    int n, cap;
} cursor_list;

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

static cursor_list children_of(CXCursor c) {
    cursor_list l = {0};
    clang_visitChildren(c, collect_child, &l);
    return l;
}

/* Children that are expressions or statements (drops TypeRef, attributes...). */
static cursor_list code_children_of(CXCursor c) {
    cursor_list all = children_of(c);
    cursor_list l = {0};
    for (int i = 0; i < all.n; i++) {
        enum CXCursorKind k = clang_getCursorKind(all.items[i]);
        if (clang_isExpression(k) || clang_isStatement(k) || k == CXCursor_DeclStmt) {
            if (l.n == l.cap) {
                l.cap = l.cap ? l.cap * 2 : 8;
                l.items = tl_xrealloc(l.items, (size_t)l.cap * sizeof *l.items);
            }
            l.items[l.n++] = all.items[i];
        }
    }
    free(all.items);
    return l;
}

static char *cursor_spelling(CXCursor c) {
    CXString s = clang_getCursorSpelling(c);
    const char *cs = clang_getCString(s);
    char *r = tl_xstrdup(cs ? cs : "");
    clang_disposeString(s);
    return r;
}

/* clang's Unified Symbol Resolution string: the same for a declaration in
 * every translation unit (file-qualified for static functions), so it names
 * functions, fields and globals program-wide.  NULL when clang has none. */
static char *cursor_usr(CXCursor c) {
    CXString s = clang_getCursorUSR(c);
    const char *cs = clang_getCString(s);
    char *r = cs && *cs ? tl_xstrdup(cs) : NULL;
    clang_disposeString(s);
    return r;
}

/* Integer value of a constant expression, if libclang can fold it. */
static bool eval_int(CXCursor c, int64_t *out) {
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

static bool type_is_pointer(CXType t) {
    t = clang_getCanonicalType(t);
    return t.kind == CXType_Pointer || t.kind == CXType_BlockPointer;
}

static bool type_is_void(CXType t) {
    return clang_getCanonicalType(t).kind == CXType_Void;
}

/* ---- variable map: cursor -> var id, per function ---- */

typedef struct {
    CXCursor cursor;
    int var;
    bool used;
} var_slot;

typedef struct {
    var_slot *slots;
    unsigned cap, n;
} var_map;

static void vm_free(var_map *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static int vm_get(const var_map *m, CXCursor c) {
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

/* ---- builder state ---- */

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
    var_map vars;
    jump_targets *jumps;
    int njumps, capjumps;
    switch_ctx *switches;
    int nswitches, capswitches;
    tl_str_map labels;        /* label name -> block, per function */
    int stmt_expr_depth;      /* inside a GNU statement expression */
    int expr_depth;           /* lower_expr / lower_cond calls under way (MAX_EXPR_DEPTH) */
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
    tl_str_map facet_fields;  /* struct field names model facets read (see emit_field_inits) */
    CXCursor *hdr_fns;
    int nhdr, caphdr;
    int *scheduled;           /* hdr_fns index per scheduled function, in order */
    int nscheduled, capscheduled;
    int next_index;           /* index the next scheduled function gets */
    tl_annot_collector annots; /* annotated declarations -> tu->annots */
} builder;

static tl_loc loc_of_location(builder *b, CXSourceLocation sl) {
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

static tl_loc loc_of(builder *b, CXCursor c) {
    return loc_of_location(b, clang_getCursorLocation(c));
}

static tl_block *cur_block(builder *b) {
    return &b->f->blocks[b->cur];
}

static int new_block(builder *b) {
    return tl_func_add_block(b->f);
}

/* End the current block with a goto to `to` (and make `to` current). */
static void goto_block(builder *b, int to) {
    tl_block *blk = cur_block(b);
    blk->term = TL_T_GOTO;
    tl_block_add_succ(b->f, b->cur, to);
}

/* Start lowering into `blk` (after the current block was terminated). */
static void set_block(builder *b, int blk) {
    b->cur = blk;
}

/* Continue in a fresh unreachable block after a jump. */
static void start_dead_block(builder *b) {
    b->cur = new_block(b);
}

/* The TU function index of `name`; a static function of a project header
 * is scheduled for lowering the first time it is referred to. */
static int find_func_index(builder *b, const char *name) {
    int i = tl_str_map_get(&b->fn_index, name);
    if (i >= 0) return i;
    int h = tl_str_map_get(&b->hdr_index, name);
    if (h < 0) return -1;
    i = b->next_index++;
    tl_str_map_add(&b->fn_index, name, i);
    b->scheduled = tl_xgrow(b->scheduled, b->nscheduled, &b->capscheduled, sizeof *b->scheduled);
    b->scheduled[b->nscheduled++] = h;
    return i;
}

static void set_temp_src(builder *b, int var, int call_id) {
    if (var >= b->cap_temp_src) {
        int ncap = b->cap_temp_src ? b->cap_temp_src : 32;
        while (ncap <= var) ncap *= 2;
        b->temp_src_call = tl_xrealloc(b->temp_src_call, (size_t)ncap * sizeof(int));
        for (int i = b->cap_temp_src; i < ncap; i++) b->temp_src_call[i] = -1;
        b->cap_temp_src = ncap;
    }
    b->temp_src_call[var] = call_id;
}

static int temp_src(builder *b, int var) {
    return var >= 0 && var < b->cap_temp_src ? b->temp_src_call[var] : -1;
}

static void note_call_position(builder *b, int id, int block, int index) {
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
static tl_instr *call_instr(builder *b, int id) {
    if (id < 0 || id >= b->f->ncalls) return NULL;
    return &b->f->blocks[b->call_block[id]].instrs[b->call_index[id]];
}

static int new_temp(builder *b) {
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
}

/* The var id for a VarDecl/ParmDecl, creating globals/statics on first use. */
static int var_for_decl(builder *b, CXCursor decl) {
    int v = vm_get(&b->vars, decl);
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
    char *name = cursor_spelling(decl);
    v = tl_func_add_var(b->f, name, kind);
    free(name);
    fill_var_type(&b->f->vars[v], clang_getCursorType(decl));
    b->f->vars[v].decl_loc = loc_of(b, decl);
    if (kind == TL_VAR_GLOBAL || kind == TL_VAR_STATIC) b->f->vars[v].usr = cursor_usr(decl);
    vm_put(&b->vars, decl, v);
    return v;
}

/* Declare a new local instance (each execution of the declaration). */
static int declare_local(builder *b, CXCursor decl) {
    int v = vm_get(&b->vars, decl);
    if (v < 0) {
        v = var_for_decl(b, decl);
        if (b->stmt_expr_depth > 0 && b->f->vars[v].kind == TL_VAR_LOCAL)
            b->f->vars[v].kind = TL_VAR_TEMP; /* macro-internal (go() statement expressions) */
    }
    return v;
}

/* ---- source text of a call as the user spelled it ---- */

/* End offset of the macro invocation starting at `s` (name plus balanced
 * argument list), or s + name length for an object-like macro. */
static unsigned invocation_end(const char *buf, size_t size, unsigned s) {
    size_t i = s;
    while (i < size && (buf[i] == '_' || buf[i] == '$' || (buf[i] >= 'a' && buf[i] <= 'z') ||
                        (buf[i] >= 'A' && buf[i] <= 'Z') || (buf[i] >= '0' && buf[i] <= '9')))
        i++;
    size_t j = i;
    while (j < size && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\n' || buf[j] == '\r')) j++;
    if (j < size && buf[j] == '(') {
        int depth = 0;
        char quote = 0;
        for (; j < size; j++) {
            char ch = buf[j];
            if (quote) {
                if (ch == '\\') j++;
                else if (ch == quote) quote = 0;
                continue;
            }
            if (ch == '"' || ch == '\'') quote = ch;
            else if (ch == '(') depth++;
            else if (ch == ')' && --depth == 0) { j++; break; }
        }
        i = j;
    }
    return (unsigned)i;
}

/* A call written literally inside a macro argument (ASSERT_OK(f(x))): its
 * spelling lies in the same file, within the macro invocation. */
static bool spelled_in_macro_argument(builder *b, CXCursor c) {
    CXSourceLocation sl = clang_getCursorLocation(c);
    CXFile sf, ef;
    unsigned soff, eoff;
    clang_getSpellingLocation(sl, &sf, NULL, NULL, &soff);
    clang_getExpansionLocation(sl, &ef, NULL, NULL, &eoff);
    if (!sf || !ef || soff == eoff || !clang_File_isEqual(sf, ef)) return false;
    size_t size = 0;
    const char *buf = clang_getFileContents(b->ctu, ef, &size);
    if (!buf || eoff >= size) return false;
    return soff > eoff && soff < invocation_end(buf, size, eoff);
}

/* A call spelled through a macro inside another macro's arguments
 * (assert(chrecv(...) == 0), where chrecv is itself a macro): move `loc`
 * from the outer macro to where the user wrote the callee's name inside
 * its invocation, as compilers do for macro arguments.  Only the first
 * SPELLED_CALLEE_SCAN bytes of the invocation are searched, so that a huge
 * macro argument full of calls costs a constant per call. */
#define SPELLED_CALLEE_SCAN 4096 /* bytes of an invocation searched: a constant per call */

static void at_spelled_callee(builder *b, CXFile ef, unsigned eoff, const char *callee, tl_loc *loc) {
    size_t size = 0;
    const char *buf = clang_getFileContents(b->ctu, ef, &size);
    if (!buf || eoff >= size) return;
    if (size - eoff > SPELLED_CALLEE_SCAN) size = eoff + SPELLED_CALLEE_SCAN;
    unsigned end = invocation_end(buf, size, eoff);
    size_t at, len;
    if (end <= eoff || !tl_text_find_callee(buf + eoff, end - eoff, callee, &at, &len) || at == 0) return;
    unsigned line = loc->line, col = loc->col;
    for (size_t i = 0; i < at; i++) {
        if (buf[eoff + i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    loc->line = line;
    loc->col = col;
    loc->offset = eoff + (unsigned)at;
}

static char *call_text(builder *b, CXCursor c, bool spelling) {
    CXSourceRange r = clang_getCursorExtent(c);
    CXFile f1, f2;
    unsigned s, e;
    if (spelling) {
        clang_getSpellingLocation(clang_getRangeStart(r), &f1, NULL, NULL, &s);
        clang_getSpellingLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &e);
    } else {
        clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &s);
        clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &e);
    }
    if (!f1) return NULL;
    size_t size = 0;
    const char *buf = clang_getFileContents(b->ctu, f1, &size);
    if (!buf || s >= size) return NULL;
    if (!f2 || !clang_File_isEqual(f1, f2) || e <= s || e > size) e = s;
    if (e == s) e = invocation_end(buf, size, s); /* a macro invocation */
    if (e - s > 240) e = s + 240;
    char *out = tl_xmalloc(e - s + 1);
    size_t n = 0;
    bool space = false;
    for (unsigned i = s; i < e; i++) {
        char ch = buf[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = n > 0;
            continue;
        }
        if (space) out[n++] = ' ';
        space = false;
        out[n++] = ch;
    }
    out[n] = '\0';
    return out;
}

/* ---- expressions ---- */

/* Value of an integer literal read from its spelling (the file buffer holds
 * it, also inside a macro definition): much cheaper than clang_Cursor_Evaluate,
 * which remains the fallback for anything unusual. */
static bool literal_value(builder *b, CXCursor c, int64_t *out) {
    CXFile f;
    unsigned off;
    clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, &off);
    if (!f) return false;
    size_t size = 0;
    const char *buf = clang_getFileContents(b->ctu, f, &size);
    if (!buf || off >= size) return false;
    char tok[72];
    size_t n = 0;
    while (off + n < size && n < sizeof tok - 1) {
        char ch = buf[off + n];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '\''))
            break;
        tok[n++] = ch;
    }
    tok[n] = '\0';
    if (n == 0 || tok[0] < '0' || tok[0] > '9' || strchr(tok, '\'') ||
        (tok[0] == '0' && (tok[1] == 'b' || tok[1] == 'B')))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(tok, &end, 0);
    if (errno) return false;
    for (; *end; end++) /* only integer suffixes may follow */
        if (*end != 'u' && *end != 'U' && *end != 'l' && *end != 'L') return false;
    *out = (int64_t)v;
    return true;
}

/* Expressions are lowered recursively, a level per operator, and a
 * machine-made `1 + 1 + ... + 1` of tens of thousands of terms would exhaust
 * the stack.  Past this depth the rest of an expression is one opaque value
 * (TL_E_OTHER: calls inside it are not seen), counted in
 * tl_func.opaque_deep_exprs.  A level takes about 0.75 KiB of stack, 4.6 KiB
 * under ASan: 1000 levels fit a main thread's 8 MiB with room to spare (the
 * workers have 16).  Written code stays far below. */
#define MAX_EXPR_DEPTH TL_FRONTEND_MAX_EXPR_DEPTH

static tl_expr *lower_expr(builder *b, CXCursor c);
static void lower_cond(builder *b, CXCursor c, int t, int f);
static void lower_stmt(builder *b, CXCursor c);

static tl_expr *lower_kid(builder *b, CXCursor c) {
    cursor_list kids = code_children_of(c);
    tl_expr *e = kids.n ? lower_expr(b, kids.items[kids.n - 1]) : tl_expr_new(TL_E_OTHER);
    free(kids.items);
    return e;
}

static tl_expr *lower_other(builder *b, CXCursor c) {
    tl_expr *e = tl_expr_new(TL_E_OTHER);
    cursor_list kids = code_children_of(c);
    for (int i = 0; i < kids.n; i++) {
        enum CXCursorKind k = clang_getCursorKind(kids.items[i]);
        if (clang_isExpression(k)) tl_expr_add_kid(e, lower_expr(b, kids.items[i]));
        else lower_stmt(b, kids.items[i]);
    }
    free(kids.items);
    return e;
}


/* ---- function addresses stored into fields and globals ---- */

/* The function a value expression designates (`f`, `&f`, `(cb_t)f`), or NULL. */
static const tl_expr *stored_function(const tl_expr *e) {
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_ADDR) && e->nkids == 1) e = e->kids[0];
    return e && e->kind == TL_E_FUNC && e->usr ? e : NULL;
}

/* `lhs = value` where value is a function: remember the slot it lands in. */
static void note_function_store(builder *b, const tl_expr *lhs, const tl_expr *value, tl_loc loc) {
    const tl_expr *fn = stored_function(value);
    if (!fn) return;
    if (lhs->kind == TL_E_MEMBER && lhs->usr) {
        tl_tu_add_store(b->tu, lhs->usr, lhs->name, fn->usr, fn->name, loc);
    } else if (lhs->kind == TL_E_VAR && b->f && lhs->var >= 0 && b->f->vars[lhs->var].usr) {
        const tl_var *v = &b->f->vars[lhs->var];
        tl_tu_add_store(b->tu, v->usr, v->name, fn->usr, fn->name, loc);
    }
}

typedef struct {
    CXCursor *fields;
    int n, cap;
} field_list;

static enum CXVisitorResult collect_field(CXCursor c, CXClientData data) {
    field_list *l = data;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->fields = tl_xrealloc(l->fields, (size_t)l->cap * sizeof *l->fields);
    }
    l->fields[l->n++] = c;
    return CXVisit_Continue;
}

static CXCursor strip_init(CXCursor c) {
    for (int guard = 0; guard < 64; guard++) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k != CXCursor_UnexposedExpr && k != CXCursor_ParenExpr && k != CXCursor_CStyleCastExpr &&
            k != CXCursor_UnaryOperator)
            return c;
        cursor_list kids = code_children_of(c);
        if (kids.n != 1) {
            free(kids.items);
            return c;
        }
        c = kids.items[0];
        free(kids.items);
    }
    return c;
}

static void record_init_stores(builder *b, CXCursor init, int depth);

/* One initializer `value` for `field` (NULL cursor: not a record field). */
static void record_field_init(builder *b, CXCursor field, CXCursor value, int depth) {
    CXCursor v = strip_init(value);
    enum CXCursorKind k = clang_getCursorKind(v);
    if (k == CXCursor_InitListExpr) {
        record_init_stores(b, v, depth + 1);
        return;
    }
    if (k != CXCursor_DeclRefExpr || clang_Cursor_isNull(field)) return;
    CXCursor fn = clang_getCursorReferenced(v);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl) return;
    char *slot_usr = cursor_usr(field), *fn_usr = cursor_usr(fn);
    if (slot_usr && fn_usr) {
        char *slot = cursor_spelling(field), *name = cursor_spelling(fn);
        tl_tu_add_store(b->tu, slot_usr, slot, fn_usr, name, loc_of(b, v));
        free(slot);
        free(name);
    }
    free(slot_usr);
    free(fn_usr);
}

/* Walk a brace initializer (`{.read = r, .write = w}`, `{{"get", get_cmd}, ...}`)
 * and record each function it stores into a struct field.  Positional
 * initializers follow the record's field order; a designator (`.f =`) sets
 * the position. */
static void record_init_stores(builder *b, CXCursor init, int depth) {
    if (depth > 32) return;
    CXType t = clang_getCanonicalType(clang_getCursorType(init));
    field_list fl = {0};
    if (t.kind == CXType_Record) clang_Type_visitFields(t, collect_field, &fl);
    cursor_list kids = children_of(init);
    int pos = 0;
    for (int i = 0; i < kids.n; i++) {
        CXCursor kid = kids.items[i];
        CXCursor field = clang_getNullCursor();
        CXCursor value = kid;
        /* a designated initializer: MemberRef designator(s), then the value */
        cursor_list parts = children_of(kid);
        if (clang_getCursorKind(kid) == CXCursor_UnexposedExpr && parts.n >= 2 &&
            clang_getCursorKind(parts.items[0]) == CXCursor_MemberRef) {
            CXCursor d = clang_getCursorReferenced(parts.items[0]);
            for (int f = 0; f < fl.n; f++)
                if (clang_equalCursors(fl.fields[f], d)) pos = f;
            field = d;
            value = parts.items[parts.n - 1];
        } else if (t.kind == CXType_Record && pos < fl.n) {
            field = fl.fields[pos];
        }
        free(parts.items);
        record_field_init(b, field, value, depth);
        pos++;
    }
    free(kids.items);
    free(fl.fields);
}

/* `struct addrinfo hints = {.ai_flags = AI_NUMERICHOST}`, `struct pollfd p =
 * {.fd = fd}`: after the assignment of the whole record, one store per
 * top-level field that a model facet reads (blocking.unless_field_flag,
 * readiness_wait.field) whose initializer is an integer constant or a
 * variable, as if the user had written `hints.ai_flags = ...`.  Only those
 * fields: other analyses see these stores too (a handle stored into a
 * local struct is one they follow). */
static void emit_field_inits(builder *b, int v, CXCursor init, tl_loc loc) {
    CXType t = clang_getCanonicalType(clang_getCursorType(init));
    if (t.kind != CXType_Record) return;
    field_list fl = {0};
    clang_Type_visitFields(t, collect_field, &fl);
    cursor_list kids = children_of(init);
    int pos = 0;
    for (int i = 0; i < kids.n; i++, pos++) {
        CXCursor kid = kids.items[i], field = clang_getNullCursor(), value = kid;
        cursor_list parts = children_of(kid);
        if (clang_getCursorKind(kid) == CXCursor_UnexposedExpr && parts.n >= 2 &&
            clang_getCursorKind(parts.items[0]) == CXCursor_MemberRef) {
            if (parts.n != 2) { /* .a.b = : a nested designator */
                free(parts.items);
                continue;
            }
            CXCursor d = clang_getCursorReferenced(parts.items[0]);
            for (int f = 0; f < fl.n; f++)
                if (clang_equalCursors(fl.fields[f], d)) pos = f;
            field = d;
            value = parts.items[1];
        } else if (pos < fl.n) {
            field = fl.fields[pos];
        }
        free(parts.items);
        if (clang_Cursor_isNull(field)) continue;
        char *fname = cursor_spelling(field);
        bool wanted = tl_str_map_get(&b->facet_fields, fname) >= 0;
        free(fname);
        if (!wanted) continue;
        tl_expr *val = NULL;
        int64_t iv;
        CXCursor sv = strip_init(value);
        if (clang_getCursorKind(sv) == CXCursor_InitListExpr) continue;
        if (clang_getCursorKind(sv) == CXCursor_DeclRefExpr) {
            CXCursor d = clang_getCursorReferenced(sv);
            int w = vm_get(&b->vars, d);
            if (w >= 0 && (b->f->vars[w].kind == TL_VAR_LOCAL || b->f->vars[w].kind == TL_VAR_PARAM))
                val = tl_expr_var(w);
        }
        if (!val && eval_int(value, &iv)) val = tl_expr_const(iv);
        if (!val) continue;
        tl_expr *target = tl_expr_new(TL_E_MEMBER);
        target->name = cursor_spelling(field);
        target->usr = cursor_usr(field);
        tl_expr_add_kid(target, tl_expr_var(v));
        tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_STORE);
        in->loc = loc;
        in->target = target;
        in->value = val;
    }
    free(kids.items);
    free(fl.fields);
}

/* Assign `value` to the lvalue `lhs` (already lowered); returns the value of
 * the assignment expression. */
static tl_expr *emit_assign(builder *b, tl_expr *lhs, tl_expr *value, tl_loc loc) {
    note_function_store(b, lhs, value, loc);
    if (lhs->kind == TL_E_VAR) {
        tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_ASSIGN);
        in->loc = loc;
        in->var = lhs->var;
        in->value = value;
        if (b->f->vars[lhs->var].kind == TL_VAR_TEMP)
            set_temp_src(b, lhs->var, value->kind == TL_E_CALLRES ? value->call_id : -1);
        return lhs;
    }
    tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_STORE);
    in->loc = loc;
    in->target = lhs;
    in->value = value;
    return tl_expr_clone(value);
}

static const char *binop_text(enum CXBinaryOperatorKind k) {
    switch (k) {
    case CXBinaryOperator_Mul: return "*";
    case CXBinaryOperator_Div: return "/";
    case CXBinaryOperator_Rem: return "%";
    case CXBinaryOperator_Add: return "+";
    case CXBinaryOperator_Sub: return "-";
    case CXBinaryOperator_Shl: return "<<";
    case CXBinaryOperator_Shr: return ">>";
    case CXBinaryOperator_LT: return "<";
    case CXBinaryOperator_GT: return ">";
    case CXBinaryOperator_LE: return "<=";
    case CXBinaryOperator_GE: return ">=";
    case CXBinaryOperator_EQ: return "==";
    case CXBinaryOperator_NE: return "!=";
    case CXBinaryOperator_And: return "&";
    case CXBinaryOperator_Xor: return "^";
    case CXBinaryOperator_Or: return "|";
    case CXBinaryOperator_MulAssign: return "*";
    case CXBinaryOperator_DivAssign: return "/";
    case CXBinaryOperator_RemAssign: return "%";
    case CXBinaryOperator_AddAssign: return "+";
    case CXBinaryOperator_SubAssign: return "-";
    case CXBinaryOperator_ShlAssign: return "<<";
    case CXBinaryOperator_ShrAssign: return ">>";
    case CXBinaryOperator_AndAssign: return "&";
    case CXBinaryOperator_XorAssign: return "^";
    case CXBinaryOperator_OrAssign: return "|";
    default: return NULL;
    }
}

/* Value of a short-circuit / conditional expression through a temporary. */
static tl_expr *lower_value_by_branches(builder *b, CXCursor c, bool is_conditional) {
    int tmp = new_temp(b);
    int t = new_block(b), f = new_block(b), join = new_block(b);
    tl_loc loc = loc_of(b, c);
    cursor_list kids = code_children_of(c);
    if (is_conditional && kids.n == 3) {
        lower_cond(b, kids.items[0], t, f);
        set_block(b, t);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), lower_expr(b, kids.items[1]), loc));
        goto_block(b, join);
        set_block(b, f);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), lower_expr(b, kids.items[2]), loc));
        goto_block(b, join);
    } else {
        lower_cond(b, c, t, f);
        set_block(b, t);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), tl_expr_const(1), loc));
        goto_block(b, join);
        set_block(b, f);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), tl_expr_const(0), loc));
        goto_block(b, join);
    }
    free(kids.items);
    set_block(b, join);
    return tl_expr_var(tmp);
}

static tl_expr *lower_call(builder *b, CXCursor c) {
    CXCursor callee = clang_getCursorReferenced(c);
    char *name = NULL;
    if (!clang_Cursor_isNull(callee) && clang_getCursorKind(callee) == CXCursor_FunctionDecl)
        name = cursor_spelling(callee);
    int nargs = clang_Cursor_getNumArguments(c);
    if (name && strcmp(name, "__builtin_expect") == 0 && nargs >= 1) {
        free(name);
        return lower_expr(b, clang_Cursor_getArgument(c, 0));
    }
    tl_expr *fn_expr = NULL;
    if (!name) {
        /* indirect call: keep the callee expression (a field, a function
           pointer variable or parameter) for the program-wide call graph */
        cursor_list kids = code_children_of(c);
        if (kids.n) fn_expr = lower_expr(b, kids.items[0]);
        free(kids.items);
    }
    tl_expr **args = NULL;
    if (nargs > 0) {
        args = tl_xcalloc((size_t)nargs, sizeof *args);
        for (int i = 0; i < nargs; i++) args[i] = lower_expr(b, clang_Cursor_getArgument(c, i));
    } else {
        nargs = 0;
    }
    bool literal_arg = spelled_in_macro_argument(b, c);
    tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_CALL);
    in->call.id = b->f->ncalls++;
    in->call.callee = name;
    in->call.callee_usr = name ? cursor_usr(callee) : NULL;
    in->call.callee_system = name && clang_Location_isInSystemHeader(clang_getCursorLocation(callee));
    in->call.fn = fn_expr;
    in->call.callee_func = name ? find_func_index(b, name) : -1;
    in->call.args = args;
    in->call.nargs = nargs;
    in->call.text = call_text(b, c, literal_arg);
    if (literal_arg) {
        /* report where the user wrote it, as compilers do for macro arguments */
        CXFile sf;
        unsigned line, col, off;
        clang_getSpellingLocation(clang_getCursorLocation(c), &sf, &line, &col, &off);
        in->loc = loc_of(b, c);
        in->loc.line = line;
        in->loc.col = col;
        in->loc.offset = off;
        in->call.in_macro = false;
    } else {
        CXSourceLocation sl = clang_getCursorLocation(c);
        CXFile sf, ef;
        unsigned soff, eoff;
        clang_getSpellingLocation(sl, &sf, NULL, NULL, &soff);
        clang_getExpansionLocation(sl, &ef, NULL, NULL, &eoff);
        in->loc = loc_of(b, c);
        in->call.in_macro = soff != eoff || !clang_File_isEqual(sf, ef);
        if (in->call.in_macro && name && ef) at_spelled_callee(b, ef, eoff, name, &in->loc);
    }
    int id = in->call.id;
    note_call_position(b, id, b->cur, cur_block(b)->ninstrs - 1);
    const tl_fn_model *m = name ? tl_models_find(b->models, name) : NULL;
    if (m && m->noreturn) {
        tl_block *blk = cur_block(b);
        blk->term = TL_T_NORETURN;
        blk->term_loc = in->loc;
        start_dead_block(b);
    }
    return tl_expr_callres(id);
}

static tl_expr *lower_unary(builder *b, CXCursor c) {
    enum CXUnaryOperatorKind k = clang_getCursorUnaryOperatorKind(c);
    cursor_list kids = code_children_of(c);
    CXCursor kid = kids.n ? kids.items[kids.n - 1] : clang_getNullCursor();
    free(kids.items);
    if (clang_Cursor_isNull(kid)) return tl_expr_new(TL_E_OTHER);
    switch (k) {
    case CXUnaryOperator_Extension:
    case CXUnaryOperator_Coawait:
        return lower_expr(b, kid);
    case CXUnaryOperator_AddrOf: {
        tl_expr *e = tl_expr_new(TL_E_ADDR);
        tl_expr_add_kid(e, lower_expr(b, kid));
        return e;
    }
    case CXUnaryOperator_Deref: {
        tl_expr *e = tl_expr_new(TL_E_DEREF);
        tl_expr_add_kid(e, lower_expr(b, kid));
        return e;
    }
    case CXUnaryOperator_Minus: {
        tl_expr *e = lower_expr(b, kid);
        if (e->kind == TL_E_CONST) { /* fold -1 */
            e->ival = (int64_t)(0 - (uint64_t)e->ival);
            return e;
        }
        return tl_expr_unary("-", e);
    }
    case CXUnaryOperator_Plus: return tl_expr_unary("+", lower_expr(b, kid));
    case CXUnaryOperator_Not: return tl_expr_unary("~", lower_expr(b, kid));
    case CXUnaryOperator_LNot: return tl_expr_unary("!", lower_expr(b, kid));
    case CXUnaryOperator_PostInc:
    case CXUnaryOperator_PostDec:
    case CXUnaryOperator_PreInc:
    case CXUnaryOperator_PreDec: {
        tl_expr *lv = lower_expr(b, kid);
        tl_expr *val = tl_expr_new(TL_E_OTHER);
        tl_expr_add_kid(val, tl_expr_clone(lv));
        return emit_assign(b, lv, val, loc_of(b, c));
    }
    default: {
        tl_expr *e = tl_expr_new(TL_E_OTHER);
        tl_expr_add_kid(e, lower_expr(b, kid));
        return e;
    }
    }
}

static tl_expr *lower_binary(builder *b, CXCursor c) {
    enum CXBinaryOperatorKind k = clang_getCursorBinaryOperatorKind(c);
    if (k == CXBinaryOperator_LAnd || k == CXBinaryOperator_LOr)
        return lower_value_by_branches(b, c, false);
    cursor_list kids = code_children_of(c);
    if (kids.n != 2) {
        free(kids.items);
        return lower_other(b, c);
    }
    CXCursor l = kids.items[0], r = kids.items[1];
    free(kids.items);
    tl_loc loc = loc_of(b, c);
    if (k == CXBinaryOperator_Comma) {
        tl_expr_free(lower_expr(b, l));
        return lower_expr(b, r);
    }
    if (k == CXBinaryOperator_Assign) {
        tl_expr *rv = lower_expr(b, r);
        tl_expr *lv = lower_expr(b, l);
        return emit_assign(b, lv, rv, loc);
    }
    const char *op = binop_text(k);
    if (k >= CXBinaryOperator_MulAssign && k <= CXBinaryOperator_OrAssign && op) {
        tl_expr *rv = lower_expr(b, r);
        tl_expr *lv = lower_expr(b, l);
        tl_expr *val = tl_expr_binary(op, tl_expr_clone(lv), rv);
        return emit_assign(b, lv, val, loc);
    }
    tl_expr *le = lower_expr(b, l);
    tl_expr *re = lower_expr(b, r);
    if (!op) {
        tl_expr *e = tl_expr_new(TL_E_OTHER);
        tl_expr_add_kid(e, le);
        tl_expr_add_kid(e, re);
        return e;
    }
    return tl_expr_binary(op, le, re);
}

static tl_expr *lower_decl_ref(builder *b, CXCursor c) {
    CXCursor d = clang_getCursorReferenced(c);
    switch (clang_getCursorKind(d)) {
    case CXCursor_VarDecl:
    case CXCursor_ParmDecl:
        return tl_expr_var(var_for_decl(b, d));
    case CXCursor_EnumConstantDecl:
        return tl_expr_const(clang_getEnumConstantDeclValue(d));
    case CXCursor_FunctionDecl: {
        char *name = cursor_spelling(d);
        tl_expr *e = tl_expr_func(name, find_func_index(b, name));
        e->usr = cursor_usr(d);
        free(name);
        return e;
    }
    default:
        return tl_expr_new(TL_E_OTHER);
    }
}

static tl_expr *lower_stmt_expr(builder *b, CXCursor c) {
    cursor_list kids = code_children_of(c);
    tl_expr *value = NULL;
    b->stmt_expr_depth++;
    if (kids.n == 1 && clang_getCursorKind(kids.items[0]) == CXCursor_CompoundStmt) {
        cursor_list stmts = code_children_of(kids.items[0]);
        for (int i = 0; i < stmts.n; i++) {
            CXCursor s = stmts.items[i];
            if (i == stmts.n - 1 && clang_isExpression(clang_getCursorKind(s))) value = lower_expr(b, s);
            else lower_stmt(b, s);
        }
        free(stmts.items);
    }
    b->stmt_expr_depth--;
    free(kids.items);
    return value ? value : tl_expr_new(TL_E_OTHER);
}

/* Casts: implicit ones are transparent; 0 converted to a pointer is NULL. */
static tl_expr *lower_cast(builder *b, CXCursor c, bool explicit_cast) {
    CXType to = clang_getCursorType(c);
    tl_expr *kid = lower_kid(b, c);
    if (type_is_pointer(to) && kid->kind == TL_E_CONST && kid->ival == 0) {
        tl_expr_free(kid);
        return tl_expr_new(TL_E_NULL);
    }
    if (!explicit_cast || kid->kind == TL_E_NULL || kid->kind == TL_E_CONST || kid->kind == TL_E_FUNC)
        return kid;
    tl_expr *e = tl_expr_new(TL_E_CAST);
    tl_expr_add_kid(e, kid);
    return e;
}

/* "..." of at most TL_STRING_TEXT_MAX bytes holding only what a numeric
 * IPv4/IPv6 address is written with (hex digits, '.', ':'). */
static bool maybe_address_literal(const char *spelled) {
    size_t n = strlen(spelled);
    if (n < 4 || n > TL_STRING_TEXT_MAX || spelled[0] != '"' || spelled[n - 1] != '"') return false;
    for (size_t i = 1; i + 1 < n; i++) {
        char ch = spelled[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == '.' ||
              ch == ':'))
            return false;
    }
    return true;
}

static tl_expr *lower_expr_kind(builder *b, CXCursor c) {
    enum CXCursorKind k = clang_getCursorKind(c);
    switch (k) {
    case CXCursor_IntegerLiteral: {
        int64_t v;
        if (literal_value(b, c, &v) || eval_int(c, &v)) return tl_expr_const(v);
        return tl_expr_new(TL_E_OTHER);
    }
    case CXCursor_CharacterLiteral: {
        int64_t v;
        if (eval_int(c, &v)) return tl_expr_const(v);
        return tl_expr_new(TL_E_OTHER);
    }
    case CXCursor_StringLiteral: {
        /* keep the text (its spelling, quotes included) of a literal that
           may spell a numeric address: model facets read it (such a name
           needs no lookup); other literals stay anonymous, which keeps the
           IR small (every __FILE__ in a macro is one) */
        tl_expr *e = tl_expr_new(TL_E_STRING);
        char *text = cursor_spelling(c);
        if (maybe_address_literal(text)) e->name = text;
        else free(text);
        return e;
    }
    case CXCursor_GNUNullExpr:
    case CXCursor_CXXNullPtrLiteralExpr:
        return tl_expr_new(TL_E_NULL);
    case CXCursor_ParenExpr:
        return lower_kid(b, c);
    case CXCursor_UnexposedExpr: {
        /* implicit casts and the like: transparent, but 0 -> pointer is NULL */
        cursor_list kids = code_children_of(c);
        if (kids.n == 1) {
            free(kids.items);
            return lower_cast(b, c, false);
        }
        free(kids.items);
        return lower_other(b, c);
    }
    case CXCursor_CStyleCastExpr: {
        if (type_is_void(clang_getCursorType(c))) {
            tl_expr *kid = lower_kid(b, c);
            int call = -1;
            if (kid->kind == TL_E_CALLRES) call = kid->call_id;
            else if (kid->kind == TL_E_VAR) call = temp_src(b, kid->var);
            if (call >= 0) {
                tl_instr *in = call_instr(b, call);
                if (in) in->call.void_cast = in->call.discarded = true;
            }
            return kid;
        }
        return lower_cast(b, c, true);
    }
    case CXCursor_DeclRefExpr:
        return lower_decl_ref(b, c);
    case CXCursor_MemberRefExpr: {
        cursor_list kids = code_children_of(c);
        tl_expr *e = tl_expr_new(TL_E_MEMBER);
        e->name = cursor_spelling(c);
        CXCursor field = clang_getCursorReferenced(c);
        if (!clang_Cursor_isNull(field) && clang_getCursorKind(field) == CXCursor_FieldDecl)
            e->usr = cursor_usr(field);
        if (kids.n) {
            e->arrow = type_is_pointer(clang_getCursorType(kids.items[0]));
            tl_expr_add_kid(e, lower_expr(b, kids.items[0]));
        }
        free(kids.items);
        return e;
    }
    case CXCursor_ArraySubscriptExpr: {
        cursor_list kids = code_children_of(c);
        tl_expr *e = tl_expr_new(TL_E_INDEX);
        for (int i = 0; i < kids.n && i < 2; i++) tl_expr_add_kid(e, lower_expr(b, kids.items[i]));
        free(kids.items);
        return e;
    }
    case CXCursor_CallExpr:
        return lower_call(b, c);
    case CXCursor_UnaryOperator:
        return lower_unary(b, c);
    case CXCursor_BinaryOperator:
    case CXCursor_CompoundAssignOperator:
        return lower_binary(b, c);
    case CXCursor_ConditionalOperator:
        return lower_value_by_branches(b, c, true);
    case CXCursor_StmtExpr:
        return lower_stmt_expr(b, c);
    case CXCursor_InitListExpr:
        record_init_stores(b, c, 0);
        return lower_other(b, c);
    case CXCursor_UnaryExpr: {
        int64_t v;
        if (eval_int(c, &v)) return tl_expr_const(v);
        return tl_expr_new(TL_E_OTHER); /* sizeof does not evaluate its operand */
    }
    default:
        return lower_other(b, c);
    }
}

static tl_expr *lower_expr(builder *b, CXCursor c) {
    if (b->expr_depth >= MAX_EXPR_DEPTH) {
        b->f->opaque_deep_exprs++;
        return tl_expr_new(TL_E_OTHER);
    }
    b->expr_depth++;
    tl_expr *e = lower_expr_kind(b, c);
    b->expr_depth--;
    return e;
}

/* ---- conditions ---- */

static CXCursor strip_parens(CXCursor c) {
    for (;;) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k != CXCursor_ParenExpr && k != CXCursor_UnexposedExpr) return c;
        cursor_list kids = code_children_of(c);
        if (kids.n != 1) {
            free(kids.items);
            return c;
        }
        CXCursor next = kids.items[0];
        free(kids.items);
        c = next;
    }
}

/* Lower condition `c`, ending the current block with edges to t (true) and f. */
static void lower_cond(builder *b, CXCursor c, int t, int f) {
    CXCursor s = strip_parens(c);
    enum CXCursorKind k = clang_getCursorKind(s);
    if (k == CXCursor_BinaryOperator && b->expr_depth < MAX_EXPR_DEPTH) {
        enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(s);
        if (op == CXBinaryOperator_LAnd || op == CXBinaryOperator_LOr) {
            cursor_list kids = code_children_of(s);
            if (kids.n == 2) {
                int mid = new_block(b);
                b->expr_depth++;
                if (op == CXBinaryOperator_LAnd) lower_cond(b, kids.items[0], mid, f);
                else lower_cond(b, kids.items[0], t, mid);
                set_block(b, mid);
                lower_cond(b, kids.items[1], t, f);
                b->expr_depth--;
                free(kids.items);
                return;
            }
            free(kids.items);
        }
    }
    tl_loc loc = loc_of(b, c);
    tl_expr *e = lower_expr(b, c);
    tl_block *blk = cur_block(b);
    blk->term_loc = loc;
    if (e->kind == TL_E_CONST) {
        /* while (1), do {} while (0): only the taken edge exists */
        blk->term = TL_T_GOTO;
        tl_block_add_succ(b->f, b->cur, e->ival ? t : f);
        tl_expr_free(e);
        return;
    }
    blk->term = TL_T_BRANCH;
    blk->cond = e;
    tl_block_add_succ(b->f, b->cur, t);
    tl_block_add_succ(b->f, b->cur, f);
}

/* ---- statements ---- */

static void push_jumps(builder *b, int brk, int cont) {
    if (b->njumps == b->capjumps) {
        b->capjumps = b->capjumps ? b->capjumps * 2 : 8;
        b->jumps = tl_xrealloc(b->jumps, (size_t)b->capjumps * sizeof *b->jumps);
    }
    b->jumps[b->njumps].break_to = brk;
    b->jumps[b->njumps].continue_to = cont;
    b->njumps++;
}

static int label_block(builder *b, const char *name) {
    int blk = tl_str_map_get(&b->labels, name);
    if (blk >= 0) return blk;
    blk = new_block(b);
    tl_str_map_add(&b->labels, name, blk);
    return blk;
}

static void emit_return(builder *b, tl_expr *value, tl_loc loc) {
    tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_RETURN);
    in->loc = loc;
    in->value = value;
    tl_block *blk = cur_block(b);
    blk->term = TL_T_EXIT;
    blk->term_loc = loc;
    tl_block_add_succ(b->f, b->cur, b->f->exit);
    start_dead_block(b);
}

static void lower_decl_stmt(builder *b, CXCursor c) {
    cursor_list decls = children_of(c);
    for (int i = 0; i < decls.n; i++) {
        CXCursor d = decls.items[i];
        if (clang_getCursorKind(d) != CXCursor_VarDecl) continue;
        enum CX_StorageClass sc = clang_Cursor_getStorageClass(d);
        if (sc == CX_SC_Static || sc == CX_SC_Extern) {
            var_for_decl(b, d); /* initialised once, not on this path */
            CXCursor sinit = clang_Cursor_getVarDeclInitializer(d);
            if (!clang_Cursor_isNull(sinit) && clang_getCursorKind(strip_init(sinit)) == CXCursor_InitListExpr)
                record_init_stores(b, strip_init(sinit), 0);
            continue;
        }
        int v = declare_local(b, d);
        CXCursor init = clang_Cursor_getVarDeclInitializer(d);
        tl_loc loc = loc_of(b, d);
        if (!clang_Cursor_isNull(init)) {
            tl_expr *value = lower_expr(b, init);
            tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_ASSIGN);
            in->loc = loc;
            in->var = v;
            in->value = value;
            if (b->f->vars[v].kind == TL_VAR_TEMP)
                set_temp_src(b, v, value->kind == TL_E_CALLRES ? value->call_id : -1);
            if (b->f->vars[v].is_record && clang_getCursorKind(strip_init(init)) == CXCursor_InitListExpr)
                emit_field_inits(b, v, strip_init(init), loc);
        } else {
            tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_DECL);
            in->loc = loc;
            in->var = v;
        }
    }
    free(decls.items);
}

/* For statements: libclang drops absent parts, so place each child by where it
 * starts relative to the two ';' of the header. */
static void lower_for(builder *b, CXCursor c) {
    cursor_list kids = code_children_of(c);
    if (kids.n == 0) {
        free(kids.items);
        return;
    }
    CXCursor body = kids.items[kids.n - 1];
    CXCursor init = clang_getNullCursor(), cond = clang_getNullCursor(), inc = clang_getNullCursor();
    /* tokenize the header only: from `for` to the start of the body */
    CXSourceRange ext = clang_getCursorExtent(c);
    CXSourceRange hdr = clang_getRange(clang_getRangeStart(ext), clang_getRangeStart(clang_getCursorExtent(body)));
    CXToken *toks = NULL;
    unsigned ntoks = 0;
    clang_tokenize(b->ctu, hdr, &toks, &ntoks);
    unsigned semi[2] = {0, 0};
    int nsemi = 0, depth = 0;
    for (unsigned i = 0; i < ntoks && nsemi < 2; i++) {
        if (clang_getTokenKind(toks[i]) != CXToken_Punctuation) continue;
        CXString sp = clang_getTokenSpelling(b->ctu, toks[i]);
        const char *t = clang_getCString(sp);
        if (strcmp(t, "(") == 0) depth++;
        else if (strcmp(t, ")") == 0) depth--;
        else if (strcmp(t, ";") == 0 && depth == 1) {
            unsigned off;
            clang_getExpansionLocation(clang_getTokenLocation(b->ctu, toks[i]), NULL, NULL, NULL, &off);
            semi[nsemi++] = off;
        }
        clang_disposeString(sp);
    }
    if (toks) clang_disposeTokens(b->ctu, toks, ntoks);
    for (int i = 0; i < kids.n - 1; i++) {
        unsigned off;
        clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(kids.items[i])), NULL, NULL, NULL, &off);
        if (nsemi == 2) {
            if (off < semi[0]) init = kids.items[i];
            else if (off < semi[1]) cond = kids.items[i];
            else inc = kids.items[i];
        } else {
            /* header inside a macro: fall back to the common full form */
            if (i == 0 && kids.n == 4) init = kids.items[i];
            else if ((i == 1 && kids.n == 4) || (i == 0 && kids.n == 3)) cond = kids.items[i];
            else inc = kids.items[i];
        }
    }
    free(kids.items);

    if (!clang_Cursor_isNull(init)) lower_stmt(b, init);
    int head = new_block(b), body_b = new_block(b), step = new_block(b), after = new_block(b);
    goto_block(b, head);
    set_block(b, head);
    if (!clang_Cursor_isNull(cond)) {
        lower_cond(b, cond, body_b, after);
    } else {
        goto_block(b, body_b);
    }
    set_block(b, body_b);
    push_jumps(b, after, step);
    lower_stmt(b, body);
    b->njumps--;
    goto_block(b, step);
    set_block(b, step);
    if (!clang_Cursor_isNull(inc)) tl_expr_free(lower_expr(b, inc));
    goto_block(b, head);
    set_block(b, after);
}

static void lower_switch(builder *b, CXCursor c) {
    cursor_list kids = code_children_of(c);
    if (kids.n < 2) {
        free(kids.items);
        return;
    }
    tl_expr *value = lower_expr(b, kids.items[kids.n - 2]);
    CXCursor body = kids.items[kids.n - 1];
    free(kids.items);
    int sw = b->cur;
    int after = new_block(b);
    if (b->nswitches == b->capswitches) {
        b->capswitches = b->capswitches ? b->capswitches * 2 : 4;
        b->switches = tl_xrealloc(b->switches, (size_t)b->capswitches * sizeof *b->switches);
    }
    switch_ctx *ctx = &b->switches[b->nswitches++];
    memset(ctx, 0, sizeof *ctx);
    ctx->block = sw;
    ctx->default_target = -1;
    start_dead_block(b); /* code before the first case is unreachable */
    push_jumps(b, after, b->njumps ? b->jumps[b->njumps - 1].continue_to : -1);
    lower_stmt(b, body);
    b->njumps--;
    goto_block(b, after);
    ctx = &b->switches[--b->nswitches];
    tl_block *blk = &b->f->blocks[sw];
    blk->term = TL_T_SWITCH;
    blk->cond = value;
    blk->case_values = ctx->n ? tl_xmalloc((size_t)ctx->n * sizeof(int64_t)) : NULL;
    for (int i = 0; i < ctx->n; i++) {
        blk->case_values[i] = ctx->values[i];
        tl_block_add_succ(b->f, sw, ctx->targets[i]);
    }
    tl_block_add_succ(b->f, sw, ctx->default_target >= 0 ? ctx->default_target : after);
    free(ctx->targets);
    free(ctx->values);
    set_block(b, after);
}

static void lower_case(builder *b, CXCursor c, bool is_default) {
    cursor_list kids = code_children_of(c);
    int blk = new_block(b);
    goto_block(b, blk); /* fall through from the previous case */
    set_block(b, blk);
    if (b->nswitches > 0) {
        switch_ctx *ctx = &b->switches[b->nswitches - 1];
        if (is_default) {
            ctx->default_target = blk;
        } else if (kids.n >= 1) {
            int64_t v = 0;
            if (eval_int(kids.items[0], &v)) {
                if (ctx->n == ctx->cap) {
                    ctx->cap = ctx->cap ? ctx->cap * 2 : 8;
                    ctx->targets = tl_xrealloc(ctx->targets, (size_t)ctx->cap * sizeof(int));
                    ctx->values = tl_xrealloc(ctx->values, (size_t)ctx->cap * sizeof(int64_t));
                }
                ctx->targets[ctx->n] = blk;
                ctx->values[ctx->n] = v;
                ctx->n++;
            }
        }
    }
    if (kids.n) lower_stmt(b, kids.items[kids.n - 1]);
    free(kids.items);
}

/* Is this expression statement a call or a GNU statement expression (go())
 * whose value nobody receives?  Assignments, increments and the like use it. */
static bool produces_unused_value(CXCursor c) {
    for (;;) {
        c = strip_parens(c);
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k == CXCursor_CallExpr || k == CXCursor_StmtExpr) return true;
        if (k == CXCursor_UnaryOperator && clang_getCursorUnaryOperatorKind(c) == CXUnaryOperator_Extension) {
            cursor_list kids = code_children_of(c);
            bool one = kids.n == 1;
            CXCursor next = one ? kids.items[0] : clang_getNullCursor();
            free(kids.items);
            if (!one) return false;
            c = next;
            continue;
        }
        return false;
    }
}

static void lower_stmt(builder *b, CXCursor c) {
    enum CXCursorKind k = clang_getCursorKind(c);
    switch (k) {
    case CXCursor_CompoundStmt: {
        cursor_list kids = code_children_of(c);
        for (int i = 0; i < kids.n; i++) lower_stmt(b, kids.items[i]);
        free(kids.items);
        return;
    }
    case CXCursor_DeclStmt:
        lower_decl_stmt(b, c);
        return;
    case CXCursor_IfStmt: {
        cursor_list kids = code_children_of(c);
        if (kids.n >= 2) {
            int t = new_block(b), f = new_block(b), after = kids.n >= 3 ? new_block(b) : f;
            lower_cond(b, kids.items[0], t, f);
            set_block(b, t);
            lower_stmt(b, kids.items[1]);
            goto_block(b, after);
            if (kids.n >= 3) {
                set_block(b, f);
                lower_stmt(b, kids.items[2]);
                goto_block(b, after);
            }
            set_block(b, after);
        }
        free(kids.items);
        return;
    }
    case CXCursor_WhileStmt: {
        cursor_list kids = code_children_of(c);
        if (kids.n >= 2) {
            int head = new_block(b), body = new_block(b), after = new_block(b);
            goto_block(b, head);
            set_block(b, head);
            lower_cond(b, kids.items[kids.n - 2], body, after);
            set_block(b, body);
            push_jumps(b, after, head);
            lower_stmt(b, kids.items[kids.n - 1]);
            b->njumps--;
            goto_block(b, head);
            set_block(b, after);
        }
        free(kids.items);
        return;
    }
    case CXCursor_DoStmt: {
        cursor_list kids = code_children_of(c);
        if (kids.n >= 2) {
            int body = new_block(b), test = new_block(b), after = new_block(b);
            goto_block(b, body);
            set_block(b, body);
            push_jumps(b, after, test);
            lower_stmt(b, kids.items[0]);
            b->njumps--;
            goto_block(b, test);
            set_block(b, test);
            lower_cond(b, kids.items[1], body, after);
            set_block(b, after);
        }
        free(kids.items);
        return;
    }
    case CXCursor_ForStmt:
        lower_for(b, c);
        return;
    case CXCursor_SwitchStmt:
        lower_switch(b, c);
        return;
    case CXCursor_CaseStmt:
        lower_case(b, c, false);
        return;
    case CXCursor_DefaultStmt:
        lower_case(b, c, true);
        return;
    case CXCursor_BreakStmt:
        if (b->njumps && b->jumps[b->njumps - 1].break_to >= 0) {
            goto_block(b, b->jumps[b->njumps - 1].break_to);
            start_dead_block(b);
        }
        return;
    case CXCursor_ContinueStmt:
        for (int i = b->njumps - 1; i >= 0; i--) {
            if (b->jumps[i].continue_to >= 0) {
                goto_block(b, b->jumps[i].continue_to);
                start_dead_block(b);
                break;
            }
        }
        return;
    case CXCursor_ReturnStmt: {
        cursor_list kids = code_children_of(c);
        tl_expr *value = kids.n ? lower_expr(b, kids.items[0]) : NULL;
        free(kids.items);
        emit_return(b, value, loc_of(b, c));
        return;
    }
    case CXCursor_GotoStmt: {
        cursor_list kids = children_of(c);
        for (int i = 0; i < kids.n; i++) {
            if (clang_getCursorKind(kids.items[i]) == CXCursor_LabelRef) {
                char *name = cursor_spelling(kids.items[i]);
                goto_block(b, label_block(b, name));
                free(name);
                break;
            }
        }
        free(kids.items);
        start_dead_block(b);
        return;
    }
    case CXCursor_IndirectGotoStmt:
        /* target unknown: treat like leaving the function */
        emit_return(b, NULL, loc_of(b, c));
        return;
    case CXCursor_LabelStmt: {
        char *name = cursor_spelling(c);
        int blk = label_block(b, name);
        free(name);
        goto_block(b, blk);
        set_block(b, blk);
        cursor_list kids = code_children_of(c);
        if (kids.n) lower_stmt(b, kids.items[kids.n - 1]);
        free(kids.items);
        return;
    }
    case CXCursor_NullStmt:
    case CXCursor_GCCAsmStmt:
    case CXCursor_MSAsmStmt:
        return;
    default:
        break;
    }
    if (clang_isExpression(k)) {
        int before = b->f->ncalls;
        bool value_unused = produces_unused_value(c);
        tl_expr *e = lower_expr(b, c);
        /* the value of a call or statement-expression statement is discarded */
        int call = -1;
        if (e->kind == TL_E_CALLRES) call = e->call_id;
        else if (e->kind == TL_E_VAR) call = temp_src(b, e->var);
        if (value_unused && call >= before) {
            tl_instr *in = call_instr(b, call);
            if (in) in->call.discarded = true;
        }
        if (e->kind == TL_E_CALLRES) {
            tl_expr_free(e);
        } else {
            tl_instr *in = tl_block_add_instr(cur_block(b), TL_I_USE);
            in->loc = loc_of(b, c);
            in->value = e;
        }
        return;
    }
    /* unknown statement kinds: lower what is inside */
    cursor_list kids = code_children_of(c);
    for (int i = 0; i < kids.n; i++) lower_stmt(b, kids.items[i]);
    free(kids.items);
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
        models[id] = entry_before_spawn(b, call_instr(b, id));
        if (models[id]) tl_str_map_set(&wanted, models[id]->spawn.entry_before_call, INT_MAX);
    }
    if (tl_str_map_count(&wanted) == 0) goto done;
    for (int id = f->ncalls - 1; id >= 0; id--) {
        int next = models[id] ? tl_str_map_get(&wanted, models[id]->spawn.entry_before_call) : INT_MAX;
        next_entry_before[id] = next == INT_MAX ? -1 : next;
        const char *callee = call_instr(b, id)->call.callee;
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
            tl_instr *entry = call_instr(b, epi - 1);
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

    f->loc = loc_of(b, fn);
    f->is_static = clang_Cursor_getStorageClass(fn) == CX_SC_Static;
    f->returns_pointer = type_is_pointer(clang_getResultType(clang_getCursorType(fn)));
    int nparams = clang_Cursor_getNumArguments(fn);
    for (int i = 0; i < nparams; i++) var_for_decl(b, clang_Cursor_getArgument(fn, i));
    f->nparams = f->nvars;

    f->entry = new_block(b);
    f->exit = new_block(b);
    f->blocks[f->exit].term = TL_T_EXIT;
    set_block(b, f->entry);

    cursor_list kids = children_of(fn);
    CXCursor body = clang_getNullCursor();
    for (int i = 0; i < kids.n; i++)
        if (clang_getCursorKind(kids.items[i]) == CXCursor_CompoundStmt) body = kids.items[i];
    free(kids.items);
    if (!clang_Cursor_isNull(body)) {
        CXSourceRange ext = clang_getCursorExtent(body);
        f->end_loc = loc_of_location(b, clang_getRangeEnd(ext));
        if (f->end_loc.col > 1) f->end_loc.col--; /* the range end is one past the brace */
        lower_stmt(b, body);
    }
    /* falling off the end returns */
    emit_return(b, NULL, f->end_loc);
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
                tu->error_funcs[tu->nerror_funcs].name = cursor_spelling(c);
                tu->error_funcs[tu->nerror_funcs++].loc = loc_of(l->b, c);
            }
        } else if (in_main_file(l, c)) {
            add_function(l, c, false);
        } else if (project_header_function(c)) {
            builder *b = l->b;
            char *name = cursor_spelling(c);
            if (tl_str_map_get(&b->hdr_index, name) < 0) {
                b->hdr_fns = tl_xgrow(b->hdr_fns, b->nhdr, &b->caphdr, sizeof *b->hdr_fns);
                tl_str_map_add(&b->hdr_index, name, b->nhdr);
                b->hdr_fns[b->nhdr++] = c;
            }
            free(name);
        }
    } else if (k == CXCursor_VarDecl) {
        /* command tables and ops structs: functions stored into fields */
        CXCursor init = clang_Cursor_getVarDeclInitializer(c);
        if (!clang_Cursor_isNull(init) && clang_getCursorKind(strip_init(init)) == CXCursor_InitListExpr &&
            in_main_file(l, c))
            record_init_stores(l->b, strip_init(init), 0);
    }
    return CXChildVisit_Continue;
}

int tl_frontend_lower(CXTranslationUnit ctu, const tl_model_set *models, tl_tu *out) {
    builder b;
    memset(&b, 0, sizeof b);
    b.ctu = ctu;
    b.models = models;
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
    clang_visitChildren(clang_getTranslationUnitCursor(ctu), collect_function, &fns);
    tl_error_spots_free(&fns.errors);
    for (int i = 0; i < fns.n; i++) {
        char *name = cursor_spelling(fns.fns[i]);
        tl_tu_add_func(out, name);
        tl_str_map_add(&b.fn_index, name, i); /* the first definition wins */
        free(name);
    }
    b.next_index = fns.n;
    for (int i = 0; i < fns.n; i++) {
        lower_function(&b, fns.fns[i], i);
        out->funcs[i].in_header = fns.in_header[i];
        out->funcs[i].usr = cursor_usr(fns.fns[i]);
    }
    /* the header functions referred to, and those they refer to, in the
       order they were scheduled (their indices); each batch is added to the
       TU before it is lowered, as lowering may schedule more */
    for (int done = 0; done < b.nscheduled;) {
        int end = b.nscheduled;
        for (int k = done; k < end; k++) {
            char *name = cursor_spelling(b.hdr_fns[b.scheduled[k]]);
            tl_tu_add_func(out, name);
            free(name);
        }
        for (int k = done; k < end; k++) {
            int index = fns.n + k;
            CXCursor fn = b.hdr_fns[b.scheduled[k]];
            lower_function(&b, fn, index);
            out->funcs[index].in_header = true;
            out->funcs[index].usr = cursor_usr(fn);
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
    return 0;
}
