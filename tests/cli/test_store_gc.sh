#!/usr/bin/env bash
# `tasklint gc` and the keep_runs:/keep_trend: settings from the command line:
# what is kept (newest runs, the baseline's run), the store shrinking, the
# after-run gc of keep_runs:, config errors with file:line:col, and the
# refusals: a read-only store, a locked one, a foreign file, --no-db.
# Also `report` refusing what it cannot do (no --html, no store).
# Usage: bash test_store_gc.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
unset TASKLINT_DB
export NO_COLOR=1

mkdir -p "$T/p/src"
cd "$T/p" || exit 1
git init -q .
cat >src/a.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
for i in 1 2 3 4 5 6; do
    echo "void f$i(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }" >>src/a.c
    "$TL" -q src >/dev/null 2>&1
done
"$TL" baseline set 2 >/dev/null 2>&1 || fail "baseline set 2"
nruns() { "$TL" runs | grep -c complete; }
[ "$(nruns)" = 6 ] || fail "6 runs before gc: $(nruns)"

"$TL" gc --keep-runs 2 --keep-trend none 2>err.txt || fail "gc exited $?"
runs=$("$TL" runs | awk '$2 == "complete" {print $1}' | sort -n | tr '\n' ' ')
[ "$runs" = "2 5 6 " ] && ok "gc kept the newest 2 and the baseline's run" || fail "kept: $runs"
grep -q 'kept 3 of 6 runs, dropped 3; the store went from [0-9]* to [0-9]* bytes (vacuumed)' err.txt &&
    ok "gc says what it did" || { cat err.txt; fail "gc message"; }
"$TL" diff --baseline default >/dev/null 2>&1; [ $? -le 1 ] && ok "the baseline still works" ||
    fail "diff against the baseline after gc"

# keep_runs: in the config: applied after each run
printf 'keep_runs: 1\nkeep_trend: none\n' >.tasklint.yaml
"$TL" -q src >/dev/null 2>&1
runs=$("$TL" runs | awk '$2 == "complete" {print $1}' | sort -n | tr '\n' ' ')
[ "$runs" = "2 7 " ] && ok "keep_runs: 1 after a run" || fail "after a run with keep_runs: 1: $runs"
printf 'keep_runs: 0\n' >.tasklint.yaml
"$TL" -q src >out.txt 2>&1
st=$?
[ $st = 2 ] && grep -q "\.tasklint\.yaml:1:[0-9]*: .*keep_runs" out.txt && ok "keep_runs: 0 is an error" ||
    { cat out.txt; fail "keep_runs: 0 gave $st"; }
printf 'keep_trend: monthly\n' >.tasklint.yaml
"$TL" gc >/dev/null 2>&1 # an unreadable config: gc uses its defaults
"$TL" -q src >out.txt 2>&1
[ $? = 2 ] && grep -q "keep_trend" out.txt && ok "keep_trend: monthly is an error" || fail "keep_trend"
rm .tasklint.yaml

# usage errors
"$TL" gc --keep-runs 0 >/dev/null 2>&1; [ $? = 2 ] && ok "--keep-runs 0 refused" || fail "--keep-runs 0"
"$TL" gc --keep-trend month >/dev/null 2>&1; [ $? = 2 ] && ok "--keep-trend month refused" || fail "--keep-trend"
"$TL" gc --no-db >/dev/null 2>&1; [ $? = 2 ] && ok "gc --no-db refused" || fail "gc --no-db"
"$TL" report >err.txt 2>&1; [ $? = 2 ] && grep -q -- '--html DIR' err.txt && ok "report needs --html" ||
    fail "report without --html"
"$TL" report --html out --run 999 >err.txt 2>&1
[ $? = 2 ] && grep -q 'no run 999' err.txt && ok "report --run 999" || { cat err.txt; fail "report --run 999"; }

# a foreign file and a missing store
sqlite3_py() { /usr/bin/python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()" "$@"; }
sqlite3_py "$T/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
before=$(md5sum <"$T/other.db")
"$TL" gc --db "$T/other.db" >/dev/null 2>err.txt
[ $? = 2 ] && grep -q 'did not create' err.txt && [ "$(md5sum <"$T/other.db")" = "$before" ] &&
    ok "gc refuses a foreign database and leaves it as it was" || { cat err.txt; fail "foreign"; }
cp .tasklint/findings.db "$T/damaged.db"
printf '\x00\x03' | dd of="$T/damaged.db" bs=1 seek=16 conv=notrunc 2>/dev/null # page size 3
before=$(md5sum <"$T/damaged.db")
"$TL" gc --db "$T/damaged.db" >/dev/null 2>err.txt
[ $? = 2 ] && grep -q 'damaged\|corrupt' err.txt && [ "$(md5sum <"$T/damaged.db")" = "$before" ] &&
    ok "gc refuses a damaged database and leaves it as it was" || { cat err.txt; fail "damaged"; }
"$TL" report --html out --db "$T/damaged.db" >/dev/null 2>&1; [ $? = 2 ] && ok "report on a damaged store" ||
    fail "report on a damaged store"
"$TL" gc --db "$T/none.db" >/dev/null 2>err.txt
[ $? = 2 ] && grep -q 'run an analysis first' err.txt && ok "gc without a store" || fail "missing store"
"$TL" report --html out --db "$T/none.db" >/dev/null 2>&1; [ $? = 2 ] && ok "report without a store" ||
    fail "report without a store"

# a locked store: another writer holds it (the busy timeout is 10 s)
/usr/bin/python3 - "$T/p/.tasklint/findings.db" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open(sys.argv[1] + '.locked', 'w').close()
time.sleep(14)
c.execute('ROLLBACK')
PY
locker=$!
for _ in $(seq 100); do [ -e .tasklint/findings.db.locked ] && break; sleep 0.1; done
"$TL" gc >/dev/null 2>err.txt
st=$?
wait $locker
rm -f .tasklint/findings.db.locked
[ $st = 2 ] && grep -q 'locked by another process' err.txt && ok "gc on a locked store" ||
    { cat err.txt; fail "locked store gave $st"; }

# a read-only store (as nobody when run as root)
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
chmod -R a+rX "$T"
chmod a-w .tasklint .tasklint/findings.db
before=$(md5sum <.tasklint/findings.db)
"${as_user[@]}" "$TL" gc >/dev/null 2>err.txt
st=$?
[ $st = 2 ] && grep -qi 'not writable\|cannot write\|read-only\|readonly' err.txt &&
    [ "$(md5sum <.tasklint/findings.db)" = "$before" ] && ok "gc on a read-only store" ||
    { cat err.txt; fail "read-only store gave $st"; }
chmod u+w .tasklint .tasklint/findings.db

[ $fails = 0 ] || exit 1
echo "all ok"
