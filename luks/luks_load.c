/* Finding a LUKS header and the copy to trust. LUKS2 keeps two copies (spec §2.1):
 * the primary at 0, the secondary right after it; when both are valid the higher
 * seqid wins, when the primary is damaged the secondary is searched at every offset
 * a header size allows and must say where it is (hdr_offset). */
#include "luks/luks.h"
#include "luks/json.h"
#include "luks/luks_format.h"
#include <string.h>

#define TOKENS 4096

const char *luks_strerror(enum luks_err e)
{
	switch (e) {
	case LUKS_OK: return "ok";
	case LUKS_ENOTLUKS: return "no LUKS header";
	case LUKS_EVERSION: return "LUKS version not supported (only 1 and 2)";
	case LUKS_EHEADER: return "LUKS header field out of range";
	case LUKS_ECSUM: return "LUKS2 header checksum wrong in both copies";
	case LUKS_EJSON: return "LUKS2 metadata is not valid JSON";
	case LUKS_EMETA: return "LUKS2 metadata field missing or invalid";
	case LUKS_ECIPHER: return "cipher not supported (aes-xts-plain64, aes-cbc-essiv:sha256 are)";
	case LUKS_EHASH: return "hash not supported (sha1, sha256 are)";
	case LUKS_EKDF: return "key derivation not supported (pbkdf2, argon2i, argon2id are)";
	case LUKS_EUNSUPP: return "LUKS feature not supported (integrity, reencryption, several segments)";
	case LUKS_ENOSLOT: return "no usable keyslot";
	case LUKS_ENOKEY: return "no keyslot opens with this passphrase";
	case LUKS_EMEMORY: return "not enough memory for the keyslot's key derivation";
	case LUKS_EIO: return "I/O error reading the LUKS header or keyslot";
	}
	return "unknown LUKS error";
}

unsigned luks_probe(const uint8_t *buf, size_t len)
{
	if (len < 8 || memcmp(buf, LUKS_MAGIC, LUKS_MAGIC_LEN) || buf[6] != 0)
		return 0;
	return buf[7] == 1 || buf[7] == 2 ? buf[7] : 0;
}

size_t luks_scratch_size(void)
{
	return LUKS2_HDR_MAX + TOKENS * sizeof(struct json_tok);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Read and parse the copy at off (expected magic m); its hdr_size must be sane. */
static enum luks_err load_copy(struct luks_volume *v, luks_read_fn rd, void *ctx,
			       uint8_t *s, uint64_t off, const char *m)
{
	uint64_t size;

	if (!rd(ctx, off, s, LUKS2_BIN_SIZE))
		return LUKS_EIO;
	if (memcmp(s, m, LUKS_MAGIC_LEN) || be64(s + 256) != off)
		return LUKS_ENOTLUKS;
	size = be64(s + 8);
	if (size < LUKS2_HDR_MIN || size > LUKS2_HDR_MAX || (size & (size - 1)))
		return LUKS_EHEADER;
	if (!rd(ctx, off, s, size))
		return LUKS_EIO;
	return luks2_parse(v, s, size, s + LUKS2_HDR_MAX, TOKENS * sizeof(struct json_tok));
}

/* The secondary copy: after the primary's own size when known, else at each size. */
static enum luks_err load_secondary(struct luks_volume *v, luks_read_fn rd, void *ctx,
				    uint8_t *s, uint64_t hint)
{
	enum luks_err e = LUKS_ECSUM, r;

	if (hint && (r = load_copy(v, rd, ctx, s, hint, LUKS2_MAGIC_2ND)) == LUKS_OK)
		return LUKS_OK;
	for (uint64_t off = LUKS2_HDR_MIN; off <= LUKS2_HDR_MAX; off <<= 1) {
		if (off == hint)
			continue;
		r = load_copy(v, rd, ctx, s, off, LUKS2_MAGIC_2ND);
		if (r == LUKS_OK || r == LUKS_EIO)
			return r;
		if (r != LUKS_ENOTLUKS && r != LUKS_ECSUM)
			e = r;
	}
	return e;
}

static enum luks_err load_luks2(struct luks_volume *v, luks_read_fn rd, void *ctx, uint8_t *s)
{
	uint64_t hint = be64(s + 8), seq;
	enum luks_err e = load_copy(v, rd, ctx, s, 0, LUKS_MAGIC);

	if (e == LUKS_EIO)
		return e;
	if (e != LUKS_OK) {
		enum luks_err e2 = load_secondary(v, rd, ctx, s, hint <= LUKS2_HDR_MAX ? hint : 0);

		if (e2 != LUKS_OK)
			return e == LUKS_ENOTLUKS || e == LUKS_EHEADER ? e2 : e;
		v->from_secondary = true;
		return LUKS_OK;
	}
	/* Both valid: a newer secondary (an interrupted update) wins. */
	seq = v->seqid, hint = v->hdr_size;
	if (rd(ctx, hint, s, LUKS2_BIN_SIZE) && !memcmp(s, LUKS2_MAGIC_2ND, 6) && be64(s + 16) > seq) {
		if (load_copy(v, rd, ctx, s, hint, LUKS2_MAGIC_2ND) == LUKS_OK && v->seqid > seq) {
			v->from_secondary = true;
			return LUKS_OK;
		}
		return load_copy(v, rd, ctx, s, 0, LUKS_MAGIC);   /* the primary again */
	}
	return LUKS_OK;
}

enum luks_err luks_load(struct luks_volume *v, luks_read_fn rd, void *ctx,
			void *scratch, size_t scratch_len)
{
	uint8_t *s = scratch;

	memset(v, 0, sizeof(*v));
	if (scratch_len < luks_scratch_size())
		return LUKS_EMEMORY;
	if (!rd(ctx, 0, s, LUKS2_BIN_SIZE))
		return LUKS_EIO;
	switch (luks_probe(s, LUKS2_BIN_SIZE)) {
	case 1:
		return luks1_parse(v, s, LUKS2_BIN_SIZE);
	case 2:
		return load_luks2(v, rd, ctx, s);
	default:
		if (!memcmp(s, LUKS_MAGIC, LUKS_MAGIC_LEN))
			return LUKS_EVERSION;
		/* A wiped primary: LUKS2 may still be found by its secondary copy. */
		if (load_secondary(v, rd, ctx, s, 0) != LUKS_OK) {
			memset(v, 0, sizeof(*v));
			return LUKS_ENOTLUKS;
		}
		v->from_secondary = true;
		return LUKS_OK;
	}
}
