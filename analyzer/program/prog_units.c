/* prog_units.c - the executables of one run (see program.h, docs/design.md
 * "Several executables in one compile database").
 *
 * A compile database often builds several programs: a library, its tests,
 * examples and benchmarks, each test file with its own main.  The link joins
 * every TU, so an external function defined by two executables (a test
 * helper and an example helper of the same name) would be one function, and
 * a global of one test program would take the stores of another.  Here,
 * without parsing anything again:
 *   - roots: the TUs that define an external main;
 *   - each unit references the units that define, alone, an external
 *     function it calls, registers or takes the address of (a CSR of sorted
 *     unit pairs: n log n);
 *   - a unit's program: a root is its own; a unit that references the
 *     unique symbols of a root, directly or through other member units, is
 *     that root's; one that reaches two roots is shared (a lattice
 *     none < root < shared, a worklist over the reverse references: each
 *     unit changes at most twice, linear);
 *   - a reference from a unit to an external function several files define
 *     resolves to its own definition, else to its program's, else to those
 *     of the units it (or its root) references directly, else to those of
 *     shared units; still ambiguous, the call goes to every definition (a
 *     conservative union) and a query means the first one (in the link's
 *     canonical order of units, program.c: not the caller's order);
 *   - a global descriptor slot ("g:USR") stored by units of two programs or
 *     more gets one copy per program ("g:USR@ROOT"), holding the stores of
 *     that program's units and of the shared ones; the slot itself keeps
 *     every store and answers the units of no known program.
 */
#include "program_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

#define PG_MAX_DEFS 16        /* definitions one reference may resolve to */
#define PG_MAX_SLOT_PROGRAMS 64 /* programs a global slot is copied for */

typedef struct {
    int a, b;
} pair;

static int cmp_pair(const void *x, const void *y) {
    const pair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

typedef struct {
    pair *v;
    int n, cap;
} pairs;

static void pairs_push(pairs *ps, int a, int b) {
    ps->v = tl_xgrow(ps->v, ps->n, &ps->cap, sizeof *ps->v);
    ps->v[ps->n++] = (pair){a, b};
}

/* Sort, drop repeats, and index by the first member: start[a]..start[a+1]. */
static int *pairs_csr(pairs *ps, int n, int **to) {
    if (ps->n) qsort(ps->v, (size_t)ps->n, sizeof *ps->v, cmp_pair);
    int m = 0;
    for (int i = 0; i < ps->n; i++)
        if (!m || ps->v[i].a != ps->v[m - 1].a || ps->v[i].b != ps->v[m - 1].b) ps->v[m++] = ps->v[i];
    ps->n = m;
    int *start = tl_xcalloc((size_t)n + 2, sizeof *start);
    *to = tl_xmalloc(((size_t)m + 1) * sizeof **to);
    for (int i = 0; i < m; i++) {
        start[ps->v[i].a + 1]++;
        (*to)[i] = ps->v[i].b;
    }
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    return start;
}

/* A reference from unit u to function usr: to the unit that alone defines it. */
static void add_ref(const tl_program *p, pairs *refs, int u, const char *usr) {
    int head = map_get(&p->by_usr, usr);
    if (head < 0) return;
    const pnode *n = &p->nodes[head];
    if (n->dup_next >= 0 || n->s->is_static || n->s->in_header || n->unit == u) return;
    pairs_push(refs, u, n->unit);
}

static void collect_refs(const tl_program *p, tl_tu_summary *const *units, int nunits, pairs *refs) {
    for (int u = 0; u < nunits; u++) {
        for (int f = 0; f < units[u]->nfuncs; f++) {
            const tl_func_summary *fs = &units[u]->funcs[f];
            for (int i = 0; i < fs->ncalls; i++) {
                const tl_sum_call *c = &fs->calls[i];
                if (c->target.kind == TL_REF_FUNC) add_ref(p, refs, u, c->target.usr);
                for (int k = 0; k < c->nargs; k++)
                    if (c->args[k].fn_usr) add_ref(p, refs, u, c->args[k].fn_usr);
            }
            for (int i = 0; i < fs->nregs; i++)
                if (fs->regs[i].target.kind == TL_REF_FUNC) add_ref(p, refs, u, fs->regs[i].target.usr);
        }
        for (int i = 0; i < units[u]->nstores; i++) add_ref(p, refs, u, units[u]->stores[i].fn_usr);
    }
}

static int merge_label(int a, int b) {
    if (b == PG_NONE || a == b) return a;
    if (a == PG_NONE) return b;
    return PG_SHARED;
}

/* Labels flow from a unit to the units that reference it. */
static void label_units(tl_program *p, const pairs *refs) {
    int nroots = 0;
    for (int u = 0; u < p->nunits; u++) p->unit_label[u] = PG_NONE;
    for (int n = 0; n < p->nnodes; n++) {
        const tl_func_summary *s = p->nodes[n].s;
        if (!s->is_static && !s->in_header && s->name && !strcmp(s->name, "main") &&
            p->unit_label[p->nodes[n].unit] == PG_NONE) {
            p->unit_label[p->nodes[n].unit] = p->nodes[n].unit;
            nroots++;
        }
    }
    if (nroots < 2) return; /* one program (or none known): nothing to tell apart */
    pairs rev = {0};
    for (int i = 0; i < refs->n; i++) pairs_push(&rev, refs->v[i].b, refs->v[i].a);
    int *to, *start = pairs_csr(&rev, p->nunits, &to);
    int *work = tl_xmalloc(((size_t)p->nunits * 2 + 1) * sizeof *work), nwork = 0;
    for (int u = 0; u < p->nunits; u++)
        if (p->unit_label[u] == u) work[nwork++] = u;
    for (int w = 0; w < nwork; w++) {
        int d = work[w];
        for (int j = start[d]; j < start[d + 1]; j++) {
            int u = to[j];
            if (p->unit_label[u] == u) continue; /* a root is its own program */
            int l = merge_label(p->unit_label[u], p->unit_label[d]);
            if (l == p->unit_label[u]) continue;
            p->unit_label[u] = l;
            work[nwork++] = u; /* at most twice each: none -> root -> shared */
        }
    }
    free(work);
    free(start);
    free(to);
    free(rev.v);
}

/* ---- per-program copies of global descriptor slots ---- */

static size_t slot_base_len(const char *key) {
    const char *br = strchr(key, '[');
    return br ? (size_t)(br - key) : strlen(key);
}

static char *variant_key(const char *key, int label) {
    size_t bl = slot_base_len(key);
    return tl_xasprintf("%.*s@%d%s", (int)bl, key, label, key + bl);
}

static void add_variant(tl_tu_summary *x, int *cap, const tl_slot_store *st, int label) {
    x->fd_stores = tl_xgrow(x->fd_stores, x->nfd_stores, cap, sizeof *x->fd_stores);
    tl_slot_store *v = &x->fd_stores[x->nfd_stores++];
    v->key = variant_key(st->key, label);
    v->src = st->src ? tl_xstrdup(st->src) : NULL;
    v->kind = st->kind;
    v->is_static = st->is_static;
}

static void fd_variants(tl_program *p, tl_tu_summary *const *units, int nunits) {
    tl_strmap bases;
    tl_strmap_init(&bases);
    char **names = NULL;
    int nnames = 0, capnames = 0;
    pairs labels = {0}; /* (base, program) of the stores of units of one program */
    for (int u = 0; u < nunits; u++)
        for (int i = 0; p->unit_label[u] >= 0 && i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            if (strncmp(st->key, "g:", 2) != 0) continue;
            char *base = tl_xasprintf("%.*s", (int)slot_base_len(st->key), st->key);
            size_t b;
            if (tl_strmap_get(&bases, base, &b)) {
                free(base);
            } else {
                names = tl_xgrow(names, nnames, &capnames, sizeof *names);
                names[nnames] = base;
                if (tl_strmap_put(&bases, base, (size_t)nnames) != 0) exit(2);
                b = (size_t)nnames++;
            }
            pairs_push(&labels, (int)b, p->unit_label[u]);
        }
    int *lto, *lstart = pairs_csr(&labels, nnames, &lto);
    int cap = 0;
    tl_tu_summary *x = &p->fd_extra;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            if (strncmp(st->key, "g:", 2) != 0) continue;
            char *base = tl_xasprintf("%.*s", (int)slot_base_len(st->key), st->key);
            size_t b;
            bool known = tl_strmap_get(&bases, base, &b);
            free(base);
            if (!known) continue;
            int nl = lstart[b + 1] - lstart[b];
            if (nl < 2 || nl > PG_MAX_SLOT_PROGRAMS) continue; /* one program, or too many: the slot as it is */
            if (p->unit_label[u] >= 0) add_variant(x, &cap, st, p->unit_label[u]);
            else /* a shared unit's store counts in every program */
                for (int j = lstart[b]; j < lstart[b + 1]; j++) add_variant(x, &cap, st, lto[j]);
        }
    free(lstart);
    free(lto);
    free(labels.v);
    for (int i = 0; i < nnames; i++) free(names[i]);
    free(names);
    tl_strmap_free(&bases);
}

static char *def_key(int owner, const char *usr) {
    return tl_xasprintf("%d\x1f%s", owner, usr);
}

static void put_def(tl_program *p, tl_strmap *m, int owner, const char *usr, int node, bool *had) {
    char *key = def_key(owner, usr);
    size_t first;
    *had = tl_strmap_get(m, key, &first);
    if (*had) {
        free(key);
        return;
    }
    p->def_keys = tl_xgrow(p->def_keys, p->ndef_keys, &p->capdef_keys, sizeof *p->def_keys);
    p->def_keys[p->ndef_keys++] = key;
    if (tl_strmap_put(m, key, (size_t)node) != 0) exit(2);
}

static int get_def(const tl_strmap *m, int owner, const char *usr) {
    char *key = def_key(owner, usr);
    size_t v;
    bool ok = tl_strmap_get(m, key, &v);
    free(key);
    return ok ? (int)v : -1;
}

/* Index the chains of definitions by unit and by program, so that a
 * reference finds its program's definition without walking the chain:
 * one pass over the chains, linear. */
static void index_chains(tl_program *p) {
    tl_strmap_init(&p->def_by_unit);
    tl_strmap_init(&p->def_by_label);
    size_t nn = (size_t)p->nnodes + 1;
    p->lab_next = tl_xmalloc(nn * sizeof *p->lab_next);
    p->shared_next = tl_xmalloc(nn * sizeof *p->shared_next);
    p->shared_first = tl_xmalloc(nn * sizeof *p->shared_first);
    p->chain_len = tl_xcalloc(nn, sizeof *p->chain_len);
    int *lab_last = tl_xmalloc(((size_t)p->nunits + 1) * sizeof *lab_last); /* by program (a unit) */
    for (int n = 0; n < p->nnodes; n++) p->lab_next[n] = p->shared_next[n] = p->shared_first[n] = -1;
    for (int h = 0; h < p->nnodes; h++) {
        if (p->nodes[h].dup_next < 0 || map_get(&p->by_usr, p->nodes[h].s->usr) != h) continue;
        const char *usr = p->nodes[h].s->usr;
        int shared_last = -1;
        for (int d = h; d >= 0; d = p->nodes[d].dup_next) {
            int du = p->nodes[d].unit, dl = p->unit_label[du];
            bool had;
            p->chain_len[h]++;
            put_def(p, &p->def_by_unit, du, usr, d, &had);
            if (dl >= 0) {
                put_def(p, &p->def_by_label, dl, usr, d, &had);
                if (had) p->lab_next[lab_last[dl]] = d; /* (lab_last[dl] is this chain's: set below) */
                lab_last[dl] = d;
            } else {
                if (shared_last < 0) p->shared_first[h] = d;
                else p->shared_next[shared_last] = d;
                shared_last = d;
            }
        }
    }
    free(lab_last);
}

void pg_units_link(tl_program *p, tl_tu_summary *const *units, int nunits) {
    p->nunits = nunits;
    p->cur_unit = -1;
    p->unit_label = tl_xcalloc((size_t)nunits + 1, sizeof *p->unit_label);
    tl_strmap_init(&p->unit_by_file);
    for (int u = 0; u < nunits; u++) {
        size_t had;
        const char *f = units[u]->main_file;
        if (f && *f && !tl_strmap_get(&p->unit_by_file, f, &had) && tl_strmap_put(&p->unit_by_file, f, (size_t)u) != 0)
            exit(2);
    }
    pairs refs = {0};
    collect_refs(p, units, nunits, &refs);
    label_units(p, &refs);
    p->ref_start = pairs_csr(&refs, nunits, &p->ref_to);
    free(refs.v);
    index_chains(p);
    fd_variants(p, units, nunits);
}

void pg_units_free(tl_program *p) {
    free(p->unit_label);
    free(p->ref_start);
    free(p->ref_to);
    tl_strmap_free(&p->unit_by_file);
    for (int i = 0; i < p->fd_extra.nfd_stores; i++) {
        free(p->fd_extra.fd_stores[i].key);
        free(p->fd_extra.fd_stores[i].src);
    }
    free(p->fd_extra.fd_stores);
    tl_strmap_free(&p->def_by_unit);
    tl_strmap_free(&p->def_by_label);
    for (int i = 0; i < p->ndef_keys; i++) free(p->def_keys[i]);
    free(p->def_keys);
    free(p->lab_next);
    free(p->shared_next);
    free(p->shared_first);
    free(p->chain_len);
}

void tl_program_set_unit(tl_program *p, const char *main_file) {
    size_t u;
    if (p) p->cur_unit = main_file && tl_strmap_get(&p->unit_by_file, main_file, &u) ? (int)u : -1;
}

/* ---- handle slots per program ---- */

void pg_slot_release(tl_program *p, hslot *h, int unit) {
    h->released = true;
    int label = unit >= 0 && unit < p->nunits ? p->unit_label[unit] : PG_NONE;
    if (label < 0 || h->released_shared) {
        h->released_shared = true;
        return;
    }
    for (int i = 0; i < h->nrel; i++)
        if (h->rel_programs[i] == label) return;
    if (h->nrel >= PG_MAX_SLOT_PROGRAMS) { /* too many to tell apart: released for all */
        h->released_shared = true;
        return;
    }
    h->rel_programs = tl_xgrow(h->rel_programs, h->nrel, &h->caprel, sizeof *h->rel_programs);
    h->rel_programs[h->nrel++] = label;
}

bool pg_slot_released(const tl_program *p, const hslot *h, int unit) {
    if (!h->released) return false;
    int label = unit >= 0 && unit < p->nunits ? p->unit_label[unit] : PG_NONE;
    if (label < 0 || h->released_shared) return true;
    for (int i = 0; i < h->nrel; i++)
        if (h->rel_programs[i] == label) return true;
    return false;
}

/* ---- resolution ---- */

static bool references(const tl_program *p, int from, int unit) {
    if (from < 0 || from >= p->nunits) return false;
    int lo = p->ref_start[from], hi = p->ref_start[from + 1];
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (p->ref_to[mid] == unit) return true;
        if (p->ref_to[mid] < unit) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

/* Step 3: the definitions in the units `from` references, by whichever is
 * shorter: the chain (a binary search each) or from's references (a hash
 * lookup each). */
static int referenced_defs(const tl_program *p, int head, int from, const char *usr, int *out, int n, int max) {
    if (from < 0 || from >= p->nunits) return n;
    int deg = p->ref_start[from + 1] - p->ref_start[from];
    if (p->chain_len[head] <= deg) {
        for (int d = head; d >= 0 && n < max; d = p->nodes[d].dup_next)
            if (references(p, from, p->nodes[d].unit)) out[n++] = d;
        return n;
    }
    for (int j = p->ref_start[from]; j < p->ref_start[from + 1] && n < max; j++) {
        int d = get_def(&p->def_by_unit, p->ref_to[j], usr);
        if (d >= 0) out[n++] = d;
    }
    return n;
}

int pg_resolve(const tl_program *p, int unit, const char *usr, int *out, int max) {
    int head = map_get(&p->by_usr, usr);
    if (head < 0 || max < 1) return 0;
    if (p->nodes[head].dup_next < 0 || unit < 0 || unit >= p->nunits) {
        out[0] = head;
        return 1;
    }
    int label = p->unit_label[unit], n = 0;
    /* 1. its own definition */
    int own = get_def(&p->def_by_unit, unit, usr);
    if (own >= 0) {
        out[0] = own;
        return 1;
    }
    /* 2. its program's */
    for (int d = label >= 0 ? get_def(&p->def_by_label, label, usr) : -1; d >= 0 && n < max; d = p->lab_next[d])
        out[n++] = d;
    if (n) return n;
    /* 3. those of the units it, or its root, references */
    n = referenced_defs(p, head, unit, usr, out, 0, max);
    if (!n && label >= 0 && label != unit) n = referenced_defs(p, head, label, usr, out, 0, max);
    if (n) return n;
    /* 4. from a known program: those of shared and unknown units */
    for (int d = label >= 0 ? p->shared_first[head] : -1; d >= 0 && n < max; d = p->shared_next[d]) out[n++] = d;
    if (n) return n;
    /* still ambiguous: every definition (the first one for a query) */
    for (int d = head; d >= 0 && n < max; d = p->nodes[d].dup_next) out[n++] = d;
    return n;
}

int pg_fn(const tl_program *p, int unit, const char *usr) {
    int out[PG_MAX_DEFS];
    return pg_resolve(p, unit, usr, out, PG_MAX_DEFS) > 0 ? out[0] : -1;
}

bool pg_fd_nonblocking(const tl_program *p, int unit, const char *key) {
    if (!key) return false;
    if (p->fd_extra.nfd_stores && unit >= 0 && unit < p->nunits && p->unit_label[unit] >= 0 &&
        !strncmp(key, "g:", 2)) {
        char *v = variant_key(key, p->unit_label[unit]);
        size_t bl = slot_base_len(v);
        char *vb = tl_xasprintf("%.*s", (int)bl, v);
        bool has = tl_fd_slots_has(p->fd_slots, v) || tl_fd_slots_has(p->fd_slots, vb);
        bool nb = has && tl_fd_slots_nonblocking(p->fd_slots, v, p->whole);
        free(v);
        free(vb);
        if (has) return nb;
    }
    return tl_fd_slots_nonblocking(p->fd_slots, key, p->whole);
}
