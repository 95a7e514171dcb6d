#!/usr/bin/env bash
# Text from the analysed tree never reaches the terminal raw: a file name
# holding ESC[31m, a source line with ESC and an invalid UTF-8 byte in a
# comment, a clang diagnostic quoting ESC, and what the store recorded (runs,
# diff, triage) and arguments echoed in errors (--baseline, --explain) are
# shown with \x1b / \xNN, the caret still under the right character; valid
# UTF-8 is kept.  With --color=always the only escape
# sequences are tasklint's own colours.
# Usage: bash test_terminal_escapes.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
ESC=$'\033'
no_esc() { # no_esc FILE LABEL
    if grep -q "$ESC" "$1"; then fail "$2: a raw ESC byte in the output"; cat -A "$1" | grep -m3 '\^\['; fi
}

mkdir "$T/src"
name=$'evil\033[31m\xc3\xa9.c'   # ESC[31m, then a valid UTF-8 character
printf '#include <pthread.h>\nstatic void *run(void *arg) { return arg; }\nvoid start(void) { pthread_t t; /* \033[2J\xff */\tpthread_create(&t, NULL, run, NULL); }\n' \
    >"$T/src/$name"
printf '#error "\033]0;pwned\007 boom"\n' >"$T/src/$(printf 'diag\033[1m.c')"
cd "$T" || exit 1

"$TL" --no-db src >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || { fail "exit $rc, expected 1"; cat "$T/err"; }
no_esc "$T/out" "findings"
no_esc "$T/err" "stderr"
grep -q "^src/evil\\\\x1b\[31m$(printf '\xc3\xa9')\.c:3:[0-9]*: warning: .*\[orphaned-spawn\]" "$T/out" ||
    { fail "the file name is not shown escaped (with its UTF-8 kept)"; cat "$T/out"; }
grep -q "^src/evil\\\\x1b\[31m$(printf '\xc3\xa9')\.c:3:[0-9]*: note: " "$T/out" || fail "the note's file name"
grep -q '/\* \\x1b\[2J\\xff \*/' "$T/out" || { fail "the source line is not shown escaped"; cat "$T/out"; }
grep -q '^src/diag\\x1b\[1m\.c:1:2: error: .*boom.*\[clang-diagnostic\]' "$T/out" ||
    { fail "the clang diagnostic's file name"; cat "$T/out"; }
# the caret is under the 'p' of pthread_create in the line as printed
src_line=$(grep -m1 'pthread_create(&t' "$T/out")
caret_line=$(grep -m1 -A1 'pthread_create(&t' "$T/out" | tail -1)
prefix=${src_line%%pthread_create*}
[ "${caret_line%^}" != "$caret_line" ] || fail "no caret line"
[ "${#prefix}" = "$(( ${#caret_line} - 1 ))" ] ||
    { fail "caret at column ${#caret_line}, pthread_create at $(( ${#prefix} + 1 ))"; printf '%s\n%s\n' "$src_line" "$caret_line"; }
[ "${caret_line: -2:1}" = $'\t' ] || fail "the tab before the call is not kept in the caret line"
ok "file names, source lines, notes and clang diagnostics escaped; caret aligned"

env -u NO_COLOR "$TL" --no-db --color=always src >"$T/out" 2>/dev/null
grep -q "$ESC\[1;35mwarning:" "$T/out" || fail "--color=always: no colour"
# take out tasklint's own colour codes: nothing else may remain
sed -e "s/$ESC\[[0-9;]*m//g" "$T/out" >"$T/stripped"
grep -q "$ESC" "$T/stripped" && { fail "--color=always: an escape sequence that is not tasklint's"; cat -A "$T/stripped" | head; }
grep -q '\\x1b\[31m' "$T/stripped" || fail "--color=always: the file name is not escaped"
ok "--color=always: only tasklint's own colours"

# an error message quoting a path
"$TL" --no-db "$(printf 'missing\033[31m.c')" >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "missing file: exit status"
no_esc "$T/err" "missing file"
grep -q 'missing\\x1b\[31m\.c' "$T/err" || { fail "missing file: path not shown escaped"; cat "$T/err"; }
ok "error messages quoting paths"

# arguments echoed in errors: a baseline that is neither a file nor a name
# in the store (a shell glob can pass a hostile file name), an unknown rule
"$TL" --no-db --baseline "$(printf 'nob\033[31m')" src >"$T/out" 2>"$T/err"
no_esc "$T/err" "--baseline --no-db"
grep -q 'nob\\x1b\[31m: no such file' "$T/err" || { fail "--baseline --no-db: not shown escaped"; cat "$T/err"; }
"$TL" --db "$T/b.db" --baseline "$(printf 'nob\033[31m')" src >"$T/out" 2>"$T/err"
no_esc "$T/err" "--baseline"
grep -q 'nob\\x1b\[31m: no such file, and no baseline' "$T/err" || { fail "--baseline: not shown escaped"; cat "$T/err"; }
"$TL" --explain "$(printf 'rule\033[31m')" >"$T/out" 2>"$T/err"
no_esc "$T/err" "--explain"
grep -q "unknown rule 'rule\\\\x1b\\[31m'" "$T/err" || { fail "--explain: not shown escaped"; cat "$T/err"; }
ok "arguments echoed in errors"

# what the store recorded: runs (-v shows the command line), diff, triage
"$TL" --db "$T/s.db" src/evil* >/dev/null 2>&1
"$TL" --db "$T/s.db" src/diag* >/dev/null 2>&1
"$TL" --db "$T/s.db" -v runs >"$T/out" 2>"$T/err"
no_esc "$T/out" "runs -v"
grep -q 'evil\\x1b\[31m' "$T/out" || { fail "runs -v: the command line is not shown escaped"; cat "$T/out"; }
# run 2 did not analyse evil*.c: its finding is listed as not compared (-v)
"$TL" --db "$T/s.db" diff -v 1 2 >"$T/out" 2>"$T/err"
no_esc "$T/out" "diff"
grep -q 'not compared: 1 finding in files only run 1 analysed' "$T/out" && grep -q '^  src/evil\\x1b\[31m' "$T/out" ||
    { fail "diff: the not compared finding's path is not shown escaped"; cat "$T/out" "$T/err"; }
fp=$("$TL" --db "$T/s.db" diff --format json 1 2 | sed -n 's/.*"fingerprint": *"\([0-9a-f]*\)".*/\1/p' | head -1)
"$TL" --db "$T/s.db" triage "$fp" intentional "$(printf 'owned \033[8mhidden')" >"$T/out" 2>"$T/err"
[ $? = 0 ] || { fail "triage: exit status"; cat "$T/err"; }
no_esc "$T/out" "triage"
grep -q 'owned \\x1b\[8mhidden' "$T/out" && grep -q -e 'evil\\x1b\[31m' -e 'diag\\x1b\[1m' "$T/out" ||
    { fail "triage: the reason or the path is not shown escaped"; cat "$T/out"; }
"$TL" --db "$T/s.db" src >"$T/out" 2>/dev/null
no_esc "$T/out" "a triaged finding"
grep -q '(triaged: intentional: owned \\x1b\[8mhidden)' "$T/out" || { fail "the triage tag is not escaped"; cat "$T/out"; }
ok "runs, diff, triage and triage tags escaped"

# the progress line on a terminal
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    mkdir "$T/many"
    for i in 1 2 3 4 5; do cp "$T/src/$name" "$T/many/$(printf 'f%d\033[31m.c' "$i")"; done
    NO_COLOR=1 TERM=xterm script -qec "'$TL' --no-db many" /dev/null >"$T/tty" 2>&1
    # tasklint's own: \r ESC[K around the progress line
    sed -e "s/$ESC\[K//g" "$T/tty" >"$T/stripped"
    grep -q "$ESC" "$T/stripped" && { fail "progress: a raw escape sequence"; cat -A "$T/stripped" | grep -m3 '\^\['; }
    grep -q '\[[0-9]/5\] many/f[0-9]\\x1b\[31m\.c' "$T/stripped" || { fail "progress: file name not shown escaped"; cat -A "$T/stripped" | head -5; }
    ok "the progress line"
else
    echo "skip progress line (no script(1))"
fi

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
