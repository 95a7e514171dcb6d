/* registry.c - the list of all rules, in a stable order. */
#include <stddef.h>
#include <string.h>

#include "rules/rule.h"

const tl_rule *const tl_rules[] = {
    &tl_rule_orphaned_spawn,
    &tl_rule_unawaited_task,
    &tl_rule_missing_timeout,
    &tl_rule_blocking_in_coroutine,
    NULL,
};

const tl_rule *tl_rule_find(const char *id) {
    if (!id) return NULL;
    for (size_t i = 0; tl_rules[i]; i++)
        if (strcmp(tl_rules[i]->id, id) == 0) return tl_rules[i];
    return NULL;
}

size_t tl_rule_count(void) { return sizeof tl_rules / sizeof tl_rules[0] - 1; }
