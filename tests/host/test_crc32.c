/* resume/crc32.c against zlib: every length 0..1100 at every alignment 0..7, large
 * buffers, chaining, and the Linux no-inversion variant's relation to zlib's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/crc32.h"

/* zlib's crc32_z; <zlib.h> itself would clash with thaw's crc32(). */
unsigned long crc32_z(unsigned long crc, const unsigned char *buf, size_t len);
/* zlib's combine; crc32_combine itself is interposed by thaw's of the same name. */
unsigned long crc32_combine64(unsigned long crc1, unsigned long crc2, long long len2);

static uint8_t *random_buf(size_t n, uint64_t seed)
{
	uint8_t *b = malloc(n + 16);

	for (size_t i = 0; i < n + 16; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(seed >> 56);
	}
	return b;
}

static void test_check_value(void **state)
{
	(void)state;
	/* The CRC-32 catalogue check value. */
	assert_int_equal(crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(crc32(0, "", 0), 0);
	assert_int_equal(crc32_le(0, "", 0), 0);
}

static void test_lengths_alignments(void **state)
{
	uint8_t *b = random_buf(1200, 1);

	(void)state;
	for (size_t align = 0; align < 8; align++)
		for (size_t n = 0; n <= 1100; n++)
			assert_int_equal(crc32(0, b + align, n), (uint32_t)crc32_z(0, b + align, n));
	free(b);
}

static void test_large_and_chained(void **state)
{
	size_t n = 5u << 20;
	uint8_t *b = random_buf(n, 2);
	uint32_t whole = crc32(0, b, n), part = 0;

	(void)state;
	assert_int_equal(whole, (uint32_t)crc32_z(0, b, n));
	for (size_t at = 0, step = 1; at < n; at += step, step = step * 3 + 1) {
		size_t len = step < n - at ? step : n - at;

		part = crc32(part, b + at, len);
	}
	assert_int_equal(part, whole);
	free(b);
}

/* Linux crc32_le(0, ...) without inversion == ~zlib(~0 seed) (docs/hibernation-format.md §4.4). */
static void test_linux_semantics(void **state)
{
	uint8_t *b = random_buf(70000, 3);
	uint32_t linux_crc = 0;

	(void)state;
	for (size_t at = 0; at < 65536; at += 4096)
		linux_crc = crc32_le(linux_crc, b + at, 4096);
	assert_int_equal(linux_crc, ~(uint32_t)crc32_z(0xffffffffUL, b, 65536));
	assert_int_equal(crc32_le(0, b, 65536), linux_crc);
	/* A single bit flip changes it. */
	b[1000] ^= 1;
	assert_int_not_equal(crc32_le(0, b, 65536), linux_crc);
	free(b);
}

/* crc32_combine against zlib's crc32_combine64 and against the CRC of the whole, for
 * both flavours, at split points that cover empty parts, odd lengths and 128 KiB. */
static void test_combine(void **state)
{
	size_t n = 300000;
	uint8_t *b = random_buf(n, 4);
	static const size_t cuts[] = { 0, 1, 3, 4095, 4096, 65536, 131072, 200001, 300000 };

	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t a = cuts[i], lb = n - a;
		uint32_t za = crc32(0, b, a), zb = crc32(0, b + a, lb);
		uint32_t la = crc32_le(0, b, a), lbc = crc32_le(0, b + a, lb);

		assert_int_equal(crc32_combine(za, zb, lb), (uint32_t)crc32_combine64(za, zb, (long long)lb));
		assert_int_equal(crc32_combine(za, zb, lb), crc32(0, b, n));
		assert_int_equal(crc32_combine(la, lbc, lb), crc32_le(0, b, n));
	}
	/* Many 128 KiB chunks joined in order, as the parallel restore does. */
	{
		uint32_t acc = 0;
		for (size_t at = 0; at < n; at += 131072) {
			size_t len = n - at < 131072 ? n - at : 131072;
			acc = crc32_combine(acc, crc32_le(0, b + at, len), len);
		}
		assert_int_equal(acc, crc32_le(0, b, n));
	}
	/* Lengths beyond 4 GiB take the high bits of len_b. */
	assert_int_equal(crc32_combine(0x12345678u, 0x9abcdef0u, 0x100000003ull),
			 (uint32_t)crc32_combine64(0x12345678u, 0x9abcdef0u, 0x100000003ll));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_lengths_alignments),
		cmocka_unit_test(test_large_and_chained),
		cmocka_unit_test(test_linux_semantics),
		cmocka_unit_test(test_combine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
