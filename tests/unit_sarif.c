/* unit_sarif.c - SARIF 2.1.0 and JSON output from a hand-built report input.
 *
 * With TL_SARIF_DUMP_DIR set, the SARIF documents are also written there
 * (tests/sarif/test_sarif_fixtures.sh validates them against the schema). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report.h"
#include "report/report_util.h"
#include "report/suppress_reason.h"
#include "rules/rule.h"
#include "store/store.h"
#include "report/analysis_limit.h"
#include "util/xalloc.h"

/* ---- fixture: a temporary project ---- */

/* "src dir/café 日本.c": a comment with é (2 bytes, 1 UTF-16 unit) and 😀
 * (4 bytes, 2 units) before go() on line 2. */
static const char SRC1[] = "int main(void) {\n"
                           "    /* \xc3\xa9\xf0\x9f\x98\x80 */ go(worker());\n"
                           "    if (x)\n"
                           "        return 1;\n"
                           "    return 0;\n"
                           "}\n";
/* byte columns of line 2: 4 spaces, the comment opener and a space (3), é (2), 😀 (4), closer (4) */
#define GO_BYTE_COL 18u
#define GO_UTF16_COL 15u
#define GO_UTF16_END 27u /* + strlen("go(worker())") */

static const char SRC2[] = "void f(void) {\n"
                           "    poll(&pfd, 1, -1); // tasklint-ignore(missing-timeout): the peer [always] answers\n"
                           "    sleep(1);\n"
                           "}\n";

typedef struct {
    char root[64];
    char *file1; /* absolute */
    char *file2;
    tl_findings fs, absent;
    tl_report_input in;
    const char *fatal[1];
} project;

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    project *p = tl_xcalloc(1, sizeof *p);
    strcpy(p->root, "/tmp/tl_sarif_XXXXXX");
    if (!mkdtemp(p->root)) return -1;
    char *dir = tl_xasprintf("%s/src dir", p->root);
    mkdir(dir, 0755);
    p->file1 = tl_xasprintf("%s/caf\xc3\xa9 \xe6\x97\xa5.c", dir);
    p->file2 = tl_xasprintf("%s/plain.c", p->root);
    free(dir);
    write_file(p->file1, SRC1);
    write_file(p->file2, SRC2);

    tl_findings_init(&p->fs);
    tl_findings_init(&p->absent);
    tl_finding *f;
    /* a path finding with two notes, a fingerprint, new */
    f = tl_findings_add(&p->fs, "orphaned-spawn", TL_SEV_WARNING, p->file1, 2, GO_BYTE_COL, "main",
                        "coroutine handle returned by go() is never closed; it leaks at the "
                        "return on line 4");
    tl_finding_set_snippet(f, "go(worker())");
    tl_finding_add_note(f, p->file1, 3, 5, "taking the branch where x is true");
    tl_finding_add_note(f, p->file1, 4, 9, "the handle leaks when returning here");
    tl_finding_set_fingerprint(f, "0123456789abcdef0123456789abcdef");
    f->baseline_state = TL_BASELINE_NEW;
    /* a clang error: a notification, not a result */
    f = tl_findings_add(&p->fs, "clang-diagnostic", TL_SEV_ERROR, p->file2, 1, 1, NULL,
                        "unknown type name 'pfd_t'");
    /* a suppressed finding */
    f = tl_findings_add(&p->fs, "missing-timeout", TL_SEV_WARNING, p->file2, 2, 5, "f",
                        "poll() waits forever: SUPPRESSED-ONE");
    tl_finding_set_snippet(f, "poll(&pfd, 1, -1)");
    f->suppressed = true;
    f->baseline_state = TL_BASELINE_UNCHANGED;
    /* unchanged, triaged; no snippet: the token ends the region */
    f = tl_findings_add(&p->fs, "blocking-in-coroutine", TL_SEV_WARNING, p->file2, 3, 5, "f",
                        "call to sleep() blocks inside a coroutine");
    tl_finding_set_triage(f, TL_TRIAGE_FALSE_POSITIVE, "sleep(1) is at startup");
    f->baseline_state = TL_BASELINE_UNCHANGED;
    /* a baseline finding that is gone */
    f = tl_findings_add(&p->absent, "unawaited-task", TL_SEV_WARNING, "src/gone.c", 0, 0, "old",
                        "FIXED-ONE");
    tl_finding_set_fingerprint(f, "fedcba9876543210fedcba9876543210");

    p->fatal[0] = "src/broken.c: cannot parse";
    p->in = (tl_report_input){
        .findings = &p->fs,
        .absent = &p->absent,
        .root = p->root,
        .include_suppressed = false,
        .execution_successful = true,
        .baseline_compared = true,
        .command_line = "tasklint --format sarif --output out.sarif src",
        .tool_version = "0.1.0",
        .files_analysed = 2,
        .files_failed = 1,
        .fatal_messages = p->fatal,
        .nfatal = 1,
        .start_time_utc = "2025-01-02T03:04:05Z",
        .end_time_utc = "2025-01-02T03:04:06Z",
    };
    *state = p;
    return 0;
}

static int teardown(void **state) {
    project *p = *state;
    unlink(p->file1);
    unlink(p->file2);
    char *dir = tl_xasprintf("%s/src dir", p->root);
    rmdir(dir);
    free(dir);
    rmdir(p->root);
    free(p->file1);
    free(p->file2);
    tl_findings_free(&p->fs);
    tl_findings_free(&p->absent);
    free(p);
    return 0;
}

typedef int (*writer_fn)(FILE *, const tl_report_input *);

/* Not inlined: gcc -O3 takes open_memstream's &buf for the result pointing at buf (-Wdangling-pointer) */
__attribute__((noinline)) static char *render(writer_fn fn, const tl_report_input *in, const char *dump_name) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(fn(fp, in), 0);
    fclose(fp);
    const char *dir = getenv("TL_SARIF_DUMP_DIR");
    if (dir && *dir && dump_name) {
        char *path = tl_xasprintf("%s/%s", dir, dump_name);
        write_file(path, buf);
        free(path);
    }
    return buf;
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* The text between `from` and the next line that closes at `from`'s indent. */
static char *block(const char *doc, const char *from) {
    const char *s = strstr(doc, from);
    assert_non_null(s);
    const char *bol = s;
    while (bol > doc && bol[-1] != '\n') bol--;
    size_t indent = (size_t)(s - bol);
    const char *p = strchr(s, '\n');
    while (p) {
        const char *q = p + 1;
        size_t sp = 0;
        while (q[sp] == ' ') sp++;
        if (sp == indent && (q[sp] == '}' || q[sp] == ']')) return tl_xstrndup(s, (size_t)(q + sp + 1 - s));
        p = strchr(q, '\n');
    }
    return tl_xstrdup(s);
}

static void test_sarif_top_level(void **state) {
    project *p = *state;
    char *out = render(tl_sarif_write, &p->in, "unit-default.sarif");
    assert_non_null(strstr(out, "\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\""));
    assert_non_null(strstr(out, "\"version\": \"2.1.0\""));
    assert_int_equal(count(out, "\"tool\": {"), 1); /* one run */
    assert_non_null(strstr(out, "\"name\": \"tasklint\""));
    assert_non_null(strstr(out, "\"semanticVersion\": \"0.1.0\""));
    assert_non_null(strstr(out, "\"informationUri\": \"https://"));
    assert_non_null(strstr(out, "\"columnKind\": \"utf16CodeUnits\""));
    /* %SRCROOT% is the root as a file URI with a trailing slash */
    char *root_uri = tl_xasprintf("\"uri\": \"file://%s/\"\n", p->root);
    const char *base = strstr(out, "\"%SRCROOT%\": {");
    assert_non_null(base);
    assert_true(strstr(base, root_uri) == strchr(base, '\n') + 11);
    free(root_uri);
    /* no empty strings anywhere (GitHub rejects them) */
    assert_null(strstr(out, "\"\""));
    /* the invocation */
    char *inv = block(out, "\"invocations\"");
    assert_non_null(strstr(inv, "\"executionSuccessful\": true"));
    assert_non_null(strstr(inv, "\"commandLine\": \"tasklint --format sarif"));
    assert_non_null(strstr(inv, "\"startTimeUtc\": \"2025-01-02T03:04:05Z\""));
    assert_non_null(strstr(inv, "\"endTimeUtc\": \"2025-01-02T03:04:06Z\""));
    free(inv);
    free(out);
}

static void test_sarif_rules(void **state) {
    project *p = *state;
    char *out = render(tl_sarif_write, &p->in, NULL);
    char *rules = block(out, "\"rules\"");
    for (size_t i = 0; tl_rules[i]; i++) {
        char *id = tl_xasprintf("\"id\": \"%s\"", tl_rules[i]->id);
        assert_non_null(strstr(rules, id));
        free(id);
        char *name = tl_xasprintf("\"name\": \"%s\"", tl_rules[i]->name);
        assert_non_null(strstr(rules, name));
        free(name);
    }
    assert_non_null(strstr(rules, "\"id\": \"clang-diagnostic\""));
    assert_non_null(strstr(rules, "\"id\": \"suppression\""));
    /* every rule's name differs from its id beyond case (a name equal to the
       id is a SARIF1001 warning in Microsoft's validator) */
    size_t nnamed = 0;
    for (const char *id = strstr(rules, "\"id\": \""); id; id = strstr(id + 1, "\"id\": \"")) {
        const char *name = strstr(id, "\"name\": \"");
        assert_non_null(name);
        const char *ide = strchr(id + 7, '"'), *namee = strchr(name + 9, '"');
        size_t idlen = (size_t)(ide - (id + 7)), namelen = (size_t)(namee - (name + 9));
        assert_false(idlen == namelen && !strncasecmp(id + 7, name + 9, idlen));
        nnamed++;
    }
    assert_int_equal(nnamed, tl_rule_count() + 3);
    assert_non_null(strstr(rules, "\"id\": \"analysis-limit\""));
    size_t nrules = tl_rule_count() + 3;
    assert_int_equal(count(rules, "\"shortDescription\""), nrules);
    assert_int_equal(count(rules, "\"fullDescription\""), nrules);
    assert_int_equal(count(rules, "\"help\""), nrules);
    assert_int_equal(count(rules, "\"markdown\": \"## What it does"), nrules);
    assert_int_equal(count(rules, "\"defaultConfiguration\""), nrules);
    assert_int_equal(count(rules, "\"precision\": \""), nrules);
    assert_int_equal(count(rules, "\"problem.severity\": \""), nrules);
    assert_int_equal(count(rules, "\"tags\": ["), nrules);
    assert_non_null(strstr(rules, "\"level\": \"error\""));
    /* orphaned-spawn's tags, one per element */
    assert_non_null(strstr(rules, "\"concurrency\",\n"));
    assert_non_null(strstr(rules, "\"resource-leak\",\n"));
    /* help.text is the doc without code fence markers; markdown keeps them */
    char *help = block(rules, "\"help\"");
    const char *text = strstr(help, "\"text\"");
    const char *md = strstr(help, "\"markdown\"");
    assert_true(text && md && text < md);
    char *textpart = tl_xstrndup(text, (size_t)(md - text));
    assert_null(strstr(textpart, "```"));
    assert_null(strstr(textpart, "## "));
    free(textpart);
    assert_non_null(strstr(md, "```c"));
    /* the headings lose their markers, code keeps its #include lines */
    assert_non_null(strstr(help, "\"text\": \"What it does\\n\\n"));
    free(help);
    free(rules);
    free(out);
}

static void test_sarif_path_result(void **state) {
    project *p = *state;
    char *out = render(tl_sarif_write, &p->in, NULL);
    char *results = block(out, "\"results\"");
    /* the path finding comes first (findings are in input order) */
    char *r = block(results, "{");
    assert_non_null(strstr(r, "\"ruleId\": \"orphaned-spawn\""));
    assert_non_null(strstr(r, "\"ruleIndex\": 0"));
    assert_non_null(strstr(r, "\"level\": \"warning\""));
    assert_non_null(strstr(r, "\"text\": \"coroutine handle returned by go() is never closed"));
    /* the message links to the related locations by id (SARIF embedded links) */
    assert_non_null(strstr(r, "\"text\": \"coroutine handle returned by go() is never closed; it "
                              "leaks at the return on line 4 (see [line 3](1), [line 4](2))\"\n"));
    /* relative, percent-encoded URI (space, é, 日) under %SRCROOT% */
    assert_non_null(strstr(r, "\"uri\": \"src%20dir/caf%C3%A9%20%E6%97%A5.c\",\n"));
    assert_non_null(strstr(r, "\"uriBaseId\": \"%SRCROOT%\""));
    assert_null(strstr(r, "file://"));
    /* UTF-16 columns: é is 1 unit, 😀 2; the region ends after the snippet */
    char *region = block(r, "\"region\"");
    char *want = tl_xasprintf("\"startLine\": 2,\n"
                              "                  \"startColumn\": %u,\n"
                              "                  \"endLine\": 2,\n"
                              "                  \"endColumn\": %u\n",
                              GO_UTF16_COL, GO_UTF16_END);
    assert_non_null(strstr(region, want));
    free(want);
    free(region);
    assert_non_null(strstr(r, "\"name\": \"main\",\n"));
    assert_non_null(strstr(r, "\"kind\": \"function\""));
    /* fingerprint under our own key */
    assert_non_null(strstr(r, "\"partialFingerprints\": {\n"
                              "            \"tasklint/v1\": \"0123456789abcdef0123456789abcdef\"\n"));
    /* related locations: one per note, with ids and messages */
    char *rel = block(r, "\"relatedLocations\"");
    assert_non_null(strstr(rel, "\"id\": 1"));
    assert_non_null(strstr(rel, "\"id\": 2"));
    assert_non_null(strstr(rel, "\"text\": \"the handle leaks when returning here\""));
    free(rel);
    /* code flow: the primary location, then each note */
    char *cf = block(r, "\"codeFlows\"");
    assert_int_equal(count(cf, "\"threadFlows\""), 1);
    assert_int_equal(count(cf, "\"location\": {"), 3);
    const char *s1 = strstr(cf, "never closed");
    const char *s2 = strstr(cf, "taking the branch");
    const char *s3 = strstr(cf, "leaks when returning");
    assert_true(s1 && s2 && s3 && s1 < s2 && s2 < s3);
    /* "return" at line 4 col 9: the step's region ends after the token */
    assert_non_null(strstr(cf, "\"startLine\": 4,\n"));
    assert_non_null(strstr(cf, "\"startColumn\": 9,"));
    assert_non_null(strstr(cf, "\"endColumn\": 15\n"));
    free(cf);
    assert_non_null(strstr(r, "\"baselineState\": \"new\""));
    assert_null(strstr(r, "\"suppressions\""));
    free(r);
    free(results);
    free(out);
}

/* A function that was not fully checked: a notification (like a clang
 * error) at the function, warning level, tied to the analysis-limit rule;
 * not an alert. */
static void test_sarif_analysis_limit_is_a_notification(void **state) {
    project *p = *state;
    tl_report_analysis_limit(&p->fs, p->file2, 1, 6, "f",
                             "orphaned-spawn follows at most 32 spawned handles per function");
    char *out = render(tl_sarif_write, &p->in, NULL);
    char *results = block(out, "\"results\"");
    assert_null(strstr(results, "analysis-limit"));
    assert_null(strstr(results, "not fully checked"));
    char *inv = block(out, "\"toolExecutionNotifications\"");
    const char *n = strstr(inv, "\"text\": \"'f' was not fully checked: orphaned-spawn follows at "
                                "most 32 spawned handles per function; findings in it may be "
                                "missing\"");
    assert_non_null(n);
    assert_int_equal(count(inv, "\"level\": \"warning\""), 1);
    assert_non_null(strstr(n, "\"name\": \"f\",\n"));
    assert_non_null(strstr(n, "\"kind\": \"function\""));
    /* the rule comes after the rules and the two other pseudo-rules */
    const char *assoc = strstr(n, "\"associatedRule\"");
    assert_non_null(assoc);
    assert_non_null(strstr(assoc, "\"id\": \"analysis-limit\""));
    char *index = tl_xasprintf("\"index\": %zu", tl_rule_count() + 2);
    assert_true(strstr(assoc, index) == strstr(assoc, "\"index\""));
    free(index);
    free(inv);
    free(results);
    free(out);
}

static void test_sarif_other_results(void **state) {
    project *p = *state;
    char *out = render(tl_sarif_write, &p->in, NULL);
    char *results = block(out, "\"results\"");
    /* clang errors are notifications, not results */
    assert_null(strstr(results, "clang-diagnostic"));
    assert_null(strstr(results, "pfd_t"));
    char *inv = block(out, "\"toolExecutionNotifications\"");
    assert_non_null(strstr(inv, "\"text\": \"unknown type name 'pfd_t'\""));
    assert_non_null(strstr(inv, "\"uri\": \"plain.c\""));
    assert_non_null(strstr(inv, "\"id\": \"clang-diagnostic\""));
    assert_non_null(strstr(inv, "\"text\": \"src/broken.c: cannot parse\""));
    assert_int_equal(count(inv, "\"level\": \"error\""), 2);
    free(inv);
    /* suppressed results are left out by default */
    assert_null(strstr(results, "SUPPRESSED-ONE"));
    /* a triaged, unchanged result; region from the token */
    assert_non_null(strstr(results, "\"baselineState\": \"unchanged\""));
    assert_non_null(strstr(results, "\"triage\": \"false-positive\""));
    assert_non_null(strstr(results, "\"triageReason\": \"sleep(1) is at startup\""));
    assert_non_null(strstr(results, "\"ruleIndex\": 3"));
    /* the baseline finding that is gone: absent, no region (no line) */
    char *gone = block(results, "\"ruleId\": \"unawaited-task\"");
    (void)gone;
    free(gone);
    const char *fixed = strstr(results, "FIXED-ONE");
    assert_non_null(fixed);
    assert_non_null(strstr(fixed, "\"uri\": \"src/gone.c\""));
    assert_non_null(strstr(fixed, "\"baselineState\": \"absent\""));
    assert_non_null(strstr(fixed, "\"tasklint/v1\": \"fedcba9876543210fedcba9876543210\""));
    assert_int_equal(count(results, "\"ruleId\""), 3);
    free(results);
    free(out);
}

static void test_sarif_include_suppressed_no_baseline(void **state) {
    project *p = *state;
    tl_report_input in = p->in;
    in.include_suppressed = true;
    in.baseline_compared = false;
    in.absent = NULL;
    in.execution_successful = false;
    char *out = render(tl_sarif_write, &in, "unit-suppressed.sarif");
    char *results = block(out, "\"results\"");
    const char *s = strstr(results, "SUPPRESSED-ONE");
    assert_non_null(s);
    assert_non_null(strstr(s, "\"suppressions\": [\n"));
    assert_non_null(strstr(s, "\"kind\": \"inSource\""));
    /* the comment's reason, read again from the source */
    assert_non_null(strstr(s, "\"justification\": \"the peer [always] answers\"\n"));
    assert_null(strstr(results, "baselineState"));
    assert_null(strstr(results, "FIXED-ONE"));
    assert_non_null(strstr(out, "\"executionSuccessful\": false"));
    /* poll(&pfd, 1, -1) at col 5: the region covers the snippet */
    assert_non_null(strstr(s, "\"endColumn\": 22\n"));
    free(results);
    free(out);
}

/* Inside a git work tree, %SRCROOT% is its top level, not the project root
 * (GitHub reads URIs relative to the repository). */
static void test_sarif_srcroot_is_git_top(void **state) {
    project *p = *state;
    char *git = tl_xasprintf("%s/.git", p->root);
    assert_int_equal(mkdir(git, 0755), 0);
    char *proj = tl_xasprintf("%s/src dir", p->root);
    tl_report_input in = p->in;
    in.root = proj;
    char *out = render(tl_sarif_write, &in, NULL);
    rmdir(git);
    assert_non_null(strstr(out, "\"uri\": \"src%20dir/caf%C3%A9%20%E6%97%A5.c\""));
    /* a baseline path is relative to the project root */
    assert_non_null(strstr(out, "\"uri\": \"src%20dir/src/gone.c\""));
    char *root_uri = tl_xasprintf("\"uri\": \"file://%s/\"\n", p->root);
    assert_non_null(strstr(out, root_uri));
    free(root_uri);
    free(out);
    /* the JSON output stays relative to the project root */
    out = render(tl_json_write, &in, NULL);
    assert_non_null(strstr(out, "\"relative_file\": \"caf\xc3\xa9 \xe6\x97\xa5.c\""));
    free(out);
    free(proj);
    free(git);
}

static void test_sarif_outside_root_and_empty(void **state) {
    (void)state;
    tl_findings fs;
    tl_findings_init(&fs);
    tl_finding *f = tl_findings_add(&fs, "missing-timeout", TL_SEV_WARNING,
                                    "/nonexistent/dir with space/a.c", 7, 3, NULL, "");
    tl_finding_add_note(f, "/nonexistent/dir with space/a.c", 9, 0, "");
    tl_report_input in = {.findings = &fs, .root = "/work/none", .execution_successful = true};
    char *out = render(tl_sarif_write, &in, "unit-outside.sarif");
    /* absolute file URI, no base id; unreadable source: endColumn = startColumn + 1 */
    assert_non_null(strstr(out, "\"uri\": \"file:///nonexistent/dir%20with%20space/a.c\"\n"));
    assert_non_null(strstr(out, "\"startColumn\": 3,"));
    assert_non_null(strstr(out, "\"endColumn\": 4\n"));
    assert_non_null(strstr(out, "\"text\": \"(no message) (see [line 9](1))\""));
    assert_null(strstr(out, "\"\""));
    assert_non_null(strstr(out, "\"results\": [\n"));
    free(out);
    /* no findings at all */
    tl_findings empty;
    tl_findings_init(&empty);
    in.findings = &empty;
    out = render(tl_sarif_write, &in, "unit-empty.sarif");
    assert_non_null(strstr(out, "\"results\": []"));
    assert_non_null(strstr(out, "\"toolExecutionNotifications\": []"));
    free(out);
    tl_findings_free(&fs);
}

static void test_sarif_long_message_truncated(void **state) {
    (void)state;
    size_t n = 9000;
    char *msg = tl_xmalloc(n + 1);
    for (size_t i = 0; i < n; i += 3) memcpy(msg + i, "\xe6\x97\xa5", 3); /* 日 x 3000 */
    msg[n] = '\0';
    tl_findings fs;
    tl_findings_init(&fs);
    tl_findings_add(&fs, "missing-timeout", TL_SEV_WARNING, "a.c", 1, 1, NULL, msg);
    tl_report_input in = {.findings = &fs, .root = ".", .execution_successful = true};
    char *out = render(tl_sarif_write, &in, NULL);
    const char *t = strstr(out, "\"text\": \"\xe6\x97\xa5");
    assert_non_null(t);
    const char *e = strstr(t, "...\"");
    assert_non_null(e);
    size_t bytes = (size_t)(e - (t + 9));
    assert_true(bytes <= 4096);
    assert_int_equal(bytes % 3, 0); /* cut between characters */
    free(out);
    free(msg);
    tl_findings_free(&fs);
}

/* ---- tasklint's own JSON ---- */

static void test_json_output(void **state) {
    project *p = *state;
    char *out = render(tl_json_write, &p->in, NULL);
    assert_true(!strncmp(out, "{\n  \"version\": 1,\n  \"tool\": {\n    \"name\": \"tasklint\",\n", 50));
    assert_non_null(strstr(out, "\n  \"findings\": [\n"));
    assert_non_null(strstr(out, "\n  \"summary\": {\n"));
    char *first = block(out, "{\n      \"rule\"");
    char *file = tl_xasprintf("      \"file\": \"%s\",\n", p->file1);
    assert_non_null(strstr(first, file));
    free(file);
    assert_non_null(strstr(first, "      \"rule\": \"orphaned-spawn\",\n"
                                  "      \"severity\": \"warning\",\n"));
    assert_non_null(strstr(first, "      \"relative_file\": \"src dir/caf\xc3\xa9 \xe6\x97\xa5.c\",\n"
                                  "      \"line\": 2,\n"
                                  "      \"col\": 18,\n"
                                  "      \"function\": \"main\",\n"));
    assert_non_null(strstr(first, "      \"fingerprint\": \"0123456789abcdef0123456789abcdef\",\n"
                                  "      \"suppressed\": false,\n"
                                  "      \"triage\": null,\n"
                                  "      \"triage_reason\": null,\n"
                                  "      \"baseline_state\": \"new\",\n"
                                  "      \"notes\": [\n"));
    assert_int_equal(count(first, "\"message\": "), 3);
    free(first);
    /* suppressed findings are listed, marked */
    const char *s = strstr(out, "SUPPRESSED-ONE");
    assert_non_null(s);
    assert_non_null(strstr(s, "\"suppressed\": true"));
    /* clang errors are findings here */
    assert_non_null(strstr(out, "\"rule\": \"clang-diagnostic\""));
    /* absent */
    const char *fx = strstr(out, "FIXED-ONE");
    assert_non_null(fx);
    assert_non_null(strstr(fx, "\"baseline_state\": \"absent\""));
    assert_non_null(strstr(out, "\"triage\": \"false-positive\",\n"));
    char *sum = block(out, "\"summary\"");
    assert_non_null(strstr(sum, "    \"findings\": 3,\n"
                                "    \"errors\": 1,\n"
                                "    \"warnings\": 2,\n"
                                "    \"notes\": 0,\n"
                                "    \"suppressed\": 1,\n"));
    assert_non_null(strstr(sum, "      \"orphaned-spawn\": 1,\n"
                                "      \"unawaited-task\": 0,\n"
                                "      \"missing-timeout\": 0,\n"
                                "      \"blocking-in-coroutine\": 1,\n"
                                "      \"clang-diagnostic\": 1,\n"
                                "      \"suppression\": 0,\n"
                                "      \"analysis-limit\": 0\n"));
    assert_non_null(strstr(sum, "\"baseline\": {\n"
                                "      \"new\": 1,\n"
                                "      \"unchanged\": 1,\n"
                                "      \"absent\": 1\n"));
    assert_non_null(strstr(sum, "\"files_analysed\": 2,\n    \"files_failed\": 1,\n"));
    assert_non_null(strstr(sum, "\"fatal_errors\": [\n      \"src/broken.c: cannot parse\"\n    ]"));
    free(sum);
    free(out);

    /* no baseline: baseline_state and summary.baseline are null */
    tl_report_input in = p->in;
    in.baseline_compared = false;
    in.absent = NULL;
    out = render(tl_json_write, &in, NULL);
    assert_null(strstr(out, "\"baseline_state\": \"new\""));
    assert_non_null(strstr(out, "\"baseline_state\": null"));
    assert_non_null(strstr(out, "\"baseline\": null"));
    free(out);
}

static void test_report_paths(void **state) {
    (void)state;
    char *a = tl_report_abspath("/a/./b//c/../d/");
    assert_string_equal(a, "/a/b/d");
    free(a);
    a = tl_report_abspath("/..");
    assert_string_equal(a, "/");
    free(a);
    char *r = tl_report_relpath("/root/x/y.c", "/root");
    assert_string_equal(r, "x/y.c");
    free(r);
    assert_null(tl_report_relpath("/rootx/y.c", "/root"));
    assert_null(tl_report_relpath("/root", "/root"));
    char *u = tl_report_uri_encode("a b/\xc3\xa9%#?+~_-.c");
    assert_string_equal(u, "a%20b/%C3%A9%25%23%3F%2B~_-.c");
    free(u);
    u = tl_report_file_uri("/x y", true);
    assert_string_equal(u, "file:///x%20y/");
    free(u);
    u = tl_report_file_uri("/", true);
    assert_string_equal(u, "file:///");
    free(u);
}

/* The reason of a suppression comment, as SARIF's justification. */
static void test_suppress_reason_in_line(void **state) {
    (void)state;
    struct {
        const char *line;
        unsigned col;
        const char *want;
    } cases[] = {
        {"x(); // tasklint-ignore(orphaned-spawn): the pool owns it  ", 9, "the pool owns it"},
        {"x(); /* tasklint-ignore(a, b) : why */ y();", 9, "why"},
        {"/* tasklint-ignore-begin(a): one tasklint-ignore(b): two */", 4, "one"},
        {"// tasklint-ignore-next-line(*): ok", 4, "ok"},
        {"// tasklint-ignore(a)", 4, NULL},
        {"// tasklint-ignore(a):   ", 4, NULL},
        {"// tasklint-ignore(a", 4, NULL},
        {"short", 40, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = tl_suppress_reason_in_line(cases[i].line, strlen(cases[i].line), cases[i].col);
        if (cases[i].want) assert_string_equal(r, cases[i].want);
        else assert_null(r);
        free(r);
    }
}

/* Remotes as SARIF repositoryUri: never with credentials, always a URI. */
static void test_repository_uri(void **state) {
    (void)state;
    struct {
        const char *remote, *want;
    } cases[] = {
        {"https://github.com/o/r.git", "https://github.com/o/r.git"},
        {"https://x-access-token:ghs_SECRET@github.com/o/r", "https://github.com/o/r"},
        {"https://user@gitlab.example/g/r.git", "https://gitlab.example/g/r.git"},
        {"ssh://git@github.com/o/r.git", "ssh://github.com/o/r.git"},
        {"git@github.com:o/r.git", "ssh://github.com/o/r.git"},
        {"github.com:o/r.git", "ssh://github.com/o/r.git"},
        {"/srv/git/r.git", "file:///srv/git/r.git"},
        {"/srv/my repo", "file:///srv/my%20repo"},
        {"https://github.com/o/r\033[31m", NULL},
        {"https://github.com/o/r x", NULL},
        {"../relative/r.git", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *u = tl_report_repository_uri(cases[i].remote);
        if (cases[i].want) assert_string_equal(u, cases[i].want);
        else assert_null(u);
        free(u);
    }
    assert_null(tl_report_repository_uri(NULL));
}

/* versionControlProvenance from the git facts the CLI gathers; mappedTo
 * %SRCROOT% only when that is the work tree's top level. */
static void test_sarif_version_control(void **state) {
    project *p = *state;
    tl_report_input in = p->in;
    char *out = render(tl_sarif_write, &in, NULL);
    assert_null(strstr(out, "versionControlProvenance"));
    free(out);
    in.vcs_toplevel = p->root;
    in.vcs_remote = "git@github.com:o/r.git";
    in.vcs_revision = "0123456789012345678901234567890123456789";
    in.vcs_branch = "main";
    out = render(tl_sarif_write, &in, "unit-vcs.sarif");
    char *vcp = block(out, "\"versionControlProvenance\"");
    assert_non_null(strstr(vcp, "\"repositoryUri\": \"ssh://github.com/o/r.git\",\n"));
    assert_non_null(strstr(vcp, "\"revisionId\": \"0123456789012345678901234567890123456789\",\n"));
    assert_non_null(strstr(vcp, "\"branch\": \"main\",\n"));
    assert_non_null(strstr(vcp, "\"uriBaseId\": \"%SRCROOT%\"\n"));
    free(vcp);
    free(out);
    /* no remote: the work tree itself; a detached HEAD: no branch; a work
       tree above %SRCROOT%: no mappedTo */
    char *parent = tl_xstrdup(p->root);
    *strrchr(parent, '/') = '\0';
    in.vcs_toplevel = parent;
    in.vcs_remote = NULL;
    in.vcs_branch = NULL;
    out = render(tl_sarif_write, &in, NULL);
    vcp = block(out, "\"versionControlProvenance\"");
    char *want = tl_xasprintf("\"repositoryUri\": \"file://%s/\",\n", parent);
    assert_non_null(strstr(vcp, want));
    assert_null(strstr(vcp, "branch"));
    assert_null(strstr(vcp, "mappedTo"));
    free(want);
    free(vcp);
    free(out);
    free(parent);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sarif_top_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_path_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_other_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_analysis_limit_is_a_notification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_include_suppressed_no_baseline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_srcroot_is_git_top, setup, teardown),
        cmocka_unit_test(test_sarif_outside_root_and_empty),
        cmocka_unit_test(test_sarif_long_message_truncated),
        cmocka_unit_test_setup_teardown(test_json_output, setup, teardown),
        cmocka_unit_test(test_report_paths),
        cmocka_unit_test(test_repository_uri),
        cmocka_unit_test(test_suppress_reason_in_line),
        cmocka_unit_test_setup_teardown(test_sarif_version_control, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
