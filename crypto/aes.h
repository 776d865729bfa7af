/* AES-128/192/256 (FIPS-197) block encryption and decryption, ECB over whole blocks:
 * a constant-time bitsliced software path (aes_ct.c) and AES-NI (aes_ni.c) when the
 * CPU has it. Modes (XTS, CBC) are built on top in xts.c and cbc_essiv.c. */
#ifndef THAW_CRYPTO_AES_H
#define THAW_CRYPTO_AES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AES_BLOCK 16
#define AES_MAX_ROUNDS 14

enum aes_impl {
	AES_IMPL_AUTO = 0,   /* AES-NI when CPUID says so, else software */
	AES_IMPL_SOFT,       /* constant-time bitsliced software */
	AES_IMPL_NI,         /* AES-NI (caller has checked aes_ni_available()) */
};

struct aes_ctx {
	unsigned rounds;                                  /* 10, 12 or 14 */
	enum aes_impl impl;                               /* SOFT or NI after setkey */
	uint8_t rk[AES_MAX_ROUNDS + 1][AES_BLOCK];        /* round keys, FIPS-197 §5.2 */
	uint8_t drk[AES_MAX_ROUNDS + 1][AES_BLOCK];       /* NI: InvMixColumns'd keys */
	uint64_t bs[AES_MAX_ROUNDS + 1][8];               /* SOFT: round keys as bit planes */
};

/* Expand a 16-, 24- or 32-byte key; false for any other length. */
bool aes_setkey(struct aes_ctx *c, const uint8_t *key, size_t len, enum aes_impl impl);
void aes_encrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks);
void aes_decrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks);
void aes_wipe(struct aes_ctx *c);

bool aes_ni_available(void);     /* CPUID.01H:ECX.AESNI[bit 25] */

/* The software path (aes_ct.c). */
void aes_ct_subword(uint8_t w[4]);
void aes_ct_prepare(struct aes_ctx *c);
void aes_ct_encrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks);
void aes_ct_decrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks);

/* The AES-NI path (aes_ni.c, the one file built with SSE enabled). */
void aes_ni_prepare(struct aes_ctx *c);
void aes_ni_encrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks);
void aes_ni_decrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks);

#endif
