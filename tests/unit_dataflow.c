/* unit_dataflow.c - the generic forward solver on hand-built CFGs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataflow/dataflow.h"
#include "ir/ir.h"

/* ---- a "may be assigned" lattice: one bit per variable, union join.
 * The bits live on the heap so copy/destroy are exercised under ASan. ---- */
typedef struct {
    uint32_t *bits; /* NULL = bottom (unreached) */
} bitstate;

typedef struct {
    int transfers;      /* transfer calls */
    int infeasible_blk; /* branch block whose false edge is infeasible, -1 none */
} bitctx;

static void bs_bottom(void *ctx, void *st) { ((bitstate *)st)->bits = NULL; }
static void bs_entry(void *ctx, void *st)
{
    bitstate *s = st;
    s->bits = calloc(1, sizeof *s->bits);
}
static void bs_copy(void *ctx, void *dst, const void *src)
{
    bitstate *d = dst;
    const bitstate *s = src;
    if (!s->bits) {
        free(d->bits);
        d->bits = NULL;
        return;
    }
    if (!d->bits)
        d->bits = calloc(1, sizeof *d->bits);
    *d->bits = *s->bits;
}
static bool bs_join(void *ctx, void *dst, const void *src)
{
    bitstate *d = dst;
    const bitstate *s = src;
    if (!s->bits)
        return false;
    if (!d->bits) {
        bs_copy(ctx, dst, src);
        return true;
    }
    uint32_t old = *d->bits;
    *d->bits |= *s->bits;
    return *d->bits != old;
}
static void bs_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i)
{
    bitctx *c = ctx;
    bitstate *s = st;
    c->transfers++;
    if (s->bits && b->instrs[i].kind == TL_I_ASSIGN)
        *s->bits |= 1u << b->instrs[i].var;
}
static bool bs_edge(void *ctx, void *st, const tl_func *f, const tl_block *b, int s)
{
    bitctx *c = ctx;
    /* a branch on the constant 1: the false edge cannot be taken */
    if (b->term == TL_T_BRANCH && b->cond && b->cond->kind == TL_E_CONST && s == 1)
        return b->cond->ival == 0;
    if (b->id == c->infeasible_blk && s == 1)
        return false;
    return true;
}
static void bs_destroy(void *ctx, void *st)
{
    bitstate *s = st;
    free(s->bits);
    s->bits = NULL;
}

static const tl_dataflow_ops bit_ops = {
    .state_size = sizeof(bitstate),
    .init_entry = bs_entry,
    .init_bottom = bs_bottom,
    .copy = bs_copy,
    .join = bs_join,
    .transfer = bs_transfer,
    .transfer_edge = bs_edge,
    .destroy = bs_destroy,
};

static uint32_t in_bits(const tl_dataflow_result *r, int b)
{
    const bitstate *s = tl_dataflow_in(r, b);
    assert_non_null(s);
    return s->bits ? *s->bits : 0xdeadu;
}

static void assign(tl_func *f, int b, int var)
{
    tl_instr *in = tl_block_add_instr(&f->blocks[b], TL_I_ASSIGN);
    in->var = var;
    in->value = tl_expr_const(1);
}

static void branch(tl_func *f, int b, tl_expr *cond, int t, int e)
{
    f->blocks[b].term = TL_T_BRANCH;
    f->blocks[b].cond = cond;
    tl_block_add_succ(f, b, t);
    tl_block_add_succ(f, b, e);
}

static void go_to(tl_func *f, int b, int t)
{
    f->blocks[b].term = TL_T_GOTO;
    tl_block_add_succ(f, b, t);
}

static void new_func(tl_func *f, int nvars, int nblocks)
{
    memset(f, 0, sizeof *f);
    f->name = strdup("f");
    for (int i = 0; i < nvars; i++) {
        char name[8] = {'v', (char)('0' + i), 0};
        tl_func_add_var(f, name, TL_VAR_LOCAL);
    }
    for (int i = 0; i < nblocks; i++)
        tl_func_add_block(f);
    f->entry = 0;
    f->exit = nblocks - 1;
    f->blocks[nblocks - 1].term = TL_T_EXIT;
}

/* 0 -> {1, 2} -> 3 -> 4(exit) */
static void test_diamond(void **st)
{
    tl_func f;
    new_func(&f, 3, 5);
    assign(&f, 0, 2);
    branch(&f, 0, tl_expr_var(0), 1, 2);
    assign(&f, 1, 0);
    go_to(&f, 1, 3);
    assign(&f, 2, 1);
    go_to(&f, 2, 3);
    go_to(&f, 3, 4);
    tl_func_finish(&f);

    bitctx c = {0, -1};
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &r), 0);
    assert_int_equal(r.nblocks, 5);
    for (int b = 0; b < 5; b++)
        assert_true(r.reached[b]);
    assert_int_equal(in_bits(&r, 0), 0);
    assert_int_equal(in_bits(&r, 1), 4);
    assert_int_equal(in_bits(&r, 2), 4);
    assert_int_equal(in_bits(&r, 3), 7);
    assert_int_equal(in_bits(&r, 4), 7);
    /* RPO: every block visited exactly once in an acyclic graph */
    assert_int_equal(c.transfers, 3);

    /* replay: state before / after block 1's assignment */
    bitstate s;
    bs_bottom(&c, &s);
    tl_dataflow_replay(&r, &f, 1, 0, &s);
    assert_int_equal(*s.bits, 4);
    tl_dataflow_replay(&r, &f, 1, 1, &s);
    assert_int_equal(*s.bits, 5);
    tl_dataflow_replay(&r, &f, 1, 99, &s); /* clamped */
    assert_int_equal(*s.bits, 5);
    bs_destroy(&c, &s);

    tl_dataflow_free(&r);
    tl_func_free(&f);
}

/* 0 -> 1(head) -> {2(body) -> 3 -> 1, 4} -> 5(exit); the body assigns v1, the
 * latch v2: both reach the loop head and the exit. */
static void test_loop(void **st)
{
    tl_func f;
    new_func(&f, 3, 6);
    assign(&f, 0, 0);
    go_to(&f, 0, 1);
    branch(&f, 1, tl_expr_var(0), 2, 4);
    assign(&f, 2, 1);
    go_to(&f, 2, 3);
    assign(&f, 3, 2);
    go_to(&f, 3, 1);
    go_to(&f, 4, 5);
    tl_func_finish(&f);

    bitctx c = {0, -1};
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &r), 0);
    assert_int_equal(in_bits(&r, 1), 7);
    assert_int_equal(in_bits(&r, 2), 7);
    assert_int_equal(in_bits(&r, 3), 7);
    assert_int_equal(in_bits(&r, 4), 7);
    assert_int_equal(in_bits(&r, 5), 7);
    for (int b = 0; b < 6; b++)
        assert_true(r.reached[b]);
    tl_dataflow_free(&r);
    tl_func_free(&f);
}

/* Block 2 has no predecessor (code after a return): stays bottom. */
static void test_unreachable(void **st)
{
    tl_func f;
    new_func(&f, 2, 4);
    assign(&f, 0, 0);
    go_to(&f, 0, 1);
    go_to(&f, 1, 3);
    assign(&f, 2, 1);
    go_to(&f, 2, 3);
    tl_func_finish(&f);

    bitctx c = {0, -1};
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &r), 0);
    assert_true(r.reached[0]);
    assert_true(r.reached[1]);
    assert_false(r.reached[2]);
    assert_true(r.reached[3]);
    const bitstate *s2 = tl_dataflow_in(&r, 2);
    assert_null(s2->bits);                 /* bottom */
    assert_int_equal(in_bits(&r, 3), 1);   /* v1 from the dead block not joined */
    assert_null(tl_dataflow_in(&r, 4));
    assert_null(tl_dataflow_in(&r, -1));
    tl_dataflow_free(&r);
    tl_func_free(&f);
}

/* if (1) {v1} else {v2}: the false edge is infeasible, block 2 is never
 * reached and v2 never flows to the merge. */
static void test_infeasible_edge(void **st)
{
    tl_func f;
    new_func(&f, 3, 4);
    branch(&f, 0, tl_expr_const(1), 1, 2);
    assign(&f, 1, 1);
    go_to(&f, 1, 3);
    assign(&f, 2, 2);
    go_to(&f, 2, 3);
    tl_func_finish(&f);

    bitctx c = {0, -1};
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &r), 0);
    assert_true(r.reached[1]);
    assert_false(r.reached[2]);
    assert_int_equal(in_bits(&r, 3), 2);
    tl_dataflow_free(&r);

    /* a loop exit declared infeasible: the exit is unreached */
    tl_func g;
    new_func(&g, 1, 3);
    go_to(&g, 0, 1);
    branch(&g, 1, tl_expr_var(0), 1, 2);
    tl_func_finish(&g);
    bitctx c2 = {0, 1};
    assert_int_equal(tl_dataflow_forward(&g, &bit_ops, &c2, &r), 0);
    assert_true(r.reached[1]);
    assert_false(r.reached[2]);
    tl_dataflow_free(&r);

    tl_func_free(&g);
    tl_func_free(&f);
}

/* A switch with two cases on the same target and a default. */
static void test_switch_and_multi_edges(void **st)
{
    tl_func f;
    new_func(&f, 3, 4);
    f.blocks[0].term = TL_T_SWITCH;
    f.blocks[0].cond = tl_expr_var(0);
    f.blocks[0].case_values = malloc(2 * sizeof(int64_t));
    f.blocks[0].case_values[0] = 1;
    f.blocks[0].case_values[1] = 2;
    tl_block_add_succ(&f, 0, 1);
    tl_block_add_succ(&f, 0, 1);
    tl_block_add_succ(&f, 0, 2);
    assign(&f, 1, 1);
    go_to(&f, 1, 3);
    assign(&f, 2, 2);
    go_to(&f, 2, 3);
    tl_func_finish(&f);
    bitctx c = {0, -1};
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &r), 0);
    assert_int_equal(in_bits(&r, 3), 6);
    tl_dataflow_free(&r);
    tl_func_free(&f);
}

/* ---- a lattice with an infinite ascending chain: a counter that each
 * loop iteration increments; the solver must give up. ---- */
static void cnt_bottom(void *ctx, void *st) { *(long *)st = -1; }
static void cnt_entry(void *ctx, void *st) { *(long *)st = 0; }
static void cnt_copy(void *ctx, void *d, const void *s) { *(long *)d = *(const long *)s; }
static bool cnt_join(void *ctx, void *d, const void *s)
{
    if (*(const long *)s > *(long *)d) {
        *(long *)d = *(const long *)s;
        return true;
    }
    return false;
}
static void cnt_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i)
{
    (*(long *)st)++;
}
static const tl_dataflow_ops cnt_ops = {
    .state_size = sizeof(long),
    .init_entry = cnt_entry,
    .init_bottom = cnt_bottom,
    .copy = cnt_copy,
    .join = cnt_join,
    .transfer = cnt_transfer,
};

static void test_iteration_cap(void **st)
{
    tl_func f;
    new_func(&f, 1, 3);
    go_to(&f, 0, 1);
    assign(&f, 1, 0);
    branch(&f, 1, tl_expr_var(0), 1, 2);
    tl_func_finish(&f);
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &cnt_ops, NULL, &r), -1);
    /* what was computed so far is still there */
    assert_true(r.reached[1]);
    assert_true(*(long *)tl_dataflow_in(&r, 1) > 10);
    tl_dataflow_free(&r);
    tl_func_free(&f);
}

/* Empty function and out-of-range entry do not crash. */
static void test_degenerate(void **st)
{
    tl_func f;
    memset(&f, 0, sizeof f);
    tl_dataflow_result r;
    assert_int_equal(tl_dataflow_forward(&f, &cnt_ops, NULL, &r), 0);
    assert_int_equal(r.nblocks, 0);
    tl_dataflow_free(&r);
}

/* ---- branch facts (ops->split_by_facts) ---- */

static const tl_dataflow_ops split_ops = {
    .state_size = sizeof(bitstate),
    .init_entry = bs_entry,
    .init_bottom = bs_bottom,
    .copy = bs_copy,
    .join = bs_join,
    .transfer = bs_transfer,
    .transfer_edge = bs_edge,
    .destroy = bs_destroy,
    .split_by_facts = true,
};

/* 0: [extra] if (v0) -> 1 {v1 = 1} -> 2, else -> 2
 * 2: [kill: v0 = 1] if (v0) -> 3 {v2 = 1} -> 6, else -> 5 -> 6
 * 6 -> 7(exit).  `how`: 0 plain, 1 v0 written in 2, 2 &v0 taken in 0,
 * 3 the second test is `!v0` (edges swapped). */
static void corr_func(tl_func *f, int how)
{
    new_func(f, 3, 8);
    if (how == 2) {
        tl_instr *in = tl_block_add_instr(&f->blocks[0], TL_I_USE);
        tl_expr *addr = tl_expr_new(TL_E_ADDR);
        tl_expr_add_kid(addr, tl_expr_var(0));
        in->value = addr;
    }
    branch(f, 0, tl_expr_var(0), 1, 2);
    assign(f, 1, 1);
    go_to(f, 1, 2);
    if (how == 1)
        assign(f, 2, 0);
    if (how == 3) {
        tl_expr *not = tl_expr_new(TL_E_UNARY);
        strcpy(not->op, "!");
        tl_expr_add_kid(not, tl_expr_var(0));
        branch(f, 2, not, 5, 3);
    } else {
        branch(f, 2, tl_expr_var(0), 3, 5);
    }
    assign(f, 3, 2);
    go_to(f, 3, 6);
    go_to(f, 5, 6);
    go_to(f, 6, 7);
    tl_func_finish(f);
}

/* The same unmodified condition tested twice: its false edge never sees the
 * assignment made under its true edge; not so when the variable is written
 * in between or its address is taken. */
static void test_split_correlated(void **st)
{
    for (int how = 0; how < 4; how++) {
        tl_func f;
        corr_func(&f, how);
        bitctx c = {0, -1};
        tl_dataflow_result r;
        assert_int_equal(tl_dataflow_forward(&f, &split_ops, &c, &r), 0);
        uint32_t v1 = 2, v0 = how == 1 ? 1 : 0;
        if (how == 1 || how == 2)
            assert_int_equal(in_bits(&r, 5), v1 | v0); /* not correlated */
        else
            assert_int_equal(in_bits(&r, 5), 0);       /* v0 is zero: 1 never ran */
        assert_int_equal(in_bits(&r, 3), v1 | v0);     /* v0 non-zero: 1 ran */
        assert_int_equal(in_bits(&r, 6), v1 | v0 | 4);
        /* the plain solver joins both paths */
        tl_dataflow_result p;
        assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &p), 0);
        assert_int_equal(in_bits(&p, 5), v1 | v0);
        tl_dataflow_free(&p);
        tl_dataflow_free(&r);
        tl_func_free(&f);
    }
}

/* More fact sets than a block keeps (TL_DF_SPLIT): 12 flags tested twice
 * each, the pairs overlapping.  The solver terminates, stays within the
 * plain solver's states (sound: a subset of the join of all paths), and
 * still separates the last pair. */
static void test_split_overflow(void **st)
{
    enum { NF = 12 };
    tl_func f;
    /* vars: flags 0..NF-1, marks NF..2NF-1 (bitstate holds 32 bits) */
    memset(&f, 0, sizeof f);
    f.name = strdup("g");
    for (int i = 0; i < 2 * NF; i++) {
        char name[8];
        snprintf(name, sizeof name, "v%d", i);
        tl_func_add_var(&f, name, TL_VAR_PARAM);
    }
    /* per flag i: block a_i: if (f_i) -> m_i {mark_i = 1} -> t_i, else -> t_i;
       later block t'_i: if (f_i) -> ... so: first all NF tests, then all NF
       second tests, each second test leading to a check block c_i (false) */
    int nb = 0;
    int first[NF], mark[NF], second[NF], check[NF];
    for (int i = 0; i < NF; i++) {
        first[i] = nb++;
        mark[i] = nb++;
    }
    for (int i = 0; i < NF; i++) {
        second[i] = nb++;
        check[i] = nb++;
    }
    int exitb = nb++;
    for (int i = 0; i < nb; i++)
        tl_func_add_block(&f);
    f.entry = first[0];
    f.exit = exitb;
    f.blocks[exitb].term = TL_T_EXIT;
    for (int i = 0; i < NF; i++) {
        int after = i + 1 < NF ? first[i + 1] : second[0];
        branch(&f, first[i], tl_expr_var(i), mark[i], after);
        assign(&f, mark[i], NF + i);
        go_to(&f, mark[i], after);
        int next = i + 1 < NF ? second[i + 1] : exitb;
        branch(&f, second[i], tl_expr_var(i), next, check[i]);
        go_to(&f, check[i], next);
    }
    tl_func_finish(&f);
    bitctx c = {0, -1};
    tl_dataflow_result r, p;
    assert_int_equal(tl_dataflow_forward(&f, &split_ops, &c, &r), 0);
    assert_int_equal(tl_dataflow_forward(&f, &bit_ops, &c, &p), 0);
    for (int b = 0; b < nb; b++) {
        assert_int_equal(r.reached[b], p.reached[b]);
        assert_int_equal(in_bits(&r, b) & ~in_bits(&p, b), 0);
    }
    /* the last flag's false edge: its mark was never assigned there */
    assert_int_equal(in_bits(&r, check[NF - 1]) & (1u << (2 * NF - 1)), 0);
    assert_int_not_equal(in_bits(&p, check[NF - 1]) & (1u << (2 * NF - 1)), 0);
    tl_dataflow_free(&r);
    tl_dataflow_free(&p);
    tl_func_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diamond),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_infeasible_edge),
        cmocka_unit_test(test_switch_and_multi_edges),
        cmocka_unit_test(test_iteration_cap),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_split_correlated),
        cmocka_unit_test(test_split_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
