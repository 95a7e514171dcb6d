/* cmd_report.c - `tasklint report --html DIR [--run RUN] [--baseline
 * NAME|FILE]`: the static HTML report of a run from the store
 * (analyzer/report/html; docs/report.md).  The store is opened read-only;
 * the states compare with the baseline when one is given, else with the
 * complete run before, as `tasklint diff` does. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/html/html_report.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

int tl_cmd_report(const tl_cli_options *o) {
    if (o->no_db) {
        fprintf(stderr, "tasklint: error: report: needs the findings store (not --no-db)\n");
        return 2;
    }
    if (o->npaths) {
        char *shown = tl_term_escape(o->paths[0]);
        fprintf(stderr, "tasklint: error: report: unexpected argument '%s'\n", shown);
        free(shown);
        return 2;
    }
    if (!o->html_dir) {
        fprintf(stderr, "tasklint: error: report: name the output directory with --html DIR\n");
        return 2;
    }
    int64_t run = 0;
    if (o->run && tl_cli_parse_run(o->run, &run) != 0) {
        char *shown = tl_term_escape(o->run);
        fprintf(stderr, "tasklint: error: report: '%s' is not a run number (see `tasklint runs`)\n",
                shown);
        free(shown);
        return 2;
    }
    char *root = tl_cli_root_for(".");
    tl_store *s = NULL;
    int rc = tl_cli_store_open_readonly(o, root, &s);
    if (rc) {
        free(root);
        return rc;
    }
    tl_findings base;
    tl_findings_init(&base);
    char *label = NULL;
    tl_html_options ho = {.dir = o->html_dir, .root = root, .run = run};
    if (o->baseline) {
        if ((rc = tl_cli_load_baseline(s, o->baseline, &base, &label))) goto out;
        ho.base = &base;
        ho.base_label = label;
        if (access(o->baseline, F_OK) != 0) ho.base_run = tl_store_baseline_run(s, o->baseline);
    }
    char err[600] = "";
    tl_html_summary sum;
    if (tl_html_report(s, &ho, &sum, err, sizeof err) != 0) {
        fputs("tasklint: error: report: ", stderr);
        tl_term_puts(stderr, err);
        fputc('\n', stderr);
        rc = 2;
        goto out;
    }
    if (!o->quiet) {
        fputs("tasklint: wrote ", stderr);
        tl_term_puts(stderr, o->html_dir);
        fprintf(stderr, "/index.html: run %lld, %zu findings in the table, %zu files\n",
                (long long)sum.run, sum.findings, sum.pages);
    }
    rc = 0;
out:
    tl_findings_free(&base);
    free(label);
    free(root);
    tl_store_close(s);
    return rc;
}
