#!/usr/bin/env bash
# docs/rules.md (the rules' pages the language server links diagnostics to)
# is what scripts/rules-doc.sh makes from this tasklint's --explain text,
# with a section per rule id.
# Usage: bash test_rules_doc.sh TASKLINT SOURCE_DIR
set -u
TL=$1
SRC=$2
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
bash "$SRC/scripts/rules-doc.sh" "$TL" >"$T/rules.md" || fail "rules-doc.sh failed"
if diff -u "$SRC/docs/rules.md" "$T/rules.md" >"$T/diff"; then
    echo "ok   docs/rules.md is current"
else
    fail "docs/rules.md is stale: run scripts/rules-doc.sh build/tasklint > docs/rules.md"
    head -40 "$T/diff"
fi
for id in $("$TL" --list-rules | cut -d' ' -f1); do
    grep -qx "## $id" "$SRC/docs/rules.md" || fail "no section '## $id' (the anchor #$id)"
done
[ $fails = 0 ] && echo "ok   a section per rule" || exit 1
