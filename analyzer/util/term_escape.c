/* term_escape.c - escaping terminal control characters and invalid UTF-8
 * in text that tasklint prints (see term_escape.h for the rules). */
#include "util/term_escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char hex[] = "0123456789abcdef";

static void as_byte_escape(unsigned char b, tl_term_unit *u) {
    u->nbytes = 1;
    u->shown[0] = '\\';
    u->shown[1] = 'x';
    u->shown[2] = hex[b >> 4];
    u->shown[3] = hex[b & 15];
    u->shown[4] = '\0';
    u->nshown = 4;
    u->columns = 4;
    u->escaped = true;
}

static void as_codepoint_escape(uint32_t cp, size_t nbytes, tl_term_unit *u) {
    u->nbytes = nbytes;
    u->shown[0] = '\\';
    u->shown[1] = 'u';
    for (int k = 0; k < 4; k++) u->shown[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
    u->shown[6] = '\0';
    u->nshown = 6;
    u->columns = 6;
    u->escaped = true;
}

static void as_is(const char *s, size_t i, size_t nbytes, tl_term_unit *u) {
    memcpy(u->shown, s + i, nbytes);
    u->shown[nbytes] = '\0';
    u->nbytes = nbytes;
    u->nshown = nbytes;
    u->columns = 1;
    u->escaped = false;
}

/* Length of the valid UTF-8 sequence at s[i] and its code point; 0 when
   the byte at s[i] does not start one (RFC 3629: shortest form only, no
   surrogates, nothing beyond U+10FFFF). */
static size_t utf8_sequence(const unsigned char *s, size_t len, size_t i, uint32_t *cp) {
    unsigned char b = s[i];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) n = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        if (b == 0xE0) lo = 0xA0;      /* no overlong forms */
        else if (b == 0xED) hi = 0x9F; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        if (b == 0xF0) lo = 0x90;
        else if (b == 0xF4) hi = 0x8F; /* nothing beyond U+10FFFF */
    } else {
        return 0;
    }
    if (len - i < n) return 0;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[i + k] & 0xC0) != 0x80) return 0;
    uint32_t v = b & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; k++) v = (v << 6) | (s[i + k] & 0x3F);
    *cp = v;
    return n;
}

static bool dangerous_codepoint(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) ||    /* C1 controls */
           (cp >= 0x202A && cp <= 0x202E) || /* bidi embeddings and overrides */
           (cp >= 0x2066 && cp <= 0x2069);   /* bidi isolates */
}

void tl_term_next(const char *s, size_t len, size_t i, tl_term_unit *u) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned char b = p[i];
    if (b < 0x80) {
        if ((b < 0x20 && b != '\t') || b == 0x7F) as_byte_escape(b, u);
        else as_is(s, i, 1, u);
        return;
    }
    uint32_t cp = 0;
    size_t n = utf8_sequence(p, len, i, &cp);
    if (n == 0) as_byte_escape(b, u);
    else if (dangerous_codepoint(cp)) as_codepoint_escape(cp, n, u);
    else as_is(s, i, n, u);
}

void tl_term_write(FILE *out, const char *s, size_t len) {
    size_t run = 0; /* start of the bytes not yet written, all shown as they are */
    size_t i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x20 && b < 0x7F) { /* the common case: printable ASCII */
            i++;
            continue;
        }
        tl_term_unit u;
        tl_term_next(s, len, i, &u);
        if (u.escaped) {
            fwrite(s + run, 1, i - run, out);
            fwrite(u.shown, 1, u.nshown, out);
            run = i + u.nbytes;
        }
        i += u.nbytes;
    }
    fwrite(s + run, 1, len - run, out);
}

void tl_term_write_lines(FILE *out, const char *s, size_t len) {
    size_t start = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len || s[i] == '\n') {
            tl_term_write(out, s + start, i - start);
            if (i < len) fputc('\n', out);
            start = i + 1;
        }
}

void tl_term_puts(FILE *out, const char *s) {
    if (s) tl_term_write(out, s, strlen(s));
}

char *tl_term_escape(const char *s) {
    if (!s) return NULL;
    size_t len = strlen(s), need = 0;
    tl_term_unit u;
    for (size_t i = 0; i < len; i += u.nbytes) {
        tl_term_next(s, len, i, &u);
        need += u.nshown;
    }
    char *out = tl_xmalloc(need + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += u.nbytes) {
        tl_term_next(s, len, i, &u);
        memcpy(out + o, u.shown, u.nshown);
        o += u.nshown;
    }
    out[o] = '\0';
    return out;
}
