; The Multiboot2 header that lets GRUB 2.06 (BIOS and UEFI) and kexec-tools 2.0.25
; load thaw.elf. Multiboot2 spec §3.1; it must sit 8-aligned in the first 32 KiB of
; the file, which linker.ld guarantees by placing .multiboot2 first.

MB2_MAGIC		equ 0xE85250D6
MB2_ARCH_I386		equ 0		; enter in 32-bit protected mode (§3.1.2)
MB2_TAG_END		equ 0
MB2_TAG_CONSOLE		equ 4		; console flags tag (§3.1.7)
MB2_TAG_FRAMEBUFFER	equ 5		; framebuffer tag (§3.1.8)
MB2_TAG_OPTIONAL	equ 1		; flags bit 0: a loader may ignore the tag
MB2_CONSOLE_EGA_TEXT	equ 2		; bit 1: thaw can drive EGA text mode

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; Tell the loader we can use EGA text mode and, where there is no text mode
	; (UEFI), a linear framebuffer of any size (0 = no preference). Both optional,
	; so a loader that does not know them (kexec only warns) still boots us. No EFI
	; tags: GRUB then calls ExitBootServices and enters at the 32-bit entry on UEFI
	; too (Multiboot2 spec, "EFI boot services tag" and "EFI amd64 entry address
	; tag": tag 7 keeps boot services running, tag 9 enters in 64-bit mode).
	; iso/grub.cfg keeps BIOS in text mode with gfxpayload=text.
	align 8
	dw MB2_TAG_CONSOLE
	dw MB2_TAG_OPTIONAL
	dd 12
	dd MB2_CONSOLE_EGA_TEXT

	align 8
	dw MB2_TAG_FRAMEBUFFER
	dw MB2_TAG_OPTIONAL
	dd 20
	dd 0				; width
	dd 0				; height
	dd 0				; depth

	align 8
	dw MB2_TAG_END
	dw 0
	dd 8
mb2_header_end:

section .note.GNU-stack noalloc noexec nowrite progbits
