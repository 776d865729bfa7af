/* Was the image made on this machine? The checks Linux's boot kernel makes before
 * loading (arch/x86/power/hibernate.c arch_hibernation_header_restore(): e820
 * checksum; kernel/power/swap.c: ACPI hardware signature), made against the map and
 * tables thaw was booted with. */
#ifndef THAW_RESUME_VERIFY_H
#define THAW_RESUME_VERIFY_H
#include <stddef.h>

#include "image/image_info.h"
#include "image/swsusp_header.h"

struct boot_info;
struct options;

enum verify_err {
	VERIFY_OK = 0,
	VERIFY_EMEMMAP,         /* e820 checksum differs (thaw.e820=ignore overrides) */
	VERIFY_ENOFACS,         /* the image records a hw signature, no FACS to compare */
	VERIFY_EHWSIG,          /* the ACPI hardware signature differs */
};

const char *verify_strerror(enum verify_err e);

/* The image's e820 checksum against this machine's map (BIOS: the Multiboot2 map;
 * UEFI: also the EFI map as GRUB's loader or Linux's EFI stub converts it), or
 * thaw.e820_crc=. On failure why[cap] says which values differ. */
enum verify_err verify_e820(const struct boot_info *bi, const struct options *o,
			    const struct img_info *in, char *why, size_t cap);

/* SF_HW_SIG images: the header's hw_sig against the FACS hardware signature. */
enum verify_err verify_hw_sig(const struct img_header *h, char *why, size_t cap);

/* num_physpages is Linux's memblock count, which thaw cannot recompute exactly
 * (docs/hibernation-format.md §5): a difference is reported, never enforced. */
void verify_note_physpages(const struct boot_info *bi, const struct img_info *in);

#endif
