#!/usr/bin/env bash
# -p DIR FILE: a FILE that does not exist from the current directory is
# looked up among the database's entries (relative to the database's
# directory, or an entry whose path ends with FILE); several candidates are
# an error that lists them.
# Usage: bash test_compdb_resolve.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

mkdir -p "$T/proj/src/net" "$T/proj/src/disk" "$T/proj/build" "$T/elsewhere"
for d in net disk; do
    cat >"$T/proj/src/$d/io.c" <<C
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start_$d(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
done
cat >"$T/proj/src/main.c" <<'C'
int main(void) { return 0; }
C
cat >"$T/proj/build/compile_commands.json" <<J
[
  {"directory": "$T/proj", "file": "src/net/io.c", "arguments": ["cc", "-c", "src/net/io.c"]},
  {"directory": "$T/proj", "file": "src/disk/io.c", "arguments": ["cc", "-c", "src/disk/io.c"]},
  {"directory": "$T/proj", "file": "src/main.c", "arguments": ["cc", "-c", "src/main.c"]}
]
J
# a copy of the database in the project directory, for the DIR-relative case
cp "$T/proj/build/compile_commands.json" "$T/proj/compile_commands.json"
cd "$T/elsewhere" || exit 1

# a unique suffix: found
"$TL" -p ../proj/build net/io.c >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q 'start_net' "$T/out" && ! grep -q 'start_disk' "$T/out" ||
    { fail "-p DIR net/io.c: exit $rc"; cat "$T/out" "$T/err"; }
# relative to the database's directory
"$TL" -p ../proj src/disk/io.c >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q 'start_disk' "$T/out" && ! grep -q 'start_net' "$T/out" ||
    { fail "-p DIR src/disk/io.c (relative to DIR): exit $rc"; cat "$T/out" "$T/err"; }
ok "-p DIR FILE: FILE resolved against the database's entries"

# ambiguous: an error that lists both candidates
"$TL" -p ../proj/build io.c >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] || fail "-p DIR io.c (ambiguous): exit $rc, expected 2"
grep -q 'io.c: no such file here, and 2 entries' "$T/err" && grep -q 'src/net/io.c' "$T/err" &&
    grep -q 'src/disk/io.c' "$T/err" || { fail "ambiguous: candidates not listed"; cat "$T/err"; }
# a suffix must end at a path component: "o.c" is not "io.c"
"$TL" -p ../proj/build o.c >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'o.c: no such file, and no entry of' "$T/err" ||
    { fail "-p DIR o.c: exit $rc"; cat "$T/err"; }
ok "ambiguous and unknown FILE: clear errors"

[ $fails = 0 ]
