; thaw's entry: 32-bit protected mode (as GRUB and kexec leave it) to long mode and kmain.
; Contract: EAX = 0x36d76289, EBX = physical address of the Multiboot2 information,
; flat 32-bit segments, paging off, interrupts off (Multiboot2 spec §3.3). Nothing
; else is assumed: ESP may be 0 (kexec) or on low memory the image lists (GRUB's
; 0x7ff00), GDTR may point anywhere. Touches only thaw's own .data/.bss and COM1.

%include "kernel/segments.inc"		; SEL_*: one source, kernel/segments.h
%include "boot/data_segments.inc"		; DATA_SEGMENTS
%include "kernel/x86.inc"		; CR0_/CR4_/MSR_/EFER_/CPUID_/PTE_ bits: kernel/x86.h

LOW_MAP_GIB		equ 4			; RAM below 4 GiB plus the 32-bit MMIO hole
STACK_SIZE		equ 16384

COM1			equ 0x3F8

section .data
align 8
global boot_mb2_magic, boot_mb2_info, boot_cpu_pdpe1gb
boot_mb2_magic:		dd 0		; EAX at entry, for kmain
boot_mb2_info:		dd 0		; EBX at entry
boot_cpu_pdpe1gb:	db 0		; CPUID says 1 GiB pages are allowed

; GDT with Linux's selector numbers (arch/x86/include/asm/segment.h): the resumed
; kernel's iret and __restore_processor_state() rely on CS = 0x10 being 64-bit code
; and 0x18 being flat data (docs/hibernation-format.md §7).
align 16
boot_gdt:
	dq 0				; 0x00 null
	dq 0x00CF9A000000FFFF		; 0x08 flat 32-bit code (Linux GDT_ENTRY_KERNEL32_CS)
	dq 0x00AF9A000000FFFF		; 0x10 64-bit code, L=1 (GDT_ENTRY_KERNEL_CS)
	dq 0x00CF92000000FFFF		; 0x18 flat data (GDT_ENTRY_KERNEL_DS)
boot_gdt_end:
	dq 0, 0				; 0x20 TSS, filled in by kernel/idt.c
global boot_gdt, boot_gdt_ptr
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dq boot_gdt

section .bss
align 4096
global boot_pml4, boot_pdpt, boot_pd, boot_low_map_gib
boot_low_map_gib equ LOW_MAP_GIB	; for boot/entry64.asm, which builds the same map
boot_pml4:	resb 4096
boot_pdpt:	resb 4096
boot_pd:	resb 4096 * LOW_MAP_GIB
global boot_stack_guard
boot_stack_guard: resb 4096		; unmapped by paging_init(): overflow faults
boot_stack:	resb STACK_SIZE
global boot_stack_top
boot_stack_top:

extern __bss_start, __bss_end

section .text.boot progbits alloc exec nowrite align=16
bits 32
global thaw_entry32
thaw_entry32:
	; The Multiboot2 registers first, before anything can clobber them.
	mov [boot_mb2_magic], eax
	mov [boot_mb2_info], ebx
	mov esp, boot_stack_top
	cld

	lgdt [boot_gdt_ptr]
	jmp SEL_CODE32:.reload
.reload:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax

	; Zero .bss (page tables, stack, C globals) before the first call puts a return
	; address on the stack inside it; no loader's zeroing is relied on.
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	call check_cpu
	call build_identity_map
	call enter_long_mode		; does not return

; Long mode and NX are required (NX: Linux's page tables set bit 63, and EFER.NXE
; must be on before the hand-off, docs/hibernation-format.md §7).
check_cpu:
	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEATURES
	jb .no_long_mode
	mov eax, CPUID_EXT_FEATURES
	cpuid
	test edx, CPUID_EDX_LM
	jz .no_long_mode
	test edx, CPUID_EDX_NX
	jz .no_nx
	test edx, CPUID_EDX_PDPE1GB
	setnz byte [boot_cpu_pdpe1gb]
	ret
.no_long_mode:
	mov esi, msg_no_lm
	jmp fatal32
.no_nx:
	mov esi, msg_no_nx
	jmp fatal32

; Identity-map [0, 4 GiB) with 2 MiB pages: every RAM frame below 4 GiB and the
; 32-bit MMIO hole (local APIC, IOAPIC, PCI BARs). RAM above 4 GiB is added by
; paging_init() in C once the memory map is parsed. The tables live in .bss, which
; was zeroed at entry. The MMIO hole is mapped write-back here: the firmware's MTRRs
; make it uncached, and UC in an MTRR wins over any PAT type (Intel SDM Vol. 3
; §12.5.2.2); high BARs get PCD|PWT from paging_map_mmio().
build_identity_map:
	mov eax, boot_pdpt
	or eax, PTE_PRESENT | PTE_WRITE
	mov [boot_pml4], eax

	xor ecx, ecx			; PDPT index = GiB number
.pdpt_loop:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, PTE_PRESENT | PTE_WRITE
	mov [boot_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, LOW_MAP_GIB
	jb .pdpt_loop

	xor ecx, ecx			; PD entry index over all four PDs
.pd_loop:
	mov eax, ecx
	shl eax, 21			; low 32 bits of ecx * 2 MiB
	or eax, PTE_PRESENT | PTE_WRITE | PTE_LARGE	; 2 MiB pages
	mov edx, ecx
	shr edx, 11			; high bits of the physical address
	mov [boot_pd + ecx * 8], eax
	mov [boot_pd + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, PT_ENTRIES * LOW_MAP_GIB
	jb .pd_loop
	ret

; PAE, then EFER.LME|NXE, then paging (Intel SDM Vol. 3 §10.8.5), then a far jump
; to reload CS with the 64-bit selector. SSE is enabled on the way (SDM Vol. 3
; §14.1.3: CR4.OSFXSR|OSXMMEXCPT, CR0.MP set, CR0.EM and TS clear) for AES-NI.
enter_long_mode:
	mov eax, boot_pml4
	mov cr3, eax
	mov eax, cr4
	or eax, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT
	mov cr4, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, cr0
	and eax, ~(CR0_EM | CR0_TS)
	or eax, CR0_PE | CR0_PG | CR0_WP | CR0_MP
	mov cr0, eax
	jmp SEL_CODE64:long_entry

; Print the NUL-terminated string at ESI on COM1 and stop: without long mode there
; is nothing else thaw can do. COM1 set up as Linux's early_serial_init does.
fatal32:
	mov dx, COM1 + 3
	mov al, 0x03			; LCR: 8N1
	out dx, al
	mov dx, COM1 + 1
	xor al, al			; IER: no interrupts
	out dx, al
.next:
	lodsb
	test al, al
	jz .halt
	mov ah, al
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20			; LSR: transmit holding register empty
	jz .wait
	mov dx, COM1
	mov al, ah
	out dx, al
	jmp .next
.halt:
	cli
	hlt
	jmp .halt

msg_no_lm:	db "thaw: this CPU has no 64-bit long mode; thaw needs an x86_64 CPU", 13, 10, 0
msg_no_nx:	db "thaw: this CPU has no NX (execute-disable); resuming Linux needs it", 13, 10, 0

bits 64
long_entry:
	DATA_SEGMENTS
	mov rsp, boot_stack_top
	xor ebp, ebp			; ends frame-pointer walks
	mov edi, [boot_mb2_magic]	; kmain(uint32_t magic, uint64_t mbi)
	mov esi, [boot_mb2_info]
	extern kmain
	call kmain
.halt:
	cli
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
