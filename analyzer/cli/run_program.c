/* run_program.c - the whole-program end of an analysis run (run.c).
 *
 * With whole-program analysis, phase 1's results (each TU's findings,
 * summary and IR) are kept until every TU is done (tl_cli_collect_result);
 * tl_cli_finish_program then links this run's summaries with the units the
 * store kept from earlier runs (the newest per main file, for the files not
 * in this run), runs phase 2 on each TU against the linked program, and
 * hands each TU's findings back to run.c's tl_cli_process_tu.  Split from
 * run.c as a pure move; the store is used on the run's thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/phase2_spread.h"
#include "cli/run.h"
#include "driver.h"
#include "program/program.h"
#include "store/hash.h"
#include "store/store.h"
#include "util/xalloc.h"

/* ---- whole program: phase 1 results are kept until the link ---- */

void tl_cli_collect_result(void *ctx, size_t j, tl_tu_result *r) {
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
    const char *main_file; /* its decoded summary's main file (this run's copy), or NULL */
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
    u->main_file = NULL;
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
typedef struct {
    run_ctx *c;
    const run_env *env;
    phase1_acc *acc;
    const tl_tu_summary *fresh;
    tl_program *prog;
} phase2_ctx;

/* Phase 2 of this run's TU j against the linked program (phase2_spread.h). */
static void phase2_one(void *ctx, size_t j) {
    phase2_ctx *p = ctx;
    tl_tu_result *r = &p->acc->results[j];
    tl_tu_unit *u = NULL;
    char err[256];
    /* its summary was decoded before the link */
    if (tl_unit_decode_to_finish(r->unit, r->unit_len, p->env->base, &u, err, sizeof err) != 0) {
        r->fatal = true;
        free(r->fatal_message);
        r->fatal_message = tl_xasprintf("%s: %s", p->c->tus->items[p->c->miss_map[j]].file, err);
        return;
    }
    tl_program_set_unit(p->prog, p->fresh[j].main_file);
    tl_unit_finish(u, p->prog, r);
    tl_unit_free(u);
}

void tl_cli_finish_program(run_ctx *c, const run_env *env, phase1_acc *acc, size_t n) {
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
        if (c->units) c->units[c->miss_map[j]] = r; /* kept in the store by tl_cli_process_tu */
    }

    /* the store's kept units: unchanged TUs, and the program's other files */
    kept_units kept = {0};
    size_t missing = 0, from_others = 0;
    if (c->store && !c->store_failed) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        if (tl_store_each_unit(c->store, collect_kept, &kept, &e) != 0) tl_cli_run_store_error(c, &e);
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
        ku->main_file = others[nothers].main_file;
        sums[nsums++] = &others[nothers++];
        const unsigned char *sb;
        size_t sn;
        if (tl_unit_summary_bytes(ku->unit, ku->len, &sb, &sn) == 0) linked[nlinked++] = (linked_summary){ku->file, sb, sn};
        if (other) from_others++;
    }

    tl_program *prog = tl_program_link(sums, (int)nsums, env->base);
    /* the other files' kept summaries complete a run over a few files */
    tl_program_set_whole(prog, whole || from_others > 0);
    /* the digest is compared and recorded in the store only: a run without
       one does not hash every summary */
    char digest[65] = "";
    if (c->store) program_digest(linked, nlinked, whole || from_others > 0, digest);
    if (env->o->verbose) {
        const tl_program_stats *ps = tl_program_stats_of(prog);
        fprintf(stderr,
                "whole program: %d functions linked (%d header functions seen again), %d of %d calls "
                "through pointers resolved%s\n",
                ps->functions, ps->duplicates, ps->resolved_indirect, ps->indirect_calls,
                ps->capped ? " (some at the cap of targets per field)" : "");
        if (ps->programs > 1)
            fprintf(stderr, "whole program: %d executables (files defining main), %d functions defined by several "
                            "of them\n", ps->programs, ps->multi_defined);
        if (from_others) fprintf(stderr, "whole program: %zu other files linked from earlier runs\n", from_others);
        else if (!whole)
            fprintf(stderr, "whole program: only the files named are linked (no earlier run of the "
                            "project is stored)\n");
        if (missing)
            fprintf(stderr, "whole program: %zu unchanged files have no stored summary (recorded by an "
                            "older tasklint)\n", missing);
    }
    phase2_ctx p2 = {c, env, acc, fresh, prog};
    tl_phase2_stats p2s = tl_cli_phase2_spread(n, fresh_ok, acc->results, env->jobs, &p2, phase2_one,
                                               &tl_cli_interrupted);
    if (env->o->verbose && p2s.processes > 0)
        fprintf(stderr, "whole program: phase 2 in %d processes%s\n", p2s.processes,
                p2s.redone ? "; the files of one that stopped early were done again in this one" : "");
    tl_program_set_unit(prog, NULL);

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
        tl_program_set_unit(prog, reused_kept[i]->main_file);
        tl_unit_finish(u, prog, &r);
        tl_program_set_unit(prog, NULL);
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
        if (tl_store_run_set_program(c->store, c->run, digest, &e) != 0) tl_cli_run_store_error(c, &e);
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
