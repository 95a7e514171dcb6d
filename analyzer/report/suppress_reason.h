/* suppress_reason.h - the reason written in the tasklint-ignore comment that
 * suppressed a finding, found again at report time.
 *
 * Findings carry only `suppressed` (through workers, the store and summary
 * files); SARIF's suppressions[].justification wants the comment's reason.
 * It is recovered by scanning the finding's file again (suppress.c's own
 * scanner, so the same comment matches) and reading the text after the
 * colon on the directive's line.  Findings come sorted by file, so each
 * file is scanned once while its findings are looked up.
 */
#ifndef TL_SUPPRESS_REASON_H
#define TL_SUPPRESS_REASON_H

#include "report/finding.h"
#include "report/text_output.h"

typedef struct tl_suppress_reasons tl_suppress_reasons;

/* Reads source text through `sources` (not owned). */
tl_suppress_reasons *tl_suppress_reasons_new(tl_source_cache *sources);
void tl_suppress_reasons_free(tl_suppress_reasons *r);

/* The reason of the comment that covers suppressed finding f, or NULL
 * (no such comment any more, or it gives no reason). (malloc'd) */
char *tl_suppress_reasons_for(tl_suppress_reasons *r, const tl_finding *f);

/* The reason after `tasklint-ignore...(RULES):` in a directive starting at
 * byte column `col` (1-based) of `line`: trimmed, without a closing `*\/`;
 * NULL when there is none. (malloc'd) */
char *tl_suppress_reason_in_line(const char *line, size_t len, unsigned col);

#endif
