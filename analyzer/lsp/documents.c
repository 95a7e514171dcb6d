/* documents.c - the documents the client has open: their URI and the file
 * path it names, the buffer text and version, when each is to be analysed
 * next (the debounce after a change) and the findings of its latest
 * analysis.  A document that is not a file: URI (untitled buffers, other
 * schemes) is kept for its text but never analysed.
 *
 * URIs come from the client: a path is taken only from a file: URI with no
 * host (or "localhost"), percent-decoded, absolute, without an encoded NUL
 * or '/', and lexically normalised ("." and ".." removed), so a URI never
 * names something else than what it spells.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lsp/lsp.h"
#include "util/xalloc.h"

double tl_lsp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tl_lsp_server_init(tl_lsp_server *s, const tl_cli_options *o, const tl_model_set *base,
                        tl_lsp_send_fn send, void *send_ctx) {
    memset(s, 0, sizeof *s);
    s->o = o;
    s->base = base;
    s->send = send;
    s->send_ctx = send_ctx;
    s->debounce_s = 0.3;
    char msg[256];
    tl_pool_limits_from_env(&s->limits, msg, sizeof msg); /* checked by tl_cli_parse */
}

static void doc_free(tl_lsp_doc *d) {
    tl_lsp_analysis_abandon(d);
    free(d->uri);
    free(d->path);
    free(d->text);
    free(d->in);
    tl_findings_free(&d->findings);
    free(d);
}

void tl_lsp_server_free(tl_lsp_server *s) {
    for (size_t i = 0; i < s->ndocs; i++) doc_free(s->docs[i]);
    free(s->docs);
    s->docs = NULL;
    s->ndocs = s->capdocs = 0;
}

tl_lsp_doc *tl_lsp_doc_find(tl_lsp_server *s, const char *uri) {
    for (size_t i = 0; i < s->ndocs; i++)
        if (!strcmp(s->docs[i]->uri, uri)) return s->docs[i];
    return NULL;
}

void tl_lsp_doc_set_text(tl_lsp_doc *d, const char *text, size_t len, int64_t version) {
    free(d->text);
    d->text = tl_xmalloc(len + 1);
    memcpy(d->text, text, len);
    d->text[len] = 0;
    d->len = len;
    d->version = version;
}

tl_lsp_doc *tl_lsp_doc_open(tl_lsp_server *s, const char *uri, const char *text, size_t len,
                            int64_t version) {
    tl_lsp_doc *d = tl_lsp_doc_find(s, uri);
    if (!d) {
        if (s->ndocs == s->capdocs) {
            s->capdocs = s->capdocs ? s->capdocs * 2 : 16;
            s->docs = tl_xrealloc(s->docs, s->capdocs * sizeof *s->docs);
        }
        d = tl_xcalloc(1, sizeof *d);
        d->uri = tl_xstrdup(uri);
        d->path = tl_lsp_uri_to_path(uri);
        d->fd = -1;
        tl_findings_init(&d->findings);
        s->docs[s->ndocs++] = d;
    }
    tl_lsp_doc_set_text(d, text, len, version);
    return d;
}

void tl_lsp_doc_close(tl_lsp_server *s, tl_lsp_doc *d) {
    for (size_t i = 0; i < s->ndocs; i++)
        if (s->docs[i] == d) {
            s->docs[i] = s->docs[--s->ndocs];
            break;
        }
    doc_free(d);
}

void tl_lsp_doc_schedule(tl_lsp_doc *d, double delay_s) {
    if (!d->path) return;
    tl_lsp_analysis_abandon(d);
    d->due = tl_lsp_now() + delay_s;
}

void tl_lsp_doc_set_findings(tl_lsp_doc *d, tl_findings *fs) {
    tl_findings_free(&d->findings);
    d->findings = *fs;
    memset(fs, 0, sizeof *fs);
    d->have_findings = true;
}

/* ---- URIs ---- */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "/a/./b/../c" -> "/a/c", in place. */
static void normalise(char *p) {
    char *out = p;
    const char *in = p;
    while (*in) {
        while (*in == '/') in++;
        const char *seg = in;
        while (*in && *in != '/') in++;
        size_t n = (size_t)(in - seg);
        if (n == 0 || (n == 1 && seg[0] == '.')) continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out > p && *--out != '/') {}
            continue;
        }
        *out++ = '/';
        memmove(out, seg, n);
        out += n;
    }
    if (out == p) *out++ = '/';
    *out = 0;
}

char *tl_lsp_uri_to_path(const char *uri) {
    if (strncasecmp(uri, "file://", 7) != 0) return NULL;
    const char *p = uri + 7;
    if (!strncasecmp(p, "localhost/", 10)) p += 9;
    if (*p != '/') return NULL; /* a host, or no path */
    size_t n = strlen(p);
    char *out = tl_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '?' || c == '#') break;
        if (c == '%') {
            if (i + 2 >= n) { /* fewer than two characters follow */
                free(out);
                return NULL;
            }
            int a = hexval((unsigned char)p[i + 1]), b = hexval((unsigned char)p[i + 2]);
            if (a < 0 || b < 0) {
                free(out);
                return NULL;
            }
            c = (char)(a * 16 + b);
            if (c == 0 || c == '/') { /* an encoded NUL or separator */
                free(out);
                return NULL;
            }
            i += 2;
        }
        out[k++] = c;
    }
    out[k] = 0;
    normalise(out);
    return out;
}

char *tl_lsp_path_to_uri(const char *path) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *out = tl_xmalloc(7 + 3 * n + 1);
    memcpy(out, "file://", 7);
    size_t k = 7;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    out[k] = 0;
    return out;
}
