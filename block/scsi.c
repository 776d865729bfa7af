/* SCSI block commands: CDBs (big-endian fields, SPC-4/SBC-3), READ CAPACITY(16) and
 * REPORT LUNS parsing, sense data decoding. Pure; reads only the lengths given. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/scsi.h"
#include "kernel/format.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t scsi_cdb_test_unit_ready(uint8_t *cdb)
{
	memset(cdb, 0, 6);
	cdb[0] = SCSI_TEST_UNIT_READY;
	return 6;
}

size_t scsi_cdb_inquiry(uint8_t *cdb, uint16_t alloc)
{
	memset(cdb, 0, 6);
	cdb[0] = SCSI_INQUIRY;
	cdb[3] = (uint8_t)(alloc >> 8);
	cdb[4] = (uint8_t)alloc;
	return 6;
}

/* SELECT REPORT 0: every logical unit addressable on the target (SPC-4 §6.33). */
size_t scsi_cdb_report_luns(uint8_t *cdb, uint32_t alloc)
{
	memset(cdb, 0, 12);
	cdb[0] = SCSI_REPORT_LUNS;
	put_be32(cdb + 6, alloc);
	return 12;
}

size_t scsi_cdb_read_capacity16(uint8_t *cdb, uint32_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_SERVICE_IN_16;
	cdb[1] = SCSI_SA_READ_CAP_16;
	put_be32(cdb + 10, alloc);
	return 16;
}

size_t scsi_cdb_rw16(uint8_t *cdb, bool write, uint64_t lba, uint32_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = write ? SCSI_WRITE_16 : SCSI_READ_16;
	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, blocks);
	return 16;
}

/* LBA 0 and 0 blocks: the whole medium (SBC-3 §5.22, §5.23). */
size_t scsi_cdb_sync_cache16(uint8_t *cdb)
{
	memset(cdb, 0, 16);
	cdb[0] = SCSI_SYNC_CACHE_16;
	return 16;
}

size_t scsi_cdb_sync_cache10(uint8_t *cdb)
{
	memset(cdb, 0, 10);
	cdb[0] = SCSI_SYNC_CACHE_10;
	return 10;
}

struct scsi_sense scsi_sense_parse(const uint8_t *s, size_t len)
{
	struct scsi_sense r = { 0 };
	uint8_t code;

	if (len < 1)
		return r;
	code = s[0] & 0x7F;
	if ((code == 0x70 || code == 0x71) && len >= 3) {
		r.valid = true;
		r.key = s[2] & 0x0F;
		r.asc = len >= 13 ? s[12] : 0;
		r.ascq = len >= 14 ? s[13] : 0;
	} else if ((code == 0x72 || code == 0x73) && len >= 4) {
		r.valid = true;
		r.key = s[1] & 0x0F;
		r.asc = s[2];
		r.ascq = s[3];
	}
	return r;
}

const char *scsi_sense_key_name(uint8_t key)
{
	static const char *const names[16] = {
		"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR",
		"ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK",
		"VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND", "reserved (0xC)",
		"VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED",
	};

	return names[key & 0x0F];
}

/* SPC-4 Annex F (asc/ascq assignments): the ones a resume is likely to meet. */
const char *scsi_asc_name(uint8_t asc, uint8_t ascq)
{
	switch (asc) {
	case 0x00: return ascq == 0x06 ? "I/O process terminated" : NULL;
	case 0x04: return "logical unit not ready";
	case 0x0C: return "write error";
	case 0x11: return "unrecovered read error";
	case 0x20: return "invalid command operation code";
	case 0x21: return "logical block address out of range";
	case 0x24: return "invalid field in CDB";
	case 0x25: return "logical unit not supported";
	case 0x27: return "write protected";
	case 0x28: return "medium may have changed";
	case 0x29: return "power on or reset occurred";
	case 0x3A: return "medium not present";
	case 0x44: return "internal target failure";
	}
	return NULL;
}

void scsi_sense_describe(const struct scsi_sense *s, char *buf, size_t cap)
{
	const char *asc = scsi_asc_name(s->asc, s->ascq);

	if (!s->valid) {
		ksnprintf(buf, cap, "no sense data");
		return;
	}
	ksnprintf(buf, cap, "sense key %s, asc 0x%02x ascq 0x%02x%s%s%s",
		  scsi_sense_key_name(s->key), s->asc, s->ascq, asc ? " (" : "",
		  asc ? asc : "", asc ? ")" : "");
}

/* SBC-3 §5.16.2: returned LBA (the last block) at 0, block length at 8. */
bool scsi_read_capacity16_parse(const uint8_t *d, size_t len, uint64_t *blocks,
				uint32_t *block_len)
{
	uint64_t last;

	if (len < 12)
		return false;
	last = (uint64_t)get_be32(d) << 32 | get_be32(d + 4);
	*block_len = get_be32(d + 8);
	if (*block_len == 0 || last == UINT64_MAX)
		return false;
	*blocks = last + 1;
	return true;
}

/* SPC-4 §6.33.2: LUN list length at 0, 8-byte LUNs from 8; SAM-5 §4.7.3 address
 * methods: 00b peripheral (bus 0: LUN in byte 1), 01b flat (14 bits). */
size_t scsi_report_luns_parse(const uint8_t *d, size_t len, uint16_t *luns, size_t max)
{
	size_t n = 0, list;

	if (len < SCSI_REPORT_LUNS_HDR)
		return 0;
	list = get_be32(d);
	if (list > len - SCSI_REPORT_LUNS_HDR)
		list = len - SCSI_REPORT_LUNS_HDR;
	for (size_t off = SCSI_REPORT_LUNS_HDR; off + 8 <= SCSI_REPORT_LUNS_HDR + list && n < max;
	     off += 8) {
		uint8_t method = d[off] >> 6;

		if (method == 0 && d[off] == 0)
			luns[n++] = d[off + 1];
		else if (method == 1)
			luns[n++] = (uint16_t)((d[off] & 0x3F) << 8 | d[off + 1]);
	}
	return n;
}
