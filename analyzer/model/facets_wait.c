/* facets_wait.c - parsers of the wait and blocking facets of a model
 * document: wait (timeout argument, forever values, kind and the conditions
 * that change it) and blocking (with the conditions under which a call does
 * not block).  Split from facets.c, whose ml_parse_function calls them; they
 * use the node readers of node_readers.c (model_loader.h).  Read by the
 * missing-timeout and blocking-in-coroutine rules.  Format: docs/design.md.
 */
#include "model_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ml_parse_forever(loader *L, const tl_yaml_node *n, tl_forever *out, int *nout) {
    const tl_yaml_node *one = n;
    size_t count = 1;
    if (n->type == TL_YAML_SEQ) {
        count = n->n;
        char wb[160];
        if (count == 0 || count > TL_MAX_FOREVER)
            return ml_fail(L, n, "'forever'%s must list 1 to %d values", ml_where(wb, sizeof(wb), L),
                         TL_MAX_FOREVER);
    }
    for (size_t i = 0; i < count; i++) {
        if (n->type == TL_YAML_SEQ) one = n->items[i];
        tl_forever *fv = &out[i];
        if (one->type == TL_YAML_SCALAR && !one->quoted && strcmp(one->str, "negative") == 0) {
            fv->kind = TL_FOREVER_NEGATIVE;
        } else if (one->type == TL_YAML_SCALAR && !one->quoted && strcmp(one->str, "null") == 0) {
            fv->kind = TL_FOREVER_NULL;
        } else {
            int64_t v;
            if (one->type != TL_YAML_SCALAR || one->quoted || ml_parse_i64(one->str, &v) != 0) {
                char wb[160];
                return ml_fail(L, one,
                             "'forever'%s: expected negative, null or an integer, not %s%s%s",
                             ml_where(wb, sizeof(wb), L), one->type == TL_YAML_SCALAR ? "'" : "",
                             one->type == TL_YAML_SCALAR ? one->str : tl_yaml_type_name(one->type),
                             one->type == TL_YAML_SCALAR ? "'" : "");
            }
            fv->kind = TL_FOREVER_VALUE;
            fv->value = v;
        }
    }
    *nout = (int)count;
    return 0;
}

static int parse_wait_kind(loader *L, const tl_yaml_node *n, const char *what, tl_wait_kind *out) {
    int v;
    if (ml_get_choice(L, n, what, ml_wait_kind_names + 1, &v) != 0) return -1;
    *out = (tl_wait_kind)(v + 1);
    return 0;
}

/* unless_flag: {arg: N, mask: M} (M not 0), of the wait or blocking facet */
static int parse_unless_flag(loader *L, const tl_yaml_node *x, const char *facet, int *arg, int64_t *mask) {
    static const char *const flag_keys[] = {"arg", "mask", NULL};
    char wb[160];
    const char *outer = L->facet;
    L->facet = facet;
    if (ml_need_type(L, x, TL_YAML_MAP, "unless_flag") != 0 || ml_check_keys(L, x, flag_keys) != 0) return -1;
    const tl_yaml_node *a = tl_yaml_get(x, "arg"), *m = tl_yaml_get(x, "mask");
    if (!a || !m) return ml_fail(L, x, "'unless_flag'%s needs 'arg' and 'mask'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, arg) != 0 || ml_get_int(L, m, "mask", mask) != 0) return -1;
    if (*mask == 0) return ml_fail(L, m, "'mask'%s must not be 0", ml_where(wb, sizeof(wb), L));
    L->facet = outer;
    return 0;
}

/* a list of 1 to TL_MAX_TYPES integers */
static int parse_types(loader *L, const tl_yaml_node *n, const char *what, int64_t *out, int *nout) {
    char wb[160];
    if (n->type != TL_YAML_SEQ || n->n == 0 || n->n > TL_MAX_TYPES)
        return ml_fail(L, n, "'%s'%s must list 1 to %d integers", what, ml_where(wb, sizeof(wb), L), TL_MAX_TYPES);
    for (size_t i = 0; i < n->n; i++)
        if (ml_get_int(L, n->items[i], what, &out[i]) != 0) return -1;
    *nout = (int)n->n;
    return 0;
}

/* object_deadline: {arg: N, option: NAME, label: TEXT, never_types: [..], client_types: [..]} */
static int parse_object_deadline(loader *L, const tl_yaml_node *x, tl_wait_facet *w) {
    static const char *const keys[] = {"arg",          "option",       "label",           "never_types",
                                       "client_types", "frames_types", "unless_connected", NULL};
    char wb[160];
    const char *outer = L->facet;
    L->facet = "wait.object_deadline";
    if (ml_need_type(L, x, TL_YAML_MAP, "object_deadline") != 0 || ml_check_keys(L, x, keys) != 0) return -1;
    const tl_yaml_node *a = tl_yaml_get(x, "arg"), *o = tl_yaml_get(x, "option");
    if (!a || !o)
        return ml_fail(L, x, "'object_deadline'%s needs 'arg' and 'option'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, &w->deadline_arg) != 0) return -1;
    if (o->type != TL_YAML_SCALAR || !o->str[0] || strlen(o->str) >= TL_MAX_OPTION)
        return ml_fail(L, o, "'option'%s must be a name of 1 to %d bytes", ml_where(wb, sizeof(wb), L),
                       TL_MAX_OPTION - 1);
    memcpy(w->deadline_option, o->str, strlen(o->str) + 1);
    const tl_yaml_node *lb = tl_yaml_get(x, "label");
    if (lb) {
        if (lb->type != TL_YAML_SCALAR || !lb->str[0] || strlen(lb->str) >= TL_MAX_OPTION)
            return ml_fail(L, lb, "'label'%s must be a name of 1 to %d bytes", ml_where(wb, sizeof(wb), L),
                           TL_MAX_OPTION - 1);
        for (const char *p = lb->str; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return ml_fail(L, lb, "'label'%s must not hold control characters", ml_where(wb, sizeof(wb), L));
        memcpy(w->deadline_label, lb->str, strlen(lb->str) + 1);
    }
    const tl_yaml_node *t;
    if ((t = tl_yaml_get(x, "never_types")) && parse_types(L, t, "never_types", w->never_types, &w->nnever_types))
        return -1;
    if ((t = tl_yaml_get(x, "client_types")) &&
        parse_types(L, t, "client_types", w->client_types, &w->nclient_types))
        return -1;
    if ((t = tl_yaml_get(x, "frames_types")) &&
        parse_types(L, t, "frames_types", w->frames_types, &w->nframes_types))
        return -1;
    if ((t = tl_yaml_get(x, "unless_connected")) && ml_get_bool(L, t, "unless_connected", &w->unless_connected))
        return -1;
    L->facet = outer;
    return 0;
}

int ml_parse_wait(loader *L, const tl_yaml_node *n, tl_wait_facet *w) {
    static const char *const keys[] = {"timeout_arg", "forever", "kind", "kind_if",
                                       "only_if_nonzero", "object_arg", "kind_if_zero_init",
                                       "kind_if_unlooped", "unless_numeric_address",
                                       "kind_in_event_loop", "kind_in_endless_loop", "unless_served", "unless_peer_ended",
                                       "lock_arg", "unless_other_end_done", "object_deadline", "unless_flag", NULL};
    static const char *const if_keys[] = {"arg", "value", "kind", NULL};
    int r = ml_facet_off(L, n, "wait", "a mapping {timeout_arg: N, forever: [...], kind: ...}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    ml_where(wb, sizeof(wb), L);
    const tl_yaml_node *x;
    if ((x = tl_yaml_get(n, "timeout_arg")) && ml_get_arg(L, x, "timeout_arg", true, &w->timeout_arg))
        return -1;
    if ((x = tl_yaml_get(n, "object_deadline"))) {
        if (w->timeout_arg >= 0)
            return ml_fail(L, x, "'object_deadline'%s and 'timeout_arg' exclude each other", wb);
        if (parse_object_deadline(L, x, w) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "unless_flag")) &&
        parse_unless_flag(L, x, "wait.unless_flag", &w->unless_flag_arg, &w->unless_flag_mask) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "forever"))) {
        if (w->timeout_arg < 0)
            return ml_fail(L, x, "'forever' needs 'timeout_arg'%s (without one the wait is "
                                     "always forever)", wb);
        if (ml_parse_forever(L, x, w->forever, &w->nforever) != 0) return -1;
    } else if (w->timeout_arg >= 0) {
        return ml_fail(L, n, "'timeout_arg' needs 'forever' (negative, null or a value)%s", wb);
    }
    if (!(x = tl_yaml_get(n, "kind")))
        return ml_fail(L, n, "'wait'%s needs 'kind' (%s)", wb,
                     "peer, task, io, loop, accept, condition, join, sleep");
    if (parse_wait_kind(L, x, "kind", &w->kind) != 0) return -1;
    if ((x = tl_yaml_get(n, "kind_if"))) {
        const char *outer = L->facet;
        L->facet = "wait.kind_if";
        if (ml_need_type(L, x, TL_YAML_MAP, "kind_if") != 0 || ml_check_keys(L, x, if_keys) != 0)
            return -1;
        const tl_yaml_node *a = tl_yaml_get(x, "arg"), *v = tl_yaml_get(x, "value"),
                           *k = tl_yaml_get(x, "kind");
        if (!a || !v || !k)
            return ml_fail(L, x, "'kind_if'%s needs 'arg', 'value' and 'kind'",
                         ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, a, "arg", false, &w->kind_if_arg) != 0 ||
            ml_get_int(L, v, "value", &w->kind_if_value) != 0 ||
            parse_wait_kind(L, k, "kind", &w->kind_if_kind) != 0)
            return -1;
        w->has_kind_if = true;
        L->facet = outer;
    }
    if ((x = tl_yaml_get(n, "only_if_nonzero")) &&
        ml_get_arg(L, x, "only_if_nonzero", false, &w->only_if_nonzero_arg))
        return -1;
    if ((x = tl_yaml_get(n, "object_arg")) && ml_get_arg(L, x, "object_arg", false, &w->object_arg))
        return -1;
    if ((x = tl_yaml_get(n, "kind_if_zero_init"))) {
        if (w->object_arg < 0)
            return ml_fail(L, x, "'kind_if_zero_init'%s needs 'object_arg'", wb);
        if (parse_wait_kind(L, x, "kind_if_zero_init", &w->kind_if_zero_init) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "kind_if_unlooped")) &&
        parse_wait_kind(L, x, "kind_if_unlooped", &w->kind_if_unlooped) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "unless_numeric_address")) &&
        ml_get_arg(L, x, "unless_numeric_address", false, &w->unless_numeric_arg))
        return -1;
    if ((x = tl_yaml_get(n, "lock_arg"))) {
        if (w->object_arg < 0)
            return ml_fail(L, x, "'lock_arg'%s needs 'object_arg' (the condition it is signalled on)", wb);
        if (ml_get_arg(L, x, "lock_arg", false, &w->lock_arg) != 0) return -1;
        if (w->lock_arg == w->object_arg)
            return ml_fail(L, x, "'lock_arg'%s must differ from 'object_arg'", wb);
    }
    if ((x = tl_yaml_get(n, "kind_in_endless_loop")) &&
        parse_wait_kind(L, x, "kind_in_endless_loop", &w->kind_in_endless_loop) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "unless_peer_ended")) &&
        ml_get_arg(L, x, "unless_peer_ended", false, &w->unless_peer_ended) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "unless_served"))) {
        if (w->object_arg < 0)
            return ml_fail(L, x, "'unless_served'%s needs 'object_arg' (the object a sink serves)", wb);
        if (ml_get_bool(L, x, "unless_served", &w->unless_served) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "unless_other_end_done"))) {
        if (w->object_arg < 0)
            return ml_fail(L, x, "'unless_other_end_done'%s needs 'object_arg' (the channel end)", wb);
        if (ml_get_bool(L, x, "unless_other_end_done", &w->unless_other_end_done) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "kind_in_event_loop")) &&
        parse_wait_kind(L, x, "kind_in_event_loop", &w->kind_in_event_loop) != 0)
        return -1;
    w->present = true;
    return 0;
}

/* deadline_option: {arg: N, name_arg: N, value_arg: N, forever: [...]} */
int ml_parse_deadline_option(loader *L, const tl_yaml_node *n, tl_deadline_option_facet *d) {
    static const char *const keys[] = {"arg", "name_arg", "value_arg", "forever", NULL};
    int r = ml_facet_off(L, n, "deadline_option", "a mapping {arg: N, name_arg: N, value_arg: N, forever: [...]}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *a = tl_yaml_get(n, "arg"), *na = tl_yaml_get(n, "name_arg"), *va = tl_yaml_get(n, "value_arg"),
                       *fv = tl_yaml_get(n, "forever");
    if (!a || !na || !va || !fv)
        return ml_fail(L, n, "'deadline_option'%s needs 'arg', 'name_arg', 'value_arg' and 'forever'",
                       ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, &d->arg) != 0 || ml_get_arg(L, na, "name_arg", false, &d->name_arg) != 0 ||
        ml_get_arg(L, va, "value_arg", false, &d->value_arg) != 0 ||
        ml_parse_forever(L, fv, d->forever, &d->nforever) != 0)
        return -1;
    if (d->arg == d->name_arg || d->arg == d->value_arg || d->name_arg == d->value_arg)
        return ml_fail(L, n, "'deadline_option'%s: 'arg', 'name_arg' and 'value_arg' must differ",
                       ml_where(wb, sizeof(wb), L));
    d->present = true;
    return 0;
}

/* object_open: ARG, or {arg: ARG | result: true, type: N | type_arg: ARG} */
int ml_parse_object_open(loader *L, const tl_yaml_node *n, tl_object_open_facet *o) {
    static const char *const keys[] = {"arg", "result", "type", "type_arg", NULL};
    char wb[160];
    if (n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "false") == 0) return 1;
    if (n->type == TL_YAML_SCALAR) {
        if (ml_get_arg(L, n, "object_open", false, &o->arg) != 0) return -1;
        o->present = true;
        return 0;
    }
    L->facet = "object_open";
    if (ml_need_type(L, n, TL_YAML_MAP, "object_open") != 0 || ml_check_keys(L, n, keys) != 0) return -1;
    const tl_yaml_node *a = tl_yaml_get(n, "arg"), *r = tl_yaml_get(n, "result");
    if ((a != NULL) == (r != NULL))
        return ml_fail(L, n, "'object_open'%s needs 'arg' or 'result: true'", ml_where(wb, sizeof(wb), L));
    if (a && ml_get_arg(L, a, "arg", false, &o->arg) != 0) return -1;
    if (r) {
        if (ml_get_bool(L, r, "result", &o->result) != 0) return -1;
        if (!o->result) return ml_fail(L, r, "'result'%s must be true", ml_where(wb, sizeof(wb), L));
    }
    const tl_yaml_node *t = tl_yaml_get(n, "type"), *ta = tl_yaml_get(n, "type_arg");
    if (t && ta) return ml_fail(L, n, "'object_open'%s: 'type' and 'type_arg' exclude each other", ml_where(wb, sizeof(wb), L));
    if (t) {
        if (ml_get_int(L, t, "type", &o->type) != 0) return -1;
        o->has_type = true;
    }
    if (ta && ml_get_arg(L, ta, "type_arg", false, &o->type_arg) != 0) return -1;
    o->present = true;
    return 0;
}

int ml_parse_blocking(loader *L, const tl_yaml_node *n, tl_blocking_facet *b) {
    static const char *const keys[] = {"if_null", "unless_flag", "unless_zero", "if_value",
                                       "replacement", "fd_io", "strict", "fd_arg",
                                       "unless_numeric_address", "unless_field_flag", "unless_immediate",
                                       "unless_record_field", "unless_datagram", "unless_running_loop", NULL};
    static const char *const field_keys[] = {"arg", "field", "mask", NULL};
    static const char *const value_keys[] = {"arg", "values", NULL};
    if (n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "true") == 0) {
        b->present = true;
        return 0;
    }
    int r = ml_facet_off(L, n, "blocking", "true or a mapping {if_null: N, unless_flag: {...}, ...}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x;
    if ((x = tl_yaml_get(n, "if_null")) && ml_get_arg(L, x, "if_null", false, &b->if_null_arg))
        return -1;
    if ((x = tl_yaml_get(n, "unless_zero")) && ml_get_arg(L, x, "unless_zero", false, &b->unless_zero_arg))
        return -1;
    if ((x = tl_yaml_get(n, "unless_running_loop")) &&
        ml_get_arg(L, x, "unless_running_loop", false, &b->unless_running_loop_arg))
        return -1;
    if ((x = tl_yaml_get(n, "unless_flag")) &&
        parse_unless_flag(L, x, "blocking.unless_flag", &b->unless_flag_arg, &b->unless_flag_mask) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "if_value"))) {
        const char *outer = L->facet;
        L->facet = "blocking.if_value";
        if (ml_need_type(L, x, TL_YAML_MAP, "if_value") != 0 || ml_check_keys(L, x, value_keys) != 0)
            return -1;
        const tl_yaml_node *a = tl_yaml_get(x, "arg"), *vs = tl_yaml_get(x, "values");
        if (!a || !vs)
            return ml_fail(L, x, "'if_value'%s needs 'arg' and 'values'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, a, "arg", false, &b->if_value_arg) != 0) return -1;
        if (vs->type == TL_YAML_SEQ) {
            if (vs->n == 0 || vs->n > TL_MAX_VALUES)
                return ml_fail(L, vs, "'values'%s must list 1 to %d integers",
                             ml_where(wb, sizeof(wb), L), TL_MAX_VALUES);
            for (size_t i = 0; i < vs->n; i++)
                if (ml_get_int(L, vs->items[i], "values", &b->if_values[i]) != 0) return -1;
            b->nif_values = (int)vs->n;
        } else {
            if (ml_get_int(L, vs, "values", &b->if_values[0]) != 0) return -1;
            b->nif_values = 1;
        }
        L->facet = outer;
    }
    if ((x = tl_yaml_get(n, "replacement")) && ml_get_string(L, x, "replacement", &b->replacement))
        return -1;
    if ((x = tl_yaml_get(n, "fd_io")) && ml_get_bool(L, x, "fd_io", &b->fd_io)) return -1;
    if ((x = tl_yaml_get(n, "strict")) && ml_get_bool(L, x, "strict", &b->strict_only)) return -1;
    if ((x = tl_yaml_get(n, "fd_arg"))) {
        if (!b->fd_io) return ml_fail(L, x, "'fd_arg'%s needs 'fd_io: true'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, x, "fd_arg", false, &b->fd_arg) != 0) return -1;
    }
    if ((x = tl_yaml_get(n, "unless_numeric_address")) &&
        ml_get_arg(L, x, "unless_numeric_address", false, &b->unless_numeric_arg))
        return -1;
    if ((x = tl_yaml_get(n, "unless_immediate")) &&
        ml_get_arg(L, x, "unless_immediate", false, &b->unless_immediate_arg))
        return -1;
    if ((x = tl_yaml_get(n, "unless_datagram")) &&
        ml_get_arg(L, x, "unless_datagram", false, &b->unless_datagram_arg))
        return -1;
    if ((x = tl_yaml_get(n, "unless_field_flag"))) {
        const char *outer = L->facet;
        L->facet = "blocking.unless_field_flag";
        if (ml_need_type(L, x, TL_YAML_MAP, "unless_field_flag") != 0 || ml_check_keys(L, x, field_keys) != 0)
            return -1;
        const tl_yaml_node *a = tl_yaml_get(x, "arg"), *fl = tl_yaml_get(x, "field"), *m = tl_yaml_get(x, "mask");
        if (!a || !fl || !m)
            return ml_fail(L, x, "'unless_field_flag'%s needs 'arg', 'field' and 'mask'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, a, "arg", false, &b->unless_field_arg) != 0 ||
            ml_get_field(L, fl, "field", b->unless_field) != 0 || ml_get_int(L, m, "mask", &b->unless_field_mask) != 0)
            return -1;
        if (b->unless_field_mask == 0) return ml_fail(L, m, "'mask'%s must not be 0", ml_where(wb, sizeof(wb), L));
        L->facet = outer;
    }
    if ((x = tl_yaml_get(n, "unless_record_field"))) {
        static const char *const rf_keys[] = {"arg", "field", NULL};
        const char *outer = L->facet;
        L->facet = "blocking.unless_record_field";
        if (ml_need_type(L, x, TL_YAML_MAP, "unless_record_field") != 0 || ml_check_keys(L, x, rf_keys) != 0)
            return -1;
        const tl_yaml_node *a = tl_yaml_get(x, "arg"), *fl = tl_yaml_get(x, "field");
        if (!a || !fl)
            return ml_fail(L, x, "'unless_record_field'%s needs 'arg' and 'field'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, a, "arg", false, &b->unless_record_field_arg) != 0) return -1;
        const char *dot = fl->type == TL_YAML_SCALAR ? strchr(fl->str, '.') : NULL;
        if (!dot || dot == fl->str || !dot[1] || strchr(dot + 1, '.') ||
            strlen(fl->str) >= sizeof b->unless_record_field)
            return ml_fail(L, fl, "'field'%s must be RECORD.FIELD (a struct or union tag and one of its "
                                  "fields, e.g. sockaddr_un.sun_path), at most %d bytes",
                           ml_where(wb, sizeof(wb), L), (int)sizeof b->unless_record_field - 1);
        snprintf(b->unless_record_field, sizeof b->unless_record_field, "%s", fl->str);
        L->facet = outer;
    }
    b->present = true;
    return 0;
}
