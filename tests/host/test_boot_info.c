/* Unit tests for kernel/boot_info.c over Multiboot2 blocks built here tag by tag:
 * GRUB's BIOS and UEFI tag sets, any order, unknown tags, kexec's 4-byte-aligned
 * block with the image path first on the command line, and malformed blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/boot_info.h"
#include "kernel/multiboot2.h"

/* A block under construction; base is 8-aligned, the block starts at base + shift. */
struct mbi {
	uint8_t *base;
	uint8_t *p;
	uint32_t len;
};

static struct boot_info bi;

static void mbi_begin(struct mbi *m, unsigned shift)
{
	m->base = aligned_alloc(8, 1 << 20);
	assert_non_null(m->base);
	memset(m->base, 0xCC, 1 << 20);
	m->p = m->base + shift;
	m->len = 8;
}

/* Append a tag (header + payload), padding to 8 relative to the block start. */
static void mbi_tag(struct mbi *m, uint32_t type, const void *payload, uint32_t plen)
{
	uint32_t size = 8 + plen;

	while (m->len % 8)
		m->p[m->len++] = 0;
	memcpy(m->p + m->len, &type, 4);
	memcpy(m->p + m->len + 4, &size, 4);
	if (plen)
		memcpy(m->p + m->len + 8, payload, plen);
	m->len += size;
}

static void mbi_string(struct mbi *m, uint32_t type, const char *s)
{
	mbi_tag(m, type, s, (uint32_t)strlen(s) + 1);
}

static void mbi_end(struct mbi *m)
{
	mbi_tag(m, MB2_TAG_END, NULL, 0);
	memcpy(m->p, &m->len, 4);
	memset(m->p + 4, 0, 4);
}

static void mbi_free(struct mbi *m)
{
	free(m->base);
}

static void parse(struct mbi *m)
{
	memset(&bi, 0x5A, sizeof(bi));
	boot_info_parse(&bi, (uint64_t)(uintptr_t)m->p);
}

/* A memory map tag with entries of entry_size bytes (24 from GRUB). */
static void mbi_mmap(struct mbi *m, const struct mb2_mmap_entry *e, uint32_t n, uint32_t esz)
{
	uint8_t buf[8 + 300 * 40];
	uint32_t ver = 0;

	assert_true(n <= 300 && esz <= 40);
	memcpy(buf, &esz, 4);
	memcpy(buf + 4, &ver, 4);
	memset(buf + 8, 0, n * esz);
	for (uint32_t i = 0; i < n; i++)
		memcpy(buf + 8 + i * esz, &e[i], sizeof(e[i]));
	mbi_tag(m, MB2_TAG_MMAP, buf, 8 + n * esz);
}

static const struct mb2_mmap_entry seabios_map[] = {
	{ 0x0, 0x9fc00, 1, 0 }, { 0x9fc00, 0x400, 2, 0 }, { 0xf0000, 0x10000, 2, 0 },
	{ 0x100000, 0x1fee0000, 1, 0 }, { 0x1ffe0000, 0x20000, 2, 0 },
	{ 0xfffc0000, 0x40000, 2, 0 }, { 0xfd00000000, 0x300000000, 2, 0 },
};

static void rsdp_bytes(uint8_t *r, unsigned len, uint8_t rev)
{
	memset(r, 0, len);
	memcpy(r, "RSD PTR ", 8);
	r[15] = rev;
}

/* GRUB 2.06 under SeaBIOS: tags 21, 1, 2, 10, 6, 9, 4, 5, 8, 14 (grub-core/loader/multiboot_mbi2.c). */
static void test_grub_bios(void **state)
{
	struct mbi m;
	uint8_t fb[23] = { 0 }, rsdp[20], junk[20] = { 0 };
	uint64_t fbaddr = 0xB8000;
	uint32_t w = 80, h = 25, pitch = 160, base = 0x100000;

	(void)state;
	mbi_begin(&m, 0);
	mbi_tag(&m, 21, &base, 4);
	mbi_string(&m, MB2_TAG_CMDLINE, "thaw.test_exit resume=/dev/vda2");
	mbi_string(&m, MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u2");
	mbi_tag(&m, 10, junk, 20);
	mbi_mmap(&m, seabios_map, 7, 24);
	mbi_tag(&m, 9, junk, 12);
	mbi_tag(&m, MB2_TAG_BASIC_MEMINFO, junk, 8);
	mbi_tag(&m, 5, junk, 12);
	memcpy(fb, &fbaddr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 16;
	fb[21] = 2;
	mbi_tag(&m, MB2_TAG_FRAMEBUFFER, fb, sizeof(fb));
	rsdp_bytes(rsdp, 20, 0);
	mbi_tag(&m, MB2_TAG_ACPI_OLD, rsdp, 20);
	mbi_end(&m);
	parse(&m);

	assert_int_equal(bi.warnings, 0);
	assert_string_equal(bi.cmdline, "thaw.test_exit resume=/dev/vda2");
	assert_string_equal(bi.loader, "GRUB 2.06-13+deb12u2");
	assert_false(bi.from_kexec);
	assert_int_equal(bi.mmap_count, 7);
	assert_int_equal(bi.mmap[3].base, 0x100000);
	assert_int_equal(bi.mmap[3].len, 0x1fee0000);
	assert_int_equal(bi.mmap[3].type, MMAP_RAM);
	assert_int_equal(bi.mmap[6].base, 0xfd00000000);
	assert_int_equal(bi.mmap[6].type, MMAP_RESERVED);
	assert_true(bi.has_fb);
	assert_int_equal(bi.fb.type, 2);
	assert_int_equal(bi.fb.addr, 0xB8000);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.height, 25);
	assert_int_equal(bi.fb.pitch, 160);
	assert_int_equal(bi.fb.bpp, 16);
	assert_int_equal(bi.rsdp_len, 20);
	assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
	assert_int_equal(bi.acpi_rsdp, (uint64_t)(uintptr_t)bi.rsdp);
	assert_int_equal(bi.efi_system_table, 0);
	assert_int_equal(bi.efi_mmap_count, 0);
	assert_int_equal(bi.module_count, 0);
	/* The block's frames, rounded outward. */
	uint64_t a = (uint64_t)(uintptr_t)m.p;
	assert_int_equal(bi.mbi_start, a & ~0xfffull);
	assert_int_equal(bi.mbi_end, (a + m.len + 0xfff) & ~0xfffull);
	mbi_free(&m);
}

/* UEFI: RSDP v2 before v1 (v2 must win), EFI system table and EFI memory map with
 * descriptors larger than the struct (OVMF uses 48). */
static void test_grub_uefi(void **state)
{
	struct mbi m;
	uint8_t rsdp2[36], rsdp1[20], efi[8 + 3 * 48];
	uint64_t st = 0x1f5eb018;
	uint32_t dsz = 48, ver = 1;

	(void)state;
	mbi_begin(&m, 0);
	rsdp_bytes(rsdp2, 36, 2);
	rsdp_bytes(rsdp1, 20, 0);
	mbi_tag(&m, MB2_TAG_ACPI_NEW, rsdp2, 36);
	mbi_tag(&m, MB2_TAG_ACPI_OLD, rsdp1, 20);
	mbi_tag(&m, MB2_TAG_EFI64_ST, &st, 8);
	memcpy(efi, &dsz, 4);
	memcpy(efi + 4, &ver, 4);
	memset(efi + 8, 0, sizeof(efi) - 8);
	for (int i = 0; i < 3; i++) {
		struct efi_memory_descriptor d = { 7, 0, 0x100000ull * (i + 1), 0, 16 + i, 0xf };
		memcpy(efi + 8 + i * 48, &d, sizeof(d));
	}
	mbi_tag(&m, MB2_TAG_EFI_MMAP, efi, sizeof(efi));
	mbi_mmap(&m, seabios_map, 4, 24);
	mbi_string(&m, MB2_TAG_CMDLINE, "");
	mbi_end(&m);
	parse(&m);

	assert_int_equal(bi.warnings, 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[15], 2);
	assert_int_equal(bi.efi_system_table, st);
	assert_int_equal(bi.efi_mmap_count, 3);
	assert_int_equal(bi.efi_mmap[2].type, 7);
	assert_int_equal(bi.efi_mmap[2].phys, 0x300000);
	assert_int_equal(bi.efi_mmap[2].pages, 18);
	assert_int_equal(bi.efi_mmap[2].attr, 0xf);
	assert_int_equal(bi.mmap_count, 4);
	assert_string_equal(bi.cmdline, "");
	assert_false(bi.has_fb);
	mbi_free(&m);
}

/* kexec-tools: the block is only 4-byte aligned, tags are 8-aligned relative to its
 * start, the loader name starts with "kexec" and the image path leads the cmdline. */
static void test_kexec_block(void **state)
{
	struct mbi m;
	uint32_t mod[2] = { 0x2000100, 0x2003001 };
	uint8_t modtag[8 + 5];

	(void)state;
	mbi_begin(&m, 4);
	assert_int_equal((uintptr_t)m.p % 8, 4);
	mbi_string(&m, MB2_TAG_CMDLINE, "/boot/thaw.elf resume=/dev/vda2 thaw.e820=ignore");
	mbi_mmap(&m, seabios_map, 7, 24);
	memcpy(modtag, mod, 8);
	memcpy(modtag + 8, "initrd", 5);
	mbi_tag(&m, MB2_TAG_MODULE, modtag, sizeof(modtag));
	mbi_string(&m, MB2_TAG_LOADER_NAME, "kexec");
	mbi_end(&m);
	parse(&m);

	assert_int_equal(bi.warnings, 0);
	assert_true(bi.from_kexec);
	assert_string_equal(bi.cmdline, "resume=/dev/vda2 thaw.e820=ignore");
	assert_int_equal(bi.mmap_count, 7);
	assert_int_equal(bi.mmap[6].len, 0x300000000);
	assert_int_equal(bi.module_count, 1);
	assert_int_equal(bi.modules[0].start, 0x2000000);
	assert_int_equal(bi.modules[0].end, 0x2004000);
	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.acpi_rsdp, 0);
	mbi_free(&m);
}

static void test_kexec_path_only(void **state)
{
	struct mbi m;

	(void)state;
	mbi_begin(&m, 4);
	mbi_string(&m, MB2_TAG_LOADER_NAME, "kexec-tools 2.0.25");
	mbi_string(&m, MB2_TAG_CMDLINE, "  /boot/thaw.elf");
	mbi_mmap(&m, seabios_map, 1, 24);
	mbi_end(&m);
	parse(&m);
	assert_true(bi.from_kexec);
	assert_string_equal(bi.cmdline, "");
	mbi_free(&m);
}

/* Unknown tags of odd sizes are skipped; GRUB's first word is not stripped. */
static void test_unknown_tags(void **state)
{
	struct mbi m;
	uint8_t junk[37];

	(void)state;
	memset(junk, 0xEE, sizeof(junk));
	mbi_begin(&m, 0);
	mbi_tag(&m, 99, junk, 5);
	mbi_string(&m, MB2_TAG_CMDLINE, "/not/a/path loglevel=7");
	mbi_tag(&m, 0x7fffffff, junk, 37);
	mbi_mmap(&m, seabios_map, 7, 32);       /* bigger entries: stepped by entry_size */
	mbi_tag(&m, 16, junk, 0);
	mbi_string(&m, MB2_TAG_LOADER_NAME, "GRUB");
	mbi_end(&m);
	parse(&m);
	assert_int_equal(bi.warnings, 0);
	assert_string_equal(bi.cmdline, "/not/a/path loglevel=7");
	assert_int_equal(bi.mmap_count, 7);
	assert_int_equal(bi.mmap[4].base, 0x1ffe0000);
	mbi_free(&m);
}

/* A tag claiming to run past total_size: what came before is kept. */
static void test_truncated(void **state)
{
	struct mbi m;
	uint32_t bad = 4096;

	(void)state;
	mbi_begin(&m, 0);
	mbi_string(&m, MB2_TAG_CMDLINE, "a=b");
	mbi_mmap(&m, seabios_map, 7, 24);
	mbi_end(&m);
	/* Make the mmap tag's size overrun the block. */
	memcpy(m.p + 8 + 16 + 4, &bad, 4);
	parse(&m);
	assert_true(bi.warnings & BOOT_WARN_TRUNCATED);
	assert_true(bi.warnings & BOOT_WARN_NO_MMAP);
	assert_string_equal(bi.cmdline, "a=b");
	assert_int_equal(bi.mmap_count, 0);
	mbi_free(&m);
}

static void test_tiny_tag_size(void **state)
{
	struct mbi m;
	uint32_t four = 4;

	(void)state;
	mbi_begin(&m, 0);
	mbi_string(&m, MB2_TAG_CMDLINE, "x");
	mbi_end(&m);
	memcpy(m.p + 12, &four, 4);
	parse(&m);
	assert_true(bi.warnings & BOOT_WARN_TRUNCATED);
	assert_string_equal(bi.cmdline, "");
	mbi_free(&m);
}

static void test_bad_total_size(void **state)
{
	struct mbi m;
	uint32_t huge = 0x7fffffff;

	(void)state;
	mbi_begin(&m, 0);
	mbi_string(&m, MB2_TAG_CMDLINE, "x");
	mbi_end(&m);
	memcpy(m.p, &huge, 4);
	parse(&m);
	assert_true(bi.warnings & BOOT_WARN_TRUNCATED);
	assert_string_equal(bi.cmdline, "");
	mbi_free(&m);
}

/* No memory map: basic meminfo (KiB below 640 K and above 1 MiB) stands in. */
static void test_meminfo_fallback(void **state)
{
	struct mbi m;
	uint32_t mi[2] = { 639, 523136 };

	(void)state;
	mbi_begin(&m, 0);
	mbi_tag(&m, MB2_TAG_BASIC_MEMINFO, mi, 8);
	mbi_end(&m);
	parse(&m);
	assert_int_equal(bi.warnings, BOOT_WARN_NO_MMAP);
	assert_int_equal(bi.mmap_count, 2);
	assert_int_equal(bi.mmap[0].len, 639 * 1024);
	assert_int_equal(bi.mmap[1].base, 0x100000);
	assert_int_equal(bi.mmap[1].len, 523136ull * 1024);
	mbi_free(&m);
}

static void test_limits(void **state)
{
	struct mbi m;
	static struct mb2_mmap_entry many[300];
	static char longline[1500];

	(void)state;
	for (int i = 0; i < 300; i++)
		many[i] = (struct mb2_mmap_entry){ (uint64_t)i << 20, 1 << 20, 1, 0 };
	memset(longline, 'y', sizeof(longline) - 1);
	mbi_begin(&m, 0);
	mbi_mmap(&m, many, 300, 24);
	mbi_string(&m, MB2_TAG_CMDLINE, longline);
	for (uint32_t i = 0; i < 10; i++) {
		uint32_t mod[3] = { 0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 10, 0 };
		mbi_tag(&m, MB2_TAG_MODULE, mod, 12);
	}
	mbi_end(&m);
	parse(&m);
	assert_int_equal(bi.mmap_count, BOOT_MMAP_MAX);
	assert_int_equal(bi.mmap[255].base, 255ull << 20);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(bi.module_count, 8);
	assert_int_equal(bi.warnings, BOOT_WARN_MMAP_FULL | BOOT_WARN_CMDLINE_LONG |
				      BOOT_WARN_MODULES_FULL);
	for (uint32_t bit = 1; bit < (1u << BOOT_WARN_COUNT); bit <<= 1)
		assert_non_null(boot_warning_str(bit));
	assert_null(boot_warning_str(1u << BOOT_WARN_COUNT));
	mbi_free(&m);
}

/* An unterminated string in a tag is cut at the tag's end, not read past it. */
static void test_unterminated_string(void **state)
{
	struct mbi m;

	(void)state;
	mbi_begin(&m, 0);
	mbi_tag(&m, MB2_TAG_LOADER_NAME, "kexecXYZ", 8);
	mbi_end(&m);
	parse(&m);
	assert_string_equal(bi.loader, "kexecXYZ");
	assert_true(bi.from_kexec);
	mbi_free(&m);
}

/* The EFI stub's block: taken over whole; counts clamped, the RSDP pointer moved to the
 * copy, the strings terminated, whatever the stub (or memory corruption) left there. */
static void test_from_efi(void **state)
{
	static struct boot_info src;

	(void)state;
	memset(&src, 0, sizeof(src));
	strcpy(src.cmdline, "resume=/dev/vda2 thaw.delay=0 noresume");
	strcpy(src.loader, "thaw.efi on EDK II");
	src.mmap[0] = (struct mem_range){ 0, 0xa0000, MMAP_RAM };
	src.mmap_count = 1;
	src.efi_mmap_count = 3;
	src.efi_system_table = 0x1f5eb018;
	src.rsdp_len = 36;
	src.rsdp[0] = 'R';
	src.acpi_rsdp = 0x1234;                 /* the stub's own copy: stale after the move */
	src.keys[0] = 'y';
	src.key_count = 1;
	boot_info_from_efi(&bi, (uint64_t)(uintptr_t)&src);
	assert_string_equal(bi.cmdline, src.cmdline);
	assert_string_equal(bi.loader, "thaw.efi on EDK II");
	assert_int_equal(bi.mmap_count, 1);
	assert_int_equal(bi.efi_system_table, 0x1f5eb018);
	assert_ptr_equal((void *)(uintptr_t)bi.acpi_rsdp, bi.rsdp);
	assert_int_equal(bi.key_count, 1);
	assert_int_equal(bi.keys[0], 'y');
	assert_false(bi.from_kexec);

	memset(&src, 0xff, sizeof(src));        /* every count and string out of range */
	boot_info_from_efi(&bi, (uint64_t)(uintptr_t)&src);
	assert_int_equal(bi.mmap_count, BOOT_MMAP_MAX);
	assert_int_equal(bi.efi_mmap_count, BOOT_EFI_MMAP_MAX);
	assert_int_equal(bi.module_count, 0);
	assert_int_equal(bi.key_count, BOOT_KEYS_MAX);
	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.acpi_rsdp, 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader), BOOT_LOADER_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_bios),
		cmocka_unit_test(test_grub_uefi),
		cmocka_unit_test(test_kexec_block),
		cmocka_unit_test(test_kexec_path_only),
		cmocka_unit_test(test_unknown_tags),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_tiny_tag_size),
		cmocka_unit_test(test_bad_total_size),
		cmocka_unit_test(test_meminfo_fallback),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_from_efi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
