/* ir.h - the intermediate representation rules and dataflow read.
 *
 * The front end (analyzer/frontend/) lowers each function body of a
 * translation unit's main file into a control-flow graph of basic blocks.
 * A block holds a linear list of instructions (calls, assignments to
 * variables, stores into memory, declarations, returns) whose operands are
 * small expression trees.  Control flow inside expressions (&&, ||, ?:, GNU
 * statement expressions) is lowered into blocks, with synthetic temporaries
 * carrying the values.  Nothing in here refers to libclang: the IR is plain
 * data, so unit tests can build it by hand and rules never touch the AST.
 */
#ifndef TL_IR_H
#define TL_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A source location as the user spells it (macro expansion site). */
typedef struct {
    const char *file; /* interned; NULL when unknown */
    unsigned line, col;
    unsigned offset;  /* byte offset in file */
} tl_loc;

typedef enum {
    TL_VAR_LOCAL = 0, /* automatic local variable */
    TL_VAR_PARAM,     /* function parameter */
    TL_VAR_STATIC,    /* static local */
    TL_VAR_GLOBAL,    /* file-scope variable */
    TL_VAR_TEMP       /* synthetic temporary made by the lowering */
} tl_var_kind;

typedef struct {
    char *name;
    tl_var_kind kind;
    bool is_array;     /* declared with array type */
    bool is_record;    /* struct/union type */
    bool is_pointer;
    bool is_volatile;  /* volatile-qualified or _Atomic: a signal handler or another
                          thread may change it between two reads */
    bool is_funcptr;   /* a pointer to a function: a call handed it may run it */
    unsigned char int_bits; /* an integer type's width in bits (bool: 1); 0 for any other type, a temporary */
    uint32_t array_bytes; /* a constant-size array's size in bytes (`char buf[256]`: 256); 0 otherwise */
    bool internal;     /* TL_VAR_GLOBAL / TL_VAR_STATIC: internal linkage (a static of
                          this file, or a static local): no other TU names it */
    tl_loc decl_loc;
    char *usr;         /* TL_VAR_GLOBAL / TL_VAR_STATIC: clang USR (program-wide identity), or NULL */
} tl_var;

typedef enum {
    TL_E_CONST = 0, /* integer constant (literal, enum constant, folded macro) */
    TL_E_NULL,      /* null pointer constant */
    TL_E_STRING,    /* string literal */
    TL_E_VAR,       /* value of a variable */
    TL_E_FUNC,      /* function designator (callback / entry argument) */
    TL_E_CALLRES,   /* result of call instruction `call_id` */
    TL_E_ADDR,      /* &kid[0] */
    TL_E_DEREF,     /* *kid[0] */
    TL_E_MEMBER,    /* kid[0].name or kid[0]->name (arrow) */
    TL_E_INDEX,     /* kid[0][kid[1]] */
    TL_E_UNARY,     /* op kid[0]: op is one of "-", "~", "!", "+" */
    TL_E_BINARY,    /* kid[0] op kid[1]: "+", "-", "*", "/", "%", "<<", ">>",
                       "&", "|", "^", "==", "!=", "<", "<=", ">", ">=" */
    TL_E_CAST,      /* (type) kid[0]; value-preserving for our purposes */
    TL_E_OTHER      /* anything else; kids are the operands it reads */
} tl_expr_kind;

#define TL_STRING_TEXT_MAX 64

typedef struct tl_expr {
    tl_expr_kind kind;
    int64_t ival;        /* TL_E_CONST; TL_E_STRING: the literal's size in bytes with its
                            NUL (0 not known) */
    int var;             /* TL_E_VAR: index into tl_func.vars */
    int call_id;         /* TL_E_CALLRES */
    int func;            /* TL_E_FUNC: index into tl_tu.funcs, or -1 if not defined in TU */
    char *name;          /* TL_E_FUNC: function name; TL_E_MEMBER: field name;
                            TL_E_STRING: the literal's spelling with its quotes when
                            it may be a numeric address ("127.0.0.1", "::1": hex
                            digits, dots, colons) or is an absolute path
                            ("/proc/self/stat": printable, no escapes) or a name
                            ("req:resend-time": letters, digits, '-', '_', '.', ':'), at most
                            TL_STRING_TEXT_MAX bytes, else NULL */
    char *usr;           /* TL_E_FUNC: the function's USR; TL_E_MEMBER: the field's USR
                            (program-wide identity of "struct T.f"), or NULL */
    char op[4];          /* TL_E_UNARY / TL_E_BINARY; TL_E_OTHER: "++" / "--" for the value
                            a `v++`, `--v` assigns (otherwise empty) */
    bool arrow;          /* TL_E_MEMBER: -> */
    bool field_array;    /* TL_E_MEMBER: the field has an array type (c->fds decays to
                            a pointer to it) */
    bool field_system;   /* TL_E_MEMBER: the field is declared in a system header
                            (a library's struct: the library writes it too) */
    bool field_fnptr;    /* TL_E_MEMBER: the field is a pointer to a function */
    struct tl_expr **kids;
    int nkids;
} tl_expr;

/* e without the casts around it (a cast keeps the value for our purposes). */
static inline const tl_expr *tl_expr_uncast(const tl_expr *e) {
    while (e && e->kind == TL_E_CAST && e->nkids == 1) e = e->kids[0];
    return e;
}

typedef enum {
    TL_I_CALL = 0, /* a call (direct or indirect) */
    TL_I_ASSIGN,   /* var = value (also initialised declarations, ++, +=) */
    TL_I_STORE,    /* *target = value: target is an lvalue expr that is not a plain var */
    TL_I_DECL,     /* var comes into scope uninitialised (a new instance each time) */
    TL_I_RETURN,   /* return value (value may be NULL) */
    TL_I_USE       /* value is evaluated and discarded (expression statement
                      without a call at its top), or read otherwise */
} tl_instr_kind;

typedef struct {
    int id;              /* call id, unique in the function, in evaluation order */
    char *callee;        /* resolved callee name; NULL for indirect calls */
    char *callee_usr;    /* the direct callee's USR, or NULL */
    bool callee_system;  /* the callee is declared in a system header (libc...):
                            when not modelled, it does not take handles over */
    tl_expr *fn;         /* indirect calls: the callee expression (a field
                            `p->f`, a variable, a parameter...), else NULL */
    int callee_func;     /* index into tl_tu.funcs when defined in this TU, else -1 */
    tl_expr **args;
    int nargs;
    bool discarded;      /* result unused (full expression statement) */
    bool void_cast;      /* explicitly discarded with (void) */
    bool is_spawn_entry; /* the entry call inside a go()-style expansion: runs as a
                            new task, not as a synchronous call of this function */
    int spawn_call;      /* for an entry call: id of the spawning call, else -1 */
    bool in_macro;       /* spelled through a macro expansion */
    bool macro_project;  /* in_macro, and the call is spelled in a macro of the project (not in a
                            system header, nor in the header that declares the callee: a
                            library's own macro), so redis_fsync(fd) for fdatasync(fd) */
    char *text;          /* source text of the user's spelling (normalised whitespace) */
} tl_call;

typedef struct {
    tl_instr_kind kind;
    tl_loc loc;
    tl_call call;        /* TL_I_CALL */
    int var;             /* TL_I_ASSIGN, TL_I_DECL */
    tl_expr *target;     /* TL_I_STORE */
    tl_expr *value;      /* TL_I_ASSIGN, TL_I_STORE, TL_I_RETURN, TL_I_USE */
    int return_arm;      /* TL_I_RETURN: one side of `return c ? a : b;` (lowered as two
                            returns at the statement's place): the statement's number in
                            the function (1, 2, ...), shared by its sides; 0 none */
} tl_instr;

typedef enum {
    TL_T_GOTO = 0,  /* unconditional: succ[0] */
    TL_T_BRANCH,    /* cond true -> succ[0], false -> succ[1] */
    TL_T_SWITCH,    /* cond value == case_values[i] -> succ[i]; last succ is default */
    TL_T_EXIT,      /* to the function's exit (after a return or falling off the end) */
    TL_T_NORETURN   /* path ends in a noreturn call (exit, abort, longjmp) */
} tl_term_kind;

typedef struct {
    int id;
    tl_instr *instrs;
    int ninstrs, capinstrs;
    tl_term_kind term;
    tl_expr *cond;         /* TL_T_BRANCH / TL_T_SWITCH */
    int *succ;
    int nsucc;
    int64_t *case_values;  /* TL_T_SWITCH: nsucc-1 values */
    int *pred;
    int npred;
    tl_loc term_loc;       /* location of the return / closing brace / branch */
} tl_block;

/* A value the constant propagation found for a call argument, kept with the
 * IR so phase 2 of a whole-program run need not propagate again (the kinds
 * are analysis.h's tl_cval_kind). */
typedef struct {
    int64_t v;
    int via_var;
    unsigned char kind;
} tl_ir_value;

typedef struct {
    bool reached;
    int nargs;
    tl_ir_value *argv;
} tl_call_values;

typedef struct {
    char *name;
    char *usr;             /* clang USR: program-wide identity (static functions
                              carry their file in it), or NULL */
    bool in_header;        /* defined in a header the main file includes
                              (a project's static inline function) */
    bool returns_pointer;  /* its result type is a pointer */
    bool returns_bool;     /* its result type is bool (true: success, by C custom) */
    tl_loc loc;            /* the function's name in its definition */
    tl_loc end_loc;        /* closing brace */
    bool is_static;
    tl_var *vars;
    int nvars, capvars;
    int nparams;           /* params are vars[0..nparams) */
    tl_block *blocks;
    int nblocks, capblocks;
    int entry, exit;       /* block ids; exit has no instructions */
    int ncalls;            /* number of call ids */
    int opaque_deep_exprs; /* subexpressions past the front end's depth limit, not lowered */
    /* the constant propagation's results per call id (ncalls entries), kept
       by phase 1 for phase 2, or NULL */
    tl_call_values *call_values;
    bool values_incomplete; /* the propagation hit its budget */
} tl_func;

/* A sibling field's constant in the brace initializer that stores a
 * function (`{"fork", &test_fork, 0}`: is_helper = 0). */
typedef struct {
    char *field_usr;
    int64_t value;
} tl_field_const;

#define TL_STORE_CONSTS_MAX 8

/* A function's address stored into a struct field or a global function
 * pointer by a static initializer (`struct ops o = {.read = my_read}`,
 * command tables) or an assignment (`s->cb = on_read`). */
typedef struct {
    char *slot_usr;        /* the field's or the variable's USR */
    char *slot_name;       /* display: "ops.read", "handler" */
    char *fn_usr;          /* the stored function's USR */
    char *fn_name;
    tl_loc loc;
    /* a brace initializer's integer constants for the other fields of the
       same record (at most TL_STORE_CONSTS_MAX): the link matches them
       against the fields a call through the slot tested (field_guards.h) */
    tl_field_const consts[TL_STORE_CONSTS_MAX];
    int nconsts;
} tl_fn_store;

/* A function declared with annotate attributes that stand for roles
 * (model.h's TL_ROLE_* bits: `tasklint::async`, or a project's own string
 * mapped by the config's `annotations:`).  One per annotated function name
 * of the TU, its declarations in headers included (their roles merged). */
typedef struct {
    char *name;
    unsigned roles;        /* TL_ROLE_* of the function itself */
    uint64_t owns;         /* parameters (bit i: parameter i) annotated `owns` */
    bool returns_pointer;  /* its result type is a pointer */
    char *text;            /* the annotate string that made it async (messages), or NULL */
} tl_annot;

/* A definition of the main file that was not lowered because clang reported
 * an error inside it (frontend/error_spots.c); the driver says so. */
typedef struct {
    char *name;
    tl_loc loc;
} tl_error_func;

typedef struct {
    char *main_file;
    tl_annot *annots;      /* annotated functions, by name (see tl_annot) */
    int nannots, capannots;
    tl_error_func *error_funcs; /* in source order */
    int nerror_funcs;
    tl_fn_store *stores;   /* function addresses stored into fields/globals */
    int nstores, capstores;
    /* descriptor slots given a value by an initializer rather than a store
       (`static int fd = 2;`, `struct conn c = {.fd = s}`): "g:USR" of a
       global or static, "f:USR" of a field; a constant <= 0 is none (no
       descriptor yet, fdstate_slots.c).  internal: a static of the TU */
    char **init_slots;
    bool *init_slots_internal;
    int ninit_slots, capinit_slots;
    int nskipped_funcs;    /* definitions the front end could not lower (shown with -v) */
    tl_func *funcs;
    int nfuncs, capfuncs;
    /* string interning for file names and names lives with the TU */
    char **strings;
    size_t nstrings, capstrings;
} tl_tu;

/* ---- construction helpers (used by the front end and by unit tests) ---- */
tl_expr *tl_expr_new(tl_expr_kind kind);
tl_expr *tl_expr_const(int64_t v);
tl_expr *tl_expr_var(int var);
tl_expr *tl_expr_callres(int call_id);
tl_expr *tl_expr_func(const char *name, int func);
tl_expr *tl_expr_unary(const char *op, tl_expr *kid);
tl_expr *tl_expr_binary(const char *op, tl_expr *l, tl_expr *r);
void tl_expr_add_kid(tl_expr *e, tl_expr *kid);
tl_expr *tl_expr_clone(const tl_expr *e);
void tl_expr_free(tl_expr *e);

int tl_func_add_var(tl_func *f, const char *name, tl_var_kind kind);
int tl_func_add_block(tl_func *f);
tl_instr *tl_block_add_instr(tl_block *b, tl_instr_kind kind);
void tl_block_add_succ(tl_func *f, int from, int to);
/* After all edges exist: fill pred lists. */
void tl_func_finish(tl_func *f);
void tl_func_free(tl_func *f);
tl_func *tl_tu_add_func(tl_tu *tu, const char *name);
/* Add a store; consts (nconsts entries, may be NULL) are copied. */
void tl_tu_add_store(tl_tu *tu, const char *slot_usr, const char *slot_name,
                     const char *fn_usr, const char *fn_name, tl_loc loc,
                     const tl_field_const *consts, int nconsts);
/* Copy consts into s (at most TL_STORE_CONSTS_MAX); free them. */
void tl_fn_store_set_consts(tl_fn_store *s, const tl_field_const *consts, int nconsts);
void tl_fn_store_free_consts(tl_fn_store *s);
const char *tl_tu_intern(tl_tu *tu, const char *s);
/* Note an initializer of descriptor slot `key` (see tl_tu.init_slots). */
void tl_tu_add_init_slot(tl_tu *tu, const char *key, bool internal);
/* Adds an annotation entry for function `name` (zeroed roles; one per name:
 * the caller merges a name's declarations). */
tl_annot *tl_tu_add_annot(tl_tu *tu, const char *name);
void tl_tu_free(tl_tu *tu);

/* Lookup: the call instruction with a given id (NULL if none). */
const tl_instr *tl_func_find_call(const tl_func *f, int call_id);
/* Root variable of an lvalue-ish expression: x, &x, x.f, &x[i], (cast)x -> x.
 * Through -> and * returns -1 (the memory is not the variable's).  `through_addr`
 * says whether an & was crossed. */
int tl_expr_root_var(const tl_expr *e, bool *through_addr);
/* Mark in taken[] (f->nvars entries, zeroed by the caller) the variables whose
 * address some instruction, argument or branch condition of f takes (`&v`,
 * `&v.f`, `&v[i]`): what a call or a store through a pointer may then write. */
void tl_func_addr_taken(const tl_func *f, unsigned char *taken);
/* Per variable of f (a new array of f->nvars entries at least: free() it):
 * the value of its only assignment (TL_I_ASSIGN, cast stripped), or NULL
 * when it has none or several.  Whether its address is taken is the
 * caller's to check (tl_func_addr_taken). */
const tl_expr **tl_func_single_defs(const tl_func *f);
/* The same, but an argument read_only(ctx, call, index) says the callee only
 * reads through (a `const` buffer a model names) takes no address. */
void tl_func_addr_taken_except(const tl_func *f, unsigned char *taken,
                               bool (*read_only)(void *ctx, const tl_call *call, int arg), void *ctx);
/* Per call id (ncalls entries, a new array: free() it): is the call's
 * result returned at once - `return f(...);`, or `r = f(...); return r;`
 * (reads of variables in between aside)?  What the callee returns, the
 * caller then does (summary's result_returned, rules/fork_child.c). */
bool *tl_func_results_returned(const tl_func *f, int ncalls);
/* Does e read variable v anywhere (not under a call result)? */
bool tl_expr_mentions_var(const tl_expr *e, int v);
/* Set seen[v] for every variable v (< nvars) e reads or takes the address of. */
void tl_expr_mark_vars(const tl_expr *e, bool *seen, int nvars);

/* The name the user spelled for a call: the identifier its source text starts
 * with ("chrecv" for dill_chrecv, "go" for a go() expansion), else the callee
 * name, else "<indirect call>".  Writes into buf and returns it. */
const char *tl_call_user_name(const tl_call *c, char *buf, size_t size);
/* Where the text t[0..n) spells `callee` as a call: the first `name(` whose
 * name is the callee or a macro alias of it ending the callee's name after
 * an underscore, trailing underscores of the callee aside
 * (assert(chrecv(...) == 0) -> "chrecv" for dill_chrecv, "chr" for
 * mill_chr_).  False when it does not (a go() expansion). */
bool tl_text_find_callee(const char *t, size_t n, const char *callee, size_t *start, size_t *len);
/* The same in a call's own text, for a call spelled through a macro. */
bool tl_call_spelled_callee(const tl_call *c, size_t *start, size_t *len);

/* Debug/test dump of a function's CFG in a stable text form. */
char *tl_func_dump(const tl_func *f);

#endif
