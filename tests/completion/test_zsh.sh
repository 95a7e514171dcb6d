#!/usr/bin/env bash
# The zsh completion (completions/_tasklint), driven by a real interactive zsh
# in a pseudo terminal (zsh_complete.zsh): options, option values (rule ids
# from --list-rules, lists after a comma, --opt=value), subcommands and their
# arguments, C files and directories.  Its options are those of
# `tasklint --help` (plus the --colour spelling), and each is one tasklint
# accepts.  Skipped (77) without zsh.
# usage: test_zsh.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
HERE=$SRC/tests/completion
if ! command -v zsh >/dev/null 2>&1; then
    echo "SKIP: zsh is not installed (scripts/setup.sh installs it with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export TASKLINT_DB=none NO_COLOR=1 HOME=$T/home ZDOTDIR=$T/home
mkdir -p "$T/bin" "$HOME" && ln -s "$TL" "$T/bin/tasklint"
export PATH=$T/bin:$PATH

mkdir -p "$T/proj/src" "$T/proj/build"
touch "$T/proj/src/a.c" "$T/proj/src/b.c" "$T/proj/src/notes.txt" "$T/proj/main.c"
cd "$T/proj" || exit 1

comp() { zsh -f "$HERE/zsh_complete.zsh" "$SRC/completions" "$1"; }
expect() { # expect LINE EXPECTED (the matches, sorted, one per line)
    local got
    got=$(comp "$1")
    if [ "$got" = "$2" ]; then
        echo "ok   '$1'"
    else
        fail "'$1': got [$(tr '\n' ' ' <<<"$got")] want [$(tr '\n' ' ' <<<"$2")]"
    fi
}

rules=$("$TL" --list-rules | awk '{print $1}' | sort)
help_options=$("$TL" --help | grep -E '^  -' | sed -E 's/^  //; s/  .*//' |
    grep -oE '(^|, )--?[a-zA-Z][a-zA-Z-]*' | sed 's/^, //' | sort -u)
offered=$(comp "tasklint -")
[ -n "$offered" ] || fail "no options completed"
for o in $help_options; do
    grep -qxF -- "$o" <<<"$offered" || fail "option $o of --help is not completed"
done
for o in $offered; do
    [ "$o" = --colour ] && continue # the other spelling of --color
    grep -qxF -- "$o" <<<"$help_options" || fail "$o is completed but not in --help"
    "$TL" "$o" x </dev/null 2>&1 | grep -q "unknown option" && fail "tasklint does not know $o"
done
echo "ok   the options are those of --help"

expect "tasklint --ex" $'--exclude\n--explain'
expect "tasklint --explain " "$rules"
expect "tasklint --explain=orp" "orphaned-spawn"
expect "tasklint --enable orphaned-spawn," "$( (echo all; grep -vx orphaned-spawn <<<"$rules") | sort)"
expect "tasklint --format " $'codeclimate\ngithub\njson\nsarif\ntext'
expect "tasklint --color=" $'always\nauto\nnever'
expect "tasklint --fail-on " $'any\nnew\nnone'
expect "tasklint " $'baseline\nbuild\ncheck\ndiff\ngc\nlink\nlsp\nmain.c\nreport\nruns\nsrc\nsummarize\ntriage'
expect "tasklint src/" $'a.c\nb.c'
expect "tasklint check -q src/" $'a.c\nb.c'
expect "tasklint baseline " $'export\nset'
expect "tasklint triage 3f9c2a71 " $'confirmed\nfalse-positive\nintentional'
expect "tasklint src/a.c -- src/n" "notes.txt"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
