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

/* One HMAC of a digest-sized message straight through the compression function: the
 * message and its padding fill exactly one block after the key block (FIPS 180-4
 * §5.1.1), so each PBKDF2 round is two compressions and no buffering. */
static void hmac_digest_fast(const struct hmac_ctx *prf, uint8_t *block, uint8_t *u)
{
	const struct hash_alg *a = prf->inner.alg;
	uint32_t h[8];

	memcpy(h, prf->inner.h, sizeof(h));
	a->compress(h, block);
	for (unsigned i = 0; i < a->digest; i++)
		block[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
	memcpy(h, prf->outer.h, sizeof(h));
	a->compress(h, block);
	for (unsigned i = 0; i < a->digest; i++)
		u[i] = block[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
	crypto_wipe(h, sizeof(h));
}

/* The padded block for a digest-sized message after one key block: the message, 0x80,
 * zeros, and the big-endian bit length (block + digest) * 8. */
static void padded_block(const struct hash_alg *a, uint8_t *block)
{
	uint64_t bits = (uint64_t)(a->block + a->digest) * 8;

	memset(block + a->digest, 0, a->block - a->digest);
	block[a->digest] = 0x80;
	for (unsigned i = 0; i < 8; i++)
		block[a->block - 1 - i] = (uint8_t)(bits >> 8 * i);
}

/* T_i = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}). */
static void pbkdf2_block(const struct hmac_ctx *prf, const uint8_t *salt, size_t slen,
			 uint32_t iterations, uint32_t index, uint8_t *t)
{
	struct hash_ctx h = prf->inner;
	uint8_t u[HASH_MAX_DIGEST], block[HASH_MAX_BLOCK], be[4] = {
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
	padded_block(prf->inner.alg, block);
	memcpy(block, u, dl);
	for (uint32_t j = 1; j < iterations; j++) {
		hmac_digest_fast(prf, block, u);
		for (unsigned i = 0; i < dl; i++)
			t[i] ^= u[i];
	}
	crypto_wipe(u, sizeof(u));
	crypto_wipe(block, sizeof(block));
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
