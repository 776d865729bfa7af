/* The AHCI HBA and its port engines (drivers/ahci_hba.c), as the disk side
 * (drivers/ahci.c) uses them: register access, stop / rebase / start, COMRESET. */
#ifndef THAW_AHCI_HBA_H
#define THAW_AHCI_HBA_H
#include <stdbool.h>
#include <stdint.h>
#include "kernel/pci.h"

struct ahci_hba {
	const struct pci_dev *pci;
	uintptr_t abar;                 /* mapped HBA registers */
	uint32_t cap, pi;
	unsigned slots;                 /* command slots per port (CAP.NCS + 1) */
};

uintptr_t ahci_port_regs(const struct ahci_hba *h, unsigned port);
uint32_t ahci_px_read(uintptr_t px, uint32_t off);
void ahci_px_write(uintptr_t px, uint32_t off, uint32_t v);

/* Map ABAR, enable the function, set GHC.AE and take the HBA from the BIOS; NULL or
 * why the controller cannot be used. */
const char *ahci_hba_init(struct ahci_hba *h, const struct pci_dev *f);

/* Stop every port (an HBA reset for one that will not), then enable bus mastering;
 * false (bus mastering off, controller unusable) when a port still runs. */
bool ahci_stop_ports_for_attach(const struct ahci_hba *h);

/* The last resort for a port that will not stop: the whole HBA loses bus mastering. */
void ahci_hba_bus_master_off(const struct ahci_hba *h);

/* The implemented ports whose command list or FIS receive engine is on. */
uint32_t ahci_running_ports(const struct ahci_hba *h);

/* Clear ST, wait CR; clear FRE, wait FR. NULL, or which engine did not stop. */
const char *ahci_port_stop(uintptr_t px);
void ahci_port_comreset(uintptr_t px);
/* Wait for TFD BSY = DRQ = 0, with one COMRESET if needed. */
bool ahci_port_idle(uintptr_t px);
/* With both engines stopped: command list at clb, received FISes at fb, FRE on. */
void ahci_port_rebase(const struct ahci_hba *h, uintptr_t px, uint64_t clb, uint64_t fb);
/* Set ST once the device is idle; NULL or why the engine does not start. */
const char *ahci_port_start(uintptr_t px);

#endif
