/* Unit tests for resume/e820.c: Linux's e820 sanitising, the EFI conversions and the
 * checksum (checked against zlib's crc32 over bytes laid out by the test itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "resume/e820.h"

#define E(a, s, t) { .addr = (a), .size = (s), .type = (t) }

static void expect_entry(const struct e820_entry *e, uint64_t addr, uint64_t size, uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

/* QEMU pc, 512 MiB, SeaBIOS: the 7-entry map Linux prints (already sane). */
static const struct e820_entry seabios_512m[] = {
	E(0x0, 0x9fc00, 1), E(0x9fc00, 0x400, 2), E(0xf0000, 0x10000, 2),
	E(0x100000, 0x1fee0000, 1), E(0x1ffe0000, 0x20000, 2), E(0xfffc0000, 0x40000, 2),
	E(0xfd00000000, 0x300000000, 2),
};

static void test_sane_map_unchanged(void **state)
{
	struct e820_entry out[16];
	size_t n = e820_sanitize(seabios_512m, 7, out, 16);

	(void)state;
	assert_int_equal(n, 7);
	assert_memory_equal(out, seabios_512m, sizeof(seabios_512m));
}

static void test_sort_merge_overlap(void **state)
{
	/* Unsorted, two adjacent RAM pieces, a reserved range inside RAM, an empty entry,
	 * an ACPI range overlapping reserved (ACPI=3 beats RESERVED=2). */
	const struct e820_entry in[] = {
		E(0x200000, 0x100000, 1), E(0x100000, 0x100000, 1), E(0x0, 0x1000, 1),
		E(0x180000, 0x10000, 2), E(0x500000, 0, 2), E(0x400000, 0x2000, 2),
		E(0x401000, 0x2000, 3),
	};
	struct e820_entry out[16];
	size_t n = e820_sanitize(in, sizeof(in) / sizeof(in[0]), out, 16);

	(void)state;
	assert_int_equal(n, 6);
	expect_entry(&out[0], 0x0, 0x1000, 1);
	expect_entry(&out[1], 0x100000, 0x80000, 1);
	expect_entry(&out[2], 0x180000, 0x10000, 2);
	expect_entry(&out[3], 0x190000, 0x170000, 1);
	expect_entry(&out[4], 0x400000, 0x1000, 2);
	expect_entry(&out[5], 0x401000, 0x2000, 3);
}

static void test_nomerge_and_holes(void **state)
{
	const struct e820_entry in[] = {
		E(0x1000, 0x1000, 12), E(0x2000, 0x1000, 12), E(0x4000, 0x1000, 1),
		E(0x5000, 0x1000, 1), E(0xffffffffffff0000ull, 0x20000, 1), /* wraps: ignored */
	};
	struct e820_entry out[16];
	size_t n = e820_sanitize(in, 5, out, 16);

	(void)state;
	assert_int_equal(n, 3);
	expect_entry(&out[0], 0x1000, 0x1000, 12);
	expect_entry(&out[1], 0x2000, 0x1000, 12);
	expect_entry(&out[2], 0x4000, 0x2000, 1);
}

static void test_capacity(void **state)
{
	struct e820_entry out[3];

	(void)state;
	assert_int_equal(e820_sanitize(seabios_512m, 7, out, 3), (size_t)-1);
	assert_int_equal(e820_sanitize(seabios_512m, 0, out, 3), 0);
}

static const struct e820_efi_desc ovmf_like[] = {
	{ EFI_BOOT_SERVICES_CODE, 0x0, 1, 0 },
	{ EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9f, 0 },
	{ EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700, 0 },
	{ EFI_ACPI_MEMORY_NVS, 0x800000, 0x8, 0 },
	{ EFI_LOADER_DATA, 0x808000, 0x8, 0 },
	{ EFI_RUNTIME_SERVICES_CODE, 0x810000, 0x10, 0 },
	{ EFI_RUNTIME_SERVICES_DATA, 0x820000, 0x10, 0 },
	{ EFI_ACPI_RECLAIM_MEMORY, 0x830000, 0x4, 0 },
	{ EFI_CONVENTIONAL_MEMORY, 0x834000, 0x4, EFI_MEMORY_SP },
	{ EFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400, 0 },
	{ 0x70000000, 0xfe000000, 1, 0 },       /* OEM type */
};

static void test_efi_grub_style(void **state)
{
	struct e820_entry raw[32], out[32];
	size_t r = e820_from_efi(ovmf_like, 11, E820_EFI_GRUB, raw, 32);
	size_t n = e820_sanitize(raw, r, out, 32);

	(void)state;
	assert_int_equal(n, 10);
	expect_entry(&out[0], 0x0, 0xa0000, 1);
	expect_entry(&out[1], 0x100000, 0x700000, 1);
	expect_entry(&out[2], 0x800000, 0x8000, 4);
	expect_entry(&out[3], 0x808000, 0x8000, 1);
	expect_entry(&out[4], 0x810000, 0x10000, 20);   /* runtime code: GRUB's type 20 */
	expect_entry(&out[5], 0x820000, 0x10000, 2);
	expect_entry(&out[6], 0x830000, 0x4000, 3);
	expect_entry(&out[7], 0x834000, 0x4000, 1);     /* GRUB ignores EFI_MEMORY_SP */
	expect_entry(&out[8], 0xfe000000, 0x1000, 2);   /* OEM type: reserved in GRUB */
	expect_entry(&out[9], 0xffc00000, 0x400000, 2);
}

static void test_efi_stub_style(void **state)
{
	struct e820_entry raw[32], out[32];
	size_t r = e820_from_efi(ovmf_like, 11, E820_EFI_STUB, raw, 32);
	size_t n = e820_sanitize(raw, r, out, 32);

	(void)state;
	assert_int_equal(n, 8);
	expect_entry(&out[0], 0x0, 0xa0000, 1);
	expect_entry(&out[1], 0x100000, 0x700000, 1);
	expect_entry(&out[2], 0x800000, 0x8000, 4);
	expect_entry(&out[3], 0x808000, 0x8000, 1);
	expect_entry(&out[4], 0x810000, 0x20000, 2);    /* runtime code + data: reserved */
	expect_entry(&out[5], 0x830000, 0x4000, 3);
	expect_entry(&out[6], 0x834000, 0x4000, 0xefffffff);
	expect_entry(&out[7], 0xffc00000, 0x400000, 2); /* OEM type skipped by the stub */
}

/* The oracle: zlib's crc32_z over u32 count + packed entries, serialised here by hand
 * (crc32_z, because thaw's lib/crc32.c, linked in, defines crc32 too). */
static uint32_t zlib_e820_crc(const struct e820_entry *map, size_t n)
{
	unsigned char buf[4 + 20 * 16];
	size_t off = 4;

	for (int i = 0; i < 4; i++)
		buf[i] = (unsigned char)(n >> (8 * i));
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < 8; i++)
			buf[off + i] = (unsigned char)(map[k].addr >> (8 * i));
		for (int i = 0; i < 8; i++)
			buf[off + 8 + i] = (unsigned char)(map[k].size >> (8 * i));
		for (int i = 0; i < 4; i++)
			buf[off + 16 + i] = (unsigned char)(map[k].type >> (8 * i));
		off += 20;
	}
	return (uint32_t)crc32_z(0, buf, off);
}

static void test_checksum_matches_zlib(void **state)
{
	(void)state;
	assert_int_equal(e820_checksum(seabios_512m, 7), zlib_e820_crc(seabios_512m, 7));
	assert_int_equal(e820_checksum(seabios_512m, 0), zlib_e820_crc(seabios_512m, 0));
	/* One changed byte changes the checksum. */
	struct e820_entry m[7];
	memcpy(m, seabios_512m, sizeof(m));
	m[3].size += 0x1000;
	assert_int_not_equal(e820_checksum(m, 7), e820_checksum(seabios_512m, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sane_map_unchanged),
		cmocka_unit_test(test_sort_merge_overlap),
		cmocka_unit_test(test_nomerge_and_holes),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_efi_grub_style),
		cmocka_unit_test(test_efi_stub_style),
		cmocka_unit_test(test_checksum_matches_zlib),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
