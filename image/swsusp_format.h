/* On-disk layout of a Linux x86_64 hibernation image on swap (Linux 6.1 … 7.2):
 * the swap header page, swap-map pages, the image header page and its x86 restore
 * record, the compressed block framing and the PFN list encoding. Layout only. */
#ifndef THAW_SWSUSP_FORMAT_H
#define THAW_SWSUSP_FORMAT_H
#include <stddef.h>
#include <stdint.h>

/* Every block number on disk is a 4096-byte block index relative to the start of the
 * resume device; 0 means "none" (slot 0 is the swap header). Linux kernel/power/swap.c. */
#define SWSUSP_PAGE_SIZE	4096u
#define SWSUSP_PAGE_SHIFT	12
/* Linux reads block b at 512-byte sector b * (PAGE_SIZE >> 9) of the resume device
 * (kernel/power/swap.c hib_submit_io()). */
#define SWSUSP_PAGE_SECTORS	(SWSUSP_PAGE_SIZE >> 9)

/* The mkswap header, the first page of every swap area (util-linux
 * include/swapheader.h struct swap_header_v1_2; Linux include/linux/swap.h union
 * swap_header). Hibernation keeps it and overlays its magic (struct swsusp_header). */
#define SWAP_UUID_LEN		16
#define SWAP_LABEL_LEN		16
struct mkswap_header {
	uint8_t bootbits[1024];		/*    0: left alone for a boot loader */
	uint32_t version;		/* 1024: 1 */
	uint32_t last_page;		/* 1028: last usable page of the area */
	uint32_t nr_badpages;		/* 1032 */
	uint8_t uuid[SWAP_UUID_LEN];	/* 1036: stored in text order (libuuid) */
	char volume_name[SWAP_LABEL_LEN];	/* 1052: label, NUL-padded, maybe unterminated */
	uint8_t padding[3018];		/* 1068: padding[117], then badpages[] from 1536 */
	char magic[10];			/* 4086: "SWAPSPACE2", "SWAP-SPACE" or "S1SUSPEND\0" */
};
_Static_assert(offsetof(struct mkswap_header, version) == 1024, "version");
_Static_assert(offsetof(struct mkswap_header, last_page) == 1028, "last_page");
_Static_assert(offsetof(struct mkswap_header, nr_badpages) == 1032, "nr_badpages");
_Static_assert(offsetof(struct mkswap_header, uuid) == 1036, "uuid");
_Static_assert(offsetof(struct mkswap_header, volume_name) == 1052, "volume_name");
_Static_assert(offsetof(struct mkswap_header, magic) == 4086, "magic");
_Static_assert(sizeof(struct mkswap_header) == SWSUSP_PAGE_SIZE, "mkswap_header size");

/* struct swsusp_header, kernel/power/swap.c (__packed, one page). The signature overlays
 * the mkswap magic in the last 10 bytes of the page. */
struct swsusp_header {
	uint8_t reserved[4056];	/*    0: rest of the mkswap header, preserved */
	uint32_t hw_sig;	/* 4056: ACPI FACS signature; valid only with SF_HW_SIG */
	uint32_t crc32;		/* 4060: CRC of the uncompressed stream; only with SF_CRC32_MODE */
	uint64_t image;		/* 4064: block of the first swap_map_page */
	uint32_t flags;		/* 4072: SF_* below */
	char orig_sig[10];	/* 4076: "SWAPSPACE2" (or "SWAP-SPACE") before hibernation */
	char sig[10];		/* 4086: "S1SUSPEND\0" while an image is present */
} __attribute__((packed));
_Static_assert(offsetof(struct swsusp_header, hw_sig) == 4056, "hw_sig");
_Static_assert(offsetof(struct swsusp_header, crc32) == 4060, "crc32");
_Static_assert(offsetof(struct swsusp_header, image) == 4064, "image");
_Static_assert(offsetof(struct swsusp_header, flags) == 4072, "flags");
_Static_assert(offsetof(struct swsusp_header, orig_sig) == 4076, "orig_sig");
_Static_assert(offsetof(struct swsusp_header, sig) == 4086, "sig");
_Static_assert(offsetof(struct swsusp_header, sig) == offsetof(struct mkswap_header, magic),
	       "the hibernation signature overlays the mkswap magic");
_Static_assert(sizeof(struct swsusp_header) == SWSUSP_PAGE_SIZE, "swsusp_header size");

#define SWSUSP_SIG_LEN		10
#define SWSUSP_HIBERNATE_SIG	"S1SUSPEND"	/* compared over 10 bytes, NUL included */
#define SWSUSP_SWAP_SIG_V2	"SWAPSPACE2"
#define SWSUSP_SWAP_SIG_V1	"SWAP-SPACE"

/* SF_* flags, kernel/power/power.h. LZO is the value 0 (6.9+ "SF_COMPRESSION_ALG_LZO"). */
#define SF_PLATFORM_MODE	0x01u	/* hibernated in ACPI platform mode (S4) */
#define SF_NOCOMPRESS_MODE	0x02u	/* hibernate=nocompress: raw pages, no CRC */
#define SF_CRC32_MODE		0x04u	/* header crc32 is valid (set for every compressed image) */
#define SF_HW_SIG		0x08u	/* header hw_sig is valid (5.17+) */
#define SF_COMPRESSION_ALG_LZ4	0x10u	/* LZ4 raw blocks instead of LZO1X (6.9+) */
#define SF_KNOWN_MASK		0x1fu

/* struct swap_map_page, kernel/power/swap.c: 511 block numbers, then the next map block. */
#define SWSUSP_MAP_ENTRIES	511u
struct swap_map_page {
	uint64_t entries[SWSUSP_MAP_ENTRIES];	/*    0: stream blocks, 0 = end of data */
	uint64_t next_swap;			/* 4088: next map page, 0 = last */
};
_Static_assert(offsetof(struct swap_map_page, next_swap) == 4088, "next_swap");
_Static_assert(sizeof(struct swap_map_page) == SWSUSP_PAGE_SIZE, "swap_map_page size");

/* struct swsusp_info, kernel/power/power.h (__aligned(PAGE_SIZE)): the first stream
 * page, always stored raw. On x86_64 the restore record overwrites uts from offset 0. */
struct swsusp_info {
	uint8_t uts[390];		/*   0: struct new_utsname; restore record at 0 */
	uint8_t pad0[2];
	uint32_t version_code;		/* 392: 0 on x86_64 */
	uint32_t pad1;
	uint64_t num_physpages;		/* 400: get_num_physpages() of the image kernel */
	int32_t cpus;			/* 408: never set */
	uint32_t pad2;
	uint64_t image_pages;		/* 416: data pages in the stream (6.6+: non-zero only) */
	uint64_t pages;			/* 424: image_pages + meta pages + 1 (this page) */
	uint64_t size;			/* 432: pages << 12 */
	uint8_t pad3[SWSUSP_PAGE_SIZE - 440];
};
_Static_assert(offsetof(struct swsusp_info, version_code) == 392, "version_code");
_Static_assert(offsetof(struct swsusp_info, num_physpages) == 400, "num_physpages");
_Static_assert(offsetof(struct swsusp_info, cpus) == 408, "cpus");
_Static_assert(offsetof(struct swsusp_info, image_pages) == 416, "image_pages");
_Static_assert(offsetof(struct swsusp_info, pages) == 424, "pages");
_Static_assert(offsetof(struct swsusp_info, size) == 432, "size");
_Static_assert(sizeof(struct swsusp_info) == SWSUSP_PAGE_SIZE, "swsusp_info size");

/* x86_64 restore records at offset 0 of swsusp_info (arch/x86/power/hibernate.c and its
 * predecessors hibernate_64.c). Newest first. */
#define RESTORE_MAGIC_V2	0x23456789ABCDEF02ull	/* 5.13+: e820 CRC32 */
#define RESTORE_MAGIC_V1	0x23456789ABCDEF01ull	/* ~4.8-5.12: optional MD5 e820 digest */
#define RESTORE_MAGIC_V0	0x0123456789ABCDEFull	/* 2007-2016: seed and cr3 records */

struct restore_record_v2 {
	uint64_t jump_address;		/*  0: VA of the image kernel's restore_registers */
	uint64_t jump_address_phys;	/*  8: its physical address */
	uint64_t cr3;			/* 16: image PGD, PCID bits clear */
	uint64_t magic;			/* 24: RESTORE_MAGIC_V2 */
	uint64_t e820_checksum;		/* 32: zlib CRC-32 of the e820 table, low 32 bits */
};
_Static_assert(offsetof(struct restore_record_v2, magic) == 24, "v2 magic");
_Static_assert(offsetof(struct restore_record_v2, e820_checksum) == 32, "v2 e820");
_Static_assert(sizeof(struct restore_record_v2) == 40, "v2 size");

struct restore_record_v1 {
	uint64_t jump_address;		/*  0 */
	uint64_t jump_address_phys;	/*  8 */
	uint64_t cr3;			/* 16 */
	uint64_t magic;			/* 24: RESTORE_MAGIC_V1 */
	uint8_t e820_digest[16];	/* 32: MD5 of the e820 table (~4.14+); all zero = none */
};
_Static_assert(offsetof(struct restore_record_v1, e820_digest) == 32, "v1 digest");
_Static_assert(sizeof(struct restore_record_v1) == 48, "v1 size");

/* 2008-2016 record (hand-off through %rbx, no physical jump address). */
struct restore_record_v0_cr3 {
	uint64_t jump_address;		/*  0 */
	uint64_t cr3;			/*  8 */
	uint64_t magic;			/* 16: RESTORE_MAGIC_V0 */
};
_Static_assert(offsetof(struct restore_record_v0_cr3, magic) == 16, "v0 magic");

/* The 2007 "arbitrary boot kernel" seed record: control = jump_address ^ RESTORE_MAGIC_V0. */
struct restore_record_seed {
	uint64_t jump_address;		/* 0 */
	uint64_t control;		/* 8 */
};
_Static_assert(offsetof(struct restore_record_seed, control) == 8, "seed control");

/* Compressed stream framing, kernel/power/swap.c (6.1 LZO_*, 6.9+ CMP_* / UNC_*): each
 * block is an 8-byte little-endian cmp_len, cmp_len bytes of LZO1X or LZ4 data, padded
 * with stale bytes to whole pages. At most 32 uncompressed pages per block. */
#define SWSUSP_CMP_HEADER	8u
#define SWSUSP_UNC_PAGES	32u
#define SWSUSP_UNC_SIZE		(SWSUSP_UNC_PAGES * SWSUSP_PAGE_SIZE)
/* bytes_worst_compress(x) = x + x/16 + 64 + 3 + 2 (6.9+; Debian 6.1 lzo1x_worst_compress). */
#define SWSUSP_CMP_WORST	(SWSUSP_UNC_SIZE + SWSUSP_UNC_SIZE / 16 + 64 + 3 + 2)
#define SWSUSP_CMP_PAGES	((SWSUSP_CMP_WORST + SWSUSP_CMP_HEADER + SWSUSP_PAGE_SIZE - 1) / SWSUSP_PAGE_SIZE)
#define SWSUSP_CMP_SIZE		(SWSUSP_CMP_PAGES * SWSUSP_PAGE_SIZE)
_Static_assert(SWSUSP_CMP_WORST == 139333, "worst case");
_Static_assert(SWSUSP_CMP_PAGES == 35, "CMP_PAGES");

/* PFN (meta) pages, kernel/power/snapshot.c pack_pfns(): 512 u64 per page, strictly
 * ascending, ~0 after the last one if room remains; bit 63 marks a zero page (6.6+). */
#define SWSUSP_PFNS_PER_PAGE	512u
#define SWSUSP_PFN_END		(~0ull)		/* BM_END_OF_MAP */
#define SWSUSP_PFN_ZERO_FLAG	(1ull << 63)	/* ENCODED_PFN_ZERO_FLAG */
#define SWSUSP_PFN_MAX		(1ull << 40)	/* x86_64: 52 physical address bits */

#endif
