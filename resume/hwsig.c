/* FADT → FACS → hardware signature (ACPI 6.4 §5.2.9, §5.2.10), over caller buffers. */
#include "resume/hwsig.h"

#include <string.h>

#include "lib/le.h"

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
	struct acpi_fadt f;

	if (!fadt || !ACPI_FADT_HAS(fadt_len, firmware_ctrl))
		return HWSIG_ENOFADT;
	acpi_fadt_load(fadt, fadt_len, &f);
	/* The FACS Linux reads the signature from: ACPICA installs the 32-bit
	 * FIRMWARE_CTRL one first (drivers/acpi/acpica/tbfadt.c acpi_tb_parse_fadt())
	 * and drivers/acpi/sleep.c acpi_sleep_hibernate_setup() takes instance 1 of
	 * "FACS"; acpi_tb_initialize_facs() agrees while acpi_gbl_use32_bit_facs_addresses
	 * keeps its default TRUE. X_FIRMWARE_CTRL only when FIRMWARE_CTRL is zero. */
	*facs = le32(f.firmware_ctrl);
	if (!*facs && ACPI_FADT_HAS(fadt_len, x_firmware_ctrl))
		*facs = le64(f.x_firmware_ctrl);
	return *facs ? HWSIG_OK : HWSIG_ENOFACS;
}

enum hwsig_err hwsig_read(const void *facs, size_t len, uint32_t *sig)
{
	struct acpi_facs f;

	if (!facs || len < sizeof(f))
		return HWSIG_EBADFACS;
	memcpy(&f, facs, sizeof(f));
	if (memcmp(f.signature, "FACS", 4) != 0 || le32(f.length) < sizeof(f))
		return HWSIG_EBADFACS;
	*sig = le32(f.hardware_signature);
	return HWSIG_OK;
}
