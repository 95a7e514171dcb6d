/* would_block.h - descriptor I/O whose "would block" failure the code
 * handles (tl_call_facts.would_block_handled); see would_block.c. */
#ifndef TL_WOULD_BLOCK_H
#define TL_WOULD_BLOCK_H

#include "analysis.h"

/* Set would_block_handled on the fd_io calls of the TU's functions whose
 * errno the code compares with a would-block value of the errno_location
 * model (`errno == EAGAIN`, or through the project's helper:
 * `socket_eagain()`).  Needs every function's call models
 * (funcs[].calls[].model). */
void tl_mark_would_block_calls(const tl_analysis *a);

#endif
