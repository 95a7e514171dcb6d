/* html_util.c - the report's text buffer, its HTML and JavaScript escaping,
 * the page frame (style inline: no file to fetch), and writing files inside
 * the output directory atomically. */
#include "report/html/html_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

/* ---- buffer ---- */

void hr_putn(hr_buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        b->buf = tl_xrealloc(b->buf, cap);
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void hr_puts(hr_buf *b, const char *s) { hr_putn(b, s, strlen(s)); }

void hr_printf(hr_buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        hr_putn(b, small, (size_t)n);
        return;
    }
    char *big = tl_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    hr_putn(b, big, (size_t)n);
    free(big);
}

void hr_buf_free(hr_buf *b) {
    free(b->buf);
    memset(b, 0, sizeof *b);
}

/* The code point of a valid UTF-8 unit of 1 to 4 bytes. */
static unsigned decode(const unsigned char *p, size_t n) {
    if (n == 1) return p[0];
    if (n == 2) return (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    if (n == 3) return (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
    return (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3f) << 12 |
           (unsigned)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/* Noncharacters are parse errors in HTML: shown as \uNNNN too. */
static bool noncharacter(unsigned c) {
    return (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* Calls emit for each unit: escaped text (ASCII) or the bytes themselves. */
static void each_unit(hr_buf *b, const char *s, size_t n, bool js) {
    size_t i = 0;
    while (i < n) {
        tl_term_unit u;
        tl_term_next(s, n, i, &u);
        const unsigned char *p = (const unsigned char *)s + i;
        if (u.escaped) {
            /* "\x1b" as text; in a JS string the backslash itself is escaped */
            for (size_t k = 0; k < u.nshown; k++) {
                if (js && u.shown[k] == '\\') hr_puts(b, "\\\\");
                else hr_putn(b, &u.shown[k], 1);
            }
        } else if (u.nbytes == 1) {
            char c = (char)p[0];
            if (js) {
                switch (c) {
                case '"': hr_puts(b, "\\\""); break;
                case '\\': hr_puts(b, "\\\\"); break;
                case '\t': hr_puts(b, "\\t"); break;
                case '<': hr_puts(b, "\\u003c"); break;
                case '>': hr_puts(b, "\\u003e"); break;
                case '&': hr_puts(b, "\\u0026"); break;
                case '\'': hr_puts(b, "\\u0027"); break;
                default: hr_putn(b, &c, 1);
                }
            } else {
                switch (c) {
                case '&': hr_puts(b, "&amp;"); break;
                case '<': hr_puts(b, "&lt;"); break;
                case '>': hr_puts(b, "&gt;"); break;
                case '"': hr_puts(b, "&quot;"); break;
                case '\'': hr_puts(b, "&#39;"); break;
                default: hr_putn(b, &c, 1);
                }
            }
        } else {
            unsigned cp = decode(p, u.nbytes);
            if (noncharacter(cp)) hr_printf(b, js ? "\\\\u%04X" : "\\u%04X", cp);
            else if (js && (cp == 0x2028 || cp == 0x2029)) hr_printf(b, "\\u%04x", cp);
            else hr_putn(b, (const char *)p, u.nbytes);
        }
        i += u.nbytes;
    }
}

void hr_textn(hr_buf *b, const char *s, size_t n) {
    if (s) each_unit(b, s, n, false);
}

void hr_text(hr_buf *b, const char *s) {
    if (s) each_unit(b, s, strlen(s), false);
}

void hr_text_lines(hr_buf *b, const char *s) {
    if (!s) return;
    for (;;) {
        const char *nl = strchr(s, '\n');
        each_unit(b, s, nl ? (size_t)(nl - s) : strlen(s), false);
        if (!nl) return;
        hr_putn(b, "\n", 1);
        s = nl + 1;
    }
}

void hr_js_string(hr_buf *b, const char *s) {
    if (!s) {
        hr_puts(b, "null");
        return;
    }
    hr_putn(b, "\"", 1);
    each_unit(b, s, strlen(s), true);
    hr_putn(b, "\"", 1);
}

/* ---- the page frame: one style sheet (style.css) for every page ---- */

const char hr_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;"
    "color:#1b1f24;background:#fff}"
    "h1{font-size:22px;margin:16px 0 4px}h2{font-size:17px;margin:20px 0 6px}"
    "table{border-collapse:collapse;margin:4px 0}"
    "th,td{border-bottom:1px solid #d8dee4;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f3f5f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".meta{color:#57606a}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}"
    ".card{border:1px solid #d8dee4;border-radius:6px;padding:6px 14px;min-width:90px}"
    ".card b{display:block;font-size:22px}"
    ".s-new{color:#b42318}.s-fixed{color:#067647}.s-unchanged{color:#57606a}"
    ".s-not-compared{color:#8a6d00}"
    "#findings td:nth-child(4){word-break:break-all}"
    "th button{font:inherit;font-weight:bold;border:0;background:none;cursor:pointer;padding:0}"
    ".pager{margin:8px 0}.pager a,.pager button{margin-right:8px}"
    ".controls{margin:8px 0;display:none;gap:8px;flex-wrap:wrap}"
    ".js .controls{display:flex}.js .static-pager{display:none}"
    "pre.src{margin:0}table.src{font:12px/1.35 monospace;width:100%}"
    "table.src td{border:0;padding:0 6px;white-space:pre-wrap;word-break:break-all}"
    "table.src td.ln{color:#8c959f;text-align:right;user-select:none;width:1%;"
    "white-space:nowrap;word-break:normal}"
    "tr.hit td{background:#fff4c2}tr.primary td{background:#ffd7d5}"
    "tr.note td{background:#f6f8fa;color:#0b4f9c;font-family:system-ui,sans-serif}"
    ".doc{white-space:pre-wrap;background:#f6f8fa;padding:8px;border-radius:6px;"
    "font:13px/1.4 monospace}"
    "svg text{font:11px system-ui,sans-serif;fill:#1b1f24}";

void hr_page_begin(hr_buf *b, const char *title, const char *prefix) {
    hr_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>");
    hr_text(b, title);
    hr_printf(b, "</title>\n<link rel=\"stylesheet\" href=\"%sstyle.css\">\n</head>\n<body>\n",
              prefix);
}

void hr_page_end(hr_buf *b) { hr_puts(b, "</body>\n</html>\n"); }

/* ---- the output directory ---- */

static int ensure_dir(hr_out *o, const char *path) {
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        snprintf(o->err, sizeof o->err, "%s is %s, not a directory: the report is not written "
                                        "through it",
                 path, S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
        return -1;
    }
    if (errno != ENOENT || mkdir(path, 0777) != 0) {
        snprintf(o->err, sizeof o->err, "cannot create the directory %s: %s", path,
                 strerror(errno));
        return -1;
    }
    return 0;
}

int hr_out_open(hr_out *o, const char *dir) {
    memset(o, 0, sizeof *o);
    o->dir = tl_xstrdup(dir);
    size_t n = strlen(o->dir);
    while (n > 1 && o->dir[n - 1] == '/') o->dir[--n] = '\0';
    /* DIR itself is the user's choice (a link there is followed, like --db);
       what is inside it is ours */
    struct stat st;
    if (stat(o->dir, &st) != 0) {
        if (errno != ENOENT || mkdir(o->dir, 0777) != 0) {
            snprintf(o->err, sizeof o->err, "cannot create the directory %s: %s", o->dir,
                     strerror(errno));
            return -1;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(o->err, sizeof o->err, "%s is not a directory", o->dir);
        return -1;
    }
    char *f = tl_xasprintf("%s/f", o->dir);
    int r = ensure_dir(o, f);
    free(f);
    return r;
}

int hr_out_write(hr_out *o, const char *name, const hr_buf *b) {
    char *target = tl_xasprintf("%s/%s", o->dir, name);
    /* the file itself may be anything: rename replaces a link, never follows it */
    int r = tl_atomic_file_write_unsynced(target, b->buf ? b->buf : "", b->len, o->err,
                                          sizeof o->err);
    free(target);
    return r;
}

int hr_out_sync(hr_out *o) {
    int fd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = fd >= 0 ? syncfs(fd) : -1;
    if (r != 0)
        snprintf(o->err, sizeof o->err, "cannot sync %s: %s", o->dir, strerror(errno));
    if (fd >= 0) close(fd);
    return r;
}

void hr_out_close(hr_out *o) {
    free(o->dir);
    o->dir = NULL;
}
