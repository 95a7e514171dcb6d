/* echo.c - a coroutine that answers every message, and the function that
 * talks to it in turn; a coroutine that sends one answer, and the function
 * that takes it (echo.h). */
#include "echo.h"

#include <stdlib.h>

#include "cycles.h"
#include "sinks.h"
#include "../util/xalloc.h"
#include "../../rules/ownership.h"

/* Is every mention of variable v in f one that `allowed` accepts: argument
 * j of a call (j >= 0), or the instruction itself (j = -1: an assignment
 * to v, or an instruction reading it)?  Branch conditions never are. */
typedef bool (*use_ok_fn)(void *ctx, const tl_instr *in, int j);

static bool only_uses(const tl_func *f, int v, use_ok_fn allowed, void *ctx) {
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *bl = &f->blocks[b];
        if (tl_expr_mentions_var(bl->cond, v)) return false;
        for (int i = 0; i < bl->ninstrs; i++) {
            const tl_instr *in = &bl->instrs[i];
            if ((in->kind == TL_I_ASSIGN && in->var == v) || tl_expr_mentions_var(in->value, v) ||
                tl_expr_mentions_var(in->target, v))
                if (!allowed(ctx, in, -1)) return false;
            if (in->kind != TL_I_CALL) continue;
            if (tl_expr_mentions_var(in->call.fn, v)) return false;
            for (int j = 0; j < in->call.nargs; j++)
                if (tl_expr_mentions_var(in->call.args[j], v) && !allowed(ctx, in, j)) return false;
        }
    }
    return true;
}

static int var_arg(const tl_call *c, int k) {
    const tl_expr *e = k >= 0 && k < c->nargs ? tl_expr_uncast(c->args[k]) : NULL;
    return e && e->kind == TL_E_VAR ? e->var : -1;
}

static int take_arg(const tl_fn_model *m) {
    return m && m->channel_take.present ? m->channel_take.arg : -1;
}

static int put_arg(const tl_fn_model *m) {
    return m && m->channel_put.present ? m->channel_put.arg : -1;
}

/* A call that may wait, other than a put or take: another wait, a blocking
 * call, code nobody models (sinks.c's test). */
static bool other_wait(const tl_call_facts *cf) {
    const tl_fn_model *m = cf->model;
    if (take_arg(m) >= 0 || put_arg(m) >= 0) return false;
    return (m && m->wait.present) || tl_call_blocks_in(cf, false) || (!m && !cf->instr->call.callee_system);
}

typedef struct {
    bool ok;
    int take_param, put_param; /* a, b */
    int take_call, put_call;   /* their call ids */
} echo_entry;

/* The echo's take and put, and their channel arguments. */
typedef struct {
    const tl_instr *take, *put;
    int take_j, put_j;
} echo_calls;

/* A use of a channel parameter of the echo: as the channel of its take or
 * of its put. */
static bool serves_pair(void *ctx, const tl_instr *in, int j) {
    const echo_calls *p = ctx;
    return (in == p->take && j == p->take_j) || (in == p->put && j == p->put_j);
}

/* Is function fi an echo entry (echo.h)? */
static echo_entry echo_of(const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    echo_entry e = {false, -1, -1, -1, -1};
    if (f->nparams <= 0 || f->nblocks == 0) return e;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached) continue;
        if (take_arg(cf->model) >= 0) {
            if (e.take_call >= 0) return e;
            e.take_call = id;
        } else if (put_arg(cf->model) >= 0) {
            if (e.put_call >= 0) return e;
            e.put_call = id;
        } else if (other_wait(cf)) {
            return e;
        }
    }
    if (e.take_call < 0 || e.put_call < 0) return e;
    const tl_call_facts *tc = &ff->calls[e.take_call], *pc = &ff->calls[e.put_call];
    e.take_param = var_arg(&tc->instr->call, take_arg(tc->model));
    e.put_param = var_arg(&pc->instr->call, put_arg(pc->model));
    int np = f->nparams;
    if (e.take_param < 0 || e.take_param >= np || e.put_param < 0 || e.put_param >= np) return e;
    /* the parameters serve these two calls only */
    echo_calls pair = {tc->instr, pc->instr, take_arg(tc->model), put_arg(pc->model)};
    if (!only_uses(f, e.take_param, serves_pair, &pair) || !only_uses(f, e.put_param, serves_pair, &pair)) return e;
    /* one loop nothing leaves, a simple cycle, holding both */
    int ncomp = 0;
    int *comp = tl_cycle_components(f, &ncomp);
    bool *left = tl_cycle_components_left(f, comp, ncomp);
    int k = comp[tc->block];
    bool ok = k >= 0 && comp[pc->block] == k && !left[k];
    int head = -1;
    for (int b = 0; b < f->nblocks && ok; b++) {
        if (comp[b] != k) continue;
        int inside = 0;
        for (int s = 0; s < f->blocks[b].nsucc; s++) {
            int t = f->blocks[b].succ[s];
            inside += t >= 0 && t < f->nblocks && comp[t] == k;
        }
        ok = inside == 1;
        for (int p = 0; p < f->blocks[b].npred && ok; p++) {
            int q = f->blocks[b].pred[p];
            if (q >= 0 && q < f->nblocks && comp[q] != k) {
                ok = head < 0 || head == b;
                head = b;
            }
        }
    }
    /* from where the loop is entered, the take comes first */
    if (ok && head >= 0) {
        int b = head, steps = 0;
        while (b != tc->block && b != pc->block && steps++ <= f->nblocks) {
            int next = -1;
            for (int s = 0; s < f->blocks[b].nsucc; s++) {
                int t = f->blocks[b].succ[s];
                if (t >= 0 && t < f->nblocks && comp[t] == k) next = t;
            }
            b = next;
            if (b < 0) break;
        }
        ok = b == tc->block && (tc->block != pc->block || tc->index < pc->index);
    } else {
        ok = false;
    }
    free(left);
    free(comp);
    e.ok = ok;
    return e;
}

/* A channel the launching function made: a variable assigned once from a
 * channel_buffer call (libmill: both sides use it), or an element 0/1 of an
 * array a channel_pair call filled (libdill: the other element is the other
 * end).  `var`, `elem` (-1 for a variable); ok false when neither. */
typedef struct {
    bool ok;
    int var, elem;
} chan_ref;

static chan_ref chan_of(const tl_func *f, const tl_func_facts *ff, const tl_expr *e) {
    chan_ref r = {false, -1, -1};
    e = tl_expr_uncast(e);
    if (!e) return r;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars && f->vars[e->var].kind == TL_VAR_LOCAL) {
        int defs = 0, made = 0;
        for (int b = 0; b < f->nblocks; b++)
            for (int i = 0; i < f->blocks[b].ninstrs; i++) {
                const tl_instr *in = &f->blocks[b].instrs[i];
                if (in->kind != TL_I_ASSIGN || in->var != e->var) continue;
                defs++;
                const tl_expr *v = tl_expr_uncast(in->value);
                if (v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < ff->ncalls &&
                    ff->calls[v->call_id].model && ff->calls[v->call_id].model->channel_buffer.present)
                    made++;
            }
        r = (chan_ref){defs == 1 && made == 1, e->var, -1};
    } else if (e->kind == TL_E_INDEX && e->nkids == 2) {
        const tl_expr *base = tl_expr_uncast(e->kids[0]), *ix = tl_expr_uncast(e->kids[1]);
        if (!base || base->kind != TL_E_VAR || !ix || ix->kind != TL_E_CONST || ix->ival < 0 || ix->ival > 1)
            return r;
        int v = base->var;
        if (v < 0 || v >= f->nvars || !f->vars[v].is_array || f->vars[v].kind != TL_VAR_LOCAL) return r;
        int pairs = 0;
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            const tl_fn_model *m = cf->model;
            if (!cf->instr || !m || !m->channel_pair.present || m->channel_pair.arg < 0) continue;
            const tl_call *c = &cf->instr->call;
            bool through_addr;
            if (m->channel_pair.arg < c->nargs && tl_expr_root_var(c->args[m->channel_pair.arg], &through_addr) == v)
                pairs++;
        }
        r = (chan_ref){pairs == 1, v, (int)ix->ival};
    }
    return r;
}

/* The other end of a channel: the array's other element, or the channel. */
static chan_ref other_end(chan_ref r) {
    if (r.elem >= 0) r.elem = 1 - r.elem;
    return r;
}

/* Does e name channel r (`ch`, `ch[1]`)?  (r was found by chan_of.) */
static bool names(const tl_expr *e, chan_ref r) {
    e = tl_expr_uncast(e);
    if (!e) return false;
    if (r.elem < 0) return e->kind == TL_E_VAR && e->var == r.var;
    if (e->kind != TL_E_INDEX || e->nkids != 2) return false;
    const tl_expr *base = tl_expr_uncast(e->kids[0]), *ix = tl_expr_uncast(e->kids[1]);
    return base && base->kind == TL_E_VAR && base->var == r.var && ix && ix->kind == TL_E_CONST && ix->ival == r.elem;
}

enum { ST_NONE = 0, ST_IDLE, ST_PENDING, ST_BAD };

/* The conversation's channels as the launching function sees them. */
typedef struct {
    const tl_func_facts *ff;
    int launch;        /* the echo's entry call */
    chan_ref in, out;  /* the function puts into in, takes from out */
} talk;

/* A use of a channel variable in the conversation: the making (the one
 * assignment of a libmill channel, or the pair call filling the array:
 * chan_of checked both), the launch, a put into `in`, a take from `out`, a
 * call a model says never waits, or one that closes the channel. */
static bool talk_use(void *ctx, const tl_instr *in, int j) {
    const talk *t = ctx;
    if (j < 0) { /* (the making assignment; a copy `c = ch` is not allowed) */
        const tl_expr *v = tl_expr_uncast(in->value);
        return in->kind == TL_I_ASSIGN && v && v->kind == TL_E_CALLRES;
    }
    const tl_fn_model *m = t->ff->calls[in->call.id].model;
    const tl_expr *arg = in->call.args[j];
    bool quiet = m && take_arg(m) < 0 && put_arg(m) < 0 && !m->wait.present;
    return in->call.id == t->launch || (quiet && (m->nonblocking || (m->release.present && m->release.arg == j))) ||
           (m && m->channel_pair.present && m->channel_pair.arg == j) ||
           (take_arg(m) == j && names(arg, t->out)) || (put_arg(m) == j && names(arg, t->in));
}

/* Does function fi talk to the echo launched by entry call `launch` in turn
 * (echo.h)?  When it does, its puts and takes get chan_ready. */
static bool conversation(tl_analysis *a, int fi, int launch, const echo_entry *echo) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    const tl_call *lc = &ff->calls[launch].instr->call;
    if (echo->take_param >= lc->nargs || echo->put_param >= lc->nargs) return false;
    chan_ref x = chan_of(f, ff, lc->args[echo->take_param]), y = chan_of(f, ff, lc->args[echo->put_param]);
    if (!x.ok || !y.ok) return false;
    chan_ref in = other_end(x), out = other_end(y); /* it puts into in, takes from out */
    /* every mention of the channels' variables: the making call, the
       launch, the puts and takes on in and out, calls that never wait */
    talk t = {ff, launch, in, out};
    if (!only_uses(f, x.var, talk_use, &t) || (y.var != x.var && !only_uses(f, y.var, talk_use, &t))) return false;
    /* the puts and takes come after the launch on every path */
    bool *before = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *before);
    tl_reach_avoiding_spawn(a, fi, launch, before);
    /* put, take, put, take: a worklist over the blocks' entry states */
    unsigned char *st = tl_xcalloc((size_t)f->nblocks + 1, 1);
    int *work = tl_xmalloc(((size_t)f->nblocks + 1) * 4 * sizeof *work);
    int nwork = 0, pushes = 0;
    bool ok = true;
    if (f->entry >= 0 && f->entry < f->nblocks) {
        st[f->entry] = ST_IDLE;
        work[nwork++] = f->entry;
    }
    while (nwork > 0 && ok) {
        int b = work[--nwork];
        unsigned char s = st[b];
        const tl_block *bl = &f->blocks[b];
        for (int i = 0; i < bl->ninstrs && ok; i++) {
            const tl_instr *ins = &bl->instrs[i];
            if (ins->kind != TL_I_CALL) continue;
            const tl_call_facts *cf = &ff->calls[ins->call.id];
            int ta = take_arg(cf->model), pa = put_arg(cf->model);
            bool is_put = pa >= 0 && names(ins->call.args[pa], in);
            bool is_take = ta >= 0 && names(ins->call.args[ta], out);
            if (!is_put && !is_take) continue;
            if (before[b]) ok = false;
            else if (is_put) s = s == ST_IDLE ? ST_PENDING : ST_BAD;
            else s = s == ST_PENDING ? ST_IDLE : ST_BAD;
            if (s == ST_BAD) ok = false;
        }
        if (bl->term == TL_T_EXIT && s != ST_IDLE) ok = false; /* (ends before the last answer) */
        for (int k = 0; k < bl->nsucc && ok; k++) {
            int t = bl->succ[k];
            if (t < 0 || t >= f->nblocks || st[t] == s) continue;
            if (st[t] != ST_NONE) { ok = false; break; } /* two states meet */
            st[t] = s;
            if (++pushes > 4 * f->nblocks) { ok = false; break; }
            work[nwork++] = t;
        }
    }
    if (ok)
        for (int id = 0; id < ff->ncalls; id++) {
            tl_call_facts *cf = &ff->calls[id];
            if (!cf->instr) continue;
            int ta = take_arg(cf->model), pa = put_arg(cf->model);
            if ((pa >= 0 && names(cf->instr->call.args[pa], in)) ||
                (ta >= 0 && names(cf->instr->call.args[ta], out)))
                cf->chan_ready = true;
        }
    free(work);
    free(st);
    free(before);
    return ok;
}

/* ---- replies: a coroutine that sends one answer and ends ---- */

/* A reply entry (echo.h): its channel parameter and the call putting the
 * answer into it; ok false when the function is none. */
typedef struct {
    bool ok;
    int param, put_call;
} reply_entry;

typedef struct {
    const tl_func_facts *ff;
    const tl_instr *put;
    int put_j;
} reply_uses;

/* A use of a reply's channel parameter: as the channel of its put, or by a
 * call a model says never waits (a close). */
static bool serves_reply(void *ctx, const tl_instr *in, int j) {
    const reply_uses *r = ctx;
    if (j < 0) return false;
    if (in == r->put) return j == r->put_j;
    const tl_fn_model *m = r->ff->calls[in->call.id].model;
    if (!m || take_arg(m) >= 0 || put_arg(m) >= 0 || m->wait.present) return false;
    return m->nonblocking || (m->release.present && m->release.arg == j);
}

/* Can a return of f be reached from its entry without passing block via?
 * (No shortcut through branches spelled at the same site: a macro's `if`
 * around the put is a path around it.) */
static bool exit_avoiding(const tl_func *f, int via) {
    bool *reach = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *reach);
    tl_reach_avoiding_block(f, via, reach);
    bool found = false;
    for (int b = 0; b < f->nblocks && !found; b++) found = reach[b] && f->blocks[b].term == TL_T_EXIT;
    free(reach);
    return found;
}

/* Is function fi a reply entry (echo.h)? */
static reply_entry reply_of(const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    reply_entry r = {false, -1, -1};
    if (f->nparams <= 0 || f->nblocks == 0) return r;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr) continue;
        if (take_arg(cf->model) >= 0) return r;
        if (put_arg(cf->model) >= 0) {
            if (r.put_call >= 0 || !cf->reached) return r;
            r.put_call = id;
        }
    }
    if (r.put_call < 0) return r;
    const tl_call_facts *pc = &ff->calls[r.put_call];
    r.param = var_arg(&pc->instr->call, put_arg(pc->model));
    if (r.param < 0 || r.param >= f->nparams) return r;
    reply_uses u = {ff, pc->instr, put_arg(pc->model)};
    if (!only_uses(f, r.param, serves_reply, &u)) return r;
    /* once per run: in no loop, on every path to a return */
    int ncomp = 0;
    int *comp = tl_cycle_components(f, &ncomp);
    bool once = pc->block >= 0 && pc->block < f->nblocks && comp[pc->block] < 0;
    free(comp);
    r.ok = once && !exit_avoiding(f, pc->block);
    return r;
}

/* Does argument k of call c mention variable v? */
static bool mentions_var(const tl_call *c, int k, int v) {
    return k >= 0 && k < c->nargs && tl_expr_mentions_var(c->args[k], v);
}

/* Per variable of f: the call whose result is its only assignment (`int h =
 * bundle_go(...)`), else -1; for tl_own_edge_spawn_outcome. */
static int *results_held(const tl_func *f) {
    int *held = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *held);
    const tl_expr **def = tl_func_single_defs(f);
    for (int v = 0; v < f->nvars; v++) held[v] = def[v] && def[v]->kind == TL_E_CALLRES ? def[v]->call_id : -1;
    free(def);
    return held;
}

static int held_result(void *ctx, int var) {
    const int *held = ctx;
    return var >= 0 ? held[var] : -1;
}

/* Does function fi take the one answer of the reply launched by entry call
 * `launch` at most once, after the launch (echo.h)?  When it does, its takes
 * get chan_ready, and *every says whether it takes it on every path (so
 * the reply's put finds a taker). */
static bool reply_taken(tl_analysis *a, int fi, int launch, const reply_entry *reply, bool *every) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    const tl_call_facts *lf = &ff->calls[launch];
    const tl_call *lc = &lf->instr->call;
    *every = true;
    if (reply->param >= lc->nargs) return false;
    chan_ref y = chan_of(f, ff, lc->args[reply->param]);
    if (!y.ok) return false;
    chan_ref none = {false, -1, -1}, out = other_end(y); /* it takes from out, puts nowhere */
    talk t = {ff, launch, none, out};
    if (!only_uses(f, y.var, talk_use, &t)) return false;
    /* before: reachable without passing the launch; the rest is after it */
    bool *before = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *before);
    tl_reach_avoiding_spawn(a, fi, launch, before);
    unsigned char *st = tl_xcalloc((size_t)f->nblocks + 1, 1);
    int *work = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *work);
    int nwork = 0;
    bool ok = true;
    /* where the after part is entered from the part before: the launch's
       block and the blocks of its spawn statement (go()'s branch sides);
       from there on the answer is owed */
    bool *seed = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seed);
    int *held = results_held(f);
    for (int b = 0; b < f->nblocks; b++) {
        if (before[b]) continue;
        bool entered = b == lf->block;
        for (int p = 0; p < f->blocks[b].npred && !entered; p++) {
            int q = f->blocks[b].pred[p];
            entered = q >= 0 && q < f->nblocks && before[q];
        }
        if (!entered) continue;
        seed[b] = true;
        st[b] = ST_PENDING;
        work[nwork++] = b;
    }
    while (nwork > 0 && ok) {
        int b = work[--nwork];
        unsigned char s = st[b];
        const tl_block *bl = &f->blocks[b];
        bool launched = b != lf->block; /* (in the launch's block, from the launch on) */
        for (int i = 0; i < bl->ninstrs && ok; i++) {
            const tl_instr *ins = &bl->instrs[i];
            if (ins->kind != TL_I_CALL) continue;
            if (ins->call.id == launch) launched = true;
            const tl_fn_model *m = ff->calls[ins->call.id].model;
            /* a close that cancels coroutines (the launched one's handle,
               its bundle) while the answer is owed: it may never come */
            if (s == ST_PENDING && launched && m && m->release.present && m->release.cancels &&
                !mentions_var(&ins->call, m->release.arg, y.var)) {
                ok = false;
                break;
            }
            int ta = take_arg(m);
            if (ta < 0 || !names(ins->call.args[ta], out)) continue;
            ok = launched && s == ST_PENDING; /* (a second take waits for ever) */
            s = ST_IDLE;
        }
        if (bl->term == TL_T_EXIT && s != ST_IDLE) *every = false; /* (ends before the answer) */
        for (int k = 0; k < bl->nsucc && ok; k++) {
            int t2 = bl->succ[k];
            if (t2 < 0 || t2 >= f->nblocks) continue;
            /* the edge where the launch failed: no coroutine, no answer */
            int outcome = 0;
            int sc = tl_own_edge_spawn_outcome(a, fi, bl, k, held_result, held, NULL, &outcome);
            if (outcome < 0 && (sc == launch || sc == lc->spawn_call)) continue;
            /* back before the launch, or to the launch again from after
               its statement: the answer was taken */
            if (before[t2] || (t2 == lf->block && !seed[b])) {
                if (s != ST_IDLE) *every = false;
                continue;
            }
            if (st[t2] == s) continue;
            if (st[t2] != ST_NONE) { ok = false; break; } /* two states meet */
            st[t2] = s;
            work[nwork++] = t2;
        }
    }
    /* every take of the answer lies where the walk went */
    for (int id = 0; id < ff->ncalls && ok; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        int ta = cf->instr ? take_arg(cf->model) : -1;
        if (ta >= 0 && names(cf->instr->call.args[ta], out) && (cf->block < 0 || cf->block >= f->nblocks ||
                                                                 st[cf->block] == ST_NONE))
            ok = false;
    }
    if (ok)
        for (int id = 0; id < ff->ncalls; id++) {
            tl_call_facts *cf = &ff->calls[id];
            int ta = cf->instr ? take_arg(cf->model) : -1;
            if (ta >= 0 && names(cf->instr->call.args[ta], out)) cf->chan_ready = true;
        }
    free(held);
    free(seed);
    free(work);
    free(st);
    free(before);
    return ok;
}

#define ECHO_TALKS_MAX 16 /* conversations followed per function (each walks it) */

void tl_analysis_mark_echoes(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    int n = a->tu->nfuncs;
    echo_entry *echo = tl_xcalloc((size_t)(n > 0 ? n : 1), sizeof *echo);
    reply_entry *reply = tl_xcalloc((size_t)(n > 0 ? n : 1), sizeof *reply);
    int *launches = tl_xcalloc((size_t)(n > 0 ? n : 1), sizeof *launches);
    int *talked = tl_xcalloc((size_t)(n > 0 ? n : 1), sizeof *talked);
    bool any = false;
    for (int fi = 0; fi < n; fi++) {
        echo[fi] = echo_of(a, fi);
        if (!echo[fi].ok) reply[fi] = reply_of(a, fi);
        any |= echo[fi].ok || reply[fi].ok;
    }
    for (int fi = 0; fi < n && any; fi++) {
        tl_func_facts *ff = &a->funcs[fi];
        int talks = 0;
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            int e = cf->instr ? cf->instr->call.callee_func : -1;
            if (e < 0 || e >= n || (!echo[e].ok && !reply[e].ok)) continue;
            launches[e]++; /* (any call of it: a direct one is no conversation) */
            if (!cf->instr->call.is_spawn_entry || !cf->reached || talks++ >= ECHO_TALKS_MAX) continue;
            bool every = true;
            if (echo[e].ok ? conversation(a, fi, id, &echo[e]) : reply_taken(a, fi, id, &reply[e], &every) && every)
                talked[e]++;
        }
    }
    for (int e = 0; e < n; e++) {
        if (!a->tu->funcs[e].is_static || launches[e] == 0 || talked[e] != launches[e]) continue;
        if (echo[e].ok) {
            a->funcs[e].calls[echo[e].take_call].chan_ready = true;
            a->funcs[e].calls[echo[e].put_call].chan_ready = true;
        } else if (reply[e].ok) {
            a->funcs[e].calls[reply[e].put_call].chan_ready = true;
        }
    }
    free(talked);
    free(launches);
    free(reply);
    free(echo);
}
