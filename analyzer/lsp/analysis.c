/* analysis.c - one analysis of one document's buffer, in a worker process.
 *
 * The server forks a worker per analysis (the fork holds a snapshot of the
 * buffer); the worker isolates itself like the CLI's workers do
 * (cli/worker_proc.c: stdin from /dev/null, stdout to stderr, the memory
 * limit, dies with the server), then:
 *
 *   1. finds the file's flags: the compile database given with -p, else
 *      the nearest one that lists the file (tl_discover_compdbs), else the
 *      arguments after "--";
 *   2. runs phase 1 on the buffer (libclang's unsaved files: the file on
 *      disk is not read);
 *   3. links the program: its own summary with the summaries the findings
 *      store keeps of the program's other files (the store of --db, else
 *      the project's default one, opened read-only; none: only this file),
 *      as a CLI run over a few files does (cli/run.c finish_program);
 *   4. runs phase 2 and sends the result as a tu_wire frame, its findings
 *      in the main file named with the document's path.
 *
 * A worker that dies, sends garbage or exceeds the time limit costs only
 * its analysis: the document gets one clang-diagnostic finding saying so.
 * When the buffer changes again the worker is killed and reaped at once
 * (tl_lsp_analysis_abandon): typing never queues work.
 */
#include <clang-c/Index.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli/tu_wire.h"
#include "cli/worker_proc.h"
#include "lsp/lsp.h"
#include "program/program.h"
#include "store/store.h"
#include "util/wire.h"
#include "util/xalloc.h"

/* ---- in the worker ---- */

/* The file's TU: flags from a compile database when one lists it. */
static void find_flags(const tl_cli_options *o, const char *path, tl_cli_tus *tus) {
    char *const *extra = o->extra_args;
    int nextra = o->nextra;
    if (o->compdb_dir) {
        char *filter[1] = {(char *)path};
        if (tl_compdb_load(o->compdb_dir, filter, 1, extra, nextra, false, tus, stderr) == 0 &&
            tus->n > 0)
            return;
        tl_cli_tus_free(tus);
        memset(tus, 0, sizeof *tus);
    }
    tl_cli_tu *tu = tl_cli_tus_add(tus, path, NULL);
    for (int i = 0; i < nextra; i++) tl_cli_tu_add_arg(tu, extra[i]);
    if (!o->compdb_dir && !o->no_compdb) tl_discover_compdbs(tus, extra, nextra, false, stderr);
}

/* Whether two paths name the same file. */
static bool same_file(const char *a, const char *b) {
    if (!strcmp(a, b)) return true;
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

typedef struct {
    const char *self;      /* the analysed file: its kept unit is stale */
    tl_tu_summary *sums;
    size_t n, cap;
} others_acc;

static int collect_other(void *ctx, const char *file, const char *key, const char *inputs,
                         const void *unit, size_t len) {
    (void)key;
    (void)inputs;
    others_acc *acc = ctx;
    if (same_file(file, acc->self) || tl_unit_verify(unit, len) != 0) return 0;
    if (acc->n == acc->cap) {
        acc->cap = acc->cap ? acc->cap * 2 : 64;
        acc->sums = tl_xrealloc(acc->sums, acc->cap * sizeof *acc->sums);
    }
    char err[256];
    if (tl_unit_decode_summary(unit, len, &acc->sums[acc->n], err, sizeof err) != 0) {
        tl_tu_summary_free(&acc->sums[acc->n]);
        return 0;
    }
    acc->n++;
    return 0;
}

/* The store's kept summaries of the program's other files (none without a
 * store). */
static void load_others(const tl_cli_options *o, const char *path, others_acc *acc) {
    if (o->no_db) return;
    char *db;
    if (o->db_path) {
        db = tl_xstrdup(o->db_path);
    } else {
        char *root = tl_cli_root_for(path);
        db = tl_store_default_path(root);
        free(root);
    }
    struct stat st;
    if (stat(db, &st) == 0 && S_ISREG(st.st_mode)) {
        tl_store_error e;
        memset(&e, 0, sizeof e);
        tl_store *s = tl_store_open_readonly(db, &e);
        if (s) {
            memset(&e, 0, sizeof e);
            tl_store_each_unit(s, collect_other, acc, &e);
            tl_store_close(s);
        } else {
            tl_lsp_log("the findings store cannot be read (%s): this file is analysed alone",
                       e.msg);
        }
    }
    free(db);
}

/* Names the findings (and notes) of the analysed file with the document's
 * path, as the client spells it. */
static void rename_main(tl_findings *fs, const char *job_path, const char *doc_path) {
    for (size_t i = 0; i < fs->n; i++) {
        tl_finding *f = &fs->items[i];
        if (f->file && same_file(f->file, job_path)) {
            free(f->file);
            f->file = tl_xstrdup(doc_path);
        }
        for (size_t k = 0; k < f->nnotes; k++)
            if (f->notes[k].file && same_file(f->notes[k].file, job_path)) {
                free(f->notes[k].file);
                f->notes[k].file = tl_xstrdup(doc_path);
            }
    }
}

/* The store's summaries spell the files of a CLI run over relative paths
 * relative to where it ran: the project root, as a rule.  Such a path that
 * names a file there is made absolute; another stays as it is (and is not
 * shown: a client needs a URI). */
static void absolutize_from(char **file, const char *root) {
    if (!*file || (*file)[0] == '/') return;
    char *abs = tl_cli_abspath(*file, root);
    if (access(abs, F_OK) == 0) {
        free(*file);
        *file = abs;
    } else {
        free(abs);
    }
}

static void absolutize_all(tl_findings *fs, const char *path) {
    char *root = tl_cli_root_for(path);
    for (size_t i = 0; i < fs->n; i++) {
        absolutize_from(&fs->items[i].file, root);
        for (size_t k = 0; k < fs->items[i].nnotes; k++) absolutize_from(&fs->items[i].notes[k].file, root);
    }
    free(root);
}

static void analyse(const tl_lsp_server *s, const tl_lsp_doc *d, tl_tu_result *r) {
    const tl_cli_options *o = s->o;
    tl_cli_tus tus = {0};
    find_flags(o, d->path, &tus);
    const tl_cli_tu *t = &tus.items[0];
    char *job_path = tl_cli_abspath(t->file, t->directory);
    tl_tu_job job = {.file = job_path,
                     .directory = t->directory,
                     .args = (const char *const *)t->args,
                     .nargs = t->nargs,
                     .unsaved_text = d->text,
                     .unsaved_len = d->len};
    CXIndex index = clang_createIndex(0, 0);
    tl_tu_unit *u = NULL;
    memset(r, 0, sizeof *r);
    if (tl_unit_prepare(index, &o->opts, s->base, &job, &u, r) == 0 && u) {
        others_acc acc = {.self = job_path};
        load_others(o, job_path, &acc);
        size_t n = acc.n + 1;
        tl_tu_summary **sums = tl_xcalloc(n, sizeof *sums);
        sums[0] = (tl_tu_summary *)tl_unit_summary(u);
        for (size_t i = 0; i < acc.n; i++) sums[i + 1] = &acc.sums[i];
        tl_program *prog = tl_program_link(sums, (int)n, s->base);
        tl_program_set_whole(prog, acc.n > 0);
        tl_program_set_unit(prog, sums[0]->main_file);
        tl_unit_finish(u, prog, r);
        tl_program_free(prog);
        free(sums);
        /* nothing else is freed: the process ends */
    }
    absolutize_all(&r->findings, job_path);
    rename_main(&r->findings, job_path, d->path);
}

static _Noreturn void worker_main(const tl_lsp_server *s, const tl_lsp_doc *d, int sock) {
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
#ifdef __linux__
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the server */
    if (getppid() != parent) _exit(0);
#endif
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    dup2(STDERR_FILENO, STDOUT_FILENO); /* stdout is the protocol stream */
    if (s->limits.memory_bytes && tl_worker_memory_limit_supported()) {
        struct rlimit rl = {.rlim_cur = (rlim_t)s->limits.memory_bytes,
                            .rlim_max = (rlim_t)s->limits.memory_bytes};
        setrlimit(RLIMIT_AS, &rl);
    }
    /* test hook, as in the CLI's workers: TASKLINT_TEST_WORKER_FAULT=segv:NAME */
    const char *fault = getenv("TASKLINT_TEST_WORKER_FAULT");
    const char *slash = strrchr(d->path, '/');
    if (fault && !strncmp(fault, "segv:", 5) && !strcmp(fault + 5, slash ? slash + 1 : d->path)) {
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
    }
    if (fault && !strncmp(fault, "sleep:", 6) && !strcmp(fault + 6, slash ? slash + 1 : d->path))
        sleep(3600);
    tl_tu_result r;
    analyse(s, d, &r);
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    if (tl_tu_wire_encode(&w, &r) != 0) {
        tl_tu_result_free(&r);
        memset(&r, 0, sizeof r);
        tl_findings_init(&r.findings);
        r.fatal = true;
        r.fatal_message = tl_xasprintf("%s: its findings are too large to pass on", d->path);
        tl_wire_writer_reset(&w);
        tl_tu_wire_encode(&w, &r);
    }
    _exit(tl_wire_write_all(sock, w.data, w.len) == 0 ? 0 : 5);
}

/* ---- in the server ---- */

int tl_lsp_analysis_start(tl_lsp_server *s, tl_lsp_doc *d) {
    if (!s->o || !d->path) return -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        tl_lsp_log("cannot start a worker: %s", strerror(errno));
        return -1;
    }
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        tl_lsp_log("cannot start a worker: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        /* the other documents' workers' sockets: not ours to hold */
        for (size_t i = 0; i < s->ndocs; i++)
            if (s->docs[i]->fd >= 0) close(s->docs[i]->fd);
        worker_main(s, d, sv[1]);
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    d->pid = pid;
    d->fd = sv[0];
    d->in_len = 0;
    d->job_version = d->version;
    d->deadline = s->limits.timeout_s ? tl_lsp_now() + s->limits.timeout_s : 0;
    d->due = 0;
    return 0;
}

static int reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

static void close_worker(tl_lsp_doc *d) {
    if (d->fd >= 0) close(d->fd);
    d->fd = -1;
    d->pid = 0;
    d->in_len = 0;
    d->deadline = 0;
}

void tl_lsp_analysis_abandon(tl_lsp_doc *d) {
    if (d->pid <= 0) return;
    kill(d->pid, SIGKILL);
    reap(d->pid);
    close_worker(d);
}

/* The document gets one finding saying its analysis failed. */
static void failed(tl_lsp_server *s, tl_lsp_doc *d, const char *what, const char *why) {
    tl_findings fs;
    tl_findings_init(&fs);
    tl_findings_addf(&fs, "clang-diagnostic", TL_SEV_ERROR, d->path, 0, 0, NULL,
                     "the C front end %s on this file (%s)", what, why);
    tl_lsp_doc_set_findings(d, &fs);
    tl_lsp_log("%s: the analysis %s (%s)", d->path, what, why);
    tl_lsp_publish(s, d);
}

void tl_lsp_analysis_timeout(tl_lsp_server *s, tl_lsp_doc *d) {
    tl_lsp_analysis_abandon(d);
    char why[64];
    snprintf(why, sizeof why, "after %u seconds", s->limits.timeout_s);
    failed(s, d, "timed out", why);
}

int tl_lsp_analysis_read(tl_lsp_server *s, tl_lsp_doc *d) {
    bool at_eof = false;
    for (;;) {
        if (d->in_cap - d->in_len < 65536) {
            d->in_cap = d->in_cap ? d->in_cap * 2 : 65536;
            d->in = tl_xrealloc(d->in, d->in_cap);
        }
        ssize_t n = read(d->fd, d->in + d->in_len, d->in_cap - d->in_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n > 0) {
            d->in_len += (size_t)n;
            continue;
        }
        at_eof = n == 0;
        break;
    }
    /* at end-of-file the worker has sent all and is exiting; after a socket
       error it may still run: killed, so that the wait cannot block */
    pid_t pid = d->pid;
    if (!at_eof) kill(pid, SIGKILL);
    int status = reap(pid);
    d->pid = 0;
    tl_wire_frame f;
    char err[256] = "";
    tl_wire_scan sc = tl_wire_scan_frame(d->in, d->in_len, &f, err, sizeof err);
    tl_tu_result r;
    memset(&r, 0, sizeof r);
    bool ok = sc == TL_WIRE_FRAME && f.frame_len == d->in_len && f.kind == TL_WIRE_KIND_TU_RESULT &&
              tl_tu_wire_decode(&f, &r, err, sizeof err) == 0;
    close_worker(d);
    if (!ok) {
        tl_tu_result_free(&r);
        char why[64];
        if (WIFSIGNALED(status)) snprintf(why, sizeof why, "signal %d", WTERMSIG(status));
        else if (WIFEXITED(status) && WEXITSTATUS(status))
            snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
        else snprintf(why, sizeof why, "its result was damaged");
        failed(s, d, "crashed", why);
        return 1;
    }
    if (r.fatal) {
        tl_findings_addf(&r.findings, "clang-diagnostic", TL_SEV_ERROR, d->path, 0, 0, NULL, "%s",
                         r.fatal_message ? r.fatal_message : "the file could not be analysed");
    }
    tl_lsp_doc_set_findings(d, &r.findings);
    tl_tu_result_free(&r);
    tl_lsp_publish(s, d);
    return 1;
}
