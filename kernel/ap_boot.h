/* The argument block of the AP start-up page (boot/ap_boot.asm, which includes the
 * generated kernel/ap_boot.inc): what an application processor needs to reach long
 * mode on thaw's page tables and call C on its own stack. */
#ifndef THAW_AP_BOOT_H
#define THAW_AP_BOOT_H
#include <stddef.h>
#include <stdint.h>

#define AP_ARGS_OFF 0xF00u              /* the code ends before this offset */
#define AB_CR3      0x00
#define AB_CR4      0x08
#define AB_CR0      0x10
#define AB_ENTRY    0x18
#define AB_STACK    0x20
#define AB_ARG      0x28
#define AB_GDTR     0x30
#define AB_IDTR     0x40
#define AB_FAR32    0x50
#define AB_FAR64    0x58

struct __attribute__((packed)) ap_boot_args {
	uint64_t cr3;                   /* 0x00 thaw's PML4, below 4 GiB */
	uint64_t cr4;                   /* 0x08 */
	uint64_t cr0;                   /* 0x10 */
	uint64_t entry;                 /* 0x18 void entry(void *arg), never returns */
	uint64_t stack_top;             /* 0x20 16-byte aligned */
	uint64_t arg;                   /* 0x28 */
	uint16_t gdt_limit;             /* 0x30 o32 lgdt operand: limit, 32-bit base */
	uint32_t gdt_base;              /* 0x32 */
	uint8_t pad0[10];
	uint16_t idt_limit;             /* 0x40 lidt operand in long mode */
	uint64_t idt_base;              /* 0x42 */
	uint8_t pad1[6];
	uint32_t far32_off;             /* 0x50 written by the AP itself */
	uint16_t far32_sel;             /* 0x54 */
	uint16_t pad2;
	uint32_t far64_off;             /* 0x58 written by the AP itself */
	uint16_t far64_sel;             /* 0x5c */
};
_Static_assert(offsetof(struct ap_boot_args, cr3) == AB_CR3, "AB_CR3");
_Static_assert(offsetof(struct ap_boot_args, cr4) == AB_CR4, "AB_CR4");
_Static_assert(offsetof(struct ap_boot_args, cr0) == AB_CR0, "AB_CR0");
_Static_assert(offsetof(struct ap_boot_args, entry) == AB_ENTRY, "AB_ENTRY");
_Static_assert(offsetof(struct ap_boot_args, stack_top) == AB_STACK, "AB_STACK");
_Static_assert(offsetof(struct ap_boot_args, arg) == AB_ARG, "AB_ARG");
_Static_assert(offsetof(struct ap_boot_args, gdt_limit) == AB_GDTR, "AB_GDTR");
_Static_assert(offsetof(struct ap_boot_args, idt_limit) == AB_IDTR, "AB_IDTR");
_Static_assert(offsetof(struct ap_boot_args, far32_off) == AB_FAR32, "AB_FAR32");
_Static_assert(offsetof(struct ap_boot_args, far64_off) == AB_FAR64, "AB_FAR64");

extern const char ap_boot_start[], ap_boot_end[];

#endif
