/* fdstate_expr.c - the expression side of the descriptor-state analysis
 * (fdstate.c): operands of descriptor expressions, the conditions of the
 * fd_state facet, branch conditions on a readiness wait's result, the
 * file-wide, flow-insensitive pass over descriptors kept in globals
 * (tl_fdstate_collect_globals, see fdstate.h), and what a branch tells of
 * descriptors (a negative one, status flags showing O_NONBLOCK).
 */
#include <stdio.h>
#include <string.h>

#include "fdstate.h"
#include "fdstate_internal.h"

/* `v.field` or `v->field`: the variable, field name in *field. */
int fds_member_var(const tl_expr *e, const char **field, bool *arrow) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_MEMBER || e->nkids != 1 || !e->name) return -1;
    const tl_expr *k = tl_expr_uncast(e->kids[0]);
    if (!k || k->kind != TL_E_VAR) return -1;
    *field = e->name;
    *arrow = e->arrow;
    return k->var;
}

/* `&v` -> v */
int fds_addr_var(const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_ADDR || e->nkids != 1) return -1;
    const tl_expr *k = tl_expr_uncast(e->kids[0]);
    return k && k->kind == TL_E_VAR ? k->var : -1;
}

int fds_plain_var(const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR ? e->var : -1;
}

/* Bits certainly set in e: `flags | O_NONBLOCK` has O_NONBLOCK whatever flags is. */
int64_t fds_known_set_bits(const tl_expr *e, const tl_cval *whole) {
    if (whole && whole->kind == TL_CV_INT) return whole->v;
    e = tl_expr_uncast(e);
    if (!e) return 0;
    if (e->kind == TL_E_CONST) return e->ival;
    if (e->kind == TL_E_BINARY && e->nkids == 2 && !strcmp(e->op, "|"))
        return fds_known_set_bits(e->kids[0], NULL) | fds_known_set_bits(e->kids[1], NULL);
    if (e->kind == TL_E_BINARY && e->nkids == 2 && !strcmp(e->op, "&"))
        return fds_known_set_bits(e->kids[0], NULL) & fds_known_set_bits(e->kids[1], NULL);
    return 0;
}

const tl_cval *fds_argv_of(const tl_call_facts *cf, int a) {
    return cf->instr && a >= 0 && a < cf->instr->call.nargs ? &cf->argv[a] : NULL;
}

const tl_expr *fds_arg_of(const tl_call_facts *cf, int a) {
    return cf->instr && a >= 0 && a < cf->instr->call.nargs ? cf->instr->call.args[a] : NULL;
}

/* Does the fd_state facet of cf's callee apply (value_ok), and is its flag
 * set (flag_ok)?  With value_ok and not flag_ok, an if_value facet clears. */
void fds_state_conditions(const tl_call_facts *cf, bool *value_ok, bool *flag_ok) {
    const tl_fd_state_facet *d = &cf->model->fd_state;
    *value_ok = *flag_ok = true;
    if (d->if_value_arg >= 0) {
        const tl_cval *cv = fds_argv_of(cf, d->if_value_arg);
        *value_ok = false;
        for (int i = 0; cv && cv->kind == TL_CV_INT && i < d->nif_values; i++)
            if (d->if_values[i] == cv->v) *value_ok = true;
    }
    if (d->if_flag_arg >= 0)
        *flag_ok = (fds_known_set_bits(fds_arg_of(cf, d->if_flag_arg), fds_argv_of(cf, d->if_flag_arg)) & d->if_flag_mask) != 0;
}

/* "USR" or "USR[k]" for a global or static variable (or its element at a
 * constant index); false for anything else. */
bool fds_global_key(const tl_func *f, const tl_expr *e, char *buf, size_t size) {
    e = tl_expr_uncast(e);
    long long idx = 0;
    bool indexed = false;
    if (e && e->kind == TL_E_INDEX && e->nkids == 2 && tl_expr_uncast(e->kids[1]) && tl_expr_uncast(e->kids[1])->kind == TL_E_CONST) {
        idx = (long long)tl_expr_uncast(e->kids[1])->ival;
        indexed = true;
        e = tl_expr_uncast(e->kids[0]);
    }
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars) return false;
    const tl_var *v = &f->vars[e->var];
    if ((v->kind != TL_VAR_GLOBAL && v->kind != TL_VAR_STATIC) || !v->usr) return false;
    if (indexed) snprintf(buf, size, "%.200s[%lld]", v->usr, idx);
    else snprintf(buf, size, "%.200s", v->usr);
    return true;
}

static void mark(tl_str_map *m, const char *key, int bit) {
    int v = tl_str_map_get(m, key);
    tl_str_map_set(m, key, v < 0 ? bit : v | bit);
}

void tl_fdstate_collect_globals(const tl_func *f, const tl_func_facts *ff, tl_str_map *globals) {
    char key[256];
    /* this function's assignments: G_NONBLOCKING when it also makes the key
       non-blocking (`g = socket(...); make_nonblocking(g)`), else G_OTHER */
    tl_str_map here;
    tl_str_map_init(&here);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind == TL_I_CALL && in->call.id >= 0 && in->call.id < ff->ncalls) {
                const tl_call_facts *cf = &ff->calls[in->call.id];
                const tl_fn_model *m = cf->model;
                if (!m || !m->fd_state.present || m->fd_state.result || m->fd_state.out) continue;
                if (!fds_global_key(f, fds_arg_of(cf, m->fd_state.arg), key, sizeof key)) continue;
                bool value_ok, flag_ok;
                fds_state_conditions(cf, &value_ok, &flag_ok);
                if (value_ok && flag_ok && m->fd_state.from_arg < 0 && (m->fd_state.sets & TL_FDS_NONBLOCKING)) {
                    mark(globals, key, G_NONBLOCKING);
                    mark(&here, key, G_NONBLOCKING);
                }
                else if (value_ok && m->fd_state.if_value_arg >= 0)
                    mark(globals, key, G_OTHER); /* cleared */
                continue;
            }
            const tl_expr *target = NULL;
            tl_expr var_expr;
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars) {
                memset(&var_expr, 0, sizeof var_expr);
                var_expr.kind = TL_E_VAR;
                var_expr.var = in->var;
                target = &var_expr;
            } else if (in->kind == TL_I_STORE) {
                target = in->target;
            }
            if (!target || !fds_global_key(f, target, key, sizeof key)) continue;
            /* g = socket(... | SOCK_NONBLOCK): non-blocking; any other value: not known */
            const tl_expr *v = tl_expr_uncast(in->value);
            bool nb = false;
            if (v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < ff->ncalls) {
                const tl_call_facts *cf = &ff->calls[v->call_id];
                if (cf->model && cf->model->fd_state.present && cf->model->fd_state.result &&
                    (cf->model->fd_state.sets & TL_FDS_NONBLOCKING)) {
                    bool value_ok, flag_ok;
                    fds_state_conditions(cf, &value_ok, &flag_ok);
                    nb = value_ok && flag_ok;
                }
            }
            if (nb) mark(globals, key, G_NONBLOCKING);
            else mark(&here, key, G_OTHER);
        }
    /* the assignments not followed by making the descriptor non-blocking */
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            tl_expr var_expr;
            const tl_expr *target = NULL;
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars) {
                memset(&var_expr, 0, sizeof var_expr);
                var_expr.kind = TL_E_VAR;
                var_expr.var = in->var;
                target = &var_expr;
            } else if (in->kind == TL_I_STORE) {
                target = in->target;
            }
            if (target && fds_global_key(f, target, key, sizeof key) && tl_str_map_get(&here, key) == G_OTHER)
                mark(globals, key, G_OTHER);
        }
    tl_str_map_free(&here);
}

/* The value of a branch condition when the wait `id` (its result, or the
 * variable r holding it) returned `failv`; false if it cannot be told. */
bool fds_eval_failed(const tl_expr *e, int id, int r, int64_t failv, int64_t *out) {
    e = tl_expr_uncast(e);
    if (!e) return false;
    int64_t a, b;
    switch (e->kind) {
    case TL_E_CONST: *out = e->ival; return true;
    case TL_E_CALLRES:
        if (e->call_id != id) return false;
        *out = failv;
        return true;
    case TL_E_VAR:
        if (e->var != r || r < 0) return false;
        *out = failv;
        return true;
    case TL_E_UNARY:
        if (e->nkids != 1 || !fds_eval_failed(e->kids[0], id, r, failv, &a)) return false;
        if (!strcmp(e->op, "!")) *out = !a;
        else if (!strcmp(e->op, "-")) *out = (int64_t)(0 - (uint64_t)a);
        else if (!strcmp(e->op, "~")) *out = ~a;
        else return false;
        return true;
    case TL_E_BINARY:
        if (e->nkids != 2 || !fds_eval_failed(e->kids[0], id, r, failv, &a) || !fds_eval_failed(e->kids[1], id, r, failv, &b))
            return false;
        if (!strcmp(e->op, "==")) *out = a == b;
        else if (!strcmp(e->op, "!=")) *out = a != b;
        else if (!strcmp(e->op, "<")) *out = a < b;
        else if (!strcmp(e->op, "<=")) *out = a <= b;
        else if (!strcmp(e->op, ">")) *out = a > b;
        else if (!strcmp(e->op, ">=")) *out = a >= b;
        else if (!strcmp(e->op, "&")) *out = a & b;
        else if (!strcmp(e->op, "|")) *out = a | b;
        else return false;
        return true;
    default:
        return false;
    }
}

/* The first call result or variable a condition reads. */
void fds_cond_operand(const tl_expr *e, int *call_id, int *var) {
    if (!e || *call_id >= 0 || *var >= 0) return;
    if (e->kind == TL_E_CALLRES) *call_id = e->call_id;
    else if (e->kind == TL_E_VAR) *var = e->var;
    for (int k = 0; k < e->nkids; k++) fds_cond_operand(e->kids[k], call_id, var);
}

/* ---- what a branch tells of descriptors (fdstate.c's edges) ---- */

/* On the edge where a branch finds variable v negative (`s == -1`, `s !=
 * -1` false, `s < 0`), v holds no descriptor: I/O on it fails at once, as
 * for `s = -1` (a `return s` there returns no descriptor). */
void fds_refine_negative(fd_ctx *c, fd_state *s, const tl_block *b, int succ) {
    const tl_expr *e = b->term == TL_T_BRANCH && b->nsucc == 2 ? tl_expr_uncast(b->cond) : NULL;
    if (!e || e->kind != TL_E_BINARY || e->nkids != 2) return;
    int v = fds_plain_var(e->kids[0]);
    const tl_expr *k = tl_expr_uncast(e->kids[1]);
    if (v < 0 || v >= c->nvars || c->f->vars[v].is_pointer || c->f->vars[v].is_array || !k) return;
    bool holds; /* on this edge v is negative */
    if (!strcmp(e->op, "==") || !strcmp(e->op, "!="))
        holds = fds_negative_const(k) && (succ == 0) == (e->op[0] == '=');
    else if (!strcmp(e->op, "<") || !strcmp(e->op, ">="))
        holds = k->kind == TL_E_CONST && k->ival <= 0 && (succ == 0) == (e->op[0] == '<');
    else
        return;
    if (holds) fds_set_bits(c, s, v, fds_bits_of(s, v) | TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE);
}

/* A variable holding a descriptor's status flags whose mask bit the branch
 * condition e, taking the value `want`, shows set (`flags & O_NONBLOCK`,
 * `!!(flags & O_NONBLOCK) == !!on` with `on` known not 0); -1 none. */
static int flags_shown(fd_ctx *c, fd_state *s, const tl_expr *e, bool want, int depth) {
    e = tl_expr_uncast(e);
    if (!e || depth > 16) return -1;
    if (e->kind == TL_E_UNARY && e->nkids == 1 && !strcmp(e->op, "!")) return flags_shown(c, s, e->kids[0], !want, depth + 1);
    if (e->kind != TL_E_BINARY || e->nkids != 2) return -1;
    if (!strcmp(e->op, "&") && want) {
        for (int side = 0; side < 2; side++) {
            int v = fds_plain_var(e->kids[side]);
            const tl_expr *k = tl_expr_uncast(e->kids[!side]);
            fact *f = v >= 0 && v < c->nvars ? fds_find(s, v) : NULL;
            if (f && f->flags_of && k && k->kind == TL_E_CONST && k->ival == c->flags_mask) return v;
        }
        return -1;
    }
    if (!strcmp(e->op, "==") || !strcmp(e->op, "!=")) {
        bool eq = e->op[0] == '=';
        for (int side = 0; side < 2; side++) {
            const tl_expr *a = tl_expr_uncast(e->kids[side]), *b = tl_expr_uncast(e->kids[!side]);
            if (b && b->kind == TL_E_CONST && b->ival == 0) /* x != 0 */
                return flags_shown(c, s, a, eq != want, depth + 1);
            bool boolean = a && a->kind == TL_E_UNARY && a->nkids == 1 && !strcmp(a->op, "!"); /* 0 or 1 */
            int t = boolean ? fds_truth(c, s, b) : -1;
            if (t >= 0) return flags_shown(c, s, a, eq == want ? t == 1 : t == 0, depth + 1);
        }
        return -1;
    }
    bool and = !strcmp(e->op, "&&"), or = !strcmp(e->op, "||");
    if ((and && want) || (or && !want)) {
        int v = flags_shown(c, s, e->kids[0], want, depth + 1);
        return v >= 0 ? v : flags_shown(c, s, e->kids[1], want, depth + 1);
    }
    return -1;
}

/* On the edge where the branch shows a descriptor's status flags have the
 * non-blocking bit (fd_flags), that descriptor is non-blocking (it was when
 * the flags were read, and nothing changed it since: drop_mirrors). */
void fds_refine_flags(fd_ctx *c, fd_state *s, const tl_block *b, int succ) {
    if (!c->mirrors || b->term != TL_T_BRANCH || b->nsucc != 2 || !b->cond) return;
    int v = flags_shown(c, s, b->cond, succ == 0, 0);
    fact *f = v >= 0 ? fds_find(s, v) : NULL;
    if (!f || !f->flags_of) return;
    int k = f->flags_of - 1;
    fds_set_bits(c, s, k, fds_bits_of(s, k) | TL_FDS_NONBLOCKING);
}
