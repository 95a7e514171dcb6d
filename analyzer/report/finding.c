/* finding.c - finding lists: append, notes, merge, sort. */
#include "report/finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static char *dup_or_null(const char *s) { return s ? tl_xstrdup(s) : NULL; }

void tl_findings_init(tl_findings *fs) {
    fs->items = NULL;
    fs->n = fs->cap = 0;
}

void tl_finding_free_fields(tl_finding *f) {
    free(f->rule);
    free(f->file);
    free(f->function);
    free(f->message);
    free(f->snippet);
    free(f->fingerprint);
    free(f->triage_reason);
    for (size_t i = 0; i < f->nnotes; i++) {
        free(f->notes[i].file);
        free(f->notes[i].message);
    }
    free(f->notes);
}

void tl_findings_free(tl_findings *fs) {
    for (size_t i = 0; i < fs->n; i++) tl_finding_free_fields(&fs->items[i]);
    free(fs->items);
    tl_findings_init(fs);
}

static tl_finding *grow(tl_findings *fs) {
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 8;
        fs->items = tl_xrealloc(fs->items, fs->cap * sizeof *fs->items);
    }
    tl_finding *f = &fs->items[fs->n++];
    memset(f, 0, sizeof *f);
    return f;
}

tl_finding *tl_findings_add(tl_findings *fs, const char *rule, tl_severity sev,
                            const char *file, unsigned line, unsigned col,
                            const char *function, const char *message) {
    tl_finding *f = grow(fs);
    f->rule = tl_xstrdup(rule ? rule : "");
    f->severity = sev;
    f->file = tl_xstrdup(file ? file : "");
    f->line = line;
    f->col = col;
    f->function = dup_or_null(function);
    f->message = tl_xstrdup(message ? message : "");
    return f;
}

tl_finding *tl_findings_addf(tl_findings *fs, const char *rule, tl_severity sev,
                             const char *file, unsigned line, unsigned col,
                             const char *function, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int r = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (r < 0) msg = NULL;
    tl_finding *f = tl_findings_add(fs, rule, sev, file, line, col, function,
                                    msg ? msg : fmt);
    free(msg);
    return f;
}

void tl_finding_add_note(tl_finding *f, const char *file, unsigned line,
                         unsigned col, const char *message) {
    f->notes = tl_xrealloc(f->notes, (f->nnotes + 1) * sizeof *f->notes);
    tl_note *n = &f->notes[f->nnotes++];
    n->file = dup_or_null(file);
    n->line = line;
    n->col = col;
    n->message = tl_xstrdup(message ? message : "");
    n->before = false;
}

void tl_finding_path(const tl_finding *f, long *steps) {
    size_t k = 0;
    for (size_t i = 0; i < f->nnotes; i++)
        if (f->notes[i].before) steps[k++] = (long)i;
    steps[k++] = -1;
    for (size_t i = 0; i < f->nnotes; i++)
        if (!f->notes[i].before) steps[k++] = (long)i;
}

void tl_finding_add_note_before(tl_finding *f, const char *file, unsigned line,
                                unsigned col, const char *message) {
    tl_finding_add_note(f, file, line, col, message);
    f->notes[f->nnotes - 1].before = true;
}

void tl_finding_set_snippet(tl_finding *f, const char *snippet) {
    free(f->snippet);
    f->snippet = dup_or_null(snippet);
}

void tl_finding_set_fingerprint(tl_finding *f, const char *fingerprint) {
    free(f->fingerprint);
    f->fingerprint = dup_or_null(fingerprint);
}

void tl_finding_set_triage(tl_finding *f, int triage, const char *reason) {
    f->triage = triage;
    free(f->triage_reason);
    f->triage_reason = dup_or_null(reason);
}

tl_finding *tl_findings_add_copy(tl_findings *fs, const tl_finding *src) {
    tl_finding *f = tl_findings_add(fs, src->rule, src->severity, src->file, src->line, src->col,
                                    src->function, src->message);
    for (size_t i = 0; i < src->nnotes; i++) {
        tl_finding_add_note(f, src->notes[i].file, src->notes[i].line, src->notes[i].col,
                            src->notes[i].message);
        f->notes[i].before = src->notes[i].before;
    }
    tl_finding_set_snippet(f, src->snippet);
    tl_finding_set_fingerprint(f, src->fingerprint);
    tl_finding_set_triage(f, src->triage, src->triage_reason);
    f->suppressed = src->suppressed;
    f->baseline_state = src->baseline_state;
    return f;
}

void tl_findings_move(tl_findings *dst, tl_findings *src) {
    if (src->n == 0) return;
    if (dst->n + src->n > dst->cap) {
        size_t cap = dst->cap ? dst->cap : 8;
        while (cap < dst->n + src->n) cap *= 2;
        dst->items = tl_xrealloc(dst->items, cap * sizeof *dst->items);
        dst->cap = cap;
    }
    memcpy(dst->items + dst->n, src->items, src->n * sizeof *src->items);
    dst->n += src->n;
    free(src->items);
    tl_findings_init(src);
}

static int strcmp_null(const char *a, const char *b) {
    if (a == b) return 0;
    if (!a) return -1;
    if (!b) return 1;
    return strcmp(a, b);
}

/* The documented order: file, line, col, rule, message; then the remaining
   fields as tie-breakers so the order is total (output is deterministic
   whatever order the rules reported in). */
static int cmp_finding(const void *pa, const void *pb) {
    const tl_finding *a = pa, *b = pb;
    int c = strcmp_null(a->file, b->file);
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    if ((c = strcmp_null(a->rule, b->rule))) return c;
    if ((c = strcmp_null(a->message, b->message))) return c;
    if (a->severity != b->severity) return a->severity < b->severity ? -1 : 1;
    if ((c = strcmp_null(a->function, b->function))) return c;
    if (a->nnotes != b->nnotes) return a->nnotes < b->nnotes ? -1 : 1;
    for (size_t i = 0; i < a->nnotes; i++) {
        const tl_note *x = &a->notes[i], *y = &b->notes[i];
        if ((c = strcmp_null(x->file, y->file))) return c;
        if (x->line != y->line) return x->line < y->line ? -1 : 1;
        if (x->col != y->col) return x->col < y->col ? -1 : 1;
        if ((c = strcmp_null(x->message, y->message))) return c;
        if (x->before != y->before) return x->before ? -1 : 1;
    }
    return 0;
}

/* Two findings the user could not tell apart (same place, rule and message)
   are one report, even when their path notes differ. */
static bool same_report(const tl_finding *a, const tl_finding *b) {
    return !strcmp_null(a->file, b->file) && a->line == b->line && a->col == b->col &&
           !strcmp_null(a->rule, b->rule) && !strcmp_null(a->message, b->message);
}

void tl_findings_sort(tl_findings *fs) {
    if (fs->n < 2) return;
    qsort(fs->items, fs->n, sizeof *fs->items, cmp_finding);
    size_t w = 1;
    for (size_t r = 1; r < fs->n; r++) {
        tl_finding *prev = &fs->items[w - 1], *cur = &fs->items[r];
        if (same_report(prev, cur)) {
            /* a duplicate: keep the first (with its notes); it is suppressed
               only if both are */
            prev->suppressed = prev->suppressed && cur->suppressed;
            tl_finding_free_fields(cur);
            continue;
        }
        if (w != r) fs->items[w] = *cur;
        w++;
    }
    fs->n = w;
}

const char *tl_severity_name(tl_severity s) {
    switch (s) {
    case TL_SEV_NOTE: return "note";
    case TL_SEV_WARNING: return "warning";
    case TL_SEV_ERROR: return "error";
    }
    return "warning";
}
