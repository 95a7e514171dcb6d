/* unit_fingerprint.c - SHA-256 (FIPS 180-4 vectors) and finding
 * fingerprints: stable across edits that do not touch the finding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/finding.h"
#include "store/fingerprint.h"
#include "store/hash.h"

/* ---- SHA-256 ---- */

static void hex_of(const char *data, size_t n, char out[65]) { tl_store_sha256_hex(data, n, out); }

static void test_sha256_fips_vectors(void **state) {
    (void)state;
    char h[65];
    hex_of("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                       "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_of(m896, strlen(m896), h);
    assert_string_equal(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    /* one million 'a', fed in uneven pieces */
    tl_store_sha256 c;
    tl_store_sha256_init(&c);
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        tl_store_sha256_update(&c, chunk, n);
        left -= n;
    }
    unsigned char d[32];
    tl_store_sha256_final(&c, d);
    tl_store_hex(d, 32, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* the padding boundaries: 55/56 bytes (one or two final blocks), 63/64/65 */
static void test_sha256_padding_boundaries(void **state) {
    (void)state;
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        {128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
    };
    char buf[128];
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char h[65];
        hex_of(buf, v[i].n, h);
        assert_string_equal(h, v[i].hex);
        /* the same message split at every position */
        for (size_t cut = 0; cut <= v[i].n; cut++) {
            tl_store_sha256 c;
            unsigned char d[32];
            tl_store_sha256_init(&c);
            tl_store_sha256_update(&c, buf, cut);
            tl_store_sha256_update(&c, buf + cut, v[i].n - cut);
            tl_store_sha256_final(&c, d);
            tl_store_hex(d, 32, h);
            assert_string_equal(h, v[i].hex);
        }
    }
}

/* ---- fingerprints ---- */

#define ROOT "/home/dev/proj"

static tl_finding *add(tl_findings *fs, const char *rule, const char *file, unsigned line,
                       const char *fn, const char *snippet, const char *msg) {
    tl_finding *f = tl_findings_add(fs, rule, TL_SEV_WARNING, file, line, 5, fn,
                                    msg ? msg : "thread handle leaks");
    tl_finding_set_snippet(f, snippet);
    return f;
}

/* The fingerprint of the finding of `fs` at (file, line). */
static const char *fp_at(const tl_findings *fs, const char *file, unsigned line) {
    for (size_t i = 0; i < fs->n; i++)
        if (fs->items[i].line == line && strcmp(fs->items[i].file, file) == 0)
            return fs->items[i].fingerprint;
    fail_msg("no finding at %s:%u", file, line);
    return NULL;
}

static void test_recipe_pinned(void **state) {
    (void)state;
    tl_findings fs;
    tl_findings_init(&fs);
    add(&fs, "orphaned-spawn", ROOT "/src/pool.c", 40, "pool_start",
        "pthread_create(&t, NULL, job, j);", NULL);
    tl_fingerprint_findings(&fs, ROOT);
    /* sha256("v1\0orphaned-spawn\0src/pool.c\0pool_start\0pthread_create(&t,NULL,job,j);\0" "0"),
       first 16 bytes */
    static const char input[] = "v1\0orphaned-spawn\0src/pool.c\0pool_start\0"
                                "pthread_create(&t,NULL,job,j);\0"
                                "0";
    char h[65];
    tl_store_sha256_hex(input, sizeof input - 1, h);
    h[TL_FINGERPRINT_LEN] = '\0';
    assert_string_equal(fs.items[0].fingerprint, h);
    assert_int_equal(strlen(fs.items[0].fingerprint), TL_FINGERPRINT_LEN);
    tl_findings_free(&fs);
}

static void test_lines_inserted_above(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    add(&a, "missing-timeout", ROOT "/src/peer.c", 19, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    add(&a, "orphaned-spawn", ROOT "/src/peer.c", 40, "peer_start", "pthread_create(&t,0,f,0)",
        NULL);
    /* eight lines inserted at the top, and a new finding among them */
    add(&b, "missing-timeout", ROOT "/src/peer.c", 3, "helper", "poll(&q, 1, -1)", NULL);
    add(&b, "missing-timeout", ROOT "/src/peer.c", 27, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    add(&b, "orphaned-spawn", ROOT "/src/peer.c", 48, "peer_start", "pthread_create(&t,0,f,0)",
        NULL);
    tl_fingerprint_findings(&a, ROOT);
    tl_fingerprint_findings(&b, ROOT);
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 19), fp_at(&b, ROOT "/src/peer.c", 27));
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 40), fp_at(&b, ROOT "/src/peer.c", 48));
    assert_string_not_equal(fp_at(&b, ROOT "/src/peer.c", 3), fp_at(&b, ROOT "/src/peer.c", 27));
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_reformatted(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    add(&a, "missing-timeout", ROOT "/src/peer.c", 19, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    add(&a, "blocking-in-coroutine", ROOT "/src/peer.c", 60, "on_tick", "sleep(1)", NULL);
    /* the file reformatted elsewhere (on_tick's code changed entirely), and the
       flagged statement itself re-indented and re-wrapped */
    add(&b, "missing-timeout", ROOT "/src/peer.c", 21, "peer_wait", "poll( &pfd,\n\t 1,  -1 )",
        NULL);
    add(&b, "blocking-in-coroutine", ROOT "/src/peer.c", 70, "on_tick", "usleep(1000)", NULL);
    tl_fingerprint_findings(&a, ROOT);
    tl_fingerprint_findings(&b, ROOT);
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 19), fp_at(&b, ROOT "/src/peer.c", 21));
    /* the statement that changed is a different finding */
    assert_string_not_equal(fp_at(&a, ROOT "/src/peer.c", 60), fp_at(&b, ROOT "/src/peer.c", 70));
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_moved_within_file(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    /* peer_wait moved from the top of the file to the bottom, past other code */
    add(&a, "missing-timeout", ROOT "/src/peer.c", 12, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    add(&a, "orphaned-spawn", ROOT "/src/peer.c", 80, "peer_start", "pthread_create(&t,0,f,0)",
        NULL);
    add(&b, "orphaned-spawn", ROOT "/src/peer.c", 20, "peer_start", "pthread_create(&t,0,f,0)",
        NULL);
    add(&b, "missing-timeout", ROOT "/src/peer.c", 310, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    b.items[1].col = 17;
    tl_fingerprint_findings(&a, ROOT);
    tl_fingerprint_findings(&b, ROOT);
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 12), fp_at(&b, ROOT "/src/peer.c", 310));
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 80), fp_at(&b, ROOT "/src/peer.c", 20));
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_duplicate_in_another_function(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    add(&a, "missing-timeout", ROOT "/src/peer.c", 19, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    /* the same statement pasted into another function, above the first one */
    add(&b, "missing-timeout", ROOT "/src/peer.c", 10, "peer_wait2", "poll(&pfd, 1, -1)", NULL);
    add(&b, "missing-timeout", ROOT "/src/peer.c", 25, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    tl_fingerprint_findings(&a, ROOT);
    tl_fingerprint_findings(&b, ROOT);
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 19), fp_at(&b, ROOT "/src/peer.c", 25));
    assert_string_not_equal(fp_at(&b, ROOT "/src/peer.c", 10), fp_at(&b, ROOT "/src/peer.c", 25));
    /* another file, same function name: different too */
    tl_findings c;
    tl_findings_init(&c);
    add(&c, "missing-timeout", ROOT "/src/other.c", 19, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    tl_fingerprint_findings(&c, ROOT);
    assert_string_not_equal(fp_at(&c, ROOT "/src/other.c", 19), fp_at(&a, ROOT "/src/peer.c", 19));
    tl_findings_free(&a);
    tl_findings_free(&b);
    tl_findings_free(&c);
}

static void test_identical_in_one_function(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    add(&a, "missing-timeout", ROOT "/src/peer.c", 19, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    /* a second identical statement below the first: occurrence 1; given in
       reverse order to show the numbering follows lines, not list order */
    add(&b, "missing-timeout", ROOT "/src/peer.c", 30, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    add(&b, "missing-timeout", ROOT "/src/peer.c", 19, "peer_wait", "poll(&pfd, 1, -1)", NULL);
    tl_fingerprint_findings(&a, ROOT);
    tl_fingerprint_findings(&b, ROOT);
    assert_string_not_equal(fp_at(&b, ROOT "/src/peer.c", 19), fp_at(&b, ROOT "/src/peer.c", 30));
    assert_string_equal(fp_at(&a, ROOT "/src/peer.c", 19), fp_at(&b, ROOT "/src/peer.c", 19));
    /* occurrence 1 is exactly the recipe with index 1 */
    static const char input[] = "v1\0missing-timeout\0src/peer.c\0peer_wait\0poll(&pfd,1,-1)\0"
                                "1";
    char h[65];
    tl_store_sha256_hex(input, sizeof input - 1, h);
    h[TL_FINGERPRINT_LEN] = '\0';
    assert_string_equal(fp_at(&b, ROOT "/src/peer.c", 30), h);
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_message_fallback_ignores_numbers(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    add(&a, "orphaned-spawn", ROOT "/src/pool.c", 30, "pool_start", NULL,
        "thread started at line 28 is never joined");
    add(&b, "orphaned-spawn", ROOT "/src/pool.c", 42, "pool_start", NULL,
        "thread started at line 40 is never joined");
    add(&b, "orphaned-spawn", ROOT "/src/pool.c", 50, "pool_start", NULL,
        "thread started at line 48 is never detached");
    tl_fingerprint_findings(&a, ROOT);
    tl_fingerprint_findings(&b, ROOT);
    assert_string_equal(fp_at(&a, ROOT "/src/pool.c", 30), fp_at(&b, ROOT "/src/pool.c", 42));
    assert_string_not_equal(fp_at(&b, ROOT "/src/pool.c", 42), fp_at(&b, ROOT "/src/pool.c", 50));
    tl_findings_free(&a);
    tl_findings_free(&b);
}

static void test_travels_between_checkouts(void **state) {
    (void)state;
    tl_findings a, b;
    tl_findings_init(&a);
    tl_findings_init(&b);
    add(&a, "orphaned-spawn", "/home/dev/proj/src/pool.c", 30, "f", "x()", NULL);
    add(&b, "orphaned-spawn", "/builds/ci/1234/src/pool.c", 30, "f", "x()", NULL);
    tl_fingerprint_findings(&a, "/home/dev/proj");
    tl_fingerprint_findings(&b, "/builds/ci/1234/");
    assert_string_equal(a.items[0].fingerprint, b.items[0].fingerprint);
    /* a rule or a file-scope finding changes it */
    tl_findings c;
    tl_findings_init(&c);
    add(&c, "unawaited-task", "/home/dev/proj/src/pool.c", 30, "f", "x()", NULL);
    add(&c, "orphaned-spawn", "/home/dev/proj/src/pool.c", 30, NULL, "x()", NULL);
    tl_fingerprint_findings(&c, "/home/dev/proj");
    assert_string_not_equal(c.items[0].fingerprint, a.items[0].fingerprint);
    assert_string_not_equal(c.items[1].fingerprint, a.items[0].fingerprint);
    tl_findings_free(&a);
    tl_findings_free(&b);
    tl_findings_free(&c);
}

static void test_relpath(void **state) {
    (void)state;
    static const struct {
        const char *path, *root, *want;
    } v[] = {
        {"/home/dev/proj/src/a.c", "/home/dev/proj", "src/a.c"},
        {"/home/dev/proj/src/a.c", "/home/dev/proj/", "src/a.c"},
        {"/home/dev/proj/./src//x/../a.c", "/home/dev/proj", "src/a.c"},
        {"/home/dev/project2/a.c", "/home/dev/proj", "/home/dev/project2/a.c"},
        {"/usr/include/stdio.h", "/home/dev/proj", "/usr/include/stdio.h"},
        {"C:\\proj\\src\\a.c", NULL, "C:/proj/src/a.c"},
        {"/home/dev/proj", "/home/dev/proj", "."},
        {"/a/../../b.c", NULL, "/b.c"},
        {"../x/./y.c", NULL, "../x/y.c"},
        {"/a.c", "/", "a.c"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *r = tl_fingerprint_relpath(v[i].path, v[i].root);
        assert_string_equal(r, v[i].want);
        free(r);
    }
    /* a relative path is relative to the current directory */
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    char *r = tl_fingerprint_relpath("src/a.c", cwd);
    assert_string_equal(r, "src/a.c");
    free(r);
    free(cwd);
}

static void test_normalise(void **state) {
    (void)state;
    char *n = tl_fingerprint_normalise("  poll( &pfd,\n\t1 ,\r\n -1 ) ; ");
    assert_string_equal(n, "poll(&pfd,1,-1);");
    free(n);
    n = tl_fingerprint_normalise(NULL);
    assert_string_equal(n, "");
    free(n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_fips_vectors),
        cmocka_unit_test(test_sha256_padding_boundaries),
        cmocka_unit_test(test_recipe_pinned),
        cmocka_unit_test(test_lines_inserted_above),
        cmocka_unit_test(test_reformatted),
        cmocka_unit_test(test_moved_within_file),
        cmocka_unit_test(test_duplicate_in_another_function),
        cmocka_unit_test(test_identical_in_one_function),
        cmocka_unit_test(test_message_fallback_ignores_numbers),
        cmocka_unit_test(test_travels_between_checkouts),
        cmocka_unit_test(test_relpath),
        cmocka_unit_test(test_normalise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
