/* codeclimate_output.c - GitLab Code Quality report (--format codeclimate).
 *
 * GitLab reads a JSON array of Code Climate issues and shows them in merge
 * requests.  Each finding a user sees (suppressed ones and those triaged as
 * false positive or intentional are left out) becomes
 *
 *   {"type": "issue", "check_name": RULE, "description": MESSAGE,
 *    "categories": ["Bug Risk"], "severity": "critical"|"major"|"info",
 *    "fingerprint": ID,
 *    "location": {"path": PATH, "lines": {"begin": LINE}}}
 *
 * PATH is relative to the same root as SARIF's %SRCROOT% (the git work
 * tree's top level, else the project root).  The fingerprint is the
 * finding's stable fingerprint (store/fingerprint.h); a finding without one
 * (a clang diagnostic) gets a hash of its rule, place and message, so every
 * issue still has one.  docs/ci-formats.md documents the shape.
 * All JSON goes through util/json_writer.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_util.h"
#include "util/json_writer.h"
#include "util/xalloc.h"

/* Code Climate severities: info, minor, major, critical, blocker. */
static const char *issue_severity(tl_severity s) {
    switch (s) {
    case TL_SEV_ERROR: return "critical";
    case TL_SEV_NOTE: return "info";
    default: return "major";
    }
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* A fingerprint for a finding that has none: FNV-1a over rule, path, line,
 * column and message, each ended by a NUL byte. (malloc'd) */
static char *fallback_fingerprint(const tl_finding *f, const char *path) {
    char pos[32];
    snprintf(pos, sizeof pos, "%u:%u", f->line, f->col);
    const char *parts[] = {f->rule ? f->rule : "", path, pos, f->message ? f->message : ""};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        h = fnv1a(h, parts[i], strlen(parts[i]) + 1);
    return tl_xasprintf("tasklint-%016" PRIx64, h);
}

static void write_issue(tl_jw *w, const tl_finding *f, const char *source_root) {
    const char *file = f->file ? f->file : "";
    char *rel = *file ? tl_report_relpath(file, source_root) : NULL;
    const char *path = rel ? rel : file;
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "type", "issue");
    tl_jw_kv_string(w, "check_name", f->rule && *f->rule ? f->rule : "tasklint");
    tl_jw_kv_string(w, "description", f->message && *f->message ? f->message : "(no message)");
    tl_jw_key(w, "categories");
    tl_jw_array_begin(w);
    tl_jw_string(w, "Bug Risk");
    tl_jw_array_end(w);
    tl_jw_kv_string(w, "severity", issue_severity(f->severity));
    if (f->fingerprint && *f->fingerprint) {
        tl_jw_kv_string(w, "fingerprint", f->fingerprint);
    } else {
        char *fp = fallback_fingerprint(f, path);
        tl_jw_kv_string(w, "fingerprint", fp);
        free(fp);
    }
    tl_jw_key(w, "location");
    tl_jw_object_begin(w);
    tl_jw_kv_string(w, "path", path);
    tl_jw_key(w, "lines");
    tl_jw_object_begin(w);
    tl_jw_kv_int(w, "begin", f->line ? f->line : 1);
    tl_jw_object_end(w);
    tl_jw_object_end(w);
    tl_jw_object_end(w);
    free(rel);
}

int tl_codeclimate_write(FILE *out, const tl_report_input *in) {
    char *project_root = tl_report_abspath(in->root && *in->root ? in->root : ".");
    char *source_root = tl_report_source_root(project_root);
    tl_jw *w = tl_jw_new(out);
    tl_jw_array_begin(w);
    const tl_findings *fs = in->findings;
    for (size_t i = 0; fs && i < fs->n; i++) {
        if (tl_report_dismissed(&fs->items[i])) continue;
        write_issue(w, &fs->items[i], source_root);
    }
    tl_jw_array_end(w);
    int rc = tl_jw_finish(w);
    free(source_root);
    free(project_root);
    return rc;
}
