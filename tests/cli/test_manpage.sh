#!/usr/bin/env bash
# tasklint --help-man prints tasklint(1): groff (-ww: every warning) and
# mandoc -Tlint find nothing to complain about, man -l renders every section,
# every option --help lists and every rule's documentation; the build's
# tasklint.1(.gz) next to the binary is this page.
# usage: test_manpage.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

SOURCE_DATE_EPOCH=86400 "$TL" --help-man >"$T/tasklint.1" || fail "--help-man: exit $?"
head -1 "$T/tasklint.1" | grep -q '^\.TH TASKLINT 1 1970-01-02 "tasklint [0-9.]*" "User Commands"$' \
    || fail "title line: $(head -1 "$T/tasklint.1")"

if command -v groff >/dev/null 2>&1; then
    groff -ww -z -man "$T/tasklint.1" 2>"$T/groff.err"
    [ -s "$T/groff.err" ] && fail "groff -ww: $(head -5 "$T/groff.err")"
    echo "ok   groff -ww -z -man: no warnings"
else
    echo "note: no groff"
fi
if command -v mandoc >/dev/null 2>&1; then
    mandoc -Tlint "$T/tasklint.1" >"$T/mandoc.out" 2>&1 || fail "mandoc -Tlint: $(head -5 "$T/mandoc.out")"
    [ -s "$T/mandoc.out" ] && fail "mandoc -Tlint: $(head -5 "$T/mandoc.out")"
    echo "ok   mandoc -Tlint: nothing"
else
    echo "note: no mandoc (scripts/setup.sh installs it with TASKLINT_TEST_DEPS=1)"
fi

if command -v man >/dev/null 2>&1; then
    text=$(MANWIDTH=100 man -l "$T/tasklint.1" 2>"$T/man.err")
    [ -s "$T/man.err" ] && fail "man -l: $(head -5 "$T/man.err")"
    for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS RULES "EXIT STATUS" ENVIRONMENT \
        FILES "SEE ALSO"; do
        grep -q "^$section\$" <<<"$text" || fail "no section $section"
    done
    # every option of --help, as an item of OPTIONS
    "$TL" --help | grep -E '^  -' | sed -E 's/^  //; s/  .*//' >"$T/labels"
    [ "$(wc -l <"$T/labels")" -ge 20 ] || fail "could not read the options of --help"
    while read -r label; do # an item's tag starts a line (its text may follow)
        grep -qF "       $label" <<<"$text" || fail "OPTIONS has no item '$label'"
    done <"$T/labels"
    # every rule, with the headings of its --explain text
    for id in $("$TL" --list-rules | awk '{print $1}'); do
        grep -qx "   $id" <<<"$text" || fail "RULES has no $id"
        "$TL" --explain "$id" | sed -n 's/^## //p' | while read -r heading; do
            grep -qxF "       $heading" <<<"$text" || echo "$id: $heading"
        done >"$T/missing"
        [ -s "$T/missing" ] && fail "RULES lacks the headings: $(tr '\n' ';' <"$T/missing")"
    done
    echo "ok   man -l renders every section, option and rule"
else
    echo "note: no man"
fi

# the page the build made (and installs) is this one
build=$(dirname "$TL")
if [ -f "$build/tasklint.1" ]; then
    diff <(sed 1d "$build/tasklint.1") <(sed 1d "$T/tasklint.1") >/dev/null \
        || fail "$build/tasklint.1 is not what --help-man prints (rebuild?)"
    if [ -f "$build/tasklint.1.gz" ]; then
        gzip -dc "$build/tasklint.1.gz" | cmp -s - "$build/tasklint.1" || fail "tasklint.1.gz differs"
    fi
    echo "ok   the build's tasklint.1 is --help-man's"
fi

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
