#!/usr/bin/env bash
# A file with clang errors reports them as clang-diagnostic findings (exit 1)
# and the other files are still analysed.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

cat >"$T/a_broken.c" <<'C'
int f(void) {
    return undeclared_thing;
}
int g(void) { return 1 }
C
cat >"$T/b_leak.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
cat >"$T/c_include.c" <<'C'
#include "no_such_header.h"
int h(void) { return 0; }
C

"$TL" "$T" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "exit $rc, expected 1"
grep -q "a_broken.c:2:12: error: use of undeclared identifier 'undeclared_thing' \[clang-diagnostic\]" "$T/out" \
    || fail "undeclared identifier not reported"
grep -q "a_broken.c:4:23: error: expected ';' .*\[clang-diagnostic\]" "$T/out" || fail "missing ';' not reported"
grep -q "b_leak.c:3:33: warning: .*\[orphaned-spawn\]" "$T/out" || fail "other file not analysed"
grep -q "c_include.c:1:10: error: 'no_such_header.h' file not found \[clang-diagnostic\]" "$T/out" \
    || fail "missing header not reported"
grep -q "3 files analysed" "$T/err" || fail "summary: $(cat "$T/err")"
# clang errors cannot be suppressed
printf 'int x = ; // tasklint-ignore(*): try\n' >"$T/d.c"
"$TL" "$T/d.c" >"$T/out" 2>/dev/null
grep -q "d.c:1:9: error: .*\[clang-diagnostic\]" "$T/out" || fail "clang error was suppressed"
grep -q "unused suppression" "$T/out" || fail "no unused-suppression report"
# garbage input never crashes
head -c 4096 /dev/urandom >"$T/garbage.c" 2>/dev/null || printf '\x01\x02\xff{{{' >"$T/garbage.c"
"$TL" "$T/garbage.c" >/dev/null 2>&1
rc=$?
[ $rc = 1 ] || [ $rc = 0 ] || fail "garbage input: exit $rc"
: >"$T/empty.c"
"$TL" "$T/empty.c" >/dev/null 2>&1 || fail "empty file: exit $?"
[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; cat "$T/out" "$T/err"; exit 1; }
