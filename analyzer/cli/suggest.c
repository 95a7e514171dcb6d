/* suggest.c - "did you mean" for the command line: the closest of a list of
 * known words (long options, subcommands) to a mistyped one, by edit
 * distance with transpositions (so --enabel is one edit from --enable). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/xalloc.h"

size_t tl_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    /* three rows of the dynamic programme: i-2, i-1, i */
    size_t *rows = tl_xmalloc(3 * (lb + 1) * sizeof *rows);
    size_t *pp = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[lb];
    free(rows);
    return d;
}

const char *tl_suggest(const char *word, const char *const *known, size_t n) {
    /* close enough to be a slip: at most 2 edits, and fewer than a third of
       the word (a 3-letter word gets 1) */
    size_t len = strlen(word);
    size_t limit = len / 3 < 2 ? len / 3 : 2;
    if (limit == 0 && len >= 2) limit = 1;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!known[i] || !*known[i]) continue;
        size_t d = tl_edit_distance(word, known[i]);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    return best;
}
