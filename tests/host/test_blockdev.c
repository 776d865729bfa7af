/* Unit tests for block/blockdev.c: partition naming and offsets, range and
 * logical-block alignment checks, and request splitting, over RAM disks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "block/blockdev.h"
#include "tests/host/memdisk.h"

static void fill(struct memdisk *m)
{
	for (uint64_t i = 0; i < m->bd.sectors * 512; i++)
		m->data[i] = (uint8_t)(i * 7 + (i >> 9));
}

static void test_partition_names(void **state)
{
	struct memdisk m;
	struct blockdev p;

	(void)state;
	memdisk_init(&m, "vda", 64);
	blockdev_partition_init(&p, &m.bd, 2, 8, 16);
	assert_string_equal(p.name, "vda2");
	memdisk_free(&m);
	memdisk_init(&m, "nvme0n1", 64);
	memdisk_set_block(&m, 4096);
	blockdev_partition_init(&p, &m.bd, 12, 8, 16);
	assert_string_equal(p.name, "nvme0n1p12");
	assert_int_equal(p.block_size, 4096);
	assert_int_equal(blockdev_block_sectors(&p), 8);
	memdisk_free(&m);
}

static void test_block_sizes(void **state)
{
	struct blockdev d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(blockdev_block_sectors(&d), 1);     /* 0 means 512 */
	assert_int_equal(blockdev_block_bytes(&d), 512);
	assert_true(blockdev_aligned(&d, 3, 5));
	d.block_size = 4096;
	assert_int_equal(blockdev_block_sectors(&d), 8);
	assert_true(blockdev_aligned(&d, 16, 8));
	assert_false(blockdev_aligned(&d, 4, 8));
	assert_false(blockdev_aligned(&d, 8, 1));
}

/* 4Kn: misaligned requests are refused, never partly done; aligned ones read the
 * right bytes through a partition, split at max_sectors rounded to whole blocks. */
static void test_4kn_requests(void **state)
{
	static uint8_t buf[64 * 512];
	struct memdisk m;
	struct blockdev p;

	(void)state;
	memdisk_init(&m, "nvme0n1", 256);
	memdisk_set_block(&m, 4096);
	m.bd.max_sectors = 12;                  /* not a whole number of blocks */
	fill(&m);
	blockdev_partition_init(&p, &m.bd, 1, 64, 128);
	assert_int_equal(blockdev_read(&m.bd, 4, 8, buf), BLK_EINVAL);
	assert_int_equal(blockdev_read(&m.bd, 8, 4, buf), BLK_EINVAL);
	assert_int_equal(blockdev_read(&p, 1, 8, buf), BLK_EINVAL);
	assert_int_equal(blockdev_write(&p, 0, 7, buf), BLK_EINVAL);
	assert_int_equal(m.reads, 0);
	assert_int_equal(blockdev_read(&p, 120, 16, buf), BLK_ERANGE);
	assert_int_equal(blockdev_read(&p, 16, 40, buf), BLK_OK);
	assert_memory_equal(buf, m.data + (64 + 16) * 512, 40 * 512);
	assert_int_equal(m.reads, 5);           /* 40 sectors in 8-sector pieces */
	assert_int_equal(m.misaligned, 0);
	memset(buf, 0xA5, 8 * 512);
	assert_int_equal(blockdev_write(&p, 120, 8, buf), BLK_OK);
	assert_int_equal(m.data[(64 + 120) * 512], 0xA5);
	assert_int_equal(m.data[(64 + 128) * 512 - 1], 0xA5);
	assert_int_equal(m.misaligned, 0);
	memdisk_free(&m);
}

static void test_512_requests(void **state)
{
	static uint8_t buf[16 * 512];
	struct memdisk m;

	(void)state;
	memdisk_init(&m, "vda", 64);
	m.bd.max_sectors = 3;
	fill(&m);
	assert_int_equal(blockdev_read(&m.bd, 5, 7, buf), BLK_OK);
	assert_memory_equal(buf, m.data + 5 * 512, 7 * 512);
	assert_int_equal(m.reads, 3);
	assert_int_equal(blockdev_read(&m.bd, 60, 5, buf), BLK_ERANGE);
	memdisk_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partition_names),
		cmocka_unit_test(test_block_sizes),
		cmocka_unit_test(test_4kn_requests),
		cmocka_unit_test(test_512_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
