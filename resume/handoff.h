/* The hand-off's decisions and tables: the image's paging depth found by walking its
 * own page tables (as placement will leave memory; resume/pgmode.c), the temporary
 * tables in that depth and the trampoline in safe frames (docs/hibernation-format.md
 * §7). Pure: every frame
 * is reached through the placer's struct place_env, every CPU fact comes in struct
 * handoff_env, so all of it runs on the host. resume/jump.c does the machine side. */
#ifndef THAW_RESUME_HANDOFF_H
#define THAW_RESUME_HANDOFF_H
#include <stdbool.h>
#include <stddef.h>
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
#define HANDOFF_TRAMP_ARGS_OFF 3072     /* struct tramp_args in the trampoline's frame */

struct handoff {
	/* Filled by the caller from the restore record. */
	uint64_t jump;          /* VA of restore_registers */
	uint64_t jump_phys;     /* its physical address (2007 protocol: derived) */
	uint64_t image_cr3;
	uint64_t protocol;      /* TRAMP_PROTO_* */
	bool platform;          /* SF_PLATFORM_MODE: the ACPI platform pre-restore steps */
	/* Filled by handoff_prepare(). */
	int levels;             /* the image's paging depth, 4 or 5: the temporary tables' */
	bool switch_levels;     /* thaw runs the other depth: the trampoline switches */
	uint64_t temp_cr3;
	uint64_t tramp;         /* physical frame holding the trampoline + its args */
	uint64_t table_frames;  /* frames used by the temporary tables */
	/* Filled by jump_probe(), before any image page is written. */
	uint64_t ioapic[HANDOFF_MAX_IOAPICS];
	uint32_t ioapic_count;
};

/* What handoff_prepare() needs to know about the machine (jump_machine() in thaw). */
struct handoff_env {
	uint64_t max_pfn;       /* one past the highest RAM frame: the identity map's end */
	int cpu_levels;         /* paging depth thaw runs with: 4, or 5 under CR4.LA57 */
	bool cpu_la57;          /* CPUID.(EAX=7,ECX=0):ECX.LA57: 5-level paging possible */
	bool cpu_nx;            /* CPUID 0x80000001 EDX.NX */
	/* A safe frame below 4 GiB (pfn, 0 if none; called with the place_env's ctx), for
	 * the trampoline and the tables' root when the trampoline switches depth: it
	 * loads CR3 and runs from 32-bit code then. */
	uint64_t (*alloc_low)(void *ctx);
	const void *tramp_code; /* trampoline.asm's bytes, at most HANDOFF_TRAMP_ARGS_OFF */
	size_t tramp_len;
};

/* The physical address jump resolves to under the image's own tables at paging depth
 * levels (4 or 5), as placement leaves memory: true with *pa set if mapped. Entries
 * that point outside RAM count as unmapped (place_lookup()). */
bool handoff_walk(const struct placer *p, uint64_t cr3, int levels, uint64_t va, uint64_t *pa);

/* Check the jump address, find the image's paging depth and plan the hand-off in it
 * (the trampoline switches CR4.LA57 when thaw runs the other depth), then build the
 * temporary tables in that depth and copy the trampoline, all in frames from p's
 * alloc_safe (env->alloc_low for the root table and the trampoline when switching).
 * Must run after every listed frame is forbidden to the allocator. Writes nothing
 * outside newly allocated frames. */
enum handoff_err handoff_prepare(struct handoff *h, const struct placer *p,
				 const struct handoff_env *env);

#endif
