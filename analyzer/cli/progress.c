/* progress.c - "[12/240] src/foo.c" on a terminal, rewritten in place.
 * The file name is shown escaped (util/term_escape.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/term_escape.h"

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
    char *escaped = tl_term_escape(name ? name : "");
    size_t len = strlen(escaped);
    const char *shown = escaped;
    /* keep the end of a long path: the line must not wrap or \r breaks */
    if (room < 4) len = 0;
    else if ((int)len > room) {
        shown = escaped + len - (size_t)(room - 3);
        len = (size_t)(room - 3);
        while (len && ((unsigned char)*shown & 0xC0) == 0x80) { /* not in mid-character */
            shown++;
            len--;
        }
        fprintf(p->out, "\r\033[K%s...%.*s", head, (int)len, shown);
        fflush(p->out);
        p->drawn = true;
        free(escaped);
        return;
    }
    fprintf(p->out, "\r\033[K%s%.*s", head, (int)len, shown);
    fflush(p->out);
    p->drawn = true;
    free(escaped);
}

void tl_progress_clear(tl_progress *p) {
    if (!p->enabled || !p->drawn) return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->drawn = false;
}
