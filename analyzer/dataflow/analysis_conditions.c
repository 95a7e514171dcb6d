/* analysis_conditions.c - what a call's model says under the call's facts.
 *
 * The rules ask of one call, with the facts the per-TU analysis found for
 * it (argument values, descriptor states, byte budgets, peer ends, numeric
 * hosts, dying paths): does it block the thread here (tl_call_blocks_in),
 * does it wait without a deadline and on what (tl_call_waits_forever),
 * does it register a readiness callback, may other code change the
 * caller's globals during it.  Each facet's `unless_*` and
 * `if_*` condition is checked here, against the facts the passes of
 * analysis.c filled in; nothing here computes a fact.
 */
#include "analysis.h"
#include "analysis_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tl_cval *arg_val(const tl_call_facts *cf, int idx) {
    if (idx < 0 || !cf->instr || idx >= cf->instr->call.nargs) return NULL;
    return &cf->argv[idx];
}

bool tl_call_is_blocking(const tl_call_facts *cf) {
    return tl_call_blocks_in(cf, false);
}

const tl_block_summary *tl_func_blocking(const tl_func_facts *ff, bool fd_ready) {
    return fd_ready ? &ff->blocks_when_ready : &ff->blocks;
}

bool tl_expr_is_numeric_address(const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_STRING || !e->name) return false;
    /* the spelling: "..." exactly (no prefix, no escapes, no concatenation) */
    size_t n = strlen(e->name);
    if (n < 3 || e->name[0] != '"' || e->name[n - 1] != '"' || n - 2 >= 64) return false;
    char text[64];
    memcpy(text, e->name + 1, n - 2);
    text[n - 2] = '\0';
    if (strchr(text, '"') || strchr(text, '\\')) return false;
    unsigned char buf[16];
    return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

/* The argument is the field RECORD.FIELD (`addr.sun_path`, `p->sun_path`). */
static bool arg_is_record_field(const tl_call_facts *cf, int idx, const char *record_field) {
    if (idx < 0 || !cf->instr || idx >= cf->instr->call.nargs) return false;
    const tl_expr *e = tl_expr_uncast(cf->instr->call.args[idx]);
    char key[256];
    return e && e->kind == TL_E_MEMBER && tl_models_field_key(e->usr, key, sizeof key) &&
           strcmp(key, record_field) == 0;
}

static bool arg_is_numeric_address(const tl_call_facts *cf, int idx) {
    return idx >= 0 && cf->instr && idx < cf->instr->call.nargs &&
           (tl_expr_is_numeric_address(cf->instr->call.args[idx]) || (idx < 32 && ((cf->numeric_args >> idx) & 1u)));
}

bool tl_call_blocks_in(const tl_call_facts *cf, bool fd_ready) {
    const tl_fn_model *m = cf->model;
    if (!m || !m->blocking.present || m->nonblocking) return false;
    /* descriptor I/O on a descriptor known non-blocking or ready, or with the
       function's descriptor ready, on one it was handed */
    if (m->blocking.fd_io && ((fd_ready && cf->fd_from_param) || cf->fd_state)) return false;
    if (cf->send_fits) return false; /* the fresh connection's buffer holds it (send_budget.h) */
    if (cf->buffer_fits) return false; /* a copy into the output buffer (out_buffer.h) */
    if (m->blocking.strict_only && !cf->strict) return false;
    if (m->blocking.fd_io && cf->would_block_handled && !cf->strict) return false;
    if (cf->dying || cf->in_fork_child) return false;
    const tl_blocking_facet *bf = &m->blocking;
    if (arg_is_numeric_address(cf, bf->unless_numeric_arg) || cf->field_flag) return false;
    if (bf->unless_immediate_arg >= 0 && (cf->fd_state & TL_FDS_IMMEDIATE)) return false;
    if (arg_is_record_field(cf, bf->unless_record_field_arg, bf->unless_record_field)) return false;
    if (bf->unless_datagram_arg >= 0 && cf->datagram) return false;
    const tl_cval *v;
    if (bf->if_null_arg >= 0) {
        v = arg_val(cf, bf->if_null_arg);
        if (!v || !(v->kind == TL_CV_NULL || (v->kind == TL_CV_INT && v->v == 0))) return false;
    }
    if (bf->unless_flag_arg >= 0 && (v = arg_val(cf, bf->unless_flag_arg)) && v->kind == TL_CV_INT &&
        (v->v & bf->unless_flag_mask) != 0)
        return false;
    if (bf->unless_zero_arg >= 0 && (v = arg_val(cf, bf->unless_zero_arg)) && v->kind == TL_CV_INT &&
        v->v == 0)
        return false;
    if (bf->if_value_arg >= 0) {
        v = arg_val(cf, bf->if_value_arg);
        if (!v || v->kind != TL_CV_INT) return false;
        bool hit = false;
        for (int i = 0; i < bf->nif_values; i++)
            if (bf->if_values[i] == v->v) hit = true;
        if (!hit) return false;
    }
    return true;
}

bool tl_arg_value_in(const tl_arg_values *w, const tl_cval *v) {
    if (!v || (v->kind != TL_CV_INT && v->kind != TL_CV_NULL)) return false;
    int64_t x = v->kind == TL_CV_NULL ? 0 : v->v;
    for (int i = 0; i < w->nvalues; i++)
        if (w->values[i] == x) return true;
    return false;
}

bool tl_call_waits_forever(const tl_call_facts *cf, tl_wait_kind *kind) {
    const tl_fn_model *m = cf->model;
    if (!m || !m->wait.present) return false;
    const tl_wait_facet *w = &m->wait;
    const tl_cval *v;
    if (kind) *kind = w->kind;
    /* no name lookup for a numeric address; no wait on a ready or
       non-blocking descriptor */
    if (arg_is_numeric_address(cf, w->unless_numeric_arg)) return false;
    if (m->blocking.present && m->blocking.fd_io && cf->fd_state) return false;
    if (cf->send_fits) return false; /* the fresh connection's buffer holds it */
    if (cf->buffer_fits) return false; /* a copy into the output buffer */
    if (cf->peer_ended) return false;  /* the peer's end already arrived (peer_end.h) */
    if (cf->chan_ready) return false;  /* room, or a message, in a local channel (chan_fill.h) */
    if (w->has_kind_if && (v = arg_val(cf, w->kind_if_arg)) && v->kind == TL_CV_INT &&
        v->v == w->kind_if_value && kind)
        *kind = w->kind_if_kind;
    if (w->only_if_nonzero_arg >= 0) {
        v = arg_val(cf, w->only_if_nonzero_arg);
        if (!v || v->kind != TL_CV_INT || v->v == 0) return false;
    }
    if (w->unless_flag_arg >= 0 && (v = arg_val(cf, w->unless_flag_arg)) && v->kind == TL_CV_INT &&
        (v->v & w->unless_flag_mask) != 0)
        return false; /* nng's NNG_FLAG_NONBLOCK */
    if (w->deadline_arg >= 0) return cf->deadline_forever; /* a setting of the object */
    if (w->timeout_arg < 0) return true;
    v = arg_val(cf, w->timeout_arg);
    return v && tl_value_is_forever(w->forever, w->nforever, v);
}

bool tl_value_is_forever(const tl_forever *forever, int n, const tl_cval *v) {
    for (int i = 0; i < n; i++) {
        switch (forever[i].kind) {
        case TL_FOREVER_NEGATIVE:
            if (v->kind == TL_CV_INT && v->v < 0) return true;
            break;
        case TL_FOREVER_VALUE:
            if (v->kind == TL_CV_INT && v->v == forever[i].value) return true;
            break;
        case TL_FOREVER_NULL:
            if (v->kind == TL_CV_NULL) return true;
            break;
        }
    }
    return false;
}

bool tl_call_registers_readiness(const tl_call_facts *cf) {
    const tl_fn_model *m = cf->model;
    if (!m || !m->callback.present || !m->callback.readiness) return false;
    const tl_cval *v = arg_val(cf, m->callback.fd_arg);
    return !(v && v->kind == TL_CV_INT && v->v < 0); /* fd -1: a timer */
}

/* Is a function among the call's arguments (qsort's comparison,
 * pthread_once's routine: the call may run it) - a function designator or
 * a variable of pointer-to-function type?  (A struct field holding one is
 * not seen: the IR does not type a field read.) */
static bool passes_function(const tl_func *f, const tl_call *c) {
    for (int j = 0; j < c->nargs; j++) {
        const tl_expr *e = tl_expr_uncast(c->args[j]);
        if (e && e->kind == TL_E_ADDR && e->nkids == 1) e = tl_expr_uncast(e->kids[0]);
        if (!e) continue;
        if (e->kind == TL_E_FUNC) return true;
        if (e->kind == TL_E_VAR && f && e->var >= 0 && e->var < f->nvars && f->vars[e->var].is_funcptr) return true;
    }
    return false;
}

bool tl_call_keeps_globals(const tl_func *f, const tl_call_facts *cf) {
    if (!cf || !cf->instr) return false;
    const tl_call *c = &cf->instr->call;
    /* the program's own code, or code through a pointer */
    if (!c->callee || !c->callee_system || c->callee_func >= 0) return false;
    const tl_fn_model *m = cf->model;
    /* a function handed to it may run here - not a thread's entry, which
       runs on the new thread */
    if (passes_function(f, c) && !(m && m->spawn.present && !m->spawn.eager)) return false;
    if (!m) return true;
    /* Only what brings other code's writes into view counts: waiting for
       another task (a join, a condition, a semaphore, a channel: the
       acquiring side), taking a lock, running code here (an eager spawn
       runs the coroutine at once, a resume, a yield, an event loop's run).
       Posting, unlocking and starting a thread only publish this thread's
       writes: a write the other thread makes after them, unordered with
       this function's next read, would be a data race.  Waiting on a peer
       or the kernel orders nothing. */
    tl_wait_kind k = m->wait.kind;
    bool task_wait = m->wait.present && (k == TL_WAIT_TASK || k == TL_WAIT_CONDITION || k == TL_WAIT_JOIN);
    return !(m->synchronizes || m->cooperative || (m->spawn.present && m->spawn.eager) || task_wait ||
             m->release.present || m->release_all.present || m->lock.present || m->start.present ||
             m->await.present || m->teardown.present || m->noreturn_thread);
}
