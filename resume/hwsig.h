/* The ACPI hardware signature check for images flagged SF_HW_SIG (Linux ≥ 5.17,
 * kernel/power/swap.c swsusp_check()): FADT → FACS → hardware_signature. Pure. */
#ifndef THAW_RESUME_HWSIG_H
#define THAW_RESUME_HWSIG_H
#include <stddef.h>
#include <stdint.h>
#include "kernel/acpi_tables.h"

enum hwsig_err {
	HWSIG_OK = 0,
	HWSIG_ENOFADT,          /* FADT missing or too short */
	HWSIG_ENOFACS,          /* the FADT names no FACS */
	HWSIG_EBADFACS,         /* the FACS signature or length is wrong */
};

const char *hwsig_strerror(enum hwsig_err e);

/* The FACS physical address named by a FADT of fadt_len bytes: FIRMWARE_CTRL when
 * non-zero, else X_FIRMWARE_CTRL (the one Linux compares, see hwsig.c). */
enum hwsig_err hwsig_facs_addr(const void *fadt, size_t fadt_len, uint64_t *facs);

/* The hardware signature from a FACS (len bytes readable, at least struct acpi_facs). */
enum hwsig_err hwsig_read(const void *facs, size_t len, uint32_t *sig);

#endif
