/* Round trips shared by the decoder tests (test_lz4.c, test_lzo1x.c): corpus data through
 * the reference library's compressor, then thaw's decoder, at fixed, per-page and random
 * sizes; the output must be the input, and exactly its size must be room enough. */
#ifndef THAW_TEST_DECODER_CHECK_H
#define THAW_TEST_DECODER_CHECK_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "image/img_err.h"
#include "corpus.h"

#define DECODER_MAXN (128 * 1024)

/* One decoder under test and the test file's buffers: src holds DECODER_MAXN bytes, out
 * DECODER_MAXN + 64, cmp the compressor's bound for DECODER_MAXN. */
struct decoder_check {
	/* n bytes of in into cmp, in the denser mode when dense; the compressed length. */
	size_t (*compress)(const uint8_t *in, size_t n, int dense);
	enum img_err (*decode)(const uint8_t *src, size_t src_len,
			       uint8_t *dst, size_t dst_cap, size_t *dst_len);
	enum img_err overrun;	/* what decode returns when dst is one byte short */
	uint8_t *src, *cmp, *out;
};

static inline void decoder_roundtrip(const struct decoder_check *c, size_t n,
				     enum corpus_kind kind, uint64_t seed, int dense)
{
	size_t clen, got = 0;

	corpus_fill(c->src, n, kind, seed);
	clen = c->compress(c->src, n, dense);
	assert_int_equal(c->decode(c->cmp, clen, c->out, DECODER_MAXN, &got), IMG_OK);
	assert_int_equal(got, n);
	assert_memory_equal(c->out, c->src, n);
	/* Exactly enough room works too; one byte less must be an output overrun. */
	assert_int_equal(c->decode(c->cmp, clen, c->out, n, &got), IMG_OK);
	if (n)
		assert_int_equal(c->decode(c->cmp, clen, c->out, n - 1, &got), c->overrun);
}

/* Every size in sizes[0, count) for every kind, in both compressor modes. */
static inline void decoder_sizes(const struct decoder_check *c, const size_t *sizes, size_t count)
{
	for (int kind = 0; kind < CORPUS_KINDS; kind++)
		for (size_t i = 0; i < count; i++)
			for (int dense = 0; dense < 2; dense++)
				decoder_roundtrip(c, sizes[i], kind, i, dense);
}

/* Every page count of a hibernation block (1..32 pages) for every kind. */
static inline void decoder_block_sizes(const struct decoder_check *c)
{
	for (int kind = 0; kind < CORPUS_KINDS; kind++)
		for (size_t pages = 1; pages <= 32; pages++)
			decoder_roundtrip(c, pages * 4096, kind, pages + 100 * kind, pages % 4 == 0);
}

/* 300 random sizes up to DECODER_MAXN, drawn from seed, kinds in turn. */
static inline void decoder_random_sizes(const struct decoder_check *c, uint64_t seed)
{
	uint64_t s = seed;

	for (int i = 0; i < 300; i++) {
		size_t n = corpus_rng(&s) % (DECODER_MAXN + 1);

		decoder_roundtrip(c, n, (enum corpus_kind)(i % CORPUS_KINDS), (uint64_t)i, i % 5 == 0);
	}
}

/* Overwrites `count` random bytes of m[0, n) with random values drawn from *s. */
static inline void decoder_mutate(uint8_t *m, size_t n, uint64_t *s, int count)
{
	for (int k = 0; k < count; k++)
		m[corpus_rng(s) % n] = (uint8_t)corpus_rng(s);
}

#endif
