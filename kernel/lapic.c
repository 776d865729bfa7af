/* Local APIC hand-over (Intel SDM Vol. 3A §11.4–§11.5, §11.9 SPIV; §11.12.1 x2APIC
 * MSR = 0x800 + xAPIC offset / 16). The sequence is Linux's clear_local_APIC() and
 * apic_soft_disable(), which its boot kernel runs through lapic_suspend() in
 * syscore_suspend() right before swsusp_arch_resume() (kernel/power/hibernate.c
 * resume_target_kernel()). The shutdown/kexec paths (lapic_shutdown(),
 * disable_IO_APIC() restoring virtual-wire mode) are not on that path, so the
 * IOAPIC stays as programmed with every pin masked (resume/handoff.c) and LINT0 is
 * not put back into ExtINT. */
#include "kernel/lapic.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/io.h"
#include "kernel/x86.h"

#define X2APIC_MSR      0x800u

/* xAPIC register offsets (SDM Table 11-1). */
#define APIC_VER        0x030u          /* bits 16-23: highest LVT entry index */
#define APIC_SPIV       0x0F0u
#define APIC_ESR        0x280u
#define APIC_LVTCMCI    0x2F0u
#define APIC_LVTT       0x320u
#define APIC_LVTTHMR    0x330u
#define APIC_LVTPC      0x340u
#define APIC_LVT0       0x350u
#define APIC_LVT1       0x360u
#define APIC_LVTERR     0x370u
#define APIC_TMICT      0x380u
#define LVT_MASKED      (1u << 16)
#define SPIV_ENABLED    (1u << 8)
#define ERROR_VECTOR    0xFEu           /* any non-zero vector: masking LVTERR with
					 * vector 0 can itself raise an APIC error */

static struct {
	bool x2apic;
	uint64_t mmio;
} la;

static uint32_t apic_read(uint32_t reg)
{
	if (la.x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR + reg / 16);
	return mmio_read32(la.mmio + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (la.x2apic)
		wrmsr(X2APIC_MSR + reg / 16, v);
	else
		mmio_write32(la.mmio + reg, v);
}

static void mask(uint32_t reg)
{
	apic_write(reg, apic_read(reg) | LVT_MASKED);
}

/* Masks first (deasserting level-triggered sources), then the clean values. */
static void clear_lvts(uint32_t maxlvt)
{
	if (maxlvt >= 3)
		apic_write(APIC_LVTERR, ERROR_VECTOR | LVT_MASKED);
	mask(APIC_LVTT);
	mask(APIC_LVT0);
	mask(APIC_LVT1);
	if (maxlvt >= 4)
		mask(APIC_LVTPC);
	if (maxlvt >= 5)
		mask(APIC_LVTTHMR);
	if (maxlvt >= 6)
		mask(APIC_LVTCMCI);
	apic_write(APIC_LVTT, LVT_MASKED);
	apic_write(APIC_LVT0, LVT_MASKED);
	apic_write(APIC_LVT1, LVT_MASKED);
	if (maxlvt >= 3)
		apic_write(APIC_LVTERR, LVT_MASKED);
	if (maxlvt >= 4)
		apic_write(APIC_LVTPC, LVT_MASKED);
}

void lapic_handover(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t maxlvt;

	if (!(base & APIC_BASE_EN))
		return;                 /* globally disabled: nothing can fire */
	la.x2apic = base & APIC_BASE_EXTD;
	la.mmio = base & APIC_BASE_ADDR;
	maxlvt = (apic_read(APIC_VER) >> 16) & 0xff;
	clear_lvts(maxlvt);
	apic_write(APIC_TMICT, 0);
	if (maxlvt > 3)                 /* Pentium errata 3AP/11AP, as Linux */
		apic_write(APIC_ESR, 0);
	apic_read(APIC_ESR);
	apic_write(APIC_SPIV, apic_read(APIC_SPIV) & ~SPIV_ENABLED);
}
