/* report_util.h - helpers shared by the machine-readable outputs (sarif.c,
 * json_output.c): paths relative to the project root, file URIs with RFC 3986
 * percent-encoding, names of triage and baseline states. */
#ifndef TL_REPORT_UTIL_H
#define TL_REPORT_UTIL_H

#include <stdbool.h>

#include "report/finding.h"

/* Absolute, lexically normalised path ("." and ".." resolved, no double or
 * trailing slashes); relative paths are taken from the current directory.
 * (malloc'd) */
char *tl_report_abspath(const char *path);

/* `path` relative to `root` with forward slashes, or NULL when it is not
 * under root.  Tried lexically first, then with symbolic links resolved
 * (realpath) on both sides.  A NULL root means the current directory.
 * (malloc'd) */
char *tl_report_relpath(const char *path, const char *root);

/* The directory output paths are relative to (SARIF's %SRCROOT%, GitHub
 * annotations, GitLab Code Quality): CI systems read them as relative to the
 * repository's root, so when the project root is inside a git work tree it
 * is the work tree's top level (the nearest directory at or above it with a
 * .git entry), else the project root itself.  (malloc'd, absolute) */
char *tl_report_source_root(const char *project_root);

/* Percent-encodes every byte except RFC 3986 unreserved characters
 * (A-Z a-z 0-9 - . _ ~) and '/': spaces, non-ASCII bytes (UTF-8), '%', '#',
 * '?'...  (malloc'd) */
char *tl_report_uri_encode(const char *path);

/* "file:///abs/path" for a path (made absolute first); with `dir` a
 * trailing '/' is added.  (malloc'd) */
char *tl_report_file_uri(const char *path, bool dir);

/* Whether a finding is one a user has dismissed: suppressed in the source,
 * or triaged as a false positive or intentional (the annotation formats,
 * github and codeclimate, leave these out). */
bool tl_report_dismissed(const tl_finding *f);

/* A git remote as an absolute URI for SARIF's repositoryUri, or NULL when
 * it cannot be one: "https://host/path" with any user:password@ removed
 * (a token in a CI clone's remote is never written out), scp-like
 * "user@host:path" as "ssh://host/path", a local path as a file URI.  The
 * result holds only printable ASCII. (malloc'd) */
char *tl_report_repository_uri(const char *remote);

/* "false-positive", "intentional", "confirmed", or NULL (none/unknown). */
const char *tl_report_triage_name(int triage);
/* "new", "unchanged", "absent", or NULL (not compared). */
const char *tl_report_baseline_name(tl_baseline_state st);

#endif
