/* The LUKS1 header (LUKS1 On-Disk Format Specification v1.2.3 §2.4): cipher, hash
 * and the eight PBKDF2 keyslots, turned into the common luks_volume. */
#include "luks/luks.h"
#include "luks/luks_format.h"
#include <string.h>

#define MAX_STRIPES 65536u

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Copy a fixed-size, NUL-padded header string; false when it fills the field. */
static bool field(char *out, size_t size, const char *in, size_t n)
{
	size_t len = strnlen(in, n);

	if (len == n || len >= size)
		return false;
	memcpy(out, in, len);
	out[len] = 0;
	return true;
}

static enum luks_err slot_parse(struct luks_volume *v, const uint8_t *raw,
				const struct hash_alg *h, struct luks_keyslot *s)
{
	struct luks1_keyslot k;
	const struct luks1_keyslot *ks = &k;

	memcpy(&k, raw, sizeof(k));
	uint32_t stripes = be32(&ks->stripes);

	if (be32(&ks->active) != LUKS1_SLOT_ACTIVE)
		return LUKS_OK;
	if (stripes < 1 || stripes > MAX_STRIPES || be32(&ks->iterations) < 1)
		return LUKS_EHEADER;
	s->active = true, s->digest_ok = true;
	s->key_bytes = v->key_bytes;
	s->kdf = (struct luks_kdf){ .type = LUKS_KDF_PBKDF2, .hash = h,
				    .iterations = be32(&ks->iterations), .salt_len = 32 };
	memcpy(s->kdf.salt, ks->salt, 32);
	s->stripes = stripes, s->af_hash = h;
	s->area_offset = (uint64_t)be32(&ks->material_offset) * LUKS_SECTOR;
	s->area_size = ((uint64_t)v->key_bytes * stripes + LUKS_SECTOR - 1) / LUKS_SECTOR * LUKS_SECTOR;
	s->area_mode = v->mode, s->area_key_bytes = v->key_bytes;
	return LUKS_OK;
}

enum luks_err luks1_parse(struct luks_volume *v, const uint8_t *buf, size_t len)
{
	const struct luks1_phdr *h = (const void *)buf;
	char name[32], mode[32], hash[32];
	const struct hash_alg *alg;
	enum luks_err e;

	memset(v, 0, sizeof(*v));
	if (len < sizeof(*h) || memcmp(h->magic, LUKS_MAGIC, LUKS_MAGIC_LEN))
		return LUKS_ENOTLUKS;
	if (buf[6] != 0 || buf[7] != 1)
		return LUKS_EVERSION;
	if (!field(name, sizeof(name), h->cipher_name, 32) ||
	    !field(mode, sizeof(mode), h->cipher_mode, 32) ||
	    !field(hash, sizeof(hash), h->hash_spec, 32) || !field(v->uuid, sizeof(v->uuid), h->uuid, 40))
		return LUKS_EHEADER;
	v->version = 1;
	memcpy(v->cipher, name, strlen(name));
	v->cipher[strlen(name)] = '-';
	memcpy(v->cipher + strlen(name) + 1, mode, strlen(mode) + 1);
	v->key_bytes = be32(&h->key_bytes);
	v->data_offset = (uint64_t)be32(&h->payload_offset) * LUKS_SECTOR;
	v->sector_size = LUKS_SECTOR;
	if (v->key_bytes < 16 || v->key_bytes > LUKS_MAX_KEY || be32(&h->mk_digest_iter) < 1)
		return LUKS_EHEADER;
	if (!(v->mode = sector_mode_parse(v->cipher)))
		return LUKS_ECIPHER;
	if (!(alg = hash_by_name(hash)))
		return LUKS_EHASH;
	v->digest_hash = alg, v->digest_iterations = be32(&h->mk_digest_iter);
	v->digest_salt_len = 32, v->digest_len = LUKS1_DIGEST;
	memcpy(v->digest_salt, h->mk_digest_salt, 32);
	memcpy(v->digest, h->mk_digest, LUKS1_DIGEST);
	for (unsigned i = 0; i < LUKS1_SLOTS; i++)
		if ((e = slot_parse(v, buf + offsetof(struct luks1_phdr, slots) +
				    i * sizeof(struct luks1_keyslot), alg, &v->slot[i])))
			return e;
	return LUKS_OK;
}
