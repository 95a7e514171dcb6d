/* param_values.h - which values of a function come from its parameters.
 *
 * A readiness callback's helper is checked "with its descriptor ready"
 * (analysis_blocking.c, program.c: blocks_when_ready): its caller hands it
 * the descriptor the event was registered on, or a struct holding it.  The
 * exemption must stay with what the helper was handed: a socket the helper
 * opens itself, a pipe it creates, a global it writes are not ready.
 *
 *     static void hand_off(struct worker *w, struct conn *c) {
 *         send(c->fd, ...);                  // c came from the callback: ready
 *         int s = socket(AF_INET, SOCK_STREAM, 0);
 *         connect(s, ...);                   // its own socket: blocks
 *     }
 *
 * A variable is parameter-derived when it is a parameter never assigned,
 * or a local every assignment of which gives it a parameter-derived value
 * (constants aside: `fd = -1` names no descriptor), found as a least
 * fixpoint (at most TL_PARAM_VALUES_SWEEPS sweeps of the function; what is
 * not settled by then is not derived, which only reports more).  An
 * expression is parameter-derived when its root variable is (through
 * fields, elements, `*`, `&` and casts: `c->fd`, `w->link[1]`), or it is
 * the result of a call that makes no descriptor (no `descriptor` facet:
 * `bufferevent_getfd(bev)`, a project's getter) and is handed one.
 */
#ifndef TL_PARAM_VALUES_H
#define TL_PARAM_VALUES_H

#include <stdbool.h>

#include "../ir/ir.h"
#include "analysis.h"

#define TL_PARAM_VALUES_SWEEPS 8

/* Per variable of f (f->nvars entries, caller-allocated): parameter-derived.
 * ff gives each call's model (for call results). */
void tl_param_values(const tl_func *f, const tl_func_facts *ff, bool *derived);

/* Is e parameter-derived, given the variables' flags? */
bool tl_param_value_expr(const tl_func *f, const tl_func_facts *ff, const bool *derived, const tl_expr *e);

#endif
