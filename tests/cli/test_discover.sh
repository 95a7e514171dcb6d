#!/usr/bin/env bash
# Directories are searched recursively for *.c in sorted order; hidden
# directories and CMake build trees are skipped; a file named twice is
# analysed once; files named explicitly are analysed whatever their name.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

leak() {
    mkdir -p "$(dirname "$1")"
    cat >"$1" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
}
leak "$T/p/b.c"
leak "$T/p/a.c"
leak "$T/p/sub/c.c"
leak "$T/p/.git/hooks/x.c"
leak "$T/p/.cache/y.c"
leak "$T/p/build/CMakeFiles/CompilerIdC/CMakeCCompilerId.c"
touch "$T/p/build/CMakeCache.txt"
leak "$T/p/build-tools/gen.c"   # not a CMake build tree: analysed
leak "$T/p/notc.h"
leak "$T/p/script.cc"

cd "$T"
"$TL" p >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "exit"
grep -o '^[^:]*\.c' "$T/out" | uniq >"$T/files"
printf 'p/a.c\np/b.c\np/build-tools/gen.c\np/sub/c.c\n' >"$T/want"
cmp -s "$T/files" "$T/want" || { fail "files: $(tr '\n' ' ' <"$T/files")"; }
grep -q "4 files analysed" "$T/err" || fail "summary $(cat "$T/err")"
echo "ok   recursion, order, skipped directories"

"$TL" p/a.c p/a.c ./p/a.c p/ >"$T/out" 2>"$T/err"
grep -q "4 files analysed" "$T/err" || fail "duplicates analysed twice: $(cat "$T/err")"
echo "ok   duplicates"

"$TL" p/.cache/y.c p/build >"$T/out" 2>"$T/err"
grep -q "2 files analysed" "$T/err" || fail "explicit paths: $(cat "$T/err")"
echo "ok   explicit paths are not skipped"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
