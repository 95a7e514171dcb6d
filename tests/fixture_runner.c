/* fixture_runner.c - runs the analyzer in-process over fixtures/ and checks
 * the inline expectations (docs/design.md, "Fixture expectations").
 *
 * usage: fixture_runner FIXTURES_DIR [FILTER...]
 *
 * Every *.c under FIXTURES_DIR (recursively, sorted, fixtures/include
 * skipped) is a fixture, and so is every directory inside a rule directory
 * (fixtures/RULE/NAME/): a multi-file program whose .c files are its TUs and
 * whose .c and .h files carry expectations.  A fixture is analysed as a
 * whole program, as the CLI does: phase 1 for each TU, link, phase 2
 * (driver.h; one CXIndex, arguments -I FIXTURES_DIR/include, the include
 * directories of the libraries whose real headers fixtures use (GLib:
 * fixture_cflags.h, written by tests/CMakeLists.txt from pkg-config),
 * -std=gnu11 plus the fixture's RUN-ARGS; the project config is found by
 * the driver as for any file: a program directory's own .tasklint.yaml
 * first, else FIXTURES_DIR/.tasklint.yaml).
 * Expectations:
 *
 *     code();  // EXPECT: RULE              a finding of RULE on this line
 *     code();  // EXPECT: RULE "substr"     ... whose message contains substr
 *     // EXPECT@+1: RULE                    on the next line (@-N: N lines up)
 *     // RUN-ARGS: --profile strict|default --enable RULE --disable RULE
 *
 * A fixture passes when every expectation is matched by its own
 * non-suppressed finding and every non-suppressed finding is expected
 * (clang-diagnostic findings included).  With FILTER arguments only the
 * fixtures whose path contains one of them run.  FIXTURE_VERBOSE=1 in the
 * environment prints every finding.  Exit status 1 on any failure.
 *
 * FIXTURE_SHARED_HEADERS=1: every fixture is also analysed with shared
 * precompiled prefixes (frontend/pch_prefix.h; every TU takes its whole
 * leading run of includes, in a private cache) and fails unless its
 * findings and every TU's encoded unit (IR, summary, suppressions) are
 * byte-identical to the plain run's.  The run fails too when no TU was
 * parsed against a PCH at all.
 */
#include <clang-c/Index.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"
#include "frontend/pch_prefix.h"
#include "report/finding_wire.h"
#include "util/wire.h"
#include "fixture_cflags.h"
#include "program/program.h"
#include "model/model.h"
#include "report/finding.h"
#include "rules/rule.h"

/* ---- small helpers ---- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "fixture_runner: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = xrealloc(NULL, la + lb + 2);
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

typedef struct {
    char **items;
    size_t n, cap;
} strvec;

static void strvec_push(strvec *v, char *s)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = s;
}

static void strvec_free(strvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- discovery ---- */

/* Collects fixture paths relative to root ("rule/lib_x.c"). */
static void walk(const char *root, const char *rel, strvec *out)
{
    char *dir = rel[0] ? path_join(root, rel) : xstrdup(root);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fixture_runner: cannot open %s: %s\n", dir, strerror(errno));
        free(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.')
            continue;
        char *childrel = rel[0] ? path_join(rel, name) : xstrdup(name);
        if (strcmp(childrel, "include") == 0) {
            free(childrel);
            continue;
        }
        char *full = path_join(root, childrel);
        struct stat st;
        if (stat(full, &st) == 0) {
            size_t len = strlen(name);
            if (S_ISDIR(st.st_mode) && strchr(childrel, '/')) {
                /* a directory inside a rule directory: one multi-file program */
                strvec_push(out, childrel);
                childrel = NULL;
            } else if (S_ISDIR(st.st_mode)) {
                walk(root, childrel, out);
            } else if (S_ISREG(st.st_mode) && len > 2 && strcmp(name + len - 2, ".c") == 0) {
                strvec_push(out, childrel);
                childrel = NULL;
            }
        }
        free(full);
        free(childrel);
    }
    closedir(d);
    free(dir);
}

/* ---- fixture parsing ---- */

typedef struct {
    const char *file;  /* real path of the file the EXPECT stands in */
    unsigned line;     /* line the finding is expected on */
    unsigned src_line; /* line the EXPECT stands on */
    char *rule;
    char *substr;      /* or NULL */
    bool matched;
} expectation;

typedef struct {
    expectation *items;
    size_t n, cap;
} expvec;

static void expvec_push(expvec *v, expectation e)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = e;
}

static void expvec_free(expvec *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i].rule);
        free(v->items[i].substr);
    }
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = xrealloc(buf, cap + 1);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool is_rule_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '*';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Where the first comment on the line starts, or NULL.  Good enough for
 * fixtures: string literals containing comment markers are not used. */
static const char *comment_start(const char *p, const char *end)
{
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '/' && (q[1] == '/' || q[1] == '*'))
            return q;
    return NULL;
}

/* Parses one line's EXPECT markers.  Returns false (with err) on malformed
 * markers. */
static bool parse_expects(const char *p, const char *end, unsigned lineno, expvec *out,
                          char *err, size_t errsz)
{
    const char *c = comment_start(p, end);
    if (!c)
        return true;
    const char *q = c;
    while (q < end) {
        const char *hit = NULL;
        for (const char *s = q; s + 6 <= end; s++)
            if (memcmp(s, "EXPECT", 6) == 0) {
                hit = s;
                break;
            }
        if (!hit)
            break;
        const char *s = hit + 6;
        long off = 0;
        if (s < end && *s == '@') {
            s++;
            int sign = 1;
            if (s < end && (*s == '+' || *s == '-')) {
                sign = *s == '-' ? -1 : 1;
                s++;
            } else {
                snprintf(err, errsz, "line %u: EXPECT@ needs +N or -N", lineno);
                return false;
            }
            if (s >= end || *s < '0' || *s > '9') {
                snprintf(err, errsz, "line %u: EXPECT@ needs a number", lineno);
                return false;
            }
            while (s < end && *s >= '0' && *s <= '9')
                off = off * 10 + (*s++ - '0');
            off *= sign;
        }
        if (s >= end || *s != ':') {
            /* prose such as "EXPECTED" - not a marker */
            q = hit + 6;
            continue;
        }
        s = skip_ws(s + 1, end);
        const char *r0 = s;
        while (s < end && is_rule_char(*s))
            s++;
        if (s == r0) {
            snprintf(err, errsz, "line %u: EXPECT: without a rule id", lineno);
            return false;
        }
        expectation e = {0};
        e.rule = xstrndup(r0, (size_t)(s - r0));
        e.src_line = lineno;
        long target = (long)lineno + off;
        if (target < 1) {
            snprintf(err, errsz, "line %u: EXPECT@%ld points before the file", lineno, off);
            free(e.rule);
            return false;
        }
        e.line = (unsigned)target;
        s = skip_ws(s, end);
        if (s < end && *s == '"') {
            s++;
            char *buf = xrealloc(NULL, (size_t)(end - s) + 1);
            size_t n = 0;
            bool closed = false;
            while (s < end) {
                if (*s == '\\' && s + 1 < end) {
                    buf[n++] = s[1];
                    s += 2;
                    continue;
                }
                if (*s == '"') {
                    closed = true;
                    s++;
                    break;
                }
                buf[n++] = *s++;
            }
            buf[n] = '\0';
            if (!closed) {
                snprintf(err, errsz, "line %u: unterminated EXPECT substring", lineno);
                free(buf);
                free(e.rule);
                return false;
            }
            e.substr = buf;
        }
        expvec_push(out, e);
        q = s;
    }
    return true;
}

typedef struct {
    bool profile_set;
    tl_profile profile;
    strvec enable, disable;
} run_args;

static bool parse_run_args(const char *p, const char *end, unsigned lineno, run_args *ra,
                           char *err, size_t errsz)
{
    const char *c = comment_start(p, end);
    if (!c)
        return true;
    const char *hit = NULL;
    for (const char *s = c; s + 9 <= end; s++)
        if (memcmp(s, "RUN-ARGS:", 9) == 0) {
            hit = s;
            break;
        }
    if (!hit)
        return true;
    const char *s = hit + 9;
    /* tokens up to the end of the line or a closing comment */
    const char *stop = end;
    for (const char *t = s; t + 1 < end; t++)
        if (t[0] == '*' && t[1] == '/') {
            stop = t;
            break;
        }
    strvec toks = {0};
    while (s < stop) {
        s = skip_ws(s, stop);
        const char *t0 = s;
        while (s < stop && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        if (s > t0)
            strvec_push(&toks, xstrndup(t0, (size_t)(s - t0)));
        if (s < stop && *s == '\r')
            s++;
    }
    bool ok = true;
    for (size_t i = 0; i < toks.n && ok; i++) {
        const char *t = toks.items[i];
        const char *val = i + 1 < toks.n ? toks.items[i + 1] : NULL;
        if (strcmp(t, "--profile") == 0 && val) {
            if (strcmp(val, "strict") == 0)
                ra->profile = TL_PROFILE_STRICT;
            else if (strcmp(val, "default") == 0)
                ra->profile = TL_PROFILE_DEFAULT;
            else {
                snprintf(err, errsz, "line %u: RUN-ARGS: unknown profile '%s'", lineno, val);
                ok = false;
            }
            ra->profile_set = true;
            i++;
        } else if (strcmp(t, "--enable") == 0 && val) {
            strvec_push(&ra->enable, xstrdup(val));
            i++;
        } else if (strcmp(t, "--disable") == 0 && val) {
            strvec_push(&ra->disable, xstrdup(val));
            i++;
        } else {
            snprintf(err, errsz, "line %u: RUN-ARGS: unsupported argument '%s'", lineno, t);
            ok = false;
        }
    }
    strvec_free(&toks);
    return ok;
}

static bool parse_fixture(const char *path, const char *real, expvec *exps, run_args *ra, char *err,
                          size_t errsz)
{
    size_t first = exps->n;
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        snprintf(err, errsz, "cannot read: %s", strerror(errno));
        return false;
    }
    bool ok = true;
    unsigned lineno = 1;
    const char *p = text, *end = text + len;
    while (p < end && ok) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        ok = parse_expects(p, le, lineno, exps, err, errsz) &&
             parse_run_args(p, le, lineno, ra, err, errsz);
        p = nl ? nl + 1 : end;
        lineno++;
    }
    for (size_t i = first; i < exps->n; i++)
        exps->items[i].file = real;
    free(text);
    return ok;
}

/* ---- rules ---- */

static int rule_index(const char *id)
{
    for (int i = 0; tl_rules[i]; i++)
        if (strcmp(tl_rules[i]->id, id) == 0)
            return i;
    return -1;
}

/* Per-rule expectation counts for the summary. */
typedef struct {
    char *rule;
    unsigned count;
} rule_count;

typedef struct {
    rule_count *items;
    size_t n, cap;
} countvec;

static void count_rule(countvec *cv, const char *rule)
{
    for (size_t i = 0; i < cv->n; i++)
        if (strcmp(cv->items[i].rule, rule) == 0) {
            cv->items[i].count++;
            return;
        }
    if (cv->n == cv->cap) {
        cv->cap = cv->cap ? cv->cap * 2 : 8;
        cv->items = xrealloc(cv->items, cv->cap * sizeof *cv->items);
    }
    cv->items[cv->n].rule = xstrdup(rule);
    cv->items[cv->n].count = 1;
    cv->n++;
}

/* ---- comparing ---- */

static bool matches(const tl_finding *f, const expectation *e, const char *finding_real)
{
    if (f->suppressed || !finding_real || strcmp(finding_real, e->file) != 0)
        return false;
    if (f->line != e->line || strcmp(f->rule, e->rule) != 0)
        return false;
    if (e->substr && (!f->message || !strstr(f->message, e->substr)))
        return false;
    return true;
}

/* The .c (TUs) and .h (expectations only) of a program directory and of
 * its subdirectories (src/util.c and tests/util.c), unsorted. */
static void program_files(const char *dir, strvec *tus, strvec *all)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        char *full = path_join(dir, e->d_name);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            program_files(full, tus, all);
            free(full);
            continue;
        }
        free(full);
        if (len < 3 || e->d_name[len - 2] != '.')
            continue;
        char ext = e->d_name[len - 1];
        if (ext == 'c')
            strvec_push(tus, path_join(dir, e->d_name));
        if (ext == 'c' || ext == 'h')
            strvec_push(all, path_join(dir, e->d_name));
    }
    if (d)
        closedir(d);
}

/* The sources of a fixture: the file itself, or the files of a program
 * directory (program_files), sorted. */
static void fixture_files(const char *path, strvec *tus, strvec *all)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        strvec_push(tus, xstrdup(path));
        strvec_push(all, xstrdup(path));
        return;
    }
    program_files(path, tus, all);
    qsort(tus->items, tus->n, sizeof *tus->items, cmp_str);
    qsort(all->items, all->n, sizeof *all->items, cmp_str);
}

/* Analyses the fixture's TUs as one program: phase 1 for each, link the
 * summaries, phase 2 for each; the findings of all TUs merged (a header's
 * findings, seen from several TUs, once).  Returns false with err set. */
static bool analyse_program(CXIndex index, const tl_model_set *base, const tl_options *opts,
                            const strvec *tus, bool whole, const char *include_arg,
                            tl_pch_cache *pch, tl_wire_writer *digest, tl_findings *out,
                            char *err, size_t errsz)
{
    size_t n = tus->n;
    tl_tu_unit **units = xrealloc(NULL, (n + 1) * sizeof *units);
    tl_tu_result *res = xrealloc(NULL, (n + 1) * sizeof *res);
    tl_tu_summary **sums = xrealloc(NULL, (n + 1) * sizeof *sums);
    memset(sums, 0, (n + 1) * sizeof *sums); /* gcc -O2 cannot see that only filled ones are read */
    bool ok = true;
    int nsums = 0;
    for (size_t i = 0; i < n; i++) {
        /* -I fixtures/include, the include flags of the fixtures' libraries
           (fixture_cflags.h, from pkg-config at build time), -std=gnu11 */
        const char *args[2 + sizeof fixture_cflags / sizeof *fixture_cflags];
        int nargs = 0;
        args[nargs++] = include_arg;
        for (size_t k = 0; fixture_cflags[k]; k++)
            args[nargs++] = fixture_cflags[k];
        args[nargs++] = "-std=gnu11";
        tl_tu_job job = {.file = tus->items[i], .directory = NULL, .args = args, .nargs = nargs,
                         .pch_cache = pch, .pch_includes = pch ? TL_PCH_MAX_INCLUDES : 0};
        memset(&res[i], 0, sizeof res[i]);
        units[i] = NULL;
        int rc = tl_unit_prepare(index, opts, base, &job, &units[i], &res[i]);
        if (rc != 0 || res[i].fatal || !units[i]) {
            snprintf(err, errsz, "analysis failed (rc %d): %s", rc,
                     res[i].fatal_message ? res[i].fatal_message : "no message");
            ok = false;
            continue;
        }
        if (digest) {
            unsigned char *bytes = NULL;
            size_t len = 0;
            if (tl_unit_encode(units[i], &bytes, &len) == 0)
                tl_wire_put_bytes(digest, bytes, len);
            free(bytes);
        }
        sums[nsums++] = (tl_tu_summary *)tl_unit_summary(units[i]);
    }
    tl_program *prog = ok ? tl_program_link(sums, nsums, base) : NULL;
    if (prog)
        tl_program_set_whole(prog, whole);
    for (size_t i = 0; i < n; i++) {
        if (units[i] && ok) {
            tl_program_set_unit(prog, tl_unit_summary(units[i])->main_file);
            tl_unit_finish(units[i], prog, &res[i]);
        }
        tl_findings_move(out, &res[i].findings);
        tl_tu_result_free(&res[i]);
    }
    /* the program reads the summaries: free them after it */
    tl_program_free(prog);
    for (size_t i = 0; i < n; i++)
        tl_unit_free(units[i]);
    tl_findings_sort(out);
    for (size_t i = 0; digest && i < out->n; i++)
        tl_wire_put_finding(digest, &out->items[i]);
    free(units);
    free(res);
    free(sums);
    return ok;
}

/* Runs one fixture (a file, or a program directory); returns true on pass. */
/* FIXTURE_SHARED_HEADERS: the private cache of precompiled prefixes */
static tl_pch_cache *shared_cache;

static bool run_fixture(CXIndex index, const tl_model_set *base, const char *root,
                        const char *rel, const char *include_arg, countvec *counts)
{
    char *path = path_join(root, rel);
    expvec exps = {0};
    run_args ra = {0};
    char err[512] = "";
    bool pass = true;
    strvec report = {0};
    strvec tus = {0}, all = {0}, reals = {0};
    tl_findings found;
    tl_findings_init(&found);

    fixture_files(path, &tus, &all);
    for (size_t i = 0; i < all.n; i++) {
        char real[PATH_MAX];
        if (!realpath(all.items[i], real))
            snprintf(real, sizeof real, "%s", all.items[i]);
        strvec_push(&reals, xstrdup(real));
    }
    for (size_t i = 0; i < all.n && pass; i++)
        if (!parse_fixture(all.items[i], reals.items[i], &exps, &ra, err, sizeof err))
            pass = false;
    if (pass && tus.n == 0) {
        snprintf(err, sizeof err, "a program fixture needs at least one .c file");
        pass = false;
    }
    if (!pass) {
        printf("FAIL %s\n  %s: %s\n", rel, rel, err);
        goto out;
    }
    for (size_t i = 0; i < exps.n; i++)
        count_rule(counts, exps.items[i].rule);

    tl_options opts;
    tl_options_init(&opts);
    if (ra.profile_set) {
        opts.profile = ra.profile;
        opts.profile_set = true;
    }
    for (int pass_no = 0; pass_no < 2; pass_no++) {
        strvec *v = pass_no == 0 ? &ra.enable : &ra.disable;
        for (size_t i = 0; i < v->n; i++) {
            int ri = rule_index(v->items[i]);
            if (ri < 0 || ri >= (int)sizeof opts.rule_state) {
                snprintf(err, sizeof err, "RUN-ARGS: unknown rule '%s'", v->items[i]);
                pass = false;
                continue;
            }
            opts.rule_state[ri] = pass_no == 0 ? 1 : 0;
        }
    }
    if (!pass) {
        printf("FAIL %s\n  %s: %s\n", rel, rel, err);
        goto out;
    }
    /* a program directory is a whole program; a single file is a part of one */
    bool whole = all.n > 1 || strcmp(all.items[0], path) != 0;
    tl_wire_writer plain_digest;
    tl_wire_writer_init(&plain_digest);
    if (!analyse_program(index, base, &opts, &tus, whole, include_arg, NULL,
                         shared_cache ? &plain_digest : NULL, &found, err, sizeof err)) {
        printf("FAIL %s\n  %s: %s\n", rel, rel, err);
        tl_wire_writer_free(&plain_digest);
        pass = false;
        goto out;
    }
    if (shared_cache) {
        /* the same with shared prefixes: identical to the byte */
        tl_wire_writer shared_digest;
        tl_wire_writer_init(&shared_digest);
        tl_findings again;
        tl_findings_init(&again);
        bool ok = analyse_program(index, base, &opts, &tus, whole, include_arg, shared_cache,
                                  &shared_digest, &again, err, sizeof err);
        bool same = ok && shared_digest.len == plain_digest.len &&
                    memcmp(shared_digest.data, plain_digest.data, plain_digest.len) == 0;
        if (!same && getenv("FIXTURE_VERBOSE")) {
            for (int pass_no = 0; pass_no < 2; pass_no++) {
                const tl_findings *fs = pass_no == 0 ? &found : &again;
                printf("  %s run:\n", pass_no == 0 ? "plain" : "shared");
                for (size_t i = 0; i < fs->n; i++)
                    printf("    %s:%u:%u: %s: %s\n", fs->items[i].file ? fs->items[i].file : "?",
                           fs->items[i].line, fs->items[i].col, fs->items[i].rule,
                           fs->items[i].message ? fs->items[i].message : "");
            }
        }
        tl_wire_writer_free(&shared_digest);
        tl_findings_free(&again);
        if (!same) {
            printf("FAIL %s\n  %s: %s\n", rel, rel,
                   ok ? "the analysis differs with a shared precompiled prefix" : err);
            tl_wire_writer_free(&plain_digest);
            pass = false;
            goto out;
        }
    }
    tl_wire_writer_free(&plain_digest);

    if (getenv("FIXTURE_VERBOSE")) {
        for (size_t i = 0; i < found.n; i++) {
            const tl_finding *f = &found.items[i];
            printf("  finding %s:%u:%u: %s: %s%s\n", f->file ? f->file : "?", f->line, f->col,
                   f->rule, f->message ? f->message : "", f->suppressed ? " (suppressed)" : "");
            for (size_t k = 0; k < f->nnotes; k++)
                printf("    note %s:%u:%u: %s\n", f->notes[k].file ? f->notes[k].file : "?",
                       f->notes[k].line, f->notes[k].col, f->notes[k].message);
        }
    }

    size_t nf = found.n;
    bool *used = xrealloc(NULL, (nf + 1) * sizeof *used);
    char **freal = xrealloc(NULL, (nf + 1) * sizeof *freal);
    for (size_t i = 0; i < nf; i++) {
        used[i] = false;
        freal[i] = NULL;
        char buf[PATH_MAX];
        const char *ff = found.items[i].file;
        if (ff && realpath(ff, buf))
            freal[i] = xstrdup(buf);
        else if (ff)
            freal[i] = xstrdup(ff);
    }
    /* Expectations with a substring first: they are the pickier ones. */
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < exps.n; k++) {
            expectation *e = &exps.items[k];
            if ((round == 0) != (e->substr != NULL) || e->matched)
                continue;
            for (size_t i = 0; i < nf; i++) {
                if (!used[i] && matches(&found.items[i], e, freal[i])) {
                    used[i] = true;
                    e->matched = true;
                    break;
                }
            }
        }
    }
    size_t rootlen = strlen(root);
    char line[2048];
    for (size_t k = 0; k < exps.n; k++) {
        const expectation *e = &exps.items[k];
        if (e->matched)
            continue;
        pass = false;
        const char *shown = strncmp(e->file, root, rootlen) == 0 ? e->file + rootlen + 1 : e->file;
        snprintf(line, sizeof line, "  missing:    %s:%u: %s%s%s%s", shown, e->line, e->rule,
                 e->substr ? ": \"" : "", e->substr ? e->substr : "", e->substr ? "\"" : "");
        strvec_push(&report, xstrdup(line));
    }
    for (size_t i = 0; i < nf; i++) {
        const tl_finding *f = &found.items[i];
        if (used[i] || f->suppressed)
            continue;
        pass = false;
        const char *shown = freal[i] && strncmp(freal[i], root, rootlen) == 0 ? freal[i] + rootlen + 1
                                                                            : (f->file ? f->file : "?");
        snprintf(line, sizeof line, "  unexpected: %s:%u: %s: %s", shown, f->line, f->rule,
                 f->message ? f->message : "");
        strvec_push(&report, xstrdup(line));
    }
    for (size_t i = 0; i < nf; i++)
        free(freal[i]);
    free(freal);
    free(used);

    printf("%s %s\n", pass ? "PASS" : "FAIL", rel);
    for (size_t i = 0; i < report.n; i++)
        printf("%s\n", report.items[i]);

out:
    tl_findings_free(&found);
    strvec_free(&report);
    expvec_free(&exps);
    strvec_free(&ra.enable);
    strvec_free(&ra.disable);
    strvec_free(&tus);
    strvec_free(&all);
    strvec_free(&reals);
    free(path);
    return pass;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURES_DIR [FILTER...]\n", argv[0]);
        return 2;
    }
    char root[PATH_MAX];
    if (!realpath(argv[1], root)) {
        fprintf(stderr, "fixture_runner: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    strvec files = {0};
    walk(root, "", &files);
    qsort(files.items, files.n, sizeof *files.items, cmp_str);

    tl_model_set base;
    tl_model_error merr;
    tl_models_init(&base);
    if (tl_models_load_builtin(&base, &merr) != 0) {
        fprintf(stderr, "fixture_runner: built-in models: %s\n", merr.msg);
        tl_models_free(&base);
        strvec_free(&files);
        return 2;
    }
    tl_models_finish(&base);

    char *include_arg = xrealloc(NULL, strlen(root) + 16);
    sprintf(include_arg, "-I%s/include", root);

    CXIndex index = clang_createIndex(0, 0);
    char shared_dir[] = "/tmp/tasklint-fixture-pch-XXXXXX";
    tl_pch_stats shared_stats = {0};
    const char *want_shared = getenv("FIXTURE_SHARED_HEADERS");
    if (want_shared && *want_shared && strcmp(want_shared, "0") != 0) {
        if (!mkdtemp(shared_dir)) {
            fprintf(stderr, "fixture_runner: cannot create %s: %s\n", shared_dir, strerror(errno));
            return 2;
        }
        shared_cache = tl_pch_cache_new(shared_dir, &shared_stats);
        tl_pch_cache_set_min_bytes(shared_cache, 0); /* every prefix, however small */
    }
    unsigned npass = 0, nfail = 0;
    countvec counts = {0};
    for (size_t i = 0; i < files.n; i++) {
        const char *rel = files.items[i];
        if (argc > 2) {
            bool want = false;
            for (int a = 2; a < argc && !want; a++)
                want = strstr(rel, argv[a]) != NULL;
            if (!want)
                continue;
        }
        if (run_fixture(index, &base, root, rel, include_arg, &counts))
            npass++;
        else
            nfail++;
    }
    clang_disposeIndex(index);
    if (shared_cache) {
        tl_pch_cache_free(shared_cache);
        tl_pch_cache_remove(shared_dir);
        printf("shared prefixes: %llu TUs parsed against %llu PCHs, %llu fell back to the plain "
               "parse, %llu prefixes could not be precompiled\n",
               (unsigned long long)shared_stats.shared, (unsigned long long)shared_stats.built,
               (unsigned long long)shared_stats.fallback,
               (unsigned long long)shared_stats.build_failed);
        if (shared_stats.shared == 0) {
            printf("FAIL no TU was parsed against a shared prefix\n");
            nfail++;
        }
    }

    printf("%u passed, %u failed\n", npass, nfail);
    printf("expectations:");
    /* rules in catalogue order, then anything else (suppression, clang-diagnostic) */
    bool first = true;
    for (int r = 0; tl_rules[r]; r++) {
        unsigned c = 0;
        for (size_t i = 0; i < counts.n; i++)
            if (strcmp(counts.items[i].rule, tl_rules[r]->id) == 0)
                c = counts.items[i].count;
        printf("%s %s %u", first ? "" : ",", tl_rules[r]->id, c);
        first = false;
    }
    for (size_t i = 0; i < counts.n; i++) {
        if (rule_index(counts.items[i].rule) >= 0)
            continue;
        printf("%s %s %u", first ? "" : ",", counts.items[i].rule, counts.items[i].count);
        first = false;
    }
    printf("\n");

    for (size_t i = 0; i < counts.n; i++)
        free(counts.items[i].rule);
    free(counts.items);
    free(include_arg);
    tl_models_free(&base);
    bool none = files.n == 0;
    strvec_free(&files);
    if (none) {
        fprintf(stderr, "fixture_runner: no fixtures found under %s\n", root);
        return 1;
    }
    return nfail ? 1 : 0;
}
