/* resume/lz4.c differential against liblz4: blocks from LZ4_compress_default (what Linux
 * writes) and LZ4_compress_HC over random, repetitive, mixed, real and zero data at every
 * size class up to 128 KiB; every error path, truncations, and mutations (whatever
 * liblz4's LZ4_decompress_safe accepts, thaw accepts with the same output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lz4.h>
#include <lz4hc.h>
#include "image/lz4.h"
#include "decoder_check.h"

#define MAXN DECODER_MAXN

static uint8_t src[MAXN], cmp[LZ4_COMPRESSBOUND(MAXN)], out[MAXN + 64], ref[MAXN + 64];

static size_t compress(const uint8_t *in, size_t n, int hc)
{
	int r = hc ? LZ4_compress_HC((const char *)in, (char *)cmp, (int)n, (int)sizeof(cmp), 9) :
		     LZ4_compress_default((const char *)in, (char *)cmp, (int)n, (int)sizeof(cmp));

	assert_true(r > 0);
	return (size_t)r;
}

static const struct decoder_check lz4 = {
	.compress = compress, .decode = lz4_decode, .overrun = IMG_ELZ4_OUTPUT,
	.src = src, .cmp = cmp, .out = out,
};

static void test_sizes(void **state)
{
	static const size_t fixed[] = { 0, 1, 2, 4, 5, 12, 13, 15, 16, 17, 18, 19, 63, 64, 100, 255,
					256, 4095, 4096, 4097, 8192, 65535, 65536, 131071, 131072 };
	(void)state;
	decoder_sizes(&lz4, fixed, sizeof(fixed) / sizeof(fixed[0]));
}

static void test_block_sizes(void **state)
{
	(void)state;
	decoder_block_sizes(&lz4);
}

static void test_random_sizes(void **state)
{
	(void)state;
	decoder_random_sizes(&lz4, 77);
}

static void test_errors(void **state)
{
	static const uint8_t empty[] = { 0x00 };			/* token, no literals: empty block */
	static const uint8_t lits[] = { 0x30, 'a', 'b', 'c' };
	static const uint8_t off0[] = { 0x10, 'a', 0x00, 0x00, 0x00 };	/* offset 0 */
	static const uint8_t offfar[] = { 0x10, 'a', 0x02, 0x00, 0x00 };	/* 2 back, 1 written */
	static const uint8_t nooff[] = { 0x10, 'a', 0x01 };		/* half an offset */
	static const uint8_t longlit[] = { 0xf0, 0xff, 0xff };		/* length runs out */
	static const uint8_t match[] = { 0x14, 'a', 0x01, 0x00, 0x10, 'b' };	/* a x9, b */
	size_t got;

	(void)state;
	assert_int_equal(lz4_decode(empty, 1, out, 10, &got), IMG_OK);
	assert_int_equal(got, 0);
	assert_int_equal(lz4_decode(empty, 0, out, 10, &got), IMG_ELZ4_INPUT);
	assert_int_equal(lz4_decode(lits, sizeof(lits), out, 10, &got), IMG_OK);
	assert_int_equal(got, 3);
	assert_int_equal(lz4_decode(lits, sizeof(lits) - 1, out, 10, &got), IMG_ELZ4_INPUT);
	assert_int_equal(lz4_decode(lits, sizeof(lits), out, 2, &got), IMG_ELZ4_OUTPUT);
	assert_int_equal(lz4_decode(off0, sizeof(off0), out, 10, &got), IMG_ELZ4_OFFSET);
	assert_int_equal(lz4_decode(offfar, sizeof(offfar), out, 10, &got), IMG_ELZ4_OFFSET);
	assert_int_equal(lz4_decode(nooff, sizeof(nooff), out, 10, &got), IMG_ELZ4_INPUT);
	assert_int_equal(lz4_decode(longlit, sizeof(longlit), out, 100000, &got), IMG_ELZ4_INPUT);
	assert_int_equal(lz4_decode(match, sizeof(match), out, 20, &got), IMG_OK);
	assert_int_equal(got, 10);
	assert_memory_equal(out, "aaaaaaaaab", 10);
	assert_int_equal(lz4_decode(match, sizeof(match), out, 9, &got), IMG_ELZ4_OUTPUT);
}

/* Every offset 1..20 and match length 4..40 ending exactly at the end of an exact-size
 * output buffer, against a bytewise model (the word copies must stay inside). */
static void test_matches_at_end(void **state)
{
	(void)state;
	for (size_t off = 1; off <= 20; off++) {
		for (size_t mlen = 4; mlen <= 40; mlen++) {
			uint8_t in[64], model[128];
			size_t at = 0, n = 20 + mlen + 1, got;
			uint8_t *o = malloc(n);

			in[at++] = (uint8_t)(15 << 4 | (mlen - 4 < 15 ? mlen - 4 : 15));
			in[at++] = 20 - 15;
			for (int i = 0; i < 20; i++)
				in[at++] = model[i] = (uint8_t)('A' + i);
			in[at++] = (uint8_t)off;
			in[at++] = 0;
			if (mlen - 4 >= 15)
				in[at++] = (uint8_t)(mlen - 4 - 15);
			in[at++] = 0x10;
			in[at++] = 'z';
			for (size_t i = 20; i < 20 + mlen; i++)
				model[i] = model[i - off];
			model[20 + mlen] = 'z';
			assert_int_equal(lz4_decode(in, at, o, n, &got), IMG_OK);
			assert_int_equal(got, n);
			assert_memory_equal(o, model, n);
			free(o);
		}
	}
}

static void test_truncations(void **state)
{
	size_t clen, got;

	(void)state;
	corpus_fill(src, 20000, CORPUS_MIXED, 5);
	clen = compress(src, 20000, 1);
	for (size_t n = 0; n < clen; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		enum img_err e;

		memcpy(copy, cmp, n);
		e = lz4_decode(copy, n, out, MAXN, &got);
		/* A prefix may end on a sequence boundary and be a valid shorter block. */
		if (e == IMG_OK) {
			assert_true(got < 20000);
			assert_memory_equal(out, src, got);
		}
		free(copy);
	}
}

/* Mutations: liblz4 accepts => thaw accepts with identical output. Both outcomes must
 * occur often, or the mutations test nothing. */
static void test_mutations(void **state)
{
	uint64_t s = 4243;
	size_t clen, got, compared = 0, refused = 0;
	int offset0 = 0;

	(void)state;
	corpus_fill(src, 40000, CORPUS_REAL, 9);
	clen = compress(src, 40000, 0);
	for (int i = 0; i < 4000; i++) {
		uint8_t *m = malloc(clen);
		int cap = 40000 + (int)(corpus_rng(&s) % 64);
		enum img_err e;
		int r;

		memcpy(m, cmp, clen);
		decoder_mutate(m, clen, &s, 1 + i % 4);
		r = LZ4_decompress_safe((const char *)m, (char *)ref, (int)clen, cap);
		e = lz4_decode(m, clen, out, (size_t)cap, &got);
		if (r >= 0 && e == IMG_ELZ4_OFFSET) {
			/* liblz4 lets offset 0 through (copying undefined bytes); the format
			 * forbids it and thaw stops there, with the same output so far. */
			assert_true(got <= (size_t)r);
			assert_memory_equal(out, ref, got);
			offset0++;
		} else if (r >= 0) {
			assert_int_equal(e, IMG_OK);
			assert_int_equal(got, (size_t)r);
			assert_memory_equal(out, ref, got);
			compared++;
		} else {
			refused++;
		}
		free(m);
	}
	print_message("lz4 mutations: %zu accepted by liblz4 and compared, %d stopped at "
		      "offset 0, %zu refused by liblz4\n", compared, offset0, refused);
	assert_int_equal(compared + (size_t)offset0 + refused, 4000);
	assert_true(compared >= 400);
	assert_true(refused >= 400);
	assert_true(offset0 < 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_block_sizes),
		cmocka_unit_test(test_random_sizes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_matches_at_end),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
