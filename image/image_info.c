/* Parse the image header page: struct swsusp_info (kernel/power/power.h) and the x86_64
 * restore record at its start (arch/x86/power/hibernate.c and its 2007-2020 ancestors). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/le.h"
#include "image/image_info.h"
#include "image/swsusp_format.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Newest magic first: a V2/V1 record has its magic at 24; the 2008-2016 record at 16;
 * the 2007 seed record has no magic, only control = jump_address ^ RESTORE_MAGIC_V0. */
static enum img_err parse_record(const uint8_t *p, struct img_info *info)
{
	uint64_t magic = get_le64(p + offsetof(struct restore_record_v2, magic));

	info->jump_address = get_le64(p);
	if (magic == RESTORE_MAGIC_V2 || magic == RESTORE_MAGIC_V1) {
		info->jump_address_phys = get_le64(p + offsetof(struct restore_record_v2, jump_address_phys));
		info->cr3 = get_le64(p + offsetof(struct restore_record_v2, cr3));
		if (magic == RESTORE_MAGIC_V2) {
			info->protocol = IMG_PROTO_V2;
			info->e820_crc32 = get_le32(p + offsetof(struct restore_record_v2, e820_checksum));
			return IMG_OK;
		}
		memcpy(info->e820_md5, p + offsetof(struct restore_record_v1, e820_digest), 16);
		info->protocol = all_zero(info->e820_md5, 16) ? IMG_PROTO_V1 : IMG_PROTO_V1_MD5;
		return IMG_OK;
	}
	if (get_le64(p + offsetof(struct restore_record_seed, control)) ==
	    (info->jump_address ^ RESTORE_MAGIC_V0)) {
		info->protocol = IMG_PROTO_SEED;
		return IMG_OK;
	}
	if (get_le64(p + offsetof(struct restore_record_v0_cr3, magic)) == RESTORE_MAGIC_V0) {
		info->protocol = IMG_PROTO_V0_CR3;
		info->cr3 = get_le64(p + offsetof(struct restore_record_v0_cr3, cr3));
		return IMG_OK;
	}
	return IMG_ERECORD;
}

/* init_header(): pages = image_pages + nr_meta + 1, size = pages << PAGE_SHIFT, and
 * nr_meta = ceil(listed * 8 / 4096) with listed >= image_pages (snapshot.c). */
static enum img_err check_counts(struct img_info *info)
{
	if (info->pages > SWSUSP_PFN_MAX || info->image_pages >= info->pages)
		return IMG_EINFO;
	if (info->size != info->pages << SWSUSP_PAGE_SHIFT)
		return IMG_EINFO;
	info->nr_meta = info->pages - info->image_pages - 1;
	if (info->nr_meta * SWSUSP_PFNS_PER_PAGE < info->image_pages)
		return IMG_EINFO;
	if (info->image_pages && !info->nr_meta)
		return IMG_EINFO;
	return IMG_OK;
}

enum img_err img_info_parse(const void *page, size_t len, struct img_info *info)
{
	const uint8_t *p = page;
	enum img_err err;

	memset(info, 0, sizeof(*info));
	if (len < SWSUSP_PAGE_SIZE)
		return IMG_EARG;
	info->version_code = get_le32(p + offsetof(struct swsusp_info, version_code));
	info->num_physpages = get_le64(p + offsetof(struct swsusp_info, num_physpages));
	info->image_pages = get_le64(p + offsetof(struct swsusp_info, image_pages));
	info->pages = get_le64(p + offsetof(struct swsusp_info, pages));
	info->size = get_le64(p + offsetof(struct swsusp_info, size));
	err = parse_record(p, info);
	if (err)
		return err;
	return check_counts(info);
}

uint64_t img_info_stream_pages(const struct img_info *info)
{
	return info->pages ? info->pages - 1 : 0;
}

const char *img_protocol_name(enum img_protocol p)
{
	switch (p) {
	case IMG_PROTO_V2:
		return "v2 (0x23456789abcdef02, e820 crc32)";
	case IMG_PROTO_V1_MD5:
		return "v1md5 (0x23456789abcdef01, e820 md5)";
	case IMG_PROTO_V1:
		return "v1 (0x23456789abcdef01, no e820 digest)";
	case IMG_PROTO_V0_CR3:
		return "v0 (0x0123456789abcdef, jump+cr3)";
	case IMG_PROTO_SEED:
		return "seed (2007, jump ^ 0x0123456789abcdef)";
	}
	return "?";
}
