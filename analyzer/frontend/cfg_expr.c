/* cfg_expr.c - lowers C expressions into the IR (part of the CFG builder).
 *
 * Expressions become expression trees, with calls and assignments emitted
 * as instructions of the current block in evaluation order; control flow
 * inside expressions (&&, ||, ?:, GNU statement expressions) is lowered into
 * blocks through synthetic temporaries.  Also here: the text of a call as
 * the user spelled it (through macros), function addresses stored into
 * fields and globals, and conditions (lowered into branch edges).  Brace
 * initializers are in cfg_init.c.  Statements inside expressions go back to cfg_stmt.c; the
 * shared builder state is in cfg_internal.h.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/xalloc.h"

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
    const char *buf = cfgb_file_contents(b, ef, &size);
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
    const char *buf = cfgb_file_contents(b, ef, &size);
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
    const char *buf = cfgb_file_contents(b, f1, &size);
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
    const char *buf = cfgb_file_contents(b, f, &size);
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


static tl_expr *lower_kid(builder *b, CXCursor c) {
    cursor_list kids = cfgb_code_children_of(c);
    tl_expr *e = kids.n ? cfgb_lower_expr(b, kids.items[kids.n - 1]) : tl_expr_new(TL_E_OTHER);
    free(kids.items);
    return e;
}

static tl_expr *lower_other(builder *b, CXCursor c) {
    tl_expr *e = tl_expr_new(TL_E_OTHER);
    cursor_list kids = cfgb_code_children_of(c);
    for (int i = 0; i < kids.n; i++) {
        enum CXCursorKind k = clang_getCursorKind(kids.items[i]);
        if (clang_isExpression(k)) tl_expr_add_kid(e, cfgb_lower_expr(b, kids.items[i]));
        else cfgb_lower_stmt(b, kids.items[i]);
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
        tl_tu_add_store(b->tu, lhs->usr, lhs->name, fn->usr, fn->name, loc, NULL, 0);
    } else if (lhs->kind == TL_E_VAR && b->f && lhs->var >= 0 && b->f->vars[lhs->var].usr) {
        const tl_var *v = &b->f->vars[lhs->var];
        tl_tu_add_store(b->tu, v->usr, v->name, fn->usr, fn->name, loc, NULL, 0);
    }
}

/* A member expression's field facts: an array-typed field (decays to a
 * pointer into the struct), a field of a system header's struct. */
void cfgb_set_field_flags(tl_expr *e, CXCursor field) {
    enum CXTypeKind k = clang_getCanonicalType(clang_getCursorType(field)).kind;
    e->field_array = k == CXType_ConstantArray || k == CXType_IncompleteArray || k == CXType_VariableArray ||
                     k == CXType_DependentSizedArray;
    e->field_system = clang_Location_isInSystemHeader(clang_getCursorLocation(field)) != 0;
    CXType t = clang_getCanonicalType(clang_getCursorType(field));
    if (t.kind == CXType_Pointer) {
        enum CXTypeKind pk = clang_getCanonicalType(clang_getPointeeType(t)).kind;
        e->field_fnptr = pk == CXType_FunctionProto || pk == CXType_FunctionNoProto;
    }
}

/* Assign `value` to the lvalue `lhs` (already lowered); returns the value of
 * the assignment expression. */
static tl_expr *emit_assign(builder *b, tl_expr *lhs, tl_expr *value, tl_loc loc) {
    note_function_store(b, lhs, value, loc);
    if (lhs->kind == TL_E_VAR) {
        tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_ASSIGN);
        in->loc = loc;
        in->var = lhs->var;
        in->value = value;
        if (b->f->vars[lhs->var].kind == TL_VAR_TEMP)
            cfgb_set_temp_src(b, lhs->var, value->kind == TL_E_CALLRES ? value->call_id : -1);
        return lhs;
    }
    tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_STORE);
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
    int tmp = cfgb_new_temp(b);
    int t = cfgb_new_block(b), f = cfgb_new_block(b), join = cfgb_new_block(b);
    tl_loc loc = cfgb_loc_of(b, c);
    cursor_list kids = cfgb_code_children_of(c);
    if (is_conditional && kids.n == 3) {
        cfgb_lower_cond(b, kids.items[0], t, f);
        cfgb_set_block(b, t);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), cfgb_lower_expr(b, kids.items[1]), loc));
        cfgb_goto_block(b, join);
        cfgb_set_block(b, f);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), cfgb_lower_expr(b, kids.items[2]), loc));
        cfgb_goto_block(b, join);
    } else {
        cfgb_lower_cond(b, c, t, f);
        cfgb_set_block(b, t);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), tl_expr_const(1), loc));
        cfgb_goto_block(b, join);
        cfgb_set_block(b, f);
        tl_expr_free(emit_assign(b, tl_expr_var(tmp), tl_expr_const(0), loc));
        cfgb_goto_block(b, join);
    }
    free(kids.items);
    cfgb_set_block(b, join);
    return tl_expr_var(tmp);
}

static tl_expr *lower_call(builder *b, CXCursor c) {
    CXCursor callee = clang_getCursorReferenced(c);
    char *name = NULL;
    if (!clang_Cursor_isNull(callee) && clang_getCursorKind(callee) == CXCursor_FunctionDecl)
        name = cfgb_cursor_spelling(callee);
    int nargs = clang_Cursor_getNumArguments(c);
    if (name && strcmp(name, "__builtin_expect") == 0 && nargs >= 1) {
        free(name);
        return cfgb_lower_expr(b, clang_Cursor_getArgument(c, 0));
    }
    tl_expr *fn_expr = NULL;
    if (!name) {
        /* indirect call: keep the callee expression (a field, a function
           pointer variable or parameter) for the program-wide call graph */
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n) fn_expr = cfgb_lower_expr(b, kids.items[0]);
        free(kids.items);
    }
    tl_expr **args = NULL;
    if (nargs > 0) {
        args = tl_xcalloc((size_t)nargs, sizeof *args);
        for (int i = 0; i < nargs; i++) args[i] = cfgb_lower_expr(b, clang_Cursor_getArgument(c, i));
    } else {
        nargs = 0;
    }
    bool literal_arg = spelled_in_macro_argument(b, c);
    tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_CALL);
    in->call.id = b->f->ncalls++;
    in->call.callee = name;
    in->call.callee_usr = name ? cfgb_decl_usr(b, callee) : NULL;
    in->call.callee_system = name && clang_Location_isInSystemHeader(clang_getCursorLocation(callee));
    in->call.fn = fn_expr;
    in->call.callee_func = name ? cfgb_find_func_index(b, name, callee) : -1;
    in->call.args = args;
    in->call.nargs = nargs;
    in->call.text = call_text(b, c, literal_arg);
    if (literal_arg) {
        /* report where the user wrote it, as compilers do for macro arguments */
        CXFile sf;
        unsigned line, col, off;
        clang_getSpellingLocation(clang_getCursorLocation(c), &sf, &line, &col, &off);
        in->loc = cfgb_loc_of(b, c);
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
        in->loc = cfgb_loc_of(b, c);
        in->call.in_macro = soff != eoff || !clang_File_isEqual(sf, ef);
        if (in->call.in_macro && name && sf) {
            /* a macro of the project's: the call's tokens are not spelled in
               a system header, nor in the file that declares the callee */
            CXFile df;
            clang_getSpellingLocation(clang_getCursorLocation(callee), &df, NULL, NULL, NULL);
            in->call.macro_project =
                !cfgb_spelled_in_system_header(b, sf, soff) &&
                !(df && clang_File_isEqual(sf, df));
        }
        if (in->call.in_macro && name && ef) at_spelled_callee(b, ef, eoff, name, &in->loc);
    }
    int id = in->call.id;
    cfgb_note_call_position(b, id, b->cur, cfgb_cur_block(b)->ninstrs - 1);
    const tl_fn_model *m = name ? tl_models_find(b->models, name) : NULL;
    if (m && m->noreturn) {
        tl_block *blk = cfgb_cur_block(b);
        blk->term = TL_T_NORETURN;
        blk->term_loc = in->loc;
        cfgb_start_dead_block(b);
    }
    return tl_expr_callres(id);
}

static tl_expr *lower_unary(builder *b, CXCursor c) {
    enum CXUnaryOperatorKind k = clang_getCursorUnaryOperatorKind(c);
    cursor_list kids = cfgb_code_children_of(c);
    CXCursor kid = kids.n ? kids.items[kids.n - 1] : clang_getNullCursor();
    free(kids.items);
    if (clang_Cursor_isNull(kid)) return tl_expr_new(TL_E_OTHER);
    switch (k) {
    case CXUnaryOperator_Extension:
    case CXUnaryOperator_Coawait:
        return cfgb_lower_expr(b, kid);
    case CXUnaryOperator_AddrOf: {
        tl_expr *e = tl_expr_new(TL_E_ADDR);
        tl_expr_add_kid(e, cfgb_lower_expr(b, kid));
        return e;
    }
    case CXUnaryOperator_Deref: {
        tl_expr *e = tl_expr_new(TL_E_DEREF);
        tl_expr_add_kid(e, cfgb_lower_expr(b, kid));
        return e;
    }
    case CXUnaryOperator_Minus: {
        tl_expr *e = cfgb_lower_expr(b, kid);
        if (e->kind == TL_E_CONST) { /* fold -1 */
            e->ival = (int64_t)(0 - (uint64_t)e->ival);
            return e;
        }
        return tl_expr_unary("-", e);
    }
    case CXUnaryOperator_Plus: return tl_expr_unary("+", cfgb_lower_expr(b, kid));
    case CXUnaryOperator_Not: return tl_expr_unary("~", cfgb_lower_expr(b, kid));
    case CXUnaryOperator_LNot: return tl_expr_unary("!", cfgb_lower_expr(b, kid));
    case CXUnaryOperator_PostInc:
    case CXUnaryOperator_PostDec:
    case CXUnaryOperator_PreInc:
    case CXUnaryOperator_PreDec: {
        tl_expr *lv = cfgb_lower_expr(b, kid);
        tl_expr *val = tl_expr_new(TL_E_OTHER);
        tl_expr_add_kid(val, tl_expr_clone(lv));
        /* the step by one (loop_trips.c); the value stays not known */
        bool up = k == CXUnaryOperator_PostInc || k == CXUnaryOperator_PreInc;
        memcpy(val->op, up ? "++" : "--", 3);
        return emit_assign(b, lv, val, cfgb_loc_of(b, c));
    }
    default: {
        tl_expr *e = tl_expr_new(TL_E_OTHER);
        tl_expr_add_kid(e, cfgb_lower_expr(b, kid));
        return e;
    }
    }
}

static tl_expr *lower_binary(builder *b, CXCursor c) {
    enum CXBinaryOperatorKind k = clang_getCursorBinaryOperatorKind(c);
    if (k == CXBinaryOperator_LAnd || k == CXBinaryOperator_LOr)
        return lower_value_by_branches(b, c, false);
    cursor_list kids = cfgb_code_children_of(c);
    if (kids.n != 2) {
        free(kids.items);
        return lower_other(b, c);
    }
    CXCursor l = kids.items[0], r = kids.items[1];
    free(kids.items);
    tl_loc loc = cfgb_loc_of(b, c);
    if (k == CXBinaryOperator_Comma) {
        tl_expr_free(cfgb_lower_expr(b, l));
        return cfgb_lower_expr(b, r);
    }
    if (k == CXBinaryOperator_Assign) {
        tl_expr *rv = cfgb_lower_expr(b, r);
        tl_expr *lv = cfgb_lower_expr(b, l);
        return emit_assign(b, lv, rv, loc);
    }
    const char *op = binop_text(k);
    if (k >= CXBinaryOperator_MulAssign && k <= CXBinaryOperator_OrAssign && op) {
        tl_expr *rv = cfgb_lower_expr(b, r);
        tl_expr *lv = cfgb_lower_expr(b, l);
        tl_expr *val = tl_expr_binary(op, tl_expr_clone(lv), rv);
        return emit_assign(b, lv, val, loc);
    }
    tl_expr *le = cfgb_lower_expr(b, l);
    tl_expr *re = cfgb_lower_expr(b, r);
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
        return tl_expr_var(cfgb_var_for_decl(b, d));
    case CXCursor_EnumConstantDecl:
        return tl_expr_const(clang_getEnumConstantDeclValue(d));
    case CXCursor_FunctionDecl: {
        char *name = cfgb_cursor_spelling(d);
        tl_expr *e = tl_expr_func(name, cfgb_find_func_index(b, name, d));
        e->usr = cfgb_decl_usr(b, d);
        free(name);
        return e;
    }
    default:
        return tl_expr_new(TL_E_OTHER);
    }
}

static tl_expr *lower_stmt_expr(builder *b, CXCursor c) {
    cursor_list kids = cfgb_code_children_of(c);
    tl_expr *value = NULL;
    b->stmt_expr_depth++;
    if (kids.n == 1 && clang_getCursorKind(kids.items[0]) == CXCursor_CompoundStmt) {
        cursor_list stmts = cfgb_code_children_of(kids.items[0]);
        for (int i = 0; i < stmts.n; i++) {
            CXCursor s = stmts.items[i];
            if (i == stmts.n - 1 && clang_isExpression(clang_getCursorKind(s))) value = cfgb_lower_expr(b, s);
            else cfgb_lower_stmt(b, s);
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
    if (cfgb_type_is_pointer(to) && kid->kind == TL_E_CONST && kid->ival == 0) {
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

/* "/..." of at most TL_STRING_TEXT_MAX bytes, printable, no escapes: a path
 * some models judge by (open("/proc/self/stat"): immediate_path) */
static bool maybe_path_literal(const char *spelled) {
    size_t n = strlen(spelled);
    if (n < 4 || n > TL_STRING_TEXT_MAX || spelled[0] != '"' || spelled[1] != '/' || spelled[n - 1] != '"') return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (spelled[i] < 0x21 || spelled[i] > 0x7e || spelled[i] == '"' || spelled[i] == '\\') return false;
    return true;
}

/* "..." of at most TL_STRING_TEXT_MAX bytes spelling a name (letters,
 * digits, '-', '_', '.', ':'): an option some models judge by
 * (nng_socket_set_ms(s, "recv-timeout", ...): deadline_option) */
static bool maybe_name_literal(const char *spelled) {
    size_t n = strlen(spelled);
    if (n < 3 || n > TL_STRING_TEXT_MAX || spelled[0] != '"' || spelled[n - 1] != '"') return false;
    for (size_t i = 1; i + 1 < n; i++) {
        char ch = spelled[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' ||
              ch == '_' || ch == '.' || ch == ':'))
            return false;
    }
    return true;
}

static tl_expr *lower_expr_kind(builder *b, CXCursor c) {
    enum CXCursorKind k = clang_getCursorKind(c);
    switch (k) {
    case CXCursor_IntegerLiteral: {
        int64_t v;
        if (literal_value(b, c, &v) || cfgb_eval_int(c, &v)) return tl_expr_const(v);
        return tl_expr_new(TL_E_OTHER);
    }
    case CXCursor_CharacterLiteral: {
        int64_t v;
        if (cfgb_eval_int(c, &v)) return tl_expr_const(v);
        return tl_expr_new(TL_E_OTHER);
    }
    case CXCursor_StringLiteral: {
        /* keep the text (its spelling, quotes included) of a literal that
           may spell a numeric address (such a name needs no lookup), an
           absolute path (a pseudo-file) or an option name (a socket's
           deadline): model facets read it; other
           literals stay anonymous, which keeps the IR small */
        tl_expr *e = tl_expr_new(TL_E_STRING);
        long long size = clang_getArraySize(clang_getCursorType(c)); /* bytes, with the NUL */
        e->ival = size > 0 ? size : 0;
        char *text = cfgb_cursor_spelling(c);
        if (maybe_address_literal(text) || maybe_path_literal(text) || maybe_name_literal(text)) e->name = text;
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
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n == 1) {
            free(kids.items);
            return lower_cast(b, c, false);
        }
        free(kids.items);
        return lower_other(b, c);
    }
    case CXCursor_CStyleCastExpr: {
        if (cfgb_type_is_void(clang_getCursorType(c))) {
            tl_expr *kid = lower_kid(b, c);
            int call = -1;
            if (kid->kind == TL_E_CALLRES) call = kid->call_id;
            else if (kid->kind == TL_E_VAR) call = cfgb_temp_src(b, kid->var);
            if (call >= 0) {
                tl_instr *in = cfgb_call_instr(b, call);
                if (in) in->call.void_cast = in->call.discarded = true;
            }
            return kid;
        }
        return lower_cast(b, c, true);
    }
    case CXCursor_DeclRefExpr:
        return lower_decl_ref(b, c);
    case CXCursor_MemberRefExpr: {
        cursor_list kids = cfgb_code_children_of(c);
        tl_expr *e = tl_expr_new(TL_E_MEMBER);
        e->name = cfgb_cursor_spelling(c);
        CXCursor field = clang_getCursorReferenced(c);
        if (!clang_Cursor_isNull(field) && clang_getCursorKind(field) == CXCursor_FieldDecl) {
            e->usr = cfgb_decl_usr(b, field);
            cfgb_set_field_flags(e, field);
        }
        if (kids.n) {
            e->arrow = cfgb_type_is_pointer(clang_getCursorType(kids.items[0]));
            tl_expr_add_kid(e, cfgb_lower_expr(b, kids.items[0]));
        }
        free(kids.items);
        return e;
    }
    case CXCursor_ArraySubscriptExpr: {
        cursor_list kids = cfgb_code_children_of(c);
        tl_expr *e = tl_expr_new(TL_E_INDEX);
        for (int i = 0; i < kids.n && i < 2; i++) tl_expr_add_kid(e, cfgb_lower_expr(b, kids.items[i]));
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
        cfgb_record_init_stores(b, c, 0);
        return lower_other(b, c);
    case CXCursor_UnaryExpr: {
        int64_t v;
        if (cfgb_eval_int(c, &v)) return tl_expr_const(v);
        return tl_expr_new(TL_E_OTHER); /* sizeof does not evaluate its operand */
    }
    default:
        return lower_other(b, c);
    }
}

tl_expr *cfgb_lower_expr(builder *b, CXCursor c) {
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

CXCursor cfgb_strip_parens(CXCursor c) {
    for (;;) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k != CXCursor_ParenExpr && k != CXCursor_UnexposedExpr) return c;
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n != 1) {
            free(kids.items);
            return c;
        }
        CXCursor next = kids.items[0];
        free(kids.items);
        c = next;
    }
}

/* `__builtin_expect(E, k)` (likely(), unlikely()) and `!!E`: E, whose
 * truth the condition is; else a null cursor. */
static CXCursor truth_of(CXCursor s) {
    enum CXCursorKind k = clang_getCursorKind(s);
    if (k == CXCursor_CallExpr && clang_Cursor_getNumArguments(s) >= 1) {
        CXCursor callee = clang_getCursorReferenced(s);
        char *name = clang_Cursor_isNull(callee) ? NULL : cfgb_cursor_spelling(callee);
        bool expect = name && strcmp(name, "__builtin_expect") == 0;
        free(name);
        if (expect) return clang_Cursor_getArgument(s, 0);
    }
    if (k == CXCursor_UnaryOperator && clang_getCursorUnaryOperatorKind(s) == CXUnaryOperator_LNot) {
        cursor_list kids = cfgb_code_children_of(s);
        CXCursor inner = kids.n == 1 ? cfgb_strip_parens(kids.items[0]) : clang_getNullCursor();
        free(kids.items);
        if (!clang_Cursor_isNull(inner) && clang_getCursorKind(inner) == CXCursor_UnaryOperator &&
            clang_getCursorUnaryOperatorKind(inner) == CXUnaryOperator_LNot) {
            kids = cfgb_code_children_of(inner);
            CXCursor e = kids.n == 1 ? kids.items[0] : clang_getNullCursor();
            free(kids.items);
            return e;
        }
    }
    return clang_getNullCursor();
}

/* `!(a && b)`, `!(a || b)`: the operand, whose edges are swapped; else a
 * null cursor (a plain `!x` stays one test). */
static CXCursor negated_logic(CXCursor s) {
    if (clang_getCursorKind(s) != CXCursor_UnaryOperator ||
        clang_getCursorUnaryOperatorKind(s) != CXUnaryOperator_LNot)
        return clang_getNullCursor();
    cursor_list kids = cfgb_code_children_of(s);
    CXCursor inner = kids.n == 1 ? cfgb_strip_parens(kids.items[0]) : clang_getNullCursor();
    free(kids.items);
    if (clang_Cursor_isNull(inner) || clang_getCursorKind(inner) != CXCursor_BinaryOperator) return clang_getNullCursor();
    enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(inner);
    return op == CXBinaryOperator_LAnd || op == CXBinaryOperator_LOr ? inner : clang_getNullCursor();
}

/* Lower condition `c`, ending the current block with edges to t (true) and f.
 * `&&` and `||` become branches of their own, also under
 * `__builtin_expect()` (likely()/unlikely() macros), `!!` and a `!` around
 * them. */
void cfgb_lower_cond(builder *b, CXCursor c, int t, int f) {
    CXCursor s = cfgb_strip_parens(c);
    enum CXCursorKind k = clang_getCursorKind(s);
    if (b->expr_depth < MAX_EXPR_DEPTH) {
        CXCursor e = truth_of(s);
        bool swap = false;
        if (clang_Cursor_isNull(e)) {
            e = negated_logic(s);
            swap = true;
        }
        if (!clang_Cursor_isNull(e)) {
            b->expr_depth++;
            cfgb_lower_cond(b, e, swap ? f : t, swap ? t : f);
            b->expr_depth--;
            return;
        }
    }
    if (k == CXCursor_BinaryOperator && b->expr_depth < MAX_EXPR_DEPTH) {
        enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(s);
        if (op == CXBinaryOperator_LAnd || op == CXBinaryOperator_LOr) {
            cursor_list kids = cfgb_code_children_of(s);
            if (kids.n == 2) {
                int mid = cfgb_new_block(b);
                b->expr_depth++;
                if (op == CXBinaryOperator_LAnd) cfgb_lower_cond(b, kids.items[0], mid, f);
                else cfgb_lower_cond(b, kids.items[0], t, mid);
                cfgb_set_block(b, mid);
                cfgb_lower_cond(b, kids.items[1], t, f);
                b->expr_depth--;
                free(kids.items);
                return;
            }
            free(kids.items);
        }
    }
    tl_loc loc = cfgb_loc_of(b, c);
    tl_expr *e = cfgb_lower_expr(b, c);
    tl_block *blk = cfgb_cur_block(b);
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
