/* hash.h - SHA-256 (FIPS 180-4) for the store: content hashes of analysed
 * files, TU keys and finding fingerprints; the CLI hashes its configuration
 * with it too.  Tested against the FIPS 180-4 vectors in tests/unit_fingerprint.c. */
#ifndef TL_STORE_HASH_H
#define TL_STORE_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t len;        /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
} tl_store_sha256;

void tl_store_sha256_init(tl_store_sha256 *c);
void tl_store_sha256_update(tl_store_sha256 *c, const void *data, size_t n);
void tl_store_sha256_final(tl_store_sha256 *c, unsigned char out[32]);
/* One-shot digest as 64 lowercase hex characters + NUL. */
void tl_store_sha256_hex(const void *data, size_t n, char out[65]);
/* Lowercase hex of `n` bytes into out (2n + 1 chars). */
void tl_store_hex(const unsigned char *in, size_t n, char *out);

#endif
