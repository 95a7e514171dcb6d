/* unit_unawaited_task.c - unawaited-task on hand-built IR and models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rule_test_util.h"

#define RULE (&tl_rule_unawaited_task)

static tl_expr *V(int v) { return tl_expr_var(v); }
static tl_expr *K(int64_t k) { return tl_expr_const(k); }
static tl_expr *CR(const tl_instr *call) { return tl_expr_callres(call->call.id); }

static void expect_one(rt *t, unsigned line, const char *needle)
{
    if (t->out.n != 1 || !rt_finding(t, line, needle)) {
        rt_dump_findings(t);
        fail_msg("expected one finding at line %u containing \"%s\", got %zu", line, needle,
                 t->out.n);
    }
    assert_string_equal(t->out.items[0].rule, "unawaited-task");
    assert_int_equal(t->out.items[0].severity, TL_SEV_WARNING);
}

static void expect_none(rt *t)
{
    if (t->out.n != 0) {
        rt_dump_findings(t);
        fail_msg("expected no finding, got %zu", t->out.n);
    }
}

/* go()/bundle_go() lowered like the front end does (see unit_orphaned_spawn.c). */
static int lower_go(rt *t, int b, unsigned line, tl_expr *owner, const char *text, int *next)
{
    int ctxv = rt_var(t, "dill_ctx__", TL_VAR_TEMP, line);
    int hd = rt_var(t, "dill_handle__", TL_VAR_TEMP, line);
    rt_decl(t, b, line, ctxv);
    tl_instr *p = rt_call(t, b, line, "dill_prologue", text, 6, rt_addr(V(ctxv)), rt_null(), K(0),
                          owner, tl_expr_new(TL_E_STRING), K(line));
    p->call.in_macro = true;
    int id = p->call.id;
    rt_assign(t, b, line, hd, tl_expr_callres(id));
    int body = rt_block(t), after = rt_block(t);
    rt_branch(t, b, tl_expr_binary(">=", V(hd), K(0)), body, after);
    tl_instr *entry = rt_call(t, body, line, "worker", "worker()", 0);
    entry->call.is_spawn_entry = true;
    entry->call.spawn_call = id;
    rt_call(t, body, line, "dill_epilogue", text, 0);
    rt_goto(t, body, after);
    *next = after;
    return hd;
}

/*  2 int b = bundle();
 *  3 bundle_go(b, worker());
 *  4 [bundle_wait(b, -1);]
 *  5 hclose(b);                                  */
static void bundle_variant(bool wait)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int b = rt_var(&t, "b", TL_VAR_LOCAL, 2);
    tl_instr *bc = rt_call(&t, 0, 2, "dill_bundle", "bundle()", 0);
    rt_assign(&t, 0, 2, b, CR(bc));
    int next;
    lower_go(&t, 0, 3, V(b), "bundle_go(b, worker())", &next);
    if (wait)
        rt_call(&t, next, 4, "dill_bundle_wait", "bundle_wait(b, -1)", 2, V(b), K(-1));
    rt_call(&t, next, 5, "dill_hclose", "hclose(b)", 1, V(b));
    rt_return(&t, next, 6, K(0));
    rt_run(&t, RULE);
    if (wait) {
        expect_none(&t);
    } else {
        expect_one(&t, 5,
                   "bundle 'b' is closed with hclose() before bundle_wait() or any other wait: its "
                   "coroutines are cancelled, not awaited");
        assert_string_equal(t.out.items[0].snippet, "hclose(b)");
        assert_int_equal(t.out.items[0].nnotes, 1);
        assert_int_equal(t.out.items[0].notes[0].line, 3);
    }
    rt_free(&t);
}

static void test_bundle_hclose_without_wait(void **st) { bundle_variant(false); }
static void test_bundle_hclose_after_wait(void **st) { bundle_variant(true); }

/* bundle_wait() only on one path: reported. */
static void test_bundle_wait_on_one_path(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int b = rt_var(&t, "b", TL_VAR_PARAM, 1);
    int x = rt_var(&t, "x", TL_VAR_PARAM, 1);
    int next;
    lower_go(&t, 0, 3, V(b), "bundle_go(b, worker())", &next);
    int w = rt_block(&t), join = rt_block(&t);
    rt_branch(&t, next, V(x), w, join);
    rt_call(&t, w, 4, "dill_bundle_wait", "bundle_wait(b, now() + 1000)", 2, V(b),
            tl_expr_new(TL_E_OTHER));
    rt_goto(&t, w, join);
    rt_call(&t, join, 6, "dill_hclose", "hclose(b)", 1, V(b));
    rt_return(&t, join, 7, NULL);
    rt_run(&t, RULE);
    expect_one(&t, 6, "'b' is closed with hclose() before bundle_wait()");
    rt_free(&t);
}

/*  3 int h = go(worker());
 *  4 [msleep(now() + 100);]
 *  5 hclose(h);                                  */
static void go_variant(bool cooperative_between)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 3);
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next);
    rt_assign(&t, next, 3, h, V(hd));
    if (cooperative_between)
        rt_call(&t, next, 4, "dill_msleep", "msleep(now() + 100)", 1, tl_expr_new(TL_E_OTHER));
    rt_call(&t, next, 5, "dill_hclose", "hclose(h)", 1, V(h));
    rt_return(&t, next, 6, K(0));
    rt_run(&t, RULE);
    if (cooperative_between)
        expect_none(&t);
    else
        expect_one(&t, 5,
                   "coroutine handle 'h' is closed with hclose() with no bundle_wait() or any "
                   "other wait since go() at line 3: the coroutine is cancelled, not awaited");
    rt_free(&t);
}

static void test_go_closed_right_away(void **st) { go_variant(false); }
static void test_go_closed_after_cooperative_call(void **st) { go_variant(true); }

/* A non-cooperative call in between does not count. */
static void test_go_closed_after_plain_call(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 3);
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next);
    rt_assign(&t, next, 3, h, V(hd));
    rt_call(&t, next, 4, "printf", "printf(\"started\\n\")", 1, tl_expr_new(TL_E_STRING));
    rt_call(&t, next, 5, "dill_hclose", "hclose(h)", 1, V(h));
    rt_return(&t, next, 6, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 5, "coroutine handle 'h' is closed with hclose()");
    rt_free(&t);
}

/*  2 struct io_uring ring;
 *  3 io_uring_submit(&ring);
 *  4 [io_uring_wait_cqe(&ring, &cqe);]
 *  5 io_uring_queue_exit(&ring);                 */
static void ring_variant(int variant)
{
    rt t;
    rt_init(&t);
    rt_uring_models(&t);
    rt_libdill_models(&t); /* a cooperative call of another library must not count */
    int ring = rt_var(&t, "ring", TL_VAR_LOCAL, 2);
    t.f->vars[ring].is_record = true;
    int cqe = rt_var(&t, "cqe", TL_VAR_LOCAL, 2);
    rt_call(&t, 0, 3, "io_uring_submit", "io_uring_submit(&ring)", 1, rt_addr(V(ring)));
    if (variant == 1)
        rt_call(&t, 0, 4, "io_uring_wait_cqe", "io_uring_wait_cqe(&ring, &cqe)", 2,
                rt_addr(V(ring)), rt_addr(V(cqe)));
    if (variant == 2)
        rt_call(&t, 0, 4, "dill_msleep", "msleep(now() + 100)", 1, tl_expr_new(TL_E_OTHER));
    rt_call(&t, 0, 5, "io_uring_queue_exit", "io_uring_queue_exit(&ring)", 1, rt_addr(V(ring)));
    rt_return(&t, 0, 6, K(0));
    rt_run(&t, RULE);
    if (variant == 1)
        expect_none(&t);
    else
        expect_one(&t, 5,
                   "'ring' is torn down with io_uring_queue_exit() while work started with "
                   "io_uring_submit() at line 3 was never awaited with io_uring_wait_cqe()");
    rt_free(&t);
}

static void test_ring_teardown_without_reap(void **st) { ring_variant(0); }
static void test_ring_teardown_after_reap(void **st) { ring_variant(1); }
static void test_ring_cooperative_is_not_await(void **st) { ring_variant(2); }

/* A ring passed as a pointer parameter: the object is the parameter. */
static void test_ring_through_pointer(void **st)
{
    rt t;
    rt_init(&t);
    rt_uring_models(&t);
    int r = rt_var(&t, "r", TL_VAR_PARAM, 1);
    t.f->vars[r].is_pointer = true;
    rt_call(&t, 0, 3, "io_uring_submit", "io_uring_submit(r)", 1, V(r));
    rt_call(&t, 0, 4, "io_uring_queue_exit", "io_uring_queue_exit(r)", 1, V(r));
    rt_return(&t, 0, 5, NULL);
    rt_run(&t, RULE);
    expect_one(&t, 4, "'r' is torn down with io_uring_queue_exit()");
    rt_free(&t);
}

/* Teardown in a loop where the await happens later in the iteration:
 *  3 while (n) { io_uring_submit(&ring); io_uring_wait_cqe(&ring); }
 *  6 io_uring_queue_exit(&ring);   - awaited on every path: fine  */
static void test_ring_loop_awaited(void **st)
{
    rt t;
    rt_init(&t);
    rt_uring_models(&t);
    int ring = rt_var(&t, "ring", TL_VAR_LOCAL, 2);
    int n = rt_var(&t, "n", TL_VAR_PARAM, 1);
    int head = rt_block(&t), body = rt_block(&t), after = rt_block(&t);
    rt_goto(&t, 0, head);
    rt_branch(&t, head, V(n), body, after);
    rt_call(&t, body, 4, "io_uring_submit", "io_uring_submit(&ring)", 1, rt_addr(V(ring)));
    rt_call(&t, body, 5, "io_uring_wait_cqe", "io_uring_wait_cqe(&ring, &cqe)", 2,
            rt_addr(V(ring)), rt_null());
    rt_goto(&t, body, head);
    rt_call(&t, after, 6, "io_uring_queue_exit", "io_uring_queue_exit(&ring)", 1,
            rt_addr(V(ring)));
    rt_return(&t, after, 7, NULL);
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/* A coroutine object resumed and destroyed while suspended (minicoro-like:
 * no await function in the library). */
static void test_resumed_then_destroyed(void **st)
{
    rt t;
    rt_init(&t);
    tl_fn_model *m = rt_model(&t, "mco_resume", "minicoro");
    m->start = (tl_arg_facet){true, 0};
    m = rt_model(&t, "mco_destroy", "minicoro");
    m->teardown = (tl_arg_facet){true, 0};
    m->release = (tl_release_facet){true, 0, "destroy", false};
    int co = rt_var(&t, "co", TL_VAR_LOCAL, 2);
    t.f->vars[co].is_pointer = true;
    rt_call(&t, 0, 3, "mco_resume", "mco_resume(co)", 1, V(co));
    rt_call(&t, 0, 4, "mco_destroy", "mco_destroy(co)", 1, V(co));
    /* a second teardown of the same object: nothing pending any more */
    rt_call(&t, 0, 5, "mco_destroy", "mco_destroy(co)", 1, V(co));
    rt_return(&t, 0, 6, NULL);
    rt_run(&t, RULE);
    expect_one(&t, 4,
               "'co' is destroyed with mco_destroy() while work started with mco_resume() at "
               "line 3 was never awaited");
    rt_free(&t);
}

/* Loops are assumed to run at least once:
 *  3 int h = go(worker());
 *  4 while (done < len)
 *  5     if (chrecv(...) < 0) break;     (cooperative)
 *  7 hclose(h);                          - no finding
 * and the same loop without a cooperative call in it - finding. */
static void loop_variant(bool coop_in_loop)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    tl_fn_model *m = rt_model(&t, "dill_chrecv", "libdill");
    m->cooperative = true;
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 3);
    int done = rt_var(&t, "done", TL_VAR_LOCAL, 3);
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next);
    rt_assign(&t, next, 3, h, V(hd));
    int head = rt_block(&t), body = rt_block(&t), after = rt_block(&t);
    rt_goto(&t, next, head);
    rt_branch(&t, head, tl_expr_binary("<", V(done), tl_expr_new(TL_E_OTHER)), body, after);
    if (coop_in_loop) {
        tl_instr *r = rt_call(&t, body, 5, "dill_chrecv", "chrecv(ch, &done, 8, -1)", 4,
                              tl_expr_new(TL_E_OTHER), rt_addr(V(done)), K(8), K(-1));
        int latch = rt_block(&t);
        rt_branch(&t, body, tl_expr_binary("<", CR(r), K(0)), after, latch);
        rt_goto(&t, latch, head);
    } else {
        rt_assign(&t, body, 5, done, tl_expr_binary("+", V(done), K(1)));
        rt_goto(&t, body, head);
    }
    rt_call(&t, after, 7, "dill_hclose", "hclose(h)", 1, V(h));
    rt_return(&t, after, 8, K(0));
    rt_run(&t, RULE);
    if (coop_in_loop)
        expect_none(&t);
    else
        expect_one(&t, 7, "coroutine handle 'h' is closed with hclose()");
    rt_free(&t);
}

static void test_loop_runs_at_least_once(void **st)
{
    loop_variant(true);
    loop_variant(false);
}

/* A loop that reaps and then submits again leaves the last submission
 * unreaped: the at-least-once assumption must not hide it. */
static void test_ring_loop_resubmits(void **st)
{
    rt t;
    rt_init(&t);
    rt_uring_models(&t);
    int ring = rt_var(&t, "ring", TL_VAR_LOCAL, 2);
    int n = rt_var(&t, "n", TL_VAR_PARAM, 1);
    int head = rt_block(&t), body = rt_block(&t), after = rt_block(&t);
    rt_goto(&t, 0, head);
    rt_branch(&t, head, V(n), body, after);
    rt_call(&t, body, 4, "io_uring_wait_cqe", "io_uring_wait_cqe(&ring, &cqe)", 2,
            rt_addr(V(ring)), rt_null());
    rt_call(&t, body, 5, "io_uring_submit", "io_uring_submit(&ring)", 1, rt_addr(V(ring)));
    rt_goto(&t, body, head);
    rt_call(&t, after, 6, "io_uring_queue_exit", "io_uring_queue_exit(&ring)", 1,
            rt_addr(V(ring)));
    rt_return(&t, after, 7, NULL);
    rt_run(&t, RULE);
    expect_one(&t, 6, "'ring' is torn down with io_uring_queue_exit() while work started with "
                      "io_uring_submit() at line 5");
    rt_free(&t);
}

/* must_await: the result of a task-starting call used as a statement. */
static void test_must_await_discarded(void **st)
{
    rt t;
    rt_init(&t);
    tl_fn_model *m = rt_model(&t, "task_start", "tasks");
    m->must_await = true;
    rt_call(&t, 0, 3, "task_start", "task_start(job)", 1, tl_expr_new(TL_E_OTHER))->call.discarded =
        true;
    tl_instr *kept = rt_call(&t, 0, 4, "task_start", "task_start(job)", 1, tl_expr_new(TL_E_OTHER));
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 4);
    rt_assign(&t, 0, 4, h, CR(kept));
    tl_instr *vc = rt_call(&t, 0, 5, "task_start", "task_start(job)", 1, tl_expr_new(TL_E_OTHER));
    vc->call.discarded = vc->call.void_cast = true;
    /* b->jobs[i] = task_start(job); - a front end may flag the full
       expression as discarded, but the value is stored */
    int bp = rt_var(&t, "b", TL_VAR_PARAM, 1);
    tl_instr *st2 = rt_call(&t, 0, 6, "task_start", "task_start(job)", 1, tl_expr_new(TL_E_OTHER));
    st2->call.discarded = true;
    rt_store(&t, 0, 6, rt_index(rt_member(V(bp), "jobs", true), K(0)), CR(st2));
    rt_return(&t, 0, 7, V(h));
    rt_run(&t, RULE);
    expect_one(&t, 3, "result of task_start() is discarded: the task it starts is never awaited");
    assert_string_equal(t.out.items[0].snippet, "task_start(job)");
    rt_free(&t);
}

/* must_await through synthetic temporaries (nested ?: and statement
 * expressions): the result counts as used only if some temporary in the
 * chain is used.  Twelve temporaries deep it is still followed (a depth cap
 * of 8 used to call it used, and the finding vanished). */
static void must_await_through_temps(int depth, bool last_used)
{
    rt t;
    rt_init(&t);
    tl_fn_model *m = rt_model(&t, "task_start", "tasks");
    m->must_await = true;
    tl_instr *c = rt_call(&t, 0, 3, "task_start", "task_start(job)", 1, tl_expr_new(TL_E_OTHER));
    c->call.discarded = true;
    tl_expr *from = CR(c);
    int tmp = -1;
    for (int i = 0; i < depth; i++) {
        char name[16];
        snprintf(name, sizeof name, "tmp.%d", i);
        tmp = rt_var(&t, name, TL_VAR_TEMP, 3);
        rt_assign(&t, 0, 3, tmp, from);
        from = V(tmp);
    }
    tl_expr_free(from);
    if (last_used)
        rt_return(&t, 0, 4, V(tmp));
    else
        rt_return(&t, 0, 4, NULL);
    rt_run(&t, RULE);
    if (last_used)
        assert_int_equal(t.out.n, 0);
    else
        expect_one(&t, 3, "result of task_start() is discarded: the task it starts is never awaited");
    rt_free(&t);
}

static void test_must_await_long_temp_chain_unused(void **st) { must_await_through_temps(12, false); }
static void test_must_await_long_temp_chain_used(void **st) { must_await_through_temps(12, true); }
static void test_must_await_short_temp_chain_unused(void **st) { must_await_through_temps(3, false); }

static void test_rule_metadata(void **st)
{
    assert_string_equal(RULE->id, "unawaited-task");
    assert_string_equal(RULE->name, "UnawaitedTask");
    assert_int_equal(RULE->severity, TL_SEV_WARNING);
    assert_non_null(strstr(RULE->doc, "## What it does"));
    assert_non_null(strstr(RULE->doc, "## Why is this bad?"));
    assert_non_null(strstr(RULE->doc, "## Example\n\n```c"));
    assert_non_null(strstr(RULE->doc, "## Use instead\n\n```c"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_hclose_without_wait),
        cmocka_unit_test(test_bundle_hclose_after_wait),
        cmocka_unit_test(test_bundle_wait_on_one_path),
        cmocka_unit_test(test_go_closed_right_away),
        cmocka_unit_test(test_go_closed_after_cooperative_call),
        cmocka_unit_test(test_go_closed_after_plain_call),
        cmocka_unit_test(test_ring_teardown_without_reap),
        cmocka_unit_test(test_ring_teardown_after_reap),
        cmocka_unit_test(test_ring_cooperative_is_not_await),
        cmocka_unit_test(test_ring_through_pointer),
        cmocka_unit_test(test_ring_loop_awaited),
        cmocka_unit_test(test_resumed_then_destroyed),
        cmocka_unit_test(test_loop_runs_at_least_once),
        cmocka_unit_test(test_ring_loop_resubmits),
        cmocka_unit_test(test_must_await_discarded),
        cmocka_unit_test(test_must_await_long_temp_chain_unused),
        cmocka_unit_test(test_must_await_long_temp_chain_used),
        cmocka_unit_test(test_must_await_short_temp_chain_unused),
        cmocka_unit_test(test_rule_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
