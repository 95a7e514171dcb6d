/* cmd_diff.c - `tasklint diff [RUN_A [RUN_B]]`: findings new in B, fixed
 * since A and (with -v) unchanged, by fingerprint; text or --format json.
 * Default: the last two complete runs.  --baseline NAME|FILE stands for A.
 * Only findings in files both runs analysed are compared (the store records
 * each run's files); the others are counted as "not compared". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/fingerprint.h"
#include "store/store.h"
#include "util/json_writer.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

static void unsuppressed(const tl_findings *in, tl_findings *out) {
    tl_findings_init(out);
    for (size_t i = 0; i < in->n; i++)
        if (!in->items[i].suppressed) tl_findings_add_copy(out, &in->items[i]);
}

static char *shown_path(const char *file, const char *root) {
    if (!file) return tl_xstrdup("?");
    if (file[0] != '/') return tl_xstrdup(file);
    return tl_fingerprint_relpath(file, root);
}

/* One finding on one line; everything from the store is printed escaped. */
static void text_item(const tl_finding *f, const char *root) {
    char *p = shown_path(f->file, root);
    fputs("  ", stdout);
    tl_term_puts(stdout, p);
    if (f->line) printf(":%u:%u", f->line, f->col);
    printf(": ");
    if (f->message) {
        printf("%s: ", tl_severity_name(f->severity));
        tl_term_puts(stdout, f->message);
        putchar(' ');
    }
    putchar('[');
    tl_term_puts(stdout, f->rule ? f->rule : "?");
    putchar(']');
    if (f->function && *f->function) {
        fputs(" in ", stdout);
        tl_term_puts(stdout, f->function);
        fputs("()", stdout);
    }
    if (f->fingerprint) {
        fputs(" (", stdout);
        tl_term_write(stdout, f->fingerprint, strnlen(f->fingerprint, 12));
        putchar(')');
    }
    if (f->triage > 0) {
        printf(" (triaged: %s%s", tl_triage_name((tl_triage_state)f->triage),
               f->triage_reason ? ": " : "");
        tl_term_puts(stdout, f->triage_reason);
        putchar(')');
    }
    putchar('\n');
    free(p);
}

static void json_item(tl_jw *w, const tl_finding *f, const char *root) {
    char *p = shown_path(f->file, root);
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "fingerprint", f->fingerprint);
    tl_jw_kv_string(w, "rule", f->rule);
    tl_jw_kv_string(w, "severity", f->message ? tl_severity_name(f->severity) : NULL);
    tl_jw_kv_string(w, "path", p);
    tl_jw_key(w, "line");
    if (f->line) tl_jw_uint(w, f->line);
    else tl_jw_null(w);
    tl_jw_key(w, "column");
    if (f->line) tl_jw_uint(w, f->col);
    else tl_jw_null(w);
    tl_jw_kv_string(w, "function", f->function);
    tl_jw_kv_string(w, "message", f->message);
    tl_jw_kv_string(w, "triage", f->triage > 0 ? tl_triage_name((tl_triage_state)f->triage) : NULL);
    tl_jw_kv_string(w, "triage_reason", f->triage > 0 ? f->triage_reason : NULL);
    tl_jw_object_end(w);
    free(p);
}

static void json_list(tl_jw *w, const char *name, const tl_findings *fs, const char *root) {
    tl_jw_key(w, name);
    tl_jw_array_begin(w);
    for (size_t i = 0; i < fs->n; i++) json_item(w, &fs->items[i], root);
    tl_jw_array_end(w);
}

static int run_findings(tl_store *s, int64_t run, tl_findings *out) {
    tl_store_error e;
    memset(&e, 0, sizeof e);
    tl_findings_init(out);
    if (tl_store_run_findings(s, run, out, &e) != 0) {
        if (e.status == TL_STORE_E_NOT_FOUND)
            fprintf(stderr, "tasklint: error: diff: no run %lld in the store (see `tasklint runs`)\n",
                    (long long)run);
        else tl_cli_store_report(&e, "the findings store");
        tl_findings_free(out);
        return 2;
    }
    return 0;
}

/* The files a run analysed (sorted).  2 after printing an error. */
static int run_files(tl_store *s, int64_t run, char ***paths, size_t *n) {
    tl_store_error e;
    memset(&e, 0, sizeof e);
    if (tl_store_run_files(s, run, paths, n, &e) != 0) {
        tl_cli_store_report(&e, "the findings store");
        return 2;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool analysed_by(char *const *files, size_t n, const char *file) {
    return bsearch(&file, files, n, sizeof *files, cmp_str) != NULL;
}

/* Moves the findings of `fs` in files that `other` (the other run's files)
 * did not analyse to `out`.  A finding without a file stays. */
static void split_not_compared(tl_findings *fs, char *const *other, size_t nother,
                               tl_findings *out) {
    size_t kept = 0;
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (!f->file || analysed_by(other, nother, f->file)) {
            fs->items[kept++] = *f;
        } else {
            tl_findings_add_copy(out, f);
            tl_finding_free_fields(f);
        }
    }
    fs->n = kept;
}

static int run_arg(const char *s, int64_t *out) {
    if (tl_cli_parse_run(s, out) != 0) {
        fprintf(stderr, "tasklint: error: diff: '%s' is not a run number (see `tasklint runs`)\n", s);
        return 2;
    }
    return 0;
}

/* "not compared: N findings in files only run B analysed" (-v: and them) */
static void print_not_compared(const tl_findings *fs, const char *label, bool verbose,
                               const char *root) {
    if (fs->n == 0) return;
    printf("not compared: %zu finding%s in files only ", fs->n, fs->n == 1 ? "" : "s");
    tl_term_puts(stdout, label);
    printf(" analysed%s\n", verbose ? ":" : " (-v lists them)");
    for (size_t i = 0; verbose && i < fs->n; i++) text_item(&fs->items[i], root);
}

int tl_cmd_diff(const tl_cli_options *o) {
    if (o->no_db && !o->baseline) {
        fprintf(stderr, "tasklint: error: diff: needs the findings store (not --no-db)\n");
        return 2;
    }
    size_t maxargs = o->baseline ? 1 : 2;
    if (o->npaths > maxargs) {
        fprintf(stderr, "tasklint: error: diff: unexpected argument '%s'\n", o->paths[maxargs]);
        return 2;
    }
    char *root = tl_cli_root_for(".");
    tl_store *s = NULL;
    int rc = tl_cli_store_open_readonly(o, root, &s); /* diff only reads */
    if (rc) {
        free(root);
        return rc;
    }
    int64_t ra = 0, rb = 0;
    tl_findings a, b, a_all, b_all;
    tl_findings_init(&a);
    tl_findings_init(&b);
    tl_findings_init(&a_all);
    tl_findings_init(&b_all);
    char *alabel = NULL;
    tl_diff d;
    memset(&d, 0, sizeof d);
    /* the files each side analysed; A's are unknown for a baseline file */
    char **afiles = NULL, **bfiles = NULL;
    size_t nafiles = 0, nbfiles = 0;
    int64_t afiles_run = 0;
    tl_findings only_a, only_b; /* not compared */
    tl_findings_init(&only_a);
    tl_findings_init(&only_b);
    bool have_diff = false;

    /* B */
    const char *bspec = o->baseline ? (o->npaths ? o->paths[0] : NULL)
                                    : (o->npaths == 2 ? o->paths[1] : NULL);
    if (bspec) {
        if ((rc = run_arg(bspec, &rb))) goto out;
    } else {
        rb = tl_store_last_complete_run(s, 0);
        if (rb <= 0) {
            fprintf(stderr, "tasklint: error: diff: no complete run in the store yet\n");
            rc = 2;
            goto out;
        }
    }
    /* A */
    if (o->baseline) {
        if ((rc = tl_cli_load_baseline(s, o->baseline, &a_all, &alabel))) goto out;
        if (access(o->baseline, F_OK) != 0) afiles_run = tl_store_baseline_run(s, o->baseline);
    } else {
        if (o->npaths >= 1) {
            if ((rc = run_arg(o->paths[0], &ra))) goto out;
            if (o->npaths == 1) { /* diff A: A against the newest complete run */
                if (ra == rb) rb = 0;
            }
        } else {
            ra = tl_store_last_complete_run(s, rb);
            if (ra <= 0) {
                fprintf(stderr,
                        "tasklint: error: diff: only one complete run (%lld): nothing to compare "
                        "it with\n",
                        (long long)rb);
                rc = 2;
                goto out;
            }
        }
        if (rb <= 0) {
            fprintf(stderr, "tasklint: error: diff: no other complete run to compare run %lld with\n",
                    (long long)ra);
            rc = 2;
            goto out;
        }
        if ((rc = run_findings(s, ra, &a_all))) goto out;
        alabel = tl_xasprintf("run %lld", (long long)ra);
        afiles_run = ra;
    }
    if ((rc = run_findings(s, rb, &b_all))) goto out;
    unsuppressed(&a_all, &a);
    unsuppressed(&b_all, &b);
    {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        tl_store_triage_apply(s, &b, &e);
    }
    if (afiles_run > 0) {
        if ((rc = run_files(s, afiles_run, &afiles, &nafiles))) goto out;
        if ((rc = run_files(s, rb, &bfiles, &nbfiles))) goto out;
        split_not_compared(&a, bfiles, nbfiles, &only_a);
        split_not_compared(&b, afiles, nafiles, &only_b);
    }
    tl_diff_compute(&a, &b, &d);
    have_diff = true;

    if (o->format == TL_FORMAT_JSON) {
        tl_jw *w = tl_jw_new(stdout);
        tl_jw_object_begin(w);
        tl_jw_kv_int(w, "version", 1);
        tl_jw_key(w, "a");
        tl_jw_object_begin(w);
        if (o->baseline) tl_jw_kv_string(w, "baseline", o->baseline);
        else tl_jw_kv_int(w, "run", ra);
        tl_jw_object_end(w);
        tl_jw_key(w, "b");
        tl_jw_object_begin(w);
        tl_jw_kv_int(w, "run", rb);
        tl_jw_object_end(w);
        tl_jw_key(w, "counts");
        tl_jw_object_begin(w);
        tl_jw_kv_int(w, "new", (int64_t)d.added.n);
        tl_jw_kv_int(w, "fixed", (int64_t)d.fixed.n);
        tl_jw_kv_int(w, "unchanged", (int64_t)d.unchanged.n);
        tl_jw_kv_int(w, "only_in_a", (int64_t)only_a.n);
        tl_jw_kv_int(w, "only_in_b", (int64_t)only_b.n);
        tl_jw_object_end(w);
        json_list(w, "new", &d.added, root);
        json_list(w, "fixed", &d.fixed, root);
        json_list(w, "unchanged", &d.unchanged, root);
        json_list(w, "only_in_a", &only_a, root);
        json_list(w, "only_in_b", &only_b, root);
        tl_jw_object_end(w);
        if (tl_jw_finish(w) != 0) {
            fprintf(stderr, "tasklint: error: diff: cannot write the output\n");
            rc = 2;
            goto out;
        }
    } else if (o->format != TL_FORMAT_TEXT) { /* sarif, github, codeclimate: a run's formats */
        fprintf(stderr, "tasklint: error: diff: --format is text or json\n");
        rc = 2;
        goto out;
    } else {
        tl_term_puts(stdout, alabel);
        printf(" -> run %lld\n", (long long)rb);
        printf("new (%zu):\n", d.added.n);
        for (size_t i = 0; i < d.added.n; i++) text_item(&d.added.items[i], root);
        printf("fixed (%zu):\n", d.fixed.n);
        for (size_t i = 0; i < d.fixed.n; i++) text_item(&d.fixed.items[i], root);
        if (o->verbose) {
            printf("unchanged (%zu):\n", d.unchanged.n);
            for (size_t i = 0; i < d.unchanged.n; i++) text_item(&d.unchanged.items[i], root);
        } else {
            printf("unchanged: %zu (-v lists them)\n", d.unchanged.n);
        }
        print_not_compared(&only_a, alabel, o->verbose, root);
        char *blabel = tl_xasprintf("run %lld", (long long)rb);
        print_not_compared(&only_b, blabel, o->verbose, root);
        free(blabel);
        printf("%zu new, %zu unchanged, %zu fixed.\n", d.added.n, d.unchanged.n, d.fixed.n);
    }
    rc = 0;
    if (o->fail_on == TL_FAIL_NEW) rc = d.added.n > 0;
    else if (o->fail_on == TL_FAIL_ANY) rc = d.added.n + d.unchanged.n > 0;
out:
    if (have_diff) tl_diff_free(&d);
    tl_findings_free(&a);
    tl_findings_free(&b);
    tl_findings_free(&a_all);
    tl_findings_free(&b_all);
    tl_findings_free(&only_a);
    tl_findings_free(&only_b);
    tl_store_paths_free(afiles, nafiles);
    tl_store_paths_free(bfiles, nbfiles);
    free(alabel);
    free(root);
    tl_store_close(s);
    return rc;
}
