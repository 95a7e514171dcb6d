/* compile_db.c - reading compile_commands.json.
 *
 * libclang loads the database (clang_CompilationDatabase_*), but says
 * nothing about why a file could not be loaded; so the JSON is checked
 * first by a small validator that reports the line and column of the first
 * syntax or shape error.
 */
#include <clang-c/CXCompilationDatabase.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "util/xalloc.h"

/* ---- a JSON checker ---- */

typedef struct {
    const char *s;
    size_t len, i;
    unsigned line, col;
    char *msg;
    size_t msgsz;
    bool failed;
    int depth;
} jp;

enum { J_ERR = 0, J_OBJ, J_ARR, J_STR, J_NUM, J_BOOL, J_NULL };

static const char *jtype_name(int t) {
    switch (t) {
    case J_OBJ: return "an object";
    case J_ARR: return "an array";
    case J_STR: return "a string";
    case J_NUM: return "a number";
    case J_BOOL: return "a boolean";
    case J_NULL: return "null";
    }
    return "nothing";
}

static int jfail_at(jp *p, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int jfail_at(jp *p, unsigned line, unsigned col, const char *fmt, ...) {
    if (p->failed) return J_ERR;
    p->failed = true;
    int n = snprintf(p->msg, p->msgsz, "line %u, column %u: ", line, col);
    if (n < 0 || (size_t)n >= p->msgsz) return J_ERR;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg + n, p->msgsz - (size_t)n, fmt, ap);
    va_end(ap);
    return J_ERR;
}

#define jfail(p, ...) jfail_at((p), (p)->line, (p)->col, __VA_ARGS__)

static void jadv(jp *p) {
    if (p->i >= p->len) return;
    if (p->s[p->i] == '\n') {
        p->line++;
        p->col = 1;
    } else if (((unsigned char)p->s[p->i] & 0xC0) != 0x80) {
        p->col++;
    }
    p->i++;
}

static void jws(jp *p) {
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') jadv(p);
        else break;
    }
}

static int jpeek(jp *p) { return p->i < p->len ? (unsigned char)p->s[p->i] : -1; }

static const char *describe(jp *p) {
    static __thread char buf[16];
    int c = jpeek(p);
    if (c < 0) return "end of file";
    if (c >= 0x20 && c < 0x7f) {
        snprintf(buf, sizeof buf, "'%c'", c);
        return buf;
    }
    snprintf(buf, sizeof buf, "byte 0x%02x", (unsigned)c);
    return buf;
}

/* A string; if out/outsz are given, its raw bytes (escapes undecoded) are
 * copied for key comparison. */
static int jstring(jp *p, char *out, size_t outsz) {
    jadv(p); /* opening quote */
    size_t o = 0;
    bool plain = true;
    for (;;) {
        int c = jpeek(p);
        if (c < 0) return jfail(p, "unterminated string");
        if (c == '"') {
            jadv(p);
            break;
        }
        if (c < 0x20) return jfail(p, "control character in a string (escape it)");
        if (c == '\\') {
            plain = false;
            jadv(p);
            int e = jpeek(p);
            if (e < 0) return jfail(p, "unterminated string");
            if (e == 'u') {
                jadv(p);
                for (int k = 0; k < 4; k++) {
                    int h = jpeek(p);
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return jfail(p, "expected 4 hex digits after \\u");
                    jadv(p);
                }
                continue;
            }
            if (!strchr("\"\\/bfnrt", e)) return jfail(p, "invalid escape '\\%c'", e);
            jadv(p);
            continue;
        }
        if (out && o + 1 < outsz) out[o++] = (char)c;
        jadv(p);
    }
    if (out && outsz) {
        out[o] = 0;
        if (!plain) out[0] = 0;
    }
    return J_STR;
}

static int jnumber(jp *p) {
    if (jpeek(p) == '-') jadv(p);
    int c = jpeek(p);
    if (c == '0') {
        jadv(p);
    } else if (c >= '1' && c <= '9') {
        while (jpeek(p) >= '0' && jpeek(p) <= '9') jadv(p);
    } else {
        return jfail(p, "invalid number");
    }
    if (jpeek(p) == '.') {
        jadv(p);
        if (!(jpeek(p) >= '0' && jpeek(p) <= '9')) return jfail(p, "expected a digit after '.'");
        while (jpeek(p) >= '0' && jpeek(p) <= '9') jadv(p);
    }
    if (jpeek(p) == 'e' || jpeek(p) == 'E') {
        jadv(p);
        if (jpeek(p) == '+' || jpeek(p) == '-') jadv(p);
        if (!(jpeek(p) >= '0' && jpeek(p) <= '9')) return jfail(p, "expected a digit in the exponent");
        while (jpeek(p) >= '0' && jpeek(p) <= '9') jadv(p);
    }
    return J_NUM;
}

static int jliteral(jp *p, const char *word, int type) {
    size_t n = strlen(word);
    if (p->len - p->i < n || memcmp(p->s + p->i, word, n) != 0)
        return jfail(p, "unexpected %s", describe(p));
    for (size_t k = 0; k < n; k++) jadv(p);
    return type;
}

/* What the shape check wants to know about each value it parses. */
typedef enum { SHAPE_NONE = 0, SHAPE_DB, SHAPE_ENTRY, SHAPE_STRINGS } shape;

static int jvalue(jp *p, shape sh);

static int jarray(jp *p, shape sh) {
    unsigned l0 = p->line, c0 = p->col;
    jadv(p);
    jws(p);
    if (jpeek(p) == ']') {
        jadv(p);
        return J_ARR;
    }
    for (;;) {
        jws(p);
        unsigned l = p->line, c = p->col;
        shape elem = sh == SHAPE_DB ? SHAPE_ENTRY : SHAPE_NONE;
        int t = jvalue(p, elem);
        if (t == J_ERR) return J_ERR;
        if (sh == SHAPE_DB && t != J_OBJ)
            return jfail_at(p, l, c, "expected an object for each compile command, found %s",
                            jtype_name(t));
        if (sh == SHAPE_STRINGS && t != J_STR)
            return jfail_at(p, l, c, "\"arguments\" must hold strings, found %s",
                            jtype_name(t));
        jws(p);
        int ch = jpeek(p);
        if (ch == ',') {
            jadv(p);
            jws(p);
            if (jpeek(p) == ']') return jfail(p, "trailing comma before ']'");
            continue;
        }
        if (ch == ']') {
            jadv(p);
            return J_ARR;
        }
        if (ch < 0)
            return jfail(p, "unexpected end of file: the array opened at line %u, column %u "
                            "is not closed", l0, c0);
        return jfail(p, "expected ',' or ']' after an array element, found %s", describe(p));
    }
}

static int jobject(jp *p, shape sh) {
    unsigned l0 = p->line, c0 = p->col;
    jadv(p);
    bool has_dir = false, has_file = false, has_cmd = false;
    jws(p);
    if (jpeek(p) != '}') {
        for (;;) {
            jws(p);
            if (jpeek(p) != '"')
                return jfail(p, "expected a string key, found %s", describe(p));
            char key[32];
            if (jstring(p, key, sizeof key) == J_ERR) return J_ERR;
            jws(p);
            if (jpeek(p) != ':') return jfail(p, "expected ':' after a key, found %s", describe(p));
            jadv(p);
            jws(p);
            unsigned l = p->line, c = p->col;
            shape vs = SHAPE_NONE;
            if (sh == SHAPE_ENTRY && !strcmp(key, "arguments")) vs = SHAPE_STRINGS;
            int t = jvalue(p, vs);
            if (t == J_ERR) return J_ERR;
            if (sh == SHAPE_ENTRY) {
                const char *want = NULL;
                int wt = J_STR;
                if (!strcmp(key, "directory")) want = key, has_dir = true;
                else if (!strcmp(key, "file")) want = key, has_file = true;
                else if (!strcmp(key, "command")) want = key, has_cmd = true;
                else if (!strcmp(key, "output")) want = key;
                else if (!strcmp(key, "arguments")) want = key, wt = J_ARR, has_cmd = true;
                if (want && t != wt)
                    return jfail_at(p, l, c, "\"%s\" must be %s, found %s", want,
                                    jtype_name(wt), jtype_name(t));
            }
            jws(p);
            int ch = jpeek(p);
            if (ch == ',') {
                jadv(p);
                jws(p);
                if (jpeek(p) == '}') return jfail(p, "trailing comma before '}'");
                continue;
            }
            if (ch == '}') break;
            if (ch < 0)
                return jfail(p, "unexpected end of file: the object opened at line %u, column "
                                "%u is not closed", l0, c0);
            return jfail(p, "expected ',' or '}' after an object member, found %s", describe(p));
        }
    }
    jadv(p); /* '}' */
    if (sh == SHAPE_ENTRY) {
        const char *missing = !has_dir ? "\"directory\""
                              : !has_file ? "\"file\""
                              : !has_cmd ? "\"command\" or \"arguments\"" : NULL;
        if (missing)
            return jfail_at(p, l0, c0, "compile command without %s", missing);
    }
    return J_OBJ;
}

static int jvalue(jp *p, shape sh) {
    jws(p);
    if (p->depth > 256) return jfail(p, "nesting too deep");
    int c = jpeek(p);
    int t;
    p->depth++;
    if (c == '{') t = jobject(p, sh);
    else if (c == '[') t = jarray(p, sh);
    else if (c == '"') t = jstring(p, NULL, 0);
    else if (c == '-' || (c >= '0' && c <= '9')) t = jnumber(p);
    else if (c == 't') t = jliteral(p, "true", J_BOOL);
    else if (c == 'f') t = jliteral(p, "false", J_BOOL);
    else if (c == 'n') t = jliteral(p, "null", J_NULL);
    else if (c < 0) t = jfail(p, "unexpected end of file, expected a value");
    else t = jfail(p, "unexpected %s, expected a value", describe(p));
    p->depth--;
    return t;
}

static int check(const char *text, size_t len, char *msg, size_t msgsz, shape sh) {
    jp p = {.s = text, .len = len, .line = 1, .col = 1, .msg = msg, .msgsz = msgsz};
    if (msgsz) msg[0] = 0;
    /* a UTF-8 byte order mark is tolerated */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) p.i = 3;
    jws(&p);
    unsigned l = p.line, c = p.col;
    int t = jvalue(&p, sh);
    if (t == J_ERR) return -1;
    if (sh == SHAPE_DB && t != J_ARR) {
        jfail_at(&p, l, c, "expected an array of compile commands, found %s", jtype_name(t));
        return -1;
    }
    jws(&p);
    if (p.i < p.len) {
        jfail(&p, "unexpected %s after the end of the document", describe(&p));
        return -1;
    }
    return 0;
}

int tl_json_check(const char *text, size_t len, char *msg, size_t msgsz) {
    return check(text, len, msg, msgsz, SHAPE_NONE);
}

int tl_compdb_check(const char *text, size_t len, char *msg, size_t msgsz) {
    return check(text, len, msg, msgsz, SHAPE_DB);
}

/* ---- arguments ---- */

static char *join(const char *dir, const char *file) {
    if (!dir || !*dir || file[0] == '/') return tl_xstrdup(file);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    while (file[0] == '.' && file[1] == '/') file += 2;
    return tl_xasprintf("%.*s/%s", (int)n, dir, file);
}

static char *canonical(const char *path) {
    char real[PATH_MAX];
    return realpath(path, real) ? tl_xstrdup(real) : tl_xstrdup(path);
}

static bool same_file(const char *arg, const char *file, const char *directory,
                      const char *abs_file) {
    if (!strcmp(arg, file)) return true;
    if (!abs_file) return false;
    char *a = join(directory, arg);
    char *ca = canonical(a);
    bool same = !strcmp(ca, abs_file);
    free(ca);
    free(a);
    return same;
}

static bool is_wrapper(const char *argv0) {
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    return !strcmp(base, "ccache") || !strcmp(base, "sccache") || !strcmp(base, "distcc") ||
           !strcmp(base, "icecc");
}

char **tl_compdb_clean_args(const char *const *argv, int argc, const char *file,
                            const char *directory, int *nout) {
    char **out = tl_xmalloc((size_t)(argc + 1) * sizeof *out);
    int n = 0;
    char *abs_file = NULL;
    if (file) {
        char *j = join(directory, file);
        abs_file = canonical(j);
        free(j);
    }
    int i = 1;
    if (argc > 1 && is_wrapper(argv[0]) && argv[1][0] != '-') i = 2;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c") || !strcmp(a, "--")) continue;
        if (!strcmp(a, "-o") || !strcmp(a, "-MF") || !strcmp(a, "-MT") || !strcmp(a, "-MQ")) {
            i++; /* and its value */
            continue;
        }
        if (!strncmp(a, "-o", 2) || !strncmp(a, "-MF", 3) || !strncmp(a, "-MT", 3) ||
            !strncmp(a, "-MQ", 3))
            continue;
        if (!strcmp(a, "-MD") || !strcmp(a, "-MMD") || !strcmp(a, "-M") || !strcmp(a, "-MM") ||
            !strcmp(a, "-MP") || !strcmp(a, "-MG"))
            continue;
        /* clang warnings are ignored; do not let -Werror turn them into errors */
        if (!strcmp(a, "-Werror") || !strncmp(a, "-Werror=", 8) ||
            !strcmp(a, "-pedantic-errors"))
            continue;
        if (file && a[0] != '-' && same_file(a, file, directory, abs_file)) continue;
        out[n++] = tl_xstrdup(a);
    }
    free(abs_file);
    *nout = n;
    return out;
}

/* ---- loading ---- */

static char *read_text(const char *path, size_t *len, int *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        *err = errno;
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = tl_xrealloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n, fp);
        if (r == 0) break;
        n += r;
    }
    if (ferror(fp)) {
        *err = errno ? errno : EIO;
        fclose(fp);
        free(buf);
        return NULL;
    }
    fclose(fp);
    *len = n;
    return buf;
}

static char *cx_str(CXString s) {
    const char *c = clang_getCString(s);
    char *r = tl_xstrdup(c ? c : "");
    clang_disposeString(s);
    return r;
}

static bool under(const char *path, const char *filter, bool is_dir) {
    size_t n = strlen(filter);
    if (!is_dir) return !strcmp(path, filter);
    if (n == 1 && filter[0] == '/') return true;
    return !strncmp(path, filter, n) && (path[n] == '/' || path[n] == 0);
}

int tl_compdb_load(const char *dir, char *const *filters, size_t nfilters, char *const *extra,
                   int nextra, tl_cli_tus *out, FILE *err) {
    /* -p DIR, or -p DIR/compile_commands.json */
    char *db_dir, *db_file;
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISREG(st.st_mode)) {
        db_file = tl_xstrdup(dir);
        char *tmp = tl_xstrdup(dir);
        db_dir = tl_xstrdup(dirname(tmp));
        free(tmp);
    } else {
        db_dir = tl_xstrdup(dir);
        db_file = join(dir, "compile_commands.json");
    }
    int rc = 2;
    size_t len = 0;
    int e = 0;
    char *text = read_text(db_file, &len, &e);
    char msg[512];
    CXCompilationDatabase db = NULL;
    CXCompileCommands cmds = NULL;
    char **fl = NULL;
    bool *fl_dir = NULL;
    char **seen = NULL;
    size_t nseen = 0;
    if (!text) {
        fprintf(err, "tasklint: error: cannot load %s: %s\n", db_file, strerror(e));
        goto out;
    }
    if (tl_compdb_check(text, len, msg, sizeof msg) != 0) {
        fprintf(err, "tasklint: error: cannot load %s: %s\n", db_file, msg);
        goto out;
    }
    CXCompilationDatabase_Error dberr = CXCompilationDatabase_NoError;
    db = clang_CompilationDatabase_fromDirectory(db_dir, &dberr);
    if (!db || dberr != CXCompilationDatabase_NoError) {
        fprintf(err, "tasklint: error: cannot load %s: libclang could not read it\n", db_file);
        goto out;
    }

    /* the filters, as real paths */
    fl = tl_xcalloc(nfilters + 1, sizeof *fl);
    fl_dir = tl_xcalloc(nfilters + 1, sizeof *fl_dir);
    for (size_t i = 0; i < nfilters; i++) {
        if (stat(filters[i], &st) != 0) {
            fprintf(err, "tasklint: error: %s: %s\n", filters[i], strerror(errno));
            goto out;
        }
        fl[i] = canonical(filters[i]);
        fl_dir[i] = S_ISDIR(st.st_mode);
    }
    bool *matched = tl_xcalloc(nfilters + 1, sizeof *matched);

    char *db_abs = canonical(db_dir);
    cmds = clang_CompilationDatabase_getAllCompileCommands(db);
    unsigned ncmds = cmds ? clang_CompileCommands_getSize(cmds) : 0;
    for (unsigned c = 0; c < ncmds; c++) {
        CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, c);
        char *cdir = cx_str(clang_CompileCommand_getDirectory(cmd));
        char *cfile = cx_str(clang_CompileCommand_getFilename(cmd));
        char *adir = cdir[0] == '/' ? tl_xstrdup(cdir) : join(db_abs, cdir);
        char *jf = join(adir, cfile);
        char *afile = canonical(jf);
        free(jf);
        bool keep = nfilters == 0;
        for (size_t i = 0; i < nfilters; i++)
            if (under(afile, fl[i], fl_dir[i])) keep = matched[i] = true;
        for (size_t k = 0; k < nseen && keep; k++)
            if (!strcmp(seen[k], afile)) keep = false;
        if (keep) {
            seen = tl_xrealloc(seen, (nseen + 1) * sizeof *seen);
            seen[nseen++] = tl_xstrdup(afile);
            unsigned na = clang_CompileCommand_getNumArgs(cmd);
            char **argv = tl_xcalloc(na + 1, sizeof *argv);
            for (unsigned k = 0; k < na; k++) argv[k] = cx_str(clang_CompileCommand_getArg(cmd, k));
            int nclean = 0;
            char **clean = tl_compdb_clean_args((const char *const *)argv, (int)na, cfile, adir,
                                                &nclean);
            tl_cli_tu *tu = tl_cli_tus_add(out, afile, adir);
            tu->from_compdb = true;
            for (int k = 0; k < nclean; k++) {
                tl_cli_tu_add_arg(tu, clean[k]);
                free(clean[k]);
            }
            free(clean);
            for (int k = 0; k < nextra; k++) tl_cli_tu_add_arg(tu, extra[k]);
            for (unsigned k = 0; k < na; k++) free(argv[k]);
            free(argv);
        }
        free(afile);
        free(adir);
        free(cfile);
        free(cdir);
    }
    free(db_abs);
    rc = 0;
    for (size_t i = 0; i < nfilters; i++)
        if (!matched[i])
            fprintf(err, "tasklint: warning: %s: no entry in %s\n", filters[i], db_file);
    free(matched);

out:
    if (cmds) clang_CompileCommands_dispose(cmds);
    if (db) clang_CompilationDatabase_dispose(db);
    for (size_t i = 0; fl && i < nfilters; i++) free(fl[i]);
    free(fl);
    free(fl_dir);
    for (size_t k = 0; k < nseen; k++) free(seen[k]);
    free(seen);
    free(text);
    free(db_file);
    free(db_dir);
    return rc;
}
