/* Buffering and padding for the 64-byte-block hashes (FIPS 180-4 §5.1.1, §6). */
#include "crypto/hash.h"
#include "crypto/wipe.h"
#include <string.h>

const struct hash_alg *hash_by_name(const char *name)
{
	if (!strcmp(name, "sha1"))
		return &hash_sha1;
	if (!strcmp(name, "sha256"))
		return &hash_sha256;
	return NULL;
}

void hash_init(struct hash_ctx *c, const struct hash_alg *alg)
{
	memset(c, 0, sizeof(*c));
	c->alg = alg;
	memcpy(c->h, alg->iv, alg->words * sizeof(uint32_t));
}

void hash_update(struct hash_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = c->len % 64;

	c->len += len;
	if (used) {
		size_t n = 64 - used < len ? 64 - used : len;

		memcpy(c->buf + used, p, n);
		p += n, len -= n;
		if (used + n < 64)
			return;
		c->alg->compress(c->h, c->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		c->alg->compress(c->h, p);
	memcpy(c->buf, p, len);
}

void hash_final(struct hash_ctx *c, uint8_t *out)
{
	uint64_t bits = c->len * 8;
	size_t used = c->len % 64;

	c->buf[used++] = 0x80;
	if (used > 56) {
		memset(c->buf + used, 0, 64 - used);
		c->alg->compress(c->h, c->buf);
		used = 0;
	}
	memset(c->buf + used, 0, 56 - used);
	for (unsigned i = 0; i < 8; i++)
		c->buf[63 - i] = (uint8_t)(bits >> 8 * i);
	c->alg->compress(c->h, c->buf);
	for (unsigned i = 0; i < c->alg->digest; i++)
		out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
	crypto_wipe(c, sizeof(*c));
}

void hash_oneshot(const struct hash_alg *alg, const void *data, size_t len, uint8_t *out)
{
	struct hash_ctx c;

	hash_init(&c, alg);
	hash_update(&c, data, len);
	hash_final(&c, out);
}
