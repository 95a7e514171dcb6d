/* baseline.c - diffs between finding lists, named baselines, and the
 * baseline text file that travels with a repository:
 *
 *   # tasklint baseline v1: run 12, 2024-05-01T10:20:30Z, 2 findings
 *   0c1d...\torphaned-spawn\tsrc/pool.c\tpool_start\t-
 *   9f4e...\tmissing-timeout\tsrc/peer.c\tpeer_wait\tintentional\twe wait for the peer forever
 *
 * sorted by fingerprint (then by the rest of the line), paths relative to
 * the run's project root, "-" for no function / no triage; a backslash,
 * tab, CR or newline inside a field is written \\, \t, \r, \n. */
#include "store/store_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/fingerprint.h"
#include "util/atomic_file.h"
#include "util/xalloc.h"

/* ---- diff ---- */

static int cmp_fp_ptr(const void *pa, const void *pb) {
    const tl_finding *a = *(const tl_finding *const *)pa, *b = *(const tl_finding *const *)pb;
    int c = strcmp(a->fingerprint, b->fingerprint);
    if (c) return c;
    return a < b ? -1 : a > b; /* list order among equal fingerprints */
}

static const tl_finding **sorted_by_fp(const tl_findings *fs, size_t *n) {
    const tl_finding **v = tl_xmalloc((fs->n + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->items[i].fingerprint) v[(*n)++] = &fs->items[i];
    qsort(v, *n, sizeof *v, cmp_fp_ptr);
    return v;
}

void tl_diff_compute(const tl_findings *a, const tl_findings *b, tl_diff *out) {
    static const tl_findings empty = {0};
    if (!a) a = &empty;
    if (!b) b = &empty;
    tl_findings_init(&out->added);
    tl_findings_init(&out->fixed);
    tl_findings_init(&out->unchanged);
    /* a_kept[i]: A's finding i is still in B; b_old[j]: B's finding j was in A */
    bool *a_kept = tl_xcalloc(a->n + 1, sizeof *a_kept), *b_old = tl_xcalloc(b->n + 1, sizeof *b_old);
    size_t na, nb;
    const tl_finding **va = sorted_by_fp(a, &na), **vb = sorted_by_fp(b, &nb);
    /* a multiset match: each occurrence in A pairs with at most one in B */
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        int c = strcmp(va[i]->fingerprint, vb[j]->fingerprint);
        if (c == 0) {
            a_kept[va[i] - a->items] = true;
            b_old[vb[j] - b->items] = true;
            i++;
            j++;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }
    for (size_t k = 0; k < b->n; k++) {
        tl_finding *f = tl_findings_add_copy(b_old[k] ? &out->unchanged : &out->added, &b->items[k]);
        f->baseline_state = b_old[k] ? TL_BASELINE_UNCHANGED : TL_BASELINE_NEW;
    }
    for (size_t k = 0; k < a->n; k++)
        if (!a_kept[k]) tl_findings_add_copy(&out->fixed, &a->items[k])->baseline_state =
                          TL_BASELINE_ABSENT;
    free(va);
    free(vb);
    free(a_kept);
    free(b_old);
}

void tl_diff_free(tl_diff *d) {
    tl_findings_free(&d->added);
    tl_findings_free(&d->fixed);
    tl_findings_free(&d->unchanged);
}

/* ---- named baselines ---- */

int tl_store_baseline_set(tl_store *s, const char *name, int64_t run, tl_store_error *err) {
    tl_store__ok(err);
    if (!name || !*name) {
        tl_store__set_error(err, TL_STORE_E_IO, "a baseline needs a name");
        return -1;
    }
    if (tl_store__begin(s, err)) return -1;
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_GET_STATUS, err);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, run);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        tl_store__fail(s, rc, "reading a run", err);
        goto fail;
    }
    const unsigned char *status = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    if (!status || strcmp((const char *)status, "complete") != 0) {
        tl_store__set_error(err, TL_STORE_E_NOT_FOUND,
                            status ? "%s: run %lld is %s: only a complete run can be a baseline"
                                   : "%s: no run %lld%s",
                            s->path, (long long)run, status ? (const char *)status : "");
        sqlite3_reset(st);
        goto fail;
    }
    sqlite3_reset(st);
    if (!(st = tl_store__stmt(s, ST_BASELINE_SET, err))) goto fail;
    char now[32];
    tl_store__now_iso(now);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, run);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        tl_store__fail(s, rc, "setting a baseline", err);
        goto fail;
    }
    return tl_store__commit(s, err);
fail:
    tl_store__rollback(s);
    return -1;
}

int64_t tl_store_baseline_run(tl_store *s, const char *name) {
    tl_store_error err;
    if (!name) return 0;
    sqlite3_stmt *st = tl_store__stmt(s, ST_BASELINE_GET, &err);
    if (!st) return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int64_t run = 0;
    if (sqlite3_step(st) == SQLITE_ROW) run = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return run;
}

/* ---- the baseline file ---- */

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

static void sb_putc(sbuf *b, char c) {
    if (b->len + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->buf = tl_xrealloc(b->buf, b->cap);
    }
    b->buf[b->len++] = c;
    b->buf[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) {
    for (; *s; s++) sb_putc(b, *s);
}

static void sb_field(sbuf *b, const char *s) {
    if (!s || !*s) {
        sb_putc(b, '-');
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '\\': sb_putc(b, '\\'); sb_putc(b, '\\'); break;
        case '\t': sb_putc(b, '\\'); sb_putc(b, 't'); break;
        case '\n': sb_putc(b, '\\'); sb_putc(b, 'n'); break;
        case '\r': sb_putc(b, '\\'); sb_putc(b, 'r'); break;
        default: sb_putc(b, *s);
        }
    }
}

static int cmp_line(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int tl_store_baseline_export(tl_store *s, int64_t run, const char *file, tl_store_error *err) {
    tl_store__ok(err);
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_STARTED_ROOT, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            tl_store__set_error(err, TL_STORE_E_NOT_FOUND, "%s: no run %lld", s->path,
                                (long long)run);
            return -1;
        }
        return tl_store__fail(s, rc, "reading a run", err);
    }
    char *started = tl_store__col_dup(st, 0), *root = tl_store__col_dup(st, 1);
    sqlite3_reset(st);

    tl_findings fs;
    tl_findings_init(&fs);
    int r = -1;
    char **lines = NULL;
    size_t nlines = 0;
    sbuf text = {0};
    if (tl_store_run_findings(s, run, &fs, err) != 0) goto out;
    lines = tl_xmalloc((fs.n + 1) * sizeof *lines);
    for (size_t i = 0; i < fs.n; i++) {
        const tl_finding *f = &fs.items[i];
        if (f->suppressed || !f->fingerprint) continue; /* not something a user sees */
        char *rel = root ? tl_fingerprint_relpath(f->file, root) : tl_xstrdup(f->file);
        sbuf b = {0};
        sb_field(&b, f->fingerprint);
        sb_putc(&b, '\t');
        sb_field(&b, f->rule);
        sb_putc(&b, '\t');
        sb_field(&b, rel);
        sb_putc(&b, '\t');
        sb_field(&b, f->function);
        sb_putc(&b, '\t');
        if (f->triage > TL_TRIAGE_NONE) {
            sb_field(&b, tl_triage_name((tl_triage_state)f->triage));
            if (f->triage_reason && *f->triage_reason) {
                sb_putc(&b, '\t');
                sb_field(&b, f->triage_reason);
            }
        } else {
            sb_putc(&b, '-');
        }
        free(rel);
        lines[nlines++] = b.buf;
    }
    qsort(lines, nlines, sizeof *lines, cmp_line);

    char *hdr = tl_xasprintf("# tasklint baseline v1: run %lld, %s, %zu findings\n",
                             (long long)run, started ? started : "?", nlines);
    sb_puts(&text, hdr);
    free(hdr);
    for (size_t i = 0; i < nlines; i++) {
        sb_puts(&text, lines[i]);
        sb_putc(&text, '\n');
    }
    /* a fresh temporary renamed into place (util/atomic_file.h) */
    char msg[sizeof err->msg];
    if (tl_atomic_file_write(file, text.buf, text.len, msg, sizeof msg) != 0) {
        tl_store__set_error(err, TL_STORE_E_IO, "%s", msg);
        goto out;
    }
    r = 0;
out:
    for (size_t i = 0; i < nlines; i++) free(lines[i]);
    free(lines);
    free(text.buf);
    free(started);
    free(root);
    tl_findings_free(&fs);
    return r;
}

/* Unescapes a field in place; false on a bad escape. */
static bool unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        switch (*++r) {
        case '\\': *w++ = '\\'; break;
        case 't': *w++ = '\t'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        default: return false;
        }
    }
    *w = '\0';
    return true;
}

static bool is_fingerprint(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n])) return false;
    return n == TL_FINGERPRINT_LEN;
}

#define BERR(...)                                                                                  \
    do {                                                                                           \
        if (msg && msgsz) snprintf(msg, msgsz, __VA_ARGS__);                                       \
        goto fail;                                                                                 \
    } while (0)

/* Reads the lines of fp (closed here); file names it in messages. */
static int read_baseline_stream(FILE *fp, const char *file, tl_findings *out, char *msg,
                                size_t msgsz) {
    tl_findings got;
    tl_findings_init(&got);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if ((size_t)len != strlen(line)) BERR("%s:%lu: the line contains a NUL byte", file, lineno);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (lineno == 1) {
            int v = 0;
            if (sscanf(line, "# tasklint baseline v%d", &v) != 1)
                BERR("%s:1: not a tasklint baseline file (it should start with "
                     "'# tasklint baseline v1:')",
                     file);
            if (v != 1)
                BERR("%s:1: baseline format v%d is not supported (this tasklint reads v1)", file,
                     v);
            continue;
        }
        if (len == 0 || line[0] == '#') continue;
        char *field[7];
        int nf = 0;
        for (char *p = line;;) {
            char *tab = strchr(p, '\t');
            if (nf < 7) field[nf] = p;
            nf++;
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nf < 5 || nf > 6)
            BERR("%s:%lu: expected 5 or 6 tab-separated fields "
                 "(FINGERPRINT RULE PATH FUNCTION TRIAGE [REASON]), found %d",
                 file, lineno, nf);
        for (int i = 0; i < nf; i++)
            if (!unescape(field[i]))
                BERR("%s:%lu: field %d has an unknown backslash escape", file, lineno, i + 1);
        if (!is_fingerprint(field[0]))
            BERR("%s:%lu: '%.64s' is not a fingerprint (%d lowercase hex digits)", file, lineno,
                 field[0], TL_FINGERPRINT_LEN);
        if (!*field[1] || strcmp(field[1], "-") == 0)
            BERR("%s:%lu: the rule is missing", file, lineno);
        tl_triage_state ts = TL_TRIAGE_NONE;
        if (strcmp(field[4], "-") != 0 &&
            (tl_triage_parse(field[4], &ts) != 0 || ts == TL_TRIAGE_NONE))
            BERR("%s:%lu: unknown triage state '%.64s' (false-positive, intentional, confirmed "
                 "or -)",
                 file, lineno, field[4]);
        if (nf == 6 && ts == TL_TRIAGE_NONE)
            BERR("%s:%lu: a reason without a triage state", file, lineno);
        tl_finding *f = tl_findings_add(&got, field[1], TL_SEV_WARNING,
                                        strcmp(field[2], "-") ? field[2] : "", 0, 0,
                                        strcmp(field[3], "-") ? field[3] : NULL, "");
        tl_finding_set_fingerprint(f, field[0]);
        if (ts != TL_TRIAGE_NONE) tl_finding_set_triage(f, (int)ts, nf == 6 ? field[5] : NULL);
    }
    if (ferror(fp)) BERR("cannot read %s: %s", file, strerror(errno));
    if (lineno == 0) BERR("%s: empty file, not a tasklint baseline", file);
    free(line);
    fclose(fp);
    tl_findings_move(out, &got);
    tl_findings_free(&got);
    return 0;
fail:
    free(line);
    fclose(fp);
    tl_findings_free(&got);
    return -1;
}

int tl_baseline_file_read(const char *file, tl_findings *out, char *msg, size_t msgsz) {
    if (msg && msgsz) msg[0] = '\0';
    FILE *fp = fopen(file, "re");
    if (!fp) {
        if (msg && msgsz) snprintf(msg, msgsz, "cannot read %s: %s", file, strerror(errno));
        return -1;
    }
    return read_baseline_stream(fp, file, out, msg, msgsz);
}

int tl_baseline_text_read(const char *text, size_t len, const char *origin, tl_findings *out,
                          char *msg, size_t msgsz) {
    if (msg && msgsz) msg[0] = '\0';
    if (!origin) origin = "<baseline>";
    /* a stream over the caller's bytes ("r": never written through) */
    FILE *fp = fmemopen((void *)text, len, "r");
    if (!fp) {
        if (msg && msgsz) snprintf(msg, msgsz, "cannot read %s: %s", origin, strerror(errno));
        return -1;
    }
    return read_baseline_stream(fp, origin, out, msg, msgsz);
}
