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
 * A variable is parameter-derived when it is a parameter never assigned (nor
 * a struct into whose fields the function stores a descriptor it makes:
 * `c->fd = socket(...)`),
 * or a local every assignment of which gives it a parameter-derived value
 * (constants aside: `fd = -1` names no descriptor), found as a least
 * fixpoint (at most TL_PARAM_VALUES_SWEEPS sweeps of the function; what is
 * not settled by then is not derived, which only reports more).  An
 * expression is parameter-derived when its root variable is (through
 * fields, elements, `*`, `&` and casts: `c->fd`, `w->link[1]`), or it is
 * the result of a call that makes no descriptor (no `descriptor` facet:
 * `bufferevent_getfd(bev)`, a project's getter) and is handed one.
 * Not followed: a table entry a handed descriptor indexes (`clients[fd]`,
 * reported); a project function's result when handed something
 * (`s = take(c)` returning a new accept(): not reported); which of a call's
 * arguments are handed (one handed argument makes the callee's all ready).
 */
#ifndef TL_PARAM_VALUES_H
#define TL_PARAM_VALUES_H

#include <stdbool.h>

#include "../ir/ir.h"
#include "analysis.h"

#define TL_PARAM_VALUES_SWEEPS 8

/* A function's parameter-derived variables (derived[v], f->nvars entries)
 * and, while expressions are asked about, what each call result is. */
typedef struct {
    const tl_func *f;
    const tl_func_facts *ff; /* each call's model (for call results) */
    bool *derived;
    unsigned char *calls;    /* per call id: not decided yet, being decided, yes, no */
} tl_param_values_t;

/* Compute them for f (free with tl_param_values_free). */
void tl_param_values_init(tl_param_values_t *pv, const tl_func *f, const tl_func_facts *ff);
void tl_param_values_free(tl_param_values_t *pv);

/* Is e parameter-derived? */
bool tl_param_value_expr(tl_param_values_t *pv, const tl_expr *e);

#endif
