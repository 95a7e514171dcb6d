#!/usr/bin/env bash
# Exit codes: 0 clean, 1 findings, 2 usage / missing input / bad compile
# database / bad config.  Usage: bash test_exit_codes.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME EXPECTED_RC [grep-pattern-on-stderr] -- command...
    local name=$1 want=$2 pat=$3
    shift 4
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"; cat "$T/out" "$T/err"; fails=$((fails + 1))
    elif [ -n "$pat" ] && ! grep -q -e "$pat" "$T/err"; then
        echo "FAIL $name: stderr lacks '$pat'"; cat "$T/err"; fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}

cat >"$T/clean.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
int start(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, run, NULL) != 0)
        return -1;
    return pthread_join(t, NULL);
}
C
cat >"$T/leak.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
int start(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, run, NULL) != 0)
        return -1;
    return 0;
}
C
printf '[\n  {"directory": "%s", "file": "clean.c", "command": "cc -c clean.c"},\n  {"directory": "x" "file": "y"}\n]\n' "$T" >"$T/bad.json"
mkdir -p "$T/baddb" && cp "$T/bad.json" "$T/baddb/compile_commands.json"
mkdir -p "$T/nodb"
printf 'profile: strict\nno_such_key: 1\n' >"$T/bad.yaml"

check "clean file"          0 "no findings"        -- "$TL" "$T/clean.c"
check "findings"            1 "1 warning"          -- "$TL" "$T/leak.c"
check "clean and findings"  1 ""                   -- "$TL" "$T/clean.c" "$T/leak.c"
check "quiet"               1 ""                   -- "$TL" -q "$T/leak.c"
[ -s "$T/err" ] && { echo "FAIL quiet: stderr not empty"; fails=$((fails + 1)); }
check "unknown option"      2 "unknown option"     -- "$TL" --frobnicate "$T/clean.c"
check "missing value"       2 "needs a value"      -- "$TL" "$T/clean.c" --profile
check "bad profile"         2 "unknown profile"    -- "$TL" --profile lax "$T/clean.c"
check "bad -j"              2 "-j"                 -- "$TL" -j 0 "$T/clean.c"
check "unknown rule"        2 "unknown rule 'nope'" -- "$TL" --disable orphaned-spawn,nope "$T/clean.c"
check "bad color"           2 "--color"            -- "$TL" --color=sometimes "$T/clean.c"
check "no input"            2 "no input"           -- "$TL"
check "missing file"        2 "No such file"       -- "$TL" "$T/missing.c"
check "missing and present" 2 "No such file"       -- "$TL" "$T/clean.c" "$T/missing.c"
check "empty directory"     2 "no C files"         -- "$TL" "$T/nodb"
# (jansson reports the column where the unexpected token ends)
check "malformed compile_commands.json" 2 "cannot load $T/baddb/compile_commands.json: line 3, column 26: '}' expected near '\"file\"'" \
                                                   -- "$TL" -p "$T/baddb"
check "missing compile_commands.json" 2 "cannot load $T/nodb/compile_commands.json: No such file" \
                                                   -- "$TL" -p "$T/nodb"
check "bad config"          2 "bad.yaml:2:"        -- "$TL" --config "$T/bad.yaml" "$T/clean.c"
check "missing config"      2 "config"             -- "$TL" --config "$T/none.yaml" "$T/clean.c"
check "missing model file"  2 "none.yaml"          -- "$TL" --models "$T/none.yaml" "$T/clean.c"
check "bad model file"      2 "bad.yaml:"          -- "$TL" --models "$T/bad.yaml" "$T/clean.c"
check "unparsable TU"       2 "could not be parsed" -- "$TL" "$T/clean.c" -- -Xclang -no-such-cc1-flag
check "--help"              0 ""                   -- "$TL" --help
grep -q "Usage: tasklint" "$T/out" || { echo "FAIL --help output"; fails=$((fails + 1)); }
check "--version"           0 ""                   -- "$TL" --version
grep -q "^tasklint [0-9]" "$T/out" || { echo "FAIL --version output"; fails=$((fails + 1)); }

# findings go to stdout, the summary to stderr
"$TL" "$T/leak.c" >"$T/out" 2>"$T/err"
grep -q "leak.c:5:9: warning: .*\[orphaned-spawn\]" "$T/out" || { echo "FAIL finding on stdout"; cat "$T/out"; fails=$((fails + 1)); }
grep -q "warning" "$T/err" && ! grep -q "\[orphaned-spawn\]" "$T/err" || { echo "FAIL summary on stderr"; fails=$((fails + 1)); }

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
