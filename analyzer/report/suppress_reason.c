/* suppress_reason.c - the reason of the tasklint-ignore comment that
 * suppressed a finding (see suppress_reason.h). */
#include "report/suppress_reason.h"

#include <stdlib.h>
#include <string.h>

#include "report/suppress.h"
#include "util/xalloc.h"

struct tl_suppress_reasons {
    tl_source_cache *sources;
    tl_suppress_set set;          /* the suppressions of set.file */
    const tl_suppression **lines; /* one-line suppressions sorted by line */
    size_t nlines;
    const tl_suppression **spans; /* begin/end ranges and whole-file ones */
    size_t nspans;
};

tl_suppress_reasons *tl_suppress_reasons_new(tl_source_cache *sources) {
    tl_suppress_reasons *r = tl_xcalloc(1, sizeof *r);
    r->sources = sources;
    tl_suppress_init(&r->set);
    return r;
}

static void drop_file(tl_suppress_reasons *r) {
    tl_suppress_free(&r->set);
    free(r->lines);
    free(r->spans);
    r->lines = r->spans = NULL;
    r->nlines = r->nspans = 0;
}

void tl_suppress_reasons_free(tl_suppress_reasons *r) {
    if (!r) return;
    drop_file(r);
    free(r);
}

static int cmp_first(const void *a, const void *b) {
    const tl_suppression *x = *(const tl_suppression *const *)a;
    const tl_suppression *y = *(const tl_suppression *const *)b;
    return (x->first > y->first) - (x->first < y->first);
}

static void load_file(tl_suppress_reasons *r, const char *file) {
    drop_file(r);
    size_t len = 0;
    const char *text = tl_source_cache_text(r->sources, file, &len);
    tl_suppress_scan(&r->set, file, text, text ? len : 0);
    r->lines = tl_xmalloc((r->set.n + 1) * sizeof *r->lines);
    r->spans = tl_xmalloc((r->set.n + 1) * sizeof *r->spans);
    for (size_t k = 0; k < r->set.n; k++) {
        const tl_suppression *s = &r->set.items[k];
        if (s->first == s->last) r->lines[r->nlines++] = s;
        else r->spans[r->nspans++] = s;
    }
    qsort(r->lines, r->nlines, sizeof *r->lines, cmp_first);
}

static bool covers(const tl_suppression *s, const tl_finding *f) {
    if (f->line < s->first || f->line > s->last) return false;
    if (s->all) return true;
    for (size_t k = 0; k < s->nrules; k++)
        if (!strcmp(s->rules[k], f->rule)) return true;
    return false;
}

/* The comment covering f: a one-line one first, else the innermost range
 * (the last one that begins at or before f). */
static const tl_suppression *covering(const tl_suppress_reasons *r, const tl_finding *f) {
    size_t lo = 0, hi = r->nlines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->lines[mid]->first < f->line) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k < r->nlines && r->lines[k]->first == f->line; k++)
        if (covers(r->lines[k], f)) return r->lines[k];
    for (size_t k = r->nspans; k > 0; k--)
        if (covers(r->spans[k - 1], f)) return r->spans[k - 1];
    return NULL;
}

static bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

char *tl_suppress_reason_in_line(const char *line, size_t len, unsigned col) {
    if (!line || col == 0 || col > len) return NULL;
    size_t i = col - 1;
    while (i < len && line[i] != '(') i++;
    while (i < len && line[i] != ')') i++;
    if (i >= len) return NULL;
    i++;
    while (i < len && is_blank(line[i])) i++;
    if (i >= len || line[i] != ':') return NULL;
    i++;
    while (i < len && is_blank(line[i])) i++;
    size_t end = len;
    /* the reason ends at the comment's close or at the next directive */
    for (size_t k = i; k + 1 < end; k++)
        if (line[k] == '*' && line[k + 1] == '/') {
            end = k;
            break;
        }
    const char *next = NULL;
    for (size_t k = i; k + 15 <= end; k++)
        if (!memcmp(line + k, "tasklint-ignore", 15)) {
            next = line + k;
            break;
        }
    if (next) end = (size_t)(next - line);
    while (end > i && is_blank(line[end - 1])) end--;
    return end > i ? tl_xstrndup(line + i, end - i) : NULL;
}

char *tl_suppress_reasons_for(tl_suppress_reasons *r, const tl_finding *f) {
    if (!f->suppressed || !f->file || !*f->file || !f->rule) return NULL;
    if (!r->set.file || strcmp(r->set.file, f->file) != 0) load_file(r, f->file);
    const tl_suppression *s = covering(r, f);
    if (!s) return NULL;
    size_t len = 0;
    const char *line = tl_source_cache_line(r->sources, f->file, s->line, &len);
    return tl_suppress_reason_in_line(line, len, s->col);
}
