#!/usr/bin/env bash
# The store is never damaged: a corrupt or non-SQLite file at the db path is
# an error (exit 2) and left byte for byte as it was; a read-only location is
# an error and --no-db still analyses; Ctrl-C mid-run leaves that run failed
# and the earlier complete runs intact.
# Usage: bash test_store_safety.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

mkdir -p "$T/p/src"
cd "$T/p" || exit 1
touch .tasklint.yaml
cat >src/leak.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C

# corrupt / not SQLite: exit 2, clear message, file untouched
head -c 8192 /dev/urandom >"$T/random.db"
printf 'hello, not a database\n' >"$T/text.db"
"$TL" src >/dev/null 2>&1 # a real store, then damage a copy of it
cp .tasklint/findings.db "$T/damaged.db"
dd if=/dev/urandom of="$T/damaged.db" bs=1024 seek=1 count=4 conv=notrunc 2>/dev/null
for db in random text damaged; do
    cp "$T/$db.db" "$T/$db.orig"
    "$TL" --db "$T/$db.db" src >"$T/out" 2>"$T/err"
    rc=$?
    [ $rc = 2 ] || { fail "$db.db: exit $rc, expected 2"; cat "$T/err"; }
    grep -q "^tasklint: error: .*$db.db" "$T/err" || { fail "$db.db: no error naming the file"; cat "$T/err"; }
    grep -q -- "--no-db" "$T/err" || fail "$db.db: the error does not mention --no-db"
    cmp -s "$T/$db.db" "$T/$db.orig" || fail "$db.db was modified"
    [ -e "$T/$db.db-wal" ] && [ -s "$T/$db.db-wal" ] && fail "$db.db: a WAL file was written"
    "$TL" runs --db "$T/$db.db" >/dev/null 2>&1
    [ $? = 2 ] || fail "$db.db: runs does not fail"
    cmp -s "$T/$db.db" "$T/$db.orig" || fail "$db.db was modified by runs"
done
"$TL" --no-db src >/dev/null 2>&1; [ $? = 1 ] || fail "--no-db next to a corrupt store"
ok "corrupt and non-SQLite stores: exit 2, file unchanged"

# read-only location
mkdir -p "$T/ro/src"
cp src/leak.c "$T/ro/src/"
touch "$T/ro/.tasklint.yaml"
chmod -R a+rX "$T"
chmod a-w "$T/ro"
as_user=()
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
        as_user=(skip)
    fi
fi
if [ "${as_user[*]}" = skip ]; then
    echo "skip read-only location (root without setpriv)"
else
    (cd "$T/ro" && "${as_user[@]}" "$TL" src >"$T/out" 2>"$T/err")
    rc=$?
    [ $rc = 2 ] || { fail "read-only: exit $rc, expected 2"; cat "$T/err"; }
    grep -q "^tasklint: error: " "$T/err" && grep -q -- "--no-db" "$T/err" ||
        { fail "read-only: unclear error"; cat "$T/err"; }
    [ -s "$T/out" ] && fail "read-only: findings printed before the error"
    (cd "$T/ro" && "${as_user[@]}" "$TL" --no-db src >"$T/out" 2>"$T/err")
    rc=$?
    [ $rc = 1 ] || { fail "read-only with --no-db: exit $rc, expected 1"; cat "$T/err"; }
    grep -q "\[orphaned-spawn\]" "$T/out" || fail "read-only with --no-db: no findings"
    [ -e "$T/ro/.tasklint" ] && fail "read-only: something was created"
    ok "read-only location: exit 2; --no-db analyses (exit 1)"
fi
chmod u+w "$T/ro"

# Ctrl-C mid-run: that run is failed, the complete ones stay
mkdir -p "$T/p/many"
for i in $(seq -w 1 300); do
    cat >"$T/p/many/f$i.c" <<C
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *run(void *arg) { return arg; }
void start_$i(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
done
"$TL" many/f00*.c >/dev/null 2>&1
"$TL" many/f01*.c >/dev/null 2>&1
"$TL" runs >"$T/before"
"$TL" -j 1 many >"$T/out" 2>"$T/err" &
pid=$!
# Findings print only after the whole program is linked, so wait for the
# store to show the run in progress (not for output) before interrupting.
for _ in $(seq 1 400); do
    "$TL" runs 2>/dev/null | awk 'NR==2 {exit !($2 == "running")}' && break
    sleep 0.02
done
kill -INT "$pid"
wait "$pid"
rc=$?
[ $rc = 130 ] || fail "interrupted run: exit $rc, expected 130"
"$TL" runs >"$T/after" 2>&1 || fail "runs after an interrupt: exit $?"
newest=$(awk 'NR==2 {print $2}' "$T/after")
[ "$newest" = failed ] || { fail "the interrupted run is '$newest', expected failed"; cat "$T/after"; }
# the earlier runs are listed exactly as before
tail -n +2 "$T/before" >"$T/before.rows"
tail -n +3 "$T/after" >"$T/after.rows"
cmp -s "$T/before.rows" "$T/after.rows" || { fail "earlier runs changed"; diff "$T/before.rows" "$T/after.rows"; }
# the newest complete run is still the one before the interrupt
"$TL" diff >"$T/diff" 2>&1 || { fail "diff after an interrupt: exit $?"; cat "$T/diff"; }
head -1 "$T/diff" | grep -q "^run 2 -> run 3$" || { fail "diff does not compare the complete runs"; cat "$T/diff"; }
"$TL" baseline set >"$T/bs" 2>&1 && grep -q "run 3 " "$T/bs" || { fail "baseline set picks the failed run"; cat "$T/bs"; }
ok "Ctrl-C: the run is failed, earlier complete runs intact"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
