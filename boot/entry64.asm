; thaw's 64-bit entry, used by the EFI stub (boot/efi_stub.c) after ExitBootServices.
; Contract: long mode on the firmware's identity-mapped page tables, thaw copied to its
; link address, EDI = THAW_EFI_MAGIC, RSI = physical address of a struct boot_info
; below 4 GiB. Switches to thaw's own GDT, page tables and stack, then calls kmain
; exactly as boot/entry.asm does; from there on nothing tells the two entries apart.

%include "kernel/segments.inc"		; SEL_*: kernel/segments.h
%include "boot/data_segments.inc"		; DATA_SEGMENTS
%include "kernel/x86.inc"		; CR0_/MSR_/EFER_/CPUID_/PTE_ bits: kernel/x86.h

extern boot_gdt_ptr, boot_pml4, boot_pdpt, boot_pd, boot_low_map_gib, boot_stack_top
extern boot_cpu_pdpe1gb
extern __bss_start, __bss_end
extern kmain

section .text.boot progbits alloc exec nowrite align=16
bits 64
global thaw_entry64
thaw_entry64:
	cli
	cld
	mov r12d, edi			; magic and boot_info survive in callee-saved registers
	mov r13, rsi

	; Linux's selectors (boot/entry.asm's GDT): CS = 0x10 through a far return.
	lgdt [boot_gdt_ptr]
	push SEL_CODE64
	lea rax, [rel .reload]
	push rax
	o64 retf
.reload:
	DATA_SEGMENTS

	; .bss holds the page tables and the stack; the firmware's stack is outside thaw
	; (the stub allocated all of [__thaw_start, __thaw_end) for thaw).
	mov rdi, __bss_start
	mov rcx, __bss_end
	sub rcx, rdi
	rep stosb

	mov eax, CPUID_EXT_FEATURES	; the stub already refused CPUs without NX
	cpuid
	test edx, CPUID_EDX_PDPE1GB
	setnz byte [boot_cpu_pdpe1gb]

	; The same identity map of [0, 4 GiB) in 2 MiB pages as boot/entry.asm builds.
	mov rax, boot_pdpt
	or rax, PTE_PRESENT | PTE_WRITE
	mov [boot_pml4], rax
	xor ecx, ecx
.pdpt_loop:
	mov rax, rcx
	shl rax, 12
	add rax, boot_pd
	or rax, PTE_PRESENT | PTE_WRITE
	mov [boot_pdpt + rcx * 8], rax
	inc ecx
	cmp ecx, boot_low_map_gib
	jb .pdpt_loop
	mov edx, boot_low_map_gib
	shl edx, 9			; 512 PD entries per GiB
	xor ecx, ecx
.pd_loop:
	mov rax, rcx
	shl rax, 21
	or rax, PTE_PRESENT | PTE_WRITE | PTE_LARGE
	mov [boot_pd + rcx * 8], rax
	inc ecx
	cmp ecx, edx
	jb .pd_loop

	; EFER.NXE before Linux's page tables are used (the firmware may not have set it),
	; CR0.WP as the 32-bit entry sets it, and SSE on (UEFI leaves it on; set it anyway,
	; as entry.asm does, for crypto/aes_ni.c); then thaw's tables.
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_NXE
	wrmsr
	mov rax, cr4
	or rax, CR4_OSFXSR | CR4_OSXMMEXCPT
	mov cr4, rax
	mov rax, cr0
	and rax, ~(CR0_EM | CR0_TS)
	or rax, CR0_WP | CR0_MP
	mov cr0, rax
	mov rax, boot_pml4
	mov cr3, rax

	mov rsp, boot_stack_top
	xor ebp, ebp
	mov edi, r12d			; kmain(uint32_t magic, uint64_t info)
	mov rsi, r13
	call kmain
.halt:
	cli
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
