/* The last words for a CPU exception: name, error code, RIP, CR2, every register,
 * then stop (through isa-debug-exit 0x11 under thaw.test_exit, so tests see it). */
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/exception.h"
#include "kernel/power.h"

#define VECTOR_PAGE_FAULT 14

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP error", "alignment check", "machine check",
	"SIMD FP error", "virtualization", "control protection",
};

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static struct {
	int depth;              /* > 0 while a report is being printed */
} exc;

void exception_report(const struct trap_frame *f)
{
	const char *name = f->vector < 32 && names[f->vector] ? names[f->vector] : "reserved";

	/* A fault while reporting a fault: printing again could recurse forever. */
	if (exc.depth++) {
		power_test_exit(POWER_EXIT_FAILURE);
		power_halt();
	}
	power_wipe();           /* first: whatever broke, no key outlives the report */

	kprintf("\nthaw: CPU exception %llu (%s), error code 0x%llx\n",
		(unsigned long long)f->vector, name, (unsigned long long)f->error);
	kprintf("  RIP %016llx  CS %04llx  RFLAGS %016llx  CR2 %016llx%s\n",
		(unsigned long long)f->rip, (unsigned long long)f->cs,
		(unsigned long long)f->rflags, (unsigned long long)read_cr2(),
		f->vector == VECTOR_PAGE_FAULT ? " (fault address)" : "");
	kprintf("  RSP %016llx  SS %04llx\n", (unsigned long long)f->rsp, (unsigned long long)f->ss);
	kprintf("  RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("  RSI %016llx  RDI %016llx  RBP %016llx  R8  %016llx\n",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi,
		(unsigned long long)f->rbp, (unsigned long long)f->r8);
	kprintf("  R9  %016llx  R10 %016llx  R11 %016llx  R12 %016llx\n",
		(unsigned long long)f->r9, (unsigned long long)f->r10,
		(unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("  R13 %016llx  R14 %016llx  R15 %016llx\n",
		(unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
	kprintf("thaw: stopped. This is a bug in thaw; please report the lines above.\n");
	power_test_exit(POWER_EXIT_FAILURE);
	power_halt();
}
