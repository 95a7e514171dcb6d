#!/usr/bin/env bash
# A file that crashes the C front end costs only itself: it is reported as
# "FILE: error: the C front end crashed on this file (signal N)
# [clang-diagnostic]", every finding of the other files is kept, the exit
# status is 2, the run in the store is complete, and the next run analyses
# the file again (it is never reused).  The same for a worker that exits,
# sends a broken or truncated result (the test hook
# TASKLINT_TEST_WORKER_FAULT) or hangs (TASKLINT_TU_TIMEOUT).  No worker
# outlives tasklint.  Usage: bash test_crash_isolation.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
passed_before=0
ok() { # prints "ok" when the checks since the last ok() all passed
    [ "$fails" = "$passed_before" ] && echo "ok   $*"
    passed_before=$fails
}

mkdir -p "$T/p" "$T/good"
cd "$T" || exit 1
for f in alpha omega; do
    cat >"good/$f.c" <<C
#include <pthread.h>
#include <poll.h>
static void *run_$f(void *arg) { return arg; }
void start_$f(void) { pthread_t t; pthread_create(&t, NULL, run_$f, NULL); }
int wait_$f(int fd) { struct pollfd p = {.fd = fd, .events = POLLIN}; return poll(&p, 1, -1); }
C
    cp "good/$f.c" "p/$f.c"
done
# 100,000 operands in one && chain: libclang's parser runs out of stack on
# it (20,000 were enough while clang still computed warnings, -w since: its
# warning checks recursed deeper than the parser does) (the
# whole tasklint process died of SIGSEGV before the workers were processes)
awk 'BEGIN { printf "int f(int x) { return x"; for (i = 1; i < 100000; i++) printf " && x"; print "; }" }' \
    >p/bad.c

# what the good files give on their own
"$TL" --no-db -j 1 good >"$T/expected" 2>/dev/null
[ -s "$T/expected" ] || fail "no findings in the good files"
sed 's#^good/#p/#' "$T/expected" >"$T/expected.p"

# ---- a real crash ----
"$TL" --db "$T/db" -j 2 p >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "crash: exit $rc, expected 2"
crash_re='^p/bad\.c: error: the C front end crashed on this file \((signal [0-9]+|exit status [0-9]+)\) \[clang-diagnostic\]$'
grep -Eq "$crash_re" "$T/out" || { fail "crash: no crash finding for bad.c"; cat "$T/out" "$T/err"; }
grep -v '^p/bad\.c' "$T/out" >"$T/others"
cmp -s "$T/expected.p" "$T/others" || { fail "crash: the other files' findings differ"; diff "$T/expected.p" "$T/others"; }
grep -q "in 3 files (2 files analysed, 1 failed)" "$T/err" || { fail "crash: summary"; cat "$T/err"; }
"$TL" --no-db --format sarif p 2>/dev/null | grep -q '"executionSuccessful": false' ||
    fail "crash: SARIF says the execution was successful"
status=$("$TL" runs --db "$T/db" | awk 'NR == 2 {print $2}')
[ "$status" = complete ] || { fail "crash: the run is '$status', expected complete"; "$TL" runs --db "$T/db"; }
"$TL" --db "$T/db" -j 1 p >"$T/out1" 2>/dev/null
cmp -s "$T/out" "$T/out1" || { fail "crash: -j 1 prints differently from -j 2"; diff "$T/out" "$T/out1"; }
"$TL" --db "$T/db" -v -j 2 p >"$T/out2" 2>"$T/err2"
grep -Eq "$crash_re" "$T/out2" || fail "re-run: bad.c was not tried again"
grep -q "^2 of 3 files unchanged" "$T/err2" || { fail "re-run: expected exactly the 2 good files reused"; cat "$T/err2"; }
ok "a libclang crash: exit 2, other findings kept, run complete, retried next time"

# ---- every way a worker can fail, through the test hook ----
check_fault() { # KIND EXPECTED_MESSAGE_PART
    rm -f "$T/db"*
    TASKLINT_TEST_WORKER_FAULT="$1:alpha.c" "$TL" --db "$T/db" -j 2 good >"$T/out" 2>"$T/err"
    local rc=$?
    [ $rc = 2 ] || fail "$1: exit $rc, expected 2"
    grep -qF "good/alpha.c: error: the C front end crashed on this file ($2" "$T/out" ||
        { fail "$1: no crash finding with '$2'"; cat "$T/out" "$T/err"; }
    grep '^good/omega' "$T/expected" >"$T/omega.expected"
    grep '^good/omega' "$T/out" >"$T/omega"
    cmp -s "$T/omega.expected" "$T/omega" || fail "$1: omega.c's findings are not all there"
    [ "$("$TL" runs --db "$T/db" | awk 'NR == 2 {print $2}')" = complete ] || fail "$1: run not complete"
    ok "worker fault '$1': ($2...)"
}
check_fault segv "signal 11)"
check_fault exit "exit status 3)"
check_fault garbage "its worker sent a broken result: frame checksum mismatch)"
check_fault truncated "exit status 0, in the middle of sending its result)"

# ---- a parse that hangs: a named pipe nobody writes to ----
mkdir -p "$T/h"
cp good/alpha.c "$T/h/"
mkfifo "$T/h/fifo.h"
printf '#include "fifo.h"\nint y;\n' >"$T/h/hang.c"
start=$(date +%s)
TASKLINT_TU_TIMEOUT=2 timeout 60 "$TL" --no-db -j 2 h >"$T/out" 2>"$T/err"
rc=$?
took=$(($(date +%s) - start))
[ $rc = 2 ] || fail "hang: exit $rc, expected 2"
grep -qF "h/hang.c: error: the C front end timed out on this file (after 2 s" "$T/out" ||
    { fail "hang: no timeout finding"; cat "$T/out" "$T/err"; }
grep -q "^h/alpha.c:.*orphaned-spawn" "$T/out" || fail "hang: alpha.c's findings are missing"
[ "$took" -lt 30 ] || fail "hang: took $took s"
ok "a hung parse is killed after TASKLINT_TU_TIMEOUT seconds"

# ---- Ctrl-C while a worker hangs: exit 130 at once ----
"$TL" --no-db -j 2 "$T/h" >"$T/out" 2>"$T/err" &
pid=$!
sleep 1
start=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
took=$(($(date +%s) - start))
[ $rc = 130 ] || fail "interrupt: exit $rc, expected 130"
[ "$took" -lt 5 ] || fail "interrupt: took $took s to stop"
ok "Ctrl-C stops a hung worker at once"

# ---- no worker survives (their command lines name this directory) ----
sleep 0.2
if pgrep -f -- "$T/" >/dev/null; then
    fail "worker processes are left over"
    pgrep -af -- "$T/"
fi
ok "no worker process is left over"

# ---- bad limits are usage errors ----
TASKLINT_TU_TIMEOUT=soon "$TL" --no-db good >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "TASKLINT_TU_TIMEOUT" "$T/err" || fail "TASKLINT_TU_TIMEOUT=soon accepted"
TASKLINT_MEMORY_LIMIT=12x "$TL" --no-db good >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q "TASKLINT_MEMORY_LIMIT" "$T/err" || fail "TASKLINT_MEMORY_LIMIT=12x accepted"
TASKLINT_MEMORY_LIMIT=2GiB TASKLINT_TU_TIMEOUT=0 "$TL" --no-db good >/dev/null 2>&1
[ $? = 1 ] || fail "TASKLINT_MEMORY_LIMIT=2GiB TASKLINT_TU_TIMEOUT=0 refused"
ok "limits are checked"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
