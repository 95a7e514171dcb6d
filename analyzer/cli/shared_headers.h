/* shared_headers.h - shared precompiled prefixes for one run of the CLI:
 * the grouping of the run's TUs, the cache directory and its pruning, the
 * counters for -v (shared_headers.c; the PCHs themselves are
 * frontend/pch_prefix.h's, built and used by the workers).
 */
#ifndef TL_CLI_SHARED_HEADERS_H
#define TL_CLI_SHARED_HEADERS_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "frontend/pch_prefix.h"

typedef struct {
    char *dir;           /* the cache, or NULL: no sharing in this run */
    bool private_dir;    /* --no-db, or no usable cache next to the store: removed at the end */
    bool refused;        /* the cache next to the store was refused (a link, not the user's) */
    tl_pch_stats *stats; /* shared with the worker processes */
    int *includes;       /* per TU */
    size_t planned;      /* TUs with a prefix */
    tl_pch_plan plan;
} tl_cli_shared_headers;

/* Plans the sharing for `tus` (the list the worker pool gets): nothing with
 * --no-shared-headers, or when no cache directory can be had. */
void tl_cli_shared_headers_begin(tl_cli_shared_headers *sh, const tl_cli_options *o, const char *root,
                                 bool with_store, const tl_cli_tus *tus);
/* For tl_options.pch_plan: NULL when no TU shares a prefix. */
const tl_pch_plan *tl_cli_shared_headers_plan(const tl_cli_shared_headers *sh);
/* After the pool: prunes the cache (removes a private one) and, verbose,
 * prints the counters to err. */
void tl_cli_shared_headers_end(tl_cli_shared_headers *sh, bool verbose, FILE *err);

#endif
