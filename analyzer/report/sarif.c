/* sarif.c - SARIF 2.1.0 output, complete for GitHub code scanning.
 *
 * One run per file.  What is emitted and why is documented in docs/sarif.md;
 * in short:
 *   - tool.driver: every rule of tl_rules plus the pseudo-rules
 *     clang-diagnostic, suppression and analysis-limit, with descriptions, help (text and
 *     markdown: the doc --explain prints), level, tags, precision and
 *     problem.severity;
 *   - results: URIs relative to %SRCROOT% (the git work tree's top level
 *     above the project root, else the project root; originalUriBaseIds
 *     gives it as an absolute file URI), regions in UTF-16 code units (columnKind
 *     utf16CodeUnits: libclang's byte columns are converted by reading the
 *     source line), partialFingerprints {"tasklint/v1": ...}, codeFlows and
 *     relatedLocations from the notes, baselineState, suppressions;
 *   - clang-diagnostic and analysis-limit findings and fatal errors are
 *     invocations[0].toolExecutionNotifications, not results: they say
 *     what the tool could not check, not what is wrong with the code.
 * All JSON goes through util/json_writer.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/analysis_limit.h"
#include "report/report.h"
#include "report/report_util.h"
#include "report/sarif_message.h"
#include "report/suppress_reason.h"
#include "report/text_output.h"
#include "rules/rule.h"
#include "util/json_writer.h"
#include "util/xalloc.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif
/* driver.informationUri (docs/sarif.md); override with -DTASKLINT_HOMEPAGE=... */
#ifndef TASKLINT_HOMEPAGE
#define TASKLINT_HOMEPAGE "https://github.com/tasklint/tasklint"
#endif

#define SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT "%SRCROOT%"
#define FINGERPRINT_KEY "tasklint/v1"

/* GitHub code scanning limits (docs/sarif.md). */
#define GH_MAX_DESCRIPTION 1024 /* shortDescription / fullDescription, characters */
#define GH_MAX_RULE_NAME 255
#define GH_MAX_TAGS 20
#define GH_MAX_RESULTS 25000    /* per run; above it the upload is rejected */
#define GH_MAX_FLOW_STEPS 1000  /* thread-flow locations GitHub keeps per result */
#define GH_MAX_RELATED 1000     /* locations per result */
#define MAX_MESSAGE_BYTES 4096  /* our own cap on message.text */

/* ---- rules ---- */

typedef struct {
    const char *id, *name, *summary, *doc, *tags, *precision;
    tl_severity severity;
} rule_desc;

typedef struct {
    rule_desc *rules;
    size_t nrules;
    const tl_report_input *in;
    tl_source_cache *sources;
    tl_suppress_reasons *reasons; /* suppressions[].justification */
    char *root;         /* %SRCROOT%, absolute (source_root) */
    char *project_root; /* in->root, absolute: base of the baseline's relative paths */
} sarif_ctx;

static void build_rules(sarif_ctx *c) {
    size_t n = tl_rule_count();
    size_t npseudo = 0;
    while (tl_pseudo_rules[npseudo].id) npseudo++;
    c->rules = tl_xcalloc(n + npseudo, sizeof *c->rules);
    for (size_t i = 0; i < n; i++) {
        const tl_rule *r = tl_rules[i];
        c->rules[i] = (rule_desc){r->id, r->name, r->summary, r->doc, r->tags,
                                  r->precision ? r->precision : "medium", r->severity};
    }
    for (size_t i = 0; tl_pseudo_rules[i].id; i++) {
        const tl_pseudo_rule *p = &tl_pseudo_rules[i];
        c->rules[n++] = (rule_desc){p->id, p->name, p->summary, p->doc, p->tags, "very-high", p->severity};
    }
    c->nrules = n;
}

static int rule_index(const sarif_ctx *c, const char *id) {
    for (size_t i = 0; i < c->nrules; i++)
        if (id && !strcmp(c->rules[i].id, id)) return (int)i;
    return -1;
}

static const char *level_name(tl_severity s) {
    switch (s) {
    case TL_SEV_ERROR: return "error";
    case TL_SEV_NOTE: return "note";
    default: return "warning";
    }
}

static const char *problem_severity(tl_severity s) {
    switch (s) {
    case TL_SEV_ERROR: return "error";
    case TL_SEV_NOTE: return "recommendation";
    default: return "warning";
    }
}

static bool nonempty(const char *s) { return s && *s; }

/* Text of at most `max` bytes, cut at a UTF-8 boundary (with "..." when
 * cut; at a sentence end when one is near enough). (malloc'd) */
static char *limit_text(const char *s, size_t max, bool sentence) {
    size_t n = strlen(s);
    if (n <= max) return tl_xstrdup(s);
    size_t cut = tl_utf8_truncate_len(s, n, max - 3);
    if (sentence) {
        for (size_t i = cut; i > max / 2; i--)
            if (s[i - 1] == '.' && (s[i] == ' ' || s[i] == '\n')) return tl_xstrndup(s, i);
    }
    char *out = tl_xmalloc(cut + 4);
    memcpy(out, s, cut);
    memcpy(out + cut, "...", 4);
    return out;
}

/* Markdown -> plain text: code fence lines dropped, the markers of ATX
 * headings ("## Example") removed; code inside fences is kept as it is
 * ("#include" stays). */
static char *markdown_to_text(const char *md) {
    size_t n = strlen(md);
    char *out = tl_xmalloc(n + 1);
    size_t o = 0;
    const char *p = md;
    bool in_code = false;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (q < p + len && *q == ' ') q++;
        if (p + len - q >= 3 && !strncmp(q, "```", 3)) {
            in_code = !in_code;
        } else {
            const char *s = p;
            if (!in_code && *s == '#') {
                const char *h = s;
                while (h < p + len && *h == '#') h++;
                if (h - s <= 6 && (h == p + len || *h == ' ')) {
                    while (h < p + len && *h == ' ') h++;
                    s = h;
                }
            }
            memcpy(out + o, s, (size_t)(p + len - s));
            o += (size_t)(p + len - s);
            if (e) out[o++] = '\n';
        }
        p = e ? e + 1 : p + len;
    }
    out[o] = '\0';
    return out;
}

/* The body of the "## What it does" section as one plain paragraph per
 * markdown paragraph (lines joined with spaces). (malloc'd, may be "") */
static char *what_it_does(const char *md) {
    const char *s = md ? strstr(md, "## What it does") : NULL;
    if (!s) return tl_xstrdup("");
    s = strchr(s, '\n');
    if (!s) return tl_xstrdup("");
    const char *end = strstr(s, "\n## ");
    size_t n = end ? (size_t)(end - s) : strlen(s);
    char *out = tl_xmalloc(n + 1);
    size_t o = 0;
    int newlines = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\n') {
            newlines++;
            continue;
        }
        if (newlines && o) {
            if (newlines >= 2) {
                out[o++] = '\n';
                out[o++] = '\n';
            } else if (out[o - 1] != ' ') {
                out[o++] = ' ';
            }
        }
        newlines = 0;
        out[o++] = ch;
    }
    while (o && (out[o - 1] == ' ' || out[o - 1] == '\n')) o--;
    out[o] = '\0';
    return out;
}

static void write_rule(tl_jw *w, const rule_desc *r) {
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "id", r->id);
    if (nonempty(r->name)) {
        char *name = limit_text(r->name, GH_MAX_RULE_NAME, false);
        tl_jw_kv_string(w, "name", name);
        free(name);
    }
    const char *summary = nonempty(r->summary) ? r->summary : r->id;
    char *shortd = limit_text(summary, GH_MAX_DESCRIPTION, true);
    tl_jw_key(w, "shortDescription");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "text", shortd);
    tl_jw_object_end(w);
    free(shortd);

    char *full = what_it_does(r->doc);
    char *fulld = limit_text(*full ? full : summary, GH_MAX_DESCRIPTION, true);
    tl_jw_key(w, "fullDescription");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "text", fulld);
    tl_jw_object_end(w);
    free(fulld);
    free(full);

    const char *md = nonempty(r->doc) ? r->doc : summary;
    char *text = markdown_to_text(md);
    tl_jw_key(w, "help");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "text", nonempty(text) ? text : summary);
    tl_jw_kv_string(w, "markdown", md);
    tl_jw_object_end(w);
    free(text);

    tl_jw_key(w, "defaultConfiguration");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "level", level_name(r->severity));
    tl_jw_object_end(w);

    tl_jw_key(w, "properties");
    tl_jw_object_begin(w);
    if (nonempty(r->tags)) {
        tl_jw_key(w, "tags");
        tl_jw_array_begin(w);
        int ntags = 0;
        const char *p = r->tags;
        while (*p && ntags < GH_MAX_TAGS) {
            while (*p == ',' || *p == ' ') p++;
            const char *e = p;
            while (*e && *e != ',') e++;
            const char *t = e;
            while (t > p && t[-1] == ' ') t--;
            if (t > p) {
                tl_jw_string_n(w, p, (size_t)(t - p));
                ntags++;
            }
            p = e;
        }
        tl_jw_array_end(w);
    }
    tl_jw_kv_string(w, "precision", r->precision);
    tl_jw_kv_string(w, "problem.severity", problem_severity(r->severity));
    tl_jw_object_end(w);
    tl_jw_object_end(w);
}

/* ---- locations ---- */

/* UTF-16 code units in line[0..off) (bytes past the line's end count one
 * each; an invalid byte counts as one U+FFFD). */
static unsigned utf16_units(const char *line, size_t len, size_t off) {
    size_t lim = off < len ? off : len;
    unsigned units = 0;
    size_t i = 0;
    const unsigned char *u = (const unsigned char *)line;
    while (i < lim) {
        uint32_t cp = 0;
        size_t k = tl_utf8_valid_seq(u + i, len - i, &cp);
        if (k == 0) {
            k = 1;
            cp = 0xFFFD;
        }
        units += cp >= 0x10000 ? 2 : 1;
        i += k;
    }
    return units + (unsigned)(off - lim);
}

static bool is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool is_ident(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch >= 0x80;
}

/* End (byte offset, exclusive) of the snippet's text when the line has it
 * at `b` (the snippet has whitespace runs collapsed to one space); a
 * statement that goes on to the next line ends at the line's last matched
 * character.  0 when the text there is not the snippet. */
static size_t snippet_end(const char *line, size_t len, size_t b, const char *snip) {
    size_t i = b, j = 0, end = 0;
    while (snip[j]) {
        if (i >= len) break;
        if (is_space(line[i])) {
            while (i < len && is_space(line[i])) i++;
            if (snip[j] == ' ') j++;
            continue;
        }
        if (snip[j] == ' ' || line[i] != snip[j]) return 0;
        i++;
        j++;
        end = i;
    }
    return end > b ? end : 0;
}

typedef struct {
    bool has;                 /* startLine known */
    bool cols;                /* columns known */
    unsigned sl, sc, el, ec;  /* UTF-16 columns */
} region;

static region compute_region(sarif_ctx *c, const char *file, unsigned line, unsigned col,
                             const char *snippet) {
    region r = {0};
    if (line == 0) return r;
    r.has = true;
    r.sl = r.el = line;
    if (col == 0) return r;
    r.cols = true;
    size_t len = 0;
    const char *text = tl_source_cache_line(c->sources, file, line, &len);
    size_t b = col - 1;
    if (!text || b >= len) {
        r.sc = col;
        r.ec = col + 1;
        return r;
    }
    size_t e = snippet && *snippet ? snippet_end(text, len, b, snippet) : 0;
    if (!e) {
        const unsigned char *u = (const unsigned char *)text;
        e = b;
        while (e < len && is_ident(u[e])) e++;
        if (e == b) {
            size_t k = tl_utf8_valid_seq(u + b, len - b, NULL);
            e = b + (k ? k : 1);
        }
    }
    r.sc = utf16_units(text, len, b) + 1;
    r.ec = utf16_units(text, len, e) + 1;
    if (r.ec <= r.sc) r.ec = r.sc + 1;
    return r;
}

static void write_artifact_location(sarif_ctx *c, tl_jw *w, const char *file) {
    tl_jw_key(w, "artifactLocation");
    tl_jw_object_begin(w);
    char *rel = tl_report_relpath(file, c->root);
    if (rel) {
        char *uri = tl_report_uri_encode(rel);
        tl_jw_kv_string(w, "uri", uri);
        tl_jw_kv_string(w, "uriBaseId", SRCROOT);
        free(uri);
        free(rel);
    } else {
        char *uri = tl_report_file_uri(file, false);
        tl_jw_kv_string(w, "uri", uri);
        free(uri);
    }
    tl_jw_object_end(w);
}

static void write_physical(sarif_ctx *c, tl_jw *w, const char *file, unsigned line, unsigned col,
                           const char *snippet) {
    tl_jw_key(w, "physicalLocation");
    tl_jw_object_begin(w);
    write_artifact_location(c, w, file);
    region r = compute_region(c, file, line, col, snippet);
    if (r.has) {
        tl_jw_key(w, "region");
        tl_jw_object_begin(w);
        tl_jw_kv_int(w, "startLine", r.sl);
        if (r.cols) tl_jw_kv_int(w, "startColumn", r.sc);
        tl_jw_kv_int(w, "endLine", r.el);
        if (r.cols) tl_jw_kv_int(w, "endColumn", r.ec);
        tl_jw_object_end(w);
    }
    tl_jw_object_end(w);
}

static void write_message(tl_jw *w, const char *text) {
    char *t = limit_text(nonempty(text) ? text : "(no message)", MAX_MESSAGE_BYTES, false);
    tl_jw_key(w, "message");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "text", t);
    tl_jw_object_end(w);
    free(t);
}

/* A location object: {id?, physicalLocation, message?, logicalLocations?} */
static void write_location(sarif_ctx *c, tl_jw *w, int id, const char *file, unsigned line,
                           unsigned col, const char *snippet, const char *message,
                           const char *function) {
    tl_jw_object_begin(w);
    if (id >= 0) tl_jw_kv_int(w, "id", id);
    write_physical(c, w, file, line, col, snippet);
    if (nonempty(message)) write_message(w, message);
    if (nonempty(function)) {
        tl_jw_key(w, "logicalLocations");
        tl_jw_array_begin(w);
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "name", function);
        tl_jw_kv_string(w, "kind", "function");
        tl_jw_object_end(w);
        tl_jw_array_end(w);
    }
    tl_jw_object_end(w);
}

/* ---- results ---- */

static bool is_clang_diagnostic(const tl_finding *f) {
    return f->rule && !strcmp(f->rule, "clang-diagnostic");
}

static bool is_analysis_limit(const tl_finding *f) {
    return f->rule && !strcmp(f->rule, TL_ANALYSIS_LIMIT_RULE);
}

static bool emits_result(const sarif_ctx *c, const tl_finding *f) {
    if (is_clang_diagnostic(f) || is_analysis_limit(f)) return false;
    if (f->suppressed && !c->in->include_suppressed) return false;
    return true;
}

/* Paths of findings are as analysed (absolute, or relative to the current
 * directory); those of absent findings come from a baseline and are
 * relative to the root. (malloc'd, or NULL for NULL) */
static char *resolve_path(const sarif_ctx *c, const char *file, bool absent) {
    if (!file) return NULL;
    if (absent && *file && file[0] != '/') return tl_xasprintf("%s/%s", c->project_root, file);
    return tl_xstrdup(file);
}

static void write_result(sarif_ctx *c, tl_jw *w, const tl_finding *src, bool absent) {
    /* a shallow copy with the paths resolved */
    tl_finding copy = *src;
    const tl_finding *f = &copy;
    copy.file = resolve_path(c, src->file, absent);
    copy.notes = src->nnotes ? tl_xcalloc(src->nnotes, sizeof *copy.notes) : NULL;
    for (size_t k = 0; k < src->nnotes; k++) {
        copy.notes[k] = src->notes[k];
        copy.notes[k].file = resolve_path(c, src->notes[k].file, absent);
    }
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "ruleId", nonempty(f->rule) ? f->rule : "unknown");
    int ri = rule_index(c, f->rule);
    if (ri >= 0) tl_jw_kv_int(w, "ruleIndex", ri);
    tl_jw_kv_string(w, "level", level_name(f->severity));
    size_t nnotes = 0;
    for (size_t k = 0; k < f->nnotes; k++) nnotes += nonempty(f->notes[k].file);
    if (nnotes && nonempty(f->file)) {
        char *text = limit_text(nonempty(f->message) ? f->message : "(no message)",
                                MAX_MESSAGE_BYTES / 2, false);
        char *msg = tl_sarif_linked_message(text, f, GH_MAX_RELATED);
        free(text);
        tl_jw_key(w, "message");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "text", msg);
        tl_jw_object_end(w);
        free(msg);
    } else {
        write_message(w, f->message);
    }
    if (nonempty(f->file)) {
        tl_jw_key(w, "locations");
        tl_jw_array_begin(w);
        write_location(c, w, -1, f->file, f->line, f->col, f->snippet, NULL, f->function);
        tl_jw_array_end(w);
    }
    if (nonempty(f->fingerprint)) {
        tl_jw_key(w, "partialFingerprints");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, FINGERPRINT_KEY, f->fingerprint);
        tl_jw_object_end(w);
    }
    if (nnotes && nonempty(f->file)) {
        tl_jw_key(w, "relatedLocations");
        tl_jw_array_begin(w);
        int id = 1;
        for (size_t k = 0; k < f->nnotes && id <= GH_MAX_RELATED; k++) {
            const tl_note *n = &f->notes[k];
            if (!nonempty(n->file)) continue;
            write_location(c, w, id++, n->file, n->line, n->col, NULL, n->message, NULL);
        }
        tl_jw_array_end(w);

        /* the path in the order it runs: the notes that come before the
           primary location (a start, a registration), the primary location,
           then the other notes, each group in its order */
        tl_jw_key(w, "codeFlows");
        tl_jw_array_begin(w);
        tl_jw_object_begin(w);
        tl_jw_key(w, "threadFlows");
        tl_jw_array_begin(w);
        tl_jw_object_begin(w);
        tl_jw_key(w, "locations");
        tl_jw_array_begin(w);
        long *path = tl_xmalloc((f->nnotes + 1) * sizeof *path);
        tl_finding_path(f, path);
        size_t steps = 1; /* the primary location's, always written */
        for (size_t k = 0; k <= f->nnotes; k++) {
            const tl_note *n = path[k] >= 0 ? &f->notes[path[k]] : NULL;
            if (n && (!nonempty(n->file) || steps >= GH_MAX_FLOW_STEPS)) continue;
            tl_jw_object_begin(w);
            tl_jw_key(w, "location");
            if (n) write_location(c, w, -1, n->file, n->line, n->col, NULL, n->message, NULL);
            else write_location(c, w, -1, f->file, f->line, f->col, f->snippet, f->message, f->function);
            tl_jw_kv_string(w, "importance", "essential");
            tl_jw_object_end(w);
            if (n) steps++;
        }
        free(path);
        tl_jw_array_end(w);
        tl_jw_object_end(w);
        tl_jw_array_end(w);
        tl_jw_object_end(w);
        tl_jw_array_end(w);
    }
    const char *bs = absent ? "absent"
                            : c->in->baseline_compared ? tl_report_baseline_name(f->baseline_state)
                                                       : NULL;
    if (bs) tl_jw_kv_string(w, "baselineState", bs);
    if (f->suppressed) {
        tl_jw_key(w, "suppressions");
        tl_jw_array_begin(w);
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "kind", "inSource");
        char *reason = absent ? NULL : tl_suppress_reasons_for(c->reasons, f);
        if (reason) tl_jw_kv_string(w, "justification", reason);
        free(reason);
        tl_jw_object_end(w);
        tl_jw_array_end(w);
    }
    const char *triage = tl_report_triage_name(f->triage);
    if (triage) {
        tl_jw_key(w, "properties");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "triage", triage);
        if (nonempty(f->triage_reason)) tl_jw_kv_string(w, "triageReason", f->triage_reason);
        tl_jw_object_end(w);
    }
    tl_jw_object_end(w);
    for (size_t k = 0; k < copy.nnotes; k++) free(copy.notes[k].file);
    free(copy.notes);
    free(copy.file);
}

/* ---- version control ---- */

/* runs[0].versionControlProvenance: the repository (its origin remote, else
 * the work tree as a file URI), the HEAD commit and branch; mappedTo
 * %SRCROOT% when that is the work tree's top level. */
static void write_version_control(sarif_ctx *c, tl_jw *w) {
    const tl_report_input *in = c->in;
    if (!nonempty(in->vcs_toplevel) || !nonempty(in->vcs_revision)) return;
    char *top = tl_report_abspath(in->vcs_toplevel);
    char *repo = tl_report_repository_uri(in->vcs_remote);
    if (!repo) repo = tl_report_file_uri(top, true);
    tl_jw_key(w, "versionControlProvenance");
    tl_jw_array_begin(w);
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "repositoryUri", repo);
    tl_jw_kv_string(w, "revisionId", in->vcs_revision);
    if (nonempty(in->vcs_branch)) tl_jw_kv_string(w, "branch", in->vcs_branch);
    if (!strcmp(top, c->root)) {
        tl_jw_key(w, "mappedTo");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "uriBaseId", SRCROOT);
        tl_jw_object_end(w);
    }
    tl_jw_object_end(w);
    tl_jw_array_end(w);
    free(repo);
    free(top);
}

/* ---- invocation ---- */

static void write_invocation(sarif_ctx *c, tl_jw *w, size_t dropped) {
    const tl_report_input *in = c->in;
    tl_jw_object_begin(w);
    tl_jw_kv_bool(w, "executionSuccessful", in->execution_successful);
    if (nonempty(in->command_line)) tl_jw_kv_string(w, "commandLine", in->command_line);
    if (nonempty(in->start_time_utc)) tl_jw_kv_string(w, "startTimeUtc", in->start_time_utc);
    if (nonempty(in->end_time_utc)) tl_jw_kv_string(w, "endTimeUtc", in->end_time_utc);
    char *cwd = getcwd(NULL, 0);
    if (cwd) {
        char *uri = tl_report_file_uri(cwd, true);
        tl_jw_key(w, "workingDirectory");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "uri", uri);
        tl_jw_object_end(w);
        free(uri);
        free(cwd);
    }
    tl_jw_key(w, "toolExecutionNotifications");
    tl_jw_array_begin(w);
    int cd = rule_index(c, "clang-diagnostic");
    const tl_findings *fs = in->findings;
    for (size_t i = 0; fs && i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        if (!is_clang_diagnostic(f)) continue;
        tl_jw_object_begin(w);
        /* errors; a note names the functions they left unchecked */
        tl_jw_kv_string(w, "level", level_name(f->severity));
        write_message(w, f->message);
        if (nonempty(f->file)) {
            tl_jw_key(w, "locations");
            tl_jw_array_begin(w);
            write_location(c, w, -1, f->file, f->line, f->col, NULL, NULL, NULL);
            tl_jw_array_end(w);
        }
        tl_jw_key(w, "associatedRule");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "id", "clang-diagnostic");
        tl_jw_kv_int(w, "index", cd);
        tl_jw_object_end(w);
        tl_jw_object_end(w);
    }
    int al = rule_index(c, TL_ANALYSIS_LIMIT_RULE);
    for (size_t i = 0; fs && i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        if (!is_analysis_limit(f)) continue;
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "level", level_name(f->severity));
        write_message(w, f->message);
        if (nonempty(f->file)) {
            tl_jw_key(w, "locations");
            tl_jw_array_begin(w);
            write_location(c, w, -1, f->file, f->line, f->col, NULL, NULL, f->function);
            tl_jw_array_end(w);
        }
        tl_jw_key(w, "associatedRule");
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "id", TL_ANALYSIS_LIMIT_RULE);
        tl_jw_kv_int(w, "index", al);
        tl_jw_object_end(w);
        tl_jw_object_end(w);
    }
    for (int i = 0; i < in->nfatal; i++) {
        if (!in->fatal_messages || !nonempty(in->fatal_messages[i])) continue;
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "level", "error");
        write_message(w, in->fatal_messages[i]);
        tl_jw_object_end(w);
    }
    if (dropped) {
        char *msg = tl_xasprintf("%zu results were left out: GitHub code scanning accepts at most "
                                 "%d results per run",
                                 dropped, GH_MAX_RESULTS);
        tl_jw_object_begin(w);
        tl_jw_kv_string(w, "level", "warning");
        write_message(w, msg);
        tl_jw_object_end(w);
        free(msg);
    }
    tl_jw_array_end(w);
    tl_jw_key(w, "properties");
    tl_jw_object_begin(w);
    tl_jw_kv_int(w, "filesAnalysed", in->files_analysed);
    tl_jw_kv_int(w, "filesFailed", in->files_failed);
    tl_jw_object_end(w);
    tl_jw_object_end(w);
}

int tl_sarif_write(FILE *out, const tl_report_input *in) {
    sarif_ctx c = {.in = in};
    build_rules(&c);
    c.sources = tl_source_cache_new();
    c.reasons = tl_suppress_reasons_new(c.sources);
    c.project_root = tl_report_abspath(nonempty(in->root) ? in->root : ".");
    c.root = tl_report_source_root(c.project_root);

    /* results that will be written (capped at GitHub's limit) */
    size_t nres = 0, dropped = 0;
    const tl_findings *fs = in->findings;
    for (size_t i = 0; fs && i < fs->n; i++) nres += emits_result(&c, &fs->items[i]);
    for (size_t i = 0; in->absent && i < in->absent->n; i++)
        nres += emits_result(&c, &in->absent->items[i]);
    if (nres > GH_MAX_RESULTS) dropped = nres - GH_MAX_RESULTS;

    tl_jw *w = tl_jw_new(out);
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "$schema", SARIF_SCHEMA_URI);
    tl_jw_kv_string(w, "version", "2.1.0");
    tl_jw_key(w, "runs");
    tl_jw_array_begin(w);
    tl_jw_object_begin(w);

    const char *version = nonempty(in->tool_version) ? in->tool_version : TASKLINT_VERSION;
    tl_jw_key(w, "tool");
    tl_jw_object_begin(w);
    tl_jw_key(w, "driver");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "name", "tasklint");
    tl_jw_kv_string(w, "semanticVersion", version);
    tl_jw_kv_string(w, "version", version);
    tl_jw_kv_string(w, "informationUri", TASKLINT_HOMEPAGE);
    tl_jw_key(w, "rules");
    tl_jw_array_begin(w);
    for (size_t i = 0; i < c.nrules; i++) write_rule(w, &c.rules[i]);
    tl_jw_array_end(w);
    tl_jw_object_end(w);
    tl_jw_object_end(w);

    tl_jw_key(w, "invocations");
    tl_jw_array_begin(w);
    write_invocation(&c, w, dropped);
    tl_jw_array_end(w);

    char *root_uri = tl_report_file_uri(c.root, true);
    tl_jw_key(w, "originalUriBaseIds");
    tl_jw_object_begin(w);
    tl_jw_key(w, SRCROOT);
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "uri", root_uri);
    tl_jw_object_end(w);
    tl_jw_object_end(w);
    free(root_uri);

    write_version_control(&c, w);
    tl_jw_kv_string(w, "columnKind", "utf16CodeUnits");

    tl_jw_key(w, "results");
    tl_jw_array_begin(w);
    size_t written = 0, limit = nres - dropped;
    for (size_t i = 0; fs && i < fs->n && written < limit; i++) {
        if (!emits_result(&c, &fs->items[i])) continue;
        write_result(&c, w, &fs->items[i], false);
        written++;
    }
    for (size_t i = 0; in->absent && i < in->absent->n && written < limit; i++) {
        if (!emits_result(&c, &in->absent->items[i])) continue;
        write_result(&c, w, &in->absent->items[i], true);
        written++;
    }
    tl_jw_array_end(w);

    tl_jw_object_end(w); /* run */
    tl_jw_array_end(w);
    tl_jw_object_end(w);
    int rc = tl_jw_finish(w);

    tl_suppress_reasons_free(c.reasons);
    tl_source_cache_free(c.sources);
    free(c.root);
    free(c.project_root);
    free(c.rules);
    return rc;
}
