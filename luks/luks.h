/* LUKS1 and LUKS2 volumes: the headers parsed into one description, the keyslots
 * unlocked with a passphrase (PBKDF2 or Argon2, anti-forensic merge, digest check),
 * and the data segment's sector cipher. Pure: the caller reads the device through
 * a callback and hands in the working memory. */
#ifndef THAW_LUKS_H
#define THAW_LUKS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "crypto/argon2.h"
#include "crypto/hash.h"
#include "crypto/sector_cipher.h"

#define LUKS_MAX_SLOTS 32
#define LUKS_MAX_KEY 64
#define LUKS_MAX_SALT 64

enum luks_err {
	LUKS_OK = 0,
	LUKS_ENOTLUKS,          /* no LUKS magic */
	LUKS_EVERSION,          /* a LUKS version other than 1 and 2 */
	LUKS_EHEADER,           /* a binary header field out of range */
	LUKS_ECSUM,             /* LUKS2: no header copy with a valid checksum */
	LUKS_EJSON,             /* LUKS2: the metadata is not JSON */
	LUKS_EMETA,             /* LUKS2: a metadata field missing or invalid */
	LUKS_ECIPHER,           /* a cipher other than aes-xts-plain64 / aes-cbc-essiv:sha256 */
	LUKS_EHASH,             /* a hash other than sha1 / sha256 */
	LUKS_EKDF,              /* a key derivation other than pbkdf2 / argon2i / argon2id */
	LUKS_EUNSUPP,           /* integrity, reencryption, several segments, ... */
	LUKS_ENOSLOT,           /* no usable keyslot */
	LUKS_ENOKEY,            /* the passphrase opens no keyslot */
	LUKS_EMEMORY,           /* the working memory is smaller than the KDF needs */
	LUKS_EIO,               /* the read callback failed */
};

const char *luks_strerror(enum luks_err e);

enum luks_kdf_type { LUKS_KDF_PBKDF2 = 1, LUKS_KDF_ARGON2I, LUKS_KDF_ARGON2ID };

struct luks_kdf {
	enum luks_kdf_type type;
	const struct hash_alg *hash;            /* PBKDF2 */
	uint32_t iterations;                    /* PBKDF2 */
	uint32_t time, memory, cpus;            /* Argon2: passes, KiB, lanes */
	uint8_t salt[LUKS_MAX_SALT];
	uint32_t salt_len;
};

struct luks_keyslot {
	bool active;
	uint32_t key_bytes;                     /* of the volume key it holds */
	struct luks_kdf kdf;
	uint32_t stripes;                       /* anti-forensic split */
	const struct hash_alg *af_hash;
	uint64_t area_offset, area_size;        /* bytes from the header's start */
	enum sector_mode area_mode;
	uint32_t area_key_bytes;
	bool digest_ok;                         /* LUKS2: listed by the digest */
};

struct luks_volume {
	unsigned version;                       /* 1 or 2 */
	char uuid[40];                          /* NUL-terminated */
	char cipher[72];                        /* as written, for messages */
	enum sector_mode mode;
	uint32_t key_bytes;
	uint64_t data_offset;                   /* bytes */
	uint64_t data_size;                     /* bytes; 0: to the end of the device */
	uint32_t sector_size;                   /* 512 .. 4096 */
	uint64_t iv_tweak;                      /* LUKS2 segment "iv_tweak" (512-byte units) */
	uint64_t hdr_size;                      /* LUKS2 */
	uint64_t seqid;                         /* LUKS2 */
	bool from_secondary;                    /* LUKS2: the primary copy was damaged */
	const struct hash_alg *digest_hash;
	uint32_t digest_iterations;
	uint8_t digest_salt[LUKS_MAX_SALT];
	uint32_t digest_salt_len;
	uint8_t digest[LUKS_MAX_KEY];
	uint32_t digest_len;
	struct luks_keyslot slot[LUKS_MAX_SLOTS];
};

/* Read len bytes at byte offset off of the container; false on an I/O error. */
typedef bool (*luks_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/* 1 or 2 when buf (at least 8 bytes) starts a LUKS header, else 0. */
unsigned luks_probe(const uint8_t *buf, size_t len);

/* Parse the header: LUKS1 from its 592 bytes, LUKS2 from the primary copy or, when
 * its checksum or metadata is bad, the secondary. scratch (LUKS2_HDR_MAX bytes, plus
 * room for tokens: luks_scratch_size()) holds the header text while parsing. */
size_t luks_scratch_size(void);
enum luks_err luks_load(struct luks_volume *v, luks_read_fn rd, void *ctx,
			void *scratch, size_t scratch_len);

/* The parsers behind luks_load, over bytes already read. */
enum luks_err luks1_parse(struct luks_volume *v, const uint8_t *buf, size_t len);
/* hdr: one whole LUKS2 header copy (hdr_size bytes: binary header then JSON). */
enum luks_err luks2_parse(struct luks_volume *v, const uint8_t *hdr, size_t len,
			  void *tokens, size_t tokens_len);

/* Working memory unlocking slot s needs: its key material, plus the Argon2 memory. */
uint64_t luks_slot_memory(const struct luks_volume *v, unsigned s);

/* Try the passphrase on slot s: derive, decrypt the key material, merge the
 * anti-forensic stripes, check the digest. On LUKS_OK key[v->key_bytes] holds the
 * volume key. work is wiped before returning. */
enum luks_err luks_open_slot(const struct luks_volume *v, unsigned s, luks_read_fn rd,
			     void *ctx, const uint8_t *pass, size_t plen,
			     void *work, uint64_t work_len, uint8_t *key);

/* The anti-forensic merge (LUKS1 spec §2.4, AFmerge): stripes x len bytes in, the
 * key out. */
void luks_af_merge(const struct hash_alg *h, const uint8_t *src, uint32_t len,
		   uint32_t stripes, uint8_t *key);

/* Data segment: the dm-crypt IV sector of byte offset `off` (an encryption sector's
 * start) into the segment. */
uint64_t luks_iv_sector(const struct luks_volume *v, uint64_t off);

#endif
