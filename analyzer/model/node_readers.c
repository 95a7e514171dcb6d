/* node_readers.c - typed readers of YAML nodes for the model loader.
 *
 * Each reader checks one node (an integer, an argument index, a boolean, one
 * of a list of names, a string, a list of argument indices, "FACET: false")
 * and, when it is wrong, reports "file:line:col: message" with where the
 * node is (facet and function) and the valid choices, with a "did you mean"
 * hint.  The facet parsers (facets.c, facets_fd.c) and the loader (model.c,
 * per_path.c, annotation_roles.c) use them through model_loader.h.
 */
#include "model_loader.h"

#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An error about node `at`: "file:line:col: message"; returns -1. */
int ml_fail(loader *L, const tl_yaml_node *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tl_yaml_format_error(L->err->msg, sizeof(L->err->msg), L->origin, at->line, at->col, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error about the i-th key of map. */
int ml_fail_key(loader *L, const tl_yaml_node *map, size_t i, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tl_yaml_format_error(L->err->msg, sizeof(L->err->msg), L->origin, map->key_lines[i],
                         map->key_cols[i], fmt, ap);
    va_end(ap);
    return -1;
}

/* An error about a whole file: "file: message". */
char *ml_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *r = malloc(n);
    if (r) memcpy(r, s, n);
    return r;
}

/* Grows *arr (of elem-sized items) so that it holds at least need items. */
int ml_grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p) return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Edit distance of two short words, for "did you mean" hints. */
static int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    int row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* "a, b, c" (and a "did you mean" hint) into buf. */
const char *ml_choices(char *buf, size_t size, const char *const *names, const char *got) {
    size_t off = 0;
    buf[0] = '\0';
    const char *close = NULL;
    for (size_t i = 0; names[i]; i++) {
        int n = snprintf(buf + off, size - off, "%s%s", i ? ", " : "", names[i]);
        if (n < 0 || (size_t)n >= size - off) break;
        off += (size_t)n;
        if (got && !close && edit_distance(got, names[i]) <= 2) close = names[i];
    }
    if (close) snprintf(buf + off, size - off, "; did you mean '%s'?", close);
    return buf;
}

/* "in 'wait' of function 'poll'" - where a message is about. */
const char *ml_where(char *buf, size_t size, const loader *L) {
    if (L->fn && L->facet)
        snprintf(buf, size, " in '%s' of function '%s'", L->facet, L->fn);
    else if (L->fn)
        snprintf(buf, size, " in function '%s'", L->fn);
    else if (L->facet)
        snprintf(buf, size, " in '%s'", L->facet);
    else
        buf[0] = '\0';
    return buf;
}

/* Every key of map must be one of valid. */
int ml_check_keys(loader *L, const tl_yaml_node *map, const char *const *valid) {
    for (size_t i = 0; i < map->n; i++) {
        size_t k = 0;
        while (valid[k] && strcmp(valid[k], map->keys[i]) != 0) k++;
        if (!valid[k]) {
            char c[256], w[160];
            return ml_fail_key(L, map, i, "unknown key '%s'%s (valid keys: %s)",
                         map->keys[i], ml_where(w, sizeof(w), L),
                         ml_choices(c, sizeof(c), valid, map->keys[i]));
        }
    }
    return 0;
}

int ml_need_type(loader *L, const tl_yaml_node *n, tl_yaml_type t, const char *what) {
    if (n->type == t) return 0;
    char w[160];
    return ml_fail(L, n, "'%s'%s must be %s, not %s", what, ml_where(w, sizeof(w), L),
                 tl_yaml_type_name(t), tl_yaml_type_name(n->type));
}

int ml_parse_i64(const char *s, int64_t *out) {
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!*p || *p == '-' || *p == '+' || *p == ' ') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(p, &end, base);
    if (errno || *end) return -1;
    if (neg) {
        if (v > (unsigned long long)INT64_MAX + 1) return -1;
        *out = v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        /* allow full 64-bit hex patterns such as 0xffffffffffffffff */
        if (base == 10 && v > (unsigned long long)INT64_MAX) return -1;
        *out = (int64_t)v;
    }
    return 0;
}

int ml_get_int(loader *L, const tl_yaml_node *n, const char *what, int64_t *out) {
    char w[160];
    if (n->type != TL_YAML_SCALAR || n->quoted || ml_parse_i64(n->str, out) != 0)
        return ml_fail(L, n, "'%s'%s must be an integer (decimal or 0x hex), not %s%s%s",
                     what, ml_where(w, sizeof(w), L),
                     n->type == TL_YAML_SCALAR ? "'" : tl_yaml_type_name(n->type),
                     n->type == TL_YAML_SCALAR ? n->str : "",
                     n->type == TL_YAML_SCALAR ? "'" : "");
    return 0;
}

/* An argument index 0..MAX_ARG_INDEX, or "none" (-1) when allowed. */
int ml_get_arg(loader *L, const tl_yaml_node *n, const char *what, bool allow_none, int *out) {
    char w[160];
    if (allow_none && n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "none") == 0) {
        *out = -1;
        return 0;
    }
    int64_t v;
    if (n->type != TL_YAML_SCALAR || n->quoted || ml_parse_i64(n->str, &v) != 0 || v < 0 ||
        v > MAX_ARG_INDEX)
        return ml_fail(L, n, "'%s'%s must be an argument index (0-based, 0..%d)%s, not %s%s%s",
                     what, ml_where(w, sizeof(w), L), MAX_ARG_INDEX, allow_none ? " or none" : "",
                     n->type == TL_YAML_SCALAR ? "'" : tl_yaml_type_name(n->type),
                     n->type == TL_YAML_SCALAR ? n->str : "",
                     n->type == TL_YAML_SCALAR ? "'" : "");
    *out = (int)v;
    return 0;
}

int ml_get_bool(loader *L, const tl_yaml_node *n, const char *what, bool *out) {
    if (n->type == TL_YAML_SCALAR && !n->quoted) {
        if (strcmp(n->str, "true") == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(n->str, "false") == 0) {
            *out = false;
            return 0;
        }
    }
    char w[160];
    return ml_fail(L, n, "'%s'%s must be true or false, not %s%s%s", what,
                 ml_where(w, sizeof(w), L),
                 n->type == TL_YAML_SCALAR ? "'" : tl_yaml_type_name(n->type),
                 n->type == TL_YAML_SCALAR ? n->str : "", n->type == TL_YAML_SCALAR ? "'" : "");
}

/* One of names[]; *out is its index. */
int ml_get_choice(loader *L, const tl_yaml_node *n, const char *what,
                      const char *const *names, int *out) {
    if (n->type == TL_YAML_SCALAR) {
        for (int i = 0; names[i]; i++) {
            if (strcmp(n->str, names[i]) == 0) {
                *out = i;
                return 0;
            }
        }
    }
    char c[256], w[160];
    return ml_fail(L, n, "unknown value %s%s%s for '%s'%s (valid values: %s)",
                 n->type == TL_YAML_SCALAR ? "'" : "", n->type == TL_YAML_SCALAR ? n->str
                                                                             : tl_yaml_type_name(n->type),
                 n->type == TL_YAML_SCALAR ? "'" : "", what, ml_where(w, sizeof(w), L),
                 ml_choices(c, sizeof(c), names, n->type == TL_YAML_SCALAR ? n->str : NULL));
}

/* A non-empty string; malloc'd copy in *out. */
int ml_get_string(loader *L, const tl_yaml_node *n, const char *what, char **out) {
    char w[160];
    if (n->type != TL_YAML_SCALAR || n->str[0] == '\0')
        return ml_fail(L, n, "'%s'%s must be a non-empty string", what, ml_where(w, sizeof(w), L));
    *out = ml_strdup(n->str);
    if (!*out) return ml_fail(L, n, "out of memory");
    return 0;
}

/* A list of argument indices (or a single one), at most max. */
int ml_get_arg_list(loader *L, const tl_yaml_node *n, const char *what, int max, int *out,
                        int *count) {
    char w[160];
    *count = 0;
    if (n->type == TL_YAML_SCALAR) {
        if (ml_get_arg(L, n, what, false, &out[0]) != 0) return -1;
        *count = 1;
        return 0;
    }
    if (n->type != TL_YAML_SEQ || n->n == 0)
        return ml_fail(L, n, "'%s'%s must be a list of argument indices, e.g. [0, 2]", what,
                     ml_where(w, sizeof(w), L));
    if (n->n > (size_t)max)
        return ml_fail(L, n, "'%s'%s has %zu entries; at most %d are supported", what,
                     ml_where(w, sizeof(w), L), n->n, max);
    for (size_t i = 0; i < n->n; i++)
        if (ml_get_arg(L, n->items[i], what, false, &out[i]) != 0) return -1;
    *count = (int)n->n;
    return 0;
}

/* "FACET: false" removes the facet; returns 1 for that, 0 for a map body. */
int ml_facet_off(loader *L, const tl_yaml_node *n, const char *facet, const char *shape) {
    char w[160];
    if (n->type == TL_YAML_SCALAR && !n->quoted && strcmp(n->str, "false") == 0) return 1;
    if (n->type == TL_YAML_MAP) return 0;
    return ml_fail(L, n, "'%s'%s must be %s (or false to remove it)", facet,
                 ml_where(w, sizeof(w), L), shape);
}
