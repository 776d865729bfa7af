/* Additions to thaw's identity map: RAM above 4 GiB at boot, high MMIO on demand.
 * 4-level paging, Intel SDM Vol. 3 §4.5; new tables come zeroed from the pmm. */
#include <stdbool.h>
#include <stdint.h>
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/layout.h"
#include "kernel/paging.h"
#include "kernel/x86.h"
#include "mm/pmm.h"

#define LOW_4G		(1ull << 32)
#define MAX_PHYS	(1ull << 48)    /* 4-level paging reaches 256 TiB */

static struct {
	uint64_t guard_pt[512] __attribute__((aligned(4096)));
} pg;

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

static uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/* The next-level table under *e, allocated when absent; NULL when out of memory. */
static uint64_t *next_table(uint64_t *e)
{
	if (!(*e & PTE_PRESENT)) {
		uint64_t t = pmm_alloc();

		if (!t)
			return NULL;
		*e = t | PTE_PRESENT | PTE_WRITE;
	}
	return table_at(*e);
}

/* Map one 1 GiB (huge) or 2 MiB page at virt = phys unless something already does. */
static bool map_page(uint64_t phys, bool huge, uint64_t flags)
{
	uint64_t *pml4 = table_at(read_cr3());
	uint64_t *pdpt = next_table(&pml4[phys >> 39 & 511]);
	uint64_t *pdpte, *pd;

	if (!pdpt)
		return false;
	pdpte = &pdpt[phys >> 30 & 511];
	if (*pdpte & PTE_LARGE)
		return true;
	if (huge && !(*pdpte & PTE_PRESENT)) {
		*pdpte = phys | PTE_PRESENT | PTE_WRITE | PTE_LARGE | flags;
		return true;
	}
	if (!(pd = next_table(pdpte)))
		return false;
	/* A 1 GiB request over an existing PD fills all of that PD's 2 MiB slots. */
	for (uint64_t a = phys; a < phys + (huge ? PAGE_SIZE_1G : PAGE_SIZE_2M); a += PAGE_SIZE_2M) {
		if (pd[a >> 21 & 511] & PTE_PRESENT)
			continue;
		pd[a >> 21 & 511] = a | PTE_PRESENT | PTE_WRITE | PTE_LARGE | flags;
		__asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
	}
	return true;
}

static bool map_range(uint64_t phys, uint64_t len, bool allow_1g, uint64_t flags)
{
	uint64_t end = phys + len;

	if (len == 0 || len > MAX_PHYS || phys >= MAX_PHYS - len)
		return false;
	for (uint64_t a = phys & ~(PAGE_SIZE_2M - 1); a < end;) {
		bool huge = allow_1g && !(a & (PAGE_SIZE_1G - 1)) && end - a >= PAGE_SIZE_1G;

		if (!map_page(a, huge, flags))
			return false;
		a += huge ? PAGE_SIZE_1G : PAGE_SIZE_2M;
	}
	return true;
}

/* Turn the page below the boot stack into a hole: a stack overflow then faults (#PF,
 * and with no stack left to push on, #DF on its own IST stack, kernel/idt.c) instead
 * of silently overwriting the page tables that lie below the stack in .bss. The 2 MiB
 * page around it becomes a table of 4 KiB pages. */
static void guard_stack(void)
{
	uint64_t g = (uint64_t)(uintptr_t)boot_stack_guard, base = g & ~(PAGE_SIZE_2M - 1);
	uint64_t *pml4 = table_at(read_cr3());
	uint64_t *pd = table_at(table_at(pml4[g >> 39 & 511])[g >> 30 & 511]);
	uint64_t *pde = &pd[g >> 21 & 511];

	if (!(*pde & PTE_LARGE))
		return;
	for (uint64_t i = 0; i < 512; i++)
		pg.guard_pt[i] = (base + i * PAGE_SIZE_4K) | PTE_PRESENT | PTE_WRITE;
	pg.guard_pt[g >> 12 & 511] = 0;
	*pde = (uint64_t)(uintptr_t)pg.guard_pt | PTE_PRESENT | PTE_WRITE;
	__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3()) : "memory");
	kprintf("paging: stack guard page at 0x%llx\n", (unsigned long long)g);
}

/* Uncached: device registers must not be cached or merged. */
bool paging_map_mmio(uint64_t phys, uint64_t len)
{
	return map_range(phys, len, false, PTE_PCD | PTE_PWT);
}

void paging_init(const struct boot_info *bi)
{
	uint64_t top = LOW_4G;

	guard_stack();
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct mem_range *r = &bi->mmap[i];
		uint64_t s = r->base, e = r->base + r->len;

		if (r->type != MMAP_RAM || e <= LOW_4G || e < s || e > MAX_PHYS)
			continue;
		if (s < LOW_4G)
			s = LOW_4G;
		if (!map_range(s, e - s, boot_cpu_pdpe1gb, 0)) {
			kprintf("paging: out of memory mapping RAM at 0x%llx; RAM above it unused\n",
				(unsigned long long)s);
			return;
		}
		if (e > top)
			top = e;
	}
	pmm_mapped_up_to(top);
}
