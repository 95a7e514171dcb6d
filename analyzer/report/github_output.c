/* github_output.c - GitHub Actions workflow commands (--format github).
 *
 * One line per finding that a user sees (suppressed ones and those triaged
 * as false positive or intentional are left out):
 *
 *   ::warning file=PATH,line=L,col=C,endColumn=E,title=RULE::MESSAGE
 *
 * `error` / `warning` / `notice` by severity.  GitHub shows each line as an
 * annotation on the pull request.  PATH is relative to the same root as
 * SARIF's %SRCROOT% (the git work tree's top level, else the project root),
 * which is what GitHub resolves annotation paths against.  Notes follow the
 * message on their own lines ("note: FILE:LINE:COL: text").
 *
 * Escaping (as GitHub's @actions/core does): property values encode `%`,
 * CR, LF, `:` and `,` as %25 %0D %0A %3A %2C; the message encodes `%`, CR
 * and LF.  Every other control character (and invalid UTF-8, C1 and bidi
 * controls) is first shown as \xNN / \uNNNN (util/term_escape.h), so no
 * control character ever reaches the log raw and none can start a second
 * workflow command.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_util.h"
#include "report/text_output.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

/* Writes s with the terminal escaping, then GitHub's: for a property value
 * `property` also encodes ':' and ','.  A newline (a line break inside a
 * message) becomes %0A; CR %0D. */
static void put_escaped(FILE *out, const char *s, bool property) {
    size_t len = s ? strlen(s) : 0;
    size_t i = 0;
    while (i < len) {
        char ch = s[i];
        if (ch == '\n' || ch == '\r' || ch == '%' || (property && (ch == ':' || ch == ','))) {
            fprintf(out, "%%%02X", (unsigned char)ch);
            i++;
            continue;
        }
        tl_term_unit u;
        tl_term_next(s, len, i, &u);
        if (!u.escaped && u.nbytes == 1 && ch == '\t') fputs("\\t", out); /* no raw tab either */
        else fwrite(u.shown, 1, u.nshown, out);
        i += u.nbytes;
    }
}

static const char *command_name(tl_severity s) {
    switch (s) {
    case TL_SEV_ERROR: return "error";
    case TL_SEV_NOTE: return "notice";
    default: return "warning";
    }
}

static bool is_word_byte(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch >= 0x80;
}

/* The column just past the identifier (or the one character) at `col` on
 * the source line, or 0 when the line cannot be read. */
static unsigned end_column(tl_source_cache *sources, const char *file, unsigned line,
                           unsigned col) {
    size_t len = 0;
    const char *text = line && col ? tl_source_cache_line(sources, file, line, &len) : NULL;
    size_t b = col - 1;
    if (!text || b >= len) return 0;
    size_t e = b;
    while (e < len && is_word_byte((unsigned char)text[e])) e++;
    if (e == b) e = b + 1;
    return (unsigned)e + 1;
}

/* The finding's path for GitHub: relative to the source root, else as
 * analysed. (malloc'd) */
static char *shown_path(const char *file, const char *source_root) {
    char *rel = tl_report_relpath(file, source_root);
    return rel ? rel : tl_xstrdup(file);
}

static void write_finding(FILE *out, const tl_finding *f, const char *source_root,
                          tl_source_cache *sources) {
    fprintf(out, "::%s ", command_name(f->severity));
    bool first = true;
    if (f->file && *f->file) {
        char *path = shown_path(f->file, source_root);
        fputs("file=", out);
        put_escaped(out, path, true);
        free(path);
        first = false;
        if (f->line) {
            fprintf(out, ",line=%u", f->line);
            if (f->col) {
                fprintf(out, ",col=%u", f->col);
                unsigned end = end_column(sources, f->file, f->line, f->col);
                if (end > f->col) fprintf(out, ",endColumn=%u", end);
            }
        }
    }
    fputs(first ? "title=" : ",title=", out);
    put_escaped(out, f->rule && *f->rule ? f->rule : "tasklint", true);
    fputs("::", out);
    put_escaped(out, f->message && *f->message ? f->message : "(no message)", false);
    for (size_t k = 0; k < f->nnotes; k++) {
        const tl_note *n = &f->notes[k];
        fputs("%0Anote: ", out);
        if (n->file && *n->file) {
            char *path = shown_path(n->file, source_root);
            put_escaped(out, path, false);
            free(path);
            fprintf(out, ":%u:%u: ", n->line, n->col);
        }
        put_escaped(out, n->message, false);
    }
    fputc('\n', out);
}

int tl_github_write(FILE *out, const tl_report_input *in) {
    char *project_root = tl_report_abspath(in->root && *in->root ? in->root : ".");
    char *source_root = tl_report_source_root(project_root);
    tl_source_cache *sources = tl_source_cache_new();
    const tl_findings *fs = in->findings;
    for (size_t i = 0; fs && i < fs->n; i++) {
        if (tl_report_dismissed(&fs->items[i])) continue;
        write_finding(out, &fs->items[i], source_root, sources);
    }
    tl_source_cache_free(sources);
    free(source_root);
    free(project_root);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
