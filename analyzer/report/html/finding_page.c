/* finding_page.c - f/ID.html: one finding with its rule, message, state,
 * triage decision, the path steps (its notes), the source lines around each
 * location with those lines highlighted, and the rule's explanation (the
 * --explain text).  Source lines are shown only when the file still has the
 * content the run recorded (SHA-256 against the store's file set); else the
 * page says why not.  Files are read once per report (hr_sources). */
#include "report/html/html_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rule.h"
#include "store/fingerprint.h"
#include "store/hash.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define CONTEXT 3                  /* lines shown around each location */
#define MAX_SOURCE (32u << 20)     /* larger files are not shown */
#define MAX_CACHED 256             /* files kept read at once (pages come in path order) */

typedef struct {
    char *path;
    char *text;        /* NULL: not readable (why says why) */
    size_t len;
    char hash[65];
    size_t *line_at;   /* offsets of line starts (1-based index) */
    size_t nlines;
    const char *why;
} src_file;

struct hr_sources {
    tl_strmap index;   /* path -> index in files */
    src_file *files;
    size_t n, cap;
};

hr_sources *hr_sources_new(void) { return tl_xcalloc(1, sizeof(hr_sources)); }

static void forget_all(hr_sources *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->files[i].path);
        free(s->files[i].text);
        free(s->files[i].line_at);
    }
    s->n = 0;
    tl_strmap_clear(&s->index);
}

void hr_sources_free(hr_sources *s) {
    if (!s) return;
    forget_all(s);
    free(s->files);
    tl_strmap_free(&s->index);
    free(s);
}

static void read_source(src_file *f) {
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (fd < 0) {
        f->why = errno == ENOENT ? "the file no longer exists" : "the file cannot be read";
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_SOURCE) {
        f->why = "the file is not a regular file of a size shown here";
        close(fd);
        return;
    }
    f->text = tl_xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, f->text + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    f->len = got;
    f->text[got] = '\0';
    tl_store_sha256_hex(f->text, got, f->hash);
    size_t cap = 64;
    f->line_at = tl_xmalloc(cap * sizeof *f->line_at);
    f->line_at[0] = 0; /* unused: lines are 1-based */
    f->line_at[1] = 0;
    f->nlines = 1;
    for (size_t i = 0; i < got; i++)
        if (f->text[i] == '\n' && i + 1 < got) {
            if (f->nlines + 2 > cap) f->line_at = tl_xrealloc(f->line_at, (cap *= 2) * sizeof *f->line_at);
            f->line_at[++f->nlines] = i + 1;
        }
}

static src_file *source(hr_sources *s, const char *path) {
    size_t idx;
    if (tl_strmap_get(&s->index, path, &idx)) return &s->files[idx];
    /* the table is sorted by path, so a file's pages come together: the
       cache is emptied when full instead of holding every source of a large
       project (a file is then at worst read again for a later note) */
    if (s->n == MAX_CACHED) forget_all(s);
    if (s->n == s->cap) {
        /* the map borrows the path strings: grow by reallocating the array
           only, the strings stay where they are */
        s->cap = s->cap ? s->cap * 2 : 64;
        s->files = tl_xrealloc(s->files, s->cap * sizeof *s->files);
    }
    src_file *f = &s->files[s->n];
    memset(f, 0, sizeof *f);
    f->path = tl_xstrdup(path);
    read_source(f);
    tl_strmap_put(&s->index, f->path, s->n);
    s->n++;
    return f;
}

/* One location on the page: the finding itself (step 0) or a note. */
typedef struct {
    const char *file;
    unsigned line, col;
    const char *message;
    size_t step; /* 0: the finding */
} loc;

static void line_text(hr_buf *b, const src_file *f, unsigned line) {
    size_t start = f->line_at[line];
    size_t end = start;
    while (end < f->len && f->text[end] != '\n') end++;
    if (end > start && f->text[end - 1] == '\r') end--;
    hr_textn(b, f->text + start, end - start);
}

static int cmp_loc(const void *pa, const void *pb) {
    const loc *a = pa, *b = pb;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return a->step < b->step ? -1 : a->step > b->step;
}

/* The source of one file with the given locations (sorted by line). */
static void source_block(hr_buf *b, const hr_report *r, const hr_item *it, hr_sources *src,
                         const char *path, loc *ls, size_t n) {
    qsort(ls, n, sizeof *ls, cmp_loc);
    hr_puts(b, "<h3>");
    char *rel = r->opt->root && path[0] == '/' ? tl_fingerprint_relpath(path, r->opt->root)
                                                : tl_xstrdup(path);
    hr_text(b, rel);
    free(rel);
    hr_puts(b, "</h3>\n");
    const char *want = hr_recorded_hash(r, it, path);
    src_file *f = path[0] == '/' ? source(src, path) : NULL;
    const char *why = NULL;
    if (!want) why = "the store has no record of this file's content";
    else if (!f) why = "the path is not absolute";
    else if (!f->text) why = f->why;
    else if (strcmp(f->hash, want) != 0)
        why = "the file has changed since the run analysed it (its content hash differs)";
    if (why) {
        hr_puts(b, "<p class=\"nosource\">Source not shown: ");
        hr_puts(b, why);
        hr_puts(b, ".</p>\n<ul>");
        for (size_t i = 0; i < n; i++) {
            hr_printf(b, "<li>line %u: ", ls[i].line);
            hr_text(b, ls[i].message);
            hr_puts(b, "</li>");
        }
        hr_puts(b, "</ul>\n");
        return;
    }
    hr_puts(b, "<table class=\"src\">\n");
    size_t i = 0;
    while (i < n) {
        /* a window: from the first location's context to the last one whose
           context touches it */
        unsigned from = ls[i].line > CONTEXT ? ls[i].line - CONTEXT : 1;
        unsigned to = ls[i].line + CONTEXT;
        size_t j = i + 1;
        while (j < n && ls[j].line <= to + CONTEXT + 1) to = ls[j++].line + CONTEXT;
        if (to > f->nlines) to = (unsigned)f->nlines;
        if (from > to) from = to;
        if (i) hr_puts(b, "<tr><td class=\"ln\">&#8942;</td><td></td></tr>\n");
        size_t k = i;
        for (unsigned line = from; line <= to && line >= 1; line++) {
            bool hit = false, primary = false;
            for (size_t m = i; m < j; m++)
                if (ls[m].line == line) {
                    hit = true;
                    primary |= ls[m].step == 0;
                }
            hr_printf(b, "<tr%s id=\"L%u\"><td class=\"ln\">%u</td><td>",
                      primary ? " class=\"primary\"" : hit ? " class=\"hit\"" : "", line, line);
            line_text(b, f, line);
            hr_puts(b, "</td></tr>\n");
            for (; k < j && ls[k].line == line; k++) {
                hr_puts(b, "<tr class=\"note\"><td class=\"ln\"></td><td>");
                if (ls[k].step) hr_printf(b, "step %zu: ", ls[k].step);
                else hr_puts(b, "&#9650; ");
                hr_text(b, ls[k].message);
                hr_puts(b, "</td></tr>\n");
            }
        }
        i = j;
    }
    hr_puts(b, "</table>\n");
}

static void explanation(hr_buf *b, const char *id) {
    const tl_rule *rule = id ? tl_rule_find(id) : NULL;
    const tl_pseudo_rule *p = id ? tl_pseudo_rule_find(id) : NULL;
    hr_puts(b, "<h2>About the rule</h2>\n<div class=\"doc\" id=\"explain\">");
    if (rule) {
        hr_printf(b, "# %s (%s)\n\n", rule->id, rule->name);
        hr_text(b, rule->summary);
        hr_puts(b, "\n\n");
        hr_text_lines(b, rule->doc);
    } else if (p) {
        hr_printf(b, "# %s (%s)\n\nPseudo-rule: ", p->id, p->name);
        hr_text(b, p->summary);
        hr_puts(b, "\n\n");
        hr_text_lines(b, p->doc);
    } else {
        hr_puts(b, "This tasklint does not know the rule.");
    }
    hr_puts(b, "</div>\n");
}


/* One step of a finding's path: "FILE:LINE: message" (FILE relative to the
 * report's root). */
static void path_step(hr_buf *b, const hr_report *r, const char *file, unsigned line, const char *message) {
    if (file) {
        char *rel = r->opt->root && file[0] == '/' ? tl_fingerprint_relpath(file, r->opt->root) : tl_xstrdup(file);
        hr_text(b, rel);
        free(rel);
        hr_printf(b, ":%u: ", line);
    }
    hr_text(b, message);
}
void hr_finding_page(hr_buf *b, const hr_report *r, const hr_item *it, hr_sources *src) {
    const tl_finding *f = it->f;
    char title[96];
    snprintf(title, sizeof title, "tasklint finding %zu", it->id);
    hr_page_begin(b, title, "../");
    size_t page = (it->id - 1) / HR_PAGE_ROWS + 1;
    hr_puts(b, "<p><a href=\"../index.html\">Overview</a> &middot; <a href=\"../");
    if (page == 1) hr_puts(b, "index.html");
    else hr_printf(b, "table-%zu.html", page);
    hr_puts(b, "#findings\">Table</a>");
    if (it->id > 1) hr_printf(b, " &middot; <a href=\"%zu.html\">previous</a>", it->id - 1);
    if (it->id < r->nitems) hr_printf(b, " &middot; <a href=\"%zu.html\">next</a>", it->id + 1);
    hr_puts(b, "</p>\n<h1>");
    hr_text(b, f->rule);
    hr_puts(b, ": ");
    hr_text(b, f->message);
    hr_puts(b, "</h1>\n<table id=\"facts\">\n<tr><th>Location</th><td id=\"location\">");
    hr_text(b, it->rel);
    if (f->line) hr_printf(b, ":%u:%u", f->line, f->col);
    hr_puts(b, "</td></tr>\n<tr><th>Function</th><td>");
    hr_text(b, f->function);
    hr_printf(b, "</td></tr>\n<tr><th>Severity</th><td>%s</td></tr>\n"
                 "<tr><th>State</th><td id=\"state\" class=\"s-%s\">%s</td></tr>\n"
                 "<tr><th>Triage</th><td id=\"triage\">",
              tl_severity_name(f->severity), hr_state_names[it->state], hr_state_names[it->state]);
    if (f->triage > 0) {
        hr_text(b, tl_triage_name((tl_triage_state)f->triage));
        hr_puts(b, ": ");
        hr_text(b, f->triage_reason);
    } else {
        hr_puts(b, "none (<code>tasklint triage FINGERPRINT STATE REASON</code> records one)");
    }
    hr_puts(b, "</td></tr>\n<tr><th>Fingerprint</th><td><code>");
    hr_text(b, f->fingerprint);
    hr_puts(b, "</code></td></tr>\n</table>\n");
    if (it->state == HR_FIXED)
        hr_puts(b, "<p>This finding is in the comparison but not in this run; the source below is "
                   "checked against what the comparison run recorded.</p>\n");

    /* the path steps in the order they run (the steps before the finding,
       the finding itself when any come before it, then the others), then
       the source of each file they touch */
    if (f->nnotes) {
        long *path = tl_xmalloc((f->nnotes + 1) * sizeof *path);
        tl_finding_path(f, path);
        hr_puts(b, "<h2>Path</h2>\n<ol id=\"steps\">");
        for (size_t k = path[0] < 0 ? 1 : 0; k <= f->nnotes; k++) { /* the finding: when a step precedes it */
            const tl_note *n = path[k] >= 0 ? &f->notes[path[k]] : NULL;
            hr_puts(b, n ? "<li>" : "<li class=\"here\">");
            if (n) path_step(b, r, n->file ? n->file : f->file, n->line, n->message);
            else path_step(b, r, f->file, f->line, f->message);
            hr_puts(b, "</li>");
        }
        free(path);
        hr_puts(b, "</ol>\n");
    }
    hr_puts(b, "<h2>Source</h2>\n");
    size_t nl = f->nnotes + 1;
    loc *ls = tl_xcalloc(nl, sizeof *ls);
    ls[0] = (loc){f->file, f->line, f->col, f->message, 0};
    for (size_t i = 0; i < f->nnotes; i++)
        ls[i + 1] = (loc){f->notes[i].file ? f->notes[i].file : f->file, f->notes[i].line,
                          f->notes[i].col, f->notes[i].message, i + 1};
    /* group the locations by file, in order of first appearance (notes are
       few: quadratic in them is fine) */
    bool *done = tl_xcalloc(nl, sizeof *done);
    loc *group = tl_xcalloc(nl, sizeof *group);
    for (size_t i = 0; i < nl; i++) {
        if (done[i] || !ls[i].file || !ls[i].line) continue;
        size_t ng = 0;
        for (size_t j = i; j < nl; j++)
            if (!done[j] && ls[j].file && ls[j].line && !strcmp(ls[j].file, ls[i].file)) {
                group[ng++] = ls[j];
                done[j] = true;
            }
        source_block(b, r, it, src, ls[i].file, group, ng);
    }
    if (!f->file || !f->line) hr_puts(b, "<p class=\"nosource\">The finding has no location.</p>\n");
    free(group);
    free(done);
    free(ls);
    explanation(b, f->rule);
    hr_page_end(b);
}
