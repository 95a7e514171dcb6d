/* driver.c - one translation unit end to end.
 *
 * parse (libclang, KeepGoing) -> clang errors as clang-diagnostic findings
 * -> models (built-in + project config, cached per config file) -> lower ->
 * summary (phase 1) ... link (analyzer/program/, by the caller) ... analyse
 * with the program's facts -> enabled rules -> analysis limits hit ->
 * suppression comments -> sort (phase 2).
 * With a shared precompiled prefix (tl_tu_job.pch_cache, frontend/
 * pch_prefix.h) the parse is against the prefix's PCH; if that parse fails
 * or reports any error, the TU is parsed plainly instead.
 *
 * Safe to call from several threads at once (one CXIndex each): the
 * only shared state is the config cache, behind a mutex.
 */
#include "driver.h"
#include "driver_unit.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataflow/analysis.h"
#include "program/program.h"
#include "frontend/error_spots.h"
#include "frontend/frontend.h"
#include "frontend/pch_prefix.h"
#include "model/per_path.h"
#include "report/analysis_limit.h"
#include "report/suppress.h"
#include "rules/rule.h"
#include "util/path.h"
#include "util/read_file.h"
#include "util/str_map.h"
#include "util/xalloc.h"

#define MAX_RULES ((int)sizeof(((tl_options *)0)->rule_state))

void tl_options_init(tl_options *o) {
    memset(o, 0, sizeof *o);
    o->profile = TL_PROFILE_DEFAULT;
    memset(o->rule_state, -1, sizeof o->rule_state);
}

void tl_tu_result_free(tl_tu_result *r) {
    if (!r) return;
    tl_findings_free(&r->findings);
    free(r->fatal_message);
    r->fatal_message = NULL;
    for (size_t i = 0; i < r->nincludes; i++) free(r->includes[i]);
    free(r->includes);
    r->includes = NULL;
    r->nincludes = 0;
    free(r->unit);
    r->unit = NULL;
    r->unit_len = 0;
    r->fatal = false;
    r->crashed = false;
    r->nerrors = 0;
}

static int fatal(tl_tu_result *out, char *msg) {
    out->fatal = true;
    free(out->fatal_message);
    out->fatal_message = msg;
    return -1;
}

/* ---- project configs, loaded once per (base, config path) ---- */

typedef struct {
    char *path;
    const tl_model_set *base;
    tl_model_set *models; /* NULL on error */
    char *error;
} cfg_entry;

static pthread_mutex_t cfg_mu = PTHREAD_MUTEX_INITIALIZER;
static cfg_entry *cfg_cache;
static size_t cfg_n, cfg_cap;

static char *valid_rules(void) {
    char *s = tl_xstrdup("");
    for (size_t i = 0; tl_rules[i]; i++) {
        char *n = tl_xasprintf("%s%s%s", s, i ? ", " : "", tl_rules[i]->id);
        free(s);
        s = n;
    }
    return s;
}

static char *check_rule_ids(const char *path, const char *key, char **ids, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (tl_rule_find(ids[i])) continue;
        char *valid = valid_rules();
        char *msg = tl_xasprintf("%s: unknown rule '%s' in %s (valid rules: %s)", path, ids[i],
                                 key, valid);
        free(valid);
        return msg;
    }
    return NULL;
}

/* Returns the model set for config `path` (owned by the cache), or NULL with
 * *err set to a malloc'd message. */
const tl_model_set *tl_driver_config_models(const tl_model_set *base, const char *path, char **err) {
    pthread_mutex_lock(&cfg_mu);
    for (size_t i = 0; i < cfg_n; i++) {
        cfg_entry *e = &cfg_cache[i];
        if (e->base == base && strcmp(e->path, path) == 0) {
            const tl_model_set *m = e->models;
            if (!m) *err = tl_xstrdup(e->error);
            pthread_mutex_unlock(&cfg_mu);
            return m;
        }
    }
    cfg_entry e = {.path = tl_xstrdup(path), .base = base};
    tl_model_set *ms = tl_xcalloc(1, sizeof *ms);
    tl_models_init(ms);
    tl_model_error merr;
    memset(&merr, 0, sizeof merr);
    if (tl_models_copy(ms, base) != 0) {
        e.error = tl_xasprintf("%s: cannot copy the built-in models", path);
    } else if (tl_models_load_config(ms, path, &merr) != 0) {
        e.error = merr.msg[0] ? tl_xstrdup(merr.msg)
                              : tl_xasprintf("%s: invalid configuration", path);
    } else {
        tl_models_finish(ms);
        e.error = check_rule_ids(path, "enable", ms->enable, ms->nenable);
        if (!e.error) e.error = check_rule_ids(path, "disable", ms->disable, ms->ndisable);
        for (size_t k = 0; k < ms->nper_path && !e.error; k++) {
            const tl_per_path *pp = &ms->per_path[k];
            char *where = tl_xasprintf("%s:%d", path, pp->line);
            e.error = check_rule_ids(where, "per_path enable", pp->enable, pp->nenable);
            if (!e.error)
                e.error = check_rule_ids(where, "per_path disable", pp->disable, pp->ndisable);
            free(where);
        }
    }
    if (e.error) {
        tl_models_free(ms);
        free(ms);
        ms = NULL;
    }
    e.models = ms;
    if (cfg_n == cfg_cap) {
        cfg_cap = cfg_cap ? cfg_cap * 2 : 4;
        cfg_cache = tl_xrealloc(cfg_cache, cfg_cap * sizeof *cfg_cache);
    }
    cfg_cache[cfg_n++] = e;
    if (!ms) *err = tl_xstrdup(e.error);
    pthread_mutex_unlock(&cfg_mu);
    return ms;
}

/* ---- diagnostics ---- */

static void loc_of(CXSourceLocation loc, char **file, unsigned *line, unsigned *col) {
    CXFile f = NULL;
    clang_getExpansionLocation(loc, &f, line, col, NULL);
    *file = NULL;
    if (f) {
        CXString s = clang_getFileName(f);
        const char *c = clang_getCString(s);
        if (c && *c) *file = tl_xstrdup(c);
        clang_disposeString(s);
    }
}

/* clang is asked for up to TL_CLANG_ERROR_LIMIT errors, to know which
 * functions they touch (frontend/error_spots.h: past the limit, every
 * function counts as touched); as clang itself does, only the first ones
 * are shown. */
#define MAX_SHOWN_ERRORS 20
#define TL_CLANG_ERROR_LIMIT "1000"

static void add_diagnostics(CXTranslationUnit tu, const char *main_file, tl_tu_result *out) {
    unsigned n = clang_getNumDiagnostics(tu);
    int hidden = 0;
    bool truncated = false;
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev < CXDiagnostic_Error) {
            clang_disposeDiagnostic(d);
            continue;
        }
        if (tl_error_spots_is_limit(d)) {
            truncated = true;
            clang_disposeDiagnostic(d);
            continue;
        }
        if (out->nerrors >= MAX_SHOWN_ERRORS) {
            out->nerrors++;
            hidden++;
            clang_disposeDiagnostic(d);
            continue;
        }
        char *file;
        unsigned line = 0, col = 0;
        loc_of(clang_getDiagnosticLocation(d), &file, &line, &col);
        CXString msg = clang_getDiagnosticSpelling(d);
        tl_finding *f = tl_findings_add(&out->findings, "clang-diagnostic", TL_SEV_ERROR,
                                        file ? file : main_file, file ? line : 0,
                                        file ? col : 0, NULL, clang_getCString(msg));
        clang_disposeString(msg);
        free(file);
        out->nerrors++;
        /* clang's notes ("expanded from macro", "previous definition is here") */
        CXDiagnosticSet kids = clang_getChildDiagnostics(d);
        unsigned nk = kids ? clang_getNumDiagnosticsInSet(kids) : 0;
        for (unsigned k = 0; k < nk && k < 8; k++) {
            CXDiagnostic kd = clang_getDiagnosticInSet(kids, k);
            char *kf;
            unsigned kl = 0, kc = 0;
            loc_of(clang_getDiagnosticLocation(kd), &kf, &kl, &kc);
            CXString km = clang_getDiagnosticSpelling(kd);
            tl_finding_add_note(f, kf, kl, kc, clang_getCString(km));
            clang_disposeString(km);
            free(kf);
            clang_disposeDiagnostic(kd);
        }
        clang_disposeDiagnostic(d);
    }
    if (hidden)
        tl_findings_addf(&out->findings, "clang-diagnostic", TL_SEV_ERROR, main_file, 0, 0, NULL,
                         "%s%d more clang error%s in this translation unit %s not shown",
                         truncated ? "at least " : "", hidden, hidden == 1 ? "" : "s",
                         hidden == 1 ? "is" : "are");
}

/* The main file's definitions left out because clang reported errors in them
 * (frontend/error_spots.h): one note, at the first of them. */
static void add_error_funcs(const tl_tu *ir, const char *main_file, tl_findings *out) {
    int n = ir->nerror_funcs;
    if (n == 0) return;
    const tl_error_func *e = ir->error_funcs;
    size_t cap = 256, len = 0;
    char *names = tl_xmalloc(cap);
    names[0] = 0;
    for (int i = 0; i < n && i < 5; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == n ? " and " : ", ");
        size_t need = len + strlen(sep) + strlen(e[i].name) + 3;
        if (need > cap) {
            cap = need * 2;
            names = tl_xrealloc(names, cap);
        }
        len += (size_t)snprintf(names + len, cap - len, "%s'%s'", sep, e[i].name);
    }
    char more[48] = "";
    if (n > 5) snprintf(more, sizeof more, " and %d more", n - 5);
    tl_findings_addf(out, "clang-diagnostic", TL_SEV_NOTE, e[0].loc.file ? e[0].loc.file : main_file,
                     e[0].loc.line, e[0].loc.col, e[0].name,
                     "%d function%s not checked because of the clang errors in %s: %s%s", n,
                     n == 1 ? "" : "s", n == 1 ? "it" : "them", names, more);
    free(names);
}

/* ---- suppressions ---- */

/* Make relative paths in findings usable from the caller's directory. */
static void absolutize(const char *dir, tl_findings *fs) {
    if (!dir || !*dir) return;
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (f->file && *f->file && f->file[0] != '/') {
            char *p = tl_path_join(dir, f->file);
            free(f->file);
            f->file = p;
        }
        for (size_t k = 0; k < f->nnotes; k++) {
            tl_note *n = &f->notes[k];
            if (n->file && *n->file && n->file[0] != '/') {
                char *p = tl_path_join(dir, n->file);
                free(n->file);
                n->file = p;
            }
        }
    }
}

/* ---- the include list (for incremental re-analysis) ---- */

typedef struct {
    const char *dir;
    char **v;
    size_t n, cap;
    tl_str_map seen; /* the paths in v */
} incl_acc;

static void on_inclusion(CXFile included, CXSourceLocation *stack, unsigned depth, CXClientData data) {
    (void)stack;
    (void)depth;
    incl_acc *acc = data;
    CXString s = clang_getFileName(included);
    const char *name = clang_getCString(s);
    if (name && *name) {
        char *p = tl_path_join(acc->dir, name);
        if (tl_str_map_add(&acc->seen, p, (int)acc->n) != (int)acc->n) {
            free(p);
        } else {
            if (acc->n == acc->cap) {
                acc->cap = acc->cap ? acc->cap * 2 : 64;
                acc->v = tl_xrealloc(acc->v, acc->cap * sizeof *acc->v);
            }
            acc->v[acc->n++] = p;
        }
    }
    clang_disposeString(s);
}

/* The main file first, then (against a shared prefix) the files the PCH
 * read, then every file the TU included: clang_getInclusions does not list
 * the files of a PCH. */
static void collect_includes(CXTranslationUnit tu, const char *main_path, const char *dir,
                             const tl_pch *pch, tl_tu_result *out) {
    incl_acc acc = {.dir = dir};
    tl_str_map_init(&acc.seen);
    acc.cap = 64;
    acc.v = tl_xmalloc(acc.cap * sizeof *acc.v);
    acc.v[acc.n++] = tl_xstrdup(main_path);
    tl_str_map_add(&acc.seen, main_path, 0);
    for (int i = 0; pch && i < pch->ndeps; i++) {
        if (tl_str_map_add(&acc.seen, pch->deps[i], (int)acc.n) != (int)acc.n) continue;
        if (acc.n == acc.cap) {
            acc.cap *= 2;
            acc.v = tl_xrealloc(acc.v, acc.cap * sizeof *acc.v);
        }
        acc.v[acc.n++] = tl_xstrdup(pch->deps[i]);
    }
    clang_getInclusions(tu, on_inclusion, &acc);
    tl_str_map_free(&acc.seen);
    out->includes = acc.v;
    out->nincludes = acc.n;
}

static bool has_errors(CXTranslationUnit tu) {
    for (unsigned i = 0, n = clang_getNumDiagnostics(tu); i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        bool e = clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error;
        clang_disposeDiagnostic(d);
        if (e) return true;
    }
    return false;
}

/* The parse against the job's shared prefix: the TU and its PCH, or NULL
 * (no PCH to be had, or the parse failed or reported an error: the caller
 * parses plainly, so that errors are always the plain parse's). */
static CXTranslationUnit parse_shared(const tl_tu_job *job, const char *path, const char *dir,
                                      const char **args, int na, const tl_pch **used) {
    *used = NULL;
    if (!job->pch_cache || job->pch_includes <= 0 || job->unsaved_text) return NULL;
    const tl_pch *pch = tl_pch_get(job->pch_cache, path, dir, args, na, job->pch_includes);
    if (!pch) return NULL;
    tl_pch_stats *st = tl_pch_cache_stats(job->pch_cache);
    args[na] = "-include-pch";
    args[na + 1] = pch->pch_path;
    CXTranslationUnit tu = NULL;
    enum CXErrorCode ec = clang_parseTranslationUnit2(tl_pch_cache_index(job->pch_cache), path, args,
                                                      na + 2, NULL, 0, CXTranslationUnit_KeepGoing, &tu);
    if (ec != CXError_Success || !tu || has_errors(tu)) {
        if (tu) clang_disposeTranslationUnit(tu);
        __atomic_fetch_add(&st->fallback, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    __atomic_fetch_add(&st->shared, 1, __ATOMIC_RELAXED);
    *used = pch;
    return tu;
}

static const char *parse_error_name(enum CXErrorCode ec) {
    switch (ec) {
    case CXError_Crashed: return "libclang crashed while parsing it";
    case CXError_InvalidArguments: return "invalid arguments to libclang";
    default: return "clang rejected the compiler arguments or could not read the file";
    }
}

/* " (arguments: -I inc -DX)", shortened; "" without arguments */
static char *describe_args(const char *const *args, int n) {
    if (n <= 0) return tl_xstrdup("");
    size_t cap = 256, len = 0;
    char *s = tl_xmalloc(cap);
    len = (size_t)snprintf(s, cap, " (arguments:");
    for (int i = 0; i < n && len < 200; i++) {
        size_t need = len + strlen(args[i]) + 2;
        if (need >= cap) {
            cap = need * 2;
            s = tl_xrealloc(s, cap);
        }
        len += (size_t)snprintf(s + len, cap - len, " %s", args[i]);
        if (len >= 200 && i + 1 < n) {
            s = tl_xrealloc(s, len + 8);
            len += (size_t)snprintf(s + len, 8, " ...");
        }
    }
    s = tl_xrealloc(s, len + 2);
    s[len++] = ')';
    s[len] = 0;
    return s;
}

/* Limits the front end and the shared analysis (analysis.h) hit in functions
 * that are checked. */
static void report_shared_limits(const tl_analysis *a, tl_findings *out) {
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        if (a->funcs[fi].exempt) continue;
        if (f->opaque_deep_exprs > 0) {
            char what[200];
            snprintf(what, sizeof what,
                     "an expression nests more than %d levels deep and was followed only "
                     "that far (calls deeper in it are not checked)",
                     TL_FRONTEND_MAX_EXPR_DEPTH);
            tl_report_analysis_limit(out, f->loc.file, f->loc.line, f->loc.col, f->name, what);
        }
        if (a->funcs[fi].constprop_incomplete)
            tl_report_analysis_limit(out, f->loc.file, f->loc.line, f->loc.col, f->name,
                                     "constant propagation stopped at its budget (loops nested "
                                     "too deeply), so argument values and reachable code are "
                                     "incomplete");
    }
}

static void unit_free(tl_tu_unit *u) {
    if (!u) return;
    tl_tu_free(&u->ir);
    tl_tu_summary_free(&u->summary);
    for (size_t i = 0; i < u->nsups; i++) tl_suppress_free(&u->sups[i]);
    free(u->sups);
    free(u->path);
    free(u->dir);
    free(u->config_path);
    free(u);
}

void tl_unit_free(tl_tu_unit *u) {
    unit_free(u);
}

const tl_tu_summary *tl_unit_summary(const tl_tu_unit *u) {
    return &u->summary;
}

/* Scan the suppression comments of every file a finding of this TU can be
 * reported in: the main file and the headers whose functions were lowered. */
static void scan_suppressions(CXTranslationUnit tu, tl_tu_unit *u, const tl_str_map *prefix_files) {
    const char **files = tl_xmalloc(((size_t)u->ir.nfuncs + 2) * sizeof *files);
    size_t nfiles = 0;
    CXFile mainf = clang_getFile(tu, u->path);
    CXString ms = mainf ? clang_getFileName(mainf) : (CXString){0};
    char *main_name = tl_xstrdup(mainf && clang_getCString(ms) ? clang_getCString(ms) : u->path);
    if (mainf) clang_disposeString(ms);
    files[nfiles++] = main_name;
    for (int i = 0; i < u->ir.nfuncs; i++) {
        const char *f = u->ir.funcs[i].loc.file;
        if (!u->ir.funcs[i].in_header || !f) continue;
        bool seen = false;
        for (size_t k = 0; k < nfiles && !seen; k++) seen = !strcmp(files[k], f);
        if (!seen) files[nfiles++] = f;
    }
    u->sups = tl_xcalloc(nfiles, sizeof *u->sups);
    for (size_t k = 0; k < nfiles; k++) {
        size_t len = 0;
        char *owned = NULL;
        const char *text = NULL;
        char *p = tl_path_join(u->dir, files[k]);
        bool of_prefix = tl_str_map_get(prefix_files, p) >= 0;
        if (of_prefix) text = owned = tl_read_file(p, &len);
        if (!text) {
            CXFile cf = clang_getFile(tu, files[k]);
            text = cf ? clang_getFileContents(tu, cf, &len) : NULL;
        }
        if (!text && !of_prefix) text = owned = tl_read_file(p, &len);
        free(p);
        tl_suppress_init(&u->sups[u->nsups]);
        if (text) tl_suppress_scan(&u->sups[u->nsups], files[k], text, len);
        u->nsups++;
        free(owned);
    }
    free(main_name);
    free(files);
}

/* ---- settings: defaults < config < per-path entries < command line ---- */

static void set_rules(bool *enabled, char *const *ids, size_t n, bool on) {
    for (size_t k = 0; k < n; k++)
        for (int i = 0; tl_rules[i] && i < MAX_RULES; i++)
            if (!strcmp(ids[k], tl_rules[i]->id)) enabled[i] = on;
}

static void apply_per_path(const tl_per_path *e, void *data) {
    tl_tu_unit *u = data;
    if (e->profile >= 0) u->profile = (tl_profile)e->profile;
    set_rules(u->enabled, e->disable, e->ndisable, false);
    set_rules(u->enabled, e->enable, e->nenable, true);
}

static void resolve_settings(const tl_options *opts, const tl_model_set *base,
                             const tl_model_set *models, const char *cfg, const char *path,
                             tl_tu_unit *u) {
    bool from_config = models && models != base;
    u->profile = TL_PROFILE_DEFAULT;
    if (from_config && models->has_profile) u->profile = models->profile;
    for (int i = 0; i < MAX_RULES; i++) u->enabled[i] = false;
    for (int i = 0; tl_rules[i] && i < MAX_RULES; i++) u->enabled[i] = true;
    if (from_config) {
        set_rules(u->enabled, models->disable, models->ndisable, false);
        set_rules(u->enabled, models->enable, models->nenable, true);
    }
    /* per-path entries: relative to the config's directory, else (built-in
       ones only) to the project root */
    char *base_dir = NULL;
    if (cfg) {
        base_dir = tl_xstrdup(cfg);
        char *slash = strrchr(base_dir, '/');
        if (slash) *(slash == base_dir ? slash + 1 : slash) = 0;
        else strcpy(base_dir, ".");
    } else if (opts->root) {
        base_dir = tl_xstrdup(opts->root);
    }
    char *rel = base_dir ? tl_per_path_relative(path, base_dir) : NULL;
    if (rel) tl_per_path_each(from_config ? models : NULL, rel, apply_per_path, u);
    free(rel);
    free(base_dir);
    if (opts->profile_set) u->profile = opts->profile;
    for (int i = 0; tl_rules[i] && i < MAX_RULES; i++) {
        if (opts->rule_state[i] == 0) u->enabled[i] = false;
        else if (opts->rule_state[i] == 1) u->enabled[i] = true;
    }
}

/* The arguments libclang parses the job's main file with (see driver.h). */
const char **tl_driver_clang_args(const tl_tu_job *job, int *nout, char **wd) {
    const char *dir = job->directory && *job->directory ? job->directory : NULL;
    int nargs = job->nargs > 0 ? job->nargs : 0;
    const char **args = tl_xmalloc((size_t)(nargs + 7) * sizeof *args);
    int na = 0;
    bool own_resource_dir = false;
    for (int i = 0; i < nargs; i++)
        if (job->args[i]) {
            args[na++] = job->args[i];
            if (!strncmp(job->args[i], "-resource-dir", 13)) own_resource_dir = true;
        }
#ifdef TASKLINT_CLANG_RESOURCE_DIR
    /* clang's own headers (stddef.h...), absolute: libclang 19 would first try
       "lib/clang/19" relative to the current directory (present in /), and
       then resolve it against -working-directory. */
    if (!own_resource_dir) args[na++] = "-resource-dir=" TASKLINT_CLANG_RESOURCE_DIR;
#endif
    (void)own_resource_dir;
    /* last, so that they win over the project's own flags: warnings are never
       reported, so clang computes none (nor complains about gcc's warning
       options); clang prints no colour codes of its own; and errors are
       known far enough to leave out only the functions they touch */
    args[na++] = "-w";
    args[na++] = "-fno-color-diagnostics";
    args[na++] = "-ferror-limit=" TL_CLANG_ERROR_LIMIT;
    *wd = dir ? tl_xasprintf("-working-directory=%s", dir) : NULL;
    if (*wd) args[na++] = *wd;
    *nout = na;
    return args;
}

int tl_unit_prepare(CXIndex index, const tl_options *opts, const tl_model_set *base,
                    const tl_tu_job *job, tl_tu_unit **unit, tl_tu_result *out) {
    *unit = NULL;
    tl_findings_init(&out->findings);
    out->nerrors = 0;
    out->fatal = false;
    out->crashed = false;
    out->fatal_message = NULL;
    out->includes = NULL;
    out->nincludes = 0;
    if (!job || !job->file || !*job->file) return fatal(out, tl_xstrdup("no file to analyse"));

    tl_options defaults;
    if (!opts) {
        tl_options_init(&defaults);
        opts = &defaults;
    }
    const char *dir = job->directory && *job->directory ? job->directory : NULL;
    char *path = tl_path_join(dir, job->file);
    if (!job->unsaved_text && access(path, R_OK) != 0) {
        int e = errno;
        char *m = tl_xasprintf("%s: cannot read: %s", path, strerror(e));
        free(path);
        return fatal(out, m);
    }

    /* models and settings: built-in, or extended by the project config */
    const tl_model_set *models = base;
    char *cfg = NULL;
    if (opts->config_path || !opts->no_config) {
        cfg = opts->config_path ? tl_xstrdup(opts->config_path) : tl_config_find(path);
        if (cfg) {
            char *err = NULL;
            models = tl_driver_config_models(base, cfg, &err);
            if (!models) {
                free(cfg);
                free(path);
                return fatal(out, err);
            }
        }
    }
    tl_tu_unit *u = tl_xcalloc(1, sizeof *u);
    u->config_path = cfg;
    u->path = path;
    u->dir = dir ? tl_xstrdup(dir) : NULL;
    u->models = models;
    resolve_settings(opts, base, models, cfg, path, u);

    /* parse */
    char *wd = NULL;
    int na = 0;
    const char **args = tl_driver_clang_args(job, &na, &wd);

    const tl_pch *pch = NULL;
    CXTranslationUnit tu = parse_shared(job, path, dir, args, na, &pch);
    struct CXUnsavedFile unsaved = {path, job->unsaved_text, (unsigned long)job->unsaved_len};
    enum CXErrorCode ec = CXError_Success;
    if (!tu)
        ec = clang_parseTranslationUnit2(index, path, args, na, job->unsaved_text ? &unsaved : NULL,
                                         job->unsaved_text ? 1 : 0, CXTranslationUnit_KeepGoing, &tu);
    if (ec != CXError_Success || !tu) {
        char *why = describe_args(args, na);
        char *m = tl_xasprintf("%s: could not be parsed: %s%s", path, parse_error_name(ec), why);
        free(why);
        free(args);
        free(wd);
        unit_free(u);
        return fatal(out, m);
    }
    free(args);
    free(wd);

    add_diagnostics(tu, path, out);

    /* lower, then summarise for the program (the per-TU facts, no program) */
    tl_str_map prefix_files; /* the files the PCH read: read from themselves (frontend.h) */
    tl_str_map_init(&prefix_files);
    for (int i = 0; pch && i < pch->ndeps; i++)
        if (tl_str_map_get(&prefix_files, pch->deps[i]) < 0) tl_str_map_add(&prefix_files, pch->deps[i], i);
    tl_frontend_prefix prefix = {0};
    if (pch) {
        prefix.annots = pch->annots;
        prefix.nannots = pch->nannots;
        prefix.dir = dir;
        prefix.files = &prefix_files;
        prefix.file_sys = pch->deps_sys;
    }
    int lowered = pch ? tl_frontend_lower_shared(tu, models, &prefix, &u->ir)
                      : tl_frontend_lower(tu, models, &u->ir);
    if (lowered != 0) {
        /* an internal limit: what was lowered is still analysed */
        tl_findings_addf(&out->findings, TL_ANALYSIS_LIMIT_RULE, TL_SEV_WARNING, path, 0, 0, NULL,
                         "this file was not fully checked: tasklint could not lower all of its "
                         "functions; findings in it may be missing");
    }
    add_error_funcs(&u->ir, path, &out->findings);
    tl_analysis a;
    memset(&a, 0, sizeof a);
    if (tl_analysis_run(&u->ir, models, u->profile, &a) != 0) {
        tl_analysis_free(&a);
        tl_str_map_free(&prefix_files);
        clang_disposeTranslationUnit(tu);
        char *m = tl_xasprintf("%s: analysis failed", path);
        unit_free(u);
        return fatal(out, m);
    }
    tl_tu_summary_extract(&a, &u->summary);
    tl_analysis_keep_values(&a, &u->ir);
    tl_analysis_free(&a);

    scan_suppressions(tu, u, &prefix_files);
    tl_str_map_free(&prefix_files);
    if (job->want_includes) collect_includes(tu, path, dir, pch, out);
    clang_disposeTranslationUnit(tu);
    *unit = u;
    return 0;
}

int tl_unit_finish(tl_tu_unit *u, const tl_program *program, tl_tu_result *out) {
    int rc = 0;
    tl_analysis a;
    memset(&a, 0, sizeof a);
    if (tl_analysis_run_program(&u->ir, u->models, u->profile, program, &a) != 0) {
        rc = fatal(out, tl_xasprintf("%s: analysis failed", u->path));
    } else {
        for (int i = 0; tl_rules[i] && i < MAX_RULES; i++) {
            if (!u->enabled[i] || !tl_rules[i]->check) continue;
            tl_findings rf;
            tl_findings_init(&rf);
            tl_rules[i]->check(&a, &rf);
            tl_findings_move(&out->findings, &rf);
        }
        report_shared_limits(&a, &out->findings);
    }
    tl_analysis_free(&a);

    /* suppressions; mistakes are reported for the main file only: a header's
       suppressions belong to every TU that includes it */
    tl_findings problems;
    tl_findings_init(&problems);
    for (size_t k = 0; k < u->nsups; k++) {
        tl_suppress_apply(&u->sups[k], &out->findings);
        if (k == 0) tl_suppress_report(&u->sups[k], u->enabled, &problems);
    }
    tl_findings_move(&out->findings, &problems);

    absolutize(u->dir, &out->findings);
    tl_findings_sort(&out->findings);
    /* the IR is done with; the summary stays for the program */
    tl_tu_free(&u->ir);
    memset(&u->ir, 0, sizeof u->ir);
    return rc;
}

int tl_analyze_tu(CXIndex index, const tl_options *opts, const tl_model_set *base,
                  const tl_tu_job *job, tl_tu_result *out) {
    tl_tu_unit *u = NULL;
    int rc = tl_unit_prepare(index, opts, base, job, &u, out);
    if (rc != 0 || !u) return rc;
    rc = tl_unit_finish(u, NULL, out);
    tl_unit_free(u);
    return rc;
}

int tl_analyze_tu_phase1(CXIndex index, const tl_options *opts, const tl_model_set *base,
                         const tl_tu_job *job, tl_tu_result *out) {
    tl_tu_unit *u = NULL;
    int rc = tl_unit_prepare(index, opts, base, job, &u, out);
    if (rc != 0 || !u) return rc;
    if (tl_unit_encode(u, &out->unit, &out->unit_len) != 0) {
        tl_unit_free(u);
        return fatal(out, tl_xasprintf("%s: its analysis is too large to pass on", job->file));
    }
    tl_unit_free(u);
    return 0;
}
