/* fdstate_slots.c - what a TU stores into descriptor slots outside the
 * stack, for the program-wide fact "every descriptor stored into this
 * global is non-blocking" (fdstate.h, tl_slot_stores; joined in
 * analyzer/program/program.c).
 *
 * A slot is a global or static variable, its elements merged ("g:USR"):
 * `g = fd`, `g[1] = fd`; or a field of a struct the project declares, every
 * instance and element merged ("f:USR"): `c->fd = fd`, `srv.pipe[0] = fd`.
 * Each store is recorded once per TU with the state of the value at that
 * point, as the descriptor-state dataflow (fdstate.c) knows it:
 * non-blocking (`g = socket(... | SOCK_NONBLOCK)`, a local made
 * non-blocking before, a pseudo-file), a copy of another slot (`g = h`), or
 * anything else.  A negative constant (`g = -1`: no descriptor, I/O on it
 * fails at once) is no store.  Writes the store list cannot see count as
 * "anything else": the slot's address taken anywhere (`&g`, `&g[0]`), an
 * array or pointer global or an array field read bare (`pipe(g)`, `p = g`,
 * `pipe(c->fds)`: written through), a call clearing its O_NONBLOCK
 * (`fcntl(g, F_SETFL, 0)`), an initializer giving it a value other than a
 * constant <= 0 (`static int log_fd = 2;`, `struct conn c = {.fd = s}`;
 * noted by the front end, tl_tu.init_slots).  Zero-initialised storage
 * (static, calloc, memset) is "no descriptor yet", and whole-struct copies
 * (`*c = tmp`) carry values of the same fields: neither is a store.
 * Functions the dataflow skips (no call it serves) or gives up on are
 * scanned with nothing known, which only records "anything else".  Fields
 * of a system header's struct are not slots: the library writes the fields
 * of the structs it is handed (uv_pipe_init(&h)) where no store list sees
 * it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "fdstate.h"
#include "fdstate_internal.h"

void tl_slot_stores_init(tl_slot_stores *s) {
    memset(s, 0, sizeof *s);
    tl_str_map_init(&s->index);
}

void tl_slot_stores_free(tl_slot_stores *s) {
    for (int i = 0; i < s->n; i++) {
        free(s->v[i].key);
        free(s->v[i].src);
    }
    free(s->v);
    tl_str_map_free(&s->index);
    memset(s, 0, sizeof *s);
}

void tl_slot_stores_add(tl_slot_stores *s, const char *key, tl_slot_store_kind kind, const char *src,
                        bool is_static) {
    char id[600];
    snprintf(id, sizeof id, "%d|%.280s|%.280s", (int)kind, key, src ? src : "");
    if (tl_str_map_get(&s->index, id) >= 0) return;
    tl_str_map_add(&s->index, id, s->n);
    s->v = tl_xgrow(s->v, s->n, &s->cap, sizeof *s->v);
    tl_slot_store *st = &s->v[s->n++];
    st->key = tl_xstrdup(key);
    st->src = src ? tl_xstrdup(src) : NULL;
    st->kind = kind;
    st->is_static = is_static;
}

/* The slot key of a global or static (or an element of one), or of a field
 * of a struct the project declares (any instance, elements merged); false
 * else. */
bool fds_slot_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    e = fds_strip(e);
    while (e && e->kind == TL_E_INDEX && e->nkids == 2) e = fds_strip(e->kids[0]);
    if (e && e->kind == TL_E_MEMBER) {
        if (!e->usr || e->field_system || strlen(e->usr) > 250) return false;
        snprintf(buf, size, "f:%s", e->usr);
        *is_static = false;
        return true;
    }
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars) return false;
    const tl_var *v = &f->vars[e->var];
    if ((v->kind != TL_VAR_GLOBAL && v->kind != TL_VAR_STATIC) || !v->usr || strlen(v->usr) > 250) return false;
    snprintf(buf, size, "g:%s", v->usr);
    *is_static = v->internal;
    return true;
}

bool tl_fdstate_slot_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    return fds_slot_key(f, e, buf, size, is_static);
}

static void other(fd_ctx *c, const tl_expr *e) {
    char key[300];
    bool st;
    if (c->stores && fds_slot_key(c->f, e, key, sizeof key, &st)) tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, st);
}

/* Writes no store list sees: the slot's address, a bare array or pointer
 * global (every use but indexing and dereferencing it). */
static void escapes(fd_ctx *c, const tl_expr *e, bool indexed) {
    if (!e) return;
    if (e->kind == TL_E_ADDR && e->nkids == 1) other(c, e->kids[0]);
    if (e->kind == TL_E_VAR && !indexed && e->var >= 0 && e->var < c->f->nvars &&
        (c->f->vars[e->var].is_array || c->f->vars[e->var].is_pointer))
        other(c, e);
    if (e->kind == TL_E_MEMBER && !indexed && e->field_array) other(c, e); /* pipe(c->fds) */
    for (int k = 0; k < e->nkids; k++)
        escapes(c, e->kids[k], k == 0 && (e->kind == TL_E_INDEX || e->kind == TL_E_DEREF));
}

/* A store of `value` into the slot `target` (state read from s, or
 * nothing known with s NULL). */
static void store(fd_ctx *c, fd_state *s, const tl_expr *target, const tl_expr *value) {
    char key[300], src[300];
    bool st, src_st;
    if (!c->stores || !fds_slot_key(c->f, target, key, sizeof key, &st)) return;
    const tl_expr *v = fds_strip(value);
    if (v && v->kind == TL_E_UNARY && v->nkids == 1 && !strcmp(v->op, "-") && fds_strip(v->kids[0]) &&
        fds_strip(v->kids[0])->kind == TL_E_CONST && fds_strip(v->kids[0])->ival > 0)
        return; /* -1: no descriptor */
    if (v && v->kind == TL_E_CONST && v->ival < 0) return;
    unsigned bits = s ? fds_value_bits(c, s, value) : 0;
    if (bits & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE))
        tl_slot_stores_add(c->stores, key, TL_SLOT_NONBLOCKING, NULL, st);
    else if (fds_slot_key(c->f, value, src, sizeof src, &src_st) && v &&
             (v->kind == TL_E_VAR || v->kind == TL_E_INDEX || v->kind == TL_E_MEMBER))
        tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, src, st);
    else
        tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, st);
}

void fds_record_slots(fd_ctx *c, fd_state *s, const tl_instr *in) {
    if (!c->stores) return;
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        for (int a = 0; a < call->nargs; a++) escapes(c, call->args[a], false);
        escapes(c, call->fn, false);
        /* fcntl(g, F_SETFL, flags & ~O_NONBLOCK): cleared */
        const tl_call_facts *cf = call->id >= 0 && call->id < c->ff->ncalls ? &c->ff->calls[call->id] : NULL;
        const tl_fn_model *m = cf ? cf->model : NULL;
        if (m && m->fd_state.present && !m->fd_state.result && m->fd_state.if_value_arg >= 0) {
            bool value_ok, flag_ok;
            fds_state_conditions(cf, &value_ok, &flag_ok);
            if (value_ok && !flag_ok) other(c, fds_arg_of(cf, m->fd_state.arg));
        }
        break;
    }
    case TL_I_ASSIGN: {
        escapes(c, in->value, false);
        if (in->var < 0 || in->var >= c->f->nvars) break;
        tl_expr target;
        memset(&target, 0, sizeof target);
        target.kind = TL_E_VAR;
        target.var = in->var;
        store(c, s, &target, in->value);
        break;
    }
    case TL_I_STORE:
        escapes(c, in->value, false);
        escapes(c, in->target, true);
        store(c, s, in->target, in->value);
        break;
    default:
        escapes(c, in->value, false);
        break;
    }
}

void fds_record_slot_escapes(fd_ctx *c, const tl_expr *e) {
    if (c->stores) escapes(c, e, false);
}

void fds_record_slots_unknown(fd_ctx *c) {
    for (int bi = 0; c->stores && bi < c->f->nblocks; bi++) {
        const tl_block *b = &c->f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) fds_record_slots(c, NULL, &b->instrs[i]);
        escapes(c, b->cond, false);
    }
}
