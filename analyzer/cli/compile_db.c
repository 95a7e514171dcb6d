/* compile_db.c - reading compile_commands.json (see compile_db.h) and -p.
 *
 * The file is parsed once, by jansson, streaming from a descriptor that was
 * checked to be a regular file (a FIFO or /dev/zero cannot hang tasklint),
 * with a size bound.  The entries are checked and copied out of the JSON
 * tree; an index maps each file to its first entry.  Arguments go through
 * the allow-list (compile_args.c) when an entry becomes a TU.
 */
#include "cli/compile_db.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/compile_args.h"
#include "cli/untrusted.h"
#include "util/xalloc.h"

typedef struct {
    char *directory; /* absolute (joined to the database's directory) */
    char *file;      /* as written */
    char *abs_file;  /* absolute, symlinks resolved when it exists */
    tl_strvec argv;  /* "arguments", or "command" split into words */
} entry;

struct tl_compdb {
    char *path;
    entry *entries;
    size_t n;
    json_t *index;   /* object: abs_file -> index of its first entry */
    json_t *dropped; /* object used as an ordered set of dropped arguments */
};

/* ---- reading ---- */

typedef struct {
    int fd;
    size_t total;
    bool too_large;
    int error;
} reader;

/* jansson's read callback: a bounded read of the descriptor */
static size_t read_chunk(void *buf, size_t len, void *data) {
    reader *r = data;
    for (;;) {
        ssize_t n = read(r->fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            r->error = errno;
            return (size_t)-1;
        }
        r->total += (size_t)n;
        if (r->total > TL_COMPDB_MAX) { /* it grew after the check */
            r->too_large = true;
            return (size_t)-1;
        }
        return (size_t)n;
    }
}

static void skip_utf8_bom(int fd) {
    char bom[3];
    if (read(fd, bom, 3) != 3 || memcmp(bom, "\xEF\xBB\xBF", 3) != 0) lseek(fd, 0, SEEK_SET);
}

static char *syntax_error(const json_error_t *je) {
    char *text = tl_escape_for_terminal(je->text);
    char *error = tl_xasprintf("line %d, column %d: %s", je->line, je->column, text);
    free(text);
    return error;
}

static json_t *parse_file(const char *path, char **error) {
    int fd = tl_open_regular_file(path, TL_COMPDB_MAX, error);
    if (fd < 0) return NULL;
    skip_utf8_bom(fd);
    reader r = {.fd = fd};
    json_error_t je;
    json_t *root = json_load_callback(read_chunk, &r, 0, &je);
    close(fd);
    if (root) return root;
    if (r.too_large) *error = tl_xasprintf("larger than %zu bytes", TL_COMPDB_MAX);
    else if (r.error) *error = tl_xstrdup(strerror(r.error));
    else *error = syntax_error(&je);
    return NULL;
}

static json_t *parse_text(const char *text, size_t len, char **error) {
    if (len > TL_COMPDB_MAX) {
        *error = tl_xasprintf("larger than %zu bytes", TL_COMPDB_MAX);
        return NULL;
    }
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) *error = syntax_error(&je);
    return root;
}

/* ---- the shape of the document ---- */

static const char *type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* The string member `key` of entry `obj`: *out set to NULL when absent.
 * Returns -1 with *error when it is not a string. */
static int string_member(const json_t *obj, const char *key, size_t number, const char **out,
                         char **error) {
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v) return 0;
    if (!json_is_string(v)) {
        *error = tl_xasprintf("entry %zu: \"%s\" must be a string, found %s", number, key,
                              type_name(v));
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static char *join_dir(const char *dir, const char *path) {
    if (path[0] == '/' || !*dir) return tl_xstrdup(path);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    while (path[0] == '.' && path[1] == '/') path += 2;
    if (!strcmp(path, ".")) return tl_xstrndup(dir, n);
    return tl_xasprintf("%.*s/%s", (int)n, dir, path);
}

static char *resolved(const char *path) {
    char real[PATH_MAX];
    return realpath(path, real) ? tl_xstrdup(real) : tl_cli_abspath(path, NULL);
}

/* Checks entry `number` (1-based) and fills e.  Returns -1 with *error. */
static int read_entry(const json_t *obj, size_t number, const char *db_dir, entry *e,
                      char **error) {
    if (!json_is_object(obj)) {
        *error = tl_xasprintf("entry %zu: expected an object for each compile command, found %s",
                              number, type_name(obj));
        return -1;
    }
    const char *directory, *file, *command, *output;
    if (string_member(obj, "directory", number, &directory, error) ||
        string_member(obj, "file", number, &file, error) ||
        string_member(obj, "command", number, &command, error) ||
        string_member(obj, "output", number, &output, error))
        return -1;
    const json_t *arguments = json_object_get(obj, "arguments");
    if (arguments && !json_is_array(arguments)) {
        *error = tl_xasprintf("entry %zu: \"arguments\" must be an array, found %s", number,
                              type_name(arguments));
        return -1;
    }
    const char *missing = !directory ? "\"directory\""
                          : !file ? "\"file\""
                          : !command && !arguments ? "\"command\" or \"arguments\"" : NULL;
    if (missing) {
        *error = tl_xasprintf("entry %zu: compile command without %s", number, missing);
        return -1;
    }
    if (arguments) { /* "arguments" wins over "command", as in clang */
        size_t k;
        const json_t *a;
        json_array_foreach(arguments, k, a) {
            if (!json_is_string(a)) {
                *error = tl_xasprintf("entry %zu: \"arguments\" must hold strings, found %s",
                                      number, type_name(a));
                return -1;
            }
            tl_strvec_push(&e->argv, json_string_value(a));
        }
    } else {
        char *why = NULL;
        if (tl_split_command_line(command, strlen(command), TL_SPLIT_COMMAND, &e->argv, &why)) {
            *error = tl_xasprintf("entry %zu: \"command\": %s", number, why);
            free(why);
            return -1;
        }
    }
    if (e->argv.n == 0) {
        *error = tl_xasprintf("entry %zu: the compile command is empty", number);
        return -1;
    }
    e->directory = join_dir(db_dir, directory);
    e->file = tl_xstrdup(file);
    char *joined = join_dir(e->directory, file);
    e->abs_file = resolved(joined);
    free(joined);
    return 0;
}

static void free_entry(entry *e) {
    free(e->directory);
    free(e->file);
    free(e->abs_file);
    tl_strvec_free(&e->argv);
}

/* The database in `root` (consumed), read from `path`. */
static tl_compdb *from_json(json_t *root, const char *path, char **error) {
    if (!json_is_array(root)) {
        *error = tl_xasprintf("expected an array of compile commands, found %s",
                              type_name(root));
        json_decref(root);
        return NULL;
    }
    /* relative "directory" values are relative to the database's directory */
    char *copy = tl_xstrdup(path);
    char *slash = strrchr(copy, '/');
    if (!slash) strcpy(copy, ".");
    else if (slash == copy) slash[1] = 0;
    else *slash = 0;
    char *db_dir = resolved(copy);
    free(copy);

    tl_compdb *db = tl_xcalloc(1, sizeof *db);
    db->path = tl_xstrdup(path);
    db->index = json_object();
    db->dropped = json_object();
    size_t count = json_array_size(root);
    db->entries = tl_xcalloc(count ? count : 1, sizeof *db->entries);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        entry *e = &db->entries[db->n];
        rc = read_entry(json_array_get(root, i), i + 1, db_dir, e, error);
        if (rc != 0) {
            free_entry(e);
            break;
        }
        db->n++;
        if (!json_object_get(db->index, e->abs_file))
            json_object_set_new_nocheck(db->index, e->abs_file, json_integer((json_int_t)i));
    }
    free(db_dir);
    json_decref(root);
    if (rc != 0) {
        tl_compdb_close(db);
        return NULL;
    }
    return db;
}

tl_compdb *tl_compdb_open(const char *path, char **error) {
    json_t *root = parse_file(path, error);
    return root ? from_json(root, path, error) : NULL;
}

tl_compdb *tl_compdb_from_text(const char *text, size_t len, const char *path, char **error) {
    json_t *root = parse_text(text, len, error);
    return root ? from_json(root, path, error) : NULL;
}

void tl_compdb_close(tl_compdb *db) {
    if (!db) return;
    for (size_t i = 0; i < db->n; i++) free_entry(&db->entries[i]);
    free(db->entries);
    json_decref(db->index);
    json_decref(db->dropped);
    free(db->path);
    free(db);
}

const char *tl_compdb_path(const tl_compdb *db) { return db->path; }
size_t tl_compdb_count(const tl_compdb *db) { return db->n; }
const char *tl_compdb_file(const tl_compdb *db, size_t i) { return db->entries[i].abs_file; }

long tl_compdb_find(const tl_compdb *db, const char *abs_file) {
    const json_t *v = json_object_get(db->index, abs_file);
    return v ? (long)json_integer_value(v) : -1;
}

static void entry_error(const tl_compdb *db, size_t i, const char *what, FILE *err) {
    char *file = tl_escape_for_terminal(db->entries[i].file);
    char *path = tl_escape_for_terminal(db->path);
    fprintf(err, "tasklint: error: %s: entry %zu (%s): %s\n", path, i + 1, file, what);
    free(path);
    free(file);
}

int tl_compdb_add_tu(tl_compdb *db, size_t i, char *const *extra, int nextra,
                     tl_cli_tus *out, FILE *err) {
    const entry *e = &db->entries[i];
    /* clang would read a FIFO or a device forever; a missing file is
       reported by the driver like any unreadable file */
    struct stat st;
    if (stat(e->abs_file, &st) == 0 && !S_ISREG(st.st_mode)) {
        char *what = tl_xasprintf("not a regular file (%s)", tl_file_kind(st.st_mode));
        entry_error(db, i, what, err);
        free(what);
        return 2;
    }
    tl_strvec kept = {0}, dropped = {0};
    char *why = NULL;
    int rc = 0;
    if (tl_compile_args_from_command((const char *const *)e->argv.v, e->argv.n, e->directory,
                                     e->abs_file, &kept, &dropped, &why) != 0) {
        entry_error(db, i, why, err);
        free(why);
        rc = 2;
    } else if (tl_compile_args_is_assembly(&kept, e->abs_file)) {
        rc = -1; /* assembly (a .S listed next to the C files): nothing to analyse */
    } else {
        tl_cli_tu *tu = tl_cli_tus_add(out, e->abs_file, e->directory);
        tu->from_compdb = true;
        for (int k = 0; k < kept.n; k++) tl_cli_tu_add_arg(tu, kept.v[k]);
        for (int k = 0; k < nextra; k++) tl_cli_tu_add_arg(tu, extra[k]);
        for (int k = 0; k < dropped.n; k++)
            if (!json_object_get(db->dropped, dropped.v[k]))
                json_object_set_new_nocheck(db->dropped, dropped.v[k], json_true());
    }
    tl_strvec_free(&kept);
    tl_strvec_free(&dropped);
    return rc;
}

void tl_compdb_print_dropped(const tl_compdb *db, FILE *err) {
    size_t n = json_object_size(db->dropped);
    if (!n) return;
    char *path = tl_escape_for_terminal(db->path);
    fprintf(err, "tasklint: note: %s: not on the allow-list, not passed to clang: ", path);
    free(path);
    const char *key;
    const json_t *v;
    size_t k = 0;
    json_object_foreach((json_t *)db->dropped, key, v) {
        char *shown = tl_escape_for_terminal(key);
        fprintf(err, "%s'%s'", k++ ? ", " : "", shown);
        free(shown);
    }
    fputc('\n', err);
}

/* ---- -p ---- */

static bool under(const char *path, const char *filter, bool is_dir) {
    size_t n = strlen(filter);
    if (!is_dir) return !strcmp(path, filter);
    if (n == 1 && filter[0] == '/') return true;
    return !strncmp(path, filter, n) && (path[n] == '/' || path[n] == 0);
}

/* A FILE argument that does not exist from the current directory, looked up
 * among the database's entries: the entry whose file is FILE relative to
 * the database's directory, else the entries whose path ends with /FILE.
 * Returns the entry's file (malloc'd), or NULL after printing an error (no
 * such entry; several, listed). */
static char *resolve_in_db(const tl_compdb *db, const char *db_dir, const char *filter,
                           FILE *err) {
    char *shown = tl_escape_for_terminal(filter);
    char *shown_db = tl_escape_for_terminal(tl_compdb_path(db));
    char *found = NULL;
    if (filter[0] != '/') {
        char *rel = tl_cli_abspath(filter, db_dir);
        if (tl_compdb_find(db, rel) >= 0) found = rel;
        else free(rel);
    }
    if (!found && filter[0] != '/') {
        const char *tail = filter;
        while (tail[0] == '.' && tail[1] == '/') tail += 2;
        size_t nt = strlen(tail);
        size_t nmatch = 0;
        char *list = NULL;
        size_t listlen = 0;
        FILE *lf = open_memstream(&list, &listlen);
        for (size_t i = 0; i < tl_compdb_count(db); i++) {
            const char *file = tl_compdb_file(db, i);
            if (tl_compdb_find(db, file) != (long)i) continue; /* listed before */
            size_t nf = strlen(file);
            if (nt == 0 || nf <= nt || file[nf - nt - 1] != '/' || strcmp(file + nf - nt, tail))
                continue;
            if (nmatch++ == 0) found = tl_xstrdup(file);
            if (lf) {
                char *f = tl_escape_for_terminal(file);
                fprintf(lf, "\n  %s", f);
                free(f);
            }
        }
        if (lf) fclose(lf);
        if (nmatch > 1) {
            fprintf(err, "tasklint: error: %s: no such file here, and %zu entries of %s end with it; "
                         "name one of them:%s\n",
                    shown, nmatch, shown_db, list ? list : "");
            free(found);
            found = NULL;
        } else if (nmatch == 0) {
            fprintf(err, "tasklint: error: %s: no such file, and no entry of %s names it\n", shown,
                    shown_db);
        }
        free(list);
    } else if (!found) {
        fprintf(err, "tasklint: error: %s: %s\n", shown, strerror(ENOENT));
    }
    free(shown);
    free(shown_db);
    return found;
}

int tl_compdb_load(const char *dir, char *const *filters, size_t nfilters, char *const *extra,
                   int nextra, bool verbose, tl_cli_tus *out, FILE *err) {
    /* -p DIR, or -p FILE (any name) */
    struct stat st;
    char *db_file = stat(dir, &st) == 0 && S_ISDIR(st.st_mode)
                        ? join_dir(dir, "compile_commands.json")
                        : tl_xstrdup(dir);
    char *why = NULL;
    tl_compdb *db = tl_compdb_open(db_file, &why);
    if (!db) {
        char *shown = tl_escape_for_terminal(db_file);
        fprintf(err, "tasklint: error: cannot load %s: %s\n", shown, why);
        free(shown);
        free(why);
        free(db_file);
        return 2;
    }
    int rc = 0;
    /* the filters, as real paths */
    char **fl = tl_xcalloc(nfilters + 1, sizeof *fl);
    bool *fl_dir = tl_xcalloc(nfilters + 1, sizeof *fl_dir);
    bool *matched = tl_xcalloc(nfilters + 1, sizeof *matched);
    bool dir_is_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    char *db_dir = dir_is_dir ? resolved(dir) : NULL;
    if (!db_dir) {
        char *abs = resolved(db_file);
        char *slash = strrchr(abs, '/');
        if (slash) slash[slash == abs ? 1 : 0] = 0;
        db_dir = abs;
    }
    for (size_t i = 0; i < nfilters && rc == 0; i++) {
        if (stat(filters[i], &st) != 0 && errno == ENOENT) {
            /* not here: an entry of the database it names (-p build src/a.c) */
            fl[i] = resolve_in_db(db, db_dir, filters[i], err);
            if (!fl[i]) {
                rc = 2;
                break;
            }
            continue;
        }
        if (stat(filters[i], &st) != 0) {
            fprintf(err, "tasklint: error: %s: %s\n", filters[i], strerror(errno));
            rc = 2;
            break;
        }
        fl[i] = resolved(filters[i]);
        fl_dir[i] = S_ISDIR(st.st_mode);
    }
    size_t nassembly = 0;
    for (size_t i = 0; i < tl_compdb_count(db) && rc == 0; i++) {
        const char *file = tl_compdb_file(db, i);
        if (tl_compdb_find(db, file) != (long)i) continue; /* listed before: analysed once */
        bool keep = nfilters == 0;
        for (size_t k = 0; k < nfilters; k++)
            if (under(file, fl[k], fl_dir[k])) keep = matched[k] = true;
        int added = keep ? tl_compdb_add_tu(db, i, extra, nextra, out, err) : 0;
        if (added > 0) out->input_errors = true;
        if (added < 0) nassembly++;
    }
    if (rc == 0 && nassembly && verbose)
        fprintf(err, "tasklint: note: %zu assembly entr%s of %s skipped (not C)\n", nassembly,
                nassembly == 1 ? "y" : "ies", "the compile database");
    if (rc == 0) {
        for (size_t i = 0; i < nfilters; i++)
            if (!matched[i])
                fprintf(err, "tasklint: warning: %s: no entry in %s\n", filters[i], db_file);
        if (verbose) tl_compdb_print_dropped(db, err);
    }
    for (size_t i = 0; i < nfilters; i++) free(fl[i]);
    free(db_dir);
    free(fl);
    free(fl_dir);
    free(matched);
    tl_compdb_close(db);
    free(db_file);
    return rc;
}
