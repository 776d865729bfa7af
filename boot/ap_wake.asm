; The two interrupt handlers an idle application processor can meet while it halts
; with interrupts on (kernel/smp.c ap_sleep()): the boot CPU's wake-up IPI, whose only
; job is to end the HLT, and the local APIC's spurious vector.
; Contract: entered through an interrupt gate (IF=0) on the AP's own stack; touches
; only RAX, RCX, RDX (restored) and the EOI register (Intel SDM Vol. 3A §10.8.5:
; a fixed interrupt needs an EOI; a spurious one must not get one, §10.9).

bits 64
section .text

global ap_wake_isr, ap_spurious_isr
extern smp_eoi_mmio			; kernel/smp.c: the xAPIC EOI register, 0 = x2APIC

ap_wake_isr:
	push rax
	push rcx
	push rdx
	mov rax, [rel smp_eoi_mmio]
	test rax, rax
	jz .x2apic
	mov dword [rax], 0
	jmp .done
.x2apic:
	mov ecx, 0x80B			; IA32_X2APIC_EOI (SDM §10.12.1.2)
	xor eax, eax
	xor edx, edx
	wrmsr
.done:
	pop rdx
	pop rcx
	pop rax
	iretq

ap_spurious_isr:
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
