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

#include "../program/program.h"
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

/* The element key of an array slot: "KEY[k]" for an element at a constant
 * index (`srv.pipe[0]`), "KEY[*]" for every other write that may reach its
 * elements (a variable index, the bare array or pointer); false for a
 * scalar.  Element keys are recorded next to the merged key, so that an
 * element read at a constant index can be known on its own
 * (program/fd_slots.c). */
bool fds_slot_part_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    e = fds_strip(e);
    int levels = 0;
    long long idx = -1;
    const tl_expr *x = e;
    while (x && x->kind == TL_E_INDEX && x->nkids == 2) {
        const tl_expr *ix = fds_strip(x->kids[1]);
        idx = ix && ix->kind == TL_E_CONST && ix->ival >= 0 && levels == 0 ? (long long)ix->ival : -1;
        levels++;
        x = fds_strip(x->kids[0]);
    }
    char base[300];
    if (!fds_slot_key(f, e, base, sizeof base, is_static)) return false;
    if (levels == 0) { /* bare: an array or pointer global, an array field */
        bool arrayish = x && ((x->kind == TL_E_MEMBER && x->field_array) ||
                              (x->kind == TL_E_VAR && x->var >= 0 && x->var < f->nvars &&
                               (f->vars[x->var].is_array || f->vars[x->var].is_pointer)));
        if (!arrayish) return false;
    }
    if (levels == 1 && idx >= 0) snprintf(buf, size, "%.280s[%lld]", base, idx);
    else snprintf(buf, size, "%.280s[*]", base);
    return true;
}

/* The key a read of e asks about: an element's at a constant index (which
 * the program phase falls back from to the merged key), else the merged. */
bool fds_slot_read_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static) {
    const tl_expr *x = fds_strip(e);
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
static void add_store(fd_ctx *c, const tl_expr *e, tl_slot_store_kind k, const char *src) {
    char key[300];
    bool st;
    if (!c->stores || !fds_slot_key(c->f, e, key, sizeof key, &st)) return;
    tl_slot_stores_add(c->stores, key, k, src, st);
    if (fds_slot_part_key(c->f, e, key, sizeof key, &st)) tl_slot_stores_add(c->stores, key, k, src, st);
}

static void other(fd_ctx *c, const tl_expr *e) {
    add_store(c, e, TL_SLOT_OTHER, NULL);
}

/* Writes no store list sees: the slot's address, a bare array or pointer
 * global (every use but indexing and dereferencing it).  A function-pointer
 * field of the program's structs read as a value (`f = ops->create`) may be
 * called where no call through the field is seen: "q:FIELD#*". */
static void escapes(fd_ctx *c, const tl_expr *e, bool indexed) {
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
        escapes(c, e->kids[k], k == 0 && (e->kind == TL_E_INDEX || e->kind == TL_E_DEREF));
}

/* Addresses taken of variables in e: such a variable has many writers. */
static void count_addr(fd_ctx *c, const tl_expr *e) {
    if (!e) return;
    if (e->kind == TL_E_ADDR && e->nkids == 1) {
        const tl_expr *k = fds_strip(e->kids[0]);
        while (k && (k->kind == TL_E_INDEX || k->kind == TL_E_MEMBER) && k->nkids >= 1 && !(k->kind == TL_E_MEMBER && k->arrow))
            k = fds_strip(k->kids[0]);
        if (k && k->kind == TL_E_VAR && k->var >= 0 && k->var < c->f->nvars) c->var_assigns[k->var] = 2;
    }
    for (int i = 0; i < e->nkids; i++) count_addr(c, e->kids[i]);
}

/* Per variable: assignments (2 = many or address taken) and the value. */
static void scan_vars(fd_ctx *c) {
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
static bool value_pseudo_slot(fd_ctx *c, const tl_expr *v, char *buf, size_t size) {
    v = fds_strip(v);
    if (v && v->kind == TL_E_VAR && v->var >= 0 && v->var < c->f->nvars) {
        scan_vars(c);
        const tl_var *var = &c->f->vars[v->var];
        if (c->var_assigns[v->var] != 0 && var->kind == TL_VAR_PARAM) return false;
        if (var->kind == TL_VAR_PARAM) {
            if (v->var >= c->f->nparams || !c->f->usr || strlen(c->f->usr) > 250) return false;
            snprintf(buf, size, "p:%s#%d", c->f->usr, v->var);
            return true;
        }
        if ((var->kind != TL_VAR_LOCAL && var->kind != TL_VAR_TEMP) || c->var_assigns[v->var] != 1) return false;
        v = fds_strip(c->var_value[v->var]);
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
    const tl_expr *v = fds_strip(value);
    unsigned bits = s ? fds_value_bits(c, s, value) : 0;
    if (bits & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE)) return TL_SLOT_NONBLOCKING;
    if (fds_slot_key(c->f, value, src, size, &src_st) && v &&
        (v->kind == TL_E_VAR || v->kind == TL_E_INDEX || v->kind == TL_E_MEMBER))
        return TL_SLOT_COPY;
    if (value_pseudo_slot(c, value, src, size)) return TL_SLOT_COPY;
    return TL_SLOT_OTHER;
}

static bool no_descriptor(const tl_expr *v) {
    v = fds_strip(v);
    if (v && v->kind == TL_E_UNARY && v->nkids == 1 && !strcmp(v->op, "-") && fds_strip(v->kids[0]) &&
        fds_strip(v->kids[0])->kind == TL_E_CONST && fds_strip(v->kids[0])->ival > 0)
        return true; /* -1: no descriptor */
    return v && v->kind == TL_E_CONST && v->ival < 0;
}

/* A store of `value` into the slot `target` (state read from s, or
 * nothing known with s NULL). */
static void store(fd_ctx *c, fd_state *s, const tl_expr *target, const tl_expr *value) {
    char key[300], src[300];
    bool st;
    if (!c->stores || !fds_slot_key(c->f, target, key, sizeof key, &st)) return;
    if (no_descriptor(value)) return;
    tl_slot_store_kind k = value_kind(c, s, value, src, sizeof src);
    add_store(c, target, k, k == TL_SLOT_COPY ? src : NULL);
}

/* A global or field array handed bare to a program function without a
 * model (`make_pipe(srv.pipe, O_NONBLOCK, 0)`): the merged slot gets
 * "anything else" (as any escape), and its elements get what the callee's
 * effect summary ("n:", fdstate_effects.c) gives for these constant
 * arguments, resolved at link time: a copy of the pseudo-slot
 * "c:USR#A|v0,v1,..." (constants, `?` for the others).  False when the
 * argument is not such an array. */
static bool effect_call_arg(fd_ctx *c, const tl_call *call, const tl_call_facts *cf, int a) {
    const tl_expr *v = fds_strip(call->args[a]);
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
    for (int k = 0; k < v->nkids; k++) escapes(c, v->kids[k], false);
    return true;
}

/* A direct call of a program function: each argument that may be a
 * descriptor is a store into the callee's parameter pseudo-slot
 * ("p:USR#N"), so that a parameter the callee stores into a slot is known
 * non-blocking only when every call site passes one.  A static function
 * (its USR carries its file: not "c:@F@") has every caller in its TU. */
static void call_args(fd_ctx *c, fd_state *s, const tl_call *call) {
    const tl_expr *fn = fds_strip(call->fn);
    bool through_field = !call->callee_usr && fn && fn->kind == TL_E_MEMBER && fn->field_fnptr && !fn->field_system &&
                         fn->usr && strlen(fn->usr) < 250; /* ops->create(fd): "q:FIELD#N" */
    if (!through_field && (!call->callee_usr || call->callee_system || strlen(call->callee_usr) > 250)) return;
    bool is_static = !through_field && strncmp(call->callee_usr, "c:@F@", 5) != 0;
    for (int a = 0; a < call->nargs; a++) {
        const tl_expr *v = fds_strip(call->args[a]);
        if (!v || v->kind == TL_E_STRING || v->kind == TL_E_NULL || v->kind == TL_E_ADDR || v->kind == TL_E_FUNC ||
            no_descriptor(v) || (v->kind == TL_E_MEMBER && v->field_array))
            continue; /* not a descriptor */
        if (v->kind == TL_E_VAR && v->var >= 0 && v->var < c->f->nvars &&
            (c->f->vars[v->var].is_pointer || c->f->vars[v->var].is_array || c->f->vars[v->var].is_record))
            continue; /* a pointer, an array, a struct (casts are looked through: `(int)p` too) */
        char key[300], src[300];
        snprintf(key, sizeof key, "%s:%s#%d", through_field ? "q" : "p", through_field ? fn->usr : call->callee_usr, a);
        tl_slot_store_kind k = value_kind(c, s, call->args[a], src, sizeof src);
        tl_slot_stores_add(c->stores, key, k, k == TL_SLOT_COPY ? src : NULL, is_static);
    }
}

/* ---- pointers to slots handed to callbacks and callees ----
 *
 * `evtimer_new(base, cb, &data->pair[1])` with cb(fd, what, void *arg)
 * reading `*(int *)arg`: the callback's data parameter N points at the
 * slot, so `*arg` holds what the slot holds.  "d:F#N" (what parameter N of
 * F points to) copies the slot of every `&S` a registration hands to F as
 * its data (callback.data_arg/data_param) or a direct call passes at N;
 * any other pointer there is "anything else", a null pointer no store.  F
 * named anywhere else ("d:F#*", escapes) or registered with its data at
 * another parameter ("d:F#@M") is not known at N (program/fd_slots.c).
 * The address taken no longer spoils S by itself: S copies "w:F#N", which
 * F's own analysis stores (non-blocking) only when F never writes through
 * parameter N nor lets it escape (fds_record_slots_done); a library's
 * function stores none. */

/* `&S` of a slot S: S's expression and its merged key, else NULL. */
static const tl_expr *addr_slot(const fd_ctx *c, const tl_expr *v, char *key, size_t size) {
    bool st;
    v = fds_strip(v);
    if (!v || v->kind != TL_E_ADDR || v->nkids != 1) return NULL;
    return fds_slot_key(c->f, v->kids[0], key, size, &st) ? v->kids[0] : NULL;
}

static bool no_pointer(const tl_expr *v) {
    v = fds_strip(v);
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
        const tl_expr *sv = fds_strip(v);
        if (sv && sv->kind != TL_E_CONST && sv->kind != TL_E_STRING && sv->kind != TL_E_FUNC)
            tl_slot_stores_add(c->stores, key, TL_SLOT_OTHER, NULL, is_static);
        return false;
    }
    tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, src, is_static);
    snprintf(w, sizeof w, "w:%s#%d", usr, n);
    add_store(c, x, TL_SLOT_COPY, w);
    escapes(c, x, true); /* (data->pair[1]: `data` itself is read) */
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
        const tl_expr *f = a >= 0 && a < call->nargs ? fds_strip(call->args[a]) : NULL;
        if (!f || (!no_pointer(f) && (f->kind != TL_E_FUNC || !f->usr || strlen(f->usr) > 250))) return false;
    }
    return true;
}

/* Argument a of a call, when it is a callback or the data of a
 * registration (a library model's callback facet with data_arg: the model
 * says the library hands it over, even when the library's sources are part
 * of the program), or a pointer a program function gets: recorded here;
 * true when the generic escape of the argument is replaced. */
static bool data_call_arg(fd_ctx *c, const tl_call *call, const tl_call_facts *cf, int a) {
    const tl_fn_model *m = cf ? cf->model : NULL;
    if (data_registration(call, m)) {
        int n = m->callback.data_param;
        for (int i = 0; i < m->callback.nargs; i++) {
            const tl_expr *f = fds_strip(call->args[m->callback.args[i]]);
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
            const tl_expr *f = fds_strip(call->args[m->callback.args[i]]);
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
    e = fds_strip(e);
    if (!e || !c->f->usr || strlen(c->f->usr) > 250) return false;
    const tl_expr *x = NULL;
    if (e->kind == TL_E_DEREF && e->nkids == 1) x = e->kids[0];
    else if (e->kind == TL_E_INDEX && e->nkids == 2 && fds_strip(e->kids[1]) &&
             fds_strip(e->kids[1])->kind == TL_E_CONST && fds_strip(e->kids[1])->ival == 0)
        x = e->kids[0];
    x = fds_strip(x);
    if (!x || x->kind != TL_E_VAR || x->var < 0 || x->var >= c->f->nvars) return false;
    scan_vars(c);
    int v = x->var;
    if (c->f->vars[v].kind != TL_VAR_PARAM) {
        const tl_expr *val = fds_strip(c->var_value[v]);
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
    const tl_expr *a = call->nargs == 1 ? fds_strip(call->args[0]) : NULL;
    if (!c->readiness || !c->watched || !c->program || !call->callee_usr || call->callee_system || !a ||
        a->kind != TL_E_MEMBER || !a->usr || strlen(call->callee_usr) + strlen(a->usr) > 290 ||
        !(arg_bits & (TL_FDS_READY | TL_FDS_DERIVED)))
        return false;
    char key[320];
    snprintf(key, sizeof key, "call:%s|%s", call->callee_usr, a->usr);
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

static void ro_walk(ro_scan *r, const tl_expr *e, bool safe) {
    if (!e || r->bad) return;
    switch (e->kind) {
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
    const tl_expr *v = in->kind == TL_I_ASSIGN ? fds_strip(in->value) : NULL;
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
    scan_vars(c);
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
static bool read_only_alias(fd_ctx *c, const tl_instr *in) {
    const tl_func *f = c->f;
    const tl_expr *v = fds_strip(in->value), *x = NULL;
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
    if (ok) escapes(c, x, true);
    return ok;
}

/* "w:F#N" for each pointer parameter N that f only reads through. */
static void record_read_only_params(fd_ctx *c) {
    const tl_func *f = c->f;
    if (!f->usr || strlen(f->usr) > 250 || f->nparams <= 0) return;
    scan_vars(c);
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

void fds_record_slots(fd_ctx *c, fd_state *s, const tl_instr *in) {
    if (!c->stores) return;
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_call_facts *cf = call->id >= 0 && call->id < c->ff->ncalls ? &c->ff->calls[call->id] : NULL;
        for (int a = 0; a < call->nargs; a++)
            if (!effect_call_arg(c, call, cf, a) && !data_call_arg(c, call, cf, a)) escapes(c, call->args[a], false);
        const tl_expr *fn = fds_strip(call->fn);
        if (fn && fn->kind == TL_E_MEMBER && fn->field_fnptr) /* called through the field: call_args */
            for (int k = 0; k < fn->nkids; k++) escapes(c, fn->kids[k], false);
        else
            escapes(c, call->fn, false);
        call_args(c, s, call);
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
        if (!read_only_alias(c, in)) escapes(c, in->value, false);
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
        if (fds_strip(in->target) && fds_strip(in->target)->kind == TL_E_MEMBER && fds_strip(in->target)->field_fnptr)
            for (int k = 0; k < fds_strip(in->target)->nkids; k++) /* ops->create = g: a write (g's address is taken) */
                escapes(c, fds_strip(in->target)->kids[k], false);
        else
            escapes(c, in->target, true);
        store(c, s, in->target, in->value);
        break;
    default:
        escapes(c, in->value, false);
        break;
    }
}

void fds_record_slot_escapes(fd_ctx *c, const tl_expr *e) {
    c->reading_cond = true; /* (a branch on a field's function pointer does not call it) */
    if (c->stores) escapes(c, e, false);
    c->reading_cond = false;
}

void fds_record_slots_unknown(fd_ctx *c) {
    for (int bi = 0; c->stores && bi < c->f->nblocks; bi++) {
        const tl_block *b = &c->f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) fds_record_slots(c, NULL, &b->instrs[i]);
        fds_record_slot_escapes(c, b->cond);
    }
}

/* Does f only return a field of what its one pointer parameter points to
 * (`int conn_fd(void *c) { struct conn *x = c; return x->fd; }`)?  No
 * call, no store, locals assigned only from the parameter, every return
 * `p->field` of one same field: the same call on the same object gives the
 * same descriptor ("a:USR", read by fds_accessor_ready). */
static bool field_accessor(fd_ctx *c) {
    const tl_func *f = c->f;
    const char *field = NULL;
    scan_vars(c);
    if (f->nparams != 1 || !f->vars[0].is_pointer || c->var_assigns[0] != 0) return false;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            const tl_expr *v = fds_strip(in->value);
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
                const tl_expr *b = v && v->kind == TL_E_MEMBER && v->arrow && v->nkids == 1 && v->usr ? fds_strip(v->kids[0]) : NULL;
                if (!b || b->kind != TL_E_VAR || b->var < 0 || b->var >= f->nvars) return false;
                const tl_expr *src = b->var == 0 ? NULL : fds_strip(c->var_value[b->var]);
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

void fds_record_slots_done(fd_ctx *c, bool returns_nonblocking) {
    if (c->stores) record_read_only_params(c);
    if (c->stores && c->f->usr && strlen(c->f->usr) < 250 && field_accessor(c)) {
        char key[264];
        snprintf(key, sizeof key, "a:%s", c->f->usr);
        tl_slot_stores_add(c->stores, key, TL_SLOT_NONBLOCKING, NULL, strncmp(c->f->usr, "c:@F@", 5) != 0);
    }
    if (c->stores && returns_nonblocking && c->f->usr && strlen(c->f->usr) < 250) {
        char key[264];
        snprintf(key, sizeof key, "r:%s", c->f->usr);
        tl_slot_stores_add(c->stores, key, TL_SLOT_NONBLOCKING, NULL, true);
    }
    free(c->var_assigns);
    free(c->var_value);
    c->var_assigns = NULL;
    c->var_value = NULL;
}
