/* wire.h - tasklint's binary message format: frames of length-prefixed
 * records, written by one process (or to a file) and read back by another
 * without trusting a single byte.
 *
 * A frame is a 16-byte header followed by its payload:
 *
 *   magic "TLWF" | version u16 | kind u16 | payload length u32 | checksum u32
 *
 * The kind says what the payload holds (a TU's result, per-function
 * summaries, ...), the checksum is a 64-bit-lane FNV-1a folded to 32 bits over the payload.  The payload
 * is a sequence of records, each `kind u16 | length u32 | body`; a body is a
 * sequence of fields (u8, u32, u64, variable-length integers, strings).
 * Fixed-size integers are little-endian, a string is `length u32 | bytes`
 * with length 0xFFFFFFFF for NULL.
 *
 * Extending the format: a new record kind is skipped by readers that do not
 * know it, and fields appended to the end of a record body are ignored by
 * older readers, so neither needs a new version.  TL_WIRE_VERSION changes
 * only when an existing field changes meaning; frames of another version are
 * rejected.
 *
 * Reading never trusts the input: a frame's length is capped, its checksum
 * checked, every field read is bounds-checked and a failed read makes the
 * reader "bad" (sticky) instead of reading past the end.  The same frames
 * travel over a pipe (the CLI's worker processes, scanned incrementally with
 * tl_wire_scan_frame) and live in files (tl_wire_read_frame).
 */
#ifndef TL_WIRE_H
#define TL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* 4: the IR frame's strings are references into a table (ir_wire.c);
   5: the IR frame's integers are variable-length (tl_wire_put_varu);
   6: a finding's note says whether it comes before the finding on its path;
   7: the IR frame's returns say whether they are one side of a `?:` */
#define TL_WIRE_VERSION 7
#define TL_WIRE_HEADER_SIZE 16
#define TL_WIRE_MAX_PAYLOAD ((size_t)256 << 20) /* larger frames are refused */

/* ---- writing ---- */

typedef struct {
    unsigned char *data;
    size_t len, cap;
    size_t frame_start;  /* offset of the open frame's header */
    size_t record_start; /* offset of the open record's header */
    bool in_frame, in_record;
} tl_wire_writer;

void tl_wire_writer_init(tl_wire_writer *w);
void tl_wire_writer_free(tl_wire_writer *w);
/* Drops the bytes written so far (keeps the buffer). */
void tl_wire_writer_reset(tl_wire_writer *w);

/* A frame holds records; a writer may hold several frames one after the
 * other (a file of frames).  end_frame fills in the length and checksum;
 * it returns -1 and drops the frame when its payload is larger than
 * TL_WIRE_MAX_PAYLOAD (no reader would accept it). */
void tl_wire_begin_frame(tl_wire_writer *w, uint16_t kind);
int tl_wire_end_frame(tl_wire_writer *w);
void tl_wire_begin_record(tl_wire_writer *w, uint16_t kind);
void tl_wire_end_record(tl_wire_writer *w);

void tl_wire_put_u8(tl_wire_writer *w, uint8_t v);
void tl_wire_put_u32(tl_wire_writer *w, uint32_t v);
void tl_wire_put_u64(tl_wire_writer *w, uint64_t v);
/* Variable-length integers (LEB128: 7 bits a byte, low bits first, the top
 * bit set on every byte but the last; 1 byte below 128, at most 10); the
 * signed form zigzag-maps small negative values (-1) to small codes. */
void tl_wire_put_varu_long(tl_wire_writer *w, uint64_t v);
static inline void tl_wire_put_varu(tl_wire_writer *w, uint64_t v) {
    if (v < 0x80 && w->len < w->cap) w->data[w->len++] = (unsigned char)v; /* most are */
    else tl_wire_put_varu_long(w, v);
}
static inline void tl_wire_put_vari(tl_wire_writer *w, int64_t v) {
    tl_wire_put_varu(w, ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0));
}
/* NULL and "" are different values. */
void tl_wire_put_str(tl_wire_writer *w, const char *s);
/* Opaque bytes (e.g. frames nested in a record), length-prefixed. */
void tl_wire_put_bytes(tl_wire_writer *w, const void *data, size_t n);

/* ---- reading ---- */

typedef struct {
    const unsigned char *p, *end;
    bool bad;            /* a read failed: every later read fails too */
    const char *why;     /* what failed first (static text) */
} tl_wire_reader;

void tl_wire_reader_init(tl_wire_reader *r, const void *data, size_t len);
uint8_t tl_wire_get_u8(tl_wire_reader *r);
uint32_t tl_wire_get_u32(tl_wire_reader *r);
uint64_t tl_wire_get_u64(tl_wire_reader *r);
/* A variable-length integer; fails (0) when truncated or longer than 64 bits. */
uint64_t tl_wire_get_varu_long(tl_wire_reader *r);
static inline uint64_t tl_wire_get_varu(tl_wire_reader *r) {
    if (!r->bad && r->p != r->end && *r->p < 0x80) return *r->p++; /* most are */
    return tl_wire_get_varu_long(r);
}
static inline int64_t tl_wire_get_vari(tl_wire_reader *r) {
    uint64_t u = tl_wire_get_varu(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}
/* malloc'd; NULL for a NULL string and after a failed read (check r->bad).
 * A string with a NUL byte inside is malformed. */
char *tl_wire_get_str(tl_wire_reader *r);
/* Bytes written by tl_wire_put_bytes: a pointer into the reader's data and
 * their length in *n; NULL (r bad) when they do not fit. */
const unsigned char *tl_wire_get_bytes(tl_wire_reader *r, size_t *n);
/* A count of items that take at least `min_size` bytes each: fails when
 * fewer bytes are left than that many items need (no huge allocations from
 * a corrupt count). */
uint32_t tl_wire_get_count(tl_wire_reader *r, size_t min_size);
/* Marks the reader bad with a reason (for checks of decoded values). */
void tl_wire_fail(tl_wire_reader *r, const char *why);
size_t tl_wire_remaining(const tl_wire_reader *r);

/* The next record of a payload: 1 and its kind and body, 0 at the end of
 * the payload, -1 when the payload is malformed (r marked bad). */
int tl_wire_next_record(tl_wire_reader *payload, uint16_t *kind, tl_wire_reader *body);

/* ---- frames ---- */

typedef struct {
    uint16_t kind;
    const unsigned char *payload; /* points into the scanned buffer */
    size_t payload_len;
    size_t frame_len;             /* header + payload */
} tl_wire_frame;

typedef enum {
    TL_WIRE_NEED_MORE = 0, /* a valid start of a frame, not all of it yet */
    TL_WIRE_FRAME,         /* a whole frame with a good checksum */
    TL_WIRE_BAD            /* not a frame: bad magic, version, length or checksum */
} tl_wire_scan;

/* Looks for a frame at the start of buf[0..len).  On TL_WIRE_BAD, err says
 * why. */
tl_wire_scan tl_wire_scan_frame(const void *buf, size_t len, tl_wire_frame *out, char *err,
                                size_t errsz);

/* The same for bytes whose checksums were verified when they came in (a
 * unit nested in a verified worker result, frames read back and verified
 * once): the header and lengths are still checked, the checksum is not
 * computed again. */
tl_wire_scan tl_wire_scan_checked_frame(const void *buf, size_t len, tl_wire_frame *out, char *err,
                                        size_t errsz);

/* The payload checksum of the frame header. */
uint32_t tl_wire_checksum(const void *data, size_t n);

/* Writes all of buf to fd (retrying on EINTR and short writes); 0 or -1. */
int tl_wire_write_all(int fd, const void *buf, size_t len);

/* Reads the next frame from a stream of frames (a file).  Returns 1 with
 * *buf (malloc'd, holds the whole frame; `out` points into it), 0 at a
 * clean end of the stream, -1 on a truncated or corrupt frame or a read
 * error (err says which). */
int tl_wire_read_frame(FILE *fp, unsigned char **buf, tl_wire_frame *out, char *err,
                       size_t errsz);

#endif
