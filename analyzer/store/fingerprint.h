/* fingerprint.h - stable identities for findings.
 *
 * A fingerprint survives edits that do not touch the finding: lines inserted
 * above it, reformatting elsewhere in the file, the same finding appearing in
 * another function.  Recipe (documented in docs/store.md):
 *   sha256-prefix( "v1" \0 rule \0 relative-path \0 enclosing-function \0
 *                  normalised-snippet \0 occurrence-index )
 * normalised-snippet: the flagged statement's source text (tl_finding.snippet,
 * falling back to the message with digits removed) with all whitespace
 * removed; occurrence-index: 0 for the first finding with the same
 * (rule, path, function, snippet) in line order, 1 for the next...
 * Never the line number.
 */
#ifndef TL_FINGERPRINT_H
#define TL_FINGERPRINT_H

#include <stddef.h>
#include "../report/finding.h"

#define TL_FINGERPRINT_LEN 32 /* hex characters */

/* Fill f->fingerprint for every finding of the list (one file's or a whole
 * run's findings; occurrence indices are computed per (rule, path, function,
 * snippet) in (line, col) order).  `root` is the project root: paths are made
 * relative to it (forward slashes). */
void tl_fingerprint_findings(tl_findings *fs, const char *root);
/* The relative path used in fingerprints and in the store. (malloc'd) */
char *tl_fingerprint_relpath(const char *path, const char *root);
/* Normalised snippet text (malloc'd). */
char *tl_fingerprint_normalise(const char *text);

#endif
