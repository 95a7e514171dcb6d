/* rule_test_util.h - hand-built IR, models and analysis facts for the
 * lifecycle rule unit tests (unit_orphaned_spawn.c, unit_unawaited_task.c).
 *
 * A test builds one function: blocks 0 (entry) and 1 (exit) exist up
 * front; instructions carry the source line given by the test.  Models are
 * tl_fn_model structs built directly (no YAML loader needed).  rt_run()
 * fills the tl_analysis the rules read (model per call, reached) and runs
 * the rule's check().
 */
#ifndef RULE_TEST_UTIL_H
#define RULE_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow/analysis.h"
#include "ir/ir.h"
#include "report/finding.h"
#include "rules/rule.h"

#define RT_MAX_MODELS 32

typedef struct {
    tl_tu tu;
    tl_func *f;
    tl_fn_model models[RT_MAX_MODELS];
    int nmodels;
    tl_model_set ms;
    tl_analysis a;
    tl_func_facts facts;
    tl_findings out;
} rt;

static inline void rt_init(rt *t)
{
    memset(t, 0, sizeof *t);
    t->f = tl_tu_add_func(&t->tu, "fn");
    t->f->entry = tl_func_add_block(t->f);
    t->f->exit = tl_func_add_block(t->f);
    t->f->blocks[t->f->exit].term = TL_T_EXIT;
    t->f->end_loc = (tl_loc){"t.c", 99, 1, 0};
    tl_findings_init(&t->out);
}

static inline tl_fn_model *rt_model(rt *t, const char *name, const char *library)
{
    tl_fn_model *m = &t->models[t->nmodels++];
    memset(m, 0, sizeof *m);
    m->name = (char *)name;
    m->library = (char *)library;
    m->spawn.handle_arg = m->spawn.entry_arg = m->spawn.owner_arg = -1;
    m->release.arg = m->start.arg = m->await.arg = m->teardown.arg = -1;
    return m;
}

/* ---- common library models ---- */
static inline void rt_pthread_models(rt *t)
{
    tl_fn_model *m = rt_model(t, "pthread_create", "pthread");
    m->spawn = (tl_spawn_facet){.present = true, .where = TL_HANDLE_OUT_ARG, .handle_arg = 0,
                                .success = TL_SUCCESS_ZERO, .entry_arg = 2, .owner_arg = -1,
                                .context = TL_CTX_THREAD, .task = "thread"};
    m = rt_model(t, "pthread_join", "pthread");
    m->release = (tl_release_facet){true, 0, "join", false};
    m = rt_model(t, "pthread_detach", "pthread");
    m->release = (tl_release_facet){true, 0, "detach", false};
    m = rt_model(t, "exit", "libc");
    m->noreturn = true;
}

static inline void rt_libdill_models(rt *t)
{
    tl_fn_model *m = rt_model(t, "dill_prologue", "libdill");
    m->spawn = (tl_spawn_facet){.present = true, .where = TL_HANDLE_RESULT, .handle_arg = -1,
                                .success = TL_SUCCESS_NONNEG, .entry_arg = -1,
                                .entry_before_call = "dill_epilogue", .owner_arg = 3,
                                .no_owner_value = -1, .has_no_owner_value = true,
                                .context = TL_CTX_COROUTINE, .task = "coroutine",
                                .awaited_by_any_wait = true};
    m = rt_model(t, "dill_bundle", "libdill");
    m->spawn = (tl_spawn_facet){.present = true, .where = TL_HANDLE_RESULT, .handle_arg = -1,
                                .success = TL_SUCCESS_NONNEG, .entry_arg = -1, .owner_arg = -1,
                                .task = "bundle"};
    m = rt_model(t, "dill_hclose", "libdill");
    m->release = (tl_release_facet){true, 0, "close", true};
    m->teardown = (tl_arg_facet){true, 0};
    m = rt_model(t, "dill_bundle_wait", "libdill");
    m->await = (tl_arg_facet){true, 0};
    m->wait.present = true;
    m->wait.timeout_arg = 1;
    m->cooperative = true;
    m = rt_model(t, "dill_msleep", "libdill");
    m->cooperative = true;
    m->wait.present = true;
    m = rt_model(t, "dill_hquery", "libdill");
    m->borrow[0] = (tl_arg_facet){true, 0};
    m->nborrow = 1;
}

static inline void rt_uring_models(rt *t)
{
    tl_fn_model *m = rt_model(t, "io_uring_submit", "liburing");
    m->start = (tl_arg_facet){true, 0};
    m = rt_model(t, "io_uring_wait_cqe", "liburing");
    m->await = (tl_arg_facet){true, 0};
    m->wait.present = true;
    m = rt_model(t, "io_uring_peek_cqe", "liburing");
    m->await = (tl_arg_facet){true, 0};
    m = rt_model(t, "io_uring_queue_exit", "liburing");
    m->teardown = (tl_arg_facet){true, 0};
}

/* ---- IR building ---- */
static inline int rt_var(rt *t, const char *name, tl_var_kind kind, unsigned line)
{
    int v = tl_func_add_var(t->f, name, kind);
    t->f->vars[v].decl_loc = (tl_loc){"t.c", line, 5, 0};
    return v;
}

static inline int rt_block(rt *t) { return tl_func_add_block(t->f); }

static inline tl_expr *rt_addr(tl_expr *e)
{
    tl_expr *a = tl_expr_new(TL_E_ADDR);
    tl_expr_add_kid(a, e);
    return a;
}

static inline tl_expr *rt_index(tl_expr *base, tl_expr *idx)
{
    tl_expr *a = tl_expr_new(TL_E_INDEX);
    tl_expr_add_kid(a, base);
    tl_expr_add_kid(a, idx);
    return a;
}

static inline tl_expr *rt_member(tl_expr *base, const char *name, bool arrow)
{
    tl_expr *a = tl_expr_new(TL_E_MEMBER);
    a->name = strdup(name);
    a->arrow = arrow;
    tl_expr_add_kid(a, base);
    return a;
}

static inline tl_expr *rt_cast(tl_expr *e)
{
    tl_expr *a = tl_expr_new(TL_E_CAST);
    tl_expr_add_kid(a, e);
    return a;
}

static inline tl_expr *rt_null(void) { return tl_expr_new(TL_E_NULL); }

/* Append a call: rt_call(t, b, line, callee, text, nargs, args...). */
static inline tl_instr *rt_call(rt *t, int b, unsigned line, const char *callee, const char *text,
                                int nargs, ...)
{
    tl_instr *in = tl_block_add_instr(&t->f->blocks[b], TL_I_CALL);
    in->loc = (tl_loc){"t.c", line, 5, 0};
    in->call.id = t->f->ncalls++;
    in->call.callee = callee ? strdup(callee) : NULL;
    in->call.text = text ? strdup(text) : NULL;
    in->call.nargs = nargs;
    in->call.args = calloc((size_t)(nargs > 0 ? nargs : 1), sizeof(tl_expr *));
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        in->call.args[i] = va_arg(ap, tl_expr *);
    va_end(ap);
    return in;
}

static inline tl_instr *rt_assign(rt *t, int b, unsigned line, int var, tl_expr *value)
{
    tl_instr *in = tl_block_add_instr(&t->f->blocks[b], TL_I_ASSIGN);
    in->loc = (tl_loc){"t.c", line, 5, 0};
    in->var = var;
    in->value = value;
    return in;
}

static inline tl_instr *rt_store(rt *t, int b, unsigned line, tl_expr *target, tl_expr *value)
{
    tl_instr *in = tl_block_add_instr(&t->f->blocks[b], TL_I_STORE);
    in->loc = (tl_loc){"t.c", line, 5, 0};
    in->target = target;
    in->value = value;
    return in;
}

static inline tl_instr *rt_decl(rt *t, int b, unsigned line, int var)
{
    tl_instr *in = tl_block_add_instr(&t->f->blocks[b], TL_I_DECL);
    in->loc = (tl_loc){"t.c", line, 5, 0};
    in->var = var;
    return in;
}

static inline void rt_goto(rt *t, int b, int to)
{
    t->f->blocks[b].term = TL_T_GOTO;
    tl_block_add_succ(t->f, b, to);
}

static inline void rt_branch(rt *t, int b, tl_expr *cond, int yes, int no)
{
    t->f->blocks[b].term = TL_T_BRANCH;
    t->f->blocks[b].cond = cond;
    tl_block_add_succ(t->f, b, yes);
    tl_block_add_succ(t->f, b, no);
}

/* return [value]; at line (as the front end lowers it, also for falling off
 * the end). */
static inline void rt_return(rt *t, int b, unsigned line, tl_expr *value)
{
    tl_instr *in = tl_block_add_instr(&t->f->blocks[b], TL_I_RETURN);
    in->loc = (tl_loc){"t.c", line, 5, 0};
    in->value = value;
    t->f->blocks[b].term = TL_T_EXIT;
    t->f->blocks[b].term_loc = in->loc;
    tl_block_add_succ(t->f, b, t->f->exit);
}

static inline void rt_noreturn(rt *t, int b, unsigned line)
{
    t->f->blocks[b].term = TL_T_NORETURN;
    t->f->blocks[b].term_loc = (tl_loc){"t.c", line, 5, 0};
}

static inline const tl_fn_model *rt_find_model(rt *t, const char *name)
{
    for (int i = 0; name && i < t->nmodels; i++)
        if (strcmp(t->models[i].name, name) == 0)
            return &t->models[i];
    return NULL;
}

/* Fill the analysis facts and run the rule. */
static inline void rt_run(rt *t, const tl_rule *rule)
{
    tl_func_finish(t->f);
    t->ms.fns = t->models;
    t->ms.nfns = (size_t)t->nmodels;
    t->facts.ncalls = t->f->ncalls;
    t->facts.calls = calloc((size_t)(t->f->ncalls > 0 ? t->f->ncalls : 1), sizeof(tl_call_facts));
    for (int bi = 0; bi < t->f->nblocks; bi++)
        for (int k = 0; k < t->f->blocks[bi].ninstrs; k++) {
            const tl_instr *in = &t->f->blocks[bi].instrs[k];
            if (in->kind != TL_I_CALL)
                continue;
            tl_call_facts *cf = &t->facts.calls[in->call.id];
            cf->instr = in;
            cf->block = bi;
            cf->index = k;
            cf->model = rt_find_model(t, in->call.callee);
            cf->reached = true;
        }
    t->a.tu = &t->tu;
    t->a.models = &t->ms;
    t->a.funcs = &t->facts;
    rule->check(&t->a, &t->out);
}

static inline void rt_dump_findings(const rt *t);

static inline void rt_free(rt *t)
{
    if (getenv("RT_DUMP"))
        rt_dump_findings(t);
    free(t->facts.calls);
    tl_findings_free(&t->out);
    tl_tu_free(&t->tu);
}

/* The finding at `line` whose message contains `needle` (NULL: any). */
static inline const tl_finding *rt_finding(const rt *t, unsigned line, const char *needle)
{
    for (size_t i = 0; i < t->out.n; i++) {
        const tl_finding *fd = &t->out.items[i];
        if (fd->line == line && (!needle || strstr(fd->message, needle)))
            return fd;
    }
    return NULL;
}

static inline void rt_dump_findings(const rt *t)
{
    for (size_t i = 0; i < t->out.n; i++) {
        const tl_finding *fd = &t->out.items[i];
        fprintf(stderr, "  finding %s:%u [%s] %s\n", fd->file, fd->line, fd->rule, fd->message);
        for (size_t k = 0; k < fd->nnotes; k++)
            fprintf(stderr, "    note %u: %s\n", fd->notes[k].line, fd->notes[k].message);
    }
}

#endif
