/* XTS-AES (IEEE 1619-2018 §5) over whole data units, tweak = LE64 sector number
 * padded with zeros (dm-crypt's "plain64" IV). */
#ifndef THAW_CRYPTO_XTS_H
#define THAW_CRYPTO_XTS_H
#include "crypto/aes.h"

struct xts_ctx {
	struct aes_ctx data, tweak;     /* Key1, Key2 */
};

/* key = Key1 || Key2: 32 bytes (AES-128) or 64 bytes (AES-256). */
bool xts_setkey(struct xts_ctx *x, const uint8_t *key, size_t len, enum aes_impl impl);
/* In place; len a multiple of 16 (no ciphertext stealing: sectors are 512..4096). */
void xts_decrypt(const struct xts_ctx *x, uint64_t unit, uint8_t *buf, size_t len);
void xts_encrypt(const struct xts_ctx *x, uint64_t unit, uint8_t *buf, size_t len);
void xts_wipe(struct xts_ctx *x);

#endif
