/* Paging depth of a hibernated image and the plan to hand over in it. The walk reads
 * the image's tables as they will be after the copy (Intel SDM Vol. 3A §4.5,
 * Tables 4-14..4-20: PML5E, PML4E, PDPTE, PDE, PTE; PS in PDPTEs and PDEs only). */
#include "resume/pgmode.h"

#define PTE_PRESENT     (1ull << 0)
#define PTE_LARGE       (1ull << 7)
#define PTE_ADDR        0x000ffffffffff000ull

bool pgmode_walk(pgmode_lookup_fn lookup, void *ctx, uint64_t cr3, int levels, uint64_t va,
		 uint64_t *pa)
{
	uint64_t table = cr3 & PTE_ADDR;

	if (levels != 4 && levels != 5)
		return false;
	for (int l = levels; l >= 1; l--) {
		unsigned shift = 12 + 9 * (unsigned)(l - 1);
		const uint64_t *t = lookup(ctx, table >> 12);
		uint64_t e = t ? t[(va >> shift) & 511] : 0;

		if (!(e & PTE_PRESENT))
			return false;
		if (l == 1 || ((l == 2 || l == 3) && (e & PTE_LARGE))) {
			uint64_t span = 1ull << shift;
			*pa = ((e & PTE_ADDR) & ~(span - 1)) | (va & (span - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}

int pgmode_image_levels(pgmode_lookup_fn lookup, void *ctx, uint64_t cr3, uint64_t va,
			uint64_t pa)
{
	uint64_t got;
	bool four = pgmode_walk(lookup, ctx, cr3, 4, va, &got) && got == pa;
	bool five = pgmode_walk(lookup, ctx, cr3, 5, va, &got) && got == pa;

	if (four == five)
		return 0;
	return four ? 4 : 5;
}

enum pgmode_plan pgmode_plan(int cpu_levels, bool cpu_la57, int image_levels)
{
	if (image_levels == 5 && !cpu_la57)
		return PGMODE_ENOLA57;
	return image_levels == cpu_levels ? PGMODE_KEEP : PGMODE_SWITCH;
}
