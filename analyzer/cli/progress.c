/* progress.c - "[12/240] src/foo.c" on a terminal, rewritten in place. */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

#define MIN_TUS 4 /* a progress line for fewer files is only flicker */

void tl_progress_init(tl_progress *p, FILE *out, size_t total, bool allowed) {
    memset(p, 0, sizeof *p);
    p->out = out;
    p->total = total;
    p->enabled = allowed && out && total >= MIN_TUS && isatty(fileno(out));
}

static int columns(FILE *out) {
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) return ws.ws_col;
    return 80;
}

void tl_progress_update(tl_progress *p, size_t done, const char *name) {
    if (!p->enabled) return;
    char head[64];
    int n = snprintf(head, sizeof head, "[%zu/%zu] ", done, p->total);
    int room = columns(p->out) - 1 - n;
    size_t len = name ? strlen(name) : 0;
    const char *shown = name ? name : "";
    /* keep the end of a long path: the line must not wrap or \r breaks */
    if (room < 4) len = 0;
    else if ((int)len > room) {
        shown = name + len - (size_t)(room - 3);
        len = (size_t)(room - 3);
        fprintf(p->out, "\r\033[K%s...%.*s", head, (int)len, shown);
        fflush(p->out);
        p->drawn = true;
        return;
    }
    fprintf(p->out, "\r\033[K%s%.*s", head, (int)len, shown);
    fflush(p->out);
    p->drawn = true;
}

void tl_progress_clear(tl_progress *p) {
    if (!p->enabled || !p->drawn) return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->drawn = false;
}
