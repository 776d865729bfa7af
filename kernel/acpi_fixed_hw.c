/* FADT → the fixed-hardware register blocks thaw touches at the hand-off (ACPI 6.4
 * §4.8, §5.2.9), chosen as ACPICA chooses them. Pure: (buf, len) in, struct out. */
#include "kernel/acpi_fixed_hw.h"

#include <string.h>

#include "lib/le.h"

#define GAS_SPACE_IO 1          /* ACPI 6.4 §5.2.3.2 */
#define FADT_V1_END  (FADT_FLAGS_OFF + 4)

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

static uint32_t u32_at(const uint8_t *f, size_t off)
{
	return get_le32(f + off);
}

/* One block: the X_ GAS if the FADT has it and its address is non-zero, else the
 * legacy 32-bit port. Linux ignores a 32-bit value that differs from a non-zero
 * X_ address (acpi_gbl_use32_bit_fadt_addresses defaults to FALSE). */
static enum acpi_hw_err blk(const uint8_t *f, size_t len, size_t off32, size_t off_x,
			    uint8_t blk_len, struct acpi_hw_blk *out)
{
	uint64_t addr = u32_at(f, off32);

	if (len >= off_x + FADT_GAS_LEN) {
		uint64_t x = get_le64(f + off_x + FADT_GAS_ADDRESS);
		if (x) {
			if (f[off_x + FADT_GAS_SPACE] != GAS_SPACE_IO)
				return ACPI_HW_ENOTIO;
			addr = x;
		}
	}
	if (addr > 0xffff)
		return ACPI_HW_ENOTIO;
	out->port = (uint16_t)addr;
	out->len = addr ? blk_len : 0;
	return ACPI_HW_OK;
}

enum acpi_hw_err acpi_fixed_hw_parse(const void *buf, size_t len, struct acpi_fixed_hw *hw)
{
	const uint8_t *f = buf;
	const size_t o32[6] = { FADT_PM1A_EVT_BLK, FADT_PM1B_EVT_BLK, FADT_PM1A_CNT,
				FADT_PM1B_CNT, FADT_GPE0_BLK, FADT_GPE1_BLK };
	const size_t ox[6] = { FADT_X_PM1A_EVT_BLK, FADT_X_PM1B_EVT_BLK, FADT_X_PM1A_CNT,
			       FADT_X_PM1B_CNT, FADT_X_GPE0_BLK, FADT_X_GPE1_BLK };
	struct acpi_hw_blk *dst[6] = { &hw->pm1_evt[0], &hw->pm1_evt[1], &hw->pm1_cnt[0],
				       &hw->pm1_cnt[1], &hw->gpe[0], &hw->gpe[1] };
	uint8_t lens[6];
	enum acpi_hw_err e;

	memset(hw, 0, sizeof(*hw));
	if (!f || len < FADT_V1_END)
		return ACPI_HW_ESHORT;
	hw->flags = u32_at(f, FADT_FLAGS_OFF);
	/* ACPI 5.0+: the flag means there is no SCI_EN, SMI_CMD or PM1 to touch. */
	if (hw->flags & FADT_F_HW_REDUCED)
		return ACPI_HW_EREDUCED;
	if (u32_at(f, FADT_SMI_CMD) > 0xffff)
		return ACPI_HW_ENOTIO;
	hw->smi_cmd = (uint16_t)u32_at(f, FADT_SMI_CMD);
	hw->acpi_enable = f[FADT_ACPI_ENABLE];
	hw->acpi_disable = f[FADT_ACPI_DISABLE];
	lens[0] = lens[1] = f[FADT_PM1_EVT_LEN];
	lens[2] = lens[3] = f[FADT_PM1_CNT_LEN];
	lens[4] = f[FADT_GPE0_BLK_LEN];
	lens[5] = f[FADT_GPE1_BLK_LEN];
	for (int i = 0; i < 6; i++) {
		e = blk(f, len, o32[i], ox[i], lens[i], dst[i]);
		if (e != ACPI_HW_OK)
			return e;
	}
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
