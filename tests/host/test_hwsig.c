/* Unit tests for resume/hwsig.c: FADT → FACS address (the 32-bit FIRMWARE_CTRL
 * preferred, as ACPICA does by default) and
 * the FACS hardware signature, with malformed tables refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "resume/hwsig.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_facs_addr(void **state)
{
	uint8_t fadt[276] = { 0 };
	uint64_t facs;

	(void)state;
	put32(fadt + 36, 0x7fe0000);
	assert_int_equal(hwsig_facs_addr(fadt, sizeof(fadt), &facs), HWSIG_OK);
	assert_int_equal(facs, 0x7fe0000);
	/* Both set and different: Linux reads the 32-bit one (acpi_gbl_use32_bit_facs_addresses). */
	put64(fadt + 132, 0x1234567000ull);
	assert_int_equal(hwsig_facs_addr(fadt, sizeof(fadt), &facs), HWSIG_OK);
	assert_int_equal(facs, 0x7fe0000);
	/* Only X_FIRMWARE_CTRL set (a FACS above 4 GiB): that one. */
	put32(fadt + 36, 0);
	assert_int_equal(hwsig_facs_addr(fadt, sizeof(fadt), &facs), HWSIG_OK);
	assert_int_equal(facs, 0x1234567000ull);
	/* X_FIRMWARE_CTRL beyond a short FADT is not read. */
	assert_int_equal(hwsig_facs_addr(fadt, 132, &facs), HWSIG_ENOFACS);
	put32(fadt + 36, 0x7fe0000);
	assert_int_equal(hwsig_facs_addr(fadt, 116, &facs), HWSIG_OK);   /* ACPI 1.0 FADT */
	assert_int_equal(facs, 0x7fe0000);
	memset(fadt, 0, sizeof(fadt));
	assert_int_equal(hwsig_facs_addr(fadt, sizeof(fadt), &facs), HWSIG_ENOFACS);
	assert_int_equal(hwsig_facs_addr(fadt, 30, &facs), HWSIG_ENOFADT);
	assert_int_equal(hwsig_facs_addr(NULL, 0, &facs), HWSIG_ENOFADT);
}

static void test_read_signature(void **state)
{
	uint8_t facs[64] = { 'F', 'A', 'C', 'S' };
	uint32_t sig = 0;

	(void)state;
	put32(facs + 4, 64);
	put32(facs + 8, 0xdeadbeef);
	assert_int_equal(hwsig_read(facs, sizeof(facs), &sig), HWSIG_OK);
	assert_int_equal(sig, 0xdeadbeef);
	assert_int_equal(hwsig_read(facs, 63, &sig), HWSIG_EBADFACS);
	put32(facs + 4, 32);
	assert_int_equal(hwsig_read(facs, sizeof(facs), &sig), HWSIG_EBADFACS);
	put32(facs + 4, 64);
	facs[0] = 'X';
	assert_int_equal(hwsig_read(facs, sizeof(facs), &sig), HWSIG_EBADFACS);
	assert_string_equal(hwsig_strerror(HWSIG_EBADFACS), "the FACS is malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facs_addr),
		cmocka_unit_test(test_read_signature),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
