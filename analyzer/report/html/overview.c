/* overview.c - index.html: what was compared with what, the counts per
 * state (new / unchanged / fixed / not compared, and triaged), per rule
 * and per directory, the trend chart, the recorded runs, then the first
 * page of the findings table; and table-N.html, the other pages.  The
 * counts carry ids and data- attributes the tests compare with the store. */
#include "report/html/html_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define MAX_DIR_ROWS 40

typedef struct {
    const char *key;
    size_t n[HR__NSTATES];
    size_t total;
} group;

static int cmp_group_total(const void *pa, const void *pb) {
    const group *a = pa, *b = pb;
    if (a->total != b->total) return a->total > b->total ? -1 : 1;
    return strcmp(a->key, b->key);
}

static int cmp_group_key(const void *pa, const void *pb) {
    return strcmp(((const group *)pa)->key, ((const group *)pb)->key);
}

static int cmp_item_ptr_key(const void *pa, const void *pb) {
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Counts per state of each distinct key (rule or directory): the keys are
   sorted (n log n), then grouped in one pass. */
static group *group_by(const hr_report *r, bool by_dir, size_t *ngroups) {
    const char **keys = tl_xcalloc(r->nitems + 1, sizeof *keys);
    for (size_t i = 0; i < r->nitems; i++)
        keys[i] = by_dir ? r->items[i].dir : (r->items[i].f->rule ? r->items[i].f->rule : "");
    qsort(keys, r->nitems, sizeof *keys, cmp_item_ptr_key);
    group *g = tl_xcalloc(r->nitems + 1, sizeof *g);
    size_t n = 0;
    for (size_t i = 0; i < r->nitems; i++)
        if (!n || strcmp(g[n - 1].key, keys[i])) g[n++].key = keys[i];
    free(keys);
    for (size_t i = 0; i < r->nitems; i++) {
        group probe = {.key = by_dir ? r->items[i].dir : (r->items[i].f->rule ? r->items[i].f->rule : "")};
        group *hit = bsearch(&probe, g, n, sizeof *g, cmp_group_key);
        hit->n[r->items[i].state]++;
        hit->total++;
    }
    *ngroups = n;
    return g;
}

static void state_headers(hr_buf *b) {
    for (int s = 0; s < HR__NSTATES; s++) hr_printf(b, "<th class=\"n\">%s</th>", hr_state_names[s]);
}

static void group_table(hr_buf *b, const hr_report *r, bool by_dir) {
    size_t n;
    group *g = group_by(r, by_dir, &n);
    if (by_dir) qsort(g, n, sizeof *g, cmp_group_total);
    hr_printf(b, "<table id=\"by-%s\"><thead><tr><th>%s</th>", by_dir ? "dir" : "rule",
              by_dir ? "Directory" : "Rule");
    state_headers(b);
    hr_puts(b, "</tr></thead>\n<tbody>\n");
    size_t shown = by_dir && n > MAX_DIR_ROWS ? MAX_DIR_ROWS : n;
    for (size_t i = 0; i < shown; i++) {
        hr_puts(b, "<tr data-key=\"");
        hr_text(b, g[i].key);
        hr_puts(b, "\"><td>");
        if (!by_dir) {
            hr_puts(b, "<a href=\"#rule=");
            hr_text(b, g[i].key);
            hr_puts(b, "\">");
        }
        hr_text(b, g[i].key);
        if (!by_dir) hr_puts(b, "</a>");
        hr_puts(b, "</td>");
        for (int s = 0; s < HR__NSTATES; s++)
            hr_printf(b, "<td class=\"n\" data-state=\"%s\">%zu</td>", hr_state_names[s], g[i].n[s]);
        hr_puts(b, "</tr>\n");
    }
    hr_puts(b, "</tbody></table>\n");
    if (shown < n)
        hr_printf(b, "<p class=\"meta\">%zu more directories (the table below lists every "
                     "finding)</p>\n",
                  n - shown);
    free(g);
}

static void runs_table(hr_buf *b, const hr_report *r) {
    hr_printf(b, "<h2>Recorded runs (%zu)</h2>\n<table id=\"runs\"><thead><tr><th class=\"n\">Run"
                 "</th><th>Status</th><th>Started</th><th>Commit</th><th class=\"n\">Files</th>"
                 "<th class=\"n\">Findings</th></tr></thead>\n<tbody>\n",
              r->nruns);
    static const char *const st[] = {"running", "complete", "failed"};
    for (size_t i = 0; i < r->nruns; i++) {
        const tl_run *run = &r->runs[i];
        hr_printf(b, "<tr data-run=\"%lld\"><td class=\"n\">%lld</td><td>%s</td><td>",
                  (long long)run->id, (long long)run->id, st[run->status]);
        hr_text(b, run->started);
        hr_puts(b, "</td><td>");
        if (run->git_commit) hr_textn(b, run->git_commit, strnlen(run->git_commit, 12));
        if (run->git_branch) {
            hr_puts(b, " [");
            hr_text(b, run->git_branch);
            hr_puts(b, "]");
        }
        hr_printf(b, "</td><td class=\"n\">%d</td><td class=\"n\" data-findings=\"%d\">%d</td></tr>\n",
                  run->nfiles, run->nfindings, run->nfindings);
    }
    hr_puts(b, "</tbody></table>\n");
}

static void scripts(hr_buf *b) {
    hr_puts(b, "<script src=\"data.js\"></script>\n<script src=\"app.js\"></script>\n");
}

void hr_overview_page(hr_buf *b, const hr_report *r) {
    char title[96];
    snprintf(title, sizeof title, "tasklint report: run %lld", (long long)r->run->id);
    hr_page_begin(b, title, "");
    hr_printf(b, "<h1>tasklint report: run <span id=\"run\">%lld</span></h1>\n<p class=\"meta\">",
              (long long)r->run->id);
    hr_text(b, r->run->started);
    if (r->run->git_commit) {
        hr_puts(b, ", commit ");
        hr_textn(b, r->run->git_commit, strnlen(r->run->git_commit, 12));
    }
    if (r->run->git_branch) {
        hr_puts(b, " [");
        hr_text(b, r->run->git_branch);
        hr_puts(b, "]");
    }
    hr_printf(b, ", %d files analysed. Compared with <span id=\"base\">", r->run->nfiles);
    hr_text(b, r->base_label);
    hr_puts(b, "</span>, by fingerprint, like <code>tasklint diff</code>.</p>\n<div class=\"cards\">");
    for (int s = 0; s < HR__NSTATES; s++)
        hr_printf(b, "<a class=\"card s-%s\" href=\"#state=%s\"><b id=\"count-%s\">%zu</b>%s</a>",
                  hr_state_names[s], hr_state_names[s], hr_state_names[s], r->counts[s],
                  hr_state_names[s]);
    hr_printf(b, "<a class=\"card\" href=\"#state=triaged\"><b id=\"count-triaged\">%zu</b>"
                 "triaged</a></div>\n",
              r->ntriaged);
    hr_puts(b, "<p class=\"meta\">new + unchanged + not compared are the run's findings "
               "(suppressed ones left out); fixed are the comparison's findings the run no longer "
               "has; not compared are findings in files the other side did not analyse; triaged "
               "counts the run's findings with a triage decision (they are also in their state).");
    if (r->not_compared_base)
        hr_printf(b, " The comparison also has <span id=\"count-base-not-compared\">%zu</span> "
                     "findings in files this run did not analyse.",
                  r->not_compared_base);
    hr_puts(b, "</p>\n<h2>Trend</h2>\n");
    hr_trend_svg(b, r);
    hr_puts(b, "<h2>By rule</h2>\n");
    group_table(b, r, false);
    hr_puts(b, "<h2>By directory</h2>\n");
    group_table(b, r, true);
    hr_table_section(b, r, 1);
    runs_table(b, r);
    scripts(b);
    hr_page_end(b);
}

void hr_table_page(hr_buf *b, const hr_report *r, size_t page) {
    char title[96];
    snprintf(title, sizeof title, "tasklint report: run %lld, findings page %zu",
             (long long)r->run->id, page);
    hr_page_begin(b, title, "");
    hr_printf(b, "<h1>tasklint report: run %lld</h1>\n<p><a href=\"index.html\">Overview</a></p>\n",
              (long long)r->run->id);
    hr_table_section(b, r, page);
    scripts(b);
    hr_page_end(b);
}
