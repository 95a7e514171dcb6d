/* fuzz_lsp.c - libFuzzer target: the language server's input side, bytes
 * from a client through the framing (analyzer/lsp/framing.c) and the
 * JSON-RPC dispatch (protocol.c) with the document store, diagnostics,
 * hover and code actions (documents.c, diagnostics.c).  No worker is ever
 * started (the server has no options: analyses are only scheduled); each
 * document that is opened gets synthetic findings on its lines instead, so
 * that diagnostics, hover and code actions run on the fuzzed text.
 *
 * The input is cut into reads of 1 to 64 bytes (sizes from the input's
 * first byte), as a pipe may deliver it.  Invariants: everything the
 * server writes is a well-framed JSON object with "jsonrpc": "2.0", and a
 * response (or error) carries an id.
 * Seeds: corpus/lsp/ (a whole session, malformed bodies and headers). */
#include <jansson.h>
#include <string.h>

#include "fuzz_target.h"
#include "lsp/lsp.h"

static void check_output(void *ctx, const char *data, size_t len) {
    (void)ctx;
    fuzz_require(len > 20 && !strncmp(data, "Content-Length: ", 16), "output is framed");
    /* the frame is length-delimited, not a C string: search within len */
    const char *end = memmem(data, len, "\r\n\r\n", 4);
    fuzz_require(end != NULL, "the header ends");
    size_t body = (size_t)strtoul(data + 16, NULL, 10);
    fuzz_require((size_t)(end + 4 - data) + body == len, "Content-Length is the body's size");
    json_error_t je;
    json_t *m = json_loadb(end + 4, body, 0, &je);
    fuzz_require(json_is_object(m), "the body is a JSON object");
    json_t *v = json_object_get(m, "jsonrpc");
    fuzz_require(json_is_string(v) && !strcmp(json_string_value(v), "2.0"), "jsonrpc 2.0");
    if (!json_object_get(m, "method"))
        fuzz_require(json_object_get(m, "id") != NULL, "a response carries an id");
    json_decref(m);
}

/* Findings on every line of a document that has none yet. */
static void add_findings(tl_lsp_server *s) {
    static const char *const rules[] = {"orphaned-spawn", "missing-timeout", "clang-diagnostic",
                                        "blocking-in-coroutine"};
    for (size_t i = 0; i < s->ndocs; i++) {
        tl_lsp_doc *d = s->docs[i];
        if (d->have_findings || !d->path) continue;
        tl_findings fs;
        tl_findings_init(&fs);
        unsigned line = 1;
        for (size_t k = 0; k <= d->len && line < 2000; k++)
            if (k == d->len || d->text[k] == '\n') {
                tl_finding *f = tl_findings_add(&fs, rules[line % 4], TL_SEV_WARNING, d->path, line,
                                                line % 7, NULL, "finding \xff\xfe");
                tl_finding_add_note(f, d->path, line + 1, 3, "note");
                tl_finding_add_note(f, "/elsewhere.c", line, 1, "elsewhere");
                line++;
            }
        tl_lsp_doc_set_findings(d, &fs);
        tl_lsp_publish(s, d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tl_lsp_server s;
    tl_lsp_server_init(&s, NULL, NULL, check_output, NULL);
    tl_lsp_reader r;
    tl_lsp_reader_init(&r);
    unsigned seed = size ? data[0] : 0;
    size_t i = size ? 1 : 0;
    while (i < size && !s.exited) {
        size_t n = 1 + (seed = seed * 1103515245u + 12345u, (seed >> 16) % 64);
        if (n > size - i) n = size - i;
        tl_lsp_reader_feed(&r, data + i, n);
        i += n;
        for (;;) {
            char *body;
            size_t len;
            char err[160];
            tl_lsp_read_status st = tl_lsp_reader_next(&r, &body, &len, err, sizeof err);
            if (st == TL_LSP_READ_MORE) break;
            if (st == TL_LSP_READ_ERROR) {
                fuzz_require(err[0] != 0, "a framing error says why");
                tl_lsp_send_error(&s, NULL, -32600, err);
                continue;
            }
            fuzz_require(len <= TL_LSP_MAX_BODY && body[len] == 0, "a body within the limit");
            tl_lsp_handle(&s, body, len);
            free(body);
            add_findings(&s);
            for (size_t k = 0; k < s.ndocs; k++)
                fuzz_require(s.docs[k]->pid == 0, "no worker without options");
        }
    }
    fuzz_require(r.len - r.pos <= TL_LSP_MAX_BODY + TL_LSP_MAX_HEADER + 64, "the reader is bounded");
    tl_lsp_reader_free(&r);
    tl_lsp_server_free(&s);
    return 0;
}
