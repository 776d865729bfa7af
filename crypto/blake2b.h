/* BLAKE2b (RFC 7693), unkeyed, 1- to 64-byte digests: the hash inside Argon2. */
#ifndef THAW_CRYPTO_BLAKE2B_H
#define THAW_CRYPTO_BLAKE2B_H
#include <stddef.h>
#include <stdint.h>

struct blake2b_ctx {
	uint64_t h[8];
	uint64_t t;             /* bytes compressed (inputs stay below 2^64) */
	uint8_t buf[128];
	size_t used;
	size_t outlen;
};

void blake2b_init(struct blake2b_ctx *c, size_t outlen);
void blake2b_update(struct blake2b_ctx *c, const void *data, size_t len);
void blake2b_final(struct blake2b_ctx *c, uint8_t *out);    /* wipes c */
void blake2b(const void *data, size_t len, uint8_t *out, size_t outlen);

#endif
