/* fuzz_model.c - libFuzzer target: a library model file (rules/models/NAME.yaml)
 * through tl_models_load_text(), which parses the YAML and reads the facets.
 * Seeds: corpus/model/ (the real model files and small variants). */
#include <string.h>

#include "fuzz_target.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    int rc = tl_models_load_text(&ms, (const char *)data, size, "fuzz.yaml", &err);
    if (rc != 0) {
        fuzz_require(rc == -1, "the loader returns 0 or -1");
        fuzz_require(err.msg[0] != '\0', "a failed load says why");
        fuzz_require(memchr(err.msg, '\0', sizeof err.msg) != NULL, "the error is terminated");
    } else {
        tl_models_finish(&ms);
        fuzz_require(ms.nlibraries >= 1, "a loaded model names its library");
        /* every loaded function can be looked up, and a copy holds the same */
        for (size_t i = 0; i < ms.nfns; i++)
            fuzz_require(tl_models_find(&ms, ms.fns[i].name) != NULL, "a loaded function is found");
        tl_model_set copy;
        fuzz_require(tl_models_copy(&copy, &ms) == 0, "a model set can be copied");
        fuzz_require(copy.nfns == ms.nfns, "the copy has every function");
        tl_models_free(&copy);
    }
    tl_models_free(&ms);
    return 0;
}
