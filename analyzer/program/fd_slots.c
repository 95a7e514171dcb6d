/* fd_slots.c - program-wide facts about global descriptor slots: "every
 * descriptor any function of the program stores into this global is
 * non-blocking" (fdstate.h, tl_slot_store; recorded per TU by
 * dataflow/fdstate_slots.c, joined here at link time, read back by the
 * descriptor-state dataflow of phase 2 through
 * tl_program_fd_slot_nonblocking).
 *
 * A slot holds the fact when it has at least one store, none of its stores
 * is "anything else" (TL_SLOT_OTHER: an unknown value, its address taken,
 * O_NONBLOCK cleared) and every slot it copies from (TL_SLOT_COPY) holds it
 * too: the greatest solution, found by spreading "not known" from the bad
 * slots along the copy edges (each edge once: linear).  A slot nothing
 * stores into (a library's, one set through a pointer) is not known.  A
 * global (not a static of one file) can be written by a file that is not
 * linked: its fact holds only when the program is whole; the facts without
 * that assumption are computed too (the non-static slots start bad).
 *
 * Two kinds of pseudo-slot carry values between functions of different
 * files (fdstate_slots.c): "p:F#N", parameter N of F, whose stores are the
 * arguments of every direct call of F (a store `c->fd = fd` of that
 * parameter is a copy of it), bad when F's address is taken anywhere
 * ("p:F#*" has a store) or, F not static, when the program is not whole;
 * and "r:F", F's result, stored (non-blocking) only by F's own analysis
 * when every path returning a descriptor returns a non-blocking one.  They
 * are ordinary nodes of the same copy graph: still one pass over edges.
 *
 * Element slots "S[k]" of an array slot hold what stores at index k and the
 * writes to any element ("S[*]", an edge into each "S[k]") hold; a read of
 * "S[k]" falls back to S.  Effect summaries ("n:F#P[k]" with a condition on
 * F's integer arguments, dataflow/fdstate_effects.c) resolve the calls that
 * hand S over ("c:F#P|constants" into "S[*]", not an edge): element k is
 * stored non-blocking when every such call meets a condition of an effect
 * on k, and is "anything else" otherwise.  Per call, the effects of its
 * callee (a bounded list) are read once.
 *
 * "m:F#K" (F leaves its parameter K non-blocking) and "k:F#K" (F keeps its
 * mode) are read from the summaries of F's definitions, every one of them
 * (several executables may define F): see resolve_param_facts.  "a:HASH"
 * is an ordinary slot with two copy stores: a via and a "k:" (both hold).
 *
 * "o:HASH" is an either node (dataflow/fdstate_later.c): a descriptor with
 * a known origin (a parameter's "p:F#N", a result's "r:F") handed to a
 * helper of another file, non-blocking when the origin is or when the
 * helper leaves it so ("m:G#K"): its two copy edges, and it turns bad only
 * when both sources are.
 *
 * "d:F#N" is what F's pointer parameter N points to: a copy of the slot
 * of every `&S` passed there (by a direct call, or by a registration that
 * hands its data to F), not known when F is named elsewhere ("d:F#*") or
 * registered with its data at another parameter M ("d:F#@M": the library
 * passes parameter N).  A slot whose address is passed copies "w:F#N",
 * stored non-blocking by F's analysis only when F never writes through
 * parameter N nor lets it escape (dataflow/fdstate_slots.c).
 *
 * A function stored only into function-pointer fields by initializers
 * ("p:F#=FIELD", no "p:F#*") takes its parameters from the calls through
 * those fields: an edge "q:FIELD#N" -> "p:F#N" for each, "q:FIELD#*" (the
 * field read as a value) spoiling the field's pseudo-slots.
 */
#include "fd_slots.h"
#include "fd_slots_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/strmap.h"
#include "../util/xalloc.h"

static int slot_of(tl_fd_slots *s, const char *key, bool is_static) {
    size_t i;
    if (tl_strmap_get(&s->index, key, &i)) return (int)i;
    s->v = tl_xgrow(s->v, s->n, &s->cap, sizeof *s->v);
    memset(&s->v[s->n], 0, sizeof s->v[s->n]);
    s->v[s->n].key = key;
    s->v[s->n].is_static = is_static;
    if (tl_strmap_put(&s->index, key, (size_t)s->n) != 0) {
        fprintf(stderr, "tasklint: out of memory\n");
        exit(2);
    }
    return s->n++;
}

int tl_fd_slots_node(tl_fd_slots *s, const char *key, bool is_static) {
    size_t i;
    if (tl_strmap_get(&s->index, key, &i)) return (int)i;
    s->owned = tl_xgrow(s->owned, s->nowned, &s->capowned, sizeof *s->owned);
    s->owned[s->nowned] = tl_xstrdup(key);
    return slot_of(s, s->owned[s->nowned++], is_static);
}

/* Spread "not known" (bad[i]) along copy edges src -> dst (CSR by src).  An
 * either node (ways[i] > 0: "o:" of dataflow/fdstate_later.c, its value
 * non-blocking when one of its sources is) turns bad only when all its
 * ways have (each edge once: still linear). */
static void spread(int n, bool *bad, const int *start, const int *dst, const int *ways) {
    int *work = tl_xmalloc(((size_t)n + 1) * sizeof *work), tail = 0;
    int *left = tl_xmalloc(((size_t)n + 1) * sizeof *left);
    memcpy(left, ways, (size_t)n * sizeof *left);
    for (int i = 0; i < n; i++)
        if (bad[i]) work[tail++] = i;
    for (int h = 0; h < tail; h++)
        for (int e = start[work[h]]; e < start[work[h] + 1]; e++)
            if (!bad[dst[e]] && (left[dst[e]] == 0 || --left[dst[e]] == 0)) {
                bad[dst[e]] = true;
                work[tail++] = dst[e];
            }
    free(left);
    free(work);
}

/* ---- element slots and effect summaries ---- */

/* "KEY[k]" -> k and the length of "KEY"; -1 when key is no element key. */
static long elem_index(const char *key, size_t *baselen) {
    size_t n = strlen(key);
    if (n < 4 || key[n - 1] != ']') return -1;
    size_t i = n - 1;
    while (i > 0 && key[i - 1] >= '0' && key[i - 1] <= '9') i--;
    if (i == n - 1 || i == 0 || key[i - 1] != '[' || n - 1 - i > 9) return -1;
    *baselen = i - 1;
    return strtol(key + i, NULL, 10);
}

/* Argument `i` of a "v0,v1,?" list: false when it is not a constant. */
static bool const_arg(const char *list, long i, long long *v) {
    for (; i > 0 && list; i--) {
        list = strchr(list, ',');
        if (list) list++;
    }
    if (!list || *list == '?' || *list == ',' || !*list) return false;
    char *end;
    *v = strtoll(list, &end, 10);
    return end != list;
}

/* Does condition "B:i=1,j=0" ("*": always) hold for the arguments? */
static bool cond_holds(const char *cond, const char *args) {
    if (!cond || !strcmp(cond, "*")) return true;
    char *end;
    long long mask = strtoll(cond, &end, 10);
    if (end == cond || *end != ':') return false;
    for (const char *p = end + 1; *p;) {
        long i = strtol(p, &end, 10);
        if (end == p || *end != '=' || (end[1] != '0' && end[1] != '1')) return false;
        long long v;
        if (!const_arg(args, i, &v) || ((v & mask) != 0) != (end[1] == '1')) return false;
        p = end + 2;
        if (*p == ',') p++;
    }
    return true;
}

typedef struct {
    int ncalls;       /* calls handing the array to a function with an effect summary */
    int *ks, *cnt, *stamp, nk, capk; /* per element: calls that leave it non-blocking */
    bool is_static;
} elem_base;

typedef struct {
    tl_strmap fx;      /* "USR#P" -> first effect */
    int *fx_next, *fx_k;
    const char **fx_cond;
    int nfx, capfx;
    char **fx_names;
    tl_strmap bases;   /* "KEY" (of "KEY[*]") -> elem_base */
    elem_base *b;
    char **base_names;
    int nb, capb;
} effects;

static void effects_collect(effects *e, tl_tu_summary *const *units, int nunits) {
    memset(e, 0, sizeof *e);
    tl_strmap_init(&e->fx);
    tl_strmap_init(&e->bases);
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            size_t blen;
            long k = strncmp(st->key, "n:", 2) == 0 ? elem_index(st->key, &blen) : -1;
            if (k < 0 || st->kind != TL_SLOT_COPY || !st->src) continue;
            char *name = tl_xmalloc(blen - 1);
            memcpy(name, st->key + 2, blen - 2);
            name[blen - 2] = 0;
            size_t first;
            bool had = tl_strmap_get(&e->fx, name, &first);
            int at = e->nfx;
            e->fx_next = tl_xgrow(e->fx_next, at, &e->capfx, sizeof *e->fx_next);
            e->fx_k = tl_xrealloc(e->fx_k, (size_t)e->capfx * sizeof *e->fx_k);
            e->fx_cond = tl_xrealloc(e->fx_cond, (size_t)e->capfx * sizeof *e->fx_cond);
            e->fx_names = tl_xrealloc(e->fx_names, (size_t)e->capfx * sizeof *e->fx_names);
            e->fx_next[at] = had ? (int)first : -1;
            e->fx_k[at] = (int)k;
            e->fx_cond[at] = st->src;
            e->fx_names[at] = name;
            e->nfx++;
            if (tl_strmap_put(&e->fx, name, (size_t)at) != 0) exit(2);
        }
    /* each call handing an array over: the elements its callee's effects give */
    int call = 0;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            size_t n = strlen(st->key);
            if (st->kind != TL_SLOT_COPY || !st->src || strncmp(st->src, "c:", 2) != 0 || n < 4 ||
                strcmp(st->key + n - 3, "[*]") != 0)
                continue;
            const char *bar = strrchr(st->src, '|');
            if (!bar || bar - st->src > 290) continue;
            char name[300], base[300];
            snprintf(name, sizeof name, "%.*s", (int)(bar - st->src - 2), st->src + 2);
            snprintf(base, sizeof base, "%.*s", (int)(n - 3), st->key);
            size_t bi;
            if (!tl_strmap_get(&e->bases, base, &bi)) {
                e->b = tl_xgrow(e->b, e->nb, &e->capb, sizeof *e->b);
                e->base_names = tl_xrealloc(e->base_names, (size_t)e->capb * sizeof *e->base_names);
                memset(&e->b[e->nb], 0, sizeof e->b[e->nb]);
                e->base_names[e->nb] = tl_xstrdup(base);
                bi = (size_t)e->nb++;
                if (tl_strmap_put(&e->bases, e->base_names[bi], bi) != 0) exit(2);
            }
            elem_base *x = &e->b[bi];
            x->ncalls++;
            x->is_static = st->is_static;
            call++;
            size_t f;
            for (int j = tl_strmap_get(&e->fx, name, &f) ? (int)f : -1; j >= 0; j = e->fx_next[j]) {
                if (!cond_holds(e->fx_cond[j], bar + 1)) continue;
                int at = 0;
                while (at < x->nk && x->ks[at] != e->fx_k[j]) at++;
                if (at == x->nk) {
                    x->ks = tl_xgrow(x->ks, x->nk, &x->capk, sizeof *x->ks);
                    x->cnt = tl_xrealloc(x->cnt, (size_t)x->capk * sizeof *x->cnt);
                    x->stamp = tl_xrealloc(x->stamp, (size_t)x->capk * sizeof *x->stamp);
                    x->ks[at] = e->fx_k[j];
                    x->cnt[at] = 0;
                    x->stamp[at] = -1;
                    x->nk++;
                }
                if (x->stamp[at] != call) { /* once per call */
                    x->stamp[at] = call;
                    x->cnt[at]++;
                }
            }
        }
}

/* Does every call handing base's array over leave element k non-blocking?
 * (true when no call hands it over) */
static bool effects_cover(const effects *e, const char *key, size_t baselen, long k, bool *handed) {
    char base[300];
    size_t bi;
    *handed = false;
    if (baselen >= sizeof base) return false;
    memcpy(base, key, baselen);
    base[baselen] = 0;
    if (!tl_strmap_get(&e->bases, base, &bi)) return true;
    const elem_base *x = &e->b[bi];
    *handed = true;
    for (int j = 0; j < x->nk; j++)
        if (x->ks[j] == k) return x->cnt[j] == x->ncalls;
    return false;
}

static void effects_free(effects *e) {
    for (int i = 0; i < e->nfx; i++) free(e->fx_names[i]);
    for (int i = 0; i < e->nb; i++) {
        free(e->base_names[i]);
        free(e->b[i].ks);
        free(e->b[i].cnt);
        free(e->b[i].stamp);
    }
    free(e->fx_next);
    free(e->fx_k);
    free(e->fx_cond);
    free(e->fx_names);
    free(e->b);
    free(e->base_names);
    tl_strmap_free(&e->fx);
    tl_strmap_free(&e->bases);
}

/* "m:F#k" and "k:F#k" (dataflow/fdstate_later.c), read from the summaries
 * of every definition of F in the program (several executables may define
 * F): "m" holds when each leaves parameter k non-blocking; "k" (F keeps k's
 * mode) when each leaves it non-blocking, or has no mode-changing call on it
 * (params_moded) and hands it, unchanged, only to program functions that
 * keep it too ("k:G#j": a copy edge, added here - so "k" is the greatest
 * solution over the call graph, recursion included) or to functions outside
 * the program (a library's, unmodelled: taken to keep it, as any call is
 * before the link); handed through a pointer, not known.  A worklist over
 * the keys: each function's parameters once, each call once per key. */
static void param_facts_of(tl_fd_slots *s, int i, const tl_func_summary *fs, edge_list *el, int **work,
                           int *nwork, int *capwork) {
    const char *key = s->v[i].key;
    char kind = key[0];
    int k = atoi(strrchr(key, '#') + 1);
    if (k < 0 || k >= 32 || k >= fs->nparams) {
        s->v[i].other = true;
        return;
    }
    if ((fs->params_nonblocking >> k) & 1u) return;
    if (kind != 'k' || ((fs->params_moded >> k) & 1u)) {
        s->v[i].other = true;
        return;
    }
    for (int c = 0; c < fs->ncalls; c++) {
        const tl_sum_call *call = &fs->calls[c];
        if (call->modelled) continue; /* (a library's mode changes are in params_moded) */
        for (int a = 0; a < call->nargs && a < 32; a++) {
            if (call->args[a].param != k) continue;
            if (call->target.kind != TL_REF_FUNC || !call->target.usr || strlen(call->target.usr) > 250) {
                s->v[i].other = true; /* through a pointer: nobody knows */
                return;
            }
            char q[300];
            snprintf(q, sizeof q, "k:%s#%d", call->target.usr, a);
            size_t at;
            if (!tl_strmap_get(&s->index, q, &at)) {
                s->owned = tl_xgrow(s->owned, s->nowned, &s->capowned, sizeof *s->owned);
                s->owned[s->nowned] = tl_xstrdup(q);
                at = (size_t)slot_of(s, s->owned[s->nowned++], true);
                *work = tl_xgrow(*work, *nwork, capwork, sizeof **work);
                (*work)[(*nwork)++] = (int)at;
            }
            el->src = tl_xgrow(el->src, el->n, &el->cap, sizeof *el->src);
            el->dst = tl_xrealloc(el->dst, (size_t)el->cap * sizeof *el->dst);
            el->src[el->n] = (int)at;
            el->dst[el->n++] = i;
        }
    }
}

static void resolve_param_facts(tl_fd_slots *s, tl_tu_summary *const *units, int nunits, edge_list *el) {
    /* the program's definitions by USR (duplicates chained) */
    int total = 0;
    for (int u = 0; u < nunits; u++) total += units[u]->nfuncs;
    const tl_func_summary **defs = tl_xmalloc(((size_t)total + 1) * sizeof *defs);
    int *next = tl_xmalloc(((size_t)total + 1) * sizeof *next), n = 0;
    tl_str_map by_usr;
    tl_str_map_init(&by_usr);
    for (int u = 0; u < nunits; u++)
        for (int f = 0; f < units[u]->nfuncs; f++) {
            const tl_func_summary *fs = &units[u]->funcs[f];
            if (!fs->usr) continue;
            defs[n] = fs;
            next[n] = tl_str_map_get(&by_usr, fs->usr);
            tl_str_map_set(&by_usr, fs->usr, n);
            n++;
        }
    int *work = NULL, nwork = 0, capwork = 0;
    for (int i = 0; i < s->n; i++)
        if (!strncmp(s->v[i].key, "m:", 2) || !strncmp(s->v[i].key, "k:", 2)) {
            work = tl_xgrow(work, nwork, &capwork, sizeof *work);
            work[nwork++] = i;
        }
    for (int w = 0; w < nwork; w++) {
        int i = work[w];
        const char *key = s->v[i].key, *hash = strrchr(key, '#');
        if (!hash || hash - key > 290) continue;
        char usr[300];
        snprintf(usr, sizeof usr, "%.*s", (int)(hash - key - 2), key + 2);
        int d = tl_str_map_get(&by_usr, usr);
        s->v[i].stored = true;
        s->v[i].is_static = true; /* (F's own definitions decide) */
        if (d < 0) { /* not in the program: a library's, unmodelled */
            if (key[0] == 'm') s->v[i].stored = false; /* (nobody says it sets the flag) */
            continue;
        }
        for (; d >= 0; d = next[d]) param_facts_of(s, i, defs[d], el, &work, &nwork, &capwork);
    }
    free(work);
    tl_str_map_free(&by_usr);
    free(defs);
    free(next);
}

static bool is_effect_store(const tl_slot_store *st) {
    return strncmp(st->key, "n:", 2) == 0 || (st->kind == TL_SLOT_COPY && st->src && strncmp(st->src, "c:", 2) == 0) ||
           tl_fd_settle_is_site(st); /* (read by fd_settle.c) */
}

tl_fd_slots *tl_fd_slots_link(tl_tu_summary *const *units, int nunits) {
    tl_fd_slots *s = tl_xcalloc(1, sizeof *s);
    tl_strmap_init(&s->index);
    effects fx;
    effects_collect(&fx, units, nunits);
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            if (is_effect_store(st)) continue;
            int at = slot_of(s, st->key, st->is_static); /* (may move s->v) */
            slot *x = &s->v[at];
            x->stored = true;
            x->is_static = st->is_static; /* (a slot first seen as a copy's source) */
            if (st->kind == TL_SLOT_OTHER) x->other = true;
            if (st->kind == TL_SLOT_COPY) slot_of(s, st->src, false); /* a source nothing stores into stays unknown */
        }
    edge_list param_edges = {0};
    tl_fd_settle_resolve(s, units, nunits, &param_edges); /* (its "m:" nodes: resolved next) */
    resolve_param_facts(s, units, nunits, &param_edges);
    /* the elements every call handing the array over leaves non-blocking are
       stored by those calls; an element another call may leave otherwise is not known */
    for (int bi = 0; bi < fx.nb; bi++)
        for (int j = 0; j < fx.b[bi].nk; j++) {
            if (fx.b[bi].cnt[j] != fx.b[bi].ncalls) continue;
            char key[320];
            snprintf(key, sizeof key, "%s[%d]", fx.base_names[bi], fx.b[bi].ks[j]);
            s->owned = tl_xgrow(s->owned, s->nowned, &s->capowned, sizeof *s->owned);
            s->owned[s->nowned] = tl_xstrdup(key);
            int at = slot_of(s, s->owned[s->nowned++], fx.b[bi].is_static);
            s->v[at].stored = true;
        }
    /* copy edges, then as CSR by source; an element "KEY[k]" also copies
       "KEY[*]" (the writes that may reach any element) when that is stored */
    int ncopies = 0, capcopies = 0, *srcs = NULL, *dsts = NULL;
    for (int e = 0; e < param_edges.n; e++) { /* k:G#j -> k:F#k */
        srcs = tl_xgrow(srcs, ncopies, &capcopies, sizeof *srcs);
        dsts = tl_xrealloc(dsts, (size_t)capcopies * sizeof *dsts);
        srcs[ncopies] = param_edges.src[e];
        dsts[ncopies++] = param_edges.dst[e];
    }
    free(param_edges.src);
    free(param_edges.dst);
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            if (st->kind != TL_SLOT_COPY || is_effect_store(st)) continue;
            size_t a, b;
            tl_strmap_get(&s->index, st->src, &a);
            tl_strmap_get(&s->index, st->key, &b);
            srcs = tl_xgrow(srcs, ncopies, &capcopies, sizeof *srcs);
            dsts = tl_xrealloc(dsts, (size_t)capcopies * sizeof *dsts);
            srcs[ncopies] = (int)a;
            dsts[ncopies++] = (int)b;
        }
    int n0 = s->n;
    for (int i = 0; i < n0; i++) {
        size_t blen, at;
        long k = elem_index(s->v[i].key, &blen);
        if (k < 0) continue;
        bool handed;
        if (!effects_cover(&fx, s->v[i].key, blen, k, &handed)) s->v[i].other = true;
        char all[320]; /* "KEY[*]", per element slot: no snprintf (most of the link's time) */
        if (blen > 300) continue;
        memcpy(all, s->v[i].key, blen);
        memcpy(all + blen, "[*]", 4);
        if (tl_strmap_get(&s->index, all, &at) && s->v[at].stored) {
            srcs = tl_xgrow(srcs, ncopies, &capcopies, sizeof *srcs);
            dsts = tl_xrealloc(dsts, (size_t)capcopies * sizeof *dsts);
            srcs[ncopies] = (int)at;
            dsts[ncopies++] = i;
        }
    }
    effects_free(&fx);
    /* a function stored only into fields of the program's structs (p:F#=FIELD,
       no p:F#*): its parameter N takes what every call through those fields
       passes (q:FIELD#N, spoilt by the field read as a value: q:FIELD#*) */
    tl_strmap into;
    tl_strmap_init(&into);
    int nfl = 0, capfl = 0, *fl_next = NULL;
    const char **fl_field = NULL;
    char **fl_fn = NULL; /* the map's keys (borrowed by it) */
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const char *key = units[u]->fd_stores[i].key, *eq = strstr(key, "#=");
            if (strncmp(key, "p:", 2) != 0 || !eq || eq - key > 280) continue;
            char fn[300];
            snprintf(fn, sizeof fn, "%.*s", (int)(eq - key), key);
            size_t first;
            bool had = tl_strmap_get(&into, fn, &first);
            fl_next = tl_xgrow(fl_next, nfl, &capfl, sizeof *fl_next);
            fl_field = tl_xrealloc(fl_field, (size_t)capfl * sizeof *fl_field);
            fl_fn = tl_xrealloc(fl_fn, (size_t)capfl * sizeof *fl_fn);
            fl_next[nfl] = had ? (int)first : -1;
            fl_field[nfl] = eq + 2;
            fl_fn[nfl] = tl_xstrdup(fn);
            if (tl_strmap_put(&into, fl_fn[nfl], (size_t)nfl) != 0) exit(2);
            nfl++;
        }
    int n1 = s->n;
    for (int i = 0; nfl && i < n1; i++) {
        const char *key = s->v[i].key, *hash = strrchr(key, '#');
        if (strncmp(key, "p:", 2) != 0 || !hash || hash[1] < '0' || hash[1] > '9' || hash - key > 280) continue;
        char fn[300];
        size_t first;
        snprintf(fn, sizeof fn, "%.*s", (int)(hash - key), key);
        if (!tl_strmap_get(&into, fn, &first)) continue;
        for (int j = (int)first; j >= 0; j = fl_next[j]) {
            char q[320];
            snprintf(q, sizeof q, "q:%.280s%s", fl_field[j], hash);
            size_t at;
            int src;
            if (tl_strmap_get(&s->index, q, &at)) {
                src = (int)at;
            } else {
                s->owned = tl_xgrow(s->owned, s->nowned, &s->capowned, sizeof *s->owned);
                s->owned[s->nowned] = tl_xstrdup(q);
                src = slot_of(s, s->owned[s->nowned++], false); /* no call passes it: not known */
            }
            srcs = tl_xgrow(srcs, ncopies, &capcopies, sizeof *srcs);
            dsts = tl_xrealloc(dsts, (size_t)capcopies * sizeof *dsts);
            srcs[ncopies] = src;
            dsts[ncopies++] = i;
            s->v[i].stored = true; /* (its stores: the calls through the field, a copy each) */
        }
    }
    tl_strmap_free(&into);
    for (int j = 0; j < nfl; j++) free(fl_fn[j]);
    free(fl_fn);
    free(fl_next);
    free(fl_field);
    int n = s->n, k = ncopies;
    int *start = tl_xcalloc((size_t)n + 2, sizeof *start), *dst = tl_xmalloc(((size_t)ncopies + 1) * sizeof *dst);
    for (int e = 0; e < k; e++) start[srcs[e] + 1]++;
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    int *fill = tl_xmalloc(((size_t)n + 1) * sizeof *fill);
    memcpy(fill, start, (size_t)n * sizeof *fill);
    for (int e = 0; e < k; e++) dst[fill[srcs[e]]++] = dsts[e];
    bool *bad = tl_xmalloc((size_t)n + 1), *escaped = tl_xcalloc((size_t)n + 1, 1);
    int *ways = tl_xcalloc((size_t)n + 1, sizeof *ways); /* an either node's incoming edges */
    for (int e = 0; e < k; e++)
        if (!strncmp(s->v[dsts[e]].key, "o:", 2)) ways[dsts[e]]++;
    /* "d:F" -> the parameters m (0..30) with a "d:F#@m" slot: F registered
       with its data at parameter m (one pass, not 31 probes per slot) */
    tl_str_map at_params; /* (an int holds the 31 bits) */
    tl_str_map_init(&at_params);
    for (int i = 0; i < n; i++) {
        const char *key = s->v[i].key, *hash = strrchr(key, '#');
        if (strncmp(key, "d:", 2) != 0 || !hash || hash[1] != '@' || hash[2] < '0' || hash[2] > '9' ||
            (size_t)(hash - key) > 280)
            continue;
        char *end;
        long m = strtol(hash + 2, &end, 10);
        if (*end || m > 30) continue;
        char base[300];
        memcpy(base, key, (size_t)(hash - key));
        base[hash - key] = 0;
        int mask = tl_str_map_get(&at_params, base);
        tl_str_map_set(&at_params, base, (mask < 0 ? 0 : mask) | (1 << m));
    }
    for (int i = 0; i < n; i++) { /* "p:F#N" of a function whose address is taken ("p:F#*") */
        const char *key = s->v[i].key, *hash = strrchr(key, '#');
        size_t at;
        char star[300];
        if ((strncmp(key, "p:", 2) != 0 && strncmp(key, "q:", 2) != 0 && strncmp(key, "d:", 2) != 0) || !hash ||
            !strcmp(hash, "#*") || (size_t)(hash - key) > 280)
            continue;
        memcpy(star, key, (size_t)(hash - key)); /* "KEY#*" (q:FIELD#*: the field read as a value) */
        memcpy(star + (hash - key), "#*", 3);
        if (tl_strmap_get(&s->index, star, &at)) escaped[i] = true;
        if (key[0] == 'd' && hash[1] >= '0' && hash[1] <= '9') { /* registered with its data at another parameter */
            star[hash - key] = 0;
            int mask = tl_str_map_get(&at_params, star), own = atoi(hash + 1);
            if (mask > 0 && own >= 0 && own <= 30) mask &= ~(1 << own);
            if (mask > 0) escaped[i] = true;
        }
    }
    tl_str_map_free(&at_params);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++)
            bad[i] = !s->v[i].stored || s->v[i].other || escaped[i] || (pass == 1 && !s->v[i].is_static);
        spread(n, bad, start, dst, ways);
        for (int i = 0; i < n; i++) {
            if (pass == 0) s->v[i].nb_whole = !bad[i];
            else s->v[i].nb_part = !bad[i];
        }
    }
    free(bad);
    free(ways);
    free(escaped);
    free(fill);
    free(srcs);
    free(dsts);
    free(start);
    free(dst);
    return s;
}

bool tl_fd_slots_nonblocking(const tl_fd_slots *s, const char *key, bool whole) {
    size_t i, blen;
    if (!s || !key) return false;
    if (tl_strmap_get(&s->index, key, &i) && (whole ? s->v[i].nb_whole : s->v[i].nb_part)) return true;
    if (elem_index(key, &blen) < 0 || blen >= 300) return false;
    char base[300]; /* an element: what every element holds does too */
    memcpy(base, key, blen);
    base[blen] = 0;
    return tl_strmap_get(&s->index, base, &i) && (whole ? s->v[i].nb_whole : s->v[i].nb_part);
}

bool tl_fd_slots_has(const tl_fd_slots *s, const char *key) {
    size_t i;
    return s && key && tl_strmap_get(&s->index, key, &i);
}

void tl_fd_slots_free(tl_fd_slots *s) {
    if (!s) return;
    for (int i = 0; i < s->nowned; i++) free(s->owned[i]);
    free(s->owned);
    free(s->v);
    tl_strmap_free(&s->index);
    free(s);
}
