/* cfg_stmt.c - lowers C statements into the CFG (part of the CFG builder).
 *
 * Statements become blocks and edges: if/else, loops, switch/case, break,
 * continue, goto/labels, return, declarations with their initializers.
 * Expressions and conditions are lowered by cfg_expr.c; the function-level
 * driver is cfg_builder.c; the shared builder state is in cfg_internal.h.
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
    blk = cfgb_new_block(b);
    tl_str_map_add(&b->labels, name, blk);
    return blk;
}

void cfgb_emit_return(builder *b, tl_expr *value, tl_loc loc) {
    tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_RETURN);
    in->loc = loc;
    in->value = value;
    tl_block *blk = cfgb_cur_block(b);
    blk->term = TL_T_EXIT;
    blk->term_loc = loc;
    tl_block_add_succ(b->f, b->cur, b->f->exit);
    cfgb_start_dead_block(b);
}

/* `return c ? a : b;` is lowered as `if (c) return a; else return b;`
 * (nested ones too, 16 deep): each side's return is its own, so the
 * analyses see `return -1` on the failing side of `return fl < 0 ? -1 :
 * fcntl(...)` and the handle returned on one side of `return ok ? h : 0`.
 * The same paths and values as through a temporary. */
#define RETURN_SPLIT_DEPTH 16

static void lower_return(builder *b, CXCursor value, tl_loc loc, int depth, int split) {
    CXCursor s = cfgb_strip_parens(value);
    if (depth < RETURN_SPLIT_DEPTH && clang_getCursorKind(s) == CXCursor_ConditionalOperator) {
        cursor_list kids = cfgb_code_children_of(s);
        if (kids.n == 3) {
            if (!split) split = ++b->return_splits;
            int t = cfgb_new_block(b), f = cfgb_new_block(b);
            cfgb_lower_cond(b, kids.items[0], t, f);
            cfgb_set_block(b, t);
            lower_return(b, kids.items[1], loc, depth + 1, split);
            cfgb_set_block(b, f);
            lower_return(b, kids.items[2], loc, depth + 1, split);
            free(kids.items);
            return;
        }
        free(kids.items);
    }
    tl_expr *v = cfgb_lower_expr(b, value);
    int at = b->cur; /* (the value's own branches may have moved it) */
    cfgb_emit_return(b, v, loc);
    if (split) {
        tl_block *blk = &b->f->blocks[at];
        blk->instrs[blk->ninstrs - 1].return_arm = split;
    }
}

static void lower_decl_stmt(builder *b, CXCursor c) {
    cursor_list decls = cfgb_children_of(c);
    for (int i = 0; i < decls.n; i++) {
        CXCursor d = decls.items[i];
        if (clang_getCursorKind(d) != CXCursor_VarDecl) continue;
        cfgb_note_init_fn_refs(b, d); /* a function's address in any initializer */
        enum CX_StorageClass sc = clang_Cursor_getStorageClass(d);
        if (sc == CX_SC_Static || sc == CX_SC_Extern) {
            cfgb_var_for_decl(b, d); /* initialised once, not on this path */
            cfgb_note_var_init(b, d);
            CXCursor sinit = clang_Cursor_getVarDeclInitializer(d);
            if (!clang_Cursor_isNull(sinit) && clang_getCursorKind(cfgb_strip_init(sinit)) == CXCursor_InitListExpr)
                cfgb_record_init_stores(b, cfgb_strip_init(sinit), 0);
            continue;
        }
        int v = cfgb_declare_local(b, d);
        CXCursor init = clang_Cursor_getVarDeclInitializer(d);
        tl_loc loc = cfgb_loc_of(b, d);
        if (!clang_Cursor_isNull(init)) {
            tl_expr *value = cfgb_lower_expr(b, init);
            tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_ASSIGN);
            in->loc = loc;
            in->var = v;
            in->value = value;
            if (b->f->vars[v].kind == TL_VAR_TEMP)
                cfgb_set_temp_src(b, v, value->kind == TL_E_CALLRES ? value->call_id : -1);
            if (b->f->vars[v].is_record && clang_getCursorKind(cfgb_strip_init(init)) == CXCursor_InitListExpr)
                cfgb_emit_field_inits(b, v, cfgb_strip_init(init), loc);
        } else {
            tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_DECL);
            in->loc = loc;
            in->var = v;
        }
    }
    free(decls.items);
}

/* For statements: libclang drops absent parts, so place each child by where it
 * starts relative to the two ';' of the header. */
static void lower_for(builder *b, CXCursor c) {
    cursor_list kids = cfgb_code_children_of(c);
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

    if (!clang_Cursor_isNull(init)) cfgb_lower_stmt(b, init);
    int head = cfgb_new_block(b), body_b = cfgb_new_block(b), step = cfgb_new_block(b), after = cfgb_new_block(b);
    cfgb_goto_block(b, head);
    cfgb_set_block(b, head);
    if (!clang_Cursor_isNull(cond)) {
        cfgb_lower_cond(b, cond, body_b, after);
    } else {
        cfgb_goto_block(b, body_b);
    }
    cfgb_set_block(b, body_b);
    push_jumps(b, after, step);
    cfgb_lower_stmt(b, body);
    b->njumps--;
    cfgb_goto_block(b, step);
    cfgb_set_block(b, step);
    if (!clang_Cursor_isNull(inc)) tl_expr_free(cfgb_lower_expr(b, inc));
    cfgb_goto_block(b, head);
    cfgb_set_block(b, after);
}

static void lower_switch(builder *b, CXCursor c) {
    cursor_list kids = cfgb_code_children_of(c);
    if (kids.n < 2) {
        free(kids.items);
        return;
    }
    tl_expr *value = cfgb_lower_expr(b, kids.items[kids.n - 2]);
    CXCursor body = kids.items[kids.n - 1];
    free(kids.items);
    int sw = b->cur;
    int after = cfgb_new_block(b);
    if (b->nswitches == b->capswitches) {
        b->capswitches = b->capswitches ? b->capswitches * 2 : 4;
        b->switches = tl_xrealloc(b->switches, (size_t)b->capswitches * sizeof *b->switches);
    }
    switch_ctx *ctx = &b->switches[b->nswitches++];
    memset(ctx, 0, sizeof *ctx);
    ctx->block = sw;
    ctx->default_target = -1;
    cfgb_start_dead_block(b); /* code before the first case is unreachable */
    push_jumps(b, after, b->njumps ? b->jumps[b->njumps - 1].continue_to : -1);
    cfgb_lower_stmt(b, body);
    b->njumps--;
    cfgb_goto_block(b, after);
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
    cfgb_set_block(b, after);
}

static void lower_case(builder *b, CXCursor c, bool is_default) {
    cursor_list kids = cfgb_code_children_of(c);
    int blk = cfgb_new_block(b);
    cfgb_goto_block(b, blk); /* fall through from the previous case */
    cfgb_set_block(b, blk);
    if (b->nswitches > 0) {
        switch_ctx *ctx = &b->switches[b->nswitches - 1];
        if (is_default) {
            ctx->default_target = blk;
        } else if (kids.n >= 1) {
            int64_t v = 0;
            if (cfgb_eval_int(kids.items[0], &v)) {
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
    if (kids.n) cfgb_lower_stmt(b, kids.items[kids.n - 1]);
    free(kids.items);
}

/* Is this expression statement a call or a GNU statement expression (go())
 * whose value nobody receives?  Assignments, increments and the like use it. */
static bool produces_unused_value(CXCursor c) {
    for (;;) {
        c = cfgb_strip_parens(c);
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k == CXCursor_CallExpr || k == CXCursor_StmtExpr) return true;
        if (k == CXCursor_UnaryOperator && clang_getCursorUnaryOperatorKind(c) == CXUnaryOperator_Extension) {
            cursor_list kids = cfgb_code_children_of(c);
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

void cfgb_lower_stmt(builder *b, CXCursor c) {
    enum CXCursorKind k = clang_getCursorKind(c);
    switch (k) {
    case CXCursor_CompoundStmt: {
        cursor_list kids = cfgb_code_children_of(c);
        for (int i = 0; i < kids.n; i++) cfgb_lower_stmt(b, kids.items[i]);
        free(kids.items);
        return;
    }
    case CXCursor_DeclStmt:
        lower_decl_stmt(b, c);
        return;
    case CXCursor_IfStmt: {
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n >= 2) {
            int t = cfgb_new_block(b), f = cfgb_new_block(b), after = kids.n >= 3 ? cfgb_new_block(b) : f;
            cfgb_lower_cond(b, kids.items[0], t, f);
            cfgb_set_block(b, t);
            cfgb_lower_stmt(b, kids.items[1]);
            cfgb_goto_block(b, after);
            if (kids.n >= 3) {
                cfgb_set_block(b, f);
                cfgb_lower_stmt(b, kids.items[2]);
                cfgb_goto_block(b, after);
            }
            cfgb_set_block(b, after);
        }
        free(kids.items);
        return;
    }
    case CXCursor_WhileStmt: {
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n >= 2) {
            int head = cfgb_new_block(b), body = cfgb_new_block(b), after = cfgb_new_block(b);
            cfgb_goto_block(b, head);
            cfgb_set_block(b, head);
            cfgb_lower_cond(b, kids.items[kids.n - 2], body, after);
            cfgb_set_block(b, body);
            push_jumps(b, after, head);
            cfgb_lower_stmt(b, kids.items[kids.n - 1]);
            b->njumps--;
            cfgb_goto_block(b, head);
            cfgb_set_block(b, after);
        }
        free(kids.items);
        return;
    }
    case CXCursor_DoStmt: {
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n >= 2) {
            int body = cfgb_new_block(b), test = cfgb_new_block(b), after = cfgb_new_block(b);
            cfgb_goto_block(b, body);
            cfgb_set_block(b, body);
            push_jumps(b, after, test);
            cfgb_lower_stmt(b, kids.items[0]);
            b->njumps--;
            cfgb_goto_block(b, test);
            cfgb_set_block(b, test);
            cfgb_lower_cond(b, kids.items[1], body, after);
            cfgb_set_block(b, after);
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
            cfgb_goto_block(b, b->jumps[b->njumps - 1].break_to);
            cfgb_start_dead_block(b);
        }
        return;
    case CXCursor_ContinueStmt:
        for (int i = b->njumps - 1; i >= 0; i--) {
            if (b->jumps[i].continue_to >= 0) {
                cfgb_goto_block(b, b->jumps[i].continue_to);
                cfgb_start_dead_block(b);
                break;
            }
        }
        return;
    case CXCursor_ReturnStmt: {
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n) lower_return(b, kids.items[0], cfgb_loc_of(b, c), 0, 0);
        else cfgb_emit_return(b, NULL, cfgb_loc_of(b, c));
        free(kids.items);
        return;
    }
    case CXCursor_GotoStmt: {
        cursor_list kids = cfgb_children_of(c);
        for (int i = 0; i < kids.n; i++) {
            if (clang_getCursorKind(kids.items[i]) == CXCursor_LabelRef) {
                char *name = cfgb_cursor_spelling(kids.items[i]);
                cfgb_goto_block(b, label_block(b, name));
                free(name);
                break;
            }
        }
        free(kids.items);
        cfgb_start_dead_block(b);
        return;
    }
    case CXCursor_IndirectGotoStmt:
        /* target unknown: treat like leaving the function */
        cfgb_emit_return(b, NULL, cfgb_loc_of(b, c));
        return;
    case CXCursor_LabelStmt: {
        char *name = cfgb_cursor_spelling(c);
        int blk = label_block(b, name);
        free(name);
        cfgb_goto_block(b, blk);
        cfgb_set_block(b, blk);
        cursor_list kids = cfgb_code_children_of(c);
        if (kids.n) cfgb_lower_stmt(b, kids.items[kids.n - 1]);
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
        tl_expr *e = cfgb_lower_expr(b, c);
        /* the value of a call or statement-expression statement is discarded */
        int call = -1;
        if (e->kind == TL_E_CALLRES) call = e->call_id;
        else if (e->kind == TL_E_VAR) call = cfgb_temp_src(b, e->var);
        if (value_unused && call >= before) {
            tl_instr *in = cfgb_call_instr(b, call);
            if (in) in->call.discarded = true;
        }
        if (e->kind == TL_E_CALLRES) {
            tl_expr_free(e);
        } else {
            tl_instr *in = tl_block_add_instr(cfgb_cur_block(b), TL_I_USE);
            in->loc = cfgb_loc_of(b, c);
            in->value = e;
        }
        return;
    }
    /* unknown statement kinds: lower what is inside */
    cursor_list kids = cfgb_code_children_of(c);
    for (int i = 0; i < kids.n; i++) cfgb_lower_stmt(b, kids.items[i]);
    free(kids.items);
}
