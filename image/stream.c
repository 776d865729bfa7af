/* Push-style decoder of the image stream (Linux kernel/power/swap.c: load_image() for
 * raw images, load_compressed_image() / load_image_lzo() for LZO and LZ4): stream
 * blocks in, uncompressed pages out, CRC32 kept over the pages as crc32_threadfn() does. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/le.h"
#include "lib/crc32.h"
#include "image/lz4.h"
#include "image/lzo1x.h"
#include "image/stream.h"

enum img_err img_stream_init(struct img_stream *s, const struct img_stream_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (!cfg->sink)
		return IMG_EARG;
	if (cfg->codec != IMG_CODEC_RAW && (!cfg->cmp_buf || !cfg->unc_buf))
		return IMG_EARG;
	return IMG_OK;
}

bool img_stream_done(const struct img_stream *s)
{
	return s->out_pages == s->cfg.pages;
}

static enum img_err at_block(struct img_stream *s, struct img_fault *f, enum img_err err,
			     uint64_t blk)
{
	if (!f || f->err != err)
		img_fail(f, err);
	img_at_entry(f, blk + 1);
	img_at_page(f, s->out_pages);
	return err;
}

/* Emit n uncompressed pages; the CRC covers them in stream order. crc: theirs,
 * computed elsewhere, or NULL to compute it here. */
static enum img_err emit(struct img_stream *s, const uint8_t *pages, uint64_t n,
			 uint64_t blk, const uint32_t *crc, struct img_fault *f)
{
	enum img_err err;

	if (n > s->cfg.pages - s->out_pages)
		return at_block(s, f, IMG_ESTREAM_LONG, blk);
	if (s->cfg.crc && crc)
		s->crc = crc32_combine(s->crc, *crc, n * SWSUSP_PAGE_SIZE);
	else if (s->cfg.crc)
		s->crc = crc32_le(s->crc, pages, n * SWSUSP_PAGE_SIZE);
	for (uint64_t i = 0; i < n; i++, pages += SWSUSP_PAGE_SIZE) {
		err = s->cfg.sink(s->cfg.arg, s->out_pages, pages, f);
		if (err)
			return at_block(s, f, err, blk);
		s->out_pages++;
	}
	return IMG_OK;
}

enum img_err img_block_decode(enum img_codec codec, const uint8_t *blk, uint8_t *unc,
			      size_t *unc_len)
{
	size_t cmp_len = (size_t)get_le64(blk);
	const uint8_t *src = blk + SWSUSP_CMP_HEADER;
	enum img_err err;

	*unc_len = 0;
	if (codec == IMG_CODEC_LZ4)
		err = lz4_decode(src, cmp_len, unc, SWSUSP_UNC_SIZE, unc_len);
	else
		err = lzo1x_decode(src, cmp_len, unc, SWSUSP_UNC_SIZE, unc_len);
	if (err)
		return err;
	if (!*unc_len || *unc_len % SWSUSP_PAGE_SIZE)
		return IMG_EUNC_LEN;
	return IMG_OK;
}

enum img_err img_stream_emit_block(struct img_stream *s, enum img_err decoded,
				   const uint8_t *unc, size_t unc_len, const uint32_t *crc,
				   uint64_t first, struct img_fault *f)
{
	if (decoded == IMG_EUNC_LEN) {
		at_block(s, f, IMG_EUNC_LEN, first);
		img_at_values(f, SWSUSP_UNC_SIZE, unc_len);
		return IMG_EUNC_LEN;
	}
	if (decoded)
		return at_block(s, f, decoded, first);
	return emit(s, unc, unc_len / SWSUSP_PAGE_SIZE, first, crc, f);
}

/* One whole compressed block: [u64 cmp_len][data], already length-checked. */
static enum img_err decode_block(struct img_stream *s, const uint8_t *blk, uint64_t first,
				 struct img_fault *f)
{
	size_t unc_len;
	enum img_err err = img_block_decode(s->cfg.codec, blk, s->cfg.unc_buf, &unc_len);

	return img_stream_emit_block(s, err, s->cfg.unc_buf, unc_len, NULL, first, f);
}

/* The first page of a block: 0 < cmp_len <= worst case, as Linux checks. */
static enum img_err block_start(struct img_stream *s, const uint8_t *p, struct img_fault *f)
{
	uint64_t cmp_len = get_le64(p);

	if (!cmp_len || cmp_len > SWSUSP_CMP_WORST) {
		at_block(s, f, IMG_ECMP_LEN, s->in_blocks);
		img_at_values(f, SWSUSP_CMP_WORST, cmp_len);
		return IMG_ECMP_LEN;
	}
	s->blk_first = s->in_blocks;
	s->cmp_need = (SWSUSP_CMP_HEADER + cmp_len + SWSUSP_PAGE_SIZE - 1) /
		      SWSUSP_PAGE_SIZE * SWSUSP_PAGE_SIZE;
	s->cmp_have = 0;
	return IMG_OK;
}

/* Framing of compressed codecs: *blk is the next whole block, in place when it lies
 * within these nblocks, else gathered in `gather` across calls (NULL until complete).
 * Blocks consumed in *used. */
static enum img_err frame_cmp(struct img_stream *s, const uint8_t *p, size_t nblocks,
			      uint8_t *gather, size_t *used, const uint8_t **blk,
			      struct img_fault *f)
{
	size_t take;
	enum img_err err;

	*blk = NULL;
	if (!s->cmp_need) {
		err = block_start(s, p, f);
		if (err)
			return err;
		if (s->cmp_need <= nblocks * SWSUSP_PAGE_SIZE) {
			*used = s->cmp_need / SWSUSP_PAGE_SIZE;
			s->in_blocks += *used;
			s->cmp_need = 0;
			*blk = p;
			return IMG_OK;
		}
	}
	take = (s->cmp_need - s->cmp_have) / SWSUSP_PAGE_SIZE;
	if (take > nblocks)
		take = nblocks;
	memcpy(gather + s->cmp_have, p, take * SWSUSP_PAGE_SIZE);
	s->cmp_have += take * SWSUSP_PAGE_SIZE;
	s->in_blocks += take;
	*used = take;
	if (s->cmp_have < s->cmp_need)
		return IMG_OK;
	s->cmp_need = 0;
	*blk = gather;
	return IMG_OK;
}

enum img_err img_stream_frame(struct img_stream *s, const void *blocks, size_t nblocks,
			      uint8_t *gather, size_t *used, const uint8_t **blk,
			      uint64_t *first, struct img_fault *f)
{
	enum img_err err;

	*blk = NULL;
	*used = 0;
	if (!nblocks)
		return IMG_OK;
	if (img_stream_done(s))
		return at_block(s, f, IMG_ESTREAM_LONG, s->in_blocks);
	err = frame_cmp(s, blocks, nblocks, gather, used, blk, f);
	*first = s->blk_first;
	return err;
}

/* Compressed codecs: decode in place when the whole block is in this batch, else
 * gather its pages in cmp_buf across pushes. Returns blocks consumed in *used. */
static enum img_err push_cmp(struct img_stream *s, const uint8_t *p, size_t nblocks,
			     size_t *used, struct img_fault *f)
{
	const uint8_t *blk;
	enum img_err err = frame_cmp(s, p, nblocks, s->cfg.cmp_buf, used, &blk, f);

	if (err || !blk)
		return err;
	return decode_block(s, blk, s->blk_first, f);
}

enum img_err img_stream_push(struct img_stream *s, const void *blocks, size_t nblocks,
			     struct img_fault *f)
{
	const uint8_t *p = blocks;
	enum img_err err;
	size_t used;

	while (nblocks) {
		if (img_stream_done(s))
			return at_block(s, f, IMG_ESTREAM_LONG, s->in_blocks);
		if (s->cfg.codec == IMG_CODEC_RAW) {
			err = emit(s, p, 1, s->in_blocks, NULL, f);
			used = 1;
			s->in_blocks++;
		} else {
			err = push_cmp(s, p, nblocks, &used, f);
		}
		if (err)
			return err;
		p += used * SWSUSP_PAGE_SIZE;
		nblocks -= used;
	}
	return IMG_OK;
}

enum img_err img_stream_finish(const struct img_stream *s, uint32_t expected_crc,
			       struct img_fault *f)
{
	if (s->cmp_need || !img_stream_done(s)) {
		img_fail(f, IMG_ESTREAM_SHORT);
		img_at_values(f, s->cfg.pages, s->out_pages);
		img_at_entry(f, s->in_blocks + 1);
		return IMG_ESTREAM_SHORT;
	}
	if (s->cfg.crc && s->crc != expected_crc) {
		img_fail(f, IMG_ECRC);
		img_at_values(f, expected_crc, s->crc);
		return IMG_ECRC;
	}
	return IMG_OK;
}
