/* fdstate_pointers.c - pointers to descriptor slots, for the program-wide
 * slot facts of fdstate_slots.c (the store list, joined in
 * analyzer/program/fd_slots.c).
 *
 * `evtimer_new(base, cb, &data->pair[1])` with cb(fd, what, void *arg)
 * reading `*(int *)arg`: the callback's data parameter N points at the
 * slot, so `*arg` holds what the slot holds.  "d:F#N" (what parameter N of
 * F points to) copies the slot of every `&S` a registration hands to F as
 * its data (callback.data_arg/data_param) or a direct call passes at N;
 * any other pointer there is "anything else", a null pointer no store.  F
 * named anywhere else ("d:F#*", fdstate_slots.c's escapes) or registered
 * with its data at another parameter ("d:F#@M") is not known at N.  The
 * address taken no longer spoils S by itself: S copies "w:F#N", which F's
 * own analysis stores (non-blocking) only when F never writes through
 * parameter N nor lets it escape; a library's function stores none.  A
 * local pointer to S (`int *pair = data->pair;`) its function only reads
 * through does not spoil S either.
 *
 * Field accessors: "a:F" is stored by F's own analysis when F only returns
 * one field of what its one pointer parameter points to (`mcmc_fd(c)`); in
 * a readiness callback the same accessor on the field a registration of the
 * TU took its descriptor from gives that descriptor (fds_accessor_ready,
 * with the "call:F|FIELD" keys of analysis.c's watched fields).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../program/program.h"
#include "../util/xalloc.h"
#include "fdstate.h"
#include "fdstate_internal.h"

/* `&S` of a slot S: S's expression and its merged key, else NULL. */
static const tl_expr *addr_slot(const fd_ctx *c, const tl_expr *v, char *key, size_t size) {
    bool st;
    v = tl_expr_uncast(v);
    if (!v || v->kind != TL_E_ADDR || v->nkids != 1) return NULL;
    return fds_slot_key(c->f, v->kids[0], key, size, &st) ? v->kids[0] : NULL;
}

static bool no_pointer(const tl_expr *v) {
    v = tl_expr_uncast(v);
    return v && (v->kind == TL_E_NULL || (v->kind == TL_E_CONST && v->ival == 0));
}

/* What parameter n of function usr points to receives the pointer v:
 * "d:usr#n" copies S for `&S`, and S copies "w:usr#n" (what usr writes
 * through it) in place of the address escaping.  True when v was such an
 * address (its slot does not escape then; only its subexpressions do). */
static bool data_pointer(fd_ctx *c, const char *usr, int n, const tl_expr *v) {
    char key[300], src[300], w[300];
    if (!usr || strlen(usr) > 250 || no_pointer(v)) return false;
    bool is_static = strncmp(usr, "c:@F@", 5) != 0;
    snprintf(key, sizeof key, "d:%s#%d", usr, n);
    const tl_expr *x = addr_slot(c, v, src, sizeof src);
    if (!x) {
        const tl_expr *sv = tl_expr_uncast(v);
        if (sv && sv->kind != TL_E_CONST && sv->kind != TL_E_STRING && sv->kind != TL_E_FUNC)
            tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, is_static);
        return false;
    }
    tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, src, is_static);
    snprintf(w, sizeof w, "w:%s#%d", usr, n);
    fds_add_store(c, x, TL_SLOT_COPY, w);
    fds_escapes(c, x, true); /* (data->pair[1]: `data` itself is read) */
    return true;
}

/* The callback arguments of a registration that hands data_arg to its
 * callbacks: all functions of the program (or null), else false. */
static bool data_registration(const tl_call *call, const tl_fn_model *m) {
    if (!m || !m->callback.present || m->callback.nargs <= 0 || m->callback.data_arg < 0 ||
        m->callback.data_arg >= call->nargs || m->callback.data_param < 0 || m->callback.data_param > 30)
        return false;
    for (int i = 0; i < m->callback.nargs; i++) {
        int a = m->callback.args[i];
        const tl_expr *f = a >= 0 && a < call->nargs ? tl_expr_uncast(call->args[a]) : NULL;
        if (!f || (!no_pointer(f) && (f->kind != TL_E_FUNC || !f->usr || strlen(f->usr) > 250))) return false;
    }
    return true;
}

/* Argument a of a call, when it is a callback or the data of a
 * registration (a library model's callback facet with data_arg: the model
 * says the library hands it over, even when the library's sources are part
 * of the program), or a pointer a program function gets: recorded here;
 * true when the generic escape of the argument is replaced. */
bool fds_data_call_arg(fd_ctx *c, const tl_call *call, const tl_call_facts *cf, int a) {
    const tl_fn_model *m = cf ? cf->model : NULL;
    if (data_registration(call, m)) {
        int n = m->callback.data_param;
        for (int i = 0; i < m->callback.nargs; i++) {
            const tl_expr *f = tl_expr_uncast(call->args[m->callback.args[i]]);
            if (m->callback.args[i] != a || no_pointer(f)) continue;
            char key[300];
            snprintf(key, sizeof key, "p:%s#*", f->usr); /* (as escapes, without "d:F#*") */
            tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, true);
            snprintf(key, sizeof key, "d:%s#@%d", f->usr, n); /* its other parameters: the library's */
            tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, true);
            return true;
        }
        if (a != m->callback.data_arg) return false;
        bool all = true, any = false;
        for (int i = 0; i < m->callback.nargs; i++) {
            const tl_expr *f = tl_expr_uncast(call->args[m->callback.args[i]]);
            if (no_pointer(f)) continue;
            any = true;
            all = data_pointer(c, f->usr, n, call->args[a]) && all;
        }
        return any && all;
    }
    /* a program function (whatever its derived model says, its body is
       what runs: "w:" is read from it) */
    if (!call->callee_usr || call->callee_system || a > 30) return false;
    return data_pointer(c, call->callee_usr, a, call->args[a]);
}

/* "d:F#N" of a descriptor expression `*p` (`p[0]`) where p is parameter N
 * of this function, never written, or a local assigned once from it. */
static bool data_read_key(fd_ctx *c, const tl_expr *e, char *buf, size_t size) {
    e = tl_expr_uncast(e);
    if (!e || !c->f->usr || strlen(c->f->usr) > 250) return false;
    const tl_expr *x = NULL;
    if (e->kind == TL_E_DEREF && e->nkids == 1) x = e->kids[0];
    else if (e->kind == TL_E_INDEX && e->nkids == 2 && tl_expr_uncast(e->kids[1]) &&
             tl_expr_uncast(e->kids[1])->kind == TL_E_CONST && tl_expr_uncast(e->kids[1])->ival == 0)
        x = e->kids[0];
    x = tl_expr_uncast(x);
    if (!x || x->kind != TL_E_VAR || x->var < 0 || x->var >= c->f->nvars) return false;
    fds_scan_vars(c);
    int v = x->var;
    if (c->f->vars[v].kind != TL_VAR_PARAM) {
        const tl_expr *val = tl_expr_uncast(c->var_value[v]);
        if ((c->f->vars[v].kind != TL_VAR_LOCAL && c->f->vars[v].kind != TL_VAR_TEMP) || c->var_assigns[v] != 1 ||
            !val || val->kind != TL_E_VAR || val->var < 0 || val->var >= c->f->nvars)
            return false;
        v = val->var;
    }
    if (c->f->vars[v].kind != TL_VAR_PARAM || v >= c->f->nparams || c->var_assigns[v] != 0) return false;
    snprintf(buf, size, "d:%s#%d", c->f->usr, v);
    return true;
}

/* In a readiness callback: is `call` the call a
 * registration of this TU took its descriptor from - the same field
 * accessor of the program ("a:USR") on the same field ("call:USR|FIELD",
 * watched) of a value derived from the callback's parameters (arg_bits:
 * the state bits the field's struct expression mentions)
 * (`recv(mcmc_fd(be->client), ...)` where `be = arg` and the registration
 * passed `mcmc_fd(be->client)`)? */
bool fds_accessor_ready(fd_ctx *c, const tl_call *call, unsigned arg_bits) {
    const tl_expr *a = call->nargs == 1 ? tl_expr_uncast(call->args[0]) : NULL;
    if (!c->readiness || !c->watched || !c->program || !call->callee_usr || call->callee_system || !a ||
        a->kind != TL_E_MEMBER || !a->usr || !(arg_bits & (TL_FDS_READY | TL_FDS_DERIVED)))
        return false;
    char key[320];
    int n = snprintf(key, sizeof key, "call:%s|%s", call->callee_usr, a->usr);
    if (n < 0 || (size_t)n >= sizeof key) return false; /* a key cut short would name another slot */
    if (tl_str_map_get(c->watched, key) < 0) return false;
    snprintf(key, sizeof key, "a:%s", call->callee_usr);
    return tl_program_fd_slot_nonblocking(c->program, key);
}

bool fds_data_read_nonblocking(fd_ctx *c, const tl_expr *e) {
    char key[300];
    return c->program && data_read_key(c, e, key, sizeof key) && tl_program_fd_slot_nonblocking(c->program, key);
}

/* Parameters f only reads through: alias[] holds the parameter and the
 * locals assigned from it; an alias may only be dereferenced for a read,
 * compared, or copied into another alias. */
typedef struct {
    const tl_func *f;
    bool *alias;
    bool bad;
} ro_scan;

static bool is_compare(const char *op) {
    return !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "<") || !strcmp(op, ">") || !strcmp(op, "<=") ||
           !strcmp(op, ">=") || !strcmp(op, "&&") || !strcmp(op, "||") || !strcmp(op, "!");
}

static bool mentions_alias(const ro_scan *r, const tl_expr *e);

static void ro_walk(ro_scan *r, const tl_expr *e, bool safe) {
    if (!e || r->bad) return;
    switch (e->kind) {
    case TL_E_ADDR: /* &p[0], &p->fd: a pointer into the slot, handed on */
        if (mentions_alias(r, e)) r->bad = true;
        return;
    case TL_E_VAR:
        if (e->var >= 0 && e->var < r->f->nvars && r->alias[e->var] && !safe) r->bad = true;
        return;
    case TL_E_CAST:
        for (int k = 0; k < e->nkids; k++) ro_walk(r, e->kids[k], safe);
        return;
    case TL_E_DEREF:
        for (int k = 0; k < e->nkids; k++) ro_walk(r, e->kids[k], k == 0);
        return;
    case TL_E_INDEX:
        for (int k = 0; k < e->nkids; k++) ro_walk(r, e->kids[k], k == 0);
        return;
    case TL_E_MEMBER:
        for (int k = 0; k < e->nkids; k++) ro_walk(r, e->kids[k], e->arrow);
        return;
    case TL_E_UNARY:
    case TL_E_BINARY:
        for (int k = 0; k < e->nkids; k++) ro_walk(r, e->kids[k], is_compare(e->op));
        return;
    default:
        for (int k = 0; k < e->nkids; k++) ro_walk(r, e->kids[k], false);
        return;
    }
}

static bool mentions_alias(const ro_scan *r, const tl_expr *e) {
    if (!e) return false;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < r->f->nvars && r->alias[e->var]) return true;
    for (int k = 0; k < e->nkids; k++)
        if (mentions_alias(r, e->kids[k])) return true;
    return false;
}

static const tl_expr *alias_source(const ro_scan *r, const tl_instr *in) {
    const tl_expr *v = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
    return v && v->kind == TL_E_VAR && v->var >= 0 && v->var < r->f->nvars && r->alias[v->var] ? v : NULL;
}

/* Is v (a parameter never assigned, or a local assigned once) only read
 * through?  A store of a negative constant through it (`pair[0] = -1`: no
 * descriptor) is no write of one. */
static bool read_only_var(fd_ctx *c, int p, bool *alias) {
    const tl_func *f = c->f;
    ro_scan r = {f, alias, false};
    memset(alias, 0, (size_t)f->nvars);
    alias[p] = true;
    fds_scan_vars(c);
    if (c->var_assigns[p] != (f->vars[p].kind == TL_VAR_PARAM ? 0 : 1))
        return false; /* written (again) or its address taken */
    for (int round = 0, grew = 1; grew && round < 4; round++) { /* locals assigned from an alias */
        grew = 0;
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                int v = in->var;
                if (alias_source(&r, in) && v >= 0 && v < f->nvars && !alias[v] &&
                    (f->vars[v].kind == TL_VAR_LOCAL || f->vars[v].kind == TL_VAR_TEMP))
                    alias[v] = true, grew = 1;
            }
    }
    for (int bi = 0; bi < f->nblocks && !r.bad; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs && !r.bad; i++) {
            const tl_instr *in = &b->instrs[i];
            switch (in->kind) {
            case TL_I_CALL:
                for (int a = 0; a < in->call.nargs; a++) ro_walk(&r, in->call.args[a], false);
                ro_walk(&r, in->call.fn, false);
                break;
            case TL_I_ASSIGN:
                if (alias_source(&r, in)) { /* into an alias only */
                    if (in->var < 0 || in->var >= f->nvars || !alias[in->var]) r.bad = true;
                } else {
                    ro_walk(&r, in->value, false);
                }
                break;
            case TL_I_STORE:
                if (mentions_alias(&r, in->target) && !fds_negative_const(in->value))
                    r.bad = true; /* *p = x, p[1] = x, p->f = x */
                ro_walk(&r, in->value, false);
                break;
            case TL_I_USE:
                ro_walk(&r, in->value, true);
                break;
            default:
                ro_walk(&r, in->value, false);
                break;
            }
        }
        ro_walk(&r, b->cond, true);
    }
    return !r.bad;
}

/* `int *pair = data->pair;` (or `= &g`): a local pointer to a slot that
 * the function only reads through does not spoil the slot (only the
 * slot's subexpressions escape).  False when the value is no such slot or
 * the local is written through, handed on or assigned again. */
bool fds_read_only_alias(fd_ctx *c, const tl_instr *in) {
    const tl_func *f = c->f;
    const tl_expr *v = tl_expr_uncast(in->value), *x = NULL;
    char key[300];
    bool st;
    if (in->var < 0 || in->var >= f->nvars || (f->vars[in->var].kind != TL_VAR_LOCAL && f->vars[in->var].kind != TL_VAR_TEMP))
        return false;
    if (v && ((v->kind == TL_E_MEMBER && v->field_array) ||
              (v->kind == TL_E_VAR && v->var >= 0 && v->var < f->nvars && f->vars[v->var].is_array)))
        x = fds_slot_key(f, v, key, sizeof key, &st) ? v : NULL;
    else
        x = addr_slot(c, v, key, sizeof key);
    if (!x || c->alias_scans >= 8) return false; /* (each scans f: a few per function) */
    c->alias_scans++;
    bool *alias = tl_xmalloc((size_t)f->nvars + 1);
    bool ok = read_only_var(c, in->var, alias);
    free(alias);
    if (ok) fds_escapes(c, x, true);
    return ok;
}

/* "w:F#N" for each pointer parameter N that f only reads through. */
static void record_read_only_params(fd_ctx *c) {
    const tl_func *f = c->f;
    if (!f->usr || strlen(f->usr) > 250 || f->nparams <= 0) return;
    fds_scan_vars(c);
    bool *alias = NULL;
    for (int p = 0; p < f->nparams && p <= 30; p++) {
        if (!f->vars[p].is_pointer) continue;
        if (!alias) alias = tl_xmalloc((size_t)f->nvars + 1);
        if (!read_only_var(c, p, alias)) continue;
        char key[300];
        snprintf(key, sizeof key, "w:%s#%d", f->usr, p);
        tl_slot_stores_add(c->stores, key, TL_SLOT_NONBLOCKING, NULL, true);
    }
    free(alias);
}

/* Does f only return a field of what its one pointer parameter points to
 * (`int conn_fd(void *c) { struct conn *x = c; return x->fd; }`)?  No
 * call, no store, locals assigned only from the parameter, every return
 * `p->field` of one same field: the same call on the same object gives the
 * same descriptor ("a:USR", read by fds_accessor_ready). */
static bool field_accessor(fd_ctx *c) {
    const tl_func *f = c->f;
    const char *field = NULL;
    fds_scan_vars(c);
    if (f->nparams != 1 || !f->vars[0].is_pointer || c->var_assigns[0] != 0) return false;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            const tl_expr *v = tl_expr_uncast(in->value);
            switch (in->kind) {
            case TL_I_DECL:
                break;
            case TL_I_ASSIGN: /* x = (struct conn *)c */
                if (in->var < 0 || in->var >= f->nvars || f->vars[in->var].kind == TL_VAR_GLOBAL ||
                    f->vars[in->var].kind == TL_VAR_STATIC || c->var_assigns[in->var] != 1 || !v ||
                    v->kind != TL_E_VAR || v->var != 0)
                    return false;
                break;
            case TL_I_RETURN: {
                if (!in->value) break; /* (the end of the body: no value) */
                const tl_expr *b = v && v->kind == TL_E_MEMBER && v->arrow && v->nkids == 1 && v->usr ? tl_expr_uncast(v->kids[0]) : NULL;
                if (!b || b->kind != TL_E_VAR || b->var < 0 || b->var >= f->nvars) return false;
                const tl_expr *src = b->var == 0 ? NULL : tl_expr_uncast(c->var_value[b->var]);
                if (b->var != 0 && (c->var_assigns[b->var] != 1 || !src || src->kind != TL_E_VAR || src->var != 0))
                    return false;
                if (field && strcmp(field, v->usr) != 0) return false;
                field = v->usr;
                break;
            }
            default:
                return false; /* a call, a store, anything else */
            }
        }
    return field != NULL;
}

/* The facts f's own analysis gives other functions: "w:F#N" for each
 * pointer parameter it only reads through, "a:F" when it is a field
 * accessor. */
void fds_record_pointer_facts(fd_ctx *c) {
    record_read_only_params(c);
    if (c->f->usr && strlen(c->f->usr) < 250 && field_accessor(c)) {
        char key[264];
        snprintf(key, sizeof key, "a:%s", c->f->usr);
        tl_slot_stores_add(c->stores, key, TL_SLOT_NONBLOCKING, NULL, strncmp(c->f->usr, "c:@F@", 5) != 0);
    }
}
