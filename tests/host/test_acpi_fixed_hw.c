/* Unit tests for kernel/acpi_fixed_hw.c: which ports a FADT names for SMI_CMD, PM1
 * and the GPE blocks (X_ GAS over the 32-bit field, as ACPICA), when thaw must
 * switch to ACPI mode, and malformed or unsupported FADTs refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/acpi_fixed_hw.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_gas(uint8_t *p, uint8_t space, uint64_t addr)
{
	p[0] = space;
	for (int i = 0; i < 8; i++)
		p[4 + i] = (uint8_t)(addr >> (8 * i));
}

/* QEMU's PIIX4 FADT as SeaBIOS builds it: SMI_CMD 0xb2, ACPI_ENABLE 0xf1, PM base
 * 0x600 (PM1a_EVT 0x600, PM1a_CNT 0x604), GPE0 0xafe0 (4 bytes), ACPI 1.0 length. */
static void piix4(uint8_t *f)
{
	memset(f, 0, 276);
	put32(f + FADT_SMI_CMD, 0xb2);
	f[FADT_ACPI_ENABLE] = 0xf1;
	f[FADT_ACPI_DISABLE] = 0xf0;
	put32(f + FADT_PM1A_EVT_BLK, 0x600);
	put32(f + FADT_PM1A_CNT, 0x604);
	put32(f + FADT_GPE0_BLK, 0xafe0);
	f[FADT_PM1_EVT_LEN] = 4;
	f[FADT_PM1_CNT_LEN] = 2;
	f[FADT_GPE0_BLK_LEN] = 4;
	put32(f + FADT_FLAGS_OFF, FADT_F_SLP_BUTTON);
}

static void test_piix4(void **state)
{
	uint8_t f[276];
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(f);
	assert_int_equal(acpi_fixed_hw_parse(f, 116, &hw), ACPI_HW_OK);
	assert_int_equal(hw.smi_cmd, 0xb2);
	assert_int_equal(hw.acpi_enable, 0xf1);
	assert_int_equal(hw.pm1_evt[0].port, 0x600);
	assert_int_equal(hw.pm1_evt[0].len, 4);
	assert_int_equal(hw.pm1_cnt[0].port, 0x604);
	assert_int_equal(hw.pm1_evt[1].port, 0);
	assert_int_equal(hw.pm1_evt[1].len, 0);             /* absent B block: no length */
	assert_int_equal(hw.gpe[0].port, 0xafe0);
	assert_int_equal(hw.gpe[0].len, 4);
	assert_int_equal(hw.gpe[1].len, 0);
	assert_true(hw.flags & FADT_F_SLP_BUTTON);
	assert_false(hw.flags & FADT_F_PWR_BUTTON);
}

static void test_x_blocks(void **state)
{
	uint8_t f[276];
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(f);
	/* X_ address non-zero and different: ACPICA uses it (64-bit by default). */
	put_gas(f + FADT_X_PM1A_CNT, 1, 0x1804);
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_OK);
	assert_int_equal(hw.pm1_cnt[0].port, 0x1804);
	/* X_ zero: the 32-bit field. */
	assert_int_equal(hw.pm1_evt[0].port, 0x600);
	/* ...but an X_ field past a short FADT is never read. */
	assert_int_equal(acpi_fixed_hw_parse(f, 172, &hw), ACPI_HW_OK);
	assert_int_equal(hw.pm1_cnt[0].port, 0x604);
	/* A block in memory space is beyond thaw's port I/O. */
	put_gas(f + FADT_X_GPE0_BLK, 0, 0xfed80000);
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_ENOTIO);
}

static void test_refusals(void **state)
{
	uint8_t f[276];
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(f);
	assert_int_equal(acpi_fixed_hw_parse(f, 115, &hw), ACPI_HW_ESHORT);
	assert_int_equal(acpi_fixed_hw_parse(NULL, 0, &hw), ACPI_HW_ESHORT);
	put32(f + FADT_FLAGS_OFF, FADT_F_HW_REDUCED);
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_EREDUCED);
	piix4(f);
	put32(f + FADT_PM1A_CNT, 0);
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_ENOPM1);
	piix4(f);
	f[FADT_PM1_EVT_LEN] = 2;
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_ENOPM1);
	piix4(f);
	put32(f + FADT_SMI_CMD, 0x10000);
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_ENOTIO);
	assert_string_equal(acpi_hw_strerror(ACPI_HW_ENOPM1),
			    "the FADT names no PM1 control or event block");
}

static void test_needs_enable(void **state)
{
	uint8_t f[276];
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(f);
	assert_int_equal(acpi_fixed_hw_parse(f, sizeof(f), &hw), ACPI_HW_OK);
	assert_true(acpi_fixed_hw_needs_enable(&hw, 0));            /* SeaBIOS: legacy */
	assert_false(acpi_fixed_hw_needs_enable(&hw, PM1_CNT_SCI_EN));  /* already on */
	hw.smi_cmd = 0;                 /* ACPI 2.0: no SMI_CMD, always ACPI mode */
	assert_false(acpi_fixed_hw_needs_enable(&hw, 0));
	hw.smi_cmd = 0xb2;
	hw.acpi_enable = 0;             /* enabling not supported */
	assert_false(acpi_fixed_hw_needs_enable(&hw, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_piix4),
		cmocka_unit_test(test_x_blocks),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_needs_enable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
