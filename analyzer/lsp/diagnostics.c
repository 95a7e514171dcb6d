/* diagnostics.c - a document's findings as the client sees them:
 *
 *   - Diagnostic objects for textDocument/publishDiagnostics: the range of
 *     the flagged token (tasklint's columns are 1-based bytes; LSP
 *     characters are UTF-16 code units unless UTF-8 was negotiated),
 *     severity from the finding (the rule's), source "tasklint", code = the
 *     rule id, codeDescription.href = the rule's section of docs/rules.md,
 *     relatedInformation = the path notes (spawn site, leaking return, each
 *     step of a blocking chain);
 *   - hover text: the explanation of each rule flagged on a line (the text
 *     `tasklint --explain RULE` prints, report/explain.c);
 *   - code actions: a `tasklint-ignore-next-line(RULE): ` comment above the
 *     flagged line (report/suppress.h), with the cursor at the reason when
 *     the client takes snippet edits.
 * Only findings of the document's own file are shown (the worker names
 * them with the document's path), suppressed ones never.
 */
#include <stdlib.h>
#include <string.h>

#include "lsp/lsp.h"
#include "report/explain.h"
#include "report/suppress.h"
#include "util/xalloc.h"

/* the rule pages: docs/rules.md (generated from --explain); override with
   -DTASKLINT_DOCS_URL=... */
#ifndef TASKLINT_HOMEPAGE
#define TASKLINT_HOMEPAGE "https://github.com/tasklint/tasklint"
#endif
#ifndef TASKLINT_DOCS_URL
#define TASKLINT_DOCS_URL TASKLINT_HOMEPAGE "/blob/main/docs/rules.md"
#endif

char *tl_lsp_rule_href(const char *rule) { return tl_xasprintf("%s#%s", TASKLINT_DOCS_URL, rule); }

/* ---- positions ---- */

/* The start of each line of a text (built once per request: linear). */
typedef struct {
    size_t *start;
    size_t n;
} line_index;

static void index_build(line_index *ix, const char *text, size_t len) {
    size_t cap = 64;
    ix->start = tl_xmalloc(cap * sizeof *ix->start);
    ix->n = 0;
    ix->start[ix->n++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') {
            if (ix->n == cap) {
                cap *= 2;
                ix->start = tl_xrealloc(ix->start, cap * sizeof *ix->start);
            }
            ix->start[ix->n++] = i + 1;
        }
}

/* The bytes of 0-based line `line` (without its newline); false when the
 * text has no such line. */
static bool line_span(const line_index *ix, const tl_lsp_doc *d, unsigned line, const char **p,
                      size_t *n) {
    if (line >= ix->n) return false;
    size_t b = ix->start[line];
    size_t e = line + 1 < ix->n ? ix->start[line + 1] - 1 : d->len;
    if (e > b && d->text[e - 1] == '\r') e--;
    *p = d->text + b;
    *n = e - b;
    return true;
}

/* LSP characters in the first `bytes` bytes of a line. */
static unsigned chars_of(const tl_lsp_server *s, const char *p, size_t bytes) {
    if (s->utf8) return (unsigned)bytes;
    unsigned units = 0;
    for (size_t i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c & 0xC0) == 0x80) continue; /* a continuation byte */
        units += c >= 0xF0 ? 2 : 1;       /* outside the BMP: a surrogate pair */
    }
    return units;
}

static bool is_ident(unsigned char c) {
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}

static json_t *position(unsigned line, unsigned character) {
    return json_pack("{s:I,s:I}", "line", (json_int_t)line, "character", (json_int_t)character);
}

/* The range of the token at a 1-based line and byte column (an empty range
 * at the start of the file for line 0). */
static json_t *token_range(const tl_lsp_server *s, const tl_lsp_doc *d, const line_index *ix,
                           unsigned line1, unsigned col1) {
    const char *p;
    size_t n;
    if (line1 == 0 || !line_span(ix, d, line1 - 1, &p, &n))
        return json_pack("{s:o,s:o}", "start", position(line1 ? line1 - 1 : 0, 0), "end",
                         position(line1 ? line1 - 1 : 0, 0));
    size_t b = col1 ? col1 - 1 : 0;
    if (b > n) b = n;
    size_t e = b;
    while (e < n && is_ident((unsigned char)p[e])) e++;
    if (e == b && e < n) { /* not an identifier: one character */
        e++;
        while (e < n && ((unsigned char)p[e] & 0xC0) == 0x80) e++;
    }
    unsigned l = line1 - 1;
    return json_pack("{s:o,s:o}", "start", position(l, chars_of(s, p, b)), "end",
                     position(l, chars_of(s, p, e)));
}

/* s with every byte that is not part of valid UTF-8 replaced by '?' (a
 * finding's message quotes source text, which may be in any encoding; a
 * JSON string must be UTF-8). (malloc'd) */
static char *utf8_clean(const char *s) {
    size_t n = strlen(s);
    char *out = tl_xmalloc(n + 1);
    size_t i = 0, k = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t j = 1; ok && j < len; j++) ok = ((unsigned char)s[i + j] & 0xC0) == 0x80;
        if (ok && len == 3) { /* no overlong forms, no surrogates */
            unsigned char c1 = (unsigned char)s[i + 1];
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
        } else if (ok && len == 4) {
            unsigned char c1 = (unsigned char)s[i + 1];
            ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (!ok) {
            out[k++] = '?';
            i++;
            continue;
        }
        memcpy(out + k, s + i, len);
        k += len;
        i += len;
    }
    out[k] = 0;
    return out;
}

/* Whether a finding is shown for the document. */
static bool shown(const tl_lsp_doc *d, const tl_finding *f) {
    return !f->suppressed && f->file && d->path && !strcmp(f->file, d->path);
}

static int lsp_severity(tl_severity s) {
    switch (s) {
    case TL_SEV_ERROR: return 1;
    case TL_SEV_WARNING: return 2;
    default: return 3; /* Information */
    }
}

json_t *tl_lsp_diagnostics(const tl_lsp_server *s, const tl_lsp_doc *d) {
    json_t *arr = json_array();
    line_index ix;
    index_build(&ix, d->text, d->len);
    for (size_t i = 0; i < d->findings.n; i++) {
        const tl_finding *f = &d->findings.items[i];
        if (!shown(d, f)) continue;
        char *href = tl_lsp_rule_href(f->rule);
        char *msg = utf8_clean(f->message ? f->message : "");
        json_t *diag = json_pack("{s:o,s:i,s:s,s:s,s:{s:s},s:s}", "range",
                                 token_range(s, d, &ix, f->line, f->col), "severity",
                                 lsp_severity(f->severity), "source", "tasklint", "code", f->rule,
                                 "codeDescription", "href", href, "message", msg);
        free(href);
        free(msg);
        if (!diag) continue; /* not UTF-8: jansson refuses it */
        if (f->nnotes) {
            json_t *rel = json_array();
            for (size_t k = 0; k < f->nnotes; k++) {
                const tl_note *n = &f->notes[k];
                if (!n->file || n->file[0] != '/') continue;
                char *uri = tl_lsp_path_to_uri(n->file);
                json_t *range;
                if (!strcmp(n->file, d->path)) {
                    range = token_range(s, d, &ix, n->line, n->col);
                } else { /* another file: its text is not at hand, the byte column it is */
                    unsigned l = n->line ? n->line - 1 : 0, c = n->col ? n->col - 1 : 0;
                    range = json_pack("{s:o,s:o}", "start", position(l, c), "end", position(l, c));
                }
                char *nm = utf8_clean(n->message ? n->message : "");
                json_t *ri = json_pack("{s:{s:s,s:o},s:s}", "location", "uri", uri, "range", range,
                                       "message", nm);
                free(uri);
                free(nm);
                if (ri) json_array_append_new(rel, ri);
            }
            json_object_set_new(diag, "relatedInformation", rel);
        }
        json_array_append_new(arr, diag);
    }
    free(ix.start);
    json_t *params = json_pack("{s:s,s:o}", "uri", d->uri, "diagnostics", arr);
    if (params && d->have_findings) json_object_set_new(params, "version", json_integer(d->version));
    return params;
}

/* The distinct rules of the findings shown on lines first..last (0-based),
 * in order. (malloc'd, NULL-ended, borrowed strings) */
static const char **rules_on(const tl_lsp_doc *d, unsigned first, unsigned last, unsigned **lines) {
    const char **rules = tl_xcalloc(d->findings.n + 1, sizeof *rules);
    *lines = tl_xcalloc(d->findings.n + 1, sizeof **lines);
    size_t n = 0;
    for (size_t i = 0; i < d->findings.n; i++) {
        const tl_finding *f = &d->findings.items[i];
        if (!shown(d, f) || f->line == 0 || f->line - 1 < first || f->line - 1 > last) continue;
        /* the findings are sorted by line: only this line's entries, at the
           end, can be the same */
        bool seen = false;
        for (size_t k = n; k > 0 && (*lines)[k - 1] == f->line - 1 && !seen; k--)
            seen = !strcmp(rules[k - 1], f->rule);
        if (seen) continue;
        (*lines)[n] = f->line - 1;
        rules[n++] = f->rule;
    }
    return rules;
}

json_t *tl_lsp_hover(const tl_lsp_server *s, const tl_lsp_doc *d, unsigned line) {
    (void)s;
    unsigned *lines;
    const char **rules = rules_on(d, line, line, &lines);
    char *text = tl_xstrdup("");
    for (size_t i = 0; rules[i]; i++) {
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) dup = !strcmp(rules[k], rules[i]);
        if (dup) continue;
        char *ex = tl_explain_text(rules[i]);
        if (!ex) continue;
        char *t = tl_xasprintf("%s%s%s", text, *text ? "\n---\n\n" : "", ex);
        free(ex);
        free(text);
        text = t;
    }
    free(rules);
    free(lines);
    if (!*text) {
        free(text);
        return json_null();
    }
    json_t *r = json_pack("{s:{s:s,s:s}}", "contents", "kind", "markdown", "value", text);
    free(text);
    return r ? r : json_null();
}

/* Escapes $, } and \ for a snippet. (malloc'd) */
static char *snippet_escape(const char *s) {
    char *out = tl_xmalloc(2 * strlen(s) + 1);
    size_t k = 0;
    for (; *s; s++) {
        if (*s == '$' || *s == '}' || *s == '\\') out[k++] = '\\';
        out[k++] = *s;
    }
    out[k] = 0;
    return out;
}

/* The client's diagnostics (from the request) of `rule` on `line`: copies. */
static json_t *matching(json_t *context_diags, const char *rule, unsigned line) {
    json_t *out = json_array();
    size_t i;
    json_t *cd;
    json_array_foreach(context_diags, i, cd) {
        json_t *code = json_object_get(cd, "code");
        json_t *l = json_object_get(json_object_get(json_object_get(cd, "range"), "start"), "line");
        if (json_is_string(code) && !strcmp(json_string_value(code), rule) && json_is_integer(l) &&
            json_integer_value(l) == (json_int_t)line)
            json_array_append_new(out, json_deep_copy(cd));
    }
    return out;
}

json_t *tl_lsp_code_actions(const tl_lsp_server *s, const tl_lsp_doc *d, unsigned first,
                            unsigned last, json_t *context_diags) {
    json_t *actions = json_array();
    unsigned *lines;
    const char **rules = rules_on(d, first, last, &lines);
    line_index ix;
    index_build(&ix, d->text, d->len);
    for (size_t i = 0; rules[i]; i++) {
        if (!tl_suppress_rule_suppressible(rules[i])) continue;
        const char *p = "";
        size_t n = 0;
        line_span(&ix, d, lines[i], &p, &n);
        size_t ind = 0;
        while (ind < n && (p[ind] == ' ' || p[ind] == '\t')) ind++;
        char *indent = tl_xstrndup(p, ind);
        char *plain = tl_xasprintf("%s// tasklint-ignore-next-line(%s): \n", indent, rules[i]);
        char *title = tl_xasprintf("Suppress %s on line %u (tasklint-ignore-next-line)", rules[i],
                                   lines[i] + 1);
        json_t *range = json_pack("{s:o,s:o}", "start", position(lines[i], 0), "end",
                                  position(lines[i], 0));
        json_t *edit;
        if (s->snippet_edits || s->experimental_snippets) {
            char *ei = snippet_escape(indent);
            char *snip = tl_xasprintf("%s// tasklint-ignore-next-line(%s): $0\n", ei, rules[i]);
            json_t *te = s->snippet_edits
                             ? json_pack("{s:o,s:{s:s,s:s}}", "range", range, "snippet", "kind",
                                         "snippet", "value", snip)
                             : json_pack("{s:o,s:s,s:i}", "range", range, "newText", snip,
                                         "insertTextFormat", 2);
            edit = json_pack("{s:[{s:{s:s,s:I},s:[o]}]}", "documentChanges", "textDocument", "uri",
                             d->uri, "version", (json_int_t)d->version, "edits", te);
            free(ei);
            free(snip);
        } else {
            json_t *te = json_pack("{s:o,s:s}", "range", range, "newText", plain);
            edit = json_pack("{s:{s:[o]}}", "changes", d->uri, te);
        }
        json_t *a = json_pack("{s:s,s:s,s:o}", "title", title, "kind", "quickfix", "edit", edit);
        json_t *diags = context_diags ? matching(context_diags, rules[i], lines[i]) : NULL;
        if (a && diags && json_array_size(diags)) json_object_set(a, "diagnostics", diags);
        json_decref(diags);
        if (a) json_array_append_new(actions, a);
        free(indent);
        free(plain);
        free(title);
    }
    free(ix.start);
    free(rules);
    free(lines);
    return actions;
}
