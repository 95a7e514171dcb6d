/* glob.c - fnmatch-style path globs with `**`, in O(|glob| x |path|) time
 * (see glob.h).  Used for `exclude:` / --exclude (cli/exclude.c) and for the
 * `per-path:` settings of .tasklint.yaml (model/per_path.c). */
#include "util/glob.h"

#include <string.h>

/* ---- one segment: no '/' on either side ---- */

/* Does the single-character item at p (a literal, '?', "[...]" or "\c",
 * ending before pe) match c?  *len is the item's length in the glob. */
static bool item_match(const char *p, const char *pe, char c, size_t *len) {
    if (*p == '?') {
        *len = 1;
        return true;
    }
    if (*p == '\\' && p + 1 < pe) {
        *len = 2;
        return p[1] == c;
    }
    if (*p == '[') {
        const char *q = p + 1;
        bool negate = false;
        if (q < pe && (*q == '!' || *q == '^')) {
            negate = true;
            q++;
        }
        bool hit = false;
        bool first = true;
        while (q < pe && (*q != ']' || first)) {
            first = false;
            char lo = *q;
            if (lo == '\\' && q + 1 < pe) lo = *++q;
            char hi = lo;
            if (q + 2 < pe && q[1] == '-' && q[2] != ']') {
                hi = q[2];
                if (hi == '\\' && q + 3 < pe) {
                    hi = q[3];
                    q++;
                }
                q += 2;
            }
            if ((unsigned char)lo <= (unsigned char)c && (unsigned char)c <= (unsigned char)hi)
                hit = true;
            q++;
        }
        if (q < pe) { /* the closing ']' */
            *len = (size_t)(q + 1 - p);
            return hit != negate;
        }
        /* no closing bracket: a literal '[' (tl_glob_valid refuses it) */
    }
    *len = 1;
    return *p == c;
}

/* The classic greedy match with one remembered star: on a mismatch only the
 * last star takes one more character, so each (glob, name) position pair is
 * visited at most once per star retry: O(|p| x |s|). */
static bool segment_match(const char *p, const char *pe, const char *s, const char *se) {
    const char *star_p = NULL, *star_s = NULL;
    while (s < se) {
        if (p < pe && *p == '*') {
            while (p < pe && *p == '*') p++;
            star_p = p;
            star_s = s;
            continue;
        }
        size_t len;
        if (p < pe && item_match(p, pe, *s, &len)) {
            p += len;
            s++;
            continue;
        }
        if (!star_p) return false;
        p = star_p;
        s = ++star_s;
    }
    while (p < pe && *p == '*') p++;
    return p == pe;
}

/* ---- segments ---- */

typedef struct {
    const char *b, *e;
} span;

/* Splits at '/' into v (at most max spans); returns the count. */
static size_t split(const char *s, span *v, size_t max) {
    size_t n = 0;
    for (;;) {
        const char *slash = strchr(s, '/');
        const char *e = slash ? slash : s + strlen(s);
        if (n < max) v[n] = (span){s, e};
        n++;
        if (!slash) break;
        s = slash + 1;
    }
    return n;
}

static bool is_globstar(span x) {
    return x.e - x.b == 2 && x.b[0] == '*' && x.b[1] == '*';
}

/* The same greedy method one level up: `**` segments are the stars, every
 * other glob segment matches exactly one path segment. */
static bool segments_match(const span *g, size_t ng, const span *s, size_t ns) {
    size_t gi = 0, si = 0, star_g = 0, star_s = 0;
    bool star = false;
    while (si < ns) {
        if (gi < ng && is_globstar(g[gi])) {
            star = true;
            star_g = ++gi;
            star_s = si;
            continue;
        }
        if (gi < ng && segment_match(g[gi].b, g[gi].e, s[si].b, s[si].e)) {
            gi++;
            si++;
            continue;
        }
        if (!star) return false;
        gi = star_g;
        si = ++star_s;
    }
    while (gi < ng && is_globstar(g[gi])) gi++;
    return gi == ng;
}

#define MAX_SEGMENTS 512

static bool match(const char *glob, const char *path, bool under) {
    if (!glob || !path || tl_glob_valid(glob, strlen(glob))) return false;
    while (path[0] == '.' && path[1] == '/') path += 2;
    span g[MAX_SEGMENTS + 1], s[MAX_SEGMENTS];
    size_t ng = split(glob, g, MAX_SEGMENTS);
    size_t ns = split(path, s, MAX_SEGMENTS);
    if (ng > MAX_SEGMENTS || ns > MAX_SEGMENTS) return false;
    /* G matches a leading directory of the path iff G plus a last "**"
       segment matches the path */
    static const char globstar[] = "**";
    if (under) g[ng++] = (span){globstar, globstar + 2};
    return segments_match(g, ng, s, ns);
}

bool tl_glob_match(const char *glob, const char *path) {
    return match(glob, path, false);
}

bool tl_glob_match_under(const char *glob, const char *path) {
    return match(glob, path, true);
}

const char *tl_glob_valid(const char *glob, size_t len) {
    if (len == 0) return "a glob must not be empty";
    if (len > TL_GLOB_MAX) return "a glob must be at most 1024 bytes long";
    if (memchr(glob, 0, len)) return "a glob must not contain a NUL byte";
    size_t segs = 1;
    for (size_t i = 0; i < len; i++) {
        char c = glob[i];
        if (c == '/') segs++;
        if (c == '\\') {
            if (i + 1 >= len || glob[i + 1] == '/') return "a '\\' must escape a character";
            i++;
        } else if (c == '[') {
            size_t k = i + 1;
            if (k < len && (glob[k] == '!' || glob[k] == '^')) k++;
            if (k < len && glob[k] == ']') k++; /* a ']' first is in the set */
            while (k < len && glob[k] != ']' && glob[k] != '/') k++;
            if (k >= len || glob[k] != ']') return "a '[' must be closed by ']' in its segment";
            i = k;
        }
    }
    if (segs > MAX_SEGMENTS) return "a glob must have at most 512 '/'-separated parts";
    return NULL;
}
