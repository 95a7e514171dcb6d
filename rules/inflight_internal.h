/* inflight_internal.h - what inflight.c (the dataflow over objects) and
 * inflight_requests.c (the requests prepared on them one by one: flags,
 * chains, linked timeouts) share.  Not for other files: inflight.h is the
 * interface.
 *
 * Keys of the sparse state, for a function of nvars variables:
 *   v              an object (ring): kinds, counts (packed below)
 *   nvars + v      the start call whose result v holds (call id + 1)
 *   2 * nvars + v  the object v holds a part (sqe) of (object + 1)
 *   3 * nvars + v  the request last prepared on the part v holds (REQ_*)
 *   4 * nvars + v  the request last prepared on object v: LAST_* bits, and
 *                  in bits 32-63 the part variable it was prepared on + 1
 * Keys from nvars on join by equality (else 0: nothing known).
 */
#ifndef TL_RULES_INFLIGHT_INTERNAL_H
#define TL_RULES_INFLIGHT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "inflight.h"
#include "../analyzer/dataflow/sparse_map.h"

/* An object's value: kinds in bits 0-7, prepared count in 8-15, in-flight
 * count in 16-23, completions known to wait in the ring in 24-31 (counts
 * of requests that post a completion), posting peer requests prepared or
 * in flight in 32-39 (an upper bound, stored + 1; 0 there: none when the
 * kinds have no TL_IF_PEER, else not known), posting requests that
 * complete on their own in 40-47 (a lower bound). */
#define KINDS(x) ((unsigned)((x) & 0xffu))
#define PREP(x) ((int)(((x) >> 8) & 0xffu))
#define FLIGHT(x) ((int)(((x) >> 16) & 0xffu))
#define READY(x) ((int)(((x) >> 24) & 0xffu))
#define NCOMP(x) ((int)(((x) >> 40) & 0xffu))
#define PACK(k, p, f) ((uint64_t)(k) | ((uint64_t)(p) << 8) | ((uint64_t)(f) << 16))
#define PACKR(k, p, f, r) (PACK(k, p, f) | ((uint64_t)(r) << 24))

/* The request last prepared on a part (key 3 * nvars + v). */
enum {
    REQ_VALID = 1, /* known */
    REQ_PEER = 2,  /* may wait on a peer (itself, or a request it is chained after) */
    REQ_CPEER = 4, /* counted among the object's posting peer requests */
    REQ_CCOMP = 8, /* counted among the object's requests that complete on their own */
    REQ_SKIP = 16, /* posts no completion on success (its counts were taken back) */
    REQ_FAIL = 32  /* completes with a failure (prepare `fails`): a skip flag leaves its completion */
};

/* The request last prepared on an object (key 4 * nvars + v, low bits). */
enum {
    LAST_VALID = 1, /* known */
    LAST_PEER = 2,  /* may wait on a peer */
    LAST_UNK = 4,   /* of unknown kind */
    LAST_LINK = 8,  /* may be linked to the next one (a link flag, or flags not known) */
    LAST_CPEER = 16 /* counted among the posting peer requests (a linked timeout
                       next takes it back) */
};

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    int nvars;
    bool *tracked;      /* per var: an object whose work is followed */
    bool *prepares;     /* per var: the function prepares operations on it somewhere */
    int *owner;         /* per var: the object a part variable belongs to, -1 none, -2 several */
    unsigned char *desc;/* per var: TL_FDO_* origins of a descriptor variable (fd_origin.h) */
    int *peer_prep;     /* per var (flow-insensitive): a peer prepare call */
    int *comp_prep;     /* per var (flow-insensitive): a prepare call counted as completing */
    int *start_prep;    /* per call id: prepared count at a start call (joined) */
    tl_sparse_scratch env;
    bool replay;
    tl_inflight *out;
    long work, budget;
} if_ctx;

static inline uint64_t get(if_ctx *c, int v) {
    return c->env.val[v];
}
static inline void put(if_ctx *c, int v, uint64_t x) {
    *tl_sparse_slot(&c->env, v) = x;
}

/* Posting peer requests of an object's value (TL_IF_MANY: not known). */
int tl_if_npeer(uint64_t x);
/* x with n posting peer requests (0 clears TL_IF_PEER) and m completing ones. */
uint64_t tl_if_with_counts(uint64_t x, int n, int m);

int tl_if_add_count(int a, int b);
int tl_if_root_of(const if_ctx *c, const tl_call *call, int arg);
const tl_fn_model *tl_if_model_of(const if_ctx *c, int call);
int tl_if_part_owner(const if_ctx *c, const tl_call *call, int arg, bool flow);
unsigned tl_if_op_kind(const if_ctx *c, const tl_call *call, const tl_prepare_facet *p);
bool tl_if_opaque_arg(const if_ctx *c, const tl_call *call, const tl_fn_model *m, int k);

/* inflight_requests.c: a prepare call of a library (one request on a part
 * of an object); a call setting a part's flags (request_flags) or handing a
 * part to unknown code; a store into a part's flags field. */
void tl_if_prepare(if_ctx *c, const tl_call *call, const tl_fn_model *m);
void tl_if_call_flags(if_ctx *c, const tl_call *call, const tl_fn_model *m);
void tl_if_store_flags(if_ctx *c, const tl_instr *in);

#endif
