/* pch_scan.c - the prefix of a main file (see pch_prefix.h): the scan of
 * its leading #include lines (no preprocessing: a text that could change
 * what they mean ends the run), the prefix file's text, the arguments that
 * may share one, and the keys of the prefixes of each length.
 */
#include "pch_prefix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../store/hash.h"
#include "../util/xalloc.h"

#define SCAN_BYTES ((size_t)256 << 10) /* a prefix longer than this is cut there */

/* ---- the scan ---- */

static bool is_hspace(char c) {
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* After a directive's operand: blanks and comments up to the end of the
 * line.  Returns the offset after the newline, or (size_t)-1. */
static size_t line_rest(const char *t, size_t len, size_t i) {
    for (;;) {
        while (i < len && (is_hspace(t[i]) || t[i] == '\r')) i++;
        if (i >= len) return len;
        if (t[i] == '\n') return i + 1;
        if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n') i++;
            if (i > 0 && (t[i - 1] == '\\' || (t[i - 1] == '\r' && i > 1 && t[i - 2] == '\\')))
                return (size_t)-1; /* continued onto the next line */
            return i < len ? i + 1 : len;
        }
        if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
            size_t k = i + 2;
            while (k + 1 < len && !(t[k] == '*' && t[k + 1] == '/')) {
                if (t[k] == '\n') return (size_t)-1;
                k++;
            }
            if (k + 1 >= len) return (size_t)-1;
            i = k + 2;
            continue;
        }
        return (size_t)-1;
    }
}

void tl_pch_scan(const char *t, size_t len, tl_pch_includes *out) {
    memset(out, 0, sizeof *out);
    size_t i = 0;
    if (len >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB &&
        (unsigned char)t[2] == 0xBF)
        i = 3;
    while (i < len && out->n < TL_PCH_MAX_INCLUDES) {
        char c = t[i];
        if (is_hspace(c) || c == '\r' || c == '\n') {
            i++;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '/') {
            size_t k = line_rest(t, len, i);
            if (k == (size_t)-1) return;
            i = k;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            size_t k = i + 2;
            while (k + 1 < len && !(t[k] == '*' && t[k + 1] == '/')) k++;
            if (k + 1 >= len) return;
            i = k + 2;
        } else if (c == '#') {
            size_t k = i + 1;
            while (k < len && is_hspace(t[k])) k++;
            if (len - k < 7 || memcmp(t + k, "include", 7) != 0) return;
            k += 7;
            if (k >= len || !(is_hspace(t[k]) || t[k] == '"' || t[k] == '<')) return;
            while (k < len && is_hspace(t[k])) k++;
            if (k >= len || (t[k] != '"' && t[k] != '<')) return;
            char close = t[k] == '"' ? '"' : '>';
            size_t start = ++k;
            while (k < len && t[k] != close && t[k] != '\n' && t[k] != '\\') k++;
            if (k >= len || t[k] != close || k == start) return;
            size_t next = line_rest(t, len, k + 1);
            if (next == (size_t)-1) return;
            out->angled[out->n] = close == '>';
            out->names[out->n++] = tl_xstrndup(t + start, k - start);
            i = next;
        } else {
            return;
        }
    }
    out->to_end = i >= len;
}

int tl_pch_scan_file(const char *path, tl_pch_includes *out) {
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    char *buf = tl_xmalloc(SCAN_BYTES);
    size_t n = 0;
    while (n < SCAN_BYTES) {
        ssize_t r = read(fd, buf + n, SCAN_BYTES - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    tl_pch_scan(buf, n, out);
    free(buf);
    /* an include cut by the read's end is not one (only when the run went
       on to it: a file of more than SCAN_BYTES whose includes end before is
       scanned whole); and a relative main file's quoted include found next
       to it has a relative name that the prefix file cannot give it: the
       prefix ends before it */
    int keep = out->n;
    if (n == SCAN_BYTES && out->to_end && keep > 0) keep--;
    const char *slash = strrchr(path, '/');
    for (int i = 0; path[0] != '/' && i < keep; i++) {
        if (out->angled[i] || out->names[i][0] == '/') continue;
        char *near = slash ? tl_xasprintf("%.*s/%s", (int)(slash - path), path, out->names[i])
                           : tl_xstrdup(out->names[i]);
        bool there = access(near, F_OK) == 0;
        free(near);
        if (there) keep = i;
    }
    while (out->n > keep) {
        out->n--;
        free(out->names[out->n]);
        out->names[out->n] = NULL;
    }
    return 0;
}

void tl_pch_includes_free(tl_pch_includes *inc) {
    for (int i = 0; i < inc->n; i++) free(inc->names[i]);
    memset(inc, 0, sizeof *inc);
}

/* The prefix file's line for include i. */
static char *prefix_line(const char *main_path, const tl_pch_includes *inc, int i) {
    const char *slash = strrchr(main_path, '/');
    size_t dirlen = slash ? (size_t)(slash - main_path) : 0;
    char *line;
    char *near = slash && !inc->angled[i] && inc->names[i][0] != '/'
                     ? tl_xasprintf("%.*s/%s", (int)dirlen, main_path, inc->names[i])
                     : NULL;
    /* a quoted name found next to the main file: that file, under the name
       clang gives it from there (a relative main file's prefix ends before
       such an include: tl_pch_scan_file) */
    if (near && main_path[0] == '/' && !strchr(near, '"') && access(near, F_OK) == 0)
        line = tl_xasprintf("#include \"%s\"\n", near);
    else if (inc->angled[i])
        line = tl_xasprintf("#include <%s>\n", inc->names[i]);
    else
        line = tl_xasprintf("#include \"%s\"\n", inc->names[i]);
    free(near);
    return line;
}

char *tl_pch_prefix_text(const char *main_path, const tl_pch_includes *inc, int n) {
    size_t cap = 256, len = 0;
    char *s = tl_xmalloc(cap);
    s[0] = 0;
    for (int i = 0; i < n && i < inc->n; i++) {
        char *line = prefix_line(main_path, inc, i);
        size_t l = strlen(line);
        if (len + l + 1 > cap) {
            while (len + l + 1 > cap) cap *= 2;
            s = tl_xrealloc(s, cap);
        }
        memcpy(s + len, line, l + 1);
        len += l;
        free(line);
    }
    return s;
}

bool tl_pch_args_allow(const char *const *args, int na) {
    for (int i = 0; i < na; i++) {
        const char *a = args[i];
        if (!a) continue;
        if (!strncmp(a, "-include", 8) || !strncmp(a, "--include", 9) || !strncmp(a, "-imacros", 8) ||
            !strncmp(a, "--imacros", 9) || !strncmp(a, "-emit-", 6))
            return false;
        if (!strcmp(a, "-x") && (i + 1 >= na || !args[i + 1] || strcmp(args[i + 1], "c") != 0)) return false;
        if (!strncmp(a, "-x", 2) && a[2] && strcmp(a, "-xc") != 0) return false;
    }
    return true;
}

static void key_start(tl_store_sha256 *h, const char *const *args, int na) {
    tl_store_sha256_init(h);
    static const char tag[] = "tasklint shared prefix 2\n" TASKLINT_VERSION "\n";
    tl_store_sha256_update(h, tag, sizeof tag - 1);
    CXString v = clang_getClangVersion();
    const char *vs = clang_getCString(v);
    if (vs) tl_store_sha256_update(h, vs, strlen(vs) + 1);
    clang_disposeString(v);
    for (int i = 0; i < na; i++)
        if (args[i]) tl_store_sha256_update(h, args[i], strlen(args[i]) + 1);
    tl_store_sha256_update(h, "\n--\n", 4);
}

static void key_end(const tl_store_sha256 *h, char out[65]) {
    tl_store_sha256 c = *h;
    unsigned char d[32];
    tl_store_sha256_final(&c, d);
    tl_store_hex(d, 32, out);
}

void tl_pch_key(const char *const *args, int na, const char *prefix_text, char out[65]) {
    tl_store_sha256 h;
    key_start(&h, args, na);
    tl_store_sha256_update(&h, prefix_text, strlen(prefix_text));
    key_end(&h, out);
}

void tl_pch_keys(const char *const *args, int na, const char *main_path, const tl_pch_includes *inc,
                 char (*keys)[65]) {
    tl_store_sha256 h;
    key_start(&h, args, na);
    for (int i = 0; i < inc->n; i++) {
        char *line = prefix_line(main_path, inc, i);
        tl_store_sha256_update(&h, line, strlen(line));
        free(line);
        key_end(&h, keys[i]);
    }
}
