/* Shared helpers for the crypto known-answer tests: deterministic random bytes and
 * hex parsing. OpenSSL and libargon2 are the oracles (each test says which). */
#ifndef THAW_TESTS_CRYPTO_ORACLE_H
#define THAW_TESTS_CRYPTO_ORACLE_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void fill_random(uint8_t *b, size_t n, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(*seed >> 56);
	}
}

static inline size_t from_hex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		char b[3] = { h[0], h[1], 0 };

		out[n++] = (uint8_t)strtoul(b, NULL, 16);
	}
	return n;
}

#endif
