/* Fuzz target: resume/lz4.c.
 * Oracle: (1) for any input, lz4_decode reads only the input and writes only the output
 * buffer (exact-size heap copies under ASan); (2) whatever liblz4's LZ4_decompress_safe
 * accepts, thaw accepts with identical output — except a zero match offset, which the
 * format forbids: there thaw fails with IMG_ELZ4_OFFSET after identical output so far.
 * The input's layout: tests/fuzz/decoder_input.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>
#include "image/lz4.h"
#include "decoder_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder_input d;
	size_t got = 0;
	enum img_err e;
	int r;

	if (!decoder_input_open(&d, data, size))
		return 0;
	e = lz4_decode(d.in, d.in_len, d.out, d.cap, &got);
	if (got > d.cap)
		abort();
	r = LZ4_decompress_safe((const char *)d.in, (char *)d.ref, (int)d.in_len, (int)d.cap);
	if (r >= 0) {
		if (e == IMG_ELZ4_OFFSET) {
			if (got > (size_t)r || memcmp(d.out, d.ref, got))
				abort();
		} else if (e != IMG_OK || got != (size_t)r || memcmp(d.out, d.ref, got)) {
			abort();
		}
	}
	return 0;
}
