/* The "pull" driver: reads a whole image through a block-reader callback (4 KiB blocks
 * relative to the resume device) and runs header -> map chain -> stream -> loader.
 * Used by thawctl and the tests; thaw itself may drive the pure layers directly to
 * overlap its own asynchronous reads. */
#ifndef THAW_IMAGE_READ_H
#define THAW_IMAGE_READ_H
#include <stddef.h>
#include <stdint.h>
#include "image/image_info.h"
#include "image/img_err.h"
#include "image/loader.h"
#include "image/swap_map.h"
#include "image/swsusp_header.h"

struct img_source {
	/* Read count blocks starting at block into buf; IMG_OK or IMG_EIO. */
	enum img_err (*read)(void *ctx, uint64_t block, uint32_t count, void *buf);
	void *ctx;
	uint64_t blocks;	/* device size in 4 KiB blocks */
};

struct img_desc {
	uint64_t offset;	/* block of the swap header (resume_offset) */
	struct img_header hdr;
	struct img_info info;
	uint64_t info_block;	/* block of the image header page */
	uint64_t max_entries;	/* array sizes for img_read_map() */
	uint64_t max_maps;
};

/* Reads and checks the swap header at `offset`, map page 0 and the image header page;
 * IMG_ETOO_BIG if the image needs more blocks than the device has. d->max_entries is
 * capped at the device's block count. page: 4096 bytes of scratch. */
enum img_err img_open(const struct img_source *src, uint64_t offset, uint8_t *page,
		      struct img_desc *d, struct img_fault *f);

/* Walks the whole map chain into m (arrays sized by d->max_entries / d->max_maps). */
enum img_err img_read_map(const struct img_source *src, const struct img_desc *d,
			  struct img_map *m, uint64_t *entries, uint64_t *maps,
			  uint8_t *page, struct img_fault *f);

struct img_workspace {
	uint8_t *cmp;		/* IMG_STREAM_CMP_BUF */
	uint8_t *unc;		/* IMG_STREAM_UNC_BUF */
	uint8_t *io;		/* io_blocks * 4096: read buffer */
	uint32_t io_blocks;	/* >= 1; larger batches coalesce consecutive blocks */
	const uint8_t **meta;	/* d->info.nr_meta pointers for the loader */
};

/* Reads every stream block named by the map and feeds the loader ops; checks the CRC32
 * when the header has one. *crc_out (may be NULL) gets the computed CRC. Faults carry the
 * device block of the failing stream block. */
enum img_err img_read_stream(const struct img_source *src, const struct img_desc *d,
			     const struct img_map *m, const struct img_workspace *ws,
			     const struct img_loader_ops *ops, void *arg,
			     uint32_t *crc_out, struct img_fault *f);

#endif
