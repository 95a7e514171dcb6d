/* unit_loop_trips.c - counted loops (dataflow/loop_trips.c) and the fill of
 * buffered channels they solve (dataflow/chan_fill.c), on real C parsed by
 * libclang from in-memory sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow/analysis.h"
#include "dataflow/loop_trips.h"
#include "frontend/frontend.h"

static const char models_yaml[] =
    "library: testlib\n"
    "functions:\n"
    "  mk: {channel_buffer: {arg: 0}}\n"
    "  put: {wait: {kind: task, object_arg: 0}, channel_put: {arg: 0}}\n"
    "  take: {wait: {kind: task, object_arg: 0}, channel_take: {arg: 0}}\n"
    "  done: {channel_done: {arg: 0}}\n"
    "  peek: {nonblocking: true}\n"
    "  yield_to: {cooperative: true}\n";

static const char prelude[] =
    "typedef struct chan *chan;\n"
    "chan mk(long n); void put(chan c, int v); int take(chan c); void done(chan c); int peek(chan c);\n"
    "void use(int x); void touch(int *p); int more(void); void share(chan c); void yield_to(chan c);\n";

typedef struct {
    CXIndex index;
    CXTranslationUnit ctu;
    tl_model_set models;
    tl_tu tu;
    tl_analysis an;
} fixture;

static fixture *parse(const char *body) {
    fixture *fx = calloc(1, sizeof *fx);
    size_t len = strlen(prelude) + strlen(body) + 1;
    char *src = malloc(len);
    snprintf(src, len, "%s%s", prelude, body);
    struct CXUnsavedFile uf = {"/virtual/test.c", src, (unsigned long)strlen(src)};
    const char *args[] = {"-std=gnu11"};
    fx->index = clang_createIndex(0, 0);
    assert_int_equal(clang_parseTranslationUnit2(fx->index, "/virtual/test.c", args, 1, &uf, 1,
                                                 CXTranslationUnit_KeepGoing, &fx->ctu),
                     CXError_Success);
    for (unsigned i = 0; i < clang_getNumDiagnostics(fx->ctu); i++) {
        CXDiagnostic d = clang_getDiagnostic(fx->ctu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            CXString s = clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions());
            fail_msg("clang error: %s", clang_getCString(s));
        }
        clang_disposeDiagnostic(d);
    }
    tl_models_init(&fx->models);
    tl_model_error err;
    assert_int_equal(tl_models_load_text(&fx->models, models_yaml, strlen(models_yaml), "test", &err), 0);
    tl_models_finish(&fx->models);
    assert_int_equal(tl_frontend_lower(fx->ctu, &fx->models, &fx->tu), 0);
    assert_int_equal(tl_analysis_run(&fx->tu, &fx->models, TL_PROFILE_DEFAULT, &fx->an), 0);
    free(src);
    return fx;
}

static void release(fixture *fx) {
    tl_analysis_free(&fx->an);
    tl_tu_free(&fx->tu);
    tl_models_free(&fx->models);
    clang_disposeTranslationUnit(fx->ctu);
    clang_disposeIndex(fx->index);
    free(fx);
}

static const tl_func *func(const fixture *fx, const char *name) {
    for (int i = 0; i < fx->tu.nfuncs; i++)
        if (strcmp(fx->tu.funcs[i].name, name) == 0) return &fx->tu.funcs[i];
    fail_msg("no function %s", name);
    return NULL;
}

static int var_index(const tl_func *f, const char *name) {
    for (int v = 0; v < f->nvars; v++)
        if (f->vars[v].name && strcmp(f->vars[v].name, name) == 0) return v;
    fail_msg("no variable %s", name);
    return -1;
}

/* The counted loops of fn (at most 4): their trips, -1 for a symbolic one. */
static int trips_of(const fixture *fx, const char *fn, int64_t *trips, int *bound) {
    tl_loop_trips lt;
    const tl_func *f = func(fx, fn);
    tl_loop_trips_find(f, &lt, NULL, NULL);
    int n = lt.nloops;
    for (int i = 0; i < n && i < 4; i++) {
        trips[i] = lt.loops[i].trips;
        bound[i] = lt.loops[i].bound_var;
        /* the loop's blocks, header first, each after its predecessors */
        assert_int_equal(lt.loops[i].order[0], lt.loops[i].header);
        for (int k = 0; k < lt.loops[i].norder; k++) assert_int_equal(lt.loop_of[lt.loops[i].order[k]], i);
    }
    tl_loop_trips_free(&lt);
    return n;
}

static void test_constant_trips(void **state) {
    (void)state;
    fixture *fx = parse("void up(void) { for (int i = 0; i < 8; i++) use(i); }\n"
                        "void down(void) { int c; for (c = '9'; c >= '0'; --c) use(c); }\n"
                        "void incl(void) { int i = 0; while (i <= 3) { use(i); i += 1; } }\n"
                        "void ne(void) { for (int i = 2; i != 7; i = i + 1) use(i); }\n"
                        "void gt(void) { for (int i = 10; 0 < i; i--) use(i); }\n"
                        "void never(void) { for (int i = 5; i < 3; i++) use(i); }\n"
                        "void breaks(void) { for (int i = 0; i < 4; i++) { if (more()) break; use(i); } }\n");
    int64_t t[4];
    int b[4];
    assert_int_equal(trips_of(fx, "up", t, b), 1);
    assert_int_equal(t[0], 8);
    assert_int_equal(b[0], -1);
    assert_int_equal(trips_of(fx, "down", t, b), 1);
    assert_int_equal(t[0], 10);
    assert_int_equal(trips_of(fx, "incl", t, b), 1);
    assert_int_equal(t[0], 4);
    assert_int_equal(trips_of(fx, "ne", t, b), 1);
    assert_int_equal(t[0], 5);
    assert_int_equal(trips_of(fx, "gt", t, b), 1);
    assert_int_equal(t[0], 10);
    assert_int_equal(trips_of(fx, "never", t, b), 1);
    assert_int_equal(t[0], 0);
    assert_int_equal(trips_of(fx, "breaks", t, b), 1); /* at most 4 passes */
    assert_int_equal(t[0], 4);
    release(fx);
}

static void test_symbolic_trips(void **state) {
    (void)state;
    fixture *fx = parse("void sym(int n) { for (int i = 0; i != n; ++i) use(i); }\n"
                        "void sym_le(long count) { long i; for (i = 1; i <= count; i++) use(i); }\n"
                        "void once(void) { int n = more(); for (int i = 0; i < n; i++) use(i); }\n"
                        "void changes(int n) { for (int i = 0; i < n; i++) { use(i); n = more(); } }\n"
                        "void down_sym(int n) { for (int i = 9; i > n; i--) use(i); }\n");
    int64_t t[4];
    int b[4];
    assert_int_equal(trips_of(fx, "sym", t, b), 1);
    assert_int_equal(b[0], var_index(func(fx, "sym"), "n"));
    assert_int_equal(t[0], 0);
    assert_int_equal(trips_of(fx, "sym_le", t, b), 1);
    assert_int_equal(b[0], var_index(func(fx, "sym_le"), "count"));
    assert_int_equal(t[0], 0); /* count - 1 + 1 */
    assert_int_equal(trips_of(fx, "once", t, b), 1);
    assert_int_equal(b[0], var_index(func(fx, "once"), "n"));
    assert_int_equal(trips_of(fx, "changes", t, b), 0);   /* the bound is assigned in the loop */
    assert_int_equal(trips_of(fx, "down_sym", t, b), 0);  /* counting down to a variable */
    release(fx);
}

static void test_not_counted(void **state) {
    (void)state;
    fixture *fx = parse(
        "void cont(void) { int i = 0; while (i < 8) { if (more()) { i++; continue; } use(i); i++; } }\n"
        "void moved(void) { for (int i = 0; i < 8; i++) { use(i); if (more()) i = 0; } }\n"
        "void nested(void) { for (int i = 0; i < 8; i++) for (int j = 0; j < 2; j++) use(j); }\n"
        "void addr(void) { for (int i = 0; i < 8; i++) touch(&i); }\n"
        "void equal(void) { int i = 0; while (!(i == 4)) { use(i); i++; } }\n"
        "void step2(void) { for (int i = 0; i < 8; i += 2) use(i); }\n"
        "void away(void) { for (int i = 0; i != 8; i--) use(i); }\n"
        "void called(void) { for (int i = 0; i < more(); i++) use(i); }\n"
        "void unknown_start(int s) { for (int i = s; i < 8; i++) use(i); }\n"
        "void global_counter(void);\n"
        "int g; void global_counter(void) { for (g = 0; g < 8; g++) use(g); }\n");
    int64_t t[4];
    int b[4];
    const char *names[] = {"cont", "moved", "nested", "addr", "equal", "step2", "away", "called",
                           "unknown_start", "global_counter"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (trips_of(fx, names[i], t, b) != 0) fail_msg("%s: counted", names[i]);
    release(fx);
}

/* The first call to `callee` in fn whose argument... (the k-th such call). */
static const tl_call_facts *nth_call(const fixture *fx, const char *fn, const char *callee, int k) {
    const tl_func *f = func(fx, fn);
    const tl_func_facts *ff = &fx->an.funcs[f - fx->tu.funcs];
    int seen = 0;
    for (int b = 0; b < f->nblocks; b++) /* (in block order: the source order here) */
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if (in->kind == TL_I_CALL && in->call.callee && strcmp(in->call.callee, callee) == 0 && seen++ == k)
                return &ff->calls[in->call.id];
        }
    fail_msg("no call %d to %s in %s", k, callee, fn);
    return NULL;
}

static void test_chan_fill(void **state) {
    (void)state;
    fixture *fx = parse("int fill(long n) {\n"
                        "  chan c = mk(n);\n"
                        "  for (long i = 0; i < n; i++) put(c, 1);\n"
                        "  int s = 0;\n"
                        "  for (long i = 0; i < n; i++) s += take(c);\n"
                        "  return s + take(c);\n"
                        "}\n"
                        "int two(void) {\n"
                        "  chan c = mk(2);\n"
                        "  put(c, 1); put(c, 2); put(c, 3);\n"
                        "  if (!peek(c)) take(c);\n"
                        "  done(c);\n"
                        "  return take(c);\n"
                        "}\n"
                        "int copied(void) { chan c = mk(2); chan d = c; put(d, 1); put(c, 1); return 0; }\n"
                        "int looped(void) { chan c = mk(2); while (more()) put(c, 1); take(c); return 0; }\n"
                        "int handed(void) { chan c = mk(2); share(c); put(c, 1); return 0; }\n"
                        "int switched(void) { chan c = mk(2); yield_to(c); put(c, 1); return 0; }\n");
    assert_true(nth_call(fx, "fill", "put", 0)->chan_ready);
    assert_true(nth_call(fx, "fill", "take", 0)->chan_ready);
    assert_false(nth_call(fx, "fill", "take", 1)->chan_ready); /* one more than was put */
    assert_true(nth_call(fx, "two", "put", 0)->chan_ready);
    assert_true(nth_call(fx, "two", "put", 1)->chan_ready);
    assert_false(nth_call(fx, "two", "put", 2)->chan_ready); /* no room left */
    assert_true(nth_call(fx, "two", "take", 0)->chan_ready);
    assert_true(nth_call(fx, "two", "take", 1)->chan_ready); /* after done() */
    assert_false(nth_call(fx, "copied", "put", 0)->chan_ready); /* another name for it */
    assert_false(nth_call(fx, "copied", "put", 1)->chan_ready);
    assert_false(nth_call(fx, "looped", "put", 0)->chan_ready); /* no trip count */
    assert_false(nth_call(fx, "looped", "take", 0)->chan_ready);
    assert_false(nth_call(fx, "handed", "put", 0)->chan_ready);   /* unmodelled code may use it */
    assert_false(nth_call(fx, "switched", "put", 0)->chan_ready); /* a model that may wait */
    release(fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_trips),
        cmocka_unit_test(test_symbolic_trips),
        cmocka_unit_test(test_not_counted),
        cmocka_unit_test(test_chan_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
