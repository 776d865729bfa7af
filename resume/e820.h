/* The e820 checksum a Linux image kernel records (restore_data_record.e820_checksum),
 * recomputed from the memory map thaw was booted with: BIOS (the Multiboot2 map) and
 * UEFI (the EFI memory map, converted the way GRUB's loader or Linux's EFI stub does). */
#ifndef THAW_RESUME_E820_H
#define THAW_RESUME_E820_H
#include <stddef.h>
#include <stdint.h>

/* Linux arch/x86/include/asm/e820/types.h: struct e820_entry (packed, 20 bytes). */
struct e820_entry {
	uint64_t addr;          /* 0 */
	uint64_t size;          /* 8 */
	uint32_t type;          /* 16 */
} __attribute__((packed));

_Static_assert(offsetof(struct e820_entry, addr) == 0, "e820_entry.addr");
_Static_assert(offsetof(struct e820_entry, size) == 8, "e820_entry.size");
_Static_assert(offsetof(struct e820_entry, type) == 16, "e820_entry.type");
_Static_assert(sizeof(struct e820_entry) == 20, "e820_entry size");

/* e820 type numbers (Linux enum e820_type). */
enum {
	E820_TYPE_RAM = 1,
	E820_TYPE_RESERVED = 2,
	E820_TYPE_ACPI = 3,
	E820_TYPE_NVS = 4,
	E820_TYPE_UNUSABLE = 5,
	E820_TYPE_PMEM = 7,
	E820_TYPE_PRAM = 12,
	E820_TYPE_GRUB_CODE = 20,               /* GRUB_MEMORY_CODE: EFI runtime code */
	E820_TYPE_SOFT_RESERVED = 0xefffffff,
};

/* EFI memory types (UEFI 2.x §7.2, EFI_MEMORY_TYPE) and the attribute Linux reads. */
enum {
	EFI_RESERVED_TYPE = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL_MEMORY = 7,
	EFI_UNUSABLE_MEMORY = 8,
	EFI_ACPI_RECLAIM_MEMORY = 9,
	EFI_ACPI_MEMORY_NVS = 10,
	EFI_MEMORY_MAPPED_IO = 11,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT_MEMORY = 14,
	EFI_UNACCEPTED_MEMORY = 15,
};
#define EFI_MEMORY_SP (1ull << 18)              /* "specific purpose" (soft reserved) */

/* One EFI descriptor as the converters need it. */
struct e820_efi_desc {
	uint32_t type;
	uint64_t phys;
	uint64_t pages;         /* 4 KiB pages */
	uint64_t attr;
};

/* Largest map the sanitiser handles (Linux E820_MAX_ENTRIES is 3 × 128 + ...; the EFI
 * maps thaw keeps are at most 512 descriptors). */
#define E820_MAX 512

/* How the EFI map becomes an e820 table before sanitising. */
enum e820_efi_style {
	E820_EFI_GRUB,          /* GRUB 2.06 grub_efi_mmap_iterate() → linux loader e820 */
	E820_EFI_STUB,          /* Linux drivers/firmware/efi/libstub/x86-stub.c setup_e820() */
};

/* Sanitise in[0..n) into out[cap] the way Linux e820__update_table() does: ignore
 * empty or wrapping entries, sort by address, let the highest type win where entries
 * overlap, merge neighbours of the same type (never PRAM / SOFT_RESERVED). Returns
 * the count, or (size_t)-1 when n > E820_MAX or the result does not fit in cap. */
size_t e820_sanitize(const struct e820_entry *in, size_t n, struct e820_entry *out, size_t cap);

/* Convert EFI descriptors to e820 entries in out[cap] with the given style. Returns
 * the count, or (size_t)-1 when out is too small. Unknown EFI types are skipped by
 * the stub style and become reserved in the GRUB style, as in the originals. */
size_t e820_from_efi(const struct e820_efi_desc *d, size_t n, enum e820_efi_style style,
		     struct e820_entry *out, size_t cap);

/* Linux arch/x86/power/hibernate.c compute_e820_crc32(): the IEEE CRC-32 (zlib's) of
 * the u32 entry count followed by the packed entries. */
uint32_t e820_checksum(const struct e820_entry *map, size_t n);

#endif
