#!/usr/bin/env bash
# test_sarif_multitool.sh - Microsoft's SARIF validator (the npm package
# @microsoft/sarif-multitool, installed with the other tests/sarif packages)
# finds no error and no warning (notes, such as "no helpUri", are allowed),
# with its SARIF rules and its GitHub
# ingestion rules, in tasklint's SARIF for every fixture (one run over
# fixtures/) and for a few alone: path results
# (codeFlows, relatedLocations, embedded links), suppressed results with
# --include-suppressed, versionControlProvenance from a git checkout.
#
#   test_sarif_multitool.sh TASKLINT SOURCE_DIR
#
# The validator is run as its native binary (not through the package's
# bin.js, which starts it through a shell).
# Exit: 0 pass, 1 fail, 77 skip (not installed, or cannot run here).
set -uo pipefail
TASKLINT=${1:?usage: test_sarif_multitool.sh TASKLINT SOURCE_DIR}
SRC=${2:?source dir}
MT="$SRC/tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$MT" ]; then
    echo "SKIP: the SARIF multitool is not installed (npm ci --prefix tests/sarif, linux only)"
    exit 77
fi
if ! "$MT" --version >/dev/null 2>&1; then
    echo "SKIP: the SARIF multitool cannot run on this machine"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# the fixtures in a git checkout of their own, for versionControlProvenance
mkdir "$TMP/repo"
cp -r "$SRC/fixtures" "$TMP/repo/"
git_ok=0
if command -v git >/dev/null &&
    git -C "$TMP/repo" -c init.defaultBranch=main init -q &&
    git -C "$TMP/repo" add -A &&
    git -C "$TMP/repo" -c user.email=t@example.com -c user.name=t commit -qm fixtures &&
    git -C "$TMP/repo" remote add origin https://github.com/tasklint/fixtures.git; then
    git_ok=1
fi
cd "$TMP/repo" || exit 1
fail=0
# (the last: every fixture, single files and multi-file programs, in one run)
for fx in fixtures/orphaned-spawn/pthread_error_path.c \
          fixtures/blocking-in-coroutine/libdill_call_chain.c \
          fixtures/orphaned-spawn/libdill_suppressed.c \
          fixtures/missing-timeout/posix_suppressed.c \
          fixtures; do
    out="$TMP/$(basename "$fx" .c).sarif"
    "$TASKLINT" --no-db --format sarif --include-suppressed --output "$out" "$fx" -- -I fixtures/include \
        >/dev/null 2>"$TMP/stderr"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL: $fx: tasklint exited $rc"; cat "$TMP/stderr"; fail=1
    fi
done
if [ "$git_ok" = 1 ] && ! grep -q '"versionControlProvenance"' "$TMP/pthread_error_path.sarif"; then
    echo "FAIL: no versionControlProvenance from the git checkout"; fail=1
fi
grep -q '"justification"' "$TMP/libdill_suppressed.sarif" ||
    { echo "FAIL: no suppressed result with a justification to validate"; fail=1; }

"$MT" validate --rule-kind "Sarif;Gh" --level "Error;Warning" "$TMP"/*.sarif >"$TMP/mt.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] || grep -Eq ': (error|warning) [A-Z]+[0-9]+:' "$TMP/mt.log" ||
    ! grep -q "Analysis completed successfully" "$TMP/mt.log"; then
    echo "FAIL: sarif-multitool validate (exit $rc):"
    cat "$TMP/mt.log"
    fail=1
else
    echo "ok   sarif-multitool validate: no error or warning in $(ls "$TMP"/*.sarif | wc -l) files"
fi
exit $fail
