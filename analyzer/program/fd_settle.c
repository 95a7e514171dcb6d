/* fd_settle.c - a descriptor a helper stores into a struct it is handed,
 * made non-blocking by the helper's callers after it returns.
 *
 *     int conn_open(struct conn *c) { c->fd = socket(...); ...; return 0; }
 *     if (conn_open(c) < 0) return -1;
 *     set_nonblocking(c->fd);          (in each caller)
 *
 * The helper's own analysis (dataflow/fdstate_later.c) cannot settle its
 * store: it records it as a copy of the node "s:F#P|f:FIELD" (F's parameter
 * P, the field's USR).  A call site that settles fields of the struct it
 * hands to a program function records one store, key "s:F#A", source
 *
 *     "CALLER@LINE:COL>|f:FIELD|f:FIELD2=m:G#K"
 *
 * each "|f:..." a field the caller makes non-blocking on every path from
 * the call to a return that is no failure (directly, or through a helper of
 * another file G: when "m:G#K" holds).
 *
 * Here each node "s:F#A|f:X" holds when F's address is never taken (nor
 * F named at a function-pointer field of an initializer, "p:F#=FIELD") and,
 * at every direct call of F in the program (the summaries' calls), X is
 * settled - or the struct is the caller's own parameter Q, passed unchanged
 * (tl_sum_call.guard_pass), and the caller's callers settle it: a copy edge
 * from "s:CALLER#Q|f:X", made here and resolved in turn (a worklist; each
 * node once, each call of its function once per node).  A function called
 * nowhere directly is not known.  A static F has all its callers in its
 * file; another holds only for the whole program (the pass without it
 * starts such nodes bad, fd_slots.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/xalloc.h"
#include "fd_slots_internal.h"

bool tl_fd_settle_is_site(const tl_slot_store *st) {
    return st->key[0] == 's' && st->key[1] == ':' && !strchr(st->key, '|');
}

/* "s:F#A|f:X" -> "s:F#A" (length) and "f:X"; false when key is no node. */
static bool split_node(const char *key, size_t *head, const char **field) {
    if (strncmp(key, "s:", 2) != 0) return false;
    const char *bar = strstr(key, "|f:");
    if (!bar || !memchr(key, '#', (size_t)(bar - key))) return false;
    *head = (size_t)(bar - key);
    *field = bar + 1;
    return true;
}

/* Does the record's source settle field ("f:X")?  *cond gets the condition
 * ("m:G#K", in buf) or NULL. */
static bool site_settles(const char *src, const char *field, char *buf, size_t size, const char **cond) {
    *cond = NULL;
    const char *gt = strchr(src, '>');
    size_t flen = strlen(field);
    for (const char *it = gt ? strchr(gt, '|') : NULL; it; it = strchr(it + 1, '|')) {
        const char *end = strchr(it + 1, '|');
        size_t n = end ? (size_t)(end - it - 1) : strlen(it + 1);
        if (n < flen || strncmp(it + 1, field, flen) != 0) continue;
        if (n == flen) return true;
        if (it[1 + flen] != '=' || n - flen - 1 >= size) continue;
        memcpy(buf, it + 2 + flen, n - flen - 1);
        buf[n - flen - 1] = 0;
        *cond = buf;
        return true;
    }
    return false;
}

static void add_edge(edge_list *el, int src, int dst) {
    el->src = tl_xgrow(el->src, el->n, &el->cap, sizeof *el->src);
    el->dst = tl_xrealloc(el->dst, (size_t)el->cap * sizeof *el->dst);
    el->src[el->n] = src;
    el->dst[el->n++] = dst;
}

typedef struct {
    const tl_func_summary *caller;
    const tl_sum_call *call;
    int next;
} call_ref;

void tl_fd_settle_resolve(tl_fd_slots *s, tl_tu_summary *const *units, int nunits, edge_list *el) {
    int *work = NULL, nwork = 0, capwork = 0;
    for (int i = 0; i < s->n; i++) {
        size_t head;
        const char *field;
        if (split_node(s->v[i].key, &head, &field)) {
            work = tl_xgrow(work, nwork, &capwork, sizeof *work);
            work[nwork++] = i;
        }
    }
    if (!nwork) return;
    /* the records by "s:F#A|CALLER@LINE:COL", the direct calls by callee */
    tl_str_map records, calls;
    tl_str_map_init(&records);
    tl_str_map_init(&calls);
    int nrec = 0, caprec = 0;
    const char **rec_src = NULL;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            const char *gt = st->src ? strchr(st->src, '>') : NULL;
            if (!tl_fd_settle_is_site(st) || !gt || strlen(st->key) + (size_t)(gt - st->src) > 560) continue;
            char k[600];
            snprintf(k, sizeof k, "%s|%.*s", st->key, (int)(gt - st->src), st->src);
            rec_src = tl_xgrow(rec_src, nrec, &caprec, sizeof *rec_src);
            rec_src[nrec] = st->src;
            /* two calls at one place (a macro's expansion) that differ: neither is known */
            int had = tl_str_map_get(&records, k);
            tl_str_map_set(&records, k, had == -1 ? nrec : -2);
            nrec++;
        }
    int ncalls = 0, capcalls = 0;
    call_ref *refs = NULL;
    tl_str_map read; /* the fields some descriptor I/O reads: only they are asked about */
    tl_str_map_init(&read);
    tl_str_map named; /* functions named in an initializer ("p:F#=FIELD"): called through it */
    tl_str_map_init(&named);
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const char *key = units[u]->fd_stores[i].key, *eq = strstr(key, "#=");
            if (strncmp(key, "p:", 2) != 0 || !eq || eq - key > 290) continue;
            char fn[300];
            snprintf(fn, sizeof fn, "%.*s", (int)(eq - key - 2), key + 2);
            tl_str_map_set(&named, fn, 1);
        }
    for (int u = 0; u < nunits; u++)
        for (int f = 0; f < units[u]->nfuncs; f++)
            for (int c = 0; c < units[u]->funcs[f].ncalls; c++) {
                const tl_sum_call *call = &units[u]->funcs[f].calls[c];
                if (call->fd_slot && !strncmp(call->fd_slot, "f:", 2)) tl_str_map_set(&read, call->fd_slot, 1);
                if (call->target.kind != TL_REF_FUNC || !call->target.usr || call->modelled) continue;
                refs = tl_xgrow(refs, ncalls, &capcalls, sizeof *refs);
                refs[ncalls] = (call_ref){&units[u]->funcs[f], call, tl_str_map_get(&calls, call->target.usr)};
                tl_str_map_set(&calls, call->target.usr, ncalls++);
            }
    for (int w = 0; w < nwork; w++) {
        int i = work[w];
        size_t head;
        const char *field;
        if (!split_node(s->v[i].key, &head, &field) || head >= 280 || tl_str_map_get(&read, field) < 0) {
            s->v[i].other = true;
            continue;
        }
        char site_key[300], fn[300], star[310];
        memcpy(site_key, s->v[i].key, head);
        site_key[head] = 0;
        const char *hash = strrchr(site_key, '#');
        int arg = atoi(hash + 1);
        snprintf(fn, sizeof fn, "%.*s", (int)(hash - site_key - 2), site_key + 2);
        snprintf(star, sizeof star, "p:%s#*", fn); /* F's address taken: calls not seen */
        s->v[i].stored = true;
        s->v[i].is_static = strncmp(fn, "c:@F@", 5) != 0;
        size_t at;
        int count = 0;
        if (tl_strmap_get(&s->index, star, &at) || tl_str_map_get(&named, fn) >= 0 || arg < 0 || arg >= 32)
            s->v[i].other = true; /* called where no summary's direct call shows it */
        for (int j = tl_str_map_get(&calls, fn); j >= 0 && !s->v[i].other; j = refs[j].next) {
            const tl_func_summary *caller = refs[j].caller;
            const tl_sum_call *call = refs[j].call;
            count++;
            char k[600], cond[300];
            const char *c;
            int r = -1;
            if (caller->usr && strlen(caller->usr) < 280) {
                snprintf(k, sizeof k, "%s|%s@%u:%u", site_key, caller->usr, call->loc.line, call->loc.col);
                r = tl_str_map_get(&records, k);
            }
            if (r == -2) {
                s->v[i].other = true;
                continue;
            }
            if (r >= 0 && site_settles(rec_src[r], field, cond, sizeof cond, &c)) {
                if (c) add_edge(el, tl_fd_slots_node(s, c, true), i); /* a helper of another file's */
                continue;
            }
            if (arg >= call->nargs || !((call->guard_pass >> arg) & 1u) || !caller->usr || strlen(caller->usr) > 250) {
                s->v[i].other = true; /* this caller leaves it blocking */
                continue;
            }
            char q[600]; /* the caller's parameter: its callers may settle it */
            snprintf(q, sizeof q, "s:%s#%d|%s", caller->usr, call->args[arg].param, field);
            int before = s->n, src = tl_fd_slots_node(s, q, true);
            if (src == i) continue; /* (passed to itself: the other calls decide) */
            if (s->n > before) { /* a new node: resolved in turn */
                work = tl_xgrow(work, nwork, &capwork, sizeof *work);
                work[nwork++] = src;
            }
            add_edge(el, src, i);
        }
        if (count == 0) s->v[i].other = true; /* called nowhere directly */
    }
    free(work);
    free(refs);
    free(rec_src);
    tl_str_map_free(&records);
    tl_str_map_free(&calls);
    tl_str_map_free(&read);
    tl_str_map_free(&named);
}
