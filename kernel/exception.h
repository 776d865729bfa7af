/* The frame boot/isr.asm builds for a CPU exception, and its reporter. */
#ifndef THAW_EXCEPTION_H
#define THAW_EXCEPTION_H
#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;  /* pushed last by isr_common */
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;                          /* pushed by the stub */
	uint64_t rip, cs, rflags, rsp, ss;               /* pushed by the CPU */
};
/* boot/isr.asm pushes rax first and r15 last. */
_Static_assert(offsetof(struct trap_frame, rax) == 14 * 8, "trap frame GPRs");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "trap frame vector");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "trap frame CPU part");

__attribute__((noreturn)) void exception_report(const struct trap_frame *f);

#endif
