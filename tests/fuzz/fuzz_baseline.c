/* fuzz_baseline.c - libFuzzer target: a baseline file (written by
 * `tasklint baseline export`, read by --baseline FILE) through
 * tl_baseline_text_read(), the in-memory twin of tl_baseline_file_read().
 * Seeds: corpus/baseline/ (exported files, escapes, triage, bad lines). */
#include <ctype.h>
#include <string.h>

#include "fuzz_target.h"
#include "store/fingerprint.h"
#include "store/store.h"

static bool is_fingerprint(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n])) return false;
    return n == TL_FINGERPRINT_LEN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tl_findings fs;
    tl_findings_init(&fs);
    char msg[512];
    int rc = tl_baseline_text_read((const char *)data, size, "fuzz-baseline", &fs, msg, sizeof msg);
    if (rc != 0) {
        fuzz_require(rc == -1, "the reader returns 0 or -1");
        fuzz_require(msg[0] != '\0', "a failed read says why");
        fuzz_require(fs.n == 0, "a rejected file yields no findings");
    } else {
        for (size_t i = 0; i < fs.n; i++) {
            const tl_finding *f = &fs.items[i];
            fuzz_require(f->fingerprint && is_fingerprint(f->fingerprint),
                         "every finding has a well-formed fingerprint");
            fuzz_require(f->rule && f->rule[0] && strcmp(f->rule, "-") != 0,
                         "every finding has a rule");
            fuzz_require(f->triage >= TL_TRIAGE_NONE && f->triage <= TL_TRIAGE_CONFIRMED,
                         "the triage state is a known one");
            fuzz_require(!f->triage_reason || f->triage != TL_TRIAGE_NONE,
                         "a reason comes with a triage state");
        }
    }
    tl_findings_free(&fs);
    return 0;
}
