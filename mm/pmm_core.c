/* Page allocator core (see pmm_core.h). A frame is RAM only if a type-1 entry covers
 * it whole and no other entry touches it (Multiboot2 §3.6.8 lets entries overlap;
 * the safe reading is that any non-RAM claim wins). Pure. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "mm/pmm_core.h"

#define FRAME 4096ull
#define WORD_BITS 64

static uint64_t end_of(uint64_t base, uint64_t len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

/* ---- building the range list ---------------------------------------------- */

static enum pmm_err insert_range(struct pmm *p, uint32_t at, uint64_t s, uint64_t e)
{
	if (p->nranges == PMM_MAX_RANGES)
		return PMM_ETOOMANY;
	memmove(&p->ranges[at + 1], &p->ranges[at], (p->nranges - at) * sizeof(p->ranges[0]));
	p->ranges[at] = (struct pmm_range){ s, e, 0 };
	p->nranges++;
	return PMM_OK;
}

static void remove_range(struct pmm *p, uint32_t at)
{
	memmove(&p->ranges[at], &p->ranges[at + 1], (p->nranges - at - 1) * sizeof(p->ranges[0]));
	p->nranges--;
}

/* Add RAM frames [s, e) keeping the list sorted and merged. */
static enum pmm_err add_ram(struct pmm *p, uint64_t s, uint64_t e)
{
	uint32_t i = 0;

	while (i < p->nranges && p->ranges[i].end < s)
		i++;
	if (i == p->nranges || p->ranges[i].start > e)
		return insert_range(p, i, s, e);
	/* Overlaps or touches ranges[i]: grow it, then swallow any followers it reaches. */
	if (s < p->ranges[i].start)
		p->ranges[i].start = s;
	if (e > p->ranges[i].end)
		p->ranges[i].end = e;
	while (i + 1 < p->nranges && p->ranges[i + 1].start <= p->ranges[i].end) {
		if (p->ranges[i + 1].end > p->ranges[i].end)
			p->ranges[i].end = p->ranges[i + 1].end;
		remove_range(p, i + 1);
	}
	return PMM_OK;
}

/* Remove frames [s, e) from the RAM list, splitting a range if needed. */
static enum pmm_err cut_hole(struct pmm *p, uint64_t s, uint64_t e)
{
	for (uint32_t i = 0; i < p->nranges; i++) {
		struct pmm_range *r = &p->ranges[i];

		if (r->end <= s || r->start >= e)
			continue;
		if (r->start >= s && r->end <= e) {
			remove_range(p, i--);
		} else if (r->start < s && r->end > e) {
			uint64_t old_end = r->end;

			r->end = s;
			return insert_range(p, i + 1, e, old_end);
		} else if (r->start < s) {
			r->end = s;
		} else {
			r->start = e;
		}
	}
	return PMM_OK;
}

static enum pmm_err build_ranges(struct pmm *p, const struct mem_range *map, uint32_t n)
{
	enum pmm_err err;

	/* RAM rounded inward to whole frames ... */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = (map[i].base + FRAME - 1) / FRAME;
		uint64_t e = end_of(map[i].base, map[i].len) / FRAME;

		if (map[i].type != MMAP_RAM || map[i].base > UINT64_MAX - (FRAME - 1) || s >= e)
			continue;
		if ((err = add_ram(p, s, e)))
			return err;
	}
	/* ... then every other claim rounded outward wins over it. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = end_of(map[i].base, map[i].len);

		if (map[i].type == MMAP_RAM || map[i].len == 0)
			continue;
		if ((err = cut_hole(p, map[i].base / FRAME, e / FRAME + (e % FRAME != 0))))
			return err;
	}
	return PMM_OK;
}

/* ---- bitmaps ---------------------------------------------------------------- */

/* Bitmap index of pfn, or UINT64_MAX if it is not RAM (binary search). */
static uint64_t bit_of(const struct pmm *p, uint64_t pfn)
{
	uint32_t lo = 0, hi = p->nranges;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct pmm_range *r = &p->ranges[mid];

		if (pfn < r->start)
			hi = mid;
		else if (pfn >= r->end)
			lo = mid + 1;
		else
			return r->bit + (pfn - r->start);
	}
	return UINT64_MAX;
}

/* Counted by hand: the kernel links without libgcc's __popcountdi2. */
static uint64_t popcount64(uint64_t x)
{
	x = x - (x >> 1 & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + (x >> 2 & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return x * 0x0101010101010101ull >> 56;
}

/* The frame bitmap index b stands for (b < total). */
static uint64_t pfn_of_bit(const struct pmm *p, uint64_t b)
{
	uint32_t lo = 0, hi = p->nranges - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (p->ranges[mid].bit <= b)
			lo = mid;
		else
			hi = mid - 1;
	}
	return p->ranges[lo].start + (b - p->ranges[lo].bit);
}

static bool test_bit(const uint64_t *map, uint64_t b)
{
	return map[b / WORD_BITS] >> (b % WORD_BITS) & 1;
}

static void set_bit(uint64_t *map, uint64_t b)
{
	map[b / WORD_BITS] |= 1ull << (b % WORD_BITS);
}

static void clear_bit(uint64_t *map, uint64_t b)
{
	map[b / WORD_BITS] &= ~(1ull << (b % WORD_BITS));
}

static bool bit_free(const struct pmm *p, uint64_t b)
{
	return !test_bit(p->thaw, b) && !test_bit(p->blocked, b);
}

/* Mark RAM frames in [s, e) in map (thaw or blocked), keeping `free` exact. */
static void mark_frames(struct pmm *p, uint64_t *map, uint64_t s, uint64_t e)
{
	for (uint32_t i = 0; i < p->nranges; i++) {
		const struct pmm_range *r = &p->ranges[i];
		uint64_t a = s > r->start ? s : r->start;
		uint64_t z = e < r->end ? e : r->end;

		for (uint64_t pfn = a; pfn < z; pfn++) {
			uint64_t b = r->bit + (pfn - r->start);

			if (bit_free(p, b))
				p->free--;
			set_bit(map, b);
		}
	}
}

/* First physical address >= 1 MiB where `bytes` fit inside one RAM range, below
 * limit, clear of every reserved region; 0 if none. */
static uint64_t place_bitmaps(const struct pmm *p, uint64_t bytes,
			      const struct pmm_region *res, uint32_t nres, uint64_t limit)
{
	for (uint32_t i = 0; i < p->nranges; i++) {
		uint64_t lo = p->ranges[i].start * FRAME, hi = p->ranges[i].end * FRAME;
		uint64_t at = lo > PMM_LOW_PFN * FRAME ? lo : PMM_LOW_PFN * FRAME;
		bool moved = true;

		if (hi > limit)
			hi = limit;
		while (moved && at < hi && bytes <= hi - at) {
			moved = false;
			for (uint32_t j = 0; j < nres; j++) {
				if (res[j].start < at + bytes && res[j].end > at) {
					at = (res[j].end + FRAME - 1) & ~(FRAME - 1);
					moved = true;
				}
			}
		}
		if (!moved && at < hi && bytes <= hi - at)
			return at;
	}
	return 0;
}

enum pmm_err pmm_core_init(struct pmm *p, const struct mem_range *map, uint32_t n,
			   const struct pmm_region *reserved, uint32_t nreserved,
			   uint64_t place_limit, pmm_map_fn map_fn, void *ctx)
{
	enum pmm_err err;
	uint64_t bytes;

	memset(p, 0, sizeof(*p));
	if ((err = build_ranges(p, map, n)))
		return err;
	for (uint32_t i = 0; i < p->nranges; i++) {
		p->ranges[i].bit = p->total;
		p->total += p->ranges[i].end - p->ranges[i].start;
	}
	if (!p->total || pmm_core_max_pfn(p) <= PMM_LOW_PFN)
		return PMM_ENORAM;

	p->words = (p->total + WORD_BITS - 1) / WORD_BITS;
	bytes = 2 * p->words * sizeof(uint64_t);
	p->bitmap_phys = place_bitmaps(p, bytes, reserved, nreserved, place_limit);
	if (!p->bitmap_phys)
		return PMM_ENOROOM;
	p->thaw = map_fn(ctx, p->bitmap_phys, bytes);
	p->blocked = p->thaw + p->words;
	memset(p->thaw, 0, bytes);
	p->free = p->total;

	mark_frames(p, p->blocked, 0, PMM_LOW_PFN);
	for (uint32_t i = 0; i < nreserved; i++)
		mark_frames(p, p->thaw, reserved[i].start / FRAME,
			    (reserved[i].end + FRAME - 1) / FRAME);
	mark_frames(p, p->thaw, p->bitmap_phys / FRAME, (p->bitmap_phys + bytes + FRAME - 1) / FRAME);
	return PMM_OK;
}

/* ---- allocation ------------------------------------------------------------- */

/* One free frame below limit_pfn by next-fit over whole bitmap words. */
static uint64_t alloc_one(struct pmm *p, uint64_t limit_pfn)
{
	for (uint64_t k = 0; k < p->words; k++) {
		uint64_t w = (p->hint + k) % p->words;
		uint64_t used = p->thaw[w] | p->blocked[w];

		while (~used) {
			uint64_t b = w * WORD_BITS + (uint64_t)__builtin_ctzll(~used);

			if (b >= p->total)
				break;
			used |= 1ull << (b % WORD_BITS);
			if (pfn_of_bit(p, b) < limit_pfn) {
				p->hint = w;
				return pfn_of_bit(p, b);
			}
		}
	}
	return 0;
}

/* A run of count free frames inside one range, first aligned fit, below limit_pfn. */
static uint64_t alloc_run(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit_pfn)
{
	for (uint32_t i = 0; i < p->nranges; i++) {
		const struct pmm_range *r = &p->ranges[i];
		uint64_t end = r->end < limit_pfn ? r->end : limit_pfn;
		uint64_t pfn = (r->start + align - 1) / align * align;

		while (pfn < end && count <= end - pfn) {
			uint64_t k = 0;

			while (k < count && bit_free(p, r->bit + (pfn - r->start) + k))
				k++;
			if (k == count)
				return pfn;
			pfn = (pfn + k + 1 + align - 1) / align * align;
		}
	}
	return 0;
}

uint64_t pmm_core_alloc(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit_pfn)
{
	uint64_t pfn;

	if (!count || count > p->free)
		return 0;
	if (!align)
		align = 1;
	pfn = (count == 1 && align == 1) ? alloc_one(p, limit_pfn) :
					   alloc_run(p, count, align, limit_pfn);
	if (!pfn)
		return 0;
	for (uint64_t k = 0; k < count; k++)
		set_bit(p->thaw, bit_of(p, pfn + k));
	p->free -= count;
	return pfn;
}

bool pmm_core_free(struct pmm *p, uint64_t pfn, uint64_t count)
{
	for (uint64_t k = 0; k < count; k++) {
		uint64_t b = bit_of(p, pfn + k);

		if (b == UINT64_MAX || !test_bit(p->thaw, b))
			return false;
	}
	for (uint64_t k = 0; k < count; k++) {
		uint64_t b = bit_of(p, pfn + k);

		clear_bit(p->thaw, b);
		if (!test_bit(p->blocked, b))
			p->free++;
	}
	return true;
}

void pmm_core_forbid(struct pmm *p, uint64_t pfn, uint64_t count)
{
	uint64_t end = count > UINT64_MAX - pfn ? UINT64_MAX : pfn + count;

	mark_frames(p, p->blocked, pfn, end);
}

bool pmm_core_is_ram(const struct pmm *p, uint64_t pfn)
{
	return bit_of(p, pfn) != UINT64_MAX;
}

bool pmm_core_is_thaw(const struct pmm *p, uint64_t pfn)
{
	uint64_t b = bit_of(p, pfn);

	return b != UINT64_MAX && test_bit(p->thaw, b);
}

bool pmm_core_is_free(const struct pmm *p, uint64_t pfn)
{
	uint64_t b = bit_of(p, pfn);

	return b != UINT64_MAX && bit_free(p, b);
}

uint64_t pmm_core_max_pfn(const struct pmm *p)
{
	return p->nranges ? p->ranges[p->nranges - 1].end : 0;
}

/* ---- self-check ------------------------------------------------------------- */

enum pmm_err pmm_core_check(const struct pmm *p)
{
	uint64_t bit = 0, free = 0;

	for (uint32_t i = 0; i < p->nranges; i++) {
		const struct pmm_range *r = &p->ranges[i];

		if (r->start >= r->end || r->bit != bit)
			return PMM_EINCONSISTENT;
		if (i && r->start <= p->ranges[i - 1].end)
			return PMM_EINCONSISTENT;       /* unsorted, overlapping or adjacent */
		bit += r->end - r->start;
	}
	if (bit != p->total)
		return PMM_EINCONSISTENT;
	for (uint64_t w = 0; w < p->words; w++) {
		uint64_t used = p->thaw[w] | p->blocked[w];

		if (w == p->words - 1 && p->total % WORD_BITS)
			used |= ~0ull << (p->total % WORD_BITS);
		free += popcount64(~used);
	}
	if (free != p->free)
		return PMM_EINCONSISTENT;
	/* Low memory and the bitmaps themselves must never be free. */
	if (p->ranges[0].start < PMM_LOW_PFN && pmm_core_is_free(p, p->ranges[0].start))
		return PMM_EINCONSISTENT;
	if (!pmm_core_is_thaw(p, p->bitmap_phys / FRAME))
		return PMM_EINCONSISTENT;
	return PMM_OK;
}

const char *pmm_strerror(enum pmm_err e)
{
	switch (e) {
	case PMM_OK: return "ok";
	case PMM_ENORAM: return "no usable RAM above 1 MiB in the memory map";
	case PMM_ETOOMANY: return "memory map too fragmented (more than 512 RAM ranges)";
	case PMM_ENOROOM: return "no room below 4 GiB for the allocator's bitmaps";
	case PMM_EINCONSISTENT: return "allocator bookkeeping inconsistent";
	}
	return "unknown error";
}
