/* unit_blocking_summary.c - which functions may block, and through which
 * call (analysis.c: compute_blocking), against the round-robin fixpoint it
 * replaced: rounds over all functions in index order until nothing changes,
 * a function taking its first call (by id) to a function of the TU that
 * blocks at that moment.  The new computation must pick the same call and
 * the same chain on random call graphs, and a chain of 20000 functions
 * (one round per link before) must come out whole.  Also: calls on dying
 * paths, strict-only blocking, callback fields (analysis.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataflow/analysis.h"
#include "ir/ir.h"
#include "model/model.h"
#include "util/xalloc.h"

/* ---- the reference: rounds to a fixpoint ---- */

/* With fd_ready, a call handing its callee nothing of the caller's
 * parameters follows the callee's plain summary (`plain`, computed before):
 * it counts like a direct blocking call, in call order. */
static void reference(const tl_analysis *a, bool fd_ready, const tl_block_summary *plain, tl_block_summary *out) {
    int n = a->tu->nfuncs;
    for (int fi = 0; fi < n; fi++) {
        const tl_func_facts *ff = &a->funcs[fi];
        tl_block_summary *bs = &out[fi];
        memset(bs, 0, sizeof *bs);
        bs->call_id = bs->next_func = -1;
        const tl_fn_model *self = tl_models_find(a->models, a->tu->funcs[fi].name);
        if (self && self->nonblocking) continue;
        for (int id = 0; id < ff->ncalls && !bs->may_block; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (!cf->instr || !cf->reached || cf->instr->call.is_spawn_entry || cf->dying) continue;
            if (tl_call_blocks_in(cf, fd_ready)) {
                bs->may_block = true;
                bs->call_id = id;
                bs->blocking_callee = cf->instr->call.callee;
                continue;
            }
            int callee = cf->instr->call.callee_func;
            if (!fd_ready || cf->passes_param || callee < 0 || callee == fi || !plain[callee].may_block ||
                (cf->model && cf->model->nonblocking))
                continue;
            bs->may_block = true;
            bs->call_id = id;
            bs->blocking_callee = plain[callee].blocking_callee;
            bs->next_func = callee;
            bs->next_plain = true;
        }
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (int fi = 0; fi < n; fi++) {
            const tl_func_facts *ff = &a->funcs[fi];
            tl_block_summary *bs = &out[fi];
            if (bs->may_block) continue;
            const tl_fn_model *self = tl_models_find(a->models, a->tu->funcs[fi].name);
            if (self && self->nonblocking) continue;
            for (int id = 0; id < ff->ncalls; id++) {
                const tl_call_facts *cf = &ff->calls[id];
                if (!cf->instr || !cf->reached || cf->instr->call.is_spawn_entry || cf->dying) continue;
                int callee = cf->instr->call.callee_func;
                if (callee < 0 || callee == fi || (fd_ready && !cf->passes_param)) continue;
                if (!out[callee].may_block || (cf->model && cf->model->nonblocking)) continue;
                bs->may_block = true;
                bs->call_id = id;
                bs->blocking_callee = out[callee].blocking_callee;
                bs->next_func = callee;
                changed = true;
                break;
            }
        }
    }
}

/* ---- building TUs ---- */

static unsigned rnd_state;
static unsigned rnd(unsigned n) {
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

/* A call with one argument: the constant 3, or the function's parameter
 * (pass_param: with fd_ready, the callee stays checked "ready"). */
static void add_call_arg(tl_func *f, int block, const char *callee, int callee_func, bool pass_param) {
    tl_instr *in = tl_block_add_instr(&f->blocks[block], TL_I_CALL);
    in->call.id = f->ncalls++;
    in->call.callee = tl_xstrdup(callee);
    in->call.callee_func = callee_func;
    in->call.nargs = 1;
    in->call.args = tl_xcalloc(1, sizeof *in->call.args);
    in->call.args[0] = pass_param && f->nparams > 0 ? tl_expr_var(0) : tl_expr_const(3);
}

static void add_call(tl_func *f, int block, const char *callee, int callee_func) {
    add_call_arg(f, block, callee, callee_func, false);
}

/* Function fi: block 0 (entry) -> block 1 (exit); block 2 is unreachable. */
static tl_func *add_function(tl_tu *tu, int fi) {
    char name[16];
    snprintf(name, sizeof name, "f%d", fi);
    tl_func *f = tl_tu_add_func(tu, name);
    f->entry = tl_func_add_block(f);
    f->exit = tl_func_add_block(f);
    tl_func_add_block(f);
    f->blocks[f->exit].term = TL_T_EXIT;
    tl_block_add_succ(f, f->entry, f->exit);
    tl_block_add_succ(f, 2, f->exit);
    return f;
}

static void load_models(tl_model_set *ms, const char *extra) {
    char *text = tl_xasprintf("library: test\nfunctions:\n"
                              "  sleep:\n    blocking: true\n"
                              "  read:\n    blocking: {fd_io: true}\n%s",
                              extra);
    tl_model_error err;
    tl_models_init(ms);
    assert_int_equal(tl_models_load_text(ms, text, strlen(text), "test", &err), 0);
    tl_models_finish(ms);
    free(text);
}

static void same_summaries(const tl_analysis *a) {
    tl_block_summary *want = tl_xcalloc((size_t)a->tu->nfuncs + 1, sizeof *want);
    tl_block_summary *plain = tl_xcalloc((size_t)a->tu->nfuncs + 1, sizeof *plain);
    for (int ready = 0; ready < 2; ready++) {
        reference(a, ready, plain, want);
        for (int fi = 0; fi < a->tu->nfuncs; fi++) {
            const tl_block_summary *got = tl_func_blocking(&a->funcs[fi], ready);
            assert_int_equal(got->may_block, want[fi].may_block);
            if (!want[fi].may_block) continue;
            assert_int_equal(got->call_id, want[fi].call_id);
            assert_int_equal(got->next_func, want[fi].next_func);
            assert_ptr_equal(got->blocking_callee, want[fi].blocking_callee);
            assert_int_equal(got->next_plain, want[fi].next_plain);
        }
        if (!ready) memcpy(plain, want, (size_t)a->tu->nfuncs * sizeof *plain);
    }
    free(want);
    free(plain);
}

static void test_same_chains_as_round_robin(void **state) {
    (void)state;
    for (unsigned seed = 1; seed <= 300; seed++) {
        rnd_state = seed;
        int n = 2 + (int)rnd(40);
        tl_tu tu;
        memset(&tu, 0, sizeof tu);
        char extra[512] = "";
        size_t len = 0;
        for (int fi = 0; fi < n; fi++) {
            tl_func *f = add_function(&tu, fi);
            if (rnd(2)) { /* a parameter, handed on by some calls */
                tl_func_add_var(f, "p", TL_VAR_PARAM);
                f->nparams = 1;
            }
            int ncalls = (int)rnd(5);
            for (int k = 0; k < ncalls; k++) {
                unsigned what = rnd(12);
                int block = rnd(8) == 0 ? 2 : 0;
                if (what == 0) {
                    add_call(f, block, "sleep", -1);
                } else if (what == 1) {
                    add_call_arg(f, block, "read", -1, rnd(2) == 0);
                } else {
                    int to = (int)rnd((unsigned)n);
                    char name[16];
                    snprintf(name, sizeof name, "f%d", to);
                    add_call_arg(f, block, name, to, rnd(2) == 0);
                    if (rnd(10) == 0) f->blocks[block].instrs[f->blocks[block].ninstrs - 1].call.is_spawn_entry = true;
                }
            }
            tl_func_finish(f);
            if (rnd(12) == 0 && len < sizeof extra - 48)
                len += (size_t)snprintf(extra + len, sizeof extra - len, "  f%d:\n    nonblocking: true\n", fi);
        }
        tl_model_set ms;
        load_models(&ms, extra);
        tl_analysis a;
        assert_int_equal(tl_analysis_run(&tu, &ms, TL_PROFILE_DEFAULT, &a), 0);
        same_summaries(&a);
        tl_analysis_free(&a);
        tl_models_free(&ms);
        tl_tu_free(&tu);
    }
}

/* Dying paths: a block that ends in a noreturn call, and the blocks all of
 * whose successors are dying, block nothing (analysis.c mark_dying_calls);
 * a loop that may run forever is not dying.  Blocking facets with strict:
 * true count only under the strict profile.  A function stored into a
 * callback field the models describe (ev_io.cb) gets that context without a
 * program. */
static void test_dying_strict_and_field_contexts(void **state) {
    (void)state;
    tl_tu tu;
    memset(&tu, 0, sizeof tu);
    /* f0: b0 -> {b3, b4}; b3: sleep(), b5; b5: exit() (noreturn); b4: sleep() -> b4 or b6;
       b6: exit().  b3, b5, b6 are dying; b4 loops, b0 reaches it: neither is. */
    tl_func *f = tl_tu_add_func(&tu, "f0");
    f->entry = tl_func_add_block(f);
    f->exit = tl_func_add_block(f);
    f->blocks[f->exit].term = TL_T_EXIT;
    for (int b = 2; b <= 6; b++) tl_func_add_block(f);
    f->blocks[0].term = TL_T_BRANCH;
    tl_block_add_succ(f, 0, 3);
    tl_block_add_succ(f, 0, 4);
    add_call(f, 3, "sleep", -1); /* id 0: dying */
    tl_block_add_succ(f, 3, 5);
    add_call(f, 5, "exit", -1); /* id 1 */
    f->blocks[5].term = TL_T_NORETURN;
    add_call(f, 4, "sleep", -1); /* id 2: in a loop that may run forever */
    f->blocks[4].term = TL_T_BRANCH;
    tl_block_add_succ(f, 4, 4);
    tl_block_add_succ(f, 4, 6);
    add_call(f, 6, "exit", -1); /* id 3 */
    f->blocks[6].term = TL_T_NORETURN;
    tl_block_add_succ(f, 2, f->exit);
    tl_func_finish(f);
    /* f1: unlink() (strict only); f2: only a call to f0's dying helper shape:
       g() { sleep(); exit(); } is f3, called from f2 */
    f = add_function(&tu, 1);
    add_call(f, 0, "unlink", -1);
    tl_func_finish(f);
    f = add_function(&tu, 2);
    add_call(f, 0, "f3", 3);
    add_call(f, 0, "exit", -1);
    f->blocks[0].term = TL_T_NORETURN;
    tl_func_finish(f);
    f = add_function(&tu, 3);
    add_call(f, 0, "sleep", -1);
    tl_func_finish(f);
    /* f4 stored into ev_io.cb */
    f = add_function(&tu, 4);
    f->usr = tl_xstrdup("c:t.c@F@f4");
    tl_func_finish(f);
    tl_loc loc = {NULL, 9, 5, 0};
    tl_tu_add_store(&tu, "c:@S@ev_io@FI@cb", "cb", "c:t.c@F@f4", "f4", loc, NULL, 0);
    tl_tu_add_store(&tu, "c:@S@ev_io@FI@fd", "fd", "c:t.c@F@f4", "f4", loc, NULL, 0);

    tl_model_set ms;
    load_models(&ms, "  exit: {noreturn: true}\n"
                     "  unlink: {blocking: {strict: true}}\n"
                     "  ev_io.cb: {callback: {context: loop, readiness: true}}\n");
    for (int strict = 0; strict < 2; strict++) {
        tl_analysis a;
        assert_int_equal(tl_analysis_run(&tu, &ms, strict ? TL_PROFILE_STRICT : TL_PROFILE_DEFAULT, &a), 0);
        const tl_func_facts *f0 = &a.funcs[0];
        assert_true(f0->calls[0].dying);
        assert_false(tl_call_blocks_in(&f0->calls[0], false));
        assert_false(f0->calls[2].dying);
        assert_true(tl_call_blocks_in(&f0->calls[2], false));
        assert_true(f0->blocks.may_block);
        assert_int_equal(f0->blocks.call_id, 2);
        assert_int_equal(a.funcs[1].blocks.may_block, strict == 1);
        /* f2's call to the blocking f3 is on a dying path */
        assert_true(a.funcs[3].blocks.may_block);
        assert_false(a.funcs[2].blocks.may_block);
        const tl_context_info *ci = &a.funcs[4].context;
        assert_int_equal(ci->kind, TL_CTX_LOOP_CALLBACK);
        assert_true(ci->readiness);
        assert_string_equal(ci->via, "ev_io.cb");
        assert_int_equal(ci->loc.line, 9);
        assert_int_equal(a.funcs[3].context.kind, TL_CTX_NONE);
        same_summaries(&a);
        tl_analysis_free(&a);
    }
    tl_models_free(&ms);
    tl_tu_free(&tu);
}

/* f0 -> f1 -> ... -> f19999 -> sleep(), defined in that order: the sweeps
 * needed a round per link. */
static void test_long_chain(void **state) {
    (void)state;
    enum { N = 20000 };
    tl_tu tu;
    memset(&tu, 0, sizeof tu);
    for (int fi = 0; fi < N; fi++) {
        tl_func *f = add_function(&tu, fi);
        char name[16];
        snprintf(name, sizeof name, "f%d", fi + 1);
        if (fi + 1 < N) add_call(f, 0, name, fi + 1);
        else add_call(f, 0, "sleep", -1);
        tl_func_finish(f);
    }
    tl_model_set ms;
    load_models(&ms, "");
    tl_analysis a;
    assert_int_equal(tl_analysis_run(&tu, &ms, TL_PROFILE_DEFAULT, &a), 0);
    for (int fi = 0; fi < N; fi++) {
        const tl_block_summary *bs = tl_func_blocking(&a.funcs[fi], false);
        assert_true(bs->may_block);
        assert_int_equal(bs->next_func, fi + 1 < N ? fi + 1 : -1);
        assert_string_equal(bs->blocking_callee, "sleep");
    }
    tl_analysis_free(&a);
    tl_models_free(&ms);
    tl_tu_free(&tu);
}

/* blocking.unless_numeric_address reads string literals' spelling. */
static tl_expr *str_lit(const char *spelled) {
    tl_expr *e = tl_expr_new(TL_E_STRING);
    e->name = spelled ? tl_xstrdup(spelled) : NULL;
    return e;
}

static void test_numeric_address_literals(void **state) {
    (void)state;
    static const char *const yes[] = {"\"127.0.0.1\"", "\"::1\"", "\"10.1.2.3\"", "\"fe80::1\"",
                                      "\"2001:db8::8a2e:370:7334\"", "\"::ffff:192.0.2.1\""};
    static const char *const no[] = {"\"localhost\"", "\"example.org\"", "\"127.0.0\"", "\"1.2.3.4.5\"",
                                     "\"\"", "L\"127.0.0.1\"", "\"127.0.0.1\\n\"", "\"127.0.0.1 \"",
                                     "\"256.1.1.1\"", NULL};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        tl_expr *e = str_lit(yes[i]);
        if (!tl_expr_is_numeric_address(e)) fail_msg("%s should be numeric", yes[i]);
        tl_expr *c = tl_expr_new(TL_E_CAST);
        tl_expr_add_kid(c, e);
        assert_true(tl_expr_is_numeric_address(c));
        tl_expr_free(c);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        tl_expr *e = str_lit(no[i]);
        if (tl_expr_is_numeric_address(e)) fail_msg("%s should not be numeric", no[i] ? no[i] : "(no text)");
        tl_expr_free(e);
    }
    tl_expr *k = tl_expr_const(0);
    assert_false(tl_expr_is_numeric_address(k));
    tl_expr_free(k);
    assert_false(tl_expr_is_numeric_address(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_chains_as_round_robin),
        cmocka_unit_test(test_long_chain),
        cmocka_unit_test(test_dying_strict_and_field_contexts),
        cmocka_unit_test(test_numeric_address_literals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
