/* statistics.c - --statistics: how many findings each rule reported in a
 * run, printed after the summary line.  run.c adds every finding the
 * summary counts (unsuppressed, not triaged away); the counts are made by
 * sorting the rule ids at the end (n log n, one pointer per finding). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

void tl_rule_counts_add(tl_rule_counts *s, const char *rule) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->rules = tl_xrealloc(s->rules, s->cap * sizeof *s->rules);
    }
    s->rules[s->n++] = tl_xstrdup(rule ? rule : "");
}

void tl_rule_counts_free(tl_rule_counts *s) {
    for (size_t i = 0; i < s->n; i++) free(s->rules[i]);
    free(s->rules);
    memset(s, 0, sizeof *s);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    const char *rule;
    size_t count;
} rule_count;

/* most findings first, then by rule id */
static int by_count(const void *a, const void *b) {
    const rule_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

void tl_rule_counts_print(FILE *out, tl_rule_counts *s) {
    if (s->n == 0) {
        fputs("Findings by rule: none.\n", out);
        return;
    }
    qsort(s->rules, s->n, sizeof *s->rules, by_name);
    rule_count *counts = tl_xmalloc(s->n * sizeof *counts);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (n && !strcmp(counts[n - 1].rule, s->rules[i])) counts[n - 1].count++;
        else counts[n++] = (rule_count){s->rules[i], 1};
    }
    qsort(counts, n, sizeof *counts, by_count);
    fputs("Findings by rule:\n", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%7zu  ", counts[i].count);
        tl_term_puts(out, counts[i].rule);
        fputc('\n', out);
    }
    free(counts);
}
