/* Unit tests for block/mbr.c, block/gpt.c and block/part_table.c over RAM disks
 * built here byte by byte (CRCs from a bitwise reference, not thaw's crc32). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "block/part_table.h"
#include "block/mbr.h"
#include "block/gpt.h"
#include "tests/host/memdisk.h"

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t *sec(struct memdisk *m, uint64_t lba)
{
	return m->data + lba * 512;
}

static void mbr_rec(uint8_t *s, int slot, uint8_t type, uint32_t start, uint32_t count)
{
	uint8_t *r = s + offsetof(struct mbr_sector, part) + sizeof(struct mbr_record) * slot;

	r[4] = type;
	put32(r + 8, start);
	put32(r + 12, count);
	s[510] = 0x55;
	s[511] = 0xAA;
}

static const struct part_entry *find(const struct part_table *t, uint32_t number)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (t->part[i].number == number)
			return &t->part[i];
	return NULL;
}

static bool has_problem(const struct part_table *t, enum part_err e)
{
	for (uint32_t i = 0; i < t->problem_count; i++)
		if (t->problem[i].err == e)
			return true;
	return false;
}

static struct part_table tbl;

static void test_no_table(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 2048);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.scheme, PART_NONE);
	assert_int_equal(tbl.count, 0);
	memdisk_free(&m);

	memdisk_init(&m, "vdb", 0);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.scheme, PART_NONE);
	memdisk_free(&m);
}

static void test_mbr_primaries(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 8192);
	put32(sec(&m, 0) + offsetof(struct mbr_sector, disk_signature), 0x1234abcd);
	mbr_rec(sec(&m, 0), 0, 0x83, 2048, 2048);
	mbr_rec(sec(&m, 0), 2, 0x82, 4096, 4096);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.scheme, PART_MBR);
	assert_int_equal(tbl.mbr_signature, 0x1234abcd);
	assert_int_equal(tbl.count, 2);
	assert_int_equal(find(&tbl, 1)->start, 2048);
	assert_int_equal(find(&tbl, 3)->sectors, 4096);
	assert_int_equal(find(&tbl, 3)->mbr_type, 0x82);
	assert_null(find(&tbl, 2));
	assert_int_equal(tbl.problem_count, 0);
	memdisk_free(&m);
}

/* Extended partition at 4096..16383 holding three logicals, each EBR linking to the
 * next relative to the extended partition's start. */
static void build_extended(struct memdisk *m)
{
	mbr_rec(sec(m, 0), 0, 0x83, 2048, 2048);
	mbr_rec(sec(m, 0), 1, 0x05, 4096, 12288);
	mbr_rec(sec(m, 4096), 0, 0x83, 2048, 1024);     /* vda5 at 6144 */
	mbr_rec(sec(m, 4096), 1, 0x05, 4096, 4096);     /* next EBR at 8192 */
	mbr_rec(sec(m, 8192), 0, 0x82, 2048, 2048);     /* vda6 at 10240 */
	mbr_rec(sec(m, 8192), 1, 0x05, 8192, 4096);     /* next EBR at 12288 */
	mbr_rec(sec(m, 12288), 0, 0x83, 1024, 1024);    /* vda7 at 13312 */
}

static void test_mbr_extended(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_extended(&m);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 4);
	assert_int_equal(find(&tbl, 1)->start, 2048);
	assert_int_equal(find(&tbl, 5)->start, 6144);
	assert_int_equal(find(&tbl, 6)->start, 10240);
	assert_int_equal(find(&tbl, 6)->mbr_type, 0x82);
	assert_int_equal(find(&tbl, 7)->start, 13312);
	assert_null(find(&tbl, 2));
	assert_int_equal(tbl.problem_count, 0);
	memdisk_free(&m);
}

static void test_mbr_ebr_loop(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_extended(&m);
	mbr_rec(sec(&m, 12288), 1, 0x05, 0, 4096);      /* link back to the first EBR */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 4);
	assert_true(has_problem(&tbl, PART_EEBRLOOP));
	memdisk_free(&m);
}

static void test_mbr_ebr_bad_and_unreadable(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_extended(&m);
	sec(&m, 8192)[511] = 0;                         /* second EBR loses 0x55AA */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 2);
	assert_true(has_problem(&tbl, PART_EEBRBAD));
	sec(&m, 8192)[511] = 0xAA;
	m.bad_sector = 12288;
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 3);
	assert_true(has_problem(&tbl, PART_EIO));
	m.bad_sector = 0;
	assert_int_equal(part_scan(&m.bd, &tbl), PART_EIO);
	memdisk_free(&m);
}

static void test_mbr_past_end_and_overlap(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 4096);
	mbr_rec(sec(&m, 0), 0, 0x83, 2048, 4096);       /* ends past 4096: clipped */
	mbr_rec(sec(&m, 0), 1, 0x83, 9000, 100);        /* starts past the end: dropped */
	mbr_rec(sec(&m, 0), 2, 0x83, 3000, 100);        /* overlaps 1 */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 2);
	assert_int_equal(find(&tbl, 1)->sectors, 2048);
	assert_null(find(&tbl, 2));
	assert_true(has_problem(&tbl, PART_EPASTEND));
	assert_true(has_problem(&tbl, PART_EOVERLAP));
	memdisk_free(&m);
}

static void test_mbr_bad_boot_flag(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 4096);
	mbr_rec(sec(&m, 0), 0, 0x83, 2048, 100);
	sec(&m, 0)[offsetof(struct mbr_sector, part)] = 0x12;
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.scheme, PART_NONE);
	memdisk_free(&m);
}

/* GPT: 128 entries at LBA 2 (primary) and at last-32 (backup), header at 1 and last. */
#define GPT_N 128
static void gpt_write_header(struct memdisk *m, uint64_t lba, uint64_t alt, uint64_t entries,
			     uint32_t entries_crc)
{
	uint8_t *h = sec(m, lba);
	uint64_t last = m->bd.sectors - 1;

	memset(h, 0, 512);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, 34);
	put64(h + 48, last - 33);
	memset(h + 56, 0x5a, 16);
	put64(h + 72, entries);
	put32(h + 80, GPT_N);
	put32(h + 84, 128);
	put32(h + 88, entries_crc);
	put32(h + 16, ref_crc32(h, 92));
}

static void gpt_entry(uint8_t *arr, int i, uint8_t guid_byte, uint64_t first, uint64_t last,
		      const char *name)
{
	uint8_t *e = arr + 128 * i;

	memset(e, 0xAF, 16);                      /* any non-zero type GUID */
	memset(e + 16, guid_byte, 16);
	e[16] = (uint8_t)i;
	put64(e + 32, first);
	put64(e + 40, last);
	for (size_t k = 0; name[k]; k++)
		e[56 + 2 * k] = (uint8_t)name[k];
}

static void build_gpt(struct memdisk *m)
{
	uint64_t last = m->bd.sectors - 1;
	uint8_t arr[GPT_N * 128];
	uint32_t crc;

	memset(arr, 0, sizeof(arr));
	gpt_entry(arr, 0, 0x11, 2048, 4095, "boot");
	gpt_entry(arr, 2, 0x33, 4096, 8191, "swap");
	crc = ref_crc32(arr, sizeof(arr));
	memcpy(sec(m, 2), arr, sizeof(arr));
	memcpy(sec(m, last - 32), arr, sizeof(arr));
	mbr_rec(sec(m, 0), 0, MBR_TYPE_GPT, 1, (uint32_t)last);
	gpt_write_header(m, 1, last, 2, crc);
	gpt_write_header(m, last, 1, last - 32, crc);
}

static void check_gpt_parts(void)
{
	assert_int_equal(tbl.scheme, PART_GPT);
	assert_int_equal(tbl.count, 2);
	assert_int_equal(find(&tbl, 1)->start, 2048);
	assert_int_equal(find(&tbl, 1)->sectors, 2048);
	assert_string_equal(find(&tbl, 3)->name, "swap");
	assert_int_equal(find(&tbl, 3)->guid[0], 2);
	assert_int_equal(find(&tbl, 3)->guid[1], 0x33);
	assert_true(find(&tbl, 3)->has_guid);
	assert_int_equal(tbl.disk_guid[0], 0x5a);
}

static void test_gpt_valid(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	check_gpt_parts();
	assert_int_equal(tbl.problem_count, 0);
	memdisk_free(&m);
}

static void test_gpt_backup_after_header_damage(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	sec(&m, 1)[40] ^= 1;                            /* first_usable changes: CRC fails */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	check_gpt_parts();
	assert_true(has_problem(&tbl, PART_EGPTHDRCRC));
	assert_true(has_problem(&tbl, PART_EGPTBACKUP));
	memdisk_free(&m);
}

static void test_gpt_backup_after_entry_damage(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	sec(&m, 2)[128 * 2 + 33] ^= 0x10;              /* primary entry 3's start */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	check_gpt_parts();
	assert_true(has_problem(&tbl, PART_EGPTENTCRC));
	assert_true(has_problem(&tbl, PART_EGPTBACKUP));
	memdisk_free(&m);
}

static void test_gpt_both_damaged(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	sec(&m, 1)[0] = 'X';
	sec(&m, 16383)[16] ^= 1;
	assert_int_equal(part_scan(&m.bd, &tbl), PART_EGPTNONE);
	assert_int_equal(tbl.count, 0);
	assert_true(has_problem(&tbl, PART_EGPTHDR));
	assert_true(has_problem(&tbl, PART_EGPTHDRCRC));
	memdisk_free(&m);
}

/* An image cut short: the primary points its entries and usable area past the end. */
static void test_gpt_truncated_disk(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	m.bd.sectors = 1000;                            /* the table was made for 16384 */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_EGPTNONE);
	assert_true(has_problem(&tbl, PART_EGPTHDR));
	memdisk_free(&m);
}

static void test_gpt_entry_outside_usable(void **state)
{
	struct memdisk m;
	uint8_t arr[GPT_N * 128];

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	memcpy(arr, sec(&m, 2), sizeof(arr));
	gpt_entry(arr, 1, 0x22, 16000, 20000, "far");
	memcpy(sec(&m, 2), arr, sizeof(arr));
	gpt_write_header(&m, 1, 16383, 2, ref_crc32(arr, sizeof(arr)));
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 2);
	assert_null(find(&tbl, 2));
	assert_true(has_problem(&tbl, PART_EPASTEND));
	memdisk_free(&m);
}

static void test_gpt_header_fields(void **state)
{
	struct memdisk m;
	struct gpt_header h;

	(void)state;
	memdisk_init(&m, "vda", 16384);
	build_gpt(&m);
	assert_int_equal(gpt_check_header(sec(&m, 1), 512, 1, 16384, &h), PART_OK);
	assert_int_equal(h.entry_count, GPT_N);
	/* Read from the wrong place: my_lba disagrees. */
	assert_int_equal(gpt_check_header(sec(&m, 1), 512, 5, 16384, &h), PART_EGPTHDR);
	/* Too short a buffer never reads past it. */
	assert_int_equal(gpt_check_header(sec(&m, 1), 100, 1, 16384, &h), PART_EGPTHDR);
	/* An entry size Linux refuses. */
	put32(sec(&m, 1) + 84, 256);
	put32(sec(&m, 1) + 16, 0);
	put32(sec(&m, 1) + 16, ref_crc32(sec(&m, 1), 92));
	assert_int_equal(gpt_check_header(sec(&m, 1), 512, 1, 16384, &h), PART_EGPTHDR);
	memdisk_free(&m);
}

/* 4Kn disks (logical block 4096): every LBA in the tables counts 4096-byte blocks and
 * every read the parsers issue is whole blocks. */
#define BS4K 4096u
#define SPB  (BS4K / 512)                     /* sectors per block */

static uint8_t *blk(struct memdisk *m, uint64_t lba)
{
	return m->data + lba * BS4K;
}

static void test_mbr_4kn(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "nvme0n1", 4096 * SPB);             /* 16 MiB, 4096 blocks */
	memdisk_set_block(&m, BS4K);
	mbr_rec(blk(&m, 0), 0, 0x83, 256, 256);
	mbr_rec(blk(&m, 0), 1, 0x05, 1024, 2048);
	mbr_rec(blk(&m, 1024), 0, 0x82, 256, 512);          /* logical at block 1280 */
	mbr_rec(blk(&m, 0), 2, 0x83, 4000, 200);            /* clipped at block 4096 */
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.scheme, PART_MBR);
	assert_int_equal(tbl.count, 3);
	assert_int_equal(find(&tbl, 1)->start, 256 * SPB);
	assert_int_equal(find(&tbl, 1)->sectors, 256 * SPB);
	assert_int_equal(find(&tbl, 5)->start, 1280 * SPB);
	assert_int_equal(find(&tbl, 5)->sectors, 512 * SPB);
	assert_int_equal(find(&tbl, 3)->sectors, 96 * SPB);
	assert_true(has_problem(&tbl, PART_EPASTEND));
	assert_int_equal(m.misaligned, 0);
	memdisk_free(&m);
}

/* A GPT laid out in 4096-byte blocks: header at block 1, 128 entries in blocks 2-5,
 * backup entries at last-4 and backup header at the last block. */
static void gpt4k_header(struct memdisk *m, uint64_t lba, uint64_t alt, uint64_t entries,
			 uint32_t entries_crc)
{
	uint8_t *h = blk(m, lba);
	uint64_t last = m->bd.sectors / SPB - 1;

	memset(h, 0, BS4K);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, 6);
	put64(h + 48, last - 5);
	memset(h + 56, 0x4b, 16);
	put64(h + 72, entries);
	put32(h + 80, GPT_N);
	put32(h + 84, 128);
	put32(h + 88, entries_crc);
	put32(h + 16, ref_crc32(h, 92));
}

static void build_gpt_4kn(struct memdisk *m)
{
	uint64_t last = m->bd.sectors / SPB - 1;
	uint8_t arr[GPT_N * 128];
	uint32_t crc;

	memset(arr, 0, sizeof(arr));
	gpt_entry(arr, 0, 0x11, 256, 511, "boot");
	gpt_entry(arr, 1, 0x22, 512, 2047, "swap");
	crc = ref_crc32(arr, sizeof(arr));
	memcpy(blk(m, 2), arr, sizeof(arr));
	memcpy(blk(m, last - 4), arr, sizeof(arr));
	mbr_rec(blk(m, 0), 0, MBR_TYPE_GPT, 1, (uint32_t)last);
	gpt4k_header(m, 1, last, 2, crc);
	gpt4k_header(m, last, 1, last - 4, crc);
}

static void test_gpt_4kn(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "nvme0n1", 4096 * SPB);
	memdisk_set_block(&m, BS4K);
	build_gpt_4kn(&m);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.scheme, PART_GPT);
	assert_int_equal(tbl.count, 2);
	assert_int_equal(tbl.problem_count, 0);
	assert_int_equal(find(&tbl, 1)->start, 256 * SPB);
	assert_int_equal(find(&tbl, 1)->sectors, 256 * SPB);
	assert_int_equal(find(&tbl, 2)->start, 512 * SPB);
	assert_int_equal(find(&tbl, 2)->sectors, 1536 * SPB);
	assert_string_equal(find(&tbl, 2)->name, "swap");
	assert_int_equal(tbl.disk_guid[0], 0x4b);
	/* The primary header's block damaged: the backup at the last block serves. */
	blk(&m, 1)[0] = 'X';
	assert_int_equal(part_scan(&m.bd, &tbl), PART_OK);
	assert_int_equal(tbl.count, 2);
	assert_true(has_problem(&tbl, PART_EGPTBACKUP));
	assert_int_equal(m.misaligned, 0);
	memdisk_free(&m);
}

/* A 512-byte-sector GPT image put on a 4Kn disk: block 1 holds no header, nor does the
 * last block, so no partition is trusted (Linux finds none either). */
static void test_gpt_512_layout_on_4kn(void **state)
{
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "nvme0n1", 16384);
	build_gpt(&m);
	memdisk_set_block(&m, BS4K);
	assert_int_equal(part_scan(&m.bd, &tbl), PART_EGPTNONE);
	assert_int_equal(tbl.count, 0);
	assert_int_equal(m.misaligned, 0);
	memdisk_free(&m);
}

static void test_gpt_name_utf8(void **state)
{
	const uint8_t name[] = { 'a', 0, 0xE9, 0, 0xAC, 0x20, 0x00, 0xD8, 'z', 0, 0, 0 };
	char out[16];

	(void)state;
	gpt_name_to_utf8(name, 6, out, sizeof(out));
	assert_string_equal(out, "a\xC3\xA9\xE2\x82\xAC?z");
	gpt_name_to_utf8(name, 6, out, 4);               /* never overflows */
	assert_string_equal(out, "a\xC3\xA9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_table),
		cmocka_unit_test(test_mbr_primaries),
		cmocka_unit_test(test_mbr_extended),
		cmocka_unit_test(test_mbr_ebr_loop),
		cmocka_unit_test(test_mbr_ebr_bad_and_unreadable),
		cmocka_unit_test(test_mbr_past_end_and_overlap),
		cmocka_unit_test(test_mbr_bad_boot_flag),
		cmocka_unit_test(test_gpt_valid),
		cmocka_unit_test(test_gpt_backup_after_header_damage),
		cmocka_unit_test(test_gpt_backup_after_entry_damage),
		cmocka_unit_test(test_gpt_both_damaged),
		cmocka_unit_test(test_gpt_truncated_disk),
		cmocka_unit_test(test_gpt_entry_outside_usable),
		cmocka_unit_test(test_gpt_header_fields),
		cmocka_unit_test(test_gpt_name_utf8),
		cmocka_unit_test(test_mbr_4kn),
		cmocka_unit_test(test_gpt_4kn),
		cmocka_unit_test(test_gpt_512_layout_on_4kn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
