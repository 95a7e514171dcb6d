#!/usr/bin/env bash
# `check` without any baseline (every finding is new, a note says how to set
# one) and `diff` comparing only the files both runs analysed (findings in
# files one run alone analysed are "not compared", text and JSON).
# Usage: bash test_store_check_diff.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
unset TASKLINT_DB

mkdir -p "$T/p/src"
cd "$T/p" || exit 1
cat >src/a.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start_a(void) {
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
}
C
cat >src/b.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start_b(void) {
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
}
C

# 1. check with a store but no baseline: every finding is new, exit 1
"$TL" check src >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] || { fail "check without a baseline: exit $rc, expected 1"; cat "$T/err"; }
[ "$(grep -c '\[new\]' "$T/out")" = 2 ] || { fail "check without a baseline: findings not all new"; cat "$T/out"; }
[ "$(grep -c 'no baseline found' "$T/err")" = 1 ] || { fail "check: no single note about the missing baseline"; cat "$T/err"; }
grep -q 'tasklint baseline set' "$T/err" || fail "check: the note does not say how to set a baseline"
grep -q '2 new, 0 unchanged, 0 fixed' "$T/err" || { fail "check: summary"; cat "$T/err"; }
# without a store at all, too
"$TL" check --no-db src >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q 'no baseline found' "$T/err" || { fail "check --no-db without a baseline: exit $rc"; cat "$T/err"; }
# nothing found: exit 0
"$TL" check --no-db src/../src/a.c --disable orphaned-spawn >/dev/null 2>&1; rc=$?
[ $rc = 0 ] || fail "check without a baseline and no findings: exit $rc"
ok "check without a baseline: all findings new, note, exit 1"

# 2. diff: run 2 analyses a.c and b.c, run 3 only b.c with a new bug in it
rm -rf .tasklint
"$TL" src >/dev/null 2>&1
cat >>src/b.c <<'C'
void start_more(void) {
    pthread_t t2;
    pthread_create(&t2, NULL, run, NULL);
}
C
"$TL" src/b.c >/dev/null 2>&1
"$TL" diff >"$T/diff" 2>&1 || { fail "diff: exit $?"; cat "$T/diff"; }
grep -q '^new (1):' "$T/diff" && grep -q '^fixed (0):' "$T/diff" ||
    { fail "diff: a.c's finding counted as fixed though run 2 did not analyse a.c"; cat "$T/diff"; }
grep -q '^not compared: 1 finding in files only run 1 analysed' "$T/diff" ||
    { fail "diff: the findings only run 1 analysed are not listed"; cat "$T/diff"; }
grep -q '1 new, 1 unchanged, 0 fixed' "$T/diff" || { fail "diff summary"; cat "$T/diff"; }
"$TL" diff -v | grep -q 'src/a.c:.*start_a' || fail "diff -v does not list the not compared finding"
# the other way round: run 2 -> run 1, a.c only in run 1 (= B)
"$TL" diff 2 1 >"$T/diff" 2>&1
grep -q '^not compared: 1 finding in files only run 1 analysed' "$T/diff" && grep -q '^new (0):' "$T/diff" ||
    { fail "diff 2 1"; cat "$T/diff"; }
"$TL" diff --format json >"$T/diff.json" 2>&1 || fail "diff --format json: exit $?"
python3 - "$T/diff.json" <<'PY' || fail "diff JSON: not compared findings"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["counts"] == {"new": 1, "fixed": 0, "unchanged": 1, "only_in_a": 1, "only_in_b": 0}, d["counts"]
assert [f["function"] for f in d["only_in_a"]] == ["start_a"], d["only_in_a"]
assert d["only_in_b"] == []
PY
# a named baseline stands for its run's files too
"$TL" baseline set 1 >/dev/null 2>&1
"$TL" diff --baseline default >"$T/diff" 2>&1
grep -q '^fixed (0):' "$T/diff" && grep -q '^not compared: 1 finding' "$T/diff" ||
    { fail "diff --baseline NAME compares every file"; cat "$T/diff"; }
ok "diff compares only files both runs analysed (text, -v, JSON, --baseline NAME)"

[ $fails = 0 ]
