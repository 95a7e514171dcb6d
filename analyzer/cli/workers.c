/* workers.c - the worker pool: N worker processes (worker_proc.c), each
 * with its own CXIndex, analyse the TUs; the main process hands out TU
 * indices over a socket per worker, reads each result back as a wire frame
 * (tu_wire.h) and hands the results to the caller in input order, on the
 * calling thread, so the output does not depend on -j.
 *
 * Workers are processes so that one file costs only itself when it crashes
 * libclang or our front end, exhausts the worker's memory limit or hangs:
 *
 *   - a worker that dies (a signal, an exit, the memory limit), or sends a
 *     result that is not a valid frame, is reaped (and killed when still
 *     alive); its TU gets a result with one finding, "the C front end
 *     crashed on this file (signal 11)", marked `crashed`;
 *   - a TU that takes longer than the time limit has its worker killed and
 *     gets "the C front end timed out on this file";
 *   - a fresh worker takes the next TU, the other results are kept.
 *
 * The main process stays single-threaded (it only forks, polls and reads),
 * so forking it is safe.  Limits come from the environment
 * (tl_pool_limits_from_env).  A worker that reports a fatal result exits
 * and is replaced (worker_proc.h).  When *stop is set, the workers are
 * killed and reaped at once: no result is reported after that.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/tu_wire.h"
#include "cli/worker_proc.h"
#include "util/wire.h"
#include "util/xalloc.h"

#define DEFAULT_MEMORY_LIMIT ((uint64_t)4 << 30)
#define MIN_MEMORY_LIMIT ((uint64_t)512 << 20) /* a worker maps ~450 MiB by itself */
#define DEFAULT_TIMEOUT_S 600u
#define POLL_SLICE_MS 250 /* how often *stop is looked at without a signal */
#define READ_CHUNK 65536

/* ---- limits ---- */

/* A whole number with an optional K/M/G/T suffix (powers of 1024), which
 * may be followed by "B" or "iB": "4G", "1500M", "2GiB"; not "1.5G". */
static int parse_size(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-' || *s == '+') return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (shift && (!strcmp(end, "iB") || !strcmp(end, "B"))) end += strlen(end);
    else if (!shift && !strcmp(end, "B")) end++;
    if (*end) return -1;
    if (shift && v > (UINT64_MAX >> shift)) return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static uint64_t default_memory_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    uint64_t half = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 2 : 0;
    uint64_t lim = DEFAULT_MEMORY_LIMIT;
    if (half && half < lim) lim = half;
    return lim < MIN_MEMORY_LIMIT ? MIN_MEMORY_LIMIT : lim;
}

int tl_pool_limits_from_env(tl_pool_limits *out, char *msg, size_t msgsz) {
    out->memory_bytes = default_memory_limit();
    out->timeout_s = DEFAULT_TIMEOUT_S;
    const char *m = getenv("TASKLINT_MEMORY_LIMIT");
    if (m && *m) {
        uint64_t v;
        if (parse_size(m, &v) != 0 || (v != 0 && v < MIN_MEMORY_LIMIT)) {
            snprintf(msg, msgsz,
                     "TASKLINT_MEMORY_LIMIT: expected a size of at least 512M such as 2G or "
                     "1500M, or 0 for no limit, got '%s'",
                     m);
            return -1;
        }
        out->memory_bytes = v;
    }
    const char *t = getenv("TASKLINT_TU_TIMEOUT");
    if (t && *t) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(t, &end, 10);
        if (errno || end == t || *end || *t == '-' || *t == '+' || v > 1000000) {
            snprintf(msg, msgsz,
                     "TASKLINT_TU_TIMEOUT: expected a number of seconds from 0 (no limit) to "
                     "1000000, got '%s'",
                     t);
            return -1;
        }
        out->timeout_s = (unsigned)v;
    }
    return 0;
}

/* ---- the pool ---- */

typedef enum { SLOT_EMPTY = 0, SLOT_IDLE, SLOT_BUSY } slot_state;

typedef struct {
    slot_state state;
    bool fresh;          /* started, not given a TU yet */
    pid_t pid;
    int sock;            /* the main process's end; -1 when empty */
    size_t tu;           /* SLOT_BUSY: the TU it analyses */
    double deadline;     /* SLOT_BUSY with a time limit: when it is killed */
    unsigned char *in;   /* bytes of the result received so far */
    size_t in_len, in_cap;
} slot;

/* A worker on its way out (it was told to stop): reaped when its socket
 * reports end-of-file. */
typedef struct {
    pid_t pid;
    int sock;
} leaving;

typedef struct {
    tl_worker_config cfg;
    slot *slots;
    int nslots;
    leaving *gone;
    size_t ngone, capgone;
    size_t next;         /* next TU to hand out */
    tl_tu_result *results;
    bool *done;
    char spawn_error[128];
} pool;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_result(pool *p, size_t tu, tl_tu_result *r) {
    p->results[tu] = *r;
    p->done[tu] = true;
}

/* The result of a TU whose worker failed: one clang-diagnostic error. */
static void failed_result(pool *p, size_t tu, const char *what, const char *why) {
    const tl_cli_tu *t = &p->cfg.tus->items[tu];
    tl_tu_result r;
    memset(&r, 0, sizeof r);
    tl_findings_init(&r.findings);
    char *file = tl_cli_abspath(t->file, t->directory);
    tl_findings_addf(&r.findings, "clang-diagnostic", TL_SEV_ERROR, file, 0, 0, NULL,
                     "the C front end %s on this file (%s)", what, why);
    free(file);
    r.nerrors = 1;
    r.crashed = true;
    set_result(p, tu, &r);
}

/* "signal 11", "exit status 3" */
static void describe_death(int status, char *buf, size_t n) {
    if (WIFSIGNALED(status)) snprintf(buf, n, "signal %d", WTERMSIG(status));
    else if (WIFEXITED(status)) snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
    else snprintf(buf, n, "wait status %d", status);
}

/* Waits for a worker that has exited or is about to (its socket is closed
 * or it was killed). */
static int reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

static void close_slot(slot *s) {
    if (s->sock >= 0) close(s->sock);
    s->sock = -1;
    s->pid = 0;
    s->state = SLOT_EMPTY;
    s->in_len = 0;
}

/* Kills a worker that is still running, reaps it, and gives its TU a
 * failed result saying why. */
static void kill_worker(pool *p, slot *s, const char *what, const char *why) {
    kill(s->pid, SIGKILL);
    reap(s->pid);
    if (s->state == SLOT_BUSY) failed_result(p, s->tu, what, why);
    close_slot(s);
}

/* The worker's socket reported end-of-file: it has exited. */
static void worker_died(pool *p, slot *s) {
    int status = reap(s->pid);
    if (s->state == SLOT_BUSY) {
        char why[200];
        describe_death(status, why, sizeof why);
        if (s->in_len > 0) {
            size_t l = strlen(why);
            snprintf(why + l, sizeof why - l, ", in the middle of sending its result");
        }
        failed_result(p, s->tu, "crashed", why);
    }
    close_slot(s);
}

/* Tells an idle worker to finish: it exits when its socket closes, and is
 * reaped when that is seen. */
static void retire(pool *p, slot *s) {
    if (p->ngone == p->capgone) {
        p->capgone = p->capgone ? p->capgone * 2 : 8;
        p->gone = tl_xrealloc(p->gone, p->capgone * sizeof *p->gone);
    }
    shutdown(s->sock, SHUT_WR);
    p->gone[p->ngone++] = (leaving){s->pid, s->sock};
    s->sock = -1;
    close_slot(s);
}

static void forget_leaving(pool *p, size_t k) {
    close(p->gone[k].sock);
    reap(p->gone[k].pid);
    p->gone[k] = p->gone[--p->ngone];
}

/* Forks a worker into an empty slot; false (with p->spawn_error) when the
 * system refuses. */
static bool spawn(pool *p, slot *s) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(p->spawn_error, sizeof p->spawn_error, "%s", strerror(errno));
        return false;
    }
    /* the child must not inherit unwritten output (it could flush it a
       second time), nor take Ctrl-C before it ignores it */
    fflush(NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid == 0) {
        size_t nfds = 0;
        int *fds = tl_xcalloc((size_t)p->nslots + p->ngone + 1, sizeof *fds);
        for (int k = 0; k < p->nslots; k++) fds[nfds++] = p->slots[k].sock;
        for (size_t k = 0; k < p->ngone; k++) fds[nfds++] = p->gone[k].sock;
        fds[nfds++] = sv[0];
        tl_worker_main(sv[1], fds, nfds, &p->cfg);
    }
    int err = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        snprintf(p->spawn_error, sizeof p->spawn_error, "%s", strerror(err));
        return false;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    s->state = SLOT_IDLE;
    s->fresh = true;
    s->pid = pid;
    s->sock = sv[0];
    s->in_len = 0;
    return true;
}

/* Gives an idle worker a TU.  When the worker turns out to be gone it is
 * reaped and false returned: a worker that died while idle leaves the TU to
 * the next one, but one that died before its first TU fails the TU (so a
 * worker that cannot even start does not make the pool start workers
 * forever). */
static bool send_job(pool *p, slot *s, size_t tu) {
    unsigned char job[TL_WORKER_JOB_SIZE];
    for (int i = 0; i < TL_WORKER_JOB_SIZE; i++) job[i] = (unsigned char)(tu >> (8 * i));
    /* four bytes into an empty socket buffer are never sent in part */
    if (send(s->sock, job, sizeof job, MSG_NOSIGNAL) != (ssize_t)sizeof job) {
        bool fresh = s->fresh;
        kill(s->pid, SIGKILL);
        int status = reap(s->pid);
        close_slot(s);
        if (!fresh) return false;
        char why[200];
        describe_death(status, why, sizeof why);
        size_t l = strlen(why);
        snprintf(why + l, sizeof why - l, ", before it was given the file");
        failed_result(p, tu, "crashed", why);
        return true;
    }
    s->fresh = false;
    s->state = SLOT_BUSY;
    s->tu = tu;
    s->deadline = p->cfg.limits.timeout_s ? now_s() + p->cfg.limits.timeout_s : 0;
    return true;
}

/* Takes the frame at the start of the slot's input, if one is complete. */
static void take_frame(pool *p, slot *s) {
    tl_wire_frame f;
    char err[160];
    tl_wire_scan sc = tl_wire_scan_frame(s->in, s->in_len, &f, err, sizeof err);
    if (sc == TL_WIRE_NEED_MORE) return;
    char why[220];
    if (sc == TL_WIRE_BAD || s->state != SLOT_BUSY || f.frame_len != s->in_len) {
        snprintf(why, sizeof why, "its worker sent a broken result: %s",
                 sc == TL_WIRE_BAD ? err
                 : s->state != SLOT_BUSY ? "a result nobody asked for"
                                         : "bytes after the result");
        kill_worker(p, s, "crashed", why);
        return;
    }
    tl_tu_result r;
    if (tl_tu_wire_decode(&f, &r, err, sizeof err) != 0) {
        snprintf(why, sizeof why, "its worker sent a broken result: %s", err);
        kill_worker(p, s, "crashed", why);
        return;
    }
    bool fatal = r.fatal;
    set_result(p, s->tu, &r);
    s->in_len = 0;
    s->state = SLOT_IDLE;
    if (fatal) retire(p, s); /* it exits by itself: see worker_proc.h */ /* it exits by itself: see worker_proc.h */
}

/* The slot's socket is readable: a result (or part of one), or the end. */
static void read_slot(pool *p, slot *s) {
    for (;;) {
        if (s->in_cap - s->in_len < READ_CHUNK) {
            s->in_cap = s->in_cap ? s->in_cap * 2 : 2 * READ_CHUNK;
            s->in = tl_xrealloc(s->in, s->in_cap);
        }
        ssize_t r = recv(s->sock, s->in + s->in_len, s->in_cap - s->in_len, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            worker_died(p, s);
            return;
        }
        s->in_len += (size_t)r;
        /* a frame is at most header + limit: anything longer is refused
           by the scan, so the buffer never grows past that */
        take_frame(p, s);
        if (s->state == SLOT_EMPTY) return;
    }
}

static void check_deadlines(pool *p) {
    double t = now_s();
    for (int k = 0; k < p->nslots; k++) {
        slot *s = &p->slots[k];
        /* a worker that has started sending has finished parsing */
        if (s->state == SLOT_BUSY && s->deadline && t >= s->deadline && s->in_len == 0) {
            char why[64];
            snprintf(why, sizeof why, "after %u s; TASKLINT_TU_TIMEOUT sets the limit",
                     p->cfg.limits.timeout_s);
            kill_worker(p, s, "timed out", why);
        }
    }
}

/* Hands out TUs to idle workers, starting workers in empty slots. */
static void dispatch(pool *p) {
    int alive = 0;
    for (int k = 0; k < p->nslots; k++) alive += p->slots[k].state != SLOT_EMPTY;
    for (int k = 0; k < p->nslots && p->next < p->cfg.tus->n; k++) {
        slot *s = &p->slots[k];
        if (s->state == SLOT_EMPTY) {
            if (!spawn(p, s)) {
                if (alive == 0) {
                    /* no worker at all: the TU cannot be analysed */
                    tl_tu_result r;
                    memset(&r, 0, sizeof r);
                    tl_findings_init(&r.findings);
                    r.fatal = true;
                    r.fatal_message =
                        tl_xasprintf("cannot start a worker process: %s", p->spawn_error);
                    set_result(p, p->next++, &r);
                }
                continue;
            }
            alive++;
        }
        if (s->state == SLOT_IDLE && send_job(p, s, p->next)) p->next++; /* handed out, or failed */
    }
}

/* Waits for results, deaths and deadlines (or a signal). */
static void wait_for_workers(pool *p) {
    struct pollfd *fds = tl_xcalloc((size_t)p->nslots + p->ngone + 1, sizeof *fds);
    int *owner = tl_xcalloc((size_t)p->nslots + p->ngone + 1, sizeof *owner);
    nfds_t n = 0;
    double soonest = 0;
    for (int k = 0; k < p->nslots; k++) {
        slot *s = &p->slots[k];
        if (s->state == SLOT_EMPTY) continue;
        fds[n] = (struct pollfd){.fd = s->sock, .events = POLLIN};
        owner[n++] = k;
        if (s->state == SLOT_BUSY && s->deadline && (!soonest || s->deadline < soonest))
            soonest = s->deadline;
    }
    for (size_t k = 0; k < p->ngone; k++) {
        fds[n] = (struct pollfd){.fd = p->gone[k].sock, .events = POLLIN};
        owner[n++] = -1 - (int)k;
    }
    int timeout = POLL_SLICE_MS;
    if (soonest) {
        double ms = (soonest - now_s()) * 1000.0 + 1;
        if (ms < timeout) timeout = ms < 0 ? 0 : (int)ms;
    }
    int r = poll(fds, n, timeout);
    if (r > 0) {
        /* leaving workers from the end, so that removing one keeps the
           indices of the others */
        for (nfds_t i = n; i-- > 0;) {
            if (!fds[i].revents) continue;
            if (owner[i] >= 0) {
                read_slot(p, &p->slots[owner[i]]);
            } else {
                /* end-of-file (or stray bytes, which mean the same here) */
                forget_leaving(p, (size_t)(-1 - owner[i]));
            }
        }
    }
    free(owner);
    free(fds);
    check_deadlines(p);
}

/* Stops every worker: politely when the run is over, with SIGKILL when it
 * was interrupted; all are reaped before this returns. */
static void stop_all(pool *p, bool kill_them) {
    for (int k = 0; k < p->nslots; k++) {
        slot *s = &p->slots[k];
        if (s->state == SLOT_EMPTY) continue;
        if (kill_them) kill(s->pid, SIGKILL);
        close(s->sock);
        s->sock = -1;
    }
    for (size_t k = 0; k < p->ngone; k++) {
        if (kill_them) kill(p->gone[k].pid, SIGKILL);
        close(p->gone[k].sock);
    }
    for (int k = 0; k < p->nslots; k++) {
        slot *s = &p->slots[k];
        if (s->state != SLOT_EMPTY) reap(s->pid);
        s->state = SLOT_EMPTY;
        free(s->in);
    }
    for (size_t k = 0; k < p->ngone; k++) reap(p->gone[k].pid);
    p->ngone = 0;
}

tl_pool_status tl_pool_run(const tl_cli_tus *tus, const tl_options *opts,
                           const tl_model_set *base, int jobs, bool want_includes, bool want_units,
                           volatile sig_atomic_t *stop, tl_result_fn on_result, void *ctx) {
    static volatile sig_atomic_t never = 0;
    if (!stop) stop = &never;
    if (tus->n == 0) return TL_POOL_DONE;
    if (jobs < 1) jobs = 1;
    if ((size_t)jobs > tus->n) jobs = (int)tus->n;

    pool p;
    memset(&p, 0, sizeof p);
    p.cfg = (tl_worker_config){.tus = tus, .opts = opts, .base = base,
                               .want_includes = want_includes,
                               .want_units = want_units};
    /* tl_cli_parse has refused invalid values already; they would leave
       the defaults in place */
    char msg[256];
    tl_pool_limits_from_env(&p.cfg.limits, msg, sizeof msg);
    p.nslots = jobs;
    p.slots = tl_xcalloc((size_t)jobs, sizeof *p.slots);
    for (int k = 0; k < jobs; k++) p.slots[k].sock = -1;
    p.results = tl_xcalloc(tus->n, sizeof *p.results);
    p.done = tl_xcalloc(tus->n, sizeof *p.done);

    size_t emit = 0;
    bool interrupted = false;
    while (emit < tus->n) {
        if (*stop) {
            interrupted = true;
            break;
        }
        /* idle workers get their next TU before results are handed on */
        dispatch(&p);
        if (p.done[emit]) { /* in input order */
            on_result(ctx, emit, &p.results[emit]);
            tl_tu_result_free(&p.results[emit]);
            p.done[emit++] = false;
            continue;
        }
        wait_for_workers(&p);
    }
    stop_all(&p, interrupted);

    for (size_t i = emit; i < tus->n; i++)
        if (p.done[i]) tl_tu_result_free(&p.results[i]);
    free(p.results);
    free(p.done);
    free(p.slots);
    free(p.gone);
    return interrupted ? TL_POOL_INTERRUPTED : TL_POOL_DONE;
}
