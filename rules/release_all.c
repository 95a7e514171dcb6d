/* release_all.c - orphaned-spawn support: task nouns whose every handle the
 * program releases wholesale, so their spawns need no release of their own.
 *
 * Library knowledge is in the models: a `release_all` facet names the task
 * noun (a spawn facet's `task`) and the constant argument values under
 * which the call releases all of them - wait(), waitpid(-1, ...),
 * waitid(P_ALL, ...), signal(SIGCHLD, SIG_IGN) for "child process": a
 * program that reaps any child somewhere (a SIGCHLD handler's
 * `while (waitpid(-1, &st, WNOHANG) > 0)` loop, a main loop's reaper) or
 * lets the kernel reap them reaps every child it forks.
 *
 * With the whole program linked the answer is the program's
 * (tl_program_releases_all: one pass over every call at link time); for a
 * TU analysed alone, one pass over the TU's calls on the first question.
 */
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/xalloc.h"

static bool holds(const tl_call_facts *cf, const tl_release_all_facet *ra)
{
    for (int w = 0; w < ra->nwhen; w++) {
        const tl_arg_values *av = &ra->when[w];
        if (av->arg >= cf->instr->call.nargs || !tl_arg_value_in(av, &cf->argv[av->arg]))
            return false;
    }
    return true;
}

static void collect(const tl_analysis *a, tl_released_all *r)
{
    r->collected = true;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func_facts *ff = &a->funcs[fi];
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            const tl_fn_model *m = cf->model;
            if (!cf->instr || !cf->reached || !m || !m->release_all.present || !m->release_all.task ||
                !holds(cf, &m->release_all))
                continue;
            r->tasks = tl_xgrow(r->tasks, r->n, &r->cap, sizeof *r->tasks);
            r->tasks[r->n++] = m->release_all.task;
        }
    }
}

bool tl_own_released_all(const tl_analysis *a, tl_released_all *r, const char *task)
{
    if (!task)
        return false;
    if (a->program)
        return tl_program_releases_all(a->program, task);
    if (!r->collected)
        collect(a, r);
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->tasks[i], task) == 0)
            return true;
    return false;
}

void tl_released_all_free(tl_released_all *r)
{
    free(r->tasks);
    memset(r, 0, sizeof *r);
}
