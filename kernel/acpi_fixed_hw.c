/* FADT → the fixed-hardware register blocks thaw touches at the hand-off (ACPI 6.4
 * §4.8, §5.2.9), chosen as ACPICA chooses them. Pure: (buf, len) in, struct out. */
#include "kernel/acpi_fixed_hw.h"

#include <string.h>

#include "kernel/acpi_tables.h"
#include "lib/le.h"

const char *acpi_hw_strerror(enum acpi_hw_err e)
{
	switch (e) {
	case ACPI_HW_OK:       return "ok";
	case ACPI_HW_ESHORT:   return "the FADT is too short";
	case ACPI_HW_EREDUCED: return "hardware-reduced ACPI (no fixed hardware)";
	case ACPI_HW_ENOPM1:   return "the FADT names no PM1 control or event block";
	case ACPI_HW_ENOTIO:   return "an ACPI register block is in memory space, not I/O";
	}
	return "unknown ACPI fixed-hardware error";
}

/* One block: the X_ GAS if the FADT has it and its address is non-zero, else the
 * legacy 32-bit port. Linux ignores a 32-bit value that differs from a non-zero
 * X_ address (acpi_gbl_use32_bit_fadt_addresses defaults to FALSE). has_x: the FADT
 * is long enough to hold the GAS. */
static enum acpi_hw_err blk(uint32_t port32, const struct acpi_gas *x, bool has_x,
			    uint8_t len, struct acpi_hw_blk *out)
{
	uint64_t addr = le32(port32);

	if (has_x && le64(x->address)) {
		if (x->space_id != ACPI_GAS_IO)
			return ACPI_HW_ENOTIO;
		addr = le64(x->address);
	}
	if (addr > 0xffff)
		return ACPI_HW_ENOTIO;
	out->port = (uint16_t)addr;
	out->len = addr ? len : 0;
	return ACPI_HW_OK;
}

static enum acpi_hw_err blocks(const struct acpi_fadt *f, size_t len, struct acpi_fixed_hw *hw)
{
	const struct {
		uint32_t port32;
		const struct acpi_gas *x;
		bool has_x;
		uint8_t len;
		struct acpi_hw_blk *out;
	} b[] = {
		{ f->pm1a_evt_blk, &f->x_pm1a_evt_blk, ACPI_FADT_HAS(len, x_pm1a_evt_blk),
		  f->pm1_evt_len, &hw->pm1_evt[0] },
		{ f->pm1b_evt_blk, &f->x_pm1b_evt_blk, ACPI_FADT_HAS(len, x_pm1b_evt_blk),
		  f->pm1_evt_len, &hw->pm1_evt[1] },
		{ f->pm1a_cnt_blk, &f->x_pm1a_cnt_blk, ACPI_FADT_HAS(len, x_pm1a_cnt_blk),
		  f->pm1_cnt_len, &hw->pm1_cnt[0] },
		{ f->pm1b_cnt_blk, &f->x_pm1b_cnt_blk, ACPI_FADT_HAS(len, x_pm1b_cnt_blk),
		  f->pm1_cnt_len, &hw->pm1_cnt[1] },
		{ f->gpe0_blk, &f->x_gpe0_blk, ACPI_FADT_HAS(len, x_gpe0_blk),
		  f->gpe0_blk_len, &hw->gpe[0] },
		{ f->gpe1_blk, &f->x_gpe1_blk, ACPI_FADT_HAS(len, x_gpe1_blk),
		  f->gpe1_blk_len, &hw->gpe[1] },
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		enum acpi_hw_err e = blk(b[i].port32, b[i].x, b[i].has_x, b[i].len, b[i].out);
		if (e != ACPI_HW_OK)
			return e;
	}
	return ACPI_HW_OK;
}

enum acpi_hw_err acpi_fixed_hw_parse(const void *buf, size_t len, struct acpi_fixed_hw *hw)
{
	struct acpi_fadt f;
	enum acpi_hw_err e;

	memset(hw, 0, sizeof(*hw));
	if (!buf || !ACPI_FADT_HAS(len, flags))
		return ACPI_HW_ESHORT;
	acpi_fadt_load(buf, len, &f);
	hw->flags = le32(f.flags);
	/* ACPI 5.0+: the flag means there is no SCI_EN, SMI_CMD or PM1 to touch. */
	if (hw->flags & FADT_F_HW_REDUCED)
		return ACPI_HW_EREDUCED;
	if (le32(f.smi_cmd) > 0xffff)
		return ACPI_HW_ENOTIO;
	hw->smi_cmd = (uint16_t)le32(f.smi_cmd);
	hw->acpi_enable = f.acpi_enable;
	hw->acpi_disable = f.acpi_disable;
	e = blocks(&f, len, hw);
	if (e != ACPI_HW_OK)
		return e;
	/* PM1 event halves are 2 bytes each at least (§4.8.3.1); control is 2 bytes. */
	if (!hw->pm1_cnt[0].port || hw->pm1_cnt[0].len < 2 || !hw->pm1_evt[0].port ||
	    hw->pm1_evt[0].len < 4)
		return ACPI_HW_ENOPM1;
	return ACPI_HW_OK;
}

bool acpi_fixed_hw_needs_enable(const struct acpi_fixed_hw *hw, uint16_t pm1_cnt)
{
	if (pm1_cnt & PM1_CNT_SCI_EN)
		return false;
	return hw->smi_cmd != 0 && hw->acpi_enable != 0;
}
