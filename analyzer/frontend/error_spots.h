/* error_spots.h - where clang reported errors in a translation unit, to tell
 * which function definitions an error touches.
 *
 * A file with clang errors is still analysed (cfg_builder.c): only the
 * definitions touched by an error are left out - an error whose expansion
 * location lies inside the definition's extent, or a definition clang marked
 * invalid.  Their bodies hold recovery expressions and dropped statements, so
 * what the rules would say about them is not about the user's code.
 */
#ifndef TL_ERROR_SPOTS_H
#define TL_ERROR_SPOTS_H

#include <clang-c/Index.h>
#include <stdbool.h>

typedef struct {
    CXFile file;
    unsigned offset;
} tl_error_spot;

typedef struct {
    tl_error_spot *v; /* sorted by (file, offset) */
    size_t n;
    /* clang stopped reporting errors (-ferror-limit): past the last error
       it reported, in its file, and in every other file, errors may be
       missing, so every definition there counts as touched */
    bool truncated;
    tl_error_spot last;
} tl_error_spots;

/* Whether d is clang's "too many errors emitted, stopping now". */
bool tl_error_spots_is_limit(CXDiagnostic d);

/* The expansion locations of the TU's errors (and fatal errors). */
void tl_error_spots_collect(CXTranslationUnit tu, tl_error_spots *out);
/* Whether an error lies in the extent of definition `fn`, or clang marked
 * it invalid.  O(log n). */
bool tl_error_spots_touch(const tl_error_spots *s, CXCursor fn);
void tl_error_spots_free(tl_error_spots *s);

#endif
