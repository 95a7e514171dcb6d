/* unit_frontend.c - tests of the CFG builder and of the per-TU analysis
 * (constant propagation, async contexts, blocking summaries) on real C
 * parsed by libclang from in-memory sources. */
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

static const char models_yaml[] =
    "library: testlib\n"
    "functions:\n"
    "  dill_prologue:\n"
    "    spawn: {handle: result, success: nonnegative, entry_before: dill_epilogue, owner_arg: 3,\n"
    "            no_owner_value: -1, context: coroutine, task: coroutine, awaited_by: any_wait}\n"
    "  poll:\n"
    "    wait: {timeout_arg: 2, forever: [negative], kind: loop, kind_if: {arg: 1, value: 1, kind: peer}}\n"
    "    blocking: {unless_zero: 2}\n"
    "  sleep:\n"
    "    blocking: true\n"
    "  reg_cb:\n"
    "    callback: {args: [1], context: loop}\n"
    "  thread_start:\n"
    "    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 1, context: thread, task: thread}\n"
    "  die:\n"
    "    noreturn: true\n"
    "  fast_sleep:\n"
    "    nonblocking: true\n"
    "  recv:\n"
    "    blocking: {fd_io: true, unless_flag: {arg: 3, mask: 0x40}}\n"
    "  reg_ready:\n"
    "    callback: {args: [1], context: loop, readiness: true}\n"
    "  lookup:\n"
    "    blocking: {unless_numeric_address: 1, unless_field_flag: {arg: 0, field: ai_flags, mask: 4}}\n";

static const char prelude[] =
    "#include <stddef.h>\n"
    "typedef struct { int x; } jmpbuf_t;\n"
    "int dill_prologue(jmpbuf_t **ctx, void **ptr, size_t len, int bndl, const char *file, int line);\n"
    "void dill_epilogue(void);\n"
    "int dill_setjmp(jmpbuf_t *b);\n"
    "#define go(fn) __extension__ ({ jmpbuf_t *dill_ctx__; void *dill_stk__ = NULL; \\\n"
    "  int dill_handle__ = dill_prologue(&dill_ctx__, &dill_stk__, 0, -1, __FILE__, __LINE__); \\\n"
    "  if (dill_handle__ >= 0) { if (!dill_setjmp(dill_ctx__)) { fn; dill_epilogue(); } } dill_handle__; })\n"
    "int poll(void *fds, unsigned long n, int timeout);\n"
    "unsigned sleep(unsigned s);\n"
    "void reg_cb(void *loop, void (*cb)(void *));\n"
    "int thread_start(unsigned long *t, void *(*fn)(void *));\n"
    "_Noreturn void die(int);\n"
    "void fast_sleep(void);\n"
    "long recv(int fd, void *buf, unsigned long n, int flags);\n"
    "void reg_ready(void *loop, void (*cb)(void *)); "
    "struct hints { int ai_family; int ai_flags; int *owner; }; int lookup(struct hints *h, const char *host);\n";

typedef struct {
    CXIndex index;
    CXTranslationUnit ctu;
    tl_model_set models;
    tl_tu tu;
    tl_analysis an;
} fixture;

/* Parse `body` after the prelude as /virtual/test.c; `header`, when given, is
 * /virtual/helper.h (include it with #include "helper.h"). */
static fixture *parse_with_header(const char *body, const char *header) {
    fixture *fx = calloc(1, sizeof *fx);
    size_t len = strlen(prelude) + strlen(body) + 1;
    char *src = malloc(len);
    snprintf(src, len, "%s%s", prelude, body);
    struct CXUnsavedFile uf[2] = {{"/virtual/test.c", src, (unsigned long)strlen(src)},
                                  {"/virtual/helper.h", header ? header : "", header ? strlen(header) : 0}};
    const char *args[] = {"-std=gnu11", "-I/virtual"};
    fx->index = clang_createIndex(0, 0);
    enum CXErrorCode ec = clang_parseTranslationUnit2(fx->index, "/virtual/test.c", args, 2, uf, header ? 2 : 1,
                                                      CXTranslationUnit_KeepGoing, &fx->ctu);
    assert_int_equal(ec, CXError_Success);
    unsigned ndiag = clang_getNumDiagnostics(fx->ctu);
    for (unsigned i = 0; i < ndiag; i++) {
        CXDiagnostic d = clang_getDiagnostic(fx->ctu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev >= CXDiagnostic_Error) {
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

static fixture *parse(const char *body) {
    return parse_with_header(body, NULL);
}

static void release(fixture *fx) {
    tl_analysis_free(&fx->an);
    tl_tu_free(&fx->tu);
    tl_models_free(&fx->models);
    clang_disposeTranslationUnit(fx->ctu);
    clang_disposeIndex(fx->index);
    free(fx);
}

static int func_index(const fixture *fx, const char *name) {
    for (int i = 0; i < fx->tu.nfuncs; i++)
        if (strcmp(fx->tu.funcs[i].name, name) == 0) return i;
    fail_msg("no function %s", name);
    return -1;
}

/* The first call to `callee` in function `fn`. */
static const tl_call_facts *call_to(const fixture *fx, const char *fn, const char *callee) {
    const tl_func_facts *ff = &fx->an.funcs[func_index(fx, fn)];
    for (int id = 0; id < ff->ncalls; id++)
        if (ff->calls[id].instr && ff->calls[id].instr->call.callee &&
            strcmp(ff->calls[id].instr->call.callee, callee) == 0)
            return &ff->calls[id];
    fail_msg("no call to %s in %s", callee, fn);
    return NULL;
}

static int count_terms(const tl_func *f, tl_term_kind k) {
    int n = 0;
    for (int i = 0; i < f->nblocks; i++)
        if (f->blocks[i].term == k && (f->blocks[i].ninstrs || f->blocks[i].npred || i == f->entry)) n++;
    return n;
}

/* every edge is mirrored by a pred entry */
static void assert_edges_consistent(const tl_func *f) {
    for (int i = 0; i < f->nblocks; i++)
        for (int s = 0; s < f->blocks[i].nsucc; s++) {
            const tl_block *t = &f->blocks[f->blocks[i].succ[s]];
            bool found = false;
            for (int p = 0; p < t->npred; p++)
                if (t->pred[p] == i) found = true;
            assert_true(found);
        }
}

static void test_if_else_and_returns(void **state) {
    (void)state;
    fixture *fx = parse("int f(int a) { if (a > 1) return 1; else if (a) a = 3; return a; }\n");
    const tl_func *f = &fx->tu.funcs[func_index(fx, "f")];
    assert_int_equal(count_terms(f, TL_T_BRANCH), 2);
    assert_edges_consistent(f);
    /* both returns (and no fall-off) reach exit */
    int returns = 0;
    for (int i = 0; i < f->nblocks; i++)
        for (int k = 0; k < f->blocks[i].ninstrs; k++)
            if (f->blocks[i].instrs[k].kind == TL_I_RETURN && f->blocks[i].npred) returns++;
    assert_int_equal(returns, 2);
    assert_true(f->blocks[f->exit].npred >= 2);
    release(fx);
}

static void test_short_circuit_and_conditional(void **state) {
    (void)state;
    fixture *fx = parse("int g(int a, int b) { if (a && (b || a > 2)) return 1; return a ? b : 3; }\n");
    const tl_func *f = &fx->tu.funcs[func_index(fx, "g")];
    /* a, b, a > 2 are three separate branches; ?: is one more */
    assert_int_equal(count_terms(f, TL_T_BRANCH), 4);
    assert_edges_consistent(f);
    release(fx);
}

static void test_loops_and_constant_conditions(void **state) {
    (void)state;
    fixture *fx = parse(
        "int h(int n) { int s = 0;\n"
        "  for (;;) { if (s > n) break; s++; }\n"
        "  for (int i = 0; i < n; i++) { if (i == 2) continue; s += i; }\n"
        "  do { s--; } while (0);\n"
        "  while (1) { if (s) return s; }\n"
        "}\n");
    const tl_func *f = &fx->tu.funcs[func_index(fx, "h")];
    /* for(;;), do-while(0) and while(1) add no branch of their own */
    assert_int_equal(count_terms(f, TL_T_BRANCH), 4);
    assert_edges_consistent(f);
    release(fx);
}

static void test_switch_and_goto(void **state) {
    (void)state;
    fixture *fx = parse(
        "enum { A = 1, B = 7 };\n"
        "int k(int x) { switch (x) { case A: x = 2; break; case B: case 9: return 3; default: goto out; }\n"
        "  x++;\n"
        "out:\n"
        "  return x; }\n");
    const tl_func *f = &fx->tu.funcs[func_index(fx, "k")];
    int sw = -1;
    for (int i = 0; i < f->nblocks; i++)
        if (f->blocks[i].term == TL_T_SWITCH) sw = i;
    assert_true(sw >= 0);
    assert_int_equal(f->blocks[sw].nsucc, 4); /* A, B, 9, default */
    assert_int_equal(f->blocks[sw].case_values[0], 1);
    assert_int_equal(f->blocks[sw].case_values[1], 7);
    assert_int_equal(f->blocks[sw].case_values[2], 9);
    assert_edges_consistent(f);
    release(fx);
}

/* A local struct's brace initializer becomes stores into the fields model
 * facets read (only those), and short string literals keep their text. */
static void test_field_inits_and_string_text(void **state) {
    (void)state;
    fixture *fx = parse("int q(const char *name, int *p) {\n"
                        "  struct hints h = {.ai_family = 2, .ai_flags = 4 | 1, .owner = p};\n"
                        "  struct hints g = {10, 0};\n"
                        "  int a = lookup(&h, \"127.0.0.1\");\n"
                        "  int b = lookup(&g, \"localhost\");\n"
                        "  return a + b + lookup(&g, name);\n"
                        "}\n");
    const tl_func *f = &fx->tu.funcs[func_index(fx, "q")];
    int stores = 0;
    for (int i = 0; i < f->nblocks; i++)
        for (int k = 0; k < f->blocks[i].ninstrs; k++) {
            const tl_instr *in = &f->blocks[i].instrs[k];
            if (in->kind != TL_I_STORE) continue;
            stores++;
            assert_int_equal(in->target->kind, TL_E_MEMBER);
            assert_string_equal(in->target->name, "ai_flags");
            assert_int_equal(in->value->kind, TL_E_CONST);
            assert_true(in->value->ival == 5 || in->value->ival == 0);
        }
    assert_int_equal(stores, 2);
    int calls = 0;
    for (int id = 0; id < fx->an.funcs[func_index(fx, "q")].ncalls; id++) {
        const tl_call_facts *cf = &fx->an.funcs[func_index(fx, "q")].calls[id];
        if (!cf->instr || strcmp(cf->instr->call.callee, "lookup") != 0) continue;
        const tl_expr *host = cf->instr->call.args[1];
        while (host->kind == TL_E_CAST) host = host->kids[0];
        if (calls == 0) {
            assert_int_equal(host->kind, TL_E_STRING);
            assert_string_equal(host->name, "\"127.0.0.1\"");
            assert_true(cf->field_flag);              /* h.ai_flags & 4 */
            assert_false(tl_call_is_blocking(cf));    /* and a numeric host */
        } else if (calls == 1) {
            assert_int_equal(host->kind, TL_E_STRING);
            assert_string_equal(host->name, "\"localhost\""); /* kept as a name (an option's) */
            assert_false(tl_expr_is_numeric_address(host));    /* but not an address */
            assert_false(cf->field_flag);             /* g.ai_flags == 0 */
            assert_true(tl_call_is_blocking(cf));
        } else {
            assert_true(tl_call_is_blocking(cf));
        }
        calls++;
    }
    assert_int_equal(calls, 3);
    release(fx);
}

static void test_go_expansion_marks_entry(void **state) {
    (void)state;
    fixture *fx = parse(
        "void worker(int x) { (void)x; }\n"
        "int hs[4]; struct st { int h; };\n"
        "int s(struct st *p) { int h = go(worker(1)); go(worker(2)); (void)go(worker(3));\n"
        "  hs[0] = go(worker(4)); p->h = go(worker(5)); return h; }\n");
    const tl_func *f = &fx->tu.funcs[func_index(fx, "s")];
    int entries = 0, discarded = 0, voided = 0;
    for (int i = 0; i < f->nblocks; i++)
        for (int k = 0; k < f->blocks[i].ninstrs; k++) {
            const tl_instr *in = &f->blocks[i].instrs[k];
            if (in->kind != TL_I_CALL) continue;
            if (in->call.is_spawn_entry) {
                entries++;
                assert_string_equal(in->call.callee, "worker");
                assert_true(in->call.spawn_call >= 0);
            }
            if (in->call.callee && !strcmp(in->call.callee, "dill_prologue")) {
                if (in->call.discarded) discarded++;
                if (in->call.void_cast) voided++;
                assert_non_null(in->call.text);
                assert_memory_equal(in->call.text, "go(worker(", 10);
                char name[32];
                assert_string_equal(tl_call_user_name(&in->call, name, sizeof name), "go");
            }
        }
    assert_int_equal(entries, 5);
    assert_int_equal(discarded, 2); /* the bare statement and the (void) one, not the stores */
    assert_int_equal(voided, 1);
    /* the coroutine entry is a coroutine context */
    assert_int_equal(fx->an.funcs[func_index(fx, "worker")].context.kind, TL_CTX_COROUTINE);
    release(fx);
}

static void test_constant_propagation(void **state) {
    (void)state;
    fixture *fx = parse(
        "#define FOREVER -1\n"
        "enum { NEVER = -1 };\n"
        "void a(void) { int t = FOREVER; poll(0, 1, t); }\n"
        "void b(void) { poll(0, 2, NEVER); }\n"
        "void c(int p) { poll(0, 1, p); }\n"
        "void d(int x) { int t = -1; if (x) t = 500; poll(0, 1, t); }\n"
        "void e(int x) { int t = -1; if (x) t = -1; poll(0, 1, t * 1); }\n"
        "void g(void) { int t = -1; int *p = &t; *p = 5; poll(0, 1, t); }\n");
    const tl_call_facts *cf = call_to(fx, "a", "poll");
    assert_int_equal(cf->argv[2].kind, TL_CV_INT);
    assert_int_equal(cf->argv[2].v, -1);
    assert_true(cf->argv[2].via_var >= 0);
    tl_wait_kind kind;
    assert_true(tl_call_waits_forever(cf, &kind));
    assert_int_equal(kind, TL_WAIT_PEER); /* nfds == 1 */

    cf = call_to(fx, "b", "poll");
    assert_true(tl_call_waits_forever(cf, &kind));
    assert_int_equal(kind, TL_WAIT_LOOP);

    cf = call_to(fx, "c", "poll");
    assert_int_equal(cf->argv[2].kind, TL_CV_UNKNOWN);
    assert_false(tl_call_waits_forever(cf, &kind));

    cf = call_to(fx, "d", "poll");
    assert_int_equal(cf->argv[2].kind, TL_CV_UNKNOWN);

    cf = call_to(fx, "e", "poll");
    assert_int_equal(cf->argv[2].kind, TL_CV_INT);
    assert_int_equal(cf->argv[2].v, -1);

    cf = call_to(fx, "g", "poll"); /* written through a pointer: not a constant */
    assert_int_equal(cf->argv[2].kind, TL_CV_UNKNOWN);
    release(fx);
}

static void test_blocking_conditions_and_chains(void **state) {
    (void)state;
    fixture *fx = parse(
        "static void leaf(void) { sleep(1); }\n"
        "static void mid(void) { leaf(); }\n"
        "static void quiet(void) { poll(0, 1, 0); fast_sleep(); }\n"
        "static void on_event(void *arg) { (void)arg; mid(); quiet(); }\n"
        "static void *thr(void *arg) { sleep(1); return arg; }\n"
        "void setup(void *loop) { unsigned long t; reg_cb(loop, on_event); thread_start(&t, thr); }\n"
        "void fatal(void) { die(1); sleep(2); }\n");
    const tl_func_facts *on_event = &fx->an.funcs[func_index(fx, "on_event")];
    assert_int_equal(on_event->context.kind, TL_CTX_LOOP_CALLBACK);
    assert_string_equal(on_event->context.via, "reg_cb");
    assert_true(on_event->blocks.may_block);
    assert_int_equal(on_event->blocks.next_func, func_index(fx, "mid"));
    assert_string_equal(on_event->blocks.blocking_callee, "sleep");
    assert_false(fx->an.funcs[func_index(fx, "quiet")].blocks.may_block); /* timeout 0 */
    assert_int_equal(fx->an.funcs[func_index(fx, "thr")].context.kind, TL_CTX_THREAD);
    /* sleep after a noreturn call is unreachable */
    assert_false(fx->an.funcs[func_index(fx, "fatal")].blocks.may_block);
    release(fx);
}

static void test_call_in_macro_argument(void **state) {
    (void)state;
    fixture *fx = parse(
        "#define CHECK(x) do { if ((x) != 0) die(1); } while (0)\n"
        "static void cb(void *a) { (void)a; }\n"
        "void setup(void *loop) {\n"
        "  CHECK(poll(loop,\n"
        "            1, -1));\n"
        "  reg_cb(loop, cb);\n"
        "}\n");
    const tl_call_facts *cf = call_to(fx, "setup", "poll");
    /* reported where poll is written (line 4 of the body + prelude), named poll */
    char name[32];
    assert_string_equal(tl_call_user_name(&cf->instr->call, name, sizeof name), "poll");
    assert_false(cf->instr->call.in_macro);
    assert_int_equal(cf->instr->loc.col, 9);
    assert_memory_equal(cf->instr->call.text, "poll(loop, 1, -1)", 17);
    release(fx);
}

static void test_readiness_callbacks(void **state) {
    (void)state;
    fixture *fx = parse(
        "static void rd(int fd) { char b[8]; recv(fd, b, 8, 0); }\n"
        "static void on_ready(void *a) { rd(*(int *)a); }\n"
        "static void on_timer(void *a) { rd(*(int *)a); }\n"
        "static void on_both(void *a) { rd(*(int *)a); }\n"
        "void setup(void *loop) { reg_ready(loop, on_ready); reg_cb(loop, on_timer);\n"
        "  reg_ready(loop, on_both); reg_cb(loop, on_both); }\n");
    const tl_func_facts *ready = &fx->an.funcs[func_index(fx, "on_ready")];
    assert_true(ready->context.readiness);
    assert_true(ready->blocks.may_block);                         /* in general */
    assert_false(tl_func_blocking(ready, true)->may_block);       /* once the fd is ready */
    assert_false(fx->an.funcs[func_index(fx, "on_timer")].context.readiness);
    assert_false(fx->an.funcs[func_index(fx, "on_both")].context.readiness); /* not always */
    release(fx);
}


/* The first call instruction of a function whose callee is NULL (indirect). */
static const tl_call *indirect_call(const tl_func *f) {
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind == TL_I_CALL && !in->call.callee) return &in->call;
        }
    return NULL;
}

static int count_stores(const tl_tu *tu, const char *slot, const char *fn) {
    int n = 0;
    for (int i = 0; i < tu->nstores; i++)
        if (strcmp(tu->stores[i].slot_name, slot) == 0 && strcmp(tu->stores[i].fn_name, fn) == 0) n++;
    return n;
}

/* A definition produced by a macro expansion belongs to the file that expands
 * the macro; functions carry USRs; static ones are file-qualified. */
static void test_macro_defined_functions_and_usrs(void **state) {
    (void)state;
    fixture *fx = parse("#define TEST_IMPL(name) int run_test_##name(void)\n"
                        "#define HANDLER(x) static void on_##x(void *p)\n"
                        "TEST_IMPL(timer) { sleep(1); return 0; }\n"
                        "HANDLER(read) { sleep(2); }\n"
                        "void plain(void) { run_test_timer(); }\n");
    int t = func_index(fx, "run_test_timer");
    int h = func_index(fx, "on_read");
    int p = func_index(fx, "plain");
    assert_non_null(fx->tu.funcs[t].usr);
    assert_string_equal(fx->tu.funcs[t].usr, "c:@F@run_test_timer");
    assert_true(fx->tu.funcs[h].is_static);
    assert_non_null(strstr(fx->tu.funcs[h].usr, "test.c"));
    /* reported where the user expands the macro */
    assert_int_equal(fx->tu.funcs[t].loc.line, 19);
    const tl_call_facts *cf = call_to(fx, "plain", "run_test_timer");
    assert_string_equal(cf->instr->call.callee_usr, "c:@F@run_test_timer");
    assert_int_equal(cf->instr->call.callee_func, t);
    assert_true(fx->an.funcs[p].blocks.may_block);
    release(fx);
}

/* Calls through a function-pointer field keep their callee expression with
 * the field's USR; function addresses stored into fields and globals, by
 * initializers (designated, positional, nested tables) and by assignments,
 * are recorded with their slots. */
static void test_field_calls_and_function_stores(void **state) {
    (void)state;
    fixture *fx = parse("struct ops { int id; void (*read)(void *); void (*write)(void *); };\n"
                        "struct cmd { const char *name; void (*proc)(void *); };\n"
                        "static void r1(void *p) { sleep(1); }\n"
                        "static void w1(void *p) { }\n"
                        "static void get_cmd(void *p) { }\n"
                        "static void set_cmd(void *p) { }\n"
                        "static struct ops file_ops = { .write = w1, .read = r1 };\n"
                        "static struct ops pos_ops = { 1, r1, w1 };\n"
                        "static struct cmd table[] = { {\"get\", get_cmd}, {\"set\", &set_cmd} };\n"
                        "void (*global_cb)(void *);\n"
                        "void setup(struct ops *o) { o->read = r1; global_cb = w1; }\n"
                        "void dispatch(struct ops *o, void *p) { o->read(p); }\n"
                        "void call_global(void *p) { global_cb(p); }\n");
    assert_int_equal(count_stores(&fx->tu, "read", "r1"), 3);
    assert_int_equal(count_stores(&fx->tu, "write", "w1"), 2);
    assert_int_equal(count_stores(&fx->tu, "proc", "get_cmd"), 1);
    assert_int_equal(count_stores(&fx->tu, "proc", "set_cmd"), 1);
    assert_int_equal(count_stores(&fx->tu, "global_cb", "w1"), 1);
    assert_int_equal(count_stores(&fx->tu, "write", "r1"), 0);
    const char *read_usr = NULL;
    for (int i = 0; i < fx->tu.nstores; i++)
        if (strcmp(fx->tu.stores[i].slot_name, "read") == 0) {
            if (read_usr) assert_string_equal(read_usr, fx->tu.stores[i].slot_usr);
            read_usr = fx->tu.stores[i].slot_usr;
        }
    const tl_call *c = indirect_call(&fx->tu.funcs[func_index(fx, "dispatch")]);
    assert_non_null(c);
    assert_non_null(c->fn);
    assert_int_equal(c->fn->kind, TL_E_MEMBER);
    assert_string_equal(c->fn->usr, read_usr);
    c = indirect_call(&fx->tu.funcs[func_index(fx, "call_global")]);
    assert_non_null(c);
    assert_int_equal(c->fn->kind, TL_E_VAR);
    const tl_func *cg = &fx->tu.funcs[func_index(fx, "call_global")];
    assert_string_equal(cg->vars[c->fn->var].usr, "c:@global_cb");
    release(fx);
}

/* Static functions of a project header are lowered and marked in_header;
 * the header's non-static declarations are not. */
static void test_header_static_functions(void **state) {
    (void)state;
    fixture *fx = parse_with_header("#include \"helper.h\"\n"
                                    "void use(void) { helper_wait(); }\n",
                                    "static inline void helper_wait(void) { sleep(3); }\n"
                                    "static inline int unused_inline(int x) { return x; }\n"
                                    "void declared_only(void);\n");
    int h = func_index(fx, "helper_wait");
    assert_true(fx->tu.funcs[h].in_header);
    assert_non_null(strstr(fx->tu.funcs[h].loc.file, "helper.h"));
    assert_false(fx->tu.funcs[func_index(fx, "use")].in_header);
    assert_true(fx->an.funcs[func_index(fx, "use")].blocks.may_block);
    /* a header function nothing in the TU uses is not this TU's concern */
    for (int i = 0; i < fx->tu.nfuncs; i++) assert_string_not_equal(fx->tu.funcs[i].name, "unused_inline");
    release(fx);
}

static const tl_annot *annot_of(const tl_tu *tu, const char *name) {
    for (int i = 0; i < tu->nannots; i++)
        if (strcmp(tu->annots[i].name, name) == 0) return &tu->annots[i];
    return NULL;
}

/* Annotate attributes on declarations (headers too, inherited by a later
 * definition, on parameters) become roles; other strings are ignored. */
static void test_annotations(void **state) {
    (void)state;
    fixture *fx = parse_with_header(
        "#include \"helper.h\"\n"
        "int co_read(int fd) { sleep(1); return fd; }\n" /* async from the header */
        "__attribute__((annotate(\"tasklint::nonblocking\"))) void quick(void) { sleep(1); }\n"
        "__attribute__((annotate(\"unrelated\"))) void other(void) {}\n"
        "void plain(void) { quick(); legacy(); co_read(3); }\n",
        "int co_read(int fd) __attribute__((annotate(\"tasklint::async\")));\n"
        "__attribute__((annotate(\"tasklint::blocking\"))) int legacy(void);\n"
        "__attribute__((annotate(\"tasklint::spawn\"))) void *task_new(void);\n"
        "void task_free(int flags, __attribute__((annotate(\"tasklint::owns\"))) void *t);\n");
    const tl_annot *a = annot_of(&fx->tu, "co_read");
    assert_non_null(a);
    assert_int_equal(a->roles, TL_ROLE_ASYNC);
    assert_string_equal(a->text, "tasklint::async");
    assert_int_equal(annot_of(&fx->tu, "legacy")->roles, TL_ROLE_BLOCKING);
    assert_int_equal(annot_of(&fx->tu, "quick")->roles, TL_ROLE_NONBLOCKING);
    a = annot_of(&fx->tu, "task_new");
    assert_int_equal(a->roles, TL_ROLE_SPAWN);
    assert_true(a->returns_pointer);
    a = annot_of(&fx->tu, "task_free");
    assert_int_equal(a->roles, 0);
    assert_int_equal(a->owns, 2); /* parameter 1 */
    assert_null(annot_of(&fx->tu, "other"));
    assert_null(annot_of(&fx->tu, "plain"));
    /* the analysis: contexts and call models */
    const tl_context_info *ci = &fx->an.funcs[func_index(fx, "co_read")].context;
    assert_int_equal(ci->kind, TL_CTX_COROUTINE);
    assert_string_equal(ci->declared, "tasklint::async");
    assert_int_equal(fx->an.funcs[func_index(fx, "plain")].context.kind, TL_CTX_NONE);
    assert_true(tl_call_is_blocking(call_to(fx, "plain", "legacy")));
    assert_false(tl_call_is_blocking(call_to(fx, "plain", "quick")));
    assert_true(call_to(fx, "plain", "quick")->model->nonblocking);
    /* quick's own body blocks, but it is declared non-blocking */
    assert_false(fx->an.funcs[func_index(fx, "quick")].blocks.may_block);
    assert_true(fx->an.funcs[func_index(fx, "co_read")].blocks.may_block);
    assert_int_equal(tl_analysis_roles(&fx->an, "co_read"), TL_ROLE_ASYNC);
    assert_int_equal(tl_analysis_roles(&fx->an, "plain"), 0);
    release(fx);
}

/* Parameter guards (param_guards.h): what the paths to each call tested,
 * and the blocking summaries' cut of calls whose constants rule out every
 * blocking call of the callee (analysis_blocking.c). */
static void test_parameter_guards(void **state) {
    (void)state;
    fixture *fx = parse(
        "int wait_reply(int sync, const char *req, int nowait) {\n"
        "  if (sync && req) sleep(1);\n"
        "  if (!nowait) { while (sync > 0) { if (req != NULL) sleep(2); } }\n"
        "  return 0;\n"
        "}\n"
        "int changed(int s) { s = s + 1; if (s) sleep(3); return s; }\n"
        "int escaped(int s) { int *p = &s; *p = 1; if (s) sleep(4); return 0; }\n"
        "int unguarded(int s) { if (s) sleep(5); fast_sleep(); sleep(6); return 0; }\n"
        "int pass_on(int s, const char *r) { return wait_reply(s, r, 1); }\n"
        "int only_sync(int s) { if (s) return wait_reply(1, \"x\", 1); return 0; }\n"
        "void quiet1(void) { wait_reply(0, \"x\", 1); }\n"
        "void quiet2(void) { pass_on(1, NULL); }\n"
        "void quiet3(void) { only_sync(0); }\n"
        "void loud1(int v) { wait_reply(v, \"x\", 1); }\n"
        "void loud2(void) { changed(0); escaped(0); }\n"
        "void loud3(void) { unguarded(0); }\n"
        "void quiet4(void) { wait_reply(0, NULL, 0); }\n");
    const tl_call_facts *s1 = NULL, *s2 = NULL;
    const tl_func_facts *wr = &fx->an.funcs[func_index(fx, "wait_reply")];
    for (int id = 0; id < wr->ncalls; id++) {
        const tl_call_facts *cf = &wr->calls[id];
        if (!cf->instr || !cf->instr->call.callee || strcmp(cf->instr->call.callee, "sleep") != 0) continue;
        if (!s1) s1 = cf;
        else s2 = cf;
    }
    assert_non_null(s1);
    assert_non_null(s2);
    assert_int_equal(s1->guard_nz, 3u); /* sync && req */
    assert_int_equal(s1->guard_z, 0u);
    assert_int_equal(s2->guard_nz, 3u); /* in the loop: sync > 0, req != NULL */
    assert_int_equal(s2->guard_z, 4u);  /* !nowait */
    assert_int_equal(wr->blocks.guard_nz, 3u);
    assert_int_equal(wr->blocks.guard_z, 0u);
    assert_int_equal(call_to(fx, "changed", "sleep")->guard_nz, 0u); /* assigned */
    assert_int_equal(call_to(fx, "escaped", "sleep")->guard_nz, 0u); /* address taken */
    assert_int_equal(fx->an.funcs[func_index(fx, "unguarded")].blocks.guard_nz, 0u);
    assert_int_equal(fx->an.funcs[func_index(fx, "pass_on")].blocks.guard_nz, 3u); /* passed on */
    assert_int_equal(fx->an.funcs[func_index(fx, "only_sync")].blocks.guard_nz, 1u);
    assert_false(fx->an.funcs[func_index(fx, "quiet1")].blocks.may_block);
    assert_false(fx->an.funcs[func_index(fx, "quiet2")].blocks.may_block);
    assert_false(fx->an.funcs[func_index(fx, "quiet3")].blocks.may_block);
    assert_true(fx->an.funcs[func_index(fx, "loud1")].blocks.may_block);
    assert_true(fx->an.funcs[func_index(fx, "loud2")].blocks.may_block);
    assert_true(fx->an.funcs[func_index(fx, "loud3")].blocks.may_block);
    assert_false(fx->an.funcs[func_index(fx, "quiet4")].blocks.may_block); /* sync 0 */
    release(fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_if_else_and_returns),
        cmocka_unit_test(test_short_circuit_and_conditional),
        cmocka_unit_test(test_loops_and_constant_conditions),
        cmocka_unit_test(test_switch_and_goto),
        cmocka_unit_test(test_go_expansion_marks_entry),
        cmocka_unit_test(test_field_inits_and_string_text),
        cmocka_unit_test(test_constant_propagation),
        cmocka_unit_test(test_blocking_conditions_and_chains),
        cmocka_unit_test(test_call_in_macro_argument),
        cmocka_unit_test(test_readiness_callbacks),
        cmocka_unit_test(test_macro_defined_functions_and_usrs),
        cmocka_unit_test(test_field_calls_and_function_stores),
        cmocka_unit_test(test_header_static_functions),
        cmocka_unit_test(test_parameter_guards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
