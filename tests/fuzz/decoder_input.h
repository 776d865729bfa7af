/* A fuzz input for a decoder target (fuzz_lz4.c, fuzz_lzo1x.c): the first byte picks the
 * output capacity class, the rest is the compressed data. Input, output and reference
 * output are exact-size heap buffers, so ASan catches a single byte over. */
#ifndef THAW_FUZZ_DECODER_INPUT_H
#define THAW_FUZZ_DECODER_INPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct decoder_input {
	uint8_t *in, *out, *ref;
	size_t in_len, cap;
};

/* False when the input is too short to pick a capacity (nothing allocated). */
static inline bool decoder_input_open(struct decoder_input *d, const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 0, 1, 16, 255, 4096, 65536, 131072, 131072 + 7 };

	if (size < 1)
		return false;
	d->cap = caps[data[0] & 7];
	d->in_len = size - 1;
	d->in = malloc(d->in_len ? d->in_len : 1);
	d->out = malloc(d->cap ? d->cap : 1);
	d->ref = malloc(d->cap ? d->cap : 1);
	memcpy(d->in, data + 1, d->in_len);
	return true;
}

static inline void decoder_input_close(struct decoder_input *d)
{
	free(d->in);
	free(d->out);
	free(d->ref);
}

#endif
