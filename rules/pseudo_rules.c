/* pseudo_rules.c - the findings tasklint reports that no rule in tl_rules
 * makes: clang-diagnostic (clang's errors), suppression (wrong or unused
 * tasklint-ignore comments) and analysis-limit (a function not fully
 * checked).  --list-rules and --explain show them next to the rules, and
 * --disable/--enable accept the ones that can be turned off (suppression);
 * the SARIF writer lists them after the rules. */
#include <stddef.h>
#include <string.h>

#include "rules/rule.h"

const tl_pseudo_rule tl_pseudo_rules[] = {
    {"clang-diagnostic", "ClangDiagnostic", "clang could not compile part of an analysed file",
    "## What it does\n"
    "\n"
    "Reports an error that clang found while parsing an analysed file: a\n"
    "syntax error, an unknown type, a header that cannot be found.  tasklint\n"
    "still analyses the functions clang parsed cleanly; the functions an error\n"
    "is in are left out, and a note names them, so findings in them are\n"
    "missing.  clang's warnings are never reported.\n"
    "\n"
    "## Why is this bad?\n"
    "\n"
    "The analysis needs the same view of the code as the compiler.  A missing\n"
    "include path or define usually means the file was analysed with other\n"
    "arguments than it is built with.\n"
    "\n"
    "## Use instead\n"
    "\n"
    "Run tasklint with the build's `compile_commands.json` (`-p BUILD_DIR`), or\n"
    "pass the missing `-I`/`-D` arguments after `--`.  clang-diagnostic errors\n"
    "cannot be suppressed.\n",
     "compiler", TL_SEV_ERROR, false,
     "clang's errors mean the file was not analysed as it is built: fix the arguments (-p)"},
    {"suppression", "InvalidSuppression", "a tasklint-ignore comment that is malformed or suppresses nothing",
    "## What it does\n"
    "\n"
    "Reports a `tasklint-ignore` comment that is wrong: it names an unknown\n"
    "rule, it has no reason after the colon, a `-begin` has no `-end` (or the\n"
    "other way round), or it suppresses nothing.\n"
    "\n"
    "## Why is this bad?\n"
    "\n"
    "A suppression that does not match anything hides nothing today but will\n"
    "silently hide a future finding on that line; one without a reason leaves\n"
    "reviewers guessing why the finding was accepted.\n"
    "\n"
    "## Example\n"
    "\n"
    "```c\n"
    "go(worker());  // tasklint-ignore(orphaned-spawns)\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "\n"
    "```c\n"
    "go(worker());  // tasklint-ignore(orphaned-spawn): the pool owns it\n"
    "```\n"
    "\n"
    "`--disable suppression` turns these reports off.\n",
     "maintainability,suppression", TL_SEV_WARNING, true, NULL},
    {"analysis-limit", "AnalysisLimit",
     "a function was not fully checked: an internal limit of the analysis was reached",
    "## What it does\n"
    "\n"
    "Reports a function that tasklint did not check completely because one of\n"
    "its internal limits was reached: the dataflow budget (loops nested\n"
    "hundreds deep), the number of spawned handles orphaned-spawn follows in\n"
    "one function (32), or the number of paths with different owned handles\n"
    "it keeps apart (8).  The finding names the function and the limit.\n"
    "\n"
    "## Why is this bad?\n"
    "\n"
    "Findings in that function may be missing: without this report the\n"
    "function would look clean.  Each limit keeps the analysis linear in the\n"
    "size of the code, so huge generated functions cannot make it slow.\n"
    "\n"
    "## Use instead\n"
    "\n"
    "Split the function (fewer spawns per function, shallower nesting), or list\n"
    "it under `exempt:` in `.tasklint.yaml` to stop checking it knowingly.\n"
    "analysis-limit findings cannot be suppressed with `tasklint-ignore`.\n",
     "coverage", TL_SEV_WARNING, false,
     "findings may be missing in such a function: use `exempt:` in .tasklint.yaml to stop "
     "checking it knowingly"},
    {NULL, NULL, NULL, NULL, NULL, TL_SEV_WARNING, false, NULL},
};

const tl_pseudo_rule *tl_pseudo_rule_find(const char *id) {
    if (!id) return NULL;
    for (size_t i = 0; tl_pseudo_rules[i].id; i++)
        if (strcmp(tl_pseudo_rules[i].id, id) == 0) return &tl_pseudo_rules[i];
    return NULL;
}
