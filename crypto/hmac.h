/* HMAC (RFC 2104, FIPS 198-1) over the hashes of hash.h, and PBKDF2 (RFC 8018 §5.2)
 * with HMAC as its PRF, the key derivation of LUKS1 and of LUKS2 digests. */
#ifndef THAW_CRYPTO_HMAC_H
#define THAW_CRYPTO_HMAC_H
#include "crypto/hash.h"

struct hmac_ctx {
	struct hash_ctx inner, outer;   /* states after the ipad / opad block */
};

void hmac_init(struct hmac_ctx *c, const struct hash_alg *alg, const uint8_t *key, size_t klen);
/* MAC of data under the key of c (c itself is left unchanged for reuse). */
void hmac(const struct hmac_ctx *c, const void *data, size_t len, uint8_t *out);
void hmac_wipe(struct hmac_ctx *c);

void pbkdf2(const struct hash_alg *alg, const uint8_t *pass, size_t plen,
	    const uint8_t *salt, size_t slen, uint32_t iterations, uint8_t *out, size_t olen);

#endif
