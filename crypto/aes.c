/* AES key expansion (FIPS-197 §5.2) and the choice between the software and the
 * AES-NI path. SubWord goes through the constant-time S-box of aes_ct.c. */
#include "crypto/aes.h"
#include "crypto/wipe.h"
#include <string.h>

bool aes_ni_available(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 25) & 1;
}

static void expand_key(struct aes_ctx *c, const uint8_t *key, unsigned nk)
{
	uint8_t *w = &c->rk[0][0];
	unsigned total = 4 * (c->rounds + 1);
	uint8_t rcon = 1;

	memcpy(w, key, 4 * nk);
	for (unsigned i = nk; i < total; i++) {
		uint8_t t[4];

		memcpy(t, w + 4 * (i - 1), 4);
		if (i % nk == 0) {
			uint8_t r = t[0];

			t[0] = t[1], t[1] = t[2], t[2] = t[3], t[3] = r;    /* RotWord */
			aes_ct_subword(t);
			t[0] ^= rcon;
			rcon = (uint8_t)(rcon << 1 ^ (rcon & 0x80 ? 0x1b : 0)); /* public */
		} else if (nk > 6 && i % nk == 4) {
			aes_ct_subword(t);
		}
		for (unsigned j = 0; j < 4; j++)
			w[4 * i + j] = w[4 * (i - nk) + j] ^ t[j];
		crypto_wipe(t, sizeof(t));
	}
}

bool aes_setkey(struct aes_ctx *c, const uint8_t *key, size_t len, enum aes_impl impl)
{
	if (len != 16 && len != 24 && len != 32)
		return false;
	memset(c, 0, sizeof(*c));
	c->rounds = (unsigned)len / 4 + 6;
	expand_key(c, key, (unsigned)len / 4);
	if (impl == AES_IMPL_AUTO)
		impl = aes_ni_available() ? AES_IMPL_NI : AES_IMPL_SOFT;
	c->impl = impl;
	if (impl == AES_IMPL_NI)
		aes_ni_prepare(c);
	else
		aes_ct_prepare(c);
	return true;
}

void aes_encrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks)
{
	if (c->impl == AES_IMPL_NI)
		aes_ni_encrypt(c, in, out, blocks);
	else
		aes_ct_encrypt(c, in, out, blocks);
}

void aes_decrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks)
{
	if (c->impl == AES_IMPL_NI)
		aes_ni_decrypt(c, in, out, blocks);
	else
		aes_ct_decrypt(c, in, out, blocks);
}

void aes_wipe(struct aes_ctx *c)
{
	crypto_wipe(c, sizeof(*c));
}
