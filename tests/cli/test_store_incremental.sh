#!/usr/bin/env bash
# Incremental re-analysis: a second run on an unchanged tree reuses every
# TU (shown by `tasklint runs`) and prints the same findings; touching a
# header re-analyses exactly the TUs that include it; other compiler
# arguments or rule settings re-analyse everything.
# Usage: bash test_store_incremental.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

mkdir -p "$T/p/src" "$T/p/include"
cd "$T/p" || exit 1
touch .tasklint.yaml # the project root: the store goes to .tasklint/ here
cat >include/common.h <<'C'
#include <pthread.h>
#define WORKERS 2
C
cat >include/other.h <<'C'
int other(void);
C
for f in a b c; do
    case $f in
    a) inc='#include "common.h"' ;;
    b) inc=$'#include "common.h"\n#include "other.h"' ;;
    c) inc='#include <pthread.h>' ;;
    esac
    cat >src/$f.c <<C
$inc
static void *run_$f(void *arg) { return arg; }
void start_$f(void) {
    pthread_t t;
    pthread_create(&t, NULL, run_$f, NULL);
}
C
done

# the newest run's FILES and REUSED columns
last_run() { "$TL" runs | awk 'NR==2 {print $5, $6}'; }
run() { "$TL" -j 2 src -- -Iinclude >"$T/out" 2>"$T/err"; }

run; [ $? = 1 ] || fail "first run: exit"
cp "$T/out" "$T/out1"
[ "$(last_run)" = "3 0" ] || fail "first run: FILES REUSED = $(last_run), expected 3 0"
run; [ $? = 1 ] || fail "second run: exit"
[ "$(last_run)" = "3 3" ] || { fail "second run: FILES REUSED = $(last_run), expected 3 3"; "$TL" runs; }
cmp -s "$T/out1" "$T/out" || { fail "reused findings print differently"; diff "$T/out1" "$T/out"; }
ok "unchanged tree: every TU reused, identical output"

echo '/* touched */' >>include/other.h
run
[ "$(last_run)" = "3 2" ] || fail "other.h touched: FILES REUSED = $(last_run), expected 3 2 (only b.c)"
cmp -s "$T/out1" "$T/out" || fail "output changed after a comment in a header"
echo '/* touched */' >>include/common.h
run
[ "$(last_run)" = "3 1" ] || fail "common.h touched: FILES REUSED = $(last_run), expected 3 1 (a.c, b.c)"
run
[ "$(last_run)" = "3 3" ] || fail "after re-analysis: FILES REUSED = $(last_run), expected 3 3"
ok "a touched header re-analyses exactly the TUs that include it"

# a changed main file
sed -i 's/pthread_create(&t, NULL, run_c, NULL);/pthread_create(\&t, NULL, run_c, NULL); pthread_join(t, NULL);/' src/c.c
run
[ "$(last_run)" = "3 2" ] || fail "c.c changed: FILES REUSED = $(last_run), expected 3 2"
[ "$(grep -c 'warning:' "$T/out")" = 2 ] || { fail "c.c fixed: expected 2 findings"; cat "$T/out"; }
ok "a changed main file is re-analysed"

# other arguments, rule states, profile: nothing reused
"$TL" src -- -Iinclude -DEXTRA >/dev/null 2>&1
[ "$(last_run)" = "3 0" ] || fail "other compiler arguments: FILES REUSED = $(last_run), expected 3 0"
"$TL" --disable missing-timeout src -- -Iinclude >/dev/null 2>&1
[ "$(last_run)" = "3 0" ] || fail "other rule states: FILES REUSED = $(last_run), expected 3 0"
echo 'profile: strict' >.tasklint.yaml
run
[ "$(last_run)" = "3 0" ] || fail "changed .tasklint.yaml: FILES REUSED = $(last_run), expected 3 0"
ok "compiler arguments, rule states and the project config are part of the key"

# --no-db leaves the store alone
n=$("$TL" runs | wc -l)
"$TL" --no-db src -- -Iinclude >/dev/null 2>&1
[ "$("$TL" runs | wc -l)" = "$n" ] || fail "--no-db recorded a run"
ok "--no-db records nothing"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
