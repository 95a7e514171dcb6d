/* suppress.h - tasklint-ignore comments.
 *
 * In a comment (// or / * * /), never in a string literal:
 *
 *   tasklint-ignore(RULES): reason             the comment's own line
 *   tasklint-ignore-next-line(RULES): reason   the line after the comment
 *   tasklint-ignore-begin(RULES): reason       from here ...
 *   tasklint-ignore-end                        ... to here (inclusive)
 *   tasklint-ignore-file(RULES): reason        the whole file
 *
 * RULES is a comma-separated list of rule ids, or `*` for all rules.
 * Suppressed findings stay in the list with `suppressed = true`.  Mistakes
 * (unknown rule, missing reason, unbalanced begin/end, a suppression that
 * suppresses nothing) become findings of rule "suppression" (warning).
 * clang-diagnostic, suppression and analysis-limit findings cannot be
 * suppressed.
 *
 * Usage: tl_suppress_scan() the text of a file, tl_suppress_apply() to the
 * findings, then tl_suppress_report() the problems (only for files whose
 * suppressions the caller owns: the main file of a TU, not headers that
 * other TUs include too).
 */
#ifndef TL_SUPPRESS_H
#define TL_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "report/finding.h"

#define TL_SUPPRESSION_RULE "suppression"

typedef enum {
    TL_SUP_LINE = 0,  /* tasklint-ignore */
    TL_SUP_NEXT_LINE, /* tasklint-ignore-next-line */
    TL_SUP_RANGE,     /* tasklint-ignore-begin ... tasklint-ignore-end */
    TL_SUP_FILE       /* tasklint-ignore-file */
} tl_sup_kind;

typedef struct {
    tl_sup_kind kind;
    unsigned line, col;   /* where the directive is written */
    unsigned first, last; /* lines covered, inclusive */
    bool all;             /* `*` */
    char **rules;         /* valid rule ids named (unknown ones are dropped) */
    bool *rule_used;      /* per entry of rules */
    size_t nrules;
    bool used;            /* suppressed at least one finding */
} tl_suppression;

typedef struct {
    char *file;
    tl_suppression *items;
    size_t n, cap;
    tl_findings problems; /* found while scanning: syntax, unknown rules, begin/end */
} tl_suppress_set;

void tl_suppress_init(tl_suppress_set *s);
void tl_suppress_free(tl_suppress_set *s);
/* Scan a file's text (need not be NUL-terminated) for suppression comments.
 * `file` names the file as the findings spell it. */
void tl_suppress_scan(tl_suppress_set *s, const char *file, const char *text, size_t len);
/* Mark the findings of s->file that a suppression covers; returns how many
 * findings were newly suppressed. */
size_t tl_suppress_apply(tl_suppress_set *s, tl_findings *fs);
/* Append the scan problems and the unused suppressions to out.  rule_enabled
 * (indexed like tl_rules, may be NULL = all enabled): a suppression for a
 * disabled rule is not reported as unused. */
void tl_suppress_report(const tl_suppress_set *s, const bool *rule_enabled,
                        tl_findings *out);

/* Whether findings of this rule may be suppressed at all. */
bool tl_suppress_rule_suppressible(const char *rule);

#endif
