/* AHCI SATA disks (drivers/ahci.c, drivers/ahci_hba.c): the driver's limits and the
 * entry points the disk registry and its stop_firmware hook call. */
#ifndef THAW_AHCI_H
#define THAW_AHCI_H
#include <stdbool.h>
#include "drivers/ahci_regs.h"
#include "kernel/pci.h"

#define AHCI_TIMEOUT_MS       5000        /* no completion for this long: port stuck */
#define AHCI_TIMEOUT_POLLS    100000ull   /* …and at least this many PxCI/PxIS polls
					    * (20 µs apart, or an MMIO read each: ≥ 0.1 s) */
#define AHCI_DISKS_MAX        16

/* True for an AHCI SATA controller (class 01/06/01). */
bool ahci_match(const struct pci_dev *f);

/* The disk_driver stop_firmware hook: stop every port of controller f the firmware
 * left running (command list and FIS receive engines off, an HBA reset for a port
 * that will not stop) and turn bus mastering off until attach: from then on it
 * writes no memory. Called before thaw's allocator hands out frames; maps nothing,
 * allocates nothing. */
void ahci_stop_firmware(const struct pci_dev *f);

#endif
