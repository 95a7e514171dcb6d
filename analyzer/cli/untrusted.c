/* untrusted.c - see untrusted.h: opening only regular files, reading them
 * with a bound, escaping their strings for the terminal. */
#include "cli/untrusted.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

const char *tl_file_kind(unsigned mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISREG(mode)) return "a regular file";
    return "not a regular file";
}

int tl_open_regular_file(const char *path, size_t max, char **error) {
    /* O_NONBLOCK: opening a FIFO does not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *error = tl_xstrdup(strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *error = tl_xstrdup(strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *error = tl_xasprintf("not a regular file (%s)", tl_file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > (unsigned long long)max) {
        *error = tl_xasprintf("larger than %zu bytes", max);
        close(fd);
        return -1;
    }
    /* a regular file never blocks; clear the flag for plain reads */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

char *tl_read_regular_file(const char *path, size_t max, size_t *len, char **error) {
    int fd = tl_open_regular_file(path, max, error);
    if (fd < 0) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = tl_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            cap *= 2;
            buf = tl_xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            *error = tl_xstrdup(strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) { /* it grew after fstat */
        *error = tl_xasprintf("larger than %zu bytes", max);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_length(const unsigned char *s) {
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
    else return 0;
    unsigned cp = c & (0xFF >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if (cp >= 0x80 && cp <= 0x9F) return 0; /* C1 controls */
    return n;
}

char *tl_escape_for_terminal(const char *s) {
    size_t len = strlen(s);
    char *out = tl_xmalloc(len * 4 + 1);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            p++;
        } else if (*p >= 0x20 && *p < 0x7F) {
            out[o++] = (char)*p++;
        } else {
            size_t n = *p >= 0x80 ? utf8_length(p) : 0;
            if (n) {
                memcpy(out + o, p, n);
                o += n;
                p += n;
            } else {
                o += (size_t)sprintf(out + o, "\\x%02x", *p++);
            }
        }
    }
    out[o] = 0;
    return out;
}
