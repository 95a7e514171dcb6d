/* program_internal.h - the linked program's data, shared by the pieces of
 * the program module: the link and its fixpoints (program.c), the derived
 * models (program_derive.c) and the queries the rules ask (program_query.c).
 * Other code uses program.h only.
 */
#ifndef TL_PROGRAM_INTERNAL_H
#define TL_PROGRAM_INTERNAL_H

#include "../util/str_map.h"
#include "fd_slots.h"
#include "program.h"

#include "../util/strmap.h"

/* USR -> index maps (util/strmap; keys are the summaries' strings) */
typedef tl_strmap strmap;

static inline int map_get(const strmap *m, const char *k) {
    size_t v;
    return k && tl_strmap_get(m, k, &v) ? (int)v : -1;
}

/* int vectors */
typedef struct {
    int *v;
    int n, cap;
} ivec;
void pg_ivec_push(ivec *a, int x); /* (program.c) */
#define PG_DROPPED_CALLS_MAX 64
/* Does a call's field test rule out a function stored with consts (a
 * store's field constants; NULL: nothing known)? (program.c) */
bool pg_guards_exclude(const tl_program *p, const tl_sum_call *c, const tl_fn_store *consts);

/* The program: call edges, per parameter and per function facts, slots. */
typedef struct {
    int from, call, to;
    const char *field; /* through this slot, or NULL */
} edge;

/* Per parameter facts (indexed node.param_base + k). */
typedef struct {
    bool owner;          /* takes ownership of a handle passed here */
    bool releases;       /* ... by releasing it (join/close/detach) */
    const char *how;
    bool awaits, tears_down;
    bool awaits_reach;   /* awaits work on an object reached through it (TL_PE_AWAIT_REACH) */
    bool prepares;      /* prepares or starts work on it (TL_PE_PREPARE), maybe through calls */
    unsigned prep_kinds; /* TL_PE_PREP_* kinds of what it prepares there, maybe through calls */
    int prep_fd;         /* with TL_PE_PREP_FD: the parameter whose descriptor it uses */
    bool deadline;       /* reaches the timeout of a wait */
    tl_wait_kind kind;
    tl_forever forever[TL_MAX_FOREVER];
    int nforever;
    int dl_call;         /* the call that waits or passes the deadline on */
    int dl_next;         /* param index (global) it was passed to, -1: the wait */
    ivec funcs;          /* functions callers pass here (callbacks) */
    bool wrapper;        /* registered as a callback by this function */
    tl_context_kind wrap_ctx;
    bool wrap_ready;
    const char *wrap_library, *wrap_via;
} pparam;

typedef struct {
    const tl_func_summary *s;
    int param_base;
    bool has_ctx;
    tl_prog_context ctx;
    int nregs_in;        /* registrations and spawns of it (any context) */
    int nbounded_in;     /* ... coroutine spawns their owner cancels on every path */
    unsigned fresh_in;   /* ... the arguments every direct registration of it hands over
                            as fresh connections (AND over them; dataflow/send_budget.h) */
    int nfresh_regs;     /* the direct registrations fresh_in combines */
    unsigned served_in;  /* ... the arguments every direct registration of it hands over
                            as variables a sink launched before serves (sinks.c) */
    bool exit_return;    /* its return is the process's exit (exit_returns.c) */
    int dropped_slot;    /* a field slot past SLOT_TARGET_CAP that stores it: its calls
                            have no edge here (-1: none, -2: more than one) */
    const tl_fn_store *dropped_store; /* the store into it (its field constants), or NULL
                            when the stores disagree */
    bool looped;         /* it only ever runs inside a caller's loop (loop_callers.c) */
    bool blocks[2];
    int block_call[2];   /* the call that blocks or leads there */
    int block_next[2];   /* -1: that call blocks itself */
    const char *block_field[2];
    int block_depth[2];  /* calls from here to the blocking one (0: a call here blocks) */
    bool block_next_plain[2]; /* [1]: the call hands block_next nothing of this function's
                                 parameters: block_next's plain chain ([0]) follows */
    unsigned guard_nz[2], guard_z[2]; /* what every blocking call of it needs of its
                                         parameters (dataflow/param_guards.h) */
    tl_fn_model *derived;
    const char *self_task; /* stores its task's own handle (getpid()) into a slot the
                              program releases, itself or through direct calls */
    int unit;            /* the TU defining it (index into the linked units) */
    int dup_next;        /* the next definition of the same external USR in another
                            file (several executables), -1: none (prog_units.c) */
} pnode;

typedef struct {
    const char *usr, *name;
    ivec funcs;          /* functions stored there */
    /* per entry of funcs: the brace initializer's constants for the other
       fields (the store's, pointing into the units), NULL when its stores
       disagree or one has none (an assignment) */
    const tl_fn_store **consts_of;
    int capconsts;
    bool capped;
    /* capped: the calls through it (pairs: node, call index; at most
       PG_DROPPED_CALLS_MAX pairs, else calls_over), for the functions left
       out of its edges (exit_returns.c) */
    ivec calls;
    bool calls_over;
    tl_fn_model *derived;
} fslot;

typedef struct {
    const tl_func_summary *fs;
    const tl_sum_slot *s;
    int unit;            /* the TU of fs */
} slot_use;

typedef struct {
    const char *usr, *name;
    slot_use *spawns;
    int nspawns, capspawns;
    bool released;       /* by some call of the linked TUs ... */
    bool released_shared;/* ... by one of a TU of no known program (prog_units.c) */
    int *rel_programs;   /* ... the programs of the TUs that release it */
    int nrel, caprel;
} hslot;

struct tl_program {
    const tl_model_set *models;
    bool whole;
    pnode *nodes;
    int nnodes;
    strmap by_usr;
    fslot *fslots;
    int nfslots, capfslots;
    strmap fslot_by_usr;
    tl_str_map written_fields; /* fields (USRs) some code of the program assigns: their
                                  initializers' constants may not hold (pg_guards_exclude) */
    bool any_field_written;    /* a TU assigns more fields than its summary lists */
    hslot *hslots;
    int nhslots, caphslots;
    strmap hslot_by_usr;
    pparam *params;
    int nparams;
    edge *edges;
    int nedges, capedges;
    int *in_start, *in_edges; /* reverse adjacency (CSR) */
    /* for each call of each node: its edges' range [first, first+count) */
    int **call_first, **call_count;
    tl_program_stats stats;
    /* task nouns some call of the program releases wholesale (release_all) */
    const char **released_all;
    int nreleased_all, capreleased_all;
    tl_fd_slots *fd_slots; /* global descriptor slots only ever non-blocking (fd_slots.c) */
    /* the executables of the run (prog_units.c) */
    tl_tu_summary **units; /* the linked units in canonical order (cmp_unit, program.c) */
    int nunits;
    int *unit_label;       /* per unit: its program's root unit, PG_NONE or PG_SHARED */
    int *ref_start, *ref_to; /* per unit: the units it references (CSR, sorted) */
    tl_strmap unit_by_file;  /* main file -> unit */
    int cur_unit;          /* the unit whose queries are answered (-1: none) */
    tl_tu_summary fd_extra; /* per-program copies of global descriptor stores */
    /* definitions of external names several files define (chains by dup_next) */
    tl_strmap def_by_unit;  /* "UNIT\x1fUSR" -> its definition there */
    tl_strmap def_by_label; /* "PROGRAM\x1fUSR" -> the first of that program's */
    int *lab_next;         /* per node: the next definition of its program, -1 */
    int *shared_next;      /* per node: the next definition in a shared/unknown unit */
    int *shared_first;     /* per chain head: the first of those, -1 */
    int *chain_len;        /* per chain head: definitions in the chain */
    char **def_keys;       /* the two maps' keys */
    int ndef_keys, capdef_keys;
};

/* Unit labels (prog_units.c): no root reaches it / several roots do. */
#define PG_NONE (-1)
#define PG_SHARED (-2)
/* Which programs the units belong to, and the per-program descriptor
 * stores: after index_functions, before any reference is resolved. */
void pg_units_link(tl_program *p, tl_tu_summary *const *units, int nunits);
void pg_units_free(tl_program *p);
/* The definitions a reference from `unit` to function `usr` resolves to:
 * fills up to max nodes, returns how many (0: not defined). */
#define PG_MAX_DEFS_LINK 16  /* definitions of one external name a reference may reach */
int pg_resolve(const tl_program *p, int unit, const char *usr, int *out, int max);
/* A call of a function of `unit` releases handle slot h; is h released in
 * the program of `unit` (a TU of no known program: anywhere)? */
void pg_slot_release(tl_program *p, hslot *h, int unit);
bool pg_slot_released(const tl_program *p, const hslot *h, int unit);
/* The one definition a query means (the first pg_resolve gives), or -1. */
int pg_fn(const tl_program *p, int unit, const char *usr);
/* Whether the descriptor slot `key` holds only non-blocking descriptors in
 * the program of `unit`. */
bool pg_fd_nonblocking(const tl_program *p, int unit, const char *key);
/* Blocking (program.c): is call i of node n reached only in a fork's child;
 * does it block by itself (r: 1 with its descriptor ready); a callee's guard
 * mask seen from call c (the caller's parameters passed on unchanged). */
bool pg_in_fork_child(const tl_program *p, const pnode *f, int i);
bool pg_call_blocks_directly(const tl_program *p, const pnode *n, int i, int r);
unsigned pg_guard_through(unsigned callee_mask, const tl_sum_call *c);
/* Does call c contradict, with its constant arguments, a callee's guards nz
 * and z (dataflow/param_guards.h)? (prog_blocking.c) */
bool pg_args_cut(const tl_sum_call *c, unsigned nz, unsigned z);
/* Fill every node's blocks[r], block_* and guards (prog_blocking.c). */
void pg_compute_blocking(tl_program *p, int r);
/* contexts.c: the contexts of functions stored into callback fields the
 * models describe, and those registrations and wrappers give (step 3). */
void pg_field_contexts(tl_program *p, tl_tu_summary *const *units, int nunits);
void pg_discover_contexts(tl_program *p);

/* exit_returns.c: which nodes' returns are the process's exit (needs the
 * edges and p->whole) */
void pg_compute_exit_returns(tl_program *p);
/* loop_callers.c: which nodes only ever run inside a caller's loop (needs
 * the edges, the registrations and p->whole) */
void pg_compute_looped(tl_program *p);
/* sinks.c: the arguments (bit j) registration r of node f hands over as
 * variables a sink the same function launched before serves */
unsigned pg_reg_served_args(const tl_program *p, int f, const tl_sum_reg *r);
/* The USRs of functions whose address is taken where no call shows (keys
 * "p:USR#*" among the descriptor stores), as a set; free it (program.c). */
void pg_address_taken(const tl_program *p, tl_str_map *out);
/* May node f run from a call the link does not see: nothing calls it, other
 * files may (not static, the program not whole), or its address is taken
 * (in `taken`, from pg_address_taken)?  (program.c) */
bool pg_unseen_callers(const tl_program *p, int f, const tl_str_map *taken);

/* The node owning a global param index (program.c). */
int pg_node_of_param(const tl_program *p, int gp);
/* Step 6 of the link: the derived models of functions and slots
 * (program_derive.c). */
void pg_derive_models(tl_program *p);
void pg_free_model(tl_fn_model *m);

#endif
