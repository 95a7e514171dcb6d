/* cmd_gc.c - `tasklint gc [--keep-runs N] [--keep-trend day|week|none]`
 * and the `keep_runs:` / `keep_trend:` settings of .tasklint.yaml, applied
 * after every run: the store keeps the newest N runs, the runs baselines
 * and triage decisions need, and one run per day (or week) for the trend
 * (store/gc.c), then gives the space back (VACUUM).  `gc` always vacuums;
 * after a run only when a quarter of the file is free. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/model.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

#define DEFAULT_KEEP_RUNS 20

/* The project config's keep_runs / keep_trend (0 when unset or unreadable:
   the analysis reports a config it cannot load). */
static void config_policy(const tl_cli_options *o, const char *root, int *keep, int *trend) {
    *keep = *trend = 0;
    if (o->opts.no_config && !o->opts.config_path) return;
    char *path = o->opts.config_path ? tl_xstrdup(o->opts.config_path) : tl_config_find(root);
    if (!path) return;
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    if (tl_models_load_config(&ms, path, &err) == 0) {
        *keep = ms.keep_runs;
        *trend = ms.keep_trend;
    }
    tl_models_free(&ms);
    free(path);
}

static tl_gc_trend trend_of(int v) {
    return v == 1 ? TL_GC_TREND_NONE : v == 3 ? TL_GC_TREND_WEEK : TL_GC_TREND_DAY;
}

static void print_result(const tl_gc_result *r) {
    fprintf(stderr,
            "tasklint: gc: kept %zu of %zu runs, dropped %zu; the store went from %lld to %lld "
            "bytes%s\n",
            r->runs_kept, r->runs_before, r->runs_deleted, (long long)r->bytes_before,
            (long long)r->bytes_after, r->vacuumed ? " (vacuumed)" : "");
}

int tl_cmd_gc(const tl_cli_options *o) {
    if (o->no_db) {
        fprintf(stderr, "tasklint: error: gc: needs the findings store (not --no-db)\n");
        return 2;
    }
    if (o->npaths) {
        char *shown = tl_term_escape(o->paths[0]);
        fprintf(stderr, "tasklint: error: gc: unexpected argument '%s'\n", shown);
        free(shown);
        return 2;
    }
    char *root = tl_cli_root_for(".");
    int ckeep, ctrend;
    config_policy(o, root, &ckeep, &ctrend);
    tl_gc_policy p = {
        .keep_last = o->keep_runs ? o->keep_runs : ckeep ? ckeep : DEFAULT_KEEP_RUNS,
        .trend = trend_of(o->keep_trend ? o->keep_trend : ctrend),
    };
    tl_store *s = NULL;
    int rc = tl_cli_store_open(o, root, false, &s);
    free(root);
    if (rc) return rc;
    tl_store_error e;
    memset(&e, 0, sizeof e);
    tl_gc_result res;
    if (tl_store_gc(s, &p, TL_GC_VACUUM_ALWAYS, &res, &e) != 0) {
        tl_cli_store_report(&e, o->db_path ? o->db_path : "the findings store");
        tl_store_close(s);
        return 2;
    }
    if (!o->quiet) print_result(&res);
    tl_store_close(s);
    return 0;
}

void tl_cli_gc_after_run(const tl_cli_options *o, tl_store *s, const char *root) {
    int keep, trend;
    config_policy(o, root, &keep, &trend);
    if (keep <= 0) return;
    tl_gc_policy p = {.keep_last = keep, .trend = trend_of(trend)};
    tl_store_error e;
    memset(&e, 0, sizeof e);
    tl_gc_result res;
    if (tl_store_gc(s, &p, TL_GC_VACUUM_IF_WORTH, &res, &e) != 0) {
        fputs("tasklint: warning: keep_runs: the old runs were not dropped: ", stderr);
        tl_term_puts(stderr, e.msg);
        fputc('\n', stderr);
        return;
    }
    if (o->verbose && res.runs_deleted) print_result(&res);
}
