/* Hand-off: temporary page tables and trampoline in safe frames, quiesce, jump.
 * Linux arch/x86/power/hibernate.c + hibernate_64.c do the same for their own boot
 * kernel; the image kernel's restore_registers is the contract (format doc §3.4). */
#include "resume/handoff.h"

#include <stddef.h>
#include <string.h>

#include "block/disks.h"
#include "kernel/acpi.h"
#include "kernel/acpi_mode.h"
#include "kernel/io.h"
#include "kernel/lapic.h"
#include "kernel/panic.h"
#include "mm/pmm.h"
#include "resume/trampoline_abi.h"

#define PTE_P           (1ull << 0)
#define PTE_RW          (1ull << 1)
#define PTE_PS          (1ull << 7)
#define PTE_ADDR        0x000ffffffffff000ull
#define SZ_2M           0x200000ull
#define SZ_1G           0x40000000ull
#define CR4_LA57        (1ull << 12)
#define MSR_EFER        0xC0000080u
#define EFER_NXE        (1ull << 11)
#define KERNEL_CS       0x10    /* Linux __KERNEL_CS; the image's first iret reloads it */
#define KERNEL_HALF     0xffff800000000000ull   /* lowest upper-half (kernel) VA, 4-level */
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EDX_NX    (1u << 20)
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

		if (!(e & PTE_P))
			return false;
		if (l == 1 || ((l == 2 || l == 3) && (e & PTE_PS))) {
			uint64_t span = 1ull << shift;
			*pa = ((e & PTE_ADDR) & ~(span - 1)) | (va & (span - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}

/* The image's paging depth: the one under which jump resolves to jump_phys
 * (format doc §3.4: the header does not record it). 0 if neither does. */
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
	if (!(t[idx] & PTE_P)) {
		uint64_t frame = pmm_alloc();
		if (!frame)
			return NULL;
		h->table_frames++;
		t[idx] = frame | PTE_P | PTE_RW;
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
		pa | PTE_P | PTE_RW | (leaf_level == 2 ? PTE_PS : 0);
	return true;
}

/* Identity map of RAM only, for the copy loop (format doc §3.3): 2 MiB pages where
 * the whole 2 MiB is type-1 RAM, 4 KiB pages for the RAM frames of a partly-RAM
 * 2 MiB, nothing for holes. MMIO (VGA, the PCI hole, APICs, flash) is never
 * mapped write-back: the CPU could speculatively read or prefetch from it. */
static bool temp_identity_2m(struct handoff *h, uint64_t a)
{
	uint64_t pfn = a >> 12, ram = 0;

	for (uint64_t i = 0; i < SZ_2M / 4096; i++)
		ram += pmm_is_ram(pfn + i);
	if (ram == SZ_2M / 4096)
		return temp_map(h, a, a, 2);
	for (uint64_t i = 0; ram && i < SZ_2M / 4096; i++)
		if (pmm_is_ram(pfn + i) && !temp_map(h, a + i * 4096, a + i * 4096, 1))
			return false;
	return true;
}

static bool temp_identity(struct handoff *h)
{
	uint64_t top = (pmm_max_pfn() << 12) + SZ_2M - 1;

	for (uint64_t a = 0; a < (top & ~(SZ_2M - 1)); a += SZ_2M)
		if (!temp_identity_2m(h, a))
			return false;
	return true;
}

/* jump_address → jump_address_phys: 2 MiB like Linux when both share the offset in
 * the 2 MiB page, else the two 4 KiB pages from the entry point on. */
static bool temp_text(struct handoff *h)
{
	if ((h->jump & (SZ_2M - 1)) == (h->jump_phys & (SZ_2M - 1)))
		return temp_map(h, h->jump & ~(SZ_2M - 1), h->jump_phys & ~(SZ_2M - 1), 2);
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
	if (read_cs() != KERNEL_CS)
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

/* Every IOAPIC the MADT lists (ACPI 6.4 §5.2.12.3, entry type 1), else the
 * conventional 0xFEC00000. */
void handoff_probe(struct handoff *h)
{
	const uint8_t *madt = acpi_find_table("APIC");

	h->ioapic_count = 0;
	if (madt) {
		uint32_t len = (uint32_t)madt[4] | (uint32_t)madt[5] << 8 |
			       (uint32_t)madt[6] << 16 | (uint32_t)madt[7] << 24;
		for (uint32_t off = 44; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
			if (madt[off] != 1 || madt[off + 1] < 12 || off + 12 > len)
				continue;
			if (h->ioapic_count == HANDOFF_MAX_IOAPICS)
				break;
			const uint8_t *a = madt + off + 4;
			h->ioapic[h->ioapic_count++] = (uint64_t)a[0] | (uint64_t)a[1] << 8 |
						       (uint64_t)a[2] << 16 | (uint64_t)a[3] << 24;
		}
	}
	if (!h->ioapic_count)
		h->ioapic[h->ioapic_count++] = IOAPIC_DEFAULT;
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
	lapic_handover();
	acpi_mode_handover(h->platform);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

	args->temp_cr3 = h->temp_cr3;
	args->image_cr3 = h->image_cr3;
	args->jump = h->jump;
	args->list = p->head;
	args->protocol = h->protocol;
	tramp((uint64_t)(uintptr_t)args);
	panic("handoff: the trampoline returned");
}
