/* json_output.c - tasklint's own JSON format (--format json), version 1.
 *
 * The schema, its fields and the compatibility promise are documented in
 * docs/json-output.md.  Every key is always present (null when unknown), in
 * a fixed order, one per line, so a diff of two outputs is line-stable.
 * All JSON goes through util/json_writer.h.
 */
#include <stdlib.h>
#include <string.h>

#include "report/analysis_limit.h"
#include "report/report.h"
#include "report/report_util.h"
#include "rules/rule.h"
#include "util/json_writer.h"
#include "util/xalloc.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

#define JSON_OUTPUT_VERSION 1

static const char *pseudo_rules[] = {"clang-diagnostic", "suppression", TL_ANALYSIS_LIMIT_RULE};
#define NPSEUDO (sizeof pseudo_rules / sizeof *pseudo_rules)

static void write_str_or_null(tl_jw *w, const char *key, const char *s) {
    tl_jw_key(w, key);
    if (s && *s) tl_jw_string(w, s);
    else tl_jw_null(w);
}

/* `file` as given; `relative_file` relative to the root.  Paths of absent
 * findings come from a baseline and are already relative to the root. */
static void write_paths(tl_jw *w, const char *file, const char *root, bool absent) {
    tl_jw_kv_string(w, "file", file ? file : "");
    char *rel = NULL;
    if (file && *file) {
        char *path = absent && file[0] != '/' ? tl_xasprintf("%s/%s", root, file) : tl_xstrdup(file);
        rel = tl_report_relpath(path, root);
        free(path);
    }
    tl_jw_key(w, "relative_file");
    tl_jw_string(w, rel); /* NULL -> null */
    free(rel);
}

static void write_finding(tl_jw *w, const tl_finding *f, const char *root, bool compared,
                          bool absent) {
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "rule", f->rule ? f->rule : "");
    tl_jw_kv_string(w, "severity", tl_severity_name(f->severity));
    write_paths(w, f->file, root, absent);
    tl_jw_kv_int(w, "line", f->line);
    tl_jw_kv_int(w, "col", f->col);
    write_str_or_null(w, "function", f->function);
    tl_jw_kv_string(w, "message", f->message ? f->message : "");
    write_str_or_null(w, "fingerprint", f->fingerprint);
    tl_jw_kv_bool(w, "suppressed", f->suppressed);
    write_str_or_null(w, "triage", tl_report_triage_name(f->triage));
    write_str_or_null(w, "triage_reason", f->triage ? f->triage_reason : NULL);
    write_str_or_null(w, "baseline_state",
                      absent ? "absent" : compared ? tl_report_baseline_name(f->baseline_state) : NULL);
    tl_jw_key(w, "notes");
    tl_jw_array_begin(w);
    for (size_t k = 0; k < f->nnotes; k++) {
        const tl_note *n = &f->notes[k];
        tl_jw_object_begin(w);
        write_paths(w, n->file, root, absent);
        tl_jw_kv_int(w, "line", n->line);
        tl_jw_kv_int(w, "col", n->col);
        tl_jw_kv_string(w, "message", n->message ? n->message : "");
        tl_jw_kv_bool(w, "before", n->before);
        tl_jw_object_end(w);
    }
    tl_jw_array_end(w);
    tl_jw_object_end(w);
}

typedef struct {
    const char *rule;
    size_t count;
} rule_count;

int tl_json_write(FILE *out, const tl_report_input *in) {
    char *root = tl_report_abspath(in->root && *in->root ? in->root : ".");
    const tl_findings *fs = in->findings;
    const tl_findings *ab = in->absent;

    /* per-rule counts: every known rule (in registry order), the pseudo-rules,
     * then any other rule id in order of appearance */
    size_t nknown = tl_rule_count();
    size_t cap = nknown + NPSEUDO + (fs ? fs->n : 0);
    rule_count *rc = tl_xcalloc(cap, sizeof *rc);
    size_t nrc = 0;
    for (size_t i = 0; i < nknown; i++) rc[nrc++].rule = tl_rules[i]->id;
    for (size_t i = 0; i < NPSEUDO; i++) rc[nrc++].rule = pseudo_rules[i];
    size_t errors = 0, warnings = 0, notes = 0, suppressed = 0, nnew = 0, nunchanged = 0;
    for (size_t i = 0; fs && i < fs->n; i++) {
        const tl_finding *f = &fs->items[i];
        if (f->suppressed) {
            suppressed++;
            continue;
        }
        if (f->severity == TL_SEV_ERROR) errors++;
        else if (f->severity == TL_SEV_WARNING) warnings++;
        else notes++;
        if (in->baseline_compared) {
            nnew += f->baseline_state == TL_BASELINE_NEW;
            nunchanged += f->baseline_state == TL_BASELINE_UNCHANGED;
        }
        const char *id = f->rule ? f->rule : "";
        size_t k = 0;
        while (k < nrc && strcmp(rc[k].rule, id)) k++;
        if (k == nrc) rc[nrc++].rule = id;
        rc[k].count++;
    }
    size_t nabsent = 0;
    for (size_t i = 0; ab && i < ab->n; i++) nabsent += !ab->items[i].suppressed;

    tl_jw *w = tl_jw_new(out);
    tl_jw_object_begin(w);
    tl_jw_kv_int(w, "version", JSON_OUTPUT_VERSION);

    tl_jw_key(w, "tool");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "name", "tasklint");
    tl_jw_kv_string(w, "version",
                    in->tool_version && *in->tool_version ? in->tool_version : TASKLINT_VERSION);
    write_str_or_null(w, "command_line", in->command_line);
    tl_jw_kv_string(w, "root", root);
    write_str_or_null(w, "start_time_utc", in->start_time_utc);
    write_str_or_null(w, "end_time_utc", in->end_time_utc);
    tl_jw_object_end(w);

    tl_jw_key(w, "findings");
    tl_jw_array_begin(w);
    for (size_t i = 0; fs && i < fs->n; i++)
        write_finding(w, &fs->items[i], root, in->baseline_compared, false);
    for (size_t i = 0; ab && i < ab->n; i++) write_finding(w, &ab->items[i], root, true, true);
    tl_jw_array_end(w);

    tl_jw_key(w, "summary");
    tl_jw_object_begin(w);
    tl_jw_kv_int(w, "findings", (int64_t)(errors + warnings + notes));
    tl_jw_kv_int(w, "errors", (int64_t)errors);
    tl_jw_kv_int(w, "warnings", (int64_t)warnings);
    tl_jw_kv_int(w, "notes", (int64_t)notes);
    tl_jw_kv_int(w, "suppressed", (int64_t)suppressed);
    tl_jw_key(w, "by_rule");
    tl_jw_object_begin(w);
    for (size_t k = 0; k < nrc; k++) tl_jw_kv_int(w, rc[k].rule, (int64_t)rc[k].count);
    tl_jw_object_end(w);
    tl_jw_key(w, "baseline");
    if (in->baseline_compared || ab) {
        tl_jw_object_begin(w);
        tl_jw_kv_int(w, "new", (int64_t)nnew);
        tl_jw_kv_int(w, "unchanged", (int64_t)nunchanged);
        tl_jw_kv_int(w, "absent", (int64_t)nabsent);
        tl_jw_object_end(w);
    } else {
        tl_jw_null(w);
    }
    tl_jw_kv_int(w, "files_analysed", in->files_analysed);
    tl_jw_kv_int(w, "files_failed", in->files_failed);
    tl_jw_kv_bool(w, "execution_successful", in->execution_successful);
    tl_jw_key(w, "fatal_errors");
    tl_jw_array_begin(w);
    for (int i = 0; in->fatal_messages && i < in->nfatal; i++)
        if (in->fatal_messages[i]) tl_jw_string(w, in->fatal_messages[i]);
    tl_jw_array_end(w);
    tl_jw_object_end(w);

    tl_jw_object_end(w);
    int r = tl_jw_finish(w);
    free(rc);
    free(root);
    return r;
}
