/* ir_wire.h - a lowered TU (ir.h) as a wire frame (util/wire.h).
 *
 * Phase 1 of a run (parse and lower, in a worker process that libclang may
 * crash) hands the IR to phase 2 (the rules, once the whole program is
 * linked) as a frame; `tasklint summarize` files carry it too.  A
 * TL_WIRE_KIND_IR frame holds:
 *   TU     (first, once): main file, skipped definitions
 *   FUNC   one per function; then its VAR records and BLOCK records
 *   VAR, BLOCK (a block's instructions, terminator, successors)
 *   STORE  function addresses stored into fields and globals
 * Expressions are written depth-first with a depth cap.  Every string is a
 * reference into a table the frame builds as it goes (the first use of a
 * string carries its text, later ones its index), so a file name, callee or
 * USR used thousands of times is written once.  The decoder checks
 * every index (variables, blocks, calls, functions) against what it decoded,
 * and rebuilds the predecessor lists itself.
 */
#ifndef TL_IR_WIRE_H
#define TL_IR_WIRE_H

#include <stddef.h>

#include "ir.h"
#include "../util/wire.h"

enum { TL_WIRE_KIND_IR = 3 };

/* Deepest expression tree the format carries (deeper ones are refused). */
#define TL_IR_WIRE_MAX_DEPTH 20000

/* Appends one frame holding tu; -1 (nothing appended) when too large or
 * too deep. */
int tl_ir_wire_encode(tl_wire_writer *w, const tl_tu *tu);
/* Decodes a TL_WIRE_KIND_IR frame into *out (zeroed here; free with
 * tl_tu_free, also after an error).  0, or -1 with err. */
int tl_ir_wire_decode(const tl_wire_frame *f, tl_tu *out, char *err, size_t errsz);

#endif
