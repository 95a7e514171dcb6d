#!/usr/bin/env bash
# SIGINT stops the run: exit 130, no new files started, nothing half-written
# (every printed finding is complete), no worker process left behind.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

mkdir -p "$T/many"
for i in $(seq -w 1 400); do
    cat >"$T/many/f$i.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
done

"$TL" -j 1 "$T/many" >"$T/out" 2>"$T/err" &
pid=$!
# wait until a worker analyses files (findings are printed only once the
# whole program is linked), then interrupt
for _ in $(seq 1 200); do
    pgrep -P "$pid" >/dev/null && break
    sleep 0.05
done
sleep 0.5
kill -INT "$pid"
wait "$pid"
rc=$?
[ $rc = 130 ] || fail "exit $rc, expected 130"
grep -q "interrupted" "$T/err" || fail "no 'interrupted' message"
n=$(grep -c '\[orphaned-spawn\]' "$T/out")
[ "$n" -lt 400 ] || fail "the run was not stopped ($n files reported)"
# each finding is 4 lines: location, source, caret, note
lines=$(wc -l <"$T/out")
[ $((lines % 4)) = 0 ] || fail "half-written output ($lines lines)"
[ -z "$(tail -c 1 "$T/out")" ] || fail "last line not terminated"
grep -q "files analysed" "$T/err" && fail "summary printed after an interrupt"
# the worker processes were killed and reaped with it (they share its command line)
sleep 0.2
pgrep -f -- "$T/many" >/dev/null && fail "worker processes outlived tasklint"
echo "ok   interrupted after $n of 400 files"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
