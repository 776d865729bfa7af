/* Physical page allocator over the Multiboot2 memory map. Hands out only type-1 RAM,
 * never frame 0 or anything below 1 MiB, never thaw's image, the boot information or
 * modules; can also forbid arbitrary frames (the resume path forbids every frame a
 * hibernation image lists, so all later allocations are "safe" frames). */
#ifndef THAW_PMM_H
#define THAW_PMM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE  4096u
#define PAGE_SHIFT 12

struct boot_info;

/* Build the allocator from bi's memory map; reserves [kernel_start, kernel_end),
 * the information block and the modules. Returns false if no usable RAM. */
bool pmm_init(const struct boot_info *bi, uint64_t kernel_start, uint64_t kernel_end);

uint64_t pmm_alloc(void);                         /* one frame, zeroed; 0 if none */
uint64_t pmm_alloc_contig(uint64_t count, uint64_t align_frames); /* zeroed; 0 if none */
uint64_t pmm_alloc_below(uint64_t phys_limit);    /* one frame below it, zeroed; 0 if none */
/* At least `bytes` (one frame when 0) of zeroed, contiguous, identity-mapped memory
 * for a buffer; NULL if none. */
void *pmm_alloc_bytes(uint64_t bytes);
void pmm_free(uint64_t phys);
void pmm_free_contig(uint64_t phys, uint64_t count);

/* Never hand out [pfn, pfn+count) from now on (frames already allocated stay so). */
void pmm_forbid(uint64_t pfn, uint64_t count);

bool pmm_is_ram(uint64_t pfn);        /* type-1 RAM in the boot memory map */
bool pmm_is_thaw(uint64_t pfn);       /* occupied by thaw: image, MBI, modules, allocated */
uint64_t pmm_max_pfn(void);           /* one past the highest RAM frame */
uint64_t pmm_free_frames(void);

/* Frames below phys_end are identity-mapped: allocations stay below it until
 * paging_init() has mapped all RAM and raises it. */
void pmm_mapped_up_to(uint64_t phys_end);

/* Walk the allocator's invariants and print a one-line summary ("pmm: ... ok");
 * returns false on the first inconsistency. */
bool pmm_self_check(void);

#endif
