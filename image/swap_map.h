/* The swap-map chain: header.image -> map page -> next_swap -> ... Collects the stream
 * block numbers into caller memory and checks every block, loops and entry counts.
 *
 * Use: read map page 0, img_map_first_entry() gives the image header page's block;
 * parse it (image_info.h); size the arrays with img_map_max_entries()/_max_maps();
 * img_map_init(); then while (m.next) { read block m.next; img_map_feed(); };
 * img_map_finish(). Pure: the caller does the reading. */
#ifndef THAW_SWAP_MAP_H
#define THAW_SWAP_MAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"
#include "image/image_info.h"
#include "image/swsusp_header.h"

struct img_map {
	uint64_t dev_blocks;	/* blocks on the resume device; a block must be below this */
	uint64_t header_block;	/* the swap header's block (resume offset); never data */
	uint64_t *entries;	/* out: stream blocks; entries[0] = image header page */
	size_t entries_cap;
	uint64_t *maps;		/* out: map page blocks in chain order */
	size_t maps_cap;
	size_t n_entries;
	size_t n_maps;
	uint64_t next;		/* next map block to feed; 0 = chain complete */
	bool ended;		/* an end-of-data (zero) entry was seen */
};

/* Block of the image header page (entry 0) in map page 0; IMG_EMAP_EMPTY if zero. */
enum img_err img_map_first_entry(const void *map_page, size_t len, uint64_t *block);

/* Upper bounds for the arrays: raw images have exactly info->pages entries; compressed
 * ones at most 1 + 35 * ceil((pages - 1) / 32). */
uint64_t img_map_max_entries(const struct img_info *info, enum img_codec codec);
/* Lower bound: raw pages, or 1 + one block per 32 pages when compressed. */
uint64_t img_map_min_entries(const struct img_info *info, enum img_codec codec);
uint64_t img_map_max_maps(uint64_t max_entries);

/* IMG_EBLOCK if first_map is 0, the header block or outside the device. */
enum img_err img_map_init(struct img_map *m, uint64_t dev_blocks, uint64_t header_block,
			  uint64_t first_map, uint64_t *entries, size_t entries_cap,
			  uint64_t *maps, size_t maps_cap, struct img_fault *f);

/* Feed the map page read from block m->next. Errors: IMG_EBLOCK, IMG_EMAP_LOOP,
 * IMG_EMAP_LONG, IMG_EMAP_HOLE, IMG_EMAP_EMPTY (first page without entry 0). */
enum img_err img_map_feed(struct img_map *m, const void *page, size_t len, struct img_fault *f);

/* After the chain ended: raw entries == pages; compressed entries within the
 * framing's bounds for pages - 1 uncompressed pages (IMG_EMAP_COUNT). */
enum img_err img_map_finish(const struct img_map *m, const struct img_info *info,
			    enum img_codec codec, struct img_fault *f);

#endif
