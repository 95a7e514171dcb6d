/* ir_wire.c - encoding and decoding a lowered TU (see ir_wire.h).
 * Decoding checks every index against what it decoded, so a damaged frame
 * is refused instead of leaving an IR that indexes out of bounds. */
#include "ir_wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strmap.h"
#include "../util/xalloc.h"

enum { REC_TU = 1, REC_FUNC = 2, REC_VAR = 3, REC_BLOCK = 4, REC_STORE = 5, REC_VALUES = 6, REC_ANNOT = 7,
       REC_INIT_SLOT = 8 };

#define MAX_ITEMS (1u << 24)

/* ---- numbers ----
 * Every integer of the frame is variable-length (wire version 5:
 * tl_wire_put_varu, signed ones zigzagged): most are small (-1 for "none",
 * kinds, counts, indices, lines), and a fixed 4 or 8 bytes each made the
 * frames of a large TU megabytes that were written, summed, copied and read
 * again.
 *
 * ---- strings ----
 * Every string of the frame is a reference (wire version 4): a number that
 * is SREF_NULL for NULL, SREF_NEW followed by the string itself (a wire
 * string, which becomes the next entry of the frame's table), or
 * SREF_FIRST + the index of an entry defined earlier in the frame.  A TU
 * names the same few files, callees, USRs and variables thousands of times:
 * each is written, hashed by the checksums and copied out of the frame
 * once. */
#define SREF_NULL 0u
#define SREF_NEW 1u
#define SREF_FIRST 2u

/* ---- encoding ---- */

typedef struct {
    tl_wire_writer *w;
    tl_strmap strings; /* a string -> its index in the table (keys borrowed from the IR) */
    size_t nstrings;
    /* locations name files by the TU's interned strings (tl_tu_intern): the
       last one's index, known without hashing it again */
    const char *last_file;
    size_t last_file_index;
} encoder;

static void put_i32(tl_wire_writer *w, int v) {
    tl_wire_put_vari(w, v);
}

/* Writes a reference to s; its index in the table (SIZE_MAX for NULL). */
static size_t put_sref(encoder *e, const char *s) {
    if (!s) {
        tl_wire_put_varu(e->w, SREF_NULL);
        return SIZE_MAX;
    }
    size_t idx = 0;
    int added = tl_strmap_insert(&e->strings, s, e->nstrings, &idx);
    if (added == 0) {
        tl_wire_put_varu(e->w, SREF_FIRST + (uint64_t)idx);
        return idx;
    }
    /* new (or not remembered, out of memory): the reader numbers it all the same */
    tl_wire_put_varu(e->w, SREF_NEW);
    tl_wire_put_str(e->w, s);
    return e->nstrings++;
}

static void put_loc(encoder *e, tl_loc l) {
    if (l.file && l.file == e->last_file) {
        tl_wire_put_varu(e->w, SREF_FIRST + (uint64_t)e->last_file_index);
    } else {
        size_t idx = put_sref(e, l.file);
        if (l.file) {
            e->last_file = l.file;
            e->last_file_index = idx;
        }
    }
    tl_wire_put_varu(e->w, l.line);
    tl_wire_put_varu(e->w, l.col);
    tl_wire_put_varu(e->w, l.offset);
}

/* false when the tree is deeper than the format carries */
static bool put_expr(encoder *en, const tl_expr *e, int depth) {
    tl_wire_writer *w = en->w;
    if (!e) {
        tl_wire_put_u8(w, 0);
        return true;
    }
    if (depth > TL_IR_WIRE_MAX_DEPTH) return false;
    tl_wire_put_u8(w, 1);
    tl_wire_put_u8(w, (uint8_t)e->kind);
    tl_wire_put_vari(w, (int64_t)e->ival);
    put_i32(w, e->var);
    put_i32(w, e->call_id);
    put_i32(w, e->func);
    put_sref(en, e->name);
    put_sref(en, e->usr);
    put_sref(en, e->op);
    /* wire version 3: the arrow byte also carries the member's field flags */
    tl_wire_put_u8(w, (uint8_t)(e->arrow | e->field_array << 1 | e->field_system << 2 | e->field_fnptr << 3));
    tl_wire_put_varu(w, (uint32_t)e->nkids);
    for (int i = 0; i < e->nkids; i++)
        if (!put_expr(en, e->kids[i], depth + 1)) return false;
    return true;
}

static bool put_block(encoder *en, const tl_block *b) {
    tl_wire_writer *w = en->w;
    bool ok = true;
    tl_wire_begin_record(w, REC_BLOCK);
    tl_wire_put_u8(w, (uint8_t)b->term);
    put_loc(en, b->term_loc);
    ok &= put_expr(en, b->cond, 0);
    tl_wire_put_varu(w, (uint32_t)b->nsucc);
    for (int s = 0; s < b->nsucc; s++) put_i32(w, b->succ[s]);
    int ncase = b->term == TL_T_SWITCH && b->nsucc > 0 ? b->nsucc - 1 : 0;
    for (int s = 0; s < ncase; s++) tl_wire_put_vari(w, (int64_t)b->case_values[s]);
    tl_wire_put_varu(w, (uint32_t)b->ninstrs);
    for (int i = 0; i < b->ninstrs && ok; i++) {
        const tl_instr *in = &b->instrs[i];
        tl_wire_put_u8(w, (uint8_t)in->kind);
        put_loc(en, in->loc);
        put_i32(w, in->var);
        ok &= put_expr(en, in->target, 0);
        ok &= put_expr(en, in->value, 0);
        if (in->kind == TL_I_RETURN) tl_wire_put_varu(w, (uint32_t)(in->return_arm > 0 ? in->return_arm : 0));
        if (in->kind != TL_I_CALL) continue;
        const tl_call *c = &in->call;
        put_i32(w, c->id);
        put_sref(en, c->callee);
        put_sref(en, c->callee_usr);
        put_i32(w, c->callee_func);
        tl_wire_put_u8(w, (uint8_t)(c->callee_system | c->discarded << 1 | c->void_cast << 2 |
                                    c->is_spawn_entry << 3 | c->in_macro << 4 |
                                    c->macro_project << 5));
        put_i32(w, c->spawn_call);
        put_sref(en, c->text);
        ok &= put_expr(en, c->fn, 0);
        tl_wire_put_varu(w, (uint32_t)c->nargs);
        for (int a = 0; a < c->nargs && ok; a++) ok &= put_expr(en, c->args[a], 0);
    }
    tl_wire_end_record(w);
    return ok;
}

int tl_ir_wire_encode(tl_wire_writer *w, const tl_tu *tu) {
    size_t start = w->len;
    bool ok = true;
    encoder en = {.w = w};
    tl_strmap_init(&en.strings);
    tl_wire_begin_frame(w, TL_WIRE_KIND_IR);
    tl_wire_begin_record(w, REC_TU);
    put_sref(&en, tu->main_file);
    put_i32(w, tu->nskipped_funcs);
    tl_wire_put_varu(w, (uint32_t)tu->nfuncs);
    tl_wire_end_record(w);
    for (int fi = 0; fi < tu->nfuncs && ok; fi++) {
        const tl_func *f = &tu->funcs[fi];
        tl_wire_begin_record(w, REC_FUNC);
        put_sref(&en, f->name);
        put_sref(&en, f->usr);
        tl_wire_put_u8(w, (uint8_t)(f->is_static | f->in_header << 1 | f->returns_pointer << 2 |
                                  f->returns_bool << 3));
        put_loc(&en, f->loc);
        put_loc(&en, f->end_loc);
        put_i32(w, f->nparams);
        put_i32(w, f->entry);
        put_i32(w, f->exit);
        put_i32(w, f->ncalls);
        tl_wire_put_varu(w, (uint32_t)f->nvars);
        tl_wire_put_varu(w, (uint32_t)f->nblocks);
        put_i32(w, f->opaque_deep_exprs); /* appended: older readers skip it */
        tl_wire_end_record(w);
        for (int v = 0; v < f->nvars; v++) {
            const tl_var *var = &f->vars[v];
            tl_wire_begin_record(w, REC_VAR);
            put_sref(&en, var->name);
            tl_wire_put_u8(w, (uint8_t)var->kind);
            tl_wire_put_u8(w, (uint8_t)(var->is_array | var->is_record << 1 | var->is_pointer << 2 |
                                        var->internal << 3 | var->is_volatile << 4 |
                                        var->is_funcptr << 5));
            put_loc(&en, var->decl_loc);
            put_sref(&en, var->usr);
            tl_wire_put_u8(w, var->int_bits); /* appended: older readers skip it */
            tl_wire_put_u32(w, var->array_bytes); /* appended later */
            tl_wire_end_record(w);
        }
        for (int bi = 0; bi < f->nblocks && ok; bi++) ok = put_block(&en, &f->blocks[bi]);
        if (f->call_values) {
            tl_wire_begin_record(w, REC_VALUES);
            tl_wire_put_u8(w, f->values_incomplete);
            tl_wire_put_varu(w, (uint32_t)f->ncalls);
            for (int id = 0; id < f->ncalls; id++) {
                const tl_call_values *cv = &f->call_values[id];
                tl_wire_put_u8(w, cv->reached);
                tl_wire_put_varu(w, (uint32_t)cv->nargs);
                for (int k = 0; k < cv->nargs; k++) {
                    tl_wire_put_u8(w, cv->argv[k].kind);
                    tl_wire_put_vari(w, (int64_t)cv->argv[k].v);
                    put_i32(w, cv->argv[k].via_var);
                }
            }
            tl_wire_end_record(w);
        }
    }
    for (int i = 0; i < tu->nstores; i++) {
        const tl_fn_store *s = &tu->stores[i];
        tl_wire_begin_record(w, REC_STORE);
        put_sref(&en, s->slot_usr);
        put_sref(&en, s->slot_name);
        put_sref(&en, s->fn_usr);
        put_sref(&en, s->fn_name);
        put_loc(&en, s->loc);
        tl_wire_put_varu(w, (uint32_t)s->nconsts); /* (appended) */
        for (int k = 0; k < s->nconsts; k++) {
            put_sref(&en, s->consts[k].field_usr);
            tl_wire_put_vari(w, s->consts[k].value);
        }
        tl_wire_end_record(w);
    }
    for (int i = 0; i < tu->ninit_slots; i++) {
        tl_wire_begin_record(w, REC_INIT_SLOT);
        put_sref(&en, tu->init_slots[i]);
        tl_wire_put_u8(w, tu->init_slots_internal[i]);
        tl_wire_end_record(w);
    }
    for (int i = 0; i < tu->nannots; i++) {
        const tl_annot *a = &tu->annots[i];
        tl_wire_begin_record(w, REC_ANNOT);
        put_sref(&en, a->name);
        tl_wire_put_varu(w, a->roles);
        tl_wire_put_varu(w, a->owns);
        tl_wire_put_u8(w, (uint8_t)a->returns_pointer);
        put_sref(&en, a->text);
        tl_wire_end_record(w);
    }
    tl_strmap_free(&en.strings);
    if (tl_wire_end_frame(w) != 0) return -1;
    if (!ok) { /* too deep: drop the frame */
        w->len = start;
        return -1;
    }
    return 0;
}

/* ---- decoding ---- */

typedef struct {
    tl_wire_reader *r;
    tl_tu *tu;
    int nfuncs_expected;
    tl_func *f;        /* the function being filled */
    int nvars_expected, nblocks_expected;
    char **strings;          /* the frame's string table, in order of definition */
    const char **interned;   /* ... each one's tl_tu_intern copy, once asked for */
    size_t nstrings, capstrings;
} decoder;

static int get_i32(tl_wire_reader *r) {
    int64_t v = tl_wire_get_vari(r);
    if (v < INT32_MIN || v > INT32_MAX) {
        tl_wire_fail(r, "a number out of range");
        return 0;
    }
    return (int)v;
}

static uint32_t get_u32(tl_wire_reader *r) {
    uint64_t v = tl_wire_get_varu(r);
    if (v > UINT32_MAX) {
        tl_wire_fail(r, "a number out of range");
        return 0;
    }
    return (uint32_t)v;
}

/* A count of items that take at least `min_size` bytes each (as
 * tl_wire_get_count). */
static uint32_t get_count(tl_wire_reader *r, size_t min_size) {
    uint32_t n = get_u32(r);
    if (r->bad) return 0;
    if (min_size && (size_t)n > tl_wire_remaining(r) / min_size) {
        tl_wire_fail(r, "a count larger than the data");
        return 0;
    }
    return n;
}

/* The string a reference names (borrowed from the table; NULL for NULL or
 * on a failed read), its table index in *index (SIZE_MAX for NULL). */
static const char *get_sref_at(decoder *d, size_t *index) {
    tl_wire_reader *r = d->r;
    *index = SIZE_MAX;
    uint64_t v = tl_wire_get_varu(r);
    if (r->bad || v == SREF_NULL) return NULL;
    if (v == SREF_NEW) {
        char *s = tl_wire_get_str(r);
        if (!s) {
            if (!r->bad) tl_wire_fail(r, "a new string without its text");
            return NULL;
        }
        if (d->nstrings == d->capstrings) {
            d->capstrings = d->capstrings ? d->capstrings * 2 : 256;
            d->strings = tl_xrealloc(d->strings, d->capstrings * sizeof *d->strings);
            d->interned = tl_xrealloc(d->interned, d->capstrings * sizeof *d->interned);
        }
        d->strings[d->nstrings] = s;
        d->interned[d->nstrings] = NULL;
        *index = d->nstrings++;
        return s;
    }
    if (v - SREF_FIRST >= d->nstrings) {
        tl_wire_fail(r, "a string reference out of range");
        return NULL;
    }
    *index = (size_t)(v - SREF_FIRST);
    return d->strings[*index];
}

static const char *get_sref(decoder *d) {
    size_t index;
    return get_sref_at(d, &index);
}

/* A string the IR owns: a copy of the referenced one. */
static char *get_sref_dup(decoder *d) {
    const char *s = get_sref(d);
    return s ? tl_xstrdup(s) : NULL;
}

static void free_strings(decoder *d) {
    for (size_t i = 0; i < d->nstrings; i++) free(d->strings[i]);
    free(d->strings);
    free(d->interned);
    d->strings = NULL;
    d->interned = NULL;
    d->nstrings = d->capstrings = 0;
}

static tl_loc get_loc(decoder *d) {
    tl_loc l;
    size_t index;
    const char *file = get_sref_at(d, &index);
    l.file = NULL;
    if (file) {
        if (!d->interned[index]) d->interned[index] = tl_tu_intern(d->tu, file);
        l.file = d->interned[index];
    }
    l.line = get_u32(d->r);
    l.col = get_u32(d->r);
    l.offset = get_u32(d->r);
    return l;
}

/* An expression whose indices fit the function being decoded. */
static tl_expr *get_expr(decoder *d, int depth) {
    tl_wire_reader *r = d->r;
    uint8_t present = tl_wire_get_u8(r);
    if (r->bad || !present) return NULL;
    if (depth > TL_IR_WIRE_MAX_DEPTH) {
        tl_wire_fail(r, "expression too deep");
        return NULL;
    }
    uint8_t kind = tl_wire_get_u8(r);
    if (kind > TL_E_OTHER) {
        tl_wire_fail(r, "bad expression kind");
        return NULL;
    }
    tl_expr *e = tl_expr_new((tl_expr_kind)kind);
    e->ival = tl_wire_get_vari(r);
    e->var = get_i32(r);
    e->call_id = get_i32(r);
    e->func = get_i32(r);
    e->name = get_sref_dup(d);
    e->usr = get_sref_dup(d);
    const char *op = get_sref(d);
    if (op && strlen(op) < sizeof e->op) memcpy(e->op, op, strlen(op) + 1);
    else if (op) tl_wire_fail(r, "bad operator");
    uint8_t mflags = tl_wire_get_u8(r);
    e->arrow = mflags & 1;
    e->field_array = mflags >> 1 & 1;
    e->field_system = mflags >> 2 & 1;
    e->field_fnptr = mflags >> 3 & 1;
    if (e->var < -1 || e->var >= d->nvars_expected) tl_wire_fail(r, "expression names a missing variable");
    if (e->call_id < -1 || (d->f && e->call_id >= d->f->ncalls)) tl_wire_fail(r, "expression names a missing call");
    if (e->func < -1 || e->func >= d->nfuncs_expected) tl_wire_fail(r, "expression names a missing function");
    if (kind == TL_E_VAR && e->var < 0) tl_wire_fail(r, "a variable expression without a variable");
    if (kind == TL_E_CALLRES && e->call_id < 0) tl_wire_fail(r, "a call result without a call");
    uint32_t nk = get_count(r, 1);
    for (uint32_t i = 0; i < nk && !r->bad; i++) {
        tl_expr *kid = get_expr(d, depth + 1);
        if (!kid) {
            if (!r->bad) tl_wire_fail(r, "a missing operand");
            break;
        }
        tl_expr_add_kid(e, kid);
    }
    if (r->bad) {
        tl_expr_free(e);
        return NULL;
    }
    /* the operands the lowering always gives these kinds */
    if ((kind == TL_E_ADDR || kind == TL_E_DEREF || kind == TL_E_CAST || kind == TL_E_UNARY ||
         kind == TL_E_MEMBER) && e->nkids > 1)
        tl_wire_fail(r, "too many operands");
    if (kind == TL_E_BINARY && e->nkids != 2) tl_wire_fail(r, "a binary expression without two operands");
    if (r->bad) {
        tl_expr_free(e);
        return NULL;
    }
    return e;
}

static void read_tu(decoder *d) {
    d->tu->main_file = get_sref_dup(d);
    d->tu->nskipped_funcs = get_i32(d->r);
    uint32_t n = get_u32(d->r);
    if (n > MAX_ITEMS) tl_wire_fail(d->r, "too many functions");
    d->nfuncs_expected = (int)n;
}

/* The function before `d->f` must be complete before another starts. */
static void close_function(decoder *d) {
    if (!d->f) return;
    if (d->f->nvars != d->nvars_expected || d->f->nblocks != d->nblocks_expected) {
        tl_wire_fail(d->r, "a function's variables or blocks are missing");
        return;
    }
    tl_func_finish(d->f);
}

static void read_func(decoder *d) {
    tl_wire_reader *r = d->r;
    close_function(d);
    if (r->bad) return;
    if (d->tu->nfuncs >= d->nfuncs_expected) {
        tl_wire_fail(r, "more functions than announced");
        return;
    }
    const char *name = get_sref(d);
    tl_func *f = tl_tu_add_func(d->tu, name ? name : "");
    d->f = f;
    f->usr = get_sref_dup(d);
    uint8_t flags = tl_wire_get_u8(r);
    f->is_static = flags & 1;
    f->in_header = flags >> 1 & 1;
    f->returns_pointer = flags >> 2 & 1;
    f->returns_bool = flags >> 3 & 1;
    f->loc = get_loc(d);
    f->end_loc = get_loc(d);
    f->nparams = get_i32(r);
    f->entry = get_i32(r);
    f->exit = get_i32(r);
    f->ncalls = get_i32(r);
    uint32_t nv = get_u32(r), nb = get_u32(r);
    if (nv > MAX_ITEMS || nb > MAX_ITEMS || f->ncalls < 0 || (uint32_t)f->ncalls > MAX_ITEMS)
        tl_wire_fail(r, "a function too large");
    if (tl_wire_remaining(r) > 0) f->opaque_deep_exprs = get_i32(r);
    if (f->opaque_deep_exprs < 0) tl_wire_fail(r, "a negative count of opaque expressions");
    d->nvars_expected = (int)nv;
    d->nblocks_expected = (int)nb;
    if (f->nparams < 0 || f->nparams > d->nvars_expected) tl_wire_fail(r, "bad parameter count");
    if (nb > 0 && (f->entry < 0 || f->entry >= (int)nb || f->exit < 0 || f->exit >= (int)nb))
        tl_wire_fail(r, "bad entry or exit block");
}

static void read_var(decoder *d) {
    tl_wire_reader *r = d->r;
    if (!d->f || d->f->nvars >= d->nvars_expected || d->f->nblocks > 0) {
        tl_wire_fail(r, "a variable out of place");
        return;
    }
    const char *name = get_sref(d);
    uint8_t kind = tl_wire_get_u8(r);
    if (kind > TL_VAR_TEMP) tl_wire_fail(r, "bad variable kind");
    int v = tl_func_add_var(d->f, name ? name : "", (tl_var_kind)(kind > TL_VAR_TEMP ? 0 : kind));
    tl_var *var = &d->f->vars[v];
    uint8_t flags = tl_wire_get_u8(r);
    var->is_array = flags & 1;
    var->is_record = flags >> 1 & 1;
    var->internal = flags >> 3 & 1;
    var->is_pointer = flags >> 2 & 1;
    var->is_volatile = flags >> 4 & 1;
    var->is_funcptr = flags >> 5 & 1;
    var->decl_loc = get_loc(d);
    var->usr = get_sref_dup(d);
    if (tl_wire_remaining(r) > 0) var->int_bits = tl_wire_get_u8(r);
    if (tl_wire_remaining(r) >= 4) var->array_bytes = tl_wire_get_u32(r);
}

static void read_block(decoder *d) {
    tl_wire_reader *r = d->r;
    if (!d->f || d->f->nvars != d->nvars_expected || d->f->nblocks >= d->nblocks_expected) {
        tl_wire_fail(r, "a block out of place");
        return;
    }
    tl_func *f = d->f;
    int bi = tl_func_add_block(f);
    tl_block *b = &f->blocks[bi];
    uint8_t term = tl_wire_get_u8(r);
    if (term > TL_T_NORETURN) tl_wire_fail(r, "bad terminator");
    b->term = (tl_term_kind)(term > TL_T_NORETURN ? 0 : term);
    b->term_loc = get_loc(d);
    b->cond = get_expr(d, 0);
    uint32_t ns = get_count(r, 1);
    if (r->bad) return;
    b->succ = tl_xcalloc(ns + 1, sizeof *b->succ);
    for (uint32_t s = 0; s < ns; s++) {
        int t = get_i32(r);
        if (t < 0 || t >= d->nblocks_expected) tl_wire_fail(r, "a successor out of range");
        b->succ[b->nsucc++] = t < 0 || t >= d->nblocks_expected ? 0 : t;
    }
    /* a GOTO with no successor is a dead block the lowering never ended */
    bool shape = (b->term == TL_T_GOTO && ns <= 1) || (b->term == TL_T_BRANCH && ns == 2) ||
                 (b->term == TL_T_SWITCH && ns >= 1) || (b->term == TL_T_EXIT && ns <= 1) ||
                 (b->term == TL_T_NORETURN && ns == 0);
    if (!shape) tl_wire_fail(r, "a terminator with the wrong number of successors");
    if ((b->term == TL_T_BRANCH || b->term == TL_T_SWITCH) && !b->cond) tl_wire_fail(r, "a branch without a condition");
    if (b->term == TL_T_SWITCH && ns >= 1 && !r->bad) {
        b->case_values = tl_xcalloc(ns, sizeof *b->case_values);
        for (uint32_t s = 0; s + 1 < ns; s++) b->case_values[s] = tl_wire_get_vari(r);
    }
    uint32_t ni = get_count(r, 8);
    for (uint32_t i = 0; i < ni && !r->bad; i++) {
        uint8_t kind = tl_wire_get_u8(r);
        if (kind > TL_I_USE) {
            tl_wire_fail(r, "bad instruction kind");
            break;
        }
        tl_instr *in = tl_block_add_instr(b, (tl_instr_kind)kind);
        in->loc = get_loc(d);
        in->var = get_i32(r);
        in->target = get_expr(d, 0);
        in->value = get_expr(d, 0);
        if (in->var < -1 || in->var >= d->nvars_expected) tl_wire_fail(r, "an instruction names a missing variable");
        if ((kind == TL_I_ASSIGN || kind == TL_I_DECL) && in->var < 0) tl_wire_fail(r, "an assignment without a variable");
        if (kind == TL_I_STORE && !in->target) tl_wire_fail(r, "a store without a target");
        if (kind == TL_I_RETURN) {
            uint64_t arm = tl_wire_get_varu(r);
            if (arm > (1u << 24)) tl_wire_fail(r, "bad return split");
            in->return_arm = (int)arm;
        }
        if (kind != TL_I_CALL) continue;
        tl_call *c = &in->call;
        c->id = get_i32(r);
        c->callee = get_sref_dup(d);
        c->callee_usr = get_sref_dup(d);
        c->callee_func = get_i32(r);
        uint8_t flags = tl_wire_get_u8(r);
        c->callee_system = flags & 1;
        c->discarded = flags >> 1 & 1;
        c->void_cast = flags >> 2 & 1;
        c->is_spawn_entry = flags >> 3 & 1;
        c->in_macro = flags >> 4 & 1;
        c->macro_project = flags >> 5 & 1; /* 0 in older frames: named as before */
        c->spawn_call = get_i32(r);
        c->text = get_sref_dup(d);
        c->fn = get_expr(d, 0);
        uint32_t na = get_count(r, 1);
        if (r->bad) break;
        c->args = tl_xcalloc(na + 1, sizeof *c->args);
        for (uint32_t a = 0; a < na && !r->bad; a++) {
            c->args[a] = get_expr(d, 0);
            c->nargs++;
            if (!c->args[a] && !r->bad) tl_wire_fail(r, "a missing argument");
        }
        if (c->id < 0 || c->id >= f->ncalls) tl_wire_fail(r, "a call id out of range");
        if (c->spawn_call < -1 || c->spawn_call >= f->ncalls) tl_wire_fail(r, "a spawn call out of range");
        if (c->callee_func < -1 || c->callee_func >= d->nfuncs_expected) tl_wire_fail(r, "a callee out of range");
    }
}

/* The propagation's values of the function just decoded (all its blocks in). */
static void read_values(decoder *d) {
    tl_wire_reader *r = d->r;
    tl_func *f = d->f;
    if (!f || f->nblocks != d->nblocks_expected || f->call_values) {
        tl_wire_fail(r, "values out of place");
        return;
    }
    f->values_incomplete = tl_wire_get_u8(r) != 0;
    uint32_t n = get_u32(r);
    if (r->bad || n != (uint32_t)f->ncalls) {
        tl_wire_fail(r, "values for another number of calls");
        return;
    }
    f->call_values = tl_xcalloc((size_t)n + 1, sizeof *f->call_values);
    for (uint32_t id = 0; id < n && !r->bad; id++) {
        tl_call_values *cv = &f->call_values[id];
        cv->reached = tl_wire_get_u8(r) != 0;
        uint32_t na = get_count(r, 3);
        if (r->bad) break;
        cv->argv = tl_xcalloc((size_t)na + 1, sizeof *cv->argv);
        cv->nargs = (int)na;
        for (uint32_t k = 0; k < na && !r->bad; k++) {
            cv->argv[k].kind = tl_wire_get_u8(r);
            cv->argv[k].v = tl_wire_get_vari(r);
            cv->argv[k].via_var = get_i32(r);
            if (cv->argv[k].via_var < -1 || cv->argv[k].via_var >= f->nvars)
                tl_wire_fail(r, "a value through a missing variable");
        }
    }
}

static void read_init_slot(decoder *d) {
    tl_wire_reader *r = d->r;
    const char *key = get_sref(d);
    bool internal = tl_wire_get_u8(r) != 0;
    if (!key) tl_wire_fail(r, "an initialized slot without a name");
    else tl_tu_add_init_slot(d->tu, key, internal);
}

static void read_store(decoder *d) {
    tl_wire_reader *r = d->r;
    const char *su = get_sref(d), *sn = get_sref(d), *fu = get_sref(d), *fnm = get_sref(d);
    tl_loc loc = get_loc(d);
    tl_field_const consts[TL_STORE_CONSTS_MAX];
    uint32_t nconsts = tl_wire_remaining(r) > 0 ? tl_wire_get_varu(r) : 0;
    if (nconsts > TL_STORE_CONSTS_MAX) {
        tl_wire_fail(r, "too many field constants in a store");
        return;
    }
    for (uint32_t k = 0; k < nconsts; k++) {
        consts[k].field_usr = (char *)get_sref(d);
        consts[k].value = tl_wire_get_vari(r);
        if (!consts[k].field_usr) tl_wire_fail(r, "a field constant without a field");
    }
    if (!su || !sn || !fu || !fnm) tl_wire_fail(r, "a store without names");
    else if (!r->bad) tl_tu_add_store(d->tu, su, sn, fu, fnm, loc, consts, (int)nconsts);
}

static void read_annot(decoder *d) {
    tl_wire_reader *r = d->r;
    const char *name = get_sref(d);
    uint32_t roles = get_u32(r);
    uint64_t owns = tl_wire_get_varu(r);
    bool returns_pointer = tl_wire_get_u8(r) != 0;
    char *text = get_sref_dup(d);
    if (!name || r->bad) {
        tl_wire_fail(r, "an annotation without a name");
        free(text);
        return;
    }
    tl_annot *a = tl_tu_add_annot(d->tu, name);
    a->roles = roles;
    a->owns = owns;
    a->returns_pointer = returns_pointer;
    a->text = text;
}

int tl_ir_wire_decode(const tl_wire_frame *f, tl_tu *out, char *err, size_t errsz) {
    memset(out, 0, sizeof *out);
    if (f->kind != TL_WIRE_KIND_IR) {
        snprintf(err, errsz, "not an IR frame (kind %u)", f->kind);
        return -1;
    }
    tl_wire_reader payload;
    tl_wire_reader_init(&payload, f->payload, f->payload_len);
    decoder d;
    memset(&d, 0, sizeof d);
    d.tu = out;
    bool seen_tu = false;
    uint16_t kind;
    tl_wire_reader body;
    int rc;
    while ((rc = tl_wire_next_record(&payload, &kind, &body)) == 1) {
        d.r = &body;
        if (!seen_tu && kind != REC_TU) tl_wire_fail(&body, "the TU record is not first");
        else if (kind == REC_TU && seen_tu) tl_wire_fail(&body, "two TU records");
        else switch (kind) {
            case REC_TU: seen_tu = true; read_tu(&d); break;
            case REC_FUNC: read_func(&d); break;
            case REC_VAR: read_var(&d); break;
            case REC_BLOCK: read_block(&d); break;
            case REC_STORE: read_store(&d); break;
            case REC_VALUES: read_values(&d); break;
            case REC_ANNOT: read_annot(&d); break;
            case REC_INIT_SLOT: read_init_slot(&d); break;
            default: break; /* a newer record kind: skipped */
            }
        if (body.bad) {
            snprintf(err, errsz, "malformed IR: %s", body.why ? body.why : "bad record");
            free_strings(&d);
            return -1;
        }
    }
    free_strings(&d);
    if (rc < 0 || !seen_tu) {
        snprintf(err, errsz, "malformed IR: %s", rc < 0 ? (payload.why ? payload.why : "bad payload") : "no TU record");
        return -1;
    }
    d.r = &payload;
    close_function(&d);
    if (!payload.bad && out->nfuncs != d.nfuncs_expected) tl_wire_fail(&payload, "functions are missing");
    if (payload.bad) {
        snprintf(err, errsz, "malformed IR: %s", payload.why ? payload.why : "incomplete");
        return -1;
    }
    return 0;
}
