/* RFC 4648 base64: four characters carry three bytes; '=' pads the last group. */
#include "luks/base64.h"
#include <string.h>

static int value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool base64_decode(const char *s, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t len = strlen(s), n = 0;

	if (len % 4)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		unsigned pad = 0;

		for (unsigned k = 0; k < 4; k++) {
			v[k] = value(s[i + k]);
			if (s[i + k] == '=' && i + 4 == len && k >= 2)
				pad++, v[k] = 0;
			else if (v[k] < 0 || pad)
				return false;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];

		if (3 - pad > cap - n)
			return false;
		out[n++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[n++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[n++] = (uint8_t)w;
	}
	*outlen = n;
	return true;
}
