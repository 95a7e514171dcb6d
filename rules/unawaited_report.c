/* unawaited_report.c - unawaited-task's two reports from the dataflow (see
 * unawaited_task_internal.h): a teardown with work started and never
 * awaited, naming the path that carries it (unawaited_path.c), and a local
 * object dropped at a return with work in flight. */
#include <stdio.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "unawaited_task_internal.h"

static const tl_fn_model *library_await(ut_ctx *c, const char *library)
{
    if (!c->awm_library || !library || strcmp(c->awm_library, library) != 0) {
        c->awm_library = library;
        c->awm = tl_own_library_await(c->a->models, library);
    }
    return c->awm;
}


/* The teardown `in`, instruction ii of block blk, of v with work pending
 * (bits): the start and the branch named are those of one path that
 * carries the work there (unawaited_path.c). */
void tl_ut_report_teardown(ut_ctx *c, const tl_instr *in, const tl_fn_model *m, int v,
                            unsigned bits, int blk, int ii)
{
    const tl_func *f = c->f;
    char td[320], how[64], aw[128], msg[1536];
    tl_own_call_named(c->a, &in->call, NULL, td, sizeof td);
    const char *verb = "torn down";
    if (m->release.present && m->release.how)
        verb = tl_own_past(m->release.how, how, sizeof how);
    const tl_fn_model *awm = library_await(c, m->library);
    if (awm)
        tl_own_peer_name(&in->call, awm->name, aw, sizeof aw);
    const char *vn = f->vars[v].name;
    ut_path path;
    tl_ut_path_find(c, blk, true, v, &path);
    if (path.call < 0) { /* beyond the walk's bounds: some start of v */
        path.call = c->why_call[v];
        path.why = c->why[v];
    }
    const tl_instr *why_in = tl_ut_find_call(c, path.call);
    const tl_fn_model *why_m = why_in ? tl_own_model(c->a, c->fi, why_in->call.id) : NULL;
    char whyname[320] = "";
    unsigned line = 0;
    if (why_in) {
        tl_own_call_named(c->a, &why_in->call, NULL, whyname, sizeof whyname);
        line = why_in->loc.line;
    }
    const char *task = why_m && why_m->spawn.present && why_m->spawn.task && *why_m->spawn.task
                           ? why_m->spawn.task
                           : "task";
    bool any = (bits & UT_ANY) && !(bits & UT_STRICT);
    char waits[256];
    if (awm)
        snprintf(waits, sizeof waits, any ? "%s() or any other wait" : "%s()", aw);
    else
        snprintf(waits, sizeof waits, any ? "any wait" : "an await");

    switch (path.why) {
    case WHY_OWNER:
        snprintf(msg, sizeof msg,
                 "%s%s'%s' is %s with %s before %s%s: its %ss are cancelled, not awaited",
                 c->noun[v] ? c->noun[v] : "", c->noun[v] ? " " : "", vn, verb, td, waits, path.clause,
                 task);
        break;
    case WHY_RESULT:
        snprintf(msg, sizeof msg,
                 "%s handle '%s' is %s with %s with no %s since %s at line %u%s: the %s is "
                 "cancelled, not awaited",
                 task, vn, verb, td, waits, whyname, line, path.clause, task);
        break;
    default:
        if (awm)
            snprintf(msg, sizeof msg,
                     "'%s' is %s with %s while work started with %s at line %u was never "
                     "awaited with %s()%s",
                     vn, verb, td, whyname, line, aw, path.clause);
        else
            snprintf(msg, sizeof msg,
                     "'%s' is %s with %s while work started with %s at line %u was never "
                     "awaited%s",
                     vn, verb, td, whyname, line, path.clause);
        break;
    }
    tl_finding *fd = tl_findings_add(c->out, tl_rule_unawaited_task.id,
                                     tl_rule_unawaited_task.severity, in->loc.file, in->loc.line,
                                     in->loc.col, f->name, msg);
    if (!fd)
        return;
    tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
    if (why_in) {
        char note[512];
        snprintf(note, sizeof note, "work on '%s' started here by %s", vn, whyname);
        tl_finding_add_note_before(fd, why_in->loc.file, why_in->loc.line, why_in->loc.col, note);
    }
}

/* Returning from block b with work pending on a local object the function
 * never tears down: the object goes away with the work in flight. */
void tl_ut_report_exit(ut_ctx *c, const tl_block *b)
{
    if (tl_own_is_program_main(c->f)) /* the process exits: the kernel tears it down */
        return;
    for (int k = 0; k < c->env.ntouched; k++) {
        int v = c->env.touched[k];
        if (!c->env.val[v] || !c->owned[v] || c->reported_exit[v])
            continue;
        c->reported_exit[v] = 1;
        ut_path path;
        tl_ut_path_find(c, b->id, false, v, &path); /* (the message names no branch) */
        tl_ut_report_dropped(c->a, c->out, c->f, b, c->f->vars[v].name,
                             tl_ut_find_call(c, path.call >= 0 ? path.call : c->why_call[v]));
    }
}
