/* Unit tests for resume/place.c against a fake machine: 64 frames of RAM with a hole,
 * some frames "thaw's", an allocator that honours forbid, and a replay of the copy
 * list exactly as trampoline.asm performs it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "resume/place.h"
#include "resume/trampoline_abi.h"

#define FRAMES 64
#define HOLE_START 40           /* frames 40..43 are not RAM */
#define HOLE_END 44

struct fake {
	uint8_t (*mem)[4096];
	bool thaw[FRAMES];
	bool forbidden[FRAMES];
	int forbid_calls;
	int allocs;
};

static bool fake_is_ram(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn < FRAMES && (pfn < HOLE_START || pfn >= HOLE_END);
}

static bool fake_is_thaw(void *ctx, uint64_t pfn)
{
	struct fake *f = ctx;
	return pfn < FRAMES && f->thaw[pfn];
}

static void fake_forbid(void *ctx, uint64_t pfn, uint64_t count)
{
	struct fake *f = ctx;
	f->forbid_calls++;
	for (uint64_t i = pfn; i < pfn + count; i++) {
		assert_true(i < FRAMES);
		f->forbidden[i] = true;
	}
}

static uint64_t fake_alloc_safe(void *ctx)
{
	struct fake *f = ctx;
	for (uint64_t i = 1; i < FRAMES; i++) {
		if (fake_is_ram(ctx, i) && !f->thaw[i] && !f->forbidden[i]) {
			f->thaw[i] = true;
			f->allocs++;
			memset(f->mem[i], 0xEE, 4096);  /* not zeroed: place.c must not assume */
			return i;
		}
	}
	return 0;
}

static void *fake_frame(void *ctx, uint64_t pfn)
{
	struct fake *f = ctx;
	assert_true(pfn < FRAMES);
	return f->mem[pfn];
}

static struct fake fk;
static const struct place_env env = {
	.ctx = &fk, .is_ram = fake_is_ram, .is_thaw = fake_is_thaw, .forbid = fake_forbid,
	.alloc_safe = fake_alloc_safe, .frame = fake_frame,
};

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.mem = calloc(FRAMES, 4096);
	for (int i = 0; i < FRAMES; i++)
		memset(fk.mem[i], 0xA0 + (i & 0xf), 4096);
	return fk.mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(fk.mem);
	return 0;
}

/* What trampoline.asm does with the list (the contract in trampoline_abi.h). */
static void replay(uint64_t head)
{
	while (head) {
		struct copy_page *pg = (struct copy_page *)fk.mem[head / 4096];
		for (uint64_t i = 0; i < pg->count; i++) {
			uint8_t *dst = fk.mem[pg->e[i].dst / 4096];
			if (pg->e[i].src)
				memcpy(dst, fk.mem[pg->e[i].src / 4096], 4096);
			else
				memset(dst, 0, 4096);
		}
		head = pg->next;
	}
}

static void fill(void *page, uint64_t pfn)
{
	memset(page, (int)(pfn * 7 + 1), 4096);
}

static void test_reserve_forbids_runs(void **state)
{
	struct placer p;
	const uint64_t pfns[] = { 2, 3, 4, 10, 11, 30 };

	(void)state;
	place_init(&p, &env);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(place_reserve(&p, pfns[i]), PLACE_OK);
	place_reserve_end(&p);
	assert_int_equal(fk.forbid_calls, 3);
	for (size_t i = 0; i < 6; i++)
		assert_true(fk.forbidden[pfns[i]]);
	assert_false(fk.forbidden[5]);
	assert_int_equal(p.reserved, 6);
}

/* Frame 0 is RAM in the fake map (as on a BIOS machine), yet a listed frame 0 is
 * refused with its own reason, and neither a data nor a zero-flagged page for it
 * touches frame 0 or forbids anything. */
static void test_frame0_refused(void **state)
{
	struct placer p;
	enum place_err e = PLACE_OK;
	uint8_t before[4096];

	(void)state;
	memcpy(before, fk.mem[0], sizeof(before));
	place_init(&p, &env);
	p.bad_pfn = 99;
	assert_true(fake_is_ram(&fk, 0));
	assert_int_equal(place_reserve(&p, 0), PLACE_EFRAME0);
	assert_int_equal(p.bad_pfn, 0);
	assert_int_equal(p.reserved, 0);
	place_reserve_end(&p);
	assert_int_equal(fk.forbid_calls, 0);
	assert_null(place_dest(&p, 0, &e));
	assert_int_equal(e, PLACE_EFRAME0);
	assert_int_equal(place_zero(&p, 0), PLACE_EFRAME0);
	assert_int_equal(p.zeroed, 0);
	assert_int_equal(p.head, 0);
	assert_memory_equal(fk.mem[0], before, sizeof(before));
	assert_int_not_equal(strcmp(place_strerror(PLACE_EFRAME0), "ok"), 0);
	assert_non_null(strstr(place_strerror(PLACE_EFRAME0), "frame 0"));
	/* Frame 1 onward is fine. */
	assert_int_equal(place_reserve(&p, 1), PLACE_OK);
}

static void test_reserve_refuses_non_ram(void **state)
{
	struct placer p;

	(void)state;
	place_init(&p, &env);
	assert_int_equal(place_reserve(&p, 5), PLACE_OK);
	assert_int_equal(place_reserve(&p, 41), PLACE_ENOTRAM);
	assert_int_equal(p.bad_pfn, 41);
	assert_int_equal(place_reserve(&p, FRAMES + 100), PLACE_ENOTRAM);
	assert_int_equal(place_reserve(&p, 4), PLACE_EORDER);
	assert_int_equal(place_reserve(&p, 5), PLACE_EORDER);
	/* Nothing was written to any frame. */
	for (int i = 0; i < FRAMES; i++)
		assert_int_equal(fk.mem[i][0], 0xA0 + (i & 0xf));
}

/* Pages home in thaw's frames are staged in safe frames, never in listed ones; after
 * the replay every listed frame holds its data and no unlisted non-thaw frame moved. */
static void test_place_stage_and_replay(void **state)
{
	struct placer p;
	enum place_err err;
	uint64_t listed[FRAMES];
	bool is_listed[FRAMES] = { false }, was_thaw[FRAMES];
	uint8_t (*before)[4096] = malloc((size_t)FRAMES * 4096);
	size_t n = 0, untouched = 0;

	(void)state;
	for (int i = 1; i <= 8; i++)
		fk.thaw[i] = true;              /* thaw's image */
	fk.thaw[20] = fk.thaw[21] = true;       /* its buffers */
	for (uint64_t pfn = 1; pfn < 36; pfn++)
		if (pfn % 5 != 0) {
			is_listed[pfn] = true;
			listed[n++] = pfn;
		}
	assert_non_null(before);
	memcpy(before, fk.mem, (size_t)FRAMES * 4096);
	memcpy(was_thaw, fk.thaw, sizeof(was_thaw));
	place_init(&p, &env);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(place_reserve(&p, listed[i]), PLACE_OK);
	place_reserve_end(&p);
	for (size_t i = 0; i < n; i++) {
		if (listed[i] == 7 || listed[i] == 33) {
			assert_int_equal(place_zero(&p, listed[i]), PLACE_OK);
			continue;
		}
		void *dst = place_dest(&p, listed[i], &err);
		assert_non_null(dst);
		assert_int_equal(err, PLACE_OK);
		fill(dst, listed[i]);
	}
	assert_int_equal(p.staged + p.direct + p.zeroed, n);
	/* Thaw frames still hold thaw's data before the replay. */
	assert_int_equal(fk.mem[3][0], 0xA3);
	/* place_lookup sees the future content. */
	assert_int_equal(((const uint8_t *)place_lookup(&p, 3))[0], (uint8_t)(3 * 7 + 1));
	assert_null(place_lookup(&p, 7));
	/* A frame the image's tables name that is not RAM is never dereferenced. */
	assert_null(place_lookup(&p, FRAMES + 5));
	assert_null(place_lookup(&p, HOLE_START));
	replay(p.head);
	for (size_t i = 0; i < n; i++) {
		uint8_t want = (listed[i] == 7 || listed[i] == 33) ? 0 : (uint8_t)(listed[i] * 7 + 1);
		for (int b = 0; b < 4096; b += 511)
			assert_int_equal(fk.mem[listed[i]][b], want);
	}
	/* Every unlisted frame that was neither thaw's nor handed to the placer as a safe
	 * frame (fk.thaw marks those too) still holds exactly what it held before. */
	for (int pfn = 0; pfn < FRAMES; pfn++) {
		if (is_listed[pfn] || was_thaw[pfn] || fk.thaw[pfn] || !fake_is_ram(&fk, (uint64_t)pfn))
			continue;
		assert_memory_equal(fk.mem[pfn], before[pfn], 4096);
		untouched++;
	}
	assert_true(untouched >= 10);
	free(before);
	/* Thaw frames 1-4, 6, 8 (5 is unlisted, 7 zero-flagged) and 21 (20 unlisted). */
	assert_int_equal(p.staged, 7);
	assert_int_equal(p.zeroed, 2);
}

static void test_copy_list_spans_pages(void **state)
{
	struct placer p;
	enum place_err err;

	(void)state;
	/* Grow the list past two pages with zero-fill entries (1 frame per 255). */
	fk.thaw[2] = true;
	place_init(&p, &env);
	for (int i = 0; i < 600; i++)
		assert_int_equal(place_zero(&p, 2), PLACE_OK);
	struct copy_page *first = (struct copy_page *)fk.mem[p.head / 4096];
	assert_int_equal(first->count, CL_PAGE_ENTRIES);
	assert_int_not_equal(first->next, 0);
	assert_int_equal(fk.allocs, 3);
	(void)err;
}

static void test_out_of_safe_frames(void **state)
{
	struct placer p;
	enum place_err err;

	(void)state;
	for (int i = 1; i < FRAMES; i++)
		fk.thaw[i] = true;
	place_init(&p, &env);
	assert_null(place_dest(&p, 9, &err));
	assert_int_equal(err, PLACE_ENOMEM);
	assert_int_equal(place_zero(&p, 9), PLACE_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reserve_forbids_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_refuses_non_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame0_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_place_stage_and_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_list_spans_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_safe_frames, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
