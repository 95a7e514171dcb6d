/* unit_pch_prefix.c - shared precompiled prefixes (frontend/pch_prefix.h):
 * what counts as a TU's leading run of includes, which arguments may share
 * one, the keys, building and reusing a PCH (lock, unguarded headers,
 * stale headers) and what pruning the cache may touch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "frontend/pch_prefix.h"
#include "util/xalloc.h"

static int scan(const char *text, tl_pch_includes *inc) {
    tl_pch_scan(text, strlen(text), inc);
    return inc->n;
}

static void test_scan_takes_the_leading_includes(void **state) {
    (void)state;
    tl_pch_includes inc;
    assert_int_equal(scan("/* licence\n * text */\n\n#include \"server.h\"  // umbrella\n"
                          "  #  include <stdio.h>\n#include\t<sys/types.h> /* x */\n\nint x;\n"
                          "#include \"late.h\"\n",
                          &inc),
                     3);
    assert_string_equal(inc.names[0], "server.h");
    assert_false(inc.angled[0]);
    assert_string_equal(inc.names[1], "stdio.h");
    assert_true(inc.angled[1]);
    assert_string_equal(inc.names[2], "sys/types.h");
    tl_pch_includes_free(&inc);
    /* a byte-order mark is no text */
    assert_int_equal(scan("\xEF\xBB\xBF#include <a.h>\n", &inc), 1);
    tl_pch_includes_free(&inc);
}

/* Anything that could change what the includes mean ends the run. */
/* A file longer than the scan reads keeps the includes that end before the
 * code (large files such as redis's module.c share a prefix too); a run of
 * includes that goes on to where the read stopped loses its last one, which
 * the file may continue on the same line. */
static void test_scan_of_a_large_file(void **state) {
    (void)state;
    char tmpl[] = "/tmp/tl-unit-pch-big-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *path = tl_xasprintf("%s/big.c", tmpl);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("#include <stdio.h>\n#include <string.h>\n", fp);
    for (int i = 0; i < 20000; i++) fprintf(fp, "int f%d(void) { return %d; }\n", i, i);
    fclose(fp);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > (1 << 19)); /* more than the scan reads */
    tl_pch_includes inc;
    assert_int_equal(tl_pch_scan_file(path, &inc), 0);
    assert_int_equal(inc.n, 2);
    assert_string_equal(inc.names[1], "string.h");
    tl_pch_includes_free(&inc);
    /* an include whose line goes on past where the read stops (blanks the
       scan cannot see the end of): not taken, the line may go on with code */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("#include <stdio.h>\n#include <string.h>", fp);
    for (int i = 0; i < (1 << 19); i++) fputc(' ', fp);
    fputs("junk\n", fp);
    fclose(fp);
    assert_int_equal(tl_pch_scan_file(path, &inc), 0);
    assert_int_equal(inc.n, 1);
    assert_string_equal(inc.names[0], "stdio.h");
    tl_pch_includes_free(&inc);
    unlink(path);
    rmdir(tmpl);
    free(path);
}

static void test_scan_stops_at_what_changes_meaning(void **state) {
    (void)state;
    tl_pch_includes inc;
    assert_int_equal(scan("#include <a.h>\n#define _GNU_SOURCE\n#include <b.h>\n", &inc), 1);
    tl_pch_includes_free(&inc);
    assert_int_equal(scan("#ifdef X\n#include <a.h>\n#endif\n", &inc), 0);
    assert_int_equal(scan("#include <a.h>\n#include_next <b.h>\n", &inc), 1);
    tl_pch_includes_free(&inc);
    assert_int_equal(scan("#include HEADER\n", &inc), 0);
    assert_int_equal(scan("#include <a.h> junk\n", &inc), 0);
    /* a line continued into the next one */
    assert_int_equal(scan("#include <a.h> // c \\\n#define X 1\n#include <b.h>\n", &inc), 0);
    assert_int_equal(scan("#include <a.h>\n#include <b.h> /* open\n comment */ int y;\n", &inc), 1);
    tl_pch_includes_free(&inc);
    assert_int_equal(scan("#include \"a\\b.h\"\n", &inc), 0); /* backslashes: not shared */
    assert_int_equal(scan("#include <a.h", &inc), 0);
    assert_int_equal(scan("#pragma once\n#include <a.h>\n", &inc), 0);
}

static void test_args_that_include_files_of_their_own_do_not_share(void **state) {
    (void)state;
    const char *plain[] = {"-Iinc", "-DX=1", "-std=gnu11", "-x", "c"};
    assert_true(tl_pch_args_allow(plain, 5));
    const char *inc[] = {"-include", "config.h"};
    assert_false(tl_pch_args_allow(inc, 2));
    const char *inc2[] = {"-includeconfig.h"};
    assert_false(tl_pch_args_allow(inc2, 1));
    const char *mac[] = {"-imacros", "m.h"};
    assert_false(tl_pch_args_allow(mac, 2));
    const char *pch[] = {"-include-pch", "x.pch"};
    assert_false(tl_pch_args_allow(pch, 2));
    const char *cxx[] = {"-x", "c++"};
    assert_false(tl_pch_args_allow(cxx, 2));
}

/* The key changes with any argument and with the prefix text; tl_pch_keys
 * gives the key of every prefix length at once. */
static void test_keys(void **state) {
    (void)state;
    const char *a[] = {"-DA=1"}, *b[] = {"-DA=2"};
    char k1[65], k2[65], k3[65];
    tl_pch_key(a, 1, "#include <a.h>\n", k1);
    tl_pch_key(b, 1, "#include <a.h>\n", k2);
    tl_pch_key(a, 1, "#include <b.h>\n", k3);
    assert_int_equal(strlen(k1), 64);
    assert_string_not_equal(k1, k2);
    assert_string_not_equal(k1, k3);
    tl_pch_includes inc;
    scan("#include <a.h>\n#include <b.h>\n", &inc);
    char keys[2][65];
    tl_pch_keys(a, 1, "/nowhere/main.c", &inc, keys);
    assert_string_equal(keys[0], k1);
    char *text = tl_pch_prefix_text("/nowhere/main.c", &inc, 2);
    assert_string_equal(text, "#include <a.h>\n#include <b.h>\n");
    tl_pch_key(a, 1, text, k2);
    assert_string_equal(keys[1], k2);
    free(text);
    tl_pch_includes_free(&inc);
}

static char *write_file(const char *dir, const char *name, const char *text) {
    char *p = tl_xasprintf("%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return p;
}

static int count_ext(const char *dir, const char *ext) {
    char *cmd = tl_xasprintf("ls %s | grep -c '%s$'", dir, ext);
    FILE *fp = popen(cmd, "r");
    int n = 0;
    if (fp) {
        if (fscanf(fp, "%d", &n) != 1) n = 0;
        pclose(fp);
    }
    free(cmd);
    return n;
}

/* A quoted include next to the main file is named absolutely in the prefix
 * file; a built PCH is reused; an unguarded header ends the prefix before
 * it; a changed header makes the PCH stale, and it is rebuilt. */
static void test_build_reuse_unguarded_and_stale(void **state) {
    (void)state;
    char tmpl[] = "/tmp/tl-unit-pch-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *src = tl_xasprintf("%s/src", tmpl), *cache = tl_xasprintf("%s/cache", tmpl);
    assert_int_equal(mkdir(src, 0700), 0);
    assert_int_equal(mkdir(cache, 0700), 0);
    char *h = write_file(src, "proj.h", "#ifndef PROJ_H\n#define PROJ_H\nint proj(int);\n#endif\n");
    char *u = write_file(src, "unguarded.h", "int unguarded(void);\n");
    char *m1 = write_file(src, "a.c", "#include \"proj.h\"\n#include \"unguarded.h\"\nint a(void) { return proj(1); }\n");
    tl_pch_includes inc;
    assert_int_equal(tl_pch_scan_file(m1, &inc), 0);
    char *text = tl_pch_prefix_text(m1, &inc, 1);
    char *want = tl_xasprintf("#include \"%s/proj.h\"\n", src);
    assert_string_equal(text, want);
    free(text);
    free(want);
    tl_pch_includes_free(&inc);

    const char *args[] = {"-std=gnu11", "-w"};
    tl_pch_stats st = {0};
    tl_pch_cache *c = tl_pch_cache_new(cache, &st);
    tl_pch_cache_set_min_bytes(c, 0);
    const tl_pch *p = tl_pch_get(c, m1, NULL, args, 2, 2);
    /* unguarded.h cannot be in a prefix: the PCH is of proj.h alone */
    assert_non_null(p);
    assert_int_equal(st.built, 1);
    assert_int_equal(st.build_failed, 1);
    assert_int_equal(p->ndeps, 1);
    assert_string_equal(p->deps[0], h);
    assert_int_equal(count_ext(cache, ".fail"), 1);
    tl_pch_cache_free(c);

    /* another process (a new cache object) reuses it; not when it is too
       small to pay (the default bound: a few declarations are) */
    c = tl_pch_cache_new(cache, &st);
    tl_pch_cache_set_min_bytes(c, 0);
    p = tl_pch_get(c, m1, NULL, args, 2, 2);
    assert_non_null(p);
    assert_int_equal(st.built, 1);
    tl_pch_cache_free(c);
    c = tl_pch_cache_new(cache, &st);
    assert_null(tl_pch_get(c, m1, NULL, args, 2, 2));
    assert_int_equal(st.light, 1);
    assert_int_equal(st.built, 1);
    tl_pch_cache_free(c);

    /* the lock taken by someone else: plainly */
    char *key_h = NULL;
    {
        char k[65];
        tl_pch_includes i2;
        tl_pch_scan_file(m1, &i2);
        char *t = tl_pch_prefix_text(m1, &i2, 1);
        tl_pch_key(args, 2, t, k);
        free(t);
        tl_pch_includes_free(&i2);
        key_h = tl_xstrdup(k);
    }
    char *pchfile = tl_xasprintf("%s/%s.pch", cache, key_h);
    char *lock = tl_xasprintf("%s/%s.lock", cache, key_h);
    unlink(pchfile); /* missing: it would have to be built */
    char *meta = tl_xasprintf("%s/%s.meta", cache, key_h);
    unlink(meta);
    FILE *lf = fopen(lock, "w");
    fclose(lf);
    c = tl_pch_cache_new(cache, &st);
    tl_pch_cache_set_min_bytes(c, 0);
    assert_null(tl_pch_get(c, m1, NULL, args, 2, 1));
    assert_int_equal(st.busy, 1);
    tl_pch_cache_free(c);
    unlink(lock);

    /* built again, then the header changes: stale, rebuilt */
    c = tl_pch_cache_new(cache, &st);
    tl_pch_cache_set_min_bytes(c, 0);
    assert_non_null(tl_pch_get(c, m1, NULL, args, 2, 1));
    assert_int_equal(st.built, 2);
    tl_pch_cache_free(c);
    free(write_file(src, "proj.h", "#ifndef PROJ_H\n#define PROJ_H\nint proj(long);\n#endif\n"));
    c = tl_pch_cache_new(cache, &st);
    tl_pch_cache_set_min_bytes(c, 0);
    assert_non_null(tl_pch_get(c, m1, NULL, args, 2, 1));
    assert_int_equal(st.stale, 1);
    assert_int_equal(st.built, 3);
    tl_pch_cache_free(c);
    /* the same content with another time: clang would refuse the PCH */
    struct timespec later[2] = {{.tv_sec = time(NULL) + 100}, {.tv_sec = time(NULL) + 100}};
    assert_int_equal(utimensat(AT_FDCWD, h, later, 0), 0);
    c = tl_pch_cache_new(cache, &st);
    tl_pch_cache_set_min_bytes(c, 0);
    assert_non_null(tl_pch_get(c, m1, NULL, args, 2, 1));
    assert_int_equal(st.stale, 2);
    assert_int_equal(st.built, 4);
    tl_pch_cache_free(c);

    /* pruning: only names the cache makes; to the bound */
    char *other = write_file(cache, "keep-me.txt", "not ours\n");
    assert_int_equal(tl_pch_cache_prune(cache, 0), 0);
    assert_int_equal(count_ext(cache, ".pch"), 0);
    assert_int_equal(access(other, F_OK), 0);
    unlink(other);
    tl_pch_cache_remove(cache);
    assert_int_not_equal(access(cache, F_OK), 0);

    unlink(h);
    unlink(u);
    unlink(m1);
    rmdir(src);
    rmdir(tmpl);
    free(other);
    free(pchfile);
    free(lock);
    free(meta);
    free(key_h);
    free(h);
    free(u);
    free(m1);
    free(src);
    free(cache);
}

/* Each file the PCH read carries where it is a system header, as the
 * prefix's own parse saw it (the lowering asks it per file instead of
 * making libclang load every source entry of the PCH): a project header
 * nowhere, an -isystem header everywhere, one with `#pragma GCC
 * system_header` after its first line from there on; the same when the
 * PCH is reused by another process, from its meta file. */
static void test_deps_carry_their_system_header_state(void **state) {
    (void)state;
    char tmpl[] = "/tmp/tl-unit-pch-sys-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *src = tl_xasprintf("%s/src", tmpl), *sys = tl_xasprintf("%s/sys", tmpl);
    char *cache = tl_xasprintf("%s/cache", tmpl);
    assert_int_equal(mkdir(src, 0700), 0);
    assert_int_equal(mkdir(sys, 0700), 0);
    assert_int_equal(mkdir(cache, 0700), 0);
    char *h = write_file(src, "proj.h", "#ifndef PROJ_H\n#define PROJ_H\n#include \"late.h\"\nint proj(int);\n#endif\n");
    char *late = write_file(src, "late.h", "#ifndef LATE_H\n#define LATE_H\nint before(void);\n"
                                           "#pragma GCC system_header\nint after(void);\n#endif\n");
    char *sh = write_file(sys, "lib.h", "#ifndef LIB_H\n#define LIB_H\nint lib(void);\n#endif\n");
    char *m = write_file(src, "a.c", "#include \"proj.h\"\n#include <lib.h>\nint a(void) { return proj(lib()); }\n");
    char *isys = tl_xasprintf("-isystem%s", sys);
    const char *args[] = {"-std=gnu11", "-w", isys};
    for (int round = 0; round < 2; round++) { /* built, then reused */
        tl_pch_stats st = {0};
        tl_pch_cache *c = tl_pch_cache_new(cache, &st);
        tl_pch_cache_set_min_bytes(c, 0);
        const tl_pch *p = tl_pch_get(c, m, NULL, args, 3, 2);
        assert_non_null(p);
        assert_int_equal(st.built, round == 0 ? 1 : 0);
        assert_int_equal(p->ndeps, 3);
        assert_non_null(p->deps_sys);
        int seen = 0;
        for (int i = 0; i < p->ndeps; i++) {
            if (!strcmp(p->deps[i], h)) {
                assert_int_equal(p->deps_sys[i], TL_FILE_SYS_NONE);
                seen |= 1;
            } else if (!strcmp(p->deps[i], late)) {
                assert_int_equal(p->deps_sys[i], TL_FILE_SYS_MIXED);
                seen |= 2;
            } else if (!strcmp(p->deps[i], sh)) {
                assert_int_equal(p->deps_sys[i], TL_FILE_SYS_ALL);
                seen |= 4;
            }
        }
        assert_int_equal(seen, 7);
        tl_pch_cache_free(c);
    }
    char *rm = tl_xasprintf("rm -rf %s", tmpl);
    assert_int_equal(system(rm), 0);
    free(rm);
    free(isys);
    free(m);
    free(sh);
    free(late);
    free(h);
    free(cache);
    free(sys);
    free(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_takes_the_leading_includes),
        cmocka_unit_test(test_scan_stops_at_what_changes_meaning),
        cmocka_unit_test(test_scan_of_a_large_file),
        cmocka_unit_test(test_args_that_include_files_of_their_own_do_not_share),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_build_reuse_unguarded_and_stale),
        cmocka_unit_test(test_deps_carry_their_system_header_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
