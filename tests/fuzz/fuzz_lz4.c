/* Fuzz target: resume/lz4.c.
 * Oracle: (1) for any input, lz4_decode reads only the input and writes only the output
 * buffer (exact-size heap copies under ASan); (2) whatever liblz4's LZ4_decompress_safe
 * accepts, thaw accepts with identical output — except a zero match offset, which the
 * format forbids: there thaw fails with IMG_ELZ4_OFFSET after identical output so far.
 * First input byte picks the output capacity class, the rest is the block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>
#include "resume/lz4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 0, 1, 16, 255, 4096, 65536, 131072, 131072 + 7 };
	size_t cap, got = 0;
	uint8_t *in, *out, *ref;
	enum img_err e;
	int r;

	if (size < 1)
		return 0;
	cap = caps[data[0] & 7];
	in = malloc(size - 1 ? size - 1 : 1);
	out = malloc(cap ? cap : 1);
	ref = malloc(cap ? cap : 1);
	memcpy(in, data + 1, size - 1);
	e = lz4_decode(in, size - 1, out, cap, &got);
	if (got > cap)
		abort();
	r = LZ4_decompress_safe((const char *)in, (char *)ref, (int)(size - 1), (int)cap);
	if (r >= 0) {
		if (e == IMG_ELZ4_OFFSET) {
			if (got > (size_t)r || memcmp(out, ref, got))
				abort();
		} else if (e != IMG_OK || got != (size_t)r || memcmp(out, ref, got)) {
			abort();
		}
	}
	free(in);
	free(out);
	free(ref);
	return 0;
}
