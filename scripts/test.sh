#!/usr/bin/env bash
# test.sh - build and run the whole test suite (unit tests, fixtures, CLI).
# TASKLINT_SANITIZE=1 runs it under AddressSanitizer + UBSan in build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKLINT_TEST_DEPS=1 scripts/setup.sh

BUILD=build
if [ "${TASKLINT_SANITIZE:-0}" = 1 ]; then
    BUILD=build-asan
    # use_sigaltstack=0: on some kernels (seen on 6.18 VMs) ASan's munmap of a
    # thread's alternate signal stack fails when libclang's worker threads
    # exit ("CHECK failed: unable to unmap"), which prints a report into the
    # tests' output at random; without the alternate stack a stack overflow
    # still kills the test, only without ASan's report of it
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:use_sigaltstack=0:${ASAN_OPTIONS:-}"
    # libclang/LLVM keep some process-lifetime allocations; if they show up as
    # leaks, tests/lsan.supp suppresses those (and only those)
    if [ -f tests/lsan.supp ]; then
        export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
    fi
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
fi
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
