/* explain.c - see explain.h. */
#include "report/explain.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/finding.h"
#include "rules/rule.h"
#include "util/xalloc.h"

char *tl_explain_text(const char *id) {
    const tl_rule *r = tl_rule_find(id);
    const tl_pseudo_rule *p = tl_pseudo_rule_find(id);
    if (p)
        return tl_xasprintf("# %s (%s)\n\nPseudo-rule: %s.\n\nDefault severity: %s. %s\n\n%s", p->id,
                            p->name, p->summary, tl_severity_name(p->severity),
                            p->can_disable ? "Can be disabled." : "Cannot be disabled.", p->doc);
    if (!r) return NULL;
    const char *doc = r->doc ? r->doc : "";
    bool tags = r->tags && *r->tags;
    return tl_xasprintf("# %s (%s)\n\n%s\n\nDefault severity: %s.%s%s%s\n\n%s%s", r->id, r->name,
                        r->summary, tl_severity_name(r->severity), tags ? " Tags: " : "",
                        tags ? r->tags : "", tags ? "." : "", doc,
                        *doc && doc[strlen(doc) - 1] != '\n' ? "\n" : "");
}
