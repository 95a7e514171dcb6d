/* phase2_spread.c - phase 2 of a run's TUs over forked processes
 * (phase2_spread.h).
 *
 * Each copy k takes the TUs to do whose rank among them is k modulo the
 * copies, runs phase 2 on each and writes one frame per TU to its pipe:
 * a head record (the TU's index, fatal or not, the message) and a record
 * per finding (finding_wire.h).  The run's process reads every pipe as the
 * copies write (poll: a full pipe must not stall a copy while another is
 * read), then takes each TU's findings from its frame; a TU without a
 * whole frame is done again here.
 */
#include "cli/phase2_spread.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/finding_wire.h"
#include "util/wire.h"
#include "util/xalloc.h"

enum { KIND_PHASE2 = 5 };       /* wire frame kind of one TU's phase-2 result */
enum { REC_HEAD = 1, REC_FINDING = 2 };
#define MAX_COPIES 64
#define MIN_TUS_PER_COPY 4      /* fewer: not worth a fork */

typedef struct {
    pid_t pid;
    int fd;                     /* read end, -1 at EOF */
    unsigned char *buf;
    size_t len, cap;
} copy;

static size_t serially(size_t n, const bool *todo, const bool *done, void *ctx, tl_phase2_fn fn,
                       volatile sig_atomic_t *interrupted) {
    size_t k = 0;
    for (size_t j = 0; j < n && !*interrupted; j++)
        if (todo[j] && !(done && done[j])) {
            fn(ctx, j);
            k++;
        }
    return k;
}

static volatile sig_atomic_t *copy_interrupted;

/* Ctrl-C in a copy: stop taking TUs; a second one ends the copy.  Not the
 * run's own handler, which on a second signal discards the run's pending
 * output files: those are the run's process's to discard. */
static void copy_on_sigint(int sig) {
    (void)sig;
    if (*copy_interrupted) _exit(130);
    *copy_interrupted = 1;
}

/* In copy k of ncopies: phase 2 of its TUs, each written as a frame. */
_Noreturn static void copy_main(int fd, int k, int ncopies, size_t n, const bool *todo,
                                tl_tu_result *results, void *ctx, tl_phase2_fn fn,
                                volatile sig_atomic_t *interrupted) {
    copy_interrupted = interrupted;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = copy_on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    const char *fault = getenv("TASKLINT_TEST_PHASE2_FAULT");
    if (fault && !strcmp(fault, "crash") && k == 0) abort(); /* tests: a copy that dies */
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    size_t rank = 0;
    for (size_t j = 0; j < n && !*interrupted; j++) {
        if (!todo[j]) continue;
        if ((int)(rank++ % (size_t)ncopies) != k) continue;
        fn(ctx, j);
        const tl_tu_result *r = &results[j];
        tl_wire_writer_reset(&w);
        tl_wire_begin_frame(&w, KIND_PHASE2);
        tl_wire_begin_record(&w, REC_HEAD);
        tl_wire_put_u64(&w, (uint64_t)j);
        tl_wire_put_u8(&w, r->fatal ? 1 : 0);
        tl_wire_put_str(&w, r->fatal_message);
        tl_wire_end_record(&w);
        for (size_t i = 0; i < r->findings.n; i++) {
            tl_wire_begin_record(&w, REC_FINDING);
            tl_wire_put_finding(&w, &r->findings.items[i]);
            tl_wire_end_record(&w);
        }
        /* a result too large for a frame is left out: done again by the parent */
        if (tl_wire_end_frame(&w) == 0 && tl_wire_write_all(fd, w.data, w.len) != 0) break;
    }
    tl_wire_writer_free(&w);
    _exit(0);
}

/* Reads every copy's pipe to its end. */
static void read_all(copy *cs, int nc) {
    struct pollfd pf[MAX_COPIES];
    for (;;) {
        int np = 0;
        for (int k = 0; k < nc; k++)
            if (cs[k].fd >= 0) pf[np++] = (struct pollfd){.fd = cs[k].fd, .events = POLLIN};
        if (np == 0) return;
        if (poll(pf, (nfds_t)np, -1) < 0) {
            if (errno == EINTR) continue;
            for (int k = 0; k < nc; k++) /* cannot wait: what came so far */
                if (cs[k].fd >= 0) close(cs[k].fd), cs[k].fd = -1;
            return;
        }
        for (int i = 0; i < np; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            copy *c = NULL;
            for (int k = 0; k < nc && !c; k++)
                if (cs[k].fd == pf[i].fd) c = &cs[k];
            if (c->cap - c->len < 65536) {
                c->cap = c->cap ? c->cap * 2 : 262144;
                c->buf = tl_xrealloc(c->buf, c->cap);
            }
            ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (r <= 0) {
                close(c->fd);
                c->fd = -1;
            } else {
                c->len += (size_t)r;
            }
        }
    }
}

/* One frame into results (its TU marked done); false on anything malformed. */
static bool take_frame(const tl_wire_frame *f, size_t n, const bool *todo, tl_tu_result *results, bool *done) {
    if (f->kind != KIND_PHASE2) return false;
    tl_wire_reader pr, body;
    tl_wire_reader_init(&pr, f->payload, f->payload_len);
    uint16_t kind;
    if (tl_wire_next_record(&pr, &kind, &body) != 1 || kind != REC_HEAD) return false;
    uint64_t j = tl_wire_get_u64(&body);
    uint8_t fatal = tl_wire_get_u8(&body);
    char *msg = tl_wire_get_str(&body);
    if (body.bad || j >= n || !todo[j] || done[j] || fatal > 1) {
        free(msg);
        return false;
    }
    tl_findings fs;
    tl_findings_init(&fs);
    int rc;
    while ((rc = tl_wire_next_record(&pr, &kind, &body)) == 1)
        if (kind != REC_FINDING || tl_wire_get_finding(&body, &fs) != 0) break;
    if (rc != 0) {
        tl_findings_free(&fs);
        free(msg);
        return false;
    }
    tl_tu_result *r = &results[j];
    tl_findings_free(&r->findings);
    r->findings = fs;
    r->fatal = fatal != 0;
    free(r->fatal_message);
    r->fatal_message = msg;
    done[j] = true;
    return true;
}

tl_phase2_stats tl_cli_phase2_spread(size_t n, const bool *todo, tl_tu_result *results, int jobs,
                                     void *ctx, tl_phase2_fn fn, volatile sig_atomic_t *interrupted) {
    tl_phase2_stats st = {0, 0};
    size_t ntodo = 0;
    for (size_t j = 0; j < n; j++) ntodo += todo[j];
    int nc = jobs < MAX_COPIES ? jobs : MAX_COPIES;
    if ((size_t)nc > ntodo / MIN_TUS_PER_COPY) nc = (int)(ntodo / MIN_TUS_PER_COPY);
    if (nc < 2) {
        serially(n, todo, NULL, ctx, fn, interrupted);
        return st;
    }
    copy cs[MAX_COPIES];
    memset(cs, 0, sizeof cs);
    /* no unwritten output may be flushed twice, and Ctrl-C reaches the
       copies as it reaches this process (they stop taking TUs) */
    fflush(NULL);
    int made = 0;
    for (int k = 0; k < nc; k++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) break;
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            for (int i = 0; i < made; i++) close(cs[i].fd);
            copy_main(p[1], k, nc, n, todo, results, ctx, fn, interrupted);
        }
        close(p[1]);
        if (pid < 0) {
            close(p[0]);
            break;
        }
        cs[made++] = (copy){.pid = pid, .fd = p[0]};
    }
    /* when not every copy could be made, the ones made still take their
       ranks of nc; the others' TUs are done here below */
    read_all(cs, made);
    for (int k = 0; k < made; k++) {
        int status;
        while (waitpid(cs[k].pid, &status, 0) < 0 && errno == EINTR) {}
    }
    bool *done = tl_xcalloc(n + 1, 1);
    for (int k = 0; k < made; k++) {
        size_t at = 0;
        while (at < cs[k].len) {
            tl_wire_frame f;
            char err[128];
            if (tl_wire_scan_frame(cs[k].buf + at, cs[k].len - at, &f, err, sizeof err) != TL_WIRE_FRAME) break;
            if (!take_frame(&f, n, todo, results, done)) break;
            at += f.frame_len;
        }
        free(cs[k].buf);
    }
    /* what a copy did not bring back (it died, could not be made, or was
       interrupted): here */
    st.processes = made;
    st.redone = serially(n, todo, done, ctx, fn, interrupted);
    free(done);
    return st;
}
