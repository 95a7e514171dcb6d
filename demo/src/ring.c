/* ring.c - reading a file through io_uring.  (unawaited-task)
 *
 * read_async() submits a read and then tears the ring down without waiting
 * for the completion: the kernel may still be writing into buf.
 * read_and_wait() reaps the completion first, with a deadline.
 */
#include <liburing.h>

#include "demo.h"

int read_async(int fd, char *buf, unsigned len)
{
    struct io_uring ring;
    if (io_uring_queue_init(8, &ring, 0) < 0)
        return -1;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, buf, len, 0);
    io_uring_submit(&ring);
    io_uring_queue_exit(&ring); /* the read may still be in flight */
    return 0;
}

int read_and_wait(int fd, char *buf, unsigned len)
{
    struct io_uring ring;
    struct io_uring_cqe *cqe;
    struct __kernel_timespec ts = {.tv_sec = 5};
    if (io_uring_queue_init(8, &ring, 0) < 0)
        return -1;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, buf, len, 0);
    io_uring_submit(&ring);
    int rc = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
    if (rc == 0) {
        rc = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
    }
    io_uring_queue_exit(&ring);
    return rc;
}
