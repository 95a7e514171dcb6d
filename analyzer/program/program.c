/* program.c - linking per-TU summaries into program facts (see program.h).
 *
 * Steps, each linear in the summaries (hash maps by USR, edge lists in
 * compressed form, worklists):
 *   1. index functions by USR (a header function seen again is a duplicate);
 *      index the function addresses stored into each field/global slot;
 *   2. resolve every call to its target functions: direct, through a slot
 *      (every function stored there, capped), through a parameter (every
 *      function the callers pass there);
 *   3. contexts from registrations, through wrapper parameters;
 *   4. blocking, backwards over the call edges from the blocking calls;
 *   5. per parameter: ownership and deadlines, backwards over the edges that
 *      pass a parameter on;
 *   6. derived models and slot facts for the rules;
 *   7. the task nouns some call releases wholesale (release_all).
 */
#include "fd_slots.h"
#include "program.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strmap.h"
#include "../util/xalloc.h"

#define SLOT_TARGET_CAP 64   /* targets of one indirect call (documented) */
#define PARAM_TARGET_CAP 16  /* functions one parameter may receive */

/* ---- USR -> index maps (util/strmap; keys are the summaries' strings) ---- */

typedef tl_strmap strmap;

static int map_get(const strmap *m, const char *k) {
    size_t v;
    return k && tl_strmap_get(m, k, &v) ? (int)v : -1;
}

static void map_put(strmap *m, const char *k, int v) {
    if (tl_strmap_put(m, k, (size_t)v) != 0) {
        fprintf(stderr, "tasklint: out of memory\n");
        exit(2);
    }
}

static void map_free(strmap *m) {
    tl_strmap_free(m);
}

/* ---- int vectors ---- */

typedef struct {
    int *v;
    int n, cap;
} ivec;

static void ivec_push(ivec *a, int x) {
    a->v = tl_xgrow(a->v, a->n, &a->cap, sizeof *a->v);
    a->v[a->n++] = x;
}

static bool ivec_has(const ivec *a, int x) {
    for (int i = 0; i < a->n; i++)
        if (a->v[i] == x) return true;
    return false;
}

/* ---- the program ---- */

typedef struct {
    int from, call, to;
    const char *field; /* through this slot, or NULL */
} edge;

/* Per parameter facts (indexed node.param_base + k). */
typedef struct {
    bool owner;          /* takes ownership of a handle passed here */
    bool releases;       /* ... by releasing it (join/close/detach) */
    const char *how;
    bool awaits, tears_down;
    bool awaits_reach;   /* awaits work on an object reached through it (TL_PE_AWAIT_REACH) */
    bool prepares;      /* prepares or starts work on it (TL_PE_PREPARE), maybe through calls */
    unsigned prep_kinds; /* TL_PE_PREP_* kinds of what it prepares there, maybe through calls */
    int prep_fd;         /* with TL_PE_PREP_FD: the parameter whose descriptor it uses */
    bool deadline;       /* reaches the timeout of a wait */
    tl_wait_kind kind;
    tl_forever forever[TL_MAX_FOREVER];
    int nforever;
    int dl_call;         /* the call that waits or passes the deadline on */
    int dl_next;         /* param index (global) it was passed to, -1: the wait */
    ivec funcs;          /* functions callers pass here (callbacks) */
    bool wrapper;        /* registered as a callback by this function */
    tl_context_kind wrap_ctx;
    bool wrap_ready;
    const char *wrap_library, *wrap_via;
} pparam;

typedef struct {
    const tl_func_summary *s;
    int param_base;
    bool has_ctx;
    tl_prog_context ctx;
    int nregs_in;        /* registrations and spawns of it (any context) */
    int nbounded_in;     /* ... coroutine spawns their owner cancels on every path */
    bool blocks[2];
    int block_call[2];   /* the call that blocks or leads there */
    int block_next[2];   /* -1: that call blocks itself */
    const char *block_field[2];
    tl_fn_model *derived;
} pnode;

typedef struct {
    const char *usr, *name;
    ivec funcs;          /* functions stored there */
    bool capped;
    tl_fn_model *derived;
} fslot;

typedef struct {
    const tl_func_summary *fs;
    const tl_sum_slot *s;
} slot_use;

typedef struct {
    const char *usr, *name;
    slot_use *spawns;
    int nspawns, capspawns;
    bool released;
} hslot;

struct tl_program {
    const tl_model_set *models;
    bool whole;
    pnode *nodes;
    int nnodes;
    strmap by_usr;
    fslot *fslots;
    int nfslots, capfslots;
    strmap fslot_by_usr;
    hslot *hslots;
    int nhslots, caphslots;
    strmap hslot_by_usr;
    pparam *params;
    int nparams;
    edge *edges;
    int nedges, capedges;
    int *in_start, *in_edges; /* reverse adjacency (CSR) */
    /* for each call of each node: its edges' range [first, first+count) */
    int **call_first, **call_count;
    tl_program_stats stats;
    /* task nouns some call of the program releases wholesale (release_all) */
    const char **released_all;
    int nreleased_all, capreleased_all;
    tl_fd_slots *fd_slots; /* global descriptor slots only ever non-blocking (fd_slots.c) */
};

static int fslot_index(tl_program *p, const char *usr, const char *name) {
    int i = map_get(&p->fslot_by_usr, usr);
    if (i >= 0) return i;
    p->fslots = tl_xgrow(p->fslots, p->nfslots, &p->capfslots, sizeof *p->fslots);
    fslot *s = &p->fslots[p->nfslots];
    memset(s, 0, sizeof *s);
    s->usr = usr;
    s->name = name;
    map_put(&p->fslot_by_usr, usr, p->nfslots);
    return p->nfslots++;
}

static int hslot_index(tl_program *p, const char *usr, const char *name) {
    int i = map_get(&p->hslot_by_usr, usr);
    if (i >= 0) return i;
    p->hslots = tl_xgrow(p->hslots, p->nhslots, &p->caphslots, sizeof *p->hslots);
    hslot *s = &p->hslots[p->nhslots];
    memset(s, 0, sizeof *s);
    s->usr = usr;
    s->name = name;
    map_put(&p->hslot_by_usr, usr, p->nhslots);
    return p->nhslots++;
}

static void add_edge(tl_program *p, int from, int call, int to, const char *field) {
    p->edges = tl_xgrow(p->edges, p->nedges, &p->capedges, sizeof *p->edges);
    p->edges[p->nedges++] = (edge){from, call, to, field};
}

/* ---- 1. index ---- */

static void index_functions(tl_program *p, tl_tu_summary *const *units, int nunits) {
    int total = 0;
    for (int u = 0; u < nunits; u++) total += units[u]->nfuncs;
    p->nodes = tl_xcalloc((size_t)total + 1, sizeof *p->nodes);
    int nparams = 0;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfuncs; i++) {
            const tl_func_summary *fs = &units[u]->funcs[i];
            if (map_get(&p->by_usr, fs->usr) >= 0) {
                p->stats.duplicates++;
                continue;
            }
            pnode *n = &p->nodes[p->nnodes];
            n->s = fs;
            n->param_base = nparams;
            n->block_call[0] = n->block_call[1] = -1;
            n->block_next[0] = n->block_next[1] = -1;
            nparams += fs->nparams;
            map_put(&p->by_usr, fs->usr, p->nnodes++);
        }
    p->nparams = nparams;
    p->params = tl_xcalloc((size_t)nparams + 1, sizeof *p->params);
    for (int i = 0; i < nparams; i++) p->params[i].dl_call = p->params[i].dl_next = -1;
    p->stats.functions = p->nnodes;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nstores; i++) {
            const tl_fn_store *st = &units[u]->stores[i];
            int fn = map_get(&p->by_usr, st->fn_usr);
            if (fn < 0) continue;
            int si = fslot_index(p, st->slot_usr, st->slot_name);
            fslot *s = &p->fslots[si];
            if (ivec_has(&s->funcs, fn)) continue;
            if (s->funcs.n >= SLOT_TARGET_CAP) {
                s->capped = true;
                continue;
            }
            ivec_push(&s->funcs, fn);
        }
}

/* ---- 2. call edges ---- */

static bool call_is_edge(const tl_sum_call *c) {
    return !c->modelled && !c->spawn_entry;
}

static void resolve_direct_and_slots(tl_program *p) {
    for (int f = 0; f < p->nnodes; f++) {
        const tl_func_summary *fs = p->nodes[f].s;
        for (int i = 0; i < fs->ncalls; i++) {
            const tl_sum_call *c = &fs->calls[i];
            if (!call_is_edge(c)) continue;
            if (c->target.kind == TL_REF_FUNC) {
                int to = map_get(&p->by_usr, c->target.usr);
                if (to >= 0) add_edge(p, f, i, to, NULL);
            } else if (c->target.kind == TL_REF_FIELD || c->target.kind == TL_REF_GLOBAL) {
                p->stats.indirect_calls++;
                int si = map_get(&p->fslot_by_usr, c->target.usr);
                if (si < 0) continue;
                fslot *s = &p->fslots[si];
                if (s->capped) p->stats.capped++;
                if (s->funcs.n) p->stats.resolved_indirect++;
                for (int k = 0; k < s->funcs.n; k++) add_edge(p, f, i, s->funcs.v[k], s->name);
            }
        }
    }
}

/* Functions passed in parameters: seeds from function designators at the
 * calls, then forwarded parameters, to a fixpoint (worklist over params). */
static void resolve_param_calls(tl_program *p) {
    int nedges = p->nedges;
    /* forward edges param(f,j) -> param(g,k) */
    ivec *fwd = tl_xcalloc((size_t)p->nparams + 1, sizeof *fwd);
    ivec work = {0};
    for (int e = 0; e < nedges; e++) {
        const edge *ed = &p->edges[e];
        const pnode *to = &p->nodes[ed->to];
        const tl_sum_call *c = &p->nodes[ed->from].s->calls[ed->call];
        for (int k = 0; k < c->nargs && k < to->s->nparams; k++) {
            pparam *pp = &p->params[to->param_base + k];
            if (c->args[k].fn_usr) {
                int fn = map_get(&p->by_usr, c->args[k].fn_usr);
                if (fn >= 0 && !ivec_has(&pp->funcs, fn) && pp->funcs.n < PARAM_TARGET_CAP) {
                    ivec_push(&pp->funcs, fn);
                    ivec_push(&work, to->param_base + k);
                }
            } else if (c->args[k].param >= 0 && c->args[k].param < p->nodes[ed->from].s->nparams) {
                ivec_push(&fwd[p->nodes[ed->from].param_base + c->args[k].param], to->param_base + k);
            }
        }
    }
    for (int w = 0; w < work.n; w++) {
        int from = work.v[w];
        for (int i = 0; i < fwd[from].n; i++) {
            pparam *dst = &p->params[fwd[from].v[i]];
            bool grew = false;
            for (int k = 0; k < p->params[from].funcs.n && dst->funcs.n < PARAM_TARGET_CAP; k++)
                if (!ivec_has(&dst->funcs, p->params[from].funcs.v[k])) {
                    ivec_push(&dst->funcs, p->params[from].funcs.v[k]);
                    grew = true;
                }
            if (grew) ivec_push(&work, fwd[from].v[i]);
        }
    }
    for (int i = 0; i < p->nparams; i++) free(fwd[i].v);
    free(fwd);
    free(work.v);
    /* calls through a parameter go to what the callers pass */
    for (int f = 0; f < p->nnodes; f++) {
        const tl_func_summary *fs = p->nodes[f].s;
        for (int i = 0; i < fs->ncalls; i++) {
            const tl_sum_call *c = &fs->calls[i];
            if (!call_is_edge(c) || c->target.kind != TL_REF_PARAM || c->target.param >= fs->nparams) continue;
            p->stats.indirect_calls++;
            const pparam *pp = &p->params[p->nodes[f].param_base + c->target.param];
            if (pp->funcs.n) p->stats.resolved_indirect++;
            for (int k = 0; k < pp->funcs.n; k++) add_edge(p, f, i, pp->funcs.v[k], c->target.name);
        }
    }
}

static void build_reverse(tl_program *p) {
    p->in_start = tl_xcalloc((size_t)p->nnodes + 2, sizeof *p->in_start);
    p->in_edges = tl_xcalloc((size_t)p->nedges + 1, sizeof *p->in_edges);
    for (int e = 0; e < p->nedges; e++) p->in_start[p->edges[e].to + 1]++;
    for (int n = 0; n < p->nnodes; n++) p->in_start[n + 1] += p->in_start[n];
    int *fill = tl_xcalloc((size_t)p->nnodes + 1, sizeof *fill);
    for (int e = 0; e < p->nedges; e++) {
        int to = p->edges[e].to;
        p->in_edges[p->in_start[to] + fill[to]++] = e;
    }
    free(fill);
    /* per call: its edges (edges were added grouped by call, in order) */
    p->call_first = tl_xcalloc((size_t)p->nnodes + 1, sizeof *p->call_first);
    p->call_count = tl_xcalloc((size_t)p->nnodes + 1, sizeof *p->call_count);
    for (int n = 0; n < p->nnodes; n++) {
        int nc = p->nodes[n].s->ncalls;
        p->call_first[n] = tl_xmalloc(((size_t)nc + 1) * sizeof(int));
        p->call_count[n] = tl_xcalloc((size_t)nc + 1, sizeof(int));
        for (int i = 0; i < nc; i++) p->call_first[n][i] = -1;
    }
    /* param-call edges come after the others: a call's edges may be in two
       runs; keep the first run (direct/slot) or the param run, whichever */
    for (int e = 0; e < p->nedges; e++) {
        const edge *ed = &p->edges[e];
        if (p->call_first[ed->from][ed->call] < 0) p->call_first[ed->from][ed->call] = e;
        if (p->call_first[ed->from][ed->call] + p->call_count[ed->from][ed->call] == e)
            p->call_count[ed->from][ed->call]++;
    }
}

/* ---- 3. contexts ---- */

static int context_rank(tl_context_kind k) {
    return k == TL_CTX_COROUTINE || k == TL_CTX_LOOP_CALLBACK ? 2 : k == TL_CTX_THREAD ? 1 : 0;
}

static void set_context(tl_program *p, int fn, tl_context_kind kind, bool readiness, const char *library,
                        const char *via, const char *wrapper, const char *in_func, tl_loc loc) {
    pnode *n = &p->nodes[fn];
    if (kind == TL_CTX_NONE) return;
    n->nregs_in++;
    if (n->has_ctx && context_rank(kind) < context_rank(n->ctx.kind)) return;
    if (n->has_ctx && context_rank(kind) == context_rank(n->ctx.kind)) {
        n->ctx.readiness = n->ctx.readiness && readiness;
        return;
    }
    n->has_ctx = true;
    n->ctx = (tl_prog_context){kind, readiness, library, via, wrapper, in_func, loc};
}

static void register_ref(tl_program *p, int f, const tl_sum_reg *r, ivec *wrap_work) {
    const pnode *n = &p->nodes[f];
    switch (r->target.kind) {
    case TL_REF_FUNC: {
        int fn = map_get(&p->by_usr, r->target.usr);
        if (fn >= 0) set_context(p, fn, r->context, r->readiness, r->library, r->via, NULL, n->s->name, r->loc);
        if (fn >= 0 && r->cancel_bounded && r->context == TL_CTX_COROUTINE) p->nodes[fn].nbounded_in++;
        break;
    }
    case TL_REF_FIELD:
    case TL_REF_GLOBAL: {
        int si = map_get(&p->fslot_by_usr, r->target.usr);
        if (si < 0) break;
        const fslot *s = &p->fslots[si];
        for (int k = 0; k < s->funcs.n; k++)
            set_context(p, s->funcs.v[k], r->context, r->readiness, r->library, r->via, NULL, n->s->name,
                        r->loc);
        break;
    }
    case TL_REF_PARAM: {
        if (r->target.param < 0 || r->target.param >= n->s->nparams) break;
        pparam *pp = &p->params[n->param_base + r->target.param];
        if (pp->wrapper && context_rank(pp->wrap_ctx) >= context_rank(r->context)) break;
        pp->wrapper = true;
        pp->wrap_ctx = r->context;
        pp->wrap_ready = r->readiness;
        pp->wrap_library = r->library;
        pp->wrap_via = r->via;
        ivec_push(wrap_work, n->param_base + r->target.param);
        break;
    }
    default:
        break;
    }
}

/* Functions stored into a field the models describe as a callback field
 * (ev_io.cb), in any file: they run in its context. */
static void field_contexts(tl_program *p, tl_tu_summary *const *units, int nunits) {
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nstores; i++) {
            const tl_fn_store *st = &units[u]->stores[i];
            const tl_fn_model *m = tl_models_find_field(p->models, st->slot_usr);
            int fn = m ? map_get(&p->by_usr, st->fn_usr) : -1;
            if (fn >= 0)
                set_context(p, fn, m->callback.context, m->callback.readiness, m->library, m->name, NULL,
                            NULL, st->loc);
        }
}

/* The node owning a global param index (binary search on param_base). */
static int node_of_param(const tl_program *p, int gp) {
    int lo = 0, hi = p->nnodes - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (p->nodes[mid].param_base <= gp) lo = mid;
        else hi = mid - 1;
    }
    /* nodes without params share a base: move to the one that has it */
    while (lo + 1 < p->nnodes && p->nodes[lo + 1].param_base <= gp && p->nodes[lo].s->nparams == 0) lo++;
    return lo;
}

static void discover_contexts(tl_program *p) {
    ivec wrap_work = {0};
    for (int f = 0; f < p->nnodes; f++)
        for (int i = 0; i < p->nodes[f].s->nregs; i++) register_ref(p, f, &p->nodes[f].s->regs[i], &wrap_work);
    /* a wrapper's parameter: whatever its callers pass there is registered */
    for (int w = 0; w < wrap_work.n; w++) {
        int gp = wrap_work.v[w];
        int g = node_of_param(p, gp);
        int k = gp - p->nodes[g].param_base;
        const pparam *pp = &p->params[gp];
        for (int j = p->in_start[g]; j < p->in_start[g + 1]; j++) {
            const edge *ed = &p->edges[p->in_edges[j]];
            const pnode *caller = &p->nodes[ed->from];
            const tl_sum_call *c = &caller->s->calls[ed->call];
            if (k >= c->nargs) continue;
            const tl_sum_arg *a = &c->args[k];
            if (a->fn_usr) {
                int fn = map_get(&p->by_usr, a->fn_usr);
                if (fn >= 0)
                    set_context(p, fn, pp->wrap_ctx, pp->wrap_ready, pp->wrap_library, pp->wrap_via,
                                p->nodes[g].s->name, caller->s->name, c->loc);
            } else if (a->param >= 0 && a->param < caller->s->nparams) {
                pparam *up = &p->params[caller->param_base + a->param];
                if (!up->wrapper) {
                    up->wrapper = true;
                    up->wrap_ctx = pp->wrap_ctx;
                    up->wrap_ready = pp->wrap_ready;
                    up->wrap_library = pp->wrap_library;
                    up->wrap_via = pp->wrap_via;
                    ivec_push(&wrap_work, caller->param_base + a->param);
                }
            }
        }
    }
    free(wrap_work.v);
}

/* ---- 4. blocking ---- */

/* Is call i of node f reached only where calls returned 0, one of whose targets
 * returns a fork's result (a wrapper of fork: the summary's returned handle
 * comes from a child_if_zero spawn whose parent does not wait)?  Then it
 * runs in the child and blocks none of f's callers. */
static bool in_fork_child(const tl_program *p, const pnode *f, int i) {
    const tl_sum_call *c = &f->s->calls[i];
    for (int k = 0; k < c->nchild_of && p->models; k++) {
        int of = c->child_of[k];
        if (of < 0 || of >= f->s->ncalls) continue;
        const tl_sum_call *w = &f->s->calls[of];
        int g = w->target.kind == TL_REF_FUNC ? map_get(&p->by_usr, w->target.usr) : -1;
        if (g < 0 || !p->nodes[g].s->returns_handle || !p->nodes[g].s->spawn_model) continue;
        const tl_fn_model *m = tl_models_find(p->models, p->nodes[g].s->spawn_model);
        if (m && m->spawn.child_if_zero && !m->spawn.parent_waits_child) return true;
    }
    return false;
}

static void compute_blocking(tl_program *p, int r) {
    ivec work = {0};
    for (int f = 0; f < p->nnodes; f++) {
        pnode *n = &p->nodes[f];
        n->blocks[r] = false;
        n->block_call[r] = n->block_next[r] = -1;
        n->block_field[r] = NULL;
    }
    for (int f = 0; f < p->nnodes; f++) {
        pnode *n = &p->nodes[f];
        for (int i = 0; i < n->s->ncalls; i++) {
            const tl_sum_call *c = &n->s->calls[i];
            if (c->spawn_entry || in_fork_child(p, n, i)) continue;
            /* descriptor I/O on a slot every store fills non-blocking */
            if (c->fd_slot && tl_fd_slots_nonblocking(p->fd_slots, c->fd_slot, p->whole)) continue;
            if (r ? c->blocks_unless_ready : c->blocks) {
                n->blocks[r] = true;
                n->block_call[r] = i;
                n->block_next[r] = -1;
                ivec_push(&work, f);
                break;
            }
        }
    }
    for (int w = 0; w < work.n; w++) {
        int g = work.v[w];
        for (int j = p->in_start[g]; j < p->in_start[g + 1]; j++) {
            const edge *ed = &p->edges[p->in_edges[j]];
            pnode *f = &p->nodes[ed->from];
            if (f->blocks[r] || ed->from == g) continue;
            if (f->s->calls[ed->call].nonblocking || in_fork_child(p, f, ed->call)) continue;
            f->blocks[r] = true;
            f->block_call[r] = ed->call;
            f->block_next[r] = g;
            f->block_field[r] = ed->field;
            ivec_push(&work, ed->from);
        }
    }
    free(work.v);
}

/* ---- 5. parameters: ownership and deadlines ---- */

typedef struct {
    int from_param, to_param, call;
} pass_edge;

static void compute_params(tl_program *p) {
    /* direct facts */
    for (int f = 0; f < p->nnodes; f++) {
        const pnode *n = &p->nodes[f];
        for (int k = 0; k < n->s->nparams; k++) {
            pparam *pp = &p->params[n->param_base + k];
            const tl_sum_param *sp = &n->s->params[k];
            pp->owner = (sp->effects & (TL_PE_RELEASE | TL_PE_STORE | TL_PE_RETURN | TL_PE_ESCAPE)) != 0;
            pp->releases = (sp->effects & TL_PE_RELEASE) &&
                           !(sp->effects & (TL_PE_STORE | TL_PE_RETURN | TL_PE_ESCAPE));
            pp->how = sp->release_how;
            pp->awaits = (sp->effects & TL_PE_AWAIT) != 0;
            pp->awaits_reach = (sp->effects & TL_PE_AWAIT_REACH) != 0;
            pp->tears_down = (sp->effects & TL_PE_TEARDOWN) != 0;
            pp->prepares = (sp->effects & TL_PE_PREPARE) != 0;
            pp->prep_kinds =
                sp->effects & (TL_PE_PREP_PEER | TL_PE_PREP_DONE | TL_PE_PREP_UNKNOWN | TL_PE_PREP_FD);
            pp->prep_fd = TL_PE_PREP_FD_PARAM(sp->effects);
            if ((pp->prep_kinds & TL_PE_PREP_FD) && (pp->prep_fd < 0 || pp->prep_fd >= n->s->nparams))
                pp->prep_kinds = (pp->prep_kinds & ~(unsigned)TL_PE_PREP_FD) | TL_PE_PREP_PEER;
        }
        for (int d = 0; d < n->s->ndeadlines; d++) {
            const tl_sum_deadline *dl = &n->s->deadlines[d];
            pparam *pp = &p->params[n->param_base + dl->param];
            if (pp->deadline) continue;
            pp->deadline = true;
            pp->kind = dl->kind;
            pp->nforever = dl->nforever;
            memcpy(pp->forever, dl->forever, sizeof pp->forever);
            pp->dl_call = dl->call;
            pp->dl_next = -1;
        }
    }
    /* pass edges: (f,p) passed to (g,k) at a call; an unseen callee owns */
    pass_edge *pe = NULL;
    int npe = 0, cappe = 0;
    for (int f = 0; f < p->nnodes; f++) {
        const pnode *n = &p->nodes[f];
        for (int i = 0; i < n->s->npasses; i++) {
            const tl_sum_pass *ps = &n->s->passes[i];
            if (ps->call < 0) continue;
            int first = p->call_first[f][ps->call], count = p->call_count[f][ps->call];
            if (first < 0 || count == 0) {
                /* a function no TU defines: the handle goes where we cannot see */
                p->params[n->param_base + ps->param].owner = true;
                continue;
            }
            for (int e = first; e < first + count; e++) {
                const pnode *to = &p->nodes[p->edges[e].to];
                if (ps->arg >= to->s->nparams) continue;
                pe = tl_xgrow(pe, npe, &cappe, sizeof *pe);
                pe[npe++] = (pass_edge){n->param_base + ps->param, to->param_base + ps->arg, ps->call};
            }
        }
    }
    /* reverse index by to_param */
    int *start = tl_xcalloc((size_t)p->nparams + 2, sizeof *start);
    int *rev = tl_xcalloc((size_t)npe + 1, sizeof *rev);
    for (int i = 0; i < npe; i++) start[pe[i].to_param + 1]++;
    for (int i = 0; i < p->nparams; i++) start[i + 1] += start[i];
    int *fill = tl_xcalloc((size_t)p->nparams + 1, sizeof *fill);
    for (int i = 0; i < npe; i++) rev[start[pe[i].to_param] + fill[pe[i].to_param]++] = i;
    free(fill);
    /* propagate each fact backwards; a param's fact, once set, stays */
    ivec work = {0};
    for (int gp = 0; gp < p->nparams; gp++)
        if (p->params[gp].owner || p->params[gp].deadline || p->params[gp].awaits || p->params[gp].awaits_reach ||
            p->params[gp].tears_down || p->params[gp].prepares)
            ivec_push(&work, gp);
    for (int w = 0; w < work.n; w++) {
        const pparam *src = &p->params[work.v[w]];
        for (int j = start[work.v[w]]; j < start[work.v[w] + 1]; j++) {
            const pass_edge *e = &pe[rev[j]];
            pparam *dst = &p->params[e->from_param];
            bool changed = false;
            if (src->owner && !dst->owner) {
                dst->owner = true;
                dst->releases = src->releases;
                dst->how = src->how;
                changed = true;
            }
            if (src->awaits && !dst->awaits) dst->awaits = changed = true;
            if (src->awaits_reach && !dst->awaits_reach) dst->awaits_reach = changed = true;
            if (src->tears_down && !dst->tears_down) dst->tears_down = changed = true;
            if (src->prepares && !dst->prepares) dst->prepares = changed = true;
            /* the callee's descriptor parameter is not the caller's: a peer there */
            unsigned kinds = src->prep_kinds & TL_PE_PREP_FD
                                 ? (src->prep_kinds & ~(unsigned)TL_PE_PREP_FD) | TL_PE_PREP_PEER
                                 : src->prep_kinds;
            if (kinds & ~dst->prep_kinds) dst->prep_kinds |= kinds, changed = true;
            if (src->deadline && !dst->deadline) {
                dst->deadline = true;
                dst->kind = src->kind;
                dst->nforever = src->nforever;
                memcpy(dst->forever, src->forever, sizeof dst->forever);
                dst->dl_call = e->call;
                dst->dl_next = work.v[w];
                changed = true;
            }
            if (changed) ivec_push(&work, e->from_param);
        }
    }
    free(work.v);
    free(start);
    free(rev);
    free(pe);
}

/* ---- 6. handle slots ---- */

static void collect_slots(tl_program *p) {
    for (int f = 0; f < p->nnodes; f++) {
        const pnode *n = &p->nodes[f];
        for (int i = 0; i < n->s->nslots; i++) {
            const tl_sum_slot *s = &n->s->slots[i];
            int hi = hslot_index(p, s->slot_usr, s->slot_name);
            hslot *h = &p->hslots[hi];
            if (s->spawn) {
                h->spawns = tl_xgrow(h->spawns, h->nspawns, &h->capspawns, sizeof *h->spawns);
                h->spawns[h->nspawns++] = (slot_use){n->s, s};
            } else if (s->how) {
                h->released = true;
            } else if (s->pass_call >= 0) {
                /* handed to a program function: released if it takes it */
                int first = p->call_first[f][s->pass_call], count = p->call_count[f][s->pass_call];
                if (first < 0 || count == 0) h->released = true; /* unseen code */
                for (int e = first; e >= 0 && e < first + count; e++) {
                    const pnode *to = &p->nodes[p->edges[e].to];
                    if (s->pass_arg < to->s->nparams && p->params[to->param_base + s->pass_arg].owner)
                        h->released = true;
                }
            }
        }
    }
}

static void derive_models(tl_program *p);

/* ---- 7. tasks released wholesale ---- */

/* One pass over every call: a modelled release_all whose conditions the
 * constant arguments meet adds its task noun (a handful: a list). */
static void collect_released_all(tl_program *p) {
    for (int n = 0; n < p->nnodes; n++) {
        const tl_func_summary *s = p->nodes[n].s;
        for (int c = 0; c < s->ncalls; c++) {
            const tl_sum_call *sc = &s->calls[c];
            const tl_fn_model *m = sc->modelled && sc->target.name ? tl_models_find(p->models, sc->target.name) : NULL;
            if (!m || !m->release_all.present || !m->release_all.task) continue;
            bool holds = true;
            for (int w = 0; w < m->release_all.nwhen && holds; w++) {
                const tl_arg_values *av = &m->release_all.when[w];
                holds = av->arg < sc->nargs && tl_arg_value_in(av, &sc->args[av->arg].value);
            }
            if (!holds || tl_program_releases_all(p, m->release_all.task)) continue;
            p->released_all = tl_xgrow(p->released_all, p->nreleased_all, &p->capreleased_all,
                                       sizeof *p->released_all);
            p->released_all[p->nreleased_all++] = m->release_all.task;
        }
    }
}

bool tl_program_never_returns(const tl_program *p, const char *fn_usr) {
    int n = p ? map_get(&p->by_usr, fn_usr) : -1;
    return n >= 0 && p->nodes[n].s->never_returns;
}

bool tl_program_releases_all(const tl_program *p, const char *task) {
    for (int i = 0; p && task && i < p->nreleased_all; i++)
        if (strcmp(p->released_all[i], task) == 0) return true;
    return false;
}

/* ---- link ---- */

tl_program *tl_program_link(tl_tu_summary *const *units, int nunits, const tl_model_set *models) {
    tl_program *p = tl_xcalloc(1, sizeof *p);
    p->models = models;
    index_functions(p, units, nunits);
    resolve_direct_and_slots(p);
    resolve_param_calls(p);
    build_reverse(p);
    field_contexts(p, units, nunits);
    discover_contexts(p);
    p->fd_slots = tl_fd_slots_link(units, nunits);
    compute_blocking(p, 0);
    compute_blocking(p, 1);
    compute_params(p);
    collect_slots(p);
    derive_models(p);
    collect_released_all(p);
    return p;
}

static void free_model(tl_fn_model *m) {
    if (!m) return;
    free(m->name);
    free(m->library);
    free(m->spawn.task);
    free(m->spawn.entry_before_call);
    free(m->release.how);
    free(m);
}

void tl_program_free(tl_program *p) {
    if (!p) return;
    tl_fd_slots_free(p->fd_slots);
    for (int n = 0; n < p->nnodes; n++) {
        free_model(p->nodes[n].derived);
        free(p->call_first[n]);
        free(p->call_count[n]);
    }
    free(p->call_first);
    free(p->call_count);
    free(p->nodes);
    for (int i = 0; i < p->nfslots; i++) {
        free(p->fslots[i].funcs.v);
        free_model(p->fslots[i].derived);
    }
    free(p->fslots);
    for (int i = 0; i < p->nhslots; i++) free(p->hslots[i].spawns);
    free(p->hslots);
    for (int i = 0; i < p->nparams; i++) free(p->params[i].funcs.v);
    free(p->params);
    free(p->edges);
    free(p->in_start);
    free(p->in_edges);
    map_free(&p->by_usr);
    map_free(&p->fslot_by_usr);
    map_free(&p->hslot_by_usr);
    free(p->released_all);
    free(p);
}

bool tl_program_fd_slot_nonblocking(const tl_program *p, const char *key) {
    return p && tl_fd_slots_nonblocking(p->fd_slots, key, p->whole);
}

void tl_program_set_whole(tl_program *p, bool whole) {
    bool changed = p->whole != whole;
    p->whole = whole;
    if (changed) { /* a global slot's fact depends on it: the chains too */
        compute_blocking(p, 0);
        compute_blocking(p, 1);
    }
}

const tl_program_stats *tl_program_stats_of(const tl_program *p) {
    return &p->stats;
}

/* ---- queries ---- */

const tl_prog_context *tl_program_context(const tl_program *p, const char *fn_usr) {
    int n = p ? map_get(&p->by_usr, fn_usr) : -1;
    return n >= 0 && p->nodes[n].has_ctx ? &p->nodes[n].ctx : NULL;
}

bool tl_program_cancel_bounded(const tl_program *p, const char *fn_usr) {
    int n = p && fn_usr ? map_get(&p->by_usr, fn_usr) : -1;
    if (n < 0) return false;
    const pnode *x = &p->nodes[n];
    /* every spawn of it bounded, nothing else runs it: no direct or indirect
       call, and no caller outside the linked files (static, or whole program) */
    return x->nbounded_in > 0 && x->nbounded_in == x->nregs_in && p->in_start[n + 1] == p->in_start[n] &&
           (x->s->is_static || p->whole);
}

/* The first blocking target of a slot (or the function itself). */
static int blocking_node(const tl_program *p, const char *usr, bool is_slot, int r) {
    if (!p || !usr) return -1;
    if (!is_slot) {
        int n = map_get(&p->by_usr, usr);
        return n >= 0 && p->nodes[n].blocks[r] ? n : -1;
    }
    int si = map_get(&p->fslot_by_usr, usr);
    if (si < 0) return -1;
    const fslot *s = &p->fslots[si];
    for (int k = 0; k < s->funcs.n; k++)
        if (p->nodes[s->funcs.v[k]].blocks[r]) return s->funcs.v[k];
    return -1;
}

bool tl_program_blocks(const tl_program *p, const char *usr, bool is_slot, bool ready) {
    return blocking_node(p, usr, is_slot, ready ? 1 : 0) >= 0;
}

int tl_program_chain(const tl_program *p, const char *usr, bool is_slot, bool ready, tl_chain_step *out,
                     int max) {
    int r = ready ? 1 : 0;
    int n = blocking_node(p, usr, is_slot, r), count = 0;
    for (int guard = 0; n >= 0 && count < max && guard <= p->nnodes; guard++) {
        const pnode *nd = &p->nodes[n];
        const tl_sum_call *c = &nd->s->calls[nd->block_call[r]];
        out[count++] = (tl_chain_step){c->loc, nd->s->name, c->spelling, nd->block_field[r], nd->block_next[r] < 0};
        n = nd->block_next[r];
    }
    return count;
}

int tl_program_deadline_chain(const tl_program *p, const char *usr, bool is_slot, tl_chain_step *out, int max) {
    if (!p || !usr) return 0;
    /* the first parameter with a deadline, of the function or a slot target */
    int n = -1;
    if (!is_slot) {
        n = map_get(&p->by_usr, usr);
    } else {
        int si = map_get(&p->fslot_by_usr, usr);
        for (int k = 0; si >= 0 && k < p->fslots[si].funcs.n && n < 0; k++) {
            const pnode *cand = &p->nodes[p->fslots[si].funcs.v[k]];
            for (int j = 0; j < cand->s->nparams; j++)
                if (p->params[cand->param_base + j].deadline) n = p->fslots[si].funcs.v[k];
        }
    }
    if (n < 0) return 0;
    int gp = -1;
    for (int j = 0; j < p->nodes[n].s->nparams && gp < 0; j++)
        if (p->params[p->nodes[n].param_base + j].deadline) gp = p->nodes[n].param_base + j;
    int count = 0;
    for (int guard = 0; gp >= 0 && count < max && guard <= p->nparams; guard++) {
        const pparam *pp = &p->params[gp];
        int owner = node_of_param(p, gp);
        const tl_func_summary *fs = p->nodes[owner].s;
        if (pp->dl_call < 0 || pp->dl_call >= fs->ncalls) break;
        const tl_sum_call *c = &fs->calls[pp->dl_call];
        out[count++] = (tl_chain_step){c->loc, fs->name, c->spelling, NULL, pp->dl_next < 0};
        gp = pp->dl_next;
    }
    return count;
}

/* Fill derived facets from a function's parameters; returns whether any. */
static bool derive_params(const tl_program *p, const pnode *n, tl_fn_model *m) {
    bool any = false;
    for (int k = 0; k < n->s->nparams; k++) {
        const pparam *pp = &p->params[n->param_base + k];
        unsigned eff = n->s->params[k].effects;
        if (pp->wrapper && m->callback.nargs < TL_MAX_CB_ARGS) {
            /* the wrapper registers for the library it wraps (its advice) */
            free(m->library);
            m->library = tl_xstrdup(pp->wrap_library ? pp->wrap_library : "program");
            m->callback.present = true;
            m->callback.args[m->callback.nargs++] = k;
            m->callback.context = pp->wrap_ctx;
            m->callback.readiness = pp->wrap_ready;
            any = true;
        }
        if (pp->deadline && !m->wait.present) {
            m->wait.present = true;
            m->wait.timeout_arg = k;
            m->wait.kind = pp->kind;
            m->wait.nforever = pp->nforever;
            memcpy(m->wait.forever, pp->forever, sizeof m->wait.forever);
            m->wait.only_if_nonzero_arg = -1;
            any = true;
            continue;
        }
        /* a helper can both await and tear down (or close) what it is given */
        bool facet = false;
        if (pp->releases && !m->release.present) {
            m->release.present = true;
            m->release.arg = k;
            m->release.how = tl_xstrdup(pp->how ? pp->how : "release");
            facet = true;
        }
        if (pp->awaits && !m->await.present) {
            m->await.present = true;
            m->await.arg = k;
            facet = true;
        }
        /* a helper that awaits and then tears down reaps its work itself */
        if (pp->tears_down && !pp->awaits && !m->teardown.present) {
            m->teardown.present = true;
            m->teardown.arg = k;
            facet = true;
        }
        /* work prepared on it inside: one that may wait on a peer makes a
           peer operation, only ones that complete a complete one, reads and
           writes on a descriptor the caller passes (and ones that complete)
           an fd_io one on that argument, else operations of unknown kinds (a
           helper that only submits) */
        if (pp->prepares && !m->prepare.present) {
            m->prepare.present = true;
            m->prepare.arg = k;
            unsigned fd_done = TL_PE_PREP_FD | TL_PE_PREP_DONE;
            m->prepare.op = (pp->prep_kinds & TL_PE_PREP_PEER)                ? TL_OP_PEER
                            : pp->prep_kinds == TL_PE_PREP_DONE              ? TL_OP_COMPLETE
                            : (pp->prep_kinds & TL_PE_PREP_FD) &&
                                      !(pp->prep_kinds & ~fd_done)           ? TL_OP_FD_IO
                                                                             : TL_OP_UNKNOWN;
            m->prepare.fd_arg = m->prepare.op == TL_OP_FD_IO ? pp->prep_fd : -1;
            any = true;
        }
        if (facet) {
            any = true;
        } else if (!pp->owner && (eff & (TL_PE_BORROW | TL_PE_PASS)) && m->nborrow < TL_MAX_CB_ARGS) {
            m->borrow[m->nborrow].present = true;
            m->borrow[m->nborrow++].arg = k;
            any = true;
        }
    }
    return any;
}

static tl_fn_model *new_model(const char *name) {
    tl_fn_model *m = tl_xcalloc(1, sizeof *m);
    m->name = tl_xstrdup(name);
    m->library = tl_xstrdup("program");
    m->spawn.handle_arg = m->spawn.entry_arg = m->spawn.owner_arg = m->spawn.attr_arg = -1;
    m->spawn.data_arg = -1;
    m->release.arg = m->start.arg = m->await.arg = m->teardown.arg = -1;
    m->wait.timeout_arg = m->wait.only_if_nonzero_arg = m->wait.kind_if_arg = -1;
    m->wait.object_arg = -1;
    m->counter_init.arg = m->counter_init.value_arg = -1;
    m->post.arg = -1;
    m->detach_attr.arg = m->detach_attr.value_arg = -1;
    m->blocking.if_null_arg = m->blocking.unless_flag_arg = m->blocking.unless_zero_arg = -1;
    m->blocking.if_value_arg = m->blocking.unless_numeric_arg = m->blocking.unless_field_arg = -1;
    m->blocking.unless_immediate_arg = m->immediate_path.arg = -1;
    m->wait.unless_numeric_arg = -1;
    m->callback.ready_param = m->callback.fd_arg = m->callback.data_arg = m->callback.data_param = -1;
    m->fd_state.arg = m->fd_state.from_arg = m->fd_state.if_flag_arg = m->fd_state.if_value_arg = -1;
    m->readiness_wait.arg = m->readiness_wait.if_value_arg = m->watch_fd.arg = -1;
    return m;
}

static tl_fn_model *derive_function(const tl_program *p, const pnode *n) {
    tl_fn_model *m = new_model(n->s->name);
    bool any = derive_params(p, n, m);
    if (n->s->returns_handle && n->s->spawn_model && p->models) {
        const tl_fn_model *sm = tl_models_find(p->models, n->s->spawn_model);
        if (sm && sm->spawn.present) {
            m->spawn = sm->spawn;
            m->spawn.where = TL_HANDLE_RESULT;
            m->spawn.handle_arg = m->spawn.entry_arg = m->spawn.owner_arg = m->spawn.attr_arg = -1;
            m->spawn.data_arg = -1;
            m->spawn.has_no_owner_value = false;
            m->spawn.entry_before_call = NULL;
            m->spawn.context = TL_CTX_NONE;
            /* the helper returns the handle itself, not the spawn's status */
            if (sm->spawn.where == TL_HANDLE_OUT_ARG)
                m->spawn.success = n->s->returns_pointer ? TL_SUCCESS_NONNULL : TL_SUCCESS_ALWAYS;
            m->spawn.task = tl_xstrdup(sm->spawn.task ? sm->spawn.task : "task");
            free(m->library);
            m->library = tl_xstrdup(sm->library ? sm->library : "program");
            any = true;
        }
    }
    if (!any) {
        free_model(m);
        return NULL;
    }
    return m;
}

/* A call through a slot: a deadline any of its targets has. */
static tl_fn_model *derive_slot(const tl_program *p, const fslot *s) {
        tl_fn_model *m = new_model(s->name);
        bool any = false;
        for (int k = 0; k < s->funcs.n && !any; k++) {
            const pnode *n = &p->nodes[s->funcs.v[k]];
            for (int j = 0; j < n->s->nparams && !any; j++) {
                const pparam *pp = &p->params[n->param_base + j];
                if (!pp->deadline) continue;
                m->wait.present = true;
                m->wait.timeout_arg = j;
                m->wait.kind = pp->kind;
                m->wait.nforever = pp->nforever;
                memcpy(m->wait.forever, pp->forever, sizeof m->wait.forever);
                m->wait.only_if_nonzero_arg = -1;
                any = true;
            }
        }
        if (!any) {
            free_model(m);
            m = NULL;
        }
        return m;
}

static void derive_models(tl_program *p) {
    for (int n = 0; n < p->nnodes; n++) p->nodes[n].derived = derive_function(p, &p->nodes[n]);
    for (int i = 0; i < p->nfslots; i++) p->fslots[i].derived = derive_slot(p, &p->fslots[i]);
}

const tl_fn_model *tl_program_model(const tl_program *p, const char *usr, bool is_slot) {
    if (!p || !usr) return NULL;
    if (!is_slot) {
        int n = map_get(&p->by_usr, usr);
        return n >= 0 ? p->nodes[n].derived : NULL;
    }
    int si = map_get(&p->fslot_by_usr, usr);
    return si >= 0 ? p->fslots[si].derived : NULL;
}

int tl_program_param_awaits(const tl_program *p, const char *usr, int param) {
    int n = p && usr ? map_get(&p->by_usr, usr) : -1;
    if (n < 0 || param < 0 || param >= p->nodes[n].s->nparams) return 0;
    const pparam *pp = &p->params[p->nodes[n].param_base + param];
    return pp->awaits ? 1 : pp->awaits_reach ? 2 : 0;
}

bool tl_program_awaits_global(const tl_program *p, const char *usr, const char *global_usr) {
    int n = p && usr && global_usr ? map_get(&p->by_usr, usr) : -1;
    if (n < 0) return false;
    const tl_func_summary *s = p->nodes[n].s;
    for (int i = 0; i < s->nawait_globals; i++)
        if (strcmp(s->await_globals[i], global_usr) == 0) return true;
    return false;
}

bool tl_program_param_posts(const tl_program *p, const char *usr, int param) {
    int n = p && usr ? map_get(&p->by_usr, usr) : -1;
    if (n < 0 || param < 0 || param >= p->nodes[n].s->nparams) return false;
    return (p->nodes[n].s->params[param].effects & TL_PE_POST) != 0;
}

bool tl_program_posts_global(const tl_program *p, const char *usr, const char *global_usr) {
    int n = p && usr && global_usr ? map_get(&p->by_usr, usr) : -1;
    if (n < 0) return false;
    const tl_func_summary *s = p->nodes[n].s;
    for (int i = 0; i < s->npost_globals; i++)
        if (strcmp(s->post_globals[i], global_usr) == 0) return true;
    return false;
}

bool tl_program_defines(const tl_program *p, const char *usr) {
    return p && usr && map_get(&p->by_usr, usr) >= 0;
}

bool tl_program_called_in_loop(const tl_program *p, const char *usr) {
    int n = p && usr ? map_get(&p->by_usr, usr) : -1;
    if (n < 0) return false;
    for (int j = p->in_start[n]; j < p->in_start[n + 1]; j++) {
        const edge *e = &p->edges[p->in_edges[j]];
        const tl_func_summary *from = p->nodes[e->from].s;
        if (e->call >= 0 && e->call < from->ncalls && from->calls[e->call].in_unbounded_loop) return true;
    }
    return false;
}

void tl_program_orphan_slots(const tl_program *p, tl_orphan_slot_fn fn, void *ctx) {
    if (!p || !p->whole) return;
    for (int i = 0; i < p->nhslots; i++) {
        const hslot *h = &p->hslots[i];
        if (h->released) continue;
        for (int k = 0; k < h->nspawns; k++) {
            const slot_use *u = &h->spawns[k];
            tl_orphan_slot os = {h->name, u->fs->name, u->s->loc, u->s->task, u->s->library};
            fn(ctx, &os);
        }
    }
}
