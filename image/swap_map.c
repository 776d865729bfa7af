/* Walk the swap-map chain (Linux kernel/power/swap.c, struct swap_map_page and
 * get_swap_reader()): collect stream block numbers, reject bad blocks and loops. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/le.h"
#include "image/swap_map.h"
#include "image/swsusp_format.h"

enum img_err img_map_first_entry(const void *map_page, size_t len, uint64_t *block)
{
	if (len < SWSUSP_PAGE_SIZE)
		return IMG_EARG;
	*block = get_le64(map_page);
	return *block ? IMG_OK : IMG_EMAP_EMPTY;
}

/* Compressed: each block of up to 32 pages takes 1..35 stream pages. */
uint64_t img_map_max_entries(const struct img_info *info, enum img_codec codec)
{
	uint64_t n = img_info_stream_pages(info);

	if (codec == IMG_CODEC_RAW)
		return n + 1;
	return 1 + (n + SWSUSP_UNC_PAGES - 1) / SWSUSP_UNC_PAGES * SWSUSP_CMP_PAGES;
}

uint64_t img_map_min_entries(const struct img_info *info, enum img_codec codec)
{
	uint64_t n = img_info_stream_pages(info);

	if (codec == IMG_CODEC_RAW)
		return n + 1;
	return 1 + (n + SWSUSP_UNC_PAGES - 1) / SWSUSP_UNC_PAGES;
}

/* A chain whose data ends exactly on a full page still has one trailing empty page. */
uint64_t img_map_max_maps(uint64_t max_entries)
{
	return max_entries / SWSUSP_MAP_ENTRIES + 1;
}

static bool block_ok(const struct img_map *m, uint64_t b)
{
	return b && b < m->dev_blocks && b != m->header_block;
}

static enum img_err bad_block(struct img_fault *f, uint64_t b)
{
	img_fail(f, IMG_EBLOCK);
	img_at_block(f, b);
	return IMG_EBLOCK;
}

enum img_err img_map_init(struct img_map *m, uint64_t dev_blocks, uint64_t header_block,
			  uint64_t first_map, uint64_t *entries, size_t entries_cap,
			  uint64_t *maps, size_t maps_cap, struct img_fault *f)
{
	memset(m, 0, sizeof(*m));
	m->dev_blocks = dev_blocks;
	m->header_block = header_block;
	m->entries = entries;
	m->entries_cap = entries_cap;
	m->maps = maps;
	m->maps_cap = maps_cap;
	if (!entries || !maps || !entries_cap || !maps_cap)
		return img_fail(f, IMG_EARG);
	if (!block_ok(m, first_map))
		return bad_block(f, first_map);
	m->next = first_map;
	return IMG_OK;
}

/* Each map block must be new: the chain is short (one page per 511 entries), so a
 * linear search over the blocks already visited is cheap and needs no extra memory. */
static enum img_err visit_map(struct img_map *m, uint64_t block, struct img_fault *f)
{
	for (size_t i = 0; i < m->n_maps; i++) {
		if (m->maps[i] == block) {
			img_fail(f, IMG_EMAP_LOOP);
			img_at_block(f, block);
			return IMG_EMAP_LOOP;
		}
	}
	if (m->n_maps >= m->maps_cap) {
		img_fail(f, IMG_EMAP_LONG);
		img_at_block(f, block);
		return IMG_EMAP_LONG;
	}
	m->maps[m->n_maps++] = block;
	return IMG_OK;
}

/* Entries are used in order until the first zero (swap_read_page()); the writer clears
 * each map page before filling it, so everything after the end must be zero too. */
static enum img_err take_entries(struct img_map *m, const uint8_t *p, uint64_t block,
				 struct img_fault *f)
{
	for (unsigned int i = 0; i < SWSUSP_MAP_ENTRIES; i++) {
		uint64_t e = get_le64(p + 8 * i);

		if (!e) {
			m->ended = true;
			continue;
		}
		if (m->ended) {
			img_fail(f, IMG_EMAP_HOLE);
			img_at_block(f, block);
			img_at_entry(f, m->n_entries);
			return IMG_EMAP_HOLE;
		}
		if (m->n_entries >= m->entries_cap) {
			img_fail(f, IMG_EMAP_LONG);
			img_at_block(f, block);
			img_at_entry(f, m->n_entries);
			return IMG_EMAP_LONG;
		}
		if (!block_ok(m, e)) {
			bad_block(f, e);
			img_at_entry(f, m->n_entries);
			return IMG_EBLOCK;
		}
		m->entries[m->n_entries++] = e;
	}
	return IMG_OK;
}

enum img_err img_map_feed(struct img_map *m, const void *page, size_t len, struct img_fault *f)
{
	const uint8_t *p = page;
	uint64_t block = m->next, next;
	enum img_err err;

	if (!block || len < SWSUSP_PAGE_SIZE)
		return img_fail(f, IMG_EARG);
	err = visit_map(m, block, f);
	if (err)
		return err;
	err = take_entries(m, p, block, f);
	if (err)
		return err;
	if (!m->n_entries) {
		img_fail(f, IMG_EMAP_EMPTY);
		img_at_block(f, block);
		return IMG_EMAP_EMPTY;
	}
	next = get_le64(p + offsetof(struct swap_map_page, next_swap));
	/* The writer links a new map page only when the current one is full. */
	if (next && m->ended) {
		img_fail(f, IMG_EMAP_HOLE);
		img_at_block(f, block);
		return IMG_EMAP_HOLE;
	}
	if (next && !block_ok(m, next))
		return bad_block(f, next);
	m->next = next;
	return IMG_OK;
}

enum img_err img_map_finish(const struct img_map *m, const struct img_info *info,
			    enum img_codec codec, struct img_fault *f)
{
	uint64_t lo = img_map_min_entries(info, codec), hi = img_map_max_entries(info, codec);

	if (m->next)
		return img_fail(f, IMG_EARG);
	if (m->n_entries < lo || m->n_entries > hi) {
		img_fail(f, IMG_EMAP_COUNT);
		img_at_values(f, lo - 1, m->n_entries ? m->n_entries - 1 : 0);
		return IMG_EMAP_COUNT;
	}
	return IMG_OK;
}
