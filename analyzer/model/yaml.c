/* yaml.c - libyaml's event stream into a tl_yaml_node tree (see yaml.h).
 *
 * The builder keeps a stack of open collections (frames) and one stack of
 * finished children shared by all frames: when a collection ends, its
 * children are popped into exactly-sized arrays.  Everything of a document
 * lives in one arena, so an alias simply points at the anchored node and
 * the whole tree is freed at once.  For the limits, every finished child
 * carries its expanded size (weight, in nodes) and height; an alias adds
 * its target's weight to the document's alias count.  Duplicate keys are
 * found with a hash map per open mapping.  Linear in the document's size.
 *
 * libyaml's own errors keep its wording ("did not find expected key"),
 * placed at its mark (0-based there, 1-based here), with the context it
 * names and a hint for the usual mistakes (tabs, indentation, ': ' in a
 * plain value).
 */
#include "yaml.h"

#include "util/arena.h"
#include "util/strmap.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define STD_TAG "tag:yaml.org,2002:"
/* Mappings up to this size find duplicate keys by a scan (no allocation). */
#define SMALL_MAP 8

/* A finished node waiting for its collection to end. */
typedef struct {
    tl_yaml_node *node;
    char *key; /* MAP entries: the key */
    int key_line, key_col;
    size_t weight; /* nodes of the expanded subtree */
    int height;    /* levels of the expanded subtree */
} child;

/* An open collection. */
typedef struct {
    tl_yaml_node *node;
    char *anchor;       /* registered when the collection ends */
    size_t first_child; /* its first child on the child stack */
    /* mappings only */
    bool have_key;      /* a key was read, its value is next */
    bool key_is_merge;  /* that key is the merge key "<<" */
    char *key;
    int key_line, key_col;
    tl_strmap keys;     /* key -> index on the child stack, once the mapping has
                           SMALL_MAP entries (smaller ones are scanned) */
    child *merges;      /* values of "<<", merged when the mapping ends */
    size_t nmerges, capmerges;
} frame;

typedef struct {
    tl_yaml_node *node;
    size_t weight;
    int height;
} anchored;

typedef struct {
    const char *text;
    size_t len;
    const char *origin;
    tl_yaml_error *err;
    bool failed;
    tl_arena arena;
    frame *frames;
    size_t nframes, capframes;
    child *children;
    size_t nchildren, capchildren;
    tl_strmap anchors; /* name -> index in anchor_list */
    anchored *anchor_list;
    size_t nanchors, capanchors;
    size_t alias_nodes; /* nodes that aliases add to the expanded tree */
    int documents;
    bool have_root;
    child root;
} builder;

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

void tl_yaml_format_error(char *buf, size_t size, const char *origin, int line, int col,
                          const char *fmt, va_list ap) {
    char raw[1024];
    int off;
    if (line > 0 && col > 0)
        off = snprintf(raw, sizeof(raw), "%s:%d:%d: ", origin, line, col);
    else if (line > 0)
        off = snprintf(raw, sizeof(raw), "%s:%d: ", origin, line);
    else
        off = snprintf(raw, sizeof(raw), "%s: ", origin);
    if (off < 0) off = 0;
    if ((size_t)off < sizeof(raw)) vsnprintf(raw + off, sizeof(raw) - (size_t)off, fmt, ap);
    /* copy, writing control characters (C0, DEL) as \xNN */
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p && size > 0; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (o + 4 >= size) break;
            snprintf(buf + o, size - o, "\\x%02x", *p);
            o += 4;
        } else {
            if (o + 1 >= size) break;
            buf[o++] = (char)*p;
        }
    }
    if (size > 0) buf[o < size ? o : size - 1] = '\0';
}

static void fail(builder *b, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(builder *b, int line, int col, const char *fmt, ...) {
    if (b->failed) return;
    b->failed = true;
    va_list ap;
    va_start(ap, fmt);
    tl_yaml_format_error(b->err->msg, sizeof(b->err->msg), b->origin, line, col, fmt, ap);
    va_end(ap);
}

static void fail_at(builder *b, yaml_mark_t m, const char *what) {
    fail(b, (int)m.line + 1, (int)m.column + 1, "%s", what);
}

static void fail_oom(builder *b, yaml_mark_t m) { fail_at(b, m, "out of memory"); }

/* Byte offset of a 0-based (line, column) mark, counting line breaks and
 * UTF-8 characters the way libyaml does; len when past the end. */
static size_t mark_offset(const builder *b, size_t line, size_t column) {
    size_t i = 0;
    if (b->len >= 3 && memcmp(b->text, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (line > 0 && i < b->len) {
        char c = b->text[i++];
        if (c == '\r' && i < b->len && b->text[i] == '\n') i++;
        if (c == '\n' || c == '\r') line--;
    }
    while (column > 0 && i < b->len && b->text[i] != '\n' && b->text[i] != '\r') {
        i++;
        while (i < b->len && ((unsigned char)b->text[i] & 0xC0) == 0x80) i++;
        column--;
    }
    return i;
}

/* The 1-based line and column of a byte offset (for libyaml's reader
 * errors, which give only the offset). */
static void offset_position(const builder *b, size_t offset, int *line, int *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < b->len; i++) {
        unsigned char c = (unsigned char)b->text[i];
        if (c == '\n' || (c == '\r' && !(i + 1 < b->len && b->text[i + 1] == '\n'))) {
            (*line)++;
            *col = 1;
        } else if ((c & 0xC0) != 0x80 && c != '\r') {
            (*col)++;
        }
    }
}

/* Does the line starting at byte offset start (the line holding off) have a
 * tab in its indentation? */
static bool line_indented_with_tab(const builder *b, size_t off) {
    size_t start = off < b->len ? off : b->len;
    while (start > 0 && b->text[start - 1] != '\n' && b->text[start - 1] != '\r') start--;
    for (size_t i = start; i < b->len && (b->text[i] == ' ' || b->text[i] == '\t'); i++)
        if (b->text[i] == '\t') return true;
    return false;
}

/* A hint for libyaml's usual complaints into buf ("" when none).  ch: the
 * character at the problem's mark (-1 at the end of the input). */
static void problem_hint(const yaml_parser_t *p, int ch, char *buf, size_t size) {
    static const struct {
        const char *problem;
        const char *hint;
    } hints[] = {
        {"mapping values are not allowed",
         "a ': ' where no mapping can start: check the indentation, or quote a value that "
         "contains ': '"},
        {"block sequence entries are not allowed",
         "a '- ' item must start on its own line (or quote the value)"},
        {"did not find expected key", "check the indentation: expected 'key: value' here"},
        {"could not find expected ':'", "expected 'key: value'"},
        {"did not find expected '-' indicator", "check the indentation of this item"},
        {"did not find expected <document start>", "check the indentation of this line"},
        {"found unknown escape character",
         "valid escapes: \\\\ \\\" \\/ \\n \\t \\r \\0 \\xNN \\uNNNN, or use 'single quotes'"},
    };
    const char *problem = p->problem ? p->problem : "";
    int line = (int)p->context_mark.line + 1, col = (int)p->context_mark.column + 1;
    buf[0] = '\0';
    if ((ch == ']' || ch == '}' || ch == ',') && strstr(problem, "did not find expected")) {
        snprintf(buf, size, "unexpected '%c'%s", ch,
                 ch == ',' ? " (not inside [...] or {...})" : " (nothing to close here)");
    } else if (ch == -1 && strstr(problem, "did not find expected ','") && p->context) {
        bool seq = strstr(problem, "']'") != NULL;
        snprintf(buf, size, "the '%c' at line %d, column %d is never closed", seq ? '[' : '{',
                 line, col);
    } else if (strstr(problem, "unexpected end of stream") && p->context &&
               strstr(p->context, "quoted scalar")) {
        snprintf(buf, size, "the quoted string at line %d, column %d is never closed", line, col);
    } else if (strstr(problem, "cannot start any token")) {
        if (ch == '\t') snprintf(buf, size, "a tab: indent with spaces");
        if (ch == '@' || ch == '`')
            snprintf(buf, size, "'%c' cannot start a plain value: quote the value", ch);
    } else {
        for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
            if (strstr(problem, hints[i].problem)) {
                snprintf(buf, size, "%s", hints[i].hint);
                break;
            }
        }
    }
}

static void fail_libyaml(builder *b, const yaml_parser_t *p) {
    if (p->error == YAML_MEMORY_ERROR) {
        fail(b, 0, 0, "out of memory");
        return;
    }
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        offset_position(b, p->problem_offset, &line, &col);
        if (p->problem_value == 0)
            fail(b, line, col, "NUL byte in the input (not a text file?)");
        else if (p->problem_value >= 0)
            fail(b, line, col, "%s (byte or character 0x%02x)", problem, p->problem_value);
        else
            fail(b, line, col, "%s", problem);
        return;
    }
    size_t off = mark_offset(b, p->problem_mark.line, p->problem_mark.column);
    int ch = off < b->len ? (unsigned char)b->text[off] : -1;
    char hint[200];
    problem_hint(p, ch, hint, sizeof(hint));
    const char *tab_hint = !strstr(hint, "tab") && line_indented_with_tab(b, off)
                               ? "this line is indented with a tab: indent with spaces"
                               : "";
    char context[160] = "";
    if (p->context)
        snprintf(context, sizeof(context), " (%s at line %d, column %d)", p->context,
                 (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    fail(b, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1, "%s%s%s%s%s%s",
         problem, context, *hint ? "; " : "", hint, *tab_hint ? "; " : "", tab_hint);
}

/* ------------------------------------------------------------------------ */
/* Stacks                                                                    */
/* ------------------------------------------------------------------------ */

static bool grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) ncap *= 2;
    if (ncap > SIZE_MAX / elem) return false;
    void *p = realloc(*arr, ncap * elem);
    if (!p) return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static void frame_release(frame *f) {
    tl_strmap_free(&f->keys);
    free(f->merges);
}

static void builder_free(builder *b) {
    for (size_t i = 0; i < b->nframes; i++) frame_release(&b->frames[i]);
    free(b->frames);
    free(b->children);
    free(b->anchor_list);
    tl_strmap_free(&b->anchors);
}

static tl_yaml_node *new_node(builder *b, tl_yaml_type type, yaml_mark_t m) {
    tl_yaml_node *n = tl_arena_calloc(&b->arena, 1, sizeof(*n));
    if (!n) {
        fail_oom(b, m);
        return NULL;
    }
    n->type = type;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    return n;
}

/* Capped so that weights of hostile documents cannot overflow. */
static size_t add_weight(size_t a, size_t b) {
    size_t cap = (size_t)TL_YAML_MAX_ALIAS_NODES * 4;
    return a > cap || b > cap || a + b > cap ? cap + 1 : a + b;
}

/* name: a string of the arena (the map keeps the pointer), or NULL. */
static bool register_anchor(builder *b, const char *name, const child *c, yaml_mark_t m) {
    if (!name) return true;
    if (!grow((void **)&b->anchor_list, &b->capanchors, b->nanchors + 1, sizeof(anchored)) ||
        tl_strmap_put(&b->anchors, name, b->nanchors) != 0) {
        fail_oom(b, m);
        return false;
    }
    b->anchor_list[b->nanchors++] = (anchored){c->node, c->weight, c->height};
    return true;
}

/* ------------------------------------------------------------------------ */
/* Adding a finished node to the open collection                             */
/* ------------------------------------------------------------------------ */

static bool push_child(builder *b, const child *c, yaml_mark_t m) {
    if (!grow((void **)&b->children, &b->capchildren, b->nchildren + 1, sizeof(child))) {
        fail_oom(b, m);
        return false;
    }
    b->children[b->nchildren++] = *c;
    return true;
}

/* Is the open collection a mapping waiting for a key? */
static bool expects_key(const builder *b) {
    const frame *f = b->nframes ? &b->frames[b->nframes - 1] : NULL;
    return f && f->node->type == TL_YAML_MAP && !f->have_key;
}

/* The key of the open mapping's next entry (str: a string of the arena). */
static void set_key(builder *b, char *str, yaml_mark_t m, bool is_merge) {
    frame *f = &b->frames[b->nframes - 1];
    f->have_key = true;
    f->key = str;
    f->key_line = (int)m.line + 1;
    f->key_col = (int)m.column + 1;
    f->key_is_merge = is_merge;
}

/* Records key as the next entry of the open mapping f (whose entries sit on
 * the child stack from f->first_child).  Returns 1, or 0 when the mapping
 * has the key already (its child stack index in *existing), -1 when out of
 * memory. */
static int claim_key(builder *b, frame *f, const char *key, size_t *existing) {
    size_t count = b->nchildren - f->first_child;
    if (count < SMALL_MAP) {
        for (size_t i = f->first_child; i < b->nchildren; i++) {
            if (strcmp(b->children[i].key, key) == 0) {
                *existing = i;
                return 0;
            }
        }
        return 1;
    }
    if (f->keys.count == 0) /* switching to the hash map: index the scanned ones */
        for (size_t i = f->first_child; i < b->nchildren; i++)
            if (tl_strmap_put(&f->keys, b->children[i].key, i) != 0) return -1;
    return tl_strmap_insert(&f->keys, key, b->nchildren, existing);
}

/* A finished value (scalar, collection or alias) at mark m. */
static bool add_value(builder *b, child c, yaml_mark_t m) {
    if (c.height + (int)b->nframes > TL_YAML_MAX_DEPTH) {
        fail(b, (int)m.line + 1, (int)m.column + 1, "nesting deeper than %d levels",
             TL_YAML_MAX_DEPTH);
        return false;
    }
    if (b->nframes == 0) {
        b->root = c;
        b->have_root = true;
        return true;
    }
    frame *f = &b->frames[b->nframes - 1];
    if (f->node->type == TL_YAML_SEQ) return push_child(b, &c, m);
    if (!f->have_key) { /* an alias, or an anchored scalar, as a key */
        if (c.node->type != TL_YAML_SCALAR) {
            fail_at(b, m, "a mapping key must be a scalar (a name), not a collection");
            return false;
        }
        set_key(b, c.node->str, m, false);
        return true;
    }
    f->have_key = false;
    if (f->key_is_merge) {
        bool ok = c.node->type == TL_YAML_MAP;
        if (c.node->type == TL_YAML_SEQ) {
            ok = true;
            for (size_t i = 0; i < c.node->n; i++) ok = ok && c.node->items[i]->type == TL_YAML_MAP;
        }
        if (!ok) {
            fail(b, f->key_line, f->key_col,
                 "the merge key '<<' takes a mapping or a list of mappings (e.g. <<: *defaults)");
            return false;
        }
        if (!grow((void **)&f->merges, &f->capmerges, f->nmerges + 1, sizeof(child))) {
            fail_oom(b, m);
            return false;
        }
        f->merges[f->nmerges++] = c;
        return true;
    }
    size_t first;
    int r = claim_key(b, f, f->key, &first);
    if (r < 0) {
        fail_oom(b, m);
        return false;
    }
    if (r == 0) {
        fail(b, f->key_line, f->key_col, "duplicate key '%s' (first defined at line %d)", f->key,
             b->children[first].key_line);
        return false;
    }
    c.key = f->key;
    c.key_line = f->key_line;
    c.key_col = f->key_col;
    return push_child(b, &c, m);
}

/* The entries of map that the mapping being closed does not have yet. */
static bool merge_entries(builder *b, frame *f, const tl_yaml_node *map, yaml_mark_t m) {
    for (size_t i = 0; i < map->n; i++) {
        size_t first;
        int r = claim_key(b, f, map->keys[i], &first);
        if (r < 0) {
            fail_oom(b, m);
            return false;
        }
        if (r == 0) continue; /* given explicitly, or by an earlier merge */
        child c = {map->items[i], map->keys[i], map->key_lines[i], map->key_cols[i], 0, 0};
        if (!push_child(b, &c, m)) return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

/* "!!str" for a standard tag, the tag itself otherwise. */
static const char *short_tag(const char *tag, char *buf, size_t size) {
    if (strncmp(tag, STD_TAG, strlen(STD_TAG)) == 0) {
        snprintf(buf, size, "!!%s", tag + strlen(STD_TAG));
        return buf;
    }
    return tag;
}

/* Checks an explicit tag against the node's kind.  For scalars, *string is
 * set to whether the tag makes the value a string (!!str) or not (-1: no
 * tag: the style decides). */
static bool check_tag(builder *b, const yaml_char_t *utag, tl_yaml_type type, yaml_mark_t m,
                      int *string) {
    /* the standard tags: the first five are for scalars */
    static const char *const standard[] = {"str", "int", "float", "bool", "null", "map", "seq"};
    if (string) *string = -1;
    if (!utag) return true;
    const char *tag = (const char *)utag;
    const char *name = strncmp(tag, STD_TAG, strlen(STD_TAG)) == 0 ? tag + strlen(STD_TAG) : "";
    size_t k = 0;
    while (k < 7 && strcmp(name, standard[k]) != 0) k++;
    char buf[128];
    if (k == 7) {
        fail(b, (int)m.line + 1, (int)m.column + 1,
             "unsupported tag '%s' (only the standard tags !!str, !!int, !!float, !!bool, !!null, "
             "!!map and !!seq are accepted)",
             short_tag(tag, buf, sizeof(buf)));
        return false;
    }
    bool fits = type == TL_YAML_SCALAR ? k < 5 : k == (type == TL_YAML_MAP ? 5u : 6u);
    if (!fits) {
        fail(b, (int)m.line + 1, (int)m.column + 1, "tag '%s' does not fit %s",
             short_tag(tag, buf, sizeof(buf)), tl_yaml_type_name(type));
        return false;
    }
    if (string) *string = k == 0;
    return true;
}

/* Control characters other than tab and line feed (C0, DEL, C1) in a
 * scalar; returns the offending code point or -1. */
static long control_char(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n') || s[i] == 0x7f) return s[i];
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F) return s[i + 1];
    }
    return -1;
}

static bool on_scalar(builder *b, const yaml_event_t *e) {
    int string;
    if (!check_tag(b, e->data.scalar.tag, TL_YAML_SCALAR, e->start_mark, &string)) return false;
    long cc = control_char(e->data.scalar.value, e->data.scalar.length);
    if (cc >= 0) {
        fail(b, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
             "control character U+%04lX in a string (not allowed)", cc);
        return false;
    }
    char *str = tl_arena_strndup(&b->arena, (const char *)e->data.scalar.value,
                                 e->data.scalar.length);
    if (!str) {
        fail_oom(b, e->start_mark);
        return false;
    }
    bool quoted = string >= 0 ? string == 1 : e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    const char *anchor = (const char *)e->data.scalar.anchor;
    if (!anchor && expects_key(b)) { /* a plain key: no node needed */
        set_key(b, str, e->start_mark, !quoted && strcmp(str, "<<") == 0);
        return true;
    }
    tl_yaml_node *n = new_node(b, TL_YAML_SCALAR, e->start_mark);
    if (!n) return false;
    n->str = str;
    n->quoted = quoted;
    char *name = anchor ? tl_arena_strndup(&b->arena, anchor, strlen(anchor)) : NULL;
    if (anchor && !name) {
        fail_oom(b, e->start_mark);
        return false;
    }
    child c = {n, NULL, 0, 0, 1, 1};
    if (!register_anchor(b, name, &c, e->start_mark)) return false;
    return add_value(b, c, e->start_mark);
}

static bool on_collection_start(builder *b, const yaml_event_t *e, tl_yaml_type type) {
    const yaml_char_t *tag = type == TL_YAML_MAP ? e->data.mapping_start.tag
                                                 : e->data.sequence_start.tag;
    const yaml_char_t *anchor = type == TL_YAML_MAP ? e->data.mapping_start.anchor
                                                    : e->data.sequence_start.anchor;
    if (!check_tag(b, tag, type, e->start_mark, NULL)) return false;
    if (b->nframes > 0) {
        frame *top = &b->frames[b->nframes - 1];
        if (top->node->type == TL_YAML_MAP && !top->have_key) {
            fail_at(b, e->start_mark, "a mapping key must be a scalar (a name), not a collection");
            return false;
        }
    }
    if (b->nframes >= TL_YAML_MAX_DEPTH) {
        fail(b, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
             "nesting deeper than %d levels", TL_YAML_MAX_DEPTH);
        return false;
    }
    tl_yaml_node *n = new_node(b, type, e->start_mark);
    char *name = anchor ? tl_arena_strndup(&b->arena, (const char *)anchor,
                                           strlen((const char *)anchor))
                        : NULL;
    if (!n || (anchor && !name) ||
        !grow((void **)&b->frames, &b->capframes, b->nframes + 1, sizeof(frame))) {
        fail_oom(b, e->start_mark);
        return false;
    }
    frame *f = &b->frames[b->nframes++];
    memset(f, 0, sizeof(*f));
    f->node = n;
    f->anchor = name;
    f->first_child = b->nchildren;
    return true;
}

static bool on_collection_end(builder *b, const yaml_event_t *e) {
    frame *f = &b->frames[b->nframes - 1];
    tl_yaml_node *n = f->node;
    child done = {n, NULL, 0, 0, 1, 1};
    for (size_t i = 0; i < f->nmerges; i++) {
        const tl_yaml_node *src = f->merges[i].node;
        bool ok = true;
        if (src->type == TL_YAML_MAP)
            ok = merge_entries(b, f, src, e->start_mark);
        else
            for (size_t k = 0; k < src->n && ok; k++)
                ok = merge_entries(b, f, src->items[k], e->start_mark);
        if (!ok) return false;
        done.weight = add_weight(done.weight, f->merges[i].weight);
        if (f->merges[i].height > done.height) done.height = f->merges[i].height;
    }
    size_t count = b->nchildren - f->first_child;
    const child *kids = count ? b->children + f->first_child : NULL; /* children may be NULL */
    if (count) {
        /* one block: items, then (mappings) keys, key lines, key columns */
        size_t entry = sizeof(*n->items);
        if (n->type == TL_YAML_MAP)
            entry += sizeof(*n->keys) + sizeof(*n->key_lines) + sizeof(*n->key_cols);
        n->items = tl_arena_calloc(&b->arena, count, entry);
        if (!n->items) {
            fail_oom(b, e->start_mark);
            return false;
        }
        if (n->type == TL_YAML_MAP) {
            n->keys = (char **)(n->items + count);
            n->key_lines = (int *)(n->keys + count);
            n->key_cols = n->key_lines + count;
        }
    }
    for (size_t i = 0; i < count; i++) {
        n->items[i] = kids[i].node;
        if (n->type == TL_YAML_MAP) {
            n->keys[i] = kids[i].key;
            n->key_lines[i] = kids[i].key_line;
            n->key_cols[i] = kids[i].key_col;
        }
        done.weight = add_weight(done.weight, kids[i].weight);
        if (kids[i].height + 1 > done.height) done.height = kids[i].height + 1;
    }
    n->n = count;
    b->nchildren = f->first_child;
    char *anchor = f->anchor;
    yaml_mark_t start = {0, (size_t)n->line - 1, (size_t)n->col - 1};
    frame_release(f);
    b->nframes--;
    if (!register_anchor(b, anchor, &done, start)) return false;
    return add_value(b, done, start);
}

static bool on_alias(builder *b, const yaml_event_t *e) {
    const char *name = (const char *)e->data.alias.anchor;
    int line = (int)e->start_mark.line + 1, col = (int)e->start_mark.column + 1;
    /* the latest '&name' may be a collection still open around the alias */
    for (size_t i = b->nframes; i-- > 0;) {
        if (b->frames[i].anchor && strcmp(b->frames[i].anchor, name) == 0) {
            fail(b, line, col, "alias '*%s' refers to a node that contains it (a recursive alias)",
                 name);
            return false;
        }
    }
    size_t idx;
    if (!tl_strmap_get(&b->anchors, name, &idx)) {
        fail(b, line, col, "unknown anchor: alias '*%s' needs an '&%s' defined before it", name,
             name);
        return false;
    }
    const anchored *a = &b->anchor_list[idx];
    b->alias_nodes = add_weight(b->alias_nodes, a->weight);
    if (b->alias_nodes > TL_YAML_MAX_ALIAS_NODES) {
        fail(b, line, col,
             "aliases expand to more than %d nodes (at '*%s'): refused, this looks like a "
             "'billion laughs' document",
             TL_YAML_MAX_ALIAS_NODES, name);
        return false;
    }
    child c = {a->node, NULL, 0, 0, a->weight, a->height};
    return add_value(b, c, e->start_mark);
}

/* One event; false when parsing must stop (error). */
static bool on_event(builder *b, const yaml_event_t *e) {
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1) {
            fail_at(b, e->start_mark,
                    "a second YAML document starts here: a model or config file holds one "
                    "document (remove this '---' or split the file)");
            return false;
        }
        return true;
    case YAML_SCALAR_EVENT: return on_scalar(b, e);
    case YAML_SEQUENCE_START_EVENT: return on_collection_start(b, e, TL_YAML_SEQ);
    case YAML_MAPPING_START_EVENT: return on_collection_start(b, e, TL_YAML_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: return on_collection_end(b, e);
    case YAML_ALIAS_EVENT: return on_alias(b, e);
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT: return true;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

/* The root node comes first, so tl_yaml_free can find the arena. */
typedef struct {
    tl_yaml_node root;
    tl_arena arena;
} document;

tl_yaml_node *tl_yaml_parse(const char *text, size_t len, const char *origin,
                            tl_yaml_error *err) {
    tl_yaml_error dummy;
    builder b = {0};
    b.text = text ? text : "";
    b.len = text ? len : 0;
    b.origin = origin ? origin : "<input>";
    b.err = err ? err : &dummy;
    b.err->msg[0] = '\0';

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fail(&b, 0, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)b.text, b.len);
    for (bool done = false; !done && !b.failed;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            fail_libyaml(&b, &parser);
            break;
        }
        on_event(&b, &e);
        done = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);

    document *doc = NULL;
    if (!b.failed) {
        doc = malloc(sizeof(*doc));
        if (!doc) fail(&b, 0, 0, "out of memory");
    }
    if (!b.failed) {
        if (b.have_root) {
            doc->root = *b.root.node;
        } else { /* no document at all: an empty plain scalar */
            memset(&doc->root, 0, sizeof(doc->root));
            doc->root.line = doc->root.col = 1;
            doc->root.str = tl_arena_strndup(&b.arena, "", 0);
            if (!doc->root.str) fail(&b, 0, 0, "out of memory");
        }
    }
    builder_free(&b);
    if (b.failed) {
        free(doc);
        tl_arena_free(&b.arena);
        return NULL;
    }
    doc->arena = b.arena;
    return &doc->root;
}

void tl_yaml_free(tl_yaml_node *root) {
    if (!root) return;
    document *doc = (document *)root;
    tl_arena_free(&doc->arena);
    free(doc);
}

const tl_yaml_node *tl_yaml_get(const tl_yaml_node *map, const char *key) {
    if (!map || map->type != TL_YAML_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0) return map->items[i];
    return NULL;
}

bool tl_yaml_is_null(const tl_yaml_node *node) {
    return node && node->type == TL_YAML_SCALAR && !node->quoted &&
           (node->str[0] == '\0' || strcmp(node->str, "~") == 0 || strcmp(node->str, "null") == 0);
}

const char *tl_yaml_type_name(tl_yaml_type t) {
    switch (t) {
    case TL_YAML_SCALAR: return "a scalar";
    case TL_YAML_MAP: return "a mapping";
    case TL_YAML_SEQ: return "a sequence";
    }
    return "?";
}
