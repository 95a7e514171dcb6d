#!/usr/bin/env bash
# The bash completion (completions/tasklint.bash), with bash-completion loaded
# and on its own: options, option values (rule ids from --list-rules, lists
# after a comma, --opt=value), subcommands and their arguments, C files and
# directories.  Its options are exactly those of `tasklint --help`, and each
# is one tasklint accepts.
# usage: test_bash.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
SCRIPT=$SRC/completions/tasklint.bash
HERE=$SRC/tests/completion
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export TASKLINT_DB=none NO_COLOR=1
# `tasklint` is the binary under test (the completion asks it for the rules)
mkdir -p "$T/bin" && ln -s "$TL" "$T/bin/tasklint"
export PATH=$T/bin:$PATH

# a project to complete paths in
mkdir -p "$T/proj/src" "$T/proj/build"
touch "$T/proj/src/a.c" "$T/proj/src/b.c" "$T/proj/src/notes.txt" "$T/proj/main.c" \
    "$T/proj/build/compile_commands.json"
cd "$T/proj" || exit 1

rules=$("$TL" --list-rules | awk '{print $1}' | sort)
help_options=$("$TL" --help | grep -E '^  -' | sed -E 's/^  //; s/  .*//' |
    grep -oE '(^|, )--?[a-zA-Z][a-zA-Z-]*' | sed 's/^, //' | sort -u)
[ "$(wc -l <<<"$help_options")" -ge 25 ] || fail "could not read the options of --help"

modes=(standalone)
if [ -f /usr/share/bash-completion/bash_completion ]; then
    modes+=(framework)
else
    echo "note: bash-completion is not installed: only the standalone mode is tested"
fi

for mode in "${modes[@]}"; do
    comp() { bash "$HERE/bash_complete.sh" "$SCRIPT" "$mode" "$@"; }
    # expect "WORDS..." EXPECTED: the matches, exactly (sorted, one per line)
    expect() {
        local want=$1
        shift
        local got
        got=$(comp "$@")
        if [ "$got" = "$want" ]; then
            echo "ok   [$mode] $*"
        else
            fail "[$mode] '$*': got [$(tr '\n' ' ' <<<"$got")] want [$(tr '\n' ' ' <<<"$want")]"
        fi
    }
    offered=$(comp tasklint -)
    for o in $help_options; do
        grep -qxF -- "$o" <<<"$offered" || fail "[$mode] option $o of --help is not completed"
    done
    for o in $offered; do
        [ "$o" = -- ] && continue
        grep -qxF -- "$o" <<<"$help_options" || fail "[$mode] $o is completed but not in --help"
    done
    echo "ok   [$mode] the options are those of --help"

    expect $'--exclude\n--explain' tasklint --ex
    expect "$rules" tasklint --explain ''
    expect "orphaned-spawn" tasklint --explain orp
    expect "orphaned-spawn" tasklint --explain = orp
    expect "$rules" tasklint -q --explain = ''
    expect "orphaned-spawn,missing-timeout" tasklint --enable orphaned-spawn,mis
    expect "$( (echo all; grep -vx orphaned-spawn <<<"$rules") | sort | sed 's/^/orphaned-spawn,/')" \
        tasklint --disable = orphaned-spawn,
    expect "all" tasklint --disable al
    expect $'codeclimate\ngithub\njson\nsarif\ntext' tasklint --format ''
    expect $'always\nauto\nnever' tasklint --color = ''
    expect $'default\nstrict' tasklint --profile ''
    expect $'any\nnew\nnone' tasklint --fail-on ''
    expect $'baseline\nbuild\ncheck\ndiff\ngc\nlink\nlsp\nmain.c\nreport\nruns\nsrc\nsummarize\ntriage' tasklint ''
    expect $'src/a.c\nsrc/b.c' tasklint src/
    expect $'src/a.c\nsrc/b.c' tasklint check --profile strict src/
    expect $'build\nmain.c\nsrc' tasklint -p build main.c ''
    expect $'build\nsrc' tasklint -p ''
    expect "build/compile_commands.json" tasklint -p build/
    expect $'export\nset' tasklint baseline ''
    expect $'confirmed\nfalse-positive\nintentional' tasklint triage 3f9c2a71 ''
    expect "" tasklint triage 3f9c2a71 intentional ''
    expect "" tasklint runs ''
    expect "src/notes.txt" tasklint src/a.c -- src/n
done

# every completed option is one tasklint knows
for o in $(bash "$HERE/bash_complete.sh" "$SCRIPT" standalone tasklint -); do
    [ "$o" = -- ] && continue
    "$TL" "$o" x </dev/null 2>&1 | grep -q "unknown option" && fail "tasklint does not know $o"
done
echo "ok   tasklint accepts every completed option"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
