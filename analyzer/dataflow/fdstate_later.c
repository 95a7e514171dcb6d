/* fdstate_later.c - a descriptor stored into a slot, then made non-blocking.
 *
 * `c->fd = socket(...); set_nonblocking(c->fd);` (or `fcntl(fd, F_SETFL,
 * O_NONBLOCK)` on the local it came from, `g = fd; set_nb(g);`): at the
 * store the descriptor is still blocking, yet no reader of the slot ever
 * sees it so - the event loop that runs its callbacks gets control back
 * only when this function has returned.  A store into a global or a field
 * slot (fdstate_slots.c) whose value is not known non-blocking is therefore
 * held back in the replay (fds_defer_store); the replay also notes where a
 * call leaves a variable or slot non-blocking (fds_note_nonblocking).  At the
 * end of the function (fds_resolve_deferred) a held store is recorded as
 * non-blocking when such a call, on the slot itself or on the local the
 * value came from (assigned once), lies on every path from the store to a
 * return - returns of a negative constant or NULL excepted: there the caller
 * does not use what was stored - else as "anything else", as it would have
 * been.  The slot's struct variable must be a parameter never assigned or a
 * local assigned once, so that both name the same object.
 *
 * Before the link a helper of another file is not known: a call handing a
 * descriptor to a program function of another file (`sock_nonblock(s)`)
 * gives it a via, the pseudo-slot "m:F#k" that F's own analysis stores
 * non-blocking when it leaves parameter k so (fdstate_slots.c).  A value
 * with a via stored into a slot, passed on, or returned by every return
 * (with non-blocking ones) is a copy of that pseudo-slot, resolved at the
 * link; a held store made non-blocking later by such a call likewise.  The
 * join keeps a via both sides share, or one side's when the other is
 * non-blocking.
 *
 * When no call of the function settles a held store into a field of
 * what a parameter points to, its callers may: the store copies the
 * pseudo-slot "s:F#P|f:FIELD", and each call site handing a struct to a
 * program function records which of its fields the caller makes
 * non-blocking on every path from the call to a return that is no failure
 * (fdstate_sites.c; resolved at link by program/fd_settle.c).  A store of a
 * copy of another pseudo-slot into such a field is held too: it then
 * copies the either node of both.
 *
 * The paths are walked block by block from the store, stopping at the
 * call's block; at most MAX_CHECKS walks per function (the rest are
 * recorded as before), so a function costs at most that many walks of its
 * blocks: linear.  Not seen: a function that runs the event loop itself
 * between the store and the call (the loop's callbacks would then see the
 * blocking descriptor).
 */
#include "fdstate.h"
#include "fdstate_internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

#define MAX_CHECKS 64

/* A local (or a parameter) that names one value between two points. */
bool fds_assigned_once(fd_ctx *c, int v) {
    if (v < 0 || v >= c->f->nvars) return false;
    fds_scan_vars(c);
    const tl_var *var = &c->f->vars[v];
    if (var->kind == TL_VAR_PARAM) return c->var_assigns[v] == 0;
    return (var->kind == TL_VAR_LOCAL || var->kind == TL_VAR_TEMP) && c->var_assigns[v] == 1;
}

/* Is state key `key` a field of what a parameter never assigned points to
 * (`c->fd` in `conn_open(struct conn *c)`)?  Its callers may settle it. */
static bool param_field_key(fd_ctx *c, int key) {
    if (key < c->nvars) return false;
    int slot = key - c->nvars, v = c->slot_var[slot];
    return c->slot_arrow[slot] && c->slot_elem[slot] < 0 && c->slot_usr[slot] && v >= 0 && v < c->f->nparams &&
           c->f->vars[v].kind == TL_VAR_PARAM && fds_assigned_once(c, v);
}

bool fds_settle_target(fd_ctx *c, const tl_expr *target) {
    return param_field_key(c, fds_desc_key(c, target, false));
}

bool fds_defer_store(fd_ctx *c, const tl_expr *target, const tl_expr *value, const char *copy_of) {
    if (c->rec_block < 0) return false; /* not the main replay */
    int key = fds_desc_key(c, target, false);
    if (key < 0) return false;
    if (key >= c->nvars && !fds_assigned_once(c, c->slot_var[key - c->nvars])) return false;
    int vv = fds_plain_var(value);
    if (!fds_assigned_once(c, vv) || c->f->vars[vv].kind == TL_VAR_PARAM) vv = -1;
    c->deferred = tl_xgrow(c->deferred, c->ndeferred, &c->capdeferred, sizeof *c->deferred);
    fds_deferred *d = &c->deferred[c->ndeferred++];
    *d = (fds_deferred){target, {0}, key, vv, c->rec_block, c->rec_index, copy_of ? tl_xstrdup(copy_of) : NULL};
    if (target->kind == TL_E_VAR && target->nkids == 0) { /* (store() builds it on its stack) */
        d->var_target = *target;
        d->target = NULL;
    }
    return true;
}

void fds_note_nonblocking(fd_ctx *c, int key) {
    if (c->rec_block < 0 || key < 0) return;
    c->nb_sets = tl_xgrow(c->nb_sets, c->nnb_sets, &c->capnb_sets, sizeof *c->nb_sets);
    c->nb_sets[c->nnb_sets++] = (fds_nb_set){key, c->rec_block, c->rec_index, NULL, -1};
}

void fds_note_maybe_nonblocking(fd_ctx *c, int key, const char *fn_usr, int arg) {
    if (c->rec_block < 0 || key < 0 || !fn_usr || strlen(fn_usr) > 250) return;
    c->nb_sets = tl_xgrow(c->nb_sets, c->nnb_sets, &c->capnb_sets, sizeof *c->nb_sets);
    c->nb_sets[c->nnb_sets++] = (fds_nb_set){key, c->rec_block, c->rec_index, fn_usr, arg};
}

/* "m:F#k": F leaves its parameter k non-blocking (program/fd_slots.c). */
static void maybe_name(char *buf, size_t size, const char *fn_usr, int arg) {
    snprintf(buf, size, "m:%s#%d", fn_usr, arg);
}

int fds_via_of(fd_ctx *c, const char *fn_usr, int arg) {
    if (!fn_usr || strlen(fn_usr) > 250) return 0;
    char name[300];
    maybe_name(name, sizeof name, fn_usr, arg);
    return fds_via_named(c, name);
}

int fds_via_named(fd_ctx *c, const char *name) {
    if (!name || strlen(name) > 290) return 0;
    for (int i = 0; i < c->nvias; i++) /* (a function hands few descriptors to few helpers) */
        if (strcmp(c->vias[i], name) == 0) return i + 1;
    if (c->nvias >= 64) return 0;
    c->vias = tl_xgrow(c->vias, c->nvias, &c->capvias, sizeof *c->vias);
    c->vias[c->nvias++] = tl_xstrdup(name);
    return c->nvias;
}

/* The via of a node of the link's slot graph made of two pseudo-slots: its
 * name "KIND:HASH" (FNV-1a of "a SEP b": short, stable, the same in every
 * TU) and its two copy stores.  kind 'o': an either node (fd_slots.c: bad
 * when both sources are); 'a': an ordinary slot (it holds when both do). */
static int pair_via(fd_ctx *c, char kind, const char *a, const char *b) {
    char name[40];
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = a; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ (unsigned char)kind) * 1099511628211ULL;
    for (const char *p = b; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(name, sizeof name, "%c:%016llx", kind, (unsigned long long)h);
    if (c->stores) {
        tl_slot_stores_add(c->stores, name, TL_SLOT_COPY, a, true);
        tl_slot_stores_add(c->stores, name, TL_SLOT_COPY, b, true);
    }
    return fds_via_named(c, name);
}

int fds_via_either(fd_ctx *c, const char *origin, const char *fn_usr, int arg) {
    if (!origin || !fn_usr || strlen(fn_usr) > 250 || strlen(origin) > 280) return 0;
    char m[300];
    maybe_name(m, sizeof m, fn_usr, arg);
    return pair_via(c, 'o', origin, m); /* the origin is non-blocking, or the helper makes it so */
}

int fds_via_both(fd_ctx *c, int via, const char *fn_usr, int arg) {
    if (via <= 0 || via > c->nvias || !fn_usr || strlen(fn_usr) > 250) return 0;
    char k[300];
    snprintf(k, sizeof k, "k:%s#%d", fn_usr, arg); /* F keeps k's mode (fd_slots.c) */
    return pair_via(c, 'a', c->vias[via - 1], k);
}

bool fds_via_src(const fd_ctx *c, int via, char *src, size_t size) {
    if (via <= 0 || via > c->nvias) return false;
    snprintf(src, size, "%s", c->vias[via - 1]);
    return true;
}

void fds_vias_free(fd_ctx *c) {
    for (int i = 0; i < c->nvias; i++) free(c->vias[i]);
    free(c->vias);
    c->vias = NULL;
    c->nvias = c->capvias = 0;
}

/* A return the caller treats as a failure: `return -1;`, `return NULL;`. */
bool fds_error_exit(const tl_block *b) {
    const tl_instr *last = b->ninstrs ? &b->instrs[b->ninstrs - 1] : NULL;
    const tl_expr *v = last && last->kind == TL_I_RETURN ? tl_expr_uncast(last->value) : NULL;
    return v && (v->kind == TL_E_NULL || fds_negative_const(v));
}

/* Whether every path from just after (bs, is) to a return that is no
 * failure passes the instruction at (bn, in). */
static bool on_every_path(fd_ctx *c, int bs, int is, int bn, int in, int *mark, int stamp, int *stack) {
    const tl_func *f = c->f;
    if (bn == bs && in > is) return true;
    int n = 0;
    mark[bs] = stamp; /* (bs again, through a loop: its start, before the store) */
    const tl_block *b = &f->blocks[bs];
    if (b->term == TL_T_EXIT) return fds_error_exit(b);
    for (int k = 0; k < b->nsucc; k++) stack[n++] = b->succ[k];
    while (n > 0) {
        int x = stack[--n];
        if (x < 0 || x >= f->nblocks || (mark[x] == stamp && x != bs)) continue;
        if (x == bn) continue; /* the call is on this path */
        if (x == bs) continue; /* around a loop to the store again */
        mark[x] = stamp;
        b = &f->blocks[x];
        if (x == f->exit) return false;
        if (b->term == TL_T_EXIT) {
            if (!fds_error_exit(b)) return false;
            continue;
        }
        for (int k = 0; k < b->nsucc; k++) stack[n++] = b->succ[k];
    }
    return true;
}

/* The calls noted on state key `key` (a variable or slot), by key: CSR
 * over nb_sets (start[key]..start[key + 1] in order[]). */
typedef struct {
    int *start, *order, nkeys;
} sets_by_key;

static void index_sets(const fd_ctx *c, sets_by_key *ix) {
    ix->nkeys = 0;
    for (int j = 0; j < c->nnb_sets; j++)
        if (c->nb_sets[j].key + 1 > ix->nkeys) ix->nkeys = c->nb_sets[j].key + 1;
    ix->start = tl_xcalloc((size_t)ix->nkeys + 2, sizeof *ix->start);
    ix->order = tl_xmalloc(((size_t)c->nnb_sets + 1) * sizeof *ix->order);
    for (int j = 0; j < c->nnb_sets; j++) ix->start[c->nb_sets[j].key + 1]++;
    for (int k = 0; k < ix->nkeys; k++) ix->start[k + 1] += ix->start[k];
    int *fill = tl_xmalloc(((size_t)ix->nkeys + 1) * sizeof *fill);
    memcpy(fill, ix->start, (size_t)ix->nkeys * sizeof *fill);
    for (int j = 0; j < c->nnb_sets; j++) ix->order[fill[c->nb_sets[j].key]++] = j;
    free(fill);
}

/* The call on every path from held store d to a return that makes it
 * non-blocking (one of another file: that may), or NULL.  Only the calls
 * noted on its two keys are looked at, at most MAX_CHECKS path walks in all
 * per function (*checks). */
static const fds_nb_set *made_nonblocking_by(fd_ctx *c, const sets_by_key *ix, const fds_deferred *d, int *checks,
                                             int *mark, int *stack) {
    int keys[2] = {d->key, d->value_var != d->key ? d->value_var : -1};
    int helpers = 0; /* helper calls of other files on it: with two, which one decides is not known */
    for (int t = 0; t < 2; t++)
        for (int e = keys[t] >= 0 && keys[t] < ix->nkeys ? ix->start[keys[t]] : 0;
             keys[t] >= 0 && keys[t] < ix->nkeys && e < ix->start[keys[t] + 1]; e++)
            if (c->nb_sets[ix->order[e]].fn_usr) helpers++;
    const fds_nb_set *by = NULL;
    for (int t = 0; t < 2 && (!by || by->fn_usr); t++) {
        if (keys[t] < 0 || keys[t] >= ix->nkeys) continue;
        for (int e = ix->start[keys[t]]; e < ix->start[keys[t] + 1] && (!by || by->fn_usr) && *checks < MAX_CHECKS; e++) {
            const fds_nb_set *n = &c->nb_sets[ix->order[e]];
            if (n->fn_usr && (by || helpers > 1)) continue;
            ++*checks;
            if (on_every_path(c, d->block, d->index, n->block, n->index, mark, *checks, stack)) by = n;
        }
    }
    return by;
}

/* ---- held stores and the call sites of this function ---- */

/* "s:F#P|f:FIELD": a descriptor F stored into FIELD of what its parameter P
 * points to, not made non-blocking before F returns: non-blocking when
 * every caller of F makes it so after the call (program/fd_settle.c). */
static bool settle_name(fd_ctx *c, const fds_deferred *d, char *buf, size_t size) {
    if (!c->f->usr || !param_field_key(c, d->key)) return false;
    int slot = d->key - c->nvars;
    int n = snprintf(buf, size, "s:%s#%d|f:%s", c->f->usr, c->slot_var[slot], c->slot_usr[slot]);
    return n > 0 && (size_t)n < size && n <= 280;
}

void fds_resolve_deferred(fd_ctx *c) {
    if (c->ndeferred) {
        int checks = 0, edges = 0;
        int *mark = tl_xcalloc((size_t)c->f->nblocks + 1, sizeof *mark);
        for (int bi = 0; bi < c->f->nblocks; bi++) edges += c->f->blocks[bi].nsucc;
        int *stack = tl_xmalloc(((size_t)edges + 1) * sizeof *stack);
        sets_by_key ix;
        index_sets(c, &ix);
        for (int i = 0; i < c->ndeferred; i++) {
            const fds_deferred *d = &c->deferred[i];
            const fds_nb_set *by = made_nonblocking_by(c, &ix, d, &checks, mark, stack);
            const tl_expr *target = d->target ? d->target : &d->var_target;
            char src[300];
            bool named = false;
            if (by && by->fn_usr) { /* known at link: "m:F#A" (program/fd_slots.c) */
                maybe_name(src, sizeof src, by->fn_usr, by->arg);
                named = true;
            } else if (!by && c->stores && settle_name(c, d, src, sizeof src)) {
                named = true; /* the callers may */
            }
            int either = named && d->copy_of ? pair_via(c, 'o', d->copy_of, src) : 0;
            if (either) /* the value was non-blocking, or is made so */
                fds_add_store(c, target, TL_SLOT_COPY, c->vias[either - 1]);
            else if (named)
                fds_add_store(c, target, TL_SLOT_COPY, src);
            else if (by)
                fds_add_store(c, target, TL_SLOT_NONBLOCKING, NULL);
            else
                fds_add_store(c, target, d->copy_of ? TL_SLOT_COPY : TL_SLOT_OTHER, d->copy_of);
            free(c->deferred[i].copy_of);
        }
        free(ix.start);
        free(ix.order);
        free(mark);
        free(stack);
    }
    if (c->stores) fds_record_sites(c); /* fdstate_sites.c (reads nb_sets) */
    free(c->deferred);
    free(c->nb_sets);
    free(c->sites);
    c->deferred = NULL;
    c->nb_sets = NULL;
    c->sites = NULL;
    c->ndeferred = c->nnb_sets = c->nsites = c->capsites = 0;
}
