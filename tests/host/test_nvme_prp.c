/* Unit tests for drivers/nvme_prp.c: PRP1/PRP2/list for transfers at every kind of
 * offset and length, against the rules QEMU's nvme_map_prp() enforces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "drivers/nvme_prp.h"

static uint64_t list[NVME_PRP_LIST_MAX];
#define LIST_PHYS 0x7000000ull

/* Walk the description like a controller: the pages covered, in order, must be the
 * buffer's pages and every entry after PRP1 page-aligned. */
static void check_cover(uint64_t buf, uint32_t bytes, const struct nvme_prp *p)
{
	uint64_t addr = p->prp1, left = bytes;
	uint32_t used = 0;

	assert_int_equal(addr, buf);
	left -= left < NVME_PAGE - (addr & 4095) ? left : NVME_PAGE - (addr & 4095);
	while (left) {
		uint64_t e;

		if (p->entries == 0) {
			assert_true(used == 0);
			e = p->prp2;
		} else {
			assert_int_equal(p->prp2, LIST_PHYS);
			assert_true(used < p->entries);
			e = list[used];
		}
		used++;
		assert_int_equal(e & 4095, 0);
		assert_int_equal(e, (buf & ~4095ull) + (uint64_t)used * NVME_PAGE);
		left -= left < NVME_PAGE ? left : NVME_PAGE;
	}
	if (p->entries)
		assert_int_equal(used, p->entries);
	else if (used == 0)
		assert_int_equal(p->prp2, 0);
}

static void test_shapes(void **state)
{
	static const uint64_t offs[] = { 0, 4, 512, 4092 };
	static const uint32_t lens[] = { 4, 512, 4096, 4097, 8192, 12288, 65536, 512 * 1024,
					 1024 * 1024 };
	struct nvme_prp p;

	(void)state;
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (unsigned j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			uint64_t buf = 0x12340000ull + offs[i];

			assert_true(nvme_prp_build(buf, lens[j], list, LIST_PHYS, &p));
			check_cover(buf, lens[j], &p);
		}
}

static void test_two_pages_no_list(void **state)
{
	struct nvme_prp p;

	(void)state;
	assert_true(nvme_prp_build(0x10000800, 4096, list, LIST_PHYS, &p));
	assert_int_equal(p.prp2, 0x10001000);
	assert_int_equal(p.entries, 0);
	assert_true(nvme_prp_build(0x10000000, 8192, list, LIST_PHYS, &p));
	assert_int_equal(p.prp2, 0x10001000);
	assert_true(nvme_prp_build(0x10000000, 8193, list, LIST_PHYS, &p));
	assert_int_equal(p.prp2, LIST_PHYS);
	assert_int_equal(p.entries, 2);
}

static void test_refused(void **state)
{
	struct nvme_prp p;

	(void)state;
	assert_false(nvme_prp_build(0x10000002, 512, list, LIST_PHYS, &p));  /* not dword */
	assert_false(nvme_prp_build(0x10000000, 0, list, LIST_PHYS, &p));
	assert_false(nvme_prp_build(0x10000000, 8192, list, LIST_PHYS + 8, &p));
	/* 513 pages after the first: more than one list page holds. */
	assert_false(nvme_prp_build(0x10000000, (NVME_PRP_LIST_MAX + 2) * NVME_PAGE, list,
				    LIST_PHYS, &p));
	assert_true(nvme_prp_build(0x10000000, (NVME_PRP_LIST_MAX + 1) * NVME_PAGE, list,
				   LIST_PHYS, &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_two_pages_no_list),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
