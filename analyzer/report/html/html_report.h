/* html_report.h - `tasklint report --html DIR`: a static site from the
 * findings store (docs/report.md).
 *
 * Self-contained (no network, works from file://): index.html with the
 * overview (counts per state, rule and directory), the trend chart (inline
 * SVG) and the first page of the findings table; table-N.html for the other
 * pages; data.js + app.js (sorting, filtering, paging over every finding);
 * style.css;
 * f/N.html, one page per finding with its source lines.  Every file is
 * written atomically (util/atomic_file.h), only inside DIR: a symbolic link
 * in the way is refused, and page names come from numbers, never from paths
 * in the store.  Everything from the store or the sources is escaped. */
#ifndef TL_HTML_REPORT_H
#define TL_HTML_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct {
    const char *dir;        /* output directory (created if missing) */
    const char *root;       /* project root: paths are shown relative to it */
    int64_t run;            /* the run reported (0: the newest complete one) */
    /* what "new / unchanged / fixed" compare with: a baseline's findings
       (when base_label is set), else the complete run before `run` */
    const tl_findings *base;
    const char *base_label; /* "baseline 'default' (run 3)" */
    int64_t base_run;       /* the run a baseline names (its files scope the
                               comparison like `tasklint diff`), or 0 */
} tl_html_options;

typedef struct {
    size_t findings, pages;      /* findings in the table, files written */
    int64_t run, base_run;
} tl_html_summary;

/* 0, or -1 with a message in err. */
int tl_html_report(tl_store *s, const tl_html_options *o, tl_html_summary *sum, char *err,
                   size_t errsz);

#endif
