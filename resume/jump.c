/* The machine side of the hand-off: CPU facts, the IOAPICs from the MADT, the quiesce
 * of every interrupt source and DMA, and the call into the trampoline (Linux
 * arch/x86/power/hibernate_64.c swsusp_arch_resume() for its own boot kernel). */
#include "resume/jump.h"

#include <stddef.h>

#include "block/disks.h"
#include "block/stack.h"
#include "kernel/acpi.h"
#include "kernel/acpi_mode.h"
#include "kernel/io.h"
#include "kernel/lapic.h"
#include "kernel/madt.h"
#include "kernel/panic.h"
#include "kernel/segments.h"
#include "kernel/x86.h"
#include "mm/pmm.h"
#include "resume/trampoline_abi.h"

#define IOAPIC_DEFAULT  0xFEC00000ull
#define IOAPIC_REGSEL   0x00u
#define IOAPIC_WIN      0x10u
#define IOAPIC_VER      0x01u
#define IOAPIC_REDTBL   0x10u                   /* RTE n low dword: 0x10 + 2n */
#define IOAPIC_RTE_MASKED (1u << 16)
#define PIC1_DATA       0x21u
#define PIC2_DATA       0xA1u
#define LOW_4G          0x100000000ull  /* the depth switch loads CR3 from 32-bit code */

extern const char trampoline_start[], trampoline_end[];

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

/* CPUID.(EAX=7,ECX=0):ECX[16]: the CPU can run 5-level paging (Intel SDM Vol. 2A). */
static bool cpu_has_la57(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	if (a < CPUID_STRUCT_EXT)
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(CPUID_STRUCT_EXT), "c"(0));
	return (c & CPUID_ECX_LA57) != 0;
}

/* Every frame listed by the image is forbidden to the allocator by now: its frames
 * are safe ones. */
static uint64_t alloc_low(void *ctx)
{
	(void)ctx;
	return pmm_alloc_below(LOW_4G) / PAGE_SIZE;
}

void jump_machine(struct handoff_env *env)
{
	size_t len = (size_t)(trampoline_end - trampoline_start);

	/* A thaw invariant (boot/entry.asm), checked here, before the signature reset. */
	if (read_cs() != SEL_CODE64)
		panic("handoff: running on CS 0x%x; the resumed kernel needs 0x10", read_cs());
	if (len > HANDOFF_TRAMP_ARGS_OFF)
		panic("handoff: trampoline is %zu bytes, more than its frame allows", len);
	env->cpu_levels = (read_cr4() & CR4_LA57) ? 5 : 4;
	env->cpu_la57 = cpu_has_la57();
	env->cpu_nx = (cpuid_edx(CPUID_EXT_FEATURES) & CPUID_EDX_NX) != 0;
	env->alloc_low = alloc_low;
	env->tramp_code = trampoline_start;
	env->tramp_len = len;
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
void jump_probe(struct handoff *h)
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

__attribute__((noreturn)) void jump_to_image(const struct handoff *h, const struct placer *p)
{
	struct tramp_args *args = (struct tramp_args *)(uintptr_t)(h->tramp + HANDOFF_TRAMP_ARGS_OFF);
	void (*tramp)(uint64_t) = (void (*)(uint64_t))(uintptr_t)h->tramp;

	__asm__ volatile("cli" ::: "memory");
	disks_quiesce_all();
	stack_wipe_secrets();            /* all I/O is done: no key outlives thaw */
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
	args->levels = (uint64_t)h->levels;
	tramp((uint64_t)(uintptr_t)args);
	panic("handoff: the trampoline returned");
}
