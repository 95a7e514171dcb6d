#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer targets (tests/fuzz) with clang-19,
# ASan and UBSan into build-fuzz/, then fuzz each for SECONDS (default 30).
#
# Each target starts from its committed seeds (tests/fuzz/corpus/NAME) and
# its dictionary (tests/fuzz/dict/NAME.dict), with -seed=1 so CI runs are
# repeatable; inputs it finds go to build-fuzz/corpus/NAME (kept between
# local runs, never committed).  A crash, a leak, a sanitizer report, an
# input slower than 10 s or a process above 2 GiB fails the script, which
# prints the saved reproducer (build-fuzz/artifacts/NAME/...) and how to
# replay it.  Targets run side by side, one per core.
# FUZZ_TARGETS="model config" limits the targets.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-30}
case "$SECONDS_PER_TARGET" in
    '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac
TARGETS=(${FUZZ_TARGETS:-model config compdb suppress baseline lsp})

TASKLINT_TEST_DEPS=1 TASKLINT_FUZZ=1 scripts/setup.sh >/dev/null

BUILD=build-fuzz
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# clang's runtime symbolizes stacks with llvm-symbolizer, which it does not find
# by itself under Debian's versioned names
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
    for s in /usr/lib/llvm-19/bin/llvm-symbolizer "$(command -v llvm-symbolizer-19 || true)" \
             "$(command -v llvm-symbolizer || true)"; do
        if [ -n "$s" ] && [ -x "$s" ]; then
            export ASAN_SYMBOLIZER_PATH="$s"
            break
        fi
    done
fi
# the compile database target writes its scratch files here, not in /tmp
export TMPDIR="$PWD/$BUILD/tmp"
mkdir -p "$TMPDIR"

# fuzz_one NAME: fuzz one target; its lines for the user go to
# $BUILD/fuzz_NAME.report, its exit status (0 or 1) to $BUILD/fuzz_NAME.rc
fuzz_one() {
    local t=$1
    local bin="$BUILD/tests/fuzz/fuzz_$t"
    local seeds="tests/fuzz/corpus/$t"
    local work="$BUILD/corpus/$t"
    local artifacts="$BUILD/artifacts/$t"
    local log="$BUILD/fuzz_$t.log"
    local report="$BUILD/fuzz_$t.report"
    mkdir -p "$work" "$artifacts"
    local dict=()
    [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
    local rc=0
    "$bin" -seed=1 -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -max_len=16384 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$artifacts/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
    local runs cov
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz.sh: fuzz_$t: ${runs:-?} runs in ${SECONDS_PER_TARGET}s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files: ok" >"$report"
        echo 0 >"$BUILD/fuzz_$t.rc"
        return
    fi
    {
        echo "fuzz.sh: fuzz_$t FAILED (exit $rc); from $log:"
        # the report from its first line on (else the log's end), printable
        local text
        text=$(sed -n '/ERROR: \|runtime error: \|fuzz invariant broken/,$p' "$log" | head -n 60)
        [ -n "$text" ] || text=$(tail -n 40 "$log")
        printf '%s\n' "$text" | cat -v
        local repro
        repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        if [ -n "$repro" ]; then
            echo "fuzz.sh: reproducer: $repro"
            echo "fuzz.sh: replay it with: $bin $repro   (or build/tests/fuzz/fuzz_${t}_replay $repro)"
        else
            echo "fuzz.sh: no reproducer was written (see $log)"
        fi
    } >"$report"
    echo 1 >"$BUILD/fuzz_$t.rc"
}

for t in "${TARGETS[@]}"; do
    if [ ! -x "$BUILD/tests/fuzz/fuzz_$t" ] || [ ! -d "tests/fuzz/corpus/$t" ]; then
        echo "fuzz.sh: no target '$t' ($BUILD/tests/fuzz/fuzz_$t, tests/fuzz/corpus/$t)" >&2
        exit 2
    fi
done

# one libFuzzer process per core at a time: each is single-threaded, and the
# seconds per target stay what was asked
jobs_max=$(nproc 2>/dev/null || echo 2)
running=0
for t in "${TARGETS[@]}"; do
    rm -f "$BUILD/fuzz_$t.rc" "$BUILD/fuzz_$t.report"
    if [ "$running" -ge "$jobs_max" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$t" &
    running=$((running + 1))
done
wait || true

failed=()
for t in "${TARGETS[@]}"; do
    rc=$(cat "$BUILD/fuzz_$t.rc" 2>/dev/null || echo 1)
    if [ "$rc" = 0 ]; then
        cat "$BUILD/fuzz_$t.report"
    else
        failed+=("$t")
        if [ -s "$BUILD/fuzz_$t.report" ]; then
            cat "$BUILD/fuzz_$t.report" >&2
        else
            echo "fuzz.sh: fuzz_$t ended without a report (see $BUILD/fuzz_$t.log)" >&2
        fi
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} of ${#TARGETS[@]} targets failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: ${#TARGETS[@]} targets fuzzed for ${SECONDS_PER_TARGET}s each, no crash"
