/* The one disk write of a resume: put the original swap signature back over
 * "S1SUSPEND" (what Linux's swsusp_check() does), flush, and read it back. */
#ifndef THAW_RESUME_COMMIT_H
#define THAW_RESUME_COMMIT_H
#include <stdint.h>

#include "block/blockdev.h"
#include "image/swsusp_header.h"

enum commit_err {
	COMMIT_OK = 0,
	COMMIT_EREAD,           /* the header could not be read: nothing was written */
	COMMIT_ECHANGED,        /* the header no longer describes the image loaded */
	COMMIT_EWRITE,          /* the write failed: the image may still be marked */
	COMMIT_EFLUSH,          /* the flush failed: the write may not be durable */
	COMMIT_EVERIFY,         /* read back, the signature is still S1SUSPEND */
	COMMIT_EREADBACK,       /* written and flushed, but the read-back failed */
};

const char *commit_strerror(enum commit_err e);

/* Invalidate the image whose swap header is at 4 KiB block `offset` of d, provided
 * it still matches `loaded`. page: 4096 bytes of scratch (DMA-able).
 * Only COMMIT_EREAD and COMMIT_ECHANGED mean nothing was written. After
 * COMMIT_EREADBACK the device accepted the write and the flush, so the image is
 * no longer marked resumable as far as thaw can know. */
enum commit_err commit_invalidate(struct blockdev *d, uint64_t offset,
				  const struct img_header *loaded, uint8_t *page);

#endif
