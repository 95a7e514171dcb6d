/* demo.h - a small job server with one task-lifecycle bug per file. */
#ifndef DEMO_H
#define DEMO_H

struct job {
    int input;
    int result;
};

int start_job(struct job *j);
int start_job_joined(struct job *j);
int read_async(int fd, char *buf, unsigned len);
int read_and_wait(int fd, char *buf, unsigned len);
int wait_reply(int sock);
int wait_reply_bounded(int sock);
int run_ticker(struct job *j);

#endif
