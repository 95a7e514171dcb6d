/* fdstate_sites.c - the call sites where this function may settle what a
 * callee stored: `conn_open(c); set_nonblocking(c->fd);`.
 *
 * A helper that stores a descriptor into a field of the struct it is
 * handed, and does not make it non-blocking before it returns, records the
 * store as a copy of "s:F#P|f:FIELD" (fdstate_later.c).  Here each direct
 * call of a program function handed a struct (a pointer variable naming one
 * object, or `&local`) is noted during the replay (fds_note_call_site), and
 * at the function's end a backward "must" dataflow over one bit per field
 * slot (the first 64 slots some call leaves non-blocking) tells which of
 * the struct's fields are made non-blocking on every path from the call to
 * a return that is no failure.  Each call site with some records one store
 * "s:F#A" = "CALLER@LINE:COL>|f:FIELD|f:FIELD2=m:G#K", nearest settle first
 * (the record's length is bounded), which program/fd_settle.c matches with
 * the summaries' calls at the link.  One sweep per loop nesting level of a
 * bit-vector problem: linear in the function.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"
#include "fdstate.h"
#include "fdstate_internal.h"

void fds_note_call_site(fd_ctx *c, const tl_instr *in, const tl_call_facts *cf) {
    const tl_call *call = &in->call;
    if (!c->stores || c->rec_block < 0 || !call->callee_usr || call->callee_system || (cf && cf->model) ||
        strlen(call->callee_usr) > 200 || !c->f->usr || strlen(c->f->usr) > 200)
        return;
    for (int a = 0; a < call->nargs && a < 32; a++) {
        int v = fds_plain_var(call->args[a]);
        bool arrow = true;
        if (v >= 0 && (v >= c->f->nvars || !c->f->vars[v].is_pointer || !fds_assigned_once(c, v))) continue;
        if (v < 0) { /* &s of a local struct */
            v = fds_addr_var(call->args[a]);
            arrow = false;
            if (v < 0 || v >= c->f->nvars || !c->f->vars[v].is_record ||
                (c->f->vars[v].kind != TL_VAR_LOCAL && c->f->vars[v].kind != TL_VAR_TEMP))
                continue;
        }
        c->sites = tl_xgrow(c->sites, c->nsites, &c->capsites, sizeof *c->sites);
        c->sites[c->nsites++] = (fds_site){call->callee_usr, a, v, arrow, strncmp(call->callee_usr, "c:@F@", 5) != 0,
                                           c->rec_block, c->rec_index, in->loc.line, in->loc.col};
    }
}

/* The field slots made non-blocking on every path from each point to a
 * return that is no failure: a backward "must" dataflow over one bit per
 * slot (the first 64 slots some call leaves non-blocking), the greatest
 * solution (a failure return, a noreturn path: every bit).  A slot left so
 * by helpers of other files (known at link) needs them all to be one
 * helper, whose "m:G#K" becomes its condition. */
typedef struct {
    int nbits, slot[64];
    int helper[64];     /* nb_sets index of the helper that decides, -1 none, -2 several */
    uint64_t *in;       /* per block: settled on every path from its start */
    int *rpo;           /* per block: its reverse-postorder position, -1 unreached */
    int bit_first[64], *bit_next; /* the nb_sets of each bit (chained) */
    int *set_bit;       /* per nb_set: bit_of_set */
    uint64_t *gen;      /* per block: the bits its calls settle (no call unsettles one) */
    int *first, *next;  /* the nb_sets of each block (chained) */
} settled_slots;

static void settled_free(settled_slots *ss) {
    free(ss->in);
    free(ss->rpo);
    free(ss->bit_next);
    free(ss->set_bit);
    free(ss->gen);
    free(ss->first);
    free(ss->next);
}

static int bit_of_slot(const settled_slots *ss, int slot) {
    for (int i = 0; i < ss->nbits; i++)
        if (ss->slot[i] == slot) return i;
    return -1;
}

/* The bit nb_set j settles, or -1: a slot not followed, or a helper's call
 * where several helpers decide. */
static int bit_of_set(const fd_ctx *c, const settled_slots *ss, int j) {
    const fds_nb_set *nb = &c->nb_sets[j];
    int bit = bit_of_slot(ss, nb->key - c->nvars);
    return bit >= 0 && (nb->fn_usr == NULL || ss->helper[bit] >= 0) ? bit : -1;
}

/* What is settled at the end of block b: a return decides (a failure:
 * everything, vacuously; else nothing), falling off the end settles
 * nothing, a noreturn path everything; else what every successor has. */
static uint64_t settled_at_end(const tl_func *f, const settled_slots *ss, int b) {
    const tl_block *blk = &f->blocks[b];
    if (blk->term == TL_T_EXIT) return fds_error_exit(blk) ? ~0ull : 0;
    if (b == f->exit) return 0;
    uint64_t out = ~0ull;
    for (int s = 0; s < blk->nsucc; s++)
        if (blk->succ[s] >= 0 && blk->succ[s] < f->nblocks) out &= blk->succ[s] == f->exit ? 0 : ss->in[blk->succ[s]];
    return out;
}

/* Fills ss (settled_free() it in any case); false when no field slot is
 * settled anywhere in the function. */
static bool settled_compute(fd_ctx *c, settled_slots *ss) {
    const tl_func *f = c->f;
    memset(ss, 0, sizeof *ss);
    int *first = ss->first = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *first);
    int *next = ss->next = tl_xmalloc(((size_t)c->nnb_sets + 1) * sizeof *next);
    ss->bit_next = tl_xmalloc(((size_t)c->nnb_sets + 1) * sizeof *ss->bit_next);
    for (int i = 0; i < 64; i++) ss->bit_first[i] = -1;
    for (int b = 0; b < f->nblocks; b++) first[b] = -1;
    for (int j = c->nnb_sets - 1; j >= 0; j--) {
        const fds_nb_set *nb = &c->nb_sets[j];
        int slot = nb->key - c->nvars;
        if (slot < 0 || c->slot_elem[slot] >= 0 || !c->slot_usr[slot] || nb->block < 0 || nb->block >= f->nblocks)
            continue;
        int bit = bit_of_slot(ss, slot);
        if (bit < 0 && ss->nbits < 64) {
            bit = ss->nbits++;
            ss->slot[bit] = slot;
            ss->helper[bit] = -1;
        }
        if (bit < 0) continue;
        const fds_nb_set *h = nb->fn_usr && ss->helper[bit] >= 0 ? &c->nb_sets[ss->helper[bit]] : NULL;
        if (nb->fn_usr && ss->helper[bit] == -1)
            ss->helper[bit] = j;
        else if (h && (strcmp(h->fn_usr, nb->fn_usr) != 0 || h->arg != nb->arg))
            ss->helper[bit] = -2; /* two helpers: which one decides is not known */
        next[j] = first[nb->block];
        first[nb->block] = j;
        ss->bit_next[j] = ss->bit_first[bit];
        ss->bit_first[bit] = j;
    }
    if (!ss->nbits) return false;
    ss->set_bit = tl_xmalloc(((size_t)c->nnb_sets + 1) * sizeof *ss->set_bit);
    ss->gen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *ss->gen);
    for (int b = 0; b < f->nblocks; b++)
        for (int j = first[b]; j >= 0; j = next[j])
            if ((ss->set_bit[j] = bit_of_set(c, ss, j)) >= 0) ss->gen[b] |= 1ull << ss->set_bit[j];
    int *rpo = ss->rpo = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *rpo);
    int *order = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *order), n = 0;
    tl_dataflow_rpo(f, rpo);
    for (int b = 0; b < f->nblocks; b++)
        if (rpo[b] >= 0) order[rpo[b]] = b, n++;
    ss->in = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *ss->in);
    for (int b = 0; b < f->nblocks; b++) ss->in[b] = ~0ull;
    for (bool changed = true; changed;) { /* postorder sweeps: each bit falls at most once per block */
        changed = false;
        for (int k = n - 1; k >= 0; k--) {
            int b = order[k];
            uint64_t out = settled_at_end(f, ss, b) | ss->gen[b];
            if (out != ss->in[b]) {
                ss->in[b] = out;
                changed = true;
            }
        }
    }
    free(order);
    return true;
}

/* A call site that settles: one record "s:F#A" naming the call and the
 * fields of the struct it hands over that this function makes non-blocking
 * on every path from the call to a return that is no failure (through a
 * helper of another file G: on the condition that it does),
 *   "CALLER@LINE:COL>|f:FIELD|f:FIELD2=m:G#K"
 * (program/fd_settle.c matches it with the summaries' calls). */
void fds_record_sites(fd_ctx *c) {
    const tl_func *f = c->f;
    settled_slots ss;
    if (!c->nsites) return;
    if (!settled_compute(c, &ss)) {
        settled_free(&ss);
        return;
    }
    for (int i = 0; i < c->nsites; i++) {
        const fds_site *st = &c->sites[i];
        if (st->block < 0 || st->block >= f->nblocks) continue;
        uint64_t after = settled_at_end(f, &ss, st->block); /* then the block's rest after the call */
        for (int j = ss.first[st->block]; j >= 0; j = ss.next[j])
            if (c->nb_sets[j].index > st->index && ss.set_bit[j] >= 0) after |= 1ull << ss.set_bit[j];
        char key[240], src[300];
        snprintf(key, sizeof key, "s:%s#%d", st->fn_usr, st->arg);
        int n = snprintf(src, sizeof src, "%s@%u:%u>", c->f->usr, st->line, st->col), n0 = n;
        /* nearest settle first: the field the callee stored is usually made
           non-blocking right after the call, and the record's length is bounded */
        int cand[64], ncand = 0;
        long dist[64];
        for (int bit = 0; bit < ss.nbits; bit++) {
            int slot = ss.slot[bit];
            if (!((after >> bit) & 1u) || c->slot_var[slot] != st->var || c->slot_arrow[slot] != st->arrow) continue;
            long d = LONG_MAX;
            for (int j = ss.bit_first[bit]; j >= 0; j = ss.bit_next[j]) { /* (the slot's calls) */
                const fds_nb_set *nb = &c->nb_sets[j];
                long at = nb->block == st->block && nb->index > st->index ? nb->index - st->index
                          : ss.rpo[nb->block] > ss.rpo[st->block] ? 100000L * (ss.rpo[nb->block] - ss.rpo[st->block])
                                                                   : LONG_MAX;
                if (at < d) d = at;
            }
            int k = ncand++;
            while (k > 0 && dist[k - 1] > d) {
                cand[k] = cand[k - 1];
                dist[k] = dist[k - 1];
                k--;
            }
            cand[k] = bit;
            dist[k] = d;
        }
        for (int ci = 0; ci < ncand && n < 280; ci++) {
            int bit = cand[ci], slot = ss.slot[bit];
            const fds_nb_set *h = ss.helper[bit] >= 0 ? &c->nb_sets[ss.helper[bit]] : NULL; /* (it may decide) */
            char item[300];
            int m = h ? snprintf(item, sizeof item, "|f:%s=m:%s#%d", c->slot_usr[slot], h->fn_usr, h->arg)
                      : snprintf(item, sizeof item, "|f:%s", c->slot_usr[slot]);
            if (m <= 0 || n + m >= 280) continue;
            memcpy(src + n, item, (size_t)m + 1);
            n += m;
        }
        if (n > n0) tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, src, st->is_static);
    }
    settled_free(&ss);
}

