/* summary_file.c - the files of `tasklint summarize` that `tasklint link`
 * joins (see cli.h).
 *
 * A summary file is a stream of wire frames (util/wire.h):
 *   HEADER   (first, once): the tool's identity, the configuration hash of
 *            the run that wrote it, the number of TUs
 *   then per TU: a TU frame (its file, directory, arguments, whether a
 *   compile database gave it) and its phase-1 result frame (cli/tu_wire.h:
 *   clang's findings, includes, and the unit for phase 2)
 * A file of another tasklint, a truncated or corrupt one is refused whole,
 * with a message that says which.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/tu_wire.h"
#include "util/wire.h"
#include "util/xalloc.h"

enum { KIND_HEADER = 16, KIND_TU = 17 };
enum { REC_HEADER = 1, REC_TU = 1 };

#define MAX_TU_ARGS 100000

int tl_summary_file_write(FILE *out, const char *tool_id, const char *config_hash, const tl_cli_tus *tus,
                          const tl_tu_result *results, char *err, size_t errsz) {
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    tl_wire_begin_frame(&w, KIND_HEADER);
    tl_wire_begin_record(&w, REC_HEADER);
    tl_wire_put_str(&w, tool_id);
    tl_wire_put_str(&w, config_hash);
    tl_wire_put_u32(&w, (uint32_t)tus->n);
    tl_wire_end_record(&w);
    int rc = tl_wire_end_frame(&w);
    for (size_t i = 0; i < tus->n && rc == 0; i++) {
        const tl_cli_tu *tu = &tus->items[i];
        tl_wire_begin_frame(&w, KIND_TU);
        tl_wire_begin_record(&w, REC_TU);
        tl_wire_put_str(&w, tu->file);
        tl_wire_put_str(&w, tu->directory);
        tl_wire_put_u8(&w, tu->from_compdb);
        tl_wire_put_u32(&w, (uint32_t)tu->nargs);
        for (int k = 0; k < tu->nargs; k++) tl_wire_put_str(&w, tu->args[k]);
        tl_wire_end_record(&w);
        rc = tl_wire_end_frame(&w);
        if (rc == 0) rc = tl_tu_wire_encode(&w, &results[i]);
        if (rc == 0 && fwrite(w.data, 1, w.len, out) != w.len) {
            snprintf(err, errsz, "cannot write: %s", strerror(errno));
            tl_wire_writer_free(&w);
            return -1;
        }
        tl_wire_writer_reset(&w);
    }
    if (rc == 0 && w.len && fwrite(w.data, 1, w.len, out) != w.len) {
        snprintf(err, errsz, "cannot write: %s", strerror(errno));
        rc = -1;
    } else if (rc != 0) {
        snprintf(err, errsz, "a TU's analysis is larger than a frame can hold");
    }
    tl_wire_writer_free(&w);
    return rc;
}

/* The next frame, of the kind expected; 0 at a clean end of the file. */
static int next(FILE *fp, uint16_t kind, unsigned char **buf, tl_wire_frame *f, char *err, size_t errsz) {
    char why[160];
    free(*buf);
    *buf = NULL;
    int rc = tl_wire_read_frame(fp, buf, f, why, sizeof why);
    if (rc < 0) {
        snprintf(err, errsz, "a damaged summary file: %s", why);
        return -1;
    }
    if (rc == 0) return 0;
    if (f->kind != kind && kind == KIND_HEADER) {
        snprintf(err, errsz, "not a summary file of this tasklint (a frame of kind %u where %u belongs)", f->kind,
                 kind);
        return -1;
    }
    if (f->kind != kind) { /* past a good header: damage (a frame's kind is outside its checksum) */
        snprintf(err, errsz, "a damaged summary file: a frame of kind %u where %u belongs", f->kind, kind);
        return -1;
    }
    return 1;
}

int tl_summary_file_read(const char *path, const char *tool_id, tl_cli_tus *tus, tl_tu_result **results,
                         char *err, size_t errsz) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errsz, "cannot open: %s", strerror(errno));
        return -1;
    }
    unsigned char *buf = NULL;
    tl_wire_frame f;
    int rc = next(fp, KIND_HEADER, &buf, &f, err, errsz);
    if (rc == 0) snprintf(err, errsz, "an empty file, not a summary file");
    uint32_t ntus = 0;
    if (rc == 1) {
        tl_wire_reader payload, body;
        tl_wire_reader_init(&payload, f.payload, f.payload_len);
        uint16_t kind;
        if (tl_wire_next_record(&payload, &kind, &body) != 1 || kind != REC_HEADER) {
            snprintf(err, errsz, "a summary file without its header");
            rc = -1;
        } else {
            char *tool = tl_wire_get_str(&body), *cfg = tl_wire_get_str(&body);
            ntus = tl_wire_get_u32(&body);
            if (body.bad || !tool) {
                snprintf(err, errsz, "a summary file with a broken header");
                rc = -1;
            } else if (strcmp(tool, tool_id) != 0) {
                snprintf(err, errsz, "written by another tasklint (%.80s), not by this one (%.80s): summarise again",
                         tool, tool_id);
                rc = -1;
            }
            free(tool);
            free(cfg);
        }
    }
    size_t first = tus->n;
    for (uint32_t i = 0; rc == 1 && i < ntus; i++) {
        rc = next(fp, KIND_TU, &buf, &f, err, errsz);
        if (rc == 0) {
            snprintf(err, errsz, "a truncated summary file: %u of %u files", i, ntus);
            rc = -1;
        }
        if (rc != 1) break;
        tl_wire_reader payload, body;
        tl_wire_reader_init(&payload, f.payload, f.payload_len);
        uint16_t kind;
        if (tl_wire_next_record(&payload, &kind, &body) != 1 || kind != REC_TU) {
            snprintf(err, errsz, "a summary file with a broken file record");
            rc = -1;
            break;
        }
        char *file = tl_wire_get_str(&body), *dir = tl_wire_get_str(&body);
        bool from_compdb = tl_wire_get_u8(&body) != 0;
        uint32_t nargs = tl_wire_get_count(&body, 4);
        if (!body.bad && (!file || nargs > MAX_TU_ARGS)) tl_wire_fail(&body, "bad file record");
        tl_cli_tu *tu = NULL;
        if (!body.bad) {
            tu = tl_cli_tus_add(tus, file, dir);
            *results = tl_xrealloc(*results, tus->n * sizeof **results);
            memset(&(*results)[tus->n - 1], 0, sizeof **results);
            tu->from_compdb = from_compdb;
            for (uint32_t k = 0; k < nargs && !body.bad; k++) {
                char *a = tl_wire_get_str(&body);
                if (a) tl_cli_tu_add_arg(tu, a);
                free(a);
            }
        }
        free(file);
        free(dir);
        if (body.bad) {
            snprintf(err, errsz, "a summary file with a broken file record: %s", body.why ? body.why : "?");
            rc = -1;
            break;
        }
        rc = next(fp, TL_WIRE_KIND_TU_RESULT, &buf, &f, err, errsz);
        if (rc == 0) {
            snprintf(err, errsz, "a truncated summary file: no result for %u", i);
            rc = -1;
        }
        if (rc != 1) break;
        char why[200];
        if (tl_tu_wire_decode(&f, &(*results)[tus->n - 1], why, sizeof why) != 0) {
            tl_tu_result_free(&(*results)[tus->n - 1]);
            snprintf(err, errsz, "a summary file with a broken result: %s", why);
            rc = -1;
        }
    }
    if (rc == 1) {
        /* nothing may follow the last TU */
        unsigned char *extra = NULL;
        tl_wire_frame g;
        char why[160];
        int more = tl_wire_read_frame(fp, &extra, &g, why, sizeof why);
        free(extra);
        if (more != 0) {
            snprintf(err, errsz, "a summary file with more than its header announces");
            rc = -1;
        }
    }
    free(buf);
    fclose(fp);
    if (rc != 1) {
        /* leave nothing of this file behind */
        for (size_t i = first; i < tus->n; i++) {
            tl_tu_result_free(&(*results)[i]);
            tl_cli_tu *tu = &tus->items[i];
            free(tu->file);
            free(tu->directory);
            for (int k = 0; k < tu->nargs; k++) free(tu->args[k]);
            free(tu->args);
        }
        tus->n = first;
        return -1;
    }
    return 0;
}
