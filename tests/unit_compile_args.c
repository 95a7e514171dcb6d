/* unit_compile_args.c - the allow-list of compile database arguments (a
 * table of arguments kept, dropped silently and dropped with a note, in
 * joined and separate forms), response files, command splitting, and the
 * escaping of untrusted strings for the terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/compile_args.h"
#include "cli/untrusted.h"

#define MAXW 12

typedef struct {
    const char *in[MAXW];      /* the arguments (NULL-terminated) */
    const char *kept[MAXW];    /* what libclang gets */
    const char *dropped[MAXW]; /* what the -v note lists */
} row;

static const row table[] = {
    /* include paths, joined and separate, long spellings */
    {{"-Iinc"}, {"-I", "inc"}, {0}},
    {{"-I", "inc"}, {"-I", "inc"}, {0}},
    {{"--include-directory=inc"}, {"-I", "inc"}, {0}},
    {{"--include-directory", "inc"}, {"-I", "inc"}, {0}},
    {{"-isystem/opt/x"}, {"-isystem", "/opt/x"}, {0}},
    {{"-isystem", "/opt/x"}, {"-isystem", "/opt/x"}, {0}},
    {{"-isystem-afterx"}, {"-isystem-after", "x"}, {0}}, /* the longest spelling wins */
    {{"-iquoteq"}, {"-iquote", "q"}, {0}},
    {{"-idirafter", "a"}, {"-idirafter", "a"}, {0}},
    {{"--include-directory-after=a"}, {"-idirafter", "a"}, {0}},
    {{"-iprefix", "p/"}, {"-iprefix", "p/"}, {0}},
    {{"-iwithprefixw"}, {"-iwithprefix", "w"}, {0}},
    {{"-iwithprefixbeforew"}, {"-iwithprefixbefore", "w"}, {0}},
    {{"-isysroot", "/s"}, {"-isysroot", "/s"}, {0}},
    {{"--sysroot=/s"}, {"--sysroot", "/s"}, {0}},
    {{"--sysroot", "/s"}, {"--sysroot", "/s"}, {0}},
    {{"-nostdinc", "--no-standard-includes", "-nostdlibinc"},
     {"-nostdinc", "-nostdinc", "-nostdlibinc"}, {0}},
    /* macros */
    {{"-DFOO=1"}, {"-D", "FOO=1"}, {0}},
    {{"-D", "FOO=a b"}, {"-D", "FOO=a b"}, {0}},
    {{"--define-macro=FOO"}, {"-D", "FOO"}, {0}},
    {{"--define-macro", "FOO"}, {"-D", "FOO"}, {0}},
    {{"-UFOO", "-U", "BAR"}, {"-U", "FOO", "-U", "BAR"}, {0}},
    /* files included first */
    {{"-include", "cfg.h"}, {"-include", "cfg.h"}, {0}},
    {{"-includecfg.h"}, {"-include", "cfg.h"}, {0}},
    {{"--include=cfg.h"}, {"-include", "cfg.h"}, {0}},
    {{"--include", "cfg.h"}, {"-include", "cfg.h"}, {0}},
    {{"-imacros", "m.h"}, {"-imacros", "m.h"}, {0}},
    {{"--imacros=m.h"}, {"-imacros", "m.h"}, {0}},
    /* language and standard */
    {{"-std=gnu11"}, {"-std=gnu11"}, {0}},
    {{"--std=c99"}, {"-std=c99"}, {0}},
    {{"--std", "c99"}, {"-std=c99"}, {0}},
    {{"-x", "c"}, {"-x", "c"}, {0}},
    {{"-xc"}, {"-x", "c"}, {0}},
    {{"--language=c"}, {"-x", "c"}, {0}},
    {{"-ansi", "--ansi", "-pthread", "-w"}, {"-ansi", "-ansi", "-pthread", "-w"}, {0}},
    /* target */
    {{"-target", "aarch64-linux-gnu"}, {"--target=aarch64-linux-gnu"}, {0}},
    {{"--target=x86_64-pc-linux-gnu"}, {"--target=x86_64-pc-linux-gnu"}, {0}},
    {{"-m32", "-march=x86-64-v3", "-mavx2", "-mno-sse4.2"},
     {"-m32", "-march=x86-64-v3", "-mavx2", "-mno-sse4.2"}, {0}},
    /* -f options that change the language or predefined macros */
    {{"-fno-builtin", "-fno-builtin-memcpy", "-fms-extensions", "-fblocks"},
     {"-fno-builtin", "-fno-builtin-memcpy", "-fms-extensions", "-fblocks"}, {0}},
    {{"-fsigned-char", "-funsigned-char", "-fshort-enums", "-fopenmp", "-fgnu-keywords"},
     {"-fsigned-char", "-funsigned-char", "-fshort-enums", "-fopenmp", "-fgnu-keywords"}, {0}},
    {{"-fdeclspec", "-fcommon", "-fno-common", "-fgnu89-inline", "-fPIC", "-ffreestanding"},
     {"-fdeclspec", "-fcommon", "-fno-common", "-fgnu89-inline", "-fPIC", "-ffreestanding"},
     {0}},
    {{"-fpack-struct=4"}, {"-fpack-struct=4"}, {0}},
    {{"-O2", "-Os", "-g", "-ggdb3"}, {"-O2", "-Os", "-g", "-ggdb3"}, {0}},
    /* ordinary compile options: dropped without a note */
    {{"-c", "-o", "x.o", "-ox.o", "-MD", "-MF", "x.d", "-MFx.d", "-MT", "x"}, {0}, {0}},
    {{"-Wall", "-Werror", "-Werror=format", "-Wl,-rpath,/x", "-Wp,-MD,dep", "-pedantic-errors"},
     {0},
     {0}},
    {{"src/a.c"}, {0}, {0}}, /* the entry's source file */
    /* everything else is dropped and noted; a known option takes its value along */
    {{"-Xclang", "-header-include-file", "-Xclang", "OUT", "-H"},
     {0},
     {"-Xclang -header-include-file", "-Xclang OUT", "-H"}},
    {{"-Xclang", "-module-dependency-dir", "-Xclang", "DIR"},
     {0},
     {"-Xclang -module-dependency-dir", "-Xclang DIR"}},
    {{"-save-temps", "-save-temps=obj", "-ftime-trace", "-ftime-trace=t.json"},
     {0},
     {"-save-temps", "-save-temps=obj", "-ftime-trace", "-ftime-trace=t.json"}},
    {{"--serialize-diagnostics", "d.dia", "-fmodules", "-fmodules-cache-path=/tmp/m"},
     {0},
     {"--serialize-diagnostics d.dia", "-fmodules", "-fmodules-cache-path=/tmp/m"}},
    {{"-fcrash-diagnostics-dir=/tmp/c", "-mllvm", "-stats", "-fplugin=/x.so"},
     {0},
     {"-fcrash-diagnostics-dir=/tmp/c", "-mllvm -stats", "-fplugin=/x.so"}},
    {{"-fpass-plugin=/x.so", "-B/tmp/bin", "-B", "/tmp/bin", "--driver-mode=g++"},
     {0},
     {"-fpass-plugin=/x.so", "-B/tmp/bin", "-B /tmp/bin", "--driver-mode=g++"}},
    {{"-ccc-print-phases", "-fprofile-instr-generate=/x", "-fsanitize=address",
      "-fsanitize-ignorelist=x"},
     {0},
     {"-ccc-print-phases", "-fprofile-instr-generate=/x", "-fsanitize=address",
      "-fsanitize-ignorelist=x"}},
    {{"-MJ", "x.json", "-ivfsoverlay", "o.yaml", "-include-pch", "x.pch"},
     {0},
     {"-MJ x.json", "-ivfsoverlay o.yaml", "-include-pch x.pch"}},
    {{"-Xclang", "-load", "-Xclang", "p.so", "-fvisibility=hidden"},
     {0},
     {"-Xclang -load", "-Xclang p.so", "-fvisibility=hidden"}},
    /* a joined value that is another option, a bad value, a missing value */
    {{"-I-", "-D-x"}, {0}, {"-I-", "-D-x"}},
    {{"-std=c11;x", "-target", "a b"}, {0}, {"-std=c11;x", "-target a b"}},
    {{"-fno-builtin-a.b", "-march=-x"}, {0}, {"-fno-builtin-a.b", "-march=-x"}},
    {{"-DOK", "-I"}, {"-D", "OK"}, {"-I"}},
    /* other inputs, standard input, everything after "--" */
    {{"other.c", "-", "--", "-DX"}, {0}, {"other.c", "-", "-DX"}},
};

static int count(const char *const *v) {
    int n = 0;
    while (n < MAXW && v[n]) n++;
    return n;
}

static void expect_words(const tl_strvec *got, const char *const *want, const char *what,
                         size_t row_index) {
    int n = count(want);
    if (got->n != n) {
        fprintf(stderr, "row %zu: %s: %d words, expected %d:", row_index, what, got->n, n);
        for (int i = 0; i < got->n; i++) fprintf(stderr, " [%s]", got->v[i]);
        fputc('\n', stderr);
        fail();
    }
    for (int i = 0; i < n; i++)
        if (strcmp(got->v[i], want[i]) != 0)
            fail_msg("row %zu: %s word %d: '%s', expected '%s'", row_index, what, i, got->v[i],
                     want[i]);
}

static void test_allow_list_table(void **state) {
    (void)state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    /* the entry's source file: it need not exist to be recognised by name */
    char *abs_source = NULL;
    assert_true(asprintf(&abs_source, "%s/src/a.c", cwd) > 0);
    for (size_t r = 0; r < sizeof table / sizeof *table; r++) {
        tl_strvec kept = {0}, dropped = {0};
        char *error = NULL;
        int rc = tl_compile_args_allow(table[r].in, count(table[r].in), cwd, abs_source, &kept,
                                       &dropped, &error);
        if (rc != 0) fail_msg("row %zu: error %s", r, error);
        expect_words(&kept, table[r].kept, "kept", r);
        expect_words(&dropped, table[r].dropped, "dropped", r);
        tl_strvec_free(&kept);
        tl_strvec_free(&dropped);
    }
    free(abs_source);
}

static void test_include_of_a_device_is_an_error(void **state) {
    (void)state;
    const char *forms[][2] = {{"-include", "/dev/zero"}, {"--include=/dev/zero", NULL},
                              {"-imacros", "/dev/null"}};
    for (size_t i = 0; i < 3; i++) {
        tl_strvec kept = {0};
        char *error = NULL;
        int n = forms[i][1] ? 2 : 1;
        assert_int_equal(tl_compile_args_allow(forms[i], n, NULL, NULL, &kept, NULL, &error), -1);
        assert_non_null(strstr(error, "not a regular file (a character device)"));
        free(error);
        tl_strvec_free(&kept);
    }
}

/* ---- whole commands and response files ---- */

static char dir[] = "/tmp/tl_unit_args_XXXXXX";

static void write_file(const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_dir(void **state) {
    (void)state;
    if (!mkdtemp(dir)) return -1;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    write_file("a.rsp", "-Iinc \"-DNAME=a b\" @sub/n.rsp\n-Xclang -header-include-file\n");
    write_file("sub/n.rsp", "\xEF\xBB\xBF-DN @m.rsp"); /* nested: relative to sub/ */
    write_file("sub/m.rsp", "-DM");
    write_file("loop.rsp", "-DL @loop.rsp");
    write_file("quote.rsp", "-D\"X");
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/fifo.rsp", dir);
    if (mkfifo(fifo, 0600) != 0) return -1;
    char big[512];
    snprintf(big, sizeof big, "%s/big.rsp", dir);
    FILE *f = fopen(big, "w");
    if (!f) return -1;
    for (size_t i = 0; i < TL_RESPONSE_FILE_MAX / 8 + 1; i++) fputs("-DXXXXX ", f);
    fclose(f);
    return 0;
}

static int teardown_dir(void **state) {
    (void)state;
    const char *names[] = {"a.rsp", "sub/n.rsp", "sub/m.rsp", "loop.rsp", "quote.rsp",
                           "fifo.rsp", "big.rsp", "sub"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
    return 0;
}

static void test_command_with_response_files(void **state) {
    (void)state;
    const char *argv[] = {"ccache", "gcc", "-c", "@a.rsp", "-O2", "x.c"};
    tl_strvec kept = {0}, dropped = {0};
    char *error = NULL;
    char source[600];
    snprintf(source, sizeof source, "%s/x.c", dir);
    int rc = tl_compile_args_from_command(argv, 6, dir, source, &kept, &dropped, &error);
    if (rc) fail_msg("%s", error);
    const char *want[] = {"-I", "inc", "-D", "NAME=a b", "-D", "N", "-D", "M", "-O2", "-w", NULL};
    assert_int_equal(kept.n, 10);
    for (int i = 0; i < 10; i++) assert_string_equal(kept.v[i], want[i]);
    assert_int_equal(dropped.n, 1);
    assert_string_equal(dropped.v[0], "-Xclang -header-include-file");
    tl_strvec_free(&kept);
    tl_strvec_free(&dropped);
}

static void expect_command_error(const char *arg, const char *want) {
    const char *argv[] = {"cc", arg};
    tl_strvec kept = {0};
    char *error = NULL;
    assert_int_equal(tl_compile_args_from_command(argv, 2, dir, NULL, &kept, NULL, &error), -1);
    if (!strstr(error, want)) fail_msg("error '%s' lacks '%s'", error, want);
    free(error);
    tl_strvec_free(&kept);
}

static void test_bad_response_files(void **state) {
    (void)state;
    expect_command_error("@loop.rsp", "nested more than 8 deep");
    expect_command_error("@fifo.rsp", "not a regular file (a FIFO)");
    expect_command_error("@/dev/zero", "not a regular file (a character device)");
    expect_command_error("@missing.rsp", "No such file");
    expect_command_error("@big.rsp", "larger than");
    expect_command_error("@quote.rsp", "is not closed");
}

/* ---- splitting ---- */

static void expect_split(const char *text, tl_split_mode mode, const char *const *want) {
    tl_strvec got = {0};
    char *error = NULL;
    if (tl_split_command_line(text, strlen(text), mode, &got, &error) != 0)
        fail_msg("%s: %s", text, error);
    int n = 0;
    while (want[n]) n++;
    if (got.n != n) fail_msg("%s: %d words, expected %d", text, got.n, n);
    for (int i = 0; i < n; i++) assert_string_equal(got.v[i], want[i]);
    tl_strvec_free(&got);
}

static void test_assembly(void **state) {
    (void)state;
    tl_strvec none = {0}, as_c = {0}, as_asm = {0};
    tl_strvec_push(&as_c, "-x");
    tl_strvec_push(&as_c, "c");
    tl_strvec_push(&as_asm, "-x");
    tl_strvec_push(&as_asm, "c");
    tl_strvec_push(&as_asm, "-x");
    tl_strvec_push(&as_asm, "assembler");
    assert_true(tl_compile_args_is_assembly(&none, "/p/start.S"));
    assert_true(tl_compile_args_is_assembly(&none, "/p/raw.s"));
    assert_true(tl_compile_args_is_assembly(NULL, "x.sx"));
    assert_false(tl_compile_args_is_assembly(&none, "/p/a.c"));
    assert_false(tl_compile_args_is_assembly(&none, "/p.s/makefile"));
    assert_false(tl_compile_args_is_assembly(&none, "/p/a.cs"));
    assert_false(tl_compile_args_is_assembly(&as_c, "/p/start.S")); /* -x c wins */
    assert_true(tl_compile_args_is_assembly(&as_asm, "/p/a.c"));     /* the last -x */
    tl_strvec_free(&as_c);
    tl_strvec_free(&as_asm);
}

static void test_split_command(void **state) {
    (void)state;
    const char *w1[] = {"gcc", "-DX=a b", "-Ic d", "e f", "g\"h", "", "x\\y", "z", NULL};
    expect_split("gcc -DX=\"a b\" -I'c d' e\\ f \"g\\\"h\" '' 'x\\y'\tz\n", TL_SPLIT_COMMAND, w1);
    const char *w2[] = {"-DS=\"v\"", NULL};
    expect_split("-DS=\\\"v\\\"", TL_SPLIT_COMMAND, w2);
    /* response files: a backslash escapes in '...' too; an empty quoted word is dropped */
    const char *w3[] = {"x'y", "a", NULL};
    expect_split("'x\\'y' \"\" a", TL_SPLIT_RESPONSE, w3);
    const char *errors[] = {"a \"b", "a 'b", "a\\"};
    for (size_t i = 0; i < 3; i++) {
        tl_strvec got = {0};
        char *error = NULL;
        assert_int_equal(tl_split_command_line(errors[i], strlen(errors[i]), TL_SPLIT_COMMAND,
                                               &got, &error),
                         -1);
        assert_non_null(error);
        free(error);
        tl_strvec_free(&got);
    }
}

static void test_escape_for_terminal(void **state) {
    (void)state;
    char *e = tl_escape_for_terminal("a\x1b[31mb\\c\xc3\xa9\xff\xc2\x9b\x7f\n");
    assert_string_equal(e, "a\\x1b[31mb\\\\c\xc3\xa9\\xff\\xc2\\x9b\\x7f\\x0a");
    free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allow_list_table),
        cmocka_unit_test(test_include_of_a_device_is_an_error),
        cmocka_unit_test(test_command_with_response_files),
        cmocka_unit_test(test_bad_response_files),
        cmocka_unit_test(test_split_command),
        cmocka_unit_test(test_assembly),
        cmocka_unit_test(test_escape_for_terminal),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
