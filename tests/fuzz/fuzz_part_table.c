/* Fuzz target: block/part_table.c with block/mbr.c and block/gpt.c.
 * Oracle: for any disk contents, part_scan (1) reads only inside the disk (the RAM
 * disk refuses anything else and the test aborts on such a request), (2) returns
 * partitions that lie inside the disk, with distinct numbers, at most PART_MAX of them,
 * and at most PART_PROBLEMS_MAX problems, (3) never crashes (ASan/UBSan).
 * With a 4096-byte logical block, also (4) every read is whole, aligned blocks (the
 * RAM disk aborts on any other).
 * Input: byte 0 = mode (bit 0: recompute the primary GPT's CRCs first, so mutated
 * tables reach the entry parser; bit 1: a 4Kn disk, its tables in 4096-byte blocks),
 * the rest = the disk, zero-padded to whole blocks, at most DISK_MAX bytes (an MBR and
 * both GPT copies of a 4Kn disk fit in 44 KiB; longer inputs are skipped). The disk is
 * one static buffer that only the RAM disk's read touches, not a per-input allocation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "block/part_table.h"
#include "lib/crc32.h"
#include "tests/host/memdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DISK_MAX (1u << 20)

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Make LBA 1's header and its entry array (at LBA 2, count × 128) CRC-consistent. */
static void fix_gpt(uint8_t *disk, size_t bytes)
{
	uint8_t *h = disk + 512;
	uint32_t hsize, count;
	uint64_t arr;

	if (bytes < 1024)
		return;
	count = rd32(h + 80);
	arr = (uint64_t)count * 128;
	if (arr <= bytes - 1024)
		wr32(h + 88, crc32(0, disk + 1024, (size_t)arr));
	hsize = rd32(h + 12);
	if (hsize >= 92 && hsize <= 512) {
		wr32(h + 16, 0);
		wr32(h + 16, crc32(0, h, hsize));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct part_table t;
	static uint8_t disk[DISK_MAX];
	struct memdisk m;
	uint64_t sectors;

	if (size < 1)
		return 0;
	sectors = (size - 1 + 511) / 512;
	if (data[0] & 2)
		sectors = (sectors + 7) / 8 * 8;
	if (sectors * 512 > DISK_MAX)
		return 0;
	memdisk_init_on(&m, "vda", sectors, disk);
	memcpy(m.data, data + 1, size - 1);
	memset(m.data + size - 1, 0, sectors * 512 - (size - 1));
	if (data[0] & 2)
		memdisk_set_block(&m, 4096);
	else if (data[0] & 1)
		fix_gpt(m.data, (size_t)sectors * 512);
	m.strict = true;
	part_scan(&m.bd, &t);
	if (t.count > PART_MAX || t.problem_count > PART_PROBLEMS_MAX)
		abort();
	for (uint32_t i = 0; i < t.count; i++) {
		const struct part_entry *e = &t.part[i];

		if (e->sectors == 0 || e->start >= sectors || e->sectors > sectors - e->start)
			abort();
		for (uint32_t j = 0; j < i; j++)
			if (t.part[j].number == e->number)
				abort();
		if (memchr(e->name, '\0', sizeof(e->name)) == NULL)
			abort();
	}
	return 0;
}
