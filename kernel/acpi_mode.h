/* Leave the ACPI fixed hardware as Linux's boot kernel leaves it for the image
 * kernel: ACPI mode on, a stale power-button press cleared and the button armed,
 * and in platform mode every GPE disabled. */
#ifndef THAW_ACPI_MODE_H
#define THAW_ACPI_MODE_H
#include <stdbool.h>

/* How long the firmware may take to set SCI_EN after SMI_CMD ← ACPI_ENABLE: ACPICA
 * acpi_enable() polls 30000 × 100 µs. */
#define ACPI_MODE_TIMEOUT_MS 3000

/* Switch to ACPI mode if the firmware left the machine in legacy mode, and wait
 * (bounded) for SCI_EN. Reports what it did or why it could not on the console;
 * never fails the resume: without SCI_EN the image kernel runs, only without ACPI
 * events (what Linux's boot kernel does too when acpi_enable() fails). */
void acpi_mode_enable(void);

/* At the jump, interrupts off: PM1 power/sleep-button status cleared and their
 * enables set where the FADT has fixed buttons; platform: all GPE enables 0. */
void acpi_mode_handover(bool platform);

#endif
