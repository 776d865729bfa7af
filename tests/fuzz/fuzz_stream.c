/* Fuzz target: resume/stream.c (framing, both decoders, CRC).
 * Input: byte 0 = codec (0 raw, 1 lzo, 2 lz4) | crc flag 4; byte 1 = expected pages - 1
 * (x 1, up to 256); byte 2 = batch size seed; the rest, zero-padded to whole 4 KiB
 * blocks, is the stream.
 * Oracle: no out-of-bounds access or UB (ASan/UBSan); never more pages emitted than
 * expected; and the outcome — error code, pages emitted, their contents' CRC — is the
 * same whether the blocks are pushed all at once, one by one, or in fuzzer-chosen
 * batches (in-place decoding and gathering must agree). The blocks are an exact-size
 * window (exact_buf.h): reading past the last one is an ASan error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/crc32.h"
#include "image/stream.h"
#include "exact_buf.h"

#define BLOCKS_MAX 80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	enum img_err err;
	uint64_t pages;
	uint32_t hash;
	uint64_t limit;
};

static enum img_err sink(void *arg, uint64_t index, const uint8_t *page, struct img_fault *f)
{
	struct outcome *o = arg;

	(void)f;
	if (index != o->pages || o->pages >= o->limit)
		abort();
	o->hash = crc32(o->hash, page, SWSUSP_PAGE_SIZE);
	o->pages++;
	return IMG_OK;
}

static struct outcome run(const uint8_t *blocks, size_t n, enum img_codec codec, bool crc,
			  uint64_t pages, size_t batch)
{
	static uint8_t cmp[IMG_STREAM_CMP_BUF], unc[IMG_STREAM_UNC_BUF];
	struct outcome o = { .limit = pages };
	struct img_stream_cfg cfg = { codec, crc, pages, cmp, unc, sink, &o };
	struct img_stream s;
	struct img_fault f;

	if (img_stream_init(&s, &cfg))
		abort();
	for (size_t i = 0; i < n && !o.err; i += batch)
		o.err = img_stream_push(&s, blocks + i * SWSUSP_PAGE_SIZE, n - i < batch ? n - i : batch, &f);
	if (!o.err)
		o.err = img_stream_finish(&s, 0x12345678, &f);
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum img_codec codec;
	struct outcome a, b, c;
	uint64_t pages;
	size_t n, batch;
	uint8_t *blocks;
	EXACT_ARENA(arena, BLOCKS_MAX * SWSUSP_PAGE_SIZE);

	if (size < 3 || (data[0] & 3) > 2)
		return 0;
	codec = (enum img_codec)(data[0] & 3);
	pages = (uint64_t)data[1] + 1;
	batch = (size_t)data[2] % 40 + 1;
	n = (size - 3 + SWSUSP_PAGE_SIZE - 1) / SWSUSP_PAGE_SIZE;
	if (n > BLOCKS_MAX)
		return 0;
	blocks = exact_window(arena, sizeof(arena), n * SWSUSP_PAGE_SIZE);
	memcpy(blocks, data + 3, size - 3);
	memset(blocks + size - 3, 0, n * SWSUSP_PAGE_SIZE - (size - 3));
	a = run(blocks, n, codec, data[0] & 4, pages, n ? n : 1);
	b = run(blocks, n, codec, data[0] & 4, pages, 1);
	c = run(blocks, n, codec, data[0] & 4, pages, batch);
	if (a.err != b.err || a.pages != b.pages || a.hash != b.hash ||
	    a.err != c.err || a.pages != c.pages || a.hash != c.hash)
		abort();
	return 0;
}
