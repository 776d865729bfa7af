/* Opening a keyslot (LUKS1 spec §2.4 "recover master key", LUKS2 spec §3.2): the
 * passphrase through the slot's KDF gives the key of the slot's area; the decrypted
 * area holds the volume key split into stripes (AF); the merged key is accepted only
 * when its PBKDF2 digest matches the header's. */
#include "luks/luks.h"
#include "luks/luks_format.h"
#include "crypto/hmac.h"
#include "crypto/wipe.h"
#include <string.h>

#define ALIGN 4096u

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static uint64_t material_len(const struct luks_keyslot *s)
{
	return round_up((uint64_t)s->key_bytes * s->stripes, LUKS_SECTOR);
}

static struct argon2_params argon2_of(const struct luks_kdf *k)
{
	return (struct argon2_params){
		.type = k->type == LUKS_KDF_ARGON2I ? ARGON2_I : ARGON2_ID,
		.t_cost = k->time, .m_cost = k->memory, .lanes = k->cpus,
	};
}

uint64_t luks_slot_memory(const struct luks_volume *v, unsigned s)
{
	const struct luks_keyslot *k = &v->slot[s];
	uint64_t n = round_up(material_len(k), ALIGN);

	if (k->kdf.type != LUKS_KDF_PBKDF2) {
		struct argon2_params p = argon2_of(&k->kdf);

		n += argon2_memory(&p);
	}
	return n;
}

/* H(BE32(i) || block_i) over each digest-sized block of d (the last may be short). */
static void diffuse(const struct hash_alg *h, uint8_t *d, uint32_t len)
{
	uint8_t out[HASH_MAX_DIGEST];

	for (uint32_t i = 0, at = 0; at < len; i++, at += h->digest) {
		uint32_t n = len - at < h->digest ? len - at : h->digest;
		uint8_t be[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		struct hash_ctx c;

		hash_init(&c, h);
		hash_update(&c, be, 4);
		hash_update(&c, d + at, n);
		hash_final(&c, out);
		memcpy(d + at, out, n);
	}
	crypto_wipe(out, sizeof(out));
}

void luks_af_merge(const struct hash_alg *h, const uint8_t *src, uint32_t len,
		   uint32_t stripes, uint8_t *key)
{
	uint8_t d[LUKS_MAX_KEY] = { 0 };

	for (uint32_t s = 0; s + 1 < stripes; s++) {
		for (uint32_t i = 0; i < len; i++)
			d[i] ^= src[(uint64_t)s * len + i];
		diffuse(h, d, len);
	}
	for (uint32_t i = 0; i < len; i++)
		key[i] = d[i] ^ src[(uint64_t)(stripes - 1) * len + i];
	crypto_wipe(d, sizeof(d));
}

static enum luks_err derive(const struct luks_keyslot *s, const uint8_t *pass, size_t plen,
			    uint8_t *mem, uint64_t mem_len, uint8_t *dk)
{
	const struct luks_kdf *k = &s->kdf;

	if (k->type == LUKS_KDF_PBKDF2) {
		pbkdf2(k->hash, pass, plen, k->salt, k->salt_len, k->iterations, dk, s->area_key_bytes);
		return LUKS_OK;
	}
	struct argon2_params p = argon2_of(k);
	enum argon2_err e = argon2_derive(&p, pass, plen, k->salt, k->salt_len, dk,
					  s->area_key_bytes, mem, mem_len);

	return e == ARGON2_ERR_NONE ? LUKS_OK : e == ARGON2_ERR_MEMORY ? LUKS_EMEMORY : LUKS_EMETA;
}

static void decrypt_area(const struct luks_keyslot *s, const uint8_t *dk, uint8_t *buf, uint64_t len)
{
	struct sector_cipher c;

	sector_cipher_setkey(&c, s->area_mode, dk, s->area_key_bytes, AES_IMPL_AUTO);
	for (uint64_t i = 0; i < len / LUKS_SECTOR; i++)
		sector_decrypt(&c, i, buf + i * LUKS_SECTOR, LUKS_SECTOR);
	sector_cipher_wipe(&c);
}

static bool digest_matches(const struct luks_volume *v, const uint8_t *key, uint32_t key_bytes)
{
	uint8_t d[LUKS_MAX_KEY];
	bool ok;

	pbkdf2(v->digest_hash, key, key_bytes, v->digest_salt, v->digest_salt_len,
	       v->digest_iterations, d, v->digest_len);
	ok = !crypto_neq(d, v->digest, v->digest_len);
	crypto_wipe(d, sizeof(d));
	return ok;
}

static bool slot_usable(const struct luks_volume *v, const struct luks_keyslot *s)
{
	struct sector_cipher c;
	bool ok = s->active && s->digest_ok && s->key_bytes == v->key_bytes &&
		  sector_cipher_setkey(&c, s->area_mode, (const uint8_t[LUKS_MAX_KEY]){ 0 },
				       s->area_key_bytes, AES_IMPL_SOFT);

	sector_cipher_wipe(&c);
	return ok;
}

enum luks_err luks_open_slot(const struct luks_volume *v, unsigned s, luks_read_fn rd,
			     void *ctx, const uint8_t *pass, size_t plen,
			     void *work, uint64_t work_len, uint8_t *key)
{
	const struct luks_keyslot *k = &v->slot[s < LUKS_MAX_SLOTS ? s : 0];
	uint64_t mlen, area_mem;
	uint8_t dk[LUKS_MAX_KEY], *mem = work;
	enum luks_err e;

	if (s >= LUKS_MAX_SLOTS || !slot_usable(v, k))
		return LUKS_ENOSLOT;
	mlen = material_len(k), area_mem = round_up(mlen, ALIGN);
	if (mlen > k->area_size || work_len < luks_slot_memory(v, s))
		return mlen > k->area_size ? LUKS_EMETA : LUKS_EMEMORY;
	if (!rd(ctx, k->area_offset, mem, mlen))
		return LUKS_EIO;
	e = derive(k, pass, plen, mem + area_mem, work_len - area_mem, dk);
	if (e == LUKS_OK) {
		decrypt_area(k, dk, mem, mlen);
		luks_af_merge(k->af_hash, mem, k->key_bytes, k->stripes, key);
		if (!digest_matches(v, key, k->key_bytes)) {
			crypto_wipe(key, k->key_bytes);
			e = LUKS_ENOKEY;
		}
	}
	crypto_wipe(dk, sizeof(dk));
	crypto_wipe(mem, mlen);
	return e;
}

uint64_t luks_iv_sector(const struct luks_volume *v, uint64_t off)
{
	/* IVs count 512-byte sectors even when the encryption sector is larger: a 4096-
	 * byte sector's IV is the number of its first 512-byte sector (cryptsetup does
	 * not pass dm-crypt "iv_large_sectors" for LUKS2; Linux dm-crypt.c then leaves
	 * the sector unshifted). Checked against cryptsetup-made volumes. */
	return off / LUKS_SECTOR + v->iv_tweak;
}
