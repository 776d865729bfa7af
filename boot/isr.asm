; Exception entry stubs for vectors 0-31: each pushes a uniform frame (struct
; trap_frame in kernel/exception.h) and calls exception_report(frame), which never
; returns. Interrupts stay disabled in thaw, so only CPU exceptions arrive here.
; Contract: called by the CPU in 64-bit mode on thaw's stack; touches only the stack.

bits 64
section .text

extern exception_report

; Vectors where the CPU pushes an error code (Intel SDM Vol. 3 §6.13, Table 6-1).
%define HAS_ERROR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || \
			(v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro ISR_STUB 1
isr_stub_%1:
%if HAS_ERROR(%1) == 0
	push 0				; uniform frame: a zero error code
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 32
ISR_STUB v
%assign v v + 1
%endrep

; Layout must match struct trap_frame: r15 first (lowest address) ... rax, then
; vector, error code, and the CPU's RIP, CS, RFLAGS, RSP, SS.
isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	and rsp, ~0xF			; the C ABI wants a 16-byte aligned stack
	call exception_report
.halt:
	cli
	hlt
	jmp .halt

section .rodata
align 8
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 32
	dq isr_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
