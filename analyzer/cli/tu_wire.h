/* tu_wire.h - a translation unit's result (driver.h: findings, clang error
 * count, fatal error, include list) as a wire frame (util/wire.h).
 *
 * The CLI's worker processes (workers.c) send one such frame per analysed
 * TU to the main process.  Findings are encoded by report/finding_wire.h.
 *
 * A TL_WIRE_KIND_TU_RESULT frame holds these records:
 *   TU_STATUS  (exactly one): nerrors u32, fatal u8, fatal_message str,
 *              crashed u8
 *   FINDING    (any number):  see tl_wire_put_finding
 *   INCLUDE    (any number, in order): path str
 *   UNIT       (at most one): bytes - phase 1 of a whole-program run, the
 *              TU's unit for phase 2 (driver.h tl_unit_encode)
 * Unknown record kinds are skipped; anything else that does not fit is
 * rejected.
 */
#ifndef TL_TU_WIRE_H
#define TL_TU_WIRE_H

#include <stddef.h>

#include "driver.h"
#include "report/finding.h"
#include "report/finding_wire.h"
#include "util/wire.h"

/* Frame kinds (util/wire.h): one number per kind of payload. */
enum { TL_WIRE_KIND_TU_RESULT = 1 };

/* Appends one frame holding r.  Returns -1 (and appends nothing) when the
 * result is too large for a frame. */
int tl_tu_wire_encode(tl_wire_writer *w, const tl_tu_result *r);
/* Decodes a TL_WIRE_KIND_TU_RESULT frame into *out (which it initialises;
 * free with tl_tu_result_free, also after an error).  Returns 0, or -1
 * with a reason in err. */
int tl_tu_wire_decode(const tl_wire_frame *f, tl_tu_result *out, char *err, size_t errsz);

#endif
