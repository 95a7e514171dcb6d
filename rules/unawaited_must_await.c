/* unawaited_must_await.c - unawaited-task: a call whose result is a task
 * that must be awaited (`must_await` in the models), used as a plain
 * statement: the task is started and dropped at once (see
 * unawaited_must_await.h). */
#include "unawaited_must_await.h"

#include <stdlib.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/util/xalloc.h"

void tl_ut_check_must_await(const tl_analysis *a, int fi, tl_findings *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    bool *used = NULL; /* per call id, computed for the first must_await call */
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind != TL_I_CALL || !in->call.discarded || in->call.void_cast)
                continue;
            const tl_fn_model *m = tl_own_model(a, fi, in->call.id);
            if (!m || !m->must_await)
                continue;
            if (!used) {
                used = tl_xcalloc((size_t)f->ncalls + 1, sizeof *used);
                tl_own_results_used(f, used);
            }
            if (in->call.id >= 0 && in->call.id < f->ncalls && used[in->call.id])
                continue; /* `s->job = job_start(...)` is a full expression too */
            const tl_func_facts *ff = &a->funcs[fi];
            if (ff->calls && in->call.id < ff->ncalls && !ff->calls[in->call.id].reached)
                continue;
            char name[320];
            tl_own_call_named(a, &in->call, NULL, name, sizeof name);
            tl_finding *fd = tl_findings_addf(
                out, tl_rule_unawaited_task.id, tl_rule_unawaited_task.severity, in->loc.file,
                in->loc.line, in->loc.col, f->name,
                "result of %s is discarded: the task it starts is never awaited", name);
            if (fd)
                tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
        }
    }
    free(used);
}
