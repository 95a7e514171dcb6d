/* orphaned_spawn_slots.c - rule `orphaned-spawn`, the program-wide half.
 *
 * A handle spawned into a slot that outlives the function - a global, a
 * struct field (`pthread_create(&g_flusher, ...)`, `s->thread`) - is owned
 * by the program, not by the function: the per-function dataflow counts it
 * as handed over.  With the whole program linked (analyzer/program/), such a
 * slot is a leak when no function anywhere releases it (joins, detaches,
 * closes it, or hands it to a function that does).  Reported at each spawn
 * into the slot, in the TU that spawns - not one main() makes: the task then
 * lives as long as the process.
 */
#include <stdio.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/program/program.h"

typedef struct {
    const tl_analysis *a;
    tl_findings *out;
} slot_ctx;

/* The function of this TU that makes the spawn (same name and file). */
static int spawning_function(const tl_analysis *a, const tl_orphan_slot *s) {
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        if (strcmp(f->name, s->function) == 0 && f->loc.file && s->loc.file &&
            strcmp(f->loc.file, s->loc.file) == 0)
            return fi;
    }
    return -1;
}

static void report_slot(void *ctx, const tl_orphan_slot *s) {
    slot_ctx *c = ctx;
    int fi = spawning_function(c->a, s);
    if (fi < 0 || c->a->funcs[fi].exempt) return;
    /* spawned by main(): the slot's task lives as long as the process, whose
       exit main()'s return is (as for a handle main() still holds) */
    if (tl_own_is_program_main(&c->a->tu->funcs[fi])) return;
    const tl_func_facts *ff = &c->a->funcs[fi];
    const tl_instr *spawn = NULL;
    for (int id = 0; id < ff->ncalls && !spawn; id++) {
        const tl_instr *in = ff->calls[id].instr;
        if (in && in->loc.line == s->loc.line && in->loc.col == s->loc.col) spawn = in;
    }
    tl_detach_attrs attrs = TL_DETACH_ATTRS_INIT;
    bool detached = spawn && tl_own_spawn_detached(c->a, fi, spawn, tl_own_model(c->a, fi, spawn->call.id), &attrs);
    tl_detach_attrs_free(&attrs);
    if (detached)
        return; /* created detached: nothing to release */
    if (tl_program_releases_all(c->a->program, s->task))
        return; /* the program reaps every such task (release_all) */
    if (spawn && tl_own_child_publishes_self(c->a, fi, tl_own_model(c->a, fi, spawn->call.id)))
        return; /* the child publishes its own pid where the program reaps */
    if (spawn && tl_own_entry_self_releases(c->a, &spawn->call, tl_own_model(c->a, fi, spawn->call.id)))
        return; /* the thread detaches itself */
    char verbs[64];
    tl_own_release_verbs(c->a->models, s->library, verbs, sizeof verbs);
    tl_finding *fd = tl_findings_addf(
        c->out, "orphaned-spawn", TL_SEV_WARNING, s->loc.file, s->loc.line, s->loc.col, s->function,
        "%s handle stored in '%s' is never %s: no function of the program releases '%s'",
        s->task ? s->task : "task", s->slot, verbs, s->slot);
    if (fd && spawn && spawn->call.text) tl_finding_set_snippet(fd, spawn->call.text);
}

void tl_os_check_slots(const tl_analysis *a, tl_findings *out) {
    if (!a || !a->program) return;
    slot_ctx c = {a, out};
    tl_program_orphan_slots(a->program, report_slot, &c);
}
