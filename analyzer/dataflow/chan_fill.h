/* chan_fill.h - messages held by a buffered channel only its function uses.
 *
 * A buffered channel (the model's `channel_buffer`: libmill's
 * `chmake(type, n)`) holds up to n messages: a `channel_put` (`chs`) with
 * room and a `channel_take` (`chr`) with a message waiting return at once.
 * When a local variable holds the channel and nothing else ever sees it
 * (assigned once, from the channel-making call; its address never taken;
 * read only as the channel of put, take and `channel_done` calls, by calls
 * a model says never wait (`nonblocking`: chclose), and in branch tests),
 * this function is
 * the channel's only user, and counting tells whether a put or a take can
 * wait:
 *
 *     chan ch = chmake(char, count);
 *     for (i = 0; i != count; ++i) chs(ch, char, 0);   fills it: never full
 *     for (i = 0; i != count; ++i) chr(ch, char);      drains it: never empty
 *
 * A forward dataflow over such channels (at most CF_MAX_PLACES per
 * function): the least and the most messages held, each a constant or
 * `a * S + b` for S the variable holding the capacity (assigned once, the
 * bound of counted loops: loop_trips.h).  A counted loop is solved by its
 * trip count (a pass's least and most net messages, the back edge cut);
 * any other cycle forgets the channels it uses.  Takes after a
 * `channel_done` never wait.  A put with room and a take with a message get
 * `chan_ready`: missing-timeout does not call them waits.  Linear: two
 * passes over a function's CFG and one over each counted loop.
 */
#ifndef TL_CHAN_FILL_H
#define TL_CHAN_FILL_H

#include "analysis.h"

#define CF_MAX_PLACES 8

/* Fill chan_ready of the TU's calls. */
void tl_analysis_mark_chan_fill(tl_analysis *a);

#endif
