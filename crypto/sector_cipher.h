/* A dm-crypt cipher specification ("aes-xts-plain64", "aes-cbc-essiv:sha256") made
 * into a keyed sector cipher: what LUKS keyslot areas and data segments use. */
#ifndef THAW_CRYPTO_SECTOR_CIPHER_H
#define THAW_CRYPTO_SECTOR_CIPHER_H
#include "crypto/cbc_essiv.h"
#include "crypto/xts.h"

enum sector_mode { SECTOR_XTS_PLAIN64 = 1, SECTOR_CBC_ESSIV_SHA256 };

struct sector_cipher {
	enum sector_mode mode;
	union {
		struct xts_ctx xts;
		struct cbc_essiv_ctx cbc;
	} u;
};

/* Parse "aes-xts-plain64" / "aes-cbc-essiv:sha256"; 0 when not supported. */
enum sector_mode sector_mode_parse(const char *spec);
/* false for a key length the mode cannot take. */
bool sector_cipher_setkey(struct sector_cipher *c, enum sector_mode m, const uint8_t *key,
			  size_t len, enum aes_impl impl);
/* In place, len a multiple of 16; iv_sector is the dm-crypt IV sector number. */
void sector_decrypt(const struct sector_cipher *c, uint64_t iv_sector, uint8_t *buf, size_t len);
void sector_encrypt(const struct sector_cipher *c, uint64_t iv_sector, uint8_t *buf, size_t len);
void sector_cipher_wipe(struct sector_cipher *c);

#endif
