/* fingerprint.c - stable finding identities (recipe in fingerprint.h and
 * docs/store.md).  Nothing here depends on line or column numbers except the
 * order in which identical findings of one function are numbered. */
#include "store/fingerprint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/hash.h"
#include "util/xalloc.h"

char *tl_fingerprint_normalise(const char *text) {
    if (!text) return tl_xstrdup("");
    char *out = tl_xmalloc(strlen(text) + 1), *w = out;
    for (const char *p = text; *p; p++)
        if (!isspace((unsigned char)*p)) *w++ = *p;
    *w = '\0';
    return out;
}

/* Lexical normalisation of a path: forward slashes, no "." or empty
   components, "dir/.." folded.  Stays absolute or relative. */
static char *lexical(const char *path) {
    char *in = tl_xstrdup(path);
    for (char *p = in; *p; p++)
        if (*p == '\\') *p = '/';
    bool abs = in[0] == '/';
    size_t n = strlen(in);
    const char **comp = tl_xmalloc((n / 2 + 2) * sizeof *comp);
    size_t nc = 0;
    char *save = NULL;
    for (char *c = strtok_r(in, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0) continue;
        if (strcmp(c, "..") == 0) {
            if (nc > 0 && strcmp(comp[nc - 1], "..") != 0)
                nc--;
            else if (!abs)
                comp[nc++] = c; /* leading ".." of a relative path */
            continue;          /* "/.." is "/" */
        }
        comp[nc++] = c;
    }
    char *out = tl_xmalloc(n + 3);
    size_t len = 0;
    if (abs) out[len++] = '/';
    for (size_t i = 0; i < nc; i++) {
        if (i) out[len++] = '/';
        size_t cl = strlen(comp[i]);
        memcpy(out + len, comp[i], cl);
        len += cl;
    }
    if (len == 0) out[len++] = '.';
    out[len] = '\0';
    free(comp);
    free(in);
    return out;
}

char *tl_fingerprint_relpath(const char *path, const char *root) {
    if (!path) return tl_xstrdup("");
    char *joined = NULL;
    if (path[0] != '/' && path[0] != '\\' && root) {
        /* relative to the current directory, like every path the CLI sees */
        char *cwd = getcwd(NULL, 0);
        if (cwd) joined = tl_xasprintf("%s/%s", cwd, path);
        free(cwd);
    }
    char *p = lexical(joined ? joined : path);
    free(joined);
    if (!root || !*root) return p;
    char *r = lexical(root);
    size_t rn = strlen(r);
    char *res;
    if (strcmp(p, r) == 0)
        res = tl_xstrdup(".");
    else if (strcmp(r, "/") == 0 && p[0] == '/')
        res = tl_xstrdup(p + 1);
    else if (strncmp(p, r, rn) == 0 && p[rn] == '/')
        res = tl_xstrdup(p + rn + 1);
    else
        res = tl_xstrdup(p); /* outside the project: keep it whole */
    free(p);
    free(r);
    return res;
}

typedef struct {
    size_t idx;
    const char *rule, *func;
    char *rel, *text;
    unsigned line, col;
} fp_key;

static int cmp_key(const void *pa, const void *pb) {
    const fp_key *a = pa, *b = pb;
    int c;
    if ((c = strcmp(a->rule, b->rule))) return c;
    if ((c = strcmp(a->rel, b->rel))) return c;
    if ((c = strcmp(a->func, b->func))) return c;
    if ((c = strcmp(a->text, b->text))) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool same_group(const fp_key *a, const fp_key *b) {
    return !strcmp(a->rule, b->rule) && !strcmp(a->rel, b->rel) && !strcmp(a->func, b->func) &&
           !strcmp(a->text, b->text);
}

/* The message without digits: line numbers quoted in it must not matter. */
static char *strip_digits(const char *s) {
    char *out = tl_xmalloc(strlen(s) + 1), *w = out;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) *w++ = *s;
    *w = '\0';
    return out;
}

void tl_fingerprint_findings(tl_findings *fs, const char *root) {
    if (!fs || fs->n == 0) return;
    fp_key *k = tl_xmalloc(fs->n * sizeof *k);
    for (size_t i = 0; i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        k[i].idx = i;
        k[i].rule = f->rule ? f->rule : "";
        k[i].func = f->function ? f->function : "";
        k[i].rel = tl_fingerprint_relpath(f->file, root);
        if (f->snippet) {
            k[i].text = tl_fingerprint_normalise(f->snippet);
        } else {
            char *m = strip_digits(f->message ? f->message : "");
            k[i].text = tl_fingerprint_normalise(m);
            free(m);
        }
        k[i].line = f->line;
        k[i].col = f->col;
    }
    qsort(k, fs->n, sizeof *k, cmp_key);
    unsigned long occ = 0;
    for (size_t i = 0; i < fs->n; i++) {
        occ = i > 0 && same_group(&k[i - 1], &k[i]) ? occ + 1 : 0;
        char num[32];
        int nl = snprintf(num, sizeof num, "%lu", occ);
        tl_store_sha256 h;
        tl_store_sha256_init(&h);
        tl_store_sha256_update(&h, "v1", 3); /* with its NUL */
        tl_store_sha256_update(&h, k[i].rule, strlen(k[i].rule) + 1);
        tl_store_sha256_update(&h, k[i].rel, strlen(k[i].rel) + 1);
        tl_store_sha256_update(&h, k[i].func, strlen(k[i].func) + 1);
        tl_store_sha256_update(&h, k[i].text, strlen(k[i].text) + 1);
        tl_store_sha256_update(&h, num, (size_t)nl);
        unsigned char d[32];
        tl_store_sha256_final(&h, d);
        char hex[TL_FINGERPRINT_LEN + 1];
        tl_store_hex(d, TL_FINGERPRINT_LEN / 2, hex);
        tl_finding_set_fingerprint(&fs->items[k[i].idx], hex);
    }
    for (size_t i = 0; i < fs->n; i++) {
        free(k[i].rel);
        free(k[i].text);
    }
    free(k);
}
