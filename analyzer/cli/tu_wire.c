/* tu_wire.c - see tu_wire.h. */
#include "cli/tu_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum { REC_TU_STATUS = 1, REC_FINDING = 2, REC_INCLUDE = 3 };

/* The least a note takes on the wire: file and message lengths, line, col. */
#define NOTE_MIN_SIZE 16

void tl_wire_put_finding(tl_wire_writer *w, const tl_finding *f) {
    tl_wire_put_str(w, f->rule);
    tl_wire_put_u8(w, (uint8_t)f->severity);
    tl_wire_put_str(w, f->file);
    tl_wire_put_u32(w, f->line);
    tl_wire_put_u32(w, f->col);
    tl_wire_put_str(w, f->function);
    tl_wire_put_str(w, f->message);
    tl_wire_put_str(w, f->snippet);
    tl_wire_put_str(w, f->fingerprint);
    tl_wire_put_u8(w, f->suppressed ? 1 : 0);
    tl_wire_put_u8(w, (uint8_t)f->triage);
    tl_wire_put_str(w, f->triage_reason);
    tl_wire_put_u8(w, (uint8_t)f->baseline_state);
    tl_wire_put_u32(w, (uint32_t)f->nnotes);
    for (size_t i = 0; i < f->nnotes; i++) {
        const tl_note *n = &f->notes[i];
        tl_wire_put_str(w, n->file);
        tl_wire_put_u32(w, n->line);
        tl_wire_put_u32(w, n->col);
        tl_wire_put_str(w, n->message);
    }
}

/* The strings of a finding that was not completely read. */
static void free_partial(tl_finding *f) {
    free(f->rule);
    free(f->file);
    free(f->function);
    free(f->message);
    free(f->snippet);
    free(f->fingerprint);
    free(f->triage_reason);
    for (size_t i = 0; i < f->nnotes; i++) {
        free(f->notes[i].file);
        free(f->notes[i].message);
    }
    free(f->notes);
}

int tl_wire_get_finding(tl_wire_reader *r, tl_findings *fs) {
    tl_finding f;
    memset(&f, 0, sizeof f);
    f.rule = tl_wire_get_str(r);
    uint8_t sev = tl_wire_get_u8(r);
    f.file = tl_wire_get_str(r);
    f.line = tl_wire_get_u32(r);
    f.col = tl_wire_get_u32(r);
    f.function = tl_wire_get_str(r);
    f.message = tl_wire_get_str(r);
    f.snippet = tl_wire_get_str(r);
    f.fingerprint = tl_wire_get_str(r);
    uint8_t suppressed = tl_wire_get_u8(r);
    uint8_t triage = tl_wire_get_u8(r);
    f.triage_reason = tl_wire_get_str(r);
    uint8_t baseline = tl_wire_get_u8(r);
    if (!r->bad && (!f.rule || !f.file || !f.message))
        tl_wire_fail(r, "a finding without a rule, file or message");
    if (!r->bad && (sev > TL_SEV_ERROR || suppressed > 1 || triage > 3 ||
                    baseline > TL_BASELINE_ABSENT))
        tl_wire_fail(r, "a finding field out of range");
    uint32_t nnotes = tl_wire_get_count(r, NOTE_MIN_SIZE);
    if (!r->bad && nnotes) f.notes = tl_xcalloc(nnotes, sizeof *f.notes);
    for (uint32_t i = 0; i < nnotes && !r->bad; i++) {
        tl_note *n = &f.notes[f.nnotes++];
        n->file = tl_wire_get_str(r);
        n->line = tl_wire_get_u32(r);
        n->col = tl_wire_get_u32(r);
        n->message = tl_wire_get_str(r);
        if (!r->bad && !n->message) tl_wire_fail(r, "a note without a message");
    }
    if (r->bad) {
        free_partial(&f);
        return -1;
    }
    f.severity = (tl_severity)sev;
    f.suppressed = suppressed != 0;
    f.triage = triage;
    f.baseline_state = (tl_baseline_state)baseline;
    /* append without copying again */
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 8;
        fs->items = tl_xrealloc(fs->items, fs->cap * sizeof *fs->items);
    }
    fs->items[fs->n++] = f;
    return 0;
}

int tl_tu_wire_encode(tl_wire_writer *w, const tl_tu_result *r) {
    tl_wire_begin_frame(w, TL_WIRE_KIND_TU_RESULT);
    tl_wire_begin_record(w, REC_TU_STATUS);
    tl_wire_put_u32(w, r->nerrors > 0 ? (uint32_t)r->nerrors : 0);
    tl_wire_put_u8(w, r->fatal ? 1 : 0);
    tl_wire_put_str(w, r->fatal_message);
    tl_wire_put_u8(w, r->crashed ? 1 : 0);
    tl_wire_end_record(w);
    for (size_t i = 0; i < r->findings.n; i++) {
        tl_wire_begin_record(w, REC_FINDING);
        tl_wire_put_finding(w, &r->findings.items[i]);
        tl_wire_end_record(w);
    }
    for (size_t i = 0; i < r->nincludes; i++) {
        tl_wire_begin_record(w, REC_INCLUDE);
        tl_wire_put_str(w, r->includes[i]);
        tl_wire_end_record(w);
    }
    return tl_wire_end_frame(w);
}

static void add_include(tl_tu_result *out, char *path, size_t *cap) {
    if (out->nincludes == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        out->includes = tl_xrealloc(out->includes, *cap * sizeof *out->includes);
    }
    out->includes[out->nincludes++] = path;
}

int tl_tu_wire_decode(const tl_wire_frame *f, tl_tu_result *out, char *err, size_t errsz) {
    memset(out, 0, sizeof *out);
    tl_findings_init(&out->findings);
    if (f->kind != TL_WIRE_KIND_TU_RESULT) {
        snprintf(err, errsz, "a frame of kind %u where a TU result was expected",
                 (unsigned)f->kind);
        return -1;
    }
    tl_wire_reader payload, body;
    tl_wire_reader_init(&payload, f->payload, f->payload_len);
    size_t include_cap = 0;
    int nstatus = 0;
    uint16_t kind;
    int rc = 0;
    const char *why = NULL;
    while (!why && (rc = tl_wire_next_record(&payload, &kind, &body)) == 1) {
        switch (kind) {
        case REC_TU_STATUS: {
            if (nstatus++) {
                why = "two status records";
                break;
            }
            uint32_t nerrors = tl_wire_get_u32(&body);
            uint8_t fatal = tl_wire_get_u8(&body);
            char *msg = tl_wire_get_str(&body);
            uint8_t crashed = tl_wire_get_u8(&body);
            if (!body.bad && (fatal > 1 || crashed > 1 || nerrors > (uint32_t)INT32_MAX))
                tl_wire_fail(&body, "a status field out of range");
            if (body.bad) {
                free(msg);
                break;
            }
            out->nerrors = (int)nerrors;
            out->fatal = fatal != 0;
            out->fatal_message = msg;
            out->crashed = crashed != 0;
            break;
        }
        case REC_FINDING:
            tl_wire_get_finding(&body, &out->findings);
            break;
        case REC_INCLUDE: {
            char *path = tl_wire_get_str(&body);
            if (!body.bad && !path) tl_wire_fail(&body, "an include without a path");
            if (!body.bad) add_include(out, path, &include_cap);
            break;
        }
        default:
            break; /* written by a newer tasklint: not for us */
        }
        if (body.bad && !why) why = body.why;
    }
    if (!why && rc < 0) why = payload.why ? payload.why : "malformed records";
    if (!why && nstatus == 0) why = "no status record";
    if (why) {
        snprintf(err, errsz, "%s", why);
        tl_tu_result_free(out);
        return -1;
    }
    return 0;
}
