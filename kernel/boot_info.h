/* What the loader told us, parsed once from the Multiboot2 information (Multiboot2
 * spec §3.6, as GRUB 2.06 and kexec-tools 2.0.25 write it) into thaw's own memory. */
#ifndef THAW_BOOT_INFO_H
#define THAW_BOOT_INFO_H
#include <stdbool.h>
#include <stdint.h>

#define BOOT_MMAP_MAX     256   /* Multiboot2 memory map entries kept */
#define BOOT_EFI_MMAP_MAX 512   /* EFI memory descriptors kept */
#define BOOT_CMDLINE_MAX  1024
#define BOOT_LOADER_MAX   64
#define BOOT_KEYS_MAX     8

/* Multiboot2 memory map types (spec §3.6.8); the same numbers as e820. */
enum {
	MMAP_RAM = 1,
	MMAP_RESERVED = 2,
	MMAP_ACPI = 3,
	MMAP_NVS = 4,
	MMAP_BAD = 5,
};

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

/* One EFI memory descriptor, reduced to the fields thaw uses (UEFI 2.x §7.2). */
struct efi_mem_range {
	uint32_t type;
	uint64_t phys;
	uint64_t pages;
	uint64_t attr;
};

struct boot_info {
	bool from_kexec;                 /* loader name starts with "kexec" */
	char loader[BOOT_LOADER_MAX];
	char cmdline[BOOT_CMDLINE_MAX];  /* kexec's leading image path already removed */

	struct mem_range mmap[BOOT_MMAP_MAX];   /* as the loader gave it, in its order */
	uint32_t mmap_count;

	struct efi_mem_range efi_mmap[BOOT_EFI_MMAP_MAX];
	uint32_t efi_mmap_count;
	uint64_t efi_system_table;       /* 0 when not booted through UEFI */

	uint64_t acpi_rsdp;              /* physical address of an RSDP copy kept in boot_info.rsdp */
	uint8_t rsdp[36];                /* RSDP (v1: 20 bytes, v2: 36 bytes) */
	uint8_t rsdp_len;                /* 0 = none given by the loader */

	struct {
		uint64_t addr;
		uint32_t pitch, width, height;
		uint8_t bpp, type;       /* type: 0 indexed, 1 RGB, 2 EGA text */
	} fb;
	bool has_fb;

	/* Frames the loader's data occupied at entry (information block, modules):
	 * the resume path treats them as thaw's. Physical, page-rounded outward. */
	uint64_t mbi_start, mbi_end;
	struct { uint64_t start, end; } modules[8];
	uint32_t module_count;

	uint32_t warnings;               /* BOOT_WARN_* bits: what could not be read */

	/* Keys read through the firmware's keyboard before ExitBootServices (EFI stub
	 * only): the console hands them out before it polls serial and PS/2. */
	char keys[BOOT_KEYS_MAX];
	uint32_t key_count;
};

/* Problems boot_info_parse() met; the block is still used as far as it was read. */
enum boot_warning {
	BOOT_WARN_TRUNCATED    = 1u << 0,   /* a tag runs past total_size or has size < 8 */
	BOOT_WARN_NO_MMAP      = 1u << 1,   /* no memory map tag (basic meminfo used if any) */
	BOOT_WARN_MMAP_FULL    = 1u << 2,   /* more than BOOT_MMAP_MAX entries */
	BOOT_WARN_EFI_MMAP_FULL = 1u << 3,  /* more than BOOT_EFI_MMAP_MAX descriptors */
	BOOT_WARN_CMDLINE_LONG = 1u << 4,   /* command line cut at BOOT_CMDLINE_MAX - 1 */
	BOOT_WARN_MODULES_FULL = 1u << 5,   /* more than 8 modules */
	BOOT_WARN_BAD_ENTRY    = 1u << 6,   /* a memory map entry size the parser cannot use */
};
#define BOOT_WARN_COUNT 7

/* Text for one BOOT_WARN_* bit ("memory map truncated ..."); NULL for unknown bits. */
const char *boot_warning_str(uint32_t bit);

/* Parse the Multiboot2 information at physical address mbi (identity-mapped). Robust
 * to any tag order, unknown tags and 4-byte-aligned blocks (kexec). Never fails: a
 * malformed block yields what could be read, with bi->warnings set (kmain prints
 * them). Pure: reads only the block, so host tests feed it synthetic ones. */
void boot_info_parse(struct boot_info *bi, uint64_t mbi);

#define MB2_BOOTLOADER_MAGIC 0x36d76289u   /* EAX at entry (Multiboot2 §3.3) */

/* thaw's EFI stub (boot/efi_stub.c) enters at thaw_entry64 with this magic and the
 * address of a struct boot_info it filled from UEFI data. */
#define THAW_EFI_MAGIC 0x54484546u          /* "FEHT": thaw, EFI */

/* Take over the boot_info the EFI stub built at addr (identity-mapped): copy it, clamp
 * its counts, point acpi_rsdp at the copied RSDP. Pure, like boot_info_parse(). */
void boot_info_from_efi(struct boot_info *bi, uint64_t addr);

#endif
