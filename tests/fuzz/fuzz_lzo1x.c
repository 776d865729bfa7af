/* Fuzz target: resume/lzo1x.c.
 * Oracle: (1) for any input, lzo1x_decode reads only the input and writes only the
 * output buffer (both exact-size heap copies, so ASan catches a single byte over);
 * (2) whatever thaw accepts, liblzo2's lzo1x_decompress_safe accepts with identical
 * output (thaw is liblzo2 minus Linux's stricter end-marker rule). The input's layout:
 * tests/fuzz/decoder_input.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lzo/lzo1x.h>
#include "image/lzo1x.h"
#include "decoder_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder_input d;
	size_t got = 0;
	lzo_uint rlen;

	if (!decoder_input_open(&d, data, size))
		return 0;
	if (lzo1x_decode(d.in, d.in_len, d.out, d.cap, &got) == IMG_OK) {
		rlen = d.cap;
		if (lzo1x_decompress_safe(d.in, d.in_len, d.ref, &rlen, NULL) != LZO_E_OK ||
		    rlen != got || memcmp(d.out, d.ref, got))
			abort();
	}
	if (got > d.cap)
		abort();
	return 0;
}
