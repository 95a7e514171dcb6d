/* text_output.c - gcc/clang style findings, caret lines, colour, summary.
 * Everything that comes from the analysed tree (file names, source lines,
 * messages, notes) is printed through util/term_escape.h: the only escape
 * sequences in the output are tasklint's own colours. */
#include "report/text_output.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/read_file.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_WARNING "\033[1;35m"
#define C_ERROR "\033[1;31m"
#define C_NOTE "\033[1;36m"
#define C_CARET "\033[1;32m"

int tl_color_mode_parse(const char *s, tl_color_mode *out) {
    if (!s) return -1;
    if (!strcmp(s, "auto") || !strcmp(s, "tty") || !strcmp(s, "if-tty")) *out = TL_COLOR_AUTO;
    else if (!strcmp(s, "always") || !strcmp(s, "yes") || !strcmp(s, "force"))
        *out = TL_COLOR_ALWAYS;
    else if (!strcmp(s, "never") || !strcmp(s, "no") || !strcmp(s, "none"))
        *out = TL_COLOR_NEVER;
    else return -1;
    return 0;
}

bool tl_color_enabled(tl_color_mode mode, FILE *stream) {
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false; /* NO_COLOR wins over everything, --color=always included */
    if (mode == TL_COLOR_ALWAYS) return true;
    if (mode == TL_COLOR_NEVER) return false;
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb")) return false;
    int fd = stream ? fileno(stream) : -1;
    return fd >= 0 && isatty(fd);
}

/* ---- source cache ---- */

#define CACHE_FILES 8

typedef struct {
    char *file;
    char *text;     /* NULL: could not be read */
    size_t len;
    size_t *starts; /* line start offsets */
    size_t nlines;
    bool pinned;    /* provided with tl_source_cache_put: never evicted */
    unsigned long stamp;
} cached_file;

struct tl_source_cache {
    cached_file *files;
    size_t n, cap;
    unsigned long clock;
};

tl_source_cache *tl_source_cache_new(void) { return tl_xcalloc(1, sizeof(tl_source_cache)); }

static void cached_free(cached_file *f) {
    free(f->file);
    free(f->text);
    free(f->starts);
    memset(f, 0, sizeof *f);
}

void tl_source_cache_free(tl_source_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) cached_free(&c->files[i]);
    free(c->files);
    free(c);
}

static void index_lines(cached_file *f) {
    size_t cap = 64;
    f->starts = tl_xmalloc(cap * sizeof *f->starts);
    f->nlines = 0;
    if (!f->text) return;
    f->starts[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n' && i + 1 < f->len) {
            if (f->nlines == cap) {
                cap *= 2;
                f->starts = tl_xrealloc(f->starts, cap * sizeof *f->starts);
            }
            f->starts[f->nlines++] = i + 1;
        }
}

static cached_file *slot_for(tl_source_cache *c, const char *file) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->files[i].file, file)) return &c->files[i];
    size_t unpinned = 0;
    for (size_t i = 0; i < c->n; i++) unpinned += !c->files[i].pinned;
    if (unpinned >= CACHE_FILES) { /* evict the least recently used */
        cached_file *old = NULL;
        for (size_t i = 0; i < c->n; i++)
            if (!c->files[i].pinned && (!old || c->files[i].stamp < old->stamp))
                old = &c->files[i];
        cached_free(old);
        return old;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->files = tl_xrealloc(c->files, c->cap * sizeof *c->files);
    }
    cached_file *f = &c->files[c->n++];
    memset(f, 0, sizeof *f);
    return f;
}

void tl_source_cache_put(tl_source_cache *c, const char *file, const char *text, size_t len) {
    cached_file *f = slot_for(c, file);
    if (f->file) cached_free(f);
    f->file = tl_xstrdup(file);
    f->text = tl_xmalloc(len + 1);
    memcpy(f->text, text, len);
    f->text[len] = 0;
    f->len = len;
    f->pinned = true;
    f->stamp = ++c->clock;
    index_lines(f);
}

const char *tl_source_cache_line(tl_source_cache *c, const char *file, unsigned line,
                                 size_t *len) {
    if (!c || !file || !*file || line == 0) return NULL;
    cached_file *f = slot_for(c, file);
    if (!f->file) {
        f->file = tl_xstrdup(file);
        f->text = tl_read_file(file, &f->len);
        index_lines(f);
    }
    f->stamp = ++c->clock;
    if (!f->text || line > f->nlines) return NULL;
    size_t start = f->starts[line - 1];
    size_t end = start;
    while (end < f->len && f->text[end] != '\n') end++;
    if (end > start && f->text[end - 1] == '\r') end--;
    *len = end - start;
    return f->text + start;
}

const char *tl_source_cache_text(tl_source_cache *c, const char *file, size_t *len) {
    size_t n;
    if (!tl_source_cache_line(c, file, 1, &n)) return NULL; /* loads it */
    cached_file *f = slot_for(c, file);
    *len = f->len;
    return f->text;
}

/* ---- findings ---- */

static void put_location(FILE *out, const char *file, unsigned line, unsigned col, bool color) {
    if (color) fputs(C_BOLD, out);
    if (file && *file) tl_term_puts(out, file);
    else fputs("<unknown>", out);
    if (line) {
        fprintf(out, ":%u", line);
        if (col) fprintf(out, ":%u", col);
    }
    fputs(":", out);
    if (color) fputs(C_RESET, out);
    fputc(' ', out);
}

static void put_source(FILE *out, const char *file, unsigned line, unsigned col,
                       const tl_text_options *o) {
    size_t len;
    const char *text = tl_source_cache_line(o->sources, file, line, &len);
    if (!text) return;
    tl_term_write(out, text, len);
    fputc('\n', out);
    if (!col) return;
    /* the caret under byte column col of the line as printed: a tab under a
       tab, one column per character, as many as an escape takes (\x1b) */
    size_t i = 0;
    while (i + 1 < col && i < len) {
        tl_term_unit u;
        tl_term_next(text, len, i, &u);
        if (text[i] == '\t') fputc('\t', out);
        else
            for (unsigned k = 0; k < u.columns; k++) fputc(' ', out);
        i += u.nbytes;
    }
    for (; i + 1 < col; i++) fputc(' ', out); /* past the end of the line */
    if (o->color) fputs(C_CARET, out);
    fputc('^', out);
    if (o->color) fputs(C_RESET, out);
    fputc('\n', out);
}

void tl_text_print_finding(FILE *out, const tl_finding *f, const tl_text_options *o) {
    static const tl_text_options none = {false, NULL};
    if (!o) o = &none;
    put_location(out, f->file, f->line, f->col, o->color);
    const char *sev = tl_severity_name(f->severity);
    if (o->color)
        fprintf(out, "%s%s:%s " C_BOLD,
                f->severity == TL_SEV_ERROR ? C_ERROR
                : f->severity == TL_SEV_NOTE ? C_NOTE : C_WARNING,
                sev, C_RESET);
    else
        fprintf(out, "%s: ", sev);
    tl_term_puts(out, f->message);
    fputs(" [", out);
    tl_term_puts(out, f->rule);
    fputs(o->color ? "]" C_RESET "\n" : "]\n", out);
    put_source(out, f->file, f->line, f->col, o);
    for (size_t i = 0; i < f->nnotes; i++) {
        const tl_note *n = &f->notes[i];
        if (n->file && *n->file) put_location(out, n->file, n->line, n->col, o->color);
        fputs(o->color ? C_NOTE "note:" C_RESET " " : "note: ", out);
        tl_term_puts(out, n->message);
        fputc('\n', out);
    }
}

size_t tl_text_print_findings(FILE *out, const tl_findings *fs, const tl_text_options *o) {
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++) {
        if (fs->items[i].suppressed) continue;
        tl_text_print_finding(out, &fs->items[i], o);
        n++;
    }
    return n;
}

/* ---- summary ---- */

void tl_summary_init(tl_summary *s) { memset(s, 0, sizeof *s); }

void tl_summary_free(tl_summary *s) {
    for (size_t i = 0; i < s->nfiles; i++) free(s->files[i]);
    free(s->files);
    tl_summary_init(s);
}

void tl_summary_add(tl_summary *s, const tl_findings *fs) {
    for (size_t i = 0; i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        if (f->suppressed) {
            s->suppressed++;
            continue;
        }
        switch (f->severity) {
        case TL_SEV_ERROR: s->errors++; break;
        case TL_SEV_WARNING: s->warnings++; break;
        case TL_SEV_NOTE: s->notes++; break;
        }
        const char *file = f->file ? f->file : "";
        bool seen = false;
        for (size_t k = s->nfiles; k-- > 0 && !seen;) seen = !strcmp(s->files[k], file);
        if (seen) continue;
        if (s->nfiles == s->capfiles) {
            s->capfiles = s->capfiles ? s->capfiles * 2 : 16;
            s->files = tl_xrealloc(s->files, s->capfiles * sizeof *s->files);
        }
        s->files[s->nfiles++] = tl_xstrdup(file);
    }
}

static void count(FILE *out, size_t n, const char *what, bool *first) {
    if (!n) return;
    if (!*first) fputs(" and ", out);
    fprintf(out, "%zu %s%s", n, what, n == 1 ? "" : "s");
    *first = false;
}

void tl_text_print_summary(FILE *out, const tl_summary *s) {
    bool first = true;
    count(out, s->warnings, "warning", &first);
    count(out, s->errors, "error", &first);
    count(out, s->notes, "note", &first);
    if (first) fputs("no findings", out);
    else fprintf(out, " in %zu file%s", s->nfiles, s->nfiles == 1 ? "" : "s");
    fprintf(out, " (%zu file%s analysed", s->files_analysed, s->files_analysed == 1 ? "" : "s");
    if (s->files_failed) fprintf(out, ", %zu failed", s->files_failed);
    if (s->suppressed) fprintf(out, ", %zu suppressed", s->suppressed);
    fputs(").\n", out);
}
