#!/usr/bin/env bash
# --exclude GLOB (repeatable) and `exclude:` in .tasklint.yaml keep files out
# of the analysis, whether discovered under a directory or listed by a
# compile database; globs match the path relative to the project root
# ('*' stops at '/', '**/' any directories, a directory excludes all under
# it); -v says how many files were excluded.
# Usage: bash test_exclude.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

P=$T/proj
mkdir -p "$P/src/net" "$P/third_party/lib/deep" "$P/build" "$P/.git"
bug() {
    cat >"$1" <<C
#include <pthread.h>
static void *run(void *arg) { return arg; }
void $2(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
}
bug "$P/src/main.c" start_main
bug "$P/src/net/gen.c" start_gen
bug "$P/third_party/lib/vendored.c" start_vendored
bug "$P/third_party/lib/deep/deeper.c" start_deeper
cd "$P" || exit 1
funcs() { grep -o 'start_[a-z]*' "$1" | sort -u | tr '\n' ' '; }

"$TL" . >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_deeper start_gen start_main start_vendored " ] ||
    { fail "without --exclude: $(funcs "$T/out")"; cat "$T/out"; }

# a directory excludes everything under it; '*' does not cross '/'
"$TL" --exclude third_party . >"$T/out" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(funcs "$T/out")" = "start_gen start_main " ] ||
    { fail "--exclude third_party: exit $rc: $(funcs "$T/out")"; cat "$T/out"; }
"$TL" --exclude 'third_party/lib/*.c' . >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_deeper start_gen start_main " ] ||
    fail "--exclude 'third_party/lib/*.c' (FNM_PATHNAME): $(funcs "$T/out")"
# **/ matches at any depth, including none; repeatable
"$TL" --exclude '**/gen.c' --exclude '**/deeper.c' . >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_main start_vendored " ] || fail "--exclude '**/NAME' twice: $(funcs "$T/out")"
"$TL" --exclude '**/main.c' src/main.c src/net/gen.c >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_gen " ] || fail "--exclude '**/main.c' at depth 1: $(funcs "$T/out")"
"$TL" --exclude 'third_party/**' . >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_gen start_main " ] || fail "--exclude 'third_party/**': $(funcs "$T/out")"
# -v says how many
"$TL" -v --exclude third_party . >/dev/null 2>"$T/err"
grep -q 'note: 2 files excluded' "$T/err" || { fail "-v does not count the excluded files"; cat "$T/err"; }
# everything excluded: nothing to analyse (exit 2)
"$TL" --exclude '*' . >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'no C files' "$T/err" || fail "all excluded: exit $rc"
ok "--exclude: directories, FNM_PATHNAME, **/, repeatable, -v"

# the same for the entries of a compile database
cat >build/compile_commands.json <<J
[
  {"directory": "$P", "file": "src/main.c", "arguments": ["cc", "-c", "src/main.c"]},
  {"directory": "$P", "file": "third_party/lib/vendored.c", "arguments": ["cc", "-c", "third_party/lib/vendored.c"]}
]
J
"$TL" -p build --exclude 'third_party' >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_main " ] || { fail "-p build --exclude: $(funcs "$T/out")"; cat "$T/out"; }
rm build/compile_commands.json

# exclude: in .tasklint.yaml, at the project root
printf 'exclude: [third_party, "**/gen.c"]\n' >.tasklint.yaml
"$TL" . >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_main " ] || { fail "exclude: in .tasklint.yaml: $(funcs "$T/out")"; cat "$T/out"; }
"$TL" --no-config . >"$T/out" 2>&1
[ "$(funcs "$T/out")" = "start_deeper start_gen start_main start_vendored " ] ||
    fail "--no-config still excludes: $(funcs "$T/out")"
printf 'exclude: {a: b}\n' >.tasklint.yaml
"$TL" . >"$T/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "exclude" "$T/out" || { fail "a bad exclude: is not an error (exit $rc)"; cat "$T/out"; }
rm .tasklint.yaml
ok "exclude: in .tasklint.yaml (and --no-config)"

[ $fails = 0 ]
