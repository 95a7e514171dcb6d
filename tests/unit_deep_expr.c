/* unit_deep_expr.c - the front end's depth limit on expressions
 * (MAX_EXPR_DEPTH in cfg_internal.h): a machine-made expression of 50,000
 * terms is lowered without exhausting the stack (this test runs on the
 * main thread's stack, smaller than a worker's), the part past the limit
 * becomes one opaque value counted in tl_func.opaque_deep_exprs, and the
 * rest of the function is lowered and analysed as usual. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataflow/analysis.h"
#include "frontend/frontend.h"

static const char models_yaml[] = "library: testlib\n"
                                  "functions:\n"
                                  "  sleep:\n"
                                  "    blocking: true\n";

typedef struct {
    CXIndex index;
    CXTranslationUnit ctu;
    tl_model_set models;
    tl_tu tu;
    tl_analysis an;
} lowered;

/* "unsigned sleep(unsigned); int f(int x) { <stmt> sleep(1); return x; }" */
static lowered *lower_source(const char *stmt) {
    static const char head[] = "unsigned sleep(unsigned s);\nint f(int x) {\n    ";
    static const char tail[] = "\n    sleep(1);\n    return x;\n}\n";
    size_t len = strlen(head) + strlen(stmt) + strlen(tail) + 1;
    char *src = malloc(len);
    assert_non_null(src);
    snprintf(src, len, "%s%s%s", head, stmt, tail);
    lowered *lw = calloc(1, sizeof *lw);
    assert_non_null(lw);
    struct CXUnsavedFile uf = {"/virtual/deep.c", src, (unsigned long)strlen(src)};
    const char *args[] = {"-std=gnu11", "-w"};
    lw->index = clang_createIndex(0, 0);
    assert_int_equal(clang_parseTranslationUnit2(lw->index, "/virtual/deep.c", args, 2, &uf, 1,
                                                 CXTranslationUnit_KeepGoing, &lw->ctu),
                     CXError_Success);
    for (unsigned i = 0; i < clang_getNumDiagnostics(lw->ctu); i++) {
        CXDiagnostic d = clang_getDiagnostic(lw->ctu, i);
        assert_true(clang_getDiagnosticSeverity(d) < CXDiagnostic_Error);
        clang_disposeDiagnostic(d);
    }
    tl_models_init(&lw->models);
    tl_model_error err;
    assert_int_equal(tl_models_load_text(&lw->models, models_yaml, strlen(models_yaml), "t", &err), 0);
    tl_models_finish(&lw->models);
    assert_int_equal(tl_frontend_lower(lw->ctu, &lw->models, &lw->tu), 0);
    assert_int_equal(tl_analysis_run(&lw->tu, &lw->models, TL_PROFILE_DEFAULT, &lw->an), 0);
    free(src);
    return lw;
}

static void release(lowered *lw) {
    tl_analysis_free(&lw->an);
    tl_tu_free(&lw->tu);
    tl_models_free(&lw->models);
    clang_disposeTranslationUnit(lw->ctu);
    clang_disposeIndex(lw->index);
    free(lw);
}

/* "<first><op><term><op><term>..." with n terms in all */
static char *chain(const char *first, const char *op_term, int n) {
    size_t len = strlen(first) + (size_t)n * strlen(op_term) + 2;
    char *s = malloc(len);
    assert_non_null(s);
    char *p = s + sprintf(s, "%s", first);
    for (int i = 1; i < n; i++) p += sprintf(p, "%s", op_term);
    return s;
}

/* The calls to `callee` lowered in function 0. */
static int calls_to(const lowered *lw, const char *callee) {
    const tl_func *f = &lw->tu.funcs[0];
    int n = 0;
    for (int i = 0; i < f->nblocks; i++)
        for (int k = 0; k < f->blocks[i].ninstrs; k++) {
            const tl_instr *in = &f->blocks[i].instrs[k];
            if (in->kind == TL_I_CALL && in->call.callee && !strcmp(in->call.callee, callee)) n++;
        }
    return n;
}

static void test_long_sum_is_cut_once(void **state) {
    (void)state;
    char *sum = chain("x = 1", " + 1", 50000);
    char *stmt = malloc(strlen(sum) + 2);
    sprintf(stmt, "%s;", sum);
    lowered *lw = lower_source(stmt);
    assert_int_equal(lw->tu.nfuncs, 1);
    /* cut at one level (the operands there), not once per term */
    assert_in_range(lw->tu.funcs[0].opaque_deep_exprs, 1, 4);
    /* what follows the expression is lowered and analysed */
    assert_int_equal(calls_to(lw, "sleep"), 1);
    release(lw);
    free(stmt);
    free(sum);
}

static void test_long_condition_is_cut(void **state) {
    (void)state;
    /* libclang itself runs out of stack on && chains of ~20,000 terms */
    char *cond = chain("if (x", " && x", 5000);
    char *stmt = malloc(strlen(cond) + 16);
    sprintf(stmt, "%s) x = 2;", cond);
    lowered *lw = lower_source(stmt);
    assert_in_range(lw->tu.funcs[0].opaque_deep_exprs, 1, 4);
    assert_int_equal(calls_to(lw, "sleep"), 1);
    release(lw);
    free(stmt);
    free(cond);
}

static void test_ordinary_expressions_are_not_cut(void **state) {
    (void)state;
    char *sum = chain("x = 1", " + sleep(1)", 500);
    char *stmt = malloc(strlen(sum) + 2);
    sprintf(stmt, "%s;", sum);
    lowered *lw = lower_source(stmt);
    assert_int_equal(lw->tu.funcs[0].opaque_deep_exprs, 0);
    assert_int_equal(calls_to(lw, "sleep"), 500); /* 499 in the sum, 1 after it */
    release(lw);
    free(stmt);
    free(sum);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_sum_is_cut_once),
        cmocka_unit_test(test_long_condition_is_cut),
        cmocka_unit_test(test_ordinary_expressions_are_not_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
