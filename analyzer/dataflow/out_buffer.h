/* out_buffer.h - sends a library only copies into a connection's own
 * output buffer.
 *
 * libmill's tcpsend() copies what fits into the connection's 1432-byte
 * output buffer and returns; only tcpflush() - or a tcpsend() that does not
 * fit - writes to the socket and may wait for the peer.  The models say so
 * with the `buffered` facet: {handle_arg, len_arg, buf_arg, size} on the
 * copying call, {handle_arg, flush: true} on the flush.  A forward dataflow
 * over the variables holding such connections counts the bytes buffered
 * since the last flush (a connection a `fresh` result made starts empty); a
 * buffered call whose bytes fit, on every path, cannot wait: buffer_fits.
 * Linear in the function (at most OB_MAX_PLACES variables, counts joined by
 * their maximum).
 */
#ifndef TL_DATAFLOW_OUT_BUFFER_H
#define TL_DATAFLOW_OUT_BUFFER_H

#include "analysis.h"

/* Fill buffer_fits of the TU's calls. */
void tl_analysis_mark_out_buffers(tl_analysis *a);

#endif
