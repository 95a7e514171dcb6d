/* workers.c - N worker threads, each with its own CXIndex, pulling TUs from
 * a shared counter; results are handed back on the calling thread in input
 * order, so the output does not depend on -j. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "util/xalloc.h"

#define WORKER_STACK ((size_t)16 << 20) /* the front end recurses over the AST */

typedef struct {
    const tl_cli_tus *tus;
    const tl_options *opts;
    const tl_model_set *base;
    volatile sig_atomic_t *stop;
    bool want_includes;

    pthread_mutex_t mu;
    pthread_cond_t cv;   /* a result is ready / a worker finished */
    size_t next;         /* next TU to hand out */
    bool halt;           /* no more TUs */
    tl_tu_result *results;
    bool *done;
    int running;         /* workers still alive */
} pool;

static void *worker(void *arg) {
    pool *p = arg;
    CXIndex index = clang_createIndex(0, 0);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        if (p->halt || *p->stop || p->next >= p->tus->n) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mu);

        const tl_cli_tu *t = &p->tus->items[i];
        tl_tu_job job = {.file = t->file,
                         .directory = t->directory,
                         .args = (const char *const *)t->args,
                         .nargs = t->nargs,
                         .want_includes = p->want_includes};
        tl_tu_result r;
        memset(&r, 0, sizeof r);
        tl_analyze_tu(index, p->opts, p->base, &job, &r);

        pthread_mutex_lock(&p->mu);
        p->results[i] = r;
        p->done[i] = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    clang_disposeIndex(index);
    pthread_mutex_lock(&p->mu);
    p->running--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void deadline_in(struct timespec *ts, long ms) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

tl_pool_status tl_pool_run(const tl_cli_tus *tus, const tl_options *opts,
                           const tl_model_set *base, int jobs, bool want_includes,
                           volatile sig_atomic_t *stop, tl_result_fn on_result, void *ctx) {
    static volatile sig_atomic_t never = 0;
    if (!stop) stop = &never;
    if (tus->n == 0) return TL_POOL_DONE;
    if (jobs < 1) jobs = 1;
    if ((size_t)jobs > tus->n) jobs = (int)tus->n;

    /* the pool lives on the heap: if we abandon running workers, they may
       still touch it until the process exits */
    pool *p = tl_xcalloc(1, sizeof *p);
    p->tus = tus;
    p->opts = opts;
    p->base = base;
    p->stop = stop;
    p->want_includes = want_includes;
    p->results = tl_xcalloc(tus->n, sizeof *p->results);
    p->done = tl_xcalloc(tus->n, sizeof *p->done);
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);

    /* workers do not take SIGINT/SIGTERM: the main thread does */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK);
    pthread_t *threads = tl_xcalloc((size_t)jobs, sizeof *threads);
    int started = 0;
    for (int i = 0; i < jobs; i++) {
        pthread_mutex_lock(&p->mu);
        p->running++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&threads[i], &attr, worker, p) != 0) {
            pthread_mutex_lock(&p->mu);
            p->running--;
            pthread_mutex_unlock(&p->mu);
            break;
        }
        started++;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started == 0) { /* no threads at all: work on this thread */
        pthread_mutex_lock(&p->mu);
        p->running++;
        pthread_mutex_unlock(&p->mu);
        worker(p);
    }

    /* hand results out in order */
    bool interrupted = false;
    for (size_t i = 0; i < tus->n; i++) {
        pthread_mutex_lock(&p->mu);
        while (!p->done[i] && !*stop) {
            if (p->running == 0 && p->next <= i) break; /* cannot happen, but never hang */
            struct timespec ts;
            deadline_in(&ts, 100);
            pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        }
        bool ready = p->done[i];
        if (*stop) {
            p->halt = true;
            ready = false;
        }
        pthread_mutex_unlock(&p->mu);
        if (!ready) {
            interrupted = true;
            break;
        }
        on_result(ctx, i, &p->results[i]);
        tl_tu_result_free(&p->results[i]);
    }

    /* wait for the workers: at most a few seconds once interrupted */
    pthread_mutex_lock(&p->mu);
    p->halt = true;
    struct timespec limit;
    deadline_in(&limit, 3000);
    while (p->running > 0) {
        if (!interrupted) {
            pthread_cond_wait(&p->cv, &p->mu);
        } else if (pthread_cond_timedwait(&p->cv, &p->mu, &limit) == ETIMEDOUT) {
            break;
        }
    }
    bool all_done = p->running == 0;
    pthread_mutex_unlock(&p->mu);
    if (!all_done) {
        free(threads);
        return TL_POOL_ABANDONED; /* the caller exits without cleaning up */
    }
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    for (size_t i = 0; i < tus->n; i++)
        if (p->done[i]) tl_tu_result_free(&p->results[i]);
    free(p->results);
    free(p->done);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return interrupted ? TL_POOL_INTERRUPTED : TL_POOL_DONE;
}
