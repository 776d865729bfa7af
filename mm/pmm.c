/* The kernel's page allocator: mm/pmm_core.c over the boot memory map, with thaw's
 * image, the Multiboot2 information and the modules reserved, frames reached through
 * the identity map, and handed out zeroed. */
#include <stdint.h>
#include <string.h>
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "mm/pmm.h"
#include "mm/pmm_core.h"

#define LOW_4G (1ull << 32)
#define MAX_RESERVED 10         /* image, information block, 8 modules */

static struct {
	struct pmm core;
	uint64_t mapped_end;    /* allocations stay below this (identity-mapped) */
} pmm;

static void *identity_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	(void)len;
	return (void *)(uintptr_t)phys;
}

bool pmm_init(const struct boot_info *bi, uint64_t kernel_start, uint64_t kernel_end)
{
	struct pmm_region res[MAX_RESERVED];
	uint32_t n = 0;
	enum pmm_err err;

	res[n++] = (struct pmm_region){ kernel_start, kernel_end };
	res[n++] = (struct pmm_region){ bi->mbi_start, bi->mbi_end };
	for (uint32_t i = 0; i < bi->module_count && n < MAX_RESERVED; i++)
		res[n++] = (struct pmm_region){ bi->modules[i].start, bi->modules[i].end };

	/* boot/entry.asm maps only [0, 4 GiB): the bitmaps must live there. */
	pmm.mapped_end = LOW_4G;
	err = pmm_core_init(&pmm.core, bi->mmap, bi->mmap_count, res, n, LOW_4G,
			    identity_map, NULL);
	if (err) {
		kprintf("pmm: %s\n", pmm_strerror(err));
		return false;
	}
	return true;
}

void pmm_mapped_up_to(uint64_t phys_end)
{
	pmm.mapped_end = phys_end;
}

uint64_t pmm_alloc(void)
{
	return pmm_alloc_contig(1, 1);
}

uint64_t pmm_alloc_below(uint64_t phys_limit)
{
	uint64_t limit = phys_limit < pmm.mapped_end ? phys_limit : pmm.mapped_end;
	uint64_t pfn = pmm_core_alloc(&pmm.core, 1, 1, limit >> PAGE_SHIFT);

	if (!pfn)
		return 0;
	memset((void *)(uintptr_t)(pfn << PAGE_SHIFT), 0, PAGE_SIZE);
	return pfn << PAGE_SHIFT;
}

uint64_t pmm_alloc_contig(uint64_t count, uint64_t align_frames)
{
	uint64_t pfn = pmm_core_alloc(&pmm.core, count, align_frames,
				      pmm.mapped_end >> PAGE_SHIFT);

	if (!pfn)
		return 0;
	memset((void *)(uintptr_t)(pfn << PAGE_SHIFT), 0, count * PAGE_SIZE);
	return pfn << PAGE_SHIFT;
}

void *pmm_alloc_bytes(uint64_t bytes)
{
	uint64_t frames = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;

	return (void *)(uintptr_t)pmm_alloc_contig(frames ? frames : 1, 1);
}

void pmm_free(uint64_t phys)
{
	pmm_free_contig(phys, 1);
}

/* Freeing what was never allocated is a bug in thaw, not bad input. */
void pmm_free_contig(uint64_t phys, uint64_t count)
{
	if (!pmm_core_free(&pmm.core, phys >> PAGE_SHIFT, count))
		panic("pmm: free of %llu frames at 0x%llx that were not allocated",
		      (unsigned long long)count, (unsigned long long)phys);
}

void pmm_forbid(uint64_t pfn, uint64_t count)
{
	pmm_core_forbid(&pmm.core, pfn, count);
}

bool pmm_is_ram(uint64_t pfn)
{
	return pmm_core_is_ram(&pmm.core, pfn);
}

bool pmm_is_thaw(uint64_t pfn)
{
	return pmm_core_is_thaw(&pmm.core, pfn);
}

uint64_t pmm_max_pfn(void)
{
	return pmm_core_max_pfn(&pmm.core);
}

uint64_t pmm_free_frames(void)
{
	return pmm.core.free;
}

/* Allocate, check zeroing and ownership, free, and confirm the count came back. */
static bool exercise(void)
{
	uint64_t before = pmm.core.free;
	uint64_t one = pmm_alloc(), run = pmm_alloc_contig(16, 16);
	const uint64_t *w = (const uint64_t *)(uintptr_t)one;
	bool ok = one && run && !(run & (16 * PAGE_SIZE - 1)) &&
		  pmm_is_thaw(one >> PAGE_SHIFT) && pmm_is_thaw((run >> PAGE_SHIFT) + 15) &&
		  w[0] == 0 && w[PAGE_SIZE / 8 - 1] == 0 && pmm.core.free == before - 17;

	if (one)
		pmm_free(one);
	if (run)
		pmm_free_contig(run, 16);
	return ok && pmm.core.free == before;
}

bool pmm_self_check(void)
{
	const struct pmm *p = &pmm.core;
	enum pmm_err err = pmm_core_check(p);

	if (!err && !exercise())
		err = PMM_EINCONSISTENT;
	kprintf("pmm: %llu MiB RAM in %u ranges, max pfn 0x%llx, %llu MiB free, "
		"bitmaps %llu KiB at 0x%llx: self-check %s\n",
		(unsigned long long)(p->total >> 8), p->nranges,
		(unsigned long long)pmm_core_max_pfn(p), (unsigned long long)(p->free >> 8),
		(unsigned long long)(p->words * 16 / 1024), (unsigned long long)p->bitmap_phys,
		err ? pmm_strerror(err) : "ok");
	return !err;
}
