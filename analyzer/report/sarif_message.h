/* sarif_message.h - SARIF embedded links in a result's message.
 *
 * A result whose notes are written as relatedLocations (ids 1, 2, ... in
 * note order, notes without a file skipped, at most max_related) gets a
 * message that links to them, SARIF 3.11.6's "[text](id)":
 *
 *   MESSAGE (see [line 4](1), [other.c:12](2))
 *
 * at most 10 links, then "and N more".  Since the message now holds links,
 * a literal '[', ']' or '\\' in the text is escaped with a backslash.
 */
#ifndef TL_SARIF_MESSAGE_H
#define TL_SARIF_MESSAGE_H

#include "report/finding.h"

/* `text` (the finding's message, already cut to size) with links to f's
 * related locations. (malloc'd) */
char *tl_sarif_linked_message(const char *text, const tl_finding *f, int max_related);

#endif
