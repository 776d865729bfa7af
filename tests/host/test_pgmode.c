/* Unit tests for resume/pgmode.c: the image's paging depth from its own tables (4- and
 * 5-level trees built here as Linux builds them: the kernel text at the top of the
 * address space, an identity map under entry 0) and the hand-off plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "resume/pgmode.h"

#define FRAMES 32
#define P      0x3ull                   /* present | writable */
#define PS     0x80ull
#define NX     (1ull << 63)
#define TEXT_VA   0xffffffff83000000ull /* __START_KERNEL_map + 48 MiB */
#define TEXT_PA   0x3000000ull
#define HIGH_VA   0xff11000000000000ull /* beyond 48 bits: 5-level direct map */

struct mem {
	uint64_t t[FRAMES][512];
	bool readable[FRAMES];
	int lookups;
};

static const void *lookup(void *ctx, uint64_t pfn)
{
	struct mem *m = ctx;

	m->lookups++;
	return pfn < FRAMES && m->readable[pfn] ? m->t[pfn] : NULL;
}

static uint64_t *table(struct mem *m, unsigned pfn)
{
	m->readable[pfn] = true;
	return m->t[pfn];
}

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

/* Linux-like 4-level tables rooted at frame 1: TEXT_VA's 2 MiB page → TEXT_PA, and
 * the first GiB identity-mapped by one 1 GiB page. Frames 1-3. */
static uint64_t four_level(struct mem *m)
{
	uint64_t *pml4 = table(m, 1), *pdpt = table(m, 2), *pd = table(m, 3);

	pml4[idx(TEXT_VA, 4)] = (2ull << 12) | P;
	pdpt[idx(TEXT_VA, 3)] = (3ull << 12) | P;
	pd[idx(TEXT_VA, 2)] = TEXT_PA | P | PS;
	pml4[0] = (4ull << 12) | P;
	table(m, 4)[0] = 0 | P | PS | NX;
	return 1ull << 12;
}

/* The same tree under a PML5 at frame 8, which also maps HIGH_VA (frames 9-11). */
static uint64_t five_level(struct mem *m)
{
	uint64_t *pml5 = table(m, 8);

	four_level(m);
	pml5[idx(TEXT_VA, 5)] = (1ull << 12) | P;
	pml5[0] = (1ull << 12) | P;
	pml5[idx(HIGH_VA, 5)] = (9ull << 12) | P;
	table(m, 9)[idx(HIGH_VA, 4)] = (10ull << 12) | P;
	table(m, 10)[idx(HIGH_VA, 3)] = (11ull << 12) | P;
	table(m, 11)[idx(HIGH_VA, 2)] = 0x200000 | P | PS | NX;
	return 8ull << 12;
}

static void test_walk_four_levels(void **state)
{
	struct mem m = { 0 };
	uint64_t cr3 = four_level(&m), pa = 0;

	(void)state;
	assert_true(pgmode_walk(lookup, &m, cr3, 4, TEXT_VA + 0x1234, &pa));
	assert_int_equal(pa, TEXT_PA + 0x1234);
	assert_true(pgmode_walk(lookup, &m, cr3, 4, 0x12345678, &pa));   /* 1 GiB page */
	assert_int_equal(pa, 0x12345678);
	assert_false(pgmode_walk(lookup, &m, cr3, 4, TEXT_VA + 0x200000, &pa));
	assert_false(pgmode_walk(lookup, &m, cr3, 3, TEXT_VA, &pa));     /* no such depth */
}

static void test_walk_five_levels_beyond_48_bits(void **state)
{
	struct mem m = { 0 };
	uint64_t cr3 = five_level(&m), pa = 0;

	(void)state;
	assert_true(pgmode_walk(lookup, &m, cr3, 5, TEXT_VA + 8, &pa));
	assert_int_equal(pa, TEXT_PA + 8);
	assert_true(pgmode_walk(lookup, &m, cr3, 5, HIGH_VA + 0x10, &pa));
	assert_int_equal(pa, 0x200010);
	assert_true(pgmode_walk(lookup, &m, cr3, 5, 0x1000, &pa));
	assert_int_equal(pa, 0x1000);
}

static void test_image_levels(void **state)
{
	struct mem four = { 0 }, five = { 0 };
	uint64_t cr3_4 = four_level(&four), cr3_5 = five_level(&five);

	(void)state;
	assert_int_equal(pgmode_image_levels(lookup, &four, cr3_4, TEXT_VA, TEXT_PA), 4);
	assert_int_equal(pgmode_image_levels(lookup, &five, cr3_5, TEXT_VA, TEXT_PA), 5);
	/* The jump resolves elsewhere, or not at all: no depth. */
	assert_int_equal(pgmode_image_levels(lookup, &four, cr3_4, TEXT_VA, TEXT_PA + 0x200000), 0);
	assert_int_equal(pgmode_image_levels(lookup, &five, cr3_5, TEXT_VA + 0x400000, TEXT_PA), 0);
}

/* A root that reads as a 4-level tree and as a 5-level tree leading to the same
 * frame tells nothing: refuse rather than guess. Frame 20's entry 511 points to frame
 * 20 with PS set, which the walk follows as a table at the PML5/PML4 levels and takes
 * as a 1 GiB page at the PDPT level — whatever the depth. */
static void test_ambiguous_depth(void **state)
{
	struct mem m = { 0 };
	uint64_t *self = table(&m, 20);
	uint64_t va = 0xffffffffffe00000ull;    /* index 511 at every level */
	uint64_t pa4 = 0, pa5 = 0;

	(void)state;
	self[511] = (20ull << 12) | P | PS;
	assert_true(pgmode_walk(lookup, &m, 20ull << 12, 4, va, &pa4));
	assert_true(pgmode_walk(lookup, &m, 20ull << 12, 5, va, &pa5));
	assert_int_equal(pa4, va & 0x3fffffffull);
	assert_int_equal(pa5, pa4);
	assert_int_equal(pgmode_image_levels(lookup, &m, 20ull << 12, va, pa4), 0);
}

static void test_unreadable_tables(void **state)
{
	struct mem m = { 0 };
	uint64_t cr3 = four_level(&m), pa;

	(void)state;
	m.readable[3] = false;                  /* the PD: a zero page or not RAM */
	assert_false(pgmode_walk(lookup, &m, cr3, 4, TEXT_VA, &pa));
	assert_int_equal(pgmode_image_levels(lookup, &m, cr3, TEXT_VA, TEXT_PA), 0);
}

static void test_plan(void **state)
{
	(void)state;
	assert_int_equal(pgmode_plan(4, false, 4), PGMODE_KEEP);
	assert_int_equal(pgmode_plan(4, true, 4), PGMODE_KEEP);
	assert_int_equal(pgmode_plan(4, true, 5), PGMODE_SWITCH);
	assert_int_equal(pgmode_plan(5, true, 4), PGMODE_SWITCH);
	assert_int_equal(pgmode_plan(5, true, 5), PGMODE_KEEP);
	assert_int_equal(pgmode_plan(4, false, 5), PGMODE_ENOLA57);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_four_levels),
		cmocka_unit_test(test_walk_five_levels_beyond_48_bits),
		cmocka_unit_test(test_image_levels),
		cmocka_unit_test(test_ambiguous_depth),
		cmocka_unit_test(test_unreadable_tables),
		cmocka_unit_test(test_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
