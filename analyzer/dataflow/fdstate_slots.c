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
 * `pipe(c->fds)`: written through) - unless only read through (a program
 * function's or callback's parameter, "w:", or a local pointer: see
 * "pointers to slots" below), a call clearing its O_NONBLOCK
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
 *
 * Values crossing functions go through pseudo-slots of the same graph:
 * "p:USR#N" (parameter N of a function: every direct call stores its
 * argument there, and a store of a parameter the function never assigns
 * copies it), "p:USR#*" (the function's address is taken: every parameter
 * is "anything else"; initializers are noted by the front end, and one
 * naming it at a function-pointer field notes "p:USR#=FIELD" instead),
 * "q:FIELD#N" (every call through a function-pointer field stores its
 * argument N there; "q:FIELD#*": the field read as a value) and "r:USR"
 * (stored non-blocking by the function's own analysis when every path
 * returning a descriptor returns a non-blocking one; a call result, or a
 * local assigned once from it, copies it).
 *
 * An array slot's elements are slots too: "S[k]" (a store at constant index
 * k) and "S[*]" (every other write that may reach an element), recorded next
 * to S.  A global or field array handed bare to a program function records
 * "c:USR#A|constants" into "S[*]": the callee's effect summary
 * (fdstate_effects.c) says at link which elements the call leaves
 * non-blocking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "fdstate.h"
#include "fdstate_internal.h"

/* Keys are built for every store and every argument of every call: these
 * append helpers replace snprintf there (same bytes, truncated the same
 * way: at most size - 1 bytes, then NUL) at a fraction of its cost. */
typedef struct {
    char *buf;
    size_t size, at;
} key_buf;

static key_buf key_start(char *buf, size_t size) {
    key_buf k = {buf, size, 0};
    if (size) buf[0] = '\0';
    return k;
}

/* Appends at most max bytes of s. */
static void key_str(key_buf *k, const char *s, size_t max) {
    if (k->at + 1 >= k->size) return;
    size_t room = k->size - 1 - k->at;
    size_t n = strnlen(s, max < room ? max : room);
    memcpy(k->buf + k->at, s, n);
    k->at += n;
    k->buf[k->at] = '\0';
}

static void key_int(key_buf *k, long long v) {
    char d[24];
    int n = (int)sizeof d;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    d[--n] = '\0';
    do d[--n] = (char)('0' + u % 10); while ((u /= 10) != 0);
    if (v < 0) d[--n] = '-';
    key_str(k, d + n, sizeof d);
}

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
    key_buf kb = key_start(id, sizeof id); /* "KIND|KEY|SRC", each at most 280 bytes */
    key_int(&kb, (int)kind);
    key_str(&kb, "|", 1);
    key_str(&kb, key, 280);
    key_str(&kb, "|", 1);
    key_str(&kb, src ? src : "", 280);
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
    e = tl_expr_uncast(e);
    while (e && e->kind == TL_E_INDEX && e->nkids == 2) e = tl_expr_uncast(e->kids[0]);
    if (e && e->kind == TL_E_MEMBER) {
        if (!e->usr || e->field_system || strlen(e->usr) > 250) return false;
        key_buf kb = key_start(buf, size);
        key_str(&kb, "f:", 2);
        key_str(&kb, e->usr, (size_t)-1);
        *is_static = false;
        return true;
    }
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars) return false;
    const tl_var *v = &f->vars[e->var];
    if ((v->kind != TL_VAR_GLOBAL && v->kind != TL_VAR_STATIC) || !v->usr || strlen(v->usr) > 250) return false;
    key_buf kb = key_start(buf, size);
    key_str(&kb, "g:", 2);
    key_str(&kb, v->usr, (size_t)-1);
    *is_static = v->internal;
    return true;
}

/* The element key of an array slot: "KEY[k]" for an element at a constant
 * index (`srv.pipe[0]`), "KEY[*]" for every other write that may reach its
 * elements (a variable index, the bare array or pointer); false for a
 * scalar.  Element keys are recorded next to the merged key, so that an
 * element read at a constant index can be known on its own
 * (program/fd_slots.c). */
bool fds_slot_part_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    e = tl_expr_uncast(e);
    int levels = 0;
    long long idx = -1;
    const tl_expr *x = e;
    while (x && x->kind == TL_E_INDEX && x->nkids == 2) {
        const tl_expr *ix = tl_expr_uncast(x->kids[1]);
        idx = ix && ix->kind == TL_E_CONST && ix->ival >= 0 && levels == 0 ? (long long)ix->ival : -1;
        levels++;
        x = tl_expr_uncast(x->kids[0]);
    }
    char base[300];
    if (!fds_slot_key(f, e, base, sizeof base, is_static)) return false;
    if (levels == 0) { /* bare: an array or pointer global, an array field */
        bool arrayish = x && ((x->kind == TL_E_MEMBER && x->field_array) ||
                              (x->kind == TL_E_VAR && x->var >= 0 && x->var < f->nvars &&
                               (f->vars[x->var].is_array || f->vars[x->var].is_pointer)));
        if (!arrayish) return false;
    }
    key_buf kb = key_start(buf, size); /* "BASE[k]" or "BASE[*]", BASE at most 280 bytes */
    key_str(&kb, base, 280);
    key_str(&kb, "[", 1);
    if (levels == 1 && idx >= 0) key_int(&kb, idx);
    else key_str(&kb, "*", 1);
    key_str(&kb, "]", 1);
    return true;
}

/* The key a read of e asks about: an element's at a constant index (which
 * the program phase falls back from to the merged key), else the merged. */
bool fds_slot_read_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    const tl_expr *x = tl_expr_uncast(e);
    if (x && x->kind == TL_E_INDEX && fds_slot_part_key(f, e, buf, size, is_static) && buf[strlen(buf) - 1] == ']' &&
        buf[strlen(buf) - 2] != '*')
        return true;
    return fds_slot_key(f, e, buf, size, is_static);
}

bool tl_fdstate_slot_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    return fds_slot_read_key(f, e, buf, size, is_static);
}

/* A store of kind k (src) into the slot of e: its merged key and, for an
 * array, its element key. */
void fds_add_store(fd_ctx *c, const tl_expr *e, tl_slot_store_kind k, const char *src) {
    char key[300];
    bool st;
    if (!c->stores || !fds_slot_key(c->f, e, key, sizeof key, &st)) return;
    tl_slot_stores_add(c->stores, key, k, src, st);
    if (fds_slot_part_key(c->f, e, key, sizeof key, &st)) tl_slot_stores_add(c->stores, key, k, src, st);
}

static void other(fd_ctx *c, const tl_expr *e) {
    fds_add_store(c, e, TL_SLOT_OTHER, NULL);
}

/* Writes no store list sees: the slot's address, a bare array or pointer
 * global (every use but indexing and dereferencing it).  A function-pointer
 * field of the program's structs read as a value (`f = ops->create`) may be
 * called where no call through the field is seen: "q:FIELD#*". */
void fds_escapes(fd_ctx *c, const tl_expr *e, bool indexed) {
    if (!e) return;
    if (e->kind == TL_E_MEMBER && e->field_fnptr && !e->field_system && e->usr && strlen(e->usr) < 250 &&
        !c->reading_cond) {
        char key[264];
        snprintf(key, sizeof key, "q:%s#*", e->usr);
        tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, false);
    }
    if (e->kind == TL_E_FUNC && e->usr && strlen(e->usr) < 250) { /* may be called through a pointer */
        char key[264];
        snprintf(key, sizeof key, "p:%s#*", e->usr);
        tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, true);
        snprintf(key, sizeof key, "d:%s#*", e->usr); /* (with any pointer: fds_record_data_args) */
        tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, true);
    }
    if (e->kind == TL_E_ADDR && e->nkids == 1) other(c, e->kids[0]);
    if (e->kind == TL_E_VAR && !indexed && e->var >= 0 && e->var < c->f->nvars &&
        (c->f->vars[e->var].is_array || c->f->vars[e->var].is_pointer))
        other(c, e);
    if (e->kind == TL_E_MEMBER && !indexed && e->field_array) other(c, e); /* pipe(c->fds) */
    for (int k = 0; k < e->nkids; k++)
        fds_escapes(c, e->kids[k], k == 0 && (e->kind == TL_E_INDEX || e->kind == TL_E_DEREF));
}

/* Addresses taken of variables in e: such a variable has many writers. */
static void count_addr(fd_ctx *c, const tl_expr *e) {
    if (!e) return;
    if (e->kind == TL_E_ADDR && e->nkids == 1) {
        const tl_expr *k = tl_expr_uncast(e->kids[0]);
        while (k && (k->kind == TL_E_INDEX || k->kind == TL_E_MEMBER) && k->nkids >= 1 && !(k->kind == TL_E_MEMBER && k->arrow))
            k = tl_expr_uncast(k->kids[0]);
        if (k && k->kind == TL_E_VAR && k->var >= 0 && k->var < c->f->nvars) c->var_assigns[k->var] = 2;
    }
    for (int i = 0; i < e->nkids; i++) count_addr(c, e->kids[i]);
}

/* Per variable: assignments (2 = many or address taken) and the value. */
void fds_scan_vars(fd_ctx *c) {
    if (c->var_assigns) return;
    const tl_func *f = c->f;
    c->var_assigns = tl_xcalloc((size_t)f->nvars + 1, sizeof *c->var_assigns);
    c->var_value = tl_xcalloc((size_t)f->nvars + 1, sizeof *c->var_value);
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars) {
                if (c->var_assigns[in->var] < 2) c->var_assigns[in->var]++;
                c->var_value[in->var] = in->value;
            }
            count_addr(c, in->value);
            count_addr(c, in->target);
            if (in->kind == TL_I_CALL) {
                for (int a = 0; a < in->call.nargs; a++) count_addr(c, in->call.args[a]);
                count_addr(c, in->call.fn);
            }
        }
        count_addr(c, b->cond);
    }
}

/* The value of v names a value a caller or callee in any file gives:
 * parameter N of this function never written here ("p:USR#N": every call
 * site's argument, joined at link), or the result of a call to a program
 * function with no descriptor model ("r:USR": what it returns on every
 * path, when its own analysis says so), directly or through a local
 * assigned once. */
bool fds_value_pseudo_slot(fd_ctx *c, const tl_expr *v, char *buf, size_t size) {
    v = tl_expr_uncast(v);
    if (v && v->kind == TL_E_VAR && v->var >= 0 && v->var < c->f->nvars) {
        fds_scan_vars(c);
        const tl_var *var = &c->f->vars[v->var];
        if (c->var_assigns[v->var] != 0 && var->kind == TL_VAR_PARAM) return false;
        if (var->kind == TL_VAR_PARAM) {
            if (v->var >= c->f->nparams || !c->f->usr || strlen(c->f->usr) > 250) return false;
            snprintf(buf, size, "p:%s#%d", c->f->usr, v->var);
            return true;
        }
        if ((var->kind != TL_VAR_LOCAL && var->kind != TL_VAR_TEMP) || c->var_assigns[v->var] != 1) return false;
        v = tl_expr_uncast(c->var_value[v->var]);
    }
    if (!v || v->kind != TL_E_CALLRES || v->call_id < 0 || v->call_id >= c->ff->ncalls) return false;
    const tl_call_facts *cf = &c->ff->calls[v->call_id];
    const tl_call *call = cf->instr ? &cf->instr->call : NULL;
    if (!call || !call->callee_usr || call->callee_system || strlen(call->callee_usr) > 250 ||
        (cf->model && cf->model->fd_state.present))
        return false;
    snprintf(buf, size, "r:%s", call->callee_usr);
    return true;
}

/* What a value stored into a slot (or passed as an argument) is: known
 * non-blocking, a copy of another slot or pseudo-slot, or anything else. */
static tl_slot_store_kind value_kind(fd_ctx *c, fd_state *s, const tl_expr *value, char *src, size_t size) {
    bool src_st;
    const tl_expr *v = tl_expr_uncast(value);
    unsigned bits = s ? fds_value_bits(c, s, value) : 0;
    if (bits & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE)) return TL_SLOT_NONBLOCKING;
    if (s && fds_via_src(c, fds_value_via(c, s, value), src, size)) return TL_SLOT_COPY; /* set_nb(fd) of another file */
    if (fds_slot_key(c->f, value, src, size, &src_st) && v &&
        (v->kind == TL_E_VAR || v->kind == TL_E_INDEX || v->kind == TL_E_MEMBER))
        return TL_SLOT_COPY;
    if (fds_value_pseudo_slot(c, value, src, size)) return TL_SLOT_COPY;
    return TL_SLOT_OTHER;
}

/* A store of `value` into the slot `target` (state read from s, or
 * nothing known with s NULL). */
static void store(fd_ctx *c, fd_state *s, const tl_expr *target, const tl_expr *value) {
    char key[300], src[300];
    bool st;
    if (!c->stores || !fds_slot_key(c->f, target, key, sizeof key, &st)) return;
    if (fds_negative_const(value)) return;
    tl_slot_store_kind k = value_kind(c, s, value, src, sizeof src);
    if (k == TL_SLOT_OTHER && s && fds_defer_store(c, target, value, NULL)) return; /* made non-blocking later? */
    if (k == TL_SLOT_COPY && s && fds_settle_target(c, target) && fds_defer_store(c, target, value, src))
        return; /* (a copy: or made non-blocking later) */
    fds_add_store(c, target, k, k == TL_SLOT_COPY ? src : NULL);
}

/* A global or field array handed bare to a program function without a
 * model (`make_pipe(srv.pipe, O_NONBLOCK, 0)`): the merged slot gets
 * "anything else" (as any escape), and its elements get what the callee's
 * effect summary ("n:", fdstate_effects.c) gives for these constant
 * arguments, resolved at link time: a copy of the pseudo-slot
 * "c:USR#A|v0,v1,..." (constants, `?` for the others).  False when the
 * argument is not such an array. */
static bool effect_call_arg(fd_ctx *c, const tl_call *call, const tl_call_facts *cf, int a) {
    const tl_expr *v = tl_expr_uncast(call->args[a]);
    if (!c->stores || !cf || cf->model || !call->callee_usr || call->callee_system || strlen(call->callee_usr) > 200 ||
        !v || !((v->kind == TL_E_MEMBER && v->field_array) ||
                (v->kind == TL_E_VAR && v->var >= 0 && v->var < c->f->nvars && c->f->vars[v->var].is_array)))
        return false;
    char key[300], src[600];
    bool st;
    if (!fds_slot_key(c->f, v, key, sizeof key, &st) || !fds_slot_part_key(c->f, v, key, sizeof key, &st)) return false;
    int at = snprintf(src, sizeof src, "c:%s#%d|", call->callee_usr, a);
    for (int i = 0; i < call->nargs && at < (int)sizeof src - 24; i++) {
        const tl_cval *cv = fds_argv_of(cf, i);
        if (cv && cv->kind == TL_CV_INT) at += snprintf(src + at, sizeof src - (size_t)at, "%s%lld", i ? "," : "", (long long)cv->v);
        else at += snprintf(src + at, sizeof src - (size_t)at, "%s?", i ? "," : "");
    }
    if (at >= (int)sizeof src - 24) return false;
    char merged[300];
    fds_slot_key(c->f, v, merged, sizeof merged, &st);
    tl_slot_stores_add(c->stores, merged, TL_SLOT_OTHER, NULL, st);
    tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, src, st);
    for (int k = 0; k < v->nkids; k++) fds_escapes(c, v->kids[k], false);
    return true;
}

/* A direct call of a program function: each argument that may be a
 * descriptor is a store into the callee's parameter pseudo-slot
 * ("p:USR#N"), so that a parameter the callee stores into a slot is known
 * non-blocking only when every call site passes one.  A static function
 * (its USR carries its file: not "c:@F@") has every caller in its TU. */
static void call_args(fd_ctx *c, fd_state *s, const tl_call *call) {
    const tl_expr *fn = tl_expr_uncast(call->fn);
    bool through_field = !call->callee_usr && fn && fn->kind == TL_E_MEMBER && fn->field_fnptr && !fn->field_system &&
                         fn->usr && strlen(fn->usr) < 250; /* ops->create(fd): "q:FIELD#N" */
    if (!through_field && (!call->callee_usr || call->callee_system || strlen(call->callee_usr) > 250)) return;
    bool is_static = !through_field && strncmp(call->callee_usr, "c:@F@", 5) != 0;
    for (int a = 0; a < call->nargs; a++) {
        const tl_expr *v = tl_expr_uncast(call->args[a]);
        if (!v || v->kind == TL_E_STRING || v->kind == TL_E_NULL || v->kind == TL_E_ADDR || v->kind == TL_E_FUNC ||
            fds_negative_const(v) || (v->kind == TL_E_MEMBER && v->field_array))
            continue; /* not a descriptor */
        if (v->kind == TL_E_VAR && v->var >= 0 && v->var < c->f->nvars &&
            (c->f->vars[v->var].is_pointer || c->f->vars[v->var].is_array || c->f->vars[v->var].is_record))
            continue; /* a pointer, an array, a struct (casts are looked through: `(int)p` too) */
        char key[300], src[300];
        key_buf kb = key_start(key, sizeof key); /* "q:FIELD#A" or "p:USR#A" */
        key_str(&kb, through_field ? "q:" : "p:", 2);
        key_str(&kb, through_field ? fn->usr : call->callee_usr, (size_t)-1);
        key_str(&kb, "#", 1);
        key_int(&kb, a);
        tl_slot_store_kind k = value_kind(c, s, call->args[a], src, sizeof src);
        tl_slot_stores_add(c->stores, key, k, k == TL_SLOT_COPY ? src : NULL, is_static);
    }
}

void fds_record_slots(fd_ctx *c, fd_state *s, const tl_instr *in) {
    if (!c->stores) return;
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_call_facts *cf = call->id >= 0 && call->id < c->ff->ncalls ? &c->ff->calls[call->id] : NULL;
        for (int a = 0; a < call->nargs; a++)
            if (!effect_call_arg(c, call, cf, a) && !fds_data_call_arg(c, call, cf, a)) fds_escapes(c, call->args[a], false);
        const tl_expr *fn = tl_expr_uncast(call->fn);
        if (fn && fn->kind == TL_E_MEMBER && fn->field_fnptr) /* called through the field: call_args */
            for (int k = 0; k < fn->nkids; k++) fds_escapes(c, fn->kids[k], false);
        else
            fds_escapes(c, call->fn, false);
        call_args(c, s, call);
        fds_note_call_site(c, in, cf);
        /* fcntl(g, F_SETFL, flags & ~O_NONBLOCK): cleared */
        const tl_fn_model *m = cf ? cf->model : NULL;
        if (m && m->fd_state.present && !m->fd_state.result && m->fd_state.if_value_arg >= 0) {
            bool value_ok, flag_ok;
            fds_state_conditions(cf, &value_ok, &flag_ok);
            if (value_ok && !flag_ok) other(c, fds_arg_of(cf, m->fd_state.arg));
        }
        break;
    }
    case TL_I_ASSIGN: {
        if (!fds_read_only_alias(c, in)) fds_escapes(c, in->value, false);
        if (in->var < 0 || in->var >= c->f->nvars) break;
        tl_expr target;
        memset(&target, 0, sizeof target);
        target.kind = TL_E_VAR;
        target.var = in->var;
        store(c, s, &target, in->value);
        break;
    }
    case TL_I_STORE:
        fds_escapes(c, in->value, false);
        if (tl_expr_uncast(in->target) && tl_expr_uncast(in->target)->kind == TL_E_MEMBER && tl_expr_uncast(in->target)->field_fnptr)
            for (int k = 0; k < tl_expr_uncast(in->target)->nkids; k++) /* ops->create = g: a write (g's address is taken) */
                fds_escapes(c, tl_expr_uncast(in->target)->kids[k], false);
        else
            fds_escapes(c, in->target, true);
        store(c, s, in->target, in->value);
        break;
    default:
        fds_escapes(c, in->value, false);
        break;
    }
}

void fds_record_slot_escapes(fd_ctx *c, const tl_expr *e) {
    c->reading_cond = true; /* (a branch on a field's function pointer does not call it) */
    if (c->stores) fds_escapes(c, e, false);
    c->reading_cond = false;
}

void fds_record_slots_unknown(fd_ctx *c) {
    for (int bi = 0; c->stores && bi < c->f->nblocks; bi++) {
        const tl_block *b = &c->f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) fds_record_slots(c, NULL, &b->instrs[i]);
        fds_record_slot_escapes(c, b->cond);
    }
}

void fds_record_slots_done(fd_ctx *c, bool returns_nonblocking) {
    fds_resolve_deferred(c);
    if (c->stores) fds_record_pointer_facts(c);
    if (c->stores && returns_nonblocking && c->f->usr && strlen(c->f->usr) < 250) {
        char key[264];
        snprintf(key, sizeof key, "r:%s", c->f->usr);
        tl_slot_stores_add(c->stores, key, TL_SLOT_NONBLOCKING, NULL, true);
    } else if (c->stores && c->returned && c->return_via_ok && c->return_via && c->f->usr &&
               strlen(c->f->usr) < 250) { /* every return non-blocking, some if set_nb(fd) of another file does */
        char key[264], src[300];
        snprintf(key, sizeof key, "r:%s", c->f->usr);
        if (fds_via_src(c, c->return_via, src, sizeof src)) tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, src, true);
    }
    free(c->var_assigns);
    free(c->var_value);
    c->var_assigns = NULL;
    c->var_value = NULL;
    fds_vias_free(c);
}
