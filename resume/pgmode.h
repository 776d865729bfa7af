/* The paging mode of the hand-off: the image kernel's paging depth (4 or 5 levels),
 * found by walking its own page tables, and what thaw must do to run in it
 * (Intel SDM Vol. 3A §4.5: CR4.LA57 changes only with paging off). Pure. */
#ifndef THAW_RESUME_PGMODE_H
#define THAW_RESUME_PGMODE_H
#include <stdbool.h>
#include <stdint.h>

/* Current content of frame pfn (as the image will see it after the copy), or NULL
 * when it holds nothing readable (all zero, not RAM). */
typedef const void *(*pgmode_lookup_fn)(void *ctx, uint64_t pfn);

/* Translate va through the tables rooted at cr3 read as a levels-deep (4 or 5) tree;
 * 1 GiB and 2 MiB pages count. True with *pa set when mapped. */
bool pgmode_walk(pgmode_lookup_fn lookup, void *ctx, uint64_t cr3, int levels, uint64_t va,
		 uint64_t *pa);

/* The depth under which va resolves to pa (the restore record does not say; Linux
 * arch/x86/power/hibernate.c leaves restore_registers to load cr3 in the image
 * kernel's own mode). 0 when neither or both depths do. */
int pgmode_image_levels(pgmode_lookup_fn lookup, void *ctx, uint64_t cr3, uint64_t va,
			uint64_t pa);

enum pgmode_plan {
	PGMODE_KEEP,            /* the CPU already runs the image's depth */
	PGMODE_SWITCH,          /* toggle CR4.LA57 (with paging off) before the jump */
	PGMODE_ENOLA57,         /* the image is 5-level and this CPU has no LA57 */
};

/* What the hand-off does, given the depth thaw runs now (4/5), whether the CPU can
 * run 5-level paging (CPUID.(EAX=7,ECX=0):ECX[16]) and the image's depth. */
enum pgmode_plan pgmode_plan(int cpu_levels, bool cpu_la57, int image_levels);

#endif
