/* finding_wire.h - one finding (finding.h) as the body of a wire record
 * (util/wire.h): worker results (cli/tu_wire.c) and units of phase 1
 * (driver unit frames) carry findings this way. */
#ifndef TL_FINDING_WIRE_H
#define TL_FINDING_WIRE_H

#include "report/finding.h"
#include "util/wire.h"

/* One finding as the body of the current record: rule, severity, file,
 * line, col, function, message, snippet, fingerprint, suppressed, triage,
 * triage_reason, baseline_state, then the notes (count, then file, line,
 * col, message each). */
void tl_wire_put_finding(tl_wire_writer *w, const tl_finding *f);
/* Reads such a body and appends the finding to fs; -1 when malformed (r
 * marked bad, nothing appended). */
int tl_wire_get_finding(tl_wire_reader *r, tl_findings *fs);

#endif
