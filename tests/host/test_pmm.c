/* Unit tests for mm/pmm_core.c with synthetic memory maps: unsorted, overlapping,
 * zero-length and unaligned entries, RAM above 4 GiB, 1 TiB of RAM; allocation,
 * alignment, forbidding, freeing and the self-check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/pmm_core.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define TiB (1ull << 40)
#define PFN(a) ((a) >> 12)

/* The "physical memory" the core keeps its bitmaps in: one host buffer. */
struct fake_phys {
	uint64_t phys, len;
	void *mem;
};

static void *map_hook(void *ctx, uint64_t phys, uint64_t len)
{
	struct fake_phys *f = ctx;

	assert_null(f->mem);            /* the core maps its bitmaps once */
	f->phys = phys;
	f->len = len;
	f->mem = malloc(len);
	assert_non_null(f->mem);
	memset(f->mem, 0xFF, len);      /* the core must clear it itself */
	return f->mem;
}

static struct pmm *pmm_new(void)
{
	struct pmm *p = malloc(sizeof(*p));

	assert_non_null(p);
	return p;
}

static enum pmm_err init(struct pmm *p, struct fake_phys *f, const struct mem_range *map,
			 uint32_t n, const struct pmm_region *res, uint32_t nres)
{
	memset(f, 0, sizeof(*f));
	return pmm_core_init(p, map, n, res, nres, 4 * GiB, map_hook, f);
}

static void done(struct pmm *p, struct fake_phys *f)
{
	free(f->mem);
	free(p);
}

/* QEMU pc with SeaBIOS, 512 MiB; thaw at 1 MiB, its boot information after it. */
static const struct mem_range seabios[] = {
	{ 0x0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x1fee0000, 1 }, { 0x1ffe0000, 0x20000, 2 },
	{ 0xfffc0000, 0x40000, 2 }, { 0xfd00000000, 0x300000000, 2 },
};
static const struct pmm_region thaw_regions[] = {
	{ 0x100000, 0x17a000 }, { 0x1dc000, 0x1dd000 },
};

static void test_seabios_map(void **state)
{
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, seabios, 7, thaw_regions, 2), PMM_OK);
	assert_int_equal(p->nranges, 2);
	assert_int_equal(p->ranges[0].start, 0);
	assert_int_equal(p->ranges[0].end, 0x9f);        /* 0x9fc00 rounded down */
	assert_int_equal(p->ranges[1].start, 0x100);
	assert_int_equal(p->ranges[1].end, 0x1ffe0);
	assert_int_equal(pmm_core_max_pfn(p), 0x1ffe0);
	assert_true(pmm_core_is_ram(p, 0x9e));
	assert_false(pmm_core_is_ram(p, 0x9f));
	assert_false(pmm_core_is_ram(p, 0xf0));
	assert_false(pmm_core_is_ram(p, 0x1ffe0));
	assert_false(pmm_core_is_ram(p, PFN(0xfd00000000)));
	/* Low memory is RAM but never free; thaw's regions are thaw's. */
	assert_false(pmm_core_is_free(p, 0));
	assert_false(pmm_core_is_free(p, 0x50));
	assert_false(pmm_core_is_thaw(p, 0x50));
	assert_true(pmm_core_is_thaw(p, 0x100));
	assert_true(pmm_core_is_thaw(p, 0x179));
	assert_int_equal(f.phys, 0x17a000);     /* first fit after thaw's image */
	assert_true(pmm_core_is_thaw(p, 0x1dc));
	/* The bitmaps sit in RAM, clear of thaw, and are thaw's. */
	assert_true(f.phys >= 0x100000);
	assert_true(f.phys >= 0x17a000);
	assert_true(pmm_core_is_thaw(p, PFN(f.phys)));
	uint64_t bitmap_frames = (f.len + 4095) / 4096;
	assert_int_equal(p->free, (0x1ffe0 - 0x100) - (0x17a - 0x100) - 1 - bitmap_frames);
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

/* Unsorted, overlapping RAM entries merge; any non-RAM claim wins over RAM. */
static void test_unsorted_overlapping(void **state)
{
	static const struct mem_range map[] = {
		{ 0x4000000, 0x1000000, 1 },    /* 64-80 MiB */
		{ 0x100000, 0x1000000, 1 },     /* 1-17 MiB */
		{ 0x800000, 0x2000000, 1 },     /* 8-40 MiB, overlaps the previous */
		{ 0x2800000, 0x1800000, 1 },    /* 40-64 MiB: adjacent, merges */
		{ 0x1000000, 0x10000, 4 },      /* NVS inside RAM: punched out */
		{ 0x4800000, 0x10000000, 2 },   /* reserved overlapping the top RAM */
		{ 0xFFF000, 0x2000, 1 },        /* RAM over the NVS hole: NVS still wins */
	};
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, map, 7, NULL, 0), PMM_OK);
	assert_int_equal(p->nranges, 2);
	assert_int_equal(p->ranges[0].start, 0x100);
	assert_int_equal(p->ranges[0].end, 0x1000);
	assert_int_equal(p->ranges[1].start, 0x1010);
	assert_int_equal(p->ranges[1].end, 0x4800);
	assert_false(pmm_core_is_ram(p, 0x1000));
	assert_false(pmm_core_is_ram(p, 0x100f));
	assert_false(pmm_core_is_ram(p, 0x4800));
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

/* Zero-length entries change nothing; unaligned RAM shrinks inward, unaligned
 * reservations grow outward. */
static void test_zero_length_and_unaligned(void **state)
{
	static const struct mem_range map[] = {
		{ 0x100800, 0x3000, 1 },        /* frames 0x101, 0x102 only */
		{ 0x200000, 0, 2 },             /* zero-length reservation: ignored */
		{ 0x300000, 0, 1 },             /* zero-length RAM: ignored */
		{ 0x400000, 0x100000, 1 },
		{ 0x400800, 0x10, 2 },          /* 16 bytes reserved: frame 0x400 lost */
		{ 0x4ff001, 0x1, 3 },           /* one byte of ACPI data: frame 0x4ff lost */
		{ 0x600000, 0xfff, 1 },         /* less than a frame: nothing */
	};
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, map, 7, NULL, 0), PMM_OK);
	assert_int_equal(p->nranges, 2);
	assert_int_equal(p->ranges[0].start, 0x101);
	assert_int_equal(p->ranges[0].end, 0x103);
	assert_int_equal(p->ranges[1].start, 0x401);
	assert_int_equal(p->ranges[1].end, 0x4ff);
	assert_false(pmm_core_is_ram(p, 0x100));
	assert_false(pmm_core_is_ram(p, 0x600));
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

static void test_above_4g(void **state)
{
	static const struct mem_range map[] = {
		{ 0x100000000, 0x100000000, 1 },        /* 4-8 GiB */
		{ 0x0, 0x9fc00, 1 },
		{ 0x100000, 0x7ff00000, 1 },            /* 1 MiB - 2 GiB */
		{ 0xfd00000000, 0x300000000, 2 },
	};
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, map, 4, NULL, 0), PMM_OK);
	assert_int_equal(pmm_core_max_pfn(p), PFN(0x200000000));
	assert_true(pmm_core_is_ram(p, PFN(0x100000000)));
	assert_true(pmm_core_is_ram(p, PFN(0x1fffff000)));
	assert_false(pmm_core_is_ram(p, PFN(0x80000000)));
	assert_true(f.phys + f.len <= 4 * GiB);
	/* A limit keeps allocations low; without one, high frames are used too. */
	uint64_t lo = pmm_core_alloc(p, 1, 1, PFN(4 * GiB));
	assert_true(lo && lo < PFN(4 * GiB));
	uint64_t hi = pmm_core_alloc(p, 512, 512, UINT64_MAX);
	assert_true(hi);
	/* A run larger than all RAM below 4 GiB can only come from above it; with a
	 * 4 GiB limit it cannot be had at all. */
	assert_int_equal(pmm_core_alloc(p, PFN(3 * GiB), 1, PFN(4 * GiB)), 0);
	uint64_t big = pmm_core_alloc(p, PFN(3 * GiB), 1, UINT64_MAX);
	assert_int_equal(big, PFN(4 * GiB));
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

/* 1 TiB of RAM: 2^28 frames; two 32 MiB bitmaps that must be placed below 4 GiB. */
static void test_one_tib(void **state)
{
	static const struct mem_range map[] = {
		{ 0x0, 0x9fc00, 1 }, { 0x100000, 0xbff00000, 1 },     /* to 3 GiB */
		{ 0xc0000000, 0x40000000, 2 },                          /* 32-bit hole */
		{ 0x100000000, TiB - 4 * GiB + GiB, 1 },                /* to 1 TiB + 1 GiB */
	};
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, map, 4, thaw_regions, 2), PMM_OK);
	assert_int_equal(p->total, PFN(0x9f000) + PFN(0xbff00000) + PFN(TiB - 3 * GiB));
	assert_true(p->total > PFN(TiB) - PFN(3 * GiB));
	assert_int_equal(f.len, 2 * ((p->total + 63) / 64) * 8);
	assert_true(f.phys + f.len <= 3 * GiB);
	assert_true(pmm_core_is_ram(p, PFN(TiB)));
	assert_false(pmm_core_is_ram(p, PFN(TiB + GiB)));
	pmm_core_forbid(p, PFN(TiB), PFN(GiB));
	assert_false(pmm_core_is_free(p, PFN(TiB) + 5));
	uint64_t a = pmm_core_alloc(p, 1, 1, UINT64_MAX);
	assert_true(a >= 0x100 && pmm_core_is_thaw(p, a));
	assert_true(pmm_core_free(p, a, 1));
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

static void test_no_room_and_no_ram(void **state)
{
	static const struct mem_range low_only[] = { { 0x0, 0x9fc00, 1 } };
	static const struct mem_range high_only[] = {
		{ 0x0, 0x9fc00, 1 }, { 0x100000000, 0x40000000, 1 },
	};
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, low_only, 1, NULL, 0), PMM_ENORAM);
	assert_int_equal(init(p, &f, NULL, 0, NULL, 0), PMM_ENORAM);
	/* RAM only above the placement limit (4 GiB) besides low memory. */
	assert_int_equal(init(p, &f, high_only, 2, NULL, 0), PMM_ENOROOM);
	assert_non_null(pmm_strerror(PMM_ENOROOM));
	done(p, &f);
}

static void test_too_many_ranges(void **state)
{
	static struct mem_range map[600];
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	/* 300 RAM ranges, each split in two by a reserved frame: 600 > 512. */
	for (int i = 0; i < 300; i++) {
		map[2 * i] = (struct mem_range){ (uint64_t)(i + 1) << 24, 1 << 20, 1 };
		map[2 * i + 1] = (struct mem_range){ ((uint64_t)(i + 1) << 24) + 0x80000, 0x1000, 2 };
	}
	assert_int_equal(init(p, &f, map, 600, NULL, 0), PMM_ETOOMANY);
	/* 250 of them fit: 500 ranges. */
	assert_int_equal(init(p, &f, map, 500, NULL, 0), PMM_OK);
	assert_int_equal(p->nranges, 500);
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

/* Every frame handed out exactly once, never low memory, never thaw's own. */
static void test_alloc_exhaust_and_free(void **state)
{
	static const struct mem_range map[] = {
		{ 0x0, 0x9fc00, 1 }, { 0x100000, 0x100000, 1 }, { 0x300000, 0x40000, 1 },
	};
	static const struct pmm_region res[] = { { 0x100000, 0x110000 } };
	struct pmm *p = pmm_new();
	struct fake_phys f;
	uint64_t got[400], n = 0, start_free;

	(void)state;
	assert_int_equal(init(p, &f, map, 3, res, 1), PMM_OK);
	start_free = p->free;
	while (n < 400) {
		uint64_t pfn = pmm_core_alloc(p, 1, 1, UINT64_MAX);

		if (!pfn)
			break;
		assert_true(pfn >= 0x110 && pmm_core_is_ram(p, pfn) && pmm_core_is_thaw(p, pfn));
		assert_true(pfn != PFN(f.phys));
		for (uint64_t i = 0; i < n; i++)
			assert_true(got[i] != pfn);
		got[n++] = pfn;
	}
	assert_int_equal(n, start_free);
	assert_int_equal(p->free, 0);
	assert_int_equal(pmm_core_alloc(p, 1, 1, UINT64_MAX), 0);
	assert_int_equal(pmm_core_check(p), PMM_OK);
	for (uint64_t i = 0; i < n; i++)
		assert_true(pmm_core_free(p, got[i], 1));
	assert_int_equal(p->free, start_free);
	/* Double free and freeing thaw's image are refused. */
	assert_false(pmm_core_free(p, got[0], 1));
	assert_false(pmm_core_free(p, 0x50, 1));
	assert_false(pmm_core_free(p, 0x200, 1));          /* not RAM */
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

static void test_contig_alignment(void **state)
{
	static const struct mem_range map[] = {
		{ 0x100000, 0x100000, 1 },      /* 256 frames */
		{ 0x400000, 0x400000, 1 },      /* 1024 frames, 2 MiB aligned start */
	};
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, map, 2, NULL, 0), PMM_OK);
	uint64_t a = pmm_core_alloc(p, 16, 16, UINT64_MAX);
	assert_true(a && a % 16 == 0);
	for (uint64_t i = 0; i < 16; i++)
		assert_true(pmm_core_is_thaw(p, a + i));
	/* 300 frames do not fit in the first range: the run comes from the second. */
	uint64_t b = pmm_core_alloc(p, 300, 1, UINT64_MAX);
	assert_true(b >= 0x400 && b + 300 <= 0x800);
	/* 512-aligned 512 frames: only 0x600 works now (0x400.. is partly used). */
	uint64_t c = pmm_core_alloc(p, 512, 512, UINT64_MAX);
	assert_int_equal(c, 0x600);
	assert_int_equal(pmm_core_alloc(p, 512, 512, UINT64_MAX), 0);
	/* Larger than any range: never, even though enough frames are free in total. */
	assert_int_equal(pmm_core_alloc(p, 0x200, 1, 0x500), 0);
	assert_int_equal(pmm_core_alloc(p, 0, 1, UINT64_MAX), 0);
	assert_true(pmm_core_free(p, c, 512));
	assert_int_equal(pmm_core_alloc(p, 512, 512, UINT64_MAX), 0x600);
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

/* Forbidden frames are never handed out; already allocated ones stay thaw's. */
static void test_forbid(void **state)
{
	static const struct mem_range map[] = { { 0x100000, 0x20000, 1 } };   /* 32 frames */
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, map, 1, NULL, 0), PMM_OK);
	uint64_t held = pmm_core_alloc(p, 1, 1, UINT64_MAX);
	uint64_t before = p->free;
	/* Forbid every even frame (like an image listing them), plus the held one, plus
	 * frames that are not RAM at all. */
	for (uint64_t pfn = 0x100; pfn < 0x120; pfn += 2)
		pmm_core_forbid(p, pfn, 1);
	pmm_core_forbid(p, held, 1);
	pmm_core_forbid(p, 0x5000, 100);
	pmm_core_forbid(p, UINT64_MAX - 1, 10);
	assert_true(pmm_core_is_thaw(p, held));
	uint64_t n = 0, pfn;
	while ((pfn = pmm_core_alloc(p, 1, 1, UINT64_MAX))) {
		assert_true(pfn % 2 == 1 && pfn != held);
		n++;
	}
	assert_true(n < before);
	assert_int_equal(pmm_core_alloc(p, 2, 1, UINT64_MAX), 0);
	/* Freeing a forbidden frame does not make it allocatable. */
	uint64_t free_before = p->free;
	assert_true(pmm_core_free(p, held, 1));
	assert_int_equal(p->free, free_before);
	assert_false(pmm_core_is_free(p, held));
	assert_int_equal(pmm_core_check(p), PMM_OK);
	done(p, &f);
}

static void test_check_catches_corruption(void **state)
{
	struct pmm *p = pmm_new();
	struct fake_phys f;

	(void)state;
	assert_int_equal(init(p, &f, seabios, 7, thaw_regions, 2), PMM_OK);
	assert_int_equal(pmm_core_check(p), PMM_OK);
	p->thaw[100] ^= 1;
	assert_int_equal(pmm_core_check(p), PMM_EINCONSISTENT);
	p->thaw[100] ^= 1;
	p->free++;
	assert_int_equal(pmm_core_check(p), PMM_EINCONSISTENT);
	p->free--;
	p->ranges[1].bit++;
	assert_int_equal(pmm_core_check(p), PMM_EINCONSISTENT);
	done(p, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seabios_map),
		cmocka_unit_test(test_unsorted_overlapping),
		cmocka_unit_test(test_zero_length_and_unaligned),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_one_tib),
		cmocka_unit_test(test_no_room_and_no_ram),
		cmocka_unit_test(test_too_many_ranges),
		cmocka_unit_test(test_alloc_exhaust_and_free),
		cmocka_unit_test(test_contig_alignment),
		cmocka_unit_test(test_forbid),
		cmocka_unit_test(test_check_catches_corruption),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
