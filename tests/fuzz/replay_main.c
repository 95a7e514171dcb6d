/* replay_main.c - a main() for the fuzz targets without libFuzzer.
 *
 * Links with one fuzz_<name>.c in the ordinary (and the ASan+UBSan) build
 * and feeds it every file named on the command line, or found directly in a
 * named directory, in sorted order: `fuzz_model_replay tests/fuzz/corpus/model`.
 * So the suite runs the targets' code over the seed corpora even where
 * libFuzzer is not available, and a crasher saved by scripts/fuzz.sh can be
 * replayed in a debugger-friendly binary.  Exits 1 when given nothing to
 * replay or a file cannot be read; a crash or a sanitizer report ends it
 * like any other. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

/* libFuzzer treats LLVMFuzzerInitialize as optional; so does the replayer. */
extern int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) buf = realloc(buf, cap *= 2);
        fuzz_require(buf != NULL, "memory for the input");
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        perror(path);
        free(buf);
        return -1;
    }
    /* an exact-size copy, so ASan sees a read past the input's end */
    uint8_t *input = malloc(n ? n : 1);
    fuzz_require(input != NULL, "memory for the input");
    memcpy(input, buf, n);
    free(buf);
    /* named first, so a crash's report follows the input that caused it */
    printf("replay %s (%zu bytes)\n", path, n);
    fflush(stdout);
    LLVMFuzzerTestOneInput(input, n);
    free(input);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files directly in dir; returns how many, or -1. */
static long replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (n + 1) * sizeof *names);
        fuzz_require(names != NULL, "memory for the file list");
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        fuzz_require(names[n] != NULL, "memory for the file list");
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    long done = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i]) != 0) done = -1;
            else if (done >= 0) done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
        return 1;
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? replay_dir(argv[i])
                                                                 : (replay_file(argv[i]) ? -1 : 1);
        if (n < 0) return 1;
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "%s: no input to replay\n", argv[0]);
        return 1;
    }
    printf("%s: replayed %ld inputs\n", argv[0], total);
    return 0;
}
