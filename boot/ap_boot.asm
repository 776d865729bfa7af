; The application processors' way from the start-up IPI to C: real mode, protected
; mode, long mode on thaw's own page tables and GDT, then entry(arg) on its own stack.
; kernel/smp.c copies ap_boot_start..ap_boot_end to a 4 KiB-aligned page P below
; 1 MiB, fills the argument block at P + AP_ARGS_OFF (kernel/ap_boot.h) and sends
; INIT-SIPI-SIPI with vector P >> 12 (Intel SDM Vol. 3A §8.4.4).
;
; Contract (in):  the AP starts in real mode at CS = P >> 4, IP = 0 (SDM §8.4.4.1),
;                 interrupts off after the first instruction. The argument block holds
;                 CR3/CR4/CR0 as the BSP runs with them, a GDT with thaw's selectors
;                 (0x08 32-bit code, 0x10 64-bit code, 0x18 data) and its IDT.
; Touches:        only the argument block (it writes its own far-jump pointers there),
;                 the registers, and the stack it is given.
; Out:            long mode, CPL0, IF=0, CS=0x10, DS=ES=SS=0x18, RSP = AB_STACK,
;                 RDI = AB_ARG; calls AB_ENTRY, which must not return (it halts if it
;                 does). The page may be reused once entry has signalled.

%include "kernel/segments.inc"		; SEL_*: kernel/segments.h
%include "boot/data_segments.inc"		; DATA_SEGMENTS
%include "kernel/x86.inc"		; CR0_*, MSR_EFER, EFER_*: kernel/x86.h
%include "kernel/ap_boot.inc"		; AP_ARGS_OFF, AB_*: kernel/ap_boot.h

section .rodata
align 16
global ap_boot_start, ap_boot_end

bits 16
ap_boot_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4				; ebx = P, kept through every mode
	; The two far-jump targets are P-relative: compute them here.
	lea eax, [ebx + (.pm32 - ap_boot_start)]
	mov [AP_ARGS_OFF + AB_FAR32], eax
	mov word [AP_ARGS_OFF + AB_FAR32 + 4], SEL_CODE32
	lea eax, [ebx + (.lm64 - ap_boot_start)]
	mov [AP_ARGS_OFF + AB_FAR64], eax
	mov word [AP_ARGS_OFF + AB_FAR64 + 4], SEL_CODE64
	o32 lgdt [AP_ARGS_OFF + AB_GDTR]
	; INIT leaves CR0 = 0x60000010 (CD, NW set: SDM Table 9-1); take the BSP's
	; value without PG, so caching is as on the BSP from here on.
	mov eax, [AP_ARGS_OFF + AB_CR0]
	and eax, ~CR0_PG
	or eax, CR0_PE
	mov cr0, eax
	jmp dword far [AP_ARGS_OFF + AB_FAR32]

bits 32
.pm32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, [ebx + AP_ARGS_OFF + AB_CR4]	; PAE (and LA57 if the BSP uses it)
	mov cr4, eax
	mov eax, [ebx + AP_ARGS_OFF + AB_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER			; long mode and NX, as on the BSP (SDM §10.8.5)
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, [ebx + AP_ARGS_OFF + AB_CR0]
	mov cr0, eax				; PG on: IA-32e compatibility mode
	jmp far [ebx + AP_ARGS_OFF + AB_FAR64]

bits 64
.lm64:
	DATA_SEGMENTS
	lidt [rbx + AP_ARGS_OFF + AB_IDTR]
	mov rsp, [rbx + AP_ARGS_OFF + AB_STACK]
	mov rdi, [rbx + AP_ARGS_OFF + AB_ARG]
	mov rax, [rbx + AP_ARGS_OFF + AB_ENTRY]
	xor ebp, ebp
	call rax
.halt:
	cli
	hlt
	jmp .halt
ap_boot_end:

section .note.GNU-stack noalloc noexec nowrite progbits
