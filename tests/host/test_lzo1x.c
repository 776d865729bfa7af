/* resume/lzo1x.c differential against liblzo2: streams from lzo1x_1 (what Linux writes)
 * and lzo1x_999 (denser, every instruction form) over random, repetitive, mixed, real and
 * zero data at every size class up to 128 KiB; then every error path, truncations and
 * mutations (whatever thaw accepts, liblzo2's lzo1x_decompress_safe accepts identically). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lzo/lzo1x.h>
#include "image/lzo1x.h"
#include "decoder_check.h"

#define MAXN DECODER_MAXN

static uint8_t src[MAXN], cmp[MAXN + MAXN / 16 + 64 + 3], out[MAXN + 64], ref[MAXN + 64];
static uint8_t wrk[LZO1X_999_MEM_COMPRESS];

static size_t compress(const uint8_t *in, size_t n, int level)
{
	lzo_uint len = 0;
	int r = level ? lzo1x_999_compress(in, n, cmp, &len, wrk) : lzo1x_1_compress(in, n, cmp, &len, wrk);

	assert_int_equal(r, LZO_E_OK);
	return len;
}

static const struct decoder_check lzo1x = {
	.compress = compress, .decode = lzo1x_decode, .overrun = IMG_ELZO_OUTPUT,
	.src = src, .cmp = cmp, .out = out,
};

static void test_sizes(void **state)
{
	static const size_t fixed[] = { 0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 63, 64, 100, 255, 256,
					4095, 4096, 4097, 8192, 65535, 65536, 131071, 131072 };
	(void)state;
	decoder_sizes(&lzo1x, fixed, sizeof(fixed) / sizeof(fixed[0]));
}

static void test_block_sizes(void **state)
{
	(void)state;
	decoder_block_sizes(&lzo1x);
}

static void test_random_sizes(void **state)
{
	(void)state;
	decoder_random_sizes(&lzo1x, 99);
}

static void test_errors(void **state)
{
	static const uint8_t eof[] = { 0x11, 0, 0 };
	/* 4 literals, then an end marker of length 4: liblzo2 accepts, Linux needs t == 3. */
	static const uint8_t eof_long[] = { 0x15, 'a', 'b', 'c', 'd', 0x12, 0, 0 };
	/* 4 literals, then an M3 match 17 bytes back. */
	static const uint8_t lookbehind[] = { 0x15, 'a', 'b', 'c', 'd', 0x21, 0x40, 0x00, 0x11, 0, 0 };
	static const uint8_t trailing[] = { 0x11, 0, 0, 0 };
	static const uint8_t lits[] = { 0x15, 'a', 'b', 'c', 'd', 0x11, 0, 0 };	/* 4 literals */
	size_t got;

	(void)state;
	assert_int_equal(lzo1x_decode(eof, 3, out, 10, &got), IMG_OK);
	assert_int_equal(got, 0);
	assert_int_equal(lzo1x_decode(lits, sizeof(lits), out, 10, &got), IMG_OK);
	assert_int_equal(got, 4);
	assert_memory_equal(out, "abcd", 4);
	assert_int_equal(lzo1x_decode(eof_long, sizeof(eof_long), out, 10, &got), IMG_ELZO_EOF);
	assert_int_equal(lzo1x_decode(lookbehind, sizeof(lookbehind), out, 10, &got), IMG_ELZO_LOOKBEHIND);
	assert_int_equal(lzo1x_decode(trailing, sizeof(trailing), out, 10, &got), IMG_ELZO_TRAILING);
	assert_int_equal(lzo1x_decode(eof, 2, out, 10, &got), IMG_ELZO_INPUT);
	assert_int_equal(lzo1x_decode(eof, 0, out, 10, &got), IMG_ELZO_INPUT);
	assert_int_equal(lzo1x_decode(lits, sizeof(lits), out, 3, &got), IMG_ELZO_OUTPUT);
}

/* Short overlapping matches ending exactly at the end of an exact-size output (a
 * fuzzer-found overread: a word load of a pattern shorter than a word). */
static void test_short_match_at_end(void **state)
{
	(void)state;
	for (unsigned int dist = 1; dist <= 4; dist++) {
		for (unsigned int l = 0; l < 2; l++) {
			/* 4 literals, an M2 match (length 3 + l, distance dist), end marker */
			uint8_t in[] = { 21, 'a', 'b', 'c', 'd',
					 (uint8_t)(0x40 | l << 5 | (dist - 1) << 2), 0, 0x11, 0, 0 };
			size_t n = 4 + 3 + l, got;
			uint8_t *o = malloc(n);

			assert_int_equal(lzo1x_decode(in, sizeof(in), o, n, &got), IMG_OK);
			assert_int_equal(got, n);
			for (size_t i = 4; i < n; i++)
				assert_int_equal(o[i], o[i - dist]);
			free(o);
		}
	}
}

/* Every proper prefix of a stream must fail (the end marker is last), never crash. */
static void test_truncations(void **state)
{
	size_t clen, got;

	(void)state;
	corpus_fill(src, 20000, CORPUS_MIXED, 5);
	clen = compress(src, 20000, 1);
	for (size_t n = 0; n < clen; n++) {
		uint8_t *copy = malloc(n ? n : 1);	/* exact-size heap copy: ASan sees overreads */

		memcpy(copy, cmp, n);
		assert_int_not_equal(lzo1x_decode(copy, n, out, MAXN, &got), IMG_OK);
		free(copy);
	}
}

/* Byte mutations: if thaw accepts, liblzo2 must accept with the same output. Both
 * outcomes must occur often, or the mutations test nothing. */
static void test_mutations(void **state)
{
	uint64_t s = 4242;
	size_t clen, got, compared = 0, refused = 0;
	lzo_uint rlen;

	(void)state;
	corpus_fill(src, 40000, CORPUS_REAL, 9);
	clen = compress(src, 40000, 0);
	for (int i = 0; i < 4000; i++) {
		uint8_t *m = malloc(clen);
		size_t cap = 40000 + (corpus_rng(&s) % 64);
		int r;

		memcpy(m, cmp, clen);
		decoder_mutate(m, clen, &s, 1 + i % 4);
		if (lzo1x_decode(m, clen, out, cap, &got) == IMG_OK) {
			rlen = cap;
			r = lzo1x_decompress_safe(m, clen, ref, &rlen, NULL);
			assert_int_equal(r, LZO_E_OK);
			assert_int_equal(rlen, got);
			assert_memory_equal(out, ref, got);
			compared++;
		} else {
			refused++;
		}
		free(m);
	}
	print_message("lzo1x mutations: %zu accepted and compared with liblzo2, %zu refused\n",
		      compared, refused);
	assert_int_equal(compared + refused, 4000);
	assert_true(compared >= 400);
	assert_true(refused >= 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_block_sizes),
		cmocka_unit_test(test_random_sizes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_short_match_at_end),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_mutations),
	};

	assert_int_equal(lzo_init(), LZO_E_OK);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
