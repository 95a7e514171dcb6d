/* fd_origin.h - where a descriptor variable's value comes from: a file
 * opened by path, a socket or pipe, a socket the kernel serves itself.
 *
 * Read from the models' `descriptor` facets (open: file, socket: peer,
 * socket(AF_ALG, ...): kernel through `kind_if`, accept: its listener's kind
 * through `from_arg`, pipe(fds): peer for the array), flow-insensitively:
 * a variable's origins are the union over the assignments of the function.
 * File-scope variables with internal linkage (`static int infd;`) are
 * followed through the whole translation unit, once per TU
 * (tl_fd_origin_collect_globals): every assignment anywhere counts, and one
 * from anything but a descriptor call makes the origin unknown (a peer).
 * Used by rules/inflight.c: I/O on a file or a kernel-served socket
 * completes, on anything else it may wait on a peer.
 */
#ifndef TL_FD_ORIGIN_H
#define TL_FD_ORIGIN_H

#include "analysis.h"

enum {
    TL_FDO_COMPLETES = 1, /* a file opened by path, a socket served by the kernel */
    TL_FDO_PEER = 2       /* a socket, a pipe, or an origin nobody knows */
};

/* The origins (TL_FDO_*) of every variable of function fi: desc has
 * f->nvars entries, zeroed by the caller; 0 stays for a variable no
 * descriptor reaches. */
void tl_fd_origins(const tl_analysis *a, int fi, unsigned char *desc);

/* Is variable v of function fi a local descriptor every assignment of which
 * is a datagram socket (the descriptor facet's datagram_if holds on the
 * call's constant arguments: `socket(AF_INET, SOCK_DGRAM, 0)`), constants
 * (`-1`) aside - at least one, its address never taken (taken: from
 * tl_func_addr_taken)? */
bool tl_fd_datagram_var(const tl_analysis *a, int fi, int v, const unsigned char *taken);

/* Fill a->fd_globals (USR -> TL_FDO_* bits) from every function of the TU. */
void tl_fd_origin_collect_globals(tl_analysis *a);

#endif
