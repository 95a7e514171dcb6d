/* worker_proc.c - see worker_proc.h.
 *
 * Test hook: TASKLINT_TEST_WORKER_FAULT=KIND:NAME makes the worker that is
 * given a TU whose file name (without directories) is NAME fail on purpose
 * instead of analysing it, so that the tests can drive every way a worker
 * can fail, in every build: KIND is `segv` (dies of SIGSEGV), `exit` (exits
 * with status 3), `garbage` (sends bytes that are not a frame) or `truncated`
 * (sends half of a valid frame, then exits).
 */
#include "cli/worker_proc.h"

#include <clang-c/Index.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli/tu_wire.h"
#include "frontend/pch_prefix.h"
#include "util/wire.h"
#include "util/xalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define TL_BUILT_WITH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_BUILT_WITH_ASAN 1
#endif
#endif

/* the front end recurses over the AST: more than the default 8 MiB */
#define WORKER_STACK ((size_t)16 << 20)

bool tl_worker_memory_limit_supported(void) {
#ifdef TL_BUILT_WITH_ASAN
    return false;
#else
    return true;
#endif
}

typedef struct {
    int sock;
    const tl_worker_config *cfg;
    const char *fault_kind; /* test hook, or NULL */
    const char *fault_name;
} worker_ctx;

/* Reads exactly n bytes; 1, 0 at end-of-file before the first byte, -1. */
static int read_exactly(int fd, void *buf, size_t n) {
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return got == 0 && r == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The test hook (see the top of the file); returns only for no fault. */
static void inject_fault(const worker_ctx *w, const tl_cli_tu *tu) {
    if (!w->fault_kind || strcmp(base_name(tu->file), w->fault_name) != 0) return;
    const char *k = w->fault_kind;
    if (!strcmp(k, "segv")) {
        signal(SIGSEGV, SIG_DFL); /* no sanitizer report: a plain crash */
        raise(SIGSEGV);
    } else if (!strcmp(k, "exit")) {
        _exit(3);
    } else if (!strcmp(k, "garbage")) {
        /* a frame of this wire version (TL_WIRE_VERSION) with a bad checksum */
        char junk[] = "TLWF\x00\x00\x01\x00\x04\x00\x00\x00\xde\xad\xbe\xef"
                      "junk";
        junk[4] = (char)(TL_WIRE_VERSION & 0xff);
        junk[5] = (char)(TL_WIRE_VERSION >> 8);
        tl_wire_write_all(w->sock, junk, sizeof junk - 1);
    } else if (!strcmp(k, "truncated")) {
        tl_tu_result r;
        memset(&r, 0, sizeof r);
        tl_findings_init(&r.findings);
        tl_findings_add(&r.findings, "clang-diagnostic", TL_SEV_ERROR, tu->file, 1, 1, NULL,
                        "never delivered");
        tl_wire_writer wr;
        tl_wire_writer_init(&wr);
        tl_tu_wire_encode(&wr, &r);
        tl_wire_write_all(w->sock, wr.data, wr.len / 2);
        _exit(0);
    }
}

static void *analyse_loop(void *arg) {
    worker_ctx *w = arg;
    const tl_worker_config *cfg = w->cfg;
    CXIndex index = NULL;
    tl_pch_cache *pch = NULL; /* shared precompiled prefixes (driver.h: tl_options.pch_plan) */
    const tl_pch_plan *plan = cfg->opts ? cfg->opts->pch_plan : NULL;
    tl_wire_writer out;
    tl_wire_writer_init(&out);
    for (;;) {
        unsigned char job[TL_WORKER_JOB_SIZE];
        if (read_exactly(w->sock, job, sizeof job) != 1) break; /* the pool closed: done */
        uint32_t i = (uint32_t)job[0] | (uint32_t)job[1] << 8 | (uint32_t)job[2] << 16 |
                     (uint32_t)job[3] << 24;
        if (i >= cfg->tus->n) _exit(4); /* cannot happen: the pool sent it */
        const tl_cli_tu *t = &cfg->tus->items[i];
        inject_fault(w, t);
        if (!index) index = clang_createIndex(0, 0);
        tl_tu_job tj = {.file = t->file,
                        .directory = t->directory,
                        .args = (const char *const *)t->args,
                        .nargs = t->nargs,
                        .want_includes = cfg->want_includes,
                        .want_unit = cfg->want_units};
        if (plan && i < plan->n && plan->includes[i] > 0) {
            if (!pch) {
                pch = tl_pch_cache_new(plan->dir, plan->stats);
                tl_pch_cache_set_min_bytes(pch, plan->min_bytes);
                tl_pch_cache_set_one_run(pch, plan->one_run);
            }
            tj.pch_cache = pch;
            tj.pch_includes = plan->includes[i];
        }
        tl_tu_result r;
        memset(&r, 0, sizeof r);
        if (cfg->want_units) tl_analyze_tu_phase1(index, cfg->opts, cfg->base, &tj, &r);
        else tl_analyze_tu(index, cfg->opts, cfg->base, &tj, &r);
        tl_wire_writer_reset(&out);
        if (tl_tu_wire_encode(&out, &r) != 0) {
            /* more than a frame can hold: say so instead */
            tl_tu_result_free(&r);
            r.fatal = true;
            r.fatal_message = tl_xasprintf("%s: its findings are too large to pass on", t->file);
            tl_wire_writer_reset(&out);
            tl_tu_wire_encode(&out, &r);
        }
        bool fatal = r.fatal;
        tl_tu_result_free(&r);
        if (tl_wire_write_all(w->sock, out.data, out.len) != 0) _exit(5);
        if (fatal) break; /* start afresh: see worker_proc.h */
    }
    /* nothing is freed: the process ends here */
    return NULL;
}

/* The address-space limit.  Under AddressSanitizer none: its shadow memory
 * alone takes terabytes of address space. */
static void apply_memory_limit(uint64_t bytes) {
    if (!bytes || !tl_worker_memory_limit_supported()) return;
    struct rlimit rl = {.rlim_cur = (rlim_t)bytes, .rlim_max = (rlim_t)bytes};
    setrlimit(RLIMIT_AS, &rl);
}

/* stdin from /dev/null (an analysed file that includes /dev/stdin must not
 * read the terminal), stdout to stderr (nothing a worker prints may end up
 * in the findings). */
static void redirect_std_streams(void) {
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    dup2(STDERR_FILENO, STDOUT_FILENO);
}

_Noreturn void tl_worker_main(int sock, const int *close_fds, size_t nclose,
                              const tl_worker_config *cfg) {
    for (size_t i = 0; i < nclose; i++)
        if (close_fds[i] >= 0 && close_fds[i] != sock) close(close_fds[i]);
    /* Ctrl-C reaches the whole process group: the main process decides */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
#ifdef __linux__
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the main process */
    if (getppid() != parent) _exit(0);
#endif
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    redirect_std_streams();
    apply_memory_limit(cfg->limits.memory_bytes);

    worker_ctx w = {.sock = sock, .cfg = cfg};
    const char *fault = getenv("TASKLINT_TEST_WORKER_FAULT");
    const char *colon = fault ? strchr(fault, ':') : NULL;
    if (colon) {
        w.fault_kind = strndup(fault, (size_t)(colon - fault));
        w.fault_name = colon + 1;
    }

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK);
    pthread_t t;
    if (pthread_create(&t, &attr, analyse_loop, &w) == 0) pthread_join(t, NULL);
    else analyse_loop(&w); /* no thread: the main stack will have to do */
    _exit(0);
}
