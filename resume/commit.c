/* Signature reset: re-read the swap header, check it is still the image thaw loaded,
 * copy orig_sig over sig, write, flush, read back (Linux kernel/power/swap.c
 * swsusp_check() writes the same page with REQ_SYNC before loading anything; thaw
 * does it after loading and verifying, so a refused or interrupted restore leaves
 * the image resumable). */
#include "resume/commit.h"

#include <string.h>

#include "image/swsusp_format.h"

#define SECTORS_PER_PAGE SWSUSP_PAGE_SECTORS

const char *commit_strerror(enum commit_err e)
{
	switch (e) {
	case COMMIT_OK:       return "ok";
	case COMMIT_EREAD:    return "could not read the swap header before resetting it";
	case COMMIT_ECHANGED: return "the swap header changed while loading";
	case COMMIT_EWRITE:   return "writing the swap header failed";
	case COMMIT_EFLUSH:   return "flushing the disk failed";
	case COMMIT_EVERIFY:  return "the swap header still says S1SUSPEND after the write";
	case COMMIT_EREADBACK: return "the swap header was reset and flushed, but reading it "
				      "back failed";
	}
	return "unknown commit error";
}

enum commit_err commit_invalidate(struct blockdev *d, uint64_t offset,
				  const struct img_header *loaded, uint8_t *page)
{
	uint64_t sector = offset * SECTORS_PER_PAGE;
	struct img_header now;

	if (blockdev_read(d, sector, SECTORS_PER_PAGE, page) != BLK_OK)
		return COMMIT_EREAD;
	if (img_header_parse(page, 4096, &now) != IMG_OK || now.image != loaded->image ||
	    now.flags != loaded->flags)
		return COMMIT_ECHANGED;
	if (img_header_discard(page, 4096) != IMG_OK)
		return COMMIT_ECHANGED;
	if (blockdev_write(d, sector, SECTORS_PER_PAGE, page) != BLK_OK)
		return COMMIT_EWRITE;
	if (blockdev_flush(d) != BLK_OK)
		return COMMIT_EFLUSH;
	memset(page, 0, 4096);
	if (blockdev_read(d, sector, SECTORS_PER_PAGE, page) != BLK_OK)
		return COMMIT_EREADBACK;
	if (img_header_parse(page, 4096, &now) != IMG_ENOIMAGE)
		return COMMIT_EVERIFY;
	return COMMIT_OK;
}
