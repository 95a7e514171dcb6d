#!/usr/bin/env bash
# The adopt-on-a-legacy-codebase workflow, end to end, in a temporary git
# repository: first run, baseline set, a new bug, `check` shows only it and
# fails, --fail-on, baseline export (sorted, stable), --baseline FILE in a
# fresh clone without a store, --baseline-commit, runs, diff (text, JSON),
# triage applied on the next run.
# Usage: bash test_baseline_workflow.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
command -v git >/dev/null || { echo "skip: no git"; exit 0; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_CONFIG_NOSYSTEM=1 HOME=$T/home
mkdir -p "$HOME" "$T/tmp"
export TMPDIR=$T/tmp

repo=$T/repo
mkdir -p "$repo/src"
cd "$repo" || exit 1
git init -q -b main . 2>/dev/null || git init -q .
cat >src/legacy.c <<'C'
#include <pthread.h>
#include <poll.h>
static void *run(void *arg) { return arg; }
int start(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, run, NULL) != 0)
        return -1;
    return 0;
}
int wait_peer(int fd) {
    struct pollfd pfd = {fd, POLLIN, 0};
    return poll(&pfd, 1, -1);
}
C
cat >src/clean.c <<'C'
int add(int a, int b) { return a + b; }
C
printf '.tasklint/\n' >.gitignore
git add -A && git commit -qm legacy

# 1. first run: the legacy findings, recorded
"$TL" src >"$T/out1" 2>"$T/err1"
rc=$?
[ $rc = 1 ] || fail "first run: exit $rc, expected 1"
[ "$(grep -c 'warning:' "$T/out1")" = 2 ] || { fail "first run: expected 2 findings"; cat "$T/out1"; }
[ -f .tasklint/findings.db ] || fail "no store at the git top level (.tasklint/findings.db)"
ok "first run records 2 findings"

# 2. baseline set
"$TL" baseline set >"$T/out" 2>&1 || { fail "baseline set: exit $?"; cat "$T/out"; }
grep -q "baseline 'default' is now run 1" "$T/out" || { fail "baseline set output"; cat "$T/out"; }
ok "baseline set"

# 3. a new bug: check shows only it and fails
add_bug() {
    cat >>src/legacy.c <<'C'
void spawn_more(void) {
    pthread_t t2;
    pthread_create(&t2, NULL, run, NULL);
}
C
}
add_bug
"$TL" check --baseline default src >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "check with a new bug: exit $rc, expected 1"
[ "$(grep -c 'warning:' "$T/out")" = 1 ] || { fail "check: expected exactly the new finding"; cat "$T/out"; }
grep -q "legacy.c:16:5: warning: thread 't2'.*\[orphaned-spawn\] \[new\]" "$T/out" ||
    { fail "check: the new finding is not shown tagged [new]"; cat "$T/out"; }
grep -q "1 new, 2 unchanged, 0 fixed" "$T/err" || { fail "check summary"; cat "$T/err"; }
# without --baseline, check uses the baseline named default
"$TL" check src >"$T/out2" 2>/dev/null
[ $? = 1 ] && cmp -s "$T/out" "$T/out2" || fail "check without --baseline does not use 'default'"
# the plain command with a baseline: everything, the new one tagged
"$TL" --baseline default src >"$T/out" 2>/dev/null
rc=$?
[ $rc = 1 ] || fail "plain run with --baseline: exit $rc"
[ "$(grep -c 'warning:' "$T/out")" = 3 ] && [ "$(grep -c '\[new\]' "$T/out")" = 1 ] ||
    { fail "plain run with --baseline: 3 findings, 1 tagged new expected"; cat "$T/out"; }
ok "check shows only the new finding, exit 1"

# 4. --fail-on
"$TL" check --fail-on=none src >/dev/null 2>&1; rc=$?
[ $rc = 0 ] || fail "--fail-on=none: exit $rc"
git stash -q
"$TL" check --fail-on=new src >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] || { fail "--fail-on=new with nothing new: exit $rc"; cat "$T/out" "$T/err"; }
[ -s "$T/out" ] && { fail "check printed findings though nothing is new"; cat "$T/out"; }
"$TL" --baseline default src >/dev/null 2>&1; rc=$?
[ $rc = 0 ] || fail "a baseline makes new the default --fail-on: exit $rc"
"$TL" --baseline default --fail-on=any src >/dev/null 2>&1; rc=$?
[ $rc = 1 ] || fail "--fail-on=any with old findings: exit $rc"
# lines inserted above the findings keep their fingerprints
{ printf '/* a header comment\n   of three lines */\n\n'; cat src/legacy.c; } >"$T/x.c" && cp "$T/x.c" src/legacy.c
"$TL" check src >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "0 new, 2 unchanged, 0 fixed" "$T/err" ||
    { fail "lines inserted above: findings became new (exit $rc)"; cat "$T/out" "$T/err"; }
git checkout -q src/legacy.c
git stash pop -q
ok "--fail-on new/any/none; fingerprints survive lines inserted above"

# 5. baseline export: sorted and stable
"$TL" baseline export "$T/b1.txt" 2>/dev/null || fail "baseline export: exit $?"
"$TL" baseline export "$T/b2.txt" 2>/dev/null
cmp -s "$T/b1.txt" "$T/b2.txt" || fail "two exports differ"
head -1 "$T/b1.txt" | grep -q '^#' || fail "export: no header comment line"
grep -v '^#' "$T/b1.txt" | LC_ALL=C sort -c || fail "export: not sorted"
[ "$(grep -vc '^#' "$T/b1.txt")" = 2 ] || { fail "export: expected 2 lines"; cat "$T/b1.txt"; }
# the same findings in a later run export the same lines
git stash -q
"$TL" src >/dev/null 2>&1
"$TL" baseline export --run "$("$TL" runs | awk 'NR==2 {print $1}')" "$T/b3.txt" 2>/dev/null
git stash pop -q
diff <(grep -v '^#' "$T/b1.txt") <(grep -v '^#' "$T/b3.txt") >/dev/null || fail "export of an equal run differs"
ok "baseline export is sorted and stable"

# 6. the exported baseline travels: a fresh clone, no store
cp "$T/b1.txt" tasklint-baseline.txt
git add tasklint-baseline.txt && git commit -qm "tasklint baseline"
git clone -q "$repo" "$T/clone"
(
    cd "$T/clone" || exit 1
    add_bug
    "$TL" check --no-db --baseline tasklint-baseline.txt src >"$T/out" 2>"$T/err"
    echo $? >"$T/rc"
    [ -e .tasklint ] && echo "store created with --no-db" >>"$T/err.extra"
    "$TL" check --baseline tasklint-baseline.txt src >"$T/out_db" 2>/dev/null
    echo $? >"$T/rc_db"
)
[ "$(cat "$T/rc")" = 1 ] || fail "clone: check --baseline FILE exit $(cat "$T/rc")"
[ "$(grep -c 'warning:' "$T/out")" = 1 ] && grep -q '\[new\]' "$T/out" ||
    { fail "clone: expected only the new finding"; cat "$T/out" "$T/err"; }
grep -q "1 new, 2 unchanged, 0 fixed" "$T/err" || { fail "clone: summary"; cat "$T/err"; }
[ -e "$T/err.extra" ] && fail "$(cat "$T/err.extra")"
[ "$(cat "$T/rc_db")" = 1 ] || fail "clone with a new store: exit $(cat "$T/rc_db")"
ok "--baseline FILE in a fresh clone (with and without a store)"

# 7. --baseline-commit: the previous commit, analysed in a temporary worktree
git add -A && git commit -qm "new bug"
"$TL" check --baseline-commit HEAD~1 src >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] || { fail "--baseline-commit: exit $rc"; cat "$T/err"; }
[ "$(grep -c 'warning:' "$T/out")" = 1 ] || { fail "--baseline-commit: expected 1 new finding"; cat "$T/out" "$T/err"; }
grep -q "1 new, 2 unchanged, 0 fixed" "$T/err" || { fail "--baseline-commit summary"; cat "$T/err"; }
[ "$(git worktree list | wc -l)" = 1 ] || { fail "worktree left behind"; git worktree list; }
[ -z "$(ls -A "$T/tmp")" ] || { fail "temporary directory left behind"; ls -A "$T/tmp"; }
"$TL" check --baseline-commit HEAD src >/dev/null 2>&1; rc=$?
[ $rc = 0 ] || fail "--baseline-commit HEAD: nothing new, exit $rc"
"$TL" check --baseline-commit no-such-ref src >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "unknown revision" "$T/err" || fail "--baseline-commit of a bad ref: exit $rc"
ok "--baseline-commit HEAD~1, worktree removed"

# 8. runs and diff
"$TL" runs >"$T/runs" 2>&1 || fail "runs: exit $?"
head -1 "$T/runs" | grep -q "RUN.*STATUS.*STARTED.*COMMIT.*REUSED.*FINDINGS.*BY RULE" || { fail "runs header"; cat "$T/runs"; }
grep -q "complete.*orphaned-spawn=2 missing-timeout=1\|complete.*missing-timeout=1 orphaned-spawn=2" "$T/runs" ||
    { fail "runs: counts per rule"; cat "$T/runs"; }
"$TL" --baseline tasklint-baseline.txt src >/dev/null 2>&1
"$TL" diff --baseline tasklint-baseline.txt >"$T/diff" 2>&1 || fail "diff --baseline: exit $?"
grep -q "^new (1):" "$T/diff" && grep -q "^fixed (0):" "$T/diff" && grep -q "^unchanged: 2" "$T/diff" ||
    { fail "diff --baseline text"; cat "$T/diff"; }
"$TL" diff -v --baseline tasklint-baseline.txt | grep -q "^unchanged (2):" || fail "diff -v lists unchanged"
"$TL" diff 1 --format json >"$T/diff.json" 2>&1 || fail "diff --format json: exit $?"
python3 - "$T/diff.json" <<'PY' || fail "diff JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["counts"] == {"new": 1, "fixed": 0, "unchanged": 2, "only_in_a": 0, "only_in_b": 0}, d["counts"]
assert d["a"] == {"run": 1}
assert [f["rule"] for f in d["new"]] == ["orphaned-spawn"]
assert d["new"][0]["function"] == "spawn_more" and d["new"][0]["path"] == "src/legacy.c"
assert len(d["new"][0]["fingerprint"]) == 32
PY
ok "runs, diff (text, -v, JSON)"

# machine-readable output of a compared run, written through FILE.tmp
"$TL" --baseline tasklint-baseline.txt --format json --output "$T/report.json" src >"$T/out" 2>/dev/null
rc=$?
[ $rc = 1 ] || fail "--format json --output: exit $rc"
[ -s "$T/out" ] && fail "--output: findings also went to stdout"
[ -e "$T/report.json.tmp" ] && fail "--output: FILE.tmp left behind"
python3 - "$T/report.json" <<'PY' || fail "--format json with a baseline"
import json, sys
d = json.load(open(sys.argv[1]))
states = sorted(f["baseline_state"] for f in d["findings"] if not f["suppressed"])
assert states == ["new", "unchanged", "unchanged"], states
PY
ok "--format json --output with baseline states"

# 9. triage, applied on the next run
fp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["new"][0]["fingerprint"])' "$T/diff.json")
"$TL" triage "${fp:0:10}" intentional "the pool owns it" >"$T/out" 2>&1 || { fail "triage: exit $?"; cat "$T/out"; }
"$TL" check src >"$T/out" 2>"$T/err"; rc=$?
grep -q "\[orphaned-spawn\] (triaged: intentional: the pool owns it) \[new\]" "$T/out" ||
    { fail "triage not shown on the next run"; cat "$T/out"; }
[ $rc = 0 ] || fail "a finding triaged intentional still fails check (exit $rc)"
"$TL" triage 0123456789abcdef intentional "x" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "no finding with fingerprint" "$T/err" || fail "triage of an unknown fingerprint: exit $rc"
"$TL" triage abc intentional "x" >/dev/null 2>&1; [ $? = 2 ] || fail "triage of a short prefix accepted"
"$TL" triage "$fp" wontfix "x" >/dev/null 2>&1; [ $? = 2 ] || fail "triage with an unknown state accepted"
"$TL" triage "$fp" false-positive "not a bug after all" >/dev/null 2>&1 || fail "re-triage"
"$TL" src 2>/dev/null | grep -q "(triaged: false-positive: not a bug after all)" || fail "re-triage not applied"
ok "triage by prefix, shown and not counted on the next run"

# 10. a subcommand name as a path
mkdir -p diff && cp src/clean.c diff/
"$TL" ./diff >/dev/null 2>&1; rc=$?
[ $rc = 0 ] || fail "./diff as a path: exit $rc"
ok "./diff is a path"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
