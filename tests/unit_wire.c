/* unit_wire.c - the wire format (util/wire.h) and TU results on it
 * (cli/tu_wire.h): round trips through a buffer and a file, and input that
 * must be refused - every truncation, every single-byte corruption, forged
 * counts and lengths, random payloads with a valid checksum (run under
 * ASan: refusing must never read out of bounds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/tu_wire.h"
#include "util/wire.h"
#include "util/xalloc.h"

/* ---- helpers ---- */

static void make_result(tl_tu_result *r) {
    memset(r, 0, sizeof *r);
    tl_findings_init(&r->findings);
    tl_finding *f = tl_findings_add(&r->findings, "orphaned-spawn", TL_SEV_WARNING,
                                    "/src/pool.c", 88, 5, "start_pool",
                                    "thread 't' spawned by pthread_create() is never joined");
    tl_finding_add_note(f, "/src/pool.c", 91, 5, "the thread is still owned when returning here");
    tl_finding_add_note(f, NULL, 0, 0, "a note without a place");
    tl_finding_set_snippet(f, "pthread_create(&t, NULL, job, j)");
    tl_finding_set_fingerprint(f, "3f9c2a71deadbeef");
    tl_finding_set_triage(f, 2, "the pool owns it");
    f->suppressed = true;
    f->baseline_state = TL_BASELINE_NEW;
    tl_finding *g = tl_findings_add(&r->findings, "clang-diagnostic", TL_SEV_ERROR, "/src/x.c", 0,
                                    0, NULL, "");
    (void)g;
    r->nerrors = 7;
    r->fatal = true;
    r->fatal_message = tl_xstrdup("x.c: could not be parsed: \xc3\xa9 (UTF-8 kept as is)");
    r->crashed = true;
    r->nincludes = 3;
    r->includes = tl_xcalloc(3, sizeof *r->includes);
    r->includes[0] = tl_xstrdup("/src/pool.c");
    r->includes[1] = tl_xstrdup("/src/pool.h");
    r->includes[2] = tl_xstrdup("/usr/include/pthread.h");
}

static void assert_str_or_null(const char *a, const char *b) {
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

static void assert_same_result(const tl_tu_result *a, const tl_tu_result *b) {
    assert_int_equal(a->nerrors, b->nerrors);
    assert_int_equal(a->fatal, b->fatal);
    assert_str_or_null(a->fatal_message, b->fatal_message);
    assert_int_equal(a->crashed, b->crashed);
    assert_int_equal(a->findings.n, b->findings.n);
    for (size_t i = 0; i < a->findings.n; i++) {
        const tl_finding *x = &a->findings.items[i], *y = &b->findings.items[i];
        assert_string_equal(x->rule, y->rule);
        assert_int_equal(x->severity, y->severity);
        assert_string_equal(x->file, y->file);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->col, y->col);
        assert_str_or_null(x->function, y->function);
        assert_string_equal(x->message, y->message);
        assert_str_or_null(x->snippet, y->snippet);
        assert_str_or_null(x->fingerprint, y->fingerprint);
        assert_int_equal(x->suppressed, y->suppressed);
        assert_int_equal(x->triage, y->triage);
        assert_str_or_null(x->triage_reason, y->triage_reason);
        assert_int_equal(x->baseline_state, y->baseline_state);
        assert_int_equal(x->nnotes, y->nnotes);
        for (size_t k = 0; k < x->nnotes; k++) {
            assert_str_or_null(x->notes[k].file, y->notes[k].file);
            assert_int_equal(x->notes[k].line, y->notes[k].line);
            assert_int_equal(x->notes[k].col, y->notes[k].col);
            assert_string_equal(x->notes[k].message, y->notes[k].message);
        }
    }
    assert_int_equal(a->nincludes, b->nincludes);
    for (size_t i = 0; i < a->nincludes; i++) assert_string_equal(a->includes[i], b->includes[i]);
}

/* Scans and decodes buf as one frame: 0 on success (*out filled), -1 when
 * refused at any stage. */
static int scan_decode(const unsigned char *buf, size_t len, tl_tu_result *out) {
    tl_wire_frame f;
    char err[256];
    memset(out, 0, sizeof *out);
    if (tl_wire_scan_frame(buf, len, &f, err, sizeof err) != TL_WIRE_FRAME) return -1;
    if (f.frame_len != len) return -1;
    if (tl_tu_wire_decode(&f, out, err, sizeof err) != 0) {
        assert_true(err[0] != 0); /* a refusal says why */
        return -1;
    }
    return 0;
}

/* Recomputes a frame's length and checksum after its payload was edited,
 * like a writer with a bug (or a hostile one) would produce. */
static void reseal(unsigned char *buf, size_t len) {
    uint32_t n = (uint32_t)(len - TL_WIRE_HEADER_SIZE);
    uint32_t h = tl_wire_checksum(buf + TL_WIRE_HEADER_SIZE, n);
    for (int i = 0; i < 4; i++) {
        buf[8 + i] = (unsigned char)(n >> (8 * i));
        buf[12 + i] = (unsigned char)(h >> (8 * i));
    }
}

/* ---- round trips ---- */

static void test_round_trip(void **state) {
    (void)state;
    tl_tu_result r, back;
    make_result(&r);
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    assert_int_equal(tl_tu_wire_encode(&w, &r), 0);
    assert_int_equal(scan_decode(w.data, w.len, &back), 0);
    assert_same_result(&r, &back);
    tl_tu_result_free(&back);

    /* an empty result: no findings, no includes, NULL message */
    tl_tu_result empty;
    memset(&empty, 0, sizeof empty);
    tl_findings_init(&empty.findings);
    tl_wire_writer_reset(&w);
    assert_int_equal(tl_tu_wire_encode(&w, &empty), 0);
    assert_int_equal(scan_decode(w.data, w.len, &back), 0);
    assert_same_result(&empty, &back);
    assert_null(back.fatal_message);
    tl_tu_result_free(&back);
    tl_wire_writer_free(&w);
    tl_tu_result_free(&r);
}

/* The checksum's values are part of the format (frames in a store written
 * by an older build): pinned, from the byte-wise definition (8-byte
 * little-endian words, then the tail bytes, then the length). */
static void test_checksum_values(void **state) {
    (void)state;
    unsigned char b[19];
    for (int i = 0; i < 19; i++) b[i] = (unsigned char)(i * 37 + 1);
    assert_int_equal(tl_wire_checksum(b, 19), 0xc01cc038u);
    assert_int_equal(tl_wire_checksum(b, 8), 0x2506dde7u);
    assert_int_equal(tl_wire_checksum(b, 0), 0x29620a93u);
    /* an unaligned start reads the same words */
    unsigned char u[20];
    memcpy(u + 1, b, 19);
    assert_int_equal(tl_wire_checksum(u + 1, 19), 0xc01cc038u);
}

static void test_varints(void **state) {
    (void)state;
    static const uint64_t us[] = {0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, (uint64_t)1 << 63, UINT64_MAX};
    static const int64_t is[] = {0, -1, 1, -64, 63, 64, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX};
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    for (size_t i = 0; i < sizeof us / sizeof *us; i++) tl_wire_put_varu(&w, us[i]);
    for (size_t i = 0; i < sizeof is / sizeof *is; i++) tl_wire_put_vari(&w, is[i]);
    tl_wire_reader r;
    tl_wire_reader_init(&r, w.data, w.len);
    for (size_t i = 0; i < sizeof us / sizeof *us; i++) assert_true(tl_wire_get_varu(&r) == us[i]);
    for (size_t i = 0; i < sizeof is / sizeof *is; i++) assert_true(tl_wire_get_vari(&r) == is[i]);
    assert_false(r.bad);
    assert_int_equal(tl_wire_remaining(&r), 0);
    /* small values take one byte; -1 too */
    tl_wire_writer_reset(&w);
    tl_wire_put_varu(&w, 127);
    tl_wire_put_vari(&w, -1);
    assert_int_equal(w.len, 2);
    tl_wire_writer_free(&w);
    /* truncated, longer than 64 bits, bits past the 64th: refused */
    static const unsigned char cut[] = {0x80, 0x80};
    static const unsigned char eleven[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00};
    static const unsigned char past[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    tl_wire_reader_init(&r, cut, sizeof cut);
    assert_true(tl_wire_get_varu(&r) == 0 && r.bad);
    tl_wire_reader_init(&r, eleven, sizeof eleven);
    assert_true(tl_wire_get_varu(&r) == 0 && r.bad);
    tl_wire_reader_init(&r, past, sizeof past);
    assert_true(tl_wire_get_varu(&r) == 0 && r.bad);
    assert_true(tl_wire_get_varu(&r) == 0 && r.bad); /* sticky */
}

static void test_primitives(void **state) {
    (void)state;
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    tl_wire_put_u8(&w, 0xab);
    tl_wire_put_u32(&w, 0xdeadbeefu);
    tl_wire_put_u64(&w, 0x0123456789abcdefULL);
    tl_wire_put_str(&w, NULL);
    tl_wire_put_str(&w, "");
    tl_wire_put_str(&w, "h\xc3\xa9");
    /* little-endian on every host */
    assert_int_equal(w.data[1], 0xef);
    assert_int_equal(w.data[4], 0xde);
    tl_wire_reader r;
    tl_wire_reader_init(&r, w.data, w.len);
    assert_int_equal(tl_wire_get_u8(&r), 0xab);
    assert_int_equal(tl_wire_get_u32(&r), 0xdeadbeefu);
    assert_true(tl_wire_get_u64(&r) == 0x0123456789abcdefULL);
    assert_null(tl_wire_get_str(&r));
    char *s = tl_wire_get_str(&r);
    assert_string_equal(s, "");
    free(s);
    s = tl_wire_get_str(&r);
    assert_string_equal(s, "h\xc3\xa9");
    free(s);
    assert_false(r.bad);
    assert_int_equal(tl_wire_remaining(&r), 0);
    /* past the end: bad, and it stays bad */
    assert_int_equal(tl_wire_get_u32(&r), 0);
    assert_true(r.bad);
    assert_non_null(r.why);
    tl_wire_writer_free(&w);
}

static void test_file_of_frames(void **state) {
    (void)state;
    tl_tu_result r, back;
    make_result(&r);
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    assert_int_equal(tl_tu_wire_encode(&w, &r), 0);
    size_t one = w.len;
    r.crashed = false;
    assert_int_equal(tl_tu_wire_encode(&w, &r), 0);

    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fwrite(w.data, 1, w.len, fp), w.len);
    rewind(fp);
    unsigned char *buf;
    tl_wire_frame f;
    char err[256];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(tl_wire_read_frame(fp, &buf, &f, err, sizeof err), 1);
        assert_int_equal(tl_tu_wire_decode(&f, &back, err, sizeof err), 0);
        assert_int_equal(back.crashed, i == 0);
        assert_int_equal(back.findings.n, 2);
        tl_tu_result_free(&back);
        free(buf);
    }
    assert_int_equal(tl_wire_read_frame(fp, &buf, &f, err, sizeof err), 0);
    assert_null(buf);

    /* the same file cut anywhere inside the second frame: an error, never a
       clean end (shortest last: ftruncate only shrinks it) */
    for (size_t cut = w.len - 1; cut > one; cut -= cut - one > 7 ? 7 : 1) {
        rewind(fp);
        assert_int_equal(ftruncate(fileno(fp), (off_t)cut), 0);
        assert_int_equal(tl_wire_read_frame(fp, &buf, &f, err, sizeof err), 1);
        free(buf);
        err[0] = 0;
        assert_int_equal(tl_wire_read_frame(fp, &buf, &f, err, sizeof err), -1);
        if (!strstr(err, "truncated")) fail_msg("cut at %zu of %zu: %s", cut, w.len, err);
        assert_null(buf);
    }
    fclose(fp);
    tl_wire_writer_free(&w);
    tl_tu_result_free(&r);
}

/* ---- refusing bad input ---- */

static void test_every_truncation_needs_more(void **state) {
    (void)state;
    tl_tu_result r;
    make_result(&r);
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    assert_int_equal(tl_tu_wire_encode(&w, &r), 0);
    tl_wire_frame f;
    char err[256];
    for (size_t n = 0; n < w.len; n++)
        assert_int_equal(tl_wire_scan_frame(w.data, n, &f, err, sizeof err), TL_WIRE_NEED_MORE);
    assert_int_equal(tl_wire_scan_frame(w.data, w.len, &f, err, sizeof err), TL_WIRE_FRAME);
    tl_wire_writer_free(&w);
    tl_tu_result_free(&r);
}

static void test_every_byte_flip_is_refused(void **state) {
    (void)state;
    tl_tu_result r, back;
    make_result(&r);
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    assert_int_equal(tl_tu_wire_encode(&w, &r), 0);
    unsigned char *copy = tl_xmalloc(w.len);
    for (size_t i = 0; i < w.len; i++) {
        memcpy(copy, w.data, w.len);
        copy[i] ^= 0x20;
        assert_int_equal(scan_decode(copy, w.len, &back), -1);
    }
    free(copy);
    tl_wire_writer_free(&w);
    tl_tu_result_free(&r);
}

static void test_bad_headers(void **state) {
    (void)state;
    tl_wire_frame f;
    char err[256];
    /* one wrong byte of magic is enough to know */
    assert_int_equal(tl_wire_scan_frame("X", 1, &f, err, sizeof err), TL_WIRE_BAD);
    assert_non_null(strstr(err, "magic"));

    tl_wire_writer w;
    tl_wire_writer_init(&w);
    tl_wire_begin_frame(&w, TL_WIRE_KIND_TU_RESULT);
    assert_int_equal(tl_wire_end_frame(&w), 0);
    unsigned char h[TL_WIRE_HEADER_SIZE];
    memcpy(h, w.data, sizeof h);
    h[4] = TL_WIRE_VERSION + 1; /* another version */
    assert_int_equal(tl_wire_scan_frame(h, sizeof h, &f, err, sizeof err), TL_WIRE_BAD);
    char want[64];
    snprintf(want, sizeof want, "reads version %u", (unsigned)TL_WIRE_VERSION);
    assert_non_null(strstr(err, want));
    memcpy(h, w.data, sizeof h);
    h[11] = 0x7f; /* a length of about 2 GiB: refused before reading it */
    assert_int_equal(tl_wire_scan_frame(h, sizeof h, &f, err, sizeof err), TL_WIRE_BAD);
    assert_non_null(strstr(err, "limit"));

    /* a whole frame of another kind */
    tl_wire_writer_reset(&w);
    tl_wire_begin_frame(&w, 77);
    tl_wire_end_frame(&w);
    assert_int_equal(tl_wire_scan_frame(w.data, w.len, &f, err, sizeof err), TL_WIRE_FRAME);
    tl_tu_result back;
    assert_int_equal(tl_tu_wire_decode(&f, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "kind 77"));
    tl_wire_writer_free(&w);
}

/* A TU_STATUS record (tu_wire.c) saying: no errors, not fatal. */
static void put_status(tl_wire_writer *w) {
    tl_wire_begin_record(w, 1);
    tl_wire_put_u32(w, 0);
    tl_wire_put_u8(w, 0);
    tl_wire_put_str(w, NULL);
    tl_wire_put_u8(w, 0);
    tl_wire_end_record(w);
}

/* Payloads a correct writer never makes, with valid checksums. */
static void test_forged_payloads(void **state) {
    (void)state;
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    tl_tu_result back;

    /* no status record */
    tl_wire_writer_reset(&w);
    tl_wire_begin_frame(&w, TL_WIRE_KIND_TU_RESULT);
    tl_wire_end_frame(&w);
    assert_int_equal(scan_decode(w.data, w.len, &back), -1);

    /* two status records */
    tl_wire_writer_reset(&w);
    tl_wire_begin_frame(&w, TL_WIRE_KIND_TU_RESULT);
    put_status(&w);
    put_status(&w);
    tl_wire_end_frame(&w);
    assert_int_equal(scan_decode(w.data, w.len, &back), -1);

    /* an unknown record kind is skipped, extra fields at the end of a
       finding are ignored: both are how the format grows */
    tl_wire_writer_reset(&w);
    tl_wire_begin_frame(&w, TL_WIRE_KIND_TU_RESULT);
    put_status(&w);
    tl_wire_begin_record(&w, 999);
    tl_wire_put_str(&w, "from a newer tasklint");
    tl_wire_begin_record(&w, 2);
    tl_finding f = {.rule = "r", .file = "a.c", .message = "m", .line = 3};
    tl_wire_put_finding(&w, &f);
    tl_wire_put_u64(&w, 42); /* a field added later */
    tl_wire_end_frame(&w);
    assert_int_equal(scan_decode(w.data, w.len, &back), 0);
    assert_int_equal(back.findings.n, 1);
    assert_int_equal(back.findings.items[0].line, 3);
    tl_tu_result_free(&back);

    /* a note count far beyond the data: refused without allocating it */
    tl_wire_writer_reset(&w);
    tl_wire_begin_frame(&w, TL_WIRE_KIND_TU_RESULT);
    put_status(&w);
    tl_wire_begin_record(&w, 2);
    tl_wire_put_finding(&w, &f);
    size_t count_at = w.len - 4;
    tl_wire_end_frame(&w);
    w.data[count_at + 3] = 0x7f;
    reseal(w.data, w.len);
    assert_int_equal(scan_decode(w.data, w.len, &back), -1);

    /* a string longer than its record, a NUL inside a string, a severity
       out of range, a record header cut short */
    const char *cases[] = {"long", "nul", "severity", "header"};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        tl_wire_writer_reset(&w);
        tl_wire_begin_frame(&w, TL_WIRE_KIND_TU_RESULT);
        put_status(&w);
        tl_wire_begin_record(&w, 2);
        size_t body = w.len;
        tl_wire_put_finding(&w, &f);
        tl_wire_end_record(&w);
        if (!strcmp(cases[c], "header")) {
            tl_wire_put_u8(&w, 2); /* 1 byte of a 6-byte record header */
        }
        tl_wire_end_frame(&w);
        if (!strcmp(cases[c], "long")) w.data[body] = 200;      /* rule length */
        if (!strcmp(cases[c], "nul")) w.data[body + 4] = 0;     /* rule text */
        if (!strcmp(cases[c], "severity")) w.data[body + 5] = 9;
        reseal(w.data, w.len);
        assert_int_equal(scan_decode(w.data, w.len, &back), -1);
    }
    tl_wire_writer_free(&w);
}

/* Random edits of a valid payload, resealed: decoding either works or is
 * refused - no crash, no read out of bounds (ASan), no leak (LSan). */
static void test_random_payloads(void **state) {
    (void)state;
    tl_tu_result r, back;
    make_result(&r);
    tl_wire_writer w;
    tl_wire_writer_init(&w);
    assert_int_equal(tl_tu_wire_encode(&w, &r), 0);
    unsigned char *copy = tl_xmalloc(w.len);
    uint32_t seed = 12345;
    int refused = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(copy, w.data, w.len);
        size_t len = w.len;
        int edits = 1 + iter % 4;
        for (int e = 0; e < edits; e++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = TL_WIRE_HEADER_SIZE + (seed >> 8) % (len - TL_WIRE_HEADER_SIZE);
            copy[at] = (unsigned char)(seed >> 3);
        }
        if (iter % 5 == 0) { /* and sometimes cut the payload short */
            seed = seed * 1103515245u + 12345u;
            len = TL_WIRE_HEADER_SIZE + (seed >> 8) % (len - TL_WIRE_HEADER_SIZE);
        }
        reseal(copy, len);
        if (scan_decode(copy, len, &back) == 0) tl_tu_result_free(&back);
        else refused++;
    }
    assert_true(refused > 1000); /* most edits break the structure */
    free(copy);
    tl_wire_writer_free(&w);
    tl_tu_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_checksum_values),
        cmocka_unit_test(test_varints),
        cmocka_unit_test(test_primitives),
        cmocka_unit_test(test_file_of_frames),
        cmocka_unit_test(test_every_truncation_needs_more),
        cmocka_unit_test(test_every_byte_flip_is_refused),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_forged_payloads),
        cmocka_unit_test(test_random_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
