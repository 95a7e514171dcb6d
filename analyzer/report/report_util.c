/* report_util.c - paths and URIs for the machine-readable outputs. */
#include "report/report_util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/xalloc.h"

char *tl_report_abspath(const char *path) {
    if (!path) path = "";
    char *joined;
    if (path[0] == '/') {
        joined = tl_xstrdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        joined = tl_xasprintf("%s/%s", cwd ? cwd : "", path);
        free(cwd);
    }
    /* normalise in place: a stack of component start offsets */
    size_t n = strlen(joined);
    char *out = tl_xmalloc(n + 2);
    size_t o = 0;
    size_t *starts = tl_xmalloc((n + 1) * sizeof *starts);
    size_t depth = 0;
    const char *p = joined;
    while (*p) {
        while (*p == '/') p++;
        const char *e = p;
        while (*e && *e != '/') e++;
        size_t len = (size_t)(e - p);
        if (len == 0) break;
        if (len == 1 && p[0] == '.') {
            /* skip */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (depth > 0) o = starts[--depth];
        } else {
            starts[depth++] = o;
            out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p = e;
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    free(starts);
    free(joined);
    return out;
}

/* path under root (both absolute, normalised)? returns the remainder. */
static const char *under(const char *path, const char *root) {
    size_t r = strlen(root);
    if (r == 1 && root[0] == '/') return path[1] ? path + 1 : NULL;
    if (strncmp(path, root, r) != 0 || path[r] != '/' || !path[r + 1]) return NULL;
    return path + r + 1;
}

char *tl_report_relpath(const char *path, const char *root) {
    if (!path || !*path) return NULL;
    char *ap = tl_report_abspath(path);
    char *ar = tl_report_abspath(root ? root : ".");
    const char *rest = under(ap, ar);
    char *result = rest ? tl_xstrdup(rest) : NULL;
    if (!result) {
        char *rp = realpath(ap, NULL);
        char *rr = realpath(ar, NULL);
        if (rp && rr && (rest = under(rp, rr))) result = tl_xstrdup(rest);
        else if (rp && (rest = under(rp, ar))) result = tl_xstrdup(rest);
        free(rp);
        free(rr);
    }
    free(ap);
    free(ar);
    return result;
}

char *tl_report_source_root(const char *project_root) {
    char *p = tl_report_abspath(project_root);
    for (;;) {
        char *git = tl_xasprintf("%s/.git", strcmp(p, "/") ? p : "");
        bool found = access(git, F_OK) == 0;
        free(git);
        if (found) return p;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) break;
        *slash = '\0';
    }
    free(p);
    return tl_report_abspath(project_root);
}

static bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

char *tl_report_uri_encode(const char *path) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *out = tl_xmalloc(3 * n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (unreserved(c) || c == '/') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

char *tl_report_file_uri(const char *path, bool dir) {
    char *ap = tl_report_abspath(path);
    char *enc = tl_report_uri_encode(ap);
    size_t len = strlen(enc);
    bool slash = dir && (len == 0 || enc[len - 1] != '/');
    char *uri = tl_xasprintf("file://%s%s", enc, slash ? "/" : "");
    free(enc);
    free(ap);
    return uri;
}

/* RFC 3986 characters a URI may hold as they are (no space, quote, <>\\^`{|}). */
static bool uri_safe(const char *s) {
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= 0x20 || ch >= 0x7f || strchr("\"<>\\^`{|}", ch)) return false;
    }
    return true;
}

char *tl_report_repository_uri(const char *remote) {
    if (!remote || !*remote) return NULL;
    char *uri = NULL;
    const char *scheme_end = strstr(remote, "://");
    const char *colon = strchr(remote, ':');
    const char *slash = strchr(remote, '/');
    if (scheme_end && scheme_end == colon && scheme_end > remote) {
        /* scheme://[userinfo@]host/path: drop the userinfo */
        const char *auth = scheme_end + 3;
        const char *auth_end = auth + strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < auth_end; p++)
            if (*p == '@') at = p;
        const char *host = at ? at + 1 : auth;
        uri = tl_xasprintf("%.*s%s", (int)(auth - remote), remote, host);
    } else if (remote[0] == '/') {
        uri = tl_report_file_uri(remote, false);
    } else if (colon && colon > remote && (!slash || slash > colon)) {
        /* scp-like [user@]host:path */
        const char *at = memchr(remote, '@', (size_t)(colon - remote));
        const char *host = at ? at + 1 : remote;
        const char *path = colon + 1;
        uri = tl_xasprintf("ssh://%.*s/%s", (int)(colon - host), host, path[0] == '/' ? path + 1 : path);
    }
    if (uri && !uri_safe(uri)) {
        free(uri);
        uri = NULL;
    }
    return uri;
}

bool tl_report_dismissed(const tl_finding *f) {
    return f->suppressed || f->triage == TL_TRIAGE_FALSE_POSITIVE ||
           f->triage == TL_TRIAGE_INTENTIONAL;
}

const char *tl_report_triage_name(int triage) {
    switch (triage) {
    case TL_TRIAGE_FALSE_POSITIVE: return "false-positive";
    case TL_TRIAGE_INTENTIONAL: return "intentional";
    case TL_TRIAGE_CONFIRMED: return "confirmed";
    default: return NULL;
    }
}

const char *tl_report_baseline_name(tl_baseline_state st) {
    switch (st) {
    case TL_BASELINE_NEW: return "new";
    case TL_BASELINE_UNCHANGED: return "unchanged";
    case TL_BASELINE_ABSENT: return "absent";
    default: return NULL;
    }
}
