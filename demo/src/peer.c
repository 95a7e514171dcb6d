/* peer.c - waiting for a reply from a peer.  (missing-timeout)
 *
 * wait_reply() polls one socket with an infinite timeout: a peer that never
 * answers hangs the caller forever.  wait_reply_bounded() gives up after
 * REPLY_TIMEOUT_MS.
 */
#include <poll.h>

#include "demo.h"

#define NO_TIMEOUT (-1)
#ifndef REPLY_TIMEOUT_MS
#define REPLY_TIMEOUT_MS 5000
#endif

int wait_reply(int sock)
{
    struct pollfd pfd = {.fd = sock, .events = POLLIN};
    return poll(&pfd, 1, NO_TIMEOUT);
}

int wait_reply_bounded(int sock)
{
    struct pollfd pfd = {.fd = sock, .events = POLLIN};
    return poll(&pfd, 1, REPLY_TIMEOUT_MS);
}
