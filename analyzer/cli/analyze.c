/* analyze.c - the analysing commands: analyze, check, summarize, link.
 *
 *   tasklint [check|summarize|link] [options] PATH... [-- COMPILER_ARGS]
 *
 * Inputs come from the paths (files, directories searched for *.c; the
 * compile_commands.json found next to them gives their arguments), from
 * a compile_commands.json (-p) or, for link, from summary files.  tl_cli_analyze()
 * loads the models and the inputs, picks the baseline (a stored one, a
 * file, or --baseline-commit: a run in a temporary git worktree), runs the
 * analysis (run.c), writes the report and sets the exit status: 0 clean,
 * 1 findings, 2 usage/fatal error, 130 SIGINT.  summarize writes phase 1
 * into a file for link.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/shared_headers.h"
#include "cli/run.h"
#include "driver.h"
#include "report/report.h"
#include "report/text_output.h"
#include "store/fingerprint.h"
#include "store/store.h"
#include "util/atomic_file.h"
#include "util/term_escape.h"
#include "util/wire.h"
#include "util/xalloc.h"

/* The first Ctrl-C asks the run to stop; a second one kills at once,
 * leaving no temporary output file behind. */
static void on_sigint(int sig) {
    if (tl_cli_interrupted) {
        tl_atomic_file_discard_all();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    tl_cli_interrupted = 1;
}

static void iso_now(char out[32]) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- --baseline-commit: a temporary git worktree ---- */

static char *wt_top, *wt_tmp, *wt_dir;

static void worktree_cleanup(void) {
    if (!wt_dir) return;
    tl_git(wt_top, (const char *const[]){"worktree", "remove", "--force", wt_dir, NULL}, NULL,
           NULL);
    /* whatever git left behind (it refuses to remove a half-made worktree) */
    char *rm[] = {"rm", "-rf", wt_tmp, NULL};
    pid_t pid = 0; /* initialised: else gcc 12 -O3 warns -Wdangling-pointer (a false positive) */
    extern char **environ;
    if (posix_spawnp(&pid, "rm", NULL, NULL, rm, environ) == 0) waitpid(pid, NULL, 0);
    tl_git(wt_top, (const char *const[]){"worktree", "prune", NULL}, NULL, NULL);
    free(wt_top);
    free(wt_tmp);
    free(wt_dir);
    wt_top = wt_tmp = wt_dir = NULL;
}

/* `path` with the prefix `from` replaced by `to`, or NULL when not under it. */
static char *remap(const char *path, const char *from, const char *to) {
    size_t n = strlen(from);
    if (strncmp(path, from, n) != 0 || (path[n] != '/' && path[n] != 0)) return NULL;
    return tl_xasprintf("%s%s", to, path + n);
}

/* An argument naming a path under `from` ("-I/top/inc", "/top/x.h") points
 * into the worktree when that path exists there; build directories are not
 * in git and keep pointing to the original. */
static char *remap_arg(const char *arg, const char *from, const char *to) {
    const char *hit = strstr(arg, from);
    if (!hit) return tl_xstrdup(arg);
    char *tail = remap(hit, from, to);
    if (!tail) return tl_xstrdup(arg);
    char *res = tl_xstrdup(arg);
    if (access(tail, F_OK) == 0) {
        free(res);
        res = tl_xasprintf("%.*s%s", (int)(hit - arg), arg, tail);
    }
    free(tail);
    return res;
}

int tl_cli_load_base(const tl_cli_options *o, tl_model_set *base) {
    tl_model_error err;
    memset(&err, 0, sizeof err);
    tl_models_init(base);
    if (tl_models_load_builtin(base, &err) != 0) {
        fputs("tasklint: error: built-in models: ", stderr);
        tl_term_puts(stderr, err.msg);
        fputc('\n', stderr);
        return 2;
    }
    for (size_t i = 0; i < o->nmodel_files; i++) {
        memset(&err, 0, sizeof err);
        if (tl_models_load_file(base, o->model_files[i], &err) != 0) {
            fputs("tasklint: error: ", stderr);
            tl_term_puts(stderr, err.msg[0] ? err.msg : o->model_files[i]);
            fputc('\n', stderr);
            return 2;
        }
    }
    tl_models_finish(base);
    return 0;
}

/* Baseline findings not seen any more: fixed.  Only findings of files this
 * run analysed count (or files that are gone), so analysing part of a
 * project does not call the rest fixed. */
static void compute_fixed(run_ctx *c, const tl_findings *base, bool scoped, tl_findings *fixed) {
    tl_findings_init(fixed);
    tl_fpset cur;
    tl_fpset_build(&cur, &c->all, true);
    char **rel = tl_xcalloc(c->nanalysed + 1, sizeof *rel);
    for (size_t i = 0; i < c->nanalysed; i++) rel[i] = tl_fingerprint_relpath(c->analysed[i], c->root);
    for (size_t i = 0; i < base->n; i++) {
        const tl_finding *b = &base->items[i];
        if (b->suppressed || !b->fingerprint || tl_fpset_has(&cur, b->fingerprint)) continue;
        char *abs = b->file ? (b->file[0] == '/' ? tl_xstrdup(b->file)
                                                 : tl_xasprintf("%s/%s", c->root, b->file))
                            : NULL;
        bool in_scope = !scoped || !abs;
        if (!in_scope) {
            char *r = tl_fingerprint_relpath(abs, c->root);
            for (size_t k = 0; k < c->nanalysed && !in_scope; k++) in_scope = !strcmp(rel[k], r);
            free(r);
            if (!in_scope && access(abs, F_OK) != 0) in_scope = true; /* the file is gone */
        }
        if (in_scope) {
            tl_finding *f = tl_findings_add_copy(fixed, b);
            f->baseline_state = TL_BASELINE_ABSENT;
            if (abs) {
                free(f->file);
                f->file = tl_xstrdup(abs);
            }
        }
        free(abs);
    }
    for (size_t i = 0; i < c->nanalysed; i++) free(rel[i]);
    free(rel);
    tl_fpset_free(&cur);
}

/* Analyses REF in a temporary worktree; its findings become the baseline. */
static int baseline_commit_run(const run_env *env, const tl_cli_tus *tus, const char *root,
                               tl_findings *out) {
    const tl_cli_options *o = env->o;
    tl_findings_init(out);
    char *top = tl_git_toplevel(root);
    if (!top) {
        fputs("tasklint: error: --baseline-commit: ", stderr);
        tl_term_puts(stderr, root);
        fputs(" is not in a git repository\n", stderr);
        return 2;
    }
    char *spec = tl_xasprintf("%s^{commit}", o->baseline_commit);
    char *commit = NULL, *gerr = NULL;
    int rc = tl_git(top, (const char *const[]){"rev-parse", "--verify", "-q", spec, NULL},
                    &commit, &gerr);
    free(spec);
    free(gerr);
    if (rc != 0 || !commit || !*commit) {
        fprintf(stderr, "tasklint: error: --baseline-commit: unknown revision '%s'%s\n",
                o->baseline_commit, rc == -1 ? " (git cannot be run)" : "");
        free(commit);
        free(top);
        return 2;
    }
    const char *tmpbase = getenv("TMPDIR");
    char *tmpl = tl_xasprintf("%s/tasklint-baseline-XXXXXX", tmpbase && *tmpbase ? tmpbase : "/tmp");
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "tasklint: error: --baseline-commit: cannot create a temporary directory: %s\n",
                strerror(errno));
        free(tmpl);
        free(commit);
        free(top);
        return 2;
    }
    wt_top = top;
    wt_tmp = tmpl;
    wt_dir = tl_xasprintf("%s/worktree", tmpl);
    rc = tl_git(top, (const char *const[]){"worktree", "add", "--detach", "-q", wt_dir, commit, NULL},
                NULL, &gerr);
    if (rc != 0) {
        fprintf(stderr, "tasklint: error: --baseline-commit: git worktree add failed%s",
                gerr && *gerr ? ": " : "");
        if (gerr) tl_term_write_lines(stderr, gerr, strlen(gerr));
        fputc('\n', stderr);
        free(gerr);
        free(commit);
        worktree_cleanup();
        return 2;
    }
    free(gerr);

    /* the same inputs, inside the worktree */
    tl_cli_tus wtus = {0};
    for (size_t i = 0; i < tus->n; i++) {
        const tl_cli_tu *tu = &tus->items[i];
        char *abs = tl_cli_abspath(tu->file, tu->directory);
        char *mf = remap(abs, top, wt_dir);
        free(abs);
        if (!mf || access(mf, R_OK) != 0) { /* not in REF (new since): all its findings are new */
            free(mf);
            continue;
        }
        char *dir = NULL;
        if (tu->directory) {
            char *ad = tl_cli_abspath(tu->directory, NULL);
            dir = remap(ad, top, wt_dir);
            if (!dir || access(dir, F_OK) != 0) {
                free(dir);
                dir = tl_xstrdup(ad);
            }
            free(ad);
        }
        tl_cli_tu *n = tl_cli_tus_add(&wtus, mf, dir);
        n->from_compdb = tu->from_compdb;
        for (int k = 0; k < tu->nargs; k++) {
            char *a = remap_arg(tu->args[k], top, wt_dir);
            tl_cli_tu_add_arg(n, a);
            free(a);
        }
        free(mf);
        free(dir);
    }
    char *wroot = remap(root, top, wt_dir);
    if (!wroot) wroot = tl_xstrdup(wt_dir);

    run_ctx c;
    memset(&c, 0, sizeof c);
    c.out = stdout;
    c.print = false;
    char *label = tl_xasprintf("baseline for --baseline-commit %s", o->baseline_commit);
    run_env env2 = *env;
    env2.quiet_progress = true;
    if (!o->quiet) fprintf(stderr, "tasklint: analysing %s (%.12s) in a temporary worktree\n",
                           o->baseline_commit, commit);
    run_outcome r = wtus.n ? tl_cli_run_analysis(&env2, &wtus, wroot, wt_dir, label, &c)
                           : (run_outcome){0, false, false};
    free(label);
    int status = r.status;
    if (status == 0) {
        if (c.summary.files_failed && !o->quiet)
            fprintf(stderr,
                    "tasklint: warning: --baseline-commit %s: %zu files could not be analysed; "
                    "their findings count as new\n",
                    o->baseline_commit, c.summary.files_failed);
        /* paths as in the current tree (absent findings are reported there) */
        for (size_t i = 0; i < c.all.n; i++) {
            tl_finding *f = &c.all.items[i];
            char *p = f->file ? remap(f->file, wroot, root) : NULL;
            if (p) {
                free(f->file);
                f->file = p;
            }
            for (size_t k = 0; k < f->nnotes; k++) {
                p = f->notes[k].file ? remap(f->notes[k].file, wroot, root) : NULL;
                if (p) {
                    free(f->notes[k].file);
                    f->notes[k].file = p;
                }
            }
        }
        tl_findings_move(out, &c.all);
    }
    tl_cli_run_ctx_free(&c);
    free(wroot);
    tl_cli_tus_free(&wtus);
    free(commit);
    worktree_cleanup();
    if (status == 130) fputs("tasklint: interrupted\n", stderr);
    return status;
}

static int write_report(const tl_cli_options *o, FILE *out, run_ctx *c, const tl_findings *absent,
                        bool compared, bool ok, const char *start, const char *end) {
    tl_findings_sort(&c->all);
    tl_report_input in;
    memset(&in, 0, sizeof in);
    in.findings = &c->all;
    in.absent = absent;
    in.root = c->root;
    in.include_suppressed = o->include_suppressed;
    in.execution_successful = ok;
    in.baseline_compared = compared;
    in.command_line = o->command_line;
    in.tool_version = TASKLINT_VERSION;
    in.files_analysed = (int)c->summary.files_analysed;
    in.files_failed = (int)c->summary.files_failed;
    in.fatal_messages = (const char *const *)c->fatal_seen;
    in.nfatal = (int)c->nfatal;
    in.start_time_utc = start;
    in.end_time_utc = end;
    /* SARIF: where the analysed code comes from (git runs as for the store's
       metadata: argv only, no shell) */
    char *top = NULL, *remote = NULL, *commit = NULL, *branch = NULL;
    if (o->format == TL_FORMAT_SARIF && (top = tl_git_toplevel(c->root))) {
        tl_git_head(top, &commit, &branch);
        if (tl_git(top, (const char *const[]){"remote", "get-url", "origin", NULL}, &remote,
                   NULL) != 0) {
            free(remote);
            remote = NULL;
        }
        in.vcs_toplevel = top;
        in.vcs_remote = remote;
        in.vcs_revision = commit;
        in.vcs_branch = branch;
    }
    int rc;
    switch (o->format) {
    case TL_FORMAT_SARIF: rc = tl_sarif_write(out, &in); break;
    case TL_FORMAT_GITHUB: rc = tl_github_write(out, &in); break;
    case TL_FORMAT_CODECLIMATE: rc = tl_codeclimate_write(out, &in); break;
    default: rc = tl_json_write(out, &in); break;
    }
    free(top);
    free(remote);
    free(commit);
    free(branch);
    return rc;
}

/* ---- summarize: phase 1 into a file, for link ---- */

/* What a summary file names as its writer: the release and the wire
 * format, so that the jobs of a CI matrix, each with its own build of the
 * same release, can link each other's files. */
static char *summary_file_tool(void) {
    return tl_xasprintf("tasklint %s (wire format %d)", TASKLINT_VERSION, TL_WIRE_VERSION);
}

typedef struct {
    const tl_cli_tu *tu;
    size_t at;
} linked_tu;

static int cmp_linked_tu(const void *a, const void *b) {
    const linked_tu *x = a, *y = b;
    int c = strcmp(x->tu->file, y->tu->file);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The TUs of all the summary files in the order a run over their files
 * takes them (sorted by path), their results with them, so that link
 * reports exactly as that run would; a file summarised in two shards counts
 * once (the first shard's). */
static void sort_linked(tl_cli_tus *tus, tl_tu_result *results) {
    if (tus->n < 2) return;
    linked_tu *v = tl_xcalloc(tus->n, sizeof *v);
    for (size_t i = 0; i < tus->n; i++) v[i] = (linked_tu){&tus->items[i], i};
    qsort(v, tus->n, sizeof *v, cmp_linked_tu);
    tl_cli_tu *items = tl_xcalloc(tus->n, sizeof *items);
    tl_tu_result *res = tl_xcalloc(tus->n, sizeof *res);
    size_t n = 0;
    for (size_t i = 0; i < tus->n; i++) {
        tl_cli_tu *tu = &tus->items[v[i].at];
        if (n && !strcmp(items[n - 1].file, tu->file)) {
            /* the same file again: drop this copy */
            tl_tu_result_free(&results[v[i].at]);
            free(tu->file);
            free(tu->directory);
            for (int k = 0; k < tu->nargs; k++) free(tu->args[k]);
            free(tu->args);
            continue;
        }
        items[n] = *tu;
        res[n++] = results[v[i].at];
    }
    memcpy(tus->items, items, n * sizeof *items);
    memcpy(results, res, n * sizeof *res);
    tus->n = n;
    free(items);
    free(res);
    free(v);
}

typedef struct {
    tl_tu_result *results;
    bool *have;
} summary_acc;

static void collect_summary(void *ctx, size_t i, tl_tu_result *r) {
    summary_acc *acc = ctx;
    acc->results[i] = *r; /* moved */
    memset(r, 0, sizeof *r);
    acc->have[i] = true;
}

/* The TUs' phase 1 in the workers, written to o->output (atomically): the
 * findings come from `tasklint link` over all the shards' files. */
static int summarize_run(const tl_cli_options *o, const tl_model_set *base, const tl_cli_tus *tus, int jobs) {
    summary_acc acc = {tl_xcalloc(tus->n + 1, sizeof *acc.results), tl_xcalloc(tus->n + 1, sizeof *acc.have)};
    struct sigaction sa, old_int;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    char *first = o->npaths ? tl_cli_abspath(o->paths[0], NULL)
                            : tl_cli_abspath(tus->items[0].file, tus->items[0].directory);
    tl_options topts = o->opts;
    char *root = tl_cli_root_for(first); /* for the built-in per-path entries */
    topts.root = root;
    free(first);
    /* shared prefixes within this shard: a private cache, removed at the end */
    tl_cli_shared_headers sh;
    tl_cli_shared_headers_begin(&sh, o, root, false, tus);
    topts.pch_plan = tl_cli_shared_headers_plan(&sh);
    tl_pool_status st = tl_pool_run(tus, &topts, base, jobs, true, true, &tl_cli_interrupted, collect_summary, &acc);
    tl_cli_shared_headers_end(&sh, o->verbose && !o->quiet, stderr);
    free(root);
    sigaction(SIGINT, &old_int, NULL);
    int rc = 0;
    size_t failed = 0;
    for (size_t i = 0; i < tus->n; i++)
        if (!acc.have[i] || acc.results[i].fatal || acc.results[i].crashed) failed++;
    if (st != TL_POOL_DONE || tl_cli_interrupted) {
        fputs("tasklint: interrupted\n", stderr);
        rc = 130;
    } else {
        char err[2048];
        char *tool_id = summary_file_tool(), *config_hash = tl_cli_config_hash(o);
        tl_atomic_file *af = tl_atomic_file_open(o->output, err, sizeof err);
        if (!af ||
            tl_summary_file_write(tl_atomic_file_stream(af), tool_id, config_hash, tus, acc.results, err,
                                  sizeof err) != 0 ||
            tl_atomic_file_commit(af, err, sizeof err) != 0) {
            if (af) tl_atomic_file_discard(af);
            fputs("tasklint: error: summarize: ", stderr);
            tl_term_puts(stderr, err);
            fputc('\n', stderr);
            rc = 2;
        } else if (!o->quiet) {
            fprintf(stderr, "%zu files summarised into ", tus->n);
            tl_term_puts(stderr, o->output);
            if (failed) fprintf(stderr, " (%zu could not be analysed: `link` reports them)", failed);
            fputs(".\n", stderr);
        }
        free(tool_id);
        free(config_hash);
    }
    for (size_t i = 0; i < tus->n; i++) tl_tu_result_free(&acc.results[i]);
    free(acc.results);
    free(acc.have);
    return rc;
}

int tl_cli_analyze(const tl_cli_options *o) {
    bool check = o->command == TL_CMD_CHECK;
    bool linking = o->command == TL_CMD_LINK;
    if (o->command == TL_CMD_SUMMARIZE && !o->output) {
        fprintf(stderr, "tasklint: error: summarize: name the summary file with -o FILE\n"
                        "Try 'tasklint --help' for more information.\n");
        return 2;
    }
    if (linking && o->npaths == 0) {
        fprintf(stderr, "tasklint: error: link: no summary files\n"
                        "Try 'tasklint --help' for more information.\n");
        return 2;
    }
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
    int rc = tl_cli_load_base(o, &base);
    if (rc) {
        tl_models_free(&base);
        return rc;
    }

    tl_cli_tus tus = {0};
    tl_tu_result *preloaded = NULL; /* link: the phase-1 results of the summary files */
    /* their messages quote paths and compile_commands.json: shown escaped */
    char *msgs = NULL;
    size_t nmsgs = 0;
    FILE *errs = open_memstream(&msgs, &nmsgs);
    FILE *err_to = errs ? errs : stderr;
    if (linking) {
        char *tool = summary_file_tool();
        for (size_t i = 0; i < o->npaths && rc == 0; i++) {
            char err[512];
            if (tl_summary_file_read(o->paths[i], tool, &tus, &preloaded, err, sizeof err) != 0) {
                fprintf(err_to, "tasklint: error: %s: %s\n", o->paths[i], err);
                rc = 2;
            }
        }
        free(tool);
        if (rc == 0) sort_linked(&tus, preloaded);
    } else if (o->compdb_dir) {
        rc = tl_compdb_load(o->compdb_dir, o->paths, o->npaths, o->extra_args, o->nextra,
                            o->verbose, &tus, err_to);
    } else {
        rc = tl_discover(o->paths, o->npaths, o->extra_args, o->nextra, &tus, err_to);
        if (rc == 0 && !o->no_compdb)
            tl_discover_compdbs(&tus, o->extra_args, o->nextra, o->verbose, err_to);
    }
    if (errs) {
        fclose(errs);
        tl_term_write_lines(stderr, msgs, nmsgs);
        free(msgs);
    }
    if (rc == 0 && !linking && tus.n > 0) {
        /* --exclude, exclude: (summary files were excluded when written) */
        char *first = o->npaths ? tl_cli_abspath(o->paths[0], NULL)
                                : tl_cli_abspath(tus.items[0].file, tus.items[0].directory);
        char *xroot = tl_cli_root_for(first);
        size_t nexcluded = tl_exclude_tus(o, xroot, &tus);
        if (o->verbose)
            fprintf(stderr, "tasklint: note: %zu file%s excluded (--exclude, exclude: in the config)\n",
                    nexcluded, nexcluded == 1 ? "" : "s");
        free(xroot);
        free(first);
    }
    if (rc == 0 && tus.n == 0) {
        if (!tus.input_errors) fprintf(stderr, "tasklint: error: no C files to analyse\n");
        rc = 2;
    }
    if (rc) {
        for (size_t i = 0; preloaded && i < tus.n; i++) tl_tu_result_free(&preloaded[i]);
        free(preloaded);
        tl_cli_tus_free(&tus);
        tl_models_free(&base);
        return rc;
    }

    int jobs = o->jobs;
    if (jobs <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (int)(n > 64 ? 64 : n) : 1;
    }
    if (o->command == TL_CMD_SUMMARIZE) {
        rc = summarize_run(o, &base, &tus, jobs);
        tl_cli_tus_free(&tus);
        tl_models_free(&base);
        return rc;
    }

    /* the project root and the store */
    char *first = o->npaths ? tl_cli_abspath(o->paths[0], NULL)
                            : tl_cli_abspath(tus.items[0].file, tus.items[0].directory);
    char *root = tl_cli_root_for(first);
    free(first);
    tl_store *store = NULL;
    char *config_hash = tl_cli_config_hash(o);
    char *tool_id = tl_cli_tool_identity();
    tl_findings baseline;
    tl_findings_init(&baseline);
    char *baseline_label = NULL;
    bool compared = false;
    FILE *out = stdout;
    tl_atomic_file *out_file = NULL; /* --output */
    bool report_done = false;        /* the output is complete */
    char out_err[2048];
    run_ctx c;
    memset(&c, 0, sizeof c);
    tl_findings fixed;
    tl_findings_init(&fixed);
    tl_fpset bset = {0};

    if (!o->no_db) {
        rc = tl_cli_store_open(o, root, true, &store);
        if (rc) goto done;
    }

    struct sigaction sa, old_int;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* on_sigint: a second Ctrl-C kills at once */
    sigaction(SIGINT, &sa, &old_int);

    run_env env = {.o = o, .base = &base, .jobs = jobs, .store = store,
                   .config_hash = config_hash, .tool_id = tool_id, .preloaded = preloaded};

    /* the baseline */
    const char *bspec = o->baseline;
    if (check && !bspec && !o->baseline_commit) {
        if (store && tl_store_baseline_run(store, "default") > 0) {
            bspec = "default";
        } else {
            /* no baseline yet: an empty one, so every finding is new */
            fprintf(stderr,
                    "tasklint: note: check: no baseline found, so every finding counts as new; "
                    "set one with `tasklint baseline set`, or pass --baseline NAME|FILE or "
                    "--baseline-commit REF\n");
            baseline_label = tl_xstrdup("no baseline");
            compared = true;
        }
    }
    if (compared) {
        /* the empty baseline above */
    } else if (bspec) {
        rc = tl_cli_load_baseline(store, bspec, &baseline, &baseline_label);
        if (rc) goto restore;
        compared = true;
    } else if (o->baseline_commit) {
        rc = baseline_commit_run(&env, &tus, root, &baseline);
        if (rc) goto restore;
        baseline_label = tl_xasprintf("commit %s", o->baseline_commit);
        compared = true;
    }
    if (compared) tl_fpset_build(&bset, &baseline, true);

    /* where the findings go */
    if (o->output) {
        out_file = tl_atomic_file_open(o->output, out_err, sizeof out_err);
        if (!out_file) {
            fputs("tasklint: error: --output: ", stderr);
            tl_term_puts(stderr, out_err);
            fputc('\n', stderr);
            rc = 2;
            goto restore;
        }
        out = tl_atomic_file_stream(out_file);
    }

    char start[32], end[32];
    iso_now(start);
    c.out = out;
    c.print = o->format == TL_FORMAT_TEXT;
    c.only_new = check;
    c.text.color = tl_color_enabled(o->color, out);
    c.text.sources = tl_source_cache_new();
    c.baseline = compared ? &bset : NULL;
    run_outcome r = tl_cli_run_analysis(&env, &tus, root, NULL, NULL, &c);
    if (store && r.status == 0 && !r.fatal) tl_cli_gc_after_run(o, store, root); /* keep_runs: */
    iso_now(end);
    tl_source_cache_free(c.text.sources);

    if (r.status == 130) {
        fflush(out);
        fputs("tasklint: interrupted\n", stderr);
        rc = 130;
        goto restore;
    }
    if (r.status) {
        rc = r.status;
        goto restore;
    }
    if (compared) compute_fixed(&c, &baseline, !o->baseline_commit, &fixed);
    if (o->format != TL_FORMAT_TEXT &&
        write_report(o, out, &c, compared ? &fixed : NULL, compared,
                     !r.fatal && !r.crashed && !tus.input_errors, start, end) != 0) {
        fprintf(stderr, "tasklint: error: cannot write the report\n");
        rc = 2;
        goto restore;
    }
    if (!o->quiet) {
        fflush(out); /* the findings before the summary when both reach one pipe */
        tl_text_print_summary(stderr, &c.summary);
        if (c.ntriaged)
            fprintf(stderr, "%zu triaged as false positive or intentional (not counted).\n",
                    c.ntriaged);
        if (store && o->verbose)
            fprintf(stderr,
                    "%zu of %zu files unchanged since an earlier run (not re-analysed); store: "
                    "%.2fs lookups, %.2fs stamps, %.2fs writes.\n",
                    c.nreused, tus.n, c.t_lookup, c.t_stamp, c.t_record - c.t_stamp);
    }
    if (o->statistics) tl_rule_counts_print(stderr, &c.rule_counts); /* asked for: even with -q */
    report_done = true;
    if (compared && (!o->quiet || check)) {
        fprintf(stderr, "%zu new, %zu unchanged, %zu fixed (against ", c.nnew, c.nunchanged,
                fixed.n);
        tl_term_puts(stderr, baseline_label);
        fputs(").\n", stderr);
    }

    tl_fail_on fail = o->fail_on;
    if (fail == TL_FAIL_DEFAULT) fail = compared ? TL_FAIL_NEW : TL_FAIL_ANY;
    if (r.fatal || r.crashed || tus.input_errors) rc = 2; /* inputs reported and skipped */
    else if (fail == TL_FAIL_ANY) rc = c.counted > 0;
    else if (fail == TL_FAIL_NEW) rc = c.counted_new > 0;
    else rc = 0;

restore:
    sigaction(SIGINT, &old_int, NULL);
done:
    /* the report replaces the old one only when it is complete */
    if (out_file && !report_done) {
        tl_atomic_file_discard(out_file);
    } else if (out_file && tl_atomic_file_commit(out_file, out_err, sizeof out_err) != 0) {
        fputs("tasklint: error: --output: ", stderr);
        tl_term_puts(stderr, out_err);
        fputc('\n', stderr);
        rc = 2;
    }
    tl_cli_run_ctx_free(&c);
    tl_fpset_free(&bset);
    tl_findings_free(&fixed);
    tl_findings_free(&baseline);
    free(baseline_label);
    if (store) tl_store_close(store);
    free(config_hash);
    free(tool_id);
    free(root);
    for (size_t i = 0; preloaded && i < tus.n; i++) tl_tu_result_free(&preloaded[i]);
    free(preloaded);
    tl_cli_tus_free(&tus);
    tl_models_free(&base);
    return rc;
}
