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

static void mul_alpha(uint8_t t[16])
{
	uint8_t carry = t[15] >> 7;

	for (unsigned i = 15; i > 0; i--)
		t[i] = (uint8_t)(t[i] << 1 | t[i - 1] >> 7);
	t[0] = (uint8_t)(t[0] << 1) ^ (uint8_t)(0x87 & (0 - carry));
}

static void xor_tweaks(uint8_t *buf, const uint8_t (*tw)[16], size_t blocks)
{
	for (size_t j = 0; j < blocks; j++)
		for (unsigned k = 0; k < 16; k++)
			buf[16 * j + k] ^= tw[j][k];
}

static void xts_run(const struct xts_ctx *x, uint64_t unit, uint8_t *buf, size_t len, int dec)
{
	uint8_t t[16] = { 0 }, tw[CHUNK][16];

	for (unsigned i = 0; i < 8; i++)
		t[i] = (uint8_t)(unit >> 8 * i);
	aes_encrypt(&x->tweak, t, t, 1);
	for (size_t blocks = len / 16; blocks;) {
		size_t n = blocks < CHUNK ? blocks : CHUNK;

		for (size_t j = 0; j < n; j++) {
			memcpy(tw[j], t, 16);
			mul_alpha(t);
		}
		xor_tweaks(buf, tw, n);
		if (dec)
			aes_decrypt(&x->data, buf, buf, n);
		else
			aes_encrypt(&x->data, buf, buf, n);
		xor_tweaks(buf, tw, n);
		buf += 16 * n, blocks -= n;
	}
	crypto_wipe(t, sizeof(t));
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
