/* AES-CBC with ESSIV:sha256 IVs (dm-crypt "aes-cbc-essiv:sha256", old LUKS1 volumes):
 * IV = E_s(LE64 sector || 0), s = SHA-256(volume key), per sector. */
#ifndef THAW_CRYPTO_CBC_ESSIV_H
#define THAW_CRYPTO_CBC_ESSIV_H
#include "crypto/aes.h"

struct cbc_essiv_ctx {
	struct aes_ctx data, essiv;
};

bool cbc_essiv_setkey(struct cbc_essiv_ctx *c, const uint8_t *key, size_t len, enum aes_impl impl);
void cbc_essiv_decrypt(const struct cbc_essiv_ctx *c, uint64_t sector, uint8_t *buf, size_t len);
void cbc_essiv_encrypt(const struct cbc_essiv_ctx *c, uint64_t sector, uint8_t *buf, size_t len);
void cbc_essiv_wipe(struct cbc_essiv_ctx *c);

#endif
