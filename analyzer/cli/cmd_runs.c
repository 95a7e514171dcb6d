/* cmd_runs.c - `tasklint runs`: the recorded runs, newest first, with their
 * status, commit, how many TUs were carried over and counts per rule.  The
 * store is opened read-only; what it holds is printed escaped (a store can
 * come with a checkout). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

static const char *status_name(tl_run_status s) {
    switch (s) {
    case TL_RUN_RUNNING: return "running";
    case TL_RUN_COMPLETE: return "complete";
    case TL_RUN_FAILED: return "failed";
    }
    return "?";
}

int tl_cmd_runs(const tl_cli_options *o) {
    if (o->no_db) {
        fprintf(stderr, "tasklint: error: runs: needs the findings store (not --no-db)\n");
        return 2;
    }
    if (o->npaths) {
        fprintf(stderr, "tasklint: error: runs: unexpected argument '%s'\n", o->paths[0]);
        return 2;
    }
    char *root = tl_cli_root_for(".");
    tl_store *s = NULL;
    int rc = tl_cli_store_open_readonly(o, root, &s);
    free(root);
    if (rc) return rc;
    tl_run *runs = NULL;
    size_t n = 0;
    tl_store_error e;
    memset(&e, 0, sizeof e);
    if (tl_store_runs(s, 0, &runs, &n, &e) != 0) {
        tl_cli_store_report(&e, o->db_path ? o->db_path : "the findings store");
        tl_store_close(s);
        return 2;
    }
    if (n == 0) {
        printf("no runs recorded yet\n");
    } else {
        printf("%5s  %-8s  %-20s  %-12s %6s %6s %8s  %s\n", "RUN", "STATUS", "STARTED", "COMMIT",
               "FILES", "REUSED", "FINDINGS", "BY RULE");
    }
    for (size_t i = 0; i < n; i++) {
        const tl_run *r = &runs[i];
        char commit[13] = "-";
        if (r->git_commit && *r->git_commit) snprintf(commit, sizeof commit, "%.12s", r->git_commit);
        char *started = tl_term_escape(r->started[0] ? r->started : "-");
        char *commit_shown = tl_term_escape(commit);
        printf("%5lld  %-8s  %-20s  %-12s %6d %6d %8d  ", (long long)r->id, status_name(r->status),
               started, commit_shown, r->nfiles, r->nreused, r->nfindings);
        free(started);
        free(commit_shown);
        char **rules = NULL;
        int *counts = NULL;
        size_t nr = 0;
        memset(&e, 0, sizeof e);
        if (tl_store_run_rule_counts(s, r->id, &rules, &counts, &nr, &e) == 0) {
            for (size_t k = 0; k < nr; k++) {
                if (k) putchar(' ');
                tl_term_puts(stdout, rules[k]);
                printf("=%d", counts[k]);
            }
            if (nr == 0) printf("-");
            for (size_t k = 0; k < nr; k++) free(rules[k]);
            free(rules);
            free(counts);
        }
        if (r->git_branch && *r->git_branch) {
            fputs("  [", stdout);
            tl_term_puts(stdout, r->git_branch);
            putchar(']');
        }
        putchar('\n');
        if (o->verbose && r->command_line) {
            fputs("       ", stdout);
            tl_term_puts(stdout, r->command_line);
            putchar('\n');
        }
    }
    tl_runs_free(runs, n);
    tl_store_close(s);
    return 0;
}
