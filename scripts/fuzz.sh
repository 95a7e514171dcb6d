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
# replay it.  FUZZ_TARGETS="model config" limits the targets.
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

failed=()
for t in "${TARGETS[@]}"; do
    bin="$BUILD/tests/fuzz/fuzz_$t"
    seeds="tests/fuzz/corpus/$t"
    work="$BUILD/corpus/$t"
    artifacts="$BUILD/artifacts/$t"
    log="$BUILD/fuzz_$t.log"
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        echo "fuzz.sh: no target '$t' ($bin, $seeds)" >&2
        exit 2
    fi
    mkdir -p "$work" "$artifacts"
    dict=()
    [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
    rc=0
    "$bin" -seed=1 -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -max_len=16384 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$artifacts/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz.sh: fuzz_$t: ${runs:-?} runs in ${SECONDS_PER_TARGET}s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files: ok"
        continue
    fi
    failed+=("$t")
    echo "fuzz.sh: fuzz_$t FAILED (exit $rc); from $log:" >&2
    # the report from its first line on (else the log's end), printable
    report=$(sed -n '/ERROR: \|runtime error: \|fuzz invariant broken/,$p' "$log" | head -n 60)
    [ -n "$report" ] || report=$(tail -n 40 "$log")
    printf '%s\n' "$report" | cat -v >&2
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ -n "$repro" ]; then
        echo "fuzz.sh: reproducer: $repro" >&2
        echo "fuzz.sh: replay it with: $bin $repro   (or build/tests/fuzz/fuzz_${t}_replay $repro)" >&2
    else
        echo "fuzz.sh: no reproducer was written (see $log)" >&2
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} of ${#TARGETS[@]} targets failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: ${#TARGETS[@]} targets fuzzed for ${SECONDS_PER_TARGET}s each, no crash"
