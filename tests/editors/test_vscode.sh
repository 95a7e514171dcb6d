#!/usr/bin/env bash
# VS Code cannot run here.  Checked instead: editors/vscode/tasks.json and the
# problem-matcher extension's package.json are valid JSON, every tasklint
# task's problem matcher is the same, and its regexp -- applied line by line
# the way VS Code applies a single-line pattern, with node's RegExp (the
# engine VS Code uses) -- turns real tasklint output into the expected
# problems: file, line, column, severity, message, code.
# usage: test_vscode.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (scripts/setup.sh installs nodejs with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1

FIX=fixtures/orphaned-spawn/pthread_error_path.c
# never write a findings store into the source tree
NODB=
"$TL" --help 2>&1 | grep -q -- '--no-db' && NODB=--no-db
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"

cd "$SRC" || exit 1
"$TL" --color=never $NODB "$FIX" >"$T/out.txt" 2>/dev/null
printf 'int f(void) { return undefined_thing; }\n' >"$T/bad.c"
(cd "$T" && "$TL" --color=never $NODB bad.c >"$T/bad.txt" 2>/dev/null)
cat >>"$T/out.txt" <<'O'
src/with space/x.c:5:3: warning: something leaks [orphaned-spawn] [new]
/abs/path/y.c:12:1: note: a note with [brackets] inside
O

cat >"$T/check.js" <<'JS'
const fs = require('fs');
const [tasksFile, pkgFile, outFile, badFile] = process.argv.slice(2);
const out = [];
const tasks = JSON.parse(fs.readFileSync(tasksFile, 'utf8'));
const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
if (tasks.version !== '2.0.0') out.push('FAIL tasks.json version ' + tasks.version);
const matchers = tasks.tasks.filter(t => t.problemMatcher && !Array.isArray(t.problemMatcher))
  .map(t => t.problemMatcher);
out.push('labels=' + tasks.tasks.map(t => t.label).join(','));
out.push('matchers=' + matchers.length);
const m = matchers[0];
for (const other of matchers)
  if (JSON.stringify(other) !== JSON.stringify(m)) out.push('FAIL matchers differ');
out.push(`owner=${m.owner} fileLocation=${JSON.stringify(m.fileLocation)}`);
const pat = pkg.contributes.problemPatterns.find(p => p.name === 'tasklint');
const pm = pkg.contributes.problemMatchers.find(p => p.name === 'tasklint');
const { name, ...patNoName } = pat;
if (JSON.stringify(patNoName) !== JSON.stringify(m.pattern)) out.push('FAIL extension pattern differs from tasks.json');
if (pm.pattern !== '$tasklint' || pm.owner !== 'tasklint') out.push('FAIL extension matcher ' + JSON.stringify(pm));
const re = new RegExp(m.pattern.regexp);
const p = m.pattern;
for (const file of [outFile, badFile]) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const r = re.exec(line);
    if (!r) continue;
    out.push(['problem', r[p.file], r[p.line], r[p.column], r[p.severity], r[p.code] || '-', r[p.message]].join('|'));
  }
}
fs.writeFileSync(process.env.OUT, out.join('\n') + '\n');
JS
OUT=$T/res node "$T/check.js" "$SRC/editors/vscode/tasks.json" \
    "$SRC/editors/vscode/tasklint-problem-matcher/package.json" "$T/out.txt" "$T/bad.txt" 2>"$T/err"
if ! [ -s "$T/res" ]; then
    fail "node: $(cat "$T/err")"
else
    grep -q '^FAIL' "$T/res" && fail "$(grep '^FAIL' "$T/res")"
    grep -qx 'matchers=2' "$T/res" || fail "$(grep matchers= "$T/res")"
    grep -qx 'owner=tasklint fileLocation=\["autoDetect","${workspaceFolder}"\]' "$T/res" || fail "$(grep owner= "$T/res")"
    w=$(awk -F'|' '$1=="problem" && $2=="'$FIX'" && $5=="warning" && $6=="orphaned-spawn" {printf "%s ", $3}' "$T/res")
    [ "$w" = "$expected" ] || { fail "warnings at '$w'"; cat "$T/res"; }
    n=$(awk -F'|' '$1=="problem" && $2=="'$FIX'" && $5=="note" && $6=="-" {printf "%s ", $3}' "$T/res")
    [ "$n" = "33 64 71 " ] || { fail "notes at '$n'"; cat "$T/res"; }
    grep -qx "problem|$FIX|29|9|warning|orphaned-spawn|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path)" "$T/res" \
        || { fail "problem for line 29"; cat "$T/res"; }
    grep -qx "problem|src/with space/x.c|5|3|warning|orphaned-spawn|something leaks" "$T/res" || { fail "[new] tag / space in path"; cat "$T/res"; }
    grep -qx "problem|/abs/path/y.c|12|1|note|-|a note with \[brackets\] inside" "$T/res" || { fail "note with brackets"; cat "$T/res"; }
    grep -qx "problem|bad.c|1|22|error|clang-diagnostic|use of undeclared identifier 'undefined_thing'" "$T/res" || { fail "clang error"; cat "$T/res"; }
    grep -qx "problem|bad.c|1|5|note|clang-diagnostic|1 function not checked because of the clang errors in it: 'f'" "$T/res" || { fail "skipped-function note"; cat "$T/res"; }
    # the source lines, carets and the summary produce nothing
    [ "$(grep -c '^problem|' "$T/res")" = 10 ] || { fail "problem count"; cat "$T/res"; }
    [ $fails = 0 ] && echo "ok   vscode: tasks.json problem matcher on real output (3 warnings, 3 notes, clang error and its note)"
fi

# the same regexp with grep -P (PCRE), as a second engine
if echo | grep -P '' >/dev/null 2>&1; then
    re=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).tasks[0].problemMatcher.pattern.regexp)' "$SRC/editors/vscode/tasks.json")
    c=$(grep -cP "$re" "$T/out.txt")
    [ "$c" = 8 ] && echo "ok   vscode: grep -P agrees ($c matching lines)" || fail "grep -P matched $c lines"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all vscode tests passed"
