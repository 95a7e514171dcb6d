/* html_data.c - what the report shows, read from the store: the run, its
 * findings and their state against the comparison (the run before it, or a
 * baseline) computed exactly as `tasklint diff` does (by fingerprint, only
 * in files both sides analysed), the trend of counts per rule over the
 * complete runs the store keeps, and the content hashes the runs recorded
 * for their files (a page shows source lines only when the file still has
 * that content). */
#include "report/html/html_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/fingerprint.h"
#include "util/xalloc.h"

const char *const hr_state_names[HR__NSTATES] = {
    [HR_NEW] = "new",
    [HR_UNCHANGED] = "unchanged",
    [HR_FIXED] = "fixed",
    [HR_NOT_COMPARED] = "not-compared",
};

static void unsuppressed(const tl_findings *in, tl_findings *out) {
    tl_findings_init(out);
    for (size_t i = 0; i < in->n; i++)
        if (!in->items[i].suppressed) tl_findings_add_copy(out, &in->items[i]);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Moves the findings of `fs` in files `other` did not analyse to `out`
   (cmd_diff.c does the same). */
static size_t split_not_compared(tl_findings *fs, char *const *other, size_t nother,
                                 tl_findings *out) {
    size_t kept = 0, moved = 0;
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (!f->file || bsearch(&f->file, other, nother, sizeof *other, cmp_str)) {
            fs->items[kept++] = *f;
        } else {
            if (out) tl_findings_add_copy(out, f);
            tl_finding_free_fields(f);
            moved++;
        }
    }
    fs->n = kept;
    return moved;
}

static int store_fail(const tl_store_error *e, char *err, size_t errsz) {
    snprintf(err, errsz, "%s", e->msg[0] ? e->msg : "cannot read the findings store");
    return -1;
}

static int load_files(tl_store *s, int64_t run, hr_filemap *m, tl_store_error *e) {
    return tl_store_run_file_hashes(s, run, &m->paths, &m->hashes, &m->n, e);
}

static void add_items(hr_report *r, const tl_findings *fs, hr_state st) {
    for (size_t i = 0; i < fs->n; i++) {
        hr_item *it = &r->items[r->nitems++];
        const tl_finding *f = &fs->items[i];
        it->f = f;
        it->state = st;
        it->rel = f->file ? (f->file[0] == '/' && r->opt->root
                                 ? tl_fingerprint_relpath(f->file, r->opt->root)
                                 : tl_xstrdup(f->file))
                          : tl_xstrdup("");
        const char *slash = strrchr(it->rel, '/');
        it->dir = slash ? tl_xstrndup(it->rel, (size_t)(slash - it->rel)) : tl_xstrdup(".");
        r->counts[st]++;
        if (st != HR_FIXED && f->triage > 0) r->ntriaged++;
    }
}

static int cmp_item(const void *pa, const void *pb) {
    const hr_item *a = pa, *b = pb;
    int c = strcmp(a->rel, b->rel);
    if (c) return c;
    if (a->f->line != b->f->line) return a->f->line < b->f->line ? -1 : 1;
    if (a->f->col != b->f->col) return a->f->col < b->f->col ? -1 : 1;
    c = strcmp(a->f->rule ? a->f->rule : "", b->f->rule ? b->f->rule : "");
    if (c) return c;
    return a->state != b->state ? (a->state < b->state ? -1 : 1) : 0;
}

static int load_trend(hr_report *r, tl_store_error *e) {
    r->trend = tl_xcalloc(r->nruns + 1, sizeof *r->trend);
    for (size_t k = r->nruns; k-- > 0;) { /* oldest first */
        const tl_run *run = &r->runs[k];
        if (run->status != TL_RUN_COMPLETE) continue;
        hr_point *p = &r->trend[r->ntrend];
        p->run = run->id;
        memcpy(p->started, run->started, sizeof p->started);
        if (tl_store_run_rule_counts(r->store, run->id, &p->rules, &p->counts, &p->nrules, e))
            return -1;
        for (size_t i = 0; i < p->nrules; i++) p->total += p->counts[i];
        r->ntrend++;
    }
    return 0;
}

int hr_load(hr_report *r, tl_store *s, const tl_html_options *o, char *err, size_t errsz) {
    memset(r, 0, sizeof *r);
    r->opt = o;
    r->store = s;
    tl_store_error e;
    memset(&e, 0, sizeof e);
    if (tl_store_runs(s, 0, &r->runs, &r->nruns, &e)) return store_fail(&e, err, errsz);
    int64_t want = o->run > 0 ? o->run : tl_store_last_complete_run(s, 0);
    for (size_t i = 0; i < r->nruns; i++)
        if (r->runs[i].id == want) r->run = &r->runs[i];
    if (!r->run) {
        if (o->run > 0) snprintf(err, errsz, "no run %lld in the store (see `tasklint runs`)",
                                 (long long)o->run);
        else snprintf(err, errsz, "no complete run in the store yet: run an analysis first");
        return -1;
    }
    tl_findings all, cur, prev;
    tl_findings_init(&all);
    tl_findings_init(&cur);
    tl_findings_init(&prev);
    tl_findings_init(&r->only_cur);
    char **afiles = NULL, **bfiles = NULL;
    size_t na = 0, nb = 0;
    int rc = -1;
    if (tl_store_run_findings(s, r->run->id, &all, &e)) goto storefail;
    unsuppressed(&all, &cur);
    tl_findings_free(&all);
    tl_findings_init(&all);
    if (o->base_label) {
        unsuppressed(o->base, &prev);
        r->base_label = tl_xstrdup(o->base_label);
        r->base_run = o->base_run;
    } else {
        r->base_run = tl_store_last_complete_run(s, r->run->id);
        if (r->base_run > 0) {
            if (tl_store_run_findings(s, r->base_run, &all, &e)) goto storefail;
            unsuppressed(&all, &prev);
            r->base_label = tl_xasprintf("run %lld", (long long)r->base_run);
        } else {
            r->base_label = tl_xstrdup("nothing (no earlier complete run): every finding is new");
        }
    }
    if (r->base_run > 0) {
        if (tl_store_run_files(s, r->base_run, &afiles, &na, &e) ||
            tl_store_run_files(s, r->run->id, &bfiles, &nb, &e))
            goto storefail;
        r->not_compared_base = split_not_compared(&prev, bfiles, nb, NULL);
        split_not_compared(&cur, afiles, na, &r->only_cur);
        if (load_files(s, r->base_run, &r->base_files, &e)) goto storefail;
    }
    if (load_files(s, r->run->id, &r->files, &e)) goto storefail;
    tl_diff_compute(&prev, &cur, &r->diff);
    size_t total = r->diff.added.n + r->diff.unchanged.n + r->diff.fixed.n + r->only_cur.n;
    r->items = tl_xcalloc(total + 1, sizeof *r->items);
    add_items(r, &r->diff.added, HR_NEW);
    add_items(r, &r->diff.unchanged, HR_UNCHANGED);
    add_items(r, &r->only_cur, HR_NOT_COMPARED);
    add_items(r, &r->diff.fixed, HR_FIXED);
    qsort(r->items, r->nitems, sizeof *r->items, cmp_item);
    for (size_t i = 0; i < r->nitems; i++) r->items[i].id = i + 1;
    if (load_trend(r, &e)) goto storefail;
    rc = 0;
    goto out;
storefail:
    store_fail(&e, err, errsz);
out:
    tl_findings_free(&all);
    tl_findings_free(&cur);
    tl_findings_free(&prev);
    tl_store_paths_free(afiles, na);
    tl_store_paths_free(bfiles, nb);
    return rc;
}

const char *hr_recorded_hash(const hr_report *r, const hr_item *it, const char *path) {
    const hr_filemap *m = it->state == HR_FIXED ? &r->base_files : &r->files;
    if (!path || !m->n) return NULL;
    char **hit = bsearch(&path, m->paths, m->n, sizeof *m->paths, cmp_str);
    return hit ? m->hashes[hit - m->paths] : NULL;
}

void hr_free(hr_report *r) {
    for (size_t i = 0; i < r->nitems; i++) {
        free(r->items[i].rel);
        free(r->items[i].dir);
    }
    free(r->items);
    for (size_t i = 0; i < r->ntrend; i++) {
        for (size_t k = 0; k < r->trend[i].nrules; k++) free(r->trend[i].rules[k]);
        free(r->trend[i].rules);
        free(r->trend[i].counts);
    }
    free(r->trend);
    if (r->diff.added.items || r->diff.fixed.items || r->diff.unchanged.items || r->run)
        tl_diff_free(&r->diff);
    tl_findings_free(&r->only_cur);
    tl_store_paths_free(r->files.paths, r->files.n);
    tl_store_paths_free(r->files.hashes, r->files.n);
    tl_store_paths_free(r->base_files.paths, r->base_files.n);
    tl_store_paths_free(r->base_files.hashes, r->base_files.n);
    free(r->base_label);
    tl_runs_free(r->runs, r->nruns);
    memset(r, 0, sizeof *r);
}
