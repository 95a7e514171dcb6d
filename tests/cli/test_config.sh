#!/usr/bin/env bash
# Project config (.tasklint.yaml, found by walking up from each file):
# enable/disable and profile, overridden by the command line; --no-config,
# --config FILE; a bad config is a fatal error (exit 2) with file:line.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

mkdir -p "$T/proj/src/deep" "$T/other"
cat >"$T/proj/src/deep/leak.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
/* a forever join: only the strict profile flags it */
void *wait_for(pthread_t t) { void *r; pthread_join(t, &r); return r; }
C
cp "$T/proj/src/deep/leak.c" "$T/other/leak.c"
printf 'disable: [orphaned-spawn]\nprofile: strict\n' >"$T/proj/.tasklint.yaml"

"$TL" "$T/proj/src/deep/leak.c" >"$T/out" 2>&1
grep -q "\[orphaned-spawn\]" "$T/out" && fail "config disable ignored"
grep -q "pthread_join.*\[missing-timeout\]" "$T/out" || fail "config profile: strict ignored: $(cat "$T/out")"
echo "ok   config found by walking up"

"$TL" --enable orphaned-spawn --profile default "$T/proj/src/deep/leak.c" >"$T/out" 2>&1
grep -q "\[orphaned-spawn\]" "$T/out" || fail "--enable does not override the config"
grep -q "\[missing-timeout\]" "$T/out" && fail "--profile does not override the config"
"$TL" --no-config "$T/proj/src/deep/leak.c" >"$T/out" 2>&1
grep -q "\[orphaned-spawn\]" "$T/out" || fail "--no-config still reads the config"
echo "ok   command line overrides"

# --config applies one config to every file (also outside its tree)
"$TL" --config "$T/proj/.tasklint.yaml" "$T/other/leak.c" >"$T/out" 2>&1
grep -q "\[orphaned-spawn\]" "$T/out" && fail "--config not applied"
"$TL" "$T/other/leak.c" >"$T/out" 2>&1
grep -q "\[orphaned-spawn\]" "$T/out" || fail "config leaked into another tree"
echo "ok   --config"

# errors: a bad key (file:line), an unknown rule id; other files still run
printf 'profile: strict\nwat: 1\n' >"$T/proj/.tasklint.yaml"
"$TL" "$T/proj/src/deep/leak.c" "$T/other/leak.c" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "bad config: exit $rc"
grep -q "tasklint: error: .*\.tasklint\.yaml:2:" "$T/err" || fail "bad config message: $(cat "$T/err")"
grep -q "other/leak.c.*\[orphaned-spawn\]" "$T/out" || fail "other files not analysed after a config error"
printf 'disable: [no-such-rule]\n' >"$T/proj/.tasklint.yaml"
"$TL" "$T/proj/src/deep/leak.c" >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "unknown rule in config: exit"
grep -q "unknown rule 'no-such-rule'" "$T/err" || fail "unknown rule in config: $(cat "$T/err")"
echo "ok   config errors"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
