/* GUID Partition Tables (UEFI 2.x §5.3): header and entry-array CRC32 checked, the
 * backup header at the disk's last sector used when the primary is damaged. */
#ifndef THAW_GPT_H
#define THAW_GPT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block/blockdev.h"
#include "block/part_table.h"

/* GPT header (UEFI 2.x §5.3.2, table "GPT Header"), little-endian on disk. */
struct gpt_header {
	uint8_t signature[8];         /* 0: "EFI PART" */
	uint32_t revision;            /* 8: 0x00010000 */
	uint32_t header_size;         /* 12: 92 ≤ size ≤ logical block size */
	uint32_t header_crc32;        /* 16: over header_size bytes, this field zeroed */
	uint32_t reserved;            /* 20: must be zero */
	uint64_t my_lba;              /* 24: where this header lives */
	uint64_t alternate_lba;       /* 32: the other header */
	uint64_t first_usable_lba;    /* 40 */
	uint64_t last_usable_lba;     /* 48: inclusive */
	uint8_t disk_guid[16];        /* 56 */
	uint64_t entries_lba;         /* 72: first block of the entry array */
	uint32_t entry_count;         /* 80 */
	uint32_t entry_size;          /* 84: 128 in every table Linux accepts */
	uint32_t entries_crc32;       /* 88: over entry_count * entry_size bytes */
} __attribute__((packed));
_Static_assert(sizeof(struct gpt_header) == 92, "GPT header is 92 bytes");
_Static_assert(offsetof(struct gpt_header, disk_guid) == 56, "disk_guid at 56");
_Static_assert(offsetof(struct gpt_header, entries_crc32) == 88, "entries_crc32 at 88");

/* GPT partition entry (UEFI 2.x §5.3.3), 128 bytes. */
struct gpt_entry {
	uint8_t type_guid[16];        /* 0: all zero = unused */
	uint8_t unique_guid[16];      /* 16: PARTUUID= */
	uint64_t first_lba;           /* 32 */
	uint64_t last_lba;            /* 40: inclusive */
	uint64_t attributes;          /* 48 */
	uint16_t name[36];            /* 56: UTF-16LE, PARTLABEL= */
} __attribute__((packed));
_Static_assert(sizeof(struct gpt_entry) == 128, "GPT entry is 128 bytes");
_Static_assert(offsetof(struct gpt_entry, name) == 56, "name at 56");

#define GPT_ENTRIES_MAX_BYTES (1u << 20)   /* refuse absurd entry arrays */

/* Check one header block (len = the logical block size, ≥ 512) read from block `lba`
 * of a disk with disk_blocks logical blocks: signature, size, CRC32, my_lba, usable range and entry-array bounds.
 * On success fills *h (host byte order) and returns PART_OK. */
enum part_err gpt_check_header(const uint8_t *buf, size_t len, uint64_t lba,
			       uint64_t disk_blocks, struct gpt_header *h);

/* Decode one 128-byte entry; false if unused (zero type GUID). */
bool gpt_decode_entry(const uint8_t *buf, struct part_entry *e, uint32_t number);

/* UTF-16LE name of n units → NUL-terminated UTF-8 in out[cap]; stops at a NUL unit. */
void gpt_name_to_utf8(const uint8_t *utf16le, size_t units, char *out, size_t cap);

/* Read the GPT of disk (its protective MBR already seen) into t. Returns PART_OK
 * when a valid header and entry array were found (the backup one is noted as
 * PART_EGPTBACKUP), PART_EGPTNONE if neither is usable, PART_EIO on read errors. */
enum part_err gpt_scan(struct blockdev *disk, struct part_table *t);

#endif
