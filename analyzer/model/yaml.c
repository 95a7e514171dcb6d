/* yaml.c - a small YAML-subset reader (see yaml.h for the subset).
 *
 * A recursive-descent parser over the raw text.  Block structure is decided
 * by the column of each line's first character; flow collections ({...},
 * [...]) are parsed character by character and may span lines.  Every
 * function that builds a node returns NULL after recording the first error
 * and frees whatever it had built, so a malformed file never leaks or
 * crashes.  Nesting is capped so hostile input cannot exhaust the stack.
 */
#include "yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YAML_MAX_DEPTH 100

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    size_t line_start; /* offset of the current line's first character */
    int line;
    const char *origin;
    tl_yaml_error *err;
    bool failed;
    int depth;
} parser;

typedef struct {
    char *s;
    size_t n, cap;
} strbuf;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

static void fail(parser *p, int line, const char *fmt, ...) {
    if (p->failed) return;
    p->failed = true;
    int off = snprintf(p->err->msg, sizeof(p->err->msg), "%s:%d: ",
                       p->origin ? p->origin : "<input>", line);
    if (off < 0 || (size_t)off >= sizeof(p->err->msg)) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg + off, sizeof(p->err->msg) - (size_t)off, fmt, ap);
    va_end(ap);
}

static int peek_at(const parser *p, size_t off) {
    size_t i = p->pos + off;
    return i < p->len ? (unsigned char)p->s[i] : -1;
}

static int peek(const parser *p) { return peek_at(p, 0); }

static int column(const parser *p) { return (int)(p->pos - p->line_start); }

/* Separator after '-' or ':' : whitespace, end of line or end of input. */
static bool is_blank_or_end(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == -1;
}

static void newline(parser *p) {
    p->pos++; /* the '\n' */
    p->line++;
    p->line_start = p->pos;
}

static bool sb_add(parser *p, strbuf *b, char c) {
    if (b->n + 1 >= b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        char *s = realloc(b->s, cap);
        if (!s) {
            fail(p, p->line, "out of memory");
            return false;
        }
        b->s = s;
        b->cap = cap;
    }
    b->s[b->n++] = c;
    b->s[b->n] = '\0';
    return true;
}

static char *dup_range(parser *p, const char *s, size_t n) {
    char *r = malloc(n + 1);
    if (!r) {
        fail(p, p->line, "out of memory");
        return NULL;
    }
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

static tl_yaml_node *new_node(parser *p, tl_yaml_type type, int line) {
    tl_yaml_node *n = calloc(1, sizeof(*n));
    if (!n) {
        fail(p, line, "out of memory");
        return NULL;
    }
    n->type = type;
    n->line = line;
    return n;
}

static tl_yaml_node *new_scalar(parser *p, char *str, bool quoted, int line) {
    if (!str) return NULL;
    tl_yaml_node *n = new_node(p, TL_YAML_SCALAR, line);
    if (!n) {
        free(str);
        return NULL;
    }
    n->str = str;
    n->quoted = quoted;
    return n;
}

static tl_yaml_node *new_empty(parser *p, int line) {
    return new_scalar(p, dup_range(p, "", 0), false, line);
}

/* Appends item (and key, for maps) to n; takes ownership of both, also on
 * failure.  Rejects duplicate keys. */
static bool add_child(parser *p, tl_yaml_node *n, char *key, int key_line,
                      tl_yaml_node *item) {
    if (n->type == TL_YAML_MAP) {
        for (size_t i = 0; i < n->n; i++) {
            if (strcmp(n->keys[i], key) == 0) {
                fail(p, key_line, "duplicate key '%s' (first defined at line %d)", key,
                     n->key_lines[i]);
                goto fail;
            }
        }
    }
    if (n->n == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 4;
        tl_yaml_node **items = realloc(n->items, cap * sizeof(*items));
        if (!items) goto oom;
        n->items = items;
        if (n->type == TL_YAML_MAP) {
            char **keys = realloc(n->keys, cap * sizeof(*keys));
            if (!keys) goto oom;
            n->keys = keys;
            int *lines = realloc(n->key_lines, cap * sizeof(*lines));
            if (!lines) goto oom;
            n->key_lines = lines;
        }
        n->cap = cap;
    }
    n->items[n->n] = item;
    if (n->type == TL_YAML_MAP) {
        n->keys[n->n] = key;
        n->key_lines[n->n] = key_line;
    }
    n->n++;
    return true;
oom:
    fail(p, key_line, "out of memory");
fail:
    free(key);
    tl_yaml_free(item);
    return false;
}

/* Skips spaces, comments and line breaks up to the next content character
 * (or the end).  A tab in the indentation of a content line is an error. */
static void skip_to_content(parser *p) {
    bool in_indent = true;
    for (size_t i = p->line_start; i < p->pos; i++)
        if (p->s[i] != ' ' && p->s[i] != '\t') in_indent = false;
    bool tab = false;
    for (;;) {
        int c = peek(p);
        if (c == ' ' || c == '\r') {
            p->pos++;
        } else if (c == '\t') {
            if (in_indent) tab = true;
            p->pos++;
        } else if (c == '#') {
            while (peek(p) != -1 && peek(p) != '\n') p->pos++;
        } else if (c == '\n') {
            newline(p);
            in_indent = true;
            tab = false;
        } else {
            if (c != -1 && tab && in_indent)
                fail(p, p->line, "tab character in indentation (indent with spaces)");
            return;
        }
    }
}

/* After a value: only spaces and a comment may follow on the line. */
static bool expect_line_end(parser *p) {
    while (peek(p) == ' ' || peek(p) == '\t' || peek(p) == '\r') p->pos++;
    int c = peek(p);
    if (c == '#')
        while (peek(p) != -1 && peek(p) != '\n') p->pos++;
    c = peek(p);
    if (c == -1 || c == '\n') return true;
    fail(p, p->line, "unexpected '%c' after the value", c);
    return false;
}

static bool check_plain_start(parser *p, int c) {
    if (c == '&' || c == '*' || c == '!' || c == '|' || c == '>' || c == '%' || c == '@' ||
        c == '`' || (c == '?' && is_blank_or_end(peek_at(p, 1)))) {
        fail(p, p->line,
             "unsupported YAML syntax '%c' (anchors, aliases, tags, block scalars and "
             "complex keys are not supported; quote the value)",
             c);
        return false;
    }
    if (c == ']' || c == '}' || c == ',') {
        fail(p, p->line, "unexpected '%c'", c);
        return false;
    }
    if (c == '-' && is_blank_or_end(peek_at(p, 1))) {
        fail(p, p->line, "a sequence item ('- ') must start on its own line");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Scalars                                                                   */
/* ------------------------------------------------------------------------ */

/* 'single' ('' is a quote) or "double" (with escapes); must close on the
 * same line. */
static char *parse_quoted(parser *p) {
    int q = peek(p);
    int line = p->line;
    strbuf b = {0};
    p->pos++;
    if (!sb_add(p, &b, '\0')) return NULL; /* allocate, so "" is not NULL */
    b.n = 0;
    for (;;) {
        int c = peek(p);
        if (c == -1 || c == '\n') {
            fail(p, line, "unterminated %s-quoted string (a quoted string must end on its line)",
                 q == '"' ? "double" : "single");
            free(b.s);
            return NULL;
        }
        if (q == '\'' && c == '\'') {
            if (peek_at(p, 1) == '\'') {
                p->pos += 2;
                if (!sb_add(p, &b, '\'')) break;
                continue;
            }
            p->pos++;
            return b.s;
        }
        if (q == '"' && c == '"') {
            p->pos++;
            return b.s;
        }
        if (q == '"' && c == '\\') {
            int e = peek_at(p, 1);
            char out;
            switch (e) {
            case '"': out = '"'; break;
            case '\\': out = '\\'; break;
            case '/': out = '/'; break;
            case 'n': out = '\n'; break;
            case 't': out = '\t'; break;
            case 'r': out = '\r'; break;
            default:
                if (e == -1 || e == '\n')
                    fail(p, line, "unterminated double-quoted string");
                else
                    fail(p, line, "unknown escape '\\%c' (valid: \\\" \\\\ \\/ \\n \\t \\r)",
                         e);
                free(b.s);
                return NULL;
            }
            p->pos += 2;
            if (!sb_add(p, &b, out)) break;
            continue;
        }
        p->pos++;
        if (!sb_add(p, &b, (char)c)) break;
    }
    free(b.s);
    return NULL;
}

/* Plain scalar in block context: up to the end of the line or a comment. */
static tl_yaml_node *parse_plain_block(parser *p) {
    int line = p->line;
    if (!check_plain_start(p, peek(p))) return NULL;
    size_t start = p->pos;
    for (;;) {
        int c = peek(p);
        if (c == -1 || c == '\n') break;
        if (c == '#' && p->pos > start && (p->s[p->pos - 1] == ' ' || p->s[p->pos - 1] == '\t'))
            break;
        if (c == ':' && is_blank_or_end(peek_at(p, 1))) {
            fail(p, line, "unexpected ': ' inside a value (quote the value, or put a nested "
                          "mapping on its own lines)");
            return NULL;
        }
        p->pos++;
    }
    size_t end = p->pos;
    while (end > start && (p->s[end - 1] == ' ' || p->s[end - 1] == '\t' || p->s[end - 1] == '\r'))
        end--;
    return new_scalar(p, dup_range(p, p->s + start, end - start), false, line);
}

/* Plain scalar inside a flow collection: stops at , [ ] { } and ': '. */
static tl_yaml_node *parse_plain_flow(parser *p) {
    int line = p->line;
    if (!check_plain_start(p, peek(p))) return NULL;
    size_t start = p->pos;
    for (;;) {
        int c = peek(p);
        if (c == -1 || c == '\n' || c == ',' || c == '[' || c == ']' || c == '{' || c == '}')
            break;
        if (c == '#' && p->pos > start && (p->s[p->pos - 1] == ' ' || p->s[p->pos - 1] == '\t'))
            break;
        if (c == ':') {
            int n = peek_at(p, 1);
            if (is_blank_or_end(n) || n == ',' || n == ']' || n == '}') break;
        }
        p->pos++;
    }
    size_t end = p->pos;
    while (end > start && (p->s[end - 1] == ' ' || p->s[end - 1] == '\t' || p->s[end - 1] == '\r'))
        end--;
    if (end == start) {
        fail(p, line, "expected a value");
        return NULL;
    }
    return new_scalar(p, dup_range(p, p->s + start, end - start), false, line);
}

/* ------------------------------------------------------------------------ */
/* Flow collections                                                          */
/* ------------------------------------------------------------------------ */

static void skip_flow_space(parser *p) {
    for (;;) {
        int c = peek(p);
        if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == '\n') {
            newline(p);
        } else if (c == '#') {
            while (peek(p) != -1 && peek(p) != '\n') p->pos++;
        } else {
            return;
        }
    }
}

static tl_yaml_node *parse_flow(parser *p);

static tl_yaml_node *parse_flow_value(parser *p) {
    int c = peek(p);
    if (c == '[' || c == '{') return parse_flow(p);
    if (c == '"' || c == '\'') {
        int line = p->line;
        return new_scalar(p, parse_quoted(p), true, line);
    }
    return parse_plain_flow(p);
}

static char *parse_flow_key(parser *p) {
    int c = peek(p);
    char *key;
    if (c == '"' || c == '\'') {
        key = parse_quoted(p);
    } else if (c == '[' || c == '{') {
        fail(p, p->line, "a mapping key must be a scalar");
        return NULL;
    } else {
        tl_yaml_node *n = parse_plain_flow(p);
        if (!n) return NULL;
        key = n->str;
        n->str = NULL;
        tl_yaml_free(n);
    }
    if (!key) return NULL;
    skip_flow_space(p);
    if (peek(p) != ':') {
        fail(p, p->line, "expected ':' after key '%s' in a flow mapping", key);
        free(key);
        return NULL;
    }
    p->pos++;
    return key;
}

static tl_yaml_node *parse_flow(parser *p) {
    int open = peek(p);
    int close = open == '[' ? ']' : '}';
    int open_line = p->line;
    if (++p->depth > YAML_MAX_DEPTH) {
        fail(p, p->line, "nesting deeper than %d levels", YAML_MAX_DEPTH);
        return NULL;
    }
    tl_yaml_node *n = new_node(p, open == '[' ? TL_YAML_SEQ : TL_YAML_MAP, open_line);
    if (!n) return NULL;
    p->pos++;
    for (;;) {
        skip_flow_space(p);
        int c = peek(p);
        if (c == -1) goto unterminated;
        if (c == close) {
            p->pos++;
            break;
        }
        if (n->type == TL_YAML_MAP) {
            int key_line = p->line;
            char *key = parse_flow_key(p);
            if (!key) goto fail;
            skip_flow_space(p);
            c = peek(p);
            tl_yaml_node *v;
            if (c == ',' || c == '}')
                v = new_empty(p, key_line);
            else if (c == -1) {
                free(key);
                goto unterminated;
            } else
                v = parse_flow_value(p);
            if (!v) {
                free(key);
                goto fail;
            }
            if (!add_child(p, n, key, key_line, v)) goto fail;
        } else {
            tl_yaml_node *v = parse_flow_value(p);
            if (!v || !add_child(p, n, NULL, 0, v)) goto fail;
        }
        skip_flow_space(p);
        c = peek(p);
        if (c == ',') {
            p->pos++;
        } else if (c == close) {
            p->pos++;
            break;
        } else if (c == -1) {
            goto unterminated;
        } else {
            fail(p, p->line, "expected ',' or '%c' in a flow %s, found '%c'", close,
                 open == '[' ? "sequence" : "mapping", c);
            goto fail;
        }
    }
    p->depth--;
    return n;
unterminated:
    fail(p, open_line, "unterminated flow %s: '%c' opened here has no matching '%c'",
         open == '[' ? "sequence" : "mapping", open, close);
fail:
    tl_yaml_free(n);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Block collections                                                         */
/* ------------------------------------------------------------------------ */

/* Does the content at pos start a "key:" mapping entry? */
static bool at_map_key(const parser *p) {
    size_t i = p->pos;
    int c = peek(p);
    if (c == '"' || c == '\'') {
        for (i++; i < p->len && p->s[i] != '\n'; i++) {
            if (c == '"' && p->s[i] == '\\') {
                i++;
                continue;
            }
            if (p->s[i] == c) {
                if (c == '\'' && i + 1 < p->len && p->s[i + 1] == '\'') {
                    i++;
                    continue;
                }
                break;
            }
        }
        if (i >= p->len || p->s[i] != c) return false;
        for (i++; i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'); i++) {
        }
        return i < p->len && p->s[i] == ':' &&
               (i + 1 >= p->len || is_blank_or_end((unsigned char)p->s[i + 1]));
    }
    if (c == '[' || c == '{') return false;
    for (; i < p->len && p->s[i] != '\n'; i++) {
        if (p->s[i] == '#' && i > p->pos && (p->s[i - 1] == ' ' || p->s[i - 1] == '\t'))
            return false;
        if (p->s[i] == ':' && (i + 1 >= p->len || is_blank_or_end((unsigned char)p->s[i + 1])))
            return true;
    }
    return false;
}

/* The key of a block mapping entry, with its ':' consumed. */
static char *parse_block_key(parser *p) {
    int c = peek(p);
    if (c == '"' || c == '\'') {
        char *key = parse_quoted(p);
        if (!key) return NULL;
        while (peek(p) == ' ' || peek(p) == '\t') p->pos++;
        p->pos++; /* ':' (checked by at_map_key) */
        return key;
    }
    if (!check_plain_start(p, c)) return NULL;
    size_t start = p->pos;
    while (!(peek(p) == ':' && is_blank_or_end(peek_at(p, 1)))) p->pos++;
    size_t end = p->pos;
    p->pos++;
    while (end > start && (p->s[end - 1] == ' ' || p->s[end - 1] == '\t')) end--;
    if (end == start) {
        fail(p, p->line, "empty mapping key");
        return NULL;
    }
    return dup_range(p, p->s + start, end - start);
}

static tl_yaml_node *parse_block_node(parser *p);
static tl_yaml_node *parse_block_seq(parser *p, int col);

/* A value written on the key's line (after "key: "). */
static tl_yaml_node *parse_inline_value(parser *p) {
    int c = peek(p);
    int line = p->line;
    tl_yaml_node *v;
    if (c == '[' || c == '{')
        v = parse_flow(p);
    else if (c == '"' || c == '\'')
        v = new_scalar(p, parse_quoted(p), true, line);
    else
        v = parse_plain_block(p);
    if (v && !expect_line_end(p)) {
        tl_yaml_free(v);
        return NULL;
    }
    return v;
}

static tl_yaml_node *parse_block_map(parser *p, int col) {
    tl_yaml_node *map = new_node(p, TL_YAML_MAP, p->line);
    if (!map) return NULL;
    for (;;) {
        int key_line = p->line;
        char *key = parse_block_key(p);
        if (!key) goto fail;
        while (peek(p) == ' ' || peek(p) == '\t') p->pos++;
        int c = peek(p);
        tl_yaml_node *v;
        if (c == -1 || c == '\n' || c == '\r' || c == '#') {
            /* the value is on the following lines (or empty) */
            skip_to_content(p);
            int c2 = peek(p);
            int col2 = column(p);
            bool item = c2 == '-' && is_blank_or_end(peek_at(p, 1));
            if (p->failed)
                v = NULL;
            else if (c2 == -1 || col2 < col || (col2 == col && !item))
                v = new_empty(p, key_line);
            else if (col2 == col)
                v = parse_block_seq(p, col); /* "key:\n- a" */
            else
                v = parse_block_node(p);
        } else {
            v = parse_inline_value(p);
        }
        if (!v) {
            free(key);
            goto fail;
        }
        if (!add_child(p, map, key, key_line, v)) goto fail;

        skip_to_content(p);
        if (p->failed) goto fail;
        if (peek(p) == -1 || column(p) < col) break;
        if (column(p) > col) {
            fail(p, p->line, "bad indentation: expected a key at column %d", col + 1);
            goto fail;
        }
        if (!at_map_key(p)) {
            if (col == 0 && p->pos + 3 <= p->len && memcmp(p->s + p->pos, "---", 3) == 0)
                fail(p, p->line, "multiple documents ('---') are not supported");
            else
                fail(p, p->line, "expected 'key: value' at this indentation");
            goto fail;
        }
    }
    return map;
fail:
    tl_yaml_free(map);
    return NULL;
}

static tl_yaml_node *parse_block_seq(parser *p, int col) {
    tl_yaml_node *seq = new_node(p, TL_YAML_SEQ, p->line);
    if (!seq) return NULL;
    for (;;) {
        int item_line = p->line;
        p->pos++; /* '-' */
        while (peek(p) == ' ' || peek(p) == '\t') p->pos++;
        int c = peek(p);
        tl_yaml_node *v;
        if (c == -1 || c == '\n' || c == '\r' || c == '#') {
            skip_to_content(p);
            if (p->failed)
                v = NULL;
            else if (peek(p) == -1 || column(p) <= col)
                v = new_empty(p, item_line);
            else
                v = parse_block_node(p);
        } else {
            v = parse_block_node(p); /* "- key: v", "- - x", "- [a]", "- text" */
        }
        if (!v || !add_child(p, seq, NULL, 0, v)) goto fail;

        skip_to_content(p);
        if (p->failed) goto fail;
        if (peek(p) == -1 || column(p) < col) break;
        if (column(p) > col) {
            fail(p, p->line, "bad indentation: expected '- ' at column %d", col + 1);
            goto fail;
        }
        if (!(peek(p) == '-' && is_blank_or_end(peek_at(p, 1)))) break; /* back to the map */
    }
    return seq;
fail:
    tl_yaml_free(seq);
    return NULL;
}

/* Any node starting at the current content position. */
static tl_yaml_node *parse_block_node(parser *p) {
    if (++p->depth > YAML_MAX_DEPTH) {
        fail(p, p->line, "nesting deeper than %d levels", YAML_MAX_DEPTH);
        return NULL;
    }
    int c = peek(p);
    tl_yaml_node *n;
    if (c == '-' && is_blank_or_end(peek_at(p, 1)))
        n = parse_block_seq(p, column(p));
    else if (at_map_key(p))
        n = parse_block_map(p, column(p));
    else
        n = parse_inline_value(p);
    p->depth--;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

tl_yaml_node *tl_yaml_parse(const char *text, size_t len, const char *origin,
                            tl_yaml_error *err) {
    tl_yaml_error dummy;
    parser p = {0};
    p.s = text ? text : "";
    p.len = text ? len : 0;
    p.line = 1;
    p.origin = origin;
    p.err = err ? err : &dummy;
    p.err->msg[0] = '\0';

    const char *nul = memchr(p.s, '\0', p.len);
    if (nul) {
        int line = 1;
        for (const char *q = p.s; q < nul; q++) line += *q == '\n';
        fail(&p, line, "NUL byte in the input (not a text file?)");
        return NULL;
    }
    if (p.len >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0) p.pos = p.line_start = 3;

    skip_to_content(&p);
    if (p.failed) return NULL;
    if (column(&p) == 0 && p.pos + 3 <= p.len && memcmp(p.s + p.pos, "---", 3) == 0 &&
        is_blank_or_end(peek_at(&p, 3))) {
        p.pos += 3;
        skip_to_content(&p);
        if (p.failed) return NULL;
    }
    if (peek(&p) == -1) return new_empty(&p, p.line);

    tl_yaml_node *root = parse_block_node(&p);
    if (!root) return NULL;
    skip_to_content(&p);
    if (!p.failed && peek(&p) != -1) {
        if (peek(&p) == '-' && peek_at(&p, 1) == '-' && peek_at(&p, 2) == '-')
            fail(&p, p.line, "multiple documents ('---') are not supported");
        else
            fail(&p, p.line, "unexpected content: check the indentation of this line");
    }
    if (p.failed) {
        tl_yaml_free(root);
        return NULL;
    }
    return root;
}

void tl_yaml_free(tl_yaml_node *node) {
    if (!node) return;
    for (size_t i = 0; i < node->n; i++) {
        tl_yaml_free(node->items[i]);
        if (node->keys) free(node->keys[i]);
    }
    free(node->items);
    free(node->keys);
    free(node->key_lines);
    free(node->str);
    free(node);
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
