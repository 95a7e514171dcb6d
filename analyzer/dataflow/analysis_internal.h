/* analysis_internal.h - what analysis.c (the per-TU driver, call facts,
 * model conditions) calls in the files that compute its later steps:
 * analysis_contexts.c (async contexts) and analysis_blocking.c (blocking
 * summaries).  Not for rules or other modules: they read the results in
 * tl_analysis (analysis.h). */
#ifndef TL_DATAFLOW_ANALYSIS_INTERNAL_H
#define TL_DATAFLOW_ANALYSIS_INTERNAL_H

#include <stdbool.h>

#include "analysis.h"

/* Set each function's context from the spawns, callback registrations and
 * declarations of this TU (analysis_contexts.c). */
void tl_analysis_discover_contexts(tl_analysis *a);
/* Add the contexts the whole program decided, when a->program is set. */
void tl_analysis_program_contexts(tl_analysis *a);

/* Fill each function's blocking summary: blocks, or blocks_when_ready when
 * fd_ready (analysis_blocking.c). */
void tl_analysis_compute_blocking(tl_analysis *a, bool fd_ready);

/* The TU's functions, each after the functions of the TU it calls (in a
 * cycle, after those reached first); owned by the caller. */
int *tl_analysis_callees_order(const tl_tu *tu, const tl_analysis *a);

/* Call facts from helper passes (analysis_marks.c): guard_nz/guard_z and
 * stable_params; fd_from_param and passes_param; datagram (after
 * tl_fd_origin_collect_globals). */
void tl_analysis_mark_guards(const tl_func *f, tl_func_facts *ff);
void tl_analysis_mark_param_values(const tl_func *f, tl_func_facts *ff);
void tl_analysis_mark_datagram_calls(tl_analysis *a);
/* analysis_marks.c: descriptor I/O on a file opened by path (cf->fd_file) */
void tl_analysis_mark_file_io(tl_analysis *a);

#endif
