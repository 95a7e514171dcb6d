/* summary_wire.h - a TU's summary (summary.h) as a wire frame (util/wire.h).
 *
 * Summaries travel from the worker processes to the main process, live in
 * the findings store next to their TU (an unchanged TU is not summarised
 * again) and make the files of `tasklint summarize` that `tasklint link`
 * joins.  A TL_WIRE_KIND_SUMMARY frame holds these records, in order:
 *   UNIT     (exactly one, first): main_file
 *   FUNC     one per function; the records up to the next FUNC belong to it:
 *   CALL, REG, PASS, DEADLINE, SLOT
 *   STORE    function addresses stored into fields and globals
 * Every index read back (a pass's call, a deadline's parameter) is checked
 * against what was decoded; anything that does not fit is rejected.
 */
#ifndef TL_SUMMARY_WIRE_H
#define TL_SUMMARY_WIRE_H

#include <stddef.h>

#include "summary.h"
#include "../util/wire.h"

enum { TL_WIRE_KIND_SUMMARY = 2 };

/* Appends one frame holding s; -1 (nothing appended) when it is too large. */
int tl_summary_wire_encode(tl_wire_writer *w, const tl_tu_summary *s);
/* Decodes a TL_WIRE_KIND_SUMMARY frame into *out (initialised here; free
 * with tl_tu_summary_free, also after an error).  0, or -1 with err. */
int tl_summary_wire_decode(const tl_wire_frame *f, tl_tu_summary *out, char *err, size_t errsz);

#endif
