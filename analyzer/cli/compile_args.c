/* compile_args.c - the allow-list of compiler arguments taken from a compile
 * database, and the response files it may name (see compile_args.h).
 *
 * Each argument is looked up in `allowed` (options that shape parsing),
 * then in `ignored` (ordinary in a compile command, meaningless for
 * parsing: dropped without a note), then in `dropped_with_value` (options
 * whose next word is their value, so the value goes with them); anything
 * else is dropped.  Kept options are written in one canonical spelling with
 * a separate value ("-Iinc" and "--include-directory=inc" become "-I"
 * "inc"), so clang cannot read a kept word as another option than the one
 * that was checked here.
 */
#include "cli/compile_args.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/untrusted.h"
#include "util/xalloc.h"

/* ---- the allow-list ---- */

/* how an option's value may be written */
enum {
    FORM_JOINED = 1,   /* -Idir, --include-directory=dir (the '=' is in the spelling) */
    FORM_SEPARATE = 2  /* -I dir */
};

typedef enum {
    VALUE_NONE,    /* a flag */
    VALUE_ANY,     /* a path or a macro definition: any non-empty word */
    VALUE_FILE,    /* a file clang reads (-include): must not be a FIFO or device */
    VALUE_WORD,    /* [A-Za-z0-9._+-], not starting with '-': standards, targets, CPUs */
    VALUE_NAME     /* [A-Za-z0-9_]: a function name (-fno-builtin-NAME) */
} value_kind;

typedef struct {
    const char *spelling;
    unsigned forms;        /* FORM_* (0 for a flag) */
    value_kind value;
    const char *canonical; /* NULL: the spelling itself */
    bool joined_output;    /* write "canonical+value" as one word (-std=c11) */
} allowed_option;

static const allowed_option allowed[] = {
    /* include paths */
    {"-I", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--include-directory", FORM_SEPARATE, VALUE_ANY, "-I", false},
    {"--include-directory=", FORM_JOINED, VALUE_ANY, "-I", false},
    {"-isystem", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"-isystem-after", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"-iquote", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"-idirafter", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--include-directory-after", FORM_SEPARATE, VALUE_ANY, "-idirafter", false},
    {"--include-directory-after=", FORM_JOINED, VALUE_ANY, "-idirafter", false},
    {"-iprefix", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--include-prefix", FORM_SEPARATE, VALUE_ANY, "-iprefix", false},
    {"--include-prefix=", FORM_JOINED, VALUE_ANY, "-iprefix", false},
    {"-iwithprefix", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--include-with-prefix", FORM_SEPARATE, VALUE_ANY, "-iwithprefix", false},
    {"--include-with-prefix=", FORM_JOINED, VALUE_ANY, "-iwithprefix", false},
    {"--include-with-prefix-after", FORM_SEPARATE, VALUE_ANY, "-iwithprefix", false},
    {"--include-with-prefix-after=", FORM_JOINED, VALUE_ANY, "-iwithprefix", false},
    {"-iwithprefixbefore", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--include-with-prefix-before", FORM_SEPARATE, VALUE_ANY, "-iwithprefixbefore", false},
    {"--include-with-prefix-before=", FORM_JOINED, VALUE_ANY, "-iwithprefixbefore", false},
    {"-iwithsysroot", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"-isysroot", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--sysroot", FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--sysroot=", FORM_JOINED, VALUE_ANY, "--sysroot", false},
    {"-iframework", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"-F", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"-nostdinc", 0, VALUE_NONE, NULL, false},
    {"--no-standard-includes", 0, VALUE_NONE, "-nostdinc", false},
    {"-nostdlibinc", 0, VALUE_NONE, NULL, false},
    {"-nobuiltininc", 0, VALUE_NONE, NULL, false},
    {"-nostdinc++", 0, VALUE_NONE, NULL, false},
    /* macros and files included before the source */
    {"-D", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--define-macro", FORM_SEPARATE, VALUE_ANY, "-D", false},
    {"--define-macro=", FORM_JOINED, VALUE_ANY, "-D", false},
    {"-U", FORM_JOINED | FORM_SEPARATE, VALUE_ANY, NULL, false},
    {"--undefine-macro", FORM_SEPARATE, VALUE_ANY, "-U", false},
    {"--undefine-macro=", FORM_JOINED, VALUE_ANY, "-U", false},
    {"-undef", 0, VALUE_NONE, NULL, false},
    {"-include", FORM_JOINED | FORM_SEPARATE, VALUE_FILE, NULL, false},
    {"--include", FORM_SEPARATE, VALUE_FILE, "-include", false},
    {"--include=", FORM_JOINED, VALUE_FILE, "-include", false},
    {"-imacros", FORM_JOINED | FORM_SEPARATE, VALUE_FILE, NULL, false},
    {"--imacros", FORM_SEPARATE, VALUE_FILE, "-imacros", false},
    {"--imacros=", FORM_JOINED, VALUE_FILE, "-imacros", false},
    /* language and standard */
    {"-std=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"--std=", FORM_JOINED, VALUE_WORD, "-std=", true},
    {"--std", FORM_SEPARATE, VALUE_WORD, "-std=", true},
    {"-x", FORM_JOINED | FORM_SEPARATE, VALUE_WORD, NULL, false},
    {"--language", FORM_SEPARATE, VALUE_WORD, "-x", false},
    {"--language=", FORM_JOINED, VALUE_WORD, "-x", false},
    {"-ansi", 0, VALUE_NONE, NULL, false},
    {"--ansi", 0, VALUE_NONE, "-ansi", false},
    {"-trigraphs", 0, VALUE_NONE, NULL, false},
    {"--trigraphs", 0, VALUE_NONE, "-trigraphs", false},
    {"-pthread", 0, VALUE_NONE, NULL, false}, /* defines _REENTRANT */
    {"-w", 0, VALUE_NONE, NULL, false},
    /* target: predefined macros, type sizes, target features of intrinsics */
    {"-target", FORM_SEPARATE, VALUE_WORD, "--target=", true},
    {"--target=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-march=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-mcpu=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-mtune=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-mabi=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-mfpu=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-mfloat-abi=", FORM_JOINED, VALUE_WORD, NULL, true},
    /* -f options that change the language or predefined macros */
    {"-fno-builtin-", FORM_JOINED, VALUE_NAME, NULL, true},
    {"-fpack-struct=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-fgnuc-version=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-fms-compatibility-version=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-fmsc-version=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-fopenmp=", FORM_JOINED, VALUE_WORD, NULL, true},
    {"-fcf-protection=", FORM_JOINED, VALUE_WORD, NULL, true},
};

/* Flags kept as they are: "-f" + name and "-fno-" + name. */
static const char *const f_flags[] = {
    "builtin", "ms-extensions", "ms-compatibility", "blocks", "signed-char", "unsigned-char",
    "short-enums", "short-wchar", "openmp", "openmp-simd", "gnu-keywords", "declspec", "common",
    "gnu89-inline", "asm", "asm-blocks", "dollars-in-identifiers", "digraphs", "trigraphs",
    "fixed-point", "zvector", "borland-extensions", "ms-volatile", "pic", "PIC", "pie", "PIE",
    "fast-math", "finite-math-only", "math-errno", "stack-protector", "inline", "exceptions",
    "pack-struct",
};

/* Flags kept as they are, with no "-fno-" form. */
static const char *const plain_flags[] = {
    "-ffreestanding", "-fhosted", "-fsigned-bitfields", "-funsigned-bitfields",
    "-fstack-protector-strong", "-fstack-protector-all", "-fcf-protection",
    "-m16", "-m32", "-m64", "-mx32", "-mthumb", "-marm", "-mbig-endian", "-mlittle-endian",
    "-msoft-float", "-mhard-float",
    "-O", "-O0", "-O1", "-O2", "-O3", "-O4", "-Os", "-Oz", "-Og", "-Ofast", /* __OPTIMIZE__ */
    "-g", "-g0", "-g1", "-g2", "-g3", "-ggdb", "-ggdb0", "-ggdb1", "-ggdb2", "-ggdb3",
};

/* x86 instruction set features ("-m" + name and "-mno-" + name): they
 * define __AVX2__ and friends and decide which intrinsics may be called. */
static const char *const m_features[] = {
    "mmx", "sse", "sse2", "sse3", "ssse3", "sse4", "sse4.1", "sse4.2", "sse4a", "avx", "avx2",
    "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "fma", "fma4", "f16c", "bmi",
    "bmi2", "lzcnt", "popcnt", "aes", "pclmul", "sha", "rdrnd", "rdseed", "adx", "movbe",
    "crc32", "xsave", "cx16", "vaes", "vpclmulqdq", "gfni",
};

/* ---- dropped without a note: ordinary, meaningless for parsing ---- */

static const char *const ignored_flags[] = {
    "-c", "-S", "-E", "-pipe", "-pedantic", "--pedantic", "-pedantic-errors",
    "--pedantic-errors", "-MD", "-MMD", "-M", "-MM", "-MP", "-MG", "-MV",
    "-fcolor-diagnostics", "-fno-color-diagnostics",
};
/* prefixes: every warning option (-Wall, -Werror=x, also -Wl,... -Wp,...) */
static const char *const ignored_prefixes[] = {"-W", "-fdiagnostics-", "-fno-diagnostics-"};
/* options with a value (joined or separate): output and dependency files */
static const char *const ignored_with_value[] = {"-o", "-MF", "-MT", "-MQ"};

/* ---- dropped with a note, together with their separate value ---- */

static const char *const dropped_with_value[] = {
    "-Xclang", "-mllvm", "-Xpreprocessor", "-Xassembler", "-Xlinker", "-Xanalyzer",
    "-Xopenmp-target", "-Xcuda-fatbinary", "-Xcuda-ptxas", "-arch", "-MJ", "-dependency-file",
    "-dependency-dot", "-serialize-diagnostics", "--serialize-diagnostics", "-ivfsoverlay",
    "-load", "-B", "-L", "-T", "-z", "-u", "-e", "-include-pch", "-imultilib", "--param",
    "-resource-dir", "-working-directory", "--config", "-ccc-gcc-name", "-gcc-toolchain",
    "-module-dependency-dir", "-header-include-file", "-main-file-name", "-aux-target",
    "-x86-asm-syntax",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static bool in_list(const char *a, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a, list[i])) return true;
    return false;
}

static bool has_prefix(const char *a, const char *prefix) {
    return !strncmp(a, prefix, strlen(prefix));
}

static bool is_kept_flag(const char *a) {
    if (in_list(a, plain_flags, COUNT(plain_flags))) return true;
    const char *name = NULL;
    if (has_prefix(a, "-fno-")) name = a + 5;
    else if (has_prefix(a, "-f")) name = a + 2;
    if (name && in_list(name, f_flags, COUNT(f_flags))) return true;
    name = NULL;
    if (has_prefix(a, "-mno-")) name = a + 5;
    else if (has_prefix(a, "-m")) name = a + 2;
    return name && in_list(name, m_features, COUNT(m_features));
}

static bool value_ok(const char *v, value_kind kind) {
    if (!*v) return false;
    if (kind == VALUE_ANY || kind == VALUE_FILE) return true;
    if (v[0] == '-') return false;
    for (const char *p = v; *p; p++) {
        char c = *p;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || c == '_') continue;
        if (kind == VALUE_WORD && (c == '.' || c == '+' || c == '-')) continue;
        return false;
    }
    return true;
}

/* The option `a` spells exactly, or the longest joined spelling it starts
 * with (so "-isystem-afterX" is not read as "-isystem" "-afterX"). */
static const allowed_option *find_allowed(const char *a, bool *joined) {
    const allowed_option *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < COUNT(allowed); i++) {
        const allowed_option *o = &allowed[i];
        size_t n = strlen(o->spelling);
        if (!strcmp(a, o->spelling) && (o->forms & FORM_SEPARATE || o->forms == 0)) {
            *joined = false;
            return o;
        }
        if ((o->forms & FORM_JOINED) && !strncmp(a, o->spelling, n) && a[n] && n > best_len) {
            best = o;
            best_len = n;
        }
    }
    *joined = true;
    return best;
}

static char *path_in(const char *directory, const char *path) {
    if (path[0] == '/' || !directory || !*directory) return tl_xstrdup(path);
    return tl_xasprintf("%s/%s", directory, path);
}

/* A positional word that names the entry's source file. */
static bool is_source(const char *a, const char *directory, const char *abs_source) {
    if (!abs_source) return false;
    if (!strcmp(a, abs_source)) return true;
    char *p = path_in(directory, a);
    char real[PATH_MAX];
    bool same = realpath(p, real) ? !strcmp(real, abs_source) : !strcmp(p, abs_source);
    free(p);
    return same;
}

/* -include FILE: a file that exists must be a regular file (clang would
 * read a FIFO or /dev/zero forever).  One that does not exist here is
 * searched on the include path by clang, or reported as not found. */
static int check_included_file(const char *opt, const char *value, const char *directory,
                               char **error) {
    char *p = path_in(directory, value);
    struct stat st;
    int rc = 0;
    if (stat(p, &st) == 0 && !S_ISREG(st.st_mode)) {
        char *shown = tl_escape_for_terminal(value);
        *error = tl_xasprintf("%s %s: not a regular file (%s)", opt, shown,
                              tl_file_kind(st.st_mode));
        free(shown);
        rc = -1;
    }
    free(p);
    return rc;
}

static void note_dropped(tl_strvec *dropped, const char *a, const char *value) {
    if (!dropped) return;
    if (value) {
        char *both = tl_xasprintf("%s %s", a, value);
        tl_strvec_push(dropped, both);
        free(both);
    } else {
        tl_strvec_push(dropped, a);
    }
}

int tl_compile_args_allow(const char *const *args, int n, const char *directory,
                          const char *abs_source, tl_strvec *kept, tl_strvec *dropped,
                          char **error) {
    bool positional_only = false; /* after "--" every word is an input */
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        if (positional_only || a[0] != '-' || a[1] == 0) {
            /* an input: the source itself, or another one clang must not read
               ("-" is standard input) */
            if (!is_source(a, directory, abs_source)) note_dropped(dropped, a, NULL);
            continue;
        }
        if (!strcmp(a, "--")) {
            positional_only = true;
            continue;
        }
        bool joined;
        const allowed_option *o = find_allowed(a, &joined);
        /* a joined value that starts with '-' is another option (-include-pch,
           -I-), not a value */
        if (o && joined && a[strlen(o->spelling)] == '-') o = NULL;
        if (o && o->forms == 0) {
            tl_strvec_push(kept, o->canonical ? o->canonical : o->spelling);
            continue;
        }
        if (o) {
            const char *value;
            if (joined) {
                value = a + strlen(o->spelling);
            } else if (i + 1 < n) {
                value = args[++i];
            } else {
                note_dropped(dropped, a, NULL); /* its value is missing */
                continue;
            }
            if (!value_ok(value, o->value)) {
                note_dropped(dropped, a, joined ? NULL : value);
                continue;
            }
            if (o->value == VALUE_FILE &&
                check_included_file(o->canonical ? o->canonical : o->spelling, value, directory,
                                    error) != 0)
                return -1;
            const char *name = o->canonical ? o->canonical : o->spelling;
            if (o->joined_output) {
                char *w = tl_xasprintf("%s%s", name, value);
                tl_strvec_push(kept, w);
                free(w);
            } else {
                tl_strvec_push(kept, name);
                tl_strvec_push(kept, value);
            }
            continue;
        }
        if (is_kept_flag(a)) {
            tl_strvec_push(kept, a);
            continue;
        }
        /* not kept */
        if (in_list(a, ignored_flags, COUNT(ignored_flags))) continue;
        bool ignored = false;
        for (size_t k = 0; k < COUNT(ignored_prefixes) && !ignored; k++)
            ignored = has_prefix(a, ignored_prefixes[k]);
        if (ignored) continue;
        if (in_list(a, ignored_with_value, COUNT(ignored_with_value))) {
            i++; /* and its value */
            continue;
        }
        for (size_t k = 0; k < COUNT(ignored_with_value) && !ignored; k++)
            ignored = has_prefix(a, ignored_with_value[k]); /* -ofile, -MFfile */
        if (ignored) continue;
        if (in_list(a, dropped_with_value, COUNT(dropped_with_value)) && i + 1 < n) {
            note_dropped(dropped, a, args[i + 1]);
            i++;
            continue;
        }
        note_dropped(dropped, a, NULL);
    }
    return 0;
}

/* ---- compilers and response files ---- */

static bool is_wrapper(const char *argv0) {
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    return !strcmp(base, "ccache") || !strcmp(base, "sccache") || !strcmp(base, "distcc") ||
           !strcmp(base, "icecc");
}

typedef struct {
    size_t bytes_read; /* of all response files of this entry */
    char *error;
} expansion;

/* Appends args to out, replacing each @FILE by the words of FILE
 * (relative to base_dir), recursively. */
static int expand_response_files(const char *const *args, int n, const char *base_dir,
                                 int depth, tl_strvec *out, expansion *x) {
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        if (a[0] != '@' || a[1] == 0) {
            tl_strvec_push(out, a);
            continue;
        }
        char *shown = tl_escape_for_terminal(a);
        if (depth >= TL_RESPONSE_DEPTH_MAX) {
            x->error = tl_xasprintf("response file %s: nested more than %d deep", shown,
                                    TL_RESPONSE_DEPTH_MAX);
            free(shown);
            return -1;
        }
        char *path = path_in(base_dir, a + 1);
        size_t len = 0;
        char *why = NULL;
        char *text = tl_read_regular_file(path, TL_RESPONSE_FILE_MAX, &len, &why);
        if (!text) {
            x->error = tl_xasprintf("response file %s: %s", shown, why);
            free(why);
            free(path);
            free(shown);
            return -1;
        }
        x->bytes_read += len;
        if (x->bytes_read > TL_RESPONSE_TOTAL_MAX) {
            x->error = tl_xasprintf("response file %s: the response files of one entry hold "
                                    "more than %zu bytes",
                                    shown, TL_RESPONSE_TOTAL_MAX);
            free(text);
            free(path);
            free(shown);
            return -1;
        }
        size_t skip = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0; /* UTF-8 BOM */
        tl_strvec words = {0};
        char *split_error = NULL;
        int rc = tl_split_command_line(text + skip, len - skip, TL_SPLIT_RESPONSE, &words,
                                       &split_error);
        free(text);
        if (rc != 0) {
            x->error = tl_xasprintf("response file %s: %s", shown, split_error);
            free(split_error);
        } else {
            /* nested response files are relative to the file naming them */
            char *dir = tl_xstrdup(dirname(path));
            rc = expand_response_files((const char *const *)words.v, words.n, dir, depth + 1,
                                       out, x);
            free(dir);
        }
        tl_strvec_free(&words);
        free(path);
        free(shown);
        if (rc != 0) return -1;
    }
    return 0;
}

int tl_compile_args_from_command(const char *const *argv, int argc, const char *directory,
                                 const char *abs_source, tl_strvec *kept, tl_strvec *dropped,
                                 char **error) {
    int first = 1; /* argv[0] is the compiler */
    if (argc > 1 && is_wrapper(argv[0]) && argv[1][0] != '-') first = 2;
    tl_strvec expanded = {0};
    expansion x = {0};
    int rc = -1;
    if (argc > first &&
        expand_response_files(argv + first, argc - first, directory, 0, &expanded, &x) != 0) {
        *error = x.error;
        goto out;
    }
    if (tl_compile_args_allow((const char *const *)expanded.v, expanded.n, directory,
                              abs_source, kept, dropped, error) != 0)
        goto out;
    tl_strvec_push(kept, "-w"); /* warnings are not reported: do not compute them */
    rc = 0;
out:
    tl_strvec_free(&expanded);
    return rc;
}

bool tl_compile_args_is_assembly(const tl_strvec *kept, const char *file) {
    const char *lang = NULL;
    for (int i = 0; kept && i + 1 < kept->n; i++)
        if (!strcmp(kept->v[i], "-x")) lang = kept->v[++i];
    if (lang) return !strcmp(lang, "assembler") || !strcmp(lang, "assembler-with-cpp");
    const char *dot = file ? strrchr(file, '.') : NULL;
    if (!dot || strchr(dot, '/')) return false;
    return !strcmp(dot, ".s") || !strcmp(dot, ".S") || !strcmp(dot, ".sx");
}
