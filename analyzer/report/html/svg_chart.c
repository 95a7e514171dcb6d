/* svg_chart.c - the trend chart: findings per rule over the complete runs
 * the store keeps (oldest left), drawn by tasklint as inline SVG (no
 * script, no library).  One line per rule and a dashed one for the total;
 * each point has a <title> (the browser's tooltip) with its run and count. */
#include "report/html/html_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define W 900
#define H 280
#define ML 56  /* margins: left (axis labels), right (legend), top, bottom */
#define MR 200
#define MT 12
#define MB 46

static const char *const palette[] = {"#d1242f", "#0969da", "#1a7f37", "#8250df",
                                      "#bc4c00", "#1b7c83", "#bf3989", "#6e7781"};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The smallest 1, 2 or 5 times a power of ten at or above v / 4. */
static int tick_step(int v) {
    int step = 1;
    for (;;) {
        if (step * 4 >= v) return step;
        if (step * 2 * 4 >= v) return step * 2;
        if (step * 5 * 4 >= v) return step * 5;
        step *= 10;
    }
}

static int count_of(const hr_point *p, const char *rule) {
    for (size_t i = 0; i < p->nrules; i++)
        if (!strcmp(p->rules[i], rule)) return p->counts[i];
    return 0;
}

static double px(size_t i, size_t n) {
    return n <= 1 ? ML + (W - ML - MR) / 2.0 : ML + (double)(W - ML - MR) * (double)i / (double)(n - 1);
}

void hr_trend_svg(hr_buf *b, const hr_report *r) {
    size_t n = r->ntrend;
    /* the rules of every point, sorted and distinct */
    size_t nr = 0, cap = 0;
    const char **rules = NULL;
    int ymax = 1;
    for (size_t i = 0; i < n; i++) {
        if (r->trend[i].total > ymax) ymax = r->trend[i].total;
        for (size_t k = 0; k < r->trend[i].nrules; k++) {
            if (nr == cap) {
                cap = cap ? cap * 2 : 8;
                rules = tl_xrealloc(rules, cap * sizeof *rules);
            }
            rules[nr++] = r->trend[i].rules[k];
        }
    }
    if (nr) qsort(rules, nr, sizeof *rules, cmp_str);
    size_t d = 0;
    for (size_t i = 0; i < nr; i++)
        if (!d || strcmp(rules[d - 1], rules[i])) rules[d++] = rules[i];
    nr = d;
    int step = tick_step(ymax);
    int top = (ymax + step - 1) / step * step;
    double plot_h = H - MT - MB;
#define PY(v) (MT + plot_h - plot_h * (double)(v) / (double)top)

    hr_printf(b, "<svg id=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                 "width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"trend-title\" "
                 "data-points=\"%zu\">\n",
              W, H, W, H, n);
    hr_printf(b, "<title id=\"trend-title\">Findings per rule over %zu recorded run%s</title>\n",
              n, n == 1 ? "" : "s");
    /* axes and grid */
    for (int v = 0; v <= top; v += step) {
        double y = PY(v);
        hr_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d8dee4\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
                  ML, y, W - MR, y, ML - 6, y + 4, v);
    }
    size_t every = n > 10 ? (n + 9) / 10 : 1;
    for (size_t i = 0; i < n; i++) {
        if (i % every && i != n - 1) continue;
        double x = px(i, n);
        hr_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">run %lld</text>"
                     "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"meta\">",
                  x, H - MB + 16, (long long)r->trend[i].run, x, H - MB + 30);
        hr_textn(b, r->trend[i].started, strnlen(r->trend[i].started, 10));
        hr_puts(b, "</text>\n");
    }
    if (n == 0)
        hr_printf(b, "<text x=\"%d\" y=\"%d\">no complete run recorded</text>\n", ML + 10,
                  MT + 20);
    /* one line per rule, then the total */
    for (size_t k = 0; k <= nr; k++) {
        const char *rule = k < nr ? rules[k] : NULL;
        const char *color = rule ? palette[k % (sizeof palette / sizeof *palette)] : "#1b1f24";
        hr_printf(b, "<g class=\"series\" data-rule=\"");
        hr_text(b, rule ? rule : "total");
        hr_printf(b, "\"><polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
                  color, rule ? "" : " stroke-dasharray=\"5 3\"");
        for (size_t i = 0; i < n; i++) {
            int v = rule ? count_of(&r->trend[i], rule) : r->trend[i].total;
            hr_printf(b, "%s%.1f,%.1f", i ? " " : "", px(i, n), PY(v));
        }
        hr_puts(b, "\"/>\n");
        for (size_t i = 0; n <= 200 && i < n; i++) {
            int v = rule ? count_of(&r->trend[i], rule) : r->trend[i].total;
            hr_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>run %lld ",
                      px(i, n), PY(v), color, (long long)r->trend[i].run);
            hr_text(b, r->trend[i].started);
            hr_puts(b, ": ");
            hr_text(b, rule ? rule : "total");
            hr_printf(b, " = %d</title></circle>\n", v);
        }
        /* legend */
        double ly = MT + 8 + 18.0 * (double)k;
        hr_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"3\"%s/><text x=\"%d\" y=\"%.1f\">",
                  W - MR + 14, ly, W - MR + 34, ly, color,
                  rule ? "" : " stroke-dasharray=\"5 3\"", W - MR + 40, ly + 4);
        hr_text(b, rule ? rule : "total");
        if (n) hr_printf(b, " (%d)", rule ? count_of(&r->trend[n - 1], rule) : r->trend[n - 1].total);
        hr_puts(b, "</text></g>\n");
    }
    hr_puts(b, "</svg>\n");
#undef PY
    free(rules);
}
