/* CRC-32 (reflected 0xEDB88320) by table slicing (Kounavis & Berry, "A Systematic
 * Approach to Building High Performance Software-Based CRC Generators", 2005), extended
 * to 16 bytes per step through sixteen 256-entry tables; bytewise at the ends. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/crc32.h"
#include "crc32_table.h"	/* generated: $(BUILD)/gen, scripts/gen_crc32_table.py */

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);	/* little-endian (x86_64); one load even freestanding */
	return v;
}

#define T(k, v, shift) crc32_tab[k][((v) >> (shift)) & 0xff]

uint32_t crc32_le(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && ((uintptr_t)p & 7)) {
		crc = crc32_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	/* 16 bytes per step: byte i of the block goes through table 15 - i. */
	while (len >= 16) {
		uint32_t a = load32(p) ^ crc, b = load32(p + 4), c = load32(p + 8), d = load32(p + 12);

		crc = T(15, a, 0) ^ T(14, a, 8) ^ T(13, a, 16) ^ T(12, a, 24) ^
		      T(11, b, 0) ^ T(10, b, 8) ^ T(9, b, 16) ^ T(8, b, 24) ^
		      T(7, c, 0) ^ T(6, c, 8) ^ T(5, c, 16) ^ T(4, c, 24) ^
		      T(3, d, 0) ^ T(2, d, 8) ^ T(1, d, 16) ^ T(0, d, 24);
		p += 16;
		len -= 16;
	}
	while (len--)
		crc = crc32_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
	return ~crc32_le(~crc, buf, len);
}

/* Multiply a and b modulo the CRC polynomial, both in the reflected bit order
 * (bit 31 is x^0). */
static uint32_t multmodp(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = b & 1 ? (b >> 1) ^ 0xEDB88320u : b >> 1;
	}
	return p;
}

/* x^(8 * len) modulo the polynomial, by squaring: x^(2^k) for each set bit k. */
static uint32_t x8nmodp(uint64_t len)
{
	uint32_t r = 1u << 31;          /* x^0 */
	uint32_t sq = 1u << 23;         /* x^8: one byte */

	while (len) {
		if (len & 1)
			r = multmodp(sq, r);
		sq = multmodp(sq, sq);
		len >>= 1;
	}
	return r;
}

/* A CRC is linear in its message: the CRC of A||B is the CRC of A carried through
 * len(B) zero bytes, plus the CRC of B from a zero register. The pre/post inversions
 * of crc32() cancel out, so the one formula serves both flavours (zlib crc32_combine). */
uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
	return multmodp(x8nmodp(len_b), crc_a) ^ crc_b;
}
