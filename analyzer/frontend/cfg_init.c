/* cfg_init.c - brace initializers and static initial values (part of the
 * CFG builder).
 *
 * Functions stored into struct fields by a brace initializer
 * (`{.read = r}`, tl_tu.stores), the initial values of global and field
 * descriptor slots (tl_tu.init_slots), and the stores of a local record's
 * initializer that model facets read (`struct pollfd p = {.fd = fd}`).
 * cfg_builder.c (globals), cfg_stmt.c (declarations) and cfg_expr.c (a
 * brace list met as an expression) call the entry points declared in
 * cfg_internal.h.
 */
#include "cfg_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/xalloc.h"

/* ---- brace initializers ---- */


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

CXCursor cfgb_strip_init(CXCursor c) {
    for (int guard = 0; guard < 64; guard++) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k != CXCursor_UnexposedExpr && k != CXCursor_ParenExpr && k != CXCursor_CStyleCastExpr &&
            k != CXCursor_UnaryOperator)
            return c;
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n != 1) {
            free(kids.items);
            return c;
        }
        c = kids.items[0];
        free(kids.items);
    }
    return c;
}

/* Initial values of descriptor slot `key` in `init` (an array's elements
 * too): one that is not a constant <= 0 is noted (tl_tu.init_slots). */
static void note_init_values(builder *b, CXCursor init, const char *key, bool internal, int depth) {
    CXCursor v = cfgb_strip_init(init);
    if (clang_getCursorKind(v) == CXCursor_InitListExpr) {
        if (depth > 32) return;
        cursor_list kids = cfgb_children_of(v);
        for (int i = 0; i < kids.n; i++) note_init_values(b, kids.items[i], key, internal, depth + 1);
        free(kids.items);
        return;
    }
    int64_t iv; /* (the whole initializer: stripping would drop a unary minus) */
    if (!cfgb_eval_int(init, &iv) || iv > 0) tl_tu_add_init_slot(b->tu, key, internal);
}

/* A function whose address an initializer takes (`handler_t tbl[] = {on_a,
 * on_b}`) may be called through a pointer: its parameters' descriptor facts
 * are "anything else" (the pseudo-slot "p:USR#*", fdstate_slots.c); named
 * directly at a function-pointer field of a struct (`.create = conn_create`)
 * it is called through that field: "p:USR#=FIELD" (note_field_fn). */
static enum CXChildVisitResult note_fn_refs(CXCursor c, CXCursor parent, CXClientData data);

/* The function a field initializer names directly (`.create = f`, `{f}` at
 * a function-pointer field of the program's struct): it is stored into that
 * field only - "p:USR#=FIELD" (fdstate_slots.c: its parameters take what
 * the calls through the field pass); false for any other value. */
static bool note_field_fn(builder *b, CXCursor field, CXCursor value) {
    CXCursor v = cfgb_strip_init(value);
    if (clang_Cursor_isNull(field) || clang_getCursorKind(field) != CXCursor_FieldDecl ||
        clang_getCursorKind(v) != CXCursor_DeclRefExpr ||
        clang_Location_isInSystemHeader(clang_getCursorLocation(field)))
        return false;
    CXCursor fn = clang_getCursorReferenced(v);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl) return false;
    char *fn_usr = cfgb_cursor_usr(fn), *field_usr = cfgb_cursor_usr(field);
    bool ok = fn_usr && fn_usr[0] && field_usr && field_usr[0] && strlen(fn_usr) < 200 && strlen(field_usr) < 200 &&
              !strchr(field_usr, '#');
    if (ok) {
        char key[420];
        snprintf(key, sizeof key, "p:%s#=%s", fn_usr, field_usr);
        tl_tu_add_init_slot(b->tu, key, true);
    }
    free(fn_usr);
    free(field_usr);
    return ok;
}

/* One element of a brace initializer of a record: the field it
 * initialises (null when none is known), its value in *value, and in
 * *nested whether its designator is nested (`.a.b = x`: the field is `a`'s,
 * not the one set).  A designator moves *pos to its field, as C does for
 * the positional elements after it; a positional element takes the field
 * at *pos. */
static CXCursor init_element_field(CXCursor kid, const field_list *fl, int *pos, CXCursor *value,
                                   bool *nested) {
    CXCursor field = clang_getNullCursor();
    *value = kid;
    *nested = false;
    cursor_list parts = cfgb_children_of(kid);
    if (clang_getCursorKind(kid) == CXCursor_UnexposedExpr && parts.n >= 2 &&
        clang_getCursorKind(parts.items[0]) == CXCursor_MemberRef) {
        CXCursor d = clang_getCursorReferenced(parts.items[0]);
        for (int f = 0; f < fl->n; f++)
            if (clang_equalCursors(fl->fields[f], d)) *pos = f;
        *nested = parts.n != 2;
        field = d;
        *value = parts.items[parts.n - 1];
    } else if (*pos < fl->n) {
        field = fl->fields[*pos];
    }
    free(parts.items);
    return field;
}

/* A brace initializer of a record: field by field, as cfgb_record_init_stores
 * walks it; a function named directly at a field is noted as stored there. */
static void note_record_fn_refs(builder *b, CXCursor init) {
    CXType t = clang_getCanonicalType(clang_getCursorType(init));
    field_list fl = {0};
    clang_Type_visitFields(t, collect_field, &fl);
    cursor_list kids = cfgb_children_of(init);
    int pos = 0;
    for (int i = 0; i < kids.n; i++) {
        CXCursor kid = kids.items[i], value;
        bool nested;
        CXCursor field = init_element_field(kid, &fl, &pos, &value, &nested);
        if (nested) field = clang_getNullCursor(); /* not this field's value */
        if (!note_field_fn(b, field, value) && note_fn_refs(kid, init, b) == CXChildVisit_Recurse)
            clang_visitChildren(kid, note_fn_refs, b);
        pos++;
    }
    free(kids.items);
    free(fl.fields);
}

static enum CXChildVisitResult note_fn_refs(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    if (clang_getCursorKind(c) == CXCursor_InitListExpr &&
        clang_getCanonicalType(clang_getCursorType(c)).kind == CXType_Record &&
        clang_getCursorKind(clang_getTypeDeclaration(clang_getCanonicalType(clang_getCursorType(c)))) ==
            CXCursor_StructDecl) { /* (not a union: another member could call it) */
        note_record_fn_refs((builder *)data, c);
        return CXChildVisit_Continue;
    }
    /* `int s = make_socket()`, `struct event *e = event_new(b, fd, EV_READ,
       cb, &x)`: a call, found only in a local's initializer, is lowered as a
       call instruction, whose arguments the descriptor analysis reads itself
       (fdstate_slots.c: a callback handed to a registration with its data) */
    if (clang_getCursorKind(c) == CXCursor_CallExpr) return CXChildVisit_Continue;
    if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
        CXCursor fn = clang_getCursorReferenced(c);
        if (clang_getCursorKind(fn) == CXCursor_FunctionDecl) {
            char *usr = cfgb_cursor_usr(fn);
            if (usr && usr[0] && strlen(usr) < 250) {
                char key[264];
                snprintf(key, sizeof key, "p:%s#*", usr);
                tl_tu_add_init_slot(((builder *)data)->tu, key, true);
            }
            free(usr);
        }
    }
    return CXChildVisit_Recurse;
}

void cfgb_note_init_fn_refs(builder *b, CXCursor decl) {
    CXCursor init = clang_Cursor_getVarDeclInitializer(decl);
    if (clang_Cursor_isNull(init)) return;
    if (note_fn_refs(init, init, b) == CXChildVisit_Recurse) clang_visitChildren(init, note_fn_refs, b);
}

void cfgb_note_var_init(builder *b, CXCursor decl) {
    CXCursor init = clang_Cursor_getVarDeclInitializer(decl);
    enum CXTypeKind tk = clang_getCanonicalType(clang_getCursorType(decl)).kind;
    if (clang_Cursor_isNull(init) || tk == CXType_Record) return; /* a record: its fields (record_field_init) */
    char *usr = cfgb_cursor_usr(decl);
    if (usr && usr[0] && strlen(usr) < 250) {
        char key[264];
        snprintf(key, sizeof key, "g:%s", usr);
        note_init_values(b, init, key, clang_getCursorLinkage(decl) != CXLinkage_External, 0);
    }
    free(usr);
}

/* The integer constants a struct's brace initializer gives its integer
 * fields, an omitted field counting as 0 (C zeroes it): what the link
 * matches a dispatch's field tests against (field_guards.h).  At most
 * TL_STORE_CONSTS_MAX, the written ones first; *n of them. */
typedef struct {
    tl_field_const v[TL_STORE_CONSTS_MAX];
    int n;
} init_consts;

static bool integer_field(CXCursor field) {
    enum CXTypeKind k = clang_getCanonicalType(clang_getCursorType(field)).kind;
    return (k >= CXType_Bool && k <= CXType_Int128) || k == CXType_Enum;
}

static void add_const(init_consts *ic, CXCursor field, int64_t value) {
    if (ic->n >= TL_STORE_CONSTS_MAX) return;
    char *usr = cfgb_cursor_usr(field);
    if (usr && usr[0] && strlen(usr) < 250) {
        ic->v[ic->n].field_usr = usr;
        ic->v[ic->n++].value = value;
    } else {
        free(usr);
    }
}

static void collect_init_consts(CXCursor init, const field_list *fl, const cursor_list *kids, init_consts *ic) {
    ic->n = 0;
    CXCursor rec = clang_getTypeDeclaration(clang_getCanonicalType(clang_getCursorType(init)));
    if (clang_getCursorKind(rec) != CXCursor_StructDecl || fl->n == 0) return;
    bool *written = tl_xcalloc((size_t)fl->n + 1, sizeof *written);
    int pos = 0;
    for (int i = 0; i < kids->n; i++, pos++) {
        CXCursor value;
        bool nested;
        CXCursor field = init_element_field(kids->items[i], fl, &pos, &value, &nested);
        if (pos >= 0 && pos < fl->n) written[pos] = true;
        int64_t iv;
        if (nested || clang_Cursor_isNull(field) || !integer_field(field) || !cfgb_eval_int(value, &iv)) continue;
        add_const(ic, field, iv);
    }
    for (int f = 0; f < fl->n; f++)
        if (!written[f] && integer_field(fl->fields[f])) add_const(ic, fl->fields[f], 0);
    free(written);
}

/* One initializer `value` for `field` (NULL cursor: not a record field);
 * ic: the constants of its siblings. */
static void record_field_init(builder *b, CXCursor field, CXCursor value, int depth, const init_consts *ic) {
    CXCursor v = cfgb_strip_init(value);
    enum CXCursorKind k = clang_getCursorKind(v);
    enum CXTypeKind fk = clang_getCanonicalType(clang_getCursorType(field)).kind;
    if (!clang_Cursor_isNull(field) && clang_getCursorKind(field) == CXCursor_FieldDecl && fk != CXType_Record &&
        !clang_Location_isInSystemHeader(clang_getCursorLocation(field))) {
        char *usr = cfgb_cursor_usr(field); /* a field's initial value: {.fd = s}, {.fds = {-1, -1}} */
        if (usr && usr[0] && strlen(usr) < 250) {
            char key[264];
            snprintf(key, sizeof key, "f:%s", usr);
            note_init_values(b, value, key, false, 0);
        }
        free(usr);
    }
    if (k == CXCursor_InitListExpr) {
        cfgb_record_init_stores(b, v, depth + 1);
        return;
    }
    if (k != CXCursor_DeclRefExpr || clang_Cursor_isNull(field)) return;
    CXCursor fn = clang_getCursorReferenced(v);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl) return;
    char *slot_usr = cfgb_cursor_usr(field), *fn_usr = cfgb_cursor_usr(fn);
    if (slot_usr && fn_usr) {
        char *slot = cfgb_cursor_spelling(field), *name = cfgb_cursor_spelling(fn);
        tl_tu_add_store(b->tu, slot_usr, slot, fn_usr, name, cfgb_loc_of(b, v), ic->v, ic->n);
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
void cfgb_record_init_stores(builder *b, CXCursor init, int depth) {
    if (depth > 32) return;
    CXType t = clang_getCanonicalType(clang_getCursorType(init));
    field_list fl = {0};
    if (t.kind == CXType_Record) clang_Type_visitFields(t, collect_field, &fl);
    cursor_list kids = cfgb_children_of(init);
    init_consts ic;
    collect_init_consts(init, &fl, &kids, &ic);
    int pos = 0;
    for (int i = 0; i < kids.n; i++) {
        CXCursor kid = kids.items[i], value;
        bool nested; /* `.a.b = f`: recorded at a (as before) */
        CXCursor field = init_element_field(kid, &fl, &pos, &value, &nested);
        record_field_init(b, field, value, depth, &ic);
        pos++;
    }
    for (int i = 0; i < ic.n; i++) free(ic.v[i].field_usr);
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
void cfgb_emit_field_inits(builder *b, int v, CXCursor init, tl_loc loc) {
    CXType t = clang_getCanonicalType(clang_getCursorType(init));
    if (t.kind != CXType_Record) return;
    field_list fl = {0};
    clang_Type_visitFields(t, collect_field, &fl);
    cursor_list kids = cfgb_children_of(init);
    int pos = 0;
    for (int i = 0; i < kids.n; i++, pos++) {
        CXCursor value;
        bool nested;
        CXCursor field = init_element_field(kids.items[i], &fl, &pos, &value, &nested);
        if (nested) continue; /* .a.b = : not a top-level field */
        if (clang_Cursor_isNull(field)) continue;
        char *fname = cfgb_cursor_spelling(field);
        bool wanted = tl_str_map_get(&b->facet_fields, fname) >= 0;
        free(fname);
        if (!wanted) continue;
        tl_expr *val = NULL;
        int64_t iv;
        CXCursor sv = cfgb_strip_init(value);
        if (clang_getCursorKind(sv) == CXCursor_InitListExpr) continue;
        if (clang_getCursorKind(sv) == CXCursor_DeclRefExpr) {
            CXCursor d = clang_getCursorReferenced(sv);
            int w = cfgb_vm_get(&b->vars, d);
            if (w >= 0 && (b->f->vars[w].kind == TL_VAR_LOCAL || b->f->vars[w].kind == TL_VAR_PARAM))
                val = tl_expr_var(w);
        }
        if (!val && cfgb_eval_int(value, &iv)) val = tl_expr_const(iv);
        if (!val) continue;
        tl_expr *target = tl_expr_new(TL_E_MEMBER);
        target->name = cfgb_cursor_spelling(field);
        target->usr = cfgb_cursor_usr(field);
        cfgb_set_field_flags(target, field);
        tl_expr_add_kid(target, tl_expr_var(v));
        tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_STORE);
        in->loc = loc;
        in->target = target;
        in->value = val;
    }
    free(kids.items);
    free(fl.fields);
}
