#!/usr/bin/env bash
# test_sarif_fixtures.sh - SARIF for every fixture validates against the
# SARIF 2.1.0 schema, and a path finding has what GitHub code scanning shows.
#
#   test_sarif_fixtures.sh TASKLINT SOURCE_DIR SCHEMA [UNIT_SARIF]
#
# For every C file under SOURCE_DIR/fixtures (recursively, except
# fixtures/include) it runs
#   tasklint --no-db --format sarif --output OUT.sarif [RUN-ARGS] FIXTURE -- -I fixtures/include
# and then validates all outputs in one node process (tests/sarif/validate.mjs:
# schema + GitHub's required fields), with the path-result assertion on
# fixtures/orphaned-spawn/pthread_error_path.c (spawn -> the return where
# the thread leaks) and fixtures/blocking-in-coroutine/libdill_call_chain.c (coroutine
# -> call chain -> blocking call).  UNIT_SARIF (the unit_sarif binary), when
# given, dumps its hand-built documents (baseline states, suppressions,
# notifications, paths outside the root) for validation too.
# A self-check feeds the validator a broken SARIF file and requires it to fail.
# Exit: 0 pass, 1 fail, 77 skip (node or the npm packages are not installed).
set -uo pipefail

TASKLINT=${1:?usage: test_sarif_fixtures.sh TASKLINT SOURCE_DIR SCHEMA [UNIT_SARIF]}
SRC=${2:?source dir}
SCHEMA=${3:?schema path}
UNIT_SARIF=${4:-}
HERE="$SRC/tests/sarif"

if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (scripts/setup.sh installs nodejs with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
if [ ! -d "$HERE/node_modules/ajv-draft-04" ] || [ ! -d "$HERE/node_modules/ajv-formats" ]; then
    echo "SKIP: the npm packages are not installed (TASKLINT_TEST_DEPS=1 scripts/setup.sh, or npm ci --prefix tests/sarif)"
    exit 77
fi
if [ ! -f "$SCHEMA" ]; then
    echo "FAIL: the SARIF schema is not at $SCHEMA"
    exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0

# ---- self-check: the validator rejects a broken document ----
cat >"$TMP/broken.sarif" <<'EOF'
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {"driver": {"name": "tasklint", "rules": [{"id": "x", "name": "X", "unknownKey": 1}]}},
      "results": [{"ruleId": "x", "message": {"text": ""},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b.c"},
                                                       "region": {"startLine": 0}}}]}]
    }
  ]
}
EOF
if node "$HERE/validate.mjs" "$SCHEMA" "$TMP/broken.sarif" >"$TMP/broken.out" 2>&1; then
    echo "FAIL: validate.mjs accepted a broken SARIF file:"
    cat "$TMP/broken.out"
    fail=1
else
    for want in "must NOT have additional properties" "startLine must be >= 1" "empty string" \
                "unencoded whitespace" "without uriBaseId" "does not differ from the id"; do
        if ! grep -q "$want" "$TMP/broken.out"; then
            echo "FAIL: validate.mjs did not report '$want' on the broken file:"
            cat "$TMP/broken.out"
            fail=1
        fi
    done
fi
# ... and a file that is not JSON
echo '{"version": "2.1.0", "runs": [' >"$TMP/truncated.sarif"
if node "$HERE/validate.mjs" "$SCHEMA" "$TMP/truncated.sarif" >/dev/null 2>&1; then
    echo "FAIL: validate.mjs accepted a truncated SARIF file"
    fail=1
fi

# ---- SARIF for every fixture ----
cd "$SRC" || exit 1
mapfile -t fixtures < <(find fixtures -path fixtures/include -prune -o -type f -name '*.c' -print | LC_ALL=C sort)
if [ "${#fixtures[@]}" -eq 0 ]; then
    echo "FAIL: no fixtures found under $SRC/fixtures"
    exit 1
fi
outs=()
for fx in "${fixtures[@]}"; do
    out="$TMP/$(echo "$fx" | tr '/' '_').sarif"
    # RUN-ARGS: extra tasklint options at the top of the fixture
    read -r -a run_args <<<"$(sed -n 's|^// RUN-ARGS:||p' "$fx" | head -n 1)"
    "$TASKLINT" --no-db --format sarif --output "$out" "${run_args[@]}" "$fx" -- -I fixtures/include \
        >"$TMP/stdout" 2>"$TMP/stderr"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL: $fx: tasklint exited $rc"
        cat "$TMP/stderr"
        fail=1
        continue
    fi
    if [ ! -s "$out" ]; then
        echo "FAIL: $fx: no SARIF written to --output"
        fail=1
        continue
    fi
    if [ -s "$TMP/stdout" ]; then
        echo "FAIL: $fx: --output given, but findings went to stdout:"
        head -n 5 "$TMP/stdout"
        fail=1
    fi
    outs+=("$out")
done

if [ -n "$UNIT_SARIF" ]; then
    mkdir -p "$TMP/unit"
    if ! (cd "$TMP" && TL_SARIF_DUMP_DIR="$TMP/unit" "$UNIT_SARIF" >"$TMP/unit.log" 2>&1); then
        echo "FAIL: $UNIT_SARIF failed:"
        tail -n 20 "$TMP/unit.log"
        fail=1
    fi
    for f in "$TMP"/unit/*.sarif; do
        [ -e "$f" ] && outs+=("$f")
    done
fi

path_os="$TMP/fixtures_orphaned-spawn_pthread_error_path.c.sarif"
path_bic="$TMP/fixtures_blocking-in-coroutine_libdill_call_chain.c.sarif"
checks=()
[ -f "$path_os" ] && checks+=("--path-result=$path_os:orphaned-spawn") || { echo "FAIL: no SARIF for pthread_error_path.c"; fail=1; }
[ -f "$path_bic" ] && checks+=("--path-result=$path_bic:blocking-in-coroutine")

if [ "${#outs[@]}" -gt 0 ]; then
    if ! node "$HERE/validate.mjs" "${checks[@]}" "$SCHEMA" "${outs[@]}"; then
        fail=1
    fi
fi

if [ "$fail" -ne 0 ]; then
    echo "FAIL"
    exit 1
fi
echo "PASS: ${#fixtures[@]} fixtures, ${#outs[@]} SARIF files valid"
