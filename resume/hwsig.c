/* FADT → FACS → hardware signature (ACPI 6.4 §5.2.9, §5.2.10), over caller buffers. */
#include "resume/hwsig.h"

#include <string.h>

static uint64_t hwsig_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

const char *hwsig_strerror(enum hwsig_err e)
{
	switch (e) {
	case HWSIG_OK:       return "ok";
	case HWSIG_ENOFADT:  return "no usable ACPI FADT";
	case HWSIG_ENOFACS:  return "the FADT names no FACS";
	case HWSIG_EBADFACS: return "the FACS is malformed";
	}
	return "unknown hardware-signature error";
}

enum hwsig_err hwsig_facs_addr(const void *fadt, size_t fadt_len, uint64_t *facs)
{
	const uint8_t *f = fadt;

	if (!f || fadt_len < FADT_FIRMWARE_CTRL + 4)
		return HWSIG_ENOFADT;
	/* The FACS Linux reads the signature from: ACPICA installs the 32-bit
	 * FIRMWARE_CTRL one first (drivers/acpi/acpica/tbfadt.c acpi_tb_parse_fadt())
	 * and drivers/acpi/sleep.c acpi_sleep_hibernate_setup() takes instance 1 of
	 * "FACS"; acpi_tb_initialize_facs() agrees while acpi_gbl_use32_bit_facs_addresses
	 * keeps its default TRUE. X_FIRMWARE_CTRL only when FIRMWARE_CTRL is zero. */
	*facs = hwsig_le(f + FADT_FIRMWARE_CTRL, 4);
	if (!*facs && fadt_len >= FADT_X_FIRMWARE_CTRL + 8)
		*facs = hwsig_le(f + FADT_X_FIRMWARE_CTRL, 8);
	return *facs ? HWSIG_OK : HWSIG_ENOFACS;
}

enum hwsig_err hwsig_read(const void *facs, size_t len, uint32_t *sig)
{
	const uint8_t *p = facs;

	if (!p || len < FACS_MIN_LEN || memcmp(p + FACS_SIGNATURE, "FACS", 4) != 0 ||
	    hwsig_le(p + FACS_LENGTH, 4) < FACS_MIN_LEN)
		return HWSIG_EBADFACS;
	*sig = (uint32_t)hwsig_le(p + FACS_HW_SIGNATURE, 4);
	return HWSIG_OK;
}
