/* LVM2 on-disk structures (layout only), as LVM2 writes them: the physical-volume
 * label (lib/label/label.h, struct label_header; lib/format_text/layout.h, struct
 * pv_header) in one of the first four sectors, and the metadata-area header with its
 * ring of text locations (layout.h, struct mda_header, struct raw_locn). Little-endian. */
#ifndef THAW_LVM_FORMAT_H
#define THAW_LVM_FORMAT_H
#include <stddef.h>
#include <stdint.h>

#define LVM_SECTOR 512
#define LVM_LABEL_SCAN_SECTORS 4
#define LVM_LABEL_ID "LABELONE"
#define LVM_LABEL_TYPE "LVM2 001"
#define LVM_ID_LEN 32                   /* a UUID without its dashes */
#define LVM_MDA_MAGIC " LVM2 x[5A%r0N*>"
#define LVM_MDA_HEADER_SIZE 512
#define LVM_CRC_INITIAL 0xf597a6cfu     /* lib/misc/crc.h INITIAL_CRC */

struct lvm_label_header {
	char id[8];                     /* 0: LVM_LABEL_ID */
	uint64_t sector_xl;             /* 8: the sector this label is in */
	uint32_t crc_xl;                /* 16: over offset_xl .. end of the sector */
	uint32_t offset_xl;             /* 20: where the pv_header starts */
	char type[8];                   /* 24: LVM_LABEL_TYPE */
} __attribute__((packed));
_Static_assert(offsetof(struct lvm_label_header, crc_xl) == 16, "label crc");
_Static_assert(offsetof(struct lvm_label_header, offset_xl) == 20, "label offset");
_Static_assert(sizeof(struct lvm_label_header) == 32, "label header");

struct lvm_disk_locn {
	uint64_t offset;                /* bytes from the start of the device */
	uint64_t size;                  /* bytes; a {0, 0} entry ends a list */
} __attribute__((packed));
_Static_assert(sizeof(struct lvm_disk_locn) == 16, "disk_locn");

struct lvm_pv_header {
	char pv_uuid[LVM_ID_LEN];       /* 0 */
	uint64_t device_size_xl;        /* 32: bytes */
	/* 40: data areas, {0,0}, then metadata areas, {0,0} (struct lvm_disk_locn). */
} __attribute__((packed));
_Static_assert(sizeof(struct lvm_pv_header) == 40, "pv_header");

struct lvm_raw_locn {
	uint64_t offset;                /* bytes from the metadata area's start */
	uint64_t size;                  /* bytes of text */
	uint32_t checksum;              /* LVM CRC of the text */
	uint32_t flags;                 /* bit 0: RAW_LOCN_IGNORED */
} __attribute__((packed));
_Static_assert(sizeof(struct lvm_raw_locn) == 24, "raw_locn");

struct lvm_mda_header {
	uint32_t checksum_xl;           /* 0: LVM CRC of bytes 4..511 */
	char magic[16];                 /* 4: LVM_MDA_MAGIC */
	uint32_t version;               /* 20: 1 */
	uint64_t start;                 /* 24: this area's offset on the device */
	uint64_t size;                  /* 32: this area's size, header included */
	struct lvm_raw_locn raw_locns[]; /* 40: [0] the committed metadata, {0} ends */
} __attribute__((packed));
_Static_assert(offsetof(struct lvm_mda_header, start) == 24, "mda start");
_Static_assert(offsetof(struct lvm_mda_header, raw_locns) == 40, "mda raw_locns");

#define LVM_RAW_LOCN_IGNORED 1u

#endif
