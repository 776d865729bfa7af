/* The hand-off to the image kernel: paging-depth check, temporary page tables and
 * the trampoline in safe frames, device and interrupt quiesce, the jump
 * (linux-hibernation-format.md §3.3–§3.4, §4). */
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
	HANDOFF_ELA57,          /* image paging depth differs from the CPU's, cannot switch */
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
	bool platform;          /* SF_PLATFORM_MODE: the ACPI platform pre-restore steps */
	/* Filled by handoff_prepare(). */
	int levels;             /* 4 or 5 */
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

/* Check the image's paging depth against the CPU's by walking image_cr3 (as the
 * placer will leave memory) for jump → jump_phys; then build the temporary tables
 * and copy the trampoline, all in safe frames. Must run after every listed frame is
 * forbidden to the allocator. Writes nothing outside newly allocated frames. */
enum handoff_err handoff_prepare(struct handoff *h, const struct placer *p);

/* Quiesce and jump: reset the disk controllers, mask the 8259s and every IOAPIC
 * pin, leave the LAPIC masked and software-disabled (APIC mode untouched;
 * kernel/lapic.h) and the ACPI fixed events as Linux would (kernel/acpi_mode.h),
 * IF=0, EFER.NXE=1, CS=0x10, then run the trampoline over the copy list p->head.
 * Never returns. */
__attribute__((noreturn)) void handoff_jump(const struct handoff *h, const struct placer *p);

#endif
