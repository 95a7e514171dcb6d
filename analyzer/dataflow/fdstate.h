/* fdstate.h - descriptor state and struct-field facts over one function.
 *
 * A forward "must" dataflow (a fact holds at a point only when it holds on
 * every path there), fed by the models:
 *   - descriptor state (tl_fd_state_bits) of local variables: non-blocking
 *     after a call whose fd_state facet says so (socket with SOCK_NONBLOCK,
 *     fcntl F_SETFL with O_NONBLOCK...), ready after a readiness_wait facet
 *     (fdin, poll on one pollfd), ready on entry for the parameter a readiness
 *     callback receives its descriptor in (callback.ready_param);
 *   - descriptors in globals made non-blocking somewhere in the file and
 *     never set otherwise (flow-insensitive, tl_fdstate_collect_globals);
 *   - constant or variable stores into fields of local structs
 *     (`hints.ai_flags = AI_NUMERICHOST`, `struct pollfd p = {.fd = fd}`), for
 *     blocking.unless_field_flag and readiness_wait.field.
 * The results land in each call's facts (analysis.h): fd_state for the
 * call's descriptor argument, field_flag, passes_fd_state.
 */
#ifndef TL_FDSTATE_H
#define TL_FDSTATE_H

#include "../ir/ir.h"
#include "../util/str_map.h"
#include "analysis.h"

/* What a function's descriptor analysis starts from.  For a readiness
 * callback (readiness): ready_param is the parameter ready on entry (-1
 * none; ready_param2 a second one), values reached from any parameter are
 * "derived", and descriptor I/O on a derived struct's field whose USR is in
 * watched_fields (the fields registered for readiness in this TU, or NULL)
 * is ready too, as is the field ready_field (or NULL) of a ready handle
 * (`w->fd`, callback.ready_field).  func_returns (or NULL): per function of
 * the TU, the returns_fd_state already found - a call to it gives its
 * result that state, as a call result whose fd_state facet sets one does
 * (used in place as the descriptor, or stored). */
/* What a TU stores into descriptor slots outside the stack (fdstate_slots.c):
 * a global or static, elements merged, keyed "g:USR"; a field "f:USR"; a
 * function's parameter "p:USR#N" (its address taken: "p:USR#*") or result
 * "r:USR". */
typedef enum {
    TL_SLOT_NONBLOCKING = 1, /* a descriptor known non-blocking (or a pseudo-file) */
    TL_SLOT_OTHER = 2,       /* anything else, or a write no store shows (&g taken) */
    TL_SLOT_COPY = 3         /* the value of slot `src` */
} tl_slot_store_kind;

typedef struct {
    char *key;
    char *src;       /* TL_SLOT_COPY */
    tl_slot_store_kind kind;
    bool is_static;  /* a static of the file: no other TU writes it */
} tl_slot_store;

typedef struct tl_slot_stores_s {
    tl_slot_store *v;
    int n, cap;
    tl_str_map index; /* each distinct store once */
} tl_slot_stores;

void tl_slot_stores_init(tl_slot_stores *s);
void tl_slot_stores_free(tl_slot_stores *s);
void tl_slot_stores_add(tl_slot_stores *s, const char *key, tl_slot_store_kind kind, const char *src,
                        bool is_static);

/* The slot key ("g:USR", "f:USR") of a descriptor expression, false when it
 * is not a slot (fdstate_slots.c). */
bool tl_fdstate_slot_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static);

struct tl_program;

typedef struct {
    bool readiness;
    int ready_param, ready_param2;
    const char *ready_field;
    const tl_str_map *watched_fields, *global_nonblocking;
    const unsigned *func_returns;
    int nfuncs; /* entries of func_returns */
    tl_slot_stores *slot_stores;       /* stores into slots are added here, or NULL */
    const struct tl_program *program;  /* slots every store of the program makes
                                          non-blocking (tl_program_fd_slot_nonblocking), or NULL */
    const unsigned *func_params_nb;    /* per function of the TU (nfuncs entries), its
                                          params_nonblocking already found in the low 16 bits
                                          and its params_moded in the high 16, or NULL: a call
                                          to it makes the first arguments non-blocking and
                                          leaves the second not known */
    const tl_fd_returns_if *func_returns_if; /* per function of the TU (nfuncs entries), its
                                          returns_if already found, or NULL */
    const tl_fd_params_if *func_params_if; /* per function of the TU, its params_if, or NULL */
    char *const *func_returns_via;     /* per function of the TU, its returns_via, or NULL */
} tl_fdstate_env;

/* Fill the descriptor facts of f's calls (ff->calls must hold models and
 * argument values) and ff->returns_fd_state.  Returns 0, or -1 when the work
 * budget ran out (the calls then keep no facts, which only makes fewer calls
 * non-blocking). */
int tl_fdstate_run(const tl_func *f, tl_func_facts *ff, const tl_fdstate_env *env);
/* File-wide facts about descriptors held in globals and statics (by USR, or
 * "USR[k]" for an element at a constant index), added to `globals` for
 * each function of the file: a descriptor some call makes non-blocking and
 * that no call clears and no assignment sets to another value (one set up
 * non-blocking at start-up, say) counts as non-blocking everywhere in the
 * file.  Pass the map as global_nonblocking to tl_fdstate_run. */
void tl_fdstate_collect_globals(const tl_func *f, const tl_func_facts *ff, tl_str_map *globals);

#endif
