/* HMAC with the pad states computed once (RFC 2104 §2), so each PBKDF2 round costs
 * two compressions. */
#include "crypto/hmac.h"
#include "crypto/wipe.h"
#include <string.h>

void hmac_init(struct hmac_ctx *c, const struct hash_alg *alg, const uint8_t *key, size_t klen)
{
	uint8_t k[HASH_MAX_BLOCK] = { 0 }, pad[HASH_MAX_BLOCK];

	if (klen > alg->block)
		hash_oneshot(alg, key, klen, k);
	else
		memcpy(k, key, klen);
	for (unsigned i = 0; i < alg->block; i++)
		pad[i] = k[i] ^ 0x36;
	hash_init(&c->inner, alg);
	hash_update(&c->inner, pad, alg->block);
	for (unsigned i = 0; i < alg->block; i++)
		pad[i] = k[i] ^ 0x5c;
	hash_init(&c->outer, alg);
	hash_update(&c->outer, pad, alg->block);
	crypto_wipe(k, sizeof(k));
	crypto_wipe(pad, sizeof(pad));
}

void hmac(const struct hmac_ctx *c, const void *data, size_t len, uint8_t *out)
{
	struct hash_ctx h = c->inner;
	uint8_t mid[HASH_MAX_DIGEST];

	hash_update(&h, data, len);
	hash_final(&h, mid);
	h = c->outer;
	hash_update(&h, mid, c->inner.alg->digest);
	hash_final(&h, out);
	crypto_wipe(mid, sizeof(mid));
}

void hmac_wipe(struct hmac_ctx *c)
{
	crypto_wipe(c, sizeof(*c));
}

/* T_i = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}). */
static void pbkdf2_block(const struct hmac_ctx *prf, const uint8_t *salt, size_t slen,
			 uint32_t iterations, uint32_t index, uint8_t *t)
{
	struct hash_ctx h = prf->inner;
	uint8_t u[HASH_MAX_DIGEST], be[4] = {
		(uint8_t)(index >> 24), (uint8_t)(index >> 16), (uint8_t)(index >> 8), (uint8_t)index
	};
	unsigned dl = prf->inner.alg->digest;

	hash_update(&h, salt, slen);
	hash_update(&h, be, 4);
	hash_final(&h, u);
	h = prf->outer;
	hash_update(&h, u, dl);
	hash_final(&h, u);
	memcpy(t, u, dl);
	for (uint32_t j = 1; j < iterations; j++) {
		hmac(prf, u, dl, u);
		for (unsigned i = 0; i < dl; i++)
			t[i] ^= u[i];
	}
	crypto_wipe(u, sizeof(u));
}

void pbkdf2(const struct hash_alg *alg, const uint8_t *pass, size_t plen,
	    const uint8_t *salt, size_t slen, uint32_t iterations, uint8_t *out, size_t olen)
{
	struct hmac_ctx prf;
	uint8_t t[HASH_MAX_DIGEST];

	hmac_init(&prf, alg, pass, plen);
	for (uint32_t i = 1; olen; i++) {
		size_t n = olen < alg->digest ? olen : alg->digest;

		pbkdf2_block(&prf, salt, slen, iterations, i, t);
		memcpy(out, t, n);
		out += n, olen -= n;
	}
	crypto_wipe(t, sizeof(t));
	hmac_wipe(&prf);
}
