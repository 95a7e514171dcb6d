/* run.c - one analysis run over a list of TUs.
 *
 * Every run is recorded in the findings store (store/store.h) unless
 * --no-db.  Before the workers start, each TU's key (file, arguments, tool,
 * configuration) is looked up there: a TU whose files are all unchanged is
 * not parsed, its findings are carried over.  Only the others go to the
 * worker pool (workers.c, driver.c).
 * Findings are printed on the run's output in input order; with whole-
 * program analysis the phase-1 results are kept until the link
 * (tl_cli_finish_program).  The store is used on this thread only.  The commands
 * that drive a run (analyze, check, link, --baseline-commit) are in
 * analyze.c; the types shared with them in run.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run.h"
#include "cli/shared_headers.h"
#include "driver.h"
#include "program/program.h"
#include "report/report.h"
#include "report/suppress.h"
#include "report/text_output.h"
#include "store/fingerprint.h"
#include "store/hash.h"
#include "store/store.h"
#include "util/str_map.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

volatile sig_atomic_t tl_cli_interrupted = 0;

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

void tl_cli_run_store_error(run_ctx *c, const tl_store_error *e) {
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

void tl_cli_process_tu(run_ctx *c, size_t index, tl_findings *fs, bool fatal, const char *fatal_msg,
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
        if (tl_store_triage_apply(c->store, fs, &e) != 0) tl_cli_run_store_error(c, &e);
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
            if (rc != 0) tl_cli_run_store_error(c, &e);
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
        tl_cli_process_tu(c, i, &s->findings, false, NULL, false, NULL, 0, s);
        c->next_emit++;
    }
}

static void on_result(void *ctx, size_t j, tl_tu_result *r) {
    run_ctx *c = ctx;
    size_t i = c->miss_map[j];
    emit_reused_upto(c, i);
    if (c->store_failed) return;
    tl_cli_process_tu(c, i, &r->findings, r->fatal, r->fatal_message, r->crashed, r->includes,
               r->nincludes, NULL);
    c->next_emit = i + 1;
}

void tl_cli_run_ctx_free(run_ctx *c) {
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

run_outcome tl_cli_run_analysis(const run_env *env, const tl_cli_tus *tus, const char *root,
                         const char *git_dir, const char *label, run_ctx *c) {
    run_outcome res = {0, false, false};
    const tl_cli_options *o = env->o;
    c->o = o;
    c->tus = tus;
    c->root = root;
    c->stop = &tl_cli_interrupted;
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
            tl_cli_run_store_error(c, &e);
            res.status = 2;
            goto out;
        }
        /* incremental: TUs whose inputs did not change are not parsed (link:
           every TU comes from its summary file) */
        double t0 = now_s();
        c->keys = tl_xcalloc(tus->n, sizeof *c->keys);
        c->slots = tl_xcalloc(tus->n, sizeof *c->slots);
        for (size_t i = 0; i < tus->n && !tl_cli_interrupted; i++) {
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
                tl_cli_run_store_error(c, &e);
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
    if (!tl_cli_interrupted) {
        /* phase 1 in the workers; the link and phase 2 once every TU is in */
        phase1_acc acc = {c, tl_xcalloc(misses.n + 1, sizeof *acc.results),
                          tl_xcalloc(misses.n + 1, sizeof *acc.have), 0};
        if (env->preloaded) {
            for (size_t j = 0; j < misses.n && !tl_cli_interrupted; j++)
                tl_cli_collect_result(&acc, j, &env->preloaded[c->miss_map[j]]);
            st = tl_cli_interrupted ? TL_POOL_INTERRUPTED : TL_POOL_DONE;
        } else {
            tl_options topts = o->opts;
            topts.root = root; /* for the built-in per-path entries */
            tl_cli_shared_headers sh;
            tl_cli_shared_headers_begin(&sh, o, root, c->store != NULL, &misses);
            topts.pch_plan = tl_cli_shared_headers_plan(&sh);
            st = tl_pool_run(&misses, &topts, env->base, env->jobs, c->store != NULL, true, &tl_cli_interrupted,
                             tl_cli_collect_result, &acc);
            tl_progress_clear(&c->progress);
            tl_cli_shared_headers_end(&sh, o->verbose && !o->quiet, stderr);
        }
        if (st == TL_POOL_DONE && !tl_cli_interrupted) {
            /* Ctrl-C during the link or phase 2 stops here too: the run is
               recorded as failed, earlier runs stay as they were */
            tl_cli_finish_program(c, env, &acc, misses.n);
            for (size_t j = 0; j < misses.n && !c->store_failed && !tl_cli_interrupted; j++)
                if (acc.have[j]) on_result(c, j, &acc.results[j]);
            if (!tl_cli_interrupted) emit_reused_upto(c, tus->n);
        }
        for (size_t j = 0; j < misses.n; j++) tl_tu_result_free(&acc.results[j]);
        free(acc.results);
        free(acc.have);
    }

    tl_progress_clear(&c->progress);
    if (c->store_failed) res.status = 2;
    else if (st == TL_POOL_INTERRUPTED || tl_cli_interrupted) res.status = 130;
    res.fatal = c->any_fatal;
    res.crashed = c->any_crashed;
out:
    if (c->store && c->run > 0) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        bool complete = res.status == 0 && !res.fatal;
        if (tl_store_run_finish(c->store, c->run, complete, &e) != 0 && res.status == 0) {
            tl_cli_run_store_error(c, &e);
            res.status = 2;
        }
    }
    free(misses.items);
    return res;
}
