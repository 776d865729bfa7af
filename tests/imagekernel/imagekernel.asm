; A tiny stand-in for a hibernated Linux kernel: its restore_registers checks what
; thaw promised at the jump, then every page the synthetic image listed, and ends QEMU.
;
; Built by tests/system/imagekernel.py as a flat binary: nasm -f bin -DJUMP_VA=<va>;
; the test appends the check table (layout below) right after `table`, and places the
; whole binary, page aligned, at jump_address_phys in the image.
;
; Contract (in): thaw jumps to JUMP_VA (mapped to the binary's physical page by thaw's
;   temporary tables) with IF=0, CS=0x10, EFER.NXE=1, CR4.LA57 = (table.levels == 5)
;   (this kernel's tables are that deep, as Linux's restore_registers needs), and per
;   table.protocol,
;   0 modern: r9 = table.cr3;  1 rbx-era: rbx = table.cr3;  2 seed: no register;
;   r10 = 0 in every case.
; Touches: its own pages (stack inside the binary), reads the listed frames through
;   its identity map (NX on every entry: a missing EFER.NXE faults), thaw's temporary
;   page tables (through themselves, before leaving them), the LAPIC and the IOAPIC at
;   QEMU's 0xfec00000 (read only), COM1, port 0xf4.
; Also checks what Linux's boot kernel leaves (arch/x86/kernel/apic/apic.c
;   lapic_suspend(), mask_ioapic_entries()): thaw's tables map no MMIO, the LAPIC is
;   globally enabled but software-disabled with every LVT masked and its timer
;   stopped, every IOAPIC pin masked.
;   Then the other CPUs (table.aps of them): at entry each must be in wait-for-SIPI,
;   executing nothing — a SIPI alone starts it (Intel SDM Vol. 3A §8.4.1); a CPU still
;   running thaw's code would ignore it — and each must start again after a fresh
;   INIT-SIPI-SIPI, as the resumed Linux starts its CPUs. Every started AP runs 16-bit
;   code at AP_PAGE (pfn 1, already checked) that counts itself at AP_COUNTER and halts.
; Out: "IMAGEKERNEL: OK pages=<hex> zero=<hex>" then isa-debug-exit 0x10, or
;   "IMAGEKERNEL: FAIL <what> <hex>" then 0x11.

bits 64
org JUMP_VA

%define COM1            0x3f8
%define DEBUG_EXIT      0xf4
%define EXIT_OK         0x10
%define EXIT_FAIL       0x11
%define MSR_EFER        0xC0000080
%define EFER_NXE        (1 << 11)
%define RFLAGS_IF       (1 << 9)
%define KERNEL_CS       0x10
%define CR4_LA57_BIT    12
%define PATTERN_MUL     0x9E3779B97F4A7C15
%define MSR_APIC_BASE   0x1B
%define APIC_BASE_BSP   (1 << 8)
%define APIC_BASE_EXTD  (1 << 10)
%define MSR_X2APIC_ICR  0x830
%define XAPIC_ICR_LO    0x300
%define XAPIC_ICR_HI    0x310
%define ICR_BUSY        (1 << 12)
%define ICR_ALL_BUT_ME  (3 << 18)       ; destination shorthand
%define ICR_INIT        (ICR_ALL_BUT_ME | 0xC500)       ; level, assert
%define ICR_INIT_DEASSERT (ICR_ALL_BUT_ME | 0x8500)
%define AP_PAGE         0x1000          ; SIPI vector 0x01
%define ICR_SIPI        (ICR_ALL_BUT_ME | 0x600 | (AP_PAGE >> 12))
%define AP_COUNTER      0x1F00          ; inside AP_PAGE, past the code
%define AP_WAIT_TSC     20000000000     ; TSC ticks to wait for the APs (seconds)
%define CR4_LA57        (1 << 12)
%define PTE_ADDR        0x000ffffffffff000
%define APIC_BASE_EN    (1 << 11)
%define APIC_SPIV       0xf0
%define APIC_LVTT       0x320
%define APIC_LVT0       0x350
%define APIC_LVT1       0x360
%define APIC_LVTERR     0x370
%define APIC_TMICT      0x380
%define LVT_MASKED      (1 << 16)
%define SPIV_ENABLED    (1 << 8)
%define IOAPIC_BASE     0xfec00000      ; QEMU's (pc and q35)
%define LAPIC_DEFAULT   0xfee00000
%define VGA_TEXT        0xb8000

; The table the test appends (all u64, little endian):
%define T_MAGIC         0       ; "IMGKTBL2"
%define T_CR3           8       ; physical address of this kernel's PML4 (or PML5)
%define T_PROTOCOL      16      ; 0 modern, 1 rbx-era, 2 seed
%define T_LEVELS        24      ; paging depth of the tables at T_CR3: 4 or 5
%define T_APS           32      ; CPUs besides this one that must answer
%define T_COUNT         40      ; number of ranges
%define T_RANGES        48      ; {start_pfn, count, kind}: kind 0 pattern, 1 zero
%define R_START         0
%define R_COUNT         8
%define R_KIND          16
%define R_SIZE          24

restore_registers:
	mov r12, r9                     ; keep the incoming registers before anything
	mov r13, rbx
	mov r14, r10
	; Our tables read in the wrong depth would fault or map nonsense: check first.
	mov rax, cr4
	bt rax, CR4_LA57_BIT
	setc al
	movzx rdx, al
	xor ecx, ecx
	cmp qword [rel table + T_LEVELS], 5
	sete cl
	lea rsi, [rel msg_la57]
	cmp rdx, rcx
	jne fail                        ; (fail runs on thaw's tables: its text mapping)
	lea rsp, [rel stack_top]        ; never thaw's stack: its frame is an image page
	pushfq
	pop r15
	call check_no_mmio              ; still on thaw's temporary tables
	mov rax, [rel table + T_CR3]
	mov cr3, rax                    ; our own tables, like Linux's `mov %r9, %cr3`

	lea rsi, [rel msg_if]
	mov rdx, r15
	test r15, RFLAGS_IF
	jnz fail
	lea rsi, [rel msg_r10]
	mov rdx, r14
	test r14, r14
	jnz fail
	call check_cr3_register
	call check_cpu_state
	call check_lapic
	call check_ioapic
	call check_pages
	call check_cpus
	lea rsi, [rel msg_ok]
	call puts
	mov rdx, r12
	call puthex
	lea rsi, [rel msg_zero]
	call puts
	mov rdx, r13
	call puthex
	mov al, 10
	call putc
	mov al, EXIT_OK
	out DEBUG_EXIT, al
	hlt

; The register the protocol names must hold table.cr3.
check_cr3_register:
	mov rax, [rel table + T_CR3]
	mov rcx, [rel table + T_PROTOCOL]
	lea rsi, [rel msg_r9]
	mov rdx, r12
	cmp rcx, 0
	je .cmp
	lea rsi, [rel msg_rbx]
	mov rdx, r13
	cmp rcx, 1
	je .cmp
	ret                             ; seed: nothing passed
.cmp:
	cmp rdx, rax
	jne fail
	ret

check_cpu_state:
	mov rax, cr3
	and rax, ~0xfff
	lea rsi, [rel msg_cr3]
	mov rdx, rax
	cmp rax, [rel table + T_CR3]
	jne fail
	mov ax, cs
	movzx rdx, ax
	lea rsi, [rel msg_cs]
	cmp rdx, KERNEL_CS
	jne fail
	mov ecx, MSR_EFER
	rdmsr
	lea rsi, [rel msg_nxe]
	mov edx, eax
	test eax, EFER_NXE
	jz fail
	ret

; thaw's temporary tables map RAM only: no VGA, LAPIC or IOAPIC page may be mapped
; (write-back MMIO invites speculative reads). Walks the current CR3 through itself.
check_no_mmio:
	lea rsi, [rel msg_mmio]
	mov rdi, VGA_TEXT
	call is_mapped
	jc .bad
	mov rdi, LAPIC_DEFAULT
	call is_mapped
	jc .bad
	mov rdi, IOAPIC_BASE
	call is_mapped
	jc .bad
	ret
.bad:
	mov rdx, rdi
	jmp fail

; rdi = virtual address; CF=1 if the current tables map it (4 or 5 levels, 1 GiB and
; 2 MiB leaves). Reads the table frames at their physical addresses: thaw's tables
; identity-map the RAM they live in.
is_mapped:
	push rcx
	push rdx
	push r8
	mov r8, PTE_ADDR
	mov rax, cr3
	and rax, r8
	mov ecx, 39
	mov rdx, cr4
	test rdx, CR4_LA57
	jz .level
	mov ecx, 48
.level:
	mov rdx, rdi
	shr rdx, cl
	and edx, 511
	mov rax, [rax + rdx * 8]
	test al, 1
	jz .no
	cmp ecx, 12
	je .yes
	cmp ecx, 39
	jae .down                       ; PS is not a leaf above the PDPT
	test al, 0x80
	jnz .yes
.down:
	and rax, r8
	sub ecx, 9
	jmp .level
.yes:
	stc
	jmp .out
.no:
	clc
.out:
	pop r8
	pop rdx
	pop rcx
	ret

; The LAPIC as Linux's lapic_suspend() leaves it: APICBASE enable bit kept, SPIV
; software-disabled, LVT timer/LINT0/LINT1/error masked, timer count 0. xAPIC only
; (qemu64 has no x2APIC); our own tables identity-map the low 4 GiB.
check_lapic:
	mov ecx, MSR_APIC_BASE
	rdmsr
	lea rsi, [rel msg_apicbase]
	mov edx, eax
	test eax, APIC_BASE_EN
	jz fail
	test eax, APIC_BASE_EXTD
	jnz .done
	and eax, 0xfffff000
	mov edi, eax
	lea rsi, [rel msg_spiv]
	mov edx, [rdi + APIC_SPIV]
	test edx, SPIV_ENABLED
	jnz fail
	lea rsi, [rel msg_lvt]
	mov edx, [rdi + APIC_LVTT]
	test edx, LVT_MASKED
	jz fail
	mov edx, [rdi + APIC_LVT0]
	test edx, LVT_MASKED
	jz fail
	mov edx, [rdi + APIC_LVT1]
	test edx, LVT_MASKED
	jz fail
	mov edx, [rdi + APIC_LVTERR]
	test edx, LVT_MASKED
	jz fail
	lea rsi, [rel msg_tmict]
	mov edx, [rdi + APIC_TMICT]
	test edx, edx
	jnz fail
.done:
	ret

; Every redirection entry of QEMU's IOAPIC masked (82093AA: IOREGSEL +0, IOWIN +0x10,
; register 1 bits 16-23 = last entry, entry n low dword = register 0x10 + 2n).
check_ioapic:
	mov edi, IOAPIC_BASE
	mov dword [rdi], 1
	mov ecx, [rdi + 0x10]
	shr ecx, 16
	and ecx, 0xff
	xor r8d, r8d
.entry:
	lea eax, [r8d * 2 + 0x10]
	mov [rdi], eax
	mov edx, [rdi + 0x10]
	test edx, LVT_MASKED            ; the RTE mask is bit 16 too
	jz .bad
	inc r8d
	cmp r8d, ecx
	jbe .entry
	ret
.bad:
	lea rsi, [rel msg_ioapic]
	mov rdx, r8
	jmp fail

; Every listed range: pattern pages hold qword i = ((pfn << 12) | i) * PATTERN_MUL,
; zero pages hold zeros. r12 = pages checked, r13 = of which zero.
check_pages:
	xor r12d, r12d
	xor r13d, r13d
	mov r8, [rel table + T_COUNT]
	lea r9, [rel table + T_RANGES]
	mov r11, PATTERN_MUL
.range:
	test r8, r8
	jz .done
	mov r10, [r9 + R_START]
	mov rcx, [r9 + R_COUNT]
.page:
	test rcx, rcx
	jz .next_range
	mov rdi, r10
	shl rdi, 12                     ; identity map: the frame's address
	xor ebx, ebx                    ; qword index
.qword:
	xor eax, eax
	cmp qword [r9 + R_KIND], 1
	je .compare
	mov rax, r10
	shl rax, 12
	or rax, rbx
	imul rax, r11
.compare:
	cmp rax, [rdi + rbx * 8]
	jne .bad
	inc rbx
	cmp rbx, 512
	jb .qword
	inc r12
	cmp qword [r9 + R_KIND], 1
	jne .counted
	inc r13
.counted:
	inc r10
	dec rcx
	jmp .page
.next_range:
	add r9, R_SIZE
	dec r8
	jmp .range
.done:
	ret
.bad:
	lea rsi, [rel msg_page]
	mov rdx, r10
	jmp fail

; This must be the boot CPU; then the two start-up rounds described at the top.
check_cpus:
	mov ecx, MSR_APIC_BASE
	rdmsr
	lea rsi, [rel msg_bsp]
	mov edx, eax
	test eax, APIC_BASE_BSP
	jz fail
	mov [rel apic_base], eax
	cmp qword [rel table + T_APS], 0
	je .done
	lea rsi, [rel ap16]
	mov edi, AP_PAGE
	mov ecx, ap16_end - ap16
	rep movsb
	mov dword [AP_COUNTER], 0
	mov eax, ICR_SIPI               ; round 1: SIPI only
	call send_ipi
	call short_wait
	mov eax, ICR_SIPI
	call send_ipi
	mov r8, [rel table + T_APS]
	lea rsi, [rel msg_parked]
	call wait_aps
	mov eax, ICR_INIT               ; round 2: INIT-SIPI-SIPI
	call send_ipi
	mov eax, ICR_INIT_DEASSERT
	call send_ipi
	call short_wait
	mov eax, ICR_SIPI
	call send_ipi
	call short_wait
	mov eax, ICR_SIPI
	call send_ipi
	mov r8, [rel table + T_APS]
	add r8, r8
	lea rsi, [rel msg_restart]
	call wait_aps
.done:
	ret

; eax = ICR low word, to every CPU but this one; xAPIC MMIO or x2APIC MSR.
send_ipi:
	test dword [rel apic_base], APIC_BASE_EXTD
	jnz .x2apic
	mov edi, [rel apic_base]
	and edi, 0xfffff000
	mov dword [rdi + XAPIC_ICR_HI], 0
	mov [rdi + XAPIC_ICR_LO], eax
.busy:
	pause
	test dword [rdi + XAPIC_ICR_LO], ICR_BUSY
	jnz .busy
	ret
.x2apic:
	mov ecx, MSR_X2APIC_ICR
	xor edx, edx
	wrmsr
	ret

short_wait:                             ; the SIPI spacing: some 10^5 pauses
	mov ecx, 100000
.spin:
	pause
	dec ecx
	jnz .spin
	ret

; Wait until AP_COUNTER reaches r8 (fail with rsi and the count if it never does or
; goes past it).
wait_aps:
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov r9, rax
.poll:
	mov edx, [AP_COUNTER]
	cmp rdx, r8
	je .ok
	ja fail
	pause
	rdtsc
	shl rdx, 32
	or rax, rdx
	sub rax, r9
	mov rcx, AP_WAIT_TSC
	cmp rax, rcx
	jb .poll
	mov edx, [AP_COUNTER]
	jmp fail
.ok:
	ret

; Copied to AP_PAGE: what each started AP runs (real mode, CS = AP_PAGE >> 4).
bits 16
ap16:
	cli
	xor ax, ax
	mov ds, ax
	lock inc dword [AP_COUNTER]
.halt:
	hlt
	jmp .halt
ap16_end:
bits 64

; rsi = message, rdx = value: report and leave with EXIT_FAIL.
fail:
	lea rsp, [rel stack_top]
	push rdx
	push rsi
	lea rsi, [rel msg_fail]
	call puts
	pop rsi
	call puts
	mov al, ' '
	call putc
	pop rdx
	call puthex
	mov al, 10
	call putc
	mov al, EXIT_FAIL
	out DEBUG_EXIT, al
	hlt

putc:                                   ; al = byte; polls the 16550 LSR
	push rdx
	push rax
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	pop rax
	mov dx, COM1
	out dx, al
	pop rdx
	ret

puts:                                   ; rsi = NUL-terminated string
	lodsb
	test al, al
	jz .end
	call putc
	jmp puts
.end:
	ret

puthex:                                 ; rdx = value, printed as 0x + 16 digits
	mov al, '0'
	call putc
	mov al, 'x'
	call putc
	mov ecx, 16
.digit:
	rol rdx, 4
	mov al, dl
	and al, 0xf
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '0' - 10
.out:
	call putc
	dec ecx
	jnz .digit
	ret

msg_ok:   db "IMAGEKERNEL: OK pages=", 0
msg_zero: db " zero=", 0
msg_fail: db "IMAGEKERNEL: FAIL ", 0
msg_if:   db "rflags.IF", 0
msg_r10:  db "r10", 0
msg_r9:   db "r9", 0
msg_rbx:  db "rbx", 0
msg_cr3:  db "cr3", 0
msg_cs:   db "cs", 0
msg_nxe:  db "efer.nxe", 0
msg_la57: db "cr4.la57", 0
msg_page: db "page", 0
msg_mmio: db "mmio-mapped", 0
msg_apicbase: db "apicbase", 0
msg_spiv: db "lapic-spiv", 0
msg_lvt:  db "lapic-lvt", 0
msg_tmict: db "lapic-tmict", 0
msg_ioapic: db "ioapic-rte-unmasked", 0
msg_bsp:  db "not-bsp", 0
msg_parked: db "aps-not-waiting-for-sipi", 0
msg_restart: db "aps-init-sipi-sipi", 0

align 8
apic_base: dq 0

align 16
stack:    times 1024 db 0
stack_top:
align 8
table:                                  ; appended by the test
