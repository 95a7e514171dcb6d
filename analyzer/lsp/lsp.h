/* lsp.h - the language server, `tasklint lsp` (LSP 3.17, JSON-RPC 2.0 on
 * stdin/stdout), and how its pieces fit:
 *
 *   framing.c      Content-Length framing: bytes in, message bodies out
 *                  (bounded header and body sizes), and bodies framed out.
 *   protocol.c     JSON-RPC: every body parsed with jansson, checked
 *                  (object, "jsonrpc": "2.0", method, id and params types)
 *                  and dispatched; errors answered with JSON-RPC error
 *                  responses, notifications with bad input ignored.  The
 *                  LSP methods: lifecycle, text synchronisation (full),
 *                  hover, code actions.
 *   documents.c    the open documents: URI <-> path, text, version, the
 *                  analysis schedule (debounce) and the latest findings.
 *   diagnostics.c  findings -> LSP Diagnostic objects (ranges in the
 *                  negotiated position encoding, severity, code, href,
 *                  relatedInformation), hover text, code actions.
 *   analysis.c     one analysis of one document's buffer in a forked
 *                  worker process (crash isolation, the memory and time
 *                  limits of the CLI's workers; killed when the buffer
 *                  changes again), with the compile database discovered
 *                  as the CLI does and the store's kept summaries of the
 *                  program's other files linked in.  Its result comes back
 *                  as a tu_wire frame.
 *   server.c       the loop: poll stdin and the workers, start analyses
 *                  when their debounce expires, publish diagnostics.
 *
 * Nothing from the client reaches a terminal: stdout is the protocol
 * stream, logs go to stderr escaped.  The server writes nothing but its
 * protocol output (the store is opened read-only).
 */
#ifndef TL_LSP_H
#define TL_LSP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "report/finding.h"

/* ---- framing.c ---- */

#define TL_LSP_MAX_HEADER 8192              /* bytes of one message's header */
#define TL_LSP_MAX_BODY ((size_t)64 << 20)  /* bytes of one message's body */

typedef struct {
    char *buf;          /* bytes received; those from pos on are not consumed */
    size_t pos, len, cap;
    size_t want;        /* body length of the message being read */
    size_t scanned;     /* bytes of the pending header searched for its end already */
    bool have_header;   /* a header was read: waiting for `want` body bytes */
    size_t discard;     /* bytes of a refused body still to skip */
    bool bad_header;    /* an over-long header is being skipped to its end */
} tl_lsp_reader;

typedef enum {
    TL_LSP_READ_MORE = 0, /* no whole message yet */
    TL_LSP_READ_MESSAGE,  /* *body (malloc'd, NUL-terminated) of *len bytes */
    TL_LSP_READ_ERROR     /* a header that is not one, or a body too large:
                             skipped; err says why */
} tl_lsp_read_status;

void tl_lsp_reader_init(tl_lsp_reader *r);
void tl_lsp_reader_free(tl_lsp_reader *r);
void tl_lsp_reader_feed(tl_lsp_reader *r, const void *data, size_t n);
tl_lsp_read_status tl_lsp_reader_next(tl_lsp_reader *r, char **body, size_t *len, char *err,
                                      size_t errsz);
/* "Content-Length: N\r\n\r\n" then body (malloc'd, *out_len bytes). */
char *tl_lsp_frame(const char *body, size_t len, size_t *out_len);

/* ---- documents.c ---- */

typedef struct {
    char *uri;
    char *path;            /* absolute file path of a file: URI; NULL: not analysed */
    char *text;
    size_t len;
    int64_t version;
    double due;            /* monotonic time to analyse it at; 0: nothing scheduled */
    /* the worker analysing it (analysis.c); pid 0: none */
    pid_t pid;
    int fd;
    unsigned char *in;
    size_t in_len, in_cap;
    int64_t job_version;   /* the version being analysed */
    double deadline;       /* the time limit of the worker; 0: none */
    /* the latest result (hover, code actions) */
    tl_findings findings;
    bool have_findings;
} tl_lsp_doc;

typedef struct tl_lsp_server tl_lsp_server;
typedef void (*tl_lsp_send_fn)(void *ctx, const char *data, size_t len);

struct tl_lsp_server {
    const tl_cli_options *o;      /* NULL in the fuzz target: nothing is analysed */
    const tl_model_set *base;
    tl_pool_limits limits;
    tl_lsp_send_fn send;
    void *send_ctx;
    /* state of the session */
    bool initialized;             /* `initialize` answered */
    bool shutdown;                /* `shutdown` received */
    bool exited;                  /* `exit` received: exit_code is set */
    int exit_code;
    bool utf8;                    /* positions in UTF-8 bytes (negotiated), else UTF-16 */
    bool snippet_edits;           /* workspace.workspaceEdit.snippetEditSupport (3.18) */
    bool experimental_snippets;   /* experimental.snippetTextEdit (rust-analyzer's) */
    double debounce_s;
    /* open documents: an editor has tens open, so a list */
    tl_lsp_doc **docs;
    size_t ndocs, capdocs;
};

void tl_lsp_server_init(tl_lsp_server *s, const tl_cli_options *o, const tl_model_set *base,
                        tl_lsp_send_fn send, void *send_ctx);
void tl_lsp_server_free(tl_lsp_server *s);

tl_lsp_doc *tl_lsp_doc_find(tl_lsp_server *s, const char *uri);
/* Opens (or replaces) a document; takes nothing from the arguments. */
tl_lsp_doc *tl_lsp_doc_open(tl_lsp_server *s, const char *uri, const char *text, size_t len,
                            int64_t version);
void tl_lsp_doc_set_text(tl_lsp_doc *d, const char *text, size_t len, int64_t version);
/* Abandons its analysis, forgets it. */
void tl_lsp_doc_close(tl_lsp_server *s, tl_lsp_doc *d);
/* An analysis `delay_s` seconds from now; a running one is abandoned, so
 * that changes never queue work. */
void tl_lsp_doc_schedule(tl_lsp_doc *d, double delay_s);
void tl_lsp_doc_set_findings(tl_lsp_doc *d, tl_findings *fs); /* takes fs */

/* The absolute path of a file: URI (percent-decoded), or NULL (another
 * scheme, a host, a relative path, an encoded NUL or '/'). (malloc'd) */
char *tl_lsp_uri_to_path(const char *uri);
/* file:// URI of an absolute path, percent-encoded. (malloc'd) */
char *tl_lsp_path_to_uri(const char *path);
double tl_lsp_now(void);

/* ---- diagnostics.c ---- */

/* The rule's page: TASKLINT_DOCS_URL "#" + id (docs/rules.md). (malloc'd) */
char *tl_lsp_rule_href(const char *rule);
/* The publishDiagnostics params for the document from its findings. */
json_t *tl_lsp_diagnostics(const tl_lsp_server *s, const tl_lsp_doc *d);
/* Hover at a 0-based line: the explanation of every rule flagged on it, or
 * json null. */
json_t *tl_lsp_hover(const tl_lsp_server *s, const tl_lsp_doc *d, unsigned line);
/* Code actions for lines first..last (0-based): a suppression comment per
 * rule flagged there.  context_diags (the request's context.diagnostics,
 * may be NULL): those of the same rule and line are named by the action. */
json_t *tl_lsp_code_actions(const tl_lsp_server *s, const tl_lsp_doc *d, unsigned first,
                            unsigned last, json_t *context_diags);

/* ---- protocol.c ---- */

/* Handles one message body (malformed ones included). */
void tl_lsp_handle(tl_lsp_server *s, const char *body, size_t len);
/* Sends a JSON-RPC message (steals msg). */
void tl_lsp_send(tl_lsp_server *s, json_t *msg);
void tl_lsp_notify(tl_lsp_server *s, const char *method, json_t *params);
/* An error response; id may be NULL (json null). */
void tl_lsp_send_error(tl_lsp_server *s, json_t *id, int code, const char *message);
/* textDocument/publishDiagnostics for d. */
void tl_lsp_publish(tl_lsp_server *s, tl_lsp_doc *d);
/* A log line on stderr, escaped. */
void tl_lsp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- analysis.c ---- */

/* Starts the analysis of d's current text in a worker process.  0, or -1
 * (logged; the schedule is kept). */
int tl_lsp_analysis_start(tl_lsp_server *s, tl_lsp_doc *d);
/* Kills and reaps d's worker, drops what it sent. */
void tl_lsp_analysis_abandon(tl_lsp_doc *d);
/* d's worker's socket is readable: reads.  Returns 1 when the analysis is
 * over (the findings are set, or a crash finding is), 0 when more is to
 * come. */
int tl_lsp_analysis_read(tl_lsp_server *s, tl_lsp_doc *d);
/* d's worker went past its time limit: killed, a finding says so. */
void tl_lsp_analysis_timeout(tl_lsp_server *s, tl_lsp_doc *d);

#endif
