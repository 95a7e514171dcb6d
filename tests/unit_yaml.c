/* unit_yaml.c - the YAML reader (libyaml events -> tl_yaml_node tree): the
 * documents it accepts and the tree it builds (lines and columns), what
 * users write in configs (block scalars, multi-line strings, anchors,
 * aliases, merge keys, tags), the limits (billion laughs, nesting, one
 * document) and every error path, each with file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/yaml.h"

static tl_yaml_node *parse(const char *text) {
    tl_yaml_error err;
    tl_yaml_node *n = tl_yaml_parse(text, strlen(text), "t.yaml", &err);
    if (!n) print_error("unexpected parse error: %s\n", err.msg);
    assert_non_null(n);
    return n;
}

/* Parses text[0..len) expecting an error; the message must start with
 * exactly "t.yaml:LINE:COL: " and contain want. */
static void expect_error_n(const char *text, size_t len, int line, int col, const char *want) {
    tl_yaml_error err;
    tl_yaml_node *n = tl_yaml_parse(text, len, "t.yaml", &err);
    if (n) {
        tl_yaml_free(n);
        fail_msg("expected an error for: %s", text);
    }
    char prefix[48];
    snprintf(prefix, sizeof(prefix), "t.yaml:%d:%d: ", line, col);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, want))
        fail_msg("error '%s' does not start with '%s' or lacks '%s'", err.msg, prefix, want);
}

static void expect_error(const char *text, int line, int col, const char *want) {
    expect_error_n(text, strlen(text), line, col, want);
}

static const char *scalar(const tl_yaml_node *map, const char *key) {
    const tl_yaml_node *v = tl_yaml_get(map, key);
    assert_non_null(v);
    assert_int_equal(v->type, TL_YAML_SCALAR);
    return v->str;
}

static void test_block_mapping_nested(void **state) {
    (void)state;
    tl_yaml_node *r = parse("# header comment\n"
                            "library: pthread   # trailing comment\n"
                            "\n"
                            "functions:\n"
                            "  pthread_join:\n"
                            "    blocking: true\n"
                            "  poll:\n"
                            "    wait:\n"
                            "      kind: loop\n"
                            "top: last\n");
    assert_int_equal(r->type, TL_YAML_MAP);
    assert_int_equal(r->n, 3);
    assert_string_equal(scalar(r, "library"), "pthread");
    assert_int_equal(tl_yaml_get(r, "library")->line, 2);
    assert_int_equal(tl_yaml_get(r, "library")->col, 10);
    assert_int_equal(r->key_cols[0], 1);
    const tl_yaml_node *fns = tl_yaml_get(r, "functions");
    assert_int_equal(fns->type, TL_YAML_MAP);
    assert_int_equal(fns->n, 2);
    assert_string_equal(fns->keys[0], "pthread_join");
    assert_int_equal(fns->key_lines[0], 5);
    assert_string_equal(fns->keys[1], "poll");
    assert_int_equal(fns->key_lines[1], 7);
    assert_int_equal(fns->key_cols[1], 3);
    const tl_yaml_node *wait = tl_yaml_get(tl_yaml_get(fns, "poll"), "wait");
    assert_string_equal(scalar(wait, "kind"), "loop");
    assert_int_equal(tl_yaml_get(wait, "kind")->line, 9);
    assert_int_equal(tl_yaml_get(wait, "kind")->col, 13);
    assert_string_equal(scalar(r, "top"), "last");
    assert_null(tl_yaml_get(r, "missing"));
    assert_null(tl_yaml_get(tl_yaml_get(r, "top"), "x")); /* not a map */
    tl_yaml_free(r);
}

static void test_block_sequences(void **state) {
    (void)state;
    tl_yaml_node *r = parse("list:\n"
                            "  - a\n"
                            "  - key: v\n"
                            "    other: w\n"
                            "  - - x\n"
                            "    - y\n"
                            "  -\n"
                            "same_column:\n"
                            "- one\n"
                            "- two\n"
                            "after: 1\n");
    const tl_yaml_node *l = tl_yaml_get(r, "list");
    assert_int_equal(l->type, TL_YAML_SEQ);
    assert_int_equal(l->n, 4);
    assert_string_equal(l->items[0]->str, "a");
    assert_int_equal(l->items[1]->type, TL_YAML_MAP);
    assert_int_equal(l->items[1]->n, 2);
    assert_string_equal(scalar(l->items[1], "other"), "w");
    assert_int_equal(l->items[2]->type, TL_YAML_SEQ);
    assert_string_equal(l->items[2]->items[1]->str, "y");
    assert_int_equal(l->items[2]->items[1]->line, 6);
    assert_true(tl_yaml_is_null(l->items[3]));
    const tl_yaml_node *s = tl_yaml_get(r, "same_column");
    assert_int_equal(s->type, TL_YAML_SEQ);
    assert_int_equal(s->n, 2);
    assert_string_equal(scalar(r, "after"), "1");
    tl_yaml_free(r);
}

static void test_flow_collections(void **state) {
    (void)state;
    tl_yaml_node *r = parse("a: {x: 1, y: [p, q, [r]], z: {}, e: []}\n"
                            "b: [ {k: v}, 'q,1', \"w]\" ]   # c\n"
                            "c: {timeout_arg: 2,\n"
                            "    forever: [negative],   # comment inside a flow\n"
                            "    kind: loop}\n"
                            "d: {k: }\n"
                            "e: {url: http://x:80/p}\n");
    const tl_yaml_node *a = tl_yaml_get(r, "a");
    assert_int_equal(a->type, TL_YAML_MAP);
    assert_int_equal(a->n, 4);
    const tl_yaml_node *y = tl_yaml_get(a, "y");
    assert_int_equal(y->type, TL_YAML_SEQ);
    assert_int_equal(y->n, 3);
    assert_int_equal(y->items[2]->type, TL_YAML_SEQ);
    assert_string_equal(y->items[2]->items[0]->str, "r");
    assert_int_equal(tl_yaml_get(a, "z")->type, TL_YAML_MAP);
    assert_int_equal(tl_yaml_get(a, "z")->n, 0);
    assert_int_equal(tl_yaml_get(a, "e")->n, 0);
    const tl_yaml_node *b = tl_yaml_get(r, "b");
    assert_int_equal(b->n, 3);
    assert_string_equal(scalar(b->items[0], "k"), "v");
    assert_string_equal(b->items[1]->str, "q,1");
    assert_true(b->items[1]->quoted);
    assert_string_equal(b->items[2]->str, "w]");
    const tl_yaml_node *c = tl_yaml_get(r, "c");
    assert_string_equal(scalar(c, "kind"), "loop");
    assert_int_equal(tl_yaml_get(c, "kind")->line, 5);
    assert_int_equal(tl_yaml_get(c, "kind")->col, 11);
    assert_int_equal(tl_yaml_get(r, "d")->type, TL_YAML_MAP);
    assert_true(tl_yaml_is_null(tl_yaml_get(tl_yaml_get(r, "d"), "k")));
    assert_string_equal(scalar(tl_yaml_get(r, "e"), "url"), "http://x:80/p");
    tl_yaml_free(r);
}

static void test_scalars_and_quotes(void **state) {
    (void)state;
    tl_yaml_node *r = parse("plain: msleep(now() + ms)  \n"
                            "hash: a#b\n"
                            "single: 'it''s # not a comment'\n"
                            "double: \"say \\\"hi\\\"\\\\\\n\\tend\"\n"
                            "\"quoted key\": 1\n"
                            "'null': null\n"
                            "tilde: ~\n"
                            "qnull: \"null\"\n"
                            "empty:\n"
                            "neg: -0x10\n"
                            "crlf: value\r\n");
    assert_string_equal(scalar(r, "plain"), "msleep(now() + ms)");
    assert_false(tl_yaml_get(r, "plain")->quoted);
    assert_string_equal(scalar(r, "hash"), "a#b");
    assert_string_equal(scalar(r, "single"), "it's # not a comment");
    assert_true(tl_yaml_get(r, "single")->quoted);
    assert_string_equal(scalar(r, "double"), "say \"hi\"\\\n\tend");
    assert_string_equal(scalar(r, "quoted key"), "1");
    assert_true(tl_yaml_is_null(tl_yaml_get(r, "null")));
    assert_true(tl_yaml_is_null(tl_yaml_get(r, "tilde")));
    assert_false(tl_yaml_is_null(tl_yaml_get(r, "qnull")));
    assert_true(tl_yaml_is_null(tl_yaml_get(r, "empty")));
    assert_string_equal(scalar(r, "neg"), "-0x10");
    assert_string_equal(scalar(r, "crlf"), "value");
    tl_yaml_free(r);
}

static void test_empty_documents(void **state) {
    (void)state;
    const char *docs[] = {"", "\n\n", "# only a comment\n", "---\n", "\xEF\xBB\xBF# bom\n"};
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        tl_yaml_node *r = parse(docs[i]);
        assert_int_equal(r->type, TL_YAML_SCALAR);
        assert_true(tl_yaml_is_null(r));
        tl_yaml_free(r);
    }
    tl_yaml_node *r = parse("---\na: 1\n");
    assert_string_equal(scalar(r, "a"), "1");
    tl_yaml_free(r);
    tl_yaml_error err;
    r = tl_yaml_parse(NULL, 0, "t.yaml", &err); /* no text at all */
    assert_non_null(r);
    tl_yaml_free(r);
}

/* Text that the old subset reader refused is ordinary YAML now. */
static void test_plain_yaml_the_subset_refused(void **state) {
    (void)state;
    tl_yaml_node *r = parse("- a\n  - b\n"); /* a multi-line plain scalar */
    assert_int_equal(r->type, TL_YAML_SEQ);
    assert_string_equal(r->items[0]->str, "a - b");
    tl_yaml_free(r);
    r = parse("{a 1}\n"); /* a flow mapping whose key is "a 1", no value */
    assert_true(tl_yaml_is_null(tl_yaml_get(r, "a 1")));
    tl_yaml_free(r);
    r = parse("? explicit key\n: value\n"); /* a complex (but scalar) key */
    assert_string_equal(scalar(r, "explicit key"), "value");
    tl_yaml_free(r);
    r = parse("%YAML 1.1\n---\na: 1\n"); /* a directive */
    assert_string_equal(scalar(r, "a"), "1");
    tl_yaml_free(r);
}

static void test_block_scalars(void **state) {
    (void)state;
    tl_yaml_node *r = parse("literal: |\n"
                            "  line one\n"
                            "    indented\n"
                            "  line three\n"
                            "folded: >\n"
                            "  one\n"
                            "  two\n"
                            "\n"
                            "  new paragraph\n"
                            "strip: |-\n"
                            "  no final newline\n"
                            "keep: >+\n"
                            "  kept\n"
                            "\n"
                            "replacement: >-\n"
                            "  use uv_fs_read()\n"
                            "  with a callback\n"
                            "after: plain\n");
    assert_string_equal(scalar(r, "literal"), "line one\n  indented\nline three\n");
    assert_true(tl_yaml_get(r, "literal")->quoted); /* a string, never null or a number */
    assert_int_equal(tl_yaml_get(r, "literal")->line, 1);
    assert_int_equal(tl_yaml_get(r, "literal")->col, 10);
    assert_string_equal(scalar(r, "folded"), "one two\nnew paragraph\n");
    assert_string_equal(scalar(r, "strip"), "no final newline");
    assert_string_equal(scalar(r, "keep"), "kept\n\n");
    assert_string_equal(scalar(r, "replacement"), "use uv_fs_read() with a callback");
    assert_string_equal(scalar(r, "after"), "plain");
    assert_int_equal(tl_yaml_get(r, "after")->line, 18);
    tl_yaml_free(r);
    /* a block scalar "null" is a string */
    r = parse("v: |-\n  null\n");
    assert_false(tl_yaml_is_null(tl_yaml_get(r, "v")));
    tl_yaml_free(r);
}

static void test_multiline_scalars(void **state) {
    (void)state;
    tl_yaml_node *r = parse("plain: first\n"
                            "  second\n"
                            "\n"
                            "  third\n"
                            "double: \"one\n"
                            "  two \\\n"
                            "  three\"\n"
                            "single: 'it''s\n"
                            "  long'\n"
                            "next: 1\n");
    assert_string_equal(scalar(r, "plain"), "first second\nthird");
    assert_false(tl_yaml_get(r, "plain")->quoted);
    assert_string_equal(scalar(r, "double"), "one two three");
    assert_true(tl_yaml_get(r, "double")->quoted);
    assert_string_equal(scalar(r, "single"), "it's long");
    assert_int_equal(tl_yaml_get(r, "next")->line, 10);
    tl_yaml_free(r);
    /* escapes beyond the old set */
    r = parse("u: \"caf\\u00e9 \\x41\"\n");
    assert_string_equal(scalar(r, "u"), "caf\xc3\xa9 A");
    tl_yaml_free(r);
}

static void test_anchors_and_aliases(void **state) {
    (void)state;
    tl_yaml_node *r = parse("first: &io {blocking: true, fd_io: true}\n"
                            "second: *io\n"
                            "name: &n pthread_join\n"
                            "again: *n\n"
                            "list: [*n, &m x, *m]\n"
                            "first_n: &n redefined\n"
                            "later: *n\n");
    const tl_yaml_node *a = tl_yaml_get(r, "first"), *b = tl_yaml_get(r, "second");
    assert_ptr_equal(a, b); /* shared, not copied */
    assert_int_equal(b->type, TL_YAML_MAP);
    assert_string_equal(scalar(b, "fd_io"), "true");
    assert_int_equal(b->line, 1); /* where the anchored node is written */
    assert_int_equal(r->key_lines[1], 2);
    assert_string_equal(scalar(r, "again"), "pthread_join");
    const tl_yaml_node *l = tl_yaml_get(r, "list");
    assert_string_equal(l->items[0]->str, "pthread_join");
    assert_string_equal(l->items[2]->str, "x");
    assert_string_equal(scalar(r, "later"), "redefined"); /* the latest anchor wins */
    tl_yaml_free(r);
}

static void test_merge_keys(void **state) {
    (void)state;
    tl_yaml_node *r = parse("a: &base {blocking: true, wait: w1, kind: k1}\n"
                            "b: &more {kind: k2, extra: e2}\n"
                            "one:\n"
                            "  <<: *base\n"
                            "  wait: mine\n"
                            "two: {<<: [*more, *base]}\n"
                            "inline:\n"
                            "  <<: {x: 1}\n"
                            "  y: 2\n");
    const tl_yaml_node *one = tl_yaml_get(r, "one");
    assert_int_equal(one->n, 3);
    assert_string_equal(scalar(one, "wait"), "mine"); /* explicit keys win */
    assert_string_equal(scalar(one, "blocking"), "true");
    assert_string_equal(scalar(one, "kind"), "k1");
    assert_null(tl_yaml_get(one, "<<"));
    const tl_yaml_node *two = tl_yaml_get(r, "two");
    assert_int_equal(two->n, 4);
    assert_string_equal(scalar(two, "kind"), "k2"); /* the earlier mapping wins */
    assert_string_equal(scalar(two, "extra"), "e2");
    assert_string_equal(scalar(two, "wait"), "w1");
    const tl_yaml_node *in = tl_yaml_get(r, "inline");
    assert_string_equal(scalar(in, "x"), "1");
    assert_string_equal(scalar(in, "y"), "2");
    tl_yaml_free(r);
    /* a mapping past SMALL_MAP entries (duplicates found by hashing) */
    r = parse("d: &d {k1: d, k2: d, k3: d, k4: d, k5: d, k6: d, k7: d, k8: d, k9: d, k10: d}\n"
              "m: {a1: m, a2: m, a3: m, a4: m, a5: m, a6: m, a7: m, a8: m, k9: m, <<: *d}\n");
    const tl_yaml_node *m = tl_yaml_get(r, "m");
    assert_int_equal(m->n, 18);
    assert_string_equal(scalar(m, "k9"), "m");
    assert_string_equal(scalar(m, "k10"), "d");
    assert_string_equal(scalar(m, "a8"), "m");
    tl_yaml_free(r);
    expect_error("m: {a1: m, a2: m, a3: m, a4: m, a5: m, a6: m, a7: m, a8: m, a9: m, a3: x}\n", 1, 68,
                 "duplicate key 'a3' (first defined at line 1)");
    /* a quoted "<<" is an ordinary key */
    r = parse("\"<<\": 1\n");
    assert_string_equal(scalar(r, "<<"), "1");
    tl_yaml_free(r);
    expect_error("<<: 1\n", 1, 1, "the merge key '<<' takes a mapping or a list of mappings");
    expect_error("a: &s x\nb: {<<: [*s]}\n", 2, 5, "the merge key '<<'");
}

static void test_tags(void **state) {
    (void)state;
    tl_yaml_node *r = parse("s: !!str 12\n"
                            "i: !!int \"12\"\n"
                            "b: !!bool true\n"
                            "n: !!null ''\n"
                            "m: !!map {k: v}\n"
                            "q: !!seq [1]\n"
                            "plain: 12\n");
    assert_true(tl_yaml_get(r, "s")->quoted); /* !!str: a string, like quotes */
    assert_false(tl_yaml_get(r, "i")->quoted); /* !!int: not a string, despite quotes */
    assert_false(tl_yaml_get(r, "b")->quoted);
    assert_true(tl_yaml_is_null(tl_yaml_get(r, "n")));
    assert_int_equal(tl_yaml_get(r, "m")->type, TL_YAML_MAP);
    assert_int_equal(tl_yaml_get(r, "q")->type, TL_YAML_SEQ);
    assert_false(tl_yaml_get(r, "plain")->quoted);
    tl_yaml_free(r);
    expect_error("a: 1\nb: !custom x\n", 2, 4,
                 "unsupported tag '!custom' (only the standard tags !!str, !!int");
    expect_error("a: !!binary eA==\n", 1, 4, "unsupported tag '!!binary'");
    expect_error("a: !!map x\n", 1, 4, "tag '!!map' does not fit a scalar");
    expect_error("a: !!str [x]\n", 1, 4, "tag '!!str' does not fit a sequence");
    expect_error("%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n", 3, 4,
                 "unsupported tag 'tag:example.com,2000:thing'");
}

static void test_one_document(void **state) {
    (void)state;
    tl_yaml_node *r = parse("---\na: 1\n...\n"); /* explicit start and end */
    assert_string_equal(scalar(r, "a"), "1");
    assert_int_equal(r->line, 2);
    tl_yaml_free(r);
    expect_error("a: 1\n---\nb: 2\n", 2, 1, "a second YAML document starts here");
    expect_error("---\na: 1\n---\n", 3, 1, "a second YAML document");
    expect_error("a: 1\n...\n---\nb: 2\n", 3, 1, "a second YAML document");
}

static void test_error_indentation(void **state) {
    (void)state;
    expect_error("a: 1\n  b: 2\n", 2, 4,
                 "mapping values are not allowed in this context; a ': ' where no mapping can "
                 "start: check the indentation");
    expect_error("a:\n  b: 1\n   c: 2\n", 3, 5, "check the indentation");
    expect_error("  a: 1\nb: 2\n", 2, 1, "check the indentation of this line");
    expect_error("a:\n  - x\n  y: 1\n", 3, 3,
                 "did not find expected '-' indicator (while parsing a block collection at line "
                 "2, column 3)");
    expect_error("a: 1\nb\n", 3, 1,
                 "could not find expected ':' (while scanning a simple key at line 2, column 1); "
                 "expected 'key: value'");
    expect_error("a: 1\n- b\n", 2, 1,
                 "did not find expected key (while parsing a block mapping at line 1, column 1)");
}

static void test_error_tabs(void **state) {
    (void)state;
    expect_error("a:\n\tb: 1\n", 2, 1, "a tab: indent with spaces");
    expect_error("a: 1\n  \n \tb: 2\n", 3, 4, "this line is indented with a tab");
}

static void test_error_unterminated(void **state) {
    (void)state;
    expect_error("a: [1, 2\n", 2, 1,
                 "did not find expected ',' or ']' (while parsing a flow sequence at line 1, "
                 "column 4); the '[' at line 1, column 4 is never closed");
    expect_error("x: 1\na: {k: v,\n  j: w\n", 4, 1, "the '{' at line 2, column 4 is never closed");
    expect_error("a: {k: [1, 2}\n", 1, 13, "unexpected '}' (nothing to close here)");
    expect_error("a: \"abc\n", 2, 1, "the quoted string at line 1, column 4 is never closed");
    expect_error("a: 'abc\nb: 1\n", 3, 1, "the quoted string at line 1, column 4 is never closed");
    expect_error("a: \"abc\\", 1, 8, "found unknown escape character"); /* "\" at the end */
    expect_error("a: [x]]\n", 1, 7, "unexpected ']'");
}

static void test_error_duplicate_key(void **state) {
    (void)state;
    expect_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first defined at line 1)");
    expect_error("m: {k: 1, k: 2}\n", 1, 11, "duplicate key 'k' (first defined at line 1)");
    expect_error("f:\n  x: &v 1\n  y: 2\n  x: *v\n", 4, 3, "duplicate key 'x' (first defined at line 2)");
    /* the same key in different mappings is fine */
    tl_yaml_node *r = parse("a: {k: 1}\nb: {k: 2}\n");
    tl_yaml_free(r);
}

static void test_error_syntax(void **state) {
    (void)state;
    expect_error("a: b: c\n", 1, 5, "quote a value that contains ': '");
    expect_error("a: - b\n", 1, 4, "a '- ' item must start on its own line");
    expect_error("a: \"\\q\"\n", 1, 5, "found unknown escape character");
    expect_error("a: @x\n", 1, 4, "'@' cannot start a plain value: quote the value");
    expect_error("a: [{}: 1]\n", 1, 5, "a mapping key must be a scalar (a name), not a collection");
    expect_error("? [a]\n: 1\n", 1, 3, "a mapping key must be a scalar");
    expect_error("a: &l [1]\n*l : 2\n", 2, 1, "a mapping key must be a scalar");
}

static void test_error_aliases(void **state) {
    (void)state;
    expect_error("a: *nope\n", 1, 4, "unknown anchor: alias '*nope' needs an '&nope' defined before it");
    expect_error("a: *later\nb: &later 1\n", 1, 4, "unknown anchor");
    expect_error("a: &r [1, *r]\n", 1, 11, "alias '*r' refers to a node that contains it");
    expect_error("a: &r {k: {j: *r}}\n", 1, 15, "a recursive alias");
    /* the open '&r' is the latest, not the earlier one of the same name */
    expect_error("a: &r 1\nb: &r [*r]\n", 2, 8, "a recursive alias");
}

/* The "billion laughs" document: nine levels of ten aliases expand to 10^9
 * nodes.  It is refused as soon as the aliases pass the limit, without
 * building (or walking) the expansion. */
static void test_billion_laughs_refused(void **state) {
    (void)state;
    const char *doc = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    tl_yaml_error err;
    assert_null(tl_yaml_parse(doc, strlen(doc), "t.yaml", &err));
    /* levels a..e add 123440 nodes; each *e of line f adds 111111: the
     * eighth passes the limit */
    assert_string_equal(err.msg, "t.yaml:6:36: aliases expand to more than 1000000 nodes (at '*e'): "
                                 "refused, this looks like a 'billion laughs' document");
    /* merge keys count what their alias adds */
    expect_error("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                 "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                 "m: &m {big: *e}\n"
                 "n1: {<<: *m}\nn2: {<<: *m}\nn3: {<<: *m}\nn4: {<<: *m}\n"
                 "n5: {<<: *m}\nn6: {<<: *m}\nn7: {<<: *m}\nn8: {<<: *m}\n",
                 13, 10, "billion laughs");
}

/* Below the limit aliases are fine, however many: 60000 uses of one anchor. */
static void test_many_aliases_accepted(void **state) {
    (void)state;
    size_t cap = 60000 * 32 + 64, off = 0;
    char *doc = malloc(cap);
    off += (size_t)snprintf(doc + off, cap - off, "base: &b {blocking: true, fd_io: true}\n");
    for (int i = 0; i < 60000; i++)
        off += (size_t)snprintf(doc + off, cap - off, "f%d: *b\n", i);
    tl_yaml_error err;
    tl_yaml_node *r = tl_yaml_parse(doc, off, "t.yaml", &err);
    if (!r) fail_msg("%s", err.msg);
    assert_int_equal(r->n, 60001);
    assert_ptr_equal(r->items[60000], r->items[0]);
    tl_yaml_free(r);
    free(doc);
}

static void test_error_control_characters(void **state) {
    (void)state;
    expect_error("a: \"x\\ey\"\n", 1, 4, "control character U+001B in a string (not allowed)");
    expect_error("a: \"\\N\"\n", 1, 4, "control character U+0085");
    expect_error("a: \"\\0\"\n", 1, 4, "control character U+0000");
    expect_error("\"k\\x07\": 1\n", 1, 1, "control character U+0007");
    /* tab and line feed are text */
    tl_yaml_node *r = parse("a: \"x\\ty\\nz\"\n");
    assert_string_equal(scalar(r, "a"), "x\ty\nz");
    tl_yaml_free(r);
    /* raw control characters in the input: libyaml's reader refuses them */
    expect_error("a: 1\nb: x\x1by\n", 2, 5,
                 "control characters are not allowed (byte or character 0x1b)");
}

static void test_error_bad_utf8(void **state) {
    (void)state;
    expect_error("a: 1\nb: \xc3\xa9\xff\n", 2, 5, "invalid leading UTF-8 octet (byte or character 0xff)");
}

/* Columns count characters: a multi-byte character before an error is one
 * column. */
static void test_error_columns_count_characters(void **state) {
    (void)state;
    expect_error("caf\xc3\xa9: 1\ncaf\xc3\xa9: 2\n", 2, 1, "duplicate key 'caf\xc3\xa9'");
    expect_error("k\xc3\xa9y: [\xc3\xa9, \xc3\xa9]]\n", 1, 12, "unexpected ']'"); /* 15 in bytes */
}

static void format_error_into(char *buf, size_t size, const char *origin, int line, int col,
                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tl_yaml_format_error(buf, size, origin, line, col, fmt, ap);
    va_end(ap);
}

/* The one shape of errors, with control characters escaped. */
static void test_format_error(void **state) {
    (void)state;
    char buf[64];
    struct {
        int line, col;
        const char *want;
    } cases[] = {{3, 7, "f\\x1b.yaml:3:7: msg\\x0a"}, {3, 0, "f\\x1b.yaml:3: msg\\x0a"},
                 {0, 0, "f\\x1b.yaml: msg\\x0a"}};
    for (size_t i = 0; i < 3; i++) {
        format_error_into(buf, sizeof(buf), "f\x1b.yaml", cases[i].line, cases[i].col, "msg\n");
        assert_string_equal(buf, cases[i].want);
    }
    /* truncation never splits an escape nor overflows */
    char small[12];
    format_error_into(small, sizeof(small), "abcdefgh", 1, 2, "\x01\x02");
    assert_string_equal(small, "abcdefgh:1:");
}

static void test_error_nul_byte(void **state) {
    (void)state;
    static const char text[] = "x: 1\ny: a\0b\n";
    tl_yaml_error err;
    tl_yaml_node *n = tl_yaml_parse(text, sizeof(text) - 1, "t.yaml", &err);
    assert_null(n);
    assert_string_equal(err.msg, "t.yaml:2:5: NUL byte in the input (not a text file?)");
}

static void test_error_nesting_depth(void **state) {
    (void)state;
    char deep[1000];
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    expect_error(deep, 1, 101, "nesting deeper than 100 levels");
    /* deep block nesting: "a:\n b:\n  c:..." */
    char *block = malloc(200 * 210);
    size_t off = 0;
    for (int i = 0; i < 200; i++) {
        memset(block + off, ' ', (size_t)i);
        off += (size_t)i;
        off += (size_t)sprintf(block + off, "k%d:\n", i);
    }
    block[off] = '\0';
    tl_yaml_error err;
    assert_null(tl_yaml_parse(block, off, "t.yaml", &err));
    assert_non_null(strstr(err.msg, "nesting deeper than"));
    free(block);
    /* 100 levels are fine */
    char ok[201];
    memset(ok, '[', 100);
    memset(ok + 100, ']', 100);
    ok[200] = '\0';
    tl_yaml_node *r = parse(ok);
    tl_yaml_free(r);
    /* aliases cannot stack nodes deeper than the limit either */
    char *chain = malloc(100 * 40);
    off = (size_t)sprintf(chain, "a0: &a0 [x]\n");
    for (int i = 1; i < 60; i++) off += (size_t)sprintf(chain + off, "a%d: &a%d [*a%d]\n", i, i, i - 1);
    r = parse(chain); /* 61 levels */
    tl_yaml_free(r);
    for (int i = 60; i < 100; i++) off += (size_t)sprintf(chain + off, "a%d: &a%d [*a%d]\n", i, i, i - 1);
    assert_null(tl_yaml_parse(chain, off, "t.yaml", &err));
    assert_non_null(strstr(err.msg, "nesting deeper than 100 levels"));
    free(chain);
}

/* A mapping with many keys reads in linear time (a quadratic duplicate
 * check took minutes here); its duplicate at the end is still found. */
static void test_large_mapping(void **state) {
    (void)state;
    size_t n = 200000, cap = n * 24 + 64, off = 0;
    char *doc = malloc(cap);
    for (size_t i = 0; i < n; i++) off += (size_t)snprintf(doc + off, cap - off, "key_%zu: %zu\n", i, i);
    tl_yaml_error err;
    tl_yaml_node *r = tl_yaml_parse(doc, off, "t.yaml", &err);
    if (!r) fail_msg("%s", err.msg);
    assert_int_equal(r->n, n);
    assert_int_equal(r->key_lines[n - 1], (int)n);
    tl_yaml_free(r);
    off += (size_t)snprintf(doc + off, cap - off, "key_7: again\n");
    expect_error_n(doc, off, (int)n + 1, 1, "duplicate key 'key_7' (first defined at line 8)");
    free(doc);
}

/* Every prefix of a valid document, and a few mangled variants, must give a
 * tree or an error - never a crash (run under ASan/UBSan). */
static void test_never_crashes_on_prefixes(void **state) {
    (void)state;
    const char *doc = "library: x\n"
                      "functions:\n"
                      "  f: {spawn: {handle: out, handle_arg: 0}, borrow: [0, 1]}\n"
                      "  g:\n"
                      "    - 'a''b'\n"
                      "    - \"c\\\"d\"\n"
                      "    - {k: [1, {z: 2}]}\n";
    size_t len = strlen(doc);
    /* exact-size heap copies, so that any read past the end trips ASan */
    for (size_t i = 0; i <= len; i++) {
        char *prefix = malloc(i ? i : 1);
        memcpy(prefix, doc, i);
        tl_yaml_error err;
        tl_yaml_node *n = tl_yaml_parse(prefix, i, "t.yaml", &err);
        if (n)
            tl_yaml_free(n);
        else
            assert_int_equal(strncmp(err.msg, "t.yaml:", 7), 0);
        free(prefix);
    }
    char *buf = malloc(len);
    for (size_t i = 0; i < len; i++) {
        static const char junk[] = "\t:-[]{}'\"#,\n ";
        for (size_t j = 0; j < sizeof(junk) - 1; j++) {
            memcpy(buf, doc, len);
            buf[i] = junk[j];
            tl_yaml_error err;
            tl_yaml_node *n = tl_yaml_parse(buf, len, "t.yaml", &err);
            if (n)
                tl_yaml_free(n);
            else
                assert_int_equal(strncmp(err.msg, "t.yaml:", 7), 0);
        }
    }
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_mapping_nested),
        cmocka_unit_test(test_block_sequences),
        cmocka_unit_test(test_flow_collections),
        cmocka_unit_test(test_scalars_and_quotes),
        cmocka_unit_test(test_empty_documents),
        cmocka_unit_test(test_plain_yaml_the_subset_refused),
        cmocka_unit_test(test_block_scalars),
        cmocka_unit_test(test_multiline_scalars),
        cmocka_unit_test(test_anchors_and_aliases),
        cmocka_unit_test(test_merge_keys),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_one_document),
        cmocka_unit_test(test_error_indentation),
        cmocka_unit_test(test_error_tabs),
        cmocka_unit_test(test_error_unterminated),
        cmocka_unit_test(test_error_duplicate_key),
        cmocka_unit_test(test_error_syntax),
        cmocka_unit_test(test_error_aliases),
        cmocka_unit_test(test_billion_laughs_refused),
        cmocka_unit_test(test_many_aliases_accepted),
        cmocka_unit_test(test_error_control_characters),
        cmocka_unit_test(test_error_bad_utf8),
        cmocka_unit_test(test_error_columns_count_characters),
        cmocka_unit_test(test_format_error),
        cmocka_unit_test(test_error_nul_byte),
        cmocka_unit_test(test_error_nesting_depth),
        cmocka_unit_test(test_large_mapping),
        cmocka_unit_test(test_never_crashes_on_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
