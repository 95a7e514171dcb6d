/* server.c - `tasklint lsp`: the loop of the language server.
 *
 * One thread polls stdin (the client's messages, framing.c then
 * protocol.c) and the sockets of the running workers (analysis.c).  A
 * document whose analysis is due (opened or saved: at once; changed: after
 * the debounce) gets a worker when fewer than -j workers run (default 2);
 * a worker past the time limit is killed.  The loop ends at `exit`, at
 * end-of-file on stdin (a client that died: the workers are killed), or
 * when stdout is gone.  Exit status: 0 after `shutdown`, 1 otherwise (LSP
 * 3.17 "exit").
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsp/lsp.h"
#include "util/wire.h"
#include "util/xalloc.h"

#define READ_CHUNK 65536
#define DEFAULT_WORKERS 2

typedef struct {
    bool broken; /* stdout cannot be written: the client is gone */
} server_io;

static void send_stdout(void *ctx, const char *data, size_t len) {
    server_io *io = ctx;
    if (io->broken) return;
    if (tl_wire_write_all(STDOUT_FILENO, data, len) != 0) io->broken = true;
}

static size_t running(const tl_lsp_server *s) {
    size_t n = 0;
    for (size_t i = 0; i < s->ndocs; i++) n += s->docs[i]->pid > 0;
    return n;
}

/* Starts the analyses that are due; returns the milliseconds until the
 * next thing the loop must do without input (-1: nothing). */
static int start_due(tl_lsp_server *s, size_t max_workers) {
    double now = tl_lsp_now(), next = -1;
    size_t busy = running(s);
    for (size_t i = 0; i < s->ndocs; i++) {
        tl_lsp_doc *d = s->docs[i];
        if (d->pid > 0) {
            if (d->deadline > 0 && (next < 0 || d->deadline < next)) next = d->deadline;
            continue;
        }
        if (d->due <= 0) continue;
        if (d->due <= now && busy < max_workers) {
            if (tl_lsp_analysis_start(s, d) == 0) {
                busy++;
                if (d->deadline > 0 && (next < 0 || d->deadline < next)) next = d->deadline;
                continue;
            }
            d->due = now + 1; /* could not fork: try again in a second */
        }
        if (busy < max_workers && (next < 0 || d->due < next)) next = d->due;
    }
    if (next < 0) return -1;
    double ms = (next - now) * 1000.0 + 1;
    return ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

static void handle_input(tl_lsp_server *s, tl_lsp_reader *rd) {
    for (;;) {
        char *body;
        size_t len;
        char err[160];
        tl_lsp_read_status st = tl_lsp_reader_next(rd, &body, &len, err, sizeof err);
        if (st == TL_LSP_READ_MORE) return;
        if (st == TL_LSP_READ_ERROR) {
            tl_lsp_log("%s", err);
            tl_lsp_send_error(s, NULL, -32600, err);
            continue;
        }
        tl_lsp_handle(s, body, len);
        free(body);
        if (s->exited) return;
    }
}

int tl_cmd_lsp(const tl_cli_options *o, const tl_model_set *base) {
    if (o->npaths) {
        fputs("tasklint: error: lsp takes no paths: the client names the files it opens\n", stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a client that is gone: a write error, not a signal */
    server_io io = {false};
    tl_lsp_server s;
    tl_lsp_server_init(&s, o, base, send_stdout, &io);
    size_t max_workers = o->jobs > 0 ? (size_t)o->jobs : DEFAULT_WORKERS;
    tl_lsp_reader rd;
    tl_lsp_reader_init(&rd);
    char *chunk = tl_xmalloc(READ_CHUNK);
    struct pollfd *pfd = NULL;
    tl_lsp_doc **pdoc = NULL;
    size_t pcap = 0;
    bool eof = false;
    while (!s.exited && !eof && !io.broken) {
        int timeout = start_due(&s, max_workers);
        if (pcap < s.ndocs + 1) {
            pcap = s.ndocs + 16;
            pfd = tl_xrealloc(pfd, pcap * sizeof *pfd);
            pdoc = tl_xrealloc(pdoc, pcap * sizeof *pdoc);
        }
        size_t np = 0;
        pfd[np++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        for (size_t i = 0; i < s.ndocs; i++)
            if (s.docs[i]->pid > 0) {
                pdoc[np] = s.docs[i];
                pfd[np++] = (struct pollfd){.fd = s.docs[i]->fd, .events = POLLIN};
            }
        int rc = poll(pfd, np, timeout);
        if (rc < 0) {
            if (errno == EINTR) continue;
            tl_lsp_log("poll: %s", strerror(errno));
            break;
        }
        /* the workers first: the documents are not changed until stdin is read */
        for (size_t k = 1; k < np; k++)
            if (pfd[k].revents) tl_lsp_analysis_read(&s, pdoc[k]);
        double now = tl_lsp_now();
        for (size_t i = 0; i < s.ndocs; i++) {
            tl_lsp_doc *d = s.docs[i];
            if (d->pid > 0 && d->deadline > 0 && now >= d->deadline) tl_lsp_analysis_timeout(&s, d);
        }
        if (pfd[0].revents) {
            ssize_t n = read(STDIN_FILENO, chunk, READ_CHUNK);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) {
                eof = true;
                if (!s.shutdown) tl_lsp_log("the client closed the connection without exit");
                break;
            }
            tl_lsp_reader_feed(&rd, chunk, (size_t)n);
            handle_input(&s, &rd);
        }
    }
    int code = s.shutdown && (s.exited || eof) ? 0 : 1;
    if (s.exited) code = s.exit_code;
    tl_lsp_server_free(&s); /* kills and reaps the workers */
    tl_lsp_reader_free(&rd);
    free(chunk);
    free(pfd);
    free(pdoc);
    return code;
}
