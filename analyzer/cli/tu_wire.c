/* tu_wire.c - see tu_wire.h. */
#include "cli/tu_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum { REC_TU_STATUS = 1, REC_FINDING = 2, REC_INCLUDE = 3, REC_UNIT = 4 };

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
    if (r->unit) {
        tl_wire_begin_record(w, REC_UNIT);
        tl_wire_put_bytes(w, r->unit, r->unit_len);
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
        case REC_UNIT: {
            size_t n = 0;
            const unsigned char *b = tl_wire_get_bytes(&body, &n);
            if (!body.bad && out->unit) tl_wire_fail(&body, "two units");
            if (!body.bad && b) {
                out->unit = tl_xmalloc(n + 1);
                memcpy(out->unit, b, n);
                out->unit_len = n;
            }
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
