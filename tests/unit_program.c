/* unit_program.c - tests of summary extraction (analyzer/summary) and of the
 * link phase (analyzer/program): the field-based call graph, the fixpoints
 * (contexts through wrappers, blocking chains, ownership and deadlines
 * through parameters), slots, duplicates and caps.  Each test parses small
 * in-memory TUs with libclang, extracts their summaries and links them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow/analysis.h"
#include "frontend/frontend.h"
#include "program/program.h"
#include "summary/summary.h"
#include "summary/summary_wire.h"
#include "ir/ir_wire.h"

static const char models_yaml[] =
    "library: testlib\n"
    "functions:\n"
    "  thread_start:\n"
    "    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 1, context: thread, task: thread}\n"
    "  thread_join:\n"
    "    release: {arg: 0, how: join}\n"
    "  thread_name:\n"
    "    borrow: [0]\n"
    "  loop_timer:\n"
    "    callback: {args: [1], context: loop}\n"
    "  recv_until:\n"
    "    wait: {timeout_arg: 1, forever: [negative], kind: peer}\n"
    "  sleep:\n"
    "    blocking: true\n"
    "  nap:\n"
    "    blocking: true\n"
    "  co_start:\n"
    "    spawn: {handle: result, success: nonnegative, entry_arg: 0, context: coroutine, task: coroutine}\n"
    "  co_close:\n"
    "    release: {arg: 0, how: close, cancels: true}\n"
    "  co_recv:\n"
    "    wait: {timeout_arg: 0, forever: [negative], kind: task}\n"
    "  fork:\n"
    "    spawn: {handle: result, success: positive, child_if_zero: true, task: child process}\n"
    "  obj_wait:\n"
    "    await: {arg: 0}\n"
    "  mk_nb:\n"
    "    fd_state: {result: true, sets: nonblocking}\n"
    "  fd_rd:\n"
    "    blocking: {fd_io: true}\n"
    "  mk_pair:\n"
    "    fd_state: {arg: 0, array: 2, sets: nonblocking, if_flag: {arg: 1, mask: 8}}\n"
    "  set_fl:\n"
    "    fd_state: {arg: 0, sets: nonblocking, if_value: {arg: 1, values: [4]}, if_flag: {arg: 2, mask: 8}}\n"
    "  cnt_post: {post: 0}\n"
    "  mx_lock: {lock: 0}\n"
    "  mx_unlock: {unlock: 0}\n"
    "  thread_quit: {noreturn: thread}\n"
    "  die: {noreturn: true}\n"
    "  proc_reap:\n"
    "    release: {arg: 0, how: reap}\n"
    "  my_pid: {self_handle: {task: child process}}\n"
    "  thread_detach:\n"
    "    release: {arg: 0, how: detach}\n"
    "  thread_me: {self_handle: {task: thread}}\n"
    "  ch_recv: {wait: {timeout_arg: 1, forever: [negative], kind: task, object_arg: 0, unless_other_end_done: true}}\n";

static const char prelude[] =
    "typedef unsigned long thr_t;\n"
    "int thread_start(thr_t *t, void *(*fn)(void *));\n"
    "int thread_join(thr_t t);\n"
    "int thread_name(thr_t t, const char *n);\n"
    "void loop_timer(void *loop, void (*cb)(void *));\n"
    "int recv_until(int fd, long deadline);\n"
    "unsigned sleep(unsigned s);\n"
    "unsigned nap(unsigned s);\n"
    "int co_start(void (*fn)(void));\n"
    "int co_close(int h);\n"
    "int co_recv(long deadline);\n"
    "int fork(void);\n"
    "struct obj { int x; };\n"
    "int obj_wait(struct obj *o);\n"
    "int mk_nb(void);\n"
    "int mk_plain(void);\n"
    "long fd_rd(int fd);\n"
    "void fill(int *p);\n"
    "int mk_pair(int *fds, int flags);\n"
    "int set_fl(int fd, int cmd, int flags);\n"
    "struct cnt { int c; };\n"
    "int cnt_post(struct cnt *c);\n"
    "struct mx { int m; };\n"
    "int mx_lock(struct mx *m);\n"
    "int mx_unlock(struct mx *m);\n"
    "void mx_pass(struct mx *m);\n"
    "void thread_quit(void);\n"
    "void die(void);\n"
    "int check(void);\n"
    "int proc_reap(int pid);\n"
    "int my_pid(void);\n"
    "int thread_detach(thr_t t);\n"
    "thr_t thread_me(void);\n";

#define MAX_TUS 4

typedef struct {
    CXIndex index;
    tl_model_set models;
    int n;
    CXTranslationUnit ctu[MAX_TUS];
    tl_tu tu[MAX_TUS];
    tl_tu_summary sum[MAX_TUS];
    tl_program *prog;
} world;

/* Parse each body (after the prelude) as /virtual/tuN.c, summarise, link. */
static world *link_sources(const char *const *bodies, int n) {
    world *w = calloc(1, sizeof *w);
    w->index = clang_createIndex(0, 0);
    tl_models_init(&w->models);
    tl_model_error err;
    assert_int_equal(tl_models_load_text(&w->models, models_yaml, strlen(models_yaml), "test", &err), 0);
    tl_models_finish(&w->models);
    tl_tu_summary *ptrs[MAX_TUS];
    for (int i = 0; i < n; i++) {
        char name[32], *src = malloc(strlen(prelude) + strlen(bodies[i]) + 1);
        snprintf(name, sizeof name, "/virtual/tu%d.c", i);
        strcpy(src, prelude);
        strcat(src, bodies[i]);
        static const char shared_h[] = "static inline int shared_helper(int x) { return x + 1; }\n";
        struct CXUnsavedFile uf[2] = {{name, src, (unsigned long)strlen(src)},
                                      {"/virtual/shared.h", shared_h, sizeof shared_h - 1}};
        const char *args[] = {"-std=gnu11", "-I/virtual"};
        assert_int_equal(clang_parseTranslationUnit2(w->index, name, args, 2, uf, 2, CXTranslationUnit_KeepGoing,
                                                     &w->ctu[i]),
                         CXError_Success);
        assert_int_equal(tl_frontend_lower(w->ctu[i], &w->models, &w->tu[i]), 0);
        tl_analysis a;
        assert_int_equal(tl_analysis_run(&w->tu[i], &w->models, TL_PROFILE_DEFAULT, &a), 0);
        tl_tu_summary_extract(&a, &w->sum[i]);
        tl_analysis_free(&a);
        ptrs[i] = &w->sum[i];
        free(src);
    }
    w->n = n;
    w->prog = tl_program_link(ptrs, n, &w->models);
    tl_program_set_whole(w->prog, true);
    return w;
}

static void release(world *w) {
    tl_program_free(w->prog);
    for (int i = 0; i < w->n; i++) {
        tl_tu_summary_free(&w->sum[i]);
        tl_tu_free(&w->tu[i]);
        clang_disposeTranslationUnit(w->ctu[i]);
    }
    tl_models_free(&w->models);
    clang_disposeIndex(w->index);
    free(w);
}

static const tl_func_summary *summary_of(const world *w, const char *name) {
    for (int i = 0; i < w->n; i++)
        for (int f = 0; f < w->sum[i].nfuncs; f++)
            if (strcmp(w->sum[i].funcs[f].name, name) == 0) return &w->sum[i].funcs[f];
    fail_msg("no summary for %s", name);
    return NULL;
}

/* ---- summary extraction ---- */

static void test_param_effects_and_deadlines(void **state) {
    (void)state;
    const char *src[] = {"static thr_t keep;\n"
                         "void joins(thr_t t) { thread_join(t); }\n"
                         "void names(thr_t t) { thread_name(t, \"w\"); }\n"
                         "void stores(thr_t t) { keep = t; }\n"
                         "thr_t returns(thr_t t) { return t; }\n"
                         "void passes(thr_t t) { names(t); }\n"
                         "void through_copy(thr_t t) { thr_t u = t; thread_join(u); }\n"
                         "int waits(int fd, long deadline) { return recv_until(fd, deadline); }\n"
                         "int waits_changed(int fd, long deadline) { deadline += 5; return recv_until(fd, deadline); }\n"};
    world *w = link_sources(src, 1);
    assert_true(summary_of(w, "joins")->params[0].effects & TL_PE_RELEASE);
    assert_string_equal(summary_of(w, "joins")->params[0].release_how, "join");
    assert_int_equal(summary_of(w, "names")->params[0].effects, TL_PE_BORROW);
    assert_true(summary_of(w, "stores")->params[0].effects & TL_PE_STORE);
    assert_true(summary_of(w, "returns")->params[0].effects & TL_PE_RETURN);
    const tl_func_summary *p = summary_of(w, "passes");
    assert_int_equal(p->params[0].effects, TL_PE_PASS);
    assert_int_equal(p->npasses, 1);
    assert_int_equal(p->passes[0].arg, 0);
    assert_true(summary_of(w, "through_copy")->params[0].effects & TL_PE_RELEASE);
    const tl_func_summary *wt = summary_of(w, "waits");
    assert_int_equal(wt->ndeadlines, 1);
    assert_int_equal(wt->deadlines[0].param, 1);
    assert_int_equal(wt->deadlines[0].kind, TL_WAIT_PEER);
    assert_int_equal(summary_of(w, "waits_changed")->ndeadlines, 0);
    release(w);
}

static void test_registrations_slots_and_returned_handles(void **state) {
    (void)state;
    const char *src[] = {"struct srv { thr_t worker; void (*on_tick)(void *); };\n"
                         "static void *entry(void *a) { return a; }\n"
                         "static void tick(void *a) { (void)a; }\n"
                         "void wrap(void *loop, void (*cb)(void *)) { loop_timer(loop, cb); }\n"
                         "void direct(void *loop) { loop_timer(loop, tick); }\n"
                         "void via_field(void *loop, struct srv *s) { loop_timer(loop, s->on_tick); }\n"
                         "int start(struct srv *s) { return thread_start(&s->worker, entry); }\n"
                         "void stop(struct srv *s) { thread_join(s->worker); }\n"
                         "thr_t spawn_one(void) { thr_t t; thread_start(&t, entry); return t; }\n"
                         "int spawn_out(thr_t *out) { return thread_start(out, entry); }\n"
                         "thr_t *new_thr(void);\n"
                         "_Bool spawn_heap(thr_t **out) { thr_t *t = new_thr();\n"
                         "  if (thread_start(t, entry) != 0) return 0; *out = t; return 1; }\n"
                         "int run_out(thr_t *out) { thread_start(out, entry); return thread_join(*out); }\n"
                         "thr_t *g_ptr;\n"
                         "int to_global(void) { thr_t t; if (thread_start(&t, entry)) return -1; *g_ptr = t; return 0; }\n"};
    world *w = link_sources(src, 1);
    const tl_func_summary *wr = summary_of(w, "wrap");
    assert_int_equal(wr->nregs, 1);
    assert_int_equal(wr->regs[0].target.kind, TL_REF_PARAM);
    assert_int_equal(wr->regs[0].target.param, 1);
    assert_int_equal(summary_of(w, "direct")->regs[0].target.kind, TL_REF_FUNC);
    assert_int_equal(summary_of(w, "via_field")->regs[0].target.kind, TL_REF_FIELD);
    const tl_func_summary *st = summary_of(w, "start");
    assert_int_equal(st->nslots, 1);
    assert_true(st->slots[0].spawn);
    assert_string_equal(st->slots[0].slot_name, "worker");
    assert_int_equal(st->regs[0].context, TL_CTX_THREAD);
    const tl_func_summary *sp = summary_of(w, "stop");
    assert_int_equal(sp->nslots, 1);
    assert_string_equal(sp->slots[0].how, "join");
    assert_string_equal(sp->slots[0].slot_usr, st->slots[0].slot_usr);
    assert_true(summary_of(w, "spawn_one")->returns_handle);
    assert_string_equal(summary_of(w, "spawn_one")->spawn_model, "thread_start");
    /* out-pointer spawn helpers: a spawn whose handle is that argument, its
       success by the result type; one that joins it is not */
    const tl_func_summary *so = summary_of(w, "spawn_out"), *sh = summary_of(w, "spawn_heap");
    assert_true(so->params[0].effects & TL_PE_SPAWN_OUT);
    assert_false(so->returns_bool);
    assert_true(sh->params[0].effects & TL_PE_SPAWN_OUT);
    assert_true(sh->returns_bool);
    const tl_fn_model *mo = tl_program_model(w->prog, so->usr, false);
    assert_non_null(mo);
    assert_true(mo->spawn.present);
    assert_int_equal(mo->spawn.where, TL_HANDLE_OUT_ARG);
    assert_int_equal(mo->spawn.handle_arg, 0);
    assert_int_equal(mo->spawn.success, TL_SUCCESS_ZERO);
    const tl_fn_model *mh = tl_program_model(w->prog, sh->usr, false);
    assert_non_null(mh);
    assert_int_equal(mh->spawn.success, TL_SUCCESS_POSITIVE);
    const tl_fn_model *mr = tl_program_model(w->prog, summary_of(w, "run_out")->usr, false);
    assert_true(!mr || !mr->spawn.present);
    /* a store through a global pointer is a slot, not an out-pointer */
    const tl_func_summary *tg = summary_of(w, "to_global");
    assert_int_equal(tg->nslots, 1);
    assert_true(tg->slots[0].spawn);
    assert_string_equal(tg->slots[0].slot_name, "g_ptr");
    /* the slot is joined by stop(): nothing orphaned */
    release(w);
}

/* ---- the link phase ---- */

static int count_orphans;
static void on_orphan(void *ctx, const tl_orphan_slot *s) {
    (void)ctx;
    (void)s;
    count_orphans++;
}

/* Calls through a field go to every function stored there, in any TU; a
 * function stored in another field is not a target. */
static void test_field_call_graph(void **state) {
    (void)state;
    const char *src[] = {"struct ops { void (*run)(void); void (*other)(void); };\n"
                         "void slow(void) { sleep(1); }\n"
                         "void quick(void) { }\n"
                         "struct ops table = { .run = slow, .other = quick };\n",
                         "struct ops { void (*run)(void); void (*other)(void); };\n"
                         "void call_run(struct ops *o) { o->run(); }\n"
                         "void call_other(struct ops *o) { o->other(); }\n"};
    world *w = link_sources(src, 2);
    const tl_func_summary *cr = summary_of(w, "call_run");
    assert_int_equal(cr->calls[0].target.kind, TL_REF_FIELD);
    assert_true(tl_program_blocks(w->prog, cr->usr, false, false));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "call_other")->usr, false, false));
    /* the slot itself blocks through slow() */
    assert_true(tl_program_blocks(w->prog, cr->calls[0].target.usr, true, false));
    tl_chain_step steps[4];
    int n = tl_program_chain(w->prog, cr->usr, false, false, steps, 4);
    assert_int_equal(n, 2);
    assert_string_equal(steps[0].caller, "call_run");
    assert_string_equal(steps[0].field, "run");
    assert_string_equal(steps[1].callee, "sleep");
    assert_true(steps[1].final);
    const tl_program_stats *st = tl_program_stats_of(w->prog);
    assert_int_equal(st->indirect_calls, 2);
    assert_int_equal(st->resolved_indirect, 2);
    release(w);
}

/* A call through a table entry's field after a test of another field of
 * the same entry reaches only the functions stored with a value that
 * passes the test (field_guards.h); a write to the variable in between, a
 * test not on every path, a function also stored by an assignment, or a
 * field the program assigns anywhere keeps every edge. */
static void test_field_guarded_calls(void **state) {
    (void)state;
    const char *src[] = {"struct ops { void (*run)(void); int safe; unsigned flags; };\n"
                         "void slow(void) { sleep(1); }\n"
                         "void quick(void) { }\n"
                         "struct ops table[] = { {slow, 0, 1}, {.run = quick, .safe = 1, .flags = 2} };\n",
                         "struct ops { void (*run)(void); int safe; unsigned flags; };\n"
                         "extern struct ops table[];\n"
                         "void g_safe(struct ops *o) { if (o->safe) o->run(); }\n"
                         "void g_unsafe(struct ops *o) { if (!o->safe) o->run(); }\n"
                         "void g_ne(struct ops *o) { if (o->safe != 0) o->run(); }\n"
                         "void g_eq(struct ops *o) { if (o->safe == 0) return; o->run(); }\n"
                         "void g_mask2(struct ops *o) { if (o->flags & 2) o->run(); }\n"
                         "void g_mask1(struct ops *o) { if ((o->flags & 1) != 0) o->run(); }\n"
                         "void g_loop(void) { for (struct ops *t = table; t->run; t++) if (t->safe) t->run(); }\n"
                         "void g_cont(void) { for (struct ops *t = table; t->run; t++) { if (!t->safe) continue; t->run(); } }\n"
                         "void g_moved(struct ops *o, struct ops *p) { if (o->safe) { o = p; o->run(); } }\n"
                         "void g_either(struct ops *o, int x) { if (x || o->safe) o->run(); }\n"
                         "void g_other(struct ops *o, struct ops *p) { if (p->safe) o->run(); }\n"};
    world *w = link_sources(src, 2);
    const char *quiet[] = {"g_safe", "g_ne", "g_eq", "g_mask2", "g_loop", "g_cont"};
    const char *blocks[] = {"g_unsafe", "g_mask1", "g_moved", "g_either", "g_other"};
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++)
        if (tl_program_blocks(w->prog, summary_of(w, quiet[i])->usr, false, false)) fail_msg("%s blocks", quiet[i]);
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        if (!tl_program_blocks(w->prog, summary_of(w, blocks[i])->usr, false, false))
            fail_msg("%s does not block", blocks[i]);
    release(w);

    /* the field is written at run time somewhere (here or in another
       file): the initializers' values may not hold when the call runs */
    const char *src3[] = {"struct ops { void (*run)(void); int safe; };\n"
                          "void slow(void) { sleep(1); }\n"
                          "struct ops table[] = { {slow, 0} };\n"
                          "void g_safe(struct ops *o) { if (o->safe) o->run(); }\n",
                          "struct ops { void (*run)(void); int safe; };\n"
                          "extern struct ops table[];\n"
                          "void enable(int i) { table[i].safe = 1; }\n"
                          "void g_rewritten(struct ops *o) { if (o->safe) { o->safe = 0; o->run(); } }\n"};
    w = link_sources(src3, 2);
    assert_true(tl_program_blocks(w->prog, summary_of(w, "g_safe")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "g_rewritten")->usr, false, false));
    release(w);

    /* slow() also stored by an assignment: nothing known of its fields there */
    const char *src2[] = {"struct ops { void (*run)(void); int safe; };\n"
                          "void slow(void) { sleep(1); }\n"
                          "struct ops table[] = { {slow, 0} };\n"
                          "void set(struct ops *o) { o->run = slow; o->safe = 1; }\n"
                          "void g_safe(struct ops *o) { if (o->safe) o->run(); }\n"};
    w = link_sources(src2, 1);
    assert_true(tl_program_blocks(w->prog, summary_of(w, "g_safe")->usr, false, false));
    release(w);
}

/* More functions stored into one field than the cap: the rest are dropped
 * and the call is counted as capped. */
static void test_field_targets_capped(void **state) {
    (void)state;
    char *big = malloc(64 * 1024);
    size_t len = (size_t)sprintf(big, "struct ops { void (*run)(void); };\n");
    for (int i = 0; i < 80; i++) len += (size_t)sprintf(big + len, "void f%d(void) { }\n", i);
    len += (size_t)sprintf(big + len, "struct ops table[] = {");
    for (int i = 0; i < 80; i++) len += (size_t)sprintf(big + len, "{f%d},", i);
    sprintf(big + len, "};\nvoid call(struct ops *o) { o->run(); }\n");
    const char *src[] = {big};
    world *w = link_sources(src, 1);
    assert_int_equal(tl_program_stats_of(w->prog)->capped, 1);
    release(w);
    free(big);
}

/* Recursion terminates; a blocking call inside a cycle makes every member
 * block; contexts flow through a wrapper of a wrapper. */
static void test_fixpoints_terminate_and_propagate(void **state) {
    (void)state;
    const char *src[] = {"void ping(int n);\n"
                         "void pong(int n) { if (n) ping(n - 1); else sleep(1); }\n"
                         "void ping(int n) { pong(n); }\n"
                         "void self(int n) { if (n) self(n - 1); }\n"
                         "void wrap(void *loop, void (*cb)(void *)) { loop_timer(loop, cb); }\n"
                         "void wrap2(void *loop, void (*cb)(void *)) { wrap(loop, cb); }\n",
                         "void wrap2(void *loop, void (*cb)(void *));\n"
                         "static void handler(void *a) { (void)a; }\n"
                         "void setup(void *loop) { wrap2(loop, handler); }\n"};
    world *w = link_sources(src, 2);
    assert_true(tl_program_blocks(w->prog, summary_of(w, "ping")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "pong")->usr, false, false));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "self")->usr, false, false));
    const tl_prog_context *c = tl_program_context(w->prog, summary_of(w, "handler")->usr);
    assert_non_null(c);
    assert_int_equal(c->kind, TL_CTX_LOOP_CALLBACK);
    assert_string_equal(c->wrapper, "wrap2");
    assert_string_equal(c->in_func, "setup");
    const tl_fn_model *m = tl_program_model(w->prog, summary_of(w, "wrap2")->usr, false);
    assert_non_null(m);
    assert_true(m->callback.present);
    assert_int_equal(m->callback.args[0], 1);
    release(w);
}

/* Parameter guards across files (dataflow/param_guards.h, program.c's
 * compute_blocking): a call whose constants rule out every blocking call
 * of another file's function does not block; a function passing its own
 * parameter on takes the callee's guard; a chain names a call the
 * constants leave (tl_program_chain_at); the guards survive the wire. */
static void test_parameter_guards_across_files(void **state) {
    (void)state;
    const char *src[] = {"int wait_reply(int sync, const char *req) { if (sync && req) sleep(1); return 0; }\n"
                         "void report(int final) { if (final) sleep(1); nap(5); }\n",
                         "int wait_reply(int sync, const char *req);\n"
                         "void report(int final);\n"
                         "int relay(int s) { return wait_reply(s, \"x\"); }\n"
                         "int relay2(int s) { return relay(s); }\n"
                         "void quiet(void) { wait_reply(0, \"x\"); relay2(0); }\n"
                         "void loud(int v) { relay2(v); }\n"
                         "void tail(void) { report(0); }\n"
                         "int relay3(int s) { return relay2(s); }\n"
                         "int relay4(int s) { return relay3(s); }\n"
                         "int relay5(int s) { return relay4(s); }\n"
                         "void quiet_deep(void) { relay5(0); }\n"};
    world *w = link_sources(src, 2);
    const tl_func_summary *wr = summary_of(w, "wait_reply");
    assert_true(tl_program_blocks(w->prog, wr->usr, false, false));
    tl_cval zero[2] = {{TL_CV_INT, 0, -1}, {TL_CV_NONNULL, 0, -1}};
    tl_cval one[2] = {{TL_CV_INT, 1, -1}, {TL_CV_NONNULL, 0, -1}};
    assert_false(tl_program_blocks_at(w->prog, wr->usr, false, false, zero, 2));
    assert_true(tl_program_blocks_at(w->prog, wr->usr, false, false, one, 2));
    assert_false(tl_program_blocks_at(w->prog, summary_of(w, "relay2")->usr, false, false, zero, 1));
    assert_true(tl_program_blocks_at(w->prog, summary_of(w, "relay2")->usr, false, false, one, 1));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "quiet")->usr, false, false));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "quiet_deep")->usr, false, false)); /* 6 deep */
    assert_true(tl_program_blocks(w->prog, summary_of(w, "loud")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "tail")->usr, false, false));
    /* report(0): the chain names nap(), not the sleep() under `final` */
    tl_chain_step steps[8];
    int n = tl_program_chain_at(w->prog, summary_of(w, "report")->usr, false, false, zero, 1, steps, 8);
    assert_int_equal(n, 1);
    assert_string_equal(steps[0].callee, "nap");
    n = tl_program_chain(w->prog, summary_of(w, "tail")->usr, false, false, steps, 8);
    assert_int_equal(n, 2);
    assert_string_equal(steps[1].callee, "nap");
    /* the wire keeps the call guards */
    tl_wire_writer wrt;
    tl_wire_writer_init(&wrt);
    assert_int_equal(tl_summary_wire_encode(&wrt, &w->sum[1]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wrt.data, wrt.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    int passes = 0;
    for (int i = 0; i < back.nfuncs; i++)
        for (int k = 0; k < back.funcs[i].ncalls; k++) {
            const tl_sum_call *a = &back.funcs[i].calls[k], *b = &w->sum[1].funcs[i].calls[k];
            assert_int_equal(a->guard_nz, b->guard_nz);
            assert_int_equal(a->guard_z, b->guard_z);
            assert_int_equal(a->guard_pass, b->guard_pass);
            passes += a->guard_pass != 0;
        }
    assert_true(passes >= 2); /* relay, relay2 */
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wrt);
    release(w);
}

/* A fork wrapper of another file: a call reached only where the wrapper
 * returned 0 runs in the child and blocks no caller (the summary's child_of,
 * resolved at link time); the parent's and an unrelated test's still do. */
static void test_fork_wrapper_child(void **state) {
    (void)state;
    const char *src[] = {"int my_fork(void) { int p = fork(); return p; }\n"
                         "int not_fork(void) { return 0; }\n",
                         "int my_fork(void);\n"
                         "int not_fork(void);\n"
                         "void child_sleeps(void) { int p; if ((p = my_fork()) == 0) { sleep(1); } }\n"
                         "void child_switch(void) { switch (my_fork()) { case 0: sleep(1); break; default: break; } }\n"
                         "void parent_sleeps(void) { int p = my_fork(); if (p > 0) sleep(1); }\n"
                         "void after_if(void) { int p = my_fork(); if (p == 0) { (void)p; } sleep(1); }\n"
                         "void other_zero(void) { if (not_fork() == 0) sleep(1); }\n"
                         "void calls_child(void) { child_sleeps(); }\n"
                         "void guarded(void) { if (not_fork()) return; if (my_fork() == 0) sleep(1); }\n"
                         "void nested(int x) { int p; if (x == 0) { if ((p = my_fork()) == 0) {\n"
                         "    int r = not_fork(); if (r == 0) { sleep(1); } sleep(2); } } }\n"
                         "void nested_parent(void) { int p; if ((p = my_fork()) != 0) {\n"
                         "    if (not_fork() == 0) sleep(1); } }\n"};
    world *w = link_sources(src, 2);
    const tl_func_summary *cs = summary_of(w, "child_sleeps");
    int sleep_call = -1;
    for (int k = 0; k < cs->ncalls; k++)
        if (strcmp(cs->calls[k].spelling, "sleep") == 0) sleep_call = k;
    assert_true(sleep_call >= 0);
    assert_int_equal(cs->calls[sleep_call].nchild_of, 1);
    assert_string_equal(cs->calls[cs->calls[sleep_call].child_of[0]].spelling, "my_fork");
    assert_false(tl_program_blocks(w->prog, cs->usr, false, false));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "child_switch")->usr, false, false));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "calls_child")->usr, false, false));
    assert_false(tl_program_blocks(w->prog, summary_of(w, "guarded")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "parent_sleeps")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "after_if")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "other_zero")->usr, false, false));
    /* a 0-test nested in the child's branch keeps it the child's */
    assert_false(tl_program_blocks(w->prog, summary_of(w, "nested")->usr, false, false));
    assert_true(tl_program_blocks(w->prog, summary_of(w, "nested_parent")->usr, false, false));
    /* child_of survives the wire */
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[1]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    int lists = 0;
    for (int i = 0; i < back.nfuncs; i++)
        for (int k = 0; k < back.funcs[i].ncalls; k++) {
            assert_int_equal(back.funcs[i].calls[k].nchild_of, w->sum[1].funcs[i].calls[k].nchild_of);
            for (int j = 0; j < back.funcs[i].calls[k].nchild_of; j++)
                assert_int_equal(back.funcs[i].calls[k].child_of[j], w->sum[1].funcs[i].calls[k].child_of[j]);
            lists += back.funcs[i].calls[k].nchild_of > 1;
            assert_true((back.funcs[i].calls[k].fd_slot == NULL) == (w->sum[1].funcs[i].calls[k].fd_slot == NULL));
        }
    assert_true(lists > 0); /* guarded, nested: two candidates */
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* Children that publish their own pid: a self_handle result stored into a
 * field that another file reaps makes its function, and its direct callers,
 * publish themselves; one stored into a field nobody reaps, into a local, or
 * a function that only calls such a thing through a field, does not.  The
 * flag survives the wire. */
/* Functions that release their own thread's handle on every path (a
 * self_handle result given to a release, directly or through a TU helper)
 * carry the fact in their summary; one branch only, a return before it, or
 * a release of another handle does not. */
static void test_self_releases(void **state) {
    (void)state;
    const char *src[] = {"thr_t other;\n"
                         "void *at_end(void *a) { check(); thread_detach(thread_me()); return a; }\n"
                         "void *via_local(void *a) { thr_t me = thread_me(); thread_detach(me); return a; }\n"
                         "static void detach_me(void) { thread_detach(thread_me()); }\n"
                         "void *via_helper(void *a) { if (check()) { detach_me(); return 0; } detach_me(); return a; }\n"
                         "void *one_branch(void *a) { if (check()) thread_detach(thread_me()); return a; }\n"
                         "void *early(void *a) { if (check()) return 0; thread_detach(thread_me()); return a; }\n"
                         "void *another(void *a) { thread_detach(other); return a; }\n"
                         "void *recursive(void *a) { if (check()) return recursive(a); return a; }\n"
                         "void *forever(void *a) { for (;;) check(); return a; }\n"};
    world *w = link_sources(src, 1);
    assert_true(summary_of(w, "at_end")->self_releases);
    assert_true(summary_of(w, "via_local")->self_releases);
    assert_true(summary_of(w, "detach_me")->self_releases);
    assert_true(summary_of(w, "via_helper")->self_releases);
    assert_false(summary_of(w, "one_branch")->self_releases);
    assert_false(summary_of(w, "early")->self_releases);
    assert_false(summary_of(w, "another")->self_releases);
    assert_false(summary_of(w, "recursive")->self_releases);
    assert_false(summary_of(w, "forever")->self_releases); /* never ends, never detaches */
    assert_true(tl_program_self_releases(w->prog, summary_of(w, "at_end")->usr));
    assert_false(tl_program_self_releases(w->prog, summary_of(w, "early")->usr));
    release(w);
}

static void test_self_publish(void **state) {
    (void)state;
    const char *src[] = {"struct job { int pid; int self; };\n"
                         "struct ops { int (*run)(struct job *); };\n"
                         "int job_main(struct job *j) { j->pid = my_pid(); return 0; }\n"
                         "int log_main(struct job *j) { j->self = my_pid(); return 0; }\n"
                         "int local_only(void) { int me = my_pid(); return me; }\n"
                         "int runner(struct job *j) { return job_main(j) + 1; }\n"
                         "int via_field(struct ops *o, struct job *j) { return o->run(j); }\n",
                         "struct job { int pid; int self; };\n"
                         "void reap_all(struct job *js, int n) { for (int i = 0; i < n; i++) proc_reap(js[i].pid); }\n"};
    world *w = link_sources(src, 2);
    const tl_func_summary *jm = summary_of(w, "job_main");
    assert_int_equal(jm->nslots, 1);
    assert_true(jm->slots[0].self);
    assert_false(jm->slots[0].spawn);
    assert_string_equal(jm->slots[0].task, "child process");
    assert_int_equal(summary_of(w, "local_only")->nslots, 0);
    assert_true(tl_program_publishes_self(w->prog, jm->usr, "child process"));
    assert_false(tl_program_publishes_self(w->prog, jm->usr, "thread"));
    assert_true(tl_program_publishes_self(w->prog, summary_of(w, "runner")->usr, "child process"));
    assert_false(tl_program_publishes_self(w->prog, summary_of(w, "log_main")->usr, "child process"));
    assert_false(tl_program_publishes_self(w->prog, summary_of(w, "local_only")->usr, "child process"));
    assert_false(tl_program_publishes_self(w->prog, summary_of(w, "via_field")->usr, "child process"));
    assert_true(tl_program_slot_released(w->prog, jm->slots[0].slot_usr));
    assert_false(tl_program_slot_released(w->prog, summary_of(w, "log_main")->slots[0].slot_usr));
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    int selfs = 0;
    for (int i = 0; i < back.nfuncs; i++)
        for (int k = 0; k < back.funcs[i].nslots; k++) {
            assert_int_equal(back.funcs[i].slots[k].self, w->sum[0].funcs[i].slots[k].self);
            selfs += back.funcs[i].slots[k].self;
        }
    assert_int_equal(selfs, 2);
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* The key of the descriptor store of the global `name` in unit u, or NULL. */
static const char *fd_key(const world *w, int u, const char *name) {
    char tail[64];
    snprintf(tail, sizeof tail, "@%s", name);
    for (int i = 0; i < w->sum[u].nfd_stores; i++) {
        const char *k = w->sum[u].fd_stores[i].key;
        size_t n = strlen(k), t = strlen(tail);
        if (n >= t && strcmp(k + n - t, tail) == 0) return k;
    }
    return NULL;
}

/* Descriptors through parameters and results across files: a parameter
 * stored into a field is known when every direct call passes a known value
 * (a result of a function of another file returning only non-blocking
 * descriptors, directly or through a local) and its address is never taken
 * (here by an initializer); a result is known when every path returning a
 * descriptor returns a non-blocking one. */
static void test_fd_slots_params(void **state) {
    (void)state;
    const char *src[] = {"struct conn { int fd, peer, hooked, either; };\n"
                         "int make_nb(void) { int s = mk_nb(); if (s < 0) return -1; return s; }\n"
                         "int make_either(int x) { if (x) return mk_nb(); return mk_plain(); }\n"
                         "void ctor(struct conn *c, int fd) { c->fd = fd; }\n"
                         "void set_peer(struct conn *c, int fd) { c->peer = fd; }\n"
                         "static void set_hooked(struct conn *c, int fd) { c->hooked = fd; }\n"
                         "void (*hook)(struct conn *, int) = set_hooked;\n"
                         "void use_hooked(struct conn *c) { set_hooked(c, mk_nb()); }\n",
                         "struct conn { int fd, peer, hooked, either; };\n"
                         "int make_nb(void); int make_either(int);\n"
                         "void ctor(struct conn *, int); void set_peer(struct conn *, int);\n"
                         "void a(struct conn *c) { int s = make_nb(); ctor(c, s); set_peer(c, s);\n"
                         "  c->either = make_either(1); }\n"
                         "void b(struct conn *c) { ctor(c, make_nb()); set_peer(c, mk_plain()); }\n"};
    world *w = link_sources(src, 2);
    const char *fd = fd_key(w, 0, "FI@fd");
    assert_non_null(fd);
    assert_true(tl_program_fd_slot_nonblocking(w->prog, fd));
    assert_non_null(fd_key(w, 0, "FI@peer"));
    assert_non_null(fd_key(w, 0, "FI@hooked"));
    assert_non_null(fd_key(w, 1, "FI@either"));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@peer")));   /* mk_plain() in b */
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@hooked"))); /* its address taken */
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 1, "FI@either"))); /* one plain path */
    /* ctor is not static: unlinked files may call it */
    tl_program_set_whole(w->prog, false);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd));
    release(w);
}

/* Scalar parameter modes: a helper that leaves its argument non-blocking at
 * every non-error return (set_fl with 4, 8: F_SETFL, O_NONBLOCK here), one
 * that does so on one branch only or clears the bit (moded), one that
 * reassigns its parameter; the program answers by USR across files, and the
 * masks survive the wire. */
static void test_param_modes(void **state) {
    (void)state;
    const char *src[] = {"int nb(int fd) { if (set_fl(fd, 4, 8) < 0) return -1; return 0; }\n"
                         "int wrap(int x, int fd) { (void)x; return nb(fd); }\n"
                         "int some(int fd, int v) { if (v) set_fl(fd, 4, 8); return 0; }\n"
                         "int clear(int fd) { return set_fl(fd, 4, 0); }\n"
                         "int other(int fd) { fd = mk_nb(); return set_fl(fd, 4, 8); }\n",
                         "int nb(int); int clear(int);\n"
                         "void user(int fd) { nb(fd); clear(fd); }\n"};
    world *w = link_sources(src, 2);
    unsigned n, m;
    assert_int_equal(summary_of(w, "nb")->params_nonblocking, 1u);
    assert_int_equal(summary_of(w, "wrap")->params_nonblocking, 2u); /* same file: followed */
    assert_int_equal(summary_of(w, "some")->params_nonblocking, 0u);
    assert_int_equal(summary_of(w, "some")->params_moded, 1u);
    assert_int_equal(summary_of(w, "clear")->params_moded, 1u);
    assert_int_equal(summary_of(w, "other")->params_nonblocking, 0u);
    assert_true(tl_program_param_modes(w->prog, summary_of(w, "nb")->usr, &n, &m));
    assert_int_equal(n, 1u);
    assert_int_equal(m, 0u);
    assert_true(tl_program_param_modes(w->prog, summary_of(w, "clear")->usr, &n, &m));
    assert_int_equal(n, 0u);
    assert_int_equal(m, 1u);
    assert_false(tl_program_param_modes(w->prog, "c:@F@nowhere", &n, &m));
    assert_int_equal(n | m, 0u);
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    for (int i = 0; i < back.nfuncs; i++) {
        assert_int_equal(back.funcs[i].params_nonblocking, w->sum[0].funcs[i].params_nonblocking);
        assert_int_equal(back.funcs[i].params_moded, w->sum[0].funcs[i].params_moded);
    }
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* Conditional modes: a helper that sets or clears the mode as its second
 * argument says (params_if: non-blocking when it is non-zero), one that
 * returns a socket made non-blocking when its flags have bit 2 (returns_if);
 * the program hands both to a caller in another file by USR, not for a
 * helper with only unconditional facts nor an unknown USR, and both
 * survive the wire. */
static void test_param_conditional(void **state) {
    (void)state;
    const char *src[] = {"int mode(int fd, int on) { if (on) set_fl(fd, 4, 8); else set_fl(fd, 4, 0); return 0; }\n"
                         "int conn(int port, int flags) { int s = mk_plain(); (void)port;\n"
                         "  if (flags & 2) set_fl(s, 4, 8); return s; }\n"
                         "int nb(int fd) { return set_fl(fd, 4, 8); }\n",
                         "int mode(int, int); int conn(int, int);\n"
                         "int user(int fd) { mode(fd, 1); return conn(80, 2); }\n"};
    world *w = link_sources(src, 2);
    const tl_func_summary *mode = summary_of(w, "mode"), *conn = summary_of(w, "conn");
    assert_int_equal(mode->params_nonblocking, 0u);
    assert_int_equal(mode->params_if.niparams, 2); /* fd and on */
    assert_int_equal(mode->params_if.iparams[1], 1);
    assert_int_equal(mode->params_if.nb[2], 1u); /* on != 0 (bit 1 of the assignment): fd non-blocking */
    assert_int_equal(mode->params_if.nb[3], 1u);
    assert_int_equal(mode->params_if.nb[0] | mode->params_if.nb[1], 0u);
    assert_int_equal(conn->returns_if.nmasks, 1);
    assert_true(conn->returns_if.masks[0] == 2);
    assert_int_equal(conn->returns_if.niparams, 2);
    assert_int_equal(conn->returns_if.iparams[1], 1);
    assert_int_equal(conn->returns_if.ok[0], 0xc); /* flags (bit 1 of the assignment) has the bit */
    const tl_fd_params_if *q;
    const tl_fd_returns_if *r;
    tl_program_conditional(w->prog, mode->usr, &q, &r);
    assert_ptr_equal(q, &mode->params_if);
    assert_null(r);
    tl_program_conditional(w->prog, conn->usr, &q, &r);
    assert_null(q);
    assert_ptr_equal(r, &conn->returns_if);
    tl_program_conditional(w->prog, summary_of(w, "nb")->usr, &q, &r);
    assert_null(q);
    assert_null(r);
    tl_program_conditional(w->prog, "c:@F@nowhere", &q, &r);
    assert_null(q);
    assert_null(r);
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    assert_int_equal(back.nfuncs, w->sum[0].nfuncs);
    for (int i = 0; i < back.nfuncs; i++) {
        assert_memory_equal(&back.funcs[i].params_if, &w->sum[0].funcs[i].params_if, sizeof back.funcs[i].params_if);
        assert_memory_equal(&back.funcs[i].returns_if, &w->sum[0].funcs[i].returns_if,
                            sizeof back.funcs[i].returns_if);
    }
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* Global descriptor slots: non-blocking when every store of the program
 * (any file) stores a non-blocking descriptor or copies such a slot; -1 is
 * no store; one other store, the address taken, or a copy of a slot not
 * known spoils it.  A non-static global needs the whole program. */
static void test_fd_slots(void **state) {
    (void)state;
    const char *src[] = {"int g_nb, g_bad, g_esc, g_copy, g_mixed, g_arr[2];\n"
                         "static int s_nb;\n"
                         "void set_up(void) { g_nb = mk_nb(); int l = mk_nb(); g_arr[0] = l; g_arr[1] = -1;\n"
                         "  g_esc = mk_nb(); s_nb = mk_nb(); g_copy = g_nb; g_mixed = g_nb; }\n"
                         "void tear(void) { g_nb = -1; s_nb = -1; }\n",
                         "extern int g_bad, g_esc, g_mixed;\n"
                         "struct rec { int fd, fds[2], any; };\n"
                         "void other(struct rec *r, int x) { g_bad = mk_plain(); fill(&g_esc); g_mixed = g_bad;\n"
                         "  r->fd = mk_nb(); r->fds[0] = mk_nb(); fill(r->fds); r->any = x; }\n"};
    world *w = link_sources(src, 2);
    const char *nb = fd_key(w, 0, "g_nb"), *st = fd_key(w, 0, "s_nb"), *arr = fd_key(w, 0, "g_arr");
    assert_non_null(nb);
    assert_non_null(st);
    assert_non_null(arr);
    assert_true(tl_program_fd_slot_nonblocking(w->prog, nb));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, st));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, arr));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "g_copy")));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 1, "g_bad")));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "g_esc")));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "g_mixed")));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, "g:c:@nothing"));
    /* fields of the program's structs: every instance */
    assert_true(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 1, "FI@fd")));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 1, "FI@fds"))); /* fill(r->fds) */
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 1, "FI@any")));
    /* a few files of a program: only the static is known */
    tl_program_set_whole(w->prog, false);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, nb));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, st));
    /* the stores survive the wire */
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    assert_int_equal(back.nfd_stores, w->sum[0].nfd_stores);
    for (int i = 0; i < back.nfd_stores; i++) {
        assert_string_equal(back.fd_stores[i].key, w->sum[0].fd_stores[i].key);
        assert_int_equal(back.fd_stores[i].kind, w->sum[0].fd_stores[i].kind);
        assert_int_equal(back.fd_stores[i].is_static, w->sum[0].fd_stores[i].is_static);
        assert_true((back.fd_stores[i].src == NULL) == (w->sum[0].fd_stores[i].src == NULL));
    }
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* Effect summaries: a helper leaves an element of its array parameter
 * non-blocking under a flag bit of its integer parameters (set_fl under
 * `if (rf & 8)`, or given the parameter itself); each call handing a field
 * array over is weighed with its constant arguments, element by element.
 * Not known: the other element, a flag that is no constant, a helper that
 * hands the array on (fill), the merged slot. */
static void test_fd_slots_effects(void **state) {
    (void)state;
    const char *src[] = {"int open_pair(int fds[2], int rf, int wf) { if (mk_pair(fds, 0)) return -1;\n"
                         "  if (rf & 8) set_fl(fds[0], 4, 8); if (wf) set_fl(fds[1], 4, wf); return 0; }\n"
                         "void leak_pair(int fds[2], int f) { mk_pair(fds, 0); if (f & 8) set_fl(fds[0], 4, 8); fill(fds); }\n",
                         "struct srv { int a[2], b[2], c[2], d[2]; };\n"
                         "struct srv S;\n"
                         "int open_pair(int *, int, int); void leak_pair(int *, int);\n"
                         "void setup(int x) { open_pair(S.a, 8, 0); open_pair(S.b, 0, 9); open_pair(S.c, x, 0);\n"
                         "  leak_pair(S.d, 8); }\n"};
    world *w = link_sources(src, 2);
    char key[300];
    const char *a = fd_key(w, 1, "FI@a"), *b = fd_key(w, 1, "FI@b"), *c = fd_key(w, 1, "FI@c"), *d = fd_key(w, 1, "FI@d");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(d);
    snprintf(key, sizeof key, "%s[0]", a);
    assert_true(tl_program_fd_slot_nonblocking(w->prog, key));
    snprintf(key, sizeof key, "%s[1]", a);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, key)); /* wf = 0 */
    assert_false(tl_program_fd_slot_nonblocking(w->prog, a));    /* both elements */
    snprintf(key, sizeof key, "%s[0]", b);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, key));
    snprintf(key, sizeof key, "%s[1]", b);
    assert_true(tl_program_fd_slot_nonblocking(w->prog, key)); /* set_fl(fds[1], 4, wf) with wf = 9 */
    snprintf(key, sizeof key, "%s[0]", c);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, key)); /* x */
    snprintf(key, sizeof key, "%s[0]", d);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, key)); /* fill(fds) */
    /* a field of a non-static struct: the whole program is needed */
    tl_program_set_whole(w->prog, false);
    snprintf(key, sizeof key, "%s[0]", a);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, key));
    /* the effect stores survive the wire (they carry their condition) */
    for (int u = 0; u < 2; u++) {
        tl_wire_writer wr;
        tl_wire_writer_init(&wr);
        assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[u]), 0);
        tl_wire_frame fr;
        char err[256];
        assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
        tl_tu_summary back;
        assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
        assert_int_equal(back.nfd_stores, w->sum[u].nfd_stores);
        int effects = 0;
        for (int i = 0; i < back.nfd_stores; i++) {
            assert_string_equal(back.fd_stores[i].key, w->sum[u].fd_stores[i].key);
            if (!strncmp(back.fd_stores[i].key, "n:", 2)) {
                assert_string_equal(back.fd_stores[i].src, w->sum[u].fd_stores[i].src);
                effects++;
            }
        }
        assert_int_equal(effects, u == 0 ? 4 : 0); /* open_pair: [0] when rf has 8 (wf with or without), [1] when wf has */
        tl_tu_summary_free(&back);
        tl_wire_writer_free(&wr);
    }
    release(w);
}

/* A constructor named only at a function-pointer field of a table takes its
 * parameter from the calls through that field; the field read as a value
 * (here copied out) spoils it; a union's member does not count. */
static void test_fd_slots_fields(void **state) {
    (void)state;
    const char *src[] = {"struct conn { int fd, fd2, fd3; };\n"
                         "struct ops { void (*mk)(struct conn *, int); void (*mk2)(struct conn *, int); };\n"
                         "union uops { void (*mk3)(struct conn *, int); void (*other)(struct conn *, long); };\n"
                         "static void mk_a(struct conn *c, int fd) { c->fd = fd; }\n"
                         "static void mk_b(struct conn *c, int fd) { c->fd2 = fd; }\n"
                         "static void mk_c(struct conn *c, int fd) { c->fd3 = fd; }\n"
                         "const struct ops OPS = {.mk = mk_a, .mk2 = mk_b};\n"
                         "union uops U = {.mk3 = mk_c};\n"
                         "void via(const struct ops *o, struct conn *c) { if (o->mk) o->mk(c, mk_nb());\n"
                         "  o->mk2(c, mk_nb()); U.mk3(c, mk_nb()); }\n"
                         "void copy_out(const struct ops *o, void (**out)(struct conn *, int)) { *out = o->mk2; }\n"};
    world *w = link_sources(src, 1);
    assert_non_null(fd_key(w, 0, "FI@fd"));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@fd")));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@fd2"))); /* o->mk2 copied out */
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@fd3"))); /* a union's member */
    release(w);
}

/* A helper stores a plain descriptor into the struct it is handed; its
 * callers make the field non-blocking after it returns (fd_settle.c):
 * directly, or - the struct being their own parameter - their callers do.
 * A field one caller leaves blocking is not known; nor, without the whole
 * program, a non-static helper's. */
static void test_fd_settled_by_callers(void **state) {
    (void)state;
    const char *src[] = {"struct conn { int a, b, m, t; };\n"
                         "void open_a(struct conn *c) { c->a = mk_plain(); }\n"
                         "void open_b(struct conn *c) { c->b = mk_plain(); }\n"
                         "void open_m(struct conn *c) { c->m = mk_plain(); }\n"
                         "void wrap(struct conn *c) { open_b(c); }\n"
                         "static void open_t(struct conn *c) { c->t = mk_plain(); }\n"
                         "struct ops { void (*open)(struct conn *); };\n"
                         "const struct ops OPS = {.open = open_t};\n"
                         "void run_ops(const struct ops *o, struct conn *c) { o->open(c); }\n"
                         "void start_t(struct conn *c) { open_t(c); set_fl(c->t, 4, 8); }\n",
                         "struct conn { int a, b, m, t; };\n"
                         "void open_a(struct conn *); void open_m(struct conn *); void wrap(struct conn *);\n"
                         "void start(struct conn *c) { open_a(c); set_fl(c->a, 4, 8); open_m(c); set_fl(c->m, 4, 8); }\n"
                         "void again(struct conn *c) { wrap(c); set_fl(c->b, 4, 8); open_m(c); }\n"
                         "void use(struct conn *c) { fd_rd(c->a); fd_rd(c->b); fd_rd(c->m); fd_rd(c->t); }\n"};
    world *w = link_sources(src, 2);
    assert_non_null(fd_key(w, 0, "FI@a"));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@a")));
    assert_true(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@b")));  /* wrap's caller settles it */
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@m"))); /* again() does not */
    assert_non_null(fd_key(w, 0, "FI@t"));
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@t"))); /* also called through OPS.open */
    tl_program_set_whole(w->prog, false);
    assert_false(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, "FI@a")));
    release(w);
}

/* A long setup function settling forty fields, each right after the helper
 * that stored it: every one is known (one dataflow over the function's
 * field slots, not a bounded number of path walks). */
static void test_fd_settled_many_fields(void **state) {
    (void)state;
    enum { N = 40 };
    static char a[N * 96 + 256], b[N * 160 + 512];
    int na = snprintf(a, sizeof a, "struct conn {"), nb = snprintf(b, sizeof b, "struct conn {");
    for (int i = 0; i < N; i++) {
        na += snprintf(a + na, sizeof a - (size_t)na, " int f%d;", i);
        nb += snprintf(b + nb, sizeof b - (size_t)nb, " int f%d;", i);
    }
    na += snprintf(a + na, sizeof a - (size_t)na, " };\n");
    nb += snprintf(b + nb, sizeof b - (size_t)nb, " };\n");
    for (int i = 0; i < N; i++) {
        na += snprintf(a + na, sizeof a - (size_t)na, "int open%d(struct conn *c) { c->f%d = mk_plain(); return 0; }\n", i, i);
        nb += snprintf(b + nb, sizeof b - (size_t)nb, "int open%d(struct conn *c);\n", i);
    }
    nb += snprintf(b + nb, sizeof b - (size_t)nb, "int setup(struct conn *c) {\n");
    for (int i = 0; i < N; i++)
        nb += snprintf(b + nb, sizeof b - (size_t)nb, "  if (open%d(c) < 0) return -1; set_fl(c->f%d, 4, 8);\n", i, i);
    nb += snprintf(b + nb, sizeof b - (size_t)nb, "  return 0; }\nvoid use(struct conn *c) {");
    for (int i = 0; i < N; i++) nb += snprintf(b + nb, sizeof b - (size_t)nb, " fd_rd(c->f%d);", i);
    snprintf(b + nb, sizeof b - (size_t)nb, " }\n");
    const char *src[] = {a, b};
    world *w = link_sources(src, 2);
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "FI@f%d", i);
        assert_non_null(fd_key(w, 0, name));
        assert_true(tl_program_fd_slot_nonblocking(w->prog, fd_key(w, 0, name)));
    }
    release(w);
}

/* Ownership and deadlines flow backwards through parameters passed on;
 * a function no TU defines takes a handle over. */
static void test_param_facts_through_calls(void **state) {
    (void)state;
    const char *src[] = {"void reaper(thr_t t) { thread_join(t); }\n"
                         "void stop(thr_t t) { reaper(t); }\n"
                         "void look(thr_t t) { thread_name(t, \"x\"); }\n"
                         "void look2(thr_t t) { look(t); }\n"
                         "void unknown_sink(thr_t t);\n"
                         "void hand_off(thr_t t) { unknown_sink(t); }\n"
                         "int rx(int fd, long d) { return recv_until(fd, d); }\n"
                         "int rx2(int fd, long d) { return rx(fd, d); }\n"};
    world *w = link_sources(src, 1);
    const tl_fn_model *m = tl_program_model(w->prog, summary_of(w, "stop")->usr, false);
    assert_non_null(m);
    assert_true(m->release.present);
    assert_string_equal(m->release.how, "join");
    m = tl_program_model(w->prog, summary_of(w, "look2")->usr, false);
    assert_non_null(m);
    assert_int_equal(m->nborrow, 1);
    assert_false(m->release.present);
    assert_null(tl_program_model(w->prog, summary_of(w, "hand_off")->usr, false));
    m = tl_program_model(w->prog, summary_of(w, "rx2")->usr, false);
    assert_non_null(m);
    assert_true(m->wait.present);
    assert_int_equal(m->wait.timeout_arg, 1);
    tl_chain_step steps[4];
    assert_int_equal(tl_program_deadline_chain(w->prog, summary_of(w, "rx2")->usr, false, steps, 4), 2);
    assert_string_equal(steps[1].callee, "recv_until");
    release(w);
}

/* What a thread entry awaits through its parameter (the object itself, or
 * one reached through a field of what it points to), also through a
 * function it passes the parameter on to, and which globals it awaits. */
static void test_param_awaits_and_global_awaits(void **state) {
    (void)state;
    const char *src[] = {"struct box { struct obj *o; int fd; };\n"
                         "struct obj g_obj;\n"
                         "void *by_field(void *a) { struct box *b = a; obj_wait(b->o); return 0; }\n"
                         "void *by_param(void *a) { struct obj *o = a; obj_wait(o); return 0; }\n"
                         "void *by_global(void *a) { obj_wait(&g_obj); return a; }\n"
                         "void *passes_on(void *a) { return by_field(a); }\n"
                         "void *other(void *a) { struct box *b = a; return b->o; }\n"};
    world *w = link_sources(src, 1);
    const tl_func_summary *f = summary_of(w, "by_field");
    assert_true(f->params[0].effects & TL_PE_AWAIT_REACH);
    assert_false(f->params[0].effects & TL_PE_AWAIT);
    assert_true(summary_of(w, "by_param")->params[0].effects & TL_PE_AWAIT);
    assert_int_equal(tl_program_param_awaits(w->prog, f->usr, 0), 2);
    assert_int_equal(tl_program_param_awaits(w->prog, f->usr, 1), 0); /* no such parameter */
    assert_int_equal(tl_program_param_awaits(w->prog, summary_of(w, "by_param")->usr, 0), 1);
    assert_int_equal(tl_program_param_awaits(w->prog, summary_of(w, "passes_on")->usr, 0), 2);
    assert_int_equal(tl_program_param_awaits(w->prog, summary_of(w, "other")->usr, 0), 0);
    assert_int_equal(tl_program_param_awaits(w->prog, "c:@F@nowhere", 0), 0);
    const tl_func_summary *g = summary_of(w, "by_global");
    assert_int_equal(g->nawait_globals, 1);
    assert_non_null(strstr(g->await_globals[0], "g_obj"));
    assert_true(tl_program_awaits_global(w->prog, g->usr, g->await_globals[0]));
    assert_false(tl_program_awaits_global(w->prog, f->usr, g->await_globals[0]));
    assert_int_equal(f->nawait_globals, 0);
    release(w);
}

/* Must-post: what a function posts on every path that returns (a path
 * ending in die() - the process - needs none; one ending in thread_quit()
 * - the thread only - does), through a local copy of the parameter too;
 * a loop before the post, an early return or a parameter reassigned
 * before the post spoil it (after it, as libuv's worker does, is fine).
 * The facts survive the wire. */
static void test_must_posts(void **state) {
    (void)state;
    const char *src[] = {"struct cnt g_cnt, g_other;\n"
                         "void *first(void *a) { cnt_post(a); a = 0; sleep(1); return a; }\n"
                         "void *copy(void *a) { struct cnt *c = a; if (check()) die(); cnt_post(c); return 0; }\n"
                         "void *both(void *a) { if (check()) { cnt_post(a); return 0; } cnt_post(a); return a; }\n"
                         "void *early(void *a) { if (check()) return 0; cnt_post(a); return 0; }\n"
                         "void *quits(void *a) { if (check()) thread_quit(); cnt_post(a); return 0; }\n"
                         "void *loops(void *a) { while (check()) sleep(1); cnt_post(a); return 0; }\n"
                         "void *moved(void *a) { a = &g_other; cnt_post(a); return 0; }\n"
                         "void *field(struct cnt *a, struct cnt *b) { cnt_post(b); return a; }\n"
                         "void *glob(void *a) { cnt_post(&g_cnt); if (check()) cnt_post(&g_other); return a; }\n"};
    world *w = link_sources(src, 1);
    const char *posts[] = {"first", "copy", "both"};
    const char *not_posts[] = {"early", "quits", "loops", "moved", "glob"};
    for (int i = 0; i < 3; i++) {
        assert_true(summary_of(w, posts[i])->params[0].effects & TL_PE_POST);
        assert_true(tl_program_param_posts(w->prog, summary_of(w, posts[i])->usr, 0));
    }
    for (int i = 0; i < 5; i++) {
        assert_false(summary_of(w, not_posts[i])->params[0].effects & TL_PE_POST);
        assert_false(tl_program_param_posts(w->prog, summary_of(w, not_posts[i])->usr, 0));
    }
    const tl_func_summary *fd = summary_of(w, "field");
    assert_false(fd->params[0].effects & TL_PE_POST);
    assert_true(fd->params[1].effects & TL_PE_POST);
    assert_false(tl_program_param_posts(w->prog, fd->usr, 2)); /* no such parameter */
    const tl_func_summary *g = summary_of(w, "glob");
    assert_int_equal(g->npost_globals, 1); /* g_other only on one branch */
    assert_non_null(strstr(g->post_globals[0], "g_cnt"));
    assert_true(tl_program_posts_global(w->prog, g->usr, g->post_globals[0]));
    assert_false(tl_program_posts_global(w->prog, summary_of(w, "first")->usr, g->post_globals[0]));
    /* through the wire */
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    tl_tu_summary *ptr = &back;
    tl_program *p2 = tl_program_link(&ptr, 1, &w->models);
    assert_true(tl_program_param_posts(p2, summary_of(w, "copy")->usr, 0));
    assert_false(tl_program_param_posts(p2, summary_of(w, "early")->usr, 0));
    assert_true(tl_program_posts_global(p2, g->usr, g->post_globals[0]));
    tl_program_free(p2);
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* Locked posts (must_post.h): a global object posted while a global mutex
 * is held on every returning path - the lock dance's thread entry.  Not
 * when the mutex is released before the post, handed to a call that may
 * release it, taken on one branch only, or when a path returns before the
 * post.  The pairs survive the wire. */
static void test_locked_posts(void **state) {
    (void)state;
    const char *src[] = {"struct cnt g_c; struct mx g_m, g_n; struct box *g_boxp; extern struct box g_box;\n"
                         "void *held(void *a) { mx_lock(&g_m); cnt_post(&g_c); mx_unlock(&g_m); sleep(1); return a; }\n"
                         "void *branches(void *a) { mx_lock(&g_m); if (check()) { cnt_post(&g_c); mx_unlock(&g_m);"
                         " return 0; } cnt_post(&g_c); mx_unlock(&g_m); return a; }\n"
                         "void *unheld(void *a) { mx_lock(&g_m); mx_unlock(&g_m); cnt_post(&g_c); return a; }\n"
                         "void *early(void *a) { if (check()) return 0; mx_lock(&g_m); cnt_post(&g_c); return a; }\n"
                         "void *passed(void *a) { mx_lock(&g_m); mx_pass(&g_m); cnt_post(&g_c); return a; }\n"
                         "void *maybe(void *a) { if (check()) mx_lock(&g_m); cnt_post(&g_c); return a; }\n"
                         "void *two(void *a) { mx_lock(&g_m); mx_lock(&g_n); cnt_post(&g_c); mx_unlock(&g_n);"
                         " mx_unlock(&g_m); return a; }\n"
                         "struct box { struct cnt c; struct mx m; };\n"
                         "void box_pass(struct box *b);\n"
                         "void *fld(void *a) { struct box *b = a; mx_lock(&b->m); cnt_post(&b->c); return a; }\n"
                         "void *fld_helper(void *a) { struct box *b = a; mx_lock(&b->m); box_pass(b); cnt_post(&b->c);"
                         " return a; }\n"
                         "void *fld_moved(void *a) { struct box *b = a; b = &g_box; mx_lock(&b->m); cnt_post(&b->c);"
                         " return a; }\n"};
    world *w = link_sources(src, 1);
    const tl_func_summary *h = summary_of(w, "held");
    assert_int_equal(h->nlocked_posts, 1);
    assert_non_null(strstr(h->locked_post_objects[0], "g_c"));
    assert_non_null(strstr(h->locked_post_mutexes[0], "g_m"));
    const char *c = h->locked_post_objects[0], *m = h->locked_post_mutexes[0];
    assert_true(tl_program_posts_locked(w->prog, h->usr, -1, c, m));
    assert_false(tl_program_posts_locked(w->prog, h->usr, -1, m, c));
    assert_int_equal(summary_of(w, "branches")->nlocked_posts, 1);
    const char *not_locked[] = {"unheld", "early", "passed", "maybe"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(summary_of(w, not_locked[i])->nlocked_posts, 0);
        assert_false(tl_program_posts_locked(w->prog, summary_of(w, not_locked[i])->usr, -1, c, m));
    }
    assert_int_equal(summary_of(w, "two")->nlocked_posts, 2); /* under g_m and under g_n */
    /* fields of what the parameter points to: ctx->cond under ctx->lock */
    const tl_func_summary *fl = summary_of(w, "fld");
    assert_int_equal(fl->nlocked_posts, 1);
    assert_int_equal(fl->locked_post_params[0], 0);
    assert_non_null(strstr(fl->locked_post_objects[0], "@FI@c"));
    assert_non_null(strstr(fl->locked_post_mutexes[0], "@FI@m"));
    assert_true(tl_program_posts_locked(w->prog, fl->usr, 0, fl->locked_post_objects[0], fl->locked_post_mutexes[0]));
    assert_false(tl_program_posts_locked(w->prog, fl->usr, -1, fl->locked_post_objects[0], fl->locked_post_mutexes[0]));
    assert_int_equal(fl->npost_globals, 0);
    assert_false(fl->params[0].effects & TL_PE_POST); /* a field's post is not the pointee's */
    assert_int_equal(summary_of(w, "fld_helper")->nlocked_posts, 0); /* box_pass(b) may release b->m */
    assert_int_equal(summary_of(w, "fld_moved")->nlocked_posts, 0);  /* b is not the argument */
    assert_true(summary_of(w, "unheld")->npost_globals == 1); /* still a plain post */
    /* through the wire */
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    tl_tu_summary *ptr = &back;
    tl_program *p2 = tl_program_link(&ptr, 1, &w->models);
    assert_true(tl_program_posts_locked(p2, h->usr, -1, c, m));
    assert_true(tl_program_posts_locked(p2, summary_of(w, "branches")->usr, -1, c, m));
    assert_false(tl_program_posts_locked(p2, summary_of(w, "maybe")->usr, -1, c, m));
    assert_true(tl_program_posts_locked(p2, fl->usr, 0, fl->locked_post_objects[0], fl->locked_post_mutexes[0]));
    tl_program_free(p2);
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

/* A slot spawned into and released nowhere is orphaned, only in a whole
 * program; a slot handed to a helper that joins it is not; a header's
 * static function seen from two TUs is one function. */
static void test_slots_and_duplicates(void **state) {
    (void)state;
    const char *src[] = {"#include \"shared.h\"\n"
                         "thr_t g1, g2;\n"
                         "static void *e(void *a) { return a; }\n"
                         "void start(void) { thread_start(&g1, e); thread_start(&g2, e); shared_helper(1); }\n",
                         "#include \"shared.h\"\n"
                         "extern thr_t g2;\n"
                         "void join_at(thr_t *p) { thread_join(*p); }\n"
                         "void stop(void) { join_at(&g2); shared_helper(2); }\n"};
    world *w = link_sources(src, 2);
    count_orphans = 0;
    tl_program_orphan_slots(w->prog, on_orphan, NULL);
    assert_int_equal(count_orphans, 1); /* g1 */
    /* shared_helper, used by both TUs: lowered with each, linked once */
    assert_int_equal(tl_program_stats_of(w->prog)->duplicates, 1);
    tl_program_set_whole(w->prog, false);
    count_orphans = 0;
    tl_program_orphan_slots(w->prog, on_orphan, NULL);
    assert_int_equal(count_orphans, 0);
    release(w);
}

/* Two executables in one link (tu0+tu1 and tu2+tu3, each a main and a
 * helper file): each helper file defines note(), one waits, one does not.
 * A call resolves to the note() of the helper file its own file references
 * (a_base, b_base); a query without a file means the first definition, in
 * the link's canonical order whatever the order the summaries are given in. */
static void test_several_executables(void **state) {
    (void)state;
    const char *src[] = {"int a_base(void);\n"
                         "void note(void);\n"
                         "void a_tick(void) { note(); }\n"
                         "int main(void) { a_tick(); return a_base(); }\n",
                         "int a_base(void) { return 0; }\n"
                         "void note(void) { }\n",
                         "int b_base(void);\n"
                         "void note(void);\n"
                         "void b_tick(void) { note(); }\n"
                         "int main(void) { b_tick(); return b_base(); }\n",
                         "void note(void);\n"
                         "int b_base(void) { note(); return 0; }\n"
                         "void note(void) { sleep(1); }\n"};
    world *w = link_sources(src, 4);
    const tl_program_stats *st = tl_program_stats_of(w->prog);
    assert_int_equal(st->programs, 2);
    assert_int_equal(st->multi_defined, 2); /* main and note */
    /* the link: a_tick reaches only tu1's note, b_tick tu3's */
    assert_false(tl_program_blocks(w->prog, "c:@F@a_tick", false, false));
    assert_true(tl_program_blocks(w->prog, "c:@F@b_tick", false, false));
    /* a query means the definition of the program of the file being finished */
    tl_program_set_unit(w->prog, "/virtual/tu2.c");
    assert_true(tl_program_blocks(w->prog, "c:@F@note", false, false));
    tl_program_set_unit(w->prog, "/virtual/tu0.c");
    assert_false(tl_program_blocks(w->prog, "c:@F@note", false, false));
    tl_program_set_unit(w->prog, NULL); /* no file: the first definition, as before */
    assert_false(tl_program_blocks(w->prog, "c:@F@note", false, false));
    /* the same summaries given in reverse: the same facts ("first" is the
       link's canonical order, by main file: tu1's note, not tu3's) */
    tl_tu_summary *rev[MAX_TUS];
    for (int i = 0; i < 4; i++) rev[i] = &w->sum[3 - i];
    tl_program *p2 = tl_program_link(rev, 4, &w->models);
    tl_program_set_whole(p2, true);
    assert_int_equal(tl_program_stats_of(p2)->programs, 2);
    assert_false(tl_program_blocks(p2, "c:@F@a_tick", false, false));
    assert_true(tl_program_blocks(p2, "c:@F@b_tick", false, false));
    tl_program_set_unit(p2, "/virtual/tu2.c");
    assert_true(tl_program_blocks(p2, "c:@F@note", false, false));
    tl_program_set_unit(p2, "/virtual/tu0.c");
    assert_false(tl_program_blocks(p2, "c:@F@note", false, false));
    tl_program_set_unit(p2, NULL);
    assert_false(tl_program_blocks(p2, "c:@F@note", false, false));
    tl_program_free(p2);
    release(w);
}

/* A summary survives the wire: decoded, it links to the same facts; every
 * truncation and byte flip is refused or decodes without reading out of
 * bounds (ASan). */
/* A coroutine entry every spawn of which is closed by a cancelling release
 * on every path is cancel-bounded, through the summary's wire form too; one
 * leaked spawn, or a plain call, spoils it. */
static void test_cancel_bounded(void **state) {
    (void)state;
    const char *src[] = {"static void bounded(void) { co_recv(-1); }\n"
                         "static void leaked(void) { co_recv(-1); }\n"
                         "static void called(void) { co_recv(-1); }\n"
                         "int own(void) {\n"
                         "    int h = co_start(bounded);\n"
                         "    if (h < 0) return -1;\n"
                         "    int rc = co_recv(100);\n"
                         "    co_close(h);\n"
                         "    return rc;\n"
                         "}\n"
                         "int keep(int c) { int h = co_start(leaked); if (c) co_close(h); return 0; }\n"
                         "int twice(void) { int h = co_start(called); co_close(h); called(); return 0; }\n"};
    world *w = link_sources(src, 1);
    assert_true(tl_program_cancel_bounded(w->prog, summary_of(w, "bounded")->usr));
    assert_false(tl_program_cancel_bounded(w->prog, summary_of(w, "leaked")->usr));
    assert_false(tl_program_cancel_bounded(w->prog, summary_of(w, "called")->usr));
    assert_false(tl_program_cancel_bounded(w->prog, summary_of(w, "own")->usr));
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    tl_tu_summary *ptr = &back;
    tl_program *p2 = tl_program_link(&ptr, 1, &w->models);
    assert_true(tl_program_cancel_bounded(p2, summary_of(w, "bounded")->usr));
    assert_false(tl_program_cancel_bounded(p2, summary_of(w, "leaked")->usr));
    tl_program_free(p2);
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wr);
    release(w);
}

static void test_summary_wire_round_trip(void **state) {
    (void)state;
    const char *src[] = {"struct ops { void (*run)(void); int safe; };\n"
                         "void slow(void) { sleep(1); }\n"
                         "struct ops table = { .run = slow };\n"
                         "void call_run(struct ops *o) { o->run(); }\n"
                         "void call_safe(struct ops *o) { if (o->safe) o->run(); }\n"
                         "int rx(int fd, long d) { return recv_until(fd, d); }\n"
                         "thr_t g;\n"
                         "static void *e(void *a) { return a; }\n"
                         "void start(void) { thread_start(&g, e); }\n"
                         "void names(thr_t t) { thread_name(t, \"n\"); }\n"
                         "void wrap(void *loop, void (*cb)(void *)) { loop_timer(loop, cb); }\n"
                         "struct obj g_obj;\n"
                         "void *reaper(void *a) { obj_wait(&g_obj); return a; }\n"
                         "_Bool spawn_out(thr_t *out) { return thread_start(out, e) == 0; }\n"
                         "void *self_detach(void *a) { thread_detach(thread_me()); return a; }\n"
                         "int ch_recv(int ch, long d);\n"
                         "void stopper(int x, int ch) { while (ch_recv(ch, -1) == 0) nap(1); (void)x; }\n"
                         "void waiter(int ch, int fd) { ch_recv(ch, -1); recv_until(fd, -1); }\n"
                         "void caller(int ch) { ch_recv(ch, -1); stopper(0, ch); }\n"
                         "void moved(int ch, int other) { ch_recv(ch, -1); ch = other; ch_recv(ch, -1); }\n"
                         "struct cfg { int level; };\n"
                         "void set_level(struct cfg *c) { c->level = 2; }\n"};
    world *w = link_sources(src, 1);
    assert_true(summary_of(w, "self_detach")->self_releases); /* round-tripped below */
    assert_int_equal(summary_of(w, "stopper")->stop_params, 2u); /* (a blocking call suspends no coroutine) */
    assert_int_equal(summary_of(w, "waiter")->stop_params, 0);
    assert_int_equal(summary_of(w, "caller")->stop_params, 0);
    assert_int_equal(summary_of(w, "moved")->stop_params, 0);
    assert_int_equal(tl_program_stop_params(w->prog, summary_of(w, "stopper")->usr), 2u);
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_summary_wire_encode(&wr, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    assert_int_equal(back.nfuncs, w->sum[0].nfuncs);
    assert_int_equal(back.nstores, w->sum[0].nstores);
    for (int i = 0; i < back.nfuncs; i++) {
        const tl_func_summary *a = &w->sum[0].funcs[i], *b = &back.funcs[i];
        assert_string_equal(a->usr, b->usr);
        assert_int_equal(a->ncalls, b->ncalls);
        assert_int_equal(a->nregs, b->nregs);
        assert_int_equal(a->npasses, b->npasses);
        assert_int_equal(a->ndeadlines, b->ndeadlines);
        assert_int_equal(a->nslots, b->nslots);
        assert_int_equal(a->nparams, b->nparams);
        for (int k = 0; k < a->nparams; k++) assert_int_equal(a->params[k].effects, b->params[k].effects);
        assert_int_equal(a->returns_bool, b->returns_bool);
        assert_int_equal(a->stop_params, b->stop_params);
        assert_int_equal(a->sink_params, b->sink_params);
        assert_int_equal(a->self_releases, b->self_releases);
        assert_int_equal(a->nawait_globals, b->nawait_globals);
        for (int k = 0; k < a->nawait_globals; k++) assert_string_equal(a->await_globals[k], b->await_globals[k]);
        assert_int_equal(a->npost_globals, b->npost_globals);
        for (int k = 0; k < a->npost_globals; k++) assert_string_equal(a->post_globals[k], b->post_globals[k]);
        assert_int_equal(a->nlocked_posts, b->nlocked_posts);
        for (int k = 0; k < a->nlocked_posts; k++) {
            assert_string_equal(a->locked_post_objects[k], b->locked_post_objects[k]);
            assert_string_equal(a->locked_post_mutexes[k], b->locked_post_mutexes[k]);
            assert_int_equal(a->locked_post_params[k], b->locked_post_params[k]);
        }
        for (int k = 0; k < a->ncalls; k++) {
            assert_int_equal(a->calls[k].nfguards, b->calls[k].nfguards);
            for (int g = 0; g < a->calls[k].nfguards; g++) {
                assert_string_equal(a->calls[k].fguards[g].field_usr, b->calls[k].fguards[g].field_usr);
                assert_true(a->calls[k].fguards[g].mask == b->calls[k].fguards[g].mask);
                assert_int_equal(a->calls[k].fguards[g].nonzero, b->calls[k].fguards[g].nonzero);
            }
            assert_int_equal(a->calls[k].blocks, b->calls[k].blocks);
            assert_int_equal(a->calls[k].loc.line, b->calls[k].loc.line);
            assert_string_equal(a->calls[k].loc.file, b->calls[k].loc.file);
        }
    }
    assert_int_equal(summary_of(w, "call_safe")->calls[0].nfguards, 1);
    assert_int_equal(w->sum[0].nassigned_fields, 1); /* c->level */
    assert_int_equal(back.nassigned_fields, w->sum[0].nassigned_fields);
    assert_string_equal(back.assigned_fields[0], w->sum[0].assigned_fields[0]);
    assert_false(back.assigned_over);
    for (int i = 0; i < back.nstores; i++) {
        assert_int_equal(back.stores[i].nconsts, w->sum[0].stores[i].nconsts);
        for (int k = 0; k < back.stores[i].nconsts; k++) {
            assert_string_equal(back.stores[i].consts[k].field_usr, w->sum[0].stores[i].consts[k].field_usr);
            assert_true(back.stores[i].consts[k].value == w->sum[0].stores[i].consts[k].value);
        }
    }
    tl_tu_summary *ptr = &back;
    tl_program *p2 = tl_program_link(&ptr, 1, &w->models);
    assert_true(tl_program_blocks(p2, summary_of(w, "call_run")->usr, false, false));
    /* .safe left out is 0: the guarded call reaches no slow() */
    assert_false(tl_program_blocks(p2, summary_of(w, "call_safe")->usr, false, false));
    const tl_fn_model *m = tl_program_model(p2, summary_of(w, "rx")->usr, false);
    assert_non_null(m);
    assert_true(m->wait.present);
    m = tl_program_model(p2, summary_of(w, "spawn_out")->usr, false);
    assert_non_null(m);
    assert_int_equal(m->spawn.where, TL_HANDLE_OUT_ARG);
    assert_int_equal(m->spawn.success, TL_SUCCESS_POSITIVE);
    tl_program_free(p2);
    tl_tu_summary_free(&back);

    /* every truncation: no frame, or a refused one */
    for (size_t len = 0; len < wr.len; len++)
        assert_int_not_equal(tl_wire_scan_frame(wr.data, len, &fr, err, sizeof err), TL_WIRE_FRAME);
    /* every byte flip past the header, resealed so the checksum passes:
       decoded or refused, never out of bounds */
    unsigned char *copy = malloc(wr.len);
    int refused = 0;
    for (size_t i = TL_WIRE_HEADER_SIZE; i < wr.len; i++) {
        memcpy(copy, wr.data, wr.len);
        copy[i] ^= 0x5a;
        tl_wire_frame ff = {TL_WIRE_KIND_SUMMARY, copy + TL_WIRE_HEADER_SIZE, wr.len - TL_WIRE_HEADER_SIZE, wr.len};
        tl_tu_summary junk;
        if (tl_summary_wire_decode(&ff, &junk, err, sizeof err) != 0) refused++;
        tl_tu_summary_free(&junk);
    }
    assert_true(refused > 0);
    free(copy);
    tl_wire_writer_free(&wr);
    release(w);
}

/* The IR survives the wire: every function dumps the same after a round
 * trip, and a damaged frame is refused or decodes within bounds. */
static void test_ir_wire_round_trip(void **state) {
    (void)state;
    const char *src[] = {"struct ops { void (*run)(void); int safe, kind; };\n"
                         "void slow(void) { sleep(1); }\n"
                         "struct ops table = { .run = slow, .kind = 3 };\n"
                         "int pick(int x) { switch (x) { case 1: return 2; case 5: return 3; default: break; } return x ? 1 : 0; }\n"
                         "void call_run(struct ops *o) { for (int i = 0; i < 3 && o; i++) o->run(); }\n"
                         "thr_t g;\n"
                         "static void *e(void *a) { return a; }\n"
                         "int start(void) { if (thread_start(&g, e) != 0) return -1; return thread_join(g); }\n"
                         "__attribute__((annotate(\"tasklint::async\"))) void co(void) { slow(); }\n"
                         "void give(int x, __attribute__((annotate(\"tasklint::owns\"))) void *h);\n"
                         "struct conn { int fd; int fds[2]; };\n"
                         "int log_fd = 2;\n"
                         "static int s_fd = -1;\n"
                         "void wire_fields(struct conn *c) { c->fd = mk_nb(); fill(c->fds); s_fd = c->fd;\n"
                         "  log_fd = c->fds[0]; struct conn t = {.fd = 7}; (void)t; }\n"
                         "int buffers(char *p) { char out[256]; int n[3]; out[0] = *p; n[0] = 1; return out[0] + n[0]; }\n"};
    world *w = link_sources(src, 1);
    tl_wire_writer wr;
    tl_wire_writer_init(&wr);
    assert_int_equal(tl_ir_wire_encode(&wr, &w->tu[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wr.data, wr.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu back;
    if (tl_ir_wire_decode(&fr, &back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(back.nfuncs, w->tu[0].nfuncs);
    assert_int_equal(back.nstores, w->tu[0].nstores);
    for (int i = 0; i < back.nstores; i++) {
        assert_int_equal(back.stores[i].nconsts, 2); /* kind = 3, safe left out: 0 */
        assert_int_equal(back.stores[i].nconsts, w->tu[0].stores[i].nconsts);
        for (int k = 0; k < back.stores[i].nconsts; k++) {
            assert_string_equal(back.stores[i].consts[k].field_usr, w->tu[0].stores[i].consts[k].field_usr);
            assert_true(back.stores[i].consts[k].value == w->tu[0].stores[i].consts[k].value);
        }
    }
    assert_int_equal(back.nannots, 2);
    assert_int_equal(back.nannots, w->tu[0].nannots);
    for (int i = 0; i < back.nannots; i++) {
        const tl_annot *x = &w->tu[0].annots[i], *y = &back.annots[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->roles, y->roles);
        assert_int_equal(x->owns, y->owns);
        assert_int_equal(x->returns_pointer, y->returns_pointer);
        if (x->text) assert_string_equal(x->text, y->text);
        else assert_null(y->text);
    }
    int arms = 0;
    for (int i = 0; i < back.nfuncs; i++) {
        char *a = tl_func_dump(&w->tu[0].funcs[i]), *b = tl_func_dump(&back.funcs[i]);
        assert_string_equal(a, b);
        for (const char *q = b; (q = strstr(q, "return (?: side 1)")) != NULL; q++) arms++;
        assert_string_equal(w->tu[0].funcs[i].usr, back.funcs[i].usr);
        for (int v = 0; v < back.funcs[i].nvars; v++) { /* (not in the dump) */
            assert_int_equal(back.funcs[i].vars[v].array_bytes, w->tu[0].funcs[i].vars[v].array_bytes);
            if (strcmp(back.funcs[i].vars[v].name, "out") == 0) assert_int_equal(back.funcs[i].vars[v].array_bytes, 256);
            if (strcmp(back.funcs[i].vars[v].name, "n") == 0) assert_int_equal(back.funcs[i].vars[v].array_bytes, 12);
            if (strcmp(back.funcs[i].vars[v].name, "p") == 0) assert_int_equal(back.funcs[i].vars[v].array_bytes, 0);
        }
        free(a);
        free(b);
    }
    assert_int_equal(arms, 2); /* pick()'s `return x ? 1 : 0`: two returns */
    /* the decoded IR analyses to the same facts */
    tl_analysis a1, a2;
    assert_int_equal(tl_analysis_run(&w->tu[0], &w->models, TL_PROFILE_DEFAULT, &a1), 0);
    assert_int_equal(tl_analysis_run(&back, &w->models, TL_PROFILE_DEFAULT, &a2), 0);
    for (int i = 0; i < back.nfuncs; i++) {
        assert_int_equal(a1.funcs[i].blocks.may_block, a2.funcs[i].blocks.may_block);
        assert_int_equal(a1.funcs[i].context.kind, a2.funcs[i].context.kind);
    }
    /* descriptor slots: initializers, linkage, array and system fields */
    assert_int_equal(back.ninit_slots, w->tu[0].ninit_slots);
    assert_true(back.ninit_slots >= 2); /* log_fd = 2, {.fd = 7} */
    for (int i = 0; i < back.ninit_slots; i++) {
        assert_string_equal(back.init_slots[i], w->tu[0].init_slots[i]);
        assert_int_equal(back.init_slots_internal[i], w->tu[0].init_slots_internal[i]);
    }
    assert_int_equal(a1.slot_stores->n, a2.slot_stores->n);
    int others = 0, internal = 0;
    for (int i = 0; i < a1.slot_stores->n; i++) {
        assert_string_equal(a1.slot_stores->v[i].key, a2.slot_stores->v[i].key);
        assert_int_equal(a1.slot_stores->v[i].kind, a2.slot_stores->v[i].kind);
        assert_int_equal(a1.slot_stores->v[i].is_static, a2.slot_stores->v[i].is_static);
        others += a1.slot_stores->v[i].kind == TL_SLOT_OTHER;
        internal += a1.slot_stores->v[i].is_static;
    }
    assert_true(others >= 3 && internal >= 1); /* fill(c->fds), log_fd = 2, {.fd = 7}; s_fd */
    tl_analysis_free(&a1);
    tl_analysis_free(&a2);
    tl_tu_free(&back);

    unsigned char *copy = malloc(wr.len);
    int refused = 0;
    for (size_t i = TL_WIRE_HEADER_SIZE; i < wr.len; i++) {
        memcpy(copy, wr.data, wr.len);
        copy[i] ^= 0x21;
        tl_wire_frame ff = {TL_WIRE_KIND_IR, copy + TL_WIRE_HEADER_SIZE, wr.len - TL_WIRE_HEADER_SIZE, wr.len};
        tl_tu junk;
        if (tl_ir_wire_decode(&ff, &junk, err, sizeof err) != 0) {
            refused++;
        } else {
            /* accepted: it must still be safe to analyse */
            tl_analysis a3;
            tl_analysis_run(&junk, &w->models, TL_PROFILE_DEFAULT, &a3);
            tl_analysis_free(&a3);
        }
        tl_tu_free(&junk);
    }
    assert_true(refused > 0);
    free(copy);
    tl_wire_writer_free(&wr);
    release(w);
}

/* Which functions only ever run inside a caller's loop (loop_callers.c):
 * every call in a loop, or from a looped function, across files; not a
 * thread entry, a callback, one called once outside a loop, one whose
 * address is taken, main().  The wire keeps the calls' in_loop. */
static void test_looped_functions(void **state) {
    (void)state;
    const char *const src[] = {"void step(int *n);\n"
                               "static void inner(int *n) { (*n)--; }\n"
                               "static void once(int *n) { inner(n); }\n"
                               "static void twice(int *n) { (*n)++; }\n"
                               "static void *entry(void *a) { int n = 3; while (n) step(&n); return a; }\n"
                               "static void timer_cb(void *a) { (void)a; }\n"
                               "static void taken(int *n) { (*n)++; }\n"
                               "void (*hook)(int *) = taken;\n"
                               "int main(void) {\n"
                               "    thr_t t; int n = 5;\n"
                               "    thread_start(&t, entry);\n"
                               "    loop_timer(0, timer_cb);\n"
                               "    for (int i = 0; i < 3; i++) { once(&n); twice(&n); taken(&n); }\n"
                               "    twice(&n);\n"
                               "    return thread_join(t);\n"
                               "}\n",
                               "static void leaf(int *n) { (*n)--; }\n"
                               "void step(int *n) { leaf(n); }\n"};
    world *w = link_sources(src, 2);
    assert_true(tl_program_looped(w->prog, summary_of(w, "once")->usr));
    assert_true(tl_program_looped(w->prog, summary_of(w, "inner")->usr));  /* through once() */
    assert_true(tl_program_looped(w->prog, summary_of(w, "step")->usr));   /* other file, whole */
    assert_true(tl_program_looped(w->prog, summary_of(w, "leaf")->usr));
    assert_false(tl_program_looped(w->prog, summary_of(w, "twice")->usr)); /* also once outside */
    assert_false(tl_program_looped(w->prog, summary_of(w, "entry")->usr)); /* a thread's entry */
    assert_false(tl_program_looped(w->prog, summary_of(w, "timer_cb")->usr));
    assert_false(tl_program_looped(w->prog, summary_of(w, "taken")->usr)); /* address taken */
    assert_false(tl_program_looped(w->prog, summary_of(w, "main")->usr));
    tl_program_set_whole(w->prog, false); /* other files may call step() */
    assert_false(tl_program_looped(w->prog, summary_of(w, "step")->usr));
    assert_false(tl_program_looped(w->prog, summary_of(w, "leaf")->usr));
    assert_true(tl_program_looped(w->prog, summary_of(w, "once")->usr));
    tl_wire_writer wrt;
    tl_wire_writer_init(&wrt);
    assert_int_equal(tl_summary_wire_encode(&wrt, &w->sum[0]), 0);
    tl_wire_frame fr;
    char err[256];
    assert_int_equal(tl_wire_scan_frame(wrt.data, wrt.len, &fr, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_summary back;
    assert_int_equal(tl_summary_wire_decode(&fr, &back, err, sizeof err), 0);
    int looped = 0;
    for (int i = 0; i < back.nfuncs; i++)
        for (int k = 0; k < back.funcs[i].ncalls; k++) {
            assert_int_equal(back.funcs[i].calls[k].in_loop, w->sum[0].funcs[i].calls[k].in_loop);
            looped += back.funcs[i].calls[k].in_loop;
        }
    assert_true(looped >= 4); /* entry's step(), main's once(), twice(), taken() */
    tl_tu_summary_free(&back);
    tl_wire_writer_free(&wrt);
    release(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_param_effects_and_deadlines),
        cmocka_unit_test(test_param_awaits_and_global_awaits),
        cmocka_unit_test(test_must_posts),
        cmocka_unit_test(test_locked_posts),
        cmocka_unit_test(test_registrations_slots_and_returned_handles),
        cmocka_unit_test(test_field_call_graph),
        cmocka_unit_test(test_field_targets_capped),
        cmocka_unit_test(test_fixpoints_terminate_and_propagate),
        cmocka_unit_test(test_param_facts_through_calls),
        cmocka_unit_test(test_slots_and_duplicates),
        cmocka_unit_test(test_several_executables),
        cmocka_unit_test(test_summary_wire_round_trip),
        cmocka_unit_test(test_cancel_bounded),
        cmocka_unit_test(test_fork_wrapper_child),
        cmocka_unit_test(test_looped_functions),
        cmocka_unit_test(test_field_guarded_calls),
        cmocka_unit_test(test_parameter_guards_across_files),
        cmocka_unit_test(test_self_publish),
        cmocka_unit_test(test_self_releases),
        cmocka_unit_test(test_fd_slots),
        cmocka_unit_test(test_param_modes),
        cmocka_unit_test(test_param_conditional),
        cmocka_unit_test(test_fd_slots_params),
        cmocka_unit_test(test_fd_slots_effects),
        cmocka_unit_test(test_fd_slots_fields),
        cmocka_unit_test(test_fd_settled_by_callers),
        cmocka_unit_test(test_fd_settled_many_fields),
        cmocka_unit_test(test_ir_wire_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
