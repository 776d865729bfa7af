/* Machine checks before a single image page is read: e820 checksum, ACPI hardware
 * signature, and a num_physpages note. Messages are "resume: ..." lines. */
#include "resume/verify.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/acpi.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "resume/e820.h"
#include "resume/hwsig.h"

/* The one state struct of this module: the tables the checksums are built in. */
static struct verify_state {
	struct e820_entry raw[E820_MAX], map[E820_MAX];
	struct e820_efi_desc efi[E820_MAX];
} vs;

const char *verify_strerror(enum verify_err e)
{
	switch (e) {
	case VERIFY_OK:      return "ok";
	case VERIFY_EMEMMAP: return "the memory map differs from the one the image was hibernated on";
	case VERIFY_ENOFACS: return "the image records an ACPI hardware signature thaw cannot check";
	case VERIFY_EHWSIG:  return "ACPI hardware signature mismatch (another machine or firmware)";
	}
	return "unknown verification error";
}

/* The loader's map (BIOS: the firmware e820, entry for entry) sanitised into vs.map. */
static size_t e820_from_multiboot(const struct boot_info *bi)
{
	size_t n = bi->mmap_count < E820_MAX ? bi->mmap_count : E820_MAX;

	for (size_t i = 0; i < n; i++) {
		vs.raw[i].addr = bi->mmap[i].base;
		vs.raw[i].size = bi->mmap[i].len;
		vs.raw[i].type = bi->mmap[i].type;
	}
	return e820_sanitize(vs.raw, n, vs.map, E820_MAX);
}

static bool e820_efi_candidate(const struct boot_info *bi, enum e820_efi_style style,
			       uint32_t *crc)
{
	size_t n = bi->efi_mmap_count < E820_MAX ? bi->efi_mmap_count : E820_MAX;
	size_t r, s;

	for (size_t i = 0; i < n; i++) {
		vs.efi[i].type = bi->efi_mmap[i].type;
		vs.efi[i].phys = bi->efi_mmap[i].phys;
		vs.efi[i].pages = bi->efi_mmap[i].pages;
		vs.efi[i].attr = bi->efi_mmap[i].attr;
	}
	r = e820_from_efi(vs.efi, n, style, vs.raw, E820_MAX);
	if (r == (size_t)-1)
		return false;
	s = e820_sanitize(vs.raw, r, vs.map, E820_MAX);
	if (s == (size_t)-1)
		return false;
	*crc = e820_checksum(vs.map, s);
	return true;
}

/* Which map Linux hashed depends on how it was booted: BIOS → the firmware e820 (=
 * GRUB's Multiboot2 map, which under UEFI also keeps GRUB's type 20); Linux's EFI
 * stub → setup_e820() over the EFI map. Any candidate matching is a match. */
static const char *e820_match(const struct boot_info *bi, const struct options *o,
			      uint32_t want, uint32_t *here)
{
	size_t n = e820_from_multiboot(bi);
	uint32_t crc;

	*here = n == (size_t)-1 ? 0 : e820_checksum(vs.map, n);
	if (n != (size_t)-1 && *here == want)
		return "the boot loader's memory map";
	if (o->e820_crc_set && o->e820_crc == want)
		return "thaw.e820_crc";
	if (!bi->efi_mmap_count)
		return NULL;
	if (e820_efi_candidate(bi, E820_EFI_GRUB, &crc) && crc == want)
		return "the EFI map as GRUB converts it";
	if (e820_efi_candidate(bi, E820_EFI_STUB, &crc) && crc == want)
		return "the EFI map as Linux's EFI stub converts it";
	return NULL;
}

enum verify_err verify_e820(const struct boot_info *bi, const struct options *o,
			    const struct img_info *in, char *why, size_t cap)
{
	uint32_t here;
	const char *how;

	if (in->protocol != IMG_PROTO_V2) {
		kprintf("resume: the %s record carries no e820 checksum thaw can verify\n",
			img_protocol_name(in->protocol));
		return VERIFY_OK;
	}
	how = e820_match(bi, o, in->e820_crc32, &here);
	if (how) {
		kprintf("resume: memory map matches the image's (e820 crc32 0x%x, %s)\n",
			in->e820_crc32, how);
		return VERIFY_OK;
	}
	if (o->e820 == E820_IGNORE) {
		kprintf("resume: memory map differs (image 0x%x, here 0x%x); thaw.e820=ignore "
			"given, going on\n", in->e820_crc32, here);
		return VERIFY_OK;
	}
	ksnprintf(why, cap, "image e820 crc32 0x%x, this machine 0x%x%s", in->e820_crc32, here,
		  bi->from_kexec ? " (kexec: pass thaw.e820_crc= from /sys/firmware/memmap)"
				 : "; thaw.e820=ignore overrides");
	return VERIFY_EMEMMAP;
}

enum verify_err verify_hw_sig(const struct img_header *h, char *why, size_t cap)
{
	const struct acpi_header *fadt = acpi_find_table("FACP");
	enum hwsig_err e = HWSIG_ENOFADT;
	uint64_t facs;
	uint32_t sig = 0;

	if (!h->has_hw_sig)
		return VERIFY_OK;
	if (fadt)
		e = hwsig_facs_addr(fadt, fadt->length, &facs);
	if (e == HWSIG_OK)
		e = hwsig_read((const void *)(uintptr_t)facs, sizeof(struct acpi_facs), &sig);
	if (e != HWSIG_OK) {
		ksnprintf(why, cap, "%s", hwsig_strerror(e));
		return VERIFY_ENOFACS;
	}
	if (sig != h->hw_sig) {
		ksnprintf(why, cap, "image 0x%x, FACS 0x%x", h->hw_sig, sig);
		return VERIFY_EHWSIG;
	}
	kprintf("resume: ACPI hardware signature 0x%x matches\n", sig);
	return VERIFY_OK;
}

void verify_note_physpages(const struct boot_info *bi, const struct img_info *in)
{
	uint64_t pages = 0;
	size_t n = e820_from_multiboot(bi);

	/* Whole type-1 pages minus frame 0: what Linux's get_num_physpages() gave on the
	 * machines tested (docs/hibernation-format.md §5). */
	for (size_t i = 0; n != (size_t)-1 && i < n; i++)
		if (vs.map[i].type == E820_TYPE_RAM)
			pages += ((vs.map[i].addr + vs.map[i].size) >> 12) -
				 ((vs.map[i].addr + 4095) >> 12);
	if (pages && pages - 1 != in->num_physpages)
		kprintf("resume: note: image num_physpages %llu, this machine ~%llu (not "
			"enforced)\n", (unsigned long long)in->num_physpages,
			(unsigned long long)(pages - 1));
}
