/* Unit tests for resume/verify.c: which memory map the image's e820 checksum is
 * matched against (the loader's map, thaw.e820_crc=, the EFI map as GRUB or Linux's
 * stub converts it), the overrides, the ACPI hardware signature through a fake FADT
 * and FACS, and the num_physpages note. The expected checksums are computed here
 * with zlib, as Linux's compute_e820_crc32() does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "image/swsusp_format.h"
#include "kernel/acpi.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "tests/host/console_capture.h"
#include "resume/e820.h"
#include "resume/verify.h"

/* The firmware tables: a FADT (ACPI 6.4 §5.2.9) naming a FACS (§5.2.10). */
static uint8_t fadt[276], facs[64];
static bool have_fadt;

const void *acpi_find_table(const char sig[4])
{
	return have_fadt && memcmp(sig, "FACP", 4) == 0 ? fadt : NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static struct boot_info bi;
static struct options opt;
static struct img_info info;
static struct img_header hdr;
static char why[192];

/* Sorted, disjoint, unmergeable: sanitising leaves it as it is. */
static const struct mem_range ram[] = {
	{ 0x0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 }, { 0x7fe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 },
};
#define NRAM (sizeof(ram) / sizeof(ram[0]))

/* Linux compute_e820_crc32(): crc32 over the u32 count and the packed entries. */
static uint32_t linux_crc(const struct mem_range *r, size_t n)
{
	uint32_t count = (uint32_t)n;
	uLong crc = crc32(0, (const Bytef *)&count, 4);

	for (size_t i = 0; i < n; i++) {
		uint8_t e[20];
		memcpy(e, &r[i].base, 8);
		memcpy(e + 8, &r[i].len, 8);
		memcpy(e + 16, &r[i].type, 4);
		crc = crc32(crc, e, 20);
	}
	return (uint32_t)crc;
}

static int setup(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	memset(&opt, 0, sizeof(opt));
	memset(&info, 0, sizeof(info));
	memset(&hdr, 0, sizeof(hdr));
	console_clear();
	why[0] = 0;
	/* The loader hands the map over in its own order: reversed here. */
	for (size_t i = 0; i < NRAM; i++)
		bi.mmap[i] = ram[NRAM - 1 - i];
	bi.mmap_count = NRAM;
	info.protocol = IMG_PROTO_V2;
	info.e820_crc32 = linux_crc(ram, NRAM);
	memset(fadt, 0, sizeof(fadt));
	memset(facs, 0, sizeof(facs));
	memcpy(fadt, "FACP", 4);
	put32(fadt + 4, sizeof(fadt));
	memcpy(facs, "FACS", 4);
	put32(facs + 4, sizeof(facs));
	put32(facs + 8, 0x1234abcd);                     /* hardware_signature */
	put64(fadt + 132, (uint64_t)(uintptr_t)facs);   /* X_FIRMWARE_CTRL */
	have_fadt = true;
	return 0;
}

static void test_e820_matches_loader_map(void **state)
{
	(void)state;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_OK);
	assert_non_null(strstr(console_out, "memory map matches the image's"));
	assert_non_null(strstr(console_out, "the boot loader's memory map"));
}

static void test_e820_mismatch_refused(void **state)
{
	char want[96];

	(void)state;
	info.e820_crc32 ^= 1;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_EMEMMAP);
	snprintf(want, sizeof(want), "image e820 crc32 0x%x, this machine 0x%x; thaw.e820=ignore "
		 "overrides", info.e820_crc32, info.e820_crc32 ^ 1);
	assert_string_equal(why, want);
	/* One more RAM page in the map is another machine as far as Linux is concerned. */
	info.e820_crc32 ^= 1;
	bi.mmap[0].len += 4096;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_EMEMMAP);
}

static void test_e820_kexec_hint(void **state)
{
	(void)state;
	info.e820_crc32 ^= 1;
	bi.from_kexec = true;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_EMEMMAP);
	assert_non_null(strstr(why, "(kexec: pass thaw.e820_crc= from /sys/firmware/memmap)"));
}

static void test_e820_overrides(void **state)
{
	(void)state;
	info.e820_crc32 = 0xdeadbeef;
	opt.e820_crc_set = true;
	opt.e820_crc = 0xdeadbeef;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_OK);
	assert_non_null(strstr(console_out, "thaw.e820_crc"));
	opt.e820_crc = 0xdeadbeee;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_EMEMMAP);
	opt.e820 = E820_IGNORE;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_OK);
	assert_non_null(strstr(console_out, "thaw.e820=ignore given, going on"));
}

/* Older records carry no CRC32: nothing to check, and it says so. */
static void test_e820_old_records(void **state)
{
	(void)state;
	info.protocol = IMG_PROTO_V1_MD5;
	info.e820_crc32 = 0;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_OK);
	assert_non_null(strstr(console_out, "carries no e820 checksum thaw can verify"));
}

/* UEFI: the image kernel hashed the EFI map as its loader converted it. */
static void test_e820_efi_candidates(void **state)
{
	static const struct efi_mem_range efi[] = {
		{ EFI_BOOT_SERVICES_CODE, 0x0, 0xa0, 0 },
		{ EFI_CONVENTIONAL_MEMORY, 0x100000, 0x7000, 0 },
		{ EFI_RUNTIME_SERVICES_CODE, 0x7100000, 0x10, 0 },
		{ EFI_ACPI_MEMORY_NVS, 0x7110000, 0x20, 0 },
		{ EFI_CONVENTIONAL_MEMORY, 0x7130000, 0x800, 0 },
	};
	struct e820_efi_desc d[5];
	struct e820_entry raw[16], map[16];

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		bi.efi_mmap[i] = efi[i];
		d[i] = (struct e820_efi_desc){ efi[i].type, efi[i].phys, efi[i].pages, efi[i].attr };
	}
	bi.efi_mmap_count = 5;
	for (int style = E820_EFI_GRUB; style <= E820_EFI_STUB; style++) {
		size_t n = e820_from_efi(d, 5, (enum e820_efi_style)style, raw, 16);
		n = e820_sanitize(raw, n, map, 16);
		info.e820_crc32 = e820_checksum(map, n);
		console_clear();
		assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_OK);
		assert_non_null(strstr(console_out, style == E820_EFI_GRUB ? "as GRUB converts it" :
				       "as Linux's EFI stub converts it"));
	}
	info.e820_crc32 = 0x1111;
	assert_int_equal(verify_e820(&bi, &opt, &info, why, sizeof(why)), VERIFY_EMEMMAP);
}

static void test_hw_sig(void **state)
{
	(void)state;
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_OK);  /* not recorded */
	assert_int_equal(console_len, 0);
	hdr.flags = SF_HW_SIG;
	hdr.has_hw_sig = true;
	hdr.hw_sig = 0x1234abcd;
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_OK);
	assert_non_null(strstr(console_out, "ACPI hardware signature 0x1234abcd matches"));
	hdr.hw_sig = 0x1234abce;
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_EHWSIG);
	assert_string_equal(why, "image 0x1234abce, FACS 0x1234abcd");
	/* The 32-bit FIRMWARE_CTRL is used when X_FIRMWARE_CTRL is zero (a FACS below
	 * 4 GiB cannot be faked on the host, so an absent one stands in). */
	put64(fadt + 132, 0);
	put32(fadt + 36, 0);
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_ENOFACS);
	assert_string_equal(why, "the FADT names no FACS");
}

static void test_hw_sig_without_tables(void **state)
{
	(void)state;
	hdr.has_hw_sig = true;
	have_fadt = false;
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_ENOFACS);
	assert_string_equal(why, "no usable ACPI FADT");
	have_fadt = true;
	memcpy(facs, "FACT", 4);
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_ENOFACS);
	assert_string_equal(why, "the FACS is malformed");
	/* A FADT too short to hold FIRMWARE_CTRL. */
	memcpy(facs, "FACS", 4);
	put32(fadt + 4, 36);
	assert_int_equal(verify_hw_sig(&hdr, why, sizeof(why)), VERIFY_ENOFACS);
}

/* num_physpages: whole RAM pages minus frame 0; a difference is a note, no more. */
static void test_physpages_note(void **state)
{
	uint64_t pages = 0x9f + 0x7ee0;             /* the two RAM ranges, in pages */

	(void)state;
	info.num_physpages = pages - 1;
	verify_note_physpages(&bi, &info);
	assert_int_equal(console_len, 0);
	info.num_physpages = pages + 10;
	verify_note_physpages(&bi, &info);
	assert_non_null(strstr(console_out, "note: image num_physpages"));
	assert_non_null(strstr(console_out, "(not enforced)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_e820_matches_loader_map, setup),
		cmocka_unit_test_setup(test_e820_mismatch_refused, setup),
		cmocka_unit_test_setup(test_e820_kexec_hint, setup),
		cmocka_unit_test_setup(test_e820_overrides, setup),
		cmocka_unit_test_setup(test_e820_old_records, setup),
		cmocka_unit_test_setup(test_e820_efi_candidates, setup),
		cmocka_unit_test_setup(test_hw_sig, setup),
		cmocka_unit_test_setup(test_hw_sig_without_tables, setup),
		cmocka_unit_test_setup(test_physpages_note, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
