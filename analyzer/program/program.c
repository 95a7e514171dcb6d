/* program.c - linking per-TU summaries into program facts (see program.h).
 *
 * Steps, each linear in the summaries (hash maps by USR, edge lists in
 * compressed form, worklists):
 *   1. index functions by USR (a header function seen again is a duplicate);
 *      index the function addresses stored into each field/global slot;
 *   2. resolve every call to its target functions: direct, through a slot
 *      (every function stored there, capped), through a parameter (every
 *      function the callers pass there);
 *   3. contexts from registrations, through wrapper parameters (contexts.c);
 *   4. blocking, backwards over the call edges from the blocking calls,
 *      under the constant arguments of each call (prog_blocking.c);
 *   5. per parameter: ownership and deadlines, backwards over the edges that
 *      pass a parameter on;
 *   6. derived models (program_derive.c) and slot facts for the rules;
 *   7. the task nouns some call releases wholesale (release_all).
 * The data they fill is in program_internal.h; the queries the rules ask
 * are in program_query.c.
 */
#include "program_internal.h"
#include "../util/str_map.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

#define SLOT_TARGET_CAP 64   /* targets of one indirect call (documented) */
#define PARAM_TARGET_CAP 16  /* functions one parameter may receive */

/* ---- USR -> index maps (util/strmap; keys are the summaries' strings) ---- */

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

void pg_ivec_push(ivec *a, int x) {
    a->v = tl_xgrow(a->v, a->n, &a->cap, sizeof *a->v);
    a->v[a->n++] = x;
}

static int ivec_index(const ivec *a, int x) {
    for (int i = 0; i < a->n; i++)
        if (a->v[i] == x) return i;
    return -1;
}

static bool ivec_has(const ivec *a, int x) {
    return ivec_index(a, x) >= 0;
}

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

/* Is fs, whose USR node `head` already has, another file's definition of an
 * external function (another executable's), not the same definition seen
 * again (a header's, a file compiled twice)?  `seen` holds "USR\nfile" of
 * the definitions kept (keys in *owned). */
static bool another_definition(const tl_program *p, int head, const tl_func_summary *fs, tl_strmap *seen,
                               char ***owned, int *nowned, int *capowned) {
    const tl_func_summary *h = p->nodes[head].s;
    if (fs->is_static || fs->in_header || h->is_static || h->in_header || !fs->loc.file || !h->loc.file)
        return false;
    size_t had;
    for (int k = 0; k < 2; k++) {
        const tl_func_summary *d = k ? fs : h;
        char *key = tl_xasprintf("%s\n%s", d->usr, d->loc.file);
        if (tl_strmap_get(seen, key, &had)) {
            free(key);
            if (k) return false;
            continue;
        }
        *owned = tl_xgrow(*owned, *nowned, capowned, sizeof **owned);
        (*owned)[(*nowned)++] = key;
        map_put(seen, key, head);
    }
    return true;
}

static void index_functions(tl_program *p, tl_tu_summary *const *units, int nunits) {
    int total = 0;
    for (int u = 0; u < nunits; u++) total += units[u]->nfuncs;
    p->nodes = tl_xcalloc((size_t)total + 1, sizeof *p->nodes);
    int *last = tl_xcalloc((size_t)total + 1, sizeof *last); /* per chain head: its last definition */
    tl_strmap seen;
    tl_strmap_init(&seen);
    char **owned = NULL;
    int nowned = 0, capowned = 0;
    int nparams = 0;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfuncs; i++) {
            const tl_func_summary *fs = &units[u]->funcs[i];
            int head = map_get(&p->by_usr, fs->usr);
            if (head >= 0 && !another_definition(p, head, fs, &seen, &owned, &nowned, &capowned)) {
                p->stats.duplicates++;
                continue;
            }
            pnode *n = &p->nodes[p->nnodes];
            n->s = fs;
            n->unit = u;
            n->dup_next = -1;
            n->param_base = nparams;
            n->block_call[0] = n->block_call[1] = -1;
            n->block_next[0] = n->block_next[1] = -1;
            nparams += fs->nparams;
            if (head >= 0) { /* another executable's definition: chained after the first */
                if (p->nodes[head].dup_next < 0) p->stats.multi_defined++;
                p->nodes[last[head]].dup_next = p->nnodes;
                last[head] = p->nnodes++;
            } else {
                last[p->nnodes] = p->nnodes;
                map_put(&p->by_usr, fs->usr, p->nnodes++);
            }
        }
    for (int i = 0; i < nowned; i++) free(owned[i]);
    free(owned);
    tl_strmap_free(&seen);
    free(last);
    p->nparams = nparams;
    p->params = tl_xcalloc((size_t)nparams + 1, sizeof *p->params);
    for (int i = 0; i < nparams; i++) p->params[i].dl_call = p->params[i].dl_next = -1;
    p->stats.functions = p->nnodes;
}

/* Do two stores give the other fields the same constants? */
static bool same_consts(const tl_fn_store *a, const tl_fn_store *b) {
    if (a->nconsts != b->nconsts) return false;
    for (int i = 0; i < a->nconsts; i++) {
        bool found = false;
        for (int j = 0; j < b->nconsts && !found; j++)
            found = a->consts[i].value == b->consts[j].value && !strcmp(a->consts[i].field_usr, b->consts[j].field_usr);
        if (!found) return false;
    }
    return true;
}

/* Does a call's field test (`t->is_helper` on every path to `t->main()`)
 * rule out a function stored with these constants ({..., &fn, 0})? */
bool pg_guards_exclude(const tl_program *p, const tl_sum_call *c, const tl_fn_store *consts) {
    if (!consts) return false;
    if (p->any_field_written) return false;
    for (int g = 0; g < c->nfguards; g++) {
        if (tl_str_map_get(&p->written_fields, c->fguards[g].field_usr) >= 0) continue; /* assigned at run time */
        for (int i = 0; i < consts->nconsts; i++)
            if (!strcmp(c->fguards[g].field_usr, consts->consts[i].field_usr) &&
                tl_field_guard_contradicts(&c->fguards[g], consts->consts[i].value))
                return true;
    }
    return false;
}

/* The function addresses stored into each field/global slot (after the
 * units' programs are known: a store resolves in its own program). */
static void index_stores(tl_program *p, tl_tu_summary *const *units, int nunits) {
    int defs[PG_MAX_DEFS_LINK];
    tl_str_map_init(&p->written_fields);
    for (int u = 0; u < nunits; u++) {
        for (int i = 0; i < units[u]->nassigned_fields; i++) tl_str_map_set(&p->written_fields, units[u]->assigned_fields[i], 1);
        p->any_field_written = p->any_field_written || units[u]->assigned_over;
    }
    for (int n = 0; n < p->nnodes; n++) p->nodes[n].dropped_slot = -1;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nstores; i++) {
            const tl_fn_store *st = &units[u]->stores[i];
            int nd = pg_resolve(p, u, st->fn_usr, defs, PG_MAX_DEFS_LINK);
            if (nd == 0) continue;
            int si = fslot_index(p, st->slot_usr, st->slot_name);
            fslot *s = &p->fslots[si];
            for (int d = 0; d < nd; d++) {
                int at = ivec_index(&s->funcs, defs[d]);
                if (at >= 0) {
                    if (s->consts_of[at] && !same_consts(s->consts_of[at], st)) s->consts_of[at] = NULL;
                    continue;
                }
                if (s->funcs.n >= SLOT_TARGET_CAP) {
                    s->capped = true;
                    pnode *x = &p->nodes[defs[d]];
                    if (x->dropped_slot == -1) {
                        x->dropped_slot = si;
                        x->dropped_store = st->nconsts ? st : NULL;
                    } else if (x->dropped_slot != si) {
                        x->dropped_slot = -2;
                    } else if (x->dropped_store && !same_consts(x->dropped_store, st)) {
                        x->dropped_store = NULL;
                    }
                    continue;
                }
                s->consts_of = tl_xgrow(s->consts_of, s->funcs.n, &s->capconsts, sizeof *s->consts_of);
                s->consts_of[s->funcs.n] = st->nconsts ? st : NULL;
                pg_ivec_push(&s->funcs, defs[d]);
            }
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
                int defs[PG_MAX_DEFS_LINK];
                int nd = pg_resolve(p, p->nodes[f].unit, c->target.usr, defs, PG_MAX_DEFS_LINK);
                for (int d = 0; d < nd; d++) add_edge(p, f, i, defs[d], NULL);
            } else if (c->target.kind == TL_REF_FIELD || c->target.kind == TL_REF_GLOBAL) {
                p->stats.indirect_calls++;
                int si = map_get(&p->fslot_by_usr, c->target.usr);
                if (si < 0) continue;
                fslot *s = &p->fslots[si];
                if (s->capped) {
                    p->stats.capped++;
                    if (s->calls.n >= 2 * PG_DROPPED_CALLS_MAX) {
                        s->calls_over = true;
                    } else {
                        pg_ivec_push(&s->calls, f);
                        pg_ivec_push(&s->calls, i);
                    }
                }
                if (s->funcs.n) p->stats.resolved_indirect++;
                for (int k = 0; k < s->funcs.n; k++)
                    if (!pg_guards_exclude(p, c, s->consts_of[k])) add_edge(p, f, i, s->funcs.v[k], s->name);
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
                int defs[PG_MAX_DEFS_LINK];
                int nd = pg_resolve(p, p->nodes[ed->from].unit, c->args[k].fn_usr, defs, PG_MAX_DEFS_LINK);
                for (int d = 0; d < nd; d++)
                    if (!ivec_has(&pp->funcs, defs[d]) && pp->funcs.n < PARAM_TARGET_CAP) {
                        pg_ivec_push(&pp->funcs, defs[d]);
                        pg_ivec_push(&work, to->param_base + k);
                    }
            } else if (c->args[k].param >= 0 && c->args[k].param < p->nodes[ed->from].s->nparams) {
                pg_ivec_push(&fwd[p->nodes[ed->from].param_base + c->args[k].param], to->param_base + k);
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
                    pg_ivec_push(&dst->funcs, p->params[from].funcs.v[k]);
                    grew = true;
                }
            if (grew) pg_ivec_push(&work, fwd[from].v[i]);
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

/* ---- 3. contexts: contexts.c (pg_field_contexts, pg_discover_contexts) ---- */

/* ---- 4. blocking: prog_blocking.c (pg_compute_blocking) ---- */

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
            pg_ivec_push(&work, gp);
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
            if (changed) pg_ivec_push(&work, e->from_param);
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
                h->spawns[h->nspawns++] = (slot_use){n->s, s, n->unit};
            } else if (s->how) {
                pg_slot_release(p, h, n->unit);
            } else if (s->pass_call >= 0) {
                /* handed to a program function: released if it takes it */
                int first = p->call_first[f][s->pass_call], count = p->call_count[f][s->pass_call];
                if (first < 0 || count == 0) pg_slot_release(p, h, n->unit); /* unseen code */
                for (int e = first; e >= 0 && e < first + count; e++) {
                    const pnode *to = &p->nodes[p->edges[e].to];
                    if (s->pass_arg < to->s->nparams && p->params[to->param_base + s->pass_arg].owner)
                        pg_slot_release(p, h, n->unit);
                }
            }
        }
    }
}

/* Functions that publish their task's own handle where the program reaps
 * from: a self_handle result stored into a global or field that some call
 * releases (`td->pid = getpid()` with `waitpid(td->pid, ...)` elsewhere),
 * then their direct callers, transitively.  One worklist pass over the
 * reverse call graph: linear. */
static void collect_self_publishers(tl_program *p) {
    ivec work = {0};
    for (int f = 0; f < p->nnodes; f++) {
        pnode *n = &p->nodes[f];
        for (int i = 0; i < n->s->nslots && !n->self_task; i++) {
            const tl_sum_slot *s = &n->s->slots[i];
            int hi = s->self && s->task ? map_get(&p->hslot_by_usr, s->slot_usr) : -1;
            if (hi >= 0 && pg_slot_released(p, &p->hslots[hi], n->unit)) {
                n->self_task = s->task;
                pg_ivec_push(&work, f);
            }
        }
    }
    for (int w = 0; w < work.n; w++) {
        int to = work.v[w];
        for (int j = p->in_start[to]; j < p->in_start[to + 1]; j++) {
            const edge *e = &p->edges[p->in_edges[j]];
            if (e->field || p->nodes[e->from].self_task) continue; /* direct calls only */
            p->nodes[e->from].self_task = p->nodes[to].self_task;
            pg_ivec_push(&work, e->from);
        }
    }
    free(work.v);
}

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

/* ---- link ---- */

static int cmp_str_null(const char *a, const char *b) {
    if (!a || !b) return a ? 1 : b ? -1 : 0;
    return strcmp(a, b);
}

/* The units in a canonical order: by main file, then (the same file compiled
 * twice, with other flags) by what they define.  The link numbers units and
 * definitions in this order (the first of several definitions, a program's
 * root, a slot's copies), so its facts do not depend on the order the caller
 * gives: a compile database's, a reversed one, the store's kept units after
 * the fresh ones. */
static int cmp_unit(const void *x, const void *y) {
    const tl_tu_summary *a = *(tl_tu_summary *const *)x, *b = *(tl_tu_summary *const *)y;
    int c = cmp_str_null(a->main_file, b->main_file);
    if (c) return c;
    if (a->nfuncs != b->nfuncs) return a->nfuncs < b->nfuncs ? -1 : 1;
    for (int i = 0; i < a->nfuncs; i++) {
        const tl_func_summary *f = &a->funcs[i], *g = &b->funcs[i];
        if ((c = cmp_str_null(f->usr, g->usr))) return c;
        if (f->loc.line != g->loc.line) return f->loc.line < g->loc.line ? -1 : 1;
        if (f->ncalls != g->ncalls) return f->ncalls < g->ncalls ? -1 : 1;
        if (f->nslots != g->nslots) return f->nslots < g->nslots ? -1 : 1;
    }
    if (a->nstores != b->nstores) return a->nstores < b->nstores ? -1 : 1;
    return a->nfd_stores < b->nfd_stores ? -1 : a->nfd_stores > b->nfd_stores;
}

tl_program *tl_program_link(tl_tu_summary *const *given, int nunits, const tl_model_set *models) {
    tl_program *p = tl_xcalloc(1, sizeof *p);
    p->models = models;
    p->units = tl_xcalloc((size_t)nunits + 1, sizeof *p->units);
    if (nunits > 0) memcpy(p->units, given, (size_t)nunits * sizeof *p->units);
    if (nunits > 1) qsort(p->units, (size_t)nunits, sizeof *p->units, cmp_unit);
    tl_tu_summary *const *units = p->units;
    index_functions(p, units, nunits);
    pg_units_link(p, units, nunits);
    index_stores(p, units, nunits);
    for (int u = 0; u < nunits; u++) p->stats.programs += p->unit_label[u] == u;
    resolve_direct_and_slots(p);
    resolve_param_calls(p);
    build_reverse(p);
    pg_field_contexts(p, units, nunits);
    pg_discover_contexts(p);
    if (p->fd_extra.nfd_stores) { /* with the per-program copies of global slots */
        tl_tu_summary **all = tl_xcalloc((size_t)nunits + 1, sizeof *all);
        memcpy(all, units, (size_t)nunits * sizeof *all);
        all[nunits] = &p->fd_extra;
        p->fd_slots = tl_fd_slots_link(all, nunits + 1);
        free(all);
    } else {
        p->fd_slots = tl_fd_slots_link(units, nunits);
    }
    pg_compute_blocking(p, 0);
    pg_compute_blocking(p, 1);
    compute_params(p);
    collect_slots(p);
    collect_self_publishers(p);
    pg_derive_models(p);
    collect_released_all(p);
    pg_compute_exit_returns(p);
    pg_compute_looped(p);
    return p;
}

void tl_program_free(tl_program *p) {
    if (!p) return;
    tl_str_map_free(&p->written_fields);
    tl_fd_slots_free(p->fd_slots);
    pg_units_free(p);
    free(p->units);
    for (int n = 0; n < p->nnodes; n++) {
        pg_free_model(p->nodes[n].derived);
        free(p->call_first[n]);
        free(p->call_count[n]);
    }
    free(p->call_first);
    free(p->call_count);
    free(p->nodes);
    for (int i = 0; i < p->nfslots; i++) {
        free(p->fslots[i].funcs.v);
        free(p->fslots[i].consts_of);
        free(p->fslots[i].calls.v);
        pg_free_model(p->fslots[i].derived);
    }
    free(p->fslots);
    for (int i = 0; i < p->nhslots; i++) {
        free(p->hslots[i].spawns);
        free(p->hslots[i].rel_programs);
    }
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

void tl_program_set_whole(tl_program *p, bool whole) {
    bool changed = p->whole != whole;
    p->whole = whole;
    if (changed) { /* a global slot's fact depends on it: the chains too */
        pg_compute_blocking(p, 0);
        pg_compute_blocking(p, 1);
        pg_compute_exit_returns(p); /* (other files' callers of non-static functions) */
        pg_compute_looped(p);
    }
}

/* Functions whose address is taken where no call shows ("p:USR#*"). */
void pg_address_taken(const tl_program *p, tl_str_map *out) {
    tl_str_map_init(out);
    for (int u = 0; u < p->nunits; u++)
        for (int i = 0; i < p->units[u]->nfd_stores; i++) {
            const char *key = p->units[u]->fd_stores[i].key;
            size_t n = key ? strlen(key) : 0;
            if (n > 4 && strncmp(key, "p:", 2) == 0 && strcmp(key + n - 2, "#*") == 0) {
                char usr[512];
                if (n - 4 >= sizeof usr) continue;
                memcpy(usr, key + 2, n - 4);
                usr[n - 4] = '\0';
                tl_str_map_set(out, usr, 1);
            }
        }
}


bool pg_unseen_callers(const tl_program *p, int f, const tl_str_map *taken) {
    const pnode *x = &p->nodes[f];
    return (!x->s->is_static && !p->whole) || p->in_start[f + 1] == p->in_start[f] ||
           (x->s->usr && tl_str_map_get(taken, x->s->usr) >= 0);
}
