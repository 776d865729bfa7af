/* The swap header page of a hibernated swap area: parse and check it, and put the
 * original swap signature back (what Linux's swsusp_check()/noresume does). */
#ifndef THAW_SWSUSP_HEADER_H
#define THAW_SWSUSP_HEADER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"

enum img_codec { IMG_CODEC_RAW, IMG_CODEC_LZO, IMG_CODEC_LZ4 };

struct img_header {
	uint64_t image;		/* block of the first swap-map page */
	uint32_t flags;		/* SF_* */
	uint32_t crc32;		/* meaningful iff has_crc */
	uint32_t hw_sig;	/* meaningful iff has_hw_sig */
	bool has_crc;
	bool has_hw_sig;
	bool platform;
	enum img_codec codec;
	char orig_sig[11];	/* NUL-terminated copy */
};

/* page: one 4096-byte block. IMG_ENOIMAGE for a plain swap area (not an error for a
 * caller that scans), IMG_ENOSIG, IMG_EORIGSIG, IMG_EFLAGS otherwise. */
enum img_err img_header_parse(const void *page, size_t len, struct img_header *h);

/* Copy orig_sig over sig in the page (the caller writes the page back and flushes).
 * IMG_ENOIMAGE if the page holds no hibernation signature; IMG_EORIGSIG if orig_sig
 * is not a swap signature (then nothing is changed). */
enum img_err img_header_discard(void *page, size_t len);

const char *img_codec_name(enum img_codec c);

#endif
