/* CRC-32 (reflected 0xEDB88320) by slicing-by-8: eight bytes per step through eight
 * 256-entry tables (Intel "slicing-by-8", Kounavis & Berry 2005), bytewise at the ends. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "resume/crc32.h"
#include "crc32_table.h"	/* generated: $(BUILD)/gen, scripts/gen_crc32_table.py */

uint32_t crc32_le(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && ((uintptr_t)p & 7)) {
		crc = crc32_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);	/* little-endian host (x86_64) */
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc32_tab[7][lo & 0xff] ^ crc32_tab[6][(lo >> 8) & 0xff] ^
		      crc32_tab[5][(lo >> 16) & 0xff] ^ crc32_tab[4][lo >> 24] ^
		      crc32_tab[3][hi & 0xff] ^ crc32_tab[2][(hi >> 8) & 0xff] ^
		      crc32_tab[1][(hi >> 16) & 0xff] ^ crc32_tab[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = crc32_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
	return ~crc32_le(~crc, buf, len);
}
