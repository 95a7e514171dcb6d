/* finding_wire.c - a finding on the wire (see finding_wire.h). */
#include "report/finding_wire.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* The least a note takes on the wire: file and message lengths, line, col. */
#define NOTE_MIN_SIZE 17 /* file and message lengths, line, col, before */

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
        tl_wire_put_u8(w, n->before ? 1 : 0);
    }
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
        uint8_t before = tl_wire_get_u8(r);
        if (!r->bad && !n->message) tl_wire_fail(r, "a note without a message");
        if (!r->bad && before > 1) tl_wire_fail(r, "a note field out of range");
        n->before = before == 1;
    }
    if (r->bad) {
        tl_finding_free_fields(&f); /* what was read so far */
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

