/* Parse the swap header page of a hibernated swap area (Linux kernel/power/swap.c,
 * struct swsusp_header and mark_swapfiles()), and undo the hibernation signature. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/le.h"
#include "image/swsusp_format.h"
#include "image/swsusp_header.h"

static bool is_swap_sig(const uint8_t *sig)
{
	return !memcmp(sig, SWSUSP_SWAP_SIG_V2, SWSUSP_SIG_LEN) ||
	       !memcmp(sig, SWSUSP_SWAP_SIG_V1, SWSUSP_SIG_LEN);
}

/* Linux compares all 10 bytes, the terminating NUL included (swsusp_check()). */
static bool is_hibernate_sig(const uint8_t *sig)
{
	return !memcmp(sig, SWSUSP_HIBERNATE_SIG, SWSUSP_SIG_LEN);
}

/* hibernate(): nocompress sets SF_NOCOMPRESS_MODE, anything else SF_CRC32_MODE, so a
 * raw image never carries a CRC and LZ4 never goes with nocompress. */
static enum img_err check_flags(uint32_t flags)
{
	if (flags & ~SF_KNOWN_MASK)
		return IMG_EFLAGS;
	if ((flags & SF_NOCOMPRESS_MODE) && (flags & (SF_CRC32_MODE | SF_COMPRESSION_ALG_LZ4)))
		return IMG_EFLAGS;
	return IMG_OK;
}

enum img_err img_header_parse(const void *page, size_t len, struct img_header *h)
{
	const uint8_t *p = page;
	const uint8_t *sig = p + offsetof(struct swsusp_header, sig);
	const uint8_t *orig = p + offsetof(struct swsusp_header, orig_sig);
	enum img_err err;

	memset(h, 0, sizeof(*h));
	if (len < SWSUSP_PAGE_SIZE)
		return IMG_EARG;
	if (is_swap_sig(sig))
		return IMG_ENOIMAGE;
	if (!is_hibernate_sig(sig))
		return IMG_ENOSIG;
	memcpy(h->orig_sig, orig, SWSUSP_SIG_LEN);
	if (!is_swap_sig(orig))
		return IMG_EORIGSIG;
	h->flags = get_le32(p + offsetof(struct swsusp_header, flags));
	h->image = get_le64(p + offsetof(struct swsusp_header, image));
	h->crc32 = get_le32(p + offsetof(struct swsusp_header, crc32));
	h->hw_sig = get_le32(p + offsetof(struct swsusp_header, hw_sig));
	h->has_crc = h->flags & SF_CRC32_MODE;
	h->has_hw_sig = h->flags & SF_HW_SIG;
	h->platform = h->flags & SF_PLATFORM_MODE;
	if (h->flags & SF_NOCOMPRESS_MODE)
		h->codec = IMG_CODEC_RAW;
	else if (h->flags & SF_COMPRESSION_ALG_LZ4)
		h->codec = IMG_CODEC_LZ4;
	else
		h->codec = IMG_CODEC_LZO;
	err = check_flags(h->flags);
	return err;
}

enum img_err img_header_discard(void *page, size_t len)
{
	uint8_t *p = page;
	uint8_t *sig = p + offsetof(struct swsusp_header, sig);
	const uint8_t *orig = p + offsetof(struct swsusp_header, orig_sig);

	if (len < SWSUSP_PAGE_SIZE)
		return IMG_EARG;
	if (!is_hibernate_sig(sig))
		return is_swap_sig(sig) ? IMG_ENOIMAGE : IMG_ENOSIG;
	if (!is_swap_sig(orig))
		return IMG_EORIGSIG;
	memcpy(sig, orig, SWSUSP_SIG_LEN);
	return IMG_OK;
}

const char *img_codec_name(enum img_codec c)
{
	switch (c) {
	case IMG_CODEC_RAW:
		return "none";
	case IMG_CODEC_LZO:
		return "lzo";
	case IMG_CODEC_LZ4:
		return "lz4";
	}
	return "?";
}
