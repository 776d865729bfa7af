/* GPT → partition list. Validation follows UEFI 2.x §5.3.2 ("GPT Header" checks) and
 * Linux block/partitions/efi.c (is_gpt_valid, find_valid_gpt, is_pte_valid). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/gpt.h"
#include "lib/le.h"
#include "lib/crc32.h"

#define CHUNK       BLOCKDEV_BLOCK_MAX  /* entry-array bytes read per request (32 entries) */

/* GPT LBAs are logical blocks (UEFI 2.x §5.3.1: "LBA" is the device's logical block;
 * Linux efi.c reads with bdev_logical_block_size()). One CHUNK buffer holds the header
 * block, then, once the header is decoded, pieces of the entry array. */

enum part_err gpt_check_header(const uint8_t *buf, size_t len, uint64_t lba,
			       uint64_t disk_blocks, struct gpt_header *h)
{
	static const uint8_t zero_crc[sizeof(h->header_crc32)];
	const size_t crc_off = offsetof(struct gpt_header, header_crc32);
	uint64_t bytes, blocks;
	uint32_t crc;

	if (len < BLOCK_SECTOR_SIZE || memcmp(buf, "EFI PART", 8) != 0)
		return PART_EGPTHDR;
	memcpy(h, buf, sizeof(*h));
	h->revision = le32(h->revision);
	h->header_size = le32(h->header_size);
	h->header_crc32 = le32(h->header_crc32);
	h->reserved = le32(h->reserved);
	h->my_lba = le64(h->my_lba);
	h->alternate_lba = le64(h->alternate_lba);
	h->first_usable_lba = le64(h->first_usable_lba);
	h->last_usable_lba = le64(h->last_usable_lba);
	h->entries_lba = le64(h->entries_lba);
	h->entry_count = le32(h->entry_count);
	h->entry_size = le32(h->entry_size);
	h->entries_crc32 = le32(h->entries_crc32);

	/* Linux is_gpt_valid(): the header may fill, but not pass, its logical block. */
	if (h->header_size < sizeof(struct gpt_header) || h->header_size > len)
		return PART_EGPTHDR;
	/* The CRC covers header_size bytes with the CRC field itself taken as zero. */
	crc = crc32(0, buf, crc_off);
	crc = crc32(crc, zero_crc, sizeof(zero_crc));
	crc = crc32(crc, buf + crc_off + sizeof(zero_crc),
		    h->header_size - crc_off - sizeof(zero_crc));
	if (crc != h->header_crc32)
		return PART_EGPTHDRCRC;
	if (h->my_lba != lba || h->first_usable_lba > h->last_usable_lba ||
	    h->last_usable_lba >= disk_blocks)
		return PART_EGPTHDR;
	if (h->entry_size != sizeof(struct gpt_entry) || h->entry_count == 0)
		return PART_EGPTHDR;
	bytes = (uint64_t)h->entry_count * h->entry_size;
	if (bytes > GPT_ENTRIES_MAX_BYTES)
		return PART_EGPTHDR;
	blocks = (bytes + len - 1) / len;
	if (h->entries_lba < 2 || h->entries_lba >= disk_blocks ||
	    blocks > disk_blocks - h->entries_lba)
		return PART_ETRUNC;
	return PART_OK;
}

void gpt_name_to_utf8(const uint8_t *utf16le, size_t units, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < units; i++) {
		uint16_t c = get_le16(utf16le + 2 * i);
		uint8_t enc[3];
		size_t n;

		if (c == 0)
			break;
		if (c < 0x80) {
			enc[0] = (uint8_t)c;
			n = 1;
		} else if (c < 0x800) {
			enc[0] = (uint8_t)(0xC0 | c >> 6);
			enc[1] = (uint8_t)(0x80 | (c & 0x3F));
			n = 2;
		} else if (c >= 0xD800 && c < 0xE000) {
			enc[0] = '?';     /* surrogate halves: not worth decoding for a label */
			n = 1;
		} else {
			enc[0] = (uint8_t)(0xE0 | c >> 12);
			enc[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
			enc[2] = (uint8_t)(0x80 | (c & 0x3F));
			n = 3;
		}
		if (n >= cap - o)
			break;
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o] = '\0';
}

bool gpt_decode_entry(const uint8_t *buf, struct part_entry *e, uint32_t number)
{
	static const uint8_t zero[sizeof(((struct gpt_entry *)0)->type_guid)];
	struct gpt_entry g;
	uint64_t first, last;

	memcpy(&g, buf, sizeof(g));
	if (memcmp(g.type_guid, zero, sizeof(zero)) == 0)
		return false;
	first = le64(g.first_lba);
	last = le64(g.last_lba);
	memset(e, 0, sizeof(*e));
	e->number = number;
	e->start = first;
	e->sectors = last >= first ? last - first + 1 : 0;
	e->has_guid = true;
	memcpy(e->guid, g.unique_guid, sizeof(g.unique_guid));
	gpt_name_to_utf8((const uint8_t *)g.name, sizeof(g.name) / sizeof(g.name[0]), e->name,
			 sizeof(e->name));
	return true;
}

/* Add a decoded entry (in blocks of bs sectors) if it lies inside the usable area
 * (Linux is_pte_valid drops entries past the last LBA; we also say so), converted to
 * 512-byte sectors. */
static void add_entry(struct part_table *t, const struct gpt_header *h, struct part_entry *e,
		      uint32_t bs)
{
	if (e->sectors == 0 || e->start < h->first_usable_lba ||
	    e->start + e->sectors - 1 > h->last_usable_lba) {
		part_note(t, PART_EPASTEND, e->number);
		return;
	}
	if (t->count == PART_MAX) {
		part_note(t, PART_ETOOMANY, e->number);
		return;
	}
	e->start *= bs;
	e->sectors *= bs;
	t->part[t->count++] = *e;
}

/* Read the entry array h describes into buf (CHUNK bytes at a time), checking its
 * CRC32 as it streams by. */
static enum part_err read_entries(struct blockdev *disk, const struct gpt_header *h,
				  struct part_table *t, uint8_t *buf)
{
	uint64_t total = (uint64_t)h->entry_count * h->entry_size, done = 0;
	uint64_t first = h->entries_lba * blockdev_block_sectors(disk);
	uint32_t crc = 0, number = 1, bs = blockdev_block_sectors(disk);

	t->count = 0;
	while (done < total) {
		uint32_t n = total - done < CHUNK ? (uint32_t)(total - done) : CHUNK;
		/* Whole blocks: the last one may hold more than the array (CHUNK is a
		 * multiple of every block size, so done stays block-aligned). */
		uint32_t secs = (n + BLOCK_SECTOR_SIZE - 1) / BLOCK_SECTOR_SIZE;

		secs = (secs + bs - 1) / bs * bs;
		if (disk->ops->read(disk, first + done / BLOCK_SECTOR_SIZE, secs, buf) != BLK_OK)
			return PART_EIO;
		crc = crc32(crc, buf, n);
		for (uint32_t off = 0; off < n; off += h->entry_size, number++) {
			struct part_entry e;

			if (gpt_decode_entry(buf + off, &e, number))
				add_entry(t, h, &e, bs);
		}
		done += n;
	}
	if (crc != h->entries_crc32) {
		t->count = 0;
		return PART_EGPTENTCRC;
	}
	return PART_OK;
}

/* Try the header at logical block lba and its entries; PART_OK fills t. */
static enum part_err try_header(struct blockdev *disk, uint64_t lba, struct part_table *t)
{
	uint8_t buf[CHUNK] __attribute__((aligned(16)));
	uint32_t bs = blockdev_block_sectors(disk);
	struct gpt_header h;
	enum part_err err;
	uint32_t saved = t->problem_count;

	if (disk->ops->read(disk, lba * bs, bs, buf) != BLK_OK)
		return PART_EIO;
	err = gpt_check_header(buf, blockdev_block_bytes(disk), lba, disk->sectors / bs, &h);
	if (err == PART_OK)
		err = read_entries(disk, &h, t, buf);
	if (err != PART_OK) {
		t->problem_count = saved;    /* entry notes of a rejected array mean nothing */
		return err;
	}
	memcpy(t->disk_guid, h.disk_guid, 16);
	return PART_OK;
}

enum part_err gpt_scan(struct blockdev *disk, struct part_table *t)
{
	uint64_t blocks = disk->sectors / blockdev_block_sectors(disk);
	enum part_err err;

	t->scheme = PART_GPT;
	t->count = 0;
	if (blocks < 3) {
		part_note(t, PART_ETRUNC, 0);
		return PART_EGPTNONE;
	}
	err = try_header(disk, 1, t);
	if (err == PART_OK)
		return PART_OK;
	part_note(t, err, 0);
	/* Linux find_valid_gpt() looks for the backup at the last block of the disk,
	 * not at the primary's alternate_lba, which may be what is damaged. */
	err = try_header(disk, blocks - 1, t);
	if (err == PART_OK) {
		part_note(t, PART_EGPTBACKUP, 0);
		return PART_OK;
	}
	part_note(t, err, 0);
	t->count = 0;
	return err == PART_EIO ? PART_EIO : PART_EGPTNONE;
}
