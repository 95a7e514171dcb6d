#!/usr/bin/env bash
# Suppression comments: suppressed findings are not printed and do not fail
# the run; mistakes in suppressions are findings of their own.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

cat >"$T/ok.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void a(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); } // tasklint-ignore(orphaned-spawn): lives for the whole process
void b(void) {
    pthread_t t;
    // tasklint-ignore-next-line(orphaned-spawn): see a()
    pthread_create(&t, NULL, run, NULL);
}
/* tasklint-ignore-begin(*): legacy code below */
void c(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
/* tasklint-ignore-end */
C
"$TL" "$T/ok.c" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "all suppressed: exit $rc: $(cat "$T/out")"
[ -s "$T/out" ] && fail "suppressed findings printed"
grep -q "3 suppressed" "$T/err" || fail "summary does not count suppressed: $(cat "$T/err")"
echo "ok   suppressed"

cat >"$T/bad.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void a(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); } // tasklint-ignore(orphaned-spawn)
void b(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); } // tasklint-ignore(orphan-spawn): typo
int c(void) { return 0; } // tasklint-ignore(missing-timeout): nothing to suppress
// tasklint-ignore-begin(orphaned-spawn): never closed
C
"$TL" "$T/bad.c" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "bad suppressions: exit $rc"
grep -q "bad.c:3:.*suppression without a reason.*\[suppression\]" "$T/out" || fail "missing reason"
grep -q "bad.c:4:.*unknown rule 'orphan-spawn'.*orphaned-spawn, unawaited-task, missing-timeout, blocking-in-coroutine.*\[suppression\]" "$T/out" || fail "unknown rule"
grep -q "bad.c:4:.*\[orphaned-spawn\]" "$T/out" || fail "finding under a typo'd suppression is not reported"
grep -q "bad.c:5:.*unused suppression.*\[suppression\]" "$T/out" || fail "unused suppression"
grep -q "bad.c:6:.*without a matching tasklint-ignore-end.*\[suppression\]" "$T/out" || fail "unbalanced begin"
grep -q "bad.c:3:.*\[orphaned-spawn\]" "$T/out" && fail "suppression without reason should still suppress"
# a disabled rule's suppression is not "unused"
"$TL" --disable missing-timeout "$T/bad.c" >"$T/out" 2>&1
grep -q "bad.c:5:" "$T/out" && fail "unused suppression reported for a disabled rule"
echo "ok   suppression problems"
# --disable suppression: no reports about the comments; the findings stay
"$TL" --disable suppression "$T/bad.c" >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "--disable suppression: exit $rc"
grep -q "\[suppression\]" "$T/out" && fail "--disable suppression still reports suppression comments"
grep -q "bad.c:4:.*\[orphaned-spawn\]" "$T/out" || fail "--disable suppression dropped a rule's finding"
"$TL" --disable suppression --enable suppression "$T/bad.c" 2>&1 | grep -q "\[suppression\]" ||
    fail "--enable suppression does not turn them back on"
echo "ok   --disable suppression"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; cat "$T/out"; exit 1; }
