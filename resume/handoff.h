/* The hand-off to the image kernel: its paging depth (resume/pgmode.h), temporary
 * page tables and the trampoline in safe frames, device and interrupt quiesce, the
 * jump (Linux arch/x86/power/hibernate.c, hibernate_asm_64.S: restore_registers). */
#ifndef THAW_RESUME_HANDOFF_H
#define THAW_RESUME_HANDOFF_H
#include <stdbool.h>
#include <stdint.h>

#include "resume/place.h"

enum handoff_err {
	HANDOFF_OK = 0,
	HANDOFF_ENOMEM,         /* no safe frame for the tables or the trampoline */
	HANDOFF_EJUMP,          /* jump address is not a kernel (upper-half) address */
	HANDOFF_EUNMAPPED,      /* the image's page tables do not map the jump address */
	HANDOFF_ELA57,          /* the image is 5-level and the CPU has no LA57 */
	HANDOFF_ENONX,          /* the CPU has no NX; the image's tables need EFER.NXE */
};

const char *handoff_strerror(enum handoff_err e);

#define HANDOFF_MAX_IOAPICS 16

struct handoff {
	/* Filled by the caller from the restore record. */
	uint64_t jump;          /* VA of restore_registers */
	uint64_t jump_phys;     /* its physical address (2007 protocol: derived) */
	uint64_t image_cr3;
	uint64_t protocol;      /* TRAMP_PROTO_* */
	/* Filled by handoff_prepare(). */
	int levels;             /* the image's paging depth, 4 or 5: the temporary tables' */
	bool switch_levels;     /* thaw runs the other depth: the trampoline switches */
	uint64_t temp_cr3;
	uint64_t tramp;         /* physical frame holding the trampoline + its args */
	uint64_t table_frames;  /* frames used by the temporary tables */
	/* Filled by handoff_probe(), before any image page is written. */
	uint64_t ioapic[HANDOFF_MAX_IOAPICS];
	uint32_t ioapic_count;
};

/* Learn what the hand-off needs from firmware tables — the IOAPICs the MADT lists —
 * while they are certainly intact: before the first image page is written. */
void handoff_probe(struct handoff *h);

/* Find the image's paging depth by walking image_cr3 (as the placer will leave
 * memory) for jump → jump_phys and plan the hand-off in it (switching CR4.LA57 in the
 * trampoline when thaw runs the other depth); then build the temporary tables in
 * that depth and copy the trampoline, all in safe frames (the root table and the
 * trampoline below 4 GiB when switching). Must run after every listed frame is
 * forbidden to the allocator. Writes nothing outside newly allocated frames. */
enum handoff_err handoff_prepare(struct handoff *h, const struct placer *p);

/* Quiesce and jump: reset the virtio devices, mask the 8259s, the IOAPIC pins and
 * the LAPIC timer (APIC mode untouched), IF=0, EFER.NXE=1, CS=0x10, then run the
 * trampoline over the copy list p->head. Never returns. */
__attribute__((noreturn)) void handoff_jump(const struct handoff *h, const struct placer *p);

#endif
