/* Recognise a Linux swap area from its first page: the mkswap header (util-linux
 * include/swapheader.h, struct swap_header_v1_2) and the hibernation signature
 * Linux kernel/power/swap.c writes over its magic. */
#ifndef THAW_SWAPAREA_H
#define THAW_SWAPAREA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWAP_PAGE        4096u   /* x86_64 PAGE_SIZE: the magic sits at its end */
#define SWAP_VERSION_OFF 1024    /* u32 version (1) */
#define SWAP_LASTPG_OFF  1028    /* u32 last_page */
#define SWAP_UUID_OFF    1036    /* u8 uuid[16] */
#define SWAP_LABEL_OFF   1052    /* char volume_name[16] */
#define SWAP_LABEL_LEN   16
#define SWAP_MAGIC_OFF   4086    /* 10 bytes: "SWAPSPACE2", "SWAP-SPACE" or "S1SUSPEND\0" */
#define SWAP_MAGIC_LEN   10

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
	uint8_t uuid[16];         /* byte order as stored; printed in that order */
	char label[SWAP_LABEL_LEN + 1];
};

/* Inspect the first page of an area (len ≥ SWAP_PAGE for a positive answer). Never
 * fails: an unknown page gives SWAP_NONE. */
void swap_probe(const uint8_t *page, size_t len, struct swap_info *out);

const char *swap_kind_name(enum swap_kind k);

#endif
