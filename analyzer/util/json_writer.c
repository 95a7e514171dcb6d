/* json_writer.c - streaming, pretty-printed JSON with strict UTF-8 output. */
#include "util/json_writer.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

typedef struct {
    bool object;     /* object or array */
    size_t count;    /* members / elements written */
    bool key_ready;  /* object: a key was written, its value is due */
} frame;

struct tl_jw {
    FILE *out;
    frame *stack;
    size_t depth, cap;
    bool done;       /* the top-level value is complete */
    bool failed;     /* a write failed */
};

static void misuse(const char *what) {
    fprintf(stderr, "json_writer: misuse: %s\n", what);
    fflush(stderr);
    abort();
}

static void put(tl_jw *w, const char *s, size_t n) {
    if (n && fwrite(s, 1, n, w->out) != n) w->failed = true;
}

static void puts_(tl_jw *w, const char *s) { put(w, s, strlen(s)); }

static void newline_indent(tl_jw *w, size_t depth) {
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    size_t n = depth * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(w, spaces, k);
        n -= k;
    }
}

tl_jw *tl_jw_new(FILE *out) {
    tl_jw *w = tl_xcalloc(1, sizeof *w);
    w->out = out;
    return w;
}

size_t tl_jw_depth(const tl_jw *w) { return w->depth; }

void tl_jw_abandon(tl_jw *w) {
    if (!w) return;
    free(w->stack);
    free(w);
}

int tl_jw_finish(tl_jw *w) {
    if (w->depth) misuse("finish with containers still open");
    if (!w->done) misuse("finish without a value");
    put(w, "\n", 1);
    if (fflush(w->out) != 0 || ferror(w->out)) w->failed = true;
    int rc = w->failed ? -1 : 0;
    tl_jw_abandon(w);
    return rc;
}

/* Called before every value (scalar or container start). */
static void before_value(tl_jw *w) {
    if (w->depth == 0) {
        if (w->done) misuse("a second top-level value");
        return;
    }
    frame *f = &w->stack[w->depth - 1];
    if (f->object) {
        if (!f->key_ready) misuse("a value in an object without a key");
        f->key_ready = false;
    } else {
        if (f->count) put(w, ",", 1);
        newline_indent(w, w->depth);
    }
    f->count++;
}

static void after_value(tl_jw *w) {
    if (w->depth == 0) w->done = true;
}

static void push(tl_jw *w, bool object) {
    before_value(w);
    if (w->depth == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->stack = tl_xrealloc(w->stack, w->cap * sizeof *w->stack);
    }
    w->stack[w->depth++] = (frame){.object = object};
    put(w, object ? "{" : "[", 1);
}

static void pop(tl_jw *w, bool object) {
    if (w->depth == 0) misuse(object ? "object end outside any container" : "array end outside any container");
    frame *f = &w->stack[w->depth - 1];
    if (f->object != object) misuse(object ? "object end inside an array" : "array end inside an object");
    if (f->object && f->key_ready) misuse("object end after a key without a value");
    bool any = f->count > 0;
    w->depth--;
    if (any) newline_indent(w, w->depth);
    put(w, object ? "}" : "]", 1);
    after_value(w);
}

void tl_jw_object_begin(tl_jw *w) { push(w, true); }
void tl_jw_object_end(tl_jw *w) { pop(w, true); }
void tl_jw_array_begin(tl_jw *w) { push(w, false); }
void tl_jw_array_end(tl_jw *w) { pop(w, false); }

/* ---- UTF-8 ---- */

size_t tl_utf8_valid_seq(const unsigned char *s, size_t n, uint32_t *cp) {
    if (n == 0) return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        if (cp) *cp = c;
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        else if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        else if (c == 0xF4) hi = 0x8F; /* > U+10FFFF */
    } else {
        return 0;
    }
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    v = (v << 6) | (s[1] & 0x3F);
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (cp) *cp = v;
    return len;
}

/* Length of the maximal invalid subpart at s (>= 1): the lead byte plus the
 * continuation bytes that could still have been part of a valid sequence. */
static size_t invalid_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
    } else {
        return 1;
    }
    size_t i = 1;
    if (i < n && i < len && s[i] >= lo && s[i] <= hi) {
        i++;
        while (i < n && i < len && s[i] >= 0x80 && s[i] <= 0xBF) i++;
    }
    return i;
}

size_t tl_utf8_truncate_len(const char *s, size_t n, size_t max) {
    if (n <= max) return n;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = tl_utf8_valid_seq(u + i, n - i, NULL);
        if (k == 0) k = 1;
        if (i + k > max) break;
        i += k;
    }
    return i;
}

size_t tl_utf8_count(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, count = 0;
    while (i < n) {
        size_t k = tl_utf8_valid_seq(u + i, n - i, NULL);
        i += k ? k : 1;
        count++;
    }
    return count;
}

/* ---- scalars ---- */

static void write_string(tl_jw *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    put(w, "\"", 1);
    size_t run = 0; /* start of the pending run of bytes written as they are */
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t skip = 1;
        if (c == '"') esc = "\\\"";
        else if (c == '\\') esc = "\\\\";
        else if (c == '\n') esc = "\\n";
        else if (c == '\t') esc = "\\t";
        else if (c == '\r') esc = "\\r";
        else if (c == '\b') esc = "\\b";
        else if (c == '\f') esc = "\\f";
        else if (c < 0x20 || c == 0x7f) {
            memcpy(ubuf, "\\u00", 4);
            ubuf[4] = hex[c >> 4];
            ubuf[5] = hex[c & 15];
            ubuf[6] = '\0';
            esc = ubuf;
        } else if (c >= 0x80) {
            size_t k = tl_utf8_valid_seq(u + i, n - i, NULL);
            if (k) {
                i += k; /* valid: stays in the run */
                continue;
            }
            esc = "\xEF\xBF\xBD"; /* U+FFFD */
            skip = invalid_len(u + i, n - i);
        } else {
            i++;
            continue;
        }
        put(w, s + run, i - run);
        puts_(w, esc);
        i += skip;
        run = i;
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

void tl_jw_key(tl_jw *w, const char *key) {
    if (w->depth == 0 || !w->stack[w->depth - 1].object) misuse("a key outside an object");
    frame *f = &w->stack[w->depth - 1];
    if (f->key_ready) misuse("two keys in a row");
    if (!key) misuse("a NULL key");
    if (f->count) put(w, ",", 1);
    newline_indent(w, w->depth);
    write_string(w, key, strlen(key));
    put(w, ": ", 2);
    f->key_ready = true;
}

void tl_jw_string_n(tl_jw *w, const char *s, size_t n) {
    before_value(w);
    write_string(w, s, n);
    after_value(w);
}

void tl_jw_string(tl_jw *w, const char *s) {
    if (!s) {
        tl_jw_null(w);
        return;
    }
    tl_jw_string_n(w, s, strlen(s));
}

void tl_jw_int(tl_jw *w, int64_t v) {
    before_value(w);
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%" PRId64, v);
    put(w, buf, (size_t)k);
    after_value(w);
}

void tl_jw_uint(tl_jw *w, uint64_t v) {
    before_value(w);
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%" PRIu64, v);
    put(w, buf, (size_t)k);
    after_value(w);
}

void tl_jw_bool(tl_jw *w, bool v) {
    before_value(w);
    puts_(w, v ? "true" : "false");
    after_value(w);
}

void tl_jw_null(tl_jw *w) {
    before_value(w);
    puts_(w, "null");
    after_value(w);
}

void tl_jw_kv_string(tl_jw *w, const char *key, const char *s) {
    tl_jw_key(w, key);
    tl_jw_string(w, s);
}

void tl_jw_kv_int(tl_jw *w, const char *key, int64_t v) {
    tl_jw_key(w, key);
    tl_jw_int(w, v);
}

void tl_jw_kv_bool(tl_jw *w, const char *key, bool v) {
    tl_jw_key(w, key);
    tl_jw_bool(w, v);
}
