/* thaw's own page tables: identity map of all RAM and the 32-bit MMIO hole, built
 * by boot/entry.asm; paging_map_mmio() adds high ranges (e.g. OVMF's 64-bit BARs). */
#ifndef THAW_PAGING_H
#define THAW_PAGING_H
#include <stdint.h>
#include <stdbool.h>

struct boot_info;

/* Extend boot/entry.asm's identity map of [0, 4 GiB) to every RAM range above
 * 4 GiB (1 GiB pages when the CPU has pdpe1gb, else 2 MiB), with tables from the
 * pmm; then lets the pmm hand out any frame. Also unmaps the guard page below the
 * boot stack. Call once, after pmm_init(). */
void paging_init(const struct boot_info *bi);

/* Identity-map [phys, phys+len) uncached; returns false if tables could not be
 * allocated. Safe to call for ranges already mapped. */
bool paging_map_mmio(uint64_t phys, uint64_t len);

#endif
