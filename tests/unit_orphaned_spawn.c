/* unit_orphaned_spawn.c - orphaned-spawn on hand-built IR and models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rule_test_util.h"

#define RULE (&tl_rule_orphaned_spawn)

static tl_expr *V(int v) { return tl_expr_var(v); }
static tl_expr *K(int64_t k) { return tl_expr_const(k); }
static tl_expr *CR(const tl_instr *call) { return tl_expr_callres(call->call.id); }

static tl_instr *create(rt *t, int b, unsigned line, tl_expr *out)
{
    return rt_call(t, b, line, "pthread_create", "pthread_create(&t, NULL, worker, NULL)", 4, out,
                   rt_null(), tl_expr_func("worker", -1), rt_null());
}

static void join(rt *t, int b, unsigned line, int var)
{
    rt_call(t, b, line, "pthread_join", "pthread_join(t, NULL)", 2, V(var), rt_null());
}

static void expect_one(rt *t, unsigned line, const char *needle)
{
    if (t->out.n != 1 || !rt_finding(t, line, needle)) {
        rt_dump_findings(t);
        fail_msg("expected one finding at line %u containing \"%s\", got %zu", line, needle,
                 t->out.n);
    }
    assert_string_equal(t->out.items[0].rule, "orphaned-spawn");
    assert_int_equal(t->out.items[0].severity, TL_SEV_WARNING);
    assert_string_equal(t->out.items[0].function, "fn");
}

static void expect_none(rt *t)
{
    if (t->out.n != 0) {
        rt_dump_findings(t);
        fail_msg("expected no finding, got %zu", t->out.n);
    }
}

/* Lowered like the front end lowers `go(worker())` (libdill's dill_go_
 * statement expression): returns the macro-internal variable holding the
 * handle; the code after the expansion continues in *next. */
static int lower_go(rt *t, int b, unsigned line, tl_expr *owner, const char *text, int *next,
                    tl_instr **spawn)
{
    int ctxv = rt_var(t, "dill_ctx__", TL_VAR_TEMP, line);
    int stk = rt_var(t, "dill_stk__", TL_VAR_TEMP, line);
    int hd = rt_var(t, "dill_handle__", TL_VAR_TEMP, line);
    rt_decl(t, b, line, ctxv);
    rt_assign(t, b, line, stk, rt_null());
    tl_instr *p = rt_call(t, b, line, "dill_prologue", text, 6, rt_addr(V(ctxv)), rt_addr(V(stk)),
                          K(0), owner, tl_expr_new(TL_E_STRING), K(line));
    p->call.in_macro = true;
    int id = p->call.id;
    rt_assign(t, b, line, hd, tl_expr_callres(id));
    int body = rt_block(t), after = rt_block(t);
    rt_branch(t, b, tl_expr_binary(">=", V(hd), K(0)), body, after);
    tl_instr *entry = rt_call(t, body, line, "worker", "worker()", 0);
    entry->call.is_spawn_entry = true;
    entry->call.spawn_call = id;
    entry->call.in_macro = true;
    rt_call(t, body, line, "dill_epilogue", "go(worker())", 0)->call.in_macro = true;
    rt_goto(t, body, after);
    *next = after;
    if (spawn)
        *spawn = (tl_instr *)tl_func_find_call(t->f, id);
    return hd;
}

/* pthread_t t; pthread_create(&t, ...); return 0; */
static void test_leak_all_paths(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    create(&t, 0, 3, rt_addr(V(tv)));
    rt_return(&t, 0, 4, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 3, "thread 't' spawned by pthread_create() is never joined or detached");
    assert_string_equal(t.out.items[0].snippet, "pthread_create(&t, NULL, worker, NULL)");
    assert_int_equal(t.out.items[0].nnotes, 1);
    assert_int_equal(t.out.items[0].notes[0].line, 4);
    rt_free(&t);
}

/*  3 if (pthread_create(&t, ...) != 0)
 *  4     return -1;
 *  5 if (load() < 0)
 *  6     return -1;
 *  7 pthread_join(t, NULL);
 *  8 return 0;                                                      */
static void test_leak_on_early_return(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int b2 = rt_block(&t), b3 = rt_block(&t), b4 = rt_block(&t), b5 = rt_block(&t);
    tl_instr *c = create(&t, 0, 3, rt_addr(V(tv)));
    rt_branch(&t, 0, tl_expr_binary("!=", CR(c), K(0)), b2, b3);
    rt_return(&t, b2, 4, K(-1));
    tl_instr *l = rt_call(&t, b3, 5, "load", "load()", 0);
    rt_branch(&t, b3, tl_expr_binary("<", CR(l), K(0)), b4, b5);
    rt_return(&t, b4, 6, K(-1));
    join(&t, b5, 7, tv);
    rt_return(&t, b5, 8, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 3,
               "thread 't' spawned by pthread_create() leaks when returning at line 6 "
               "(not joined or detached on this path)");
    assert_int_equal(t.out.items[0].nnotes, 1);
    assert_int_equal(t.out.items[0].notes[0].line, 6);
    rt_free(&t);
}

/* Joined on one branch, detached on the other: no finding. */
static void test_released_on_all_paths(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int x = rt_var(&t, "x", TL_VAR_PARAM, 1);
    int b2 = rt_block(&t), b3 = rt_block(&t), b4 = rt_block(&t);
    create(&t, 0, 3, rt_addr(V(tv)));
    rt_branch(&t, 0, V(x), b2, b3);
    join(&t, b2, 4, tv);
    rt_goto(&t, b2, b4);
    rt_call(&t, b3, 6, "pthread_detach", "pthread_detach(t)", 1, V(tv));
    rt_goto(&t, b3, b4);
    rt_return(&t, b4, 8, NULL);
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/* int rc = pthread_create(&t, ...); if (rc) return rc; ... and the
 * swapped / negated spellings: `0 != rc`, `!(rc == 0)`. */
static void spawn_failure_variant(int variant)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int rc = rt_var(&t, "rc", TL_VAR_LOCAL, 3);
    int b2 = rt_block(&t), b3 = rt_block(&t);
    tl_instr *c = create(&t, 0, 3, rt_addr(V(tv)));
    rt_assign(&t, 0, 3, rc, CR(c));
    tl_expr *cond = NULL;
    int yes = b2, no = b3;
    switch (variant) {
    case 0: cond = V(rc); break;
    case 1: cond = tl_expr_binary("!=", K(0), V(rc)); break;
    case 2: cond = tl_expr_unary("!", tl_expr_binary("==", V(rc), K(0))); break;
    case 3: /* if (rc == 0) { join } else return rc; */
        cond = tl_expr_binary("==", V(rc), K(0));
        yes = b3;
        no = b2;
        break;
    }
    rt_branch(&t, 0, cond, yes, no);
    rt_return(&t, b2, 4, V(rc));
    join(&t, b3, 5, tv);
    rt_return(&t, b3, 6, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

static void test_spawn_failure_branch(void **st)
{
    for (int v = 0; v < 4; v++)
        spawn_failure_variant(v);
}

/* A condition that does not imply failure (rc < 0 for a zero-success spawn
 * is only a subset of failures; the false edge may still be a failure):
 * `if (rc > 0) return;` does not cover rc < 0 but that is still a failure
 * edge... the true edge of `rc > 0` is failure; check that the handle is
 * still tracked on the success edge. */
static void test_refinement_keeps_success_edge(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int b2 = rt_block(&t), b3 = rt_block(&t);
    tl_instr *c = create(&t, 0, 3, rt_addr(V(tv)));
    rt_branch(&t, 0, tl_expr_binary("==", CR(c), K(0)), b2, b3);
    rt_return(&t, b2, 4, K(0)); /* success: leaks here */
    rt_return(&t, b3, 5, K(-1));
    rt_run(&t, RULE);
    expect_one(&t, 3, "is never joined or detached");
    assert_int_equal(t.out.items[0].nnotes, 1);
    assert_int_equal(t.out.items[0].notes[0].line, 4);
    rt_free(&t);
}

/* Escapes: s->t = t; return h; unknown(t); g_thread = t. */
static void escape_variant(int variant)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int s = rt_var(&t, "s", TL_VAR_PARAM, 1);
    t.f->vars[s].is_pointer = true;
    int g = rt_var(&t, "g_thread", TL_VAR_GLOBAL, 0);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    create(&t, 0, 3, rt_addr(V(tv)));
    switch (variant) {
    case 0: rt_store(&t, 0, 4, rt_member(V(s), "t", true), V(tv)); break;
    case 1: rt_call(&t, 0, 4, "register_thread", "register_thread(t)", 1, V(tv)); break;
    case 2: rt_assign(&t, 0, 4, g, V(tv)); break;
    case 3: rt_return(&t, 0, 4, V(tv)); break;
    case 4: /* passed by address to an unknown function (a channel send) */
        rt_call(&t, 0, 4, "chan_send", "chan_send(ch, &t)", 2, V(s), rt_addr(V(tv)));
        break;
    case 5: /* handed to another thread as its argument */
        rt_call(&t, 0, 4, "pthread_create", "pthread_create(&g_thread, NULL, reaper, (void *)t)",
                4, rt_addr(V(g)), rt_null(), tl_expr_func("reaper", -1), rt_cast(V(tv)));
        break;
    }
    if (variant != 3)
        rt_return(&t, 0, 5, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

static void test_escape(void **st)
{
    for (int v = 0; v < 6; v++)
        escape_variant(v);
}

/* A spawn straight into non-local memory is owned elsewhere. */
static void test_nonlocal_out_arg(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int pool = rt_var(&t, "pool", TL_VAR_PARAM, 1);
    t.f->vars[pool].is_pointer = true;
    int g = rt_var(&t, "g_thread", TL_VAR_GLOBAL, 0);
    int i = rt_var(&t, "i", TL_VAR_LOCAL, 2);
    create(&t, 0, 3, rt_addr(rt_index(rt_member(V(pool), "t", true), V(i))));
    create(&t, 0, 4, rt_addr(V(g)));
    create(&t, 0, 5, V(pool)); /* a pointer parameter */
    rt_return(&t, 0, 6, NULL);
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/* h = go(worker()); hquery(h); return;  - a borrow is not an escape. */
static void test_borrow_is_not_escape(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 3);
    int next;
    tl_instr *sp;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next, &sp);
    rt_assign(&t, next, 3, h, V(hd));
    rt_call(&t, next, 4, "dill_hquery", "hquery(h, NULL)", 2, V(h), rt_null());
    rt_return(&t, next, 5, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 3, "coroutine handle 'h' from go() is never closed");
    rt_free(&t);
}

/* int h = go(worker()); if (h < 0) return -1; ...; hclose(h) or not. */
static void go_variant(bool close, bool check)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 3);
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next, NULL);
    rt_assign(&t, next, 3, h, V(hd));
    if (check) {
        int fail = rt_block(&t), ok = rt_block(&t);
        rt_branch(&t, next, tl_expr_binary("<", V(h), K(0)), fail, ok);
        rt_return(&t, fail, 4, K(-1));
        next = ok;
    }
    if (close)
        rt_call(&t, next, 5, "dill_hclose", "hclose(h)", 1, V(h));
    rt_return(&t, next, 6, K(0));
    rt_run(&t, RULE);
    if (close)
        expect_none(&t);
    else
        expect_one(&t, 3, "coroutine handle 'h' from go() is never closed");
    rt_free(&t);
}

static void test_go_statement_expression(void **st)
{
    go_variant(true, true);
    go_variant(true, false);
    go_variant(false, true);
    go_variant(false, false);
}

/* h2 = h; hclose(h2): an alias releases the handle. */
static void test_alias_release(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 3);
    int h2 = rt_var(&t, "h2", TL_VAR_LOCAL, 4);
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next, NULL);
    rt_assign(&t, next, 3, h, V(hd));
    rt_assign(&t, next, 4, h2, V(h));
    rt_assign(&t, next, 5, h, K(-1)); /* h reused: the handle lives on in h2 */
    rt_call(&t, next, 6, "dill_hclose", "hclose(h2)", 1, V(h2));
    rt_return(&t, next, 7, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/*  2 pthread_t t;
 *  3 for (i = 0; i < n; i++)
 *  4     pthread_create(&t, NULL, worker, NULL);
 *  6 pthread_join(t, NULL);                   */
static void test_overwrite_in_loop(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int n = rt_var(&t, "n", TL_VAR_PARAM, 1);
    int head = rt_block(&t), body = rt_block(&t), after = rt_block(&t);
    rt_decl(&t, 0, 2, tv);
    rt_goto(&t, 0, head);
    rt_branch(&t, head, V(n), body, after);
    create(&t, body, 4, rt_addr(V(tv)));
    rt_goto(&t, body, head);
    join(&t, after, 6, tv);
    rt_return(&t, after, 7, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 4,
               "thread 't' spawned by pthread_create() leaks when 't' is overwritten at line 4 "
               "(not joined or detached before)");
    rt_free(&t);
}

/*  3 while (n) {
 *  4     int h = go(worker());
 *  5     if (x) hclose(h);
 *  6 }                                  */
static void test_redeclared_in_loop(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int n = rt_var(&t, "n", TL_VAR_PARAM, 1);
    int x = rt_var(&t, "x", TL_VAR_PARAM, 1);
    int h = rt_var(&t, "h", TL_VAR_LOCAL, 4);
    int head = rt_block(&t), body = rt_block(&t), after = rt_block(&t);
    rt_goto(&t, 0, head);
    rt_branch(&t, head, V(n), body, after);
    int next;
    int hd = lower_go(&t, body, 4, K(-1), "go(worker())", &next, NULL);
    rt_assign(&t, next, 4, h, V(hd));
    int cl = rt_block(&t), latch = rt_block(&t);
    rt_branch(&t, next, V(x), cl, latch);
    rt_call(&t, cl, 5, "dill_hclose", "hclose(h)", 1, V(h));
    rt_goto(&t, cl, latch);
    rt_goto(&t, latch, head);
    rt_return(&t, after, 7, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 4, "coroutine handle 'h' from go() leaks when 'h' is re-declared at line 4");
    /* the handle of the last iteration also leaks at the return */
    assert_int_equal(t.out.items[0].nnotes, 2);
    rt_free(&t);
}

/* go(worker()); as a statement, and bundle(); */
static void test_discarded(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int next;
    tl_instr *sp;
    lower_go(&t, 0, 3, K(-1), "go(worker())", &next, &sp);
    sp->call.discarded = true;
    rt_call(&t, next, 4, "dill_bundle", "bundle()", 0)->call.discarded = true;
    rt_return(&t, next, 5, K(0));
    rt_run(&t, RULE);
    if (t.out.n != 2)
        rt_dump_findings(&t);
    assert_int_equal(t.out.n, 2);
    assert_non_null(rt_finding(&t, 3, "coroutine handle from go() is discarded and never closed"));
    assert_non_null(rt_finding(&t, 4, "bundle handle from bundle() is discarded and never closed"));
    rt_free(&t);
}

/* (void)go(worker()); - explicit discard. */
static void test_void_cast(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int next;
    tl_instr *sp;
    lower_go(&t, 0, 3, K(-1), "go(worker())", &next, &sp);
    sp->call.discarded = sp->call.void_cast = true;
    rt_return(&t, next, 5, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/* The go() value used only in a condition is never stored. */
static void test_result_never_stored(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next, NULL);
    int fail = rt_block(&t), ok = rt_block(&t);
    rt_branch(&t, next, tl_expr_binary("<", V(hd), K(0)), fail, ok);
    rt_return(&t, fail, 4, K(-1));
    rt_return(&t, ok, 5, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 3, "coroutine handle from go() is discarded and never closed");
    rt_free(&t);
}

/* if (err) exit(1); on the error path: not a leak. */
static void test_noreturn_path(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int err = rt_var(&t, "err", TL_VAR_PARAM, 1);
    int b2 = rt_block(&t), b3 = rt_block(&t);
    create(&t, 0, 3, rt_addr(V(tv)));
    rt_branch(&t, 0, V(err), b2, b3);
    rt_call(&t, b2, 4, "exit", "exit(1)", 1, K(1));
    rt_noreturn(&t, b2, 4);
    join(&t, b3, 5, tv);
    rt_return(&t, b3, 6, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/* bundle_go(b, worker()): owned by the bundle; the bundle itself is closed. */
static void test_spawn_into_bundle(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int b = rt_var(&t, "b", TL_VAR_LOCAL, 2);
    tl_instr *bc = rt_call(&t, 0, 2, "dill_bundle", "bundle()", 0);
    rt_assign(&t, 0, 2, b, CR(bc));
    int next;
    lower_go(&t, 0, 3, V(b), "bundle_go(b, worker())", &next, NULL);
    rt_call(&t, next, 4, "dill_hclose", "hclose(b)", 1, V(b));
    rt_return(&t, next, 5, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);

    /* ... and without the hclose(b): the bundle leaks, not the coroutine */
    rt_init(&t);
    rt_libdill_models(&t);
    b = rt_var(&t, "b", TL_VAR_LOCAL, 2);
    bc = rt_call(&t, 0, 2, "dill_bundle", "bundle()", 0);
    rt_assign(&t, 0, 2, b, CR(bc));
    lower_go(&t, 0, 3, V(b), "bundle_go(b, worker())", &next, NULL);
    rt_return(&t, next, 5, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 2, "bundle handle 'b' from bundle() is never closed");
    rt_free(&t);
}

/* pthread_t ts[4]; for (...) pthread_create(&ts[i], ...); with and without
 * a join loop over ts. */
static void aggregate_variant(bool joined)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int ts = rt_var(&t, "ts", TL_VAR_LOCAL, 2);
    t.f->vars[ts].is_array = true;
    int i = rt_var(&t, "i", TL_VAR_LOCAL, 3);
    int head = rt_block(&t), body = rt_block(&t), after = rt_block(&t);
    rt_goto(&t, 0, head);
    rt_branch(&t, head, tl_expr_binary("<", V(i), K(4)), body, after);
    create(&t, body, 4, rt_addr(rt_index(V(ts), V(i))));
    rt_goto(&t, body, head);
    if (joined)
        rt_call(&t, after, 6, "pthread_join", "pthread_join(ts[i], NULL)", 2,
                rt_index(V(ts), V(i)), rt_null());
    rt_return(&t, after, 7, K(0));
    rt_run(&t, RULE);
    if (joined)
        expect_none(&t);
    else
        expect_one(&t, 4, "threads stored in 'ts' by pthread_create() are never joined or detached");
    rt_free(&t);
}

static void test_aggregate(void **st)
{
    aggregate_variant(true);
    aggregate_variant(false);
}

/* A result handle stored into a local array element: flow-insensitive. */
static void test_result_into_local_array(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int hs = rt_var(&t, "hs", TL_VAR_LOCAL, 2);
    t.f->vars[hs].is_array = true;
    int next;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next, NULL);
    rt_store(&t, next, 3, rt_index(V(hs), K(0)), V(hd));
    rt_return(&t, next, 4, K(0));
    rt_run(&t, RULE);
    expect_one(&t, 3, "coroutines stored in 'hs' by go() are never closed");
    rt_free(&t);
}

/* s->h = go(worker()); where the front end flags the full expression as
 * discarded: the handle is stored, no finding. */
static void test_stored_despite_discarded_flag(void **st)
{
    rt t;
    rt_init(&t);
    rt_libdill_models(&t);
    int s = rt_var(&t, "s", TL_VAR_PARAM, 1);
    t.f->vars[s].is_pointer = true;
    int next;
    tl_instr *sp;
    int hd = lower_go(&t, 0, 3, K(-1), "go(worker())", &next, &sp);
    sp->call.discarded = true;
    rt_store(&t, next, 3, rt_member(V(s), "h", true), V(hd));
    rt_return(&t, next, 4, K(0));
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

/* The handle is handed to a coroutine's entry call, which runs only when
 * bundle_go() succeeds; the caller's own test of the result is correlated
 * with the macro's `dill_handle__ >= 0`:
 *  3 if (pthread_create(&t, NULL, index_main, ix) != 0) return -1;
 *  5 if (bundle_go(b, reap(ix, t)) < 0) { [pthread_join(t, NULL);] return -1; }
 *  9 return 0;                                                          */
static void handoff_variant(bool join_on_failure)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    rt_libdill_models(&t);
    int b = rt_var(&t, "b", TL_VAR_PARAM, 1);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    int fail1 = rt_block(&t), ok1 = rt_block(&t);
    tl_instr *c = create(&t, 0, 3, rt_addr(V(tv)));
    rt_branch(&t, 0, tl_expr_binary("!=", CR(c), K(0)), fail1, ok1);
    rt_return(&t, fail1, 4, K(-1));
    /* bundle_go(b, reap(ix, t)) with the entry call taking t */
    int ctxv = rt_var(&t, "dill_ctx__", TL_VAR_TEMP, 5);
    int hd = rt_var(&t, "dill_handle__", TL_VAR_TEMP, 5);
    tl_instr *p = rt_call(&t, ok1, 5, "dill_prologue", "bundle_go(b, reap(ix, t))", 6,
                          rt_addr(V(ctxv)), rt_null(), K(0), V(b), tl_expr_new(TL_E_STRING), K(5));
    int pid = p->call.id;
    rt_assign(&t, ok1, 5, hd, tl_expr_callres(pid));
    int body = rt_block(&t), run = rt_block(&t), after = rt_block(&t);
    rt_branch(&t, ok1, tl_expr_binary(">=", V(hd), K(0)), body, after);
    /* if (!sigsetjmp(...)) { entry } - the parent resumes on the other edge */
    tl_instr *sj = rt_call(&t, body, 5, "__sigsetjmp", "sigsetjmp(*dill_ctx__, 0)", 2,
                           tl_expr_new(TL_E_OTHER), K(0));
    rt_branch(&t, body, tl_expr_unary("!", CR(sj)), run, after);
    tl_instr *entry = rt_call(&t, run, 5, "reap", "reap(ix, t)", 2, tl_expr_new(TL_E_OTHER), V(tv));
    entry->call.is_spawn_entry = true;
    entry->call.spawn_call = pid;
    rt_goto(&t, run, after);
    int fail2 = rt_block(&t), ok2 = rt_block(&t);
    rt_branch(&t, after, tl_expr_binary("<", V(hd), K(0)), fail2, ok2);
    if (join_on_failure)
        join(&t, fail2, 6, tv);
    rt_return(&t, fail2, 7, K(-1));
    rt_return(&t, ok2, 9, K(0));
    rt_run(&t, RULE);
    if (join_on_failure)
        expect_none(&t);
    else
        expect_one(&t, 3, "thread 't' spawned by pthread_create() leaks when returning at line 7");
    rt_free(&t);
}

static void test_correlated_spawn_result(void **st)
{
    handoff_variant(true);
    handoff_variant(false);
}

/* An exempt function is not checked. */
static void test_exempt(void **st)
{
    rt t;
    rt_init(&t);
    rt_pthread_models(&t);
    int tv = rt_var(&t, "t", TL_VAR_LOCAL, 2);
    create(&t, 0, 3, rt_addr(V(tv)));
    rt_return(&t, 0, 4, K(0));
    t.facts.exempt = true;
    rt_run(&t, RULE);
    expect_none(&t);
    rt_free(&t);
}

static void test_rule_metadata(void **st)
{
    assert_string_equal(RULE->id, "orphaned-spawn");
    assert_string_equal(RULE->name, "OrphanedSpawn");
    assert_int_equal(RULE->severity, TL_SEV_WARNING);
    assert_non_null(strstr(RULE->doc, "## What it does"));
    assert_non_null(strstr(RULE->doc, "## Why is this bad?"));
    assert_non_null(strstr(RULE->doc, "## Example\n\n```c"));
    assert_non_null(strstr(RULE->doc, "## Use instead\n\n```c"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leak_all_paths),
        cmocka_unit_test(test_leak_on_early_return),
        cmocka_unit_test(test_released_on_all_paths),
        cmocka_unit_test(test_spawn_failure_branch),
        cmocka_unit_test(test_refinement_keeps_success_edge),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_nonlocal_out_arg),
        cmocka_unit_test(test_borrow_is_not_escape),
        cmocka_unit_test(test_go_statement_expression),
        cmocka_unit_test(test_alias_release),
        cmocka_unit_test(test_overwrite_in_loop),
        cmocka_unit_test(test_redeclared_in_loop),
        cmocka_unit_test(test_discarded),
        cmocka_unit_test(test_void_cast),
        cmocka_unit_test(test_result_never_stored),
        cmocka_unit_test(test_noreturn_path),
        cmocka_unit_test(test_spawn_into_bundle),
        cmocka_unit_test(test_aggregate),
        cmocka_unit_test(test_result_into_local_array),
        cmocka_unit_test(test_stored_despite_discarded_flag),
        cmocka_unit_test(test_correlated_spawn_result),
        cmocka_unit_test(test_exempt),
        cmocka_unit_test(test_rule_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
