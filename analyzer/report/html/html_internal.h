/* html_internal.h - what the report's pieces share: the text buffer and its
 * escapers, the output directory, and the data model (one item per finding
 * in the table, with its state against the comparison). */
#ifndef TL_HTML_INTERNAL_H
#define TL_HTML_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/html/html_report.h"

/* ---- text buffer (html_util.c) ---- */
typedef struct {
    char *buf;
    size_t len, cap;
} hr_buf;

void hr_puts(hr_buf *b, const char *s); /* raw: only for our own markup */
void hr_putn(hr_buf *b, const char *s, size_t n);
void hr_printf(hr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text from the store or the sources as HTML text or attribute value:
   control characters and invalid UTF-8 shown as \xNN (term_escape.h),
   then & < > " ' as character references.  NULL writes nothing. */
void hr_text(hr_buf *b, const char *s);
void hr_textn(hr_buf *b, const char *s, size_t n);
/* The same, keeping its newlines (documentation text). */
void hr_text_lines(hr_buf *b, const char *s);
/* The same text as a JavaScript string literal (with the quotes); < > &
   and U+2028/9 as \u escapes, so it is inert even inside a script element. */
void hr_js_string(hr_buf *b, const char *s);
void hr_buf_free(hr_buf *b);

/* ---- the output directory (html_util.c) ---- */
typedef struct {
    char *dir;      /* as given */
    char err[512];
} hr_out;

/* Creates DIR (and DIR/f) when missing; refuses a DIR/f that is not a
   directory (a symbolic link).  0 or -1 with o->err. */
int hr_out_open(hr_out *o, const char *dir);
/* Writes DIR/NAME atomically (NAME is ours: "index.html", "f/12.html"),
   without an fsync each: hr_out_sync makes them all durable at the end. */
int hr_out_write(hr_out *o, const char *name, const hr_buf *b);
int hr_out_sync(hr_out *o);
void hr_out_close(hr_out *o);

/* ---- the data model (html_data.c) ---- */
typedef enum { HR_NEW = 0, HR_UNCHANGED, HR_FIXED, HR_NOT_COMPARED, HR__NSTATES } hr_state;
extern const char *const hr_state_names[HR__NSTATES];

typedef struct {
    const tl_finding *f;
    hr_state state;
    char *rel;     /* path relative to the root (or as recorded) */
    char *dir;     /* its directory ("." at the top) */
    size_t id;     /* page f/ID.html, 1-based, order of the table */
} hr_item;

typedef struct {
    int64_t run;              /* the trend point's run */
    char started[32];
    char **rules;
    int *counts;
    size_t nrules;
    int total;
} hr_point;

typedef struct {
    char **paths, **hashes;   /* sorted by path */
    size_t n;
} hr_filemap;

typedef struct {
    const tl_html_options *opt;
    tl_store *store;
    tl_run *runs;             /* every run, newest first */
    size_t nruns;
    const tl_run *run;        /* the one reported */
    int64_t base_run;         /* the run compared with (0: a baseline file or none) */
    char *base_label;         /* what it is compared with */
    tl_diff diff;             /* new, fixed, unchanged (like `tasklint diff`) */
    tl_findings only_cur;     /* in files the comparison did not analyse */
    size_t not_compared_base; /* comparison findings in files the run did not analyse */
    hr_item *items;           /* the table: new, unchanged, not compared, fixed */
    size_t nitems;
    size_t counts[HR__NSTATES];
    size_t ntriaged;          /* findings of the run with a triage decision */
    hr_point *trend;          /* complete runs, oldest first */
    size_t ntrend;
    hr_filemap files, base_files; /* the hashes each run recorded */
} hr_report;

int hr_load(hr_report *r, tl_store *s, const tl_html_options *o, char *err, size_t errsz);
void hr_free(hr_report *r);
/* The hash the run (or, for a fixed finding, the comparison run) recorded
   for a file, or NULL. */
const char *hr_recorded_hash(const hr_report *r, const hr_item *it, const char *path);

/* ---- pages ---- */
#define HR_PAGE_ROWS 500
/* html_util.c: <!DOCTYPE html>, head (title, PREFIXstyle.css), body open;
   and the end.  hr_css is style.css. */
void hr_page_begin(hr_buf *b, const char *title, const char *prefix);
extern const char hr_css[];
void hr_page_end(hr_buf *b);
/* svg_chart.c: the trend of findings per rule as an inline <svg> */
void hr_trend_svg(hr_buf *b, const hr_report *r);
/* table.c: the rows of one page, the pager, data.js and app.js */
size_t hr_table_pages(const hr_report *r);
void hr_table_section(hr_buf *b, const hr_report *r, size_t page);
void hr_data_js(hr_buf *b, const hr_report *r);
extern const char hr_app_js[];
/* overview.c: index.html (overview + chart + table page 1), table-N.html */
void hr_overview_page(hr_buf *b, const hr_report *r);
void hr_table_page(hr_buf *b, const hr_report *r, size_t page);
/* finding_page.c: f/ID.html; `src` caches source files across pages */
typedef struct hr_sources hr_sources;
hr_sources *hr_sources_new(void);
void hr_sources_free(hr_sources *s);
void hr_finding_page(hr_buf *b, const hr_report *r, const hr_item *it, hr_sources *src);

#endif
