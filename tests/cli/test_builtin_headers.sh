#!/usr/bin/env bash
# clang's own headers (stddef.h, stdarg.h...) are found wherever tasklint runs
# from: libclang 19 on Debian first tries the relative "lib/clang/19", which
# exists in / and was then resolved against each compile_commands.json entry's
# directory, so every file failed with "'stddef.h' file not found" when
# tasklint was started in /.  The build now passes an absolute -resource-dir;
# one given by the user (after --) still wins.
# usage: test_builtin_headers.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

cp -r "$SRC/demo" "$T/demo" # compile_commands.json with relative directories
for dir in / "$T" /usr; do
    before=$fails
    out=$(cd "$dir" && "$TL" --no-db -p "$T/demo/build" "$T/demo" 2>&1)
    rc=$?
    [ $rc = 1 ] || fail "from $dir: exit $rc (expected 1: the demo's findings)"
    n=$(grep -c '^[^ ].*: warning: .*\[[a-z-]*\]$' <<<"$out")
    [ "$n" = 4 ] || fail "from $dir: $n findings (expected 4)"
    grep -q 'clang-diagnostic' <<<"$out" && fail "from $dir: clang errors: $(grep -m1 clang-diagnostic <<<"$out")"
    grep -q '^4 warnings in 4 files' <<<"$out" || fail "from $dir: summary: $(tail -1 <<<"$out")"
    [ $fails = $before ] && echo "ok   from $dir"
done

# the user's -resource-dir wins over the built-in one (an empty one here; a
# missing one would make clang fall back to the system's)
mkdir -p "$T/empty-resource-dir/include"
out=$(cd / && "$TL" --no-db -p "$T/demo/build" "$T/demo" -- -resource-dir="$T/empty-resource-dir" 2>&1)
if grep -q "'stddef.h' file not found" <<<"$out"; then
    echo "ok   -resource-dir after -- wins"
else
    fail "-resource-dir after -- is not used"
fi

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
