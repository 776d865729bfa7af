/* Hand-off: temporary page tables and trampoline in safe frames, quiesce, jump.
 * Linux arch/x86/power/hibernate.c + hibernate_64.c do the same for their own boot
 * kernel; the image kernel's restore_registers is the contract
 * (docs/hibernation-format.md §7). */
#include "resume/handoff.h"

#include <stddef.h>
#include <string.h>

#include "block/disks.h"
#include "kernel/acpi.h"
#include "kernel/io.h"
#include "kernel/madt.h"
#include "kernel/panic.h"
#include "kernel/segments.h"
#include "kernel/x86.h"
#include "mm/pmm.h"
#include "resume/trampoline_abi.h"

#define KERNEL_HALF     0xffff800000000000ull   /* lowest upper-half (kernel) VA, 4-level */
#define XAPIC_LVT_TIMER 0x320u
#define XAPIC_TMICT     0x380u
#define LVT_MASKED      (1u << 16)
#define IOAPIC_DEFAULT  0xFEC00000ull
#define IOAPIC_REGSEL   0x00u
#define IOAPIC_WIN      0x10u
#define IOAPIC_VER      0x01u
#define IOAPIC_REDTBL   0x10u                   /* RTE n low dword: 0x10 + 2n */
#define IOAPIC_RTE_MASKED (1u << 16)
#define PIC1_DATA       0x21u
#define PIC2_DATA       0xA1u
/* Before ~4.8 the image text was mapped at __START_KERNEL_map = phys + this. */
#define START_KERNEL_MAP 0xffffffff80000000ull
#define TRAMP_ARGS_OFF  3072    /* args live in the trampoline's frame, after the code */

extern const char trampoline_start[], trampoline_end[];

const char *handoff_strerror(enum handoff_err e)
{
	switch (e) {
	case HANDOFF_OK:        return "ok";
	case HANDOFF_ENOMEM:    return "no safe frame left for the hand-off page tables";
	case HANDOFF_EJUMP:     return "jump address is not a kernel address";
	case HANDOFF_EUNMAPPED: return "the image's page tables do not map restore_registers";
	case HANDOFF_ELA57:     return "the image uses 5-level paging but thaw runs with 4 (or the reverse)";
	case HANDOFF_ENONX:     return "the CPU lacks NX, which the image's page tables use";
	}
	return "unknown hand-off error";
}

static uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static uint16_t read_cs(void)
{
	uint16_t v;
	__asm__ volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

static uint32_t cpuid_edx(uint32_t leaf)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
	return d;
}

/* Walk the image's own tables (as they will be after the copy) for va; true with
 * *pa set if mapped. levels = 4 or 5; large pages at the PDPT and PD levels. */
static bool image_walk(const struct placer *p, uint64_t cr3, int levels, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & PTE_ADDR;

	for (int l = levels; l >= 1; l--) {
		unsigned shift = 12 + 9 * (unsigned)(l - 1);
		const uint64_t *t = place_lookup(p, table >> 12);
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

/* The image's paging depth: the one under which jump resolves to jump_phys
 * (the restore record does not store it: docs/hibernation-format.md §7). 0 if neither. */
static int image_levels(const struct placer *p, const struct handoff *h)
{
	uint64_t pa;

	if (image_walk(p, h->image_cr3, 4, h->jump, &pa) && pa == h->jump_phys)
		return 4;
	if (image_walk(p, h->image_cr3, 5, h->jump, &pa) && pa == h->jump_phys)
		return 5;
	return 0;
}

/* The next-level table under entry idx of table t, allocated (safe, zeroed) if absent. */
static uint64_t *temp_child(uint64_t *t, unsigned idx, struct handoff *h)
{
	if (!(t[idx] & PTE_PRESENT)) {
		uint64_t frame = pmm_alloc();
		if (!frame)
			return NULL;
		h->table_frames++;
		t[idx] = frame | PTE_PRESENT | PTE_WRITE;
	}
	return (uint64_t *)(uintptr_t)(t[idx] & PTE_ADDR);
}

/* Map va → pa with one page of size 4 KiB (leaf_level 1) or 2 MiB (2), executable. */
static bool temp_map(struct handoff *h, uint64_t va, uint64_t pa, int leaf_level)
{
	uint64_t *t = (uint64_t *)(uintptr_t)h->temp_cr3;

	for (int l = h->levels; l > leaf_level; l--) {
		t = temp_child(t, (va >> (12 + 9 * (l - 1))) & 511, h);
		if (!t)
			return false;
	}
	t[(va >> (12 + 9 * (leaf_level - 1))) & 511] =
		pa | PTE_PRESENT | PTE_WRITE | (leaf_level == 2 ? PTE_LARGE : 0);
	return true;
}

/* Identity map of all RAM in 2 MiB pages, for the copy loop (as Linux
 * arch/x86/power/hibernate_64.c set_up_temporary_mappings() maps it). */
static bool temp_identity(struct handoff *h)
{
	uint64_t top = (pmm_max_pfn() << 12) + PAGE_SIZE_2M - 1;

	for (uint64_t a = 0; a < (top & ~(PAGE_SIZE_2M - 1)); a += PAGE_SIZE_2M)
		if (!temp_map(h, a, a, 2))
			return false;
	return true;
}

/* jump_address → jump_address_phys: 2 MiB like Linux when both share the offset in
 * the 2 MiB page, else the two 4 KiB pages from the entry point on. */
static bool temp_text(struct handoff *h)
{
	if ((h->jump & (PAGE_SIZE_2M - 1)) == (h->jump_phys & (PAGE_SIZE_2M - 1)))
		return temp_map(h, h->jump & ~(PAGE_SIZE_2M - 1), h->jump_phys & ~(PAGE_SIZE_2M - 1), 2);
	for (uint64_t off = 0; off < 2 * 4096; off += 4096)
		if (!temp_map(h, (h->jump & ~0xfffull) + off, (h->jump_phys & ~0xfffull) + off, 1))
			return false;
	return true;
}

static enum handoff_err temp_tables(struct handoff *h)
{
	h->temp_cr3 = pmm_alloc();
	if (!h->temp_cr3)
		return HANDOFF_ENOMEM;
	h->table_frames = 1;
	if (!temp_identity(h) || !temp_text(h))
		return HANDOFF_ENOMEM;
	return HANDOFF_OK;
}

enum handoff_err handoff_prepare(struct handoff *h, const struct placer *p)
{
	int cpu_levels = (read_cr4() & CR4_LA57) ? 5 : 4;
	enum handoff_err err;

	/* A thaw invariant (boot/entry.asm), checked here, before the signature reset. */
	if (read_cs() != SEL_CODE64)
		panic("handoff: running on CS 0x%x; the resumed kernel needs 0x10", read_cs());
	if (!(cpuid_edx(CPUID_EXT_FEATURES) & CPUID_EDX_NX))
		return HANDOFF_ENONX;
	if (h->jump < KERNEL_HALF)
		return HANDOFF_EJUMP;
	if (h->protocol == TRAMP_PROTO_SEED) {
		if (h->jump < START_KERNEL_MAP)
			return HANDOFF_EJUMP;
		h->jump_phys = h->jump - START_KERNEL_MAP;
	}
	/* Records without cr3 (2007 seed): restore_registers loads its own tables. */
	h->levels = h->image_cr3 ? image_levels(p, h) : cpu_levels;
	if (!h->levels)
		return HANDOFF_EUNMAPPED;
	if (h->levels != cpu_levels)
		return HANDOFF_ELA57;
	err = temp_tables(h);
	if (err != HANDOFF_OK)
		return err;
	_Static_assert(TRAMP_ARGS_OFF + sizeof(struct tramp_args) <= 4096, "args fit");
	if ((size_t)(trampoline_end - trampoline_start) > TRAMP_ARGS_OFF)
		panic("handoff: trampoline is %zu bytes, more than its frame allows",
		      (size_t)(trampoline_end - trampoline_start));
	h->tramp = pmm_alloc();
	if (!h->tramp)
		return HANDOFF_ENOMEM;
	memcpy((void *)(uintptr_t)h->tramp, trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	return HANDOFF_OK;
}

/* 8259A: mask every line on both controllers (OCW1). */
static void quiesce_pics(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

/* IOAPIC (82093AA datasheet §3.2): IOREGSEL at +0, IOWIN at +0x10; register 1 bits
 * 16-23 = last redirection entry; RTE n low dword = register 0x10 + 2n, bit 16 mask. */
static void quiesce_ioapic(uint64_t base)
{
	uint32_t last;

	mmio_write32(base + IOAPIC_REGSEL, IOAPIC_VER);
	last = (mmio_read32(base + IOAPIC_WIN) >> 16) & 0xff;
	for (uint32_t n = 0; n <= last; n++) {
		mmio_write32(base + IOAPIC_REGSEL, IOAPIC_REDTBL + 2 * n);
		mmio_write32(base + IOAPIC_WIN, mmio_read32(base + IOAPIC_WIN) | IOAPIC_RTE_MASKED);
	}
}

/* Every IOAPIC the MADT lists (kernel/madt.c), else the conventional 0xFEC00000. A
 * malformed entry ends the list; the IOAPICs before it are still masked. */
void handoff_probe(struct handoff *h)
{
	const struct acpi_header *madt = acpi_find_table("APIC");
	struct madt_ioapic io[HANDOFF_MAX_IOAPICS];
	struct madt_info mi = { .ioapic = io, .ioapic_cap = HANDOFF_MAX_IOAPICS };

	h->ioapic_count = 0;
	if (madt)
		madt_parse(madt, madt->length, &mi);
	for (uint32_t i = 0; i < mi.ioapic_count; i++)
		h->ioapic[h->ioapic_count++] = io[i].address;
	if (!h->ioapic_count)
		h->ioapic[h->ioapic_count++] = IOAPIC_DEFAULT;
}

/* LAPIC timer: mask its LVT entry and zero the initial count, in whichever mode
 * (xAPIC MMIO or x2APIC MSRs) firmware left the APIC — the image kernel's
 * lapic_resume() (arch/x86/kernel/apic/apic.c) expects that mode. Intel SDM Vol. 3A
 * §11.5.1. */
static void quiesce_lapic_timer(void)
{
	uint64_t apic_base = rdmsr(MSR_APIC_BASE);
	uint64_t mmio = apic_base & APIC_BASE_ADDR;

	if (!(apic_base & APIC_BASE_EN))
		return;                         /* globally disabled: nothing ticks */
	if (apic_base & APIC_BASE_EXTD) {
		wrmsr(MSR_X2APIC_LVT_TIMER, rdmsr(MSR_X2APIC_LVT_TIMER) | LVT_MASKED);
		wrmsr(MSR_X2APIC_TMICT, 0);
		return;
	}
	mmio_write32(mmio + XAPIC_LVT_TIMER, mmio_read32(mmio + XAPIC_LVT_TIMER) | LVT_MASKED);
	mmio_write32(mmio + XAPIC_TMICT, 0);
}

__attribute__((noreturn)) void handoff_jump(const struct handoff *h, const struct placer *p)
{
	struct tramp_args *args = (struct tramp_args *)(uintptr_t)(h->tramp + TRAMP_ARGS_OFF);
	void (*tramp)(uint64_t) = (void (*)(uint64_t))(uintptr_t)h->tramp;

	__asm__ volatile("cli" ::: "memory");
	disks_quiesce_all();
	quiesce_pics();
	for (uint32_t i = 0; i < h->ioapic_count; i++)
		quiesce_ioapic(h->ioapic[i]);
	quiesce_lapic_timer();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

	args->temp_cr3 = h->temp_cr3;
	args->image_cr3 = h->image_cr3;
	args->jump = h->jump;
	args->list = p->head;
	args->protocol = h->protocol;
	tramp((uint64_t)(uintptr_t)args);
	panic("handoff: the trampoline returned");
}
