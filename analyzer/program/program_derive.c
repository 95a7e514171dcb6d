/* program_derive.c - derived models, step 6 of the link (see program.c).
 *
 * From the facts the fixpoints found, a function of the program gets a model
 * like a library function's (tl_fn_model, library "program"): a parameter
 * it releases, awaits, tears down, prepares work on or only borrows; a
 * deadline it passes on to a wait; a callback it registers; a handle it
 * returns from a modelled spawn.  A call through a slot gets the deadline
 * any of its targets has.  The rules read them with tl_program_model.
 */
#include "program_internal.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

void pg_free_model(tl_fn_model *m) {
    if (!m) return;
    free(m->name);
    free(m->library);
    free(m->spawn.task);
    free(m->spawn.entry_before_call);
    free(m->release.how);
    free(m);
}

/* m's wait facet from a parameter that carries a deadline (pp): the
 * helper waits with that argument as its timeout. */
static void deadline_wait(tl_fn_model *m, const pparam *pp, int k) {
    m->wait.present = true;
    m->wait.timeout_arg = k;
    m->wait.kind = pp->kind;
    m->wait.nforever = pp->nforever;
    memcpy(m->wait.forever, pp->forever, sizeof m->wait.forever);
    m->wait.only_if_nonzero_arg = -1;
}

/* Fill derived facets from a function's parameters; returns whether any. */
static bool derive_params(const tl_program *p, const pnode *n, tl_fn_model *m) {
    bool any = false;
    for (int k = 0; k < n->s->nparams; k++) {
        const pparam *pp = &p->params[n->param_base + k];
        unsigned eff = n->s->params[k].effects;
        if (pp->wrapper && m->callback.nargs < TL_MAX_CB_ARGS) {
            /* the wrapper registers for the library it wraps (its advice) */
            free(m->library);
            m->library = tl_xstrdup(pp->wrap_library ? pp->wrap_library : "program");
            m->callback.present = true;
            m->callback.args[m->callback.nargs++] = k;
            m->callback.context = pp->wrap_ctx;
            m->callback.readiness = pp->wrap_ready;
            /* the library, not the wrapper, calls the callback: it gets its
               ready descriptor where the wrapped registration puts it */
            const tl_fn_model *vm = pp->wrap_ready && pp->wrap_via && p->models
                                        ? tl_models_find(p->models, pp->wrap_via) : NULL;
            if (vm && vm->callback.readiness && vm->callback.ready_param >= 0) {
                m->callback.ready_param = vm->callback.ready_param;
                memcpy(m->callback.ready_field, vm->callback.ready_field, sizeof m->callback.ready_field);
            }
            any = true;
        }
        if (pp->deadline && !m->wait.present) {
            deadline_wait(m, pp, k);
            any = true;
            continue;
        }
        /* a helper can both await and tear down (or close) what it is given */
        bool facet = false;
        if (pp->releases && !m->release.present) {
            m->release.present = true;
            m->release.arg = k;
            m->release.how = tl_xstrdup(pp->how ? pp->how : "release");
            facet = true;
        }
        if (pp->awaits && !m->await.present) {
            m->await.present = true;
            m->await.arg = k;
            facet = true;
        }
        /* a helper that awaits and then tears down reaps its work itself */
        if (pp->tears_down && !pp->awaits && !m->teardown.present) {
            m->teardown.present = true;
            m->teardown.arg = k;
            facet = true;
        }
        /* work prepared on it inside: one that may wait on a peer makes a
           peer operation, only ones that complete a complete one, reads and
           writes on a descriptor the caller passes (and ones that complete)
           an fd_io one on that argument, else operations of unknown kinds (a
           helper that only submits) */
        if (pp->prepares && !m->prepare.present) {
            m->prepare.present = true;
            m->prepare.arg = k;
            unsigned fd_done = TL_PE_PREP_FD | TL_PE_PREP_DONE;
            m->prepare.op = (pp->prep_kinds & TL_PE_PREP_PEER)                ? TL_OP_PEER
                            : pp->prep_kinds == TL_PE_PREP_DONE              ? TL_OP_COMPLETE
                            : (pp->prep_kinds & TL_PE_PREP_FD) &&
                                      !(pp->prep_kinds & ~fd_done)           ? TL_OP_FD_IO
                                                                             : TL_OP_UNKNOWN;
            m->prepare.fd_arg = m->prepare.op == TL_OP_FD_IO ? pp->prep_fd : -1;
            any = true;
        }
        if (facet) {
            any = true;
        } else if (!pp->owner && (eff & (TL_PE_BORROW | TL_PE_PASS)) && m->nborrow < TL_MAX_CB_ARGS) {
            m->borrow[m->nborrow].present = true;
            m->borrow[m->nborrow++].arg = k;
            any = true;
        }
    }
    return any;
}

static tl_fn_model *new_model(const char *name) {
    tl_fn_model *m = tl_xmalloc(sizeof *m);
    tl_fn_model_init(m); /* every facet absent, every argument index -1 */
    m->name = tl_xstrdup(name);
    m->library = tl_xstrdup("program");
    return m;
}

/* m's spawn facet from sm, the model of the spawning call inside a helper:
 * its handle where the helper gives it (where, handle_arg), no entry, owner,
 * attribute or data argument, no context; sm's task noun and library
 * (copies m owns). */
static void helper_spawn(tl_fn_model *m, const tl_fn_model *sm, tl_handle_where where, int handle_arg) {
    m->spawn = sm->spawn;
    m->spawn.where = where;
    m->spawn.handle_arg = handle_arg;
    m->spawn.entry_arg = m->spawn.owner_arg = m->spawn.attr_arg = m->spawn.data_arg = -1;
    m->spawn.has_no_owner_value = false;
    m->spawn.entry_before_call = NULL;
    m->spawn.context = TL_CTX_NONE;
    m->spawn.task = tl_xstrdup(sm->spawn.task ? sm->spawn.task : "task");
    free(m->library);
    m->library = tl_xstrdup(sm->library ? sm->library : "program");
}

static tl_fn_model *derive_function(const tl_program *p, const pnode *n) {
    tl_fn_model *m = new_model(n->s->name);
    bool any = derive_params(p, n, m);
    if (n->s->returns_handle && n->s->spawn_model && p->models) {
        const tl_fn_model *sm = tl_models_find(p->models, n->s->spawn_model);
        if (sm && sm->spawn.present) {
            helper_spawn(m, sm, TL_HANDLE_RESULT, -1);
            /* the helper returns the handle itself, not the spawn's status */
            if (sm->spawn.where == TL_HANDLE_OUT_ARG)
                m->spawn.success = n->s->returns_pointer ? TL_SUCCESS_NONNULL : TL_SUCCESS_ALWAYS;
            any = true;
        }
    }
    /* a helper that writes the handle it spawned through an out-pointer and
       neither releases it nor stores it elsewhere (`natsThread_Create(&t, ...)`):
       a spawn whose handle is that argument; its result says whether it started
       (a pointer: non-NULL; a bool: true; else 0, the status convention) */
    int out = -1;
    for (int k = 0; k < n->s->nparams && !m->spawn.present; k++)
        if ((n->s->params[k].effects & TL_PE_SPAWN_OUT) && !(n->s->params[k].effects & TL_PE_RELEASE)) out = k;
    if (out >= 0 && n->s->spawn_model && p->models) {
        const tl_fn_model *sm = tl_models_find(p->models, n->s->spawn_model);
        if (sm && sm->spawn.present) {
            helper_spawn(m, sm, TL_HANDLE_OUT_ARG, out);
            m->spawn.child_if_zero = m->spawn.parent_waits_child = false;
            for (int k = 0; k < n->s->nparams; k++)
                if (n->s->params[k].effects & TL_PE_SPAWN_ATTR) m->spawn.attr_arg = k;
            m->spawn.success = n->s->returns_pointer ? TL_SUCCESS_NONNULL
                               : n->s->returns_bool  ? TL_SUCCESS_POSITIVE
                                                     : TL_SUCCESS_ZERO;
            any = true;
        }
    }
    if (!any) {
        pg_free_model(m);
        return NULL;
    }
    return m;
}

/* A call through a slot: a deadline any of its targets has. */
static tl_fn_model *derive_slot(const tl_program *p, const fslot *s) {
    tl_fn_model *m = new_model(s->name);
    bool any = false;
    for (int k = 0; k < s->funcs.n && !any; k++) {
        const pnode *n = &p->nodes[s->funcs.v[k]];
        for (int j = 0; j < n->s->nparams && !any; j++) {
            const pparam *pp = &p->params[n->param_base + j];
            if (!pp->deadline) continue;
            deadline_wait(m, pp, j);
            any = true;
        }
    }
    if (!any) {
        pg_free_model(m);
        m = NULL;
    }
    return m;
}

void pg_derive_models(tl_program *p) {
    for (int n = 0; n < p->nnodes; n++) p->nodes[n].derived = derive_function(p, &p->nodes[n]);
    for (int i = 0; i < p->nfslots; i++) p->fslots[i].derived = derive_slot(p, &p->fslots[i]);
}
