/* Swap header recognition; offsets from util-linux include/swapheader.h (bootbits[1024],
 * then version, last_page, nr_badpages, uuid, volume_name) and the 10-byte magic at
 * PAGE_SIZE - 10 (Linux mm/swapfile.c, kernel/power/swap.c HIBERNATE_SIG). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/swaparea.h"
#include "lib/le.h"

static enum swap_kind magic_kind(const uint8_t *m)
{
	if (memcmp(m, "SWAPSPACE2", SWAP_MAGIC_LEN) == 0)
		return SWAP_V1;
	if (memcmp(m, "SWAP-SPACE", SWAP_MAGIC_LEN) == 0)
		return SWAP_V0;
	/* Linux compares all 10 bytes, the NUL included (swsusp_check()). */
	if (memcmp(m, "S1SUSPEND\0", SWAP_MAGIC_LEN) == 0)
		return SWAP_HIBERNATED;
	return SWAP_NONE;
}

void swap_probe(const uint8_t *page, size_t len, struct swap_info *out)
{
	static const uint8_t zero[16];

	memset(out, 0, sizeof(*out));
	if (len < SWAP_PAGE)
		return;
	out->kind = magic_kind(page + SWAP_MAGIC_OFF);
	if (out->kind == SWAP_NONE || out->kind == SWAP_V0)
		return;        /* v0 has no uuid or label, only a bitmap */
	out->version = get_le32(page + SWAP_VERSION_OFF);
	out->last_page = get_le32(page + SWAP_LASTPG_OFF);
	memcpy(out->uuid, page + SWAP_UUID_OFF, 16);
	out->has_uuid = memcmp(out->uuid, zero, 16) != 0;
	memcpy(out->label, page + SWAP_LABEL_OFF, SWAP_LABEL_LEN);
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
