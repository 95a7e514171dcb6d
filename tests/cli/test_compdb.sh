#!/usr/bin/env bash
# -p DIR: entries of DIR/compile_commands.json are analysed with their own
# arguments (relative directories, "command" and "arguments" forms); PATHs
# select entries; "--" arguments are appended.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

mkdir -p "$T/proj/src/net" "$T/proj/include" "$T/proj/build"
cat >"$T/proj/include/cfg.h" <<'C'
#ifdef USE_FOREVER
#define WAIT_MS (-1)
#else
#define WAIT_MS 1000
#endif
C
cat >"$T/proj/src/net/wait.c" <<'C'
#include <poll.h>
#include "cfg.h"
int wait_peer(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, WAIT_MS);
}
C
cat >"$T/proj/src/spawn.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
cat >"$T/proj/src/other.c" <<'C'
int other(void) { return 0; }
C
# wait.c needs -Iinclude and -DUSE_FOREVER from the database to get a finding
cat >"$T/proj/build/compile_commands.json" <<J
[
  {"directory": "$T/proj", "file": "src/net/wait.c",
   "arguments": ["/usr/bin/gcc", "-Iinclude", "-DUSE_FOREVER", "-Werror", "-MD", "-MF", "x.d", "-c", "-o", "wait.o", "src/net/wait.c"]},
  {"directory": "..", "file": "src/spawn.c",
   "command": "ccache gcc -std=gnu11 -c src/spawn.c -o spawn.o"},
  {"directory": "$T/proj/src", "file": "$T/proj/src/spawn.c",
   "command": "gcc -DDUPLICATE -c spawn.c"}
]
J

cd "$T/proj"
"$TL" -p build >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "exit $rc"
grep -q "^src/net/wait.c:5:12: warning: poll() .*\[missing-timeout\]" "$T/out" || fail "wait.c finding (arguments form, -I/-D from the database)"
grep -q "^src/spawn.c:3:33: warning: .*\[orphaned-spawn\]" "$T/out" || fail "spawn.c finding (command form, relative directory)"
[ "$(grep -c '\[orphaned-spawn\]' "$T/out")" = 1 ] || fail "a file listed twice was analysed twice"
grep -q "other.c" "$T/out" "$T/err" && fail "other.c is not in the database"
grep -q "2 files analysed" "$T/err" || fail "summary: $(cat "$T/err")"
echo "ok   all entries"

# -p naming the file itself; a PATH filter (directory, then file)
"$TL" -p build/compile_commands.json src/net >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "filter dir exit"
grep -q "wait.c" "$T/out" || fail "filter dir: wait.c missing"
grep -q "spawn.c" "$T/out" && fail "filter dir: spawn.c present"
"$TL" -p build src/spawn.c >"$T/out" 2>"$T/err"
grep -q "spawn.c" "$T/out" || fail "filter file: spawn.c missing"
grep -q "wait.c" "$T/out" && fail "filter file: wait.c present"
echo "ok   filters"

# a PATH not in the database: a warning; nothing left to analyse: exit 2
"$TL" -p build src/other.c >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "no entries: exit $rc"
grep -q "other.c: no entry in" "$T/err" || fail "no warning for a path without entry"
echo "ok   path without an entry"

# "--" arguments are appended to the database's (a later -U wins)
"$TL" -p build src/net -- -UUSE_FOREVER >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "-- -UUSE_FOREVER: exit $rc: $(cat "$T/out")"
echo "ok   -- arguments with -p"

# -Werror from the database must not turn clang warnings into errors
printf 'int unused_warning(void) { int x; return 0; }\n' >src/warn.c
printf '[{"directory": "..", "file": "src/warn.c", "command": "cc -Wall -Werror -c src/warn.c"}]\n' >build/compile_commands.json
"$TL" -p build >"$T/out" 2>"$T/err"
[ $? = 0 ] || fail "-Werror kept: $(cat "$T/out")"
echo "ok   -Werror dropped"

# assembly listed with the C files (a .S, a .s, `-x assembler-with-cpp`):
# skipped, not parsed as C; -v says how many; a named one gets a note
printf '.text\n.globl f\nf: ret\n' >src/start.S
printf '.text\n' >src/raw.s
printf '.text\n' >src/gen.inc
cat >build/compile_commands.json <<J
[{"directory": "..", "file": "src/warn.c", "command": "cc -c src/warn.c"},
 {"directory": "..", "file": "src/start.S", "command": "cc -DASM -c src/start.S"},
 {"directory": "..", "file": "src/raw.s", "arguments": ["as", "src/raw.s"]},
 {"directory": "..", "file": "src/gen.inc", "arguments": ["cc", "-x", "assembler-with-cpp", "-c", "src/gen.inc"]}]
J
"$TL" -p build -v >"$T/out" 2>"$T/err"
[ $? = 0 ] || fail "assembly entries: exit $? $(cat "$T/out" "$T/err")"
grep -q "1 file analysed" "$T/err" || fail "assembly entries analysed: $(cat "$T/err")"
grep -q "note: 3 assembly entries of the compile database skipped (not C)" "$T/err" || fail "assembly note: $(cat "$T/err")"
"$TL" src/start.S src/warn.c >"$T/out" 2>"$T/err"
[ $? = 0 ] || fail "named assembly: exit $(cat "$T/out" "$T/err")"
grep -q "note: src/start.S: assembly (its compile command says so), skipped" "$T/err" || fail "named assembly note: $(cat "$T/err")"
echo "ok   assembly skipped"

# shape errors name the entry
printf '[{"directory": ".", "file": "src/warn.c"}]\n' >build/compile_commands.json
"$TL" -p build >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "entry without command: exit"
grep -q 'entry 1: compile command without "command" or "arguments"' "$T/err" || fail "shape error: $(cat "$T/err")"
printf '{"directory": "."}\n' >build/compile_commands.json
"$TL" -p build >"$T/out" 2>"$T/err"
grep -q 'expected an array of compile commands' "$T/err" || fail "non-array: $(cat "$T/err")"
printf '[]' >build/compile_commands.json
"$TL" -p build >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "empty database: exit"
echo "ok   database errors"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
