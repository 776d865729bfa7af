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
#include "kernel/acpi_tables.h"

static void put_gas(struct acpi_gas *g, uint8_t space, uint64_t addr)
{
	g->space_id = space;
	g->address = addr;              /* host tests run little-endian, like the FADT */
}

/* QEMU's PIIX4 FADT as SeaBIOS machines get it: SMI_CMD 0xb2, ACPI_ENABLE 0xf1, PM
 * base 0x600 (PM1a_EVT 0x600, PM1a_CNT 0x604), GPE0 0xafe0 (4 bytes). */
static void piix4(struct acpi_fadt *f)
{
	memset(f, 0, sizeof(*f));
	f->smi_cmd = 0xb2;
	f->acpi_enable = 0xf1;
	f->acpi_disable = 0xf0;
	f->pm1a_evt_blk = 0x600;
	f->pm1a_cnt_blk = 0x604;
	f->gpe0_blk = 0xafe0;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->gpe0_blk_len = 4;
	f->flags = FADT_F_SLP_BUTTON;
}

static void test_piix4(void **state)
{
	struct acpi_fadt f;
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(&f);
	assert_int_equal(acpi_fixed_hw_parse(&f, 116, &hw), ACPI_HW_OK);     /* ACPI 1.0 length */
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
	struct acpi_fadt f;
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(&f);
	/* X_ address non-zero and different: ACPICA uses it (64-bit by default). */
	put_gas(&f.x_pm1a_cnt_blk, ACPI_GAS_IO, 0x1804);
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_OK);
	assert_int_equal(hw.pm1_cnt[0].port, 0x1804);
	/* X_ zero: the 32-bit field. */
	assert_int_equal(hw.pm1_evt[0].port, 0x600);
	/* ...but an X_ field past a short FADT is never read. */
	assert_int_equal(acpi_fixed_hw_parse(&f, 172, &hw), ACPI_HW_OK);
	assert_int_equal(hw.pm1_cnt[0].port, 0x604);
	/* A block in memory space is beyond thaw's port I/O. */
	put_gas(&f.x_gpe0_blk, ACPI_GAS_MEMORY, 0xfed80000);
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_ENOTIO);
}

static void test_refusals(void **state)
{
	struct acpi_fadt f;
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(&f);
	assert_int_equal(acpi_fixed_hw_parse(&f, 115, &hw), ACPI_HW_ESHORT);
	assert_int_equal(acpi_fixed_hw_parse(NULL, 0, &hw), ACPI_HW_ESHORT);
	f.flags = FADT_F_HW_REDUCED;
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_EREDUCED);
	piix4(&f);
	f.pm1a_cnt_blk = 0;
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_ENOPM1);
	piix4(&f);
	f.pm1_evt_len = 2;
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_ENOPM1);
	piix4(&f);
	f.smi_cmd = 0x10000;
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_ENOTIO);
	assert_string_equal(acpi_hw_strerror(ACPI_HW_ENOPM1),
			    "the FADT names no PM1 control or event block");
}

static void test_needs_enable(void **state)
{
	struct acpi_fadt f;
	struct acpi_fixed_hw hw;

	(void)state;
	piix4(&f);
	assert_int_equal(acpi_fixed_hw_parse(&f, sizeof(f), &hw), ACPI_HW_OK);
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
