/* unit_wire.c - a phase-1 unit (driver.h) as bytes: three frames, written
 * by a worker process and read back by the main process for phase 2.
 *
 *   TL_WIRE_KIND_UNIT   HEAD (path, directory, project config, profile,
 *                       enabled rules), then one SUPPRESS record per file
 *                       (its suppression comments and scan problems)
 *   TL_WIRE_KIND_IR     the lowered TU (ir/ir_wire.h)
 *   TL_WIRE_KIND_SUMMARY its summary (summary/summary_wire.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_unit.h"
#include "ir/ir_wire.h"
#include "report/finding_wire.h"
#include "summary/summary_wire.h"
#include "util/xalloc.h"

enum { TL_WIRE_KIND_UNIT = 4 };
enum { REC_HEAD = 1, REC_SUPPRESS = 2 };

#define MAX_SUPPRESSIONS (1u << 20)

static void put_suppress_set(tl_wire_writer *w, const tl_suppress_set *s) {
    tl_wire_begin_record(w, REC_SUPPRESS);
    tl_wire_put_str(w, s->file);
    tl_wire_put_u32(w, (uint32_t)s->n);
    for (size_t i = 0; i < s->n; i++) {
        const tl_suppression *x = &s->items[i];
        tl_wire_put_u8(w, (uint8_t)x->kind);
        tl_wire_put_u32(w, x->line);
        tl_wire_put_u32(w, x->col);
        tl_wire_put_u32(w, x->first);
        tl_wire_put_u32(w, x->last);
        tl_wire_put_u8(w, x->all);
        tl_wire_put_u32(w, (uint32_t)x->nrules);
        for (size_t k = 0; k < x->nrules; k++) tl_wire_put_str(w, x->rules[k]);
    }
    tl_wire_put_u32(w, (uint32_t)s->problems.n);
    for (size_t i = 0; i < s->problems.n; i++) tl_wire_put_finding(w, &s->problems.items[i]);
    tl_wire_end_record(w);
}

int tl_unit_encode(const tl_tu_unit *u, unsigned char **data, size_t *len) {
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    tl_wire_begin_frame(&w, TL_WIRE_KIND_UNIT);
    tl_wire_begin_record(&w, REC_HEAD);
    tl_wire_put_str(&w, u->path);
    tl_wire_put_str(&w, u->dir);
    tl_wire_put_str(&w, u->config_path);
    tl_wire_put_u8(&w, (uint8_t)u->profile);
    tl_wire_put_u32(&w, (uint32_t)TL_UNIT_MAX_RULES);
    for (int i = 0; i < TL_UNIT_MAX_RULES; i++) tl_wire_put_u8(&w, u->enabled[i]);
    tl_wire_end_record(&w);
    for (size_t i = 0; i < u->nsups; i++) put_suppress_set(&w, &u->sups[i]);
    int rc = tl_wire_end_frame(&w);
    if (rc == 0) rc = tl_ir_wire_encode(&w, &u->ir);
    if (rc == 0) rc = tl_summary_wire_encode(&w, &u->summary);
    if (rc != 0) {
        tl_wire_writer_free(&w);
        return -1;
    }
    *data = w.data; /* the writer's buffer is the result */
    *len = w.len;
    return 0;
}

/* ---- decoding ----
 * A unit's bytes come nested in a worker's result frame, whose checksum the
 * pool verified, or from the store, verified once by tl_unit_verify: the
 * frames inside are walked without computing checksums again. */

int tl_unit_verify(const unsigned char *data, size_t len) {
    size_t at = 0;
    while (at < len) {
        tl_wire_frame f;
        char why[96];
        if (tl_wire_scan_frame(data + at, len - at, &f, why, sizeof why) != TL_WIRE_FRAME) return -1;
        at += f.frame_len;
    }
    return 0;
}

static void get_suppress_set(tl_wire_reader *r, tl_suppress_set *s) {
    tl_suppress_init(s);
    s->file = tl_wire_get_str(r);
    if (!r->bad && !s->file) tl_wire_fail(r, "suppressions without a file");
    uint32_t n = tl_wire_get_count(r, 22);
    if (n > MAX_SUPPRESSIONS) tl_wire_fail(r, "too many suppressions");
    if (r->bad) return;
    s->items = tl_xcalloc(n + 1, sizeof *s->items);
    s->cap = n + 1;
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        tl_suppression *x = &s->items[s->n++];
        uint8_t kind = tl_wire_get_u8(r);
        if (kind > TL_SUP_FILE) tl_wire_fail(r, "bad suppression kind");
        x->kind = (tl_sup_kind)kind;
        x->line = tl_wire_get_u32(r);
        x->col = tl_wire_get_u32(r);
        x->first = tl_wire_get_u32(r);
        x->last = tl_wire_get_u32(r);
        x->all = tl_wire_get_u8(r) != 0;
        uint32_t nr = tl_wire_get_count(r, 4);
        if (r->bad) break;
        x->rules = tl_xcalloc(nr + 1, sizeof *x->rules);
        x->rule_used = tl_xcalloc(nr + 1, sizeof *x->rule_used);
        for (uint32_t k = 0; k < nr && !r->bad; k++) {
            x->rules[x->nrules] = tl_wire_get_str(r);
            if (!x->rules[x->nrules]) tl_wire_fail(r, "a suppressed rule without a name");
            else x->nrules++;
        }
    }
    uint32_t np = tl_wire_get_count(r, 40);
    for (uint32_t i = 0; i < np && !r->bad; i++) tl_wire_get_finding(r, &s->problems);
}

/* The next frame of the bytes, of the kind expected. */
static int next_frame(const unsigned char *data, size_t len, size_t *at, uint16_t kind, tl_wire_frame *f,
                      char *err, size_t errsz) {
    char why[96];
    if (tl_wire_scan_checked_frame(data + *at, len - *at, f, why, sizeof why) != TL_WIRE_FRAME) {
        snprintf(err, errsz, "a unit with a broken frame: %s", *at == len ? "missing" : why);
        return -1;
    }
    if (f->kind != kind) {
        snprintf(err, errsz, "a unit with a frame of kind %u where %u was expected", f->kind, kind);
        return -1;
    }
    *at += f->frame_len;
    return 0;
}

static int decode_unit(const unsigned char *data, size_t len, const tl_model_set *base, bool with_summary,
                       tl_tu_unit **out, char *err, size_t errsz) {
    *out = NULL;
    tl_tu_unit *u = tl_xcalloc(1, sizeof *u);
    size_t at = 0;
    tl_wire_frame f;
    int rc = next_frame(data, len, &at, TL_WIRE_KIND_UNIT, &f, err, errsz);
    if (rc == 0) {
        tl_wire_reader payload, body;
        tl_wire_reader_init(&payload, f.payload, f.payload_len);
        uint16_t kind;
        bool head = false;
        size_t capsups = 0;
        int more;
        while ((more = tl_wire_next_record(&payload, &kind, &body)) == 1 && !body.bad) {
            if (kind == REC_HEAD && !head) {
                head = true;
                u->path = tl_wire_get_str(&body);
                u->dir = tl_wire_get_str(&body);
                u->config_path = tl_wire_get_str(&body);
                uint8_t profile = tl_wire_get_u8(&body);
                if (profile > TL_PROFILE_STRICT) tl_wire_fail(&body, "bad profile");
                u->profile = (tl_profile)profile;
                uint32_t nr = tl_wire_get_u32(&body);
                for (uint32_t i = 0; i < nr && !body.bad; i++) {
                    uint8_t on = tl_wire_get_u8(&body);
                    if (i < (uint32_t)TL_UNIT_MAX_RULES) u->enabled[i] = on != 0;
                }
                if (!body.bad && !u->path) tl_wire_fail(&body, "a unit without a file");
            } else if (kind == REC_SUPPRESS && head) {
                if (u->nsups == capsups) {
                    capsups = capsups ? capsups * 2 : 4;
                    u->sups = tl_xrealloc(u->sups, capsups * sizeof *u->sups);
                }
                get_suppress_set(&body, &u->sups[u->nsups++]);
            } else if (kind == REC_HEAD || kind == REC_SUPPRESS) {
                tl_wire_fail(&body, "a unit record out of place");
            }
        }
        if (body.bad || more < 0 || !head) {
            snprintf(err, errsz, "a broken unit: %s",
                     body.bad && body.why ? body.why : payload.why ? payload.why : "no head");
            rc = -1;
        }
    }
    if (rc == 0) rc = next_frame(data, len, &at, TL_WIRE_KIND_IR, &f, err, errsz);
    if (rc == 0) rc = tl_ir_wire_decode(&f, &u->ir, err, errsz);
    if (rc == 0) rc = next_frame(data, len, &at, TL_WIRE_KIND_SUMMARY, &f, err, errsz);
    if (rc == 0 && with_summary) rc = tl_summary_wire_decode(&f, &u->summary, err, errsz);
    if (rc == 0 && at != len) {
        snprintf(err, errsz, "a unit with bytes after its frames");
        rc = -1;
    }
    if (rc == 0) {
        u->models = base;
        if (u->config_path) {
            char *cerr = NULL;
            u->models = tl_driver_config_models(base, u->config_path, &cerr);
            if (!u->models) {
                snprintf(err, errsz, "%s", cerr ? cerr : "the project config cannot be loaded");
                rc = -1;
            }
            free(cerr);
        }
    }
    if (rc != 0) {
        tl_unit_free(u);
        return -1;
    }
    *out = u;
    return 0;
}

int tl_unit_decode(const unsigned char *data, size_t len, const tl_model_set *base, tl_tu_unit **out,
                   char *err, size_t errsz) {
    return decode_unit(data, len, base, true, out, err, errsz);
}

int tl_unit_decode_to_finish(const unsigned char *data, size_t len, const tl_model_set *base, tl_tu_unit **out,
                             char *err, size_t errsz) {
    return decode_unit(data, len, base, false, out, err, errsz);
}

int tl_unit_summary_bytes(const unsigned char *data, size_t len, const unsigned char **frame, size_t *n) {
    size_t at = 0;
    tl_wire_frame f;
    char err[256];
    static const uint16_t kinds[] = {TL_WIRE_KIND_UNIT, TL_WIRE_KIND_IR, TL_WIRE_KIND_SUMMARY};
    for (int i = 0; i < 3; i++) {
        if (next_frame(data, len, &at, kinds[i], &f, err, sizeof err) != 0) return -1;
    }
    *frame = data + at - f.frame_len;
    *n = f.frame_len;
    return 0;
}

int tl_unit_decode_summary(const unsigned char *data, size_t len, tl_tu_summary *out, char *err, size_t errsz) {
    const unsigned char *frame;
    size_t n;
    memset(out, 0, sizeof *out);
    if (tl_unit_summary_bytes(data, len, &frame, &n) != 0) {
        snprintf(err, errsz, "a unit without its summary");
        return -1;
    }
    tl_wire_frame f;
    char why[96];
    if (tl_wire_scan_checked_frame(frame, n, &f, why, sizeof why) != TL_WIRE_FRAME) {
        snprintf(err, errsz, "a broken summary: %s", why);
        return -1;
    }
    return tl_summary_wire_decode(&f, out, err, errsz);
}
