#!/usr/bin/env bash
# Files tasklint writes (--output, baseline export) go through a fresh
# temporary and a rename: a symlink planted at FILE.tmp (or at other likely
# temporary names, or at FILE itself) never leads the write elsewhere; a
# failure (read-only directory, FILE is a directory) exits 2 with a clear
# message and leaves no temporary behind and FILE as it was; so does Ctrl-C,
# once or twice.  The new file has the mode of any new file (0666 & ~umask).
# Usage: bash test_safe_writes.sh TASKLINT SOURCE_DIR
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

# likely temporary names next to FILE, each a symlink to its own victim
plant() { # plant FILE
    local f=$1 i=0
    for name in "$f.tmp" "$f.tmp-000000" "$f.new" "$f~" ".$(basename "$f").tmp" "$f.swp"; do
        i=$((i + 1))
        printf 'victim %s\n' "$i" >"$T/victim$i"
        cp "$T/victim$i" "$T/victim$i.orig"
        ln -s "$T/victim$i" "$(dirname "$f")/$(basename "$name")"
    done
}
victims_intact() { # victims_intact LABEL
    local i
    for i in 1 2 3 4 5 6; do
        cmp -s "$T/victim$i" "$T/victim$i.orig" || fail "$1: victim $i was written through a symlink"
    done
}
no_temps() { # no_temps DIR LABEL
    local left
    left=$(find "$1" -maxdepth 1 -name '*.tmp-*' ! -name '*.tmp-000000' | head -3)
    [ -z "$left" ] || fail "$2: temporary left behind: $left"
}

# 1. --output through planted symlinks
mkdir "$T/o1"
plant "$T/o1/report.txt"
umask 022
"$TL" --no-db --output "$T/o1/report.txt" src >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || { fail "--output: exit $rc, expected 1"; cat "$T/err"; }
victims_intact "--output"
[ -f "$T/o1/report.txt" ] && [ ! -L "$T/o1/report.txt" ] || fail "--output: report.txt is not a regular file"
grep -q '\[orphaned-spawn\]' "$T/o1/report.txt" || fail "--output: the report lacks the finding"
[ -s "$T/out" ] && fail "--output: findings also went to stdout"
[ "$(stat -c %a "$T/o1/report.txt")" = 644 ] || fail "--output: mode $(stat -c %a "$T/o1/report.txt") with umask 022"
no_temps "$T/o1" "--output"
# FILE itself a symlink: replaced by the report, its target untouched
printf 'keep me\n' >"$T/kept"
ln -s "$T/kept" "$T/o1/linked.sarif"
(umask 077 && "$TL" --no-db --format sarif --output "$T/o1/linked.sarif" src >/dev/null 2>&1)
grep -qx 'keep me' "$T/kept" || fail "--output wrote through a symlink at FILE"
[ ! -L "$T/o1/linked.sarif" ] && grep -q '"version": "2.1.0"' "$T/o1/linked.sarif" ||
    fail "--output to a symlink: no SARIF report in its place"
[ "$(stat -c %a "$T/o1/linked.sarif")" = 600 ] || fail "--output: mode with umask 077"
ok "--output: planted symlinks are not followed; mode 0666 & ~umask"

# 2. baseline export through planted symlinks
rm -f "$T"/victim*
mkdir "$T/o2"
"$TL" --db "$T/store.db" src >/dev/null 2>&1
plant "$T/o2/base.txt"
"$TL" --db "$T/store.db" baseline export "$T/o2/base.txt" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || { fail "baseline export: exit $rc"; cat "$T/err"; }
victims_intact "baseline export"
grep -q 'orphaned-spawn' "$T/o2/base.txt" || fail "baseline export: the file lacks the finding"
no_temps "$T/o2" "baseline export"
ok "baseline export: planted symlinks are not followed"

# 3. failures: exit 2, a clear message, no temporary, the old file intact
mkdir "$T/o3"
printf 'old report\n' >"$T/o3/report.txt"
mkdir "$T/o3/adir"
"$TL" --no-db --output "$T/o3/adir" src >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "--output to a directory: exit $rc, expected 2"
grep -q "^tasklint: error: --output: cannot write .*adir: Is a directory" "$T/err" ||
    { fail "--output to a directory: unclear message"; cat "$T/err"; }
no_temps "$T/o3" "--output to a directory"
as_user=()
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups) ||
        as_user=(skip)
fi
if [ "${as_user[*]}" = skip ]; then
    echo "skip read-only directory (root without setpriv)"
else
    chmod -R a+rX "$T"
    chmod a-w "$T/o3"
    # (baseline export reads the store read-only: the store itself is not writable for nobody)
    for cmd in "--no-db --output $T/o3/report.txt src" "--db $T/store.db baseline export $T/o3/report.txt"; do
        # shellcheck disable=SC2086
        "${as_user[@]}" "$TL" $cmd >"$T/out" 2>"$T/err"
        rc=$?
        [ $rc = 2 ] || { fail "read-only directory ($cmd): exit $rc, expected 2"; cat "$T/err"; }
        grep -q "^tasklint: error: .*cannot create a temporary file for $T/o3/report.txt in $T/o3: Permission denied" "$T/err" ||
            { fail "read-only directory ($cmd): unclear message"; cat "$T/err"; }
        grep -qx 'old report' "$T/o3/report.txt" || fail "read-only directory: the old file changed"
        no_temps "$T/o3" "read-only directory"
    done
    chmod u+w "$T/o3"
fi
ok "a failed write: exit 2, clear message, no temporary, old file intact"

# 4. Ctrl-C while the report is being written, once and twice
mkdir -p "$T/many" "$T/o4"
for i in $(seq -w 1 150); do
    cat >"$T/many/f$i.c" <<C
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *run(void *arg) { return arg; }
void start_$i(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
done
for signals in 1 2; do
    printf 'old report\n' >"$T/o4/report.txt"
    "$TL" --no-db -j 1 --output "$T/o4/report.txt" "$T/many" >/dev/null 2>"$T/err" &
    pid=$!
    started=
    # until the temporary exists and the analysis is under way (findings are
    # written once the whole program is linked, so the file may still be empty)
    for _ in $(seq 1 200); do
        tmp=$(find "$T/o4" -name 'report.txt.tmp-*' | head -1)
        [ -n "$tmp" ] && { started=1; break; }
        sleep 0.05
    done
    sleep 0.3
    [ -n "$started" ] || fail "Ctrl-C x$signals: no temporary file seen while running"
    kill -INT "$pid"
    [ $signals = 2 ] && { sleep 0.1; kill -INT "$pid" 2>/dev/null; }
    wait "$pid"
    rc=$?
    [ $rc = 130 ] || fail "Ctrl-C x$signals: exit $rc, expected 130"
    grep -qx 'old report' "$T/o4/report.txt" || fail "Ctrl-C x$signals: the old report changed"
    no_temps "$T/o4" "Ctrl-C x$signals"
done
ok "Ctrl-C (once or twice): no temporary left, the old report intact"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
