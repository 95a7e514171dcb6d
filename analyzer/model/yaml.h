/* yaml.h - a small YAML-subset reader for the model files and .tasklint.yaml.
 *
 * Supported: block mappings, block sequences ("- item", "- key: v" items),
 * flow mappings {a: 1, b: [x, y]} and flow sequences (nested, may span
 * lines), plain, 'single' ('' = ') and "double" quoted scalars (escapes
 * \" \\ \n \t \r \/), '#' comments, blank lines, a leading "---".
 * Not supported (rejected with an error): anchors/aliases/tags, block
 * scalars (| >), multi-line scalars, multiple documents, tabs in
 * indentation.
 *
 * The result is a tree of nodes; every node carries the line it starts on.
 * Scalars are kept as text: interpreting "12", "true" or "null" is the
 * caller's job (a quoted scalar is marked so callers can tell "null" from
 * null).  Errors read "origin:line: message".
 */
#ifndef TL_YAML_H
#define TL_YAML_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { TL_YAML_SCALAR = 0, TL_YAML_MAP, TL_YAML_SEQ } tl_yaml_type;

typedef struct tl_yaml_node {
    tl_yaml_type type;
    int line;                     /* 1-based line where the node starts */
    char *str;                    /* SCALAR: unescaped text ("" for an empty value) */
    bool quoted;                  /* SCALAR: was written in quotes */
    size_t n;                     /* MAP: entries, SEQ: items */
    struct tl_yaml_node **items;  /* MAP: values, SEQ: items */
    char **keys;                  /* MAP: keys */
    int *key_lines;               /* MAP: line of each key */
    size_t cap;
} tl_yaml_node;

typedef struct {
    char msg[512];
} tl_yaml_error;

/* Parse text[0..len).  Returns the root node (an empty plain scalar for an
 * empty document), or NULL with err->msg set.  origin names the file in
 * error messages. */
tl_yaml_node *tl_yaml_parse(const char *text, size_t len, const char *origin,
                            tl_yaml_error *err);
void tl_yaml_free(tl_yaml_node *node);

/* MAP lookup; NULL when node is not a map or has no such key. */
const tl_yaml_node *tl_yaml_get(const tl_yaml_node *map, const char *key);
/* Plain scalar "", "~" or "null" (not quoted). */
bool tl_yaml_is_null(const tl_yaml_node *node);
const char *tl_yaml_type_name(tl_yaml_type t);

#endif
