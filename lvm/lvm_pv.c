/* One PV's label and newest committed metadata (LVM2 lib/format_text/format-text.c:
 * _read_metadata_location / raw_locn[0]), checksummed before it is believed. */
#include "lvm/lvm_pv.h"
#include "lvm/lvm_format.h"
#include "lib/crc32.h"

enum lvm_err lvm_pv_read(lvm_read_fn rd, void *ctx, struct lvm_pv_label *l, char *text,
			 size_t cap, size_t *len)
{
	uint8_t buf[LVM_LABEL_SCAN_SECTORS * LVM_SECTOR];
	struct lvm_text_locn t;
	enum lvm_err e;
	uint64_t n;

	if (!rd(ctx, 0, buf, sizeof(buf)))
		return LVM_EIO;
	if ((e = lvm_label_parse(buf, sizeof(buf), l)))
		return e;
	if (!rd(ctx, l->mda_offset, buf, LVM_MDA_HEADER_SIZE))
		return LVM_EIO;
	if ((e = lvm_mda_parse(buf, LVM_MDA_HEADER_SIZE, l, &t)))
		return e;
	n = t.len[0] + t.len[1];
	if (n >= cap)
		return LVM_ETOOBIG;
	if (!rd(ctx, t.off[0], text, t.len[0]) || (t.len[1] && !rd(ctx, t.off[1], text + t.len[0], t.len[1])))
		return LVM_EIO;
	if (lvm_crc(text, n) != t.checksum)
		return LVM_ECSUM;
	text[n] = 0;
	*len = n;
	return LVM_OK;
}
