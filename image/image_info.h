/* The image header page (struct swsusp_info) and the x86_64 restore record at its
 * start: which protocol wrote it, the jump addresses, and the page counts. */
#ifndef THAW_IMAGE_INFO_H
#define THAW_IMAGE_INFO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"

enum img_protocol {
	IMG_PROTO_V2,		/* magic 0x23456789ABCDEF02, e820 CRC32 (5.13+) */
	IMG_PROTO_V1_MD5,	/* magic 0x23456789ABCDEF01 with MD5 e820 digest (~4.14-5.12) */
	IMG_PROTO_V1,		/* magic 0x23456789ABCDEF01, digest all zero (~4.8-4.13) */
	IMG_PROTO_V0_CR3,	/* {jump_address, cr3, 0x0123456789ABCDEF} (2008-2016) */
	IMG_PROTO_SEED,		/* {jump_address, jump_address ^ 0x0123456789ABCDEF} (2007) */
};

struct img_info {
	enum img_protocol protocol;
	uint64_t jump_address;
	uint64_t jump_address_phys;	/* V2/V1 only, else 0 */
	uint64_t cr3;			/* V2/V1/V0_CR3, else 0 */
	uint32_t e820_crc32;		/* V2 only */
	uint8_t e820_md5[16];		/* V1_MD5 only */
	uint32_t version_code;
	uint64_t num_physpages;
	uint64_t image_pages;		/* data pages in the stream */
	uint64_t pages;			/* image_pages + nr_meta + 1 */
	uint64_t size;
	uint64_t nr_meta;		/* PFN pages = pages - image_pages - 1 */
};

/* Checks: known record; pages > image_pages + 1 unless the image is empty;
 * size == pages * 4096; nr_meta can list image_pages PFNs (errors IMG_ERECORD, IMG_EINFO). */
enum img_err img_info_parse(const void *page, size_t len, struct img_info *info);

/* Stream pages after the header page: nr_meta + image_pages. */
uint64_t img_info_stream_pages(const struct img_info *info);

const char *img_protocol_name(enum img_protocol p);

#endif
