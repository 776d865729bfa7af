/* Interrupt descriptor table: vectors 0-31 point at boot/isr.asm's stubs, 32-255 are
 * not present unless idt_set_interrupt() fills one. 64-bit interrupt gates (Intel SDM
 * Vol. 3 §6.14.1); interrupts stay off, but for the idle APs' HLT (kernel/smp.c).
 * A double fault, NMI or machine check switches to a stack of its own (IST, §6.14.5)
 * so that a fault with a broken RSP still gets its report instead of a triple fault. */
#include <stddef.h>
#include <stdint.h>
#include "kernel/idt.h"
#include "kernel/segments.h"

#define IDT_EXCEPTIONS	32
#define IDT_VECTORS	256
#define GATE_INTERRUPT	0x8E    /* present, DPL 0, type 0xE: 64-bit interrupt gate */
#define TSS_AVAILABLE	0x89    /* present, DPL 0, type 0x9: available 64-bit TSS */
#define VEC_NMI		2
#define VEC_DOUBLE	8
#define VEC_MACHINE	18
#define IST_STACK_SIZE	8192

struct idt_gate {
	uint16_t offset_low;    /* 0 */
	uint16_t selector;      /* 2 */
	uint8_t ist;            /* 4: 0 = stay on the current stack */
	uint8_t type_attr;      /* 5 */
	uint16_t offset_mid;    /* 6 */
	uint32_t offset_high;   /* 8 */
	uint32_t reserved;      /* 12 */
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate");
_Static_assert(offsetof(struct idt_gate, offset_high) == 8, "IDT gate layout");

/* 64-bit TSS (SDM Vol. 3 §8.7): only the IST pointers are used. */
struct __attribute__((packed)) tss64 {
	uint32_t reserved0;     /* 0 */
	uint64_t rsp[3];        /* 4 */
	uint64_t reserved1;     /* 28 */
	uint64_t ist[7];        /* 36: IST1 .. IST7 */
	uint64_t reserved2;     /* 92 */
	uint16_t reserved3;     /* 100 */
	uint16_t iomap_base;    /* 102 */
};
_Static_assert(sizeof(struct tss64) == 104, "TSS");
_Static_assert(offsetof(struct tss64, ist) == 36, "TSS IST");

struct __attribute__((packed)) table_ptr {
	uint16_t limit;
	uint64_t base;
};
_Static_assert(sizeof(struct table_ptr) == 10, "GDTR/IDTR image");

extern const uint64_t isr_stub_table[IDT_EXCEPTIONS];
extern uint64_t boot_gdt[GDT_ENTRIES];       /* boot/entry.asm */

static struct {
	struct idt_gate gates[IDT_VECTORS] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	uint8_t ist_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
} idt;

/* The 16-byte system descriptor for the TSS (SDM Vol. 3 §8.2.3), then LTR. */
static void load_tss(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&idt.tss, limit = sizeof(idt.tss) - 1;
	struct table_ptr p = { sizeof(uint64_t) * GDT_ENTRIES - 1, (uint64_t)(uintptr_t)boot_gdt };

	idt.tss.ist[0] = (uint64_t)(uintptr_t)(idt.ist_stack + IST_STACK_SIZE);
	idt.tss.iomap_base = sizeof(idt.tss);           /* no I/O bitmap */
	boot_gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
			   (uint64_t)TSS_AVAILABLE << 40 | ((limit >> 16) & 0xf) << 48 |
			   ((base >> 24) & 0xff) << 56;
	boot_gdt[SEL_TSS / 8 + 1] = base >> 32;
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(p), "r"(SEL_TSS) : "memory");
}

static struct idt_gate gate(uint64_t h)
{
	return (struct idt_gate){
		.offset_low = (uint16_t)h,
		.selector = SEL_CODE64,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (uint16_t)(h >> 16),
		.offset_high = (uint32_t)(h >> 32),
	};
}

void idt_set_interrupt(unsigned vector, void (*handler)(void))
{
	if (vector >= IDT_EXCEPTIONS && vector < IDT_VECTORS)
		idt.gates[vector] = gate((uint64_t)(uintptr_t)handler);
}

void idt_init(void)
{
	for (int v = 0; v < IDT_EXCEPTIONS; v++)
		idt.gates[v] = gate(isr_stub_table[v]);
	idt.gates[VEC_NMI].ist = idt.gates[VEC_DOUBLE].ist = idt.gates[VEC_MACHINE].ist = 1;
	load_tss();
	struct table_ptr p = { sizeof(idt.gates) - 1, (uint64_t)(uintptr_t)idt.gates };
	__asm__ volatile("lidt %0" : : "m"(p));
}
