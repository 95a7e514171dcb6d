/* cmd_baseline.c - `tasklint baseline set [RUN] [--name NAME]` names a run
 * as a baseline (default: the newest complete run, name "default");
 * `tasklint baseline export FILE [--run RUN | --baseline NAME]` writes its
 * fingerprints as a sorted text file that a team commits. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

/* Status of run `id`: -1 when there is no such run. */
static int run_status(tl_store *s, int64_t id, int *nfindings) {
    tl_run *runs = NULL;
    size_t n = 0;
    tl_store_error e;
    memset(&e, 0, sizeof e);
    int st = -1;
    if (tl_store_runs(s, 0, &runs, &n, &e) != 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (runs[i].id == id) {
            st = (int)runs[i].status;
            if (nfindings) *nfindings = runs[i].nfindings;
        }
    tl_runs_free(runs, n);
    return st;
}

static int64_t pick_run(tl_store *s, const char *arg, const char *what) {
    int64_t run = 0;
    if (arg) {
        if (tl_cli_parse_run(arg, &run) != 0) {
            fprintf(stderr, "tasklint: error: %s: '%s' is not a run number (see `tasklint runs`)\n",
                    what, arg);
            return -1;
        }
        int st = run_status(s, run, NULL);
        if (st < 0) {
            fprintf(stderr, "tasklint: error: %s: no run %lld in the store (see `tasklint runs`)\n",
                    what, (long long)run);
            return -1;
        }
        if (st != TL_RUN_COMPLETE) {
            fprintf(stderr,
                    "tasklint: error: %s: run %lld did not complete (%s); a baseline must be a "
                    "complete run\n",
                    what, (long long)run, st == TL_RUN_FAILED ? "failed" : "still running");
            return -1;
        }
        return run;
    }
    run = tl_store_last_complete_run(s, 0);
    if (run <= 0) {
        fprintf(stderr, "tasklint: error: %s: no complete run in the store yet: run tasklint first\n",
                what);
        return -1;
    }
    return run;
}

int tl_cmd_baseline(const tl_cli_options *o) {
    if (o->no_db) {
        fprintf(stderr, "tasklint: error: baseline: needs the findings store (not --no-db)\n");
        return 2;
    }
    const char *verb = o->npaths ? o->paths[0] : NULL;
    bool set = verb && !strcmp(verb, "set"), exp = verb && !strcmp(verb, "export");
    if (!set && !exp) {
        fprintf(stderr, "tasklint: error: baseline: expected `baseline set [RUN]` or `baseline "
                        "export FILE`\n");
        return 2;
    }
    if ((set && o->npaths > 2) || (exp && o->npaths != 2)) {
        fprintf(stderr, exp && o->npaths < 2 ? "tasklint: error: baseline export: needs a FILE\n"
                                             : "tasklint: error: baseline: too many arguments\n");
        return 2;
    }
    char *root = tl_cli_root_for(".");
    tl_store *s = NULL;
    /* export only reads the store */
    int rc = exp ? tl_cli_store_open_readonly(o, root, &s) : tl_cli_store_open(o, root, false, &s);
    free(root);
    if (rc) return rc;
    tl_store_error e;
    memset(&e, 0, sizeof e);
    const char *name = o->name ? o->name : "default";
    if (set) {
        int64_t run = pick_run(s, o->npaths == 2 ? o->paths[1] : NULL, "baseline set");
        if (run < 0) {
            rc = 2;
        } else if (tl_store_baseline_set(s, name, run, &e) != 0) {
            tl_cli_store_report(&e, "the findings store");
            rc = 2;
        } else {
            int nf = 0;
            run_status(s, run, &nf);
            printf("baseline '%s' is now run %lld (%d findings)\n", name, (long long)run, nf);
        }
    } else {
        int64_t run;
        if (o->run) {
            run = pick_run(s, o->run, "baseline export");
        } else {
            const char *bname = o->baseline ? o->baseline : name;
            run = tl_store_baseline_run(s, bname);
            if (run <= 0 && (o->baseline || o->name)) {
                fprintf(stderr, "tasklint: error: baseline export: no baseline named '%s'\n", bname);
                run = -1;
            } else if (run <= 0) {
                run = pick_run(s, NULL, "baseline export");
            }
        }
        if (run < 0) {
            rc = 2;
        } else if (tl_store_baseline_export(s, run, o->paths[1], &e) != 0) {
            tl_cli_store_report(&e, o->paths[1]);
            rc = 2;
        } else if (!o->quiet) {
            fprintf(stderr, "wrote the findings of run %lld to ", (long long)run);
            tl_term_puts(stderr, o->paths[1]);
            fputc('\n', stderr);
        }
    }
    tl_store_close(s);
    return rc;
}
