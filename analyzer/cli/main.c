/* main.c - the tasklint command.
 *
 *   tasklint [options] PATH... [-- COMPILER_ARGS]
 *
 * Inputs come from the paths (files, directories searched for *.c; the
 * compile_commands.json found next to them gives their arguments) or from
 * a compile_commands.json (-p); worker processes analyse them (driver.c);
 * findings are printed on stdout in input order, the summary and progress
 * on stderr.  Exit: 0 clean, 1 findings, 2 usage/fatal error, 130 SIGINT.
 *
 * Every run is recorded in the findings store (store/store.h) unless
 * --no-db: the store is used on this thread only.  Before the workers
 * start, each TU's key (file, arguments, tool, configuration) is looked up;
 * a TU whose files are all unchanged is not parsed, its findings are
 * carried over.  Only the others go to the worker pool.  Subcommands
 * (runs, diff, baseline, triage) live in cmd_*.c.
 */
#include <clang-c/Index.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "driver.h"
#include "program/program.h"
#include "report/report.h"
#include "report/suppress.h"
#include "report/text_output.h"
#include "rules/rule.h"
#include "store/fingerprint.h"
#include "store/hash.h"
#include "store/store.h"
#include "util/atomic_file.h"
#include "util/str_map.h"
#include "util/term_escape.h"
#include "util/wire.h"
#include "util/xalloc.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

static volatile sig_atomic_t interrupted = 0;

/* The first Ctrl-C asks the run to stop; a second one kills at once,
 * leaving no temporary output file behind. */
static void on_sigint(int sig) {
    if (interrupted) {
        tl_atomic_file_discard_all();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupted = 1;
}

static const char *severity_word(tl_severity s) { return tl_severity_name(s); }

static int list_rules(void) {
    size_t w = 0;
    for (size_t i = 0; tl_rules[i]; i++)
        if (strlen(tl_rules[i]->id) > w) w = strlen(tl_rules[i]->id);
    for (size_t i = 0; tl_pseudo_rules[i].id; i++)
        if (strlen(tl_pseudo_rules[i].id) > w) w = strlen(tl_pseudo_rules[i].id);
    for (size_t i = 0; tl_rules[i]; i++)
        printf("%-*s  %-7s  %s\n", (int)w, tl_rules[i]->id,
               severity_word(tl_rules[i]->severity), tl_rules[i]->summary);
    for (size_t i = 0; tl_pseudo_rules[i].id; i++)
        printf("%-*s  %-7s  (pseudo-rule) %s\n", (int)w, tl_pseudo_rules[i].id,
               severity_word(tl_pseudo_rules[i].severity), tl_pseudo_rules[i].summary);
    return 0;
}

static int explain(const char *id) {
    const tl_rule *r = tl_rule_find(id);
    const tl_pseudo_rule *p = tl_pseudo_rule_find(id);
    if (p) {
        printf("# %s (%s)\n\nPseudo-rule: %s.\n\nDefault severity: %s. %s\n\n%s", p->id, p->name,
               p->summary, severity_word(p->severity),
               p->can_disable ? "Can be disabled." : "Cannot be disabled.", p->doc);
        return 0;
    }
    if (!r) {
        char *valid = tl_cli_rule_list();
        char *shown = tl_term_escape(id);
        fprintf(stderr, "tasklint: error: --explain: unknown rule '%s' (valid rules: %s)\n", shown,
                valid);
        free(shown);
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

/* A TU's results, held until it is its turn to be printed: TUs whose
 * results come from the store are known before the workers start, the
 * others arrive from the pool; both are printed in input order. */
typedef struct {
    bool reused;
    bool rerun;   /* reused inputs, but phase 2 ran again: the program changed */
    int64_t from; /* run the results were carried over from */
    tl_findings findings;
    tl_file_stamp *stamps;
    size_t nstamps;
} tu_slot;

typedef struct {
    char *path;
    tl_file_stamp st;
    bool ok;
} stamp_entry;

typedef struct {
    const tl_cli_options *o;
    const tl_cli_tus *tus;
    const char *root;        /* project root: fingerprints, the store */
    char *cwd;               /* with a trailing '/' */
    volatile sig_atomic_t *stop;

    /* output */
    bool print;              /* text findings to `out` */
    bool only_new;           /* check: only new findings (unless -v) */
    FILE *out;
    tl_text_options text;
    tl_progress progress;

    /* store */
    tl_store *store;
    int64_t run;
    char **keys;             /* per TU */
    tu_slot *slots;          /* per TU */
    size_t *miss_map;        /* pool index -> TU index */
    size_t nmiss;
    size_t next_emit;        /* next TU (input order) to print */
    size_t nreused;
    stamp_entry *stamps;     /* every file stamped in this run, sorted by path on demand */
    size_t nstamps, capstamps;
    bool store_failed;

    /* baseline */
    const tl_fpset *baseline;

    /* results */
    tl_summary summary;
    size_t counted;          /* unsuppressed, not triaged false-positive/intentional */
    size_t counted_new;
    size_t nnew, nunchanged;
    size_t ntriaged;
    bool any_fatal;
    bool any_crashed;        /* a TU's worker died (tl_tu_result.crashed) */
    char **fatal_seen;
    size_t nfatal;
    double t_lookup, t_stamp, t_record; /* seconds spent on the store (-v) */
    tl_findings all;         /* every finding, absolute paths, fingerprinted */
    const tl_tu_result **units; /* per TU: the result holding its phase-1 unit (to keep) */
    tl_str_map header_findings; /* findings outside their TU's main file, reported once */
    char **analysed;         /* absolute main files analysed */
    size_t nanalysed;
    tl_rule_counts rule_counts; /* --statistics */
} run_ctx;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool triaged_away(const tl_finding *f) {
    return f->triage == TL_TRIAGE_FALSE_POSITIVE || f->triage == TL_TRIAGE_INTENTIONAL;
}

/* Display path: relative to the current directory when under it. */
static char *display_path(run_ctx *c, const char *path) {
    if (!path) return NULL;
    if (c->cwd) {
        size_t n = strlen(c->cwd);
        if (!strncmp(path, c->cwd, n) && path[n]) return tl_xstrdup(path + n);
    }
    return tl_xstrdup(path);
}

static void make_absolute(tl_findings *fs) {
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (f->file && *f->file) {
            char *p = tl_cli_abspath(f->file, NULL);
            free(f->file);
            f->file = p;
        }
        for (size_t k = 0; k < f->nnotes; k++) {
            tl_note *n = &f->notes[k];
            if (n->file && *n->file) {
                char *p = tl_cli_abspath(n->file, NULL);
                free(n->file);
                n->file = p;
            }
        }
    }
}

static void store_error(run_ctx *c, const tl_store_error *e) {
    if (c->store_failed) return;
    tl_progress_clear(&c->progress);
    tl_cli_store_report(e, c->o->db_path ? c->o->db_path : "the findings store");
    c->store_failed = true;
    *c->stop = 1;
}

static const tl_file_stamp *stamp_of(run_ctx *c, const char *path) {
    for (size_t i = c->nstamps; i-- > 0;) /* recent first: headers repeat in runs of TUs */
        if (!strcmp(c->stamps[i].path, path)) return c->stamps[i].ok ? &c->stamps[i].st : NULL;
    if (c->nstamps == c->capstamps) {
        c->capstamps = c->capstamps ? c->capstamps * 2 : 256;
        c->stamps = tl_xrealloc(c->stamps, c->capstamps * sizeof *c->stamps);
    }
    stamp_entry *e = &c->stamps[c->nstamps++];
    memset(e, 0, sizeof *e);
    e->path = tl_xstrdup(path);
    e->ok = tl_store_stamp_file(path, &e->st) == 0;
    return e->ok ? &e->st : NULL;
}

/* One hint per run when a file analysed without a compile database misses
 * an #include: the project's flags are probably in one. */
static void hint_compile_db(run_ctx *c, const tl_cli_tu *tu, const tl_findings *fs) {
    static bool given = false;
    if (given || tu->from_compdb || c->o->quiet || c->o->compdb_dir) return;
    for (size_t i = 0; i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        if (strcmp(f->rule, "clang-diagnostic") != 0 || !strstr(f->message, "file not found"))
            continue;
        given = true;
        tl_progress_clear(&c->progress);
        fflush(c->out);
        fputs("tasklint: hint: an #include was not found and no compile_commands.json lists "
              "this file; pass the build directory that holds one with -p (e.g. -p build/), "
              "or include paths after -- (e.g. -- -Iinclude)\n",
              stderr);
        return;
    }
}

/* A TU's findings are ready (analysed now, or carried over): fingerprint,
 * triage, record, compare, print. */
/* A header's function is analysed with every TU that uses it, so its
 * findings arrive once per such TU: the first TU reports them, the others
 * drop their copies (same rule, place and message). */
static void drop_header_repeats(run_ctx *c, const tl_cli_tu *tu, tl_findings *fs) {
    char *main_abs = tl_cli_abspath(tu->file, tu->directory);
    size_t kept = 0;
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (f->file && strcmp(f->file, main_abs) != 0) {
            char *key = tl_xasprintf("%s\x1f%s\x1f%u:%u\x1f%s", f->rule, f->file, f->line, f->col,
                                     f->message ? f->message : "");
            int n = (int)tl_str_map_count(&c->header_findings);
            bool seen = tl_str_map_add(&c->header_findings, key, n) != n;
            free(key);
            if (seen) {
                tl_finding_free_fields(f);
                continue;
            }
        }
        fs->items[kept++] = *f;
    }
    fs->n = kept;
    free(main_abs);
}

/* --disable suppression: the reports about tasklint-ignore comments go */
static void drop_suppression_reports(tl_findings *fs) {
    size_t kept = 0;
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (f->rule && !strcmp(f->rule, TL_SUPPRESSION_RULE)) tl_finding_free_fields(f);
        else fs->items[kept++] = *f;
    }
    fs->n = kept;
}

static void process_tu(run_ctx *c, size_t index, tl_findings *fs, bool fatal, const char *fatal_msg,
                       bool crashed, char **includes, size_t nincludes, tu_slot *slot) {
    const tl_cli_tu *tu = &c->tus->items[index];
    if (crashed) c->any_crashed = true;
    if (fatal) {
        c->any_fatal = true;
        const char *m = fatal_msg ? fatal_msg : "analysis failed";
        bool seen = false;
        for (size_t k = 0; k < c->nfatal && !seen; k++) seen = !strcmp(c->fatal_seen[k], m);
        if (!seen) {
            tl_progress_clear(&c->progress);
            fflush(c->out);
            fflush(stdout);
            fputs("tasklint: error: ", stderr);
            tl_term_puts(stderr, m);
            fputc('\n', stderr);
            c->fatal_seen = tl_xrealloc(c->fatal_seen, (c->nfatal + 1) * sizeof *c->fatal_seen);
            c->fatal_seen[c->nfatal++] = tl_xstrdup(m);
        }
    }
    if (!slot || !slot->reused || slot->rerun) {
        make_absolute(fs);
        tl_fingerprint_findings(fs, c->root);
    }
    drop_header_repeats(c, tu, fs);
    if (c->o->opts.no_suppression_reports) drop_suppression_reports(fs);
    double t_rec = now_s();
    if (c->store && !c->store_failed) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        if (tl_store_triage_apply(c->store, fs, &e) != 0) store_error(c, &e);
        if (!fatal && !c->store_failed) {
            memset(&e, 0, sizeof e);
            int rc;
            if (slot && slot->reused) {
                rc = tl_store_record_tu(c->store, c->run, c->keys[index], tu->file, slot->stamps,
                                        slot->nstamps, fs, slot->from, &e);
            } else {
                double t0 = now_s();
                tl_file_stamp *st = tl_xcalloc(nincludes + 1, sizeof *st);
                size_t nst = 0;
                for (size_t k = 0; k < nincludes; k++) {
                    const tl_file_stamp *s = stamp_of(c, includes[k]);
                    if (s) {
                        st[nst] = *s;
                        st[nst].path = includes[k];
                        nst++;
                    }
                }
                char *main_abs = tl_cli_abspath(tu->file, tu->directory);
                c->t_stamp += now_s() - t0;
                /* a crash is recorded, but never carried over to a later run */
                char *key = crashed ? tl_cli_unreusable_tu_key(c->keys[index])
                                    : tl_xstrdup(c->keys[index]);
                char *inputs = tl_store_inputs_digest(st, nst);
                rc = tl_store_record_tu(c->store, c->run, key, main_abs, st, nst, fs, 0, &e);
                const tl_tu_result *ur = c->units ? c->units[index] : NULL;
                if (rc == 0 && !crashed && ur && ur->unit)
                    rc = tl_store_save_unit(c->store, main_abs, c->keys[index], inputs, ur->unit,
                                            ur->unit_len, &e);
                free(inputs);
                free(key);
                free(main_abs);
                free(st);
            }
            if (rc != 0) store_error(c, &e);
        }
    }
    c->t_record += now_s() - t_rec;
    if (slot && slot->reused) c->nreused++;

    /* compare, count */
    tl_findings counted;
    tl_findings_init(&counted);
    counted.items = tl_xmalloc((fs->n + 1) * sizeof *counted.items);
    bool prints = fatal;
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        f->baseline_state = TL_BASELINE_NONE;
        if (f->suppressed) continue;
        if (c->baseline) {
            f->baseline_state =
                tl_fpset_has(c->baseline, f->fingerprint) ? TL_BASELINE_UNCHANGED : TL_BASELINE_NEW;
            if (f->baseline_state == TL_BASELINE_NEW) c->nnew++;
            else c->nunchanged++;
        }
        if (triaged_away(f)) {
            c->ntriaged++;
        } else {
            counted.items[counted.n++] = *f; /* shallow */
            if (c->o->statistics) tl_rule_counts_add(&c->rule_counts, f->rule);
            c->counted++;
            if (f->baseline_state != TL_BASELINE_UNCHANGED) c->counted_new++;
        }
        prints = true;
    }

    /* print */
    if (prints) tl_progress_clear(&c->progress);
    if (c->print) {
        for (size_t i = 0; i < fs->n; i++) {
            tl_finding *f = &fs->items[i];
            if (f->suppressed) continue;
            if (c->only_new && f->baseline_state == TL_BASELINE_UNCHANGED && !c->o->verbose)
                continue;
            char *file = f->file;
            char **nfiles = tl_xmalloc((f->nnotes + 1) * sizeof *nfiles);
            f->file = display_path(c, file);
            for (size_t k = 0; k < f->nnotes; k++) {
                nfiles[k] = f->notes[k].file;
                f->notes[k].file = display_path(c, nfiles[k]);
            }
            char *tri = tl_cli_triage_tag(f);
            char *tags = tl_xasprintf("%s%s", tri,
                                      f->baseline_state == TL_BASELINE_NEW ? " [new]" : "");
            tl_cli_print_tagged(c->out, f, &c->text, tags);
            free(tags);
            free(tri);
            free(f->file);
            f->file = file;
            for (size_t k = 0; k < f->nnotes; k++) {
                free(f->notes[k].file);
                f->notes[k].file = nfiles[k];
            }
            free(nfiles);
        }
        fflush(c->out);
    }
    /* the summary counts display paths like before */
    for (size_t i = 0; i < counted.n; i++) counted.items[i].file = display_path(c, counted.items[i].file);
    tl_summary_add(&c->summary, &counted);
    for (size_t i = 0; i < counted.n; i++) free(counted.items[i].file);
    free(counted.items);
    for (size_t i = 0; i < fs->n; i++)
        if (fs->items[i].suppressed) c->summary.suppressed++;
    if (fatal || crashed) c->summary.files_failed++;
    else c->summary.files_analysed++;
    hint_compile_db(c, tu, fs);

    c->analysed = tl_xrealloc(c->analysed, (c->nanalysed + 1) * sizeof *c->analysed);
    c->analysed[c->nanalysed++] = tl_cli_abspath(tu->file, tu->directory);
    tl_findings_move(&c->all, fs);

    char *shown = tl_xstrdup(tu->file);
    if (tu->from_compdb) {
        char *d = display_path(c, shown);
        free(shown);
        shown = d;
    }
    tl_progress_update(&c->progress, index + 1, shown);
    free(shown);
}

static void emit_reused_upto(run_ctx *c, size_t limit) {
    while (c->next_emit < limit && c->next_emit < c->tus->n && !c->store_failed) {
        size_t i = c->next_emit;
        tu_slot *s = c->slots ? &c->slots[i] : NULL;
        if (!s || !s->reused) break;
        process_tu(c, i, &s->findings, false, NULL, false, NULL, 0, s);
        c->next_emit++;
    }
}

static void on_result(void *ctx, size_t j, tl_tu_result *r) {
    run_ctx *c = ctx;
    size_t i = c->miss_map[j];
    emit_reused_upto(c, i);
    if (c->store_failed) return;
    process_tu(c, i, &r->findings, r->fatal, r->fatal_message, r->crashed, r->includes,
               r->nincludes, NULL);
    c->next_emit = i + 1;
}

static void run_ctx_free(run_ctx *c) {
    for (size_t k = 0; k < c->nfatal; k++) free(c->fatal_seen[k]);
    free(c->fatal_seen);
    free(c->cwd);
    tl_summary_free(&c->summary);
    tl_rule_counts_free(&c->rule_counts);
    if (c->keys)
        for (size_t i = 0; i < c->tus->n; i++) free(c->keys[i]);
    free(c->keys);
    if (c->slots)
        for (size_t i = 0; i < c->tus->n; i++) {
            tl_findings_free(&c->slots[i].findings);
            tl_file_stamps_free(c->slots[i].stamps, c->slots[i].nstamps);
        }
    free(c->slots);
    free(c->miss_map);
    free(c->units);
    tl_str_map_free(&c->header_findings);
    for (size_t i = 0; i < c->nstamps; i++) {
        free(c->stamps[i].path);
        if (c->stamps[i].ok) {
            free((char *)c->stamps[i].st.path);
            free((char *)c->stamps[i].st.hash);
        }
    }
    free(c->stamps);
    tl_findings_free(&c->all);
    for (size_t i = 0; i < c->nanalysed; i++) free(c->analysed[i]);
    free(c->analysed);
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

static int load_base(const tl_cli_options *o, tl_model_set *base) {
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

/* ---- analysis ---- */

typedef struct {
    const tl_cli_options *o;
    const tl_model_set *base;
    int jobs;
    tl_store *store;
    const char *config_hash;  /* global */
    const char *tool_id;
    bool quiet_progress;
    /* `link`: the phase-1 results read from summary files, one per TU (no
       parse, no reuse from the store) */
    tl_tu_result *preloaded;
} run_env;

typedef struct {
    int status;      /* 0 done, 130 interrupted, 2 store failure */
    bool fatal;
    bool crashed;    /* a worker died on a file: the run is complete, the exit status 2 */
} run_outcome;

/* One analysis run over `tus`, recorded in the store when there is one. */
/* ---- whole program: phase 1 results are kept until the link ---- */

typedef struct {
    run_ctx *c;
    tl_tu_result *results; /* per pool index (misses) */
    bool *have;
    size_t ndone;
} phase1_acc;

static void collect_result(void *ctx, size_t j, tl_tu_result *r) {
    phase1_acc *acc = ctx;
    acc->results[j] = *r; /* moved: the pool does not free it */
    memset(r, 0, sizeof *r);
    acc->have[j] = true;
    tl_progress_update(&acc->c->progress, ++acc->ndone, acc->c->tus->items[acc->c->miss_map[j]].file);
}

/* Whether the run sees the whole program: every entry of a compile database,
 * or directories - not a few files named one by one. */
static bool covers_whole_program(const tl_cli_options *o) {
    if (o->npaths == 0 || o->command == TL_CMD_LINK) return true; /* link: the shards are the program */
    for (size_t i = 0; i < o->npaths; i++) {
        struct stat st;
        if (stat(o->paths[i], &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    }
    return true;
}

/* A unit kept in the store from an earlier run (the newest per main file). */
typedef struct {
    char *file, *key, *inputs;
    unsigned char *unit;
    size_t len;
    bool in_run; /* its file is one of this run's TUs */
    bool reused; /* ... an unchanged one, whose kept unit is current */
} kept_unit;

typedef struct {
    kept_unit *v;
    size_t n, cap;
} kept_units;

static int collect_kept(void *ctx, const char *file, const char *key, const char *inputs, const void *unit,
                        size_t len) {
    kept_units *k = ctx;
    if (tl_unit_verify(unit, len) != 0) return 0; /* damaged: as if not kept */
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->v = tl_xrealloc(k->v, k->cap * sizeof *k->v);
    }
    kept_unit *u = &k->v[k->n++];
    u->file = tl_xstrdup(file);
    u->key = tl_xstrdup(key);
    u->inputs = tl_xstrdup(inputs);
    u->unit = tl_xmalloc(len + 1);
    memcpy(u->unit, unit, len);
    u->len = len;
    u->in_run = false;
    u->reused = false;
    return 0;
}

static int cmp_kept(const void *a, const void *b) {
    return strcmp(((const kept_unit *)a)->file, ((const kept_unit *)b)->file);
}

static kept_unit *find_kept(kept_units *k, const char *file) {
    kept_unit key = {.file = (char *)file};
    return k->n ? bsearch(&key, k->v, k->n, sizeof *k->v, cmp_kept) : NULL;
}

/* What the link is given: one summary per TU, with the bytes it came from
 * (for the program's digest). */
typedef struct {
    const char *file;
    const unsigned char *bytes;
    size_t len;
} linked_summary;

static int cmp_linked(const void *a, const void *b) {
    return strcmp(((const linked_summary *)a)->file, ((const linked_summary *)b)->file);
}

/* The digest of the program: every summary, in file order, and whether it
 * is the whole program.  Equal digests, equal program facts. */
static void program_digest(linked_summary *ls, size_t n, bool whole, char out[65]) {
    qsort(ls, n, sizeof *ls, cmp_linked);
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    tl_store_sha256_update(&h, whole ? "whole" : "part", whole ? 5 : 4);
    for (size_t i = 0; i < n; i++) {
        tl_store_sha256_update(&h, ls[i].file, strlen(ls[i].file) + 1);
        uint64_t len = ls[i].len;
        tl_store_sha256_update(&h, &len, sizeof len);
        tl_store_sha256_update(&h, ls[i].bytes, ls[i].len);
    }
    unsigned char d[32];
    tl_store_sha256_final(&h, d);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Phase 2.  The units of the TUs analysed now, and - with a store - the
 * kept units of unchanged TUs and (for a run over a few files) of the
 * program's other files, are linked into one program; the rules run with it
 * on every TU analysed now, and again on an unchanged TU whose findings came
 * from a run that linked a different program. */
static void finish_program(run_ctx *c, const run_env *env, phase1_acc *acc, size_t n) {
    const tl_cli_tus *tus = c->tus;
    bool whole = covers_whole_program(env->o);
    size_t cap = n + 16, nsums = 0, nlinked = 0;
    tl_tu_summary **sums = tl_xcalloc(cap, sizeof *sums);
    linked_summary *linked = tl_xcalloc(cap, sizeof *linked);
    tl_tu_summary *others = NULL; /* summaries decoded from kept units */
    size_t nothers = 0;
    char **fresh_files = tl_xcalloc(n + 1, sizeof *fresh_files);

    /* phase 1's summaries first: the IR is decoded one TU at a time below,
       so only one TU's IR is in memory at once */
    tl_tu_summary *fresh = tl_xcalloc(n + 1, sizeof *fresh);
    bool *fresh_ok = tl_xcalloc(n + 1, sizeof *fresh_ok);
    for (size_t j = 0; j < n; j++) {
        tl_tu_result *r = &acc->results[j];
        if (!acc->have[j] || !r->unit) continue;
        const tl_cli_tu *tu = &tus->items[c->miss_map[j]];
        char err[256];
        if (tl_unit_decode_summary(r->unit, r->unit_len, &fresh[j], err, sizeof err) != 0) {
            r->fatal = true;
            free(r->fatal_message);
            r->fatal_message = tl_xasprintf("%s: %s", tu->file, err);
            continue;
        }
        fresh_ok[j] = true;
        fresh_files[j] = tl_cli_abspath(tu->file, tu->directory);
        sums[nsums++] = &fresh[j];
        const unsigned char *sb;
        size_t sn;
        if (tl_unit_summary_bytes(r->unit, r->unit_len, &sb, &sn) == 0)
            linked[nlinked++] = (linked_summary){fresh_files[j], sb, sn};
        if (c->units) c->units[c->miss_map[j]] = r; /* kept in the store by process_tu */
    }

    /* the store's kept units: unchanged TUs, and the program's other files */
    kept_units kept = {0};
    size_t missing = 0, from_others = 0;
    if (c->store && !c->store_failed) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        if (tl_store_each_unit(c->store, collect_kept, &kept, &e) != 0) store_error(c, &e);
        if (kept.n) qsort(kept.v, kept.n, sizeof *kept.v, cmp_kept);
    }
    for (size_t j = 0; j < n; j++) {
        kept_unit *k = fresh_files[j] ? find_kept(&kept, fresh_files[j]) : NULL;
        if (k) k->in_run = true;
    }
    kept_unit **reused_kept = tl_xcalloc(tus->n + 1, sizeof *reused_kept);
    for (size_t i = 0; c->slots && i < tus->n; i++) {
        if (!c->slots[i].reused) continue;
        char *abs = tl_cli_abspath(tus->items[i].file, tus->items[i].directory);
        kept_unit *k = find_kept(&kept, abs);
        free(abs);
        if (k) k->in_run = true;
        char *inputs = tl_store_inputs_digest(c->slots[i].stamps, c->slots[i].nstamps);
        bool current = k && !strcmp(k->key, c->keys[i]) && !strcmp(k->inputs, inputs);
        free(inputs);
        if (!current) {
            missing++; /* recorded before whole-program runs: its facts are unknown */
            continue;
        }
        reused_kept[i] = k;
        k->reused = true;
    }
    size_t total = nsums + kept.n + 1;
    if (total > cap) {
        cap = total;
        sums = tl_xrealloc(sums, cap * sizeof *sums);
        linked = tl_xrealloc(linked, cap * sizeof *linked);
    }
    others = tl_xcalloc(kept.n + 1, sizeof *others);
    for (size_t k = 0; k < kept.n; k++) {
        kept_unit *ku = &kept.v[k];
        bool reused_here = ku->reused;
        /* a file of the program this run did not name (a run over a few files) */
        bool other = !ku->in_run && !whole;
        if (!reused_here && !other) continue;
        char err[256];
        if (tl_unit_decode_summary(ku->unit, ku->len, &others[nothers], err, sizeof err) != 0) {
            tl_tu_summary_free(&others[nothers]);
            if (reused_here) missing++;
            continue;
        }
        sums[nsums++] = &others[nothers++];
        const unsigned char *sb;
        size_t sn;
        if (tl_unit_summary_bytes(ku->unit, ku->len, &sb, &sn) == 0) linked[nlinked++] = (linked_summary){ku->file, sb, sn};
        if (other) from_others++;
    }

    tl_program *prog = tl_program_link(sums, (int)nsums, env->base);
    /* the other files' kept summaries complete a run over a few files */
    tl_program_set_whole(prog, whole || from_others > 0);
    char digest[65];
    program_digest(linked, nlinked, whole || from_others > 0, digest);
    if (env->o->verbose) {
        const tl_program_stats *ps = tl_program_stats_of(prog);
        fprintf(stderr,
                "whole program: %d functions linked (%d header functions seen again), %d of %d calls "
                "through pointers resolved%s\n",
                ps->functions, ps->duplicates, ps->resolved_indirect, ps->indirect_calls,
                ps->capped ? " (some at the cap of targets per field)" : "");
        if (from_others) fprintf(stderr, "whole program: %zu other files linked from earlier runs\n", from_others);
        else if (!whole)
            fprintf(stderr, "whole program: only the files named are linked (no earlier run of the "
                            "project is stored)\n");
        if (missing)
            fprintf(stderr, "whole program: %zu unchanged files have no stored summary (recorded by an "
                            "older tasklint)\n", missing);
    }
    for (size_t j = 0; j < n && !interrupted; j++) {
        if (!fresh_ok[j]) continue;
        tl_tu_result *r = &acc->results[j];
        tl_tu_unit *u = NULL;
        char err[256];
        if (tl_unit_decode(r->unit, r->unit_len, env->base, &u, err, sizeof err) != 0) {
            r->fatal = true;
            free(r->fatal_message);
            r->fatal_message = tl_xasprintf("%s: %s", tus->items[c->miss_map[j]].file, err);
            continue;
        }
        tl_unit_finish(u, prog, r);
        tl_unit_free(u);
    }

    /* unchanged TUs whose findings were made with another program: phase 2
       again, from the kept unit (no parse); clang's errors stay */
    for (size_t i = 0; c->slots && i < tus->n; i++) {
        tu_slot *slot = &c->slots[i];
        if (!slot->reused || !reused_kept[i]) continue;
        tl_store_error e;
        memset(&e, 0, sizeof e);
        char *prev = tl_store_run_program(c->store, slot->from, &e);
        bool same = prev && strcmp(prev, digest) == 0;
        free(prev);
        if (same) continue;
        tl_tu_unit *u = NULL;
        char err[256];
        if (tl_unit_decode(reused_kept[i]->unit, reused_kept[i]->len, env->base, &u, err, sizeof err) != 0) continue;
        tl_tu_result r;
        memset(&r, 0, sizeof r);
        tl_findings_init(&r.findings);
        for (size_t f = 0; f < slot->findings.n; f++)
            if (!strcmp(slot->findings.items[f].rule, "clang-diagnostic"))
                tl_findings_add_copy(&r.findings, &slot->findings.items[f]);
        tl_unit_finish(u, prog, &r);
        tl_unit_free(u);
        tl_findings_free(&slot->findings);
        slot->findings = r.findings;
        memset(&r.findings, 0, sizeof r.findings);
        tl_tu_result_free(&r);
        slot->rerun = true;
    }
    if (c->store && !c->store_failed && c->run > 0) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        if (tl_store_run_set_program(c->store, c->run, digest, &e) != 0) store_error(c, &e);
    }

    tl_program_free(prog);
    for (size_t j = 0; j < n; j++) {
        tl_tu_summary_free(&fresh[j]);
        free(fresh_files[j]);
    }
    free(fresh);
    free(fresh_ok);
    for (size_t k = 0; k < nothers; k++) tl_tu_summary_free(&others[k]);
    for (size_t k = 0; k < kept.n; k++) {
        free(kept.v[k].file);
        free(kept.v[k].key);
        free(kept.v[k].inputs);
        free(kept.v[k].unit);
    }
    free(kept.v);
    free(others);
    free(reused_kept);
    free(fresh_files);
    free(sums);
    free(linked);
}

static run_outcome run_analysis(const run_env *env, const tl_cli_tus *tus, const char *root,
                                const char *git_dir, const char *label, run_ctx *c) {
    run_outcome res = {0, false, false};
    const tl_cli_options *o = env->o;
    c->o = o;
    c->tus = tus;
    c->root = root;
    c->stop = &interrupted;
    c->store = env->store;
    tl_summary_init(&c->summary);
    tl_findings_init(&c->all);
    char *cwd = getcwd(NULL, 0);
    if (cwd) {
        c->cwd = tl_xasprintf("%s%s", cwd, strcmp(cwd, "/") ? "/" : "");
        free(cwd);
    }
    tl_progress_init(&c->progress, stderr, tus->n, !o->quiet && !env->quiet_progress);

    c->miss_map = tl_xcalloc(tus->n + 1, sizeof *c->miss_map);
    c->units = tl_xcalloc(tus->n + 1, sizeof *c->units);
    tl_cli_tus misses = {0};
    misses.items = tl_xcalloc(tus->n + 1, sizeof *misses.items);

    if (c->store) {
        char *commit = NULL, *branch = NULL;
        tl_git_head(git_dir ? git_dir : root, &commit, &branch);
        char *cmdline = label ? tl_xasprintf("%s (%s)", o->command_line, label)
                              : tl_xstrdup(o->command_line);
        tl_run_info info = {.tool_version = TASKLINT_VERSION,
                            .config_hash = env->config_hash,
                            .git_commit = commit,
                            .git_branch = branch,
                            .command_line = cmdline,
                            .root = root};
        tl_store_error e;
        memset(&e, 0, sizeof e);
        c->run = tl_store_run_begin(c->store, &info, &e);
        free(commit);
        free(branch);
        free(cmdline);
        if (c->run <= 0) {
            store_error(c, &e);
            res.status = 2;
            goto out;
        }
        /* incremental: TUs whose inputs did not change are not parsed (link:
           every TU comes from its summary file) */
        double t0 = now_s();
        c->keys = tl_xcalloc(tus->n, sizeof *c->keys);
        c->slots = tl_xcalloc(tus->n, sizeof *c->slots);
        for (size_t i = 0; i < tus->n && !interrupted; i++) {
            const tl_cli_tu *tu = &tus->items[i];
            char *abs = tl_cli_abspath(tu->file, tu->directory);
            const char **args = tl_xcalloc((size_t)tu->nargs + 2, sizeof *args);
            int na = 0;
            for (int k = 0; k < tu->nargs; k++) args[na++] = tu->args[k];
            char *wd = NULL;
            if (tu->directory) args[na++] = wd = tl_xasprintf("-working-directory=%s", tu->directory);
            c->keys[i] = tl_store_tu_key(abs, args, na, env->tool_id,
                                         tl_cli_tu_config_hash(o, env->config_hash, abs));
            free(wd);
            free(args);
            free(abs);
            tu_slot *s = &c->slots[i];
            tl_findings_init(&s->findings);
            memset(&e, 0, sizeof e);
            int64_t from = env->preloaded ? 0
                                          : tl_store_reuse_tu(c->store, c->keys[i], &s->findings,
                                                              &s->stamps, &s->nstamps, &e);
            if (from > 0) {
                s->reused = true;
                s->from = from;
            } else if (e.status != TL_STORE_OK) {
                store_error(c, &e);
                res.status = 2;
                goto out;
            } else {
                c->miss_map[misses.n] = i;
                misses.items[misses.n++] = *tu; /* shallow */
            }
        }
        c->t_lookup = now_s() - t0;
    } else {
        for (size_t i = 0; i < tus->n; i++) {
            c->miss_map[misses.n] = i;
            misses.items[misses.n++] = tus->items[i];
        }
    }

    tl_pool_status st = TL_POOL_DONE;
    if (!interrupted) {
        /* phase 1 in the workers; the link and phase 2 once every TU is in */
        phase1_acc acc = {c, tl_xcalloc(misses.n + 1, sizeof *acc.results),
                          tl_xcalloc(misses.n + 1, sizeof *acc.have), 0};
        if (env->preloaded) {
            for (size_t j = 0; j < misses.n && !interrupted; j++)
                collect_result(&acc, j, &env->preloaded[c->miss_map[j]]);
            st = interrupted ? TL_POOL_INTERRUPTED : TL_POOL_DONE;
        } else {
            tl_options topts = o->opts;
            topts.root = root; /* for the built-in per-path entries */
            st = tl_pool_run(&misses, &topts, env->base, env->jobs, c->store != NULL, true, &interrupted,
                             collect_result, &acc);
        }
        if (st == TL_POOL_DONE && !interrupted) {
            /* Ctrl-C during the link or phase 2 stops here too: the run is
               recorded as failed, earlier runs stay as they were */
            finish_program(c, env, &acc, misses.n);
            for (size_t j = 0; j < misses.n && !c->store_failed && !interrupted; j++)
                if (acc.have[j]) on_result(c, j, &acc.results[j]);
            if (!interrupted) emit_reused_upto(c, tus->n);
        }
        for (size_t j = 0; j < misses.n; j++) tl_tu_result_free(&acc.results[j]);
        free(acc.results);
        free(acc.have);
    }

    tl_progress_clear(&c->progress);
    if (c->store_failed) res.status = 2;
    else if (st == TL_POOL_INTERRUPTED || interrupted) res.status = 130;
    res.fatal = c->any_fatal;
    res.crashed = c->any_crashed;
out:
    if (c->store && c->run > 0) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        bool complete = res.status == 0 && !res.fatal;
        if (tl_store_run_finish(c->store, c->run, complete, &e) != 0 && res.status == 0) {
            store_error(c, &e);
            res.status = 2;
        }
    }
    free(misses.items);
    return res;
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
    run_outcome r = wtus.n ? run_analysis(&env2, &wtus, wroot, wt_dir, label, &c)
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
    run_ctx_free(&c);
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
    tl_pool_status st = tl_pool_run(tus, &topts, base, jobs, true, true, &interrupted, collect_summary, &acc);
    free(root);
    sigaction(SIGINT, &old_int, NULL);
    int rc = 0;
    size_t failed = 0;
    for (size_t i = 0; i < tus->n; i++)
        if (!acc.have[i] || acc.results[i].fatal || acc.results[i].crashed) failed++;
    if (st != TL_POOL_DONE || interrupted) {
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

static int analyze(const tl_cli_options *o) {
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
    int rc = load_base(o, &base);
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
    run_outcome r = run_analysis(&env, &tus, root, NULL, NULL, &c);
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
    run_ctx_free(&c);
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

int main(int argc, char **argv) {
    /* The analysis builds and frees trees of millions of small nodes (the IR
       of a large function, twice: lowered, then decoded for phase 2).  With
       glibc's fastbins, every large allocation after such a free first
       consolidates them; without fastbins, frees go straight to the bins.
       Measured: 6-10 % less CPU on large functions, no change elsewhere. */
    mallopt(M_MXFAST, 0);
    tl_cli_options o;
    int rc = tl_cli_parse(argc, argv, &o, stderr);
    if (rc == 0) {
        switch (o.command) {
        case TL_CMD_HELP: tl_cli_print_help(stdout); break;
        case TL_CMD_HELP_MAN: tl_cli_print_man(stdout); break;
        case TL_CMD_VERSION: {
            CXString v = clang_getClangVersion();
            printf("tasklint %s\nlibclang: %s\n", TASKLINT_VERSION, clang_getCString(v));
            clang_disposeString(v);
            break;
        }
        case TL_CMD_LIST_RULES: rc = list_rules(); break;
        case TL_CMD_EXPLAIN: rc = explain(o.explain_rule); break;
        case TL_CMD_ANALYZE:
        case TL_CMD_CHECK:
        case TL_CMD_SUMMARIZE:
        case TL_CMD_LINK: rc = o.show_config ? tl_cli_show_config(&o, stdout) : analyze(&o); break;
        case TL_CMD_RUNS: rc = tl_cmd_runs(&o); break;
        case TL_CMD_DIFF: rc = tl_cmd_diff(&o); break;
        case TL_CMD_BASELINE: rc = tl_cmd_baseline(&o); break;
        case TL_CMD_TRIAGE: rc = tl_cmd_triage(&o); break;
        }
    }
    tl_cli_options_free(&o);
    if (fflush(stdout) != 0 && rc == 0) rc = 2;
    return rc;
}
