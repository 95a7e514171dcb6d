#!/usr/bin/env bash
# clang's own output stays out of the way (issue 12): warning options of a
# gcc build that clang does not know, -Werror, and clang's colour codes never
# show; clang's errors are printed once each in tasklint's format; a file with
# errors is still analysed outside the functions the errors are in.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
esc=$(printf '\033')

mkdir -p "$T/p/inc"
cat >"$T/p/inc/shared.h" <<'C'
typedef unknown_t shared_t;
C
cat >"$T/p/a.c" <<'C'
#include "shared.h"
#include <pthread.h>
static void *run(void *arg) { return arg; }
void leak_a(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
int unused_var(void) { int x; return 0; }
C
cat >"$T/p/b.c" <<'C'
#include "shared.h"
int b(void) { return 1; }
C
# gcc-only warning options, -Werror, -Werror=..., -Wno-..., some in a
# response file, and driver flags clang would call unused
printf -- '-Wno-stringop-truncation -Werror=format-truncation -Wlogical-op\n' >"$T/p/warn.rsp"
for f in a b; do
    printf '{"directory": "%s", "file": "%s.c", "arguments": ["gcc", "-Iinc", "-Wall", "-Wextra", "-Werror", "-Wduplicated-cond", "-Wformat-overflow=2", "@warn.rsp", "-pthread", "-c", "%s.c", "-o", "%s.o"]},\n' "$T/p" "$f" "$f" "$f"
done | sed '$ s/,$//' | { echo '['; cat; echo ']'; } >"$T/p/compile_commands.json"

"$TL" --no-config --color never -j2 -p "$T/p" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "compile database: exit $rc, expected 1"
grep -q "warning option\|\[-W" "$T/out" "$T/err" && fail "clang's warnings leak"
grep -q "unused variable" "$T/out" && fail "-Werror turned a warning into an error"
[ "$(grep -c "shared.h:1:9: error: unknown type name 'unknown_t' \[clang-diagnostic\]" "$T/out")" = 1 ] \
    || fail "the header's error is not printed exactly once"
grep -q "a.c:4:.*\[orphaned-spawn\]" "$T/out" || fail "a.c not analysed"

# compiler arguments after -- reach clang as given, warnings included
cp "$T/p/a.c" "$T/p/inc/shared.h" "$T/"
"$TL" --no-config --color never "$T/a.c" -- -I"$T" -Wfoo-bar -Werror -Wall -Weverything >"$T/out" 2>"$T/err"
grep -q "warning option\|\[-W" "$T/out" "$T/err" && fail "-- arguments: clang's warnings leak"
grep -q "unused variable" "$T/out" && fail "-- arguments: -Werror turned a warning into an error"
# on a terminal, with --color never, no colour codes at all (script(1))
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    TERM=xterm script -qec "'$TL' --no-config --color never '$T/a.c' -- -I'$T' -Wfoo-bar" /dev/null \
        >"$T/tty" 2>&1
    grep -q "$esc" "$T/tty" && fail "colour codes on a terminal with --color never"
    grep -q "unknown type name" "$T/tty" || fail "tty run: $(cat "$T/tty")"
fi

# a file with errors: the clean functions are analysed, the broken one is
# left out and that is said; at most 20 errors are shown
cat >"$T/broken.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void clean(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
void broken(void) {
    pthread_t t;
    int fd = no_such_fd;
    pthread_create(&t, NULL, run, &fd);
}
C
"$TL" --no-config "$T/broken.c" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "broken file: exit $rc, expected 1"
grep -q "broken.c:3:.*\[orphaned-spawn\]" "$T/out" || fail "the clean function is not analysed"
grep -q "broken.c:7:.*\[orphaned-spawn\]" "$T/out" && fail "the broken function is analysed"
grep -q "broken.c:4:6: note: 1 function not checked because of the clang errors in it: 'broken' \[clang-diagnostic\]" \
    "$T/out" || fail "the skipped function is not named"
python3 - "$T/many.c" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(30):
        f.write("int f%d(void) { return undefined_%d; }\n" % (i, i))
PY
"$TL" --no-config "$T/many.c" >"$T/out" 2>"$T/err"
[ "$(grep -c "error: use of undeclared identifier" "$T/out")" = 20 ] || fail "not 20 errors shown"
grep -q "many.c: error: 10 more clang errors in this translation unit are not shown" "$T/out" \
    || fail "hidden errors not counted"
grep -q "30 functions not checked because of the clang errors in them: 'f0', 'f1', 'f2', 'f3', 'f4' and 25 more" \
    "$T/out" || fail "the functions after the 20th error are not left out"
# past clang's error limit (1000) later errors are unknown: every later
# function is left out, even a clean one
python3 - "$T/limit.c" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1005):
        f.write("int f%d(void) { return undefined_%d; }\n" % (i, i))
    f.write("#include <pthread.h>\nvoid *run(void *a) { return a; }\n")
    f.write("void late(void) { pthread_t t; pthread_create(&t, 0, run, 0); }\n")
PY
"$TL" --no-config "$T/limit.c" >"$T/out" 2>"$T/err"
grep -q "limit.c: error: at least 980 more clang errors in this translation unit are not shown" "$T/out" \
    || fail "the error limit is not said"
grep -q "1007 functions not checked" "$T/out" || fail "functions past the error limit are checked"
grep -q "\[orphaned-spawn\]" "$T/out" && fail "a function past the error limit is analysed"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; cat "$T/out" "$T/err"; exit 1; }
