/* The LUKS2 header (LUKS2 On-Disk Format Specification v1.1): the binary header with
 * its SHA-256 checksum (§2.2: over hdr_size bytes, the csum field zeroed) and the JSON
 * metadata (§3): one "crypt" segment, its pbkdf2 digest, and the luks2 keyslots. */
#include "luks/luks.h"
#include "luks/base64.h"
#include "luks/json.h"
#include "luks/luks_format.h"
#include "crypto/wipe.h"
#include <string.h>

#define MAX_STRIPES 65536u
#define CSUM_OFF 448u

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* SHA-256 of the header with the checksum field read as zeros. */
static bool csum_ok(const uint8_t *hdr, uint64_t size)
{
	struct hash_ctx c;
	uint8_t zero[64] = { 0 }, sum[32];
	bool ok;

	hash_init(&c, &hash_sha256);
	hash_update(&c, hdr, CSUM_OFF);
	hash_update(&c, zero, 64);
	hash_update(&c, hdr + CSUM_OFF + 64, size - CSUM_OFF - 64);
	hash_final(&c, sum);
	ok = !crypto_neq(sum, hdr + CSUM_OFF, 32);
	for (unsigned i = 32; i < 64; i++)
		ok = ok && hdr[CSUM_OFF + i] == 0;
	return ok;
}

static bool valid_hdr_size(uint64_t n)
{
	return n >= LUKS2_HDR_MIN && n <= LUKS2_HDR_MAX && !(n & (n - 1));
}

struct meta {
	struct json_doc d;
	struct luks_volume *v;
	char seg_key[12];
};

static bool get_str(const struct meta *m, int32_t obj, const char *k, char *out, size_t size)
{
	return json_string(&m->d, json_member(&m->d, obj, k), out, size);
}

static bool get_u64(const struct meta *m, int32_t obj, const char *k, uint64_t *out)
{
	return json_u64(&m->d, json_member(&m->d, obj, k), out);
}

static bool get_u32(const struct meta *m, int32_t obj, const char *k, uint32_t *out)
{
	uint64_t x;

	if (!get_u64(m, obj, k, &x) || x > 0xffffffffu)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool get_b64(const struct meta *m, int32_t obj, const char *k, uint8_t *out,
		    size_t cap, uint32_t *len)
{
	char s[4 * LUKS_MAX_KEY / 3 + 8];
	size_t n;

	if (!get_str(m, obj, k, s, sizeof(s)) || !base64_decode(s, out, cap, &n) || !n)
		return false;
	*len = (uint32_t)n;
	return true;
}

static bool has_item(const struct meta *m, int32_t arr, const char *s)
{
	for (uint32_t i = 0; json_element(&m->d, arr, i) >= 0; i++)
		if (json_string_is(&m->d, json_element(&m->d, arr, i), s))
			return true;
	return false;
}

/* §3.3: exactly one segment, "crypt", no integrity protection. */
static enum luks_err segment(struct meta *m, int32_t segs)
{
	struct luks_volume *v = m->v;
	int32_t key, seg;
	char size[24];

	if (!json_member_at(&m->d, segs, 0, &key, &seg))
		return LUKS_EMETA;
	if (m->d.tok[segs].count != 1 ||
	    !json_string(&m->d, key, m->seg_key, sizeof(m->seg_key)))
		return m->d.tok[segs].count > 1 ? LUKS_EUNSUPP : LUKS_EMETA;
	if (!json_string_is(&m->d, json_member(&m->d, seg, "type"), "crypt") ||
	    json_member(&m->d, seg, "integrity") >= 0)
		return LUKS_EUNSUPP;
	if (!get_u64(m, seg, "offset", &v->data_offset) || !get_u64(m, seg, "iv_tweak", &v->iv_tweak) ||
	    !get_u32(m, seg, "sector_size", &v->sector_size) ||
	    !get_str(m, seg, "encryption", v->cipher, sizeof(v->cipher)) ||
	    !get_str(m, seg, "size", size, sizeof(size)))
		return LUKS_EMETA;
	if (strcmp(size, "dynamic") && !json_u64(&m->d, json_member(&m->d, seg, "size"), &v->data_size))
		return LUKS_EMETA;
	if (v->sector_size < 512 || v->sector_size > 4096 || (v->sector_size & (v->sector_size - 1)) ||
	    v->data_offset % LUKS_SECTOR)
		return LUKS_EMETA;
	if (!(v->mode = sector_mode_parse(v->cipher)))
		return LUKS_ECIPHER;
	return LUKS_OK;
}

/* §3.5: the pbkdf2 digest of the volume key for our segment; marks its keyslots. */
static enum luks_err digest(struct meta *m, int32_t digests)
{
	struct luks_volume *v = m->v;
	int32_t key, dg, slots;
	char hash[16];

	for (uint32_t i = 0; json_member_at(&m->d, digests, i, &key, &dg); i++) {
		if (!has_item(m, json_member(&m->d, dg, "segments"), m->seg_key))
			continue;
		if (!json_string_is(&m->d, json_member(&m->d, dg, "type"), "pbkdf2"))
			return LUKS_EKDF;
		if (!get_str(m, dg, "hash", hash, sizeof(hash)) ||
		    !get_u32(m, dg, "iterations", &v->digest_iterations) || !v->digest_iterations ||
		    !get_b64(m, dg, "salt", v->digest_salt, LUKS_MAX_SALT, &v->digest_salt_len) ||
		    !get_b64(m, dg, "digest", v->digest, LUKS_MAX_KEY, &v->digest_len))
			return LUKS_EMETA;
		if (!(v->digest_hash = hash_by_name(hash)))
			return LUKS_EHASH;
		slots = json_member(&m->d, dg, "keyslots");
		for (unsigned s = 0; s < LUKS_MAX_SLOTS; s++) {
			char name[4] = { (char)('0' + s / 10), (char)('0' + s % 10), 0 };

			if (has_item(m, slots, s < 10 ? name + 1 : name))
				v->slot[s].digest_ok = true;
		}
		return LUKS_OK;
	}
	return LUKS_EMETA;
}

static enum luks_err kdf(const struct meta *m, int32_t k, struct luks_kdf *f)
{
	char type[16], hash[16];

	if (!get_str(m, k, "type", type, sizeof(type)) ||
	    !get_b64(m, k, "salt", f->salt, LUKS_MAX_SALT, &f->salt_len))
		return LUKS_EMETA;
	if (!strcmp(type, "pbkdf2")) {
		f->type = LUKS_KDF_PBKDF2;
		if (!get_str(m, k, "hash", hash, sizeof(hash)) ||
		    !get_u32(m, k, "iterations", &f->iterations) || !f->iterations)
			return LUKS_EMETA;
		return (f->hash = hash_by_name(hash)) ? LUKS_OK : LUKS_EHASH;
	}
	if (strcmp(type, "argon2i") && strcmp(type, "argon2id"))
		return LUKS_EKDF;
	f->type = type[7] == 'd' ? LUKS_KDF_ARGON2ID : LUKS_KDF_ARGON2I;
	if (!get_u32(m, k, "time", &f->time) || !get_u32(m, k, "memory", &f->memory) ||
	    !get_u32(m, k, "cpus", &f->cpus))
		return LUKS_EMETA;
	return LUKS_OK;
}

/* §3.2: a "luks2" keyslot: key size, anti-forensic split, raw area, KDF. */
static enum luks_err keyslot(const struct meta *m, int32_t ks, struct luks_keyslot *s)
{
	int32_t af = json_member(&m->d, ks, "af"), area = json_member(&m->d, ks, "area");
	char hash[16], enc[48];
	enum luks_err e;

	if (!json_string_is(&m->d, json_member(&m->d, ks, "type"), "luks2") ||
	    !json_string_is(&m->d, json_member(&m->d, af, "type"), "luks1") ||
	    !json_string_is(&m->d, json_member(&m->d, area, "type"), "raw"))
		return LUKS_EUNSUPP;
	if (!get_u32(m, ks, "key_size", &s->key_bytes) || !get_u32(m, af, "stripes", &s->stripes) ||
	    !get_str(m, af, "hash", hash, sizeof(hash)) ||
	    !get_u64(m, area, "offset", &s->area_offset) || !get_u64(m, area, "size", &s->area_size) ||
	    !get_str(m, area, "encryption", enc, sizeof(enc)) ||
	    !get_u32(m, area, "key_size", &s->area_key_bytes))
		return LUKS_EMETA;
	if (s->key_bytes < 16 || s->key_bytes > LUKS_MAX_KEY || s->stripes < 1 ||
	    s->stripes > MAX_STRIPES || s->area_key_bytes > LUKS_MAX_KEY ||
	    s->area_size < (uint64_t)s->key_bytes * s->stripes)
		return LUKS_EMETA;
	if (!(s->af_hash = hash_by_name(hash)))
		return LUKS_EHASH;
	if (!(s->area_mode = sector_mode_parse(enc)))
		return LUKS_ECIPHER;
	if ((e = kdf(m, json_member(&m->d, ks, "kdf"), &s->kdf)))
		return e;
	s->active = true;
	return LUKS_OK;
}

/* Keyslots this code cannot use are left inactive; the first reason is returned
 * when no keyslot of the segment's digest remains. */
static enum luks_err keyslots(struct meta *m, int32_t slots)
{
	struct luks_volume *v = m->v;
	enum luks_err first = LUKS_ENOSLOT, e;
	int32_t key, ks;
	bool any = false;

	for (uint32_t i = 0; json_member_at(&m->d, slots, i, &key, &ks); i++) {
		uint64_t n;

		if (!json_u64(&m->d, key, &n) || n >= LUKS_MAX_SLOTS)
			return LUKS_EMETA;
		struct luks_keyslot *s = &v->slot[n];
		bool dg = s->digest_ok;

		memset(s, 0, sizeof(*s));
		s->digest_ok = dg;
		if (!dg)
			continue;
		if ((e = keyslot(m, ks, s))) {
			memset(s, 0, sizeof(*s));
			if (first == LUKS_ENOSLOT)
				first = e;
			continue;
		}
		if (!any)
			v->key_bytes = s->key_bytes;
		any = true;
	}
	return any ? LUKS_OK : first;
}

static enum luks_err requirements(const struct meta *m, int32_t root)
{
	int32_t req = json_member(&m->d, json_member(&m->d, root, "config"), "requirements");
	int32_t mand = json_member(&m->d, req, "mandatory");

	return mand >= 0 && m->d.tok[mand].count ? LUKS_EUNSUPP : LUKS_OK;
}

static enum luks_err metadata(struct luks_volume *v, const char *json, size_t len,
			      void *tokens, size_t tokens_len)
{
	struct meta m = { .v = v };
	int32_t root = 0;
	enum luks_err e;

	if (json_parse(&m.d, json, len, tokens, (uint32_t)(tokens_len / sizeof(struct json_tok))))
		return LUKS_EJSON;
	if (m.d.tok[0].type != JSON_OBJECT)
		return LUKS_EMETA;
	if ((e = requirements(&m, root)) || (e = segment(&m, json_member(&m.d, root, "segments"))) ||
	    (e = digest(&m, json_member(&m.d, root, "digests"))) ||
	    (e = keyslots(&m, json_member(&m.d, root, "keyslots"))))
		return e;
	return LUKS_OK;
}

enum luks_err luks2_parse(struct luks_volume *v, const uint8_t *hdr, size_t len,
			  void *tokens, size_t tokens_len)
{
	const struct luks2_bin_hdr *b = (const void *)hdr;
	uint64_t size;

	memset(v, 0, sizeof(*v));
	if (len < LUKS2_BIN_SIZE || (memcmp(b->magic, LUKS_MAGIC, 6) && memcmp(b->magic, LUKS2_MAGIC_2ND, 6)))
		return LUKS_ENOTLUKS;
	if (hdr[6] != 0 || hdr[7] != 2)
		return LUKS_EVERSION;
	size = be64(hdr + 8);
	if (!valid_hdr_size(size) || size > len || strncmp(b->checksum_alg, "sha256", 32) ||
	    strnlen(b->uuid, sizeof(b->uuid)) == sizeof(b->uuid))
		return LUKS_EHEADER;
	if (!csum_ok(hdr, size))
		return LUKS_ECSUM;
	v->version = 2;
	v->hdr_size = size;
	v->seqid = be64(hdr + 16);
	memcpy(v->uuid, b->uuid, sizeof(v->uuid));
	return metadata(v, (const char *)hdr + LUKS2_BIN_SIZE, size - LUKS2_BIN_SIZE, tokens, tokens_len);
}
