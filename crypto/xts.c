/* XTS: T_0 = E_K2(i), T_j = T_{j-1} * alpha in GF(2^128) (IEEE 1619 §5.2, little-
 * endian, x^128 + x^7 + x^2 + x + 1), C_j = E_K1(P_j ^ T_j) ^ T_j. The blocks of a
 * chunk go through AES together so AES-NI can pipeline them. */
#include "crypto/xts.h"
#include "crypto/wipe.h"
#include <string.h>

#define CHUNK 32                /* blocks per AES call: one 512-byte sector */

bool xts_setkey(struct xts_ctx *x, const uint8_t *key, size_t len, enum aes_impl impl)
{
	if (len != 32 && len != 64)
		return false;
	return aes_setkey(&x->data, key, len / 2, impl) &&
	       aes_setkey(&x->tweak, key + len / 2, len / 2, impl);
}

/* The 128-bit tweak as two little-endian 64-bit halves: doubling and xoring a word at
 * a time (thaw's kernel code has no vector registers outside aes_ni.c) costs a few
 * instructions per block instead of a loop over 16 bytes. */
struct tweak {
	uint64_t lo, hi;
};

/* One 8-byte move each way (x86 is little-endian, as the tweak's halves are). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "xts: little-endian words");

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);       /* inlined even in the freestanding build */
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

/* T * alpha: shift the 128-bit little-endian value left by one, folding the carry out
 * of bit 127 back in as x^7 + x^2 + x + 1 (0x87). */
static void mul_alpha(struct tweak *t)
{
	uint64_t carry = t->hi >> 63;

	t->hi = t->hi << 1 | t->lo >> 63;
	t->lo = t->lo << 1 ^ (0x87 & (0 - carry));
}

static void xor_tweaks(uint8_t *buf, const struct tweak *tw, size_t blocks)
{
	for (size_t j = 0; j < blocks; j++, buf += 16) {
		put64(buf, get64(buf) ^ tw[j].lo);
		put64(buf + 8, get64(buf + 8) ^ tw[j].hi);
	}
}

static void xts_run(const struct xts_ctx *x, uint64_t unit, uint8_t *buf, size_t len, int dec)
{
	uint8_t t0[16] = { 0 };
	struct tweak t, tw[CHUNK];

	put64(t0, unit);                /* plain64: the sector number, little-endian */
	aes_encrypt(&x->tweak, t0, t0, 1);
	t = (struct tweak){ get64(t0), get64(t0 + 8) };
	for (size_t blocks = len / 16; blocks;) {
		size_t n = blocks < CHUNK ? blocks : CHUNK;

		for (size_t j = 0; j < n; j++) {
			tw[j] = t;
			mul_alpha(&t);
		}
		xor_tweaks(buf, tw, n);
		if (dec)
			aes_decrypt(&x->data, buf, buf, n);
		else
			aes_encrypt(&x->data, buf, buf, n);
		xor_tweaks(buf, tw, n);
		buf += 16 * n, blocks -= n;
	}
	crypto_wipe(t0, sizeof(t0));
	crypto_wipe(&t, sizeof(t));
	crypto_wipe(tw, sizeof(tw));
}

void xts_decrypt(const struct xts_ctx *x, uint64_t unit, uint8_t *buf, size_t len)
{
	xts_run(x, unit, buf, len, 1);
}

void xts_encrypt(const struct xts_ctx *x, uint64_t unit, uint8_t *buf, size_t len)
{
	xts_run(x, unit, buf, len, 0);
}

void xts_wipe(struct xts_ctx *x)
{
	crypto_wipe(x, sizeof(*x));
}
