/* CBC (NIST SP 800-38A §6.2) under ESSIV IVs (Linux crypto/essiv.c: the IV cipher is
 * AES keyed with the hash of the volume key, sized to the hash: AES-256). Decryption
 * runs a chunk of blocks through AES at once, then XORs each with its predecessor. */
#include "crypto/cbc_essiv.h"
#include "crypto/hash.h"
#include "crypto/wipe.h"
#include <string.h>

#define CHUNK 32

bool cbc_essiv_setkey(struct cbc_essiv_ctx *c, const uint8_t *key, size_t len, enum aes_impl impl)
{
	uint8_t salt[32];
	bool ok;

	hash_oneshot(&hash_sha256, key, len, salt);
	ok = aes_setkey(&c->data, key, len, impl) && aes_setkey(&c->essiv, salt, 32, impl);
	crypto_wipe(salt, sizeof(salt));
	return ok;
}

static void essiv_iv(const struct cbc_essiv_ctx *c, uint64_t sector, uint8_t iv[16])
{
	memset(iv, 0, 16);
	for (unsigned i = 0; i < 8; i++)
		iv[i] = (uint8_t)(sector >> 8 * i);
	aes_encrypt(&c->essiv, iv, iv, 1);
}

void cbc_essiv_decrypt(const struct cbc_essiv_ctx *c, uint64_t sector, uint8_t *buf, size_t len)
{
	uint8_t prev[16], ct[CHUNK * 16];

	essiv_iv(c, sector, prev);
	for (size_t blocks = len / 16; blocks;) {
		size_t n = blocks < CHUNK ? blocks : CHUNK;

		memcpy(ct, buf, 16 * n);
		aes_decrypt(&c->data, buf, buf, n);
		for (unsigned k = 0; k < 16; k++)
			buf[k] ^= prev[k];
		for (size_t i = 16; i < 16 * n; i++)
			buf[i] ^= ct[i - 16];
		memcpy(prev, ct + 16 * (n - 1), 16);
		buf += 16 * n, blocks -= n;
	}
	crypto_wipe(ct, sizeof(ct));
	crypto_wipe(prev, sizeof(prev));
}

void cbc_essiv_encrypt(const struct cbc_essiv_ctx *c, uint64_t sector, uint8_t *buf, size_t len)
{
	uint8_t prev[16];

	essiv_iv(c, sector, prev);
	for (size_t j = 0; j < len / 16; j++, buf += 16) {
		for (unsigned k = 0; k < 16; k++)
			buf[k] ^= prev[k];
		aes_encrypt(&c->data, buf, buf, 1);
		memcpy(prev, buf, 16);
	}
	crypto_wipe(prev, sizeof(prev));
}

void cbc_essiv_wipe(struct cbc_essiv_ctx *c)
{
	crypto_wipe(c, sizeof(*c));
}
