/* facets.c - reads one function's facets from a model document.
 *
 * One parser per facet (spawn, wait, blocking, ...), up to ml_parse_function,
 * which turns a "name: {facets}" entry into a pending_fn.  The typed node
 * readers they use (file:line:col errors, valid choices) are in
 * node_readers.c; the wait and blocking facets are in facets_wait.c, the
 * descriptor facets in facets_fd.c.
 * model.c merges pending functions into the set; the format is documented in
 * docs/design.md, "Library model format".
 */
#include "model_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ml_facet_names[] = {
    "spawn",    "release",     "borrow",     "start",       "await",
    "teardown", "wait",        "blocking",   "callback",    "cooperative",
    "must_await", "nonblocking", "noreturn", "detach_attr", "counter_init", "part_of",
    "prepare", "descriptor", "fd_state", "readiness_wait", "watch_fd",
    "release_all", "returns_only", "dispatch", "immediate_path", "post", "self_handle", "lock", "unlock",
    "request_flags", "fd_flags", "errno_location", "fresh", "sends", "buffered", "end_errno", "numeric_check", "channel_pair", "channel_done",
    "channel_buffer", "channel_put", "channel_take", "reads", "synchronizes", "object_open", "deadline_option", "object_connect", NULL};

const char *const ml_wait_kind_names[] = {
    "none", "peer", "task", "io", "loop", "accept", "condition", "join", "sleep", "bounded", NULL};

/* ------------------------------------------------------------------------ */
/* Facets                                                                    */
/* ------------------------------------------------------------------------ */

void ml_fn_defaults(tl_fn_model *f) {
    memset(f, 0, sizeof(*f));
    f->spawn.handle_arg = -1;
    f->spawn.entry_arg = -1;
    f->spawn.data_arg = -1;
    f->spawn.owner_arg = -1;
    f->spawn.attr_arg = -1;
    f->detach_attr.arg = -1;
    f->detach_attr.value_arg = -1;
    f->release.arg = -1;
    f->start.arg = -1;
    f->await.arg = -1;
    f->teardown.arg = -1;
    f->part_of.arg = -1;
    f->prepare.arg = -1;
    f->prepare.fd_arg = -1;
    f->prepare.fails_unless_arg = -1;
    f->request_flags.arg = -1;
    f->request_flags.value_arg = -1;
    f->descriptor.arg = -1;
    f->descriptor.kind_if_arg = -1;
    f->descriptor.datagram_if_arg = -1;
    f->descriptor.from_arg = -1;
    f->wait.timeout_arg = -1;
    f->wait.kind_if_arg = -1;
    f->wait.only_if_nonzero_arg = -1;
    f->wait.object_arg = -1;
    f->counter_init.arg = -1;
    f->counter_init.value_arg = -1;
    f->post.arg = -1;
    f->lock.arg = -1;
    f->unlock.arg = -1;
    f->wait.lock_arg = -1;
    f->blocking.if_null_arg = -1;
    f->blocking.unless_flag_arg = -1;
    f->blocking.unless_zero_arg = -1;
    f->blocking.unless_running_loop_arg = -1;
    f->blocking.if_value_arg = -1;
    f->blocking.unless_numeric_arg = -1;
    f->blocking.unless_field_arg = -1;
    f->blocking.unless_immediate_arg = -1;
    f->blocking.unless_record_field_arg = -1;
    f->blocking.unless_datagram_arg = -1;
    f->immediate_path.arg = -1;
    f->wait.unless_numeric_arg = -1;
    f->wait.unless_peer_ended = -1;
    f->end_errno.handle_arg = -1;
    f->numeric_check.arg = -1;
    f->callback.ready_param = -1;
    f->callback.handle_param = -1;
    f->callback.loop_arg = -1;
    f->callback.fd_arg = -1;
    f->callback.data_arg = -1;
    f->callback.data_param = -1;
    f->fresh.arg = -1;
    f->fresh.from_arg = -1;
    f->sends.handle_arg = -1;
    f->sends.len_arg = -1;
    f->sends.buf_arg = -1;
    f->buffered.handle_arg = -1;
    f->buffered.len_arg = -1;
    f->buffered.buf_arg = -1;
    f->fd_state.arg = -1;
    f->fd_state.from_arg = -1;
    f->fd_state.if_flag_arg = -1;
    f->fd_state.if_value_arg = -1;
    f->fd_flags.arg = -1;
    f->fd_flags.if_value_arg = -1;
    f->readiness_wait.arg = -1;
    f->readiness_wait.if_value_arg = -1;
    f->watch_fd.arg = -1;
    f->channel_pair.arg = -1;
    f->channel_done.arg = -1;
    f->channel_buffer.arg = -1;
    f->channel_put.arg = -1;
    f->channel_take.arg = -1;
    f->reads.arg = -1;
    f->object_open.arg = -1;
    f->object_open.type_arg = -1;
    f->object_connect.arg = -1;
    f->deadline_option.arg = f->deadline_option.name_arg = f->deadline_option.value_arg = -1;
    f->wait.deadline_arg = -1;
    f->wait.unless_flag_arg = -1;
}


void ml_fn_free(tl_fn_model *f) {
    free(f->name);
    free(f->library);
    free(f->spawn.entry_before_call);
    free(f->spawn.task);
    free(f->release.how);
    free(f->release_all.task);
    free(f->self_handle.task);
    free(f->blocking.replacement);
    free(f->immediate_path.paths);
    free(f->immediate_path.except);
}

static int parse_spawn(loader *L, const tl_yaml_node *n, tl_spawn_facet *s) {
    static const char *const keys[] = {"handle",     "handle_arg", "success",     "entry_arg",
                                       "entry_before", "owner_arg", "no_owner_value", "context",
                                       "task",       "awaited_by", "attr_arg", "child_if_zero",
                                       "parent_waits_child", "data_arg", "eager", NULL};
    static const char *const handles[] = {"none", "result", "out", NULL};
    static const char *const successes[] = {"always", "zero", "nonnegative", "nonnull", "positive", NULL};
    static const char *const contexts[] = {"none", "coroutine", "loop", "thread", NULL};
    static const char *const awaited[] = {"await", "any_wait", NULL};
    int r = ml_facet_off(L, n, "spawn", "a mapping {handle: ..., entry_arg: ..., ...}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    s->present = true;
    int v;
    const tl_yaml_node *x;
    if ((x = tl_yaml_get(n, "handle"))) {
        if (ml_get_choice(L, x, "handle", handles, &v) != 0) return -1;
        s->where = v == 0 ? TL_HANDLE_NONE : v == 1 ? TL_HANDLE_RESULT : TL_HANDLE_OUT_ARG;
    }
    if ((x = tl_yaml_get(n, "handle_arg")) && ml_get_arg(L, x, "handle_arg", false, &s->handle_arg))
        return -1;
    if ((x = tl_yaml_get(n, "success"))) {
        if (ml_get_choice(L, x, "success", successes, &v) != 0) return -1;
        s->success = v == 4 ? TL_SUCCESS_POSITIVE : (tl_success)v;
    }
    if ((x = tl_yaml_get(n, "entry_arg")) && ml_get_arg(L, x, "entry_arg", true, &s->entry_arg))
        return -1;
    if ((x = tl_yaml_get(n, "data_arg")) && ml_get_arg(L, x, "data_arg", true, &s->data_arg))
        return -1;
    if ((x = tl_yaml_get(n, "entry_before")) &&
        ml_get_string(L, x, "entry_before", &s->entry_before_call))
        return -1;
    if ((x = tl_yaml_get(n, "owner_arg")) && ml_get_arg(L, x, "owner_arg", true, &s->owner_arg))
        return -1;
    if ((x = tl_yaml_get(n, "attr_arg")) && ml_get_arg(L, x, "attr_arg", true, &s->attr_arg))
        return -1;
    if ((x = tl_yaml_get(n, "no_owner_value"))) {
        if (ml_get_int(L, x, "no_owner_value", &s->no_owner_value) != 0) return -1;
        s->has_no_owner_value = true;
    }
    if ((x = tl_yaml_get(n, "context"))) {
        if (ml_get_choice(L, x, "context", contexts, &v) != 0) return -1;
        s->context = (tl_context_kind)v;
    }
    if ((x = tl_yaml_get(n, "task")) && ml_get_string(L, x, "task", &s->task)) return -1;
    if ((x = tl_yaml_get(n, "awaited_by"))) {
        if (ml_get_choice(L, x, "awaited_by", awaited, &v) != 0) return -1;
        s->awaited_by_any_wait = v == 1;
    }
    if ((x = tl_yaml_get(n, "child_if_zero")) && ml_get_bool(L, x, "child_if_zero", &s->child_if_zero) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "parent_waits_child")) &&
        ml_get_bool(L, x, "parent_waits_child", &s->parent_waits_child) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "eager")) && ml_get_bool(L, x, "eager", &s->eager) != 0)
        return -1;
    if (!s->task && !(s->task = ml_strdup("task"))) return ml_fail(L, n, "out of memory");

    char w[160];
    ml_where(w, sizeof(w), L);
    if (s->where == TL_HANDLE_OUT_ARG && s->handle_arg < 0)
        return ml_fail(L, n, "'handle: out' needs 'handle_arg' (the out-pointer argument)%s", w);
    if (s->where != TL_HANDLE_OUT_ARG && s->handle_arg >= 0)
        return ml_fail(L, n, "'handle_arg' is only used with 'handle: out'%s", w);
    if (s->entry_arg >= 0 && s->entry_before_call)
        return ml_fail(L, n, "give either 'entry_arg' or 'entry_before', not both%s", w);
    if (s->data_arg >= 0 && s->entry_arg < 0)
        return ml_fail(L, n, "'data_arg' needs 'entry_arg' (the entry function it is handed to)%s", w);
    if (s->data_arg >= 0 && s->data_arg == s->entry_arg)
        return ml_fail(L, n, "'data_arg' and 'entry_arg' must be different arguments%s", w);
    if (s->has_no_owner_value && s->owner_arg < 0)
        return ml_fail(L, n, "'no_owner_value' needs 'owner_arg'%s", w);
    if (s->child_if_zero && (s->where != TL_HANDLE_RESULT || s->success != TL_SUCCESS_POSITIVE))
        return ml_fail(L, n, "'child_if_zero' needs 'handle: result' and 'success: positive'%s", w);
    if (s->parent_waits_child && !s->child_if_zero)
        return ml_fail(L, n, "'parent_waits_child' needs 'child_if_zero'%s", w);
    return 0;
}

static int parse_release(loader *L, const tl_yaml_node *n, tl_release_facet *rel) {
    static const char *const keys[] = {"arg", "how", "cancels", NULL};
    static const char *const hows[] = {"join", "close", "detach", "destroy", "reap", NULL};
    int r = ml_facet_off(L, n, "release",
                      "a mapping {arg: N, how: join/close/detach/destroy/reap, cancels: true/false}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *arg = tl_yaml_get(n, "arg"), *how = tl_yaml_get(n, "how");
    char w[160];
    if (!arg || !how)
        return ml_fail(L, n, "'release'%s needs 'arg' and 'how'", ml_where(w, sizeof(w), L));
    int v;
    if (ml_get_arg(L, arg, "arg", false, &rel->arg) != 0) return -1;
    if (ml_get_choice(L, how, "how", hows, &v) != 0) return -1;
    if (!(rel->how = ml_strdup(hows[v]))) return ml_fail(L, n, "out of memory");
    const tl_yaml_node *c = tl_yaml_get(n, "cancels");
    if (c && ml_get_bool(L, c, "cancels", &rel->cancels) != 0) return -1;
    rel->present = true;
    return 0;
}

/* counter_init: {arg: N, value_arg: M} - the object and its initial count. */
static int parse_counter_init(loader *L, const tl_yaml_node *n, tl_counter_init_facet *c) {
    static const char *const keys[] = {"arg", "value_arg", NULL};
    char w[160];
    if (n->type != TL_YAML_MAP)
        return ml_fail(L, n, "'counter_init'%s must be {arg: N, value_arg: M}", ml_where(w, sizeof(w), L));
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *arg = tl_yaml_get(n, "arg"), *val = tl_yaml_get(n, "value_arg");
    if (!arg || !val)
        return ml_fail(L, n, "'counter_init'%s needs 'arg' and 'value_arg'", ml_where(w, sizeof(w), L));
    if (ml_get_arg(L, arg, "arg", false, &c->arg) != 0 ||
        ml_get_arg(L, val, "value_arg", false, &c->value_arg) != 0)
        return -1;
    c->present = true;
    return 0;
}

/* start/await/teardown/part_of: {arg: N, ...} or just N.  start may say
 * which results mean success and whether the object is a generator
 * (generator: true); await how many completions it awaits (count: N or
 * count_arg: M; neither: all) and whether it first starts what was prepared
 * (submits: true), and whether it leaves the completions it waited for in
 * place (keeps: true, with a count).  `success` and `generator` are NULL except for 'start',
 * `reap` except for 'await'. */
static int parse_arg_facet(loader *L, const tl_yaml_node *n, const char *facet, tl_arg_facet *a,
                           tl_success *success, tl_reap_facet *reap, bool *generator) {
    static const char *const plain_keys[] = {"arg", NULL};
    static const char *const start_keys[] = {"arg", "success", "generator", NULL};
    static const char *const await_keys[] = {"arg", "count", "count_arg", "submits", "observes",
                                             "keeps", NULL};
    static const char *const successes[] = {"always", "zero", "nonnegative", "nonnull", "count",
                                            NULL};
    bool is_start = success != NULL, is_await = reap != NULL;
    if (n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "false") == 0) return 1;
    if (n->type == TL_YAML_SCALAR) {
        if (ml_get_arg(L, n, facet, false, &a->arg) != 0) return -1;
    } else {
        char w[160];
        if (n->type != TL_YAML_MAP)
            return ml_fail(L, n, "'%s'%s must be {arg: N} or an argument index", facet,
                         ml_where(w, sizeof(w), L));
        if (ml_check_keys(L, n, is_start ? start_keys : is_await ? await_keys : plain_keys) != 0)
            return -1;
        const tl_yaml_node *arg = tl_yaml_get(n, "arg"), *x;
        if (!arg) return ml_fail(L, n, "'%s'%s needs 'arg'", facet, ml_where(w, sizeof(w), L));
        if (ml_get_arg(L, arg, "arg", false, &a->arg) != 0) return -1;
        int v;
        if ((x = tl_yaml_get(n, "success"))) {
            if (ml_get_choice(L, x, "success", successes, &v) != 0) return -1;
            *success = v == 4 ? TL_SUCCESS_COUNT : (tl_success)v;
        }
        if ((x = tl_yaml_get(n, "count"))) {
            if (ml_get_int(L, x, "count", &reap->count) != 0) return -1;
            if (reap->count < 0)
                return ml_fail(L, x, "'count'%s must be 0 or more", ml_where(w, sizeof(w), L));
            reap->has_count = true;
        }
        if ((x = tl_yaml_get(n, "count_arg"))) {
            if (ml_get_arg(L, x, "count_arg", false, &reap->count_arg) != 0) return -1;
            reap->has_count_arg = true;
        }
        if (reap && reap->has_count && reap->has_count_arg)
            return ml_fail(L, n, "give either 'count' or 'count_arg', not both%s",
                           ml_where(w, sizeof(w), L));
        if ((x = tl_yaml_get(n, "submits")) && ml_get_bool(L, x, "submits", &reap->submits) != 0)
            return -1;
        if ((x = tl_yaml_get(n, "observes")) && ml_get_bool(L, x, "observes", &reap->observes) != 0)
            return -1;
        if (reap && reap->observes) {
            if (reap->has_count_arg || (reap->has_count && reap->count != 0) || reap->submits)
                return ml_fail(L, x, "'observes'%s reaps and submits nothing: give no 'count_arg', "
                                     "'submits' or non-zero 'count' with it",
                               ml_where(w, sizeof(w), L));
            reap->has_count = true; /* count: 0 */
            reap->count = 0;
        }
        if ((x = tl_yaml_get(n, "keeps"))) {
            if (ml_get_bool(L, x, "keeps", &reap->keeps) != 0) return -1;
            if (reap->keeps && !reap->has_count && !reap->has_count_arg)
                return ml_fail(L, x, "'keeps'%s needs 'count' or 'count_arg'", ml_where(w, sizeof(w), L));
        }
        if (generator && (x = tl_yaml_get(n, "generator")) &&
            ml_get_bool(L, x, "generator", generator) != 0)
            return -1;
    }
    a->present = true;
    return 0;
}

/* prepare: {arg: N, op: peer/complete/immediate/fd_io/cancel/link_timeout, fd_arg: M,
 * multishot: B, fails: B, fails_unless: {arg: N, mask: M}} - prepares one
 * operation in the object (or its part) in arg; fd_io needs fd_arg. */
static int parse_prepare(loader *L, const tl_yaml_node *n, tl_prepare_facet *p) {
    static const char *const keys[] = {"arg", "op", "fd_arg", "multishot", "fails", "fails_unless", NULL};
    static const char *const ops[] = {"peer", "complete", "fd_io", "cancel", "link_timeout", "immediate", NULL};
    int r = ml_facet_off(L, n, "prepare",
                         "a mapping {arg: N, op: peer/complete/immediate/fd_io/cancel/link_timeout, fd_arg: M}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *arg = tl_yaml_get(n, "arg"), *op = tl_yaml_get(n, "op"), *x;
    char w[160];
    if (!arg || !op)
        return ml_fail(L, n, "'prepare'%s needs 'arg' and 'op'", ml_where(w, sizeof(w), L));
    int v;
    if (ml_get_arg(L, arg, "arg", false, &p->arg) != 0) return -1;
    if (ml_get_choice(L, op, "op", ops, &v) != 0) return -1;
    p->op = v == 3 ? TL_OP_CANCEL : v == 4 ? TL_OP_LINK_TIMEOUT : v == 5 ? TL_OP_IMMEDIATE : (tl_op_kind)v;
    if ((x = tl_yaml_get(n, "fd_arg")) && ml_get_arg(L, x, "fd_arg", false, &p->fd_arg) != 0)
        return -1;
    if (p->op == TL_OP_FD_IO && p->fd_arg < 0)
        return ml_fail(L, n, "'op: fd_io'%s needs 'fd_arg' (the descriptor argument)",
                       ml_where(w, sizeof(w), L));
    if (p->op != TL_OP_FD_IO && p->fd_arg >= 0)
        return ml_fail(L, n, "'fd_arg'%s is only used with 'op: fd_io'", ml_where(w, sizeof(w), L));
    if ((x = tl_yaml_get(n, "multishot")) && ml_get_bool(L, x, "multishot", &p->multishot) != 0)
        return -1;
    if (p->multishot && p->op != TL_OP_PEER && p->op != TL_OP_FD_IO)
        return ml_fail(L, x, "'multishot'%s is only used with 'op: peer' or 'op: fd_io' (a request "
                             "that goes on posting completions)", ml_where(w, sizeof(w), L));
    if ((x = tl_yaml_get(n, "fails")) && ml_get_bool(L, x, "fails", &p->fails) != 0) return -1;
    if ((x = tl_yaml_get(n, "fails_unless"))) {
        if (!p->fails)
            return ml_fail(L, x, "'fails_unless'%s needs 'fails: true'", ml_where(w, sizeof(w), L));
        if (ml_get_flag_test(L, x, "fails_unless", &p->fails_unless_arg, &p->fails_unless_mask) != 0) return -1;
    }
    p->present = true;
    return 0;
}

/* request_flags: {arg: N, value_arg: M, skip_success: MASK, link: MASK} -
 * sets the flags of the prepared request in arg to the value of value_arg;
 * on a field entry (field: true) without arg/value_arg: the value stored
 * into the field.  At least one mask, none 0. */
static int parse_request_flags(loader *L, const tl_yaml_node *n, bool field, tl_request_flags_facet *q) {
    static const char *const keys[] = {"arg", "value_arg", "skip_success", "link", NULL};
    int r = ml_facet_off(L, n, "request_flags",
                         "a mapping {arg: N, value_arg: M, skip_success: MASK, link: MASK}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *arg = tl_yaml_get(n, "arg"), *va = tl_yaml_get(n, "value_arg");
    const tl_yaml_node *skip = tl_yaml_get(n, "skip_success"), *link = tl_yaml_get(n, "link");
    char w[160];
    if (field && (arg || va))
        return ml_fail(L, arg ? arg : va, "'request_flags' of field '%s' takes no '%s': the "
                       "value stored into the field is the flags", L->fn, arg ? "arg" : "value_arg");
    if (!field && (!arg || !va))
        return ml_fail(L, n, "'request_flags' of function '%s' needs 'arg' (the request) and "
                       "'value_arg' (its flags)", L->fn);
    if (!skip && !link)
        return ml_fail(L, n, "'request_flags' of '%s' needs 'skip_success' or 'link' (a mask)", L->fn);
    if (arg && ml_get_arg(L, arg, "arg", false, &q->arg) != 0) return -1;
    if (va && ml_get_arg(L, va, "value_arg", false, &q->value_arg) != 0) return -1;
    if (arg && va && q->arg == q->value_arg)
        return ml_fail(L, va, "'value_arg'%s must differ from 'arg'", ml_where(w, sizeof(w), L));
    if (skip && ml_get_int(L, skip, "skip_success", &q->skip_success) != 0) return -1;
    if (skip && q->skip_success == 0)
        return ml_fail(L, skip, "'skip_success'%s must not be 0", ml_where(w, sizeof(w), L));
    if (link && ml_get_int(L, link, "link", &q->link) != 0) return -1;
    if (link && q->link == 0) return ml_fail(L, link, "'link'%s must not be 0", ml_where(w, sizeof(w), L));
    q->present = true;
    return 0;
}

/* descriptor: {kind: file/peer/kernel, arg: N, kind_if: {arg: N, values:
 * [V, ...], kind: K}, from_arg: N} - makes a descriptor: the result, or
 * with arg the array it fills (pipe(fds)); kind_if: another kind when an
 * argument has one of the values (socket's family); from_arg: the kind of
 * the descriptor in that argument when it is known (accept's listener). */
static int parse_descriptor(loader *L, const tl_yaml_node *n, tl_descriptor_facet *d) {
    static const char *const keys[] = {"kind", "arg", "kind_if", "from_arg", "datagram_if", NULL};
    static const char *const if_keys[] = {"arg", "values", "kind", NULL};
    static const char *const dgram_keys[] = {"arg", "mask", "values", NULL};
    static const char *const kinds[] = {"file", "peer", "kernel", NULL};
    int r = ml_facet_off(L, n, "descriptor", "a mapping {kind: file/peer/kernel, arg: N}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *kind = tl_yaml_get(n, "kind"), *x;
    char w[160];
    if (!kind) return ml_fail(L, n, "'descriptor'%s needs 'kind'", ml_where(w, sizeof(w), L));
    int v;
    if (ml_get_choice(L, kind, "kind", kinds, &v) != 0) return -1;
    d->kind = (tl_desc_kind)v;
    if ((x = tl_yaml_get(n, "arg")) && ml_get_arg(L, x, "arg", false, &d->arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "from_arg")) && ml_get_arg(L, x, "from_arg", false, &d->from_arg) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "kind_if"))) {
        if (ml_need_type(L, x, TL_YAML_MAP, "kind_if") != 0 || ml_check_keys(L, x, if_keys) != 0)
            return -1;
        const tl_yaml_node *a = tl_yaml_get(x, "arg"), *vs = tl_yaml_get(x, "values"),
                           *k = tl_yaml_get(x, "kind");
        if (!a || !vs || !k)
            return ml_fail(L, x, "'kind_if'%s needs 'arg', 'values' and 'kind'", ml_where(w, sizeof(w), L));
        if (ml_get_arg(L, a, "arg", false, &d->kind_if_arg) != 0) return -1;
        if (vs->type == TL_YAML_SEQ) {
            if (vs->n < 1 || vs->n > TL_MAX_VALUES)
                return ml_fail(L, vs, "'values'%s must list 1 to %d integers", ml_where(w, sizeof(w), L),
                               TL_MAX_VALUES);
            for (size_t i = 0; i < vs->n; i++)
                if (ml_get_int(L, vs->items[i], "values", &d->kind_if_values[i]) != 0) return -1;
            d->nkind_if_values = (int)vs->n;
        } else {
            if (ml_get_int(L, vs, "values", &d->kind_if_values[0]) != 0) return -1;
            d->nkind_if_values = 1;
        }
        if (ml_get_choice(L, k, "kind", kinds, &v) != 0) return -1;
        d->kind_if_kind = (tl_desc_kind)v;
    }
    if ((x = tl_yaml_get(n, "datagram_if"))) {
        if (ml_need_type(L, x, TL_YAML_MAP, "datagram_if") != 0 || ml_check_keys(L, x, dgram_keys) != 0)
            return -1;
        const tl_yaml_node *a = tl_yaml_get(x, "arg"), *m = tl_yaml_get(x, "mask"), *vs = tl_yaml_get(x, "values");
        if (!a || !m || !vs)
            return ml_fail(L, x, "'datagram_if'%s needs 'arg', 'mask' and 'values'", ml_where(w, sizeof(w), L));
        if (ml_get_arg(L, a, "arg", false, &d->datagram_if_arg) != 0) return -1;
        if (ml_get_int(L, m, "mask", &d->datagram_if_mask) != 0) return -1;
        if (vs->type != TL_YAML_SEQ || vs->n < 1 || vs->n > TL_MAX_VALUES)
            return ml_fail(L, vs, "'values'%s must list 1 to %d integers", ml_where(w, sizeof(w), L), TL_MAX_VALUES);
        for (size_t i = 0; i < vs->n; i++)
            if (ml_get_int(L, vs->items[i], "values", &d->datagram_if_values[i]) != 0) return -1;
        d->ndatagram_if_values = (int)vs->n;
    }
    d->present = true;
    return 0;
}

static int parse_borrow(loader *L, const tl_yaml_node *n, tl_fn_model *f) {
    if (n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "false") == 0) return 1;
    int args[TL_MAX_CB_ARGS], count;
    if (ml_get_arg_list(L, n, "borrow", TL_MAX_CB_ARGS, args, &count) != 0) return -1;
    for (int i = 0; i < count; i++) {
        f->borrow[i].present = true;
        f->borrow[i].arg = args[i];
    }
    f->nborrow = count;
    return 0;
}

static int parse_callback(loader *L, const tl_yaml_node *n, tl_callback_facet *cb) {
    static const char *const keys[] = {"args", "context", "readiness", "ready_param", "fd_arg",
                                       "data_arg", "data_param", "ready_field", "handle_param", "loop_arg", NULL};
    static const char *const contexts[] = {"coroutine", "loop", "thread", NULL};
    int r = ml_facet_off(L, n, "callback", "a mapping {args: [N, ...], context: loop/coroutine/thread}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *args = tl_yaml_get(n, "args"), *ctx = tl_yaml_get(n, "context");
    char wb[160];
    /* a field entry (RECORD.FIELD): the functions stored into the field */
    bool field = L->fn && strchr(L->fn, '.');
    if (field && args)
        return ml_fail(L, args, "'callback'%s of a field takes no 'args' (the functions stored into "
                       "the field are the callbacks)", ml_where(wb, sizeof(wb), L));
    if (!ctx || (!field && !args))
        return ml_fail(L, n, "'callback'%s needs %s'context'", ml_where(wb, sizeof(wb), L),
                       field ? "" : "'args' and ");
    if (args && ml_get_arg_list(L, args, "args", TL_MAX_CB_ARGS, cb->args, &cb->nargs) != 0) return -1;
    int v;
    if (ml_get_choice(L, ctx, "context", contexts, &v) != 0) return -1;
    cb->context = v == 0 ? TL_CTX_COROUTINE : v == 1 ? TL_CTX_LOOP_CALLBACK : TL_CTX_THREAD;
    const tl_yaml_node *rd = tl_yaml_get(n, "readiness");
    if (rd && ml_get_bool(L, rd, "readiness", &cb->readiness) != 0) return -1;
    const tl_yaml_node *x;
    if ((x = tl_yaml_get(n, "ready_param"))) {
        if (!cb->readiness) return ml_fail(L, x, "'ready_param'%s needs 'readiness: true'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, x, "ready_param", false, &cb->ready_param) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "ready_field"))) {
        if (cb->ready_param < 0) return ml_fail(L, x, "'ready_field'%s needs 'ready_param'", ml_where(wb, sizeof(wb), L));
        if (ml_get_field(L, x, "ready_field", cb->ready_field) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "fd_arg"))) {
        if (!cb->readiness) return ml_fail(L, x, "'fd_arg'%s needs 'readiness: true'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, x, "fd_arg", false, &cb->fd_arg) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "handle_param")) && ml_get_arg(L, x, "handle_param", false, &cb->handle_param) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "loop_arg")) && ml_get_arg(L, x, "loop_arg", false, &cb->loop_arg) != 0)
        return -1;
    const tl_yaml_node *da = tl_yaml_get(n, "data_arg"), *dp = tl_yaml_get(n, "data_param");
    if (da || dp) {
        if (!da || !dp || cb->fd_arg < 0)
            return ml_fail(L, da ? da : dp, "'data_arg' and 'data_param'%s go together, with 'fd_arg'",
                           ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, da, "data_arg", false, &cb->data_arg) != 0 ||
            ml_get_arg(L, dp, "data_param", false, &cb->data_param) != 0)
            return -1;
    }
    cb->present = true;
    return 0;
}

/* detach_attr: {arg: N, value_arg: N, values: [V, ...]} - the call sets the
 * attribute object in `arg` to a detached state when `value_arg` is one of
 * `values` (read by orphaned-spawn through a spawn's attr_arg). */
static int parse_detach_attr(loader *L, const tl_yaml_node *n, tl_detach_attr_facet *d) {
    static const char *const keys[] = {"arg", "value_arg", "values", NULL};
    int r = ml_facet_off(L, n, "detach_attr", "a mapping {arg: N, value_arg: N, values: [V, ...]}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *arg = tl_yaml_get(n, "arg"), *va = tl_yaml_get(n, "value_arg"),
                       *vs = tl_yaml_get(n, "values");
    char w[160];
    if (!arg || !va || !vs)
        return ml_fail(L, n, "'detach_attr'%s needs 'arg', 'value_arg' and 'values'",
                     ml_where(w, sizeof(w), L));
    if (ml_get_arg(L, arg, "arg", false, &d->arg) != 0 ||
        ml_get_arg(L, va, "value_arg", false, &d->value_arg) != 0)
        return -1;
    if (vs->type == TL_YAML_SEQ) {
        if (vs->n == 0 || vs->n > TL_MAX_VALUES)
            return ml_fail(L, vs, "'values'%s must list 1 to %d integers", ml_where(w, sizeof(w), L),
                         TL_MAX_VALUES);
        for (size_t i = 0; i < vs->n; i++)
            if (ml_get_int(L, vs->items[i], "values", &d->values[i]) != 0) return -1;
        d->nvalues = (int)vs->n;
    } else {
        if (ml_get_int(L, vs, "values", &d->values[0]) != 0) return -1;
        d->nvalues = 1;
    }
    d->present = true;
    return 0;
}

/* returns_only: [V, ...] - the call returns only with one of these results
 * (execve returns only on failure, -1): a branch on its result that no such
 * value takes is never taken (read by rules/fork_child.c). */
static int parse_returns_only(loader *L, const tl_yaml_node *n, tl_fn_model *f) {
    char w[160];
    f->nreturns_only = 0;
    if (n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "false") == 0)
        return 0; /* removes it */
    if (n->type != TL_YAML_SEQ) {
        if (ml_get_int(L, n, "returns_only", &f->returns_only[0]) != 0) return -1;
        f->nreturns_only = 1;
        return 0;
    }
    if (n->n == 0 || n->n > TL_MAX_VALUES)
        return ml_fail(L, n, "'returns_only'%s must list 1 to %d integers (the only results the "
                             "call returns with, e.g. [-1] for execve)",
                       ml_where(w, sizeof(w), L), TL_MAX_VALUES);
    for (size_t i = 0; i < n->n; i++)
        if (ml_get_int(L, n->items[i], "returns_only", &f->returns_only[i]) != 0) return -1;
    f->nreturns_only = (int)n->n;
    return 0;
}

/* errno_location: {would_block: [V, ...]} - see model.h (tl_errno_facet). */
static int parse_errno_location(loader *L, const tl_yaml_node *n, tl_errno_facet *e) {
    static const char *const keys[] = {"would_block", NULL};
    char w[160];
    L->facet = "errno_location";
    int off = ml_facet_off(L, n, "errno_location", "{would_block: [V, ...]}");
    *e = (tl_errno_facet){0};
    if (off) return off < 0 ? -1 : 0;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *v = tl_yaml_get(n, "would_block");
    if (!v || v->type != TL_YAML_SEQ || v->n == 0 || v->n > TL_MAX_VALUES)
        return ml_fail(L, v ? v : n, "'would_block'%s must list 1 to %d integers (the errno values "
                                     "of an operation that would block: EAGAIN, EWOULDBLOCK)",
                       ml_where(w, sizeof(w), L), TL_MAX_VALUES);
    for (size_t i = 0; i < v->n; i++)
        if (ml_get_int(L, v->items[i], "would_block", &e->would_block[i]) != 0) return -1;
    e->nwould_block = (int)v->n;
    e->present = true;
    return 0;
}

/* release_all: {task: NOUN, when: [{arg: N, values: [V, ...]}, ...]} - the
 * call releases every handle of that task noun in the program (read by
 * orphaned-spawn, rules/release_all.c) when each `when` argument has one of
 * its values. */
static int parse_release_all(loader *L, const tl_yaml_node *n, tl_release_all_facet *ra) {
    static const char *const keys[] = {"task", "when", NULL};
    static const char *const wkeys[] = {"arg", "values", NULL};
    int r = ml_facet_off(L, n, "release_all", "a mapping {task: NOUN, when: [{arg: N, values: [V, ...]}]}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char w[160];
    const tl_yaml_node *task = tl_yaml_get(n, "task"), *when = tl_yaml_get(n, "when");
    if (!task) return ml_fail(L, n, "'release_all'%s needs 'task' (a spawn's task noun)", ml_where(w, sizeof(w), L));
    if (ml_get_string(L, task, "task", &ra->task) != 0) return -1;
    if (when) {
        size_t k = when->type == TL_YAML_SEQ ? when->n : 1;
        if (when->type == TL_YAML_SCALAR || k == 0 || k > TL_MAX_VALUES)
            return ml_fail(L, when, "'when'%s must list 1 to %d conditions {arg: N, values: [V, ...]}",
                           ml_where(w, sizeof(w), L), TL_MAX_VALUES);
        for (size_t i = 0; i < k; i++) {
            const tl_yaml_node *c = when->type == TL_YAML_SEQ ? when->items[i] : when;
            tl_arg_values *av = &ra->when[i];
            if (ml_need_type(L, c, TL_YAML_MAP, "when") != 0 || ml_check_keys(L, c, wkeys) != 0) return -1;
            const tl_yaml_node *arg = tl_yaml_get(c, "arg"), *vs = tl_yaml_get(c, "values");
            if (!arg || !vs)
                return ml_fail(L, c, "each 'when' condition%s needs 'arg' and 'values'", ml_where(w, sizeof(w), L));
            if (ml_get_arg(L, arg, "arg", false, &av->arg) != 0) return -1;
            size_t nv = vs->type == TL_YAML_SEQ ? vs->n : 1;
            if (vs->type == TL_YAML_MAP || nv == 0 || nv > TL_MAX_VALUES)
                return ml_fail(L, vs, "'values'%s must list 1 to %d integers", ml_where(w, sizeof(w), L),
                               TL_MAX_VALUES);
            for (size_t j = 0; j < nv; j++)
                if (ml_get_int(L, vs->type == TL_YAML_SEQ ? vs->items[j] : vs, "values", &av->values[j]) != 0)
                    return -1;
            av->nvalues = (int)nv;
            ra->nwhen = (int)i + 1;
        }
    }
    ra->present = true;
    return 0;
}

/* self_handle: {task: NOUN} - the call returns the calling task's own
 * handle (getpid()), read by orphaned-spawn (rules/self_publish.c). */
static int parse_self_handle(loader *L, const tl_yaml_node *n, tl_self_handle_facet *sh) {
    static const char *const keys[] = {"task", NULL};
    int r = ml_facet_off(L, n, "self_handle", "a mapping {task: NOUN}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char w[160];
    const tl_yaml_node *task = tl_yaml_get(n, "task");
    if (!task) return ml_fail(L, n, "'self_handle'%s needs 'task' (a spawn's task noun)", ml_where(w, sizeof(w), L));
    if (ml_get_string(L, task, "task", &sh->task) != 0) return -1;
    sh->present = true;
    return 0;
}

/* One "name: {facets}" entry of "functions:". */
int ml_parse_function(loader *L, const char *name, const tl_yaml_node *body,
                          pending_fn *out) {
    char c[768]; /* every facet name, and a "did you mean" */
    ml_fn_defaults(&out->fn);
    out->facets = 0;
    if (!(out->fn.name = ml_strdup(name))) return ml_fail(L, body, "out of memory");
    L->fn = name;
    L->facet = NULL;
    if (body->type != TL_YAML_MAP)
        return ml_fail(L, body, "function '%s' must be a mapping of facets (%s)", name,
                     ml_choices(c, sizeof(c), ml_facet_names, NULL));
    /* RECORD.FIELD: a function-pointer field of a struct or union, whose
       stored functions are callbacks (ev_io.cb); only a callback facet */
    const char *dot = strchr(name, '.');
    if (dot) {
        bool ok = dot > name && dot[1] && !strchr(dot + 1, '.');
        for (const char *p = name; *p && ok; p++)
            ok = p == dot || *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (p != name && p != dot + 1 && *p >= '0' && *p <= '9');
        if (!ok)
            return ml_fail(L, body, "'%s' is neither a function name nor RECORD.FIELD (a struct or "
                           "union tag and one of its fields, e.g. ev_io.cb)", name);
        for (size_t i = 0; i < body->n; i++)
            if (strcmp(body->keys[i], "callback") != 0 && strcmp(body->keys[i], "request_flags") != 0)
                return ml_fail_key(L, body, i,
                                   "field '%s' takes only a 'callback' or 'request_flags' facet, not '%s'",
                                   name, body->keys[i]);
    }
    for (size_t i = 0; i < body->n; i++) {
        const char *key = body->keys[i];
        const tl_yaml_node *v = body->items[i];
        tl_fn_model *f = &out->fn;
        int r;
        L->facet = key;
        if (strcmp(key, "spawn") == 0) {
            r = parse_spawn(L, v, &f->spawn);
            out->facets |= F_SPAWN;
        } else if (strcmp(key, "release") == 0) {
            r = parse_release(L, v, &f->release);
            out->facets |= F_RELEASE;
        } else if (strcmp(key, "release_all") == 0) {
            r = parse_release_all(L, v, &f->release_all);
            out->facets |= F_RELEASE_ALL;
        } else if (strcmp(key, "self_handle") == 0) {
            r = parse_self_handle(L, v, &f->self_handle);
            out->facets |= F_SELF_HANDLE;
        } else if (strcmp(key, "borrow") == 0) {
            r = parse_borrow(L, v, f);
            out->facets |= F_BORROW;
        } else if (strcmp(key, "start") == 0) {
            r = parse_arg_facet(L, v, "start", &f->start, &f->start_success, NULL,
                                &f->start_generator);
            out->facets |= F_START;
        } else if (strcmp(key, "await") == 0) {
            r = parse_arg_facet(L, v, "await", &f->await, NULL, &f->reap, NULL);
            out->facets |= F_AWAIT;
        } else if (strcmp(key, "teardown") == 0) {
            r = parse_arg_facet(L, v, "teardown", &f->teardown, NULL, NULL, NULL);
            out->facets |= F_TEARDOWN;
        } else if (strcmp(key, "part_of") == 0) {
            r = parse_arg_facet(L, v, "part_of", &f->part_of, NULL, NULL, NULL);
            out->facets |= F_PART_OF;
        } else if (strcmp(key, "prepare") == 0) {
            r = parse_prepare(L, v, &f->prepare);
            out->facets |= F_PREPARE;
        } else if (strcmp(key, "request_flags") == 0) {
            r = parse_request_flags(L, v, dot != NULL, &f->request_flags);
            out->facets |= F_REQUEST_FLAGS;
        } else if (strcmp(key, "descriptor") == 0) {
            r = parse_descriptor(L, v, &f->descriptor);
            out->facets |= F_DESCRIPTOR;
        } else if (strcmp(key, "wait") == 0) {
            r = ml_parse_wait(L, v, &f->wait);
            out->facets |= F_WAIT;
        } else if (strcmp(key, "post") == 0) {
            r = parse_arg_facet(L, v, "post", &f->post, NULL, NULL, NULL);
            out->facets |= F_POST;
        } else if (strcmp(key, "lock") == 0) {
            r = parse_arg_facet(L, v, "lock", &f->lock, NULL, NULL, NULL);
            out->facets |= F_LOCK;
        } else if (strcmp(key, "unlock") == 0) {
            r = parse_arg_facet(L, v, "unlock", &f->unlock, NULL, NULL, NULL);
            out->facets |= F_UNLOCK;
        } else if (strcmp(key, "counter_init") == 0) {
            r = parse_counter_init(L, v, &f->counter_init);
            out->facets |= F_COUNTER_INIT;
        } else if (strcmp(key, "blocking") == 0) {
            r = ml_parse_blocking(L, v, &f->blocking);
            out->facets |= F_BLOCKING;
        } else if (strcmp(key, "callback") == 0) {
            r = parse_callback(L, v, &f->callback);
            out->facets |= F_CALLBACK;
        } else if (strcmp(key, "detach_attr") == 0) {
            r = parse_detach_attr(L, v, &f->detach_attr);
            out->facets |= F_DETACH_ATTR;
        } else if (strcmp(key, "fd_state") == 0) {
            r = ml_parse_fd_state(L, v, &f->fd_state);
            out->facets |= F_FD_STATE;
        } else if (strcmp(key, "fresh") == 0) {
            r = ml_parse_fresh(L, v, &f->fresh);
            out->facets |= F_FRESH;
        } else if (strcmp(key, "sends") == 0) {
            r = ml_parse_sends(L, v, &f->sends);
            out->facets |= F_SENDS;
        } else if (strcmp(key, "buffered") == 0) {
            r = ml_parse_buffered(L, v, &f->buffered);
            out->facets |= F_BUFFERED;
        } else if (strcmp(key, "end_errno") == 0) {
            r = ml_parse_end_errno(L, v, &f->end_errno);
            out->facets |= F_END_ERRNO;
        } else if (strcmp(key, "numeric_check") == 0) {
            r = ml_parse_numeric_check(L, v, &f->numeric_check);
            out->facets |= F_NUMERIC_CHECK;
        } else if (strcmp(key, "fd_flags") == 0) {
            r = ml_parse_fd_flags(L, v, &f->fd_flags);
            out->facets |= F_FD_FLAGS;
        } else if (strcmp(key, "watch_fd") == 0) {
            r = parse_arg_facet(L, v, "watch_fd", &f->watch_fd, NULL, NULL, NULL);
            out->facets |= F_WATCH_FD;
        } else if (strcmp(key, "channel_pair") == 0) {
            r = parse_arg_facet(L, v, "channel_pair", &f->channel_pair, NULL, NULL, NULL);
            out->facets |= F_CHANNEL_PAIR;
        } else if (strcmp(key, "channel_done") == 0) {
            r = parse_arg_facet(L, v, "channel_done", &f->channel_done, NULL, NULL, NULL);
            out->facets |= F_CHANNEL_DONE;
        } else if (strcmp(key, "channel_buffer") == 0) {
            r = parse_arg_facet(L, v, "channel_buffer", &f->channel_buffer, NULL, NULL, NULL);
            out->facets |= F_CHANNEL_BUFFER;
        } else if (strcmp(key, "channel_put") == 0) {
            r = parse_arg_facet(L, v, "channel_put", &f->channel_put, NULL, NULL, NULL);
            out->facets |= F_CHANNEL_PUT;
        } else if (strcmp(key, "channel_take") == 0) {
            r = parse_arg_facet(L, v, "channel_take", &f->channel_take, NULL, NULL, NULL);
            out->facets |= F_CHANNEL_TAKE;
        } else if (strcmp(key, "object_open") == 0) {
            r = ml_parse_object_open(L, v, &f->object_open);
            out->facets |= F_OBJECT_OPEN;
        } else if (strcmp(key, "object_connect") == 0) {
            r = parse_arg_facet(L, v, "object_connect", &f->object_connect, NULL, NULL, NULL);
            out->facets |= F_OBJECT_CONNECT;
        } else if (strcmp(key, "deadline_option") == 0) {
            r = ml_parse_deadline_option(L, v, &f->deadline_option);
            out->facets |= F_DEADLINE_OPTION;
        } else if (strcmp(key, "reads") == 0) {
            r = parse_arg_facet(L, v, "reads", &f->reads, NULL, NULL, NULL);
            out->facets |= F_READS;
        } else if (strcmp(key, "readiness_wait") == 0) {
            r = ml_parse_readiness_wait(L, v, &f->readiness_wait);
            out->facets |= F_READINESS_WAIT;
        } else if (strcmp(key, "immediate_path") == 0) {
            r = ml_parse_immediate_path(L, v, &f->immediate_path);
            out->facets |= F_IMMEDIATE_PATH;
        } else if (strcmp(key, "cooperative") == 0) {
            L->facet = NULL;
            r = ml_get_bool(L, v, key, &f->cooperative);
            out->facets |= F_COOPERATIVE;
        } else if (strcmp(key, "synchronizes") == 0) {
            L->facet = NULL;
            r = ml_get_bool(L, v, key, &f->synchronizes);
            out->facets |= F_SYNCHRONIZES;
        } else if (strcmp(key, "must_await") == 0) {
            L->facet = NULL;
            r = ml_get_bool(L, v, key, &f->must_await);
            out->facets |= F_MUST_AWAIT;
        } else if (strcmp(key, "nonblocking") == 0) {
            L->facet = NULL;
            r = ml_get_bool(L, v, key, &f->nonblocking);
            out->facets |= F_NONBLOCKING;
        } else if (strcmp(key, "noreturn") == 0) {
            L->facet = NULL;
            /* `thread`: ends only the calling thread (pthread_exit) */
            f->noreturn_thread = v->type == TL_YAML_SCALAR && !v->quoted && strcmp(v->str, "thread") == 0;
            r = f->noreturn_thread ? (f->noreturn = true, 0) : ml_get_bool(L, v, key, &f->noreturn);
            out->facets |= F_NORETURN;
        } else if (strcmp(key, "returns_only") == 0) {
            L->facet = NULL;
            r = parse_returns_only(L, v, f);
            out->facets |= F_RETURNS_ONLY;
        } else if (strcmp(key, "errno_location") == 0) {
            r = parse_errno_location(L, v, &f->errno_location);
            out->facets |= F_ERRNO_LOCATION;
        } else if (strcmp(key, "dispatch") == 0) {
            L->facet = NULL;
            r = ml_get_bool(L, v, key, &f->dispatch);
            out->facets |= F_DISPATCH;
        } else {
            return ml_fail_key(L, body, i, "unknown facet '%s' in function '%s' (valid facets: %s)",
                         key, name, ml_choices(c, sizeof(c), ml_facet_names, key));
        }
        if (r < 0) return -1;
    }
    L->fn = L->facet = NULL;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Merging into the set                                                      */
/* ------------------------------------------------------------------------ */

/* Appends fn (moved: the set owns its strings now) and indexes it. */
