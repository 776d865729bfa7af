/* Argon2i and Argon2id, version 0x13 (RFC 9106), with the caller's memory: the KDF
 * of LUKS2 keyslots. Pure: no allocation; the caller passes argon2_memory() bytes. */
#ifndef THAW_CRYPTO_ARGON2_H
#define THAW_CRYPTO_ARGON2_H
#include <stddef.h>
#include <stdint.h>

enum argon2_type { ARGON2_D = 0, ARGON2_I = 1, ARGON2_ID = 2 };   /* RFC 9106 §3.2 "y" */

struct argon2_params {
	enum argon2_type type;
	uint32_t t_cost;        /* passes */
	uint32_t m_cost;        /* KiB */
	uint32_t lanes;         /* parallelism */
};

enum argon2_err {
	ARGON2_ERR_NONE = 0,
	ARGON2_ERR_PARAMS,         /* t < 1, lanes outside 1..2^24-1, m < 8 * lanes, type */
	ARGON2_ERR_MEMORY,         /* the buffer given is smaller than argon2_memory() */
};

const char *argon2_strerror(enum argon2_err e);

/* Bytes of working memory the parameters need (m' blocks of 1 KiB, §3.2 step 4). */
uint64_t argon2_memory(const struct argon2_params *p);

enum argon2_err argon2_derive(const struct argon2_params *p, const uint8_t *pass, size_t plen,
			    const uint8_t *salt, size_t slen, uint8_t *out, size_t outlen,
			    void *memory, uint64_t memory_len);

#endif
