/* Fuzz target: luks/json.c and luks/luks2.c's metadata reader.
 * Oracle: for any input, json_parse never reads past the input (ASan) and, when it
 * accepts it, every token's subtree ends after it and inside the array; the input as
 * the JSON area of a LUKS2 header with a valid checksum then goes through luks2_parse,
 * which must not crash and, when it accepts, describe only what thaw can open (key
 * sizes, sector size, stripes within their bounds). The harness stamps the header's
 * checksum with OpenSSL's SHA-256, not thaw's: an independent implementation (a wrong
 * thaw SHA-256 now fails every checksum instead of agreeing with itself), and half the
 * hashing, which was most of each execution. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>
#include "luks/json.h"
#include "luks/luks.h"
#include "luks/luks_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR (16u << 10)
#define TOKENS 512

static void check_tokens(const struct json_doc *d)
{
	for (uint32_t i = 0; i < d->ntok; i++)
		if (d->tok[i].next <= i || d->tok[i].next > d->ntok)
			abort();
}

static void check_volume(const struct luks_volume *v)
{
	if (v->sector_size < 512 || v->sector_size > 4096 || v->key_bytes > LUKS_MAX_KEY ||
	    v->digest_len > LUKS_MAX_KEY || v->digest_salt_len > LUKS_MAX_SALT || !v->mode)
		abort();
	for (unsigned s = 0; s < LUKS_MAX_SLOTS; s++) {
		const struct luks_keyslot *k = &v->slot[s];

		if (k->active && (k->stripes < 1 || k->key_bytes > LUKS_MAX_KEY ||
				  k->area_size < (uint64_t)k->key_bytes * k->stripes ||
				  k->kdf.salt_len > LUKS_MAX_SALT || !k->area_mode || !k->af_hash))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_tok tok[TOKENS];
	static uint8_t hdr[HDR];
	static struct luks_volume v;
	struct json_doc d;
	uint8_t sum[32];
	char *text = malloc(size ? size : 1);

	memcpy(text, data, size);
	if (json_parse(&d, text, size, tok, TOKENS) == JSON_OK)
		check_tokens(&d);
	free(text);
	if (size > HDR - LUKS2_BIN_SIZE)
		return 0;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, LUKS_MAGIC, 6);
	hdr[7] = 2;
	hdr[8 + 6] = HDR >> 8;                       /* hdr_size, big-endian */
	memcpy(hdr + 72, "sha256", 6);
	memcpy(hdr + LUKS2_BIN_SIZE, data, size);
	SHA256(hdr, HDR, sum);
	memcpy(hdr + 448, sum, 32);
	if (luks2_parse(&v, hdr, HDR, tok, sizeof(tok)) == LUKS_OK)
		check_volume(&v);
	return 0;
}
