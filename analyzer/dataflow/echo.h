/* echo.h - a coroutine that answers every message, and the function that
 * talks to it in turn; a coroutine that sends one answer, and the function
 * that takes it.
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
 * A reply entry: a function with one `channel_put`, on a parameter p, in no
 * loop, that every path to a return passes (a path may end the program
 * instead: a failed assert); no `channel_take` at all; p used by nothing
 * else but calls a model says never wait and its close.  `static coroutine
 * void compute(int n, int ch) { int v = work(n); chsend(ch, &v, ...); }`:
 * a future, whose result is sent once on the channel it was handed.  Other
 * waits in it may keep the answer from coming - each is reported (or has a
 * deadline) where it is.
 *
 * Taking its answer: a function launches it with a channel it made (as
 * above) and then, after the launch, takes from the other end at most once
 * before it launches again, nothing else using the channel (no put, no
 * copy; a close of the channel is fine, not one that cancels coroutines
 * while the answer is owed); the edge where the launch failed (`if
 * (bundle_go(...) < 0) return -1;`) owes nothing.  Its takes then get the
 * answer (chan_ready); and when it takes on every path (the function ends
 * or goes back before the launch only with the answer taken) and every
 * launch of a static reply is such, the reply's put finds its taker
 * (chan_ready too).
 *
 * The TU's own functions; linear: one pass over each function's calls, and
 * per launch of an echo or a reply (at most 16 per function) a few walks
 * of the function and a worklist over three states.
 */
#ifndef TL_DATAFLOW_ECHO_H
#define TL_DATAFLOW_ECHO_H

#include "analysis.h"

/* Mark chan_ready on the waits of echo conversations and of replies. */
void tl_analysis_mark_echoes(tl_analysis *a);

#endif
