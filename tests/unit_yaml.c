/* unit_yaml.c - the YAML-subset reader: documents it accepts (and the tree
 * it builds, with line numbers) and every error path, each with file:line. */
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

/* Parses text expecting an error; the message must be exactly "t.yaml:LINE: ..."
 * and contain want. */
static void expect_error(const char *text, int line, const char *want) {
    tl_yaml_error err;
    tl_yaml_node *n = tl_yaml_parse(text, strlen(text), "t.yaml", &err);
    if (n) {
        tl_yaml_free(n);
        fail_msg("expected an error for: %s", text);
    }
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "t.yaml:%d: ", line);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, want))
        fail_msg("error '%s' does not start with '%s' or lacks '%s'", err.msg, prefix, want);
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
    const tl_yaml_node *fns = tl_yaml_get(r, "functions");
    assert_int_equal(fns->type, TL_YAML_MAP);
    assert_int_equal(fns->n, 2);
    assert_string_equal(fns->keys[0], "pthread_join");
    assert_int_equal(fns->key_lines[0], 5);
    assert_string_equal(fns->keys[1], "poll");
    assert_int_equal(fns->key_lines[1], 7);
    const tl_yaml_node *wait = tl_yaml_get(tl_yaml_get(fns, "poll"), "wait");
    assert_string_equal(scalar(wait, "kind"), "loop");
    assert_int_equal(tl_yaml_get(wait, "kind")->line, 9);
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

static void test_error_indentation(void **state) {
    (void)state;
    expect_error("a: 1\n  b: 2\n", 2, "bad indentation");
    expect_error("a:\n  b: 1\n   c: 2\n", 3, "bad indentation");
    expect_error("- a\n  - b\n", 2, "bad indentation");
    expect_error("  a: 1\nb: 2\n", 2, "indentation");
    expect_error("a:\n  - x\n  y: 1\n", 3, "bad indentation");
    expect_error("a: 1\nb\n", 2, "expected 'key: value'");
    expect_error("a: 1\n- b\n", 2, "expected 'key: value'");
}

static void test_error_tabs(void **state) {
    (void)state;
    expect_error("a:\n\tb: 1\n", 2, "tab character in indentation");
    expect_error("a: 1\n  \n \tb: 2\n", 3, "tab");
}

static void test_error_unterminated(void **state) {
    (void)state;
    expect_error("a: [1, 2\n", 1, "unterminated flow sequence");
    expect_error("x: 1\na: {k: v,\n  j: w\n", 2, "unterminated flow mapping");
    expect_error("a: {k: [1, 2}\n", 1, "expected ',' or ']'");
    expect_error("a: \"abc\n", 1, "unterminated double-quoted");
    expect_error("a: 'abc\nb: 1\n", 1, "unterminated single-quoted");
    expect_error("a: \"abc\\", 1, "unterminated double-quoted");
    expect_error("a: [x]]\n", 1, "unexpected ']'");
}

static void test_error_duplicate_key(void **state) {
    (void)state;
    expect_error("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first defined at line 1)");
    expect_error("m: {k: 1, k: 2}\n", 1, "duplicate key 'k'");
}

static void test_error_unsupported(void **state) {
    (void)state;
    expect_error("a: &anchor 1\n", 1, "unsupported YAML syntax '&'");
    expect_error("a: *alias\n", 1, "unsupported");
    expect_error("a: !tag x\n", 1, "unsupported");
    expect_error("a: |\n  text\n", 1, "unsupported");
    expect_error("a: b: c\n", 1, "unexpected ': '");
    expect_error("a: - b\n", 1, "own line");
    expect_error("a: \"\\q\"\n", 1, "unknown escape '\\q'");
    expect_error("a: 1\n---\nb: 2\n", 2, "multiple documents");
    expect_error("{a 1}\n", 1, "expected ':'");
    expect_error("a: [{}: 1]\n", 1, "");
}

/* Text with an embedded NUL (length given explicitly). */
static void test_error_nul_byte(void **state) {
    (void)state;
    static const char text[] = "x: 1\ny: a\0b\n";
    tl_yaml_error err;
    tl_yaml_node *n = tl_yaml_parse(text, sizeof(text) - 1, "t.yaml", &err);
    assert_null(n);
    assert_string_equal(err.msg, "t.yaml:2: NUL byte in the input (not a text file?)");
}

static void test_error_nesting_depth(void **state) {
    (void)state;
    char deep[1000];
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    expect_error(deep, 1, "nesting deeper than");
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
        cmocka_unit_test(test_error_indentation),
        cmocka_unit_test(test_error_tabs),
        cmocka_unit_test(test_error_unterminated),
        cmocka_unit_test(test_error_duplicate_key),
        cmocka_unit_test(test_error_unsupported),
        cmocka_unit_test(test_error_nul_byte),
        cmocka_unit_test(test_error_nesting_depth),
        cmocka_unit_test(test_never_crashes_on_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
