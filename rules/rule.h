/* rule.h - the interface every rule implements.
 *
 * One rule per file in rules/: its id, its documentation (what it does, why
 * it is bad, an example, what to use instead - printed by --explain and
 * carried into SARIF help), and a check function that reads the analysed
 * translation unit (IR + dataflow facts + models) and adds findings.
 */
#ifndef TL_RULE_H
#define TL_RULE_H

#include "../analyzer/dataflow/analysis.h"
#include "../analyzer/report/finding.h"

typedef struct tl_rule {
    const char *id;          /* "orphaned-spawn" */
    const char *name;        /* "OrphanedSpawn" (SARIF rule name) */
    const char *summary;     /* one line */
    const char *doc;         /* markdown: ## What it does / ## Why is this bad? /
                                ## Example / ## Use instead */
    tl_severity severity;    /* default level */
    const char *tags;        /* comma separated, e.g. "concurrency,resource-leak" */
    const char *precision;   /* SARIF/GitHub precision: "very-high", "high", "medium", "low" */
    void (*check)(const tl_analysis *a, tl_findings *out);
} tl_rule;

/* All rules, in a stable order; NULL-terminated. */
extern const tl_rule *const tl_rules[];
const tl_rule *tl_rule_find(const char *id);
size_t tl_rule_count(void);

/* Findings without a rule of their own (pseudo_rules.c): clang-diagnostic,
 * suppression, analysis-limit.  NULL id ends the table. */
typedef struct {
    const char *id;
    const char *name;     /* SARIF-style name */
    const char *summary;  /* one line */
    const char *doc;      /* markdown, like tl_rule.doc */
    const char *tags;     /* SARIF properties.tags, comma-separated */
    tl_severity severity;
    bool can_disable;     /* --disable accepts it */
    const char *why_not;  /* when it cannot be disabled: why, and what to do */
} tl_pseudo_rule;

extern const tl_pseudo_rule tl_pseudo_rules[];
const tl_pseudo_rule *tl_pseudo_rule_find(const char *id);

/* Ids of the rules each rule file defines. */
extern const tl_rule tl_rule_orphaned_spawn;
extern const tl_rule tl_rule_unawaited_task;
extern const tl_rule tl_rule_missing_timeout;
extern const tl_rule tl_rule_blocking_in_coroutine;

#endif
