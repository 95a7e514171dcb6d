/* loop.c - a libuv timer.  (blocking-in-coroutine)
 *
 * on_tick() runs on the event loop thread; backoff() sleeps, so every other
 * handle of the loop stalls for a second on each tick.  A second timer
 * (uv_timer_start with a delay) is the non-blocking way to back off.
 */
#include <unistd.h>
#include <uv.h>

#include "demo.h"

static void backoff(void)
{
    sleep(1);
}

static void on_tick(uv_timer_t *timer)
{
    struct job *j = timer->data;
    j->result++;
    backoff();
}

int run_ticker(struct job *j)
{
    uv_loop_t *loop = uv_default_loop();
    uv_timer_t timer;
    uv_timer_init(loop, &timer);
    timer.data = j;
    uv_timer_start(&timer, on_tick, 100, 100);
    return uv_run(loop, UV_RUN_DEFAULT);
}
