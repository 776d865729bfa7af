/* MBR and extended boot record chain → partition list (Linux block/partitions/msdos.c
 * numbering; layout from the IBM PC boot sector convention, UEFI 2.x §5.2.1). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/mbr.h"
#include "lib/le.h"

#define EBR_MAX    128      /* Linux msdos.c gives up after 100 links; be a bit kinder */

/* Boot records are read one logical block at a time into a caller's buffer of
 * BLOCKDEV_BLOCK_MAX bytes; their LBAs count those blocks (Linux msdos.c scales them
 * by the logical block size). */

bool mbr_is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0F || type == 0x85;
}

bool mbr_is_protective(const struct mbr_record rec[4])
{
	for (int i = 0; i < 4; i++)
		if (rec[i].type == MBR_TYPE_GPT)
			return true;
	return false;
}

bool mbr_decode(const uint8_t *buf, size_t len, struct mbr_record rec[4], uint32_t *disk_sig)
{
	struct mbr_sector s;

	if (len < sizeof(s))
		return false;
	memcpy(&s, buf, sizeof(s));
	if (s.magic[0] != 0x55 || s.magic[1] != 0xAA)
		return false;
	for (int i = 0; i < 4; i++) {
		rec[i] = s.part[i];
		rec[i].lba_start = le32(s.part[i].lba_start);
		rec[i].lba_count = le32(s.part[i].lba_count);
		if (rec[i].boot != 0 && rec[i].boot != 0x80)
			return false;
	}
	*disk_sig = le32(s.disk_signature);
	return true;
}

static uint64_t disk_blocks(const struct blockdev *disk)
{
	return disk->sectors / blockdev_block_sectors(disk);
}

/* Add blocks [start, start+count) as partition `number`, clipped to the disk like
 * Linux does ("extends beyond EOD, truncated"); an entry starting past the end is
 * dropped. The entry itself counts 512-byte sectors. */
static void add_part(struct part_table *t, const struct blockdev *disk, uint32_t number,
		     uint64_t start, uint64_t count, uint8_t type)
{
	uint64_t blocks = disk_blocks(disk), bs = blockdev_block_sectors(disk);
	struct part_entry *e;

	if (start >= blocks) {
		part_note(t, PART_EPASTEND, number);
		return;
	}
	if (count > blocks - start) {
		part_note(t, PART_EPASTEND, number);
		count = blocks - start;
	}
	if (t->count == PART_MAX) {
		part_note(t, PART_ETOOMANY, number);
		return;
	}
	e = &t->part[t->count++];
	memset(e, 0, sizeof(*e));
	e->number = number;
	e->start = start * bs;
	e->sectors = count * bs;
	e->mbr_type = type;
}

/* Read logical block lba into buf. */
static bool read_block(struct blockdev *disk, uint64_t lba, uint8_t *buf)
{
	uint32_t bs = blockdev_block_sectors(disk);

	return disk->ops->read(disk, lba * bs, bs, buf) == BLK_OK;
}

/* Walk the EBR chain of the extended partition at ext_start. In each EBR, record 0
 * is a logical partition relative to the EBR itself and record 1 links to the next
 * EBR relative to the start of the extended partition (Linux msdos.c parse_extended). */
static void scan_extended(struct blockdev *disk, struct part_table *t, uint32_t ext_slot,
			  uint64_t ext_start, uint64_t ext_sectors, uint8_t *buf)
{
	struct mbr_record rec[4];
	uint32_t sig, number = 5;
	uint64_t ebr = ext_start;

	for (int hops = 0; ; hops++) {
		if (hops == EBR_MAX) {
			part_note(t, PART_EEBRLOOP, ext_slot);
			return;
		}
		if (ebr >= disk_blocks(disk)) {
			part_note(t, PART_EPASTEND, ext_slot);
			return;
		}
		if (!read_block(disk, ebr, buf)) {
			part_note(t, PART_EIO, ext_slot);
			return;
		}
		if (!mbr_decode(buf, BLOCK_SECTOR_SIZE, rec, &sig)) {
			part_note(t, PART_EEBRBAD, ext_slot);
			return;
		}
		uint64_t next = 0;
		for (int i = 0; i < 4; i++) {
			if (rec[i].lba_count == 0 || rec[i].type == 0)
				continue;
			if (mbr_is_extended(rec[i].type)) {
				if (next == 0)
					next = ext_start + rec[i].lba_start;
				continue;
			}
			add_part(t, disk, number++, ebr + rec[i].lba_start,
				 rec[i].lba_count, rec[i].type);
		}
		/* A link must move forward inside the extended partition; anything else
		 * is a loop or garbage. */
		if (next == 0)
			return;
		if (next <= ebr || next >= ext_start + ext_sectors) {
			part_note(t, next <= ebr ? PART_EEBRLOOP : PART_EPASTEND, ext_slot);
			return;
		}
		ebr = next;
	}
}

enum part_err mbr_scan(struct blockdev *disk, struct part_table *t)
{
	uint8_t buf[BLOCKDEV_BLOCK_MAX] __attribute__((aligned(16)));
	struct mbr_record rec[4];
	uint32_t sig;
	int ext = -1;

	t->scheme = PART_NONE;
	if (disk_blocks(disk) == 0)
		return PART_OK;
	if (!read_block(disk, 0, buf))
		return PART_EIO;
	if (!mbr_decode(buf, BLOCK_SECTOR_SIZE, rec, &sig))
		return PART_OK;
	t->mbr_signature = sig;
	if (mbr_is_protective(rec)) {
		t->scheme = PART_GPT;     /* the caller reads the GPT */
		return PART_OK;
	}
	t->scheme = PART_MBR;
	for (int i = 0; i < 4; i++) {
		if (rec[i].lba_count == 0 || rec[i].type == 0)
			continue;
		if (mbr_is_extended(rec[i].type)) {
			if (ext < 0)
				ext = i;
			continue;
		}
		add_part(t, disk, (uint32_t)i + 1, rec[i].lba_start,
			 rec[i].lba_count, rec[i].type);
	}
	if (ext >= 0)
		scan_extended(disk, t, (uint32_t)ext + 1, rec[ext].lba_start, rec[ext].lba_count,
			      buf);
	return PART_OK;
}
