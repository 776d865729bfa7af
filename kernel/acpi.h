/* ACPI tables as the firmware left them: find the RSDP once, then tables by signature. */
#ifndef THAW_ACPI_H
#define THAW_ACPI_H
#include <stdint.h>

struct boot_info;

/* Find the RSDP: acpi_rsdp= (override, non-zero) first, then the loader's copy in
 * boot_info, then the BIOS areas (EBDA, 0xE0000-0xFFFFF; ACPI 6.4 §5.2.5.1). */
void acpi_init(const struct boot_info *bi, uint64_t rsdp_override);

/* The table with signature sig ("FACP", "APIC", ...; also "DSDT" and "FACS" through
 * the FADT), checksum verified (FACS has none); NULL when absent or corrupt. The
 * result points at the whole table (struct acpi_header first, except FACS). */
const void *acpi_find_table(const char sig[4]);

uint64_t acpi_rsdp_phys(void);   /* 0 when none was found */

#endif
