/* unit_constprop.c - sparse constant propagation (constprop.c, liveness.c)
 * against the dense textbook version it replaced.
 *
 * The reference below keeps one value per variable of the function in every
 * block's state (the former implementation, O(blocks x variables)).  Random
 * functions - assignments of constants, copies, arithmetic, calls, stores,
 * declarations, globals, parameters, variables whose address escapes,
 * branches and loops - must give exactly the same value (kind, value, and
 * the variable a constant came through) for every call argument, and the
 * same reachability.  Then: liveness lists, and a function with many locals
 * and blocks whose states stay small.
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
#include "dataflow/constprop.h"
#include "dataflow/dataflow.h"
#include "dataflow/liveness.h"
#include "ir/ir.h"
#include "util/xalloc.h"

/* ---- the dense reference ---- */

static tl_cval cv(tl_cval_kind k) {
    tl_cval r = {k, 0, -1};
    return r;
}

typedef struct {
    const tl_func *f;
    bool *address_taken;
} ref_ctx;

typedef struct {
    tl_cval *vals;
} ref_state;

static void ref_entry(void *ctx, void *state) {
    ref_ctx *c = ctx;
    ref_state *s = state;
    s->vals = tl_xcalloc((size_t)c->f->nvars + 1, sizeof *s->vals);
    for (int v = 0; v < c->f->nvars; v++) {
        tl_var_kind k = c->f->vars[v].kind;
        s->vals[v] = cv((k == TL_VAR_LOCAL || k == TL_VAR_TEMP) ? TL_CV_UNDEF : TL_CV_UNKNOWN);
    }
}

static void ref_bottom(void *ctx, void *state) {
    ref_ctx *c = ctx;
    ref_state *s = state;
    s->vals = tl_xcalloc((size_t)c->f->nvars + 1, sizeof *s->vals);
    for (int v = 0; v < c->f->nvars; v++) s->vals[v] = cv(TL_CV_UNDEF);
}

static void ref_copy(void *ctx, void *dst, const void *src) {
    ref_ctx *c = ctx;
    memcpy(((ref_state *)dst)->vals, ((const ref_state *)src)->vals,
           (size_t)c->f->nvars * sizeof(tl_cval));
}

static bool ref_join(void *ctx, void *dst, const void *src) {
    ref_ctx *c = ctx;
    tl_cval *d = ((ref_state *)dst)->vals;
    const tl_cval *s = ((const ref_state *)src)->vals;
    bool changed = false;
    for (int v = 0; v < c->f->nvars; v++) {
        if (s[v].kind == TL_CV_UNDEF || d[v].kind == TL_CV_UNKNOWN) continue;
        if (d[v].kind == TL_CV_UNDEF) {
            d[v] = s[v];
            changed = true;
            continue;
        }
        if (d[v].kind == s[v].kind && (d[v].kind != TL_CV_INT || d[v].v == s[v].v)) continue;
        d[v].kind = TL_CV_UNKNOWN;
        changed = true;
    }
    return changed;
}

static void ref_kill(ref_ctx *c, tl_cval *vals) {
    for (int v = 0; v < c->f->nvars; v++) {
        tl_var_kind k = c->f->vars[v].kind;
        if (k == TL_VAR_GLOBAL || k == TL_VAR_STATIC || c->address_taken[v]) vals[v] = cv(TL_CV_UNKNOWN);
    }
}

static void ref_transfer(void *ctx, void *state, const tl_func *f, const tl_block *b, int i) {
    ref_ctx *c = ctx;
    tl_cval *vals = ((ref_state *)state)->vals;
    const tl_instr *in = &b->instrs[i];
    switch (in->kind) {
    case TL_I_ASSIGN:
        if (c->address_taken[in->var]) {
            vals[in->var] = cv(TL_CV_UNKNOWN);
        } else {
            tl_cval val = tl_eval_expr(in->value, vals, f->nvars);
            if (val.kind == TL_CV_UNDEF) val.kind = TL_CV_UNKNOWN;
            val.via_var = -1;
            vals[in->var] = val;
        }
        break;
    case TL_I_DECL:
        vals[in->var] = cv(c->address_taken[in->var] ? TL_CV_UNKNOWN : TL_CV_UNDEF);
        break;
    case TL_I_STORE: {
        int root = tl_expr_root_var(in->target, NULL);
        if (root >= 0) vals[root] = cv(TL_CV_UNKNOWN);
        ref_kill(c, vals);
        break;
    }
    case TL_I_CALL:
        ref_kill(c, vals);
        break;
    default:
        break;
    }
}

static void ref_destroy(void *ctx, void *state) {
    (void)ctx;
    free(((ref_state *)state)->vals);
}

static const tl_dataflow_ops ref_ops = {
    .state_size = sizeof(ref_state),
    .init_entry = ref_entry,
    .init_bottom = ref_bottom,
    .copy = ref_copy,
    .join = ref_join,
    .transfer = ref_transfer,
    .destroy = ref_destroy,
};

static void mark_taken(const tl_expr *e, bool *taken, bool under) {
    if (!e) return;
    if (e->kind == TL_E_VAR && under) taken[e->var] = true;
    bool addr = under || e->kind == TL_E_ADDR;
    for (int k = 0; k < e->nkids; k++)
        mark_taken(e->kids[k], taken, addr && !(e->kind == TL_E_INDEX && k == 1));
}

/* Per call id: argument values and reachability, the reference way. */
typedef struct {
    tl_cval *argv; /* ncalls * MAX_ARGS */
    bool *reached;
    int calls_seen;
    int nvars;
} call_values;

#define MAX_ARGS 3

static void reference(const tl_func *f, call_values *out) {
    ref_ctx c = {f, tl_xcalloc((size_t)f->nvars + 1, sizeof(bool))};
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            mark_taken(in->value, c.address_taken, false);
            mark_taken(in->target, c.address_taken, false);
            if (in->kind == TL_I_CALL)
                for (int a = 0; a < in->call.nargs; a++) {
                    mark_taken(in->call.args[a], c.address_taken, false);
                    const tl_expr *e = in->call.args[a];
                    if (e->kind == TL_E_VAR && f->vars[e->var].is_array) c.address_taken[e->var] = true;
                }
        }
        mark_taken(b->cond, c.address_taken, false);
    }
    tl_dataflow_result res;
    assert_int_equal(tl_dataflow_forward(f, &ref_ops, &c, &res), 0);
    ref_state st;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        ref_bottom(&c, &st);
        if (res.reached[bi]) ref_copy(&c, &st, tl_dataflow_in(&res, bi));
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind == TL_I_CALL) {
                out->reached[in->call.id] = res.reached[bi];
                for (int a = 0; a < in->call.nargs; a++)
                    out->argv[in->call.id * MAX_ARGS + a] = tl_eval_expr(in->call.args[a], st.vals, f->nvars);
                out->calls_seen++;
            }
            ref_transfer(&c, &st, f, b, i);
        }
        ref_destroy(&c, &st);
    }
    tl_dataflow_free(&res);
    free(c.address_taken);
}

static void record(void *ctx, const tl_instr *in, int block, int index, bool reached,
                   const tl_cval *env) {
    (void)block;
    (void)index;
    call_values *out = ctx;
    out->reached[in->call.id] = reached;
    for (int a = 0; a < in->call.nargs; a++)
        out->argv[in->call.id * MAX_ARGS + a] = tl_eval_expr(in->call.args[a], env, out->nvars);
    out->calls_seen++;
}

/* ---- random functions ---- */

static unsigned rnd_state;
static unsigned rnd(unsigned n) {
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static tl_expr *random_value(const tl_func *f, int depth) {
    switch (rnd(depth > 2 ? 4 : 8)) {
    case 0: return tl_expr_const((int64_t)rnd(5) - 1);
    case 1: return tl_expr_new(rnd(2) ? TL_E_NULL : TL_E_STRING);
    case 2:
    case 3: return tl_expr_var((int)rnd((unsigned)f->nvars));
    case 4: return tl_expr_binary(rnd(2) ? "+" : "==", random_value(f, depth + 1), random_value(f, depth + 1));
    case 5: return tl_expr_unary(rnd(2) ? "-" : "!", random_value(f, depth + 1));
    case 6: {
        tl_expr *a = tl_expr_new(TL_E_ADDR);
        tl_expr_add_kid(a, tl_expr_var((int)rnd((unsigned)f->nvars)));
        return a;
    }
    default: {
        tl_expr *o = tl_expr_new(TL_E_OTHER);
        tl_expr_add_kid(o, tl_expr_var((int)rnd((unsigned)f->nvars)));
        return o;
    }
    }
}

static void random_function(tl_func *f, int nvars, int nblocks) {
    static const tl_var_kind kinds[] = {TL_VAR_LOCAL, TL_VAR_LOCAL, TL_VAR_LOCAL, TL_VAR_TEMP,
                                        TL_VAR_PARAM, TL_VAR_GLOBAL, TL_VAR_STATIC};
    for (int v = 0; v < nvars; v++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", v);
        int id = tl_func_add_var(f, name, kinds[rnd(7)]);
        f->vars[id].is_array = rnd(12) == 0;
    }
    for (int b = 0; b < nblocks; b++) tl_func_add_block(f);
    f->entry = 0;
    f->exit = 1;
    f->blocks[1].term = TL_T_EXIT;
    for (int b = 0; b < nblocks; b++) {
        if (b == 1) continue;
        tl_block *blk = &f->blocks[b];
        int n = (int)rnd(6);
        for (int i = 0; i < n; i++) {
            unsigned what = rnd(10);
            if (what < 4) {
                tl_instr *in = tl_block_add_instr(blk, TL_I_ASSIGN);
                in->var = (int)rnd((unsigned)nvars);
                in->value = random_value(f, 0);
            } else if (what < 7) {
                tl_instr *in = tl_block_add_instr(blk, TL_I_CALL);
                in->call.id = f->ncalls++;
                in->call.nargs = 1 + (int)rnd(MAX_ARGS);
                in->call.args = tl_xcalloc((size_t)in->call.nargs, sizeof *in->call.args);
                for (int a = 0; a < in->call.nargs; a++) in->call.args[a] = random_value(f, 0);
            } else if (what < 8) {
                tl_instr *in = tl_block_add_instr(blk, TL_I_DECL);
                in->var = (int)rnd((unsigned)nvars);
            } else if (what < 9) {
                tl_instr *in = tl_block_add_instr(blk, TL_I_STORE);
                tl_expr *m = tl_expr_new(TL_E_MEMBER);
                m->name = tl_xstrdup("f");
                tl_expr_add_kid(m, tl_expr_var((int)rnd((unsigned)nvars)));
                in->target = m;
                in->value = random_value(f, 0);
            } else {
                tl_instr *in = tl_block_add_instr(blk, TL_I_USE);
                in->value = random_value(f, 0);
            }
        }
        unsigned t = rnd(10);
        if (t < 2 || b == nblocks - 1) {
            blk->term = TL_T_EXIT;
            tl_block_add_succ(f, b, 1);
        } else if (t < 6) {
            blk->term = TL_T_BRANCH;
            blk->cond = random_value(f, 0);
            tl_block_add_succ(f, b, (int)rnd((unsigned)nblocks));
            tl_block_add_succ(f, b, (int)rnd((unsigned)nblocks));
        } else {
            blk->term = TL_T_GOTO;
            tl_block_add_succ(f, b, b + 1 < nblocks && rnd(3) ? b + 1 : (int)rnd((unsigned)nblocks));
        }
    }
    tl_func_finish(f);
}

static void same_values(const tl_func *f, const call_values *x, const call_values *y) {
    assert_int_equal(x->calls_seen, y->calls_seen);
    for (int id = 0; id < f->ncalls; id++) {
        assert_int_equal(x->reached[id], y->reached[id]);
        for (int a = 0; a < MAX_ARGS; a++) {
            const tl_cval *p = &x->argv[id * MAX_ARGS + a], *q = &y->argv[id * MAX_ARGS + a];
            assert_int_equal(p->kind, q->kind);
            assert_int_equal(p->v, q->v);
            assert_int_equal(p->via_var, q->via_var);
        }
    }
}

static void test_same_values_as_dense_reference(void **state) {
    (void)state;
    for (unsigned seed = 1; seed <= 3000; seed++) {
        rnd_state = seed;
        tl_func f;
        memset(&f, 0, sizeof f);
        random_function(&f, 2 + (int)rnd(14), 3 + (int)rnd(20));
        size_t n = (size_t)f.ncalls * MAX_ARGS + 1;
        call_values want = {tl_xcalloc(n, sizeof(tl_cval)), tl_xcalloc(n, sizeof(bool)), 0, f.nvars};
        call_values got = {tl_xcalloc(n, sizeof(tl_cval)), tl_xcalloc(n, sizeof(bool)), 0, f.nvars};
        reference(&f, &want);
        assert_int_equal(tl_constprop_run(&f, record, &got), 0);
        same_values(&f, &want, &got);
        free(want.argv);
        free(want.reached);
        free(got.argv);
        free(got.reached);
        tl_func_free(&f);
    }
}

/* x = 5 in block 0; block 1 reads x; block 2 assigns x again and reads y:
 * x is live into 1 only, y into 2 and, through 1 (which does not define
 * it), into 1 and 0. */
static void test_liveness_lists(void **state) {
    (void)state;
    tl_func f;
    memset(&f, 0, sizeof f);
    int x = tl_func_add_var(&f, "x", TL_VAR_LOCAL), y = tl_func_add_var(&f, "y", TL_VAR_LOCAL);
    int z = tl_func_add_var(&f, "z", TL_VAR_LOCAL);
    for (int b = 0; b < 4; b++) tl_func_add_block(&f);
    f.entry = 0;
    f.exit = 3;
    tl_instr *in = tl_block_add_instr(&f.blocks[0], TL_I_ASSIGN);
    in->var = x;
    in->value = tl_expr_const(5);
    tl_block_add_succ(&f, 0, 1);
    in = tl_block_add_instr(&f.blocks[1], TL_I_CALL);
    in->call.id = f.ncalls++;
    in->call.nargs = 1;
    in->call.args = tl_xcalloc(1, sizeof *in->call.args);
    in->call.args[0] = tl_expr_var(x);
    tl_block_add_succ(&f, 1, 2);
    in = tl_block_add_instr(&f.blocks[2], TL_I_ASSIGN);
    in->var = x;
    in->value = tl_expr_var(y);
    tl_block_add_succ(&f, 2, 3);
    f.blocks[1].cond = tl_expr_var(z); /* z: read by a branch condition only */
    tl_func_finish(&f);
    bool tracked[3] = {true, true, true};
    tl_liveness l;
    assert_true(tl_liveness_compute(&f, tracked, 100, false, &l));
    assert_false(tl_liveness_has(&l, 1, z));
    assert_false(tl_liveness_has(&l, 0, x));
    assert_true(tl_liveness_has(&l, 1, x));
    assert_false(tl_liveness_has(&l, 2, x));
    assert_true(tl_liveness_has(&l, 0, y));
    assert_true(tl_liveness_has(&l, 1, y));
    assert_true(tl_liveness_has(&l, 2, y));
    assert_false(tl_liveness_has(&l, 3, y));
    tl_liveness_free(&l);
    /* branch conditions as reads: z live up to block 1's condition */
    assert_true(tl_liveness_compute(&f, tracked, 100, true, &l));
    assert_true(tl_liveness_has(&l, 0, z) && tl_liveness_has(&l, 1, z));
    assert_false(tl_liveness_has(&l, 2, z));
    assert_true(tl_liveness_has(&l, 1, x) && !tl_liveness_has(&l, 2, x));
    tl_liveness_free(&l);
    /* more entries than allowed: it says so instead of growing */
    assert_false(tl_liveness_compute(&f, tracked, 3, false, &l));
    tl_liveness_free(&l);
    tl_func_free(&f);
}

/* A store reads its value and its target (`p->fd = x`): x = 5 in block 0,
 * the store in block 1: x and p are live into 1, and p (never assigned)
 * into 0 too; x is not live into 0, where it is assigned. */
static void test_liveness_store_reads(void **state) {
    (void)state;
    tl_func f;
    memset(&f, 0, sizeof f);
    int x = tl_func_add_var(&f, "x", TL_VAR_LOCAL), p = tl_func_add_var(&f, "p", TL_VAR_LOCAL);
    for (int b = 0; b < 3; b++) tl_func_add_block(&f);
    f.entry = 0;
    f.exit = 2;
    tl_instr *in = tl_block_add_instr(&f.blocks[0], TL_I_ASSIGN);
    in->var = x;
    in->value = tl_expr_const(5);
    tl_block_add_succ(&f, 0, 1);
    in = tl_block_add_instr(&f.blocks[1], TL_I_STORE);
    in->target = tl_expr_new(TL_E_MEMBER);
    in->target->arrow = true;
    tl_expr_add_kid(in->target, tl_expr_var(p));
    in->value = tl_expr_var(x);
    tl_block_add_succ(&f, 1, 2);
    tl_func_finish(&f);
    bool tracked[2] = {true, true};
    tl_liveness l;
    assert_true(tl_liveness_compute(&f, tracked, 100, false, &l));
    assert_false(tl_liveness_has(&l, 0, x));
    assert_true(tl_liveness_has(&l, 1, x));
    assert_true(tl_liveness_has(&l, 0, p));
    assert_true(tl_liveness_has(&l, 1, p));
    assert_false(tl_liveness_has(&l, 2, p));
    tl_liveness_free(&l);
    tl_func_free(&f);
}

/* 3000 blocks, each declaring its own local that is assigned a constant
 * and passed to a call: every call sees its own constant, though no block
 * state ever holds more than a couple of variables (the dense states held
 * 3000 x 3000 values). */
static void test_many_locals_each_used(void **state) {
    (void)state;
    enum { N = 3000 };
    tl_func f;
    memset(&f, 0, sizeof f);
    f.entry = tl_func_add_block(&f);
    f.exit = tl_func_add_block(&f);
    f.blocks[f.exit].term = TL_T_EXIT;
    int prev = f.entry;
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        int v = tl_func_add_var(&f, name, TL_VAR_LOCAL);
        int b = tl_func_add_block(&f);
        tl_block_add_succ(&f, prev, b);
        tl_instr *in = tl_block_add_instr(&f.blocks[b], TL_I_ASSIGN);
        in->var = v;
        in->value = tl_expr_const(i);
        in = tl_block_add_instr(&f.blocks[b], TL_I_CALL);
        in->call.id = f.ncalls++;
        in->call.nargs = 1;
        in->call.args = tl_xcalloc(1, sizeof *in->call.args);
        in->call.args[0] = tl_expr_var(v);
        prev = b;
    }
    tl_block_add_succ(&f, prev, f.exit);
    tl_func_finish(&f);
    size_t n = (size_t)N * MAX_ARGS + 1;
    call_values got = {tl_xcalloc(n, sizeof(tl_cval)), tl_xcalloc(n, sizeof(bool)), 0, f.nvars};
    assert_int_equal(tl_constprop_run(&f, record, &got), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(got.argv[i * MAX_ARGS].kind, TL_CV_INT);
        assert_int_equal(got.argv[i * MAX_ARGS].v, i);
        assert_int_equal(got.argv[i * MAX_ARGS].via_var, i);
    }
    bool *tracked = tl_xcalloc(N, sizeof(bool));
    for (int v = 0; v < N; v++) tracked[v] = true;
    tl_liveness l;
    assert_true(tl_liveness_compute(&f, tracked, 10 * N, false, &l));
    for (int b = 0; b < f.nblocks; b++) assert_true(l.start[b + 1] - l.start[b] <= 1);
    tl_liveness_free(&l);
    free(tracked);
    free(got.argv);
    free(got.reached);
    tl_func_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_values_as_dense_reference),
        cmocka_unit_test(test_liveness_lists),
        cmocka_unit_test(test_liveness_store_reads),
        cmocka_unit_test(test_many_locals_each_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
