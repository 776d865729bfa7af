/* MBR partition tables (the PC "DOS" label) with extended partitions, read the way
 * Linux block/partitions/msdos.c reads them: primaries 1-4, logicals from 5. */
#ifndef THAW_MBR_H
#define THAW_MBR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block/blockdev.h"
#include "block/part_table.h"

/* One 16-byte partition record (offsets inside the record). */
struct mbr_record {
	uint8_t boot;            /* 0: 0x00 or 0x80 */
	uint8_t chs_first[3];    /* 1 */
	uint8_t type;            /* 4: system id */
	uint8_t chs_last[3];     /* 5 */
	uint32_t lba_start;      /* 8: little-endian */
	uint32_t lba_count;      /* 12 */
} __attribute__((packed));
_Static_assert(sizeof(struct mbr_record) == 16, "MBR record is 16 bytes");
_Static_assert(offsetof(struct mbr_record, lba_start) == 8, "lba_start at 8");

/* The boot sector: boot code, disk signature, four records, 0x55 0xAA. */
struct mbr_sector {
	uint8_t boot_code[440];  /*   0 */
	uint32_t disk_signature; /* 440: Linux shows it as PARTUUID SSSSSSSS-PP */
	uint16_t reserved;       /* 444 */
	struct mbr_record part[4];      /* 446 */
	uint8_t magic[2];        /* 510: 0x55 0xAA */
} __attribute__((packed));
_Static_assert(offsetof(struct mbr_sector, disk_signature) == 440, "disk signature at 440");
_Static_assert(offsetof(struct mbr_sector, part) == 446, "records at 446");
_Static_assert(offsetof(struct mbr_sector, magic) == 510, "magic at 510");
_Static_assert(sizeof(struct mbr_sector) == 512, "MBR is one sector");
#define MBR_TYPE_GPT      0xEE   /* protective MBR (UEFI 2.x §5.2.3) */

/* Decode the four records of a boot sector (buf holds at least 512 bytes). Returns
 * false if it carries no partition table: no 0x55AA, or a boot flag other than
 * 0x00/0x80 (Linux msdos.c rejects those too: likely a filesystem boot sector). */
bool mbr_decode(const uint8_t *buf, size_t len, struct mbr_record rec[4], uint32_t *disk_sig);

bool mbr_is_extended(uint8_t type);     /* 0x05, 0x0F, 0x85 */
bool mbr_is_protective(const struct mbr_record rec[4]);

/* Read the MBR of disk and its extended-partition chain into t. Returns PART_OK
 * if a table was found (problems with single entries go to t->problem), PART_EIO
 * if the disk could not be read; t->scheme is PART_NONE when there is no table and
 * PART_GPT (no entries yet) for a protective MBR. */
enum part_err mbr_scan(struct blockdev *disk, struct part_table *t);

#endif
