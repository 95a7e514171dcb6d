/* explain.h - a rule's documentation as one text: what `tasklint --explain
 * RULE` prints and what the language server shows on hover (analyzer/lsp),
 * so that the two never differ. */
#ifndef TL_EXPLAIN_H
#define TL_EXPLAIN_H

/* The markdown explanation of a rule or pseudo-rule (malloc'd, ends with a
 * newline unless empty), or NULL for an unknown id. */
char *tl_explain_text(const char *id);

#endif
