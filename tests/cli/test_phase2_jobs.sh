#!/usr/bin/env bash
# Phase 2 (the analysis of each file against the linked program) is spread
# over -j processes (analyzer/cli/phase2_spread.c): the findings of every
# fixture are the same, byte for byte in JSON, with -j 1, -j 2 and -j 5;
# with a store too; and when a process of phase 2 dies
# (TASKLINT_TEST_PHASE2_FAULT=crash), its files are done again in the run's
# own process and nothing is lost.
# Usage: bash test_phase2_jobs.sh TASKLINT SOURCE_DIR
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
unset TASKLINT_DB
inc=()
[ -d "$SRC/fixtures/include" ] && inc=(-I "$SRC/fixtures/include")

# the findings without the run's own metadata
run() {
    local out=$1
    shift
    "$TL" --format json --no-config "$@" "$SRC/fixtures" -- "${inc[@]}" -std=gnu11 >"$T/$out.raw" 2>"$T/$out.err"
    echo $? >"$T/$out.rc"
    grep -v '"\(command_line\|start_time\|end_time\|started\|finished\|duration\)' "$T/$out.raw" >"$T/$out"
}

run j1 --no-db -j 1 -v
grep -q '^whole program: phase 2 in' "$T/j1.err" && fail "-j 1 spread phase 2"
[ "$(cat "$T/j1.rc")" = 1 ] || fail "-j 1: exit $(cat "$T/j1.rc"), want 1 (findings): $(head -3 "$T/j1.err")"
n=$(grep -c '"fingerprint"' "$T/j1")
[ "$n" -gt 100 ] || fail "-j 1: only $n findings on the fixtures"
for j in 2 5; do
    run "j$j" --no-db -j "$j" -v
    grep -q "^whole program: phase 2 in $j processes\$" "$T/j$j.err" || fail "-j $j: phase 2 not spread: $(grep '^whole program' "$T/j$j.err")"
    cmp -s "$T/j1" "$T/j$j" || { fail "-j $j: findings differ from -j 1"; diff "$T/j1" "$T/j$j" | head -5; }
done
ok "fixtures: $n findings, the same with -j 1, 2 and 5"

run stored -j 3 --db "$T/db/findings.db"
cmp -s "$T/j1" "$T/stored" || { fail "with a store: findings differ"; diff "$T/j1" "$T/stored" | head -5; }
ok "with a store at -j 3: the same"

TASKLINT_TEST_PHASE2_FAULT=crash run crash --no-db -j 3 -v
[ "$(cat "$T/crash.rc")" = 1 ] || fail "a phase-2 process died: exit $(cat "$T/crash.rc")"
grep -q '^whole program: phase 2 in 3 processes; the files of one that stopped early were done again' "$T/crash.err" ||
    fail "a phase-2 process died: not said under -v: $(grep '^whole program' "$T/crash.err")"
cmp -s "$T/j1" "$T/crash" || { fail "a phase-2 process died: findings differ"; diff "$T/j1" "$T/crash" | head -5; }
ok "a phase-2 process that dies loses nothing"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
