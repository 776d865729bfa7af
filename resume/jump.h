/* Leaving thaw for the image kernel: what the CPU and firmware say (paging depth, NX,
 * the IOAPICs), then every interrupt source and DMA stopped and the trampoline run.
 * The decisions and tables before it are resume/handoff.c. */
#ifndef THAW_RESUME_JUMP_H
#define THAW_RESUME_JUMP_H

#include "resume/handoff.h"
#include "resume/place.h"

/* Learn what the jump needs from firmware tables — the IOAPICs the MADT lists —
 * while they are certainly intact: before the first image page is written. */
void jump_probe(struct handoff *h);

/* This CPU's paging depth and NX, and the trampoline's bytes, for handoff_prepare();
 * max_pfn is the caller's. Panics when thaw's own invariants (CS = 0x10, the
 * trampoline fits its frame) do not hold: a bug in thaw, checked before the disk
 * write. */
void jump_machine(struct handoff_env *env);

/* Quiesce and jump: reset the disk controllers, mask the 8259s and every IOAPIC
 * pin, leave the LAPIC masked and software-disabled (APIC mode untouched;
 * kernel/lapic.h) and the ACPI fixed events and GPEs as Linux would
 * (kernel/acpi_mode.h), IF=0, EFER.NXE=1, CS=0x10, then run the trampoline over
 * the copy list p->head. Never returns. */
__attribute__((noreturn)) void jump_to_image(const struct handoff *h, const struct placer *p);

#endif
