/* The PV label (LVM2 lib/label/label.c: a "LABELONE" sector among the first four,
 * its CRC over the rest of the sector) and the metadata-area header with its ring
 * (lib/format_text/format-text.c: raw_locns[0] is the committed copy; text past the
 * area's end continues after the header). */
#include "lvm/lvm_label.h"
#include "lvm/lvm_format.h"
#include "lib/crc32.h"
#include "lib/le.h"
#include <string.h>

const char *lvm_strerror(enum lvm_err e)
{
	switch (e) {
	case LVM_OK: return "ok";
	case LVM_ENOLABEL: return "no LVM2 label";
	case LVM_ELABEL: return "LVM2 label malformed";
	case LVM_ENOMDA: return "physical volume without a metadata area";
	case LVM_EMDA: return "LVM2 metadata area header damaged";
	case LVM_ECSUM: return "LVM2 metadata checksum wrong";
	case LVM_ESYNTAX: return "LVM2 metadata text malformed";
	case LVM_ETOOBIG: return "LVM2 volume group larger than thaw tracks";
	case LVM_EMETA: return "LVM2 metadata value missing or out of range";
	case LVM_EIO: return "I/O error reading LVM2 metadata";
	}
	return "unknown LVM error";
}

uint32_t lvm_crc(const void *buf, size_t len)
{
	return crc32_le(LVM_CRC_INITIAL, buf, len);
}

static enum lvm_err pv_header(const uint8_t *s, uint32_t off, struct lvm_pv_label *out)
{
	unsigned lists = 0;

	if (off < 32 || off > LVM_SECTOR - 40)
		return LVM_ELABEL;
	memcpy(out->uuid, s + off, LVM_ID_LEN);
	out->uuid[LVM_ID_LEN] = 0;
	out->dev_size = get_le64(s + off + 32);
	/* Two {0,0}-terminated lists: data areas, then metadata areas. */
	for (uint32_t p = off + 40; lists < 2; p += 16) {
		if (p > LVM_SECTOR - 16)
			return LVM_ELABEL;
		uint64_t o = get_le64(s + p), n = get_le64(s + p + 8);

		if (!o && !n) {
			lists++;
		} else if (lists == 1 && !out->mda_size) {
			out->mda_offset = o, out->mda_size = n;
		}
	}
	return out->mda_size ? LVM_OK : LVM_ENOMDA;
}

enum lvm_err lvm_label_parse(const uint8_t *buf, size_t len, struct lvm_pv_label *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < LVM_LABEL_SCAN_SECTORS && (i + 1) * LVM_SECTOR <= len; i++) {
		const uint8_t *s = buf + i * LVM_SECTOR;

		if (memcmp(s, LVM_LABEL_ID, 8))
			continue;
		if (get_le64(s + 8) != i || get_le32(s + 16) != lvm_crc(s + 20, LVM_SECTOR - 20) ||
		    memcmp(s + 24, LVM_LABEL_TYPE, 8))
			return LVM_ELABEL;
		return pv_header(s, get_le32(s + 20), out);
	}
	return LVM_ENOLABEL;
}

enum lvm_err lvm_mda_parse(const uint8_t *hdr, size_t len, const struct lvm_pv_label *l,
			   struct lvm_text_locn *out)
{
	uint64_t size = l->mda_size, off, n, ring;

	memset(out, 0, sizeof(*out));
	if (len < LVM_MDA_HEADER_SIZE || get_le32(hdr) != lvm_crc(hdr + 4, LVM_MDA_HEADER_SIZE - 4) ||
	    memcmp(hdr + 4, LVM_MDA_MAGIC, 16) || get_le32(hdr + 20) != 1 ||
	    get_le64(hdr + 24) != l->mda_offset || get_le64(hdr + 32) != size ||
	    size <= LVM_MDA_HEADER_SIZE)
		return LVM_EMDA;
	off = get_le64(hdr + 40), n = get_le64(hdr + 48);
	ring = size - LVM_MDA_HEADER_SIZE;
	if ((get_le32(hdr + 60) & LVM_RAW_LOCN_IGNORED) || !n)
		return LVM_ENOMDA;
	if (off < LVM_MDA_HEADER_SIZE || off >= size || n > ring)
		return LVM_EMDA;
	out->checksum = get_le32(hdr + 56);
	out->off[0] = l->mda_offset + off;
	out->len[0] = n < size - off ? n : size - off;
	out->off[1] = l->mda_offset + LVM_MDA_HEADER_SIZE;
	out->len[1] = n - out->len[0];
	return LVM_OK;
}
