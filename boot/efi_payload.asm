; thaw.efi's payload: thaw.elf's loaded bytes (build/thaw.bin, from __thaw_start to the
; end of .data), which the EFI stub copies to thaw's link address; and a base
; relocation block so the PE is not marked "relocations stripped".

section .rodata.payload progbits alloc noexec nowrite align=16
global thaw_payload_start, thaw_payload_end
thaw_payload_start:
	incbin THAW_BIN
thaw_payload_end:

; PE/COFF base relocation table (PE format, ".reloc section"): one block for page RVA 0
; holding only IMAGE_REL_BASED_ABSOLUTE entries, which loaders skip. The stub relocates
; itself from its ELF RELATIVE records instead (boot/efi_stub.c self_relocate()); this
; block only tells the firmware's loader that the image may be loaded anywhere.
section .reloc progbits alloc noexec nowrite align=4
	dd 0				; page RVA
	dd 12				; block size: this header + two entries
	dw 0, 0				; IMAGE_REL_BASED_ABSOLUTE (type 0): padding

section .note.GNU-stack noalloc noexec nowrite progbits
