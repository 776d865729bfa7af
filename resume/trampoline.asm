; The restore trampoline: copies staged pages home, then enters the image kernel's
; restore_registers. handoff.c copies this code into a safe frame and calls it there.
;
; Contract (in):  rdi = physical address of struct tramp_args (trampoline_abi.h), in a
;                 safe frame. Long mode, CPL0, IF=0, CS=0x10, EFER.NXE=1, thaw's GDT
;                 (0x08 32-bit code, 0x10 64-bit code, 0x18 flat data). The code runs
;                 identity-mapped; args.temp_cr3 (args.levels deep) maps it, the args,
;                 the copy list and every frame of RAM 1:1, plus jump_address ->
;                 jump_address_phys. When args.levels differs from the CPU's current
;                 depth (CR4.LA57), this frame and temp_cr3 lie below 4 GiB: the depth
;                 switch runs 32-bit code with paging off (Intel SDM Vol. 3A §4.1.1,
;                 §9.8.5.4: LA57 changes only then), using the top of this frame as
;                 its stack.
; Touches:        only its own frame, the args block, the copy-list pages, the staged
;                 source frames and their destinations. Never thaw's stack: it may be
;                 among the destinations (docs/ARCHITECTURE.md, memory plan).
; Out (never returns), Linux arch/x86/power/hibernate_asm_64.S:
;                 modern protocol: r9 = image cr3;  2007 protocol: rbx = image cr3.
;                 r10 = 0 in both; jumps to args.jump.

%include "resume/trampoline_abi.inc"
%include "kernel/x86.inc"
%include "kernel/segments.inc"

%define FRAME_SIZE      4096

bits 64
section .text
global trampoline_start
global trampoline_end

trampoline_start:
	cld
	mov rax, cr4
	test eax, CR4_LA57
	setnz cl                        ; cl = 1: the CPU runs 5-level paging now
	cmp qword [rdi + TA_LEVELS], 5
	sete ch
	cmp cl, ch
	jne .switch_depth
	mov rax, [rdi + TA_TEMP_CR3]
	mov cr3, rax
	; Drop global TLB entries too: the temporary tables add the image's text mapping.
	mov rax, cr4
	mov rcx, rax
	and rcx, ~CR4_PGE
	mov cr4, rcx
	mov cr4, rax
	jmp .tables_loaded

; Switch paging depth the way Linux's decompressor does (6.1: arch/x86/boot/compressed/
; head_64.S, trampoline_32bit_src): through compatibility mode into 32-bit protected
; mode with paging off, flip CR4.LA57, load the new root, page on again, far return to
; 64-bit code. Runs before the copy, so thaw's GDT is still intact.
.switch_depth:
	and rax, ~CR4_PCIDE             ; clearing CR0.PG with PCIDE set is a #GP
	mov cr4, rax
	lea rsp, [rel trampoline_start + FRAME_SIZE]
	mov esi, [rdi + TA_TEMP_CR3]    ; below 4 GiB (handoff.c)
	lea rax, [rel .compat]
	push SEL_CODE32
	push rax
	o64 retf
bits 32
.compat:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov eax, cr0
	and eax, ~CR0_PG                ; leaves long mode: EFER.LMA = 0
	mov cr0, eax
	mov eax, cr4
	xor eax, CR4_LA57
	mov cr4, eax
	mov cr3, esi
	mov eax, cr0
	or eax, CR0_PG                  ; EFER.LME is still set: back to compatibility mode
	mov cr0, eax
	call .here                      ; eax = where this runs, for the far return
.here:
	pop eax
	add eax, .long - .here
	push SEL_CODE64
	push eax
	retf
bits 64
.long:
	mov edi, edi                    ; upper halves are undefined after 32-bit code

.tables_loaded:
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
