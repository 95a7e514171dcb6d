/* fuzz_target.h - what every target in tests/fuzz shares.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput() on one reader's public
 * entry point.  The same source builds two ways: with libFuzzer (cmake
 * -DTASKLINT_FUZZ=ON, scripts/fuzz.sh) and with replay_main.c, a plain main()
 * that feeds the seed corpus through it in the normal and ASan test builds
 * (ctest fuzz_corpus_replay_<name>).  fuzz_require() states an invariant of
 * the reader's result; breaking it aborts, which both drivers report as a
 * crash with the input that caused it.
 */
#ifndef TL_FUZZ_TARGET_H
#define TL_FUZZ_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional one-time setup; libFuzzer and replay_main.c call it when defined. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline void fuzz_require(bool ok, const char *what) {
    if (ok) return;
    fprintf(stderr, "fuzz invariant broken: %s\n", what);
    abort();
}

#endif
