/* unit_model.c - the model loader: facets read from a document, defaults,
 * errors (each naming file:line and the valid choices), merging/override,
 * the embedded library models, project configs and config discovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataflow/analysis.h"
#include "model/model.h"

struct tl_builtin_model {
    const char *name;
    const char *text;
    size_t len;
};
extern const struct tl_builtin_model tl_builtin_models[];

/* ---- helpers ---- */

static void load_ok(tl_model_set *ms, const char *text) {
    tl_model_error err;
    if (tl_models_load_text(ms, text, strlen(text), "m.yaml", &err) != 0)
        fail_msg("unexpected load error: %s", err.msg);
}

/* Does msg start with "ORIGIN:LINE:COL: " (any column when col is 0)? */
static bool has_position(const char *msg, const char *origin, int line, int col) {
    char prefix[600];
    snprintf(prefix, sizeof(prefix), "%s:%d:", origin, line);
    if (strncmp(msg, prefix, strlen(prefix)) != 0) return false;
    char *end;
    long c = strtol(msg + strlen(prefix), &end, 10);
    return c > 0 && (col == 0 || c == col) && strncmp(end, ": ", 2) == 0;
}

/* Loading text must fail with "m.yaml:LINE:COL: ..." containing every want
 * (col 0: any column). */
static void expect_error_at(const char *text, int line, int col, const char *want1,
                            const char *want2) {
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    int rc = tl_models_load_text(&ms, text, strlen(text), "m.yaml", &err);
    tl_models_free(&ms);
    if (rc == 0) fail_msg("expected an error for:\n%s", text);
    if (!has_position(err.msg, "m.yaml", line, col) || !strstr(err.msg, want1) ||
        (want2 && !strstr(err.msg, want2)))
        fail_msg("error '%s': want m.yaml:%d:%d: and '%s'%s%s", err.msg, line, col, want1,
                 want2 ? " and " : "", want2 ? want2 : "");
}

static void expect_error(const char *text, int line, const char *want1, const char *want2) {
    expect_error_at(text, line, 0, want1, want2);
}

static const tl_fn_model *find(const tl_model_set *ms, const char *name) {
    const tl_fn_model *f = tl_models_find(ms, name);
    if (!f) fail_msg("no model for %s", name);
    return f;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- loading a document ---- */

static const char *full_doc =
    "library: demo\n"
    "description: \"every facet once\"\n"
    "functions:\n"
    "  spawn_it:\n"
    "    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 2, context: thread, task: thread}\n"
    "  go_prologue:\n"
    "    spawn: {handle: result, success: nonnegative, entry_before: go_epilogue, owner_arg: 3,\n"
    "            no_owner_value: -1, context: coroutine, task: coroutine, awaited_by: any_wait}\n"
    "  join_it:\n"
    "    release: {arg: 0, how: join}\n"
    "    wait: {kind: join}\n"
    "    blocking: true\n"
    "  use_it: {borrow: [0, 2]}\n"
    "  ring_submit: {start: 0}\n"
    "  ring_wait: {await: {arg: 1}}\n"
    "  ring_exit: {teardown: 0}\n"
    "  poll_like:\n"
    "    wait: {timeout_arg: 2, forever: [negative], kind: loop, kind_if: {arg: 1, value: 1, kind: peer}}\n"
    "    blocking: {unless_zero: 2}\n"
    "  timed:\n"
    "    wait: {timeout_arg: 1, forever: [null, 0xffffffffffffffff, -2], kind: task}\n"
    "  submit_wait:\n"
    "    wait: {kind: io, only_if_nonzero: 1}\n"
    "  cond_block:\n"
    "    blocking: {if_null: 5, unless_flag: {arg: 2, mask: 0x40}, if_value: {arg: 1, values: [7, 38]},\n"
    "               replacement: \"do it async\"}\n"
    "  register_cb:\n"
    "    callback: {args: [1, 2, 3], context: loop}\n"
    "  flags: {cooperative: true, must_await: true, nonblocking: true, noreturn: true}\n"
    "  nothing: {}\n"
    "replacements:\n"
    "  sleep: \"timer()\"\n"
    "  \"*\": \"offload()\"\n";

static void test_load_every_facet(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, full_doc);
    tl_models_finish(&ms);
    assert_int_equal(ms.nfns, 14);
    assert_int_equal(ms.nlibraries, 1);
    assert_string_equal(ms.libraries[0], "demo");

    const tl_fn_model *f = find(&ms, "spawn_it");
    assert_string_equal(f->library, "demo");
    assert_true(f->spawn.present);
    assert_int_equal(f->spawn.where, TL_HANDLE_OUT_ARG);
    assert_int_equal(f->spawn.handle_arg, 0);
    assert_int_equal(f->spawn.success, TL_SUCCESS_ZERO);
    assert_int_equal(f->spawn.entry_arg, 2);
    assert_null(f->spawn.entry_before_call);
    assert_int_equal(f->spawn.owner_arg, -1);
    assert_false(f->spawn.has_no_owner_value);
    assert_int_equal(f->spawn.context, TL_CTX_THREAD);
    assert_string_equal(f->spawn.task, "thread");
    assert_false(f->spawn.awaited_by_any_wait);
    assert_false(f->release.present);
    assert_false(f->wait.present);

    f = find(&ms, "go_prologue");
    assert_int_equal(f->spawn.where, TL_HANDLE_RESULT);
    assert_int_equal(f->spawn.handle_arg, -1);
    assert_int_equal(f->spawn.success, TL_SUCCESS_NONNEG);
    assert_int_equal(f->spawn.entry_arg, -1);
    assert_string_equal(f->spawn.entry_before_call, "go_epilogue");
    assert_int_equal(f->spawn.owner_arg, 3);
    assert_true(f->spawn.has_no_owner_value);
    assert_int_equal(f->spawn.no_owner_value, -1);
    assert_int_equal(f->spawn.context, TL_CTX_COROUTINE);
    assert_true(f->spawn.awaited_by_any_wait);

    f = find(&ms, "join_it");
    assert_true(f->release.present);
    assert_int_equal(f->release.arg, 0);
    assert_string_equal(f->release.how, "join");
    assert_true(f->wait.present);
    assert_int_equal(f->wait.timeout_arg, -1); /* omitted: always forever */
    assert_int_equal(f->wait.nforever, 0);
    assert_int_equal(f->wait.kind, TL_WAIT_JOIN);
    assert_int_equal(f->wait.only_if_nonzero_arg, -1);
    assert_true(f->blocking.present);
    assert_int_equal(f->blocking.if_null_arg, -1);
    assert_int_equal(f->blocking.unless_flag_arg, -1);
    assert_int_equal(f->blocking.unless_zero_arg, -1);
    assert_int_equal(f->blocking.if_value_arg, -1);
    assert_null(f->blocking.replacement);

    f = find(&ms, "use_it");
    assert_int_equal(f->nborrow, 2);
    assert_true(f->borrow[0].present);
    assert_int_equal(f->borrow[0].arg, 0);
    assert_int_equal(f->borrow[1].arg, 2);
    assert_true(find(&ms, "ring_submit")->start.present);
    assert_int_equal(find(&ms, "ring_submit")->start.arg, 0);
    assert_false(find(&ms, "ring_submit")->await.present);
    assert_int_equal(find(&ms, "ring_wait")->await.arg, 1);
    assert_true(find(&ms, "ring_exit")->teardown.present);

    f = find(&ms, "poll_like");
    assert_int_equal(f->wait.timeout_arg, 2);
    assert_int_equal(f->wait.nforever, 1);
    assert_int_equal(f->wait.forever[0].kind, TL_FOREVER_NEGATIVE);
    assert_int_equal(f->wait.kind, TL_WAIT_LOOP);
    assert_true(f->wait.has_kind_if);
    assert_int_equal(f->wait.kind_if_arg, 1);
    assert_int_equal(f->wait.kind_if_value, 1);
    assert_int_equal(f->wait.kind_if_kind, TL_WAIT_PEER);
    assert_int_equal(f->blocking.unless_zero_arg, 2);

    f = find(&ms, "timed");
    assert_int_equal(f->wait.nforever, 3);
    assert_int_equal(f->wait.forever[0].kind, TL_FOREVER_NULL);
    assert_int_equal(f->wait.forever[1].kind, TL_FOREVER_VALUE);
    assert_true(f->wait.forever[1].value == -1); /* ~0ull */
    assert_int_equal(f->wait.forever[2].kind, TL_FOREVER_VALUE);
    assert_true(f->wait.forever[2].value == -2);
    assert_int_equal(find(&ms, "submit_wait")->wait.only_if_nonzero_arg, 1);
    assert_int_equal(find(&ms, "submit_wait")->wait.kind, TL_WAIT_IO);

    f = find(&ms, "cond_block");
    assert_int_equal(f->blocking.if_null_arg, 5);
    assert_int_equal(f->blocking.unless_flag_arg, 2);
    assert_true(f->blocking.unless_flag_mask == 0x40);
    assert_int_equal(f->blocking.if_value_arg, 1);
    assert_int_equal(f->blocking.nif_values, 2);
    assert_true(f->blocking.if_values[0] == 7 && f->blocking.if_values[1] == 38);
    assert_string_equal(f->blocking.replacement, "do it async");

    f = find(&ms, "register_cb");
    assert_true(f->callback.present);
    assert_int_equal(f->callback.nargs, 3);
    assert_int_equal(f->callback.args[2], 3);
    assert_int_equal(f->callback.context, TL_CTX_LOOP_CALLBACK);

    f = find(&ms, "flags");
    assert_true(f->cooperative && f->must_await && f->nonblocking && f->noreturn);
    f = find(&ms, "nothing");
    assert_false(f->spawn.present || f->blocking.present || f->cooperative || f->noreturn);

    assert_string_equal(tl_models_replacement(&ms, "demo", "sleep"), "timer()");
    assert_string_equal(tl_models_replacement(&ms, "demo", "other"), "offload()");
    assert_null(tl_models_replacement(&ms, "elsewhere", "sleep"));
    tl_models_free(&ms);
}

/* The attribute facets: spawn.attr_arg and detach_attr (defaults -1 / off). */
static void test_detach_attr_facet(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  create: {spawn: {handle: out, handle_arg: 0, attr_arg: 1}}\n"
                 "  plain: {spawn: {handle: out, handle_arg: 0}}\n"
                 "  set_detached: {detach_attr: {arg: 0, value_arg: 1, values: [1, 5]}}\n"
                 "  set_one: {detach_attr: {arg: 2, value_arg: 0, values: 3}}\n");
    assert_int_equal(find(&ms, "create")->spawn.attr_arg, 1);
    assert_int_equal(find(&ms, "plain")->spawn.attr_arg, -1);
    assert_false(find(&ms, "plain")->detach_attr.present);
    const tl_detach_attr_facet *d = &find(&ms, "set_detached")->detach_attr;
    assert_true(d->present);
    assert_int_equal(d->arg, 0);
    assert_int_equal(d->value_arg, 1);
    assert_int_equal(d->nvalues, 2);
    assert_true(d->values[0] == 1 && d->values[1] == 5);
    d = &find(&ms, "set_one")->detach_attr;
    assert_int_equal(d->arg, 2);
    assert_int_equal(d->nvalues, 1);
    assert_true(d->values[0] == 3);
    /* a later definition can remove the facet */
    load_ok(&ms, "library: demo\nfunctions:\n  set_one: {detach_attr: false}\n");
    assert_false(find(&ms, "set_one")->detach_attr.present);
    tl_models_free(&ms);

    expect_error("library: x\nfunctions:\n  f: {detach_attr: {arg: 0, values: [1]}}\n", 3,
                 "needs 'arg', 'value_arg' and 'values'", NULL);
    expect_error("library: x\nfunctions:\n  f: {detach_attr: {arg: 0, value_arg: 1, values: []}}\n",
                 3, "'values'", "1 to 4");
    expect_error("library: x\nfunctions:\n  f: {detach_attr: 1}\n", 3, "'detach_attr'", NULL);
}

/* await.observes: reads the completion count, reaps nothing (count 0). */
static void test_await_observes(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  ready: {await: {arg: 0, observes: true}}\n"
                 "  ready0: {await: {arg: 1, count: 0, observes: true}}\n"
                 "  seen: {await: {arg: 0, count: 0}}\n");
    const tl_fn_model *m = find(&ms, "ready");
    assert_true(m->await.present && m->reap.observes && m->reap.has_count);
    assert_true(m->reap.count == 0);
    assert_true(find(&ms, "ready0")->reap.observes);
    assert_int_equal(find(&ms, "ready0")->await.arg, 1);
    assert_false(find(&ms, "seen")->reap.observes);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, count: 2, observes: true}}\n", 3,
                 "'observes' in 'await' of function 'f' reaps and submits nothing", NULL);
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, count_arg: 1, observes: true}}\n", 3,
                 "'observes'", "count_arg");
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, submits: true, observes: true}}\n", 3,
                 "'observes'", "'submits'");
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, observes: 3}}\n", 3, "'observes'", NULL);
}

/* prepare.multishot: a peer operation that goes on posting completions. */
static void test_prepare_multishot(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  prep_recv_ms: {prepare: {arg: 0, op: peer, multishot: true}}\n"
                 "  prep_recv: {prepare: {arg: 0, op: peer}}\n");
    assert_true(find(&ms, "prep_recv_ms")->prepare.multishot);
    assert_false(find(&ms, "prep_recv")->prepare.multishot);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: complete, multishot: true}}\n", 3,
                 "'multishot' in 'prepare' of function 'f' is only used with 'op: peer' or 'op: fd_io'", NULL);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: peer, multishot: 2}}\n", 3,
                 "'multishot'", NULL);
}

/* prepare.fails / fails_unless: an operation that completes with a
 * failure (a timeout expiring), unless an argument has a bit of a mask. */
static void test_prepare_fails(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  prep_timeout: {prepare: {arg: 0, op: complete, fails: true, fails_unless: {arg: 3, mask: 0x20}}}\n"
                 "  prep_expire: {prepare: {arg: 0, op: complete, fails: true}}\n"
                 "  prep_nop: {prepare: {arg: 0, op: complete}}\n");
    const tl_fn_model *t = find(&ms, "prep_timeout"), *e = find(&ms, "prep_expire"), *n = find(&ms, "prep_nop");
    assert_true(t->prepare.fails);
    assert_int_equal(t->prepare.fails_unless_arg, 3);
    assert_int_equal(t->prepare.fails_unless_mask, 0x20);
    assert_true(e->prepare.fails);
    assert_int_equal(e->prepare.fails_unless_arg, -1);
    assert_false(n->prepare.fails);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: complete, fails_unless: {arg: 1, mask: 1}}}\n",
                 3, "'fails_unless' in 'prepare' of function 'f' needs 'fails: true'", NULL);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: complete, fails: true, fails_unless: {arg: 1}}}\n",
                 3, "'fails_unless'", "'mask'");
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: complete, fails: true, fails_unless: {arg: 1, mask: 0}}}\n",
                 3, "'mask'", "must not be 0");
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: complete, fails: 3}}\n", 3, "'fails'", NULL);
}

/* request_flags: flags set on a prepared request, by a function (arg,
 * value_arg) or by a store into a field entry (no arguments there); and the
 * link_timeout operation. */
static void test_request_flags(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  set_flags: {request_flags: {arg: 0, value_arg: 1, skip_success: 0x40, link: 0x0c}}\n"
                 "  set_link: {request_flags: {arg: 1, value_arg: 0, link: 4}}\n"
                 "  req.flags: {request_flags: {skip_success: 64}}\n"
                 "  prep_lt: {prepare: {arg: 0, op: link_timeout}}\n"
                 "  prep_nop: {prepare: {arg: 0, op: immediate}}\n");
    tl_models_finish(&ms);
    const tl_fn_model *f = find(&ms, "set_flags");
    assert_true(f->request_flags.present);
    assert_int_equal(f->request_flags.arg, 0);
    assert_int_equal(f->request_flags.value_arg, 1);
    assert_int_equal(f->request_flags.skip_success, 0x40);
    assert_int_equal(f->request_flags.link, 0x0c);
    f = find(&ms, "set_link");
    assert_int_equal(f->request_flags.arg, 1);
    assert_int_equal(f->request_flags.skip_success, 0);
    assert_int_equal(f->request_flags.link, 4);
    f = tl_models_find_field_flags(&ms, "c:@S@req@FI@flags");
    assert_non_null(f);
    assert_int_equal(f->request_flags.arg, -1);
    assert_int_equal(f->request_flags.value_arg, -1);
    assert_int_equal(f->request_flags.skip_success, 64);
    assert_null(tl_models_find_field(&ms, "c:@S@req@FI@flags")); /* no callback there */
    assert_null(tl_models_find_field_flags(&ms, "c:@S@req@FI@fd"));
    assert_null(tl_models_find_field_flags(&ms, "c:@S@other@FI@flags"));
    assert_int_equal(find(&ms, "prep_lt")->prepare.op, TL_OP_LINK_TIMEOUT);
    assert_false(find(&ms, "prep_lt")->request_flags.present);
    assert_int_equal(find(&ms, "prep_nop")->prepare.op, TL_OP_IMMEDIATE);
    tl_models_free(&ms);

    expect_error_at("library: x\nfunctions:\n  f: {request_flags: {arg: 0, skip_success: 64}}\n", 3, 22,
                    "'request_flags' of function 'f' needs 'arg' (the request) and 'value_arg'", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {request_flags: {arg: 0, value_arg: 1}}\n", 3, 22,
                    "'request_flags' of 'f' needs 'skip_success' or 'link'", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {request_flags: {arg: 0, value_arg: 0, link: 4}}\n", 3, 42,
                    "'value_arg' in 'request_flags' of function 'f' must differ from 'arg'", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {request_flags: {arg: 0, value_arg: 1, link: 0}}\n", 3, 51,
                    "'link' in 'request_flags' of function 'f' must not be 0", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {request_flags: {arg: 0, value_arg: 1, skip_success: x}}\n",
                    3, 59, "skip_success", NULL);
    expect_error_at("library: x\nfunctions:\n  r.flags: {request_flags: {arg: 0, link: 4}}\n", 3, 34,
                    "'request_flags' of field 'r.flags' takes no 'arg'", NULL);
    expect_error_at("library: x\nfunctions:\n  r.flags: {request_flags: {value_arg: 1, link: 4}}\n", 3, 40,
                    "takes no 'value_arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {request_flags: {arg: 0, value_arg: 1, mask: 4}}\n", 3,
                 "'mask'", "skip_success");
    expect_error("library: x\nfunctions:\n  f: {request_flags: [0, 1]}\n", 3, "request_flags", NULL);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: link_timeot}}\n", 3,
                 "link_timeout", NULL);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: immediately}}\n", 3,
                 "immediate", NULL);
}

/* spawn.data_arg: the argument the entry receives (pthread_create: 3). */
static void test_spawn_data_arg(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  start: {spawn: {handle: out, handle_arg: 0, entry_arg: 2, data_arg: 3}}\n"
                 "  plain: {spawn: {handle: out, handle_arg: 0, entry_arg: 1}}\n");
    assert_int_equal(find(&ms, "start")->spawn.data_arg, 3);
    assert_int_equal(find(&ms, "plain")->spawn.data_arg, -1);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: none, data_arg: 1}}\n", 3,
                 "'data_arg' needs 'entry_arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: none, entry_arg: 1, data_arg: 1}}\n", 3,
                 "'data_arg' and 'entry_arg' must be different", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: none, entry_arg: 1, data_arg: x}}\n", 3,
                 "'data_arg'", NULL);
}

/* post: the counting object a call counts up (sem_post); the builtin
 * models give it to the posts of the zero-init waits' semaphores. */
static void test_post_facet(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  give: {post: 0}\n"
                 "  give2: {post: {arg: 1}}\n"
                 "  take: {wait: {kind: condition, object_arg: 0, kind_if_zero_init: task}}\n"
                 "  send: {wait: {kind: task, object_arg: 0, unless_served: true}}\n"
                 "  end_thread: {noreturn: thread}\n"
                 "  end_all: {noreturn: true}\n");
    assert_true(find(&ms, "end_thread")->noreturn && find(&ms, "end_thread")->noreturn_thread);
    assert_true(find(&ms, "end_all")->noreturn && !find(&ms, "end_all")->noreturn_thread);
    assert_true(find(&ms, "give")->post.present);
    assert_int_equal(find(&ms, "give")->post.arg, 0);
    assert_int_equal(find(&ms, "give2")->post.arg, 1);
    assert_false(find(&ms, "take")->post.present);
    assert_int_equal(find(&ms, "take")->post.arg, -1);
    assert_true(find(&ms, "send")->wait.unless_served);
    assert_false(find(&ms, "take")->wait.unless_served);
    /* a later definition removes it, keeping nothing else to say */
    load_ok(&ms, "library: demo\nfunctions:\n  give2: {post: false}\n");
    assert_false(find(&ms, "give2")->post.present);
    tl_models_free(&ms);
    tl_model_error err;
    tl_models_init(&ms);
    if (tl_models_load_builtin(&ms, &err) != 0) fail_msg("builtin: %s", err.msg);
    tl_models_finish(&ms);
    assert_true(find(&ms, "sem_post")->post.present && find(&ms, "sem_post")->post.arg == 0);
    assert_true(find(&ms, "uv_sem_post")->post.present && find(&ms, "uv_sem_post")->post.arg == 0);
    assert_true(find(&ms, "pthread_exit")->noreturn_thread && find(&ms, "thrd_exit")->noreturn_thread);
    assert_true(find(&ms, "exit")->noreturn && !find(&ms, "exit")->noreturn_thread);
    tl_models_free(&ms);
    expect_error_at("library: x\nfunctions:\n  f: {post: [0]}\n", 3, 13, "'post'",
                    "{arg: N} or an argument index");
    expect_error("library: x\nfunctions:\n  f: {post: {arg: 0, how: up}}\n", 3, "'how'", NULL);
    expect_error("library: x\nfunctions:\n  f: {post: {}}\n", 3, "'post'", "needs 'arg'");
    expect_error("library: x\nfunctions:\n  f: {post: -1}\n", 3, "'post'", NULL);
    expect_error("library: x\nfunctions:\n  f: {noreturn: process}\n", 3, "'noreturn'", NULL);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: task, unless_served: true}}\n", 3,
                 "'unless_served'", "needs 'object_arg'");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: task, object_arg: 0, unless_served: 2}}\n", 3,
                 "unless_served", NULL);
}

/* lock/unlock and the condition wait's lock_arg: which mutex a call takes,
 * releases, or releases while it waits (the start-up lock dance); the
 * built-in models give them to the pthread, C11, libuv and GLib mutexes
 * and conditions, and `post` to the conditions' signals. */
static void test_lock_facets(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  take: {lock: 0}\n"
                 "  give: {unlock: {arg: 1}}\n"
                 "  cwait: {wait: {kind: condition, object_arg: 0, kind_if_unlooped: task, lock_arg: 1}}\n"
                 "  plain: {wait: {kind: condition, object_arg: 0}}\n");
    assert_true(find(&ms, "take")->lock.present && find(&ms, "take")->lock.arg == 0);
    assert_false(find(&ms, "take")->unlock.present);
    assert_true(find(&ms, "give")->unlock.present && find(&ms, "give")->unlock.arg == 1);
    assert_int_equal(find(&ms, "cwait")->wait.lock_arg, 1);
    assert_int_equal(find(&ms, "plain")->wait.lock_arg, -1);
    assert_int_equal(find(&ms, "give")->wait.lock_arg, -1);
    load_ok(&ms, "library: demo\nfunctions:\n  take: {lock: false}\n");
    assert_false(find(&ms, "take")->lock.present);
    tl_models_free(&ms);
    tl_model_error err;
    tl_models_init(&ms);
    if (tl_models_load_builtin(&ms, &err) != 0) fail_msg("builtin: %s", err.msg);
    tl_models_finish(&ms);
    const char *locks[] = {"pthread_mutex_lock", "mtx_lock", "uv_mutex_lock", "g_mutex_lock"};
    const char *unlocks[] = {"pthread_mutex_unlock", "mtx_unlock", "uv_mutex_unlock", "g_mutex_unlock"};
    const char *waits[] = {"pthread_cond_wait", "cnd_wait", "uv_cond_wait", "g_cond_wait"};
    const char *signals[] = {"pthread_cond_signal", "pthread_cond_broadcast", "cnd_signal", "cnd_broadcast",
                             "uv_cond_signal", "uv_cond_broadcast", "g_cond_signal", "g_cond_broadcast"};
    for (int i = 0; i < 4; i++) {
        assert_true(find(&ms, locks[i])->lock.present && find(&ms, locks[i])->lock.arg == 0);
        assert_true(find(&ms, unlocks[i])->unlock.present && find(&ms, unlocks[i])->unlock.arg == 0);
        assert_int_equal(find(&ms, waits[i])->wait.lock_arg, 1);
        assert_false(find(&ms, locks[i])->blocking.present); /* contention only: not blocking */
    }
    for (int i = 0; i < 8; i++) assert_true(find(&ms, signals[i])->post.present && find(&ms, signals[i])->post.arg == 0);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {lock: [0]}\n", 3, "'lock'", "{arg: N} or an argument index");
    expect_error("library: x\nfunctions:\n  f: {unlock: {}}\n", 3, "'unlock'", "needs 'arg'");
    expect_error("library: x\nfunctions:\n  f: {unlock: -1}\n", 3, "'unlock'", NULL);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: condition, lock_arg: 1}}\n", 3, "'lock_arg'",
                 "needs 'object_arg'");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: condition, object_arg: 0, lock_arg: 0}}\n", 3,
                 "'lock_arg'", "must differ");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: condition, object_arg: 0, lock_arg: x}}\n", 3,
                 "'lock_arg'", NULL);
}

/* returns_only: the only results a call returns with (execve: -1). */
static void test_returns_only_facet(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  run_image: {returns_only: [-1]}\n"
                 "  two: {returns_only: [-1, 0x10]}\n"
                 "  one: {returns_only: 7}\n"
                 "  plain: {nonblocking: true}\n");
    const tl_fn_model *m = find(&ms, "run_image");
    assert_int_equal(m->nreturns_only, 1);
    assert_true(m->returns_only[0] == -1);
    m = find(&ms, "two");
    assert_int_equal(m->nreturns_only, 2);
    assert_true(m->returns_only[0] == -1 && m->returns_only[1] == 16);
    assert_int_equal(find(&ms, "one")->nreturns_only, 1);
    assert_true(find(&ms, "one")->returns_only[0] == 7);
    assert_int_equal(find(&ms, "plain")->nreturns_only, 0);
    /* a later definition can remove the facet, or leave it alone */
    load_ok(&ms, "library: demo\nfunctions:\n  two: {returns_only: false}\n"
                 "  run_image: {nonblocking: true}\n");
    assert_int_equal(find(&ms, "two")->nreturns_only, 0);
    assert_int_equal(find(&ms, "run_image")->nreturns_only, 1);
    tl_models_free(&ms);

    expect_error_at("library: x\nfunctions:\n  f: {returns_only: []}\n", 3, 21, "'returns_only'",
                    "1 to 4 integers");
    expect_error("library: x\nfunctions:\n  f: {returns_only: [1, 2, 3, 4, 5]}\n", 3,
                 "'returns_only'", "1 to 4");
    expect_error("library: x\nfunctions:\n  f: {returns_only: [-1, x]}\n", 3,
                 "'returns_only' in function 'f' must be an integer", "'x'");
    expect_error("library: x\nfunctions:\n  f: {returns_only: {value: -1}}\n", 3, "'returns_only'",
                 NULL);
}

/* errno_location: the function behind errno and its would-block values. */
static void test_errno_location_facet(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  __errno_location: {errno_location: {would_block: [11]}}\n"
                 "  __error: {errno_location: {would_block: [35, 0x23]}}\n"
                 "  plain: {nonblocking: true}\n");
    const tl_fn_model *m = find(&ms, "__errno_location");
    assert_true(m->errno_location.present);
    assert_int_equal(m->errno_location.nwould_block, 1);
    assert_true(m->errno_location.would_block[0] == 11);
    m = find(&ms, "__error");
    assert_int_equal(m->errno_location.nwould_block, 2);
    assert_true(m->errno_location.would_block[1] == 35);
    assert_false(find(&ms, "plain")->errno_location.present);
    /* a later definition can remove it, or leave it alone */
    load_ok(&ms, "library: demo\nfunctions:\n  __error: {errno_location: false}\n"
                 "  __errno_location: {nonblocking: false}\n");
    assert_false(find(&ms, "__error")->errno_location.present);
    assert_true(find(&ms, "__errno_location")->errno_location.present);
    tl_models_free(&ms);

    expect_error("library: x\nfunctions:\n  f: {errno_location: {would_block: []}}\n", 3, "'would_block'",
                 "1 to 4 integers");
    expect_error("library: x\nfunctions:\n  f: {errno_location: {}}\n", 3, "'would_block'", "EAGAIN");
    expect_error("library: x\nfunctions:\n  f: {errno_location: {would_block: [x]}}\n", 3, "'would_block'",
                 "'x'");
    expect_error("library: x\nfunctions:\n  f: {errno_location: {again: [11]}}\n", 3, "again", NULL);
    expect_error("library: x\nfunctions:\n  f: {errno_location: 11}\n", 3, "'errno_location'", "false");
}

/* blocking.unless_record_field: a path that is a socket's name. */
static void test_unless_record_field(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  rm: {blocking: {unless_record_field: {arg: 1, field: sockaddr_un.sun_path}}}\n"
                 "  plain: {blocking: true}\n");
    const tl_fn_model *m = find(&ms, "rm");
    assert_int_equal(m->blocking.unless_record_field_arg, 1);
    assert_string_equal(m->blocking.unless_record_field, "sockaddr_un.sun_path");
    assert_int_equal(find(&ms, "plain")->blocking.unless_record_field_arg, -1);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_record_field: {arg: 0}}}\n", 3,
                 "'unless_record_field'", "'field'");
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_record_field: {arg: 0, field: sun_path}}}\n", 3,
                 "'field'", "RECORD.FIELD");
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_record_field: {arg: 0, field: a.b.c}}}\n", 3,
                 "'field'", "RECORD.FIELD");
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_record_field: {arg: x, field: a.b}}}\n", 3,
                 "'arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_record_field: {arg: 0, field: a.b, mask: 1}}}\n",
                 3, "mask", NULL);
}

/* The in-flight facets: part_of, prepare, descriptor, start's success and
 * await's counts. */
static void test_inflight_facets(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  slot: {part_of: 0}\n"
                 "  prep_recv: {prepare: {arg: 0, op: peer}}\n"
                 "  prep_nop: {prepare: {arg: 1, op: complete}}\n"
                 "  prep_read: {prepare: {arg: 0, op: fd_io, fd_arg: 1}}\n"
                 "  prep_cancel: {prepare: {arg: 0, op: cancel}}\n"
                 "  sock: {descriptor: {kind: peer}}\n"
                 "  mkpipe: {descriptor: {kind: peer, arg: 0}}\n"
                 "  fopen_: {descriptor: {kind: file}}\n"
                 "  submit: {start: {arg: 0, success: count}}\n"
                 "  submit_plain: {start: 0}\n"
                 "  wait1: {await: {arg: 0, count: 1}}\n"
                 "  waitn: {await: {arg: 0, count_arg: 2, submits: true, keeps: true}}\n"
                 "  waitall: {await: 0}\n");
    assert_true(find(&ms, "slot")->part_of.present);
    assert_int_equal(find(&ms, "slot")->part_of.arg, 0);
    const tl_prepare_facet *p = &find(&ms, "prep_recv")->prepare;
    assert_true(p->present && p->arg == 0 && p->op == TL_OP_PEER && p->fd_arg == -1);
    p = &find(&ms, "prep_nop")->prepare;
    assert_true(p->present && p->arg == 1 && p->op == TL_OP_COMPLETE);
    p = &find(&ms, "prep_read")->prepare;
    assert_true(p->present && p->op == TL_OP_FD_IO && p->fd_arg == 1);
    assert_int_equal(find(&ms, "prep_cancel")->prepare.op, TL_OP_CANCEL);
    const tl_descriptor_facet *d = &find(&ms, "sock")->descriptor;
    assert_true(d->present && d->kind == TL_DESC_PEER && d->arg == -1);
    d = &find(&ms, "mkpipe")->descriptor;
    assert_true(d->present && d->kind == TL_DESC_PEER && d->arg == 0);
    assert_int_equal(find(&ms, "fopen_")->descriptor.kind, TL_DESC_FILE);
    assert_int_equal(find(&ms, "fopen_")->descriptor.kind_if_arg, -1);
    assert_int_equal(find(&ms, "fopen_")->descriptor.from_arg, -1);
    assert_int_equal(find(&ms, "submit")->start_success, TL_SUCCESS_COUNT);
    assert_int_equal(find(&ms, "submit_plain")->start_success, TL_SUCCESS_ALWAYS);
    const tl_reap_facet *a = &find(&ms, "wait1")->reap;
    assert_true(find(&ms, "wait1")->await.present);
    assert_true(a->has_count && a->count == 1 && !a->has_count_arg && !a->submits);
    a = &find(&ms, "waitn")->reap;
    assert_true(a->has_count_arg && a->count_arg == 2 && a->submits && a->keeps && !a->has_count);
    assert_false(find(&ms, "wait1")->reap.keeps);
    a = &find(&ms, "waitall")->reap;
    assert_true(find(&ms, "waitall")->await.present && !a->has_count && !a->has_count_arg);
    assert_false(find(&ms, "waitall")->prepare.present);
    /* a later definition merges: replaces one facet, keeps the others */
    load_ok(&ms, "library: demo\nfunctions:\n  prep_read: {prepare: {arg: 0, op: peer}}\n"
                 "  slot: {part_of: false}\n");
    assert_int_equal(find(&ms, "prep_read")->prepare.op, TL_OP_PEER);
    assert_false(find(&ms, "slot")->part_of.present);
    tl_models_free(&ms);

    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: fd_io}}\n", 3,
                 "'op: fd_io'", "needs 'fd_arg'");
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: peer, fd_arg: 1}}\n", 3,
                 "'fd_arg'", "only used with 'op: fd_io'");
    expect_error("library: x\nfunctions:\n  f: {prepare: {op: peer}}\n", 3,
                 "needs 'arg' and 'op'", NULL);
    expect_error("library: x\nfunctions:\n  f: {prepare: {arg: 0, op: sometimes}}\n", 3,
                 "peer", "fd_io");
    expect_error("library: x\nfunctions:\n  f: {descriptor: {arg: 0}}\n", 3, "needs 'kind'", NULL);
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, count: 1, count_arg: 2}}\n", 3,
                 "either 'count' or 'count_arg'", NULL);
    /* descriptors whose kind depends on an argument or on another descriptor */
    tl_models_init(&ms);
    load_ok(&ms, "library: fams\nfunctions:\n"
                 "  mksock: {descriptor: {kind: peer, kind_if: {arg: 0, values: [38, 39], kind: kernel}}}\n"
                 "  take: {descriptor: {kind: peer, from_arg: 0}}\n");
    d = &find(&ms, "mksock")->descriptor;
    assert_true(d->kind == TL_DESC_PEER && d->kind_if_arg == 0 && d->nkind_if_values == 2);
    assert_true(d->kind_if_values[1] == 39 && d->kind_if_kind == TL_DESC_KERNEL && d->from_arg == -1);
    d = &find(&ms, "take")->descriptor;
    assert_true(d->from_arg == 0 && d->kind_if_arg == -1);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {descriptor: {kind: peer, kind_if: {arg: 0, kind: kernel}}}\n",
                 3, "'kind_if'", "needs 'arg', 'values' and 'kind'");
    expect_error("library: x\nfunctions:\n  f: {descriptor: {kind: remote}}\n", 3, "kernel", NULL);
    /* event loops: the wait's kind there, the calls that dispatch */
    tl_models_init(&ms);
    load_ok(&ms, "library: loopy\nfunctions:\n"
                 "  lwait: {wait: {kind: io, kind_in_event_loop: loop}}\n"
                 "  lplain: {wait: {kind: io}}\n"
                 "  batch: {dispatch: true}\n");
    assert_int_equal(find(&ms, "lwait")->wait.kind_in_event_loop, TL_WAIT_LOOP);
    assert_int_equal(find(&ms, "lplain")->wait.kind_in_event_loop, TL_WAIT_NONE);
    assert_true(find(&ms, "batch")->dispatch);
    assert_false(find(&ms, "lwait")->dispatch);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: io, kind_in_event_loop: forever}}\n", 3,
                 "kind_in_event_loop", "loop");
    expect_error("library: x\nfunctions:\n  f: {dispatch: 2}\n", 3, "dispatch", NULL);
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, keeps: true}}\n", 3,
                 "'keeps'", "needs 'count' or 'count_arg'");
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, count: -1}}\n", 3,
                 "'count'", "0 or more");
    expect_error("library: x\nfunctions:\n  f: {start: {arg: 0, count: 1}}\n", 3, "count", NULL);
    expect_error("library: x\nfunctions:\n  f: {teardown: {arg: 0, success: count}}\n", 3,
                 "success", NULL);
    expect_error("library: x\nfunctions:\n  f: {start: {arg: 0, success: most}}\n", 3,
                 "nonnegative", "count");
}

/* RECORD.FIELD entries: a function-pointer field whose stored functions are
 * callbacks (ev_io.cb), found by the field's USR; and blocking only under
 * the strict profile. */
static void test_field_callbacks_and_strict_blocking(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  ev_io.cb: {callback: {context: loop, readiness: true}}\n"
                 "  _GSourceFuncs.dispatch: {callback: {context: loop}}\n"
                 "  anon_t.fn: {callback: {context: thread}}\n"
                 "  slow_rm: {blocking: {strict: true, replacement: \"later\"}}\n"
                 "  fast_rm: {blocking: true}\n");
    tl_models_finish(&ms);
    const tl_fn_model *f = tl_models_find_field(&ms, "c:@S@ev_io@FI@cb");
    assert_non_null(f);
    assert_string_equal(f->name, "ev_io.cb");
    assert_true(f->callback.present && f->callback.readiness);
    assert_int_equal(f->callback.nargs, 0);
    assert_int_equal(f->callback.context, TL_CTX_LOOP_CALLBACK);
    assert_non_null(tl_models_find_field(&ms, "c:@S@_GSourceFuncs@FI@dispatch"));
    f = tl_models_find_field(&ms, "c:@SA@anon_t@FI@fn"); /* typedef'd anonymous struct */
    assert_non_null(f);
    assert_int_equal(f->callback.context, TL_CTX_THREAD);
    /* other fields, records, non-field USRs, nested and local records */
    assert_null(tl_models_find_field(&ms, "c:@S@ev_io@FI@fd"));
    assert_null(tl_models_find_field(&ms, "c:@S@ev_timer@FI@cb"));
    assert_null(tl_models_find_field(&ms, "c:@F@ev_io"));
    assert_null(tl_models_find_field(&ms, "c:t.c@362@F@f@U@t.c@362@FI@cb"));
    assert_null(tl_models_find_field(&ms, "c:@S@@FI@cb"));
    assert_null(tl_models_find_field(&ms, NULL));
    assert_null(tl_models_find_field(&ms, "c:@S@ev_io@FI@cb@x"));
    assert_non_null(tl_models_find_field(&ms, "c:@S@outer@S@ev_io@FI@cb")); /* nested: its own tag */
    /* a field entry is not a callee */
    assert_null(tl_models_find_field(&ms, "c:@S@slow@FI@rm"));
    assert_true(find(&ms, "slow_rm")->blocking.strict_only);
    assert_false(find(&ms, "fast_rm")->blocking.strict_only);
    tl_models_free(&ms);

    expect_error("library: x\nfunctions:\n  ev_io.cb: {callback: {args: [1], context: loop}}\n", 3,
                 "of a field takes no 'args'", NULL);
    expect_error("library: x\nfunctions:\n  ev_io.cb: {blocking: true}\n", 3,
                 "field 'ev_io.cb' takes only a 'callback' or 'request_flags' facet", NULL);
    expect_error("library: x\nfunctions:\n  ev_io.cb.x: {callback: {context: loop}}\n", 3,
                 "neither a function name nor RECORD.FIELD", NULL);
    expect_error("library: x\nfunctions:\n  .cb: {callback: {context: loop}}\n", 3,
                 "neither a function name nor RECORD.FIELD", NULL);
    expect_error("library: x\nfunctions:\n  ev-io.cb: {callback: {context: loop}}\n", 3,
                 "neither a function name nor RECORD.FIELD", NULL);
    expect_error("library: x\nfunctions:\n  f: {callback: {context: loop}}\n", 3,
                 "needs 'args' and 'context'", NULL);
    expect_error("library: x\nfunctions:\n  ev_io.cb: {callback: {readiness: true}}\n", 3,
                 "needs 'context'", NULL);
    expect_error("library: x\nfunctions:\n  f: {blocking: {strict: maybe}}\n", 3, "'strict'", NULL);
}

/* Argument-dependent blocking and descriptor-state facets. */
static void test_descriptor_facets(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  lookup: {blocking: {unless_numeric_address: 0, unless_field_flag: {arg: 2, field: ai_flags, mask: 4}}}\n"
                 "  resolve: {wait: {timeout_arg: 2, forever: [negative], kind: peer, unless_numeric_address: 1}}\n"
                 "  rd: {blocking: {fd_io: true, fd_arg: 1}}\n"
                 "  plain_rd: {blocking: {fd_io: true}}\n"
                 "  mk: {fd_state: {result: true, sets: nonblocking, if_flag: {arg: 1, mask: 0x800}}}\n"
                 "  setfl: {fd_state: {arg: 0, sets: [nonblocking, ready], if_value: {arg: 1, values: [4]},\n"
                 "                     if_flag: {arg: 2, mask: 0x800}}}\n"
                 "  fileno: {fd_state: {arg: 1, out: true, from_arg: 0}}\n"
                 "  mkpair: {fd_state: {arg: 3, array: 2, sets: nonblocking, if_flag: {arg: 1, mask: 0x800}}}\n"
                 "  getfl: {fd_flags: {arg: 0, mask: 0x800, if_value: {arg: 1, values: [3]}}}\n"
                 "  flagsof: {fd_flags: {arg: 1, mask: 4}}\n"
                 "  waitfd: {readiness_wait: {arg: 0}}\n"
                 "  waitz: {readiness_wait: {arg: 0, success: zero}}\n"
                 "  waitnz: {readiness_wait: {arg: 0, success: nonzero}}\n"
                 "  pollone: {readiness_wait: {arg: 0, field: fd, if_value: {arg: 1, value: 1}, success: positive}}\n"
                 "  watch: {watch_fd: 2}\n"
                 "  reg: {callback: {args: [3], context: loop, readiness: true, ready_param: 0, fd_arg: 1,\n"
                 "                   data_arg: 4, data_param: 2}}\n"
                 "  reg_plain: {callback: {args: [0], context: loop, readiness: true}}\n"
                 "  reg_handle: {callback: {args: [1], context: loop, handle_param: 0}}\n"
                 "  reg_loop: {callback: {args: [3], context: loop, readiness: true, fd_arg: 1, data_arg: 4,\n"
                 "                        data_param: 2, loop_arg: 0}}\n"
                 "  run_loop: {blocking: {unless_running_loop: 0}}\n"
                 "  w_io.cb: {callback: {context: loop, readiness: true, ready_param: 1, ready_field: fd}}\n"
                 "  popen: {immediate_path: &pf {arg: 0, paths: [\"/proc\", \"/sys\"],\n"
                 "                              except: [\"/proc/kmsg\", \"/proc/*/fd\", \"**/..\"]}}\n"
                 "  popenat: {immediate_path: {<<: *pf, arg: 1}}\n"
                 "  pone: {immediate_path: {arg: 0, paths: \"/proc/self/stat\"}}\n"
                 "  sgets: {blocking: {unless_immediate: 2}}\n"
                 "  sock: {descriptor: {kind: peer, datagram_if: {arg: 1, mask: 0xf, values: [2, 3]}}}\n"
                 "  conn: {blocking: {fd_io: true, unless_datagram: 0}}\n");
    const tl_immediate_path_facet *ip = &find(&ms, "popen")->immediate_path;
    assert_true(ip->present && ip->arg == 0);
    assert_true(tl_immediate_path_matches(ip, "\"/proc/self/stat\""));
    assert_true(tl_immediate_path_matches(ip, "\"/proc\""));
    assert_true(tl_immediate_path_matches(ip, "\"/sys/fs/cgroup/memory.max\""));
    assert_false(tl_immediate_path_matches(ip, "\"/procfs/x\""));       /* a name, not a prefix of one */
    assert_false(tl_immediate_path_matches(ip, "\"/proc/kmsg\""));
    assert_false(tl_immediate_path_matches(ip, "\"/proc/self/fd/0\""));  /* under an exception */
    assert_false(tl_immediate_path_matches(ip, "\"/proc/12/fd\""));
    assert_false(tl_immediate_path_matches(ip, "\"/proc/self/../../tmp/fifo\""));
    assert_false(tl_immediate_path_matches(ip, "\"/tmp/x\""));
    assert_false(tl_immediate_path_matches(ip, "/proc/self/stat"));      /* not a spelled literal */
    assert_false(tl_immediate_path_matches(ip, "\"/proc/a\\\"b\""));      /* an escape */
    assert_false(tl_immediate_path_matches(ip, NULL));
    assert_true(find(&ms, "popenat")->immediate_path.arg == 1);
    assert_true(tl_immediate_path_matches(&find(&ms, "popenat")->immediate_path, "\"/sys/x\""));
    assert_false(tl_immediate_path_matches(&find(&ms, "popenat")->immediate_path, "\"/proc/kmsg\""));
    ip = &find(&ms, "pone")->immediate_path;
    assert_true(tl_immediate_path_matches(ip, "\"/proc/self/stat\"") && !tl_immediate_path_matches(ip, "\"/proc/self\""));
    assert_int_equal(find(&ms, "sgets")->blocking.unless_immediate_arg, 2);
    assert_int_equal(find(&ms, "lookup")->blocking.unless_immediate_arg, -1);
    assert_false(find(&ms, "lookup")->immediate_path.present);
    const tl_blocking_facet *b = &find(&ms, "lookup")->blocking;
    assert_int_equal(b->unless_numeric_arg, 0);
    assert_int_equal(b->unless_field_arg, 2);
    assert_string_equal(b->unless_field, "ai_flags");
    assert_true(b->unless_field_mask == 4);
    assert_int_equal(find(&ms, "resolve")->wait.unless_numeric_arg, 1);
    assert_int_equal(find(&ms, "rd")->blocking.fd_arg, 1);
    assert_int_equal(find(&ms, "plain_rd")->blocking.fd_arg, 0);
    assert_int_equal(find(&ms, "plain_rd")->blocking.unless_numeric_arg, -1);
    assert_int_equal(find(&ms, "plain_rd")->blocking.unless_field_arg, -1);
    const tl_fd_state_facet *d = &find(&ms, "mk")->fd_state;
    assert_true(d->present && d->result && d->arg == -1 && d->sets == TL_FDS_NONBLOCKING);
    assert_true(d->if_flag_arg == 1 && d->if_flag_mask == 0x800 && d->if_value_arg == -1 && d->from_arg == -1);
    d = &find(&ms, "setfl")->fd_state;
    assert_true(!d->result && d->arg == 0 && d->sets == (TL_FDS_NONBLOCKING | TL_FDS_READY));
    assert_true(d->if_value_arg == 1 && d->nif_values == 1 && d->if_values[0] == 4);
    d = &find(&ms, "fileno")->fd_state;
    assert_true(d->out && d->arg == 1 && d->from_arg == 0 && d->sets == 0 && d->array == 0);
    d = &find(&ms, "mkpair")->fd_state;
    assert_true(d->arg == 3 && d->array == 2 && !d->out && d->if_flag_arg == 1);
    const tl_fd_flags_facet *fl = &find(&ms, "getfl")->fd_flags;
    assert_true(fl->present && fl->arg == 0 && fl->mask == 0x800);
    assert_true(fl->if_value_arg == 1 && fl->nif_values == 1 && fl->if_values[0] == 3);
    fl = &find(&ms, "flagsof")->fd_flags;
    assert_true(fl->present && fl->arg == 1 && fl->mask == 4 && fl->if_value_arg == -1);
    assert_false(find(&ms, "mk")->fd_flags.present);
    const tl_readiness_wait_facet *w = &find(&ms, "waitfd")->readiness_wait;
    assert_true(w->present && w->arg == 0 && w->field[0] == '\0' && w->if_value_arg == -1);
    w = &find(&ms, "pollone")->readiness_wait;
    assert_true(w->arg == 0 && strcmp(w->field, "fd") == 0 && w->if_value_arg == 1 && w->if_value == 1);
    assert_int_equal(w->success, TL_RW_SUCCESS_POSITIVE);
    assert_int_equal(find(&ms, "waitfd")->readiness_wait.success, TL_RW_SUCCESS_ANY);
    assert_int_equal(find(&ms, "waitz")->readiness_wait.success, TL_RW_SUCCESS_ZERO);
    assert_int_equal(find(&ms, "waitnz")->readiness_wait.success, TL_RW_SUCCESS_NONZERO);
    assert_true(find(&ms, "watch")->watch_fd.present && find(&ms, "watch")->watch_fd.arg == 2);
    assert_false(find(&ms, "mk")->watch_fd.present);
    const tl_callback_facet *cb = &find(&ms, "reg")->callback;
    assert_true(cb->readiness && cb->ready_param == 0 && cb->fd_arg == 1);
    assert_true(cb->data_arg == 4 && cb->data_param == 2);
    cb = &find(&ms, "reg_plain")->callback;
    assert_true(cb->readiness && cb->ready_param == -1 && cb->fd_arg == -1);
    assert_true(cb->data_arg == -1 && cb->data_param == -1 && cb->ready_field[0] == '\0');
    assert_int_equal(cb->handle_param, -1);
    assert_int_equal(find(&ms, "reg_handle")->callback.handle_param, 0);
    assert_int_equal(find(&ms, "reg_handle")->callback.loop_arg, -1);
    assert_int_equal(find(&ms, "reg_loop")->callback.loop_arg, 0);
    assert_int_equal(find(&ms, "run_loop")->blocking.unless_running_loop_arg, 0);
    assert_int_equal(find(&ms, "reg_loop")->blocking.unless_running_loop_arg, -1);
    cb = &find(&ms, "w_io.cb")->callback;
    assert_true(cb->readiness && cb->ready_param == 1 && cb->nargs == 0);
    assert_string_equal(cb->ready_field, "fd");
    char key[64];
    assert_true(tl_models_field_key("c:@S@w_io@FI@fd", key, sizeof key));
    assert_string_equal(key, "w_io.fd");
    assert_false(tl_models_field_key("c:@F@main@x", key, sizeof key));
    assert_false(tl_models_field_key("c:@S@w_io@FI@fd", key, 6)); /* too long for the buffer */
    /* merge: a later definition replaces or removes the facet */
    load_ok(&ms, "library: demo\nfunctions:\n  mk: {fd_state: false}\n  waitfd: {readiness_wait: false}\n"
                 "  flagsof: {fd_flags: false}\n");
    assert_false(find(&ms, "mk")->fd_state.present);
    assert_false(find(&ms, "flagsof")->fd_flags.present);
    assert_true(find(&ms, "getfl")->fd_flags.present);
    assert_false(find(&ms, "waitfd")->readiness_wait.present);
    /* a copy keeps them */
    tl_model_set cp;
    assert_int_equal(tl_models_copy(&cp, &ms), 0);
    assert_string_equal(find(&cp, "lookup")->blocking.unless_field, "ai_flags");
    assert_string_equal(find(&cp, "w_io.cb")->callback.ready_field, "fd");
    assert_true(find(&cp, "pollone")->readiness_wait.present);
    assert_int_equal(find(&cp, "sock")->descriptor.datagram_if_arg, 1);
    assert_true(find(&cp, "sock")->descriptor.datagram_if_mask == 0xf);
    assert_int_equal(find(&cp, "sock")->descriptor.ndatagram_if_values, 2);
    assert_true(find(&cp, "sock")->descriptor.datagram_if_values[1] == 3);
    assert_int_equal(find(&cp, "conn")->blocking.unless_datagram_arg, 0);
    assert_int_equal(find(&cp, "plain_rd")->blocking.unless_datagram_arg, -1);
    expect_error("library: x\nfunctions:\n  s: {descriptor: {kind: peer, datagram_if: {arg: 1, values: [2]}}}\n", 3,
                 "'datagram_if'", "'mask'");
    expect_error("library: x\nfunctions:\n  s: {descriptor: {kind: peer, datagram_if: {arg: 1, mask: 15, values: 2}}}\n",
                 3, "'values'", NULL);
    assert_true(tl_immediate_path_matches(&find(&cp, "popen")->immediate_path, "\"/sys/x\""));
    assert_false(tl_immediate_path_matches(&find(&cp, "popen")->immediate_path, "\"/proc/kmsg\""));
    tl_models_free(&cp);
    tl_models_free(&ms);

    const char *h = "library: x\nfunctions:\n";
    char buf[512];
#define ERR(body, line, col, w1, w2)                         \
    do {                                                     \
        snprintf(buf, sizeof buf, "%s%s", h, body);          \
        expect_error_at(buf, line, col, w1, w2);             \
    } while (0)
    ERR("  f: {blocking: {unless_numeric_address: -1}}\n", 3, 42, "'unless_numeric_address'", "argument index");
    ERR("  f: {blocking: {unless_field_flag: {arg: 2, mask: 4}}}\n", 3, 37, "needs 'arg', 'field' and 'mask'", NULL);
    ERR("  f: {blocking: {unless_field_flag: {arg: 2, field: a-b, mask: 4}}}\n", 3, 53, "'field'", "C identifier");
    ERR("  f: {blocking: {unless_field_flag: {arg: 2, field: f, mask: 0}}}\n", 3, 0, "'mask'", "must not be 0");
    ERR("  f: {blocking: {fd_arg: 1}}\n", 3, 26, "'fd_arg'", "needs 'fd_io: true'");
    ERR("  f: {fd_state: {sets: nonblocking}}\n", 3, 0, "exactly one of 'result: true' and 'arg'", NULL);
    ERR("  f: {fd_state: {result: true, arg: 0, sets: ready}}\n", 3, 0, "exactly one of", NULL);
    ERR("  f: {fd_state: {arg: 0}}\n", 3, 0, "exactly one of 'sets' and 'from_arg'", NULL);
    ERR("  f: {fd_state: {arg: 0, sets: closed}}\n", 3, 32, "unknown value 'closed'", "nonblocking, ready");
    ERR("  f: {fd_state: {result: true, out: true, sets: ready}}\n", 3, 0, "'out'", "needs 'arg'");
    ERR("  f: {fd_state: {arg: 0, sets: ready, if_flag: {arg: 1}}}\n", 3, 0, "needs 'arg' and 'mask'", NULL);
    ERR("  f: {fd_state: {arg: 0, sets: ready, if_value: {arg: 1, values: []}}}\n", 3, 0, "'values'", "1 to 4");
    ERR("  f: {fd_state: {arg: 0, sets: ready, when: 1}}\n", 3, 39, "'when'", NULL);
    ERR("  f: {fd_state: {arg: 0, array: 9, sets: ready}}\n", 3, 0, "'array'", "1 to 8");
    ERR("  f: {fd_state: {result: true, array: 2, sets: ready}}\n", 3, 0, "'array'", "needs 'arg'");
    ERR("  f: {fd_state: {arg: 0, out: true, array: 2, sets: ready}}\n", 3, 0, "'array'", "no 'out'");
    ERR("  f: {fd_flags: {arg: 0}}\n", 3, 0, "'fd_flags'", "needs 'arg' and 'mask'");
    ERR("  f: {fd_flags: {arg: 0, mask: 0}}\n", 3, 0, "'mask'", "must not be 0");
    ERR("  f: {fd_flags: {arg: 0, mask: 4, if_value: {arg: 1}}}\n", 3, 0, "needs 'arg' and 'values'", NULL);
    ERR("  f: {fd_flags: {arg: 0, mask: 4, sets: ready}}\n", 3, 0, "'sets'", NULL);
    ERR("  f: {immediate_path: {arg: 0}}\n", 3, 0, "needs 'arg' and 'paths'", NULL);
    ERR("  f: {immediate_path: {arg: 0, paths: []}}\n", 3, 0, "'paths'", "at least one");
    ERR("  f: {immediate_path: {arg: 0, paths: [\"proc\"]}}\n", 3, 0, "bad path glob", "absolute");
    ERR("  f: {immediate_path: {arg: 0, paths: [\"/proc\"], except: [\"/proc/[x\"]}}\n", 3, 0, "bad path glob", NULL);
    ERR("  f: {immediate_path: {arg: 0, paths: [[1]]}}\n", 3, 0, "bad path glob", "not a string");
    ERR("  f: {immediate_path: {arg: 0, paths: [\"/proc\"], prefix: 1}}\n", 3, 0, "'prefix'", NULL);
    ERR("  f: {blocking: {unless_immediate: x}}\n", 3, 0, "'unless_immediate'", "argument index");
    ERR("  f: {readiness_wait: {field: fd}}\n", 3, 0, "needs 'arg'", NULL);
    ERR("  f: {readiness_wait: {arg: 0, if_value: {arg: 1}}}\n", 3, 0, "needs 'arg' and 'value'", NULL);
    ERR("  f: {readiness_wait: {arg: 0, field: 9fd}}\n", 3, 0, "'field'", "C identifier");
    ERR("  f: {readiness_wait: {arg: 0, success: ok}}\n", 3, 41, "unknown value 'ok'", "zero, nonzero, positive");
    ERR("  f: {watch_fd: {arg: x}}\n", 3, 0, "'arg'", "argument index");
    ERR("  f: {callback: {args: [0], context: loop, ready_param: 0}}\n", 3, 0, "'ready_param'", "needs 'readiness: true'");
    ERR("  f: {callback: {args: [0], context: loop, readiness: true, fd_arg: 99}}\n", 3, 0, "'fd_arg'", "argument index");
    ERR("  f: {callback: {args: [0], context: loop, readiness: true, ready_field: fd}}\n", 3, 0, "'ready_field'",
        "needs 'ready_param'");
    ERR("  f.cb: {callback: {context: loop, readiness: true, ready_param: 1, ready_field: 2fd}}\n", 3, 0,
        "'ready_field'", "C identifier");
    ERR("  f: {callback: {args: [0], context: loop, readiness: true, fd_arg: 1, data_arg: 2}}\n", 3, 0,
        "'data_arg' and 'data_param'", "go together");
    ERR("  f: {callback: {args: [0], context: loop, readiness: true, data_arg: 2, data_param: 1}}\n", 3, 0,
        "with 'fd_arg'", NULL);
#undef ERR
}

/* Child processes: spawn success `positive` with `child_if_zero`, release
 * `how: reap`, `release_all` with its `when` conditions, `self_handle`. */
static void test_process_facets(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: demo\n"
                 "functions:\n"
                 "  fork: {spawn: {handle: result, success: positive, child_if_zero: true, task: child process}}\n"
                 "  vfork: {spawn: {handle: result, success: positive, child_if_zero: true,"
                 " parent_waits_child: true}}\n"
                 "  reap: {release: {arg: 0, how: reap}}\n"
                 "  cancel_it: {release: {arg: 0, how: close, cancels: true}}\n"
                 "  reap_any: {release_all: {task: child process}}\n"
                 "  reap_if: {release_all: {task: child process, when: [{arg: 0, values: [-1, 0]}, {arg: 2, values: 1}]}}\n"
                 "  reap_one_cond: {release_all: {task: t, when: {arg: 1, values: [17]}}}\n"
                 "  my_pid: {self_handle: {task: child process}}\n");
    const tl_fn_model *f = find(&ms, "fork");
    assert_int_equal(f->spawn.success, TL_SUCCESS_POSITIVE);
    assert_true(f->spawn.child_if_zero);
    assert_false(f->spawn.parent_waits_child);
    assert_string_equal(f->spawn.task, "child process");
    assert_true(find(&ms, "vfork")->spawn.parent_waits_child);
    assert_string_equal(find(&ms, "reap")->release.how, "reap");
    assert_false(find(&ms, "reap")->release.cancels);
    assert_true(find(&ms, "cancel_it")->release.cancels);
    assert_string_equal(find(&ms, "cancel_it")->release.how, "close");
    const tl_release_all_facet *ra = &find(&ms, "reap_any")->release_all;
    assert_true(ra->present);
    assert_string_equal(ra->task, "child process");
    assert_int_equal(ra->nwhen, 0);
    ra = &find(&ms, "reap_if")->release_all;
    assert_int_equal(ra->nwhen, 2);
    assert_int_equal(ra->when[0].arg, 0);
    assert_int_equal(ra->when[0].nvalues, 2);
    assert_true(ra->when[0].values[0] == -1 && ra->when[0].values[1] == 0);
    assert_int_equal(ra->when[1].arg, 2);
    assert_int_equal(ra->when[1].nvalues, 1);
    assert_true(ra->when[1].values[0] == 1);
    ra = &find(&ms, "reap_one_cond")->release_all;
    assert_int_equal(ra->nwhen, 1);
    assert_true(ra->when[0].arg == 1 && ra->when[0].values[0] == 17);
    const tl_self_handle_facet *sh = &find(&ms, "my_pid")->self_handle;
    assert_true(sh->present);
    assert_string_equal(sh->task, "child process");
    assert_false(find(&ms, "reap_any")->self_handle.present);
    /* conditions on values */
    tl_cval minus1 = {TL_CV_INT, -1, -1}, seven = {TL_CV_INT, 7, -1}, null = {TL_CV_NULL, 0, -1},
            unknown = {TL_CV_UNKNOWN, 0, -1};
    const tl_arg_values *w0 = &find(&ms, "reap_if")->release_all.when[0];
    assert_true(tl_arg_value_in(w0, &minus1));
    assert_true(tl_arg_value_in(w0, &null));
    assert_false(tl_arg_value_in(w0, &seven));
    assert_false(tl_arg_value_in(w0, &unknown));
    /* a copy keeps the task noun; a later definition removes the facet */
    tl_model_set cp;
    assert_int_equal(tl_models_copy(&cp, &ms), 0);
    assert_string_equal(find(&cp, "reap_any")->release_all.task, "child process");
    assert_string_equal(find(&cp, "my_pid")->self_handle.task, "child process");
    tl_models_free(&cp);
    load_ok(&ms, "library: demo\nfunctions:\n  reap_any: {release_all: false}\n  my_pid: {self_handle: false}\n");
    assert_false(find(&ms, "reap_any")->release_all.present);
    assert_false(find(&ms, "my_pid")->self_handle.present);
    tl_models_free(&ms);

    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: result, child_if_zero: true}}\n", 3,
                 "'child_if_zero' needs 'handle: result' and 'success: positive'", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: result, parent_waits_child: true}}\n", 3,
                 "'parent_waits_child' needs 'child_if_zero'", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: result, success: postive}}\n", 3,
                 "unknown value 'postive'", "did you mean 'positive'");
    expect_error("library: x\nfunctions:\n  f: {release: {arg: 0, how: reaped}}\n", 3, "unknown value 'reaped'",
                 "reap");
    expect_error_at("library: x\nfunctions:\n  f: {release: {arg: 0, how: close, cancels: yes}}\n", 3, 46,
                    "'cancels'", "must be true or false");
    expect_error("library: x\nfunctions:\n  f: {release_all: {when: [{arg: 0, values: [1]}]}}\n", 3,
                 "'release_all'", "needs 'task'");
    expect_error("library: x\nfunctions:\n  f: {self_handle: {}}\n", 3, "'self_handle'", "needs 'task'");
    expect_error("library: x\nfunctions:\n  f: {self_handle: {task: t, arg: 0}}\n", 3, "unknown key 'arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {self_handle: yes}\n", 3, "'self_handle'", "{task: NOUN}");
    expect_error("library: x\nfunctions:\n  f: {release_all: {task: t, when: [{arg: 0}]}}\n", 3,
                 "needs 'arg' and 'values'", NULL);
    expect_error("library: x\nfunctions:\n  f: {release_all: {task: t, when: [{arg: 0, values: []}]}}\n", 3,
                 "'values'", "1 to 4");
    expect_error("library: x\nfunctions:\n  f: {release_all: {task: t, when: 3}}\n", 3, "'when'",
                 "1 to 4 conditions");
    expect_error("library: x\nfunctions:\n  f: {release_all: {task: t, when: [{arg: 0, value: [1]}]}}\n", 3,
                 "unknown key 'value'", NULL);
}

static void test_lookup(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    assert_null(tl_models_find(&ms, "anything")); /* empty set */
    load_ok(&ms, full_doc);
    tl_models_finish(&ms);
    assert_null(tl_models_find(&ms, "no_such_function"));
    assert_null(tl_models_find(&ms, ""));
    assert_null(tl_models_find(&ms, NULL));
    assert_null(tl_models_find(&ms, "spawn_i"));
    assert_null(tl_models_find(&ms, "spawn_itt"));
    /* sorted: every name is found, and in order */
    for (size_t i = 0; i < ms.nfns; i++) {
        assert_ptr_equal(tl_models_find(&ms, ms.fns[i].name), &ms.fns[i]);
        if (i) assert_true(strcmp(ms.fns[i - 1].name, ms.fns[i].name) < 0);
    }
    tl_models_free(&ms);
}

/* ---- errors ---- */

static void test_error_unknown_facet(void **state) {
    (void)state;
    expect_error("library: x\nfunctions:\n  f:\n    spwan: {handle: none}\n", 4,
                 "unknown facet 'spwan' in function 'f'", "did you mean 'spawn'?");
    expect_error("library: x\nfunctions:\n  f: {blocking: true, frobnicate: 1}\n", 3,
                 "unknown facet 'frobnicate'", "spawn, release, borrow");
}

static void test_error_unknown_key(void **state) {
    (void)state;
    expect_error("library: x\nfunctions:\n  f:\n    spawn: {hanlde: out}\n", 4,
                 "unknown key 'hanlde' in 'spawn' of function 'f'", "did you mean 'handle'?");
    expect_error("library: x\nfunctions:\n  f:\n    wait:\n      kind: peer\n      timeout: 2\n", 6,
                 "unknown key 'timeout'", "timeout_arg, forever, kind");
    /* generator: only in start, and a boolean */
    expect_error("library: x\nfunctions:\n  f: {await: {arg: 0, generator: true}}\n", 3,
                 "unknown key 'generator'", "arg");
    expect_error("library: x\nfunctions:\n  f: {start: {arg: 0, generator: 2}}\n", 3,
                 "generator", NULL);
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_flag: {arg: 1, bits: 4}}}\n", 3,
                 "unknown key 'bits'", "arg, mask");
    expect_error("library: x\nfuncs:\n  f: {}\n", 2, "unknown key 'funcs'",
                 "library, description, prefixes, functions, replacements");
}

static void test_error_unknown_value(void **state) {
    (void)state;
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peeer}}\n", 3,
                 "unknown value 'peeer' for 'kind' in 'wait' of function 'f'",
                 "peer, task, io, loop, accept, condition, join, sleep, bounded; did you mean 'peer'?");
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: outt, handle_arg: 0}}\n", 3,
                 "unknown value 'outt' for 'handle'", "none, result, out");
    expect_error("library: x\nfunctions:\n  f: {spawn: {success: ok}}\n", 3,
                 "unknown value 'ok' for 'success'", "always, zero, nonnegative, nonnull");
    expect_error("library: x\nfunctions:\n  f: {callback: {args: [1], context: fiber}}\n", 3,
                 "unknown value 'fiber' for 'context'", "coroutine, loop, thread");
    expect_error("library: x\nfunctions:\n  f: {release: {arg: 0, how: free}}\n", 3,
                 "unknown value 'free' for 'how'", "join, close, detach, destroy");
    expect_error("library: x\nfunctions:\n\n  f:\n    wait:\n      kind: loop\n"
                 "      kind_if: {arg: 1, value: 1, kind: pear}\n",
                 7, "unknown value 'pear' for 'kind' in 'wait.kind_if'", "did you mean 'peer'?");
    expect_error("library: x\nfunctions:\n  f: {wait: {timeout_arg: 1, forever: [infinite], kind: io}}\n",
                 3, "expected negative, null or an integer, not 'infinite'", NULL);
}

static void test_error_bad_int(void **state) {
    (void)state;
    expect_error("library: x\nfunctions:\n  f: {release: {arg: zero, how: join}}\n", 3,
                 "'arg' in 'release' of function 'f' must be an argument index", "not 'zero'");
    expect_error("library: x\nfunctions:\n  f: {release: {arg: -1, how: join}}\n", 3,
                 "must be an argument index", "not '-1'");
    expect_error("library: x\nfunctions:\n  f: {release: {arg: 64, how: join}}\n", 3,
                 "0..63", NULL);
    expect_error("library: x\nfunctions:\n  f: {release: {arg: \"1\", how: join}}\n", 3,
                 "must be an argument index", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {owner_arg: 3, no_owner_value: 1x}}\n", 3,
                 "'no_owner_value' in 'spawn' of function 'f' must be an integer", "not '1x'");
    expect_error("library: x\nfunctions:\n  f: {blocking: {if_value: {arg: 1, values: [7, 99999999999999999999]}}}\n",
                 3, "'values'", "must be an integer");
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_flag: {arg: 1, mask: [4]}}}\n", 3,
                 "'mask'", "must be an integer");
    expect_error("library: x\nfunctions:\n  f: {cooperative: yes}\n", 3,
                 "'cooperative' in function 'f' must be true or false", "not 'yes'");
    expect_error("library: x\nfunctions:\n  f: {borrow: [0, 1, 2, 3, 4]}\n", 3, "at most 4", NULL);
    expect_error("library: x\nfunctions:\n  f: {borrow: {arg: 1}}\n", 3, "list of argument indices",
                 NULL);
}

static void test_error_inconsistent(void **state) {
    (void)state;
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: out}}\n", 3,
                 "'handle: out' needs 'handle_arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {handle: result, handle_arg: 0}}\n", 3,
                 "only used with 'handle: out'", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {entry_arg: 1, entry_before: g}}\n", 3,
                 "either 'entry_arg' or 'entry_before'", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: {no_owner_value: -1}}\n", 3,
                 "'no_owner_value' needs 'owner_arg'", NULL);
    expect_error("library: x\nfunctions:\n  f:\n    wait: {forever: [null], kind: io}\n", 4,
                 "'forever' needs 'timeout_arg'", NULL);
    expect_error("library: x\nfunctions:\n  f:\n    wait: {timeout_arg: 1, kind: io}\n", 4,
                 "'timeout_arg' needs 'forever'", NULL);
    expect_error("library: x\nfunctions:\n  f:\n    wait: {timeout_arg: none}\n", 4,
                 "needs 'kind'", "peer, task");
    expect_error("library: x\nfunctions:\n  f: {release: {arg: 0}}\n", 3, "needs 'arg' and 'how'",
                 NULL);
    expect_error("library: x\nfunctions:\n  f: {callback: {context: loop}}\n", 3,
                 "needs 'args' and 'context'", NULL);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: loop, kind_if: {arg: 1}}}\n", 3,
                 "needs 'arg', 'value' and 'kind'", NULL);
    expect_error("library: x\nfunctions:\n  f: {blocking: {unless_flag: {arg: 1, mask: 0}}}\n", 3,
                 "must not be 0", NULL);
    expect_error("library: x\nfunctions:\n  f: {spawn: yes}\n", 3, "'spawn'", "or false to remove it");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: condition, kind_if_zero_init: task}}\n", 3,
                 "'kind_if_zero_init'", "needs 'object_arg'");
    expect_error("library: x\nfunctions:\n  f: {counter_init: {arg: 0}}\n", 3,
                 "'counter_init'", "needs 'arg' and 'value_arg'");
    expect_error("library: x\nfunctions:\n  f: {counter_init: 0}\n", 3,
                 "'counter_init'", "{arg: N, value_arg: M}");
    expect_error("library: x\nfunctions:\n  f:\n", 3, "function 'f' must be a mapping of facets", NULL);
    expect_error("library: x\nfunctions: [f, g]\n", 2, "'functions' must be a mapping", NULL);
    expect_error("library: x\nreplacements:\n  sleep: [a]\n", 3, "replacement for 'sleep'", NULL);
}

static void test_error_document(void **state) {
    (void)state;
    expect_error("functions:\n  f: {}\n", 1, "missing 'library: NAME'", NULL);
    expect_error("library:\nfunctions: {}\n", 1, "'library' must be a non-empty name", NULL);
    expect_error("", 1, "must be a mapping", NULL);
    expect_error("- a\n- b\n", 1, "must be a mapping", NULL);
    /* YAML errors come through with file:line:col */
    expect_error_at("library: x\nfunctions:\n  f: {spawn: {handle: out\n", 4, 1,
                    "the '{' at line 3, column 14 is never closed", NULL);
    expect_error_at("library: x\nfunctions:\n  f:\n    spawn: {}\n   blocking: true\n", 5, 4,
                    "did not find expected key", "check the indentation");
    expect_error_at("library: x\nfunctions:\n  f: {}\n  f: {}\n", 4, 3,
                    "duplicate key 'f' (first defined at line 3)", NULL);
}

/* A failing document changes nothing, even when its first part was valid. */
static void test_failed_load_is_atomic(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: a\nfunctions:\n  f: {blocking: true}\n");
    tl_model_error err;
    const char *bad = "library: b\nfunctions:\n  f: {blocking: false}\n  g: {noreturn: true}\n"
                      "  h: {bogus: 1}\nreplacements: {sleep: x}\n";
    assert_int_not_equal(tl_models_load_text(&ms, bad, strlen(bad), "bad.yaml", &err), 0);
    assert_non_null(strstr(err.msg, "bad.yaml:5:7: unknown facet 'bogus'"));
    tl_models_finish(&ms);
    assert_int_equal(ms.nfns, 1);
    assert_true(find(&ms, "f")->blocking.present);
    assert_null(tl_models_find(&ms, "g"));
    assert_int_equal(ms.nlibraries, 1);
    assert_int_equal(ms.nrepl, 0);
    tl_models_free(&ms);
}

/* ---- merging ---- */

static void test_merge_override(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: lib1\n"
                 "functions:\n"
                 "  f:\n"
                 "    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 2, context: thread}\n"
                 "    blocking: {if_null: 3, replacement: old}\n"
                 "    wait: {timeout_arg: 1, forever: [negative], kind: peer}\n"
                 "    cooperative: true\n"
                 "  g: {noreturn: true}\n"
                 "replacements: {sleep: one, usleep: two}\n");
    load_ok(&ms, "library: lib2\n"
                 "functions:\n"
                 "  f:\n"
                 "    blocking: {replacement: new}\n" /* replaces the whole facet */
                 "    wait: false\n"                  /* removes the facet */
                 "    borrow: [1]\n"                  /* adds a facet */
                 "  h: {blocking: true}\n"
                 "replacements: {sleep: three}\n");
    load_ok(&ms, "library: lib1\nreplacements: {sleep: four}\n");
    tl_models_finish(&ms);
    assert_int_equal(ms.nfns, 3);
    const tl_fn_model *f = find(&ms, "f");
    assert_string_equal(f->library, "lib1"); /* keeps the declaring library */
    assert_true(f->spawn.present);           /* not mentioned: kept */
    assert_int_equal(f->spawn.entry_arg, 2);
    assert_true(f->cooperative);
    assert_true(f->blocking.present);
    assert_int_equal(f->blocking.if_null_arg, -1);
    assert_string_equal(f->blocking.replacement, "new");
    assert_false(f->wait.present);
    assert_int_equal(f->nborrow, 1);
    assert_string_equal(find(&ms, "h")->library, "lib2");
    assert_true(find(&ms, "g")->noreturn);
    assert_int_equal(ms.nlibraries, 2);
    /* replacements are per library; a later one for the same callee wins */
    assert_string_equal(tl_models_replacement(&ms, "lib1", "sleep"), "four");
    assert_string_equal(tl_models_replacement(&ms, "lib1", "usleep"), "two");
    assert_string_equal(tl_models_replacement(&ms, "lib2", "sleep"), "three");
    assert_null(tl_models_replacement(&ms, "lib2", "usleep"));
    /* no library entry: the callee's own blocking replacement */
    assert_string_equal(tl_models_replacement(&ms, "lib2", "f"), "new");
    assert_string_equal(tl_models_replacement(&ms, NULL, "f"), "new");
    assert_null(tl_models_replacement(&ms, "lib1", "unknown"));
    tl_models_free(&ms);
}

static void test_copy_is_deep(void **state) {
    (void)state;
    tl_model_set a, b;
    tl_models_init(&a);
    load_ok(&a, full_doc);
    tl_models_finish(&a);
    assert_int_equal(tl_models_copy(&b, &a), 0);
    size_t n = a.nfns;
    tl_models_free(&a);
    assert_int_equal(b.nfns, n);
    assert_string_equal(find(&b, "go_prologue")->spawn.entry_before_call, "go_epilogue");
    assert_string_equal(find(&b, "cond_block")->blocking.replacement, "do it async");
    assert_string_equal(tl_models_replacement(&b, "demo", "sleep"), "timer()");
    load_ok(&b, "library: more\nfunctions: {extra: {noreturn: true}}\n");
    tl_models_finish(&b);
    assert_true(find(&b, "extra")->noreturn);
    tl_models_free(&b);
}

/* ---- the embedded library models ---- */

static void test_builtin_each_file_loads(void **state) {
    (void)state;
    size_t nfiles = 0;
    for (const struct tl_builtin_model *m = tl_builtin_models; m->name; m++, nfiles++) {
        tl_model_set ms;
        tl_models_init(&ms);
        tl_model_error err;
        if (tl_models_load_text(&ms, m->text, m->len, m->name, &err) != 0)
            fail_msg("%s does not load: %s", m->name, err.msg);
        assert_int_equal(ms.nlibraries, 1);
        assert_true(ms.nfns > 0);
        tl_models_free(&ms);
    }
    assert_true(nfiles >= 10);
    /* every .yaml file in rules/models is embedded */
    const char *src = getenv("TASKLINT_SOURCE_DIR");
    if (src) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/rules/models", src);
        DIR *d = opendir(dir);
        assert_non_null(d);
        size_t on_disk = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0) on_disk++;
        }
        closedir(d);
        assert_int_equal(on_disk, nfiles);
    }
}

static void test_builtin_spot_checks(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    if (tl_models_load_builtin(&ms, &err) != 0) fail_msg("builtin: %s", err.msg);
    tl_models_finish(&ms);

    const tl_fn_model *f = find(&ms, "dill_prologue");
    assert_string_equal(f->library, "libdill");
    assert_int_equal(f->spawn.where, TL_HANDLE_RESULT);
    assert_int_equal(f->spawn.success, TL_SUCCESS_NONNEG);
    assert_string_equal(f->spawn.entry_before_call, "dill_epilogue");
    assert_int_equal(f->spawn.owner_arg, 3);
    assert_true(f->spawn.has_no_owner_value && f->spawn.no_owner_value == -1);
    assert_int_equal(f->spawn.context, TL_CTX_COROUTINE);
    assert_true(f->spawn.awaited_by_any_wait);
    f = find(&ms, "dill_hclose");
    assert_true(f->release.present && f->teardown.present);
    f = find(&ms, "dill_bundle_wait");
    assert_true(f->await.present && f->cooperative);
    assert_int_equal(f->wait.timeout_arg, 1);
    assert_int_equal(f->wait.kind, TL_WAIT_TASK);
    f = find(&ms, "mill_prologue_");
    assert_int_equal(f->spawn.where, TL_HANDLE_NONE);
    assert_string_equal(f->spawn.entry_before_call, "mill_epilogue_");

    f = find(&ms, "pthread_create");
    assert_int_equal(f->spawn.where, TL_HANDLE_OUT_ARG);
    assert_int_equal(f->spawn.handle_arg, 0);
    assert_int_equal(f->spawn.entry_arg, 2);
    assert_int_equal(f->spawn.success, TL_SUCCESS_ZERO);
    assert_int_equal(f->spawn.context, TL_CTX_THREAD);
    f = find(&ms, "pthread_join");
    assert_string_equal(f->release.how, "join");
    assert_int_equal(f->wait.timeout_arg, -1);
    assert_int_equal(f->wait.kind, TL_WAIT_JOIN);
    assert_int_equal(find(&ms, "thrd_create")->spawn.entry_arg, 1);
    assert_int_equal(find(&ms, "uv_thread_create_ex")->spawn.entry_arg, 2);

    f = find(&ms, "poll");
    assert_int_equal(f->wait.timeout_arg, 2);
    assert_int_equal(f->wait.forever[0].kind, TL_FOREVER_NEGATIVE);
    assert_int_equal(f->wait.kind, TL_WAIT_LOOP);
    assert_true(f->wait.has_kind_if);
    assert_int_equal(f->wait.kind_if_arg, 1);
    assert_true(f->wait.kind_if_value == 1);
    assert_int_equal(f->wait.kind_if_kind, TL_WAIT_PEER);
    assert_int_equal(f->blocking.unless_zero_arg, 2);
    assert_false(find(&ms, "recv")->wait.present); /* no timeout argument: blocking only */
    /* MSG_DONTWAIT, and MSG_ERRQUEUE on receives only */
    assert_true(find(&ms, "recv")->blocking.unless_flag_mask == 0x2040);
    assert_true(find(&ms, "send")->blocking.unless_flag_mask == 0x40);

    f = find(&ms, "uv_fs_open");
    assert_int_equal(f->blocking.if_null_arg, 5);
    assert_int_equal(f->callback.args[0], 5);
    assert_int_equal(f->callback.context, TL_CTX_LOOP_CALLBACK);
    assert_int_equal(find(&ms, "uv_fs_read")->blocking.if_null_arg, 6);
    assert_int_equal(find(&ms, "uv_fs_close")->blocking.if_null_arg, 3);
    f = find(&ms, "uv_queue_work");
    assert_int_equal(f->callback.nargs, 1);
    assert_int_equal(f->callback.args[0], 3);

    f = find(&ms, "mco_desc_init");
    assert_int_equal(f->callback.context, TL_CTX_COROUTINE);
    assert_int_equal(f->callback.args[0], 0);
    assert_true(find(&ms, "mco_resume")->start.present);
    assert_true(find(&ms, "mco_resume")->start_generator);
    assert_true(find(&ms, "mco_destroy")->teardown.present);

    f = find(&ms, "io_uring_wait_cqe_timeout");
    assert_int_equal(f->wait.timeout_arg, 2);
    assert_int_equal(f->wait.forever[0].kind, TL_FOREVER_NULL);
    assert_int_equal(find(&ms, "io_uring_submit_and_wait")->wait.only_if_nonzero_arg, 1);
    assert_int_equal(find(&ms, "io_uring_submit_and_wait")->wait.kind_in_event_loop, TL_WAIT_LOOP);
    assert_int_equal(find(&ms, "io_uring_wait_cqe")->wait.kind_in_event_loop, TL_WAIT_LOOP);
    assert_true(find(&ms, "io_uring_submit_and_wait")->reap.keeps);
    assert_true(find(&ms, "io_uring_peek_batch_cqe")->dispatch);
    assert_true(find(&ms, "io_uring_cqe_get_data")->dispatch);
    assert_false(find(&ms, "io_uring_cqe_seen")->dispatch);
    assert_int_equal(find(&ms, "epoll_wait")->wait.kind_in_event_loop, TL_WAIT_NONE);
    assert_int_equal(find(&ms, "socket")->descriptor.kind_if_kind, TL_DESC_KERNEL);
    assert_true(find(&ms, "socket")->descriptor.kind_if_values[0] == 38); /* AF_ALG */
    assert_int_equal(find(&ms, "accept")->descriptor.from_arg, 0);
    assert_int_equal(find(&ms, "io_uring_prep_recv")->prepare.op, TL_OP_FD_IO);

    /* event waits: semaphores initialised to 0, condition waits outside a loop */
    f = find(&ms, "sem_init");
    assert_true(f->counter_init.present);
    assert_int_equal(f->counter_init.arg, 0);
    assert_int_equal(f->counter_init.value_arg, 2);
    assert_int_equal(find(&ms, "uv_sem_init")->counter_init.value_arg, 1);
    f = find(&ms, "sem_wait");
    assert_int_equal(f->wait.object_arg, 0);
    assert_int_equal(f->wait.kind_if_zero_init, TL_WAIT_TASK);
    assert_int_equal(f->wait.kind_if_unlooped, TL_WAIT_NONE);
    assert_int_equal(find(&ms, "uv_sem_wait")->wait.kind_if_zero_init, TL_WAIT_TASK);
    assert_int_equal(find(&ms, "pthread_cond_wait")->wait.kind_if_unlooped, TL_WAIT_TASK);
    assert_int_equal(find(&ms, "cnd_wait")->wait.kind_if_unlooped, TL_WAIT_TASK);
    assert_int_equal(find(&ms, "uv_cond_wait")->wait.kind_if_unlooped, TL_WAIT_TASK);
    assert_int_equal(find(&ms, "sem_timedwait")->wait.object_arg, -1);

    assert_true(find(&ms, "waitpid")->blocking.unless_flag_mask == 1);
    f = find(&ms, "fcntl");
    assert_int_equal(f->blocking.if_value_arg, 1);
    assert_true(f->blocking.if_values[0] == 7 && f->blocking.if_values[1] == 38);
    assert_true(find(&ms, "exit")->noreturn);
    assert_true(find(&ms, "pthread_exit")->noreturn);
    /* locks deliberately not blocking: they only say which mutex they take */
    f = find(&ms, "pthread_mutex_lock");
    assert_true(f->lock.present && !f->blocking.present && !f->wait.present);

    /* child processes, Linux and POSIX AIO */
    f = find(&ms, "fork");
    assert_true(f->spawn.child_if_zero);
    assert_false(f->spawn.parent_waits_child);
    assert_true(find(&ms, "vfork")->spawn.parent_waits_child);
    assert_int_equal(f->spawn.success, TL_SUCCESS_POSITIVE);
    assert_string_equal(f->library, "process");
    assert_int_equal(find(&ms, "posix_spawn")->spawn.handle_arg, 0);
    f = find(&ms, "waitpid");
    assert_string_equal(f->release.how, "reap");
    assert_string_equal(f->release_all.task, "child process");
    assert_true(f->blocking.present && f->blocking.unless_flag_mask == 1);
    f = find(&ms, "signal");
    assert_int_equal(f->release_all.nwhen, 2);
    assert_true(f->release_all.when[0].values[0] == 17 && f->release_all.when[1].values[0] == 1);
    assert_true(find(&ms, "io_submit")->start.present);
    assert_true(find(&ms, "io_destroy")->teardown.present);
    f = find(&ms, "io_getevents");
    assert_int_equal(f->wait.timeout_arg, 4);
    assert_int_equal(f->wait.only_if_nonzero_arg, 1);
    assert_int_equal(find(&ms, "aio_suspend")->wait.timeout_arg, 2);
    assert_int_equal(find(&ms, "aio_suspend64")->wait.timeout_arg, 2); /* alias */
    assert_true(find(&ms, "aio_read")->nonblocking);

    /* replacements */
    assert_string_equal(tl_models_replacement(&ms, "libdill", "sleep"), "msleep(now() + ms)");
    assert_string_equal(tl_models_replacement(&ms, "libuv", "sleep"), "uv_timer_start()");
    assert_string_equal(tl_models_replacement(&ms, "libuv", "flock"),
                        "uv_queue_work() (runs it on the thread pool)");
    assert_string_equal(tl_models_replacement(&ms, "libuv", "uv_fs_read"),
                        "uv_fs_read() with a callback");
    assert_string_equal(tl_models_replacement(&ms, "libevent", "getaddrinfo"), "evdns_getaddrinfo()");
    assert_non_null(strstr(tl_models_replacement(&ms, "minicoro", "usleep"), "mco_yield()"));
    assert_non_null(tl_models_replacement(&ms, "pthread", "sleep")); /* falls back to libc's advice */
    tl_models_free(&ms);
}

/* ---- project configs ---- */

typedef struct {
    char root[256];
} tmpdir;

static void make_tmp(tmpdir *t) {
    snprintf(t->root, sizeof(t->root), "/tmp/tl_unit_model_XXXXXX");
    assert_non_null(mkdtemp(t->root));
}

static void path_in(char *out, size_t size, const tmpdir *t, const char *rel) {
    snprintf(out, size, "%s/%s", t->root, rel);
}

static void rm_rf(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char sub[1024];
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void test_config_find_walks_up(void **state) {
    (void)state;
    tmpdir t;
    make_tmp(&t);
    char p[512], q[512];
    path_in(p, sizeof(p), &t, "a");
    mkdir(p, 0700);
    path_in(p, sizeof(p), &t, "a/b");
    mkdir(p, 0700);
    path_in(p, sizeof(p), &t, "a/b/c");
    mkdir(p, 0700);

    /* nothing in the tree: the same answer as for the tree's parent */
    char *outside = tl_config_find("/tmp/x.c");
    path_in(p, sizeof(p), &t, "a/b/c/file.c");
    char *got = tl_config_find(p);
    if (outside) {
        assert_non_null(got);
        assert_string_equal(got, outside);
    } else {
        assert_null(got);
    }
    free(got);
    free(outside);

    path_in(q, sizeof(q), &t, ".tasklint.yml");
    write_file(q, "profile: strict\n");
    got = tl_config_find(p); /* file need not exist */
    assert_non_null(got);
    assert_string_equal(got, q);
    free(got);

    path_in(q, sizeof(q), &t, "a/b/.tasklint.yaml");
    write_file(q, "profile: default\n");
    got = tl_config_find(p);
    assert_string_equal(got, q); /* the nearest one wins */
    free(got);
    path_in(p, sizeof(p), &t, "a/b/c");
    got = tl_config_find(p); /* a directory is searched itself */
    assert_string_equal(got, q);
    free(got);
    path_in(p, sizeof(p), &t, "a/b/c/../../b/c/f.c");
    got = tl_config_find(p);
    assert_string_equal(got, q);
    free(got);

    /* .yaml is preferred over .yml in the same directory */
    path_in(q, sizeof(q), &t, "a/.tasklint.yml");
    write_file(q, "\n");
    path_in(q, sizeof(q), &t, "a/.tasklint.yaml");
    write_file(q, "\n");
    path_in(p, sizeof(p), &t, "a/x.c");
    got = tl_config_find(p);
    assert_string_equal(got, q);
    free(got);

    /* a directory named .tasklint.yaml is not a config */
    path_in(q, sizeof(q), &t, "a/b/c/.tasklint.yaml");
    mkdir(q, 0700);
    path_in(p, sizeof(p), &t, "a/b/c/f.c");
    got = tl_config_find(p);
    path_in(q, sizeof(q), &t, "a/b/.tasklint.yaml");
    assert_string_equal(got, q);
    free(got);

    assert_null(tl_config_find(NULL));
    assert_null(tl_config_find(""));
    rm_rf(t.root);
}

static void test_config_load(void **state) {
    (void)state;
    tmpdir t;
    make_tmp(&t);
    char cfg[512];
    path_in(cfg, sizeof(cfg), &t, ".tasklint.yaml");
    write_file(cfg, "# project config\n"
                    "profile: strict\n"
                    "disable: [unawaited-task]\n"
                    "enable:\n"
                    "  - missing-timeout\n"
                    "exempt: [legacy_loop, old_main]\n"
                    "exclude: [third_party, \"**/gen.c\"]\n"
                    "keep_runs: 30\n"
                    "keep_trend: week\n"
                    "functions:\n"
                    "  my_spawn:\n"
                    "    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 1, context: thread}\n"
                    "  sleep:\n"
                    "    blocking: false\n"
                    "replacements:\n"
                    "  usleep: \"ev_timer_after()\"\n");
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    if (tl_models_load_builtin(&ms, &err) != 0) fail_msg("%s", err.msg);
    assert_false(ms.has_profile);
    if (tl_models_load_config(&ms, cfg, &err) != 0) fail_msg("%s", err.msg);
    tl_models_finish(&ms);
    assert_true(ms.has_profile);
    assert_int_equal(ms.profile, TL_PROFILE_STRICT);
    assert_int_equal(ms.ndisable, 1);
    assert_string_equal(ms.disable[0], "unawaited-task");
    assert_int_equal(ms.nenable, 1);
    assert_string_equal(ms.enable[0], "missing-timeout");
    assert_true(tl_models_is_exempt(&ms, "legacy_loop"));
    assert_true(tl_models_is_exempt(&ms, "old_main"));
    assert_false(tl_models_is_exempt(&ms, "main"));
    assert_false(tl_models_is_exempt(&ms, NULL));
    assert_int_equal(ms.nexclude, 2);
    assert_string_equal(ms.exclude[0], "third_party");
    assert_string_equal(ms.exclude[1], "**/gen.c");
    assert_int_equal(ms.keep_runs, 30);
    assert_int_equal(ms.keep_trend, 3); /* week */
    const tl_fn_model *f = find(&ms, "my_spawn");
    assert_string_equal(f->library, "project");
    assert_int_equal(f->spawn.entry_arg, 1);
    f = find(&ms, "sleep");
    assert_string_equal(f->library, "libc"); /* overridden, still libc's */
    assert_false(f->blocking.present);
    assert_string_equal(tl_models_replacement(&ms, "project", "usleep"), "ev_timer_after()");
    tl_models_free(&ms);

    /* library: names the library the config's entries belong to */
    write_file(cfg, "library: libuv\nreplacements: {usleep: \"my_uv_timer()\"}\n");
    tl_models_init(&ms);
    if (tl_models_load_builtin(&ms, &err) != 0) fail_msg("%s", err.msg);
    if (tl_models_load_config(&ms, cfg, &err) != 0) fail_msg("%s", err.msg);
    tl_models_finish(&ms);
    assert_string_equal(tl_models_replacement(&ms, "libuv", "usleep"), "my_uv_timer()");
    assert_string_equal(tl_models_replacement(&ms, "libuv", "sleep"), "uv_timer_start()");
    assert_false(ms.has_profile);
    tl_models_free(&ms);

    /* an empty config is fine and changes nothing */
    write_file(cfg, "# nothing yet\n");
    tl_models_init(&ms);
    assert_int_equal(tl_models_load_config(&ms, cfg, &err), 0);
    assert_int_equal(ms.nfns, 0);
    assert_int_equal(ms.nlibraries, 0);
    tl_models_free(&ms);
    rm_rf(t.root);
}

static void expect_config_error(const tmpdir *t, const char *text, int line, const char *want) {
    char cfg[512], prefix[600];
    path_in(cfg, sizeof(cfg), t, ".tasklint.yaml");
    write_file(cfg, text);
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: base\nfunctions: {f: {noreturn: true}}\n");
    tl_model_error err;
    int rc = tl_models_load_config(&ms, cfg, &err);
    /* nothing applied */
    assert_int_equal(ms.nfns, 1);
    assert_false(ms.has_profile);
    assert_int_equal(ms.ndisable + ms.nenable + ms.nexempt + ms.nannots, 0);
    tl_models_free(&ms);
    if (rc == 0) fail_msg("expected a config error for:\n%s", text);
    snprintf(prefix, sizeof(prefix), "%s:%d:COL: ", cfg, line);
    if (!has_position(err.msg, cfg, line, 0) || !strstr(err.msg, want))
        fail_msg("config error '%s': want prefix '%s' and '%s'", err.msg, prefix, want);
}

static void test_config_errors(void **state) {
    (void)state;
    tmpdir t;
    make_tmp(&t);
    expect_config_error(&t, "profile: strict\nprofiel: default\n", 2,
                        "unknown key 'profiel' (valid keys: profile, enable, disable, exempt, exclude, "
                        "per_path, per_path_defaults, functions, replacements, library, "
                        "keep_runs, keep_trend, annotations; did you mean 'profile'?)");
    expect_config_error(&t, "profile: strict\nkeep_runs: 0\n", 2,
                        "'keep_runs' must be a number of runs from 1 to 1000000");
    expect_config_error(&t, "keep_runs: [3]\n", 1, "'keep_runs' must be a number");
    expect_config_error(&t, "keep_runs: 5\nkeep_trend: monthly\n", 2,
                        "unknown value 'monthly' for 'keep_trend' (valid values: none, day, week)");
    expect_config_error(&t, "disable: [x]\nprofile: paranoid\n", 2,
                        "unknown value 'paranoid' for 'profile' (valid values: default, strict)");
    expect_config_error(&t, "exempt: [a, [b]]\n", 1, "'exempt' entries must be non-empty names");
    expect_config_error(&t, "enable: {a: 1}\n", 1, "'enable' must be a list of names");
    expect_config_error(&t, "profile: strict\nfunctions:\n  g: {wait: {kind: forever}}\n", 3,
                        "unknown value 'forever' for 'kind'");
    expect_config_error(&t, "exempt: [a]\nfunctions:\n  g:\n  - x\n", 4,
                        "function 'g' must be a mapping of facets");
    expect_config_error(&t, "[a, b]\n", 1, "a config must be a mapping");
    expect_config_error(&t, "annotations: [coroutine_fn]\n", 1, "'annotations' must be a mapping");
    expect_config_error(&t, "annotations:\n  coroutine_fn: asnyc\n", 2,
                        "unknown value 'asnyc' for 'annotations' (valid values: async, blocking, "
                        "nonblocking, spawn, owns; did you mean 'async'?)");
    expect_config_error(&t, "annotations:\n  a: async\n  b: [blocking, {x: 1}]\n", 3,
                        "'annotations' must be a scalar");
    expect_config_error(&t, "annotations: {a: []}\n", 1, "the role of annotation 'a' must be one of");

    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    char missing[512];
    path_in(missing, sizeof(missing), &t, "nope/.tasklint.yaml");
    assert_int_not_equal(tl_models_load_config(&ms, missing, &err), 0);
    assert_non_null(strstr(err.msg, missing));
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_int_not_equal(tl_models_load_file(&ms, missing, &err), 0);
    assert_non_null(strstr(err.msg, "cannot open"));
    tl_models_free(&ms);
    rm_rf(t.root);
}

/* `annotations:` maps a project's annotate strings to roles; tasklint's own
 * strings work without it. */
static void test_config_annotations(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    const char *text = "annotations:\n"
                       "  coroutine_fn: async\n"
                       "  co_wrapper: [async, nonblocking]\n"
                       "  \"must_release\": spawn\n";
    if (tl_models_load_config_text(&ms, text, strlen(text), "cfg.yaml", &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(ms.nannots, 3);
    assert_int_equal(tl_models_annotation_roles(&ms, "coroutine_fn"), TL_ROLE_ASYNC);
    assert_int_equal(tl_models_annotation_roles(&ms, "co_wrapper"), TL_ROLE_ASYNC | TL_ROLE_NONBLOCKING);
    assert_int_equal(tl_models_annotation_roles(&ms, "must_release"), TL_ROLE_SPAWN);
    assert_int_equal(tl_models_annotation_roles(&ms, "no_coroutine_fn"), 0);
    assert_int_equal(tl_models_annotation_roles(&ms, NULL), 0);
    /* built in, with or without a config */
    assert_int_equal(tl_models_annotation_roles(NULL, "tasklint::async"), TL_ROLE_ASYNC);
    assert_int_equal(tl_models_annotation_roles(&ms, "tasklint::blocking"), TL_ROLE_BLOCKING);
    assert_int_equal(tl_models_annotation_roles(&ms, "tasklint::nonblocking"), TL_ROLE_NONBLOCKING);
    assert_int_equal(tl_models_annotation_roles(&ms, "tasklint::spawn"), TL_ROLE_SPAWN);
    assert_int_equal(tl_models_annotation_roles(&ms, "tasklint::owns"), TL_ROLE_OWNS);
    assert_int_equal(tl_models_annotation_roles(&ms, "tasklint::other"), 0);
    assert_int_equal(tl_models_annotation_roles(&ms, "tasklint::"), 0);
    /* a second config adds to them; a copy keeps them */
    const char *more = "annotations: {blocking_fn: blocking}\n";
    if (tl_models_load_config_text(&ms, more, strlen(more), "cfg2.yaml", &err) != 0) fail_msg("%s", err.msg);
    tl_model_set cp;
    assert_int_equal(tl_models_copy(&cp, &ms), 0);
    tl_models_free(&ms);
    assert_int_equal(cp.nannots, 4);
    assert_int_equal(tl_models_annotation_roles(&cp, "blocking_fn"), TL_ROLE_BLOCKING);
    assert_int_equal(tl_models_annotation_roles(&cp, "coroutine_fn"), TL_ROLE_ASYNC);
    tl_models_free(&cp);
    /* an empty mapping is fine */
    const char *empty = "annotations: {}\n";
    tl_models_init(&ms);
    assert_int_equal(tl_models_load_config_text(&ms, empty, strlen(empty), "cfg.yaml", &err), 0);
    assert_int_equal(ms.nannots, 0);
    tl_models_free(&ms);
}

static void test_load_file(void **state) {
    (void)state;
    tmpdir t;
    make_tmp(&t);
    char p[512];
    path_in(p, sizeof(p), &t, "extra.yaml");
    write_file(p, "library: extra\nfunctions:\n  f: {wait: {kind: sleep}}\n  g: {wait: {kind: nap}}\n");
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    assert_int_not_equal(tl_models_load_file(&ms, p, &err), 0);
    char prefix[600];
    snprintf(prefix, sizeof(prefix), "%s:4:20: unknown value 'nap'", p);
    assert_int_equal(strncmp(err.msg, prefix, strlen(prefix)), 0);
    write_file(p, "library: extra\nfunctions:\n  f: {wait: {kind: sleep}}\n");
    assert_int_equal(tl_models_load_file(&ms, p, &err), 0);
    tl_models_finish(&ms);
    assert_int_equal(find(&ms, "f")->wait.kind, TL_WAIT_SLEEP);
    tl_models_free(&ms);
    rm_rf(t.root);
}

/* fresh and sends (the byte budget): their shapes, what a later definition
 * replaces, and the errors. */
static void test_fresh_and_sends(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: x\nfunctions:\n"
                 "  acc: {fresh: {result: true}}\n"
                 "  pair: {fresh: {arg: 1, array: 2}}\n"
                 "  wrap: {fresh: {from_arg: 0, bytes: 512}}\n"
                 "  put: {sends: {handle_arg: 0, len_arg: 2, bytes: 8}}\n"
                 "  putb: {sends: {handle_arg: 0, len_arg: 2, buf_arg: 1}}\n"
                 "  shake: {sends: {handle_arg: 0, bytes: 4, receives: true}}\n"
                 "  bsend: {buffered: {handle_arg: 0, len_arg: 2, buf_arg: 1, size: 1432}}\n"
                 "  bflush: {buffered: {handle_arg: 0, flush: true}}\n"
                 "  rcv: {end_errno: {handle_arg: 0, values: [32, 104]}}\n"
                 "  rcv2: {end_errno: {handle_arg: 1, values: [32], any_failure: true}}\n"
                 "  cls: {wait: {timeout_arg: 1, forever: [negative], kind: peer, unless_peer_ended: 0}}\n"
                 "  field: {sends: {handle_arg: 0, strings: [1, 2]}}\n"
                 "  putv: {sends: {handle_arg: 0}}\n"
                 "  pton: {numeric_check: {arg: 1, success: positive}}\n"
                 "  aton: {numeric_check: {arg: 0, success: zero}}\n"
                 "  mk: {channel_pair: 0}\n"
                 "  fin: {channel_done: {arg: 1}}\n"
                 "  bufmk: {channel_buffer: {arg: 1}}\n"
                 "  bput: {channel_put: 0}\n"
                 "  btake: {channel_take: {arg: 2}}\n"
                 "  answer: {reads: 1}\n"
                 "  run: {blocking: true, synchronizes: true}\n"
                 "  rx: {wait: {timeout_arg: 3, forever: [negative], kind: task, object_arg: 0, unless_other_end_done: true}}\n"
                 "  sopen: {object_open: 0}\n"
                 "  zopen: {object_open: {result: true, type_arg: 1}}\n"
                 "  nopen: {object_open: {arg: 0, type: 49}}\n"
                 "  zrecv: {wait: {object_deadline: {arg: 1, option: 27, never_types: [1, 4], client_types: [3], frames_types: [5, 6], unless_connected: true}, kind: peer}}\n"
                 "  zconn: {object_connect: 0}\n"
                 "  setms: {deadline_option: {arg: 0, name_arg: 1, value_arg: 2, forever: [negative, -9]}}\n"
                 "  srecv: {wait: {object_deadline: {arg: 0, option: recv-timeout, label: OPT_RECVTIMEO}, unless_flag: {arg: 3, mask: 2}, kind: peer}}\n");
    load_ok(&ms, "library: y\nfunctions:\n  put: {nonblocking: true}\n  putv: {sends: false}\n");
    tl_models_finish(&ms);
    assert_true(find(&ms, "acc")->fresh.present && find(&ms, "acc")->fresh.result);
    assert_int_equal(find(&ms, "acc")->fresh.from_arg, -1);
    assert_int_equal(find(&ms, "pair")->fresh.arg, 1);
    assert_int_equal(find(&ms, "pair")->fresh.array, 2);
    assert_false(find(&ms, "pair")->fresh.result);
    assert_int_equal(find(&ms, "wrap")->fresh.from_arg, 0);
    assert_true(find(&ms, "wrap")->fresh.result);
    assert_int_equal(find(&ms, "wrap")->fresh.bytes, 512);
    const tl_fn_model *put = find(&ms, "put"); /* (the second definition adds a facet) */
    assert_true(put->sends.present && put->sends.sized && put->nonblocking);
    assert_int_equal(put->sends.len_arg, 2);
    assert_int_equal(put->sends.bytes, 8);
    assert_int_equal(put->sends.buf_arg, -1);
    assert_int_equal(find(&ms, "putb")->sends.buf_arg, 1);
    assert_true(find(&ms, "shake")->sends.receives && find(&ms, "shake")->sends.sized);
    assert_false(put->sends.receives);
    const tl_buffered_facet *bs = &find(&ms, "bsend")->buffered, *bf = &find(&ms, "bflush")->buffered;
    assert_true(bs->present && !bs->flush);
    assert_int_equal(bs->len_arg, 2);
    assert_int_equal(bs->buf_arg, 1);
    assert_int_equal(bs->size, 1432);
    assert_true(bf->present && bf->flush);
    assert_int_equal(bf->len_arg, -1);
    assert_false(put->buffered.present);
    const tl_end_errno_facet *ee = &find(&ms, "rcv")->end_errno;
    assert_true(ee->present);
    assert_int_equal(ee->handle_arg, 0);
    assert_int_equal(ee->nvalues, 2);
    assert_int_equal(ee->values[1], 104);
    assert_false(ee->any_failure);
    assert_true(find(&ms, "rcv2")->end_errno.any_failure);
    assert_int_equal(find(&ms, "rcv2")->end_errno.handle_arg, 1);
    assert_int_equal(find(&ms, "cls")->wait.unless_peer_ended, 0);
    assert_int_equal(put->wait.unless_peer_ended, -1);
    assert_int_equal(find(&ms, "field")->sends.nstrings, 2);
    assert_int_equal(find(&ms, "field")->sends.strings[1], 2);
    assert_false(find(&ms, "putv")->sends.present); /* removed by "sends: false" */
    assert_true(find(&ms, "pton")->numeric_check.present);
    assert_int_equal(find(&ms, "pton")->numeric_check.arg, 1);
    assert_int_equal(find(&ms, "pton")->numeric_check.success, TL_SUCCESS_POSITIVE);
    assert_int_equal(find(&ms, "aton")->numeric_check.success, TL_SUCCESS_ZERO);
    assert_false(put->numeric_check.present);
    assert_int_equal(put->numeric_check.arg, -1);
    assert_int_equal(find(&ms, "mk")->channel_pair.arg, 0);
    assert_int_equal(find(&ms, "mk")->channel_done.arg, -1);
    assert_int_equal(find(&ms, "fin")->channel_done.arg, 1);
    assert_int_equal(put->channel_pair.arg, -1);
    assert_true(find(&ms, "bufmk")->channel_buffer.present);
    assert_int_equal(find(&ms, "bufmk")->channel_buffer.arg, 1);
    assert_int_equal(find(&ms, "bput")->channel_put.arg, 0);
    assert_int_equal(find(&ms, "btake")->channel_take.arg, 2);
    assert_false(put->channel_buffer.present || put->channel_put.present || put->channel_take.present);
    assert_int_equal(put->channel_take.arg, -1);
    assert_true(find(&ms, "answer")->reads.present);
    assert_int_equal(find(&ms, "answer")->reads.arg, 1);
    assert_false(put->reads.present);
    assert_int_equal(put->reads.arg, -1);
    assert_true(find(&ms, "run")->synchronizes && find(&ms, "run")->blocking.present);
    assert_false(put->synchronizes);
    assert_true(find(&ms, "rx")->wait.unless_other_end_done);
    assert_false(put->wait.unless_other_end_done);
    /* object deadlines (nng) */
    assert_true(find(&ms, "sopen")->object_open.present);
    assert_int_equal(find(&ms, "sopen")->object_open.arg, 0);
    assert_false(put->object_open.present || put->deadline_option.present);
    assert_true(find(&ms, "zopen")->object_open.result);
    assert_int_equal(find(&ms, "zopen")->object_open.type_arg, 1);
    assert_false(find(&ms, "zopen")->object_open.has_type);
    assert_true(find(&ms, "nopen")->object_open.has_type);
    assert_int_equal(find(&ms, "nopen")->object_open.type, 49);
    assert_int_equal(find(&ms, "nopen")->object_open.type_arg, -1);
    assert_int_equal(find(&ms, "zrecv")->wait.nnever_types, 2);
    assert_int_equal(find(&ms, "zrecv")->wait.never_types[1], 4);
    assert_int_equal(find(&ms, "zrecv")->wait.nclient_types, 1);
    assert_int_equal(find(&ms, "zrecv")->wait.client_types[0], 3);
    assert_int_equal(find(&ms, "zrecv")->wait.nframes_types, 2);
    assert_int_equal(find(&ms, "zrecv")->wait.frames_types[1], 6);
    assert_true(find(&ms, "zrecv")->wait.unless_connected);
    assert_false(find(&ms, "rx")->wait.unless_connected);
    assert_true(find(&ms, "zconn")->object_connect.present);
    assert_int_equal(find(&ms, "zconn")->object_connect.arg, 0);
    assert_false(find(&ms, "sopen")->object_open.result);
    assert_string_equal(find(&ms, "zrecv")->wait.deadline_option, "27");
    assert_string_equal(find(&ms, "zrecv")->wait.deadline_label, "");
    const tl_deadline_option_facet *dopt = &find(&ms, "setms")->deadline_option;
    assert_true(dopt->present);
    assert_int_equal(dopt->name_arg, 1);
    assert_int_equal(dopt->value_arg, 2);
    assert_int_equal(dopt->nforever, 2);
    assert_int_equal(dopt->forever[0].kind, TL_FOREVER_NEGATIVE);
    assert_int_equal(dopt->forever[1].value, -9);
    const tl_wait_facet *sw = &find(&ms, "srecv")->wait;
    assert_int_equal(sw->deadline_arg, 0);
    assert_string_equal(sw->deadline_option, "recv-timeout");
    assert_string_equal(sw->deadline_label, "OPT_RECVTIMEO");
    assert_int_equal(sw->timeout_arg, -1);
    assert_int_equal(sw->unless_flag_arg, 3);
    assert_int_equal(sw->unless_flag_mask, 2);
    assert_int_equal(find(&ms, "rx")->wait.deadline_arg, -1);
    assert_int_equal(find(&ms, "rx")->wait.unless_flag_arg, -1);
    tl_models_free(&ms);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peer, object_deadline: {arg: 0}}}\n", 3,
                 "'object_deadline'", "needs 'arg' and 'option'");
    expect_error("library: x\nfunctions:\n  f: {wait: {timeout_arg: 1, forever: [negative], kind: peer, "
                 "object_deadline: {arg: 0, option: x}}}\n",
                 3, "'object_deadline'", "exclude each other");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peer, object_deadline: {arg: 0, option: "
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}}\n",
                 3, "'option'", "1 to 47 bytes");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peer, unless_flag: {arg: 3, mask: 0}}}\n", 3,
                 "'mask'", "must not be 0");
    expect_error("library: x\nfunctions:\n  f: {deadline_option: {arg: 0, name_arg: 1, value_arg: 2}}\n", 3,
                 "'deadline_option'", "needs 'arg', 'name_arg', 'value_arg' and 'forever'");
    expect_error("library: x\nfunctions:\n  f: {deadline_option: {arg: 0, name_arg: 0, value_arg: 2, forever: "
                 "[negative]}}\n",
                 3, "'deadline_option'", "must differ");
    expect_error("library: x\nfunctions:\n  f: {object_open: {arg: x}}\n", 3, "object_open", NULL);
    expect_error("library: x\nfunctions:\n  f: {object_open: {arg: 0, result: true}}\n", 3, "'object_open'",
                 "needs 'arg' or 'result: true'");
    expect_error("library: x\nfunctions:\n  f: {object_open: {result: false}}\n", 3, "'result'", "must be true");
    expect_error("library: x\nfunctions:\n  f: {object_open: {arg: 0, type: 1, type_arg: 1}}\n", 3, "'object_open'",
                 "exclude each other");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peer, object_deadline: {arg: 0, option: 27, "
                 "never_types: []}}}\n",
                 3, "'never_types'", "1 to 8 integers");
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peer, object_deadline: {arg: 0, option: 27, "
                 "label: \"a\\tb\"}}}\n",
                 3, "'label'", "control characters");
    expect_error("library: x\nfunctions:\n  f: {fresh: {result: true, arg: 0, array: 2}}\n", 3,
                 "'fresh'", "needs 'result: true', 'arg' with 'array', or 'from_arg'");
    expect_error("library: x\nfunctions:\n  f: {fresh: {arg: 0}}\n", 3, "'fresh'", NULL);
    expect_error("library: x\nfunctions:\n  f: {fresh: {result: true, bytes: 4}}\n", 3, "'bytes'",
                 "needs 'from_arg'");
    expect_error("library: x\nfunctions:\n  f: {fresh: {arg: 0, array: 9}}\n", 3, "'array'", "1 to 8");
    expect_error("library: x\nfunctions:\n  f: {sends: {len_arg: 2}}\n", 3, "needs 'handle_arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {sends: {handle_arg: 0, bytes: -1}}\n", 3, "'bytes'", NULL);
    expect_error("library: x\nfunctions:\n  f: {sends: {handle_arg: 0, buf_arg: 1}}\n", 3, "'buf_arg'",
                 "needs 'len_arg'");
    expect_error("library: x\nfunctions:\n  f: {sends: {handle_arg: 0, len_arg: 1, buf_arg: 1}}\n", 3,
                 "'buf_arg'", "must differ from 'len_arg'");
    expect_error("library: x\nfunctions:\n  f: {buffered: {handle_arg: 0, len_arg: 2}}\n", 3, "'buffered'",
                 "needs 'len_arg' and 'size'");
    expect_error("library: x\nfunctions:\n  f: {buffered: {handle_arg: 0, flush: true, size: 8}}\n", 3,
                 "'buffered'", "takes no");
    expect_error("library: x\nfunctions:\n  f: {buffered: {handle_arg: 0, len_arg: 2, size: 0}}\n", 3,
                 "'size'", "above 0");
    expect_error("library: x\nfunctions:\n  f: {buffered: {len_arg: 2, size: 8}}\n", 3, "needs 'handle_arg'",
                 NULL);
    expect_error("library: x\nfunctions:\n  f: {end_errno: {handle_arg: 0}}\n", 3, "'end_errno'",
                 "needs 'handle_arg' and 'values'");
    expect_error("library: x\nfunctions:\n  f: {end_errno: {handle_arg: 0, values: []}}\n", 3, "'values'", NULL);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: peer, unless_peer_ended: x}}\n", 3,
                 "unless_peer_ended", NULL);
    expect_error("library: x\nfunctions:\n  f: {numeric_check: {arg: 1}}\n", 3, "'numeric_check'",
                 "needs 'arg' and 'success'");
    expect_error("library: x\nfunctions:\n  f: {numeric_check: {arg: 1, success: nonnull}}\n", 3, "'success'",
                 NULL);
    expect_error("library: x\nfunctions:\n  f: {numeric_check: {arg: -1, success: zero}}\n", 3, "'arg'", NULL);
    expect_error("library: x\nfunctions:\n  f: {wait: {kind: task, unless_other_end_done: true}}\n", 3,
                 "'unless_other_end_done'", "needs 'object_arg'");
    expect_error("library: x\nfunctions:\n  f: {channel_pair: {args: 0}}\n", 3, "args", NULL);
    expect_error("library: x\nfunctions:\n  f: {channel_buffer: {size: 0}}\n", 3, "size", NULL);
    expect_error("library: x\nfunctions:\n  f: {channel_take: -1}\n", 3, "channel_take", NULL);
    expect_error("library: x\nfunctions:\n  f: {reads: {arg: x}}\n", 3, "reads", NULL);
    expect_error("library: x\nfunctions:\n  f: {synchronizes: 2}\n", 3, "synchronizes", NULL);
    expect_error("library: x\nfunctions:\n  f: {channel_puts: {arg: 0}}\n", 3, "unknown facet 'channel_puts'",
                 "did you mean 'channel_put'?");
}

/* A set filled by hand (as the rule tests do) has no index: lookups scan. */
static void test_lookup_without_index(void **state) {
    (void)state;
    tl_fn_model fns[2];
    memset(fns, 0, sizeof(fns));
    fns[0].name = "b_fn";
    fns[1].name = "a_fn";
    tl_model_set ms;
    tl_models_init(&ms);
    ms.fns = fns;
    ms.nfns = 2;
    assert_ptr_equal(tl_models_find(&ms, "a_fn"), &fns[1]);
    assert_ptr_equal(tl_models_find(&ms, "b_fn"), &fns[0]);
    assert_null(tl_models_find(&ms, "c_fn"));
    assert_null(tl_models_replacement(&ms, "lib", "a_fn"));
    assert_false(tl_models_is_exempt(&ms, "a_fn"));
    char *exempt[] = {(char *)"legacy"};
    ms.exempt = exempt;
    ms.nexempt = 1;
    assert_true(tl_models_is_exempt(&ms, "legacy"));
    assert_false(tl_models_is_exempt(&ms, "a_fn"));
}

/* Errors point at the offending key or value: line and column. */
static void test_error_columns(void **state) {
    (void)state;
    expect_error_at("library: x\nfunctions:\n  f:\n    spwan: {handle: none}\n", 4, 5,
                    "unknown facet 'spwan'", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {spawn: {hanlde: out}}\n", 3, 15,
                    "unknown key 'hanlde'", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {wait: {kind: peeer}}\n", 3, 20,
                    "unknown value 'peeer'", "did you mean 'peer'?");
    expect_error_at("library: x\nfunctions:\n  f:\n    release: {arg: 0, how: free}\n", 4, 28,
                    "unknown value 'free' for 'how'", NULL);
    expect_error_at("library: x\nfunctions:\n  f: {borrow: {arg: 1}}\n", 3, 15,
                    "list of argument indices", NULL);
    expect_error_at("library: x\nfunctions:\n  f:\n    wait:\n      kind: io\n      timeout_arg: 1\n",
                    5, 7, "'timeout_arg' needs 'forever'", NULL);
    expect_error_at("library: x\nfuncs: {}\n", 2, 1, "unknown key 'funcs'", NULL);
}

/* What users write in configs with real YAML: anchors shared by several
 * functions, merge keys, block and multi-line scalars. */
static void test_yaml_features_in_models(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    load_ok(&ms, "library: mylib\n"
                 "description: >\n"
                 "  Wrappers of our\n"
                 "  I/O layer.\n"
                 "functions:\n"
                 "  my_read: &fd_call\n"
                 "    blocking:\n"
                 "      fd_io: true\n"
                 "      replacement: >-\n"
                 "        my_async_read()\n"
                 "        with a callback\n"
                 "  my_write: *fd_call\n"
                 "  my_recv:\n"
                 "    <<: *fd_call\n"
                 "    wait: {timeout_arg: 2, forever: [negative], kind: peer}\n"
                 "  my_sleep:\n"
                 "    blocking: {replacement: \"my_timer(\n"
                 "        ms)\"}\n"
                 "replacements:\n"
                 "  sleep: |-\n"
                 "    my_timer()\n");
    tl_models_finish(&ms);
    const tl_fn_model *f = find(&ms, "my_write");
    assert_true(f->blocking.present && f->blocking.fd_io);
    assert_string_equal(f->blocking.replacement, "my_async_read() with a callback");
    f = find(&ms, "my_recv");
    assert_true(f->blocking.fd_io);
    assert_int_equal(f->wait.kind, TL_WAIT_PEER);
    assert_false(find(&ms, "my_read")->wait.present); /* the merge did not write back */
    assert_string_equal(find(&ms, "my_sleep")->blocking.replacement, "my_timer( ms)");
    assert_string_equal(tl_models_replacement(&ms, "mylib", "sleep"), "my_timer()");
    tl_models_free(&ms);
    /* a quoted or block "12" is a string, not an argument index */
    expect_error_at("library: x\nfunctions:\n  f: {release: {arg: !!str 1, how: join}}\n", 3, 22,
                    "must be an argument index", NULL);
    /* an error inside an anchored body is reported where the body is written */
    expect_error_at("library: x\nfunctions:\n  f: &body {wait: {kind: nap}}\n  g: *body\n", 3, 26,
                    "unknown value 'nap'", NULL);
}

static void test_billion_laughs_config(void **state) {
    (void)state;
    tmpdir t;
    make_tmp(&t);
    char cfg[512];
    path_in(cfg, sizeof(cfg), &t, ".tasklint.yaml");
    FILE *fp = fopen(cfg, "w");
    assert_non_null(fp);
    fputs("exempt: &a [x, x, x, x, x, x, x, x, x, x]\n", fp);
    fputs("functions:\n", fp);
    const char *prev = "a";
    static const char *const names[] = {"b", "c", "d", "e", "f", "g", "h", "i"};
    for (size_t i = 0; i < 8; i++) {
        fprintf(fp, "  f%s: &%s {borrow: [", names[i], names[i]);
        for (int k = 0; k < 10; k++) fprintf(fp, "%s*%s", k ? ", " : "", prev);
        fputs("]}\n", fp);
        prev = names[i];
    }
    fclose(fp);
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    assert_int_not_equal(tl_models_load_config(&ms, cfg, &err), 0);
    /* line 7 (ff): the eighth *e passes the limit */
    assert_true(has_position(err.msg, cfg, 7, 48));
    assert_non_null(strstr(err.msg, "aliases expand to more than 1000000 nodes"));
    assert_int_equal(ms.nfns, 0);
    tl_models_free(&ms);
    rm_rf(t.root);
}

/* File names with control characters are escaped in messages. */
static void test_error_escapes_control_characters(void **state) {
    (void)state;
    tl_model_set ms;
    tl_models_init(&ms);
    tl_model_error err;
    assert_int_not_equal(tl_models_load_file(&ms, "/nonexistent/a\x1b[31mb.yaml", &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent/a\\x1b[31mb.yaml: cannot open"));
    for (const char *p = err.msg; *p; p++) assert_true((unsigned char)*p >= 0x20);
    const char *text = "library: x\nfunctions: {f: {spawn: {\"a\\tb\": 1}}}\n";
    assert_int_not_equal(tl_models_load_text(&ms, text, strlen(text), "m.yaml", &err), 0);
    assert_non_null(strstr(err.msg, "unknown key 'a\\x09b'"));
    tl_models_free(&ms);
}

/* CPU time of the process: a loaded machine (a shared CI runner, the suite's
 * other tests in parallel) stretches wall time, not the work done. */
static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loading is linear: 200,000 functions, replacements and exempt names, then
 * a second document redefining every function (the merge path), then a copy.
 * The old loader scanned the set for every name: about four minutes for
 * this; now well under a second (30 s leaves room for sanitizers and a busy
 * machine). */
static void test_large_config_loads_in_linear_time(void **state) {
    (void)state;
    enum { N = 200000 };
    size_t cap = (size_t)N * 80, off = 0;
    char *doc = malloc(cap), *redo = malloc(cap);
    off += (size_t)snprintf(doc + off, cap - off, "library: big\nfunctions:\n");
    for (int i = 0; i < N; i++)
        off += (size_t)snprintf(doc + off, cap - off, "  fn_%d: {blocking: true}\n", i);
    off += (size_t)snprintf(doc + off, cap - off, "replacements:\n");
    for (int i = 0; i < N; i++)
        off += (size_t)snprintf(doc + off, cap - off, "  fn_%d: \"fn_%d_async()\"\n", i, i);
    size_t roff = (size_t)snprintf(redo, cap, "library: other\nfunctions:\n");
    for (int i = 0; i < N; i++)
        roff += (size_t)snprintf(redo + roff, cap - roff, "  fn_%d: {noreturn: true}\n", i);

    double start = now_seconds();
    tl_model_set ms, copy;
    tl_models_init(&ms);
    tl_model_error err;
    if (tl_models_load_text(&ms, doc, off, "big.yaml", &err) != 0) fail_msg("%s", err.msg);
    if (tl_models_load_text(&ms, redo, roff, "redo.yaml", &err) != 0) fail_msg("%s", err.msg);
    tl_models_finish(&ms);
    assert_int_equal(tl_models_copy(&copy, &ms), 0);
    double elapsed = now_seconds() - start;
    assert_int_equal(ms.nfns, N);
    const tl_fn_model *f = find(&copy, "fn_123456");
    assert_true(f->blocking.present && f->noreturn);
    assert_string_equal(f->library, "big");
    assert_string_equal(tl_models_replacement(&copy, "big", "fn_199999"), "fn_199999_async()");
    tl_models_free(&ms);
    tl_models_free(&copy);
    free(doc);
    free(redo);
    if (elapsed > 30.0) fail_msg("loading %d functions took %.1f s", N, elapsed);
}

/* ---- names and profiles ---- */

static void test_kinds_and_profiles(void **state) {
    (void)state;
    static const tl_wait_kind always[] = {TL_WAIT_PEER, TL_WAIT_TASK, TL_WAIT_IO, TL_WAIT_SLEEP};
    static const tl_wait_kind strict_only[] = {TL_WAIT_LOOP, TL_WAIT_ACCEPT, TL_WAIT_CONDITION,
                                               TL_WAIT_JOIN};
    for (size_t i = 0; i < 4; i++) {
        assert_true(tl_wait_kind_flagged(always[i], TL_PROFILE_DEFAULT));
        assert_true(tl_wait_kind_flagged(always[i], TL_PROFILE_STRICT));
        assert_false(tl_wait_kind_flagged(strict_only[i], TL_PROFILE_DEFAULT));
        assert_true(tl_wait_kind_flagged(strict_only[i], TL_PROFILE_STRICT));
    }
    assert_false(tl_wait_kind_flagged(TL_WAIT_BOUNDED, TL_PROFILE_DEFAULT)); /* (the system ends it) */
    assert_true(tl_wait_kind_flagged(TL_WAIT_BOUNDED, TL_PROFILE_STRICT));
    assert_string_equal(tl_wait_kind_name(TL_WAIT_BOUNDED), "bounded");
    assert_false(tl_wait_kind_flagged(TL_WAIT_NONE, TL_PROFILE_STRICT));
    assert_string_equal(tl_wait_kind_name(TL_WAIT_PEER), "peer");
    assert_string_equal(tl_wait_kind_name(TL_WAIT_CONDITION), "condition");
    assert_string_equal(tl_wait_kind_name(TL_WAIT_SLEEP), "sleep");
    assert_string_equal(tl_wait_kind_name(TL_WAIT_KIND_COUNT), "?");
    assert_string_equal(tl_context_name(TL_CTX_COROUTINE), "coroutine");
    assert_string_equal(tl_context_name(TL_CTX_LOOP_CALLBACK), "loop");
    assert_string_equal(tl_context_name(TL_CTX_THREAD), "thread");
    assert_string_equal(tl_context_name(TL_CTX_NONE), "none");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_every_facet),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_detach_attr_facet),
        cmocka_unit_test(test_returns_only_facet),
        cmocka_unit_test(test_spawn_data_arg),
        cmocka_unit_test(test_post_facet),
        cmocka_unit_test(test_lock_facets),
        cmocka_unit_test(test_await_observes),
        cmocka_unit_test(test_prepare_multishot),
        cmocka_unit_test(test_prepare_fails),
        cmocka_unit_test(test_request_flags),
        cmocka_unit_test(test_inflight_facets),
        cmocka_unit_test(test_field_callbacks_and_strict_blocking),
        cmocka_unit_test(test_descriptor_facets),
        cmocka_unit_test(test_fresh_and_sends),
        cmocka_unit_test(test_lookup_without_index),
        cmocka_unit_test(test_error_columns),
        cmocka_unit_test(test_yaml_features_in_models),
        cmocka_unit_test(test_billion_laughs_config),
        cmocka_unit_test(test_error_escapes_control_characters),
        cmocka_unit_test(test_large_config_loads_in_linear_time),
        cmocka_unit_test(test_error_unknown_facet),
        cmocka_unit_test(test_error_unknown_key),
        cmocka_unit_test(test_error_unknown_value),
        cmocka_unit_test(test_error_bad_int),
        cmocka_unit_test(test_error_inconsistent),
        cmocka_unit_test(test_error_document),
        cmocka_unit_test(test_failed_load_is_atomic),
        cmocka_unit_test(test_merge_override),
        cmocka_unit_test(test_copy_is_deep),
        cmocka_unit_test(test_builtin_each_file_loads),
        cmocka_unit_test(test_builtin_spot_checks),
        cmocka_unit_test(test_config_find_walks_up),
        cmocka_unit_test(test_config_load),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_annotations),
        cmocka_unit_test(test_process_facets),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_errno_location_facet),
        cmocka_unit_test(test_unless_record_field),
        cmocka_unit_test(test_kinds_and_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
