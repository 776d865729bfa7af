/* Interrupt descriptor table for vectors 0-31, pointing at boot/isr.asm's stubs.
 * 64-bit interrupt gates (Intel SDM Vol. 3 §6.14.1); interrupts themselves stay off. */
#include <stddef.h>
#include <stdint.h>
#include "kernel/idt.h"
#include "kernel/segments.h"

#define IDT_EXCEPTIONS	32
#define GATE_INTERRUPT	0x8E    /* present, DPL 0, type 0xE: 64-bit interrupt gate */

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

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	uint64_t base;
};
_Static_assert(sizeof(struct idt_ptr) == 10, "IDTR image");

extern const uint64_t isr_stub_table[IDT_EXCEPTIONS];

static struct {
	struct idt_gate gates[IDT_EXCEPTIONS] __attribute__((aligned(16)));
} idt;

void idt_init(void)
{
	for (int v = 0; v < IDT_EXCEPTIONS; v++) {
		uint64_t h = isr_stub_table[v];

		idt.gates[v] = (struct idt_gate){
			.offset_low = (uint16_t)h,
			.selector = SEL_CODE64,
			.type_attr = GATE_INTERRUPT,
			.offset_mid = (uint16_t)(h >> 16),
			.offset_high = (uint32_t)(h >> 32),
		};
	}
	struct idt_ptr p = { sizeof(idt.gates) - 1, (uint64_t)(uintptr_t)idt.gates };
	__asm__ volatile("lidt %0" : : "m"(p));
}
