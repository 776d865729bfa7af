/* Where thaw itself sits in memory: page-aligned symbols from linker.ld. */
#ifndef THAW_LAYOUT_H
#define THAW_LAYOUT_H
#include <stdint.h>

extern char __thaw_start[], __thaw_end[];   /* every byte of the loaded image + .bss */
extern uint8_t boot_cpu_pdpe1gb;            /* boot/entry.asm: CPUID allows 1 GiB pages */
extern char boot_stack_guard[];             /* boot/entry.asm: the page below the stack */

static inline uint64_t thaw_image_start(void) { return (uint64_t)(uintptr_t)__thaw_start; }
static inline uint64_t thaw_image_end(void) { return (uint64_t)(uintptr_t)__thaw_end; }

#endif
