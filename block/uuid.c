/* UUID/GUID text conversion (RFC 4122 §3 text form; GUID byte order UEFI 2.x App. A). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/uuid.h"

/* Text position of byte i when the text is read in stored order; the GUID order
 * swaps the first three fields (4, 2 and 2 bytes) to little-endian. */
static const uint8_t guid_perm[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_dash_pos(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

bool uuid_parse(const char *text, enum uuid_order order, uint8_t out[16])
{
	uint8_t bytes[16];
	size_t n = 0;

	if (strnlen(text, UUID_TEXT_LEN + 1) != UUID_TEXT_LEN)
		return false;
	for (size_t i = 0; i < UUID_TEXT_LEN; i++) {
		if (is_dash_pos(i)) {
			if (text[i] != '-')
				return false;
			continue;
		}
		int hi = hexval(text[i]), lo = hexval(text[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		bytes[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	for (size_t i = 0; i < 16; i++)
		out[i] = order == UUID_GUID_MIXED_ENDIAN ? bytes[guid_perm[i]] : bytes[i];
	return true;
}

void uuid_format(const uint8_t u[16], enum uuid_order order, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < 16; i++) {
		uint8_t b = order == UUID_GUID_MIXED_ENDIAN ? u[guid_perm[i]] : u[i];

		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b >> 4];
		out[o++] = hex[b & 15];
	}
	out[o] = '\0';
}
