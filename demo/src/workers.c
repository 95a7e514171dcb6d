/* workers.c - a thread per job.  (orphaned-spawn)
 *
 * start_job() creates a thread for each job but never joins or detaches it:
 * the thread's resources (its stack, its exit status) are never reclaimed,
 * and nobody notices when it dies.  start_job_joined() is the fixed version.
 */
#include <pthread.h>
#include <stddef.h>

#include "demo.h"

static void *job_main(void *arg)
{
    struct job *j = arg;
    j->result = j->input * 2;
    return NULL;
}

int start_job(struct job *j)
{
    pthread_t t;
    if (pthread_create(&t, NULL, job_main, j) != 0)
        return -1;
    return 0; /* the thread is never joined or detached */
}

int start_job_joined(struct job *j)
{
    pthread_t t;
    if (pthread_create(&t, NULL, job_main, j) != 0)
        return -1;
    return pthread_join(t, NULL);
}
