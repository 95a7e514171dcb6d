#!/usr/bin/env bash
# Commands that only read the store (runs, diff, baseline export) work on a
# store the user cannot write (a read-only directory: checked as nobody when
# run as root) and leave it byte for byte as it was; commands that write
# (an analysis, baseline set) still say the location is not writable.
# Usage: bash test_store_readonly.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

as_user=()
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
        echo "skip: root without setpriv"
        exit 77
    fi
fi

mkdir -p "$T/p/src" "$T/outdir"
cd "$T/p" || exit 1
touch .tasklint.yaml
cat >src/a.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
"$TL" src >/dev/null 2>&1
cat >>src/a.c <<'C'
void again(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
"$TL" src >/dev/null 2>&1
[ -e .tasklint/findings.db-wal ] && fail "the store was not checkpointed on close"
chmod -R a+rX "$T"
chmod a+w "$T/outdir"
chmod a-w "$T/p" "$T/p/.tasklint"
cp .tasklint/findings.db "$T/before.db"

"${as_user[@]}" "$TL" runs >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || { fail "runs: exit $rc, expected 0"; cat "$T/err"; }
[ "$(grep -c complete "$T/out")" = 2 ] || { fail "runs: two complete runs expected"; cat "$T/out"; }
"${as_user[@]}" "$TL" diff >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || { fail "diff: exit $rc, expected 0"; cat "$T/err"; }
grep -q '^run 1 -> run 2$' "$T/out" && grep -q '^1 new, 1 unchanged, 0 fixed' "$T/out" ||
    { fail "diff: unexpected output"; cat "$T/out"; }
"${as_user[@]}" "$TL" baseline export "$T/outdir/base.txt" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || { fail "baseline export: exit $rc, expected 0"; cat "$T/err"; }
[ "$(grep -vc '^#' "$T/outdir/base.txt" 2>/dev/null)" = 2 ] || fail "baseline export: expected 2 findings"
cmp -s .tasklint/findings.db "$T/before.db" || fail "the store changed"
for side in wal shm journal; do
    [ -e ".tasklint/findings.db-$side" ] && fail "findings.db-$side was created"
done
ok "runs, diff and baseline export read a store in a read-only directory"

# writing commands still refuse, with the usual advice
for cmd in "src" "baseline set"; do
    # shellcheck disable=SC2086
    "${as_user[@]}" "$TL" $cmd >"$T/out" 2>"$T/err"
    rc=$?
    [ $rc = 2 ] || { fail "'$cmd' in a read-only directory: exit $rc, expected 2"; cat "$T/err"; }
    grep -q -- "--no-db" "$T/err" || { fail "'$cmd': no advice"; cat "$T/err"; }
done
cmp -s .tasklint/findings.db "$T/before.db" || fail "the store changed"
ok "analysis and baseline set still refuse a read-only store"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
