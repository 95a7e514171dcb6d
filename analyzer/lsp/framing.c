/* framing.c - the base protocol's framing (LSP 3.17 "Base Protocol"): a
 * header of "Name: value\r\n" fields ended by an empty line, of which
 * Content-Length (required) gives the body's size in bytes and
 * Content-Type is accepted and ignored, then the body.
 *
 * The reader takes bytes as they arrive and hands out whole bodies.  Sizes
 * are bounded: a header longer than TL_LSP_MAX_HEADER is skipped to its
 * end and reported, a Content-Length above TL_LSP_MAX_BODY is reported and
 * its body skipped without being kept, so a hostile client cannot make the
 * server hold more than about one maximal message.  A header without a
 * usable Content-Length is reported and dropped; reading goes on after it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsp/lsp.h"
#include "util/xalloc.h"

void tl_lsp_reader_init(tl_lsp_reader *r) { memset(r, 0, sizeof *r); }

void tl_lsp_reader_free(tl_lsp_reader *r) {
    free(r->buf);
    memset(r, 0, sizeof *r);
}

void tl_lsp_reader_feed(tl_lsp_reader *r, const void *data, size_t n) {
    const char *p = data;
    if (r->discard) { /* the rest of a refused body */
        size_t k = n < r->discard ? n : r->discard;
        r->discard -= k;
        p += k;
        n -= k;
    }
    if (!n) return;
    if (r->pos) { /* drop what was consumed: once per feed, not per message */
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n + 1) cap *= 2;
        r->buf = tl_xrealloc(r->buf, cap);
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
}

/* The bytes not consumed yet. */
static char *avail(const tl_lsp_reader *r, size_t *n) {
    *n = r->len - r->pos;
    return r->buf + r->pos;
}

static void consume(tl_lsp_reader *r, size_t n) {
    r->pos += n;
    if (r->pos == r->len) r->pos = r->len = 0;
}

/* Finds "\r\n\r\n" in buf[0..len), looking from `from` on; its offset or -1. */
static long header_end(const char *buf, size_t len, size_t from) {
    for (size_t i = from; i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return (long)i;
    return -1;
}

/* Parses the header fields in h[0..n) (without the final empty line).
 * 0 with *length, or -1 with err. */
static int parse_header(const char *h, size_t n, size_t *length, char *err, size_t errsz) {
    bool have = false;
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && !(h[e] == '\r' && e + 1 < n && h[e + 1] == '\n')) e++;
        const char *line = h + i;
        size_t ll = e - i;
        const char *colon = memchr(line, ':', ll);
        if (!colon || colon == line) {
            snprintf(err, errsz, "a header line is not 'Name: value'");
            return -1;
        }
        for (size_t k = 0; k < ll; k++)
            if ((unsigned char)line[k] < 0x20 && line[k] != '\t') {
                snprintf(err, errsz, "a header line holds a control character");
                return -1;
            }
        size_t nl = (size_t)(colon - line);
        const char *v = colon + 1;
        const char *vend = line + ll;
        while (v < vend && (*v == ' ' || *v == '\t')) v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
        if (nl == 14 && !strncasecmp(line, "Content-Length", 14)) {
            size_t val = 0;
            if (v == vend) {
                snprintf(err, errsz, "Content-Length has no value");
                return -1;
            }
            for (const char *c = v; c < vend; c++) {
                if (!isdigit((unsigned char)*c) || val > (SIZE_MAX - 9) / 10) {
                    snprintf(err, errsz, "Content-Length is not a number of bytes");
                    return -1;
                }
                val = val * 10 + (size_t)(*c - '0');
            }
            if (have && val != *length) {
                snprintf(err, errsz, "two different Content-Length fields");
                return -1;
            }
            *length = val;
            have = true;
        }
        i = e + 2;
    }
    if (!have) {
        snprintf(err, errsz, "the header has no Content-Length");
        return -1;
    }
    return 0;
}

tl_lsp_read_status tl_lsp_reader_next(tl_lsp_reader *r, char **body, size_t *len, char *err,
                                      size_t errsz) {
    *body = NULL;
    *len = 0;
    size_t n;
    char *b0 = avail(r, &n);
    if (!r->have_header) {
        /* a header that arrives in pieces is searched once, not per piece */
        long end = header_end(b0, n, r->scanned);
        r->scanned = n > 3 ? n - 3 : 0;
        if (end >= 0) r->scanned = 0;
        if (end < 0) {
            if (n > TL_LSP_MAX_HEADER) {
                /* keep the last 3 bytes: the terminator may straddle feeds */
                consume(r, n - 3);
                r->scanned = 0;
                if (!r->bad_header) {
                    r->bad_header = true;
                    snprintf(err, errsz, "a message header is longer than %d bytes",
                             TL_LSP_MAX_HEADER);
                    return TL_LSP_READ_ERROR;
                }
            }
            return TL_LSP_READ_MORE;
        }
        size_t hlen = (size_t)end;
        if (r->bad_header) { /* the end of a header already reported */
            r->bad_header = false;
            consume(r, hlen + 4);
            return tl_lsp_reader_next(r, body, len, err, errsz);
        }
        if (hlen > TL_LSP_MAX_HEADER) {
            consume(r, hlen + 4);
            snprintf(err, errsz, "a message header is longer than %d bytes", TL_LSP_MAX_HEADER);
            return TL_LSP_READ_ERROR;
        }
        size_t want = 0;
        int rc = parse_header(b0, hlen, &want, err, errsz);
        consume(r, hlen + 4);
        if (rc != 0) return TL_LSP_READ_ERROR;
        b0 = avail(r, &n);
        if (want > TL_LSP_MAX_BODY) {
            size_t k = n < want ? n : want;
            consume(r, k);
            r->discard = want - k;
            snprintf(err, errsz, "a message body of %zu bytes is larger than the limit of %zu",
                     want, TL_LSP_MAX_BODY);
            return TL_LSP_READ_ERROR;
        }
        r->have_header = true;
        r->want = want;
    }
    if (n < r->want) return TL_LSP_READ_MORE;
    char *b = tl_xmalloc(r->want + 1);
    memcpy(b, b0, r->want);
    b[r->want] = 0;
    *body = b;
    *len = r->want;
    consume(r, r->want);
    r->have_header = false;
    r->want = 0;
    return TL_LSP_READ_MESSAGE;
}

char *tl_lsp_frame(const char *body, size_t len, size_t *out_len) {
    char head[64];
    int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
    char *out = tl_xmalloc((size_t)h + len);
    memcpy(out, head, (size_t)h);
    memcpy(out + h, body, len);
    *out_len = (size_t)h + len;
    return out;
}
