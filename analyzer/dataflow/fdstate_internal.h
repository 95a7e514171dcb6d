/* fdstate_internal.h - what the two halves of the descriptor-state
 * analysis share: fdstate.c (the dataflow: states, transfer, lattice) and
 * fdstate_expr.c (reading expressions, model conditions, branch conditions,
 * the file-wide pass over globals).  Not for other modules: see fdstate.h.
 */
#ifndef TL_FDSTATE_INTERNAL_H
#define TL_FDSTATE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/str_map.h"
#include "analysis.h"
#include "dataflow.h"
#include "fdstate.h"
#include "liveness.h"

typedef struct {
    int key;       /* < nvars: a variable; else nvars + slot */
    unsigned bits; /* TL_FDS_* of a variable or a descriptor slot (c->fd, fds[0]) */
    bool has_val;  /* slot: holds the constant val */
    int64_t val;
    int src_var;   /* slot: holds the value of this variable, -1 none */
    int wait_call; /* variable: READY comes from this readiness wait, -1 none */
    int src_call;  /* variable: holds the result of this readiness wait, -1 none */
    unsigned char hbit; /* variable: FDS_HB_* of the hypothesis bit (fdstate_effects.c), 0 not known */
    int flags_of;  /* variable: holds the status flags of descriptor key flags_of - 1 (fd_flags:
                      fcntl(fd, F_GETFL)), 0 none */
    int via;       /* not known non-blocking here, but it is if the pseudo-slot
                      c->vias[via - 1] holds: a program function of another file,
                      unknown before the link, was handed it (set_nb(fd): "m:F#k",
                      fdstate_later.c); 0 none */
} fact;

/* The value of one bit (a flag such as O_NONBLOCK) in an integer, under a
 * hypothesis about the bits of the parameters (fdstate_effects.c). */
enum { FDS_HB_UNKNOWN = 0, FDS_HB_ZERO = 1, FDS_HB_ONE = 2 };

typedef struct {
    bool top;
    fact *e;
    int n;
} fd_state;

/* Values in the map of tl_fdstate_collect_globals. */
enum { G_NONBLOCKING = 1, G_OTHER = 2 };

/* fdstate_later.c: a store held back until the end of the function, and a
 * call that left a variable or slot non-blocking (state keys; positions in
 * the replay: block, instruction index). */
typedef struct {
    const tl_expr *target; /* the IR's, or NULL: a variable, var_target */
    tl_expr var_target;    /* (a store into a variable names it in a temporary) */
    int key, value_var;
    int block, index;
    char *copy_of; /* the value is a copy of this pseudo-slot (malloc'd), or NULL: not known */
} fds_deferred;

typedef struct {
    int key;
    int block, index;
    const char *fn_usr; /* a program function of another file that may leave its
                           argument `arg` non-blocking (resolved at link), or NULL */
    int arg;
} fds_nb_set;

/* fdstate_later.c: a direct call of a program function handed a struct
 * (argument `arg`: the pointer variable `var`, or `&var`), where this
 * function may make a field of it non-blocking after the callee stored a
 * descriptor there. */
typedef struct {
    const char *fn_usr;
    int arg, var;
    bool arrow; /* var points to the struct (`c`), else the struct itself (`&s`) */
    bool is_static;
    int block, index;
    unsigned line, col; /* the call's, as the summaries have it */
} fds_site;

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    bool readiness;
    int ready_param, ready_param2; /* parameters ready on entry, -1 none */
    const char *ready_field;   /* the field of a ready handle holding its descriptor (w->fd), or NULL */
    const unsigned *func_returns; /* per function of the TU: state its result carries, or NULL */
    int f_count;               /* entries of func_returns (and func_params_nb) */
    const unsigned *func_params_nb; /* per function of the TU: parameters it leaves
                                       non-blocking, or NULL */
    bool params_exited;        /* a return that is not a negative constant was seen ... */
    unsigned params_nb;        /* ... and the scalar parameters non-blocking at all of them */
    bool returned;             /* a reached return with a value was recorded ... */
    unsigned return_bits;      /* ... and the bits all of them carry */
    const tl_fd_returns_if *func_returns_if; /* per function of the TU: its results under
                                                 flag hypotheses, or NULL */
    const tl_fd_params_if *func_params_if; /* per function of the TU: its params_if, or NULL */
    const unsigned char *nz_param; /* per parameter: FDS_HB_ONE not 0, FDS_HB_ZERO 0, under a
                                      non-zero hypothesis (never assigned ones), or NULL */
    unsigned assigned;        /* fds_assigned_params of f (non-zero hypotheses) */
    int64_t flags_mask;       /* the mask of the first fd_flags call of f, 0 none */
    bool mirrors;             /* some variable got a flags_of */
    const tl_str_map *watched; /* field USRs registered for readiness, or NULL */
    const tl_str_map *global_nb; /* globals (and elements): G_* bits file-wide, or NULL */
    int nvars;
    tl_str_map slots; /* "var:field" -> slot */
    int *slot_var;    /* slot -> its struct variable (or pointer to it) */
    const char **slot_usr; /* slot -> the USR of its field (the IR's), NULL none or an element */
    bool *slot_arrow; /* slot -> reached through the pointer (p->f) */
    bool *has_slots;  /* per variable: some slot belongs to it */
    bool *is_src;     /* per variable: some slot may hold its value */
    bool nonlocal_facts; /* a fact about a global or static was ever made */
    tl_liveness live;     /* facts flow only into blocks where their variable is live */
    int nslots, capslots;
    unsigned *result_bits; /* per call id: bits its result carries (fd_state result) */
    tl_slot_stores *stores;    /* stores into global slots are recorded here, or NULL */
    const struct tl_program *program; /* program-wide slot facts, or NULL */
    /* fdstate_slots.c, filled on first use: per variable, how many
       assignments it has (address taken: many) and the value of the last */
    int *var_assigns;
    const tl_expr **var_value;
    long work, budget;
    /* effect summaries (fdstate_effects.c): the slots of these parameters
       stay in the state everywhere (pinned, per variable, or NULL); at each
       exit that is no `return -1`, the element slots of them known
       non-blocking are intersected into eff_slots */
    bool *pinned;
    int *slot_elem;          /* slot -> its constant index (fds[1]: 1), -1 a field */
    bool eff_exited;         /* an exit was seen */
    int *eff_slots, neff;
    int64_t hyp_mask;        /* the hypothesis bit, 0 none */
    const unsigned char *hyp_param; /* per parameter: its FDS_HB_* under the hypothesis */
    bool reading_cond;       /* fdstate_slots.c: escapes of a branch condition */
    bool hyp_replay;         /* replaying the exits of a hypothesis run: ... */
    bool hyp_returned;       /* ... a return with a value (no negative constant) seen, */
    unsigned hyp_return_bits; /* ... and the bits all of them carry */
    int alias_scans;         /* fdstate_slots.c: read_only_alias scans of f so far (bounded) */
    int rec_block, rec_index; /* the main replay's position (-1: not replaying) */
    fds_deferred *deferred;  /* fdstate_later.c */
    int ndeferred, capdeferred;
    fds_nb_set *nb_sets;
    int nnb_sets, capnb_sets;
    fds_site *sites;
    int nsites, capsites;
    char *const *func_returns_via; /* per function of the TU: its returns_via, or NULL */
    int *result_via;         /* per call id: the via its result carries, 0 none */
    char **vias;             /* the pseudo-slots facts' via name (fdstate_later.c) */
    int nvias, capvias;
    bool return_via_ok;      /* every return seen gives a non-blocking descriptor or ... */
    int return_via;          /* ... one non-blocking if this via holds (0: none needed) */
} fd_ctx;

#define FDS_NOT_BLOCKING (TL_FDS_NONBLOCKING | TL_FDS_READY | TL_FDS_IMMEDIATE)
#define FDS_ANY (TL_FDS_NONBLOCKING | TL_FDS_READY | TL_FDS_DERIVED)

/* For the driver (fdstate_run.c): the lattice of the dataflow and a
 * state's life (fdstate_lattice.c), one instruction's transfer (fdstate.c;
 * record: fill the call's facts). */
extern const struct tl_dataflow_ops fds_ops;
void fds_state_bottom(fd_ctx *c, fd_state *s);
void fds_state_copy(fd_ctx *c, fd_state *dst, const fd_state *src);
void fds_state_destroy(fd_ctx *c, fd_state *s);
void fds_apply(fd_ctx *c, fd_state *s, const tl_instr *in, bool record);

/* `v.field` or `v->field`: the variable, field name in *field, -1 if not */
int fds_member_var(const tl_expr *e, const char **field, bool *arrow);
int fds_addr_var(const tl_expr *e);   /* `&v` -> v, else -1 */
int fds_plain_var(const tl_expr *e);  /* `v` -> v, else -1 */
/* Bits certainly set in e (`flags | O_NONBLOCK`), or the whole constant */
int64_t fds_known_set_bits(const tl_expr *e, const tl_cval *whole);
const tl_cval *fds_argv_of(const tl_call_facts *cf, int a);
const tl_expr *fds_arg_of(const tl_call_facts *cf, int a);
/* Does cf's fd_state facet apply (value_ok) with its flag set (flag_ok)? */
void fds_state_conditions(const tl_call_facts *cf, bool *value_ok, bool *flag_ok);
/* "USR" or "USR[k]" of a global or static descriptor expression */
bool fds_global_key(const tl_func *f, const tl_expr *e, char *buf, size_t size);
/* A branch condition's value when wait `id` (or variable r holding its
 * result) returned failv; false when it cannot be told */
bool fds_eval_failed(const tl_expr *e, int id, int r, int64_t failv, int64_t *out);
/* The first call result or variable a condition reads */
void fds_cond_operand(const tl_expr *e, int *call_id, int *var);
/* fdstate.c: the state of a descriptor expression in s */
unsigned fds_value_bits(fd_ctx *c, fd_state *s, const tl_expr *e);
/* fdstate.c: the via of a descriptor expression in s (fact.via), 0 none */
int fds_value_via(fd_ctx *c, fd_state *s, const tl_expr *e);
/* fdstate_slots.c: "g:USR" of a global or static (or an element of one) */
bool fds_slot_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static);
/* fdstate_slots.c: "KEY[k]" / "KEY[*]" of an array slot's element (false for
 * a scalar), and the key a read asks about (the element's at a constant index) */
bool fds_slot_part_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static);
bool fds_slot_read_key(const tl_func *f, const tl_expr *e, char *buf, size_t size, bool *is_static);
/* Record what instruction `in` stores into slots (state s before it, or
 * nothing known with s NULL); the escapes of an expression (a branch
 * condition); every instruction of c->f with nothing known. */
void fds_record_slots(fd_ctx *c, fd_state *s, const tl_instr *in);
void fds_record_slot_escapes(fd_ctx *c, const tl_expr *e);
void fds_record_slots_unknown(fd_ctx *c);
/* fdstate_slots.c, for fdstate_pointers.c: a store of kind k into the slot
 * of e (merged and element keys); the escapes of e; per variable, its
 * assignments and last value (c->var_assigns, c->var_value). */
void fds_add_store(fd_ctx *c, const tl_expr *e, tl_slot_store_kind k, const char *src);
void fds_escapes(fd_ctx *c, const tl_expr *e, bool indexed);
void fds_scan_vars(fd_ctx *c);
/* fdstate.c: the state key of a descriptor expression (a variable, or a
 * slot: added when add), -1 if none */
int fds_desc_key(fd_ctx *c, const tl_expr *e, bool add);
/* fdstate_later.c: hold back a store of a value not known non-blocking into
 * the slot target (true when held); note that a call left the variable or
 * slot `key` non-blocking; record the held stores at the function's end */
bool fds_defer_store(fd_ctx *c, const tl_expr *target, const tl_expr *value, const char *copy_of);
/* fdstate_later.c: whether `target` is a field of what a parameter points
 * to (a store a caller may settle later) */
bool fds_settle_target(fd_ctx *c, const tl_expr *target);
void fds_note_nonblocking(fd_ctx *c, int key);
/* ... or a call of a program function of another file, fn_usr, that may
 * leave its argument arg (the variable or slot `key`) non-blocking */
void fds_note_maybe_nonblocking(fd_ctx *c, int key, const char *fn_usr, int arg);
void fds_resolve_deferred(fd_ctx *c);
/* fdstate_sites.c: note a call that may hand a struct to a program function
 * storing a descriptor into it (main replay only); at the function's end,
 * record the fields each such call site settles (the store list) */
void fds_note_call_site(fd_ctx *c, const tl_instr *in, const tl_call_facts *cf);
void fds_record_sites(fd_ctx *c);
/* fdstate_later.c: a local (or parameter) that names one value between two
 * points; a return the caller treats as a failure (`return -1;`, NULL) */
bool fds_assigned_once(fd_ctx *c, int v);
bool fds_error_exit(const tl_block *b);
/* fdstate_later.c: the via index (1-based) of pseudo-slot "m:fn_usr#arg",
 * interned per function; 0 when the name is too long */
int fds_via_of(fd_ctx *c, const char *fn_usr, int arg);
int fds_via_named(fd_ctx *c, const char *name);
/* fdstate_later.c: a value's kind from its via: true with src filled */
bool fds_via_src(const fd_ctx *c, int via, char *src, size_t size);
void fds_vias_free(fd_ctx *c);
/* fdstate_slots.c: the pseudo-slot ("p:F#N", "r:F") naming the value of v
 * (a parameter never assigned, a result kept in a local assigned once) */
bool fds_value_pseudo_slot(fd_ctx *c, const tl_expr *v, char *buf, size_t size);
/* fdstate_later.c: the via of a descriptor with the pseudo-slot origin
 * `origin` handed to F at k: "non-blocking if the origin is, or F makes it
 * so" - an either node of the link (fd_slots.c) */
int fds_via_either(fd_ctx *c, const char *origin, const char *fn_usr, int arg);
/* fdstate_later.c: the via of a descriptor with via `via` handed to F at k:
 * "non-blocking if via holds and F keeps its mode" ("k:F#k"), a node of
 * the link holding when both do; 0 when it cannot be named */
int fds_via_both(fd_ctx *c, int via, const char *fn_usr, int arg);
/* fdstate_pointers.c: is `*p` (p the function's pointer parameter N, or a
 * local copy of it) known non-blocking program-wide ("d:F#N")? */
bool fds_data_read_nonblocking(fd_ctx *c, const tl_expr *e);
/* fdstate_pointers.c: in a readiness callback, does this call of a field
 * accessor give the registered descriptor (arg_bits: the state bits its
 * argument's struct mentions)? */
bool fds_accessor_ready(fd_ctx *c, const tl_call *call, unsigned arg_bits);
/* fdstate_pointers.c: argument a of a call that is a callback or the data
 * of a registration, or a pointer a program function gets (recorded; true
 * when it replaces the argument's escape); a local assigned a pointer to a
 * slot it only reads through (true: recorded, no escape); what f's own
 * analysis tells others ("w:F#N", "a:F"). */
bool fds_data_call_arg(fd_ctx *c, const tl_call *call, const tl_call_facts *cf, int a);
bool fds_read_only_alias(fd_ctx *c, const tl_instr *in);
void fds_record_pointer_facts(fd_ctx *c);
/* fdstate.c: the hypothesis bit of variable v in s */
unsigned fds_var_hbit(fd_state *s, int v);
/* fdstate_effects.c: the hypothesis bit of e (FDS_HB_*), and the truth of a
 * branch condition under it (-1 not known, 0 false, 1 true) */
unsigned fds_hbit(fd_ctx *c, fd_state *s, const tl_expr *e);
bool fds_hbit_var_ok(const fd_ctx *c, int v); /* v is an integer wide enough to hold the bit */
int fds_truth(fd_ctx *c, fd_state *s, const tl_expr *e);
/* fdstate_effects.c: which parameters of f may carry an effect summary
 * (pointer or array parameters that never escape; c->pinned, NULL when
 * none), and which integer parameters and flag bits hypotheses range over */
typedef struct {
    int iparams[3], niparams;
    int64_t masks[2];
    int nmasks;
    bool returns; /* the results under the hypotheses are wanted (returns_if) */
    bool nz;      /* a branch tests an integer parameter for truth (`if (on)`) */
} fds_effect_plan;
bool fds_effects_plan(fd_ctx *c, fds_effect_plan *plan);
/* The bit the main run follows through integer variables (`flags |=
 * O_NONBLOCK; fcntl(fd, F_SETFL, flags)`): of the first if_flag mask of an
 * fd_state call of c->f that makes a descriptor non-blocking, 0 none. */
int64_t fds_flag_mask(const fd_ctx *c);
/* The bits the result of call cf (to a function of the TU whose results
 * under hypotheses are r) carries: non-blocking when, for one mask, every
 * assignment of the bit its arguments may have (constants, or the caller's
 * own hypothesis) gives a non-blocking result. */
unsigned fds_returns_if_bits(fd_ctx *c, fd_state *s, const tl_call_facts *cf, const tl_fd_returns_if *r);
/* The parameters call cf (to a function of the TU with params_if q) leaves
 * non-blocking: those every assignment its arguments allow gives. */
unsigned fds_params_if_bits(fd_ctx *c, const tl_call_facts *cf, const tl_fd_params_if *q);
/* Record the effects found (c->eff_slots): "n:USR#P[k]" with condition
 * `cond` ("*": always); skip[] marks slots already recorded always. */
void fds_effects_record(fd_ctx *c, const char *cond, bool *recorded, int nrecorded);
/* What f returns, for callers in other files ("r:USR"); frees what the
 * recording kept. */
void fds_record_slots_done(fd_ctx *c, bool returns_nonblocking);
/* `-1`: an error return (fdstate.c); the state bits of variable v. */
bool fds_negative_const(const tl_expr *e);
unsigned fds_bits_of(fd_state *s, int v);
/* At an exit block b with state s (fdstate_effects.c): the element slots of
 * pinned parameters non-blocking at every exit (eff_slots), and the scalar
 * parameters non-blocking at every exit (params_nb); returns of a negative
 * constant (errors) aside. */
void fds_effects_at_exit(fd_ctx *c, fd_state *s, const tl_block *b);
void fds_params_at_exit(fd_ctx *c, fd_state *s, const tl_block *b);
/* Scalar parameters (below 32) f assigns or takes the address of, and those
 * it hands to a call that changes a descriptor's mode (fdstate_effects.c). */
unsigned fds_assigned_params(const tl_func *f);
unsigned fds_moded_params(const tl_func *f, const tl_func_facts *ff);

/* fdstate_lattice.c: the forward dataflow of c->f with c's settings, and a replay
 * of its reached exit blocks (record off) handing each end state to at_exit. */
int fds_forward(fd_ctx *c, tl_dataflow_result *res);
void fds_replay_exits(fd_ctx *c, const tl_dataflow_result *res, void (*at_exit)(fd_ctx *, fd_state *, const tl_block *));
/* fdstate_hyp.c: does any call of f have a facet this analysis serves (or a
 * callee with a summary it reads); the hypothesis runs (see there). */
bool fds_relevant(const tl_func *f, const tl_func_facts *ff, const tl_fdstate_env *env);
void fds_run_hypotheses(fd_ctx *c, const fds_effect_plan *plan);
void fds_run_nz_hypotheses(fd_ctx *c, const fds_effect_plan *plan);

/* fdstate.c: the fact of key in s (or NULL); set the bits of a key. */
fact *fds_find(fd_state *s, int key);
void fds_set_bits(fd_ctx *c, fd_state *s, int v, unsigned bits);
/* Variable v (just assigned, its facts forgotten) holds the hypothesis bit hb. */
void fds_set_hbit(fd_ctx *c, fd_state *s, int v, unsigned hb);
/* fdstate_expr.c: on edge succ of b, a variable the branch finds negative
 * holds no descriptor; a descriptor whose status flags the branch shows
 * non-blocking (fd_flags) is non-blocking. */
void fds_refine_negative(fd_ctx *c, fd_state *s, const tl_block *b, int succ);
void fds_refine_flags(fd_ctx *c, fd_state *s, const tl_block *b, int succ);

#endif
