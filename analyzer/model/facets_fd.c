/* facets_fd.c - parsers of the descriptor-state facets of a model document:
 * fd_state, readiness_wait and immediate_path, the argument-state facets end_errno and
 * numeric_check (and the field-name, flag-test and value-test
 * shapes they and blocking.unless_field_flag share).  Split from facets.c;
 * they use the node readers of node_readers.c (model_loader.h); read by the descriptor-state
 * dataflow (analyzer/dataflow/fdstate.c).  Format: docs/design.md.
 */
#include "model_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/glob.h"

/* A struct field name (a C identifier shorter than TL_MAX_FIELD). */
int ml_get_field(loader *L, const tl_yaml_node *n, const char *what, char *out) {
    char w[160];
    bool ok = n->type == TL_YAML_SCALAR && !n->quoted && n->str[0] && strlen(n->str) < TL_MAX_FIELD &&
              !(n->str[0] >= '0' && n->str[0] <= '9');
    for (const char *c = ok ? n->str : ""; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            ok = false;
    if (!ok)
        return ml_fail(L, n, "'%s'%s must be a struct field name (a C identifier of at most %d characters)",
                       what, ml_where(w, sizeof(w), L), TL_MAX_FIELD - 1);
    memcpy(out, n->str, strlen(n->str) + 1);
    return 0;
}

/* {arg: N, mask: M} with M != 0 (a flag test), under facet name `what`
 * (model_loader.h). */
int ml_get_flag_test(loader *L, const tl_yaml_node *x, const char *what, int *arg, int64_t *mask) {
    static const char *const flag_keys[] = {"arg", "mask", NULL};
    char wb[160];
    if (ml_need_type(L, x, TL_YAML_MAP, what) != 0 || ml_check_keys(L, x, flag_keys) != 0) return -1;
    const tl_yaml_node *a = tl_yaml_get(x, "arg"), *m = tl_yaml_get(x, "mask");
    if (!a || !m) return ml_fail(L, x, "'%s'%s needs 'arg' and 'mask'", what, ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, arg) != 0 || ml_get_int(L, m, "mask", mask) != 0) return -1;
    if (*mask == 0) return ml_fail(L, m, "'mask'%s must not be 0", ml_where(wb, sizeof(wb), L));
    return 0;
}

/* {arg: N, values: V or [V, ...]} (1 to TL_MAX_VALUES integers). */
static int get_value_test(loader *L, const tl_yaml_node *x, const char *what, int *arg, int64_t *values,
                          int *nvalues) {
    static const char *const value_keys[] = {"arg", "values", NULL};
    char wb[160];
    if (ml_need_type(L, x, TL_YAML_MAP, what) != 0 || ml_check_keys(L, x, value_keys) != 0) return -1;
    const tl_yaml_node *a = tl_yaml_get(x, "arg"), *vs = tl_yaml_get(x, "values");
    if (!a || !vs) return ml_fail(L, x, "'%s'%s needs 'arg' and 'values'", what, ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, arg) != 0) return -1;
    if (vs->type == TL_YAML_SEQ) {
        if (vs->n == 0 || vs->n > TL_MAX_VALUES)
            return ml_fail(L, vs, "'values'%s must list 1 to %d integers", ml_where(wb, sizeof(wb), L),
                           TL_MAX_VALUES);
        for (size_t i = 0; i < vs->n; i++)
            if (ml_get_int(L, vs->items[i], "values", &values[i]) != 0) return -1;
        *nvalues = (int)vs->n;
        return 0;
    }
    if (ml_get_int(L, vs, "values", &values[0]) != 0) return -1;
    *nvalues = 1;
    return 0;
}

/* `array: LEN`: 1 to 8 descriptors. */
static int get_array_len(loader *L, const tl_yaml_node *x, int *out) {
    char wb[160];
    int64_t len;
    if (ml_get_int(L, x, "array", &len) != 0) return -1;
    if (len < 1 || len > 8) return ml_fail(L, x, "'array'%s must be 1 to 8 descriptors", ml_where(wb, sizeof(wb), L));
    *out = (int)len;
    return 0;
}

/* `bytes: N` of fresh and sends: 0 to 65536. */
static int get_bytes(loader *L, const tl_yaml_node *x, int64_t *out) {
    char wb[160];
    if (ml_get_int(L, x, "bytes", out) != 0) return -1;
    if (*out < 0 || *out > 65536) return ml_fail(L, x, "'bytes'%s must be 0 to 65536", ml_where(wb, sizeof(wb), L));
    return 0;
}

/* fd_state: {result: true | arg: N [, out: true | array: LEN], sets: nonblocking|ready|[...] | from_arg: N,
 *            if_flag: {arg: N, mask: M}, if_value: {arg: N, values: [...]}} */
int ml_parse_fd_state(loader *L, const tl_yaml_node *n, tl_fd_state_facet *d) {
    static const char *const keys[] = {"result", "arg", "out", "array", "sets", "from_arg", "if_flag", "if_value", NULL};
    static const char *const states[] = {"nonblocking", "ready", NULL};
    int r = ml_facet_off(L, n, "fd_state", "a mapping {result: true or arg: N, sets: nonblocking/ready, ...}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x;
    if ((x = tl_yaml_get(n, "result")) && ml_get_bool(L, x, "result", &d->result) != 0) return -1;
    if ((x = tl_yaml_get(n, "arg")) && ml_get_arg(L, x, "arg", false, &d->arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "out")) && ml_get_bool(L, x, "out", &d->out) != 0) return -1;
    if (d->result == (d->arg >= 0))
        return ml_fail(L, n, "'fd_state'%s needs exactly one of 'result: true' and 'arg'", ml_where(wb, sizeof(wb), L));
    if (d->out && d->arg < 0) return ml_fail(L, n, "'out'%s needs 'arg'", ml_where(wb, sizeof(wb), L));
    if ((x = tl_yaml_get(n, "array"))) {
        if (get_array_len(L, x, &d->array) != 0) return -1;
        if (d->arg < 0 || d->out)
            return ml_fail(L, x, "'array'%s needs 'arg' (and no 'out')", ml_where(wb, sizeof(wb), L));
    }
    const tl_yaml_node *sets = tl_yaml_get(n, "sets");
    if ((x = tl_yaml_get(n, "from_arg")) && ml_get_arg(L, x, "from_arg", false, &d->from_arg) != 0) return -1;
    if (!sets == (d->from_arg < 0))
        return ml_fail(L, n, "'fd_state'%s needs exactly one of 'sets' and 'from_arg'", ml_where(wb, sizeof(wb), L));
    if (sets) {
        const tl_yaml_node *one = sets;
        size_t cnt = 1;
        if (sets->type == TL_YAML_SEQ) {
            if (sets->n == 0) return ml_fail(L, sets, "'sets'%s must name at least one state", ml_where(wb, sizeof(wb), L));
            cnt = sets->n;
        }
        for (size_t i = 0; i < cnt; i++) {
            if (sets->type == TL_YAML_SEQ) one = sets->items[i];
            int v;
            if (ml_get_choice(L, one, "sets", states, &v) != 0) return -1;
            d->sets |= v == 0 ? TL_FDS_NONBLOCKING : TL_FDS_READY;
        }
    }
    const char *outer = L->facet;
    if ((x = tl_yaml_get(n, "if_flag"))) {
        L->facet = "fd_state.if_flag";
        if (ml_get_flag_test(L, x, "if_flag", &d->if_flag_arg, &d->if_flag_mask) != 0) return -1;
        L->facet = outer;
    }
    if ((x = tl_yaml_get(n, "if_value"))) {
        L->facet = "fd_state.if_value";
        if (get_value_test(L, x, "if_value", &d->if_value_arg, d->if_values, &d->nif_values) != 0) return -1;
        L->facet = outer;
    }
    d->present = true;
    return 0;
}

/* fd_flags: {arg: N, mask: M, if_value: {arg: N, values: [...]}} */
int ml_parse_fd_flags(loader *L, const tl_yaml_node *n, tl_fd_flags_facet *d) {
    static const char *const keys[] = {"arg", "mask", "if_value", NULL};
    int r = ml_facet_off(L, n, "fd_flags", "a mapping {arg: N, mask: M, if_value: {arg: N, values: [...]}}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *a = tl_yaml_get(n, "arg"), *m = tl_yaml_get(n, "mask"), *x;
    if (!a || !m) return ml_fail(L, n, "'fd_flags'%s needs 'arg' and 'mask'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, &d->arg) != 0 || ml_get_int(L, m, "mask", &d->mask) != 0) return -1;
    if (d->mask == 0) return ml_fail(L, m, "'mask'%s must not be 0", ml_where(wb, sizeof(wb), L));
    if ((x = tl_yaml_get(n, "if_value"))) {
        const char *outer = L->facet;
        L->facet = "fd_flags.if_value";
        if (get_value_test(L, x, "if_value", &d->if_value_arg, d->if_values, &d->nif_values) != 0) return -1;
        L->facet = outer;
    }
    d->present = true;
    return 0;
}

/* readiness_wait: {arg: N, field: NAME, if_value: {arg: N, value: V}, success: any/zero/nonzero/positive} */
int ml_parse_readiness_wait(loader *L, const tl_yaml_node *n, tl_readiness_wait_facet *w) {
    static const char *const keys[] = {"arg", "field", "if_value", "success", NULL};
    static const char *const successes[] = {"any", "zero", "nonzero", "positive", NULL};
    static const char *const iv_keys[] = {"arg", "value", NULL};
    int r = ml_facet_off(L, n, "readiness_wait", "a mapping {arg: N, field: NAME, if_value: {arg: N, value: V}}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *a = tl_yaml_get(n, "arg"), *x;
    if (!a) return ml_fail(L, n, "'readiness_wait'%s needs 'arg'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, &w->arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "field")) && ml_get_field(L, x, "field", w->field) != 0) return -1;
    if ((x = tl_yaml_get(n, "if_value"))) {
        if (ml_need_type(L, x, TL_YAML_MAP, "if_value") != 0 || ml_check_keys(L, x, iv_keys) != 0) return -1;
        const tl_yaml_node *ia = tl_yaml_get(x, "arg"), *iv = tl_yaml_get(x, "value");
        if (!ia || !iv) return ml_fail(L, x, "'if_value'%s needs 'arg' and 'value'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, ia, "arg", false, &w->if_value_arg) != 0 || ml_get_int(L, iv, "value", &w->if_value) != 0)
            return -1;
    }
    int sv;
    if ((x = tl_yaml_get(n, "success"))) {
        if (ml_get_choice(L, x, "success", successes, &sv) != 0) return -1;
        w->success = sv == 1   ? TL_RW_SUCCESS_ZERO
                     : sv == 2 ? TL_RW_SUCCESS_NONZERO
                     : sv == 3 ? TL_RW_SUCCESS_POSITIVE
                               : TL_RW_SUCCESS_ANY;
    }
    w->present = true;
    return 0;
}

/* A glob or a list of globs into a NUL-separated list ended by an empty
 * string (malloc'd into *out). */
static int get_glob_list(loader *L, const tl_yaml_node *n, const char *what, char **out) {
    char wb[160];
    size_t cnt = n->type == TL_YAML_SEQ ? n->n : 1, total = 1;
    if (n->type == TL_YAML_SEQ && cnt == 0)
        return ml_fail(L, n, "'%s'%s must list at least one path glob", what, ml_where(wb, sizeof(wb), L));
    for (size_t i = 0; i < cnt; i++) {
        const tl_yaml_node *g = n->type == TL_YAML_SEQ ? n->items[i] : n;
        const char *why = g->type == TL_YAML_SCALAR ? tl_glob_valid(g->str, strlen(g->str)) : "not a string";
        if (!why && g->str[0] != '/' && strncmp(g->str, "**", 2) != 0) why = "not an absolute path (or '**/...')";
        if (why) return ml_fail(L, g, "'%s'%s: bad path glob: %s", what, ml_where(wb, sizeof(wb), L), why);
        total += strlen(g->str) + 1;
    }
    char *buf = malloc(total), *at = buf;
    if (!buf) return ml_fail(L, n, "out of memory");
    for (size_t i = 0; i < cnt; i++) {
        const tl_yaml_node *g = n->type == TL_YAML_SEQ ? n->items[i] : n;
        size_t len = strlen(g->str) + 1;
        memcpy(at, g->str, len);
        at += len;
    }
    *at = '\0';
    free(*out);
    *out = buf;
    return 0;
}

/* immediate_path: {arg: N, paths: [GLOB, ...], except: [GLOB, ...]} */
int ml_parse_immediate_path(loader *L, const tl_yaml_node *n, tl_immediate_path_facet *ip) {
    static const char *const keys[] = {"arg", "paths", "except", NULL};
    int r = ml_facet_off(L, n, "immediate_path", "a mapping {arg: N, paths: [GLOB, ...], except: [GLOB, ...]}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *a = tl_yaml_get(n, "arg"), *p = tl_yaml_get(n, "paths"), *x;
    if (!a || !p) return ml_fail(L, n, "'immediate_path'%s needs 'arg' and 'paths'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, a, "arg", false, &ip->arg) != 0) return -1;
    if (get_glob_list(L, p, "paths", &ip->paths) != 0) return -1;
    if ((x = tl_yaml_get(n, "except")) && get_glob_list(L, x, "except", &ip->except) != 0) return -1;
    ip->present = true;
    return 0;
}

static bool under_any(const char *list, const char *path) {
    for (const char *g = list; g && *g; g += strlen(g) + 1)
        if (tl_glob_match_under(g, path)) return true;
    return false;
}

bool tl_immediate_path_matches(const tl_immediate_path_facet *ip, const char *spelling) {
    if (!ip->present || !spelling) return false;
    size_t n = strlen(spelling);
    if (n < 3 || spelling[0] != '"' || spelling[n - 1] != '"' || n - 2 >= 256) return false;
    char path[256];
    memcpy(path, spelling + 1, n - 2);
    path[n - 2] = '\0';
    if (path[0] != '/' || strchr(path, '"') || strchr(path, '\\')) return false;
    return under_any(ip->paths, path) && !under_any(ip->except, path);
}

/* fresh: {result: true | arg: N, array: LEN | from_arg: N} */
int ml_parse_fresh(loader *L, const tl_yaml_node *n, tl_fresh_facet *d) {
    static const char *const keys[] = {"result", "arg", "array", "from_arg", "bytes", NULL};
    int r = ml_facet_off(L, n, "fresh", "a mapping {result: true, or arg: N with array: LEN, or from_arg: N}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x;
    if ((x = tl_yaml_get(n, "result")) && ml_get_bool(L, x, "result", &d->result) != 0) return -1;
    if ((x = tl_yaml_get(n, "arg")) && ml_get_arg(L, x, "arg", false, &d->arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "from_arg")) && ml_get_arg(L, x, "from_arg", false, &d->from_arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "array")) && get_array_len(L, x, &d->array) != 0) return -1;
    int ways = (d->result || d->from_arg >= 0) + (d->arg >= 0);
    if (ways != 1 || (d->arg >= 0) != (d->array > 0))
        return ml_fail(L, n, "'fresh'%s needs 'result: true', 'arg' with 'array', or 'from_arg'",
                       ml_where(wb, sizeof(wb), L));
    if ((x = tl_yaml_get(n, "bytes"))) {
        if (get_bytes(L, x, &d->bytes) != 0) return -1;
        if (d->from_arg < 0) return ml_fail(L, x, "'bytes'%s needs 'from_arg'", ml_where(wb, sizeof(wb), L));
    }
    if (d->from_arg >= 0) d->result = true; /* (the result continues that connection) */
    d->present = true;
    return 0;
}

/* sends: {handle_arg: N, len_arg: N, buf_arg: N, strings: [N, ...], bytes: N, receives: B} */
int ml_parse_sends(loader *L, const tl_yaml_node *n, tl_sends_facet *d) {
    static const char *const keys[] = {"handle_arg", "len_arg", "buf_arg", "strings", "bytes", "receives", NULL};
    int r = ml_facet_off(L, n, "sends", "a mapping {handle_arg: N, len_arg: N, buf_arg: N, strings: [N, ...], bytes: N}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x;
    if (!(x = tl_yaml_get(n, "handle_arg")))
        return ml_fail(L, n, "'sends'%s needs 'handle_arg' (the connection written to)", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, x, "handle_arg", false, &d->handle_arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "len_arg")) && ml_get_arg(L, x, "len_arg", false, &d->len_arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "buf_arg"))) {
        if (d->len_arg < 0) return ml_fail(L, x, "'buf_arg'%s needs 'len_arg'", ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, x, "buf_arg", false, &d->buf_arg) != 0) return -1;
        if (d->buf_arg == d->len_arg)
            return ml_fail(L, x, "'buf_arg'%s must differ from 'len_arg'", ml_where(wb, sizeof(wb), L));
    }
    if ((x = tl_yaml_get(n, "strings")) &&
        ml_get_arg_list(L, x, "strings", TL_MAX_CB_ARGS, d->strings, &d->nstrings) != 0)
        return -1;
    if ((x = tl_yaml_get(n, "bytes")) && get_bytes(L, x, &d->bytes) != 0) return -1;
    d->sized = d->len_arg >= 0 || d->nstrings > 0 || tl_yaml_get(n, "bytes");
    if ((x = tl_yaml_get(n, "receives")) && ml_get_bool(L, x, "receives", &d->receives) != 0) return -1;
    d->present = true;
    return 0;
}

/* buffered: {handle_arg: N, len_arg: N, buf_arg: N, size: N} or
 * {handle_arg: N, flush: true} */
int ml_parse_buffered(loader *L, const tl_yaml_node *n, tl_buffered_facet *d) {
    static const char *const keys[] = {"handle_arg", "len_arg", "buf_arg", "size", "flush", NULL};
    int r = ml_facet_off(L, n, "buffered",
                         "a mapping {handle_arg: N, len_arg: N, size: N} or {handle_arg: N, flush: true}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x;
    if (!(x = tl_yaml_get(n, "handle_arg")))
        return ml_fail(L, n, "'buffered'%s needs 'handle_arg' (the connection)", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, x, "handle_arg", false, &d->handle_arg) != 0) return -1;
    if ((x = tl_yaml_get(n, "flush")) && ml_get_bool(L, x, "flush", &d->flush) != 0) return -1;
    if (d->flush) {
        if (tl_yaml_get(n, "len_arg") || tl_yaml_get(n, "buf_arg") || tl_yaml_get(n, "size"))
            return ml_fail(L, n, "'buffered'%s with 'flush: true' takes no 'len_arg', 'buf_arg' or 'size'",
                           ml_where(wb, sizeof(wb), L));
    } else {
        if (!tl_yaml_get(n, "len_arg") || !tl_yaml_get(n, "size"))
            return ml_fail(L, n, "'buffered'%s needs 'len_arg' and 'size' (or 'flush: true')",
                           ml_where(wb, sizeof(wb), L));
        if (ml_get_arg(L, tl_yaml_get(n, "len_arg"), "len_arg", false, &d->len_arg) != 0) return -1;
        if ((x = tl_yaml_get(n, "buf_arg")) && ml_get_arg(L, x, "buf_arg", false, &d->buf_arg) != 0) return -1;
        if (get_bytes(L, tl_yaml_get(n, "size"), &d->size) != 0) return -1;
        if (d->size <= 0) return ml_fail(L, tl_yaml_get(n, "size"), "'size'%s must be above 0", ml_where(wb, sizeof(wb), L));
    }
    d->present = true;
    return 0;
}

/* end_errno: {handle_arg: N, values: [V, ...], any_failure: B} */
int ml_parse_end_errno(loader *L, const tl_yaml_node *n, tl_end_errno_facet *d) {
    static const char *const keys[] = {"handle_arg", "values", "any_failure", NULL};
    int r = ml_facet_off(L, n, "end_errno", "a mapping {handle_arg: N, values: [V, ...]}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x = tl_yaml_get(n, "handle_arg"), *v = tl_yaml_get(n, "values");
    if (!x || !v)
        return ml_fail(L, n, "'end_errno'%s needs 'handle_arg' and 'values'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, x, "handle_arg", false, &d->handle_arg) != 0) return -1;
    if (v->type != TL_YAML_SEQ || v->n == 0 || v->n > TL_MAX_VALUES)
        return ml_fail(L, v, "'values'%s must list 1 to %d integers (errno values)", ml_where(wb, sizeof(wb), L),
                       TL_MAX_VALUES);
    for (size_t i = 0; i < v->n; i++)
        if (ml_get_int(L, v->items[i], "values", &d->values[i]) != 0) return -1;
    d->nvalues = (int)v->n;
    if ((x = tl_yaml_get(n, "any_failure")) && ml_get_bool(L, x, "any_failure", &d->any_failure) != 0) return -1;
    d->present = true;
    return 0;
}

/* numeric_check: {arg: N, success: zero/nonnegative/positive} */
int ml_parse_numeric_check(loader *L, const tl_yaml_node *n, tl_numeric_check_facet *d) {
    static const char *const keys[] = {"arg", "success", NULL};
    static const char *const successes[] = {"zero", "nonnegative", "positive", NULL};
    static const tl_success kinds[] = {TL_SUCCESS_ZERO, TL_SUCCESS_NONNEG, TL_SUCCESS_POSITIVE};
    int r = ml_facet_off(L, n, "numeric_check", "a mapping {arg: N, success: zero/nonnegative/positive}");
    if (r != 0) return r;
    if (ml_check_keys(L, n, keys) != 0) return -1;
    char wb[160];
    const tl_yaml_node *x = tl_yaml_get(n, "arg"), *s = tl_yaml_get(n, "success");
    if (!x || !s)
        return ml_fail(L, n, "'numeric_check'%s needs 'arg' and 'success'", ml_where(wb, sizeof(wb), L));
    if (ml_get_arg(L, x, "arg", false, &d->arg) != 0) return -1;
    int v;
    if (ml_get_choice(L, s, "success", successes, &v) != 0) return -1;
    d->success = kinds[v];
    d->present = true;
    return 0;
}
