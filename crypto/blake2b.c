/* BLAKE2b per RFC 7693 §3: twelve rounds of G over the 4x4 word state, message words
 * picked by the SIGMA permutations (§2.7), IV of SHA-512 (§2.6). */
#include "crypto/blake2b.h"
#include "crypto/wipe.h"
#include "lib/le.h"
#include <string.h>

static const uint64_t IV[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
	0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t SIGMA[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static uint64_t ror64(uint64_t x, unsigned n) { return x >> n | x << (64 - n); }

static void g(uint64_t *v, unsigned a, unsigned b, unsigned c, unsigned d, uint64_t x, uint64_t y)
{
	v[a] = v[a] + v[b] + x, v[d] = ror64(v[d] ^ v[a], 32);
	v[c] = v[c] + v[d], v[b] = ror64(v[b] ^ v[c], 24);
	v[a] = v[a] + v[b] + y, v[d] = ror64(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d], v[b] = ror64(v[b] ^ v[c], 63);
}

static void compress(struct blake2b_ctx *c, const uint8_t *block, int last)
{
	uint64_t v[16], m[16];

	for (unsigned i = 0; i < 16; i++)
		m[i] = get_le64(block + 8 * i);
	for (unsigned i = 0; i < 8; i++)
		v[i] = c->h[i], v[i + 8] = IV[i];
	v[12] ^= c->t;
	if (last)
		v[14] = ~v[14];
	for (unsigned r = 0; r < 12; r++) {
		const uint8_t *s = SIGMA[r % 10];

		g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
		g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
		g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
		g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
		g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
		g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
		g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
		g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
	}
	for (unsigned i = 0; i < 8; i++)
		c->h[i] ^= v[i] ^ v[i + 8];
	crypto_wipe(v, sizeof(v));
	crypto_wipe(m, sizeof(m));
}

void blake2b_init(struct blake2b_ctx *c, size_t outlen)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->h, IV, sizeof(IV));
	c->h[0] ^= 0x01010000ULL ^ outlen;    /* parameter block: depth 1, fanout 1 */
	c->outlen = outlen;
}

/* The last block is compressed only in final() (it carries the flag), so a full
 * buffer waits until more data proves it is not the last. */
void blake2b_update(struct blake2b_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		if (c->used == 128) {
			c->t += 128;
			compress(c, c->buf, 0);
			c->used = 0;
		}
		size_t n = 128 - c->used < len ? 128 - c->used : len;

		memcpy(c->buf + c->used, p, n);
		c->used += n, p += n, len -= n;
	}
}

void blake2b_final(struct blake2b_ctx *c, uint8_t *out)
{
	uint8_t full[64];

	c->t += c->used;
	memset(c->buf + c->used, 0, 128 - c->used);
	compress(c, c->buf, 1);
	for (unsigned i = 0; i < 64; i++)
		full[i] = (uint8_t)(c->h[i / 8] >> 8 * (i % 8));
	memcpy(out, full, c->outlen);
	crypto_wipe(full, sizeof(full));
	crypto_wipe(c, sizeof(*c));
}

void blake2b(const void *data, size_t len, uint8_t *out, size_t outlen)
{
	struct blake2b_ctx c;

	blake2b_init(&c, outlen);
	blake2b_update(&c, data, len);
	blake2b_final(&c, out);
}
