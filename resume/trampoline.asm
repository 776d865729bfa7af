; The restore trampoline: copies staged pages home, then enters the image kernel's
; restore_registers. handoff.c copies this code into a safe frame and calls it there.
;
; Contract (in):  rdi = physical address of struct tramp_args (trampoline_abi.h), in a
;                 safe frame. Long mode, CPL0, IF=0, CS=0x10, EFER.NXE=1. The code runs
;                 identity-mapped; args.temp_cr3 maps it, the args, the copy list and
;                 every frame of RAM 1:1, plus jump_address -> jump_address_phys.
; Touches:        only its own frame, the args block, the copy-list pages, the staged
;                 source frames and their destinations. No stack: thaw's stack may be
;                 among the destinations (docs/ARCHITECTURE.md, memory plan).
; Out (never returns), Linux arch/x86/power/hibernate_asm_64.S:
;                 modern protocol: r9 = image cr3;  2007 protocol: rbx = image cr3.
;                 r10 = 0 in both; jumps to args.jump.

%include "resume/trampoline_abi.inc"
%include "kernel/x86.inc"

bits 64
section .text
global trampoline_start
global trampoline_end

trampoline_start:
	cld
	mov rax, [rdi + TA_TEMP_CR3]
	mov cr3, rax
	; Drop global TLB entries too: the temporary tables add the image's text mapping.
	mov rax, cr4
	mov rcx, rax
	and rcx, ~CR4_PGE
	mov cr4, rcx
	mov cr4, rax

	mov r8, [rdi + TA_JUMP]
	mov r9, [rdi + TA_IMAGE_CR3]
	mov r10, [rdi + TA_PROTOCOL]
	mov rdx, [rdi + TA_LIST]

.page:                                  ; rdx = current copy-list page (physical)
	test rdx, rdx
	jz .done
	mov r11, [rdx + CL_COUNT]
	lea rbx, [rdx + CL_ENTRIES]
.entry:                                 ; rbx = entry, r11 = entries left on this page
	test r11, r11
	jz .next_page
	mov rdi, [rbx + CL_ENT_DST]
	mov rsi, [rbx + CL_ENT_SRC]
	mov ecx, 4096 / 8
	test rsi, rsi
	jz .zero
	rep movsq
	jmp .advance
.zero:
	xor eax, eax
	rep stosq
.advance:
	add rbx, CL_ENT_SIZE
	dec r11
	jmp .entry
.next_page:
	mov rdx, [rdx + CL_NEXT]
	jmp .page

.done:
	cmp r10, TRAMP_PROTO_SEED
	jne .jump
	mov rbx, r9                     ; 2007 protocol: restore_registers reads %rbx
.jump:
	xor r10d, r10d
	jmp r8
trampoline_end:
