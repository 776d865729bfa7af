/* Pull driver over a block-reader callback: swap header, image header page, map chain,
 * then the stream in batches of consecutive blocks, pushed into stream + loader. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "image/image_read.h"
#include "image/stream.h"
#include "image/swsusp_format.h"

static enum img_err read_block(const struct img_source *src, uint64_t block, uint8_t *page,
			       struct img_fault *f)
{
	enum img_err err = IMG_OK;

	if (block >= src->blocks)
		err = IMG_EBLOCK;
	else if (src->read(src->ctx, block, 1, page) != IMG_OK)
		err = IMG_EIO;
	if (err) {
		img_fail(f, err);
		img_at_block(f, block);
	}
	return err;
}

static enum img_err fail_at(struct img_fault *f, enum img_err err, uint64_t block)
{
	img_fail(f, err);
	img_at_block(f, block);
	return err;
}

enum img_err img_open(const struct img_source *src, uint64_t offset, uint8_t *page,
		      struct img_desc *d, struct img_fault *f)
{
	enum img_err err;

	memset(d, 0, sizeof(*d));
	d->offset = offset;
	if ((err = read_block(src, offset, page, f)))
		return err;
	if ((err = img_header_parse(page, SWSUSP_PAGE_SIZE, &d->hdr)))
		return fail_at(f, err, offset);
	if (!d->hdr.image || d->hdr.image >= src->blocks || d->hdr.image == offset)
		return fail_at(f, IMG_EBLOCK, d->hdr.image);
	if ((err = read_block(src, d->hdr.image, page, f)))
		return err;
	if ((err = img_map_first_entry(page, SWSUSP_PAGE_SIZE, &d->info_block)))
		return fail_at(f, err, d->hdr.image);
	if (d->info_block >= src->blocks || d->info_block == offset)
		return fail_at(f, IMG_EBLOCK, d->info_block);
	if ((err = read_block(src, d->info_block, page, f)))
		return err;
	if ((err = img_info_parse(page, SWSUSP_PAGE_SIZE, &d->info)))
		return fail_at(f, err, d->info_block);
	/* The stream needs a block per raw page, or one per 32 compressed pages at least:
	 * an image larger than its device is inconsistent. Each entry names a distinct
	 * block of the device, which also bounds the arrays the caller allocates. */
	if (img_map_min_entries(&d->info, d->hdr.codec) > src->blocks)
		return fail_at(f, IMG_ETOO_BIG, d->info_block);
	d->max_entries = img_map_max_entries(&d->info, d->hdr.codec);
	if (d->max_entries > src->blocks)
		d->max_entries = src->blocks;
	d->max_maps = img_map_max_maps(d->max_entries);
	return IMG_OK;
}

enum img_err img_read_map(const struct img_source *src, const struct img_desc *d,
			  struct img_map *m, uint64_t *entries, uint64_t *maps,
			  uint8_t *page, struct img_fault *f)
{
	enum img_err err;

	err = img_map_init(m, src->blocks, d->offset, d->hdr.image, entries, d->max_entries,
			   maps, d->max_maps, f);
	while (!err && m->next) {
		err = read_block(src, m->next, page, f);
		if (!err)
			err = img_map_feed(m, page, SWSUSP_PAGE_SIZE, f);
	}
	if (!err)
		err = img_map_finish(m, &d->info, d->hdr.codec, f);
	return err;
}

/* Longest run of consecutive blocks starting at entry i, at most max. */
static uint32_t run_length(const struct img_map *m, size_t i, uint32_t max)
{
	uint32_t n = 1;

	while (n < max && i + n < m->n_entries && m->entries[i + n] == m->entries[i] + n)
		n++;
	return n;
}

static enum img_err pump(const struct img_source *src, const struct img_map *m,
			 const struct img_workspace *ws, struct img_stream *st,
			 struct img_fault *f)
{
	enum img_err err;

	for (size_t i = 1; i < m->n_entries;) {
		uint32_t n = run_length(m, i, ws->io_blocks);

		if (src->read(src->ctx, m->entries[i], n, ws->io) != IMG_OK)
			return fail_at(f, IMG_EIO, m->entries[i]);
		err = img_stream_push(st, ws->io, n, f);
		if (err) {
			if (f && (f->at & IMG_AT_ENTRY) && f->entry < m->n_entries)
				img_at_block(f, m->entries[f->entry]);
			return err;
		}
		i += n;
	}
	return IMG_OK;
}

enum img_err img_read_stream(const struct img_source *src, const struct img_desc *d,
			     const struct img_map *m, const struct img_workspace *ws,
			     const struct img_loader_ops *ops, void *arg,
			     uint32_t *crc_out, struct img_fault *f)
{
	struct img_loader ld;
	struct img_stream st;
	struct img_stream_cfg cfg = {
		.codec = d->hdr.codec,
		.crc = d->hdr.has_crc,
		.pages = img_info_stream_pages(&d->info),
		.cmp_buf = ws->cmp,
		.unc_buf = ws->unc,
		.sink = img_loader_page,
		.arg = &ld,
	};
	enum img_err err;

	if (!ws->io || !ws->io_blocks || (d->info.nr_meta && !ws->meta))
		return img_fail(f, IMG_EARG);
	img_loader_init(&ld, &d->info, ws->meta, ops, arg);
	if ((err = img_stream_init(&st, &cfg)))
		return img_fail(f, err);
	err = pump(src, m, ws, &st, f);
	if (crc_out)
		*crc_out = st.crc;
	if (err)
		return err;
	if ((err = img_stream_finish(&st, d->hdr.crc32, f)))
		return err;
	return img_loader_finish(&ld, f);
}
