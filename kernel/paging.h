/* thaw's own page tables: identity map of all RAM and the 32-bit MMIO hole, built
 * by boot/entry.asm; paging_map_mmio() adds high ranges (e.g. OVMF's 64-bit BARs). */
#ifndef THAW_PAGING_H
#define THAW_PAGING_H
#include <stdint.h>
#include <stdbool.h>

/* Identity-map [phys, phys+len) uncached; returns false if tables could not be
 * allocated. Safe to call for ranges already mapped. */
bool paging_map_mmio(uint64_t phys, uint64_t len);

#endif
