/* fuzz_suppress.c - libFuzzer target: the tasklint-ignore comment scanner
 * (tl_suppress_scan) on a source file's bytes, then tl_suppress_apply() to
 * findings spread over the file's lines and tl_suppress_report().
 * Seeds: corpus/suppress/ (every directive shape, comments, strings). */
#include <stdbool.h>
#include <string.h>

#include "fuzz_target.h"
#include "report/suppress.h"
#include "rules/rule.h"

/* Findings of every rule id a suppression can name, plus the two that can
 * never be suppressed; one per line, rules taking turns (linear in size). */
static const char *const finding_rules[] = {"orphaned-spawn", "unawaited-task", "missing-timeout",
                                            "blocking-in-coroutine", "clang-diagnostic",
                                            "suppression"};
#define NFINDING_RULES (sizeof finding_rules / sizeof finding_rules[0])

static void add_findings(tl_findings *fs, const uint8_t *data, size_t size) {
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        if (data[i] == '\n') lines++;
    for (unsigned line = 1; line <= lines + 1; line++)
        tl_findings_add(fs, finding_rules[line % NFINDING_RULES], TL_SEV_WARNING, "fuzz.c", line,
                        1, NULL, "finding");
    tl_findings_add(fs, "orphaned-spawn", TL_SEV_WARNING, "other.c", 1, 1, NULL, "elsewhere");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tl_suppress_set s;
    tl_suppress_init(&s);
    tl_suppress_scan(&s, "fuzz.c", (const char *)data, size);
    for (size_t i = 0; i < s.n; i++) {
        const tl_suppression *sup = &s.items[i];
        fuzz_require(sup->line >= 1 && sup->first <= sup->last, "a suppression covers lines");
        for (size_t r = 0; r < sup->nrules; r++)
            fuzz_require(tl_rule_find(sup->rules[r]) != NULL, "only valid rule ids are kept");
    }

    tl_findings fs;
    tl_findings_init(&fs);
    add_findings(&fs, data, size);
    size_t suppressed = tl_suppress_apply(&s, &fs);
    fuzz_require(suppressed <= fs.n, "no more suppressed than there are findings");
    size_t counted = 0;
    for (size_t i = 0; i < fs.n; i++) {
        const tl_finding *f = &fs.items[i];
        if (!f->suppressed) continue;
        counted++;
        fuzz_require(tl_suppress_rule_suppressible(f->rule), "only suppressible rules are suppressed");
        fuzz_require(strcmp(f->file, "fuzz.c") == 0, "a suppression stays in its file");
    }
    fuzz_require(counted == suppressed, "apply counts what it suppressed");

    /* problems, with every rule enabled and then with every other one disabled */
    bool enabled[16];
    size_t nrules = tl_rule_count();
    for (size_t i = 0; i < sizeof enabled / sizeof enabled[0]; i++) enabled[i] = i % 2 == 0;
    fuzz_require(nrules <= sizeof enabled / sizeof enabled[0], "the rule table fits");
    for (int pass = 0; pass < 2; pass++) {
        tl_findings problems;
        tl_findings_init(&problems);
        tl_suppress_report(&s, pass ? enabled : NULL, &problems);
        for (size_t i = 0; i < problems.n; i++)
            fuzz_require(strcmp(problems.items[i].rule, TL_SUPPRESSION_RULE) == 0 &&
                             problems.items[i].message && problems.items[i].message[0],
                         "a problem is a 'suppression' finding with a message");
        tl_findings_free(&problems);
    }
    tl_findings_free(&fs);
    tl_suppress_free(&s);
    return 0;
}
