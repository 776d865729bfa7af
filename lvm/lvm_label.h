/* Finding an LVM2 physical volume: its label and the location of the newest
 * committed metadata text in its metadata area. Pure. */
#ifndef THAW_LVM_LABEL_H
#define THAW_LVM_LABEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lvm_err {
	LVM_OK = 0,
	LVM_ENOLABEL,           /* no LVM2 label in the first four sectors */
	LVM_ELABEL,             /* label or pv_header malformed */
	LVM_ENOMDA,             /* no metadata area (a PV made with --metadatacopies 0) */
	LVM_EMDA,               /* metadata-area header bad: magic, checksum, ring */
	LVM_ECSUM,              /* metadata text checksum wrong */
	LVM_ESYNTAX,            /* metadata text malformed */
	LVM_ETOOBIG,            /* more PVs, LVs, segments or stripes than thaw tracks */
	LVM_EMETA,              /* a metadata value missing or out of range */
	LVM_EIO,
};

const char *lvm_strerror(enum lvm_err e);

/* LVM's own CRC (lib/misc/crc.c calc_crc: reflected CRC-32 steps, no inversion) from
 * LVM_CRC_INITIAL. */
uint32_t lvm_crc(const void *buf, size_t len);

struct lvm_pv_label {
	char uuid[33];                  /* 32 characters, no dashes, NUL */
	uint64_t dev_size;              /* bytes */
	uint64_t mda_offset, mda_size;  /* the first metadata area */
};

/* buf: the first LVM_LABEL_SCAN_SECTORS sectors of the device. */
enum lvm_err lvm_label_parse(const uint8_t *buf, size_t len, struct lvm_pv_label *out);

/* Where the text is: one or two pieces (the ring wraps after its end back to just
 * behind the 512-byte header), device offsets in bytes. */
struct lvm_text_locn {
	uint64_t off[2], len[2];
	uint32_t checksum;
};

/* hdr: the 512 bytes at label->mda_offset. */
enum lvm_err lvm_mda_parse(const uint8_t *hdr, size_t len, const struct lvm_pv_label *l,
			   struct lvm_text_locn *out);

#endif
