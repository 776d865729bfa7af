/* Fuzz target: resume/lzo1x.c.
 * Oracle: (1) for any input, lzo1x_decode reads only the input and writes only the
 * output buffer (both exact-size heap copies, so ASan catches a single byte over);
 * (2) whatever thaw accepts, liblzo2's lzo1x_decompress_safe accepts with identical
 * output (thaw is liblzo2 minus Linux's stricter end-marker rule). First input byte
 * picks the output capacity class, the rest is the compressed stream. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lzo/lzo1x.h>
#include "resume/lzo1x.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 0, 1, 16, 255, 4096, 65536, 131072, 131072 + 7 };
	size_t cap, got = 0;
	lzo_uint rlen;
	uint8_t *in, *out, *ref;

	if (size < 1)
		return 0;
	cap = caps[data[0] & 7];
	in = malloc(size - 1 ? size - 1 : 1);
	out = malloc(cap ? cap : 1);
	ref = malloc(cap ? cap : 1);
	memcpy(in, data + 1, size - 1);
	if (lzo1x_decode(in, size - 1, out, cap, &got) == IMG_OK) {
		rlen = cap;
		if (lzo1x_decompress_safe(in, size - 1, ref, &rlen, NULL) != LZO_E_OK ||
		    rlen != got || memcmp(out, ref, got))
			abort();
	}
	if (got > cap)
		abort();
	free(in);
	free(out);
	free(ref);
	return 0;
}
