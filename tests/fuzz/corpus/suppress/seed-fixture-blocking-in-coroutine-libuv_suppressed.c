/* blocking-in-coroutine, libuv: suppressions.  A begin/end block suppresses
 * start-up code in a callback that runs before the server accepts clients;
 * a next-line suppression with a reason; a suppression that matches
 * nothing and one without any rule that exists are reported.
 */
#include <unistd.h>
#include <uv.h>

static void on_first_tick(uv_timer_t *t)
{
    // tasklint-ignore-begin(blocking-in-coroutine): runs once before clients connect
    sleep(1);
    fsync(0);
    // tasklint-ignore-end
}

static void on_tick(uv_timer_t *t)
{
    // tasklint-ignore-next-line(blocking-in-coroutine): 1 ms pause accepted by the team
    usleep(1000);
}

static void on_idle(uv_idle_t *h)
{
    // EXPECT@+1: suppression
    // tasklint-ignore-next-line(blocking-in-coroutine): nothing blocks here any more
    uv_idle_stop(h);
}

static void on_check(uv_check_t *h)
{
    usleep(100);  // tasklint-ignore(blocking-in-coroutines): misspelt  EXPECT: suppression EXPECT: blocking-in-coroutine "usleep"
}

int start(uv_loop_t *loop, uv_timer_t *first, uv_timer_t *tick, uv_idle_t *idle, uv_check_t *check)
{
    uv_timer_init(loop, first);
    uv_timer_start(first, on_first_tick, 0, 0);
    uv_timer_init(loop, tick);
    uv_timer_start(tick, on_tick, 10, 10);
    uv_idle_init(loop, idle);
    uv_idle_start(idle, on_idle);
    uv_check_init(loop, check);
    return uv_check_start(check, on_check);
}
