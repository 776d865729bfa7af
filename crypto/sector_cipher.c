/* The cipher specifications thaw reads: cipher "aes", chain mode "xts" with the plain64
 * IV (the LUKS default) or "cbc" with essiv:sha256 (Linux drivers/md/dm-crypt.c,
 * crypt_ctr_cipher: "cipher-chainmode-ivmode[:ivopts]"). */
#include "crypto/sector_cipher.h"
#include "crypto/wipe.h"
#include <string.h>

enum sector_mode sector_mode_parse(const char *spec)
{
	if (!strcmp(spec, "aes-xts-plain64"))
		return SECTOR_XTS_PLAIN64;
	if (!strcmp(spec, "aes-cbc-essiv:sha256"))
		return SECTOR_CBC_ESSIV_SHA256;
	return 0;
}

bool sector_cipher_setkey(struct sector_cipher *c, enum sector_mode m, const uint8_t *key,
			  size_t len, enum aes_impl impl)
{
	c->mode = m;
	if (m == SECTOR_XTS_PLAIN64)
		return xts_setkey(&c->u.xts, key, len, impl);
	if (m == SECTOR_CBC_ESSIV_SHA256)
		return cbc_essiv_setkey(&c->u.cbc, key, len, impl);
	return false;
}

void sector_decrypt(const struct sector_cipher *c, uint64_t iv_sector, uint8_t *buf, size_t len)
{
	if (c->mode == SECTOR_XTS_PLAIN64)
		xts_decrypt(&c->u.xts, iv_sector, buf, len);
	else
		cbc_essiv_decrypt(&c->u.cbc, iv_sector, buf, len);
}

void sector_encrypt(const struct sector_cipher *c, uint64_t iv_sector, uint8_t *buf, size_t len)
{
	if (c->mode == SECTOR_XTS_PLAIN64)
		xts_encrypt(&c->u.xts, iv_sector, buf, len);
	else
		cbc_essiv_encrypt(&c->u.cbc, iv_sector, buf, len);
}

void sector_cipher_wipe(struct sector_cipher *c)
{
	crypto_wipe(c, sizeof(*c));
}
