/* fork_branch.h - which calls of a function run only in a fork's child
 * process (tl_call_facts.in_fork_child); see fork_branch.c. */
#ifndef TL_FORK_BRANCH_H
#define TL_FORK_BRANCH_H

#include "analysis.h"

/* Set in_fork_child on the calls of f that only a child of a `child_if_zero`
 * spawn (fork, forkpty; not one whose parent waits for the child: vfork)
 * runs.  Needs the calls' models (ff->calls[].model). */
void tl_mark_fork_child_calls(const tl_func *f, tl_func_facts *ff);

/* Candidate fork wrappers kept per call by tl_fork_child_of. */
#define TL_FORK_CANDIDATES 4

/* For the program's summaries, where a fork wrapper of another file (Redis's
 * redisFork()) has no model yet: per call id of f (a malloc'd array of
 * ff->ncalls * TL_FORK_CANDIDATES entries, the call's at id *
 * TL_FORK_CANDIDATES, padded with -1), the unmodelled calls C such that
 * every path to the call took an edge saying C's result is 0 - it runs in
 * the child if one of them turns out to return a fork's result.  NULL when
 * f tests no such result. */
int *tl_fork_child_of(const tl_func *f, const tl_func_facts *ff);

#endif
