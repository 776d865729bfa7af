/* Fuzz target: the swap header, image header page, map chain and loader (resume/
 * swsusp_header.c, image_info.c, swap_map.c, pfnlist.c, loader.c, image_read.c) over a
 * whole device image: the input is the device, zero-padded to whole 4 KiB blocks.
 * Oracle: no out-of-bounds access or UB; on a successful map walk every entry is a
 * non-zero block inside the device other than the header, the count fits the header's
 * bounds; on a successful load the loader delivered image_pages data pages to strictly
 * ascending PFNs (zero-flagged ones included) and nothing else. The device is a static
 * buffer only the harness's dev_read touches (it aborts on any request outside the
 * device), not a per-input allocation: up to 256 KiB, that was mmap'd under ASan. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "image/image_read.h"
#include "image/stream.h"
#include "image/swsusp_format.h"

#define DEV_BLOCKS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dev {
	uint8_t *buf;
	uint64_t blocks;
};

struct seen {
	uint8_t meta[8][SWSUSP_PAGE_SIZE];
	uint64_t last_pfn, data, zero;
	bool any;
};

static enum img_err dev_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct dev *d = ctx;

	if (block >= d->blocks || count > d->blocks - block)
		abort();	/* the reader must never ask outside the device */
	memcpy(buf, d->buf + block * SWSUSP_PAGE_SIZE, (size_t)count * SWSUSP_PAGE_SIZE);
	return IMG_OK;
}

static const uint8_t *keep(void *arg, uint64_t i, const uint8_t *page)
{
	struct seen *s = arg;

	if (i >= 8)
		return NULL;
	memcpy(s->meta[i], page, SWSUSP_PAGE_SIZE);
	return s->meta[i];
}

static void next_pfn(struct seen *s, uint64_t pfn)
{
	if ((s->any && pfn <= s->last_pfn) || pfn >= SWSUSP_PFN_MAX)
		abort();
	s->any = true;
	s->last_pfn = pfn;
}

static enum img_err data_page(void *arg, uint64_t pfn, const uint8_t *page)
{
	struct seen *s = arg;

	(void)page;
	next_pfn(s, pfn);
	s->data++;
	return IMG_OK;
}

static enum img_err zero_page(void *arg, uint64_t pfn)
{
	struct seen *s = arg;

	next_pfn(s, pfn);
	s->zero++;
	return IMG_OK;
}

static const struct img_loader_ops ops = { keep, NULL, data_page, zero_page };

static void check_map(const struct img_map *m, const struct img_desc *d, uint64_t blocks)
{
	if (m->n_entries > d->max_entries || m->n_maps > d->max_maps)
		abort();
	for (size_t i = 0; i < m->n_entries; i++)
		if (!m->entries[i] || m->entries[i] >= blocks || m->entries[i] == d->offset)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t cmp[IMG_STREAM_CMP_BUF], unc[IMG_STREAM_UNC_BUF], io[4 * SWSUSP_PAGE_SIZE];
	static struct seen s;
	static uint8_t disk[DEV_BLOCKS_MAX * SWSUSP_PAGE_SIZE];
	uint8_t page[SWSUSP_PAGE_SIZE];
	const uint8_t *meta[8];
	struct dev dev;
	struct img_source src = { dev_read, &dev, 0 };
	struct img_workspace ws = { cmp, unc, io, 4, meta };
	struct img_desc d;
	struct img_map m;
	struct img_fault f;
	uint64_t *entries, *maps;

	dev.blocks = (size + SWSUSP_PAGE_SIZE - 1) / SWSUSP_PAGE_SIZE;
	if (!dev.blocks || dev.blocks > DEV_BLOCKS_MAX)
		return 0;
	dev.buf = disk;
	memcpy(dev.buf, data, size);
	memset(dev.buf + size, 0, dev.blocks * SWSUSP_PAGE_SIZE - size);
	src.blocks = dev.blocks;
	if (img_open(&src, 0, page, &d, &f) || d.max_entries > 100000 || d.info.nr_meta > 8)
		return 0;
	entries = calloc(d.max_entries, 8);
	maps = calloc(d.max_maps, 8);
	if (!img_read_map(&src, &d, &m, entries, maps, page, &f)) {
		check_map(&m, &d, dev.blocks);
		memset(&s, 0, sizeof(s));
		if (!img_read_stream(&src, &d, &m, &ws, &ops, &s, NULL, &f) &&
		    s.data != d.info.image_pages)
			abort();
	}
	free(entries);
	free(maps);
	return 0;
}
