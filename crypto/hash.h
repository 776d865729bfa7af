/* The hash functions LUKS names ("sha1", "sha256"; FIPS 180-4) behind one interface,
 * for HMAC, PBKDF2, the AF splitter and ESSIV. */
#ifndef THAW_CRYPTO_HASH_H
#define THAW_CRYPTO_HASH_H
#include <stddef.h>
#include <stdint.h>

#define HASH_MAX_DIGEST 32
#define HASH_MAX_BLOCK 64

/* The Merkle–Damgård state SHA-1 and SHA-256 share: 64-byte blocks, a big-endian
 * bit count in the last 8 bytes of the padding (FIPS 180-4 §5.1.1). */
struct hash_ctx {
	const struct hash_alg *alg;
	uint32_t h[8];
	uint8_t buf[64];
	uint64_t len;           /* bytes hashed so far */
};

struct hash_alg {
	const char *name;
	unsigned digest;        /* bytes */
	unsigned block;         /* bytes */
	unsigned words;         /* of h[] in the digest */
	const uint32_t *iv;
	void (*compress)(uint32_t *h, const uint8_t *block);
};

extern const struct hash_alg hash_sha1, hash_sha256;

const struct hash_alg *hash_by_name(const char *name);   /* NULL when unknown */

void hash_init(struct hash_ctx *c, const struct hash_alg *alg);
void hash_update(struct hash_ctx *c, const void *data, size_t len);
void hash_final(struct hash_ctx *c, uint8_t *out);      /* alg->digest bytes; wipes c */
void hash_oneshot(const struct hash_alg *alg, const void *data, size_t len, uint8_t *out);

#endif
