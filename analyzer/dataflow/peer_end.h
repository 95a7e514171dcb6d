/* peer_end.h - closes and detaches that wait for nothing because the
 * peer's end already arrived.
 *
 * libdill's tcp_close(), http_detach(), tls_detach() and term_detach()
 * drain the input until the peer's end of stream or terminator - unless a
 * receive on the handle already failed with EPIPE, which says it arrived:
 * `while (1) { rc = http_recvfield(s, ...); if (rc < 0 && errno == EPIPE)
 * break; ... } s = http_detach(s, -1);` waits for nothing.  The models say
 * so with `end_errno` on the receives and the wait facet's
 * `unless_peer_ended` on the closes.  The edges where a branch finds errno
 * equal to such a value right after such a receive (no other call between
 * but errno reads: `errno == EPIPE`, `errno != EPIPE`) mark the handle's
 * variable ended; a must-dataflow (ended on every path; an assignment to
 * the variable clears it) marks the waits past them peer_ended.  Linear in
 * the function: the walk back from each errno test visits at most 8
 * blocks, the dataflow at most PE_MAX_PLACES variables as one bit set.
 */
#ifndef TL_DATAFLOW_PEER_END_H
#define TL_DATAFLOW_PEER_END_H

#include "analysis.h"

/* Fill peer_ended of the TU's calls. */
void tl_analysis_mark_peer_ends(tl_analysis *a);

#endif
