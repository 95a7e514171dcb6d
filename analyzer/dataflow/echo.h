/* echo.h - a coroutine that answers every message, and the function that
 * talks to it in turn.
 *
 * An echo entry: a function whose one loop nothing leaves is a simple cycle
 * (each of its blocks has one successor in it) holding one `channel_take`
 * on parameter a and, after it, one `channel_put` on parameter b (a may be
 * b: a libdill channel end carries both ways); nothing else in the function
 * may wait (another wait, a blocking call, code nobody models), and a and
 * b are never assigned, their addresses never taken, used by nothing else.
 * `static coroutine void worker(int ch) { while (1) { chrecv(ch, ...);
 * chsend(ch, ...); } }`.
 *
 * Talking to it in turn: a function launches it once with channels x and y
 * made in the function (libdill's `chmake(ch)` pair: the end is an element
 * of the array, its other end the other element; libmill's `chmake(type,
 * n)`: one channel, a variable assigned once) and then puts into x's other
 * end and takes from y's other end in turn - put, take, put, take, every
 * path, after the launch, and ends having taken the last answer.  Nothing
 * else uses those channels (bar calls a model says never wait: a close).
 * Then each of its puts finds the echo waiting at its take, each of its
 * takes gets the echo's answer, and the echo's put finds that take
 * waiting: none of these waits forever (chan_ready), nor the echo's when
 * every launch of it (a static function: the file's launches are all) is
 * such a conversation.
 *
 * The TU's own functions; linear: one pass over each function's calls, and
 * per launch of an echo (at most 16 per function) a few walks of the
 * function and a worklist over three states.
 */
#ifndef TL_DATAFLOW_ECHO_H
#define TL_DATAFLOW_ECHO_H

#include "analysis.h"

/* Mark chan_ready on the waits of echo conversations. */
void tl_analysis_mark_echoes(tl_analysis *a);

#endif
