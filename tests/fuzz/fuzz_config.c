/* fuzz_config.c - libFuzzer target: a project config (.tasklint.yaml)
 * through tl_models_load_config_text(), the in-memory twin of
 * tl_models_load_config().  A config extends a model set, so the input is
 * loaded on top of a set that already holds one function.
 * Seeds: corpus/config/ (fixture and test configs, small variants). */
#include <string.h>

#include "fuzz_target.h"
#include "model/model.h"
#include "model/per_path.h"
#include "util/glob.h"

static const char base_model[] = "library: base\n"
                                 "functions:\n"
                                 "  base_spawn:\n"
                                 "    spawn: {handle: result, success: nonnegative}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    fuzz_require(tl_models_load_text(&ms, base_model, sizeof base_model - 1, "base.yaml", &err) == 0,
                 "the base model loads");
    size_t nfns_before = ms.nfns;
    int rc = tl_models_load_config_text(&ms, (const char *)data, size, ".tasklint.yaml", &err);
    if (rc != 0) {
        fuzz_require(rc == -1, "the loader returns 0 or -1");
        fuzz_require(err.msg[0] != '\0', "a failed load says why");
        fuzz_require(memchr(err.msg, '\0', sizeof err.msg) != NULL, "the error is terminated");
        /* a bad config changes nothing in the set it was to extend */
        fuzz_require(ms.nfns == nfns_before && ms.nenable == 0 && ms.ndisable == 0 &&
                         ms.nexempt == 0 && !ms.has_profile && ms.nper_path == 0 &&
                         !ms.no_path_defaults,
                     "a rejected config leaves the model set alone");
    } else {
        tl_models_finish(&ms);
        fuzz_require(tl_models_find(&ms, "base_spawn") != NULL, "a config keeps the base models");
        for (size_t i = 0; i < ms.nexempt; i++)
            fuzz_require(tl_models_is_exempt(&ms, ms.exempt[i]), "an exempt name is exempt");
        /* per-path globs are valid (bounded) and match in bounded time */
        for (size_t i = 0; i < ms.nper_path; i++) {
            const tl_per_path *e = &ms.per_path[i];
            fuzz_require(tl_glob_valid(e->glob, strlen(e->glob)) == NULL, "a kept glob is valid");
            fuzz_require(e->profile >= -1 && e->profile <= TL_PROFILE_STRICT, "a known profile");
            (void)tl_glob_match_under(e->glob, "tests/net/a_b/deep/file.c");
        }
        (void)tl_per_path_each(&ms, "tests/a.c", NULL, NULL);
    }
    tl_models_free(&ms);
    return 0;
}
