/* field_guards.h - which fields of a table entry a call through it has tested.
 *
 *     for (t = TASKS; t->main; t++)
 *         if (t->is_helper && strcmp(name, t->name) == 0)
 *             return t->main();        // only entries whose is_helper is set
 *
 * A test runner, a command table or a plugin list calls through a
 * function-pointer field of an entry after testing the entry's other
 * fields.  For each call through a field of an object a local or parameter
 * names (`t->main()`, `cmd.proc()`), this module finds the other fields of
 * the same variable tested on every path to the call: `t->flag` (non-zero),
 * `!t->flag` (zero), `t->flags & MASK` (some bit of MASK set) and their
 * `== 0` / `!= 0` spellings.  A write to the variable or to that field
 * (through any object) ends the fact; calls do not (tables are data the
 * program does not rewrite while it dispatches).
 *
 * The link (program.c) drops the call's edges to functions that brace
 * initializers store only with a constant in that field contradicting the
 * test ({"name", &fn, 0} under `t->is_helper`) - unless some function of
 * the program assigns that field (the summaries' assigned_fields).
 *
 * A forward "must" dataflow over the function's blocks, bit vectors of at
 * most TL_FG_MAX_FACTS facts, reverse post-order sweeps: linear in the
 * function's size.  A function with no call through a field of a variable
 * costs one scan.
 */
#ifndef TL_FIELD_GUARDS_H
#define TL_FIELD_GUARDS_H

#include <stdbool.h>
#include <stdint.h>

#include "../ir/ir.h"

#define TL_FG_MAX_FACTS 64
#define TL_FG_MAX_SWEEPS 16
#define TL_FIELD_GUARDS_MAX 4

/* On every path to the call, (entry.field & mask) was non-zero (nonzero)
 * or zero (!nonzero).  field_usr points into the IR. */
typedef struct {
    const char *field_usr;
    int64_t mask;
    bool nonzero;
} tl_field_guard;

/* For each call id of f (f->ncalls entries of out and nout): the guards of
 * a call through a field of a variable, at most TL_FIELD_GUARDS_MAX; nout
 * is 0 for other calls and for calls no path reaches. */
void tl_field_guards(const tl_func *f, tl_field_guard (*out)[TL_FIELD_GUARDS_MAX], int *nout);

/* Does a constant `value` of the guarded field contradict guard g? */
static inline bool tl_field_guard_contradicts(const tl_field_guard *g, int64_t value) {
    return g->nonzero ? (value & g->mask) == 0 : (value & g->mask) != 0;
}

#endif
