#!/usr/bin/env bash
# The command line's conventions on a real run: bundled short options,
# "did you mean", --disable all / '*', --statistics (also with -q) and
# --show-config (settings and their sources, exit 0, nothing analysed or
# written).  Usage: bash test_cli_conventions.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

mkdir -p "$T/p/src"
cat >"$T/p/src/orphan.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) {
    pthread_t a, b;
    pthread_create(&a, NULL, run, NULL);
    pthread_create(&b, NULL, run, NULL);
}
C
cd "$T/p" || exit 2

# bundled short options: -qj1 is -q -j 1 (no summary line)
"$TL" -qj1 src >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "-qj1: exit $rc"
grep -q "orphaned-spawn" "$T/out" || fail "-qj1: no findings"
[ -s "$T/err" ] && fail "-qj1: -q not applied: $(cat "$T/err")"
"$TL" -qo"$T/report.txt" src >/dev/null 2>&1
grep -q "orphaned-spawn" "$T/report.txt" || fail "-oFILE: findings not written to FILE"

# did you mean
"$TL" --enabel orphaned-spawn src >/dev/null 2>"$T/err"
[ $? = 2 ] || fail "--enabel: not a usage error"
grep -q "unknown option '--enabel'; did you mean '--enable'?" "$T/err" || fail "--enabel: $(cat "$T/err")"
"$TL" chek src >/dev/null 2>"$T/err"
[ $? = 2 ] || fail "chek: not a usage error"
grep -q "did you mean 'check'?" "$T/err" || fail "chek: $(cat "$T/err")"
mkdir chek
"$TL" chek >/dev/null 2>"$T/err"
grep -q "did you mean" "$T/err" && fail "chek: an existing directory was taken for a typo"
rmdir chek

# --disable all and '*': no rule runs
for all in all '*'; do
    "$TL" --disable "$all" src >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 0 ] || fail "--disable $all: exit $rc: $(cat "$T/out")"
    "$TL" --disable="$all" --enable orphaned-spawn src >"$T/out" 2>&1
    [ $? = 1 ] || fail "--disable $all --enable orphaned-spawn: the rule did not run"
done
echo "ok   bundles, did you mean, --disable all"

# --statistics: per-rule counts after the summary, on stderr, even with -q
"$TL" --statistics src >"$T/out" 2>"$T/err"
grep -q "Findings by rule:" "$T/out" && fail "--statistics went to stdout"
grep -Eq '^ +2  orphaned-spawn$' "$T/err" || fail "--statistics: $(cat "$T/err")"
[ "$(grep -n 'Findings by rule' "$T/err" | cut -d: -f1)" -gt "$(grep -n 'analysed' "$T/err" | cut -d: -f1)" ] ||
    fail "--statistics not after the summary line"
"$TL" -q --statistics src >/dev/null 2>"$T/err"
grep -Eq '^ +2  orphaned-spawn$' "$T/err" || fail "-q --statistics: $(cat "$T/err")"
grep -q "analysed" "$T/err" && fail "-q --statistics printed the summary line"
"$TL" --disable all --statistics src >/dev/null 2>"$T/err"
grep -q "Findings by rule: none." "$T/err" || fail "--statistics without findings: $(cat "$T/err")"
echo "ok   --statistics"

# --show-config
cat >.tasklint.yaml <<'Y'
profile: strict
disable: [missing-timeout]
Y
env -u TASKLINT_DB "$TL" --show-config --disable unawaited-task -j3 src >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] || fail "--show-config: exit $rc: $(cat "$T/err")"
grep -q "^config: .*/p/.tasklint.yaml (found from src)$" "$T/out" || fail "show-config: config line"
grep -q "^profile: *strict (config)$" "$T/out" || fail "show-config: profile from the config"
grep -Eq "^  missing-timeout +off +\(config\)$" "$T/out" || fail "show-config: rule off by the config"
grep -Eq "^  unawaited-task +off +\(--disable\)$" "$T/out" || fail "show-config: rule off by --disable"
grep -Eq "^  orphaned-spawn +on +\(default\)$" "$T/out" || fail "show-config: default rule"
grep -q "^  pthread (built in)$" "$T/out" || fail "show-config: built-in models"
grep -q "^store: .*/p/.tasklint/findings.db (default" "$T/out" || fail "show-config: default store"
grep -q "^jobs: *3 (-j)$" "$T/out" || fail "show-config: jobs"
grep -q "orphaned-spawn.*pthread_create" "$T/out" && fail "--show-config analysed"
[ -e .tasklint ] && fail "--show-config created the store"
"$TL" --show-config --no-config --profile default src >"$T/out" 2>&1
grep -q "^config: *none (--no-config)$" "$T/out" || fail "show-config --no-config: $(cat "$T/out")"
grep -q "^profile: *default (--profile)$" "$T/out" || fail "show-config --profile"
grep -q "^store: *none (TASKLINT_DB)$" "$T/out" || fail "show-config: TASKLINT_DB=none"
env -u TASKLINT_DB "$TL" --show-config --no-db src >"$T/out" 2>&1
grep -q "^store: *none (--no-db)$" "$T/out" || fail "show-config --no-db"
if [ $fails = 0 ]; then echo "ok   --show-config"; else exit 1; fi
