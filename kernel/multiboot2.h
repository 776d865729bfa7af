/* Multiboot2 boot information layout (Multiboot2 spec §3.6, as GRUB 2.06's
 * include/multiboot2.h and kexec-tools 2.0.25 write it). Layout only, no code. */
#ifndef THAW_MULTIBOOT2_H
#define THAW_MULTIBOOT2_H
#include <stddef.h>
#include <stdint.h>

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI32_ST = 11,
	MB2_TAG_EFI64_ST = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
};

#define MB2_TAG_ALIGN 8         /* tags start 8-aligned relative to the block (§3.6.1) */

struct mb2_info_header {
	uint32_t total_size;    /* 0: includes the end tag */
	uint32_t reserved;      /* 4 */
};
_Static_assert(sizeof(struct mb2_info_header) == 8, "mb2 info header");

struct mb2_tag {
	uint32_t type;          /* 0 */
	uint32_t size;          /* 4: excludes padding */
};
_Static_assert(sizeof(struct mb2_tag) == 8, "mb2 tag");

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;     /* 8 */
	uint32_t mod_end;       /* 12 */
	/* 16: NUL-terminated string */
};
_Static_assert(offsetof(struct mb2_tag_module, mod_end) == 12, "mb2 module");

struct mb2_tag_meminfo {
	struct mb2_tag tag;
	uint32_t mem_lower;     /* 8: KiB from 0 */
	uint32_t mem_upper;     /* 12: KiB from 1 MiB */
};
_Static_assert(sizeof(struct mb2_tag_meminfo) == 16, "mb2 meminfo");

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;    /* 8: a multiple of 8; step by it */
	uint32_t entry_version; /* 12: 0 */
	/* 16: entries */
};
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2 mmap");

struct mb2_mmap_entry {
	uint64_t base_addr;     /* 0 */
	uint64_t length;        /* 8 */
	uint32_t type;          /* 16 */
	uint32_t reserved;      /* 20 */
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry");

struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	uint64_t addr;          /* 8 */
	uint32_t pitch;         /* 16 */
	uint32_t width;         /* 20 */
	uint32_t height;        /* 24 */
	uint8_t bpp;            /* 28 */
	uint8_t fb_type;        /* 29: 0 indexed, 1 RGB, 2 EGA text */
	uint8_t reserved;       /* 30 */
	/* 31: colour information */
};
_Static_assert(offsetof(struct mb2_tag_framebuffer, fb_type) == 29, "mb2 fb");

struct mb2_tag_efi_mmap {
	struct mb2_tag tag;
	uint32_t descr_size;    /* 8: step by it, not by sizeof */
	uint32_t descr_vers;    /* 12 */
	/* 16: EFI_MEMORY_DESCRIPTORs */
};
_Static_assert(sizeof(struct mb2_tag_efi_mmap) == 16, "mb2 efi mmap");

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.x §7.2, GetMemoryMap). */
struct efi_memory_descriptor {
	uint32_t type;          /* 0 */
	uint32_t pad;           /* 4 */
	uint64_t phys_start;    /* 8 */
	uint64_t virt_start;    /* 16 */
	uint64_t pages;         /* 24: 4 KiB pages */
	uint64_t attribute;     /* 32 */
};
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "efi memory descriptor");

#endif
