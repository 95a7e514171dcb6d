/* fdstate.c - descriptor state and struct-field facts (see fdstate.h).
 *
 * A state is a list of facts sorted by key; a key is a variable (its
 * descriptor bits) or a "slot", a field of a local struct variable (its
 * constant value, or the variable stored there).  Slots are numbered per
 * function from the stores and facet queries that name them.  The list is
 * sparse: only variables with a known state and slots with a known content
 * are in it, so a function costs what it has in flight.  `top` marks the
 * state of a block no path reached yet (the identity of the join, which is
 * an intersection).  The driver (fdstate_run.c) skips functions without a
 * single call the facets speak about.
 */
#include "fdstate.h"
#include "fdstate_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../program/program.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"
#include "dataflow.h"
#include "liveness.h"

/* ---- slots ---- */

/* The slot `var.field` (or `var->field`), -1 if there is none (yet). */
static int slot_of(fd_ctx *c, int var, const char *field, bool arrow, bool add) {
    if (var < 0 || var >= c->nvars || !field) return -1;
    char key[96];
    snprintf(key, sizeof key, "%d%s%.60s", var, arrow ? "->" : ".", field);
    int s = tl_str_map_get(&c->slots, key);
    if (s >= 0 || !add) return s;
    if (c->nslots == c->capslots) {
        c->capslots = c->capslots ? c->capslots * 2 : 16;
        c->slot_var = tl_xrealloc(c->slot_var, (size_t)c->capslots * sizeof *c->slot_var);
        c->slot_arrow = tl_xrealloc(c->slot_arrow, (size_t)c->capslots * sizeof *c->slot_arrow);
        c->slot_usr = tl_xrealloc(c->slot_usr, (size_t)c->capslots * sizeof *c->slot_usr);
        c->slot_elem = tl_xrealloc(c->slot_elem, (size_t)c->capslots * sizeof *c->slot_elem);
    }
    c->slot_elem[c->nslots] = field[0] == '[' ? (int)strtol(field + 1, NULL, 10) : -1;
    c->slot_var[c->nslots] = var;
    c->has_slots[var] = true;
    c->slot_arrow[c->nslots] = arrow;
    c->slot_usr[c->nslots] = NULL;
    tl_str_map_add(&c->slots, key, c->nslots);
    return c->nslots++;
}

/* The key of a descriptor expression: a variable, or a field slot
 * (`c->fd`, `p.fd`); -1 for anything else. */
static int desc_key(fd_ctx *c, const tl_expr *e, bool add) {
    int v = fds_plain_var(e);
    if (v >= 0) return v < c->nvars ? v : -1;
    const char *field;
    bool arrow;
    v = fds_member_var(e, &field, &arrow);
    e = tl_expr_uncast(e);
    char idx[24];
    if (v < 0 && e && e->kind == TL_E_INDEX && e->nkids == 2 && tl_expr_uncast(e->kids[1]) &&
        tl_expr_uncast(e->kids[1])->kind == TL_E_CONST && (v = fds_plain_var(e->kids[0])) >= 0) {
        /* fds[0]: an element at a constant index */
        snprintf(idx, sizeof idx, "[%lld]", (long long)tl_expr_uncast(e->kids[1])->ival);
        field = idx;
        arrow = false;
    }
    int slot = v >= 0 ? slot_of(c, v, field, arrow, add) : -1;
    if (slot >= 0 && !c->slot_usr[slot] && e && e->kind == TL_E_MEMBER && e->usr && !e->field_system)
        c->slot_usr[slot] = e->usr; /* (the field's identity across functions) */
    return slot >= 0 ? c->nvars + slot : -1;
}

int fds_desc_key(fd_ctx *c, const tl_expr *e, bool add) {
    return desc_key(c, e, add);
}

/* ---- state operations ---- */

static unsigned bits_of_var(const void *s, int v);

/* The bits (of `mask`) of the variables e reads, outside call results. */
static unsigned mentioned_bits(const void *s, const tl_expr *e, unsigned mask) {
    if (!e) return 0;
    unsigned b = e->kind == TL_E_VAR ? bits_of_var(s, e->var) & mask : 0;
    for (int k = 0; k < e->nkids && b != mask; k++) b |= mentioned_bits(s, e->kids[k], mask);
    return b;
}

static fact *find(fd_state *s, int key) {
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (s->e[mid].key == key) return &s->e[mid];
        if (s->e[mid].key < key) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

static bool is_nonlocal(const fd_ctx *c, int v);

static void put(fd_ctx *c, fd_state *s, fact f) {
    int v = f.key < c->nvars ? f.key : c->slot_var[f.key - c->nvars];
    if (is_nonlocal(c, v)) c->nonlocal_facts = true;
    if (f.src_var >= 0) c->is_src[f.src_var] = true;
    fact *old = find(s, f.key);
    if (old) {
        *old = f;
        return;
    }
    s->e = tl_xrealloc(s->e, ((size_t)s->n + 1) * sizeof *s->e);
    int i = s->n++;
    while (i > 0 && s->e[i - 1].key > f.key) {
        s->e[i] = s->e[i - 1];
        i--;
    }
    s->e[i] = f;
    c->work += s->n;
}

static void drop_key(fd_ctx *c, fd_state *s, int key) {
    fact *f = find(s, key);
    if (!f) return;
    int i = (int)(f - s->e);
    memmove(&s->e[i], &s->e[i + 1], (size_t)(s->n - i - 1) * sizeof *s->e);
    s->n--;
    c->work += s->n;
}

/* Pointer (or array) v is given to a callee: what it points to may change. */
static void forget_pointee(fd_ctx *c, fd_state *s, int v) {
    if (!c->has_slots[v]) return;
    bool array = c->f->vars[v].is_array;
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        const fact *f = &s->e[i];
        int slot = f->key - c->nvars;
        if (!(slot >= 0 && c->slot_var[slot] == v && (c->slot_arrow[slot] || array))) s->e[n++] = *f;
    }
    c->work += s->n;
    s->n = n;
}

static bool is_nonlocal(const fd_ctx *c, int v) {
    tl_var_kind k = c->f->vars[v].kind;
    return k == TL_VAR_GLOBAL || k == TL_VAR_STATIC;
}

/* Any call may change globals and statics (and what they hold). */
static void forget_nonlocals(fd_ctx *c, fd_state *s) {
    if (!c->nonlocal_facts) return;
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        const fact *f = &s->e[i];
        int v = f->key < c->nvars ? f->key : c->slot_var[f->key - c->nvars];
        if (!is_nonlocal(c, v)) s->e[n++] = *f;
    }
    c->work += s->n;
    s->n = n;
}

/* v's value changes: its own bits, the slots of struct v, and slots that
 * hold v's (old) value are no longer known. */
static void drop_mirrors(fd_ctx *c, fd_state *s, int k);
static void forget_var(fd_ctx *c, fd_state *s, int v) {
    drop_mirrors(c, s, v);
    if (!c->has_slots[v] && !c->is_src[v]) { /* only its own fact: no scan */
        drop_key(c, s, v);
        return;
    }
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        const fact *f = &s->e[i];
        bool gone = f->key == v || (f->key >= c->nvars && (c->slot_var[f->key - c->nvars] == v || f->src_var == v));
        if (!gone) s->e[n++] = *f;
    }
    c->work += s->n;
    s->n = n;
}

/* Descriptor key k changes (its mode, or its value): no variable holds its
 * status flags any more. */
static void drop_mirrors(fd_ctx *c, fd_state *s, int k) {
    for (int i = 0; c->mirrors && k >= 0 && i < s->n; i++)
        if (s->e[i].flags_of == k + 1) s->e[i].flags_of = 0; /* (a fact left empty is harmless) */
    c->work += c->mirrors ? s->n : 0;
}

fact *fds_find(fd_state *s, int key) {
    return find(s, key);
}

static unsigned bits_of(fd_state *s, int v);
unsigned fds_bits_of(fd_state *s, int v) {
    return bits_of(s, v);
}

static unsigned bits_of(fd_state *s, int v) {
    fact *f = v >= 0 ? find(s, v) : NULL;
    return f ? f->bits : 0;
}

static unsigned bits_of_var(const void *s, int v) {
    return bits_of((fd_state *)s, v);
}

unsigned fds_var_hbit(fd_state *s, int v) {
    fact *f = v >= 0 ? find(s, v) : NULL;
    return f ? f->hbit : FDS_HB_UNKNOWN;
}

/* Variable v (just assigned, its facts forgotten) holds the hypothesis bit hb. */
static void set_hbit(fd_ctx *c, fd_state *s, int v, unsigned hb);
void fds_set_hbit(fd_ctx *c, fd_state *s, int v, unsigned hb) {
    set_hbit(c, s, v, hb);
}

static void set_hbit(fd_ctx *c, fd_state *s, int v, unsigned hb) {
    if (hb == FDS_HB_UNKNOWN || !fds_hbit_var_ok(c, v)) return; /* (char c = flags: the bit is lost) */
    fact *f = find(s, v);
    if (f) f->hbit = (unsigned char)hb;
    else put(c, s, (fact){v, 0, false, 0, -1, -1, -1, (unsigned char)hb, 0, 0});
}

/* The state of the descriptor expression e: a variable's, or, in a
 * readiness callback, ready for a watched field of a derived struct
 * (`c->fd` where c = handle->data and uv_poll_init(..., c->fd)). */
static unsigned descriptor_bits(fd_ctx *c, fd_state *s, const tl_expr *e) {
    unsigned b = bits_of(s, desc_key(c, e, false)) & FDS_NOT_BLOCKING;
    const tl_expr *x = tl_expr_uncast(e);
    if (!b && x && x->kind == TL_E_CALLRES && x->call_id >= 0 && x->call_id < c->ff->ncalls)
        return c->result_bits[x->call_id] & FDS_NOT_BLOCKING; /* read(g_io_channel_unix_get_fd(ch), ...) */
    int h = !b && c->ready_field && x && x->kind == TL_E_MEMBER && x->name && x->nkids == 1 &&
                    !strcmp(x->name, c->ready_field) ? fds_plain_var(x->kids[0]) : -1;
    if (h >= 0 && h < c->nvars && (bits_of(s, h) & TL_FDS_READY))
        return TL_FDS_READY; /* w->fd of the ready handle w (callback.ready_field) */
    char key[300];
    bool st;
    if (!b && c->global_nb && fds_global_key(c->f, e, key, sizeof key) && tl_str_map_get(c->global_nb, key) == G_NONBLOCKING)
        b = TL_FDS_NONBLOCKING; /* made non-blocking in this file, never otherwise set */
    if (!b && c->program && fds_slot_read_key(c->f, e, key, sizeof key, &st) && tl_program_fd_slot_nonblocking(c->program, key))
        b = TL_FDS_NONBLOCKING; /* every store of the program stores a non-blocking one */
    if (!b && fds_data_read_nonblocking(c, e))
        b = TL_FDS_NONBLOCKING; /* `*arg`: every slot the callers point it at holds non-blocking ones */
    int v = fds_plain_var(e);
    if (!b && v >= 0 && c->readiness && c->watched && v < c->nvars && c->f->vars[v].usr && is_nonlocal(c, v)) {
        /* a global the file registers for readiness, in a readiness callback */
        snprintf(key, sizeof key, "var:%.240s", c->f->vars[v].usr);
        if (tl_str_map_get(c->watched, key) >= 0) b = TL_FDS_READY;
    }
    if (b || v >= 0) return b;
    e = tl_expr_uncast(e);
    if (!c->watched || !e || e->kind != TL_E_MEMBER || !e->usr || e->nkids != 1 ||
        tl_str_map_get(c->watched, e->usr) < 0)
        return 0;
    return mentioned_bits(s, e->kids[0], TL_FDS_READY | TL_FDS_DERIVED) ? TL_FDS_READY : 0;
}

static void set_bits(fd_ctx *c, fd_state *s, int v, unsigned bits);
void fds_set_bits(fd_ctx *c, fd_state *s, int v, unsigned bits) {
    set_bits(c, s, v, bits);
}

unsigned fds_value_bits(fd_ctx *c, fd_state *s, const tl_expr *e) {
    return descriptor_bits(c, s, e);
}

static void set_bits(fd_ctx *c, fd_state *s, int v, unsigned bits) {
    if (v < 0 || v >= c->nvars + c->nslots) return;
    if (!bits) {
        drop_key(c, s, v);
        return;
    }
    put(c, s, (fact){v, bits, false, 0, -1, -1, -1, 0, 0, 0});
}

/* key is non-blocking if the pseudo-slot of `via` holds (0: clears it). */
static void set_via(fd_ctx *c, fd_state *s, int key, int via) {
    if (key < 0 || key >= c->nvars + c->nslots) return;
    fact *f = find(s, key);
    if (f) {
        f->via = via;
        if (!via && !f->bits && f->src_call < 0 && !f->hbit && !f->has_val && !f->flags_of && f->src_var < 0)
            drop_key(c, s, key);
        return;
    }
    if (via) put(c, s, (fact){key, 0, false, 0, -1, -1, -1, 0, 0, via});
}

int fds_value_via(fd_ctx *c, fd_state *s, const tl_expr *e) {
    int key = desc_key(c, e, false);
    const fact *f = key >= 0 ? find(s, key) : NULL;
    if (f && f->via) return f->via;
    if (f && f->key >= c->nvars && f->src_var >= 0) { /* c->fd = fd: the slot mirrors fd */
        f = find(s, f->src_var);
        return f ? f->via : 0;
    }
    return 0;
}

/* Constant value of e reading fields of local structs from the state. */
static bool eval_const(fd_ctx *c, fd_state *s, const tl_expr *e, int64_t *out) {
    e = tl_expr_uncast(e);
    if (!e) return false;
    const char *field;
    int v;
    switch (e->kind) {
    case TL_E_CONST: *out = e->ival; return true;
    case TL_E_MEMBER: {
        bool arrow;
        if ((v = fds_member_var(e, &field, &arrow)) < 0) return false;
        int slot = slot_of(c, v, field, arrow, false);
        fact *f = slot >= 0 ? find(s, c->nvars + slot) : NULL;
        if (!f || !f->has_val) return false;
        *out = f->val;
        return true;
    }
    case TL_E_UNARY: {
        int64_t a;
        if (e->nkids != 1 || strcmp(e->op, "~") != 0 || !eval_const(c, s, e->kids[0], &a)) return false;
        *out = ~a;
        return true;
    }
    case TL_E_BINARY: {
        int64_t a, b;
        if (e->nkids != 2 || !eval_const(c, s, e->kids[0], &a) || !eval_const(c, s, e->kids[1], &b)) return false;
        if (!strcmp(e->op, "|")) *out = a | b;
        else if (!strcmp(e->op, "&")) *out = a & b;
        else if (!strcmp(e->op, "^")) *out = a ^ b;
        else return false;
        return true;
    }
    default:
        return false;
    }
}

/* ---- transfer ---- */

static void apply_call(fd_ctx *c, fd_state *s, const tl_instr *in, bool record) {
    int id = in->call.id;
    if (id < 0 || id >= c->ff->ncalls) return;
    tl_call_facts *cf = &c->ff->calls[id];
    const tl_fn_model *m = cf->model;
    const tl_call *call = &in->call;
    if (record) {
        cf->fd_state = 0;
        cf->field_flag = false;
        cf->passes_fd_state = false;
        for (int a = 0; a < call->nargs && !cf->passes_fd_state; a++)
            if (mentioned_bits(s, call->args[a], FDS_ANY)) cf->passes_fd_state = true;
        if (m && m->blocking.present && m->blocking.fd_io)
            cf->fd_state = descriptor_bits(c, s, fds_arg_of(cf, m->blocking.fd_arg));
        if (m && m->blocking.present && m->blocking.unless_field_arg >= 0 && m->blocking.unless_field[0]) {
            int v = fds_addr_var(fds_arg_of(cf, m->blocking.unless_field_arg));
            int slot = v >= 0 ? slot_of(c, v, m->blocking.unless_field, false, false) : -1;
            fact *f = slot >= 0 ? find(s, c->nvars + slot) : NULL;
            if (f && f->has_val && (f->val & m->blocking.unless_field_mask) != 0) cf->field_flag = true;
        }
        if (m && m->blocking.present && m->blocking.unless_immediate_arg >= 0) /* fgets(b, n, procfs_stream) */
            cf->fd_state |= descriptor_bits(c, s, fds_arg_of(cf, m->blocking.unless_immediate_arg)) & TL_FDS_IMMEDIATE;
    }
    /* what the model says the call does, decided on the state before it */
    int ready_var = -1;
    if (m && m->readiness_wait.present) {
        const tl_readiness_wait_facet *w = &m->readiness_wait;
        const tl_cval *cv = fds_argv_of(cf, w->if_value_arg);
        if (w->if_value_arg < 0 || (cv && cv->kind == TL_CV_INT && cv->v == w->if_value)) {
            if (w->field[0]) {
                int slot = slot_of(c, fds_addr_var(fds_arg_of(cf, w->arg)), w->field, false, false);
                fact *f = slot >= 0 ? find(s, c->nvars + slot) : NULL;
                if (f && f->src_var >= 0) ready_var = f->src_var;
            } else {
                ready_var = desc_key(c, fds_arg_of(cf, w->arg), true);
            }
        }
    }
    int state_var = -1, array_var = -1;
    unsigned new_bits = 0;
    bool apply_state = false;
    c->result_bits[id] = 0;
    c->result_via[id] = 0;
    if ((!m || !m->fd_state.present) && c->func_returns && call->callee_func >= 0 && call->callee_func < c->f_count)
        c->result_bits[id] = c->func_returns[call->callee_func]; /* int s = make_nonblocking_socket(); */
    if ((!m || !m->fd_state.present) && !c->result_bits[id] && c->func_returns_via && call->callee_func >= 0 &&
        call->callee_func < c->f_count && !c->program) /* ... whose helper is another file's: at link */
        c->result_via[id] = fds_via_named(c, c->func_returns_via[call->callee_func]);
    if ((!m || !m->fd_state.present) && !c->result_bits[id] && c->func_returns_if && call->callee_func >= 0 &&
        call->callee_func < c->f_count) /* connect_generic(..., NONBLOCK): its result under the flags given */
        c->result_bits[id] = fds_returns_if_bits(c, s, cf, &c->func_returns_if[call->callee_func]);
    if (c->hyp_mask && c->hyp_param && call->callee_usr && c->f->usr && !strcmp(call->callee_usr, c->f->usr) &&
        call->nargs >= c->f->nparams) {
        /* a recursive call handing on the bits of the hypothesis (`return
           connect_generic(..., flags)`): what the hypothesis run concludes for
           the other returns holds for it too (the greatest fixpoint of "every
           result is non-blocking": sound, the values come from the others) */
        bool same = true;
        for (int p = 0; same && p < c->f->nparams; p++)
            if (c->hyp_param[p] != FDS_HB_UNKNOWN) same = fds_hbit(c, s, call->args[p]) == c->hyp_param[p];
        if (same) c->result_bits[id] = TL_FDS_NONBLOCKING;
    }
    char rkey[264];
    if ((!m || !m->fd_state.present) && call->callee_func < 0 && c->program && call->callee_usr &&
        !call->callee_system && strlen(call->callee_usr) < 250) { /* ... defined in another file ("r:USR") */
        snprintf(rkey, sizeof rkey, "r:%s", call->callee_usr);
        if (tl_program_fd_slot_nonblocking(c->program, rkey)) c->result_bits[id] = TL_FDS_NONBLOCKING;
        const tl_fd_params_if *q;
        const tl_fd_returns_if *r;
        tl_program_conditional(c->program, call->callee_usr, &q, &r);
        if (!c->result_bits[id] && r) /* connect_generic(..., NONBLOCK) of another file */
            c->result_bits[id] = fds_returns_if_bits(c, s, cf, r);
    }
    if (m && m->fd_state.present) {
        const tl_fd_state_facet *d = &m->fd_state;
        bool value_ok, flag_ok;
        fds_state_conditions(cf, &value_ok, &flag_ok);
        if (value_ok && !flag_ok && c->hyp_mask && d->if_flag_arg >= 0 && (d->if_flag_mask & c->hyp_mask) &&
            fds_hbit(c, s, fds_arg_of(cf, d->if_flag_arg)) == FDS_HB_ONE)
            flag_ok = true; /* the flag is a parameter's bit the hypothesis sets */
        if (value_ok) {
            /* conditions met: set; the selecting value without the flag: clear */
            new_bits = !flag_ok ? 0 : d->from_arg >= 0 ? bits_of(s, desc_key(c, fds_arg_of(cf, d->from_arg), false)) : d->sets;
            apply_state = flag_ok || d->if_value_arg >= 0;
            if (d->result) {
                c->result_bits[id] = apply_state ? new_bits : 0;
                apply_state = false;
            } else if (d->array > 0) {
                array_var = fds_plain_var(fds_arg_of(cf, d->arg)); /* pipe2(fds, O_NONBLOCK): fds[0], fds[1] */
                if (array_var >= c->nvars ||
                    (array_var >= 0 && !c->f->vars[array_var].is_array && !c->f->vars[array_var].is_pointer))
                    array_var = -1;
            } else {
                state_var = d->out ? fds_addr_var(fds_arg_of(cf, d->arg)) : desc_key(c, fds_arg_of(cf, d->arg), true);
            }
        }
    }
    /* mcmc_fd(be->client) in a readiness callback: the registered descriptor */
    const tl_expr *a0 = call->nargs == 1 ? tl_expr_uncast(call->args[0]) : NULL;
    if (a0 && a0->kind == TL_E_MEMBER && a0->nkids == 1 && c->readiness && c->watched && c->program &&
        fds_accessor_ready(c, call, mentioned_bits(s, a0->kids[0], TL_FDS_READY | TL_FDS_DERIVED)))
        c->result_bits[id] |= TL_FDS_READY;
    /* open("/proc/self/stat", ...): a pseudo-file answering at once */
    const tl_expr *path = m && m->immediate_path.present ? tl_expr_uncast(fds_arg_of(cf, m->immediate_path.arg)) : NULL;
    if (path && path->kind == TL_E_STRING && tl_immediate_path_matches(&m->immediate_path, path->name))
        c->result_bits[id] |= TL_FDS_IMMEDIATE;
    /* the callee may write what it gets the address of, or a pointer to */
    for (int a = 0; a < call->nargs; a++) {
        int v = fds_addr_var(call->args[a]);
        if (v >= 0 && v < c->nvars) forget_var(c, s, v);
        v = fds_plain_var(call->args[a]);
        if (v >= 0 && v < c->nvars && (c->f->vars[v].is_pointer || c->f->vars[v].is_array))
            forget_pointee(c, s, v);
    }
    forget_nonlocals(c, s);
    if (apply_state && state_var >= 0) {
        drop_mirrors(c, s, state_var); /* its flags changed */
        set_bits(c, s, state_var, new_bits ? bits_of(s, state_var) | new_bits : 0);
        if (record && (new_bits & TL_FDS_NONBLOCKING)) fds_note_nonblocking(c, state_var);
    }
    for (int k = 0; apply_state && array_var >= 0 && k < m->fd_state.array; k++) {
        char idx[16];
        snprintf(idx, sizeof idx, "[%d]", k);
        set_bits(c, s, c->nvars + slot_of(c, array_var, idx, false, true), new_bits); /* fresh descriptors */
    }
    if (ready_var >= 0) {
        set_bits(c, s, ready_var, bits_of(s, ready_var) | TL_FDS_READY);
        fact *f = find(s, ready_var);
        if (f) f->wait_call = id; /* the branch on its result may refine */
    }
    /* set_nonblocking(fd): a function of this TU, or of another file of the
       program (its summary), that leaves these arguments non-blocking; one
       that may change their mode otherwise (set_blocking(fd), setblocking(fd,
       on)) leaves them not known */
    bool own = (!m || !m->fd_state.present) && c->func_params_nb && call->callee_func >= 0 &&
               call->callee_func < c->f_count;
    unsigned pnb = own ? c->func_params_nb[call->callee_func] & 0xffffu : 0;
    unsigned moded = own ? c->func_params_nb[call->callee_func] >> 16 : 0;
    if (own && c->func_params_if) /* set_block(fd, 1): under the arguments' non-zero hypotheses */
        pnb |= fds_params_if_bits(c, cf, &c->func_params_if[call->callee_func]);
    if (!m && call->callee_func < 0 && !c->program && call->callee_usr && !call->callee_system)
        for (int k = 0; k < call->nargs && k < 32; k++) { /* set_nb(fd) of another file: known at link */
            const tl_expr *arg = tl_expr_uncast(fds_arg_of(cf, k));
            int av = fds_plain_var(arg);
            if (av >= 0 && (av >= c->nvars || c->f->vars[av].is_pointer || c->f->vars[av].is_array ||
                            c->f->vars[av].is_record || c->f->vars[av].int_bits <= 1))
                continue; /* not a descriptor */
            const char *fname;
            bool farrow; /* (a field of a struct: its slot made, the callee may settle it) */
            int key = desc_key(c, arg, av < 0 && fds_member_var(arg, &fname, &farrow) >= 0);
            if (key < 0 || (bits_of(s, key) & TL_FDS_NONBLOCKING)) continue; /* (as for any call: kept) */
            const fact *kf = find(s, key);
            int via;
            if (kf && kf->via) { /* non-blocking if X was, and this helper keeps its mode: "k:F#k" */
                via = fds_via_both(c, kf->via, call->callee_usr, k);
            } else {
                if (record) fds_note_maybe_nonblocking(c, key, call->callee_usr, k);
                char origin[300]; /* a parameter's, a result's: either it or the helper */
                bool has_origin = fds_value_pseudo_slot(c, arg, origin, sizeof origin);
                via = has_origin ? fds_via_either(c, origin, call->callee_usr, k) : fds_via_of(c, call->callee_usr, k);
            }
            drop_mirrors(c, s, key);
            set_via(c, s, key, via);
        }
    if ((!m || !m->fd_state.present) && call->callee_func < 0 && c->program && call->callee_usr &&
        !call->callee_system) {
        tl_program_param_modes(c->program, call->callee_usr, &pnb, &moded);
        const tl_fd_params_if *q;
        const tl_fd_returns_if *r;
        tl_program_conditional(c->program, call->callee_usr, &q, &r);
        if (q) pnb |= fds_params_if_bits(c, cf, q); /* set_block(fd, 1) of another file */
    }
    for (int k = 0; (pnb || moded) && k < call->nargs && k < 32; k++) {
        if (!(((pnb | moded) >> k) & 1u)) continue;
        int key = desc_key(c, fds_arg_of(cf, k), true);
        if (key < 0) continue;
        drop_mirrors(c, s, key);
        if ((pnb >> k) & 1u) {
            set_bits(c, s, key, bits_of(s, key) | TL_FDS_NONBLOCKING);
            if (record) fds_note_nonblocking(c, key);
        } else set_bits(c, s, key, bits_of(s, key) & ~(unsigned)TL_FDS_NONBLOCKING);
    }
}

/* `-1`: an error return, not a descriptor (I/O on it fails at once). */
bool fds_negative_const(const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (e && e->kind == TL_E_CONST) return e->ival < 0;
    if (!e || e->kind != TL_E_UNARY || e->nkids != 1 || strcmp(e->op, "-") != 0) return false;
    e = tl_expr_uncast(e->kids[0]);
    return e && e->kind == TL_E_CONST && e->ival > 0;
}

/* Variable v was just assigned the result of cf: when its model's fd_flags
 * facet applies, v holds the status flags of that descriptor. */
static void note_flags(fd_ctx *c, fd_state *s, int v, const tl_call_facts *cf) {
    const tl_fd_flags_facet *d = cf->model && cf->model->fd_flags.present ? &cf->model->fd_flags : NULL;
    if (!d || d->mask != c->flags_mask || v < 0 || v >= c->nvars || c->f->vars[v].is_pointer || c->f->vars[v].is_array || c->f->vars[v].is_record) return;
    if (d->if_value_arg >= 0) {
        const tl_cval *cv = fds_argv_of(cf, d->if_value_arg);
        bool ok = false;
        for (int i = 0; cv && cv->kind == TL_CV_INT && i < d->nif_values; i++) ok |= cv->v == d->if_values[i];
        if (!ok) return;
    }
    int k = desc_key(c, fds_arg_of(cf, d->arg), true);
    if (k < 0) return;
    fact *f = find(s, v);
    if (!f) {
        put(c, s, (fact){v, 0, false, 0, -1, -1, -1, 0, 0, 0});
        f = find(s, v);
    }
    if (!f) return;
    f->flags_of = k + 1;
    c->mirrors = true;
}

/* `int sv[2] = {-1, -1}`: every element the list names holds no
 * descriptor (a list of negative constants only: positional, as a
 * designator is no constant). */
static void no_descriptor_elements(fd_ctx *c, fd_state *s, int var, const tl_expr *v) {
    if (!c->f->vars[var].is_array || !v || v->kind != TL_E_OTHER || v->nkids <= 0 || v->nkids > 16) return;
    for (int k = 0; k < v->nkids; k++)
        if (!fds_negative_const(v->kids[k])) return;
    for (int k = 0; k < v->nkids; k++) {
        tl_expr arr = {.kind = TL_E_VAR, .var = var}, ix = {.kind = TL_E_CONST, .ival = k};
        tl_expr *kids[2] = {&arr, &ix};
        tl_expr el = {.kind = TL_E_INDEX, .kids = kids, .nkids = 2};
        int key = desc_key(c, &el, true);
        if (key < c->nvars) return;
        drop_key(c, s, key);
        put(c, s, (fact){key, 0, true, -1, -1, -1, -1, 0, 0, 0});
    }
}

static void apply(fd_ctx *c, fd_state *s, const tl_instr *in, bool record) {
    switch (in->kind) {
    case TL_I_CALL:
        apply_call(c, s, in, record);
        break;
    case TL_I_ASSIGN: {
        if (in->var < 0 || in->var >= c->nvars) break;
        const tl_expr *v = tl_expr_uncast(in->value);
        unsigned bits = 0;
        if (v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < c->ff->ncalls)
            bits = c->result_bits[v->call_id];
        else if (v && v->kind == TL_E_VAR && v->var != in->var)
            bits = bits_of(s, v->var) | (descriptor_bits(c, s, v) & FDS_NOT_BLOCKING); /* a global's too */
        else if (fds_negative_const(v))
            bits = TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE; /* s = -1: no descriptor, I/O on it fails at once */
        else {
            /* `int fd = w->fd;`, `fd = c->fd`: a copy of a descriptor held in
               a field or element has its state (the ready handle's field, a
               slot, a watched field) */
            if (v && (v->kind == TL_E_MEMBER || v->kind == TL_E_INDEX))
                bits = descriptor_bits(c, s, v) & FDS_NOT_BLOCKING;
            if (mentioned_bits(s, v, TL_FDS_READY | TL_FDS_DERIVED))
                bits |= TL_FDS_DERIVED; /* c = handle->data */
        }
        unsigned hb = fds_hbit(c, s, v); /* (flags &= ~X reads the old value) */
        const fact *vf = v && v->kind == TL_E_VAR && v->var != in->var && !(bits & TL_FDS_NONBLOCKING) ? find(s, v->var) : NULL;
        int via = vf ? vf->via : 0; /* b = a, a non-blocking if X: b too */
        if (!(bits & TL_FDS_NONBLOCKING) && v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < c->ff->ncalls)
            via = c->result_via[v->call_id]; /* s = new_socket(): its helper is another file's */
        forget_var(c, s, in->var);
        set_bits(c, s, in->var, bits);
        set_via(c, s, in->var, via);
        set_hbit(c, s, in->var, hb);
        if (v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < c->ff->ncalls)
            note_flags(c, s, in->var, &c->ff->calls[v->call_id]); /* flags = fcntl(fd, F_GETFL) */
        if (fds_negative_const(v) && !find(s, in->var)) /* `fd = -1`: no descriptor (join_no_descriptor) */
            put(c, s, (fact){in->var, 0, true, -1, -1, -1, -1, 0, 0, 0});
        no_descriptor_elements(c, s, in->var, v);
        if (v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < c->ff->ncalls) {
            const tl_fn_model *m = c->ff->calls[v->call_id].model;
            if (m && m->readiness_wait.present && m->readiness_wait.success != TL_RW_SUCCESS_ANY) {
                fact *f = find(s, in->var);
                if (f) f->src_call = v->call_id;
                else put(c, s, (fact){in->var, 0, false, 0, -1, -1, v->call_id, 0, 0, 0});
            }
        }
        break;
    }
    case TL_I_DECL:
        if (in->var >= 0 && in->var < c->nvars) forget_var(c, s, in->var);
        break;
    case TL_I_RETURN:
        if (record && in->value && !fds_negative_const(in->value)) { /* what every return gives (a must summary) */
            unsigned b = descriptor_bits(c, s, in->value) & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE);
            int via = b & TL_FDS_NONBLOCKING ? 0 : fds_value_via(c, s, in->value);
            if (!c->returned) c->return_via_ok = true;
            if (!(b & TL_FDS_NONBLOCKING) && (!via || (c->return_via && c->return_via != via))) c->return_via_ok = false;
            if (via) c->return_via = via;
            c->return_bits = c->returned ? c->return_bits & b : b;
            c->returned = true;
        }
        if (c->hyp_replay && in->value && !fds_negative_const(in->value)) { /* (run_hypotheses) */
            unsigned b = descriptor_bits(c, s, in->value) & TL_FDS_NONBLOCKING;
            c->hyp_return_bits = c->hyp_returned ? c->hyp_return_bits & b : b;
            c->hyp_returned = true;
        }
        break;
    case TL_I_STORE: {
        const tl_expr *t = tl_expr_uncast(in->target);
        int h = c->ready_field && t && t->kind == TL_E_MEMBER && t->name && t->nkids == 1 &&
                        !strcmp(t->name, c->ready_field) ? fds_plain_var(t->kids[0]) : -1;
        if (h >= 0 && h < c->nvars && (bits_of(s, h) & TL_FDS_READY))
            set_bits(c, s, h, bits_of(s, h) & ~(unsigned)TL_FDS_READY); /* w->fd = other: not the ready one */
        int key = desc_key(c, in->target, true);
        drop_mirrors(c, s, key);
        if (key < c->nvars) { /* not a field or element slot */
            bool through_addr = false;
            int root = tl_expr_root_var(in->target, &through_addr);
            if (root >= 0 && root < c->nvars) forget_var(c, s, root);
            break;
        }
        int v = c->slot_var[key - c->nvars];
        fact f = {key, 0, false, 0, -1, -1, -1, 0, 0, 0};
        const tl_expr *val = tl_expr_uncast(in->value);
        int src = fds_plain_var(val);
        if (eval_const(c, s, val, &f.val)) {
            f.has_val = true;
        } else if (src >= 0 && src < c->nvars && src != v) {
            f.src_var = src;
            f.bits = bits_of(s, src) & FDS_NOT_BLOCKING;
        } else if (val && val->kind == TL_E_CALLRES && val->call_id >= 0 && val->call_id < c->ff->ncalls) {
            f.bits = c->result_bits[val->call_id]; /* c->fd = socket(...) */
        }
        drop_key(c, s, f.key);
        if (f.has_val || f.src_var >= 0 || f.bits) put(c, s, f);
        break;
    }
    default:
        break;
    }
}

void fds_apply(fd_ctx *c, fd_state *s, const tl_instr *in, bool record) {
    apply(c, s, in, record);
}
