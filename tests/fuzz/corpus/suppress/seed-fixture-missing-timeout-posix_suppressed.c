/* missing-timeout, POSIX: suppressions.  A deliberate infinite wait is
 * suppressed with a reason (same line and next line); a suppression whose
 * line has no finding, and one naming an unknown rule, are reported.
 */
#include <poll.h>

int wait_for_shutdown_pipe(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, -1);  // tasklint-ignore(missing-timeout): the supervisor always writes on shutdown
}

int wait_for_signal_pipe(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    // tasklint-ignore-next-line(missing-timeout): woken by the signal handler
    return poll(&pfd, 1, -1);
}

int wait_bounded(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 1000);  // tasklint-ignore(missing-timeout): stale  EXPECT: suppression
}

int wait_typo(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    // EXPECT@+1: suppression
    // tasklint-ignore-next-line(missing-timeouts): misspelt rule id
    return poll(&pfd, 1, -1);  // EXPECT: missing-timeout
}
