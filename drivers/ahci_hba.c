/* The AHCI HBA and its ports' engines: ABAR, GHC.AE, the BIOS/OS hand-off, HBA reset,
 * port stop / rebase / start and COMRESET (AHCI 1.3.1 §10), and the stop_firmware
 * hook that silences what the firmware left running before thaw allocates memory. */
#include <stddef.h>
#include <stdint.h>
#include "drivers/ahci.h"
#include "drivers/ahci_hba.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/paging.h"
#include "kernel/timer.h"

#define STOP_CR_MS      500        /* §10.1.2: CR clears within 500 ms of ST = 0 */
#define STOP_FR_MS      1000       /* Linux ahci_stop_fis_rx() waits up to 1 s */
#define LINK_MS         1000       /* a spun-up device reports DET = 3 */
#define READY_MS        2000       /* BSY and DRQ clear before ST is set (§10.3.1) */
#define BOH_MS          25         /* BIOS/OS hand-off: BOS clears (§10.6.3) */
#define BOH_BUSY_MS     2000       /* …or BB announces the BIOS needs longer */
#define HBA_RESET_MS    1000       /* GHC.HR clears within 1 s (§10.4.3) */
#define ABAR_BYTES      (AHCI_PORT_BASE + AHCI_PORTS_MAX * AHCI_PORT_SIZE)
#define BOOT_MAP_LIMIT  (1ull << 32)   /* boot code identity-maps the first 4 GiB */

/* ---- registers ---- */

static uint32_t hba_read(const struct ahci_hba *h, uint32_t off)
{
	return mmio_read32(h->abar + off);
}

static void hba_write(const struct ahci_hba *h, uint32_t off, uint32_t v)
{
	mmio_write32(h->abar + off, v);
}

uintptr_t ahci_port_regs(const struct ahci_hba *h, unsigned port)
{
	return h->abar + AHCI_PORT_BASE + (uintptr_t)port * AHCI_PORT_SIZE;
}

uint32_t ahci_px_read(uintptr_t px, uint32_t off)
{
	return mmio_read32(px + off);
}

void ahci_px_write(uintptr_t px, uint32_t off, uint32_t v)
{
	mmio_write32(px + off, v);
}

/* Poll until (reg & mask) == want or ms have passed. */
static bool px_wait(uintptr_t px, uint32_t off, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = timer_ms() + ms;

	for (;;) {
		if ((ahci_px_read(px, off) & mask) == want)
			return true;
		if (timer_ms() > end)
			return false;
		cpu_relax();
	}
}

static bool hba_wait(const struct ahci_hba *h, uint32_t off, uint32_t mask, uint32_t want,
		     unsigned ms)
{
	return px_wait(h->abar, off, mask, want, ms);
}

/* ---- the HBA ---- */

bool ahci_match(const struct pci_dev *f)
{
	return f->class_code == AHCI_PCI_CLASS && f->subclass == AHCI_PCI_SUBCLASS &&
	       f->prog_if == AHCI_PCI_PROGIF && f->header_type == 0;
}

/* AHCI §10.6.3: ask the BIOS to give up the HBA when it says it owns it. */
static void bios_handoff(const struct ahci_hba *h)
{
	if (!(hba_read(h, AHCI_CAP2) & AHCI_CAP2_BOH))
		return;
	hba_write(h, AHCI_BOHC, hba_read(h, AHCI_BOHC) | AHCI_BOHC_OOS);
	if (hba_wait(h, AHCI_BOHC, AHCI_BOHC_BOS, 0, BOH_MS))
		return;
	if ((hba_read(h, AHCI_BOHC) & AHCI_BOHC_BB) &&
	    hba_wait(h, AHCI_BOHC, AHCI_BOHC_BOS, 0, BOH_BUSY_MS))
		return;
	kprintf("ahci: %02x:%02x.%x: the BIOS did not release the controller (BOHC 0x%x); "
		"taking it anyway\n", h->pci->bus, h->pci->dev, h->pci->fn,
		hba_read(h, AHCI_BOHC));
}

/* Linux ahci_enable_ahci(): some HBAs need AE written more than once. Interrupts
 * stay off: thaw polls. */
static void enable_ahci_mode(const struct ahci_hba *h)
{
	for (int i = 0; i < 5 && !(hba_read(h, AHCI_GHC) & AHCI_GHC_AE); i++) {
		hba_write(h, AHCI_GHC, hba_read(h, AHCI_GHC) | AHCI_GHC_AE);
		if (!(hba_read(h, AHCI_GHC) & AHCI_GHC_AE))
			timer_delay_us(10000);
	}
	hba_write(h, AHCI_GHC, (hba_read(h, AHCI_GHC) | AHCI_GHC_AE) & ~AHCI_GHC_IE);
}

/* Where ABAR is; NULL or why it is unusable. */
static const char *hba_locate(const struct pci_dev *f, uint64_t *abar)
{
	struct pci_bar bar;

	if (!pci_bar_decode(f, AHCI_ABAR, &bar) || bar.io || bar.addr == 0)
		return "BAR5 (ABAR) is not an assigned memory BAR";
	*abar = bar.addr;
	return NULL;
}

/* Enable the function and put the HBA in AHCI mode, taken from the BIOS. */
static const char *hba_takeover(struct ahci_hba *h, const struct pci_dev *f, uint64_t abar)
{
	*h = (struct ahci_hba){ .pci = f, .abar = (uintptr_t)abar };
	pci_enable(f, PCI_COMMAND_MEMORY);     /* bus mastering once the ports are stopped */
	enable_ahci_mode(h);
	bios_handoff(h);
	h->cap = hba_read(h, AHCI_CAP);
	h->pi = hba_read(h, AHCI_PI);
	h->slots = AHCI_CAP_NCS(h->cap);
	if (!(hba_read(h, AHCI_GHC) & AHCI_GHC_AE))
		return "GHC.AE does not stay set";
	return NULL;
}

/* Map ABAR (OVMF may place BARs above 4 GiB) and take the HBA over. */
const char *ahci_hba_init(struct ahci_hba *h, const struct pci_dev *f)
{
	uint64_t abar = 0;
	const char *why = hba_locate(f, &abar);

	if (why)
		return why;
	if (!paging_map_mmio(abar, ABAR_BYTES))
		return "cannot map ABAR";
	return hba_takeover(h, f, abar);
}

/* HBA reset (§10.4.3): stops every port's DMA. CAP and PI are partly written once
 * by the BIOS and lost by the reset, so they are written back (Linux
 * ahci_save_initial_config / ahci_restore_initial_config). */
static bool hba_reset(const struct ahci_hba *h)
{
	hba_write(h, AHCI_GHC, hba_read(h, AHCI_GHC) | AHCI_GHC_HR);
	if (!hba_wait(h, AHCI_GHC, AHCI_GHC_HR, 0, HBA_RESET_MS))
		return false;
	enable_ahci_mode(h);
	hba_write(h, AHCI_CAP, h->cap);
	hba_write(h, AHCI_PI, h->pi);
	return true;
}

/* ---- port engines (§10.1.2) ---- */

/* ST off → CR clear, then FRE off → FR clear. Returns what did not stop, or NULL. */
const char *ahci_port_stop(uintptr_t px)
{
	uint32_t cmd = ahci_px_read(px, PX_CMD);

	if (cmd & (PX_CMD_ST | PX_CMD_CR)) {
		ahci_px_write(px, PX_CMD, cmd & ~PX_CMD_ST);
		if (!px_wait(px, PX_CMD, PX_CMD_CR, 0, STOP_CR_MS))
			return "command list engine (PxCMD.CR still set 500 ms after ST was cleared)";
	}
	cmd = ahci_px_read(px, PX_CMD);
	if (cmd & (PX_CMD_FRE | PX_CMD_FR)) {
		ahci_px_write(px, PX_CMD, cmd & ~PX_CMD_FRE);
		if (!px_wait(px, PX_CMD, PX_CMD_FR, 0, STOP_FR_MS))
			return "FIS receive engine (PxCMD.FR still set 1 s after FRE was cleared)";
	}
	return NULL;
}

/* Bus mastering off: whatever the ports still do, the HBA cannot reach memory (PCI
 * 3.0 §6.2.2, Command register bit 2). */
static void bus_master_off(const struct pci_dev *f)
{
	pci_write16(f, PCI_COMMAND, (uint16_t)(pci_read16(f, PCI_COMMAND) & ~PCI_COMMAND_MASTER));
}

void ahci_hba_bus_master_off(const struct ahci_hba *h)
{
	bus_master_off(h->pci);
}

/* The implemented ports whose command list or FIS receive engine is on. */
uint32_t ahci_running_ports(const struct ahci_hba *h)
{
	uint32_t running = 0;

	for (unsigned p = 0; p < AHCI_PORTS_MAX; p++)
		if ((h->pi & (1u << p)) && (ahci_px_read(ahci_port_regs(h, p), PX_CMD) &
					    (PX_CMD_ST | PX_CMD_CR | PX_CMD_FRE | PX_CMD_FR)))
			running |= 1u << p;
	return running;
}

/* Stop every implemented port; returns a mask of those that would not stop. */
static uint32_t stop_all_ports(const struct ahci_hba *h, bool quiet)
{
	uint32_t stuck = 0;

	for (unsigned p = 0; p < AHCI_PORTS_MAX; p++) {
		uintptr_t px = ahci_port_regs(h, p);
		const char *why;

		if (!(h->pi & (1u << p)))
			continue;
		ahci_px_write(px, PX_IE, 0);
		why = ahci_port_stop(px);
		if (!why)
			continue;
		stuck |= 1u << p;
		if (!quiet)
			kprintf("ahci: %02x:%02x.%x port %u: the %s\n", h->pci->bus, h->pci->dev,
				h->pci->fn, p, why);
	}
	return stuck;
}

/* The disk_driver stop_firmware hook, before the frame allocator exists: stop every
 * port's engines (an HBA reset for one that will not), then turn bus mastering off
 * until attach has stopped them again, so nothing the firmware started can write to
 * memory thaw is about to use. */
void ahci_stop_firmware(const struct pci_dev *f)
{
	struct ahci_hba h;
	uint64_t abar = 0;
	const char *why = hba_locate(f, &abar);
	uint32_t running;

	if (!why && abar + ABAR_BYTES > BOOT_MAP_LIMIT)
		why = "ABAR lies above the boot identity map; bus mastering turned off until attach";
	if (!why)
		why = hba_takeover(&h, f, abar);
	if (why) {
		kprintf("ahci: %02x:%02x.%x: %s\n", f->bus, f->dev, f->fn, why);
		bus_master_off(f);
		return;
	}
	running = ahci_running_ports(&h);
	if (running)
		kprintf("ahci: %02x:%02x.%x: the firmware left DMA engines on (ports 0x%x of "
			"0x%x); stopping them before memory is used\n", f->bus, f->dev, f->fn,
			running, h.pi);
	if (stop_all_ports(&h, false) && !(hba_reset(&h) && !stop_all_ports(&h, true)))
		kprintf("ahci: %02x:%02x.%x: ports still run after an HBA reset; bus mastering "
			"turned off\n", f->bus, f->dev, f->fn);
	bus_master_off(f);
}

/* At attach (ABAR mapped, allocator up): stop every port again, an HBA reset for one
 * that will not stop, and only then turn bus mastering back on. False when a port
 * still runs: the controller is not used and cannot reach memory. */
bool ahci_stop_ports_for_attach(const struct ahci_hba *h)
{
	uint32_t stuck = stop_all_ports(h, false);

	if (stuck && hba_reset(h))
		stuck = stop_all_ports(h, true);
	if (stuck) {
		kprintf("ahci: %02x:%02x.%x: ports 0x%x will not stop, even after an HBA reset; "
			"controller not used, bus mastering off\n", h->pci->bus, h->pci->dev,
			h->pci->fn, stuck);
		bus_master_off(h->pci);
		return false;
	}
	pci_enable(h->pci, PCI_COMMAND_MASTER);
	return true;
}

/* COMRESET (§10.4.2): SCTL.DET = 1 for at least 1 ms, then 0, and wait for the link. */
void ahci_port_comreset(uintptr_t px)
{
	uint32_t sctl = ahci_px_read(px, PX_SCTL) & ~PX_SCTL_DET_MASK;

	ahci_px_write(px, PX_SCTL, sctl | PX_SCTL_DET_COMRESET);
	timer_delay_us(2000);
	ahci_px_write(px, PX_SCTL, sctl);
	px_wait(px, PX_SSTS, 0xF, PX_SSTS_DET_PHY, LINK_MS);
}

/* Wait for the device to be idle (BSY = DRQ = 0), with one COMRESET if it is not. */
bool ahci_port_idle(uintptr_t px)
{
	if (px_wait(px, PX_TFD, ATA_STS_BSY | ATA_STS_DRQ, 0, READY_MS))
		return true;
	ahci_port_comreset(px);
	ahci_px_write(px, PX_SERR, 0xFFFFFFFF);
	return px_wait(px, PX_TFD, ATA_STS_BSY | ATA_STS_DRQ, 0, READY_MS);
}

/* With both engines stopped: point the port at thaw's memory and enable FIS receive
 * (§10.1.2 steps 4-5, spin-up when staggered). */
void ahci_port_rebase(const struct ahci_hba *h, uintptr_t px, uint64_t clb, uint64_t fb)
{
	uint32_t cmd;

	ahci_px_write(px, PX_CLB, (uint32_t)clb);
	ahci_px_write(px, PX_CLBU, (uint32_t)(clb >> 32));
	ahci_px_write(px, PX_FB, (uint32_t)fb);
	ahci_px_write(px, PX_FBU, (uint32_t)(fb >> 32));
	cmd = ahci_px_read(px, PX_CMD) | PX_CMD_FRE;
	if (h->cap & AHCI_CAP_SSS)
		cmd |= PX_CMD_SUD | PX_CMD_POD;
	ahci_px_write(px, PX_CMD, (cmd & ~PX_CMD_ICC_MASK) | PX_CMD_ICC_ACTIVE);
	px_wait(px, PX_SSTS, 0xF, PX_SSTS_DET_PHY, LINK_MS);
	ahci_px_write(px, PX_SERR, 0xFFFFFFFF);
	ahci_px_write(px, PX_IS, 0xFFFFFFFF);
}

/* Set ST once the device is idle (§10.3.1). */
const char *ahci_port_start(uintptr_t px)
{
	if (!ahci_port_idle(px))
		return "the device stays busy (TFD BSY/DRQ) even after a COMRESET";
	ahci_px_write(px, PX_IS, 0xFFFFFFFF);
	ahci_px_write(px, PX_CMD, ahci_px_read(px, PX_CMD) | PX_CMD_ST);
	if (!px_wait(px, PX_CMD, PX_CMD_CR, PX_CMD_CR, STOP_CR_MS))
		return "the command list engine does not start (PxCMD.CR stays clear)";
	return NULL;
}

