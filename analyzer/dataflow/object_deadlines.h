/* object_deadlines.h - waits whose deadline is a setting of the object.
 *
 *     nng_socket s;
 *     nng_req0_open(&s);                                  // object_open: no deadline
 *     nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 1000);      // deadline_option "recv-timeout"
 *     nng_recv(s, &buf, &n, NNG_FLAG_ALLOC);              // wait.object_deadline: bounded
 *
 * Some libraries take no timeout argument on their blocking calls: the
 * deadline is an option of the socket, infinite until someone sets it.  A
 * forward dataflow over the function's locals that a call with an
 * `object_open` facet opens (its argument `&v`, or `v = open(...)` with
 * `result: true`: zmq_socket) keeps, per such variable,
 * "opened on every path" (the join intersects) and, per option name the
 * function's waits ask for, "a deadline may have been set" (the join
 * unites).  A `deadline_option` call on the variable (the option named by
 * a string literal, or by an integer constant in decimal) sets it - or clears
 * it, when its value is a constant among the facet's `forever` values; a
 * call of code nobody models (the program's own, say), handed the variable
 * or its address, may have set anything - but not an unmodelled function
 * in a library's namespace (`prefixes:`: nng_listen), which would be
 * modelled if it set one.  After a readiness wait (zmq_poll) any of them
 * may be ready: what follows is not known.  A variable whose value or
 * address goes anywhere else (copied, stored, returned) is not followed; a
 * test of it (`if (!s)`) copies it nowhere.  A wait whose `object_deadline`
 * argument is such a variable, opened on every path and with its option set on none, is marked
 * tl_call_facts.deadline_forever (and deadline_open: the opening call,
 * when one call opened it on every path); every other such wait is not
 * known and is not reported.  The opener may give the object a type (the
 * model's `type`, or the constant in its `type_arg`: zmq_socket(ctx,
 * ZMQ_REP)): on a type among the wait's `never_types` the call does not
 * wait (a reply, a publication); on one among its `client_types` it waits
 * for the answer to its own request (deadline_client: a REQ socket's
 * receive is no server's loop).
 * The TU's own functions are summarised first (per parameter, the first
 * 8: may it get a deadline there - a deadline_option call, code nobody
 * models, a callee that may - and which options' waits it makes on it,
 * through which library call), to a fixpoint over the TU's calls of at
 * most 16 rounds (past that nothing is known): a call of such a helper
 * handed the object (`s_recv(requester)`) is its wait, marked with
 * deadline_via, and one that sets nothing leaves the object as it was.
 * A helper that polls (a readiness wait) makes no wait known.  Helpers in
 * other TUs are code nobody models.
 * Linear: at most OD_MAX_PLACES variables per function and 4 option names
 * per TU, one bit set each, through the generic solver's budgets; the
 * summaries cost at most 16 passes over the TU's calls.
 */
#ifndef TL_DATAFLOW_OBJECT_DEADLINES_H
#define TL_DATAFLOW_OBJECT_DEADLINES_H

#include "analysis.h"

/* Fill deadline_forever, deadline_open, deadline_client and deadline_via
 * of the TU's calls. */
void tl_analysis_mark_object_deadlines(tl_analysis *a);

#endif
