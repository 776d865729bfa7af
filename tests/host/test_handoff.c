/* Unit tests for resume/handoff.c on a fake machine (64 frames of RAM with a hole):
 * the walk of the image's own page tables as placement leaves them (4 KiB, 2 MiB and
 * 1 GiB leaves, 4 and 5 levels, staged and zeroed table pages, entries pointing
 * outside RAM), and handoff_prepare()'s decisions and temporary tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "resume/handoff.h"
#include "resume/place.h"
#include "resume/trampoline_abi.h"

#define FRAMES 64
#define HOLE_START 40           /* frames 40..43 are not RAM */
#define HOLE_END 44
#define P  0x1ull               /* present */
#define RW 0x2ull
#define PS 0x80ull              /* large page */

#define JUMP      0xffffffff81014123ull         /* restore_registers, 4-level: 511/510/8/20 */
#define JUMP_PFN  20ull
#define JUMP_PHYS (JUMP_PFN * 4096 + 0x123)
#define PML5      9
#define PML4      10
#define PDPT      11
#define PD        12
#define PT        13

struct fake {
	uint8_t mem[FRAMES][4096];
	bool thaw[FRAMES];
	bool forbidden[FRAMES];
	bool no_alloc;
	bool no_low;            /* alloc_low finds nothing */
	bool low[FRAMES];       /* handed out by alloc_low */
	int allocs;
};

static struct fake fk;

static bool fake_is_ram(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn < FRAMES && (pfn < HOLE_START || pfn >= HOLE_END);
}

static bool fake_is_thaw(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn < FRAMES && fk.thaw[pfn];
}

static void fake_forbid(void *ctx, uint64_t pfn, uint64_t count)
{
	(void)ctx;
	for (uint64_t i = pfn; i < pfn + count; i++)
		fk.forbidden[i] = true;
}

static uint64_t fake_alloc_safe(void *ctx)
{
	if (fk.no_alloc)
		return 0;
	for (uint64_t i = 1; i < FRAMES; i++) {
		if (fake_is_ram(ctx, i) && !fk.thaw[i] && !fk.forbidden[i]) {
			fk.thaw[i] = true;
			fk.allocs++;
			memset(fk.mem[i], 0xEE, 4096);  /* not zeroed: handoff.c must zero */
			return i;
		}
	}
	return 0;
}

/* "Below 4 GiB": the highest free frames, so a test tells them from alloc_safe's. */
static uint64_t fake_alloc_low(void *ctx)
{
	assert_ptr_equal(ctx, &fk);
	if (fk.no_low)
		return 0;
	for (uint64_t i = FRAMES - 1; i >= HOLE_END; i--) {
		if (!fk.thaw[i] && !fk.forbidden[i]) {
			fk.thaw[i] = fk.low[i] = true;
			fk.allocs++;
			memset(fk.mem[i], 0xEE, 4096);
			return i;
		}
	}
	return 0;
}

/* Only RAM frames are ever addressed: a walk must never follow an entry elsewhere. */
static void *fake_frame(void *ctx, uint64_t pfn)
{
	assert_true(fake_is_ram(ctx, pfn));
	return fk.mem[pfn];
}

static const struct place_env env = {
	.ctx = &fk, .is_ram = fake_is_ram, .is_thaw = fake_is_thaw, .forbid = fake_forbid,
	.alloc_safe = fake_alloc_safe, .frame = fake_frame,
};

static struct placer pl;
static const uint8_t tramp_code[] = { 0xfa, 0xf4, 0xeb, 0xfd, 0x90, 0xc3 };
static struct handoff_env henv;
static struct handoff h;

static uint64_t *table(uint64_t pfn)
{
	return (uint64_t *)fk.mem[pfn];
}

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

/* The image's tables for JUMP → JUMP_PHYS in frames PML4..PT, as the copy leaves them. */
static void image_tables_4k(void)
{
	table(PML4)[idx(JUMP, 4)] = (PDPT << 12) | P | RW;
	table(PDPT)[idx(JUMP, 3)] = (PD << 12) | P | RW;
	table(PD)[idx(JUMP, 2)] = (PT << 12) | P | RW;
	table(PT)[idx(JUMP, 1)] = (JUMP_PFN << 12) | P;
}

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&h, 0, sizeof(h));
	fk.thaw[0] = true;
	place_init(&pl, &env);
	image_tables_4k();
	/* The image lists every frame below the hole; thaw's safe frames lie above it. */
	for (uint64_t pfn = 1; pfn < HOLE_START; pfn++)
		assert_int_equal(place_reserve(&pl, pfn), PLACE_OK);
	place_reserve_end(&pl);
	henv = (struct handoff_env){ .max_pfn = FRAMES, .cpu_levels = 4, .cpu_nx = true,
				     .tramp_code = tramp_code, .tramp_len = sizeof(tramp_code),
				     .alloc_low = fake_alloc_low };
	h = (struct handoff){ .jump = JUMP, .jump_phys = JUMP_PHYS, .image_cr3 = PML4 << 12,
			      .protocol = TRAMP_PROTO_MODERN };
	return 0;
}

static void test_walk_4k(void **state)
{
	uint64_t pa = 0;

	(void)state;
	assert_true(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
	assert_int_equal(pa, JUMP_PHYS);
	/* The neighbouring page has no PTE. */
	assert_false(handoff_walk(&pl, PML4 << 12, 4, JUMP + 4096, &pa));
	/* Under 5 levels the same cr3 means something else: PML4[511] → PML4 as a PDPT… */
	assert_false(handoff_walk(&pl, PML4 << 12, 5, JUMP, &pa) && pa == JUMP_PHYS);
}

static void test_walk_large_pages(void **state)
{
	uint64_t pa = 0;

	(void)state;
	table(PD)[idx(JUMP, 2)] = 0x400000ull | PS | P;               /* 2 MiB */
	assert_true(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
	assert_int_equal(pa, 0x400000ull | (JUMP & 0x1fffff));
	table(PDPT)[idx(JUMP, 3)] = 0x40000000ull | PS | P;           /* 1 GiB */
	assert_true(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
	assert_int_equal(pa, 0x40000000ull | (JUMP & 0x3fffffff));
	/* PS in a PML4 entry is not a leaf: the walk goes on to a table there. */
	table(PML4)[idx(JUMP, 4)] = (PDPT << 12) | PS | P;
	assert_true(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
}

/* Entries that point outside RAM are unmapped; nothing there is ever read. */
static void test_walk_refuses_outside_ram(void **state)
{
	uint64_t pa = 0;

	(void)state;
	table(PDPT)[idx(JUMP, 3)] = ((uint64_t)HOLE_START << 12) | P;
	assert_false(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
	table(PDPT)[idx(JUMP, 3)] = (0x123456ull << 12) | P;          /* far past RAM */
	assert_false(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
	assert_false(handoff_walk(&pl, (uint64_t)(HOLE_START + 1) << 12, 4, JUMP, &pa));
	assert_false(handoff_walk(&pl, 0x000ffffffffff000ull, 4, JUMP, &pa));
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_EUNMAPPED);
}

/* A table page whose home thaw occupies is read from its staged copy; a zero-flagged
 * one is all zero whatever the frame holds now. */
static void test_walk_follows_placement(void **state)
{
	enum place_err e;
	uint64_t *staged, pa = 0;

	(void)state;
	fk.thaw[PT] = true;
	memset(fk.mem[PT], 0, 4096);               /* thaw's data there maps nothing */
	staged = place_dest(&pl, PT, &e);
	assert_int_equal(e, PLACE_OK);
	assert_ptr_not_equal(staged, table(PT));
	memset(staged, 0, 4096);
	staged[idx(JUMP, 1)] = (JUMP_PFN << 12) | P;
	assert_true(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
	assert_int_equal(pa, JUMP_PHYS);

	fk.thaw[PD] = true;                         /* PD frame is thaw's and listed zero */
	assert_int_equal(place_zero(&pl, PD), PLACE_OK);
	assert_false(handoff_walk(&pl, PML4 << 12, 4, JUMP, &pa));
}

/* Where va lands under the temporary tables h built (they live in thaw frames). */
static uint64_t temp_lookup(uint64_t va)
{
	uint64_t pa = ~0ull;

	assert_true(handoff_walk(&pl, h.temp_cr3, h.levels, va, &pa));
	return pa;
}

static void test_prepare_builds_tables(void **state)
{
	(void)state;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_OK);
	assert_int_equal(h.levels, 4);
	assert_true(h.temp_cr3 && !(h.temp_cr3 & 0xfff));
	/* Every frame the hand-off took is a safe one: above the listed frames. */
	assert_true(h.temp_cr3 >> 12 >= HOLE_END && h.tramp >> 12 >= HOLE_END);
	/* Identity map of RAM only: this 2 MiB is partly RAM, so 4 KiB pages for its RAM
	 * frames and none for the hole or past the last frame (never MMIO write-back). */
	assert_int_equal(temp_lookup(0), 0);
	assert_int_equal(temp_lookup(0x12345), 0x12345);
	assert_int_equal(temp_lookup((FRAMES - 1) * 4096ull + 8), (FRAMES - 1) * 4096ull + 8);
	assert_int_equal(temp_lookup(HOLE_END * 4096ull), HOLE_END * 4096ull);
	for (uint64_t f = HOLE_START; f < HOLE_END; f++)
		assert_false(handoff_walk(&pl, h.temp_cr3, 4, f * 4096, &(uint64_t){ 0 }));
	assert_false(handoff_walk(&pl, h.temp_cr3, 4, FRAMES * 4096ull, &(uint64_t){ 0 }));
	assert_false(handoff_walk(&pl, h.temp_cr3, 4, 0xfec00000ull, &(uint64_t){ 0 }));
	/* The entry point: same offset in its 2 MiB page, so one 2 MiB mapping. */
	assert_int_equal(temp_lookup(JUMP), JUMP_PHYS);
	assert_int_equal(temp_lookup(JUMP + 0x100000), JUMP_PHYS + 0x100000);
	/* PML4 + PDPT + PD + PT for the identity map, PDPT + PD for the kernel text. */
	assert_int_equal(h.table_frames, 6);
	assert_memory_equal(fk.mem[h.tramp >> 12], tramp_code, sizeof(tramp_code));
	assert_int_equal(fk.mem[h.tramp >> 12][sizeof(tramp_code)], 0);   /* zeroed */
	assert_int_equal(fk.allocs, 7);
}

/* jump and jump_phys at different offsets in their 2 MiB pages: two 4 KiB pages. */
static void test_prepare_unaligned_text(void **state)
{
	(void)state;
	h.jump_phys = JUMP_PHYS + 0x3000;
	table(PT)[idx(JUMP, 1)] = ((JUMP_PFN + 3) << 12) | P;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_OK);
	assert_int_equal(temp_lookup(JUMP), JUMP_PHYS + 0x3000);
	assert_int_equal(temp_lookup(JUMP + 4096), JUMP_PHYS + 0x3000 + 4096);
	assert_false(handoff_walk(&pl, h.temp_cr3, 4, JUMP + 2 * 4096, &(uint64_t){ 0 }));
}

static void test_prepare_five_levels(void **state)
{
	(void)state;
	table(PML5)[idx(JUMP, 5)] = (PML4 << 12) | P | RW;
	h.image_cr3 = PML5 << 12;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_ELA57);   /* no LA57 */
	assert_int_equal(fk.allocs, 0);            /* refused before allocating anything */
	henv.cpu_levels = 5;
	henv.cpu_la57 = true;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_OK);
	assert_int_equal(h.levels, 5);
	assert_false(h.switch_levels);
	assert_false(fk.low[h.temp_cr3 >> 12] || fk.low[h.tramp >> 12]);
	assert_int_equal(temp_lookup(JUMP), JUMP_PHYS);
	assert_int_equal(temp_lookup(0x5000), 0x5000);
}

/* thaw (4-level) on a CPU with LA57, a 5-level image: tables in 5 levels, their root
 * and the trampoline from alloc_low (the trampoline switches depth in 32-bit code). */
static void test_prepare_switch_to_five_levels(void **state)
{
	(void)state;
	table(PML5)[idx(JUMP, 5)] = (PML4 << 12) | P | RW;
	h.image_cr3 = PML5 << 12;
	henv.cpu_la57 = true;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_OK);
	assert_int_equal(h.levels, 5);
	assert_true(h.switch_levels);
	assert_true(fk.low[h.temp_cr3 >> 12] && fk.low[h.tramp >> 12]);
	assert_memory_equal(fk.mem[h.tramp >> 12], tramp_code, sizeof(tramp_code));
	assert_int_equal(temp_lookup(JUMP), JUMP_PHYS);
	assert_int_equal(temp_lookup(0x5000), 0x5000);
	/* The identity map hangs under PML5 entry 0, the text under entry 511. */
	assert_true(table(h.temp_cr3 >> 12)[0] & P);
	assert_true(table(h.temp_cr3 >> 12)[511] & P);
}

static void test_prepare_switch_needs_low_frames(void **state)
{
	(void)state;
	table(PML5)[idx(JUMP, 5)] = (PML4 << 12) | P | RW;
	h.image_cr3 = PML5 << 12;
	henv.cpu_la57 = true;
	fk.no_low = true;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_ENOMEM);
}

/* thaw in 5 levels (never so today; kexec's purgatory leaves paging off) and a
 * 4-level image (no5lvl): the trampoline switches down. */
static void test_prepare_four_level_image_on_la57(void **state)
{
	(void)state;
	henv.cpu_levels = 5;
	henv.cpu_la57 = true;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_OK);
	assert_int_equal(h.levels, 4);
	assert_true(h.switch_levels);
	assert_int_equal(temp_lookup(JUMP), JUMP_PHYS);
}

static void test_prepare_refusals(void **state)
{
	(void)state;
	henv.cpu_nx = false;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_ENONX);
	henv.cpu_nx = true;
	h.jump = 0x00007fffffff0000ull;             /* a user address */
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_EJUMP);
	h.jump = JUMP;
	h.jump_phys = JUMP_PHYS + 4096;             /* the tables say otherwise */
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_EUNMAPPED);
	assert_int_equal(fk.allocs, 0);
	assert_string_equal(handoff_strerror(HANDOFF_EUNMAPPED),
			    "the image's page tables do not map restore_registers "
			    "(as 4-level or as 5-level tables)");
}

/* The 2007 record: no cr3, jump_phys derived from __START_KERNEL_map. */
static void test_prepare_seed_protocol(void **state)
{
	(void)state;
	h = (struct handoff){ .jump = JUMP, .protocol = TRAMP_PROTO_SEED };
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_OK);
	assert_int_equal(h.jump_phys, JUMP - 0xffffffff80000000ull);
	assert_int_equal(h.levels, 4);
	h = (struct handoff){ .jump = 0xffff888000100000ull, .protocol = TRAMP_PROTO_SEED };
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_EJUMP);
}

static void test_prepare_out_of_frames(void **state)
{
	(void)state;
	fk.no_alloc = true;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_ENOMEM);
	/* Room for the tables but not the trampoline. */
	fk.no_alloc = false;
	for (uint64_t i = HOLE_END + 5; i < FRAMES; i++)
		fk.thaw[i] = true;
	assert_int_equal(handoff_prepare(&h, &pl, &henv), HANDOFF_ENOMEM);
	assert_int_equal(fk.allocs, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_walk_4k, setup),
		cmocka_unit_test_setup(test_walk_large_pages, setup),
		cmocka_unit_test_setup(test_walk_refuses_outside_ram, setup),
		cmocka_unit_test_setup(test_walk_follows_placement, setup),
		cmocka_unit_test_setup(test_prepare_builds_tables, setup),
		cmocka_unit_test_setup(test_prepare_unaligned_text, setup),
		cmocka_unit_test_setup(test_prepare_five_levels, setup),
		cmocka_unit_test_setup(test_prepare_switch_to_five_levels, setup),
		cmocka_unit_test_setup(test_prepare_switch_needs_low_frames, setup),
		cmocka_unit_test_setup(test_prepare_four_level_image_on_la57, setup),
		cmocka_unit_test_setup(test_prepare_refusals, setup),
		cmocka_unit_test_setup(test_prepare_seed_protocol, setup),
		cmocka_unit_test_setup(test_prepare_out_of_frames, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
