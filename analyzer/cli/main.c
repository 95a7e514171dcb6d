/* main.c - the tasklint command.
 *
 *   tasklint [options] PATH... [-- COMPILER_ARGS]
 *
 * Inputs come from the paths (files, directories searched for *.c) or from
 * a compile_commands.json (-p); worker threads analyse them (driver.c);
 * findings are printed on stdout in input order, the summary and progress
 * on stderr.  Exit: 0 clean, 1 findings, 2 usage/fatal error, 130 SIGINT.
 */
#include <clang-c/Index.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "driver.h"
#include "report/text_output.h"
#include "rules/rule.h"
#include "util/xalloc.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

static const char *severity_word(tl_severity s) { return tl_severity_name(s); }

static int list_rules(void) {
    size_t w = 0;
    for (size_t i = 0; tl_rules[i]; i++)
        if (strlen(tl_rules[i]->id) > w) w = strlen(tl_rules[i]->id);
    for (size_t i = 0; tl_rules[i]; i++)
        printf("%-*s  %-7s  %s\n", (int)w, tl_rules[i]->id,
               severity_word(tl_rules[i]->severity), tl_rules[i]->summary);
    return 0;
}

static int explain(const char *id) {
    const tl_rule *r = tl_rule_find(id);
    if (!r) {
        char *valid = tl_cli_rule_list();
        fprintf(stderr, "tasklint: error: --explain: unknown rule '%s' (valid rules: %s)\n", id,
                valid);
        free(valid);
        return 2;
    }
    printf("# %s (%s)\n\n%s\n\nDefault severity: %s.", r->id, r->name, r->summary,
           severity_word(r->severity));
    if (r->tags && *r->tags) printf(" Tags: %s.", r->tags);
    printf("\n\n");
    const char *doc = r->doc ? r->doc : "";
    fputs(doc, stdout);
    if (*doc && doc[strlen(doc) - 1] != '\n') putchar('\n');
    return 0;
}

/* ---- the run ---- */

typedef struct {
    const tl_cli_options *o;
    const tl_cli_tus *tus;
    tl_text_options text;
    tl_progress progress;
    tl_summary summary;
    bool any_fatal;
    char **fatal_seen;
    size_t nfatal;
    char *cwd; /* with a trailing '/' */
} run_ctx;

/* Paths of compile_commands.json entries are absolute; show those under the
 * current directory relative to it. */
static void relativize(run_ctx *c, char *path) {
    if (!c->cwd || !path) return;
    size_t n = strlen(c->cwd);
    if (!strncmp(path, c->cwd, n) && path[n]) memmove(path, path + n, strlen(path + n) + 1);
}

static void on_result(void *ctx, size_t index, tl_tu_result *r) {
    run_ctx *c = ctx;
    const tl_cli_tu *tu = &c->tus->items[index];
    bool prints = r->fatal;
    for (size_t i = 0; i < r->findings.n && !prints; i++) prints = !r->findings.items[i].suppressed;
    if (prints) tl_progress_clear(&c->progress);
    if (r->fatal) {
        c->any_fatal = true;
        const char *m = r->fatal_message ? r->fatal_message : "analysis failed";
        bool seen = false;
        for (size_t k = 0; k < c->nfatal && !seen; k++) seen = !strcmp(c->fatal_seen[k], m);
        if (!seen) {
            fflush(stdout);
            fprintf(stderr, "tasklint: error: %s\n", m);
            c->fatal_seen = tl_xrealloc(c->fatal_seen, (c->nfatal + 1) * sizeof *c->fatal_seen);
            c->fatal_seen[c->nfatal++] = tl_xstrdup(m);
        }
    }
    if (tu->from_compdb) {
        for (size_t i = 0; i < r->findings.n; i++) {
            tl_finding *f = &r->findings.items[i];
            relativize(c, f->file);
            for (size_t k = 0; k < f->nnotes; k++) relativize(c, f->notes[k].file);
        }
    }
    tl_text_print_findings(stdout, &r->findings, &c->text);
    fflush(stdout);
    tl_summary_add(&c->summary, &r->findings);
    if (r->fatal) c->summary.files_failed++;
    else c->summary.files_analysed++;
    char *shown = tl_xstrdup(tu->file);
    if (tu->from_compdb) relativize(c, shown);
    tl_progress_update(&c->progress, index + 1, shown);
    free(shown);
}

static int load_base(const tl_cli_options *o, tl_model_set *base) {
    tl_model_error err;
    memset(&err, 0, sizeof err);
    tl_models_init(base);
    if (tl_models_load_builtin(base, &err) != 0) {
        fprintf(stderr, "tasklint: error: built-in models: %s\n", err.msg);
        return 2;
    }
    for (size_t i = 0; i < o->nmodel_files; i++) {
        memset(&err, 0, sizeof err);
        if (tl_models_load_file(base, o->model_files[i], &err) != 0) {
            fprintf(stderr, "tasklint: error: %s\n",
                    err.msg[0] ? err.msg : o->model_files[i]);
            return 2;
        }
    }
    tl_models_finish(base);
    return 0;
}

static int analyze(const tl_cli_options *o) {
    if (!o->compdb_dir && o->npaths == 0) {
        fprintf(stderr, "tasklint: error: no input files\n"
                        "Try 'tasklint --help' for more information.\n");
        return 2;
    }
    if (o->opts.config_path && access(o->opts.config_path, R_OK) != 0) {
        perror("tasklint: error: --config");
        return 2;
    }

    tl_model_set base;
    int rc = load_base(o, &base);
    if (rc) {
        tl_models_free(&base);
        return rc;
    }

    tl_cli_tus tus = {0};
    if (o->compdb_dir)
        rc = tl_compdb_load(o->compdb_dir, o->paths, o->npaths, o->extra_args, o->nextra, &tus,
                            stderr);
    else
        rc = tl_discover(o->paths, o->npaths, o->extra_args, o->nextra, &tus, stderr);
    if (rc == 0 && tus.n == 0) {
        fprintf(stderr, "tasklint: error: no C files to analyse\n");
        rc = 2;
    }
    if (rc) {
        tl_cli_tus_free(&tus);
        tl_models_free(&base);
        return rc;
    }

    int jobs = o->jobs;
    if (jobs <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (int)(n > 64 ? 64 : n) : 1;
    }

    run_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.tus = &tus;
    c.text.color = tl_color_enabled(o->color, stdout);
    c.text.sources = tl_source_cache_new();
    tl_summary_init(&c.summary);
    tl_progress_init(&c.progress, stderr, tus.n, !o->quiet);
    char *cwd = getcwd(NULL, 0);
    if (cwd) {
        c.cwd = tl_xasprintf("%s%s", cwd, strcmp(cwd, "/") ? "/" : "");
        free(cwd);
    }

    struct sigaction sa, old_int;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigaction(SIGINT, &sa, &old_int);

    tl_pool_status st = tl_pool_run(&tus, &o->opts, &base, jobs, &interrupted, on_result, &c);

    tl_progress_clear(&c.progress);
    if (st == TL_POOL_ABANDONED) {
        fflush(stdout);
        fputs("tasklint: interrupted\n", stderr);
        _exit(130); /* workers are still inside libclang: no cleanup */
    }
    sigaction(SIGINT, &old_int, NULL);

    if (st == TL_POOL_INTERRUPTED || interrupted) {
        fputs("tasklint: interrupted\n", stderr);
        rc = 130;
    } else {
        if (!o->quiet) tl_text_print_summary(stderr, &c.summary);
        if (c.any_fatal) rc = 2;
        else if (c.summary.errors + c.summary.warnings + c.summary.notes > 0) rc = 1;
        else rc = 0;
    }

    for (size_t k = 0; k < c.nfatal; k++) free(c.fatal_seen[k]);
    free(c.fatal_seen);
    free(c.cwd);
    tl_summary_free(&c.summary);
    tl_source_cache_free(c.text.sources);
    tl_cli_tus_free(&tus);
    tl_models_free(&base);
    return rc;
}

int main(int argc, char **argv) {
    tl_cli_options o;
    int rc = tl_cli_parse(argc, argv, &o, stderr);
    if (rc == 0) {
        switch (o.command) {
        case TL_CMD_HELP: tl_cli_print_help(stdout); break;
        case TL_CMD_VERSION: {
            CXString v = clang_getClangVersion();
            printf("tasklint %s\nlibclang: %s\n", TASKLINT_VERSION, clang_getCString(v));
            clang_disposeString(v);
            break;
        }
        case TL_CMD_LIST_RULES: rc = list_rules(); break;
        case TL_CMD_EXPLAIN: rc = explain(o.explain_rule); break;
        case TL_CMD_ANALYZE: rc = analyze(&o); break;
        }
    }
    tl_cli_options_free(&o);
    if (fflush(stdout) != 0 && rc == 0) rc = 2;
    return rc;
}
