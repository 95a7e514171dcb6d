/* yaml.h - reads a YAML document (a model file, .tasklint.yaml) into a tree.
 *
 * Parsing is libyaml's (YAML 1.1/1.2 syntax: block and flow collections,
 * plain, quoted and block scalars (| >), multi-line scalars, comments,
 * anchors and aliases, tags, directives).  This module turns its events
 * into a small node tree for the model loader and adds the checks a
 * configuration reader needs:
 *   - one document per file (an explicit '---' start is fine, a second
 *     document is an error);
 *   - aliases (*name) share the anchored node; the nodes they add to the
 *     expanded tree are counted and a document whose aliases expand to more
 *     than TL_YAML_MAX_ALIAS_NODES nodes is refused ("billion laughs");
 *   - merge keys ("<<: *defaults", YAML 1.1) copy the entries of one or more
 *     mappings that the mapping does not give itself;
 *   - duplicate keys in a mapping are an error naming both lines;
 *   - keys must be scalars; standard tags (!!str !!int !!float !!bool !!null
 *     !!map !!seq) are accepted (!!str makes a scalar a string as quotes
 *     do), any other tag is an error;
 *   - nesting (through aliases too) is capped at TL_YAML_MAX_DEPTH;
 *   - control characters other than tab and line feed are refused in
 *     scalars (they would reach the terminal in messages).
 *
 * Scalars are kept as text: interpreting "12", "true" or "null" is the
 * caller's job; a scalar that was not written plain (quoted, a block scalar,
 * or tagged !!str) is marked so callers can tell "null" from null.  Every
 * node carries the 1-based line and column where it starts.  Errors read
 * "origin:line:col: message".
 */
#ifndef TL_YAML_H
#define TL_YAML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define TL_YAML_MAX_DEPTH 100
#define TL_YAML_MAX_ALIAS_NODES 1000000

typedef enum { TL_YAML_SCALAR = 0, TL_YAML_MAP, TL_YAML_SEQ } tl_yaml_type;

/* A node of the tree.  Nodes reached through an alias are shared: the tree
 * is a DAG, read-only for callers. */
typedef struct tl_yaml_node {
    tl_yaml_type type;
    int line;                     /* 1-based line where the node starts */
    int col;                      /* 1-based column (in characters) */
    bool quoted;                  /* SCALAR: not written plain (quotes, | >, !!str) */
    char *str;                    /* SCALAR: the value ("" for an empty value) */
    size_t n;                     /* MAP: entries, SEQ: items */
    struct tl_yaml_node **items;  /* MAP: values, SEQ: items */
    char **keys;                  /* MAP: keys */
    int *key_lines;               /* MAP: line of each key */
    int *key_cols;                /* MAP: column of each key */
} tl_yaml_node;

typedef struct {
    char msg[512];
} tl_yaml_error;

/* Parse text[0..len).  Returns the root node (an empty plain scalar for an
 * empty document), or NULL with err->msg set.  origin names the file in
 * error messages. */
tl_yaml_node *tl_yaml_parse(const char *text, size_t len, const char *origin,
                            tl_yaml_error *err);
/* Frees a tree returned by tl_yaml_parse (root only; NULL is fine). */
void tl_yaml_free(tl_yaml_node *root);

/* MAP lookup; NULL when node is not a map or has no such key. */
const tl_yaml_node *tl_yaml_get(const tl_yaml_node *map, const char *key);
/* Plain scalar "", "~" or "null" (not quoted). */
bool tl_yaml_is_null(const tl_yaml_node *node);
const char *tl_yaml_type_name(tl_yaml_type t);

/* The shape of every error about a document, into buf:
 * "origin:line:col: message" ("origin:line: " without a column, "origin: "
 * without a line).  Control characters of the result (from file names or
 * keys) are written as \xNN, so the message is safe to print. */
void tl_yaml_format_error(char *buf, size_t size, const char *origin, int line, int col,
                          const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
