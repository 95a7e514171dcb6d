#!/usr/bin/env bash
# Without -p, the compile_commands.json nearest to each file (its directory
# or a parent, or their build/ subdirectory) gives the files it lists their
# arguments, like clang-tidy; -v names it; --no-compdb turns it off; an
# #include that is not found without a database gets one hint per run.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
run() { timeout 60 "$TL" --no-db "$@" >"$T/out" 2>"$T/err"; }

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
cp "$T/proj/src/net/wait.c" "$T/proj/src/unlisted.c"
cat >"$T/proj/src/clean.c" <<'C'
int clean(void) { return 0; }
C
# wait.c has a finding only with -Iinclude -DUSE_FOREVER from the database
cat >"$T/proj/build/compile_commands.json" <<J
[{"directory": "$T/proj/build", "file": "../src/net/wait.c",
  "command": "cc -I../include -DUSE_FOREVER -c ../src/net/wait.c -o wait.o"}]
J

cd "$T/proj"
run -v src/net/wait.c src/clean.c
rc=$?
[ "$rc" = 1 ] || fail "discovery from the project: exit $rc: $(cat "$T/out" "$T/err")"
grep -q "^src/net/wait.c:5:12: warning: .*\[missing-timeout\]" "$T/out" || fail "wait.c finding: $(cat "$T/out")"
grep -q "tasklint: note: using $T/proj/build/compile_commands.json for 1 file$" "$T/err" \
    || fail "-v does not name the database: $(cat "$T/err")"
grep -q "2 files analysed" "$T/err" || fail "summary: $(cat "$T/err")"
echo "ok   a database in a parent's build/ is found; -v names it"

cd "$T/proj/src/net"
run wait.c
[ $? = 1 ] && grep -q "^wait.c:5:12: .*\[missing-timeout\]" "$T/out" || fail "discovery from a subdirectory"
cd "$T/proj"
run src
[ $? = 1 ] && grep -q "^src/net/wait.c:5:12: .*\[missing-timeout\]" "$T/out" \
    || fail "discovery for files found in a directory"
grep -q "3 files analysed" "$T/err" || fail "directory summary: $(cat "$T/err")"
echo "ok   found from a subdirectory and for files under a directory"

# "--" arguments are appended to the entry's
run src/net/wait.c -- -UUSE_FOREVER
[ $? = 0 ] || fail "-- after a discovered entry: $(cat "$T/out")"
echo "ok   -- arguments are appended"

# a file the database does not list gets the -- arguments only (its include
# is not found: one hint for the whole run, the file is named three times)
run src/unlisted.c src/unlisted.c src/net/../unlisted.c src/clean.c
rc=$?
[ "$rc" = 1 ] || fail "unlisted: exit $rc"
grep -q "'cfg.h' file not found" "$T/out" || fail "unlisted.c was given the database's arguments"
[ "$(grep -c "hint: .*-p build/" "$T/err")" = 1 ] || fail "hint (once) for a file no database lists: $(cat "$T/err")"
run src/unlisted.c -- -Iinclude -DUSE_FOREVER
[ $? = 1 ] && grep -q "unlisted.c:5:12: .*\[missing-timeout\]" "$T/out" || fail "unlisted with -- args"
echo "ok   files the database does not list get the -- arguments"

# --no-compdb: no database; the missing include gets one hint per run
cp src/unlisted.c src/second.c
run --no-compdb src/net/wait.c src/unlisted.c src/second.c
rc=$?
[ "$rc" = 1 ] || fail "--no-compdb: exit $rc"
grep -q "src/net/wait.c:2:10: error: 'cfg.h' file not found" "$T/out" || fail "--no-compdb used the database"
[ "$(grep -c "hint:" "$T/err")" = 1 ] || fail "hint count: $(cat "$T/err")"
grep -q "tasklint: hint: .*pass the build directory .* with -p (e.g. -p build/)" "$T/err" \
    || fail "hint text: $(cat "$T/err")"
run -q --no-compdb src/net/wait.c
grep -q "hint:" "$T/err" && fail "hint with -q"
run -p build src/net/wait.c -- -DBROKEN_INCLUDE -include nonexistent.h
grep -q "hint:" "$T/err" && fail "hint with -p"
echo "ok   --no-compdb; one hint per run when an include is missing without a database"

# the nearest database wins, even if it does not list the file; one that
# cannot be read is skipped with a warning and the search goes on
printf '[{"directory": ".", "file": "other.c", "command": "cc -c other.c"}]\n' >src/net/compile_commands.json
run src/net/wait.c
[ $? = 1 ] || fail "nearest database: expected the include error"
grep -q "'cfg.h' file not found" "$T/out" || fail "nearest database not used: $(cat "$T/out")"
printf '[{"directory": ".", "file": ' >src/net/compile_commands.json
run src/net/wait.c
rc=$?
[ "$rc" = 1 ] || fail "broken nearest database: exit $rc"
grep -q "warning: ignoring $T/proj/src/net/compile_commands.json: line 1, column" "$T/err" \
    || fail "no warning for the broken database: $(cat "$T/err")"
grep -q "wait.c:5:12: .*\[missing-timeout\]" "$T/out" || fail "the search did not go on after the broken database"
rm src/net/compile_commands.json
mkfifo src/net/compile_commands.json
run src/net/wait.c
rc=$?
[ "$rc" = 1 ] || fail "FIFO database: exit $rc"
grep -q "ignoring .*compile_commands.json: not a regular file (a FIFO)" "$T/err" || fail "FIFO database: $(cat "$T/err")"
rm src/net/compile_commands.json
echo "ok   the nearest database wins; an unreadable one is skipped with a warning"

# a database in the file's own directory (not build/) is found too
mkdir -p "$T/flat"
cp src/net/wait.c include/cfg.h "$T/flat/"
printf '[{"directory": "%s", "file": "wait.c", "arguments": ["cc", "-DUSE_FOREVER", "-c", "wait.c"]}]\n' "$T/flat" \
    >"$T/flat/compile_commands.json"
run "$T/flat/wait.c"
[ $? = 1 ] && grep -q "wait.c:5:12: .*\[missing-timeout\]" "$T/out" \
    || fail "database next to the file: $(cat "$T/out" "$T/err")"
echo "ok   a database next to the file"

# outside any project: no database, the hint appears (skipped if some parent
# of the temporary directory holds a database)
mkdir -p "$T/lone"
cp src/net/wait.c "$T/lone/"
ancestor_db=
d=$T
while :; do
    [ -e "$d/compile_commands.json" ] || [ -e "$d/build/compile_commands.json" ] && ancestor_db=$d
    [ "$d" = / ] && break
    d=$(dirname "$d")
done
if [ -z "$ancestor_db" ]; then
    run -v "$T/lone/wait.c"
    grep -q "note: using" "$T/err" && fail "a database was used outside any project: $(cat "$T/err")"
    grep -q "hint:" "$T/err" || fail "no hint outside any project: $(cat "$T/err")"
    echo "ok   no database: the hint"
else
    echo "skip no database: $ancestor_db holds one"
fi

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
