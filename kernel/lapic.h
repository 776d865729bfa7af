/* The boot CPU's local APIC at the hand-off: left the way Linux's boot kernel
 * leaves it before jumping into the image (arch/x86/kernel/apic/apic.c). */
#ifndef THAW_LAPIC_H
#define THAW_LAPIC_H

/* Mask every LVT entry (timer, LINT0, LINT1, error, perf, thermal, CMCI), stop the
 * timer, clear the ESR and software-disable the APIC (SPIV bit 8) — Linux's
 * syscore lapic_suspend() → disable_local_APIC() → apic_soft_disable() →
 * clear_local_APIC(). The APICBASE MSR is not touched: globally enabled, and in
 * the xAPIC or x2APIC mode firmware chose, which lapic_resume() in the image
 * kernel expects. Interrupts must be off. */
void lapic_handover(void);

#endif
