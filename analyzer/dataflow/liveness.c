/* liveness.c - per-block live-in variables, one variable at a time
 * (see liveness.h). */
#include "liveness.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

/* A growable list of (variable, block) pairs. */
typedef struct {
    int *var, *block;
    size_t n, cap;
} pair_list;

static void pairs_add(pair_list *p, int v, int b) {
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->var = tl_xrealloc(p->var, p->cap * sizeof *p->var);
        p->block = tl_xrealloc(p->block, p->cap * sizeof *p->block);
    }
    p->var[p->n] = v;
    p->block[p->n] = b;
    p->n++;
}

static void pairs_free(pair_list *p) {
    free(p->var);
    free(p->block);
    memset(p, 0, sizeof *p);
}

/* Group the pairs by `key` (var or block), keeping their order within a
 * group: start[k] .. start[k+1] index into the returned array of the other
 * member.  (counting sort) */
static int *group_by(const pair_list *p, const int *key, const int *other, int nkeys, int **start_out) {
    int *start = tl_xcalloc((size_t)nkeys + 1, sizeof *start);
    for (size_t i = 0; i < p->n; i++) start[key[i] + 1]++;
    for (int k = 0; k < nkeys; k++) start[k + 1] += start[k];
    int *fill = tl_xmalloc(((size_t)nkeys + 1) * sizeof *fill);
    memcpy(fill, start, ((size_t)nkeys + 1) * sizeof *fill);
    int *out = tl_xmalloc((p->n ? p->n : 1) * sizeof *out);
    for (size_t i = 0; i < p->n; i++) out[fill[key[i]]++] = other[i];
    free(fill);
    *start_out = start;
    return out;
}

typedef struct {
    const bool *tracked;
    int block;
    int *def_stamp;  /* per var: block + 1 once defined in `block` */
    int *use_stamp;  /* per var: block + 1 once an upward-exposed read was recorded */
    pair_list *uses; /* upward-exposed reads (var, block) */
} scan_ctx;

static void note_reads(scan_ctx *c, const tl_expr *e) {
    if (!e) return;
    if (e->kind == TL_E_VAR && e->var >= 0 && c->tracked[e->var] && c->def_stamp[e->var] != c->block + 1 &&
        c->use_stamp[e->var] != c->block + 1) {
        c->use_stamp[e->var] = c->block + 1;
        pairs_add(c->uses, e->var, c->block);
    }
    for (int i = 0; i < e->nkids; i++) note_reads(c, e->kids[i]);
}

typedef struct {
    const tl_func *f;
    const int *use_start, *use_blocks; /* per var: blocks with an upward-exposed read */
    const int *def_start, *def_blocks; /* per var: blocks defining it */
    int *mark;                         /* per block: serial once live-in */
    int *defines;                      /* per block: serial when it defines the var */
    int *work;
    int serial;
} walk_ctx;

/* The blocks where v is live on entry: counted into count[b] (when count is
 * set) or appended to vars at fill[b] (when fill is set).  Returns how many. */
static long walk_var(walk_ctx *w, int v, int *count, int *fill, int *vars) {
    if (w->use_start[v] == w->use_start[v + 1]) return 0;
    int serial = ++w->serial;
    for (int k = w->def_start[v]; k < w->def_start[v + 1]; k++) w->defines[w->def_blocks[k]] = serial;
    int nw = 0;
    long n = 0;
    for (int k = w->use_start[v]; k < w->use_start[v + 1]; k++) {
        int b = w->use_blocks[k];
        if (w->mark[b] == serial) continue;
        w->mark[b] = serial;
        w->work[nw++] = b;
    }
    while (nw > 0) {
        int b = w->work[--nw];
        n++;
        if (count) count[b]++;
        if (fill) vars[fill[b]++] = v;
        const tl_block *blk = &w->f->blocks[b];
        for (int p = 0; p < blk->npred; p++) {
            int q = blk->pred[p];
            if (w->mark[q] == serial || w->defines[q] == serial) continue;
            w->mark[q] = serial;
            w->work[nw++] = q;
        }
    }
    return n;
}

bool tl_liveness_compute(const tl_func *f, const bool *tracked, long max_entries, bool cond_reads, tl_liveness *out) {
    int nb = f->nblocks, nv = f->nvars;
    memset(out, 0, sizeof *out);
    out->nblocks = nb;
    pair_list uses = {0}, defs = {0};
    int *def_stamp = tl_xcalloc((size_t)nv + 1, sizeof *def_stamp);
    int *use_stamp = tl_xcalloc((size_t)nv + 1, sizeof *use_stamp);
    scan_ctx c = {tracked, 0, def_stamp, use_stamp, &uses};
    for (int b = 0; b < nb; b++) {
        const tl_block *blk = &f->blocks[b];
        c.block = b;
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            if (in->kind == TL_I_ASSIGN || in->kind == TL_I_RETURN || in->kind == TL_I_STORE) note_reads(&c, in->value);
            if (in->kind == TL_I_STORE) note_reads(&c, in->target); /* (c->fds[0] = sv[0]: c and sv) */
            if (in->kind == TL_I_CALL)
                for (int a = 0; a < in->call.nargs; a++) note_reads(&c, in->call.args[a]);
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < nv &&
                tracked[in->var] && def_stamp[in->var] != b + 1) {
                def_stamp[in->var] = b + 1;
                pairs_add(&defs, in->var, b);
            }
        }
        if (cond_reads) note_reads(&c, blk->cond);
    }
    int *use_start, *def_start;
    int *use_blocks = group_by(&uses, uses.var, uses.block, nv, &use_start);
    int *def_blocks = group_by(&defs, defs.var, defs.block, nv, &def_start);
    pairs_free(&uses);
    pairs_free(&defs);

    /* per variable: backward from its upward-exposed reads, not through its
       definitions; once to count the live-in lists, once to fill them */
    walk_ctx w = {f, use_start, use_blocks, def_start, def_blocks,
                  tl_xcalloc((size_t)nb + 1, sizeof(int)), tl_xcalloc((size_t)nb + 1, sizeof(int)),
                  tl_xmalloc(((size_t)nb + 1) * sizeof(int)), 0};
    out->start = tl_xcalloc((size_t)nb + 1, sizeof *out->start);
    bool ok = true;
    long total = 0;
    for (int v = 0; v < nv && ok; v++) {
        total += walk_var(&w, v, out->start + 1, NULL, NULL);
        ok = total <= max_entries;
    }
    if (ok) {
        for (int b = 0; b < nb; b++) out->start[b + 1] += out->start[b];
        int *fill = tl_xmalloc(((size_t)nb + 1) * sizeof *fill);
        memcpy(fill, out->start, ((size_t)nb + 1) * sizeof *fill);
        out->vars = tl_xmalloc(((size_t)total + 1) * sizeof *out->vars);
        /* vars in ascending order: each block's list comes out sorted */
        for (int v = 0; v < nv; v++) walk_var(&w, v, NULL, fill, out->vars);
        free(fill);
    } else {
        free(out->start);
        out->start = NULL;
    }
    free(w.mark);
    free(w.defines);
    free(w.work);
    free(use_start);
    free(use_blocks);
    free(def_start);
    free(def_blocks);
    free(def_stamp);
    free(use_stamp);
    return ok;
}

bool tl_liveness_has(const tl_liveness *l, int b, int v) {
    if (!l->start || b < 0 || b >= l->nblocks) return false;
    int lo = l->start[b], hi = l->start[b + 1];
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (l->vars[mid] == v) return true;
        if (l->vars[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

void tl_liveness_free(tl_liveness *l) {
    free(l->start);
    free(l->vars);
    memset(l, 0, sizeof *l);
}
