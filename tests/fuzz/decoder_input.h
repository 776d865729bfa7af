/* A fuzz input for a decoder target (fuzz_lz4.c, fuzz_lzo1x.c): the first byte picks the
 * output capacity class, the rest is the compressed data, at most SWSUSP_CMP_WORST bytes
 * (the largest block image/stream.c ever hands a decoder; longer inputs are skipped).
 * Input, output and reference output are exact-size windows (exact_buf.h), so ASan
 * catches a single byte over. */
#ifndef THAW_FUZZ_DECODER_INPUT_H
#define THAW_FUZZ_DECODER_INPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "image/swsusp_format.h"
#include "exact_buf.h"

#define DECODER_CAP_MAX (131072 + 7)

struct decoder_input {
	uint8_t *in, *out, *ref;
	size_t in_len, cap;
};

/* False when the input is too short to pick a capacity or longer than any block. */
static inline bool decoder_input_open(struct decoder_input *d, const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 0, 1, 16, 255, 4096, 65536, 131072, DECODER_CAP_MAX };
	EXACT_ARENA(in, SWSUSP_CMP_WORST);
	EXACT_ARENA(out, DECODER_CAP_MAX);
	EXACT_ARENA(ref, DECODER_CAP_MAX);

	if (size < 1 || size - 1 > SWSUSP_CMP_WORST)
		return false;
	d->cap = caps[data[0] & 7];
	d->in_len = size - 1;
	d->in = exact_window(in, sizeof(in), d->in_len);
	d->out = exact_window(out, sizeof(out), d->cap);
	d->ref = exact_window(ref, sizeof(ref), d->cap);
	memcpy(d->in, data + 1, d->in_len);
	return true;
}

#endif
