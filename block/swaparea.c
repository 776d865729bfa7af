/* Swap header recognition through struct mkswap_header (image/swsusp_format.h): the
 * 10-byte magic at PAGE_SIZE - 10 (Linux mm/swapfile.c, kernel/power/swap.c
 * HIBERNATE_SIG) says what the area holds; v1 headers add uuid and label. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/swaparea.h"
#include "lib/le.h"

static enum swap_kind magic_kind(const char *m)
{
	if (memcmp(m, SWSUSP_SWAP_SIG_V2, SWSUSP_SIG_LEN) == 0)
		return SWAP_V1;
	if (memcmp(m, SWSUSP_SWAP_SIG_V1, SWSUSP_SIG_LEN) == 0)
		return SWAP_V0;
	/* Linux compares all 10 bytes, the NUL included (swsusp_check()). */
	if (memcmp(m, SWSUSP_HIBERNATE_SIG, SWSUSP_SIG_LEN) == 0)
		return SWAP_HIBERNATED;
	return SWAP_NONE;
}

void swap_probe(const uint8_t *page, size_t len, struct swap_info *out)
{
	static const uint8_t zero[SWAP_UUID_LEN];
	struct mkswap_header h;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(h))
		return;
	memcpy(&h, page, sizeof(h));
	out->kind = magic_kind(h.magic);
	if (out->kind == SWAP_NONE || out->kind == SWAP_V0)
		return;        /* v0 has no uuid or label, only a bitmap */
	out->version = le32(h.version);
	out->last_page = le32(h.last_page);
	memcpy(out->uuid, h.uuid, sizeof(out->uuid));
	out->has_uuid = memcmp(out->uuid, zero, sizeof(zero)) != 0;
	memcpy(out->label, h.volume_name, SWAP_LABEL_LEN);
	out->label[SWAP_LABEL_LEN] = '\0';
}

const char *swap_kind_name(enum swap_kind k)
{
	switch (k) {
	case SWAP_NONE:       return "none";
	case SWAP_V1:         return "swap (SWAPSPACE2)";
	case SWAP_V0:         return "old swap (SWAP-SPACE)";
	case SWAP_HIBERNATED: return "hibernation image (S1SUSPEND)";
	}
	return "?";
}
