/* The page allocator's core: sorted disjoint RAM ranges from an arbitrary memory map
 * plus two bitmaps (thaw-occupied, blocked) over exactly the RAM frames. Pure: the
 * bitmaps live in physical memory the core picks and reaches through a map hook. */
#ifndef THAW_PMM_CORE_H
#define THAW_PMM_CORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/boot_info.h"

#define PMM_MAX_RANGES 512      /* 256 map entries, each reserved hole can split one */
#define PMM_LOW_PFN    256      /* frames below 1 MiB are never handed out */

enum pmm_err {
	PMM_OK = 0,
	PMM_ENORAM,             /* no type-1 RAM at or above 1 MiB */
	PMM_ETOOMANY,           /* the map splits into more than PMM_MAX_RANGES ranges */
	PMM_ENOROOM,            /* no RAM below the placement limit can hold the bitmaps */
	PMM_EINCONSISTENT,      /* self-check found broken bookkeeping */
};

const char *pmm_strerror(enum pmm_err e);

struct pmm_range {
	uint64_t start, end;    /* frames [start, end) */
	uint64_t bit;           /* bitmap index of frame `start` */
};

struct pmm_region {
	uint64_t start, end;    /* physical bytes [start, end) */
};

/* Returns a pointer through which [phys, phys+len) can be read and written. */
typedef void *(*pmm_map_fn)(void *ctx, uint64_t phys, uint64_t len);

struct pmm {
	struct pmm_range ranges[PMM_MAX_RANGES];
	uint32_t nranges;
	uint64_t total;         /* RAM frames in all ranges */
	uint64_t free;          /* frames neither thaw-occupied nor blocked */
	uint64_t *thaw;         /* bit set: thaw's image, MBI, modules, bitmaps, allocated */
	uint64_t *blocked;      /* bit set: never hand out (low memory, pmm_core_forbid) */
	uint64_t words;         /* 64-bit words per bitmap */
	uint64_t bitmap_phys;   /* both bitmaps, thaw first */
	uint64_t hint;          /* next-fit start for single frames (bitmap word) */
};

/* Build from map[n]; frames overlapping any reserved[] region are thaw-occupied. The
 * bitmaps are placed in RAM below place_limit (bytes) and reached through map_fn. */
enum pmm_err pmm_core_init(struct pmm *p, const struct mem_range *map, uint32_t n,
			   const struct pmm_region *reserved, uint32_t nreserved,
			   uint64_t place_limit, pmm_map_fn map_fn, void *ctx);

/* count frames starting at a multiple of align (frames), all below limit_pfn; marks
 * them thaw-occupied and returns the first, or 0 when there is no such run. */
uint64_t pmm_core_alloc(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit_pfn);

/* Give back frames from pmm_core_alloc; false if any was not allocated. */
bool pmm_core_free(struct pmm *p, uint64_t pfn, uint64_t count);

void pmm_core_forbid(struct pmm *p, uint64_t pfn, uint64_t count);
bool pmm_core_is_ram(const struct pmm *p, uint64_t pfn);
bool pmm_core_is_thaw(const struct pmm *p, uint64_t pfn);
bool pmm_core_is_free(const struct pmm *p, uint64_t pfn);
uint64_t pmm_core_max_pfn(const struct pmm *p);

/* Recount and cross-check everything; PMM_OK or PMM_EINCONSISTENT. */
enum pmm_err pmm_core_check(const struct pmm *p);

#endif
