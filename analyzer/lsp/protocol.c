/* protocol.c - JSON-RPC 2.0 and the LSP methods the server implements.
 *
 * Every message body is parsed with jansson and checked before anything
 * reads it: a body that is not JSON gets a Parse error (-32700), one that
 * is not a request object an Invalid Request (-32600), a request with
 * parameters of the wrong shape Invalid params (-32602), an unknown
 * request Method not found (-32601), a request before `initialize`
 * ServerNotInitialized (-32002), a request after `shutdown` Invalid
 * Request.  Notifications are never answered: a bad or unknown one is
 * logged (escaped) and dropped.  Responses from the client (it is sent no
 * requests) are ignored.
 *
 * Methods: initialize, initialized, shutdown, exit; textDocument/didOpen,
 * didChange (full text; the analysis waits for the debounce), didSave,
 * didClose; textDocument/hover; textDocument/codeAction.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp/lsp.h"
#include "util/term_escape.h"
#include "util/xalloc.h"

#ifndef TASKLINT_VERSION
#define TASKLINT_VERSION "0.0.0"
#endif

enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_SERVER_NOT_INITIALIZED = -32002
};

void tl_lsp_log(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputs("tasklint lsp: ", stderr);
    tl_term_puts(stderr, buf);
    fputc('\n', stderr);
}

void tl_lsp_send(tl_lsp_server *s, json_t *msg) {
    if (!msg) return;
    json_object_set_new(msg, "jsonrpc", json_string("2.0"));
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!body) return;
    size_t n;
    char *framed = tl_lsp_frame(body, strlen(body), &n);
    free(body);
    s->send(s->send_ctx, framed, n);
    free(framed);
}

void tl_lsp_notify(tl_lsp_server *s, const char *method, json_t *params) {
    tl_lsp_send(s, json_pack("{s:s,s:o}", "method", method, "params", params ? params : json_null()));
}

static void respond(tl_lsp_server *s, json_t *id, json_t *result) {
    tl_lsp_send(s, json_pack("{s:O,s:o}", "id", id ? id : json_null(), "result",
                             result ? result : json_null()));
}

void tl_lsp_send_error(tl_lsp_server *s, json_t *id, int code, const char *message) {
    tl_lsp_send(s, json_pack("{s:O,s:{s:i,s:s}}", "id", id ? id : json_null(), "error", "code",
                             code, "message", message));
}

void tl_lsp_publish(tl_lsp_server *s, tl_lsp_doc *d) {
    tl_lsp_notify(s, "textDocument/publishDiagnostics", tl_lsp_diagnostics(s, d));
}

/* ---- reading params (jansson's getters take NULL: a missing level is a
   missing value) ---- */

static const char *str_at(json_t *o, const char *key) {
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *obj_at(json_t *o, const char *key) {
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_object(v) ? v : NULL;
}

static bool bool_at(json_t *o, const char *key) {
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_true(v);
}

/* A non-negative integer that fits an unsigned; false otherwise. */
static bool uint_at(json_t *o, const char *key, unsigned *out) {
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!json_is_integer(v)) return false;
    json_int_t i = json_integer_value(v);
    if (i < 0 || i > 0x7fffffff) return false;
    *out = (unsigned)i;
    return true;
}

/* params.textDocument.uri, and the open document it names (or NULL). */
static const char *doc_uri(json_t *params, tl_lsp_server *s, tl_lsp_doc **d) {
    const char *uri = str_at(obj_at(params, "textDocument"), "uri");
    *d = uri ? tl_lsp_doc_find(s, uri) : NULL;
    return uri;
}

/* ---- methods ---- */

static json_t *initialize(tl_lsp_server *s, json_t *params) {
    json_t *caps = obj_at(params, "capabilities");
    json_t *encs = json_object_get(obj_at(caps, "general"), "positionEncodings");
    s->utf8 = false;
    size_t i;
    json_t *e;
    json_array_foreach(encs, i, e) if (json_is_string(e) && !strcmp(json_string_value(e), "utf-8"))
        s->utf8 = true;
    s->snippet_edits = bool_at(obj_at(obj_at(caps, "workspace"), "workspaceEdit"), "snippetEditSupport");
    s->experimental_snippets = bool_at(obj_at(caps, "experimental"), "snippetTextEdit");
    s->initialized = true;
    return json_pack("{s:{s:s,s:{s:b,s:i,s:{s:b}},s:b,s:{s:[s]}},s:{s:s,s:s}}", "capabilities",
                     "positionEncoding", s->utf8 ? "utf-8" : "utf-16", "textDocumentSync",
                     "openClose", 1, "change", 1, "save", "includeText", 0, "hoverProvider", 1,
                     "codeActionProvider", "codeActionKinds", "quickfix", "serverInfo", "name",
                     "tasklint", "version", TASKLINT_VERSION);
}

static void did_open(tl_lsp_server *s, json_t *params) {
    json_t *td = obj_at(params, "textDocument");
    const char *uri = str_at(td, "uri");
    json_t *text = json_object_get(td, "text");
    json_t *ver = json_object_get(td, "version");
    if (!uri || !json_is_string(text) || !json_is_integer(ver)) {
        tl_lsp_log("textDocument/didOpen: ignored: no uri, version or text");
        return;
    }
    tl_lsp_doc *d = tl_lsp_doc_open(s, uri, json_string_value(text), json_string_length(text),
                                    json_integer_value(ver));
    tl_lsp_doc_schedule(d, 0);
}

static void did_change(tl_lsp_server *s, json_t *params) {
    tl_lsp_doc *d;
    doc_uri(params, s, &d);
    json_t *ver = json_object_get(obj_at(params, "textDocument"), "version");
    json_t *changes = json_object_get(params, "contentChanges");
    if (!d || !json_is_integer(ver) || !json_is_array(changes)) {
        tl_lsp_log("textDocument/didChange: ignored: not an open document, or no version or changes");
        return;
    }
    /* full synchronisation: the last change that holds the whole text wins */
    json_t *last = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c) {
        if (json_is_object(c) && json_is_string(json_object_get(c, "text")) &&
            !json_object_get(c, "range"))
            last = json_object_get(c, "text");
    }
    if (!last) {
        tl_lsp_log("textDocument/didChange: ignored: no full text (the server asked for full sync)");
        return;
    }
    tl_lsp_doc_set_text(d, json_string_value(last), json_string_length(last), json_integer_value(ver));
    tl_lsp_doc_schedule(d, s->debounce_s);
}

static void did_save(tl_lsp_server *s, json_t *params) {
    tl_lsp_doc *d;
    doc_uri(params, s, &d);
    if (!d) return;
    json_t *text = json_object_get(params, "text");
    if (json_is_string(text)) tl_lsp_doc_set_text(d, json_string_value(text), json_string_length(text), d->version);
    tl_lsp_doc_schedule(d, 0);
}

static void did_close(tl_lsp_server *s, json_t *params) {
    tl_lsp_doc *d;
    const char *uri = doc_uri(params, s, &d);
    if (!d) return;
    tl_lsp_doc_close(s, d);
    /* clear what the client shows */
    tl_lsp_notify(s, "textDocument/publishDiagnostics",
                  json_pack("{s:s,s:[]}", "uri", uri, "diagnostics"));
}

/* Requests: 0 with *result, or an error code with *why. */
static int hover(tl_lsp_server *s, json_t *params, json_t **result, const char **why) {
    tl_lsp_doc *d;
    const char *uri = doc_uri(params, s, &d);
    unsigned line, ch;
    json_t *pos = obj_at(params, "position");
    if (!uri || !uint_at(pos, "line", &line) || !uint_at(pos, "character", &ch)) {
        *why = "textDocument/hover: expected textDocument.uri and position.line/character";
        return RPC_INVALID_PARAMS;
    }
    *result = d ? tl_lsp_hover(s, d, line) : json_null();
    return 0;
}

static int code_action(tl_lsp_server *s, json_t *params, json_t **result, const char **why) {
    tl_lsp_doc *d;
    const char *uri = doc_uri(params, s, &d);
    json_t *range = obj_at(params, "range");
    unsigned first, last, ch;
    if (!uri || !uint_at(obj_at(range, "start"), "line", &first) ||
        !uint_at(obj_at(range, "end"), "line", &last) ||
        !uint_at(obj_at(range, "start"), "character", &ch) ||
        !uint_at(obj_at(range, "end"), "character", &ch) || last < first) {
        *why = "textDocument/codeAction: expected textDocument.uri and a range";
        return RPC_INVALID_PARAMS;
    }
    json_t *ctx = json_object_get(obj_at(params, "context"), "diagnostics");
    *result = d ? tl_lsp_code_actions(s, d, first, last, json_is_array(ctx) ? ctx : NULL)
                : json_array();
    return 0;
}

static void shutdown_all(tl_lsp_server *s) {
    for (size_t i = 0; i < s->ndocs; i++) {
        tl_lsp_analysis_abandon(s->docs[i]);
        s->docs[i]->due = 0;
    }
}

static void request(tl_lsp_server *s, json_t *id, const char *method, json_t *params) {
    json_t *result = NULL;
    const char *why = NULL;
    int code = 0;
    if (!strcmp(method, "initialize")) {
        if (s->initialized) {
            code = RPC_INVALID_REQUEST;
            why = "initialize: already initialized";
        } else if (params && !json_is_object(params)) {
            code = RPC_INVALID_PARAMS;
            why = "initialize: params must be an object";
        } else {
            result = initialize(s, params);
        }
    } else if (!s->initialized) {
        code = RPC_SERVER_NOT_INITIALIZED;
        why = "the server is not initialized: send initialize first";
    } else if (s->shutdown) {
        code = RPC_INVALID_REQUEST;
        why = "the server is shut down: only exit is accepted";
    } else if (!strcmp(method, "shutdown")) {
        s->shutdown = true;
        shutdown_all(s);
        result = json_null();
    } else if (!strcmp(method, "textDocument/hover")) {
        code = hover(s, params, &result, &why);
    } else if (!strcmp(method, "textDocument/codeAction")) {
        code = code_action(s, params, &result, &why);
    } else {
        code = RPC_METHOD_NOT_FOUND;
        why = "method not found";
    }
    if (code) {
        char *m = tl_xasprintf("%s: %s", method, why);
        tl_lsp_send_error(s, id, code, m);
        free(m);
    } else {
        respond(s, id, result);
    }
}

static void notification(tl_lsp_server *s, const char *method, json_t *params) {
    if (!strcmp(method, "exit")) {
        s->exited = true;
        s->exit_code = s->shutdown ? 0 : 1;
        shutdown_all(s);
        return;
    }
    if (!s->initialized || s->shutdown) return;
    if (params && !json_is_object(params)) {
        tl_lsp_log("%s: ignored: params is not an object", method);
        return;
    }
    if (!strcmp(method, "initialized")) return;
    if (!strcmp(method, "textDocument/didOpen")) did_open(s, params);
    else if (!strcmp(method, "textDocument/didChange")) did_change(s, params);
    else if (!strcmp(method, "textDocument/didSave")) did_save(s, params);
    else if (!strcmp(method, "textDocument/didClose")) did_close(s, params);
    /* anything else ($/cancelRequest, $/setTrace, workspace/...): nothing to do */
}

void tl_lsp_handle(tl_lsp_server *s, const char *body, size_t len) {
    if (s->exited) return;
    json_error_t je;
    json_t *msg = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!msg) {
        char m[256];
        snprintf(m, sizeof m, "parse error: line %d, column %d: %s", je.line, je.column, je.text);
        tl_lsp_send_error(s, NULL, RPC_PARSE_ERROR, m);
        return;
    }
    json_t *id = json_is_object(msg) ? json_object_get(msg, "id") : NULL;
    bool id_ok = !id || json_is_integer(id) || json_is_string(id) || json_is_null(id);
    json_t *method = json_is_object(msg) ? json_object_get(msg, "method") : NULL;
    json_t *params = json_is_object(msg) ? json_object_get(msg, "params") : NULL;
    if (json_is_null(params)) params = NULL; /* what some clients send with shutdown and exit */
    const char *jv = json_is_object(msg) ? str_at(msg, "jsonrpc") : NULL;
    if (!json_is_object(msg) || !id_ok || !jv || strcmp(jv, "2.0") != 0) {
        tl_lsp_send_error(s, id_ok ? id : NULL, RPC_INVALID_REQUEST,
                          "invalid request: expected an object with \"jsonrpc\": \"2.0\" and an "
                          "integer or string id");
    } else if (!method) {
        /* a response (result or error) to a request of ours: none is sent */
        if (!json_object_get(msg, "result") && !json_object_get(msg, "error"))
            tl_lsp_send_error(s, id, RPC_INVALID_REQUEST, "invalid request: no method");
    } else if (!json_is_string(method)) {
        if (id) tl_lsp_send_error(s, id, RPC_INVALID_REQUEST, "invalid request: method is not a string");
    } else if (params && !json_is_object(params) && !json_is_array(params)) {
        if (id) tl_lsp_send_error(s, id, RPC_INVALID_PARAMS, "params must be an object or an array");
    } else if (id) {
        request(s, id, json_string_value(method), params);
    } else {
        notification(s, json_string_value(method), params);
    }
    json_decref(msg);
}
