/* model_loader.h - internals shared by the model loader (model.c), the
 * config reader (config.c), the node readers (node_readers.c) and the facet
 * parsers (facets.c, facets_fd.c, facets_wait.c).
 * Not part of the public model API (model.h).
 */
#ifndef TL_MODEL_LOADER_H
#define TL_MODEL_LOADER_H

#include "model.h"
#include <stdint.h>

#include "yaml.h"

/* Argument indices above this are certainly typos. */
#define MAX_ARG_INDEX 63

/* Facets, as bits of a mask saying which ones a definition mentions. */
enum {
    F_SPAWN = 1u << 0,
    F_RELEASE = 1u << 1,
    F_BORROW = 1u << 2,
    F_START = 1u << 3,
    F_AWAIT = 1u << 4,
    F_TEARDOWN = 1u << 5,
    F_WAIT = 1u << 6,
    F_BLOCKING = 1u << 7,
    F_CALLBACK = 1u << 8,
    F_COOPERATIVE = 1u << 9,
    F_MUST_AWAIT = 1u << 10,
    F_NONBLOCKING = 1u << 11,
    F_NORETURN = 1u << 12,
    F_DETACH_ATTR = 1u << 13,
    F_COUNTER_INIT = 1u << 14,
    F_PART_OF = 1u << 15,
    F_PREPARE = 1u << 16,
    F_DESCRIPTOR = 1u << 17,
    F_FD_STATE = 1u << 18,
    F_READINESS_WAIT = 1u << 19,
    F_WATCH_FD = 1u << 20,
    F_RELEASE_ALL = 1u << 21,
    F_RETURNS_ONLY = 1u << 22,
    F_POST = 1u << 23,
    F_LOCK = 1u << 24,
    F_UNLOCK = 1u << 25,
    F_DISPATCH = 1u << 26,
    F_IMMEDIATE_PATH = 1u << 27,
    F_SELF_HANDLE = 1u << 28,
    F_REQUEST_FLAGS = 1u << 29,
    F_FD_FLAGS = 1u << 30,
};
/* Bits 31 and up of `facets` (outside an enum constant's int range). */
#define F_ERRNO_LOCATION (1ull << 31)
#define F_FRESH (1ull << 32)
#define F_SENDS (1ull << 33)
#define F_BUFFERED (1ull << 34)
#define F_END_ERRNO (1ull << 35)
#define F_NUMERIC_CHECK (1ull << 36)
#define F_CHANNEL_PAIR (1ull << 37)
#define F_CHANNEL_DONE (1ull << 38)
#define F_CHANNEL_BUFFER (1ull << 39)
#define F_CHANNEL_PUT (1ull << 40)
#define F_CHANNEL_TAKE (1ull << 41)
#define F_READS (1ull << 42)
#define F_SYNCHRONIZES (1ull << 43)
#define F_OBJECT_OPEN (1ull << 44)
#define F_DEADLINE_OPTION (1ull << 45)
#define F_OBJECT_CONNECT (1ull << 46)

extern const char *const ml_facet_names[];
extern const char *const ml_wait_kind_names[];

/* A function definition read from a document, before merging. */
typedef struct {
    tl_fn_model fn;
    uint64_t facets; /* F_* bits the definition mentions */
} pending_fn;

/* State of one document being read, for error messages. */
typedef struct {
    const char *origin;
    tl_model_error *err;
    const char *fn;    /* function being read, for messages */
    const char *facet; /* facet being read, for messages */
} loader;

/* A parsed document, ready to merge. */
typedef struct {
    const char *library;
    pending_fn *fns;
    size_t nfns;
    const tl_yaml_node *replacements; /* validated MAP of string values, or NULL */
    const tl_yaml_node *prefixes;     /* validated SEQ of non-empty strings, or NULL */
} pending_doc;

/* model.c: the document steps a config (config.c) shares with a model file */
/* An error about a whole file: "file: message". */
void ml_set_error(tl_model_error *err, const char *origin, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parses text into *root; NULL (with L's error set) on a YAML error. */
const tl_yaml_node *ml_parse_root(loader *L, const char *text, size_t len, tl_yaml_node **root);
/* Reads a whole file; NULL with err set on failure. */
char *ml_slurp(const char *path, size_t *len, tl_model_error *err);
int ml_read_functions(loader *L, const tl_yaml_node *n, pending_doc *d);
int ml_read_replacements(loader *L, const tl_yaml_node *n, pending_doc *d);
/* Merges a valid document into ms; -1 when out of memory. */
int ml_apply_doc(tl_model_set *ms, pending_doc *d);
void ml_pending_free(pending_doc *d);
/* Indexes exempt[from..nexempt). */
int ml_index_exempt(tl_model_set *ms, size_t from);

/* node_readers.c: errors and typed readers of nodes (each -1 with the error set) */
/* An error about node `at`: "file:line:col: message"; returns -1. */
int ml_fail(loader *L, const tl_yaml_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error about the i-th key of map; returns -1. */
int ml_fail_key(loader *L, const tl_yaml_node *map, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
char *ml_strdup(const char *s);
int ml_grow(void **arr, size_t *cap, size_t need, size_t elem);
/* "a, b, c" (and a "did you mean" hint for got) into buf. */
const char *ml_choices(char *buf, size_t size, const char *const *names, const char *got);
/* "in 'wait' of function 'poll'" - where a message is about. */
const char *ml_where(char *buf, size_t size, const loader *L);
int ml_check_keys(loader *L, const tl_yaml_node *map, const char *const *valid);
int ml_need_type(loader *L, const tl_yaml_node *n, tl_yaml_type t, const char *what);
/* Decimal or 0x hex, with a sign; -1 if not an integer. */
int ml_parse_i64(const char *s, int64_t *out);
int ml_get_int(loader *L, const tl_yaml_node *n, const char *what, int64_t *out);
int ml_get_arg(loader *L, const tl_yaml_node *n, const char *what, bool allow_none, int *out);
/* {arg: N, mask: M} with M != 0 (a flag test) under facet name `what` (facets_fd.c). */
int ml_get_flag_test(loader *L, const tl_yaml_node *x, const char *what, int *arg, int64_t *mask);
int ml_get_bool(loader *L, const tl_yaml_node *n, const char *what, bool *out);
int ml_get_choice(loader *L, const tl_yaml_node *n, const char *what,
                      const char *const *names, int *out);
int ml_get_string(loader *L, const tl_yaml_node *n, const char *what, char **out);
int ml_get_arg_list(loader *L, const tl_yaml_node *n, const char *what, int max, int *out,
                    int *count);
/* 1 for "FACET: false" (removes the facet), 0 for a map body. */
int ml_facet_off(loader *L, const tl_yaml_node *n, const char *facet, const char *shape);

/* facets.c */
void ml_fn_defaults(tl_fn_model *f);
void ml_fn_free(tl_fn_model *f);
int ml_parse_function(loader *L, const char *name, const tl_yaml_node *body,
                          pending_fn *out);
/* A config's `annotations:` into out->annot_names/annot_roles
 * (annotation_roles.c); -1 with the error set. */
int ml_read_annotations(loader *L, const tl_yaml_node *n, tl_model_set *out);
/* A list of names (or one name) appended to *v (config.c). */
int ml_read_names(loader *L, const tl_yaml_node *n, const char *what, char ***v, size_t *count);
/* The `per_path:` mapping of a config, appended to *v (per_path.c). */
struct tl_per_path_s;
int ml_read_per_path(loader *L, const tl_yaml_node *n, struct tl_per_path_s **v, size_t *count);

/* facets_wait.c: the wait and blocking facets */
int ml_parse_wait(loader *L, const tl_yaml_node *n, tl_wait_facet *w);
/* forever: negative, null, an integer, or a list of 1 to TL_MAX_FOREVER of them */
int ml_parse_forever(loader *L, const tl_yaml_node *n, tl_forever *out, int *nout);
int ml_parse_deadline_option(loader *L, const tl_yaml_node *n, tl_deadline_option_facet *d);
int ml_parse_object_open(loader *L, const tl_yaml_node *n, tl_object_open_facet *o);
int ml_parse_blocking(loader *L, const tl_yaml_node *n, tl_blocking_facet *b);
/* facets_fd.c: a struct field name; the fd_state, readiness_wait and immediate_path facets */
int ml_get_field(loader *L, const tl_yaml_node *n, const char *what, char *out);
int ml_parse_fd_state(loader *L, const tl_yaml_node *n, tl_fd_state_facet *d);
int ml_parse_fresh(loader *L, const tl_yaml_node *n, tl_fresh_facet *d);
int ml_parse_sends(loader *L, const tl_yaml_node *n, tl_sends_facet *d);
int ml_parse_buffered(loader *L, const tl_yaml_node *n, tl_buffered_facet *d);
int ml_parse_end_errno(loader *L, const tl_yaml_node *n, tl_end_errno_facet *d);
int ml_parse_numeric_check(loader *L, const tl_yaml_node *n, tl_numeric_check_facet *d);
int ml_parse_fd_flags(loader *L, const tl_yaml_node *n, tl_fd_flags_facet *d);
int ml_parse_readiness_wait(loader *L, const tl_yaml_node *n, tl_readiness_wait_facet *w);
int ml_parse_immediate_path(loader *L, const tl_yaml_node *n, tl_immediate_path_facet *ip);

#endif
