/* Test data for the decoder tests: random, repetitive, page-cache-like and real bytes
 * (the first shared library found on the host), reproducible from a seed. */
#ifndef THAW_TEST_CORPUS_H
#define THAW_TEST_CORPUS_H
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum corpus_kind { CORPUS_RANDOM, CORPUS_REPEAT, CORPUS_MIXED, CORPUS_REAL, CORPUS_ZERO, CORPUS_KINDS };

static inline uint64_t corpus_rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Real data: bytes of host shared libraries, skipping `skip` bytes of the sequence. */
static inline void corpus_real(uint8_t *b, size_t n, size_t skip)
{
	const char *dir = "/usr/lib/x86_64-linux-gnu";
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t got = 0;

	while (d && got < n && (e = readdir(d))) {
		char path[512];
		FILE *f;
		size_t k;

		if (!strstr(e->d_name, ".so."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		while (got < n && (k = fread(b + got, 1, n - got, f)) > 0) {
			if (skip >= k) {
				skip -= k;
				continue;
			}
			memmove(b + got, b + got + skip, k - skip);
			got += k - skip;
			skip = 0;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	for (uint64_t s = 7; got < n; got++)
		b[got] = (uint8_t)corpus_rng(&s);
}

static inline void corpus_fill(uint8_t *b, size_t n, enum corpus_kind kind, uint64_t seed)
{
	uint64_t s = seed * 2 + 1;

	switch (kind) {
	case CORPUS_RANDOM:
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)corpus_rng(&s);
		break;
	case CORPUS_REPEAT: {
		size_t period = 1 + corpus_rng(&s) % 300;

		for (size_t i = 0; i < n; i++)
			b[i] = i < period ? (uint8_t)corpus_rng(&s) : b[i - period];
		break;
	}
	case CORPUS_MIXED:
		for (size_t i = 0; i < n; i++) {
			unsigned int kind2 = (unsigned int)((i / 777 + seed) % 4);

			b[i] = kind2 == 0 ? (uint8_t)corpus_rng(&s) : kind2 == 1 ? 0 :
			       kind2 == 2 ? (uint8_t)("hibernate "[i % 10]) : (uint8_t)(i >> 6);
		}
		break;
	case CORPUS_REAL:
		corpus_real(b, n, (size_t)(seed * 40961));
		break;
	default:
		memset(b, 0, n);
		break;
	}
}

#endif
