/* Recognise a Linux swap area from its first page: the mkswap header and the
 * hibernation signature Linux kernel/power/swap.c writes over its magic (both laid
 * out in image/swsusp_format.h). */
#ifndef THAW_SWAPAREA_H
#define THAW_SWAPAREA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "image/swsusp_format.h"

#define SWAP_PAGE SWSUSP_PAGE_SIZE      /* x86_64 PAGE_SIZE: the magic sits at its end */

enum swap_kind {
	SWAP_NONE = 0,            /* no swap signature */
	SWAP_V1,                  /* "SWAPSPACE2": an ordinary swap area */
	SWAP_V0,                  /* "SWAP-SPACE": the pre-2.2 format */
	SWAP_HIBERNATED,          /* "S1SUSPEND\0": holds a hibernation image */
};

struct swap_info {
	enum swap_kind kind;
	uint32_t version;         /* header version (1), from the mkswap part */
	uint32_t last_page;
	bool has_uuid;            /* uuid not all zero */
	uint8_t uuid[SWAP_UUID_LEN]; /* byte order as stored; printed in that order */
	char label[SWAP_LABEL_LEN + 1];
};

/* Inspect the first page of an area (len ≥ SWAP_PAGE for a positive answer). Never
 * fails: an unknown page gives SWAP_NONE. */
void swap_probe(const uint8_t *page, size_t len, struct swap_info *out);

const char *swap_kind_name(enum swap_kind k);

#endif
