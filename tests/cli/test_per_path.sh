#!/usr/bin/env bash
# per_path: settings in .tasklint.yaml (globs relative to the config's
# directory, every matching entry applies, later ones win, the command line
# wins over all), the built-in entry for test and benchmark directories
# (missing-timeout off; per_path_defaults: false drops it), --show-config,
# and errors in the section (exit 2, file:line:col).
# Usage: bash test_per_path.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# the files with a missing-timeout finding, sorted
mt() { grep -o '^[^:]*:[0-9]*:[0-9]*: warning: .*\[missing-timeout\]' "$1" | cut -d: -f1 | sort | tr '\n' ' '; }

P=$T/proj
mkdir -p "$P/.git" "$P/src/core" "$P/tests/net" "$P/bench" "$P/lib/uv/test" "$P/perf" "$P/tools/perf"
cat >"$P/src/w.c" <<'C'
#include <poll.h>
int wait_peer(int fd) { struct pollfd p = {fd, POLLIN, 0}; return poll(&p, 1, -1); }
C
for f in src/core/c.c src/keep.c tests/t.c tests/net/n.c bench/b.c lib/uv/test/u.c perf/p.c tools/perf/tp.c; do
    cp "$P/src/w.c" "$P/$f"
done
cat >"$P/src/join.c" <<'C'
#include <pthread.h>
int finish(pthread_t t) { return pthread_join(t, NULL); }
C
cd "$P" || exit 1

# no config: the built-in entries, relative to the project root
"$TL" . >"$T/out" 2>&1
[ "$(mt "$T/out")" = "src/core/c.c src/keep.c src/w.c tools/perf/tp.c " ] \
    || fail "built-in test/bench entries: $(mt "$T/out")"
"$TL" --enable missing-timeout . >"$T/out" 2>&1
[ "$(mt "$T/out")" = "bench/b.c lib/uv/test/u.c perf/p.c src/core/c.c src/keep.c src/w.c tests/net/n.c tests/t.c tools/perf/tp.c " ] \
    || fail "--enable wins over the built-in entries: $(mt "$T/out")"
"$TL" --show-config . >"$T/out" 2>&1
grep -q "^per_path: (globs relative to $P;" "$T/out" || fail "show-config: per-path header: $(cat "$T/out")"
grep -q "^  \*\*/tests: disable missing-timeout (built in: test and benchmark directories)$" "$T/out" \
    || fail "show-config: built-in entry"

# a config: later entries win, a directory covers its files, the built-in
# entries come first
printf 'per_path:\n  "src": {disable: [missing-timeout]}\n  "src/keep.c": {enable: [missing-timeout]}\n  "tests/net": {enable: [missing-timeout]}\n  "src/core/*.c": {profile: strict}\n' >.tasklint.yaml
"$TL" . >"$T/out" 2>&1
[ "$(mt "$T/out")" = "src/keep.c tests/net/n.c tools/perf/tp.c " ] || fail "config entries: $(mt "$T/out")"
"$TL" --show-config . >"$T/out" 2>&1
grep -q "^  src/keep.c: enable missing-timeout (config, line 3)$" "$T/out" || fail "show-config: config entry"

# profile per path: a thread join is a strict-only wait; the command line wins
printf 'per_path:\n  "src/join.c": {profile: strict}\n' >.tasklint.yaml
"$TL" src/join.c >"$T/out" 2>&1
grep -q "src/join.c:2:.*\[missing-timeout\]" "$T/out" || fail "per-path profile strict: $(cat "$T/out")"
"$TL" --profile default src/join.c >"$T/out" 2>&1
grep -q "\[missing-timeout\]" "$T/out" && fail "--profile does not win over per-path"
"$TL" --disable missing-timeout src/join.c >"$T/out" 2>&1
grep -q "\[missing-timeout\]" "$T/out" && fail "--disable does not win over per-path"
# ... and the top-level settings come before the per-path ones
printf 'profile: strict\ndisable: [missing-timeout]\nper_path:\n  "src/join.c": {profile: default, enable: [missing-timeout]}\n' >.tasklint.yaml
"$TL" src/join.c >"$T/out" 2>&1
grep -q "\[missing-timeout\]" "$T/out" && fail "per-path profile default does not win over the top level"
"$TL" src/w.c >"$T/out" 2>&1
grep -q "\[missing-timeout\]" "$T/out" && fail "top-level disable lost outside the per-path glob"

# per_path_defaults: false
printf 'per_path_defaults: false\n' >.tasklint.yaml
"$TL" tests bench >"$T/out" 2>&1
[ "$(mt "$T/out")" = "bench/b.c tests/net/n.c tests/t.c " ] || fail "per_path_defaults: false: $(mt "$T/out")"
"$TL" --show-config . >"$T/out" 2>&1
grep -q "built-in entries off (config: per_path_defaults: false)" "$T/out" || fail "show-config: defaults off"

# globs are relative to the config's directory: a config in a subdirectory
# (the built-in entries too: relative to tests/, t.c is not in a test
# directory)
printf 'per_path:\n  "net": {disable: [missing-timeout]}\n' >tests/.tasklint.yaml
rm .tasklint.yaml
"$TL" tests >"$T/out" 2>&1
[ "$(mt "$T/out")" = "tests/t.c " ] || fail "a config in tests/: $(mt "$T/out")"
rm tests/.tasklint.yaml

# a compile database: the same files, the same settings
printf '[{"directory": "%s", "file": "tests/t.c", "arguments": ["cc", "-c", "tests/t.c"]}, {"directory": "%s/src", "file": "w.c", "arguments": ["cc", "-c", "w.c"]}]\n' "$P" "$P" >compile_commands.json
"$TL" -p . >"$T/out" 2>&1
[ "$(mt "$T/out")" = "$P/src/w.c " ] && fail "compile database: absolute paths expected"
grep -q "tests/t.c:.*\[missing-timeout\]" "$T/out" && fail "compile database: built-in entry not applied"
grep -q "src/w.c:.*\[missing-timeout\]" "$T/out" || fail "compile database: src/w.c not reported"
rm compile_commands.json

# errors: exit 2 and the place
printf 'per_path:\n  "src/[ab": {disable: [missing-timeout]}\n' >.tasklint.yaml
"$TL" src/w.c >"$T/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "\.tasklint\.yaml:2:3: per_path glob 'src/\[ab': a '\[' must be closed" "$T/out" \
    || fail "a bad glob: exit $rc: $(cat "$T/out")"
printf 'per_path:\n  tests: {disable: [missing-timeot]}\n' >.tasklint.yaml
"$TL" src/w.c >"$T/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "\.tasklint\.yaml:2: unknown rule 'missing-timeot' in per_path disable" "$T/out" \
    || fail "an unknown rule: exit $rc: $(cat "$T/out")"
printf 'per_path:\n  tests: {profile: lax}\n' >.tasklint.yaml
"$TL" --show-config . >"$T/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "unknown value 'lax' for 'profile'" "$T/out" || fail "show-config: a bad profile: exit $rc"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
