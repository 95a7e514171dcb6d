/* annotation_roles.c - the roles an annotate string in the source stands
 * for (model.h's TL_ROLE_*): tasklint's own strings ("tasklint::async",
 * "tasklint::blocking", "tasklint::nonblocking", "tasklint::spawn",
 * "tasklint::owns") and a project config's `annotations:` mapping its own
 * strings (QEMU's coroutine_fn) to them.  The front end
 * (frontend/annotations.c) asks tl_models_annotation_roles for every
 * annotate attribute it finds; the config loader (model.c) calls
 * ml_read_annotations for the `annotations:` key.
 */
#include <stdlib.h>
#include <string.h>

#include "model_loader.h"

static const char *const role_names[] = {"async", "blocking", "nonblocking", "spawn", "owns", NULL};

unsigned tl_annotation_role_named(const char *name) {
    for (int i = 0; name && role_names[i]; i++)
        if (strcmp(role_names[i], name) == 0) return 1u << i;
    return 0;
}

unsigned tl_models_annotation_roles(const tl_model_set *ms, const char *text) {
    if (!text) return 0;
    unsigned roles = 0;
    if (strncmp(text, "tasklint::", 10) == 0) roles = tl_annotation_role_named(text + 10);
    for (size_t i = 0; ms && i < ms->nannots; i++)
        if (strcmp(ms->annot_names[i], text) == 0) roles |= ms->annot_roles[i];
    return roles;
}

/* `annotations: {coroutine_fn: async, co_wrapper: [async, nonblocking]}`:
 * a project's annotate strings and the roles they stand for. */
int ml_read_annotations(loader *L, const tl_yaml_node *n, tl_model_set *out) {
    if (tl_yaml_is_null(n)) return 0;
    if (n->type != TL_YAML_MAP)
        return ml_fail(L, n, "'annotations' must be a mapping from an annotate string to a role "
                             "(async, blocking, nonblocking, spawn, owns), e.g. {coroutine_fn: async}");
    if (n->n == 0) return 0;
    out->annot_names = calloc(n->n, sizeof(char *));
    out->annot_roles = calloc(n->n, sizeof(unsigned));
    if (!out->annot_names || !out->annot_roles) return ml_fail(L, n, "out of memory");
    for (size_t i = 0; i < n->n; i++) {
        const tl_yaml_node *v = n->items[i];
        if (n->keys[i][0] == '\0') return ml_fail(L, v, "'annotations' keys must be non-empty strings");
        size_t k = v->type == TL_YAML_SEQ ? v->n : 1;
        unsigned roles = 0;
        if (v->type == TL_YAML_MAP || k == 0)
            return ml_fail(L, v, "the role of annotation '%s' must be one of async, blocking, "
                                 "nonblocking, spawn, owns (or a list of them)", n->keys[i]);
        for (size_t j = 0; j < k; j++) {
            const tl_yaml_node *one = v->type == TL_YAML_SEQ ? v->items[j] : v;
            int r;
            if (ml_need_type(L, one, TL_YAML_SCALAR, "annotations") != 0 ||
                ml_get_choice(L, one, "annotations", role_names, &r) != 0)
                return -1;
            roles |= 1u << r;
        }
        if (!(out->annot_names[i] = ml_strdup(n->keys[i]))) return ml_fail(L, v, "out of memory");
        out->annot_roles[i] = roles;
        out->nannots = i + 1;
    }
    return 0;
}
