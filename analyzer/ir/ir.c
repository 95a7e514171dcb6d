/* ir.c - construction, lookup and dumping of the IR (see ir.h). */
#include "ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

/* ---- expressions ---- */

tl_expr *tl_expr_new(tl_expr_kind kind) {
    tl_expr *e = tl_xcalloc(1, sizeof *e);
    e->kind = kind;
    e->var = -1;
    e->call_id = -1;
    e->func = -1;
    return e;
}

tl_expr *tl_expr_const(int64_t v) {
    tl_expr *e = tl_expr_new(TL_E_CONST);
    e->ival = v;
    return e;
}

tl_expr *tl_expr_var(int var) {
    tl_expr *e = tl_expr_new(TL_E_VAR);
    e->var = var;
    return e;
}

tl_expr *tl_expr_callres(int call_id) {
    tl_expr *e = tl_expr_new(TL_E_CALLRES);
    e->call_id = call_id;
    return e;
}

tl_expr *tl_expr_func(const char *name, int func) {
    tl_expr *e = tl_expr_new(TL_E_FUNC);
    e->name = tl_xstrdup(name ? name : "");
    e->func = func;
    return e;
}

tl_expr *tl_expr_unary(const char *op, tl_expr *kid) {
    tl_expr *e = tl_expr_new(TL_E_UNARY);
    snprintf(e->op, sizeof e->op, "%s", op);
    tl_expr_add_kid(e, kid);
    return e;
}

tl_expr *tl_expr_binary(const char *op, tl_expr *l, tl_expr *r) {
    tl_expr *e = tl_expr_new(TL_E_BINARY);
    snprintf(e->op, sizeof e->op, "%s", op);
    tl_expr_add_kid(e, l);
    tl_expr_add_kid(e, r);
    return e;
}

void tl_expr_add_kid(tl_expr *e, tl_expr *kid) {
    if (!kid) return;
    e->kids = tl_xrealloc(e->kids, (size_t)(e->nkids + 1) * sizeof *e->kids);
    e->kids[e->nkids++] = kid;
}

tl_expr *tl_expr_clone(const tl_expr *e) {
    if (!e) return NULL;
    tl_expr *c = tl_xmalloc(sizeof *c);
    *c = *e;
    c->name = e->name ? tl_xstrdup(e->name) : NULL;
    c->usr = e->usr ? tl_xstrdup(e->usr) : NULL;
    c->kids = NULL;
    c->nkids = 0;
    for (int i = 0; i < e->nkids; i++) tl_expr_add_kid(c, tl_expr_clone(e->kids[i]));
    return c;
}

void tl_expr_free(tl_expr *e) {
    if (!e) return;
    for (int i = 0; i < e->nkids; i++) tl_expr_free(e->kids[i]);
    free(e->kids);
    free(e->name);
    free(e->usr);
    free(e);
}

static void mark_addr(const tl_expr *e, bool under_addr, unsigned char *taken, int nvars) {
    if (!e) return;
    if (e->kind == TL_E_VAR && under_addr && e->var >= 0 && e->var < nvars) taken[e->var] = 1;
    /* &v, &v.f, &v[i]: the root variable's storage escapes; *&p reads p */
    bool addr = under_addr ? e->kind != TL_E_DEREF && !(e->kind == TL_E_MEMBER && e->arrow) : e->kind == TL_E_ADDR;
    for (int k = 0; k < e->nkids; k++) mark_addr(e->kids[k], addr && (e->kind != TL_E_INDEX || k == 0), taken, nvars);
}

const tl_expr **tl_func_single_defs(const tl_func *f) {
    const tl_expr **def = tl_xcalloc((size_t)f->nvars + 1, sizeof *def);
    unsigned char *seen = tl_xcalloc((size_t)f->nvars + 1, 1);
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars) continue;
            def[in->var] = seen[in->var]++ ? NULL : tl_expr_uncast(in->value);
            if (seen[in->var] > 2) seen[in->var] = 2;
        }
    free(seen);
    return def;
}

void tl_func_addr_taken(const tl_func *f, unsigned char *taken) {
    tl_func_addr_taken_except(f, taken, NULL, NULL);
}

void tl_func_addr_taken_except(const tl_func *f, unsigned char *taken,
                               bool (*read_only)(void *ctx, const tl_call *call, int arg), void *ctx) {
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *blk = &f->blocks[b];
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            mark_addr(in->value, false, taken, f->nvars);
            mark_addr(in->target, false, taken, f->nvars);
            if (in->kind == TL_I_CALL) {
                mark_addr(in->call.fn, false, taken, f->nvars);
                for (int a = 0; a < in->call.nargs; a++)
                    if (!read_only || !read_only(ctx, &in->call, a)) mark_addr(in->call.args[a], false, taken, f->nvars);
            }
        }
        mark_addr(blk->cond, false, taken, f->nvars);
    }
}

int tl_expr_root_var(const tl_expr *e, bool *through_addr) {
    bool addr = false;
    while (e) {
        switch (e->kind) {
        case TL_E_VAR:
            if (through_addr) *through_addr = addr;
            return e->var;
        case TL_E_ADDR:
            addr = true;
            e = e->nkids ? e->kids[0] : NULL;
            break;
        case TL_E_CAST:
            e = e->nkids ? e->kids[0] : NULL;
            break;
        case TL_E_MEMBER:
            if (e->arrow) return -1; /* memory behind a pointer */
            e = e->nkids ? e->kids[0] : NULL;
            break;
        case TL_E_INDEX:
            /* a[i] is the variable's memory only for arrays; for pointers the
               caller checks the var's is_array flag */
            e = e->nkids ? e->kids[0] : NULL;
            break;
        case TL_E_DEREF:
            /* *&x is x */
            if (e->nkids && e->kids[0]->kind == TL_E_ADDR) {
                e = e->kids[0]->nkids ? e->kids[0]->kids[0] : NULL;
                break;
            }
            return -1;
        default:
            return -1;
        }
    }
    return -1;
}

bool tl_expr_mentions_var(const tl_expr *e, int v) {
    if (!e) return false;
    if (e->kind == TL_E_VAR && e->var == v) return true;
    for (int i = 0; i < e->nkids; i++)
        if (tl_expr_mentions_var(e->kids[i], v)) return true;
    return false;
}

void tl_expr_mark_vars(const tl_expr *e, bool *seen, int nvars) {
    if (!e) return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < nvars) seen[e->var] = true;
    for (int k = 0; k < e->nkids; k++) tl_expr_mark_vars(e->kids[k], seen, nvars);
}

/* ---- functions and blocks ---- */

int tl_func_add_var(tl_func *f, const char *name, tl_var_kind kind) {
    if (f->nvars == f->capvars) {
        f->capvars = f->capvars ? f->capvars * 2 : 16;
        f->vars = tl_xrealloc(f->vars, (size_t)f->capvars * sizeof *f->vars);
    }
    tl_var *v = &f->vars[f->nvars];
    memset(v, 0, sizeof *v);
    v->name = tl_xstrdup(name ? name : "");
    v->kind = kind;
    return f->nvars++;
}

int tl_func_add_block(tl_func *f) {
    if (f->nblocks == f->capblocks) {
        f->capblocks = f->capblocks ? f->capblocks * 2 : 16;
        f->blocks = tl_xrealloc(f->blocks, (size_t)f->capblocks * sizeof *f->blocks);
    }
    tl_block *b = &f->blocks[f->nblocks];
    memset(b, 0, sizeof *b);
    b->id = f->nblocks;
    b->term = TL_T_GOTO;
    return f->nblocks++;
}

tl_instr *tl_block_add_instr(tl_block *b, tl_instr_kind kind) {
    if (b->ninstrs == b->capinstrs) {
        b->capinstrs = b->capinstrs ? b->capinstrs * 2 : 8;
        b->instrs = tl_xrealloc(b->instrs, (size_t)b->capinstrs * sizeof *b->instrs);
    }
    tl_instr *in = &b->instrs[b->ninstrs++];
    memset(in, 0, sizeof *in);
    in->kind = kind;
    in->var = -1;
    in->call.id = -1;
    in->call.callee_func = -1;
    in->call.spawn_call = -1;
    return in;
}

void tl_block_add_succ(tl_func *f, int from, int to) {
    tl_block *b = &f->blocks[from];
    /* the capacity is the next power of two: a switch's many cases cost
       O(cases), not O(cases^2) in reallocations */
    if ((b->nsucc & (b->nsucc - 1)) == 0)
        b->succ = tl_xrealloc(b->succ, (size_t)(b->nsucc ? 2 * b->nsucc : 1) * sizeof *b->succ);
    b->succ[b->nsucc++] = to;
}

void tl_func_finish(tl_func *f) {
    for (int i = 0; i < f->nblocks; i++) {
        free(f->blocks[i].pred);
        f->blocks[i].pred = NULL;
        f->blocks[i].npred = 0;
    }
    /* count, allocate each list once, fill in edge order */
    for (int i = 0; i < f->nblocks; i++)
        for (int s = 0; s < f->blocks[i].nsucc; s++) f->blocks[f->blocks[i].succ[s]].npred++;
    for (int i = 0; i < f->nblocks; i++) {
        tl_block *t = &f->blocks[i];
        t->pred = t->npred ? tl_xmalloc((size_t)t->npred * sizeof *t->pred) : NULL;
        t->npred = 0;
    }
    for (int i = 0; i < f->nblocks; i++) {
        tl_block *b = &f->blocks[i];
        for (int s = 0; s < b->nsucc; s++) {
            tl_block *t = &f->blocks[b->succ[s]];
            t->pred[t->npred++] = i;
        }
    }
}

static void free_instr(tl_instr *in) {
    if (in->kind == TL_I_CALL) {
        for (int a = 0; a < in->call.nargs; a++) tl_expr_free(in->call.args[a]);
        free(in->call.args);
        free(in->call.callee);
        free(in->call.callee_usr);
        tl_expr_free(in->call.fn);
        free(in->call.text);
    }
    tl_expr_free(in->target);
    tl_expr_free(in->value);
}

void tl_func_free(tl_func *f) {
    for (int i = 0; i < f->nblocks; i++) {
        tl_block *b = &f->blocks[i];
        for (int k = 0; k < b->ninstrs; k++) free_instr(&b->instrs[k]);
        free(b->instrs);
        tl_expr_free(b->cond);
        free(b->succ);
        free(b->case_values);
        free(b->pred);
    }
    free(f->blocks);
    for (int i = 0; i < f->nvars; i++) {
        free(f->vars[i].name);
        free(f->vars[i].usr);
    }
    free(f->usr);
    if (f->call_values)
        for (int i = 0; i < f->ncalls; i++) free(f->call_values[i].argv);
    free(f->call_values);
    free(f->vars);
    free(f->name);
    memset(f, 0, sizeof *f);
}

tl_func *tl_tu_add_func(tl_tu *tu, const char *name) {
    if (tu->nfuncs == tu->capfuncs) {
        tu->capfuncs = tu->capfuncs ? tu->capfuncs * 2 : 16;
        tu->funcs = tl_xrealloc(tu->funcs, (size_t)tu->capfuncs * sizeof *tu->funcs);
    }
    tl_func *f = &tu->funcs[tu->nfuncs++];
    memset(f, 0, sizeof *f);
    f->name = tl_xstrdup(name ? name : "");
    f->entry = f->exit = -1;
    return f;
}

const char *tl_tu_intern(tl_tu *tu, const char *s) {
    if (!s) return NULL;
    /* few distinct strings (file names) per TU: linear search is fine */
    for (size_t i = 0; i < tu->nstrings; i++)
        if (strcmp(tu->strings[i], s) == 0) return tu->strings[i];
    if (tu->nstrings == tu->capstrings) {
        tu->capstrings = tu->capstrings ? tu->capstrings * 2 : 8;
        tu->strings = tl_xrealloc(tu->strings, tu->capstrings * sizeof *tu->strings);
    }
    tu->strings[tu->nstrings] = tl_xstrdup(s);
    return tu->strings[tu->nstrings++];
}

void tl_fn_store_set_consts(tl_fn_store *s, const tl_field_const *consts, int nconsts) {
    s->nconsts = 0;
    for (int i = 0; i < nconsts && s->nconsts < TL_STORE_CONSTS_MAX; i++) {
        if (!consts[i].field_usr) continue;
        s->consts[s->nconsts].field_usr = tl_xstrdup(consts[i].field_usr);
        s->consts[s->nconsts++].value = consts[i].value;
    }
}

void tl_fn_store_free_consts(tl_fn_store *s) {
    for (int i = 0; i < s->nconsts; i++) free(s->consts[i].field_usr);
    s->nconsts = 0;
}

void tl_tu_add_store(tl_tu *tu, const char *slot_usr, const char *slot_name,
                     const char *fn_usr, const char *fn_name, tl_loc loc,
                     const tl_field_const *consts, int nconsts) {
    if (tu->nstores == tu->capstores) {
        tu->capstores = tu->capstores ? tu->capstores * 2 : 8;
        tu->stores = tl_xrealloc(tu->stores, (size_t)tu->capstores * sizeof *tu->stores);
    }
    tl_fn_store *s = &tu->stores[tu->nstores++];
    s->slot_usr = tl_xstrdup(slot_usr);
    s->slot_name = tl_xstrdup(slot_name ? slot_name : "");
    s->fn_usr = tl_xstrdup(fn_usr);
    s->fn_name = tl_xstrdup(fn_name ? fn_name : "");
    s->loc = loc;
    tl_fn_store_set_consts(s, consts, nconsts);
}

void tl_tu_add_init_slot(tl_tu *tu, const char *key, bool internal) {
    for (int i = tu->ninit_slots - 1; i >= 0 && i >= tu->ninit_slots - 4; i--)
        if (!strcmp(tu->init_slots[i], key)) return; /* the same field again, nearby */
    int cap = tu->capinit_slots;
    tu->init_slots = tl_xgrow(tu->init_slots, tu->ninit_slots, &cap, sizeof *tu->init_slots);
    tu->init_slots_internal = tl_xgrow(tu->init_slots_internal, tu->ninit_slots, &tu->capinit_slots,
                                       sizeof *tu->init_slots_internal);
    tu->init_slots[tu->ninit_slots] = tl_xstrdup(key);
    tu->init_slots_internal[tu->ninit_slots++] = internal;
}

tl_annot *tl_tu_add_annot(tl_tu *tu, const char *name) {
    if (tu->nannots == tu->capannots) {
        tu->capannots = tu->capannots ? tu->capannots * 2 : 8;
        tu->annots = tl_xrealloc(tu->annots, (size_t)tu->capannots * sizeof *tu->annots);
    }
    tl_annot *a = &tu->annots[tu->nannots++];
    memset(a, 0, sizeof *a);
    a->name = tl_xstrdup(name ? name : "");
    return a;
}

void tl_tu_free(tl_tu *tu) {
    for (int i = 0; i < tu->nannots; i++) {
        free(tu->annots[i].name);
        free(tu->annots[i].text);
    }
    free(tu->annots);
    for (int i = 0; i < tu->nstores; i++) {
        free(tu->stores[i].slot_usr);
        free(tu->stores[i].slot_name);
        free(tu->stores[i].fn_usr);
        free(tu->stores[i].fn_name);
        tl_fn_store_free_consts(&tu->stores[i]);
    }
    free(tu->stores);
    for (int i = 0; i < tu->ninit_slots; i++) free(tu->init_slots[i]);
    free(tu->init_slots);
    free(tu->init_slots_internal);
    for (int i = 0; i < tu->nerror_funcs; i++) free(tu->error_funcs[i].name);
    free(tu->error_funcs);
    for (int i = 0; i < tu->nfuncs; i++) tl_func_free(&tu->funcs[i]);
    free(tu->funcs);
    for (size_t i = 0; i < tu->nstrings; i++) free(tu->strings[i]);
    free(tu->strings);
    free(tu->main_file);
    memset(tu, 0, sizeof *tu);
}

/* Per call id: is the call's result returned at once - the next thing the
 * function does is `return` of it: `return f(...);` (a call directly under
 * the return), or `r = f(...); return r;` (the assignment's next instruction
 * but reads of variables, in its block or at the start of its only
 * successor)? */
bool *tl_func_results_returned(const tl_func *f, int ncalls) {
    bool *out = tl_xcalloc((size_t)ncalls + 1, sizeof *out);
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            const tl_expr *v = tl_expr_uncast(in->value);
            if (!v || v->kind != TL_E_CALLRES || v->call_id < 0 || v->call_id >= ncalls) continue;
            if (in->kind == TL_I_RETURN) {
                out[v->call_id] = true;
                continue;
            }
            if (in->kind != TL_I_ASSIGN || in->var < 0) continue;
            int j = i + 1; /* (a read of a variable in between does nothing: `use r`) */
            while (j < b->ninstrs && b->instrs[j].kind == TL_I_USE && b->instrs[j].value &&
                   tl_expr_uncast(b->instrs[j].value)->kind == TL_E_VAR)
                j++;
            const tl_instr *next = j < b->ninstrs ? &b->instrs[j] : NULL;
            if (!next && b->nsucc == 1 && b->succ[0] >= 0 && b->succ[0] < f->nblocks &&
                f->blocks[b->succ[0]].ninstrs > 0)
                next = &f->blocks[b->succ[0]].instrs[0];
            const tl_expr *r = next && next->kind == TL_I_RETURN ? tl_expr_uncast(next->value) : NULL;
            if (r && r->kind == TL_E_VAR && r->var == in->var) out[v->call_id] = true;
        }
    }
    return out;
}

const tl_instr *tl_func_find_call(const tl_func *f, int call_id) {
    for (int i = 0; i < f->nblocks; i++) {
        const tl_block *b = &f->blocks[i];
        for (int k = 0; k < b->ninstrs; k++)
            if (b->instrs[k].kind == TL_I_CALL && b->instrs[k].call.id == call_id)
                return &b->instrs[k];
    }
    return NULL;
}

static bool ident_char(char ch, bool first) {
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (!first && ch >= '0' && ch <= '9');
}

/* Does the identifier t[0..n) name callee: the same name, or a macro alias
 * spelling its tail after an underscore ("chrecv" for "dill_chrecv", "chr"
 * for "mill_chr_": trailing underscores of the callee do not count)? */
static bool names_callee(const char *t, size_t n, const char *callee) {
    size_t cl = strlen(callee);
    if (n == cl && memcmp(callee, t, n) == 0) return true;
    while (cl > 1 && callee[cl - 1] == '_') cl--;
    if (n == 0 || n > cl || memcmp(callee + cl - n, t, n) != 0) return false;
    return n == cl || callee[cl - n - 1] == '_';
}

bool tl_text_find_callee(const char *t, size_t n, const char *callee, size_t *start, size_t *len) {
    if (!t || !callee) return false;
    for (size_t i = 0; i < n && t[i];) {
        if (!ident_char(t[i], true) || (i > 0 && ident_char(t[i - 1], false))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && t[j] && ident_char(t[j], j == i)) j++;
        size_t k = j;
        while (k < n && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' || t[k] == '\r')) k++;
        if (k < n && t[k] == '(' && names_callee(t + i, j - i, callee)) {
            *start = i;
            *len = j - i;
            return true;
        }
        i = j;
    }
    return false;
}

bool tl_call_spelled_callee(const tl_call *c, size_t *start, size_t *len) {
    if (!c->text || !c->callee || !c->in_macro) return false;
    return tl_text_find_callee(c->text, strlen(c->text), c->callee, start, len);
}

const char *tl_call_user_name(const tl_call *c, char *buf, size_t size) {
    size_t n = 0;
    const char *t = c->text;
    size_t at, len;
    /* inside a macro's arguments the text is the macro's (assert(f(x) == 0)):
       name the callee as spelled there, not the macro */
    if (t && c->in_macro && tl_call_spelled_callee(c, &at, &len)) {
        snprintf(buf, size, "%.*s", (int)len, t + at);
        return buf;
    }
    if (t && c->in_macro) {
        while (t[n] && (t[n] == '_' || (t[n] >= 'a' && t[n] <= 'z') || (t[n] >= 'A' && t[n] <= 'Z') ||
                        (n > 0 && t[n] >= '0' && t[n] <= '9')))
            n++;
    }
    if (n > 0) {
        snprintf(buf, size, "%.*s", (int)n, t);
    } else if (!c->callee && t && strchr(t, '(') && strchr(t, '(') != t) {
        /* an indirect call: the callee expression as written (ops->recv) */
        snprintf(buf, size, "%.*s", (int)(strchr(t, '(') - t), t);
    } else {
        snprintf(buf, size, "%s", c->callee ? c->callee : "<indirect call>");
    }
    return buf;
}

/* ---- dump ---- */

typedef struct {
    char *buf;
    size_t len, cap;
} strbuf;

static void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf *sb, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        size_t avail = sb->cap - sb->len;
        va_start(ap, fmt);
        int n = vsnprintf(sb->buf + sb->len, avail, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < avail) {
            sb->len += (size_t)n;
            return;
        }
        sb->cap = (sb->cap + (size_t)n + 1) * 2;
        sb->buf = tl_xrealloc(sb->buf, sb->cap);
    }
}

static void dump_expr(strbuf *sb, const tl_func *f, const tl_expr *e) {
    if (!e) {
        sb_printf(sb, "<none>");
        return;
    }
    switch (e->kind) {
    case TL_E_CONST: sb_printf(sb, "%lld", (long long)e->ival); break;
    case TL_E_NULL: sb_printf(sb, "NULL"); break;
    case TL_E_STRING: sb_printf(sb, "\"...\""); break;
    case TL_E_VAR:
        sb_printf(sb, "%s", e->var >= 0 && e->var < f->nvars ? f->vars[e->var].name : "?");
        break;
    case TL_E_FUNC: sb_printf(sb, "@%s", e->name ? e->name : "?"); break;
    case TL_E_CALLRES: sb_printf(sb, "call#%d", e->call_id); break;
    case TL_E_ADDR: sb_printf(sb, "&("); dump_expr(sb, f, e->nkids ? e->kids[0] : NULL); sb_printf(sb, ")"); break;
    case TL_E_DEREF: sb_printf(sb, "*("); dump_expr(sb, f, e->nkids ? e->kids[0] : NULL); sb_printf(sb, ")"); break;
    case TL_E_MEMBER:
        dump_expr(sb, f, e->nkids ? e->kids[0] : NULL);
        sb_printf(sb, "%s%s", e->arrow ? "->" : ".", e->name ? e->name : "?");
        break;
    case TL_E_INDEX:
        dump_expr(sb, f, e->nkids > 0 ? e->kids[0] : NULL);
        sb_printf(sb, "[");
        dump_expr(sb, f, e->nkids > 1 ? e->kids[1] : NULL);
        sb_printf(sb, "]");
        break;
    case TL_E_UNARY: sb_printf(sb, "%s(", e->op); dump_expr(sb, f, e->nkids ? e->kids[0] : NULL); sb_printf(sb, ")"); break;
    case TL_E_BINARY:
        sb_printf(sb, "(");
        dump_expr(sb, f, e->nkids > 0 ? e->kids[0] : NULL);
        sb_printf(sb, " %s ", e->op);
        dump_expr(sb, f, e->nkids > 1 ? e->kids[1] : NULL);
        sb_printf(sb, ")");
        break;
    case TL_E_CAST: sb_printf(sb, "(cast)"); dump_expr(sb, f, e->nkids ? e->kids[0] : NULL); break;
    case TL_E_OTHER:
        sb_printf(sb, "other(");
        for (int i = 0; i < e->nkids; i++) {
            if (i) sb_printf(sb, ", ");
            dump_expr(sb, f, e->kids[i]);
        }
        sb_printf(sb, ")");
        break;
    }
}

char *tl_func_dump(const tl_func *f) {
    strbuf sb = {0};
    sb_printf(&sb, "func %s entry=%d exit=%d\n", f->name, f->entry, f->exit);
    for (int i = 0; i < f->nblocks; i++) {
        const tl_block *b = &f->blocks[i];
        sb_printf(&sb, "B%d:\n", i);
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            sb_printf(&sb, "  %u: ", in->loc.line);
            switch (in->kind) {
            case TL_I_CALL:
                sb_printf(&sb, "call#%d %s(", in->call.id, in->call.callee ? in->call.callee : "<indirect>");
                for (int a = 0; a < in->call.nargs; a++) {
                    if (a) sb_printf(&sb, ", ");
                    dump_expr(&sb, f, in->call.args[a]);
                }
                sb_printf(&sb, ")%s%s%s\n", in->call.discarded ? " discarded" : "",
                          in->call.void_cast ? " void" : "",
                          in->call.is_spawn_entry ? " spawn-entry" : "");
                break;
            case TL_I_ASSIGN:
                sb_printf(&sb, "%s = ", f->vars[in->var].name);
                dump_expr(&sb, f, in->value);
                sb_printf(&sb, "\n");
                break;
            case TL_I_STORE:
                dump_expr(&sb, f, in->target);
                sb_printf(&sb, " := ");
                dump_expr(&sb, f, in->value);
                sb_printf(&sb, "\n");
                break;
            case TL_I_DECL: sb_printf(&sb, "decl %s\n", f->vars[in->var].name); break;
            case TL_I_RETURN:
                if (in->return_arm) sb_printf(&sb, "return (?: side %d) ", in->return_arm);
                else sb_printf(&sb, "return ");
                dump_expr(&sb, f, in->value);
                sb_printf(&sb, "\n");
                break;
            case TL_I_USE:
                sb_printf(&sb, "use ");
                dump_expr(&sb, f, in->value);
                sb_printf(&sb, "\n");
                break;
            }
        }
        switch (b->term) {
        case TL_T_GOTO: sb_printf(&sb, "  goto"); break;
        case TL_T_BRANCH: sb_printf(&sb, "  if "); dump_expr(&sb, f, b->cond); break;
        case TL_T_SWITCH: sb_printf(&sb, "  switch "); dump_expr(&sb, f, b->cond); break;
        case TL_T_EXIT: sb_printf(&sb, "  exit"); break;
        case TL_T_NORETURN: sb_printf(&sb, "  noreturn"); break;
        }
        for (int s = 0; s < b->nsucc; s++) sb_printf(&sb, " B%d", b->succ[s]);
        sb_printf(&sb, "\n");
    }
    if (!sb.buf) sb.buf = tl_xstrdup("");
    return sb.buf;
}
