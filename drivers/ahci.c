/* AHCI SATA driver: takes the HBA from the firmware (GHC.AE, BIOS/OS hand-off), stops
 * and rebases every port with an ATA disk, and runs READ/WRITE DMA EXT and FLUSH CACHE
 * EXT from up to 32 command slots, completion by polling PxCI (AHCI 1.3.1 §5, §10). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "block/sdname.h"
#include "drivers/ahci.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/io.h"
#include "kernel/paging.h"
#include "kernel/timer.h"
#include "mm/pmm.h"

#define SECTOR          512u
#define MAX_SECTORS     16384u     /* 8 MiB per command: two PRDs of 4 MiB, or three */
#define STOP_CR_MS      500        /* §10.1.2: CR clears within 500 ms of ST = 0 */
#define STOP_FR_MS      1000       /* Linux ahci_stop_fis_rx() waits up to 1 s */
#define LINK_MS         1000       /* a spun-up device reports DET = 3 */
#define READY_MS        2000       /* BSY and DRQ clear before ST is set (§10.3.1) */
#define BOH_MS          25         /* BIOS/OS hand-off: BOS clears (§10.6.3) */
#define BOH_BUSY_MS     2000       /* …or BB announces the BIOS needs longer */
#define HBA_RESET_MS    1000       /* GHC.HR clears within 1 s (§10.4.3) */
#define ERRORS_SHOWN    5
#define ABAR_BYTES      (AHCI_PORT_BASE + AHCI_PORTS_MAX * AHCI_PORT_SIZE)
#define BOOT_MAP_LIMIT  (1ull << 32)   /* boot code identity-maps the first 4 GiB */

enum { SLOT_FREE, SLOT_SYNC, SLOT_ASYNC };

struct ahci_hba {
	const struct pci_dev *pci;
	uintptr_t abar;
	uint32_t cap, pi;
	unsigned slots;
};

/* What a command slot holds, so recovery can issue it again. */
struct ahci_req {
	uint8_t kind;              /* SLOT_* */
	uint8_t command;           /* ATA command */
	bool write;
	uint64_t lba;
	uint32_t count;
	void *buf;
	uint64_t tag;
	uint64_t seq;              /* issue order */
};

struct done_entry {
	uint64_t tag;
	enum blk_err status;
};

struct ahci_disk {
	struct blockdev bd;
	struct ahci_hba *hba;
	unsigned port;
	uintptr_t px;                      /* port registers */
	struct ahci_cmd_header *list;      /* 32 headers, 1 KiB aligned */
	struct ahci_rx_fis *rx;
	struct ahci_cmd_table *table;      /* [hba->slots] */
	uint16_t *identify;                /* 256 words */
	struct ahci_req req[AHCI_SLOTS_MAX];
	uint32_t issued;                   /* slots whose CI bit we wrote */
	uint32_t pending;                  /* slots built, CI written at the next kick */
	struct done_entry done[AHCI_SLOTS_MAX];
	unsigned done_head, done_count;
	unsigned async_out;                /* async requests not yet handed back */
	int sync_slot;
	bool sync_done;
	enum blk_err sync_status;
	uint64_t seq;
	bool dead, flush_ext;
	uint32_t spb;                      /* 512-byte sectors per logical sector */
	unsigned errors;
	uint64_t mem_phys, mem_pages;
};

static struct {
	struct ahci_hba hba[AHCI_DISKS_MAX];
	unsigned hba_count;
	struct ahci_disk disk[AHCI_DISKS_MAX];
	unsigned disk_count;
} ahci;

/* ---- registers ---- */

static uint32_t hba_read(const struct ahci_hba *h, uint32_t off)
{
	return mmio_read32(h->abar + off);
}

static void hba_write(const struct ahci_hba *h, uint32_t off, uint32_t v)
{
	mmio_write32(h->abar + off, v);
}

static uintptr_t port_regs(const struct ahci_hba *h, unsigned port)
{
	return h->abar + AHCI_PORT_BASE + (uintptr_t)port * AHCI_PORT_SIZE;
}

static uint32_t px_read(uintptr_t px, uint32_t off)
{
	return mmio_read32(px + off);
}

static void px_write(uintptr_t px, uint32_t off, uint32_t v)
{
	mmio_write32(px + off, v);
}

/* Poll until (reg & mask) == want or ms have passed. */
static bool px_wait(uintptr_t px, uint32_t off, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = timer_ms() + ms;

	for (;;) {
		if ((px_read(px, off) & mask) == want)
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
	pci_enable(f, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
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
static const char *hba_init(struct ahci_hba *h, const struct pci_dev *f)
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
static const char *port_stop(uintptr_t px)
{
	uint32_t cmd = px_read(px, PX_CMD);

	if (cmd & (PX_CMD_ST | PX_CMD_CR)) {
		px_write(px, PX_CMD, cmd & ~PX_CMD_ST);
		if (!px_wait(px, PX_CMD, PX_CMD_CR, 0, STOP_CR_MS))
			return "command list engine (PxCMD.CR still set 500 ms after ST was cleared)";
	}
	cmd = px_read(px, PX_CMD);
	if (cmd & (PX_CMD_FRE | PX_CMD_FR)) {
		px_write(px, PX_CMD, cmd & ~PX_CMD_FRE);
		if (!px_wait(px, PX_CMD, PX_CMD_FR, 0, STOP_FR_MS))
			return "FIS receive engine (PxCMD.FR still set 1 s after FRE was cleared)";
	}
	return NULL;
}

/* A port that will not stop may still write its firmware-owned command list and FIS
 * area: keep those frames away from the allocator (only once it exists). */
static void fence_port_memory(uintptr_t px)
{
	uint64_t clb = px_read(px, PX_CLB) | (uint64_t)px_read(px, PX_CLBU) << 32;
	uint64_t fb = px_read(px, PX_FB) | (uint64_t)px_read(px, PX_FBU) << 32;

	pmm_forbid(clb >> PAGE_SHIFT, 1);
	pmm_forbid(fb >> PAGE_SHIFT, 1);
}

/* The ports whose command list or FIS receive engine runs. */
static uint32_t running_ports(const struct ahci_hba *h)
{
	uint32_t running = 0;

	for (unsigned p = 0; p < AHCI_PORTS_MAX; p++)
		if ((h->pi & (1u << p)) && (px_read(port_regs(h, p), PX_CMD) &
					    (PX_CMD_ST | PX_CMD_CR | PX_CMD_FRE | PX_CMD_FR)))
			running |= 1u << p;
	return running;
}

/* Stop every implemented port; returns a mask of those that would not stop. */
static uint32_t stop_all_ports(const struct ahci_hba *h, bool quiet)
{
	uint32_t stuck = 0;

	for (unsigned p = 0; p < AHCI_PORTS_MAX; p++) {
		uintptr_t px = port_regs(h, p);
		const char *why;

		if (!(h->pi & (1u << p)))
			continue;
		px_write(px, PX_IE, 0);
		why = port_stop(px);
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
 * port's engines; a port that will not stop gets the whole HBA reset. */
void ahci_stop_firmware(const struct pci_dev *f)
{
	struct ahci_hba h;
	uint64_t abar = 0;
	const char *why = hba_locate(f, &abar);
	uint32_t running;

	if (!why && abar + ABAR_BYTES > BOOT_MAP_LIMIT)
		why = "ABAR lies above the boot identity map; its ports are stopped at attach";
	if (!why)
		why = hba_takeover(&h, f, abar);
	if (why) {
		kprintf("ahci: %02x:%02x.%x: %s\n", f->bus, f->dev, f->fn, why);
		return;
	}
	running = running_ports(&h);
	if (running)
		kprintf("ahci: %02x:%02x.%x: the firmware left DMA engines on (ports 0x%x of "
			"0x%x); stopping them before memory is used\n", f->bus, f->dev, f->fn,
			running, h.pi);
	if (!stop_all_ports(&h, false))
		return;
	if (hba_reset(&h) && !stop_all_ports(&h, true)) {
		kprintf("ahci: %02x:%02x.%x: HBA reset; every port is stopped now\n", f->bus,
			f->dev, f->fn);
		return;
	}
	kprintf("ahci: %02x:%02x.%x: ports still running after an HBA reset; their memory "
		"is fenced off once the allocator exists\n", f->bus, f->dev, f->fn);
}

/* At attach (allocator up): stop every port again; fence and forget any that still
 * runs, after one HBA reset. Returns the ports that must not be used. */
static uint32_t stop_ports_for_attach(const struct ahci_hba *h)
{
	uint32_t stuck = stop_all_ports(h, false);

	if (stuck && hba_reset(h))
		stuck = stop_all_ports(h, true);
	for (unsigned p = 0; p < AHCI_PORTS_MAX; p++)
		if (stuck & (1u << p)) {
			kprintf("ahci: %02x:%02x.%x port %u: will not stop; its memory is fenced "
				"off and the port is not used\n", h->pci->bus, h->pci->dev,
				h->pci->fn, p);
			fence_port_memory(port_regs(h, p));
		}
	return stuck;
}

/* COMRESET (§10.4.2): SCTL.DET = 1 for at least 1 ms, then 0, and wait for the link. */
static void port_comreset(uintptr_t px)
{
	uint32_t sctl = px_read(px, PX_SCTL) & ~PX_SCTL_DET_MASK;

	px_write(px, PX_SCTL, sctl | PX_SCTL_DET_COMRESET);
	timer_delay_us(2000);
	px_write(px, PX_SCTL, sctl);
	px_wait(px, PX_SSTS, 0xF, PX_SSTS_DET_PHY, LINK_MS);
}

/* Wait for the device to be idle (BSY = DRQ = 0), with one COMRESET if it is not. */
static bool port_idle(uintptr_t px)
{
	if (px_wait(px, PX_TFD, ATA_STS_BSY | ATA_STS_DRQ, 0, READY_MS))
		return true;
	port_comreset(px);
	px_write(px, PX_SERR, 0xFFFFFFFF);
	return px_wait(px, PX_TFD, ATA_STS_BSY | ATA_STS_DRQ, 0, READY_MS);
}

/* With both engines stopped: point the port at thaw's memory and enable FIS receive
 * (§10.1.2 steps 4-5, spin-up when staggered). */
static void port_rebase(struct ahci_disk *d)
{
	uintptr_t px = d->px;
	uint64_t clb = (uintptr_t)d->list, fb = (uintptr_t)d->rx;
	uint32_t cmd;

	px_write(px, PX_CLB, (uint32_t)clb);
	px_write(px, PX_CLBU, (uint32_t)(clb >> 32));
	px_write(px, PX_FB, (uint32_t)fb);
	px_write(px, PX_FBU, (uint32_t)(fb >> 32));
	cmd = px_read(px, PX_CMD) | PX_CMD_FRE;
	if (d->hba->cap & AHCI_CAP_SSS)
		cmd |= PX_CMD_SUD | PX_CMD_POD;
	px_write(px, PX_CMD, (cmd & ~PX_CMD_ICC_MASK) | PX_CMD_ICC_ACTIVE);
	px_wait(px, PX_SSTS, 0xF, PX_SSTS_DET_PHY, LINK_MS);
	px_write(px, PX_SERR, 0xFFFFFFFF);
	px_write(px, PX_IS, 0xFFFFFFFF);
}

/* Set ST once the device is idle (§10.3.1). */
static const char *port_start(struct ahci_disk *d)
{
	if (!port_idle(d->px))
		return "the device stays busy (TFD BSY/DRQ) even after a COMRESET";
	px_write(d->px, PX_IS, 0xFFFFFFFF);
	px_write(d->px, PX_CMD, px_read(d->px, PX_CMD) | PX_CMD_ST);
	if (!px_wait(d->px, PX_CMD, PX_CMD_CR, PX_CMD_CR, STOP_CR_MS))
		return "the command list engine does not start (PxCMD.CR stays clear)";
	return NULL;
}

/* ---- commands ---- */

static void report(struct ahci_disk *d, const char *fmt_what, uint64_t lba, const char *why)
{
	if (d->errors++ < ERRORS_SHOWN)
		kprintf("ahci: %s: %s at sector %llu failed: %s\n", d->bd.name, fmt_what,
			(unsigned long long)lba, why);
	else if (d->errors == ERRORS_SHOWN + 1)
		kprintf("ahci: %s: further errors not shown\n", d->bd.name);
}

static const char *req_name(const struct ahci_req *r)
{
	return r->command == ATA_CMD_IDENTIFY ? "IDENTIFY DEVICE" :
	       r->command == ATA_CMD_FLUSH_CACHE_EXT || r->command == ATA_CMD_FLUSH_CACHE ?
	       "flush" : r->write ? "write" : "read";
}

/* Fill the PRDT: entries of at most 4 MiB, even byte counts (§4.2.3.3). */
static unsigned fill_prdt(struct ahci_cmd_table *t, uint8_t *buf, uint32_t bytes)
{
	unsigned n = 0;

	for (uint32_t off = 0; off < bytes; n++) {
		uint32_t len = bytes - off < AHCI_PRD_MAX_BYTES ? bytes - off : AHCI_PRD_MAX_BYTES;
		uint64_t a = (uintptr_t)(buf + off);

		t->prdt[n] = (struct ahci_prd){ .dba = (uint32_t)a, .dbau = (uint32_t)(a >> 32),
						.dbc = len - 1 };
		off += len;
	}
	return n;
}

/* The FIS in device units: requests count 512-byte sectors, ATA logical sectors. */
static void fill_fis(struct ahci_cmd_table *t, const struct ahci_req *r, uint32_t spb)
{
	struct fis_reg_h2d *f = (struct fis_reg_h2d *)t->cfis;
	uint16_t count = (uint16_t)(r->count / spb);   /* 65536 wraps to 0, as ATA wants */
	bool lba = r->command != ATA_CMD_IDENTIFY;
	uint64_t block = r->lba / spb;

	memset(f, 0, sizeof(*f));
	f->type = FIS_TYPE_REG_H2D;
	f->flags = FIS_H2D_COMMAND;
	f->command = r->command;
	f->device = lba ? ATA_DEVICE_LBA : 0;
	f->lba0 = (uint8_t)block;
	f->lba1 = (uint8_t)(block >> 8);
	f->lba2 = (uint8_t)(block >> 16);
	f->lba3 = (uint8_t)(block >> 24);
	f->lba4 = (uint8_t)(block >> 32);
	f->lba5 = (uint8_t)(block >> 40);
	f->count = (uint8_t)count;
	f->count_exp = (uint8_t)(count >> 8);
}

/* Build slot s's header and table from d->req[s]; the CI bit is written at kick. */
static void build(struct ahci_disk *d, unsigned s)
{
	struct ahci_req *r = &d->req[s];
	struct ahci_cmd_table *t = &d->table[s];
	uint32_t bytes = r->command == ATA_CMD_IDENTIFY ? SECTOR : r->count * SECTOR;
	unsigned prds = r->buf ? fill_prdt(t, r->buf, bytes) : 0;
	uint64_t ct = (uintptr_t)t;

	fill_fis(t, r, d->spb);
	d->list[s] = (struct ahci_cmd_header){
		.flags = AHCI_HDR_CFL(sizeof(struct fis_reg_h2d) / 4) | AHCI_HDR_PRDTL(prds) |
			 (r->write ? AHCI_HDR_WRITE : 0),
		.ctba = (uint32_t)ct, .ctbau = (uint32_t)(ct >> 32) };
	r->seq = d->seq++;
	d->pending |= 1u << s;
}

static void kick(struct ahci_disk *d)
{
	if (!d->pending || d->dead)
		return;
	mb();          /* headers and tables visible before the HBA fetches them */
	px_write(d->px, PX_CI, d->pending);
	d->issued |= d->pending;
	d->pending = 0;
}

static int free_slot(const struct ahci_disk *d)
{
	for (unsigned s = 0; s < d->hba->slots; s++)
		if (d->req[s].kind == SLOT_FREE)
			return (int)s;
	return -1;
}

static unsigned count_bits(uint32_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void push_done(struct ahci_disk *d, uint64_t tag, enum blk_err e)
{
	unsigned i = (d->done_head + d->done_count) % AHCI_SLOTS_MAX;

	d->done[i] = (struct done_entry){ tag, e };
	d->done_count++;
}

/* Hand slot s's result to whoever waits for it and free the slot. */
static void finish(struct ahci_disk *d, unsigned s, enum blk_err e)
{
	struct ahci_req *r = &d->req[s];

	if (r->kind == SLOT_ASYNC)
		push_done(d, r->tag, e);
	else if (r->kind == SLOT_SYNC && (int)s == d->sync_slot) {
		d->sync_done = true;
		d->sync_status = e;
	}
	r->kind = SLOT_FREE;
	d->issued &= ~(1u << s);
	d->pending &= ~(1u << s);
}

static void fail_outstanding(struct ahci_disk *d, enum blk_err e)
{
	for (unsigned s = 0; s < d->hba->slots; s++)
		if (d->req[s].kind != SLOT_FREE)
			finish(d, s, e);
}

/* The port cannot be trusted any more: stop it so it can never DMA into buffers we
 * hand back, then fail everything outstanding. */
static void declare_dead(struct ahci_disk *d, const char *why)
{
	const char *stuck = port_stop(d->px);
	unsigned n = count_bits(d->issued | d->pending);

	/* A device that hangs on a command keeps it (and its DMA) alive across ST = 0:
	 * COMRESET aborts it (§6.2.2.2); the engines stay off afterwards. */
	port_comreset(d->px);

	kprintf("ahci: %s: %s; port %u stopped, %u request(s) failed\n", d->bd.name, why,
		d->port, n);
	if (stuck)
		kprintf("ahci: %s: the %s; its memory stays reserved\n", d->bd.name, stuck);
	d->dead = true;
	fail_outstanding(d, BLK_ETIMEDOUT);
}

/* Why a command failed, from PxIS and the task file (ACS-3 §6.3 error bits). */
static const char *decode_error(uint32_t is, uint32_t tfd, char *buf, size_t cap)
{
	uint8_t err = (uint8_t)PX_TFD_ERR(tfd);
	const char *what = !(is & PX_IS_TFES) ?
		(is & PX_IS_HBFS ? "host bus fatal error (PxIS.HBFS)" :
		 is & PX_IS_HBDS ? "host bus data error (PxIS.HBDS)" :
		 is & PX_IS_IFS ? "interface fatal error (PxIS.IFS)" : "HBA overflow (PxIS.OFS)") :
		err & ATA_ERR_UNC ? "uncorrectable media error (UNC)" :
		err & ATA_ERR_IDNF ? "sector not found (IDNF)" :
		err & ATA_ERR_ICRC ? "interface CRC error (ICRC)" :
		err & ATA_ERR_ABRT ? "command aborted by the device (ABRT)" :
		(tfd & ATA_STS_DF) ? "device fault (DF)" : "device reported an error";

	ksnprintf(buf, cap, "%s; ATA status 0x%02x error 0x%02x", what,
		  (unsigned)PX_TFD_STS(tfd), (unsigned)err);
	return buf;
}

/* Error recovery (§6.2.2.1): stop the engine, clear the errors, make the device idle
 * (COMRESET if needed), start again. False if the port cannot be restarted. */
static bool port_recover(struct ahci_disk *d)
{
	const char *why = port_stop(d->px);

	if (!why) {
		px_write(d->px, PX_SERR, 0xFFFFFFFF);
		px_write(d->px, PX_IS, 0xFFFFFFFF);
		port_rebase(d);
		why = port_start(d);
	}
	if (why) {
		declare_dead(d, why);
		return false;
	}
	return true;
}

/* Run slot s alone and wait for it; its status with the error decoded. */
static enum blk_err run_alone(struct ahci_disk *d, unsigned s)
{
	uint64_t deadline = timer_ms() + AHCI_TIMEOUT_MS, polls = 0;
	char why[96];

	d->pending = 0;
	d->issued = 0;
	build(d, s);
	kick(d);
	for (;;) {
		uint32_t ci = px_read(d->px, PX_CI), is = px_read(d->px, PX_IS);

		if (is & PX_IS_ERRORS) {
			report(d, req_name(&d->req[s]), d->req[s].lba,
			       decode_error(is, px_read(d->px, PX_TFD), why, sizeof(why)));
			return port_recover(d) ? BLK_EIO : BLK_ETIMEDOUT;
		}
		if (!(ci & (1u << s)))
			return BLK_OK;
		if (++polls >= AHCI_TIMEOUT_POLLS && timer_ms() > deadline)
			return BLK_ETIMEDOUT;
		cpu_relax();
	}
}

/* A command failed while others were in flight, and an HBA need not say which
 * (QEMU 7.2 even clears the failed slot's CI bit). Restart the port and run every
 * request not yet handed back once more, one at a time, in issue order: the failing
 * one fails again and is reported; the others (reads, writes of the same data,
 * flushes) are harmless to repeat. */
static void recover_and_replay(struct ahci_disk *d)
{
	if (!port_recover(d))
		return;
	for (;;) {
		int next = -1;
		enum blk_err e;

		for (unsigned s = 0; s < d->hba->slots; s++)
			if (d->req[s].kind != SLOT_FREE &&
			    (next < 0 || d->req[s].seq < d->req[next].seq))
				next = (int)s;
		if (next < 0 || d->dead)
			return;
		e = run_alone(d, (unsigned)next);
		if (e == BLK_ETIMEDOUT && !d->dead) {
			declare_dead(d, "no completion while replaying after an error");
			return;
		}
		finish(d, (unsigned)next, e);
	}
}

/* Take every finished slot off the port. CI is read before IS: QEMU clears a failed
 * slot's CI bit before it sets TFES, so a clear bit with no error after it is a
 * success. Returns how many requests finished. */
static unsigned reap(struct ahci_disk *d)
{
	uint32_t ci, is, finished;
	unsigned n = 0;

	if (!d->issued)
		return 0;
	ci = px_read(d->px, PX_CI);
	is = px_read(d->px, PX_IS);
	if (is & PX_IS_ERRORS) {
		unsigned before = count_bits(d->issued | d->pending);

		recover_and_replay(d);
		return before;
	}
	if (is)
		px_write(d->px, PX_IS, is);
	finished = d->issued & ~ci;
	for (unsigned s = 0; finished; s++, finished >>= 1)
		if (finished & 1) {
			finish(d, s, BLK_OK);
			n++;
		}
	return n;
}

/* Poll until cond(d) holds; progress restarts the clock. The timeout also needs a
 * minimum number of polls so a TSC calibration gone wrong cannot fake a dead port. */
static bool wait_for(struct ahci_disk *d, bool (*cond)(const struct ahci_disk *))
{
	uint64_t deadline = timer_ms() + AHCI_TIMEOUT_MS, polls = 0;

	while (!cond(d)) {
		if (d->dead)
			return false;
		if (reap(d)) {
			deadline = timer_ms() + AHCI_TIMEOUT_MS;
			polls = 0;
			continue;
		}
		if (++polls >= AHCI_TIMEOUT_POLLS && timer_ms() > deadline) {
			declare_dead(d, "no completion for 5000 ms");
			return false;
		}
		cpu_relax();
	}
	return true;
}

static bool sync_finished(const struct ahci_disk *d)
{
	return d->sync_done;
}

static bool have_done(const struct ahci_disk *d)
{
	return d->done_count > 0;
}

static bool slot_free(const struct ahci_disk *d)
{
	return free_slot(d) >= 0;
}

/* A free slot, waiting for one if all are busy; -1 if the port died meanwhile. */
static int take_slot(struct ahci_disk *d)
{
	if (!slot_free(d)) {
		kick(d);
		if (!wait_for(d, slot_free))
			return -1;
	}
	return free_slot(d);
}

static enum blk_err sync_command(struct ahci_disk *d, uint8_t command, uint64_t lba,
				 uint32_t count, void *buf, bool write)
{
	int s = take_slot(d);

	if (s < 0)
		return BLK_ETIMEDOUT;
	d->req[s] = (struct ahci_req){ .kind = SLOT_SYNC, .command = command, .write = write,
				       .lba = lba, .count = count, .buf = buf };
	d->sync_slot = s;
	d->sync_done = false;
	build(d, (unsigned)s);
	kick(d);
	if (!wait_for(d, sync_finished) && !d->sync_done)
		return BLK_ETIMEDOUT;
	return d->sync_status;
}

static enum blk_err check_request(struct ahci_disk *d, uint64_t sector, uint32_t count,
				  const void *buf)
{
	if (d->dead)
		return BLK_ETIMEDOUT;
	if (count == 0 || count > d->bd.max_sectors || ((uintptr_t)buf & 1))
		return BLK_EINVAL;       /* PRD addresses are word aligned (§4.2.3.3) */
	if (sector > d->bd.sectors || count > d->bd.sectors - sector)
		return BLK_ERANGE;
	if (!blockdev_aligned(&d->bd, sector, count))
		return BLK_EINVAL;       /* ATA addresses whole logical sectors */
	if (!(d->hba->cap & AHCI_CAP_S64A) && (uintptr_t)buf + (uint64_t)count * SECTOR > (1ull << 32))
		return BLK_EINVAL;       /* a 32-bit HBA cannot reach the buffer */
	return BLK_OK;
}

/* ---- struct blockdev ops ---- */

static enum blk_err ahci_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	struct ahci_disk *d = bd->priv;
	enum blk_err e = check_request(d, sector, count, buf);

	if (e == BLK_OK)
		e = sync_command(d, ATA_CMD_READ_DMA_EXT, sector, count, buf, false);
	return e;
}

static enum blk_err ahci_write(struct blockdev *bd, uint64_t sector, uint32_t count,
			       const void *buf)
{
	struct ahci_disk *d = bd->priv;
	enum blk_err e = check_request(d, sector, count, buf);

	if (e == BLK_OK)
		e = sync_command(d, ATA_CMD_WRITE_DMA_EXT, sector, count,
				 (void *)(uintptr_t)buf, true);
	return e;
}

static enum blk_err ahci_flush(struct blockdev *bd)
{
	struct ahci_disk *d = bd->priv;

	if (d->dead)
		return BLK_ETIMEDOUT;
	return sync_command(d, d->flush_ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE,
			    0, 0, NULL, false);
}

static enum blk_err ahci_submit_read(struct blockdev *bd, uint64_t sector, uint32_t count,
				     void *buf, uint64_t tag)
{
	struct ahci_disk *d = bd->priv;
	enum blk_err e = check_request(d, sector, count, buf);
	int s;

	if (e == BLK_OK && d->async_out >= d->hba->slots)
		e = BLK_ENOMEM;           /* the done ring holds one entry per slot */
	if (e != BLK_OK)
		return e;
	s = take_slot(d);
	if (s < 0)
		return BLK_ETIMEDOUT;
	d->req[s] = (struct ahci_req){ .kind = SLOT_ASYNC, .command = ATA_CMD_READ_DMA_EXT,
				       .lba = sector, .count = count, .buf = buf, .tag = tag };
	build(d, (unsigned)s);
	d->async_out++;
	return BLK_OK;
}

static void ahci_kick(struct blockdev *bd)
{
	kick(bd->priv);
}

static bool ahci_complete(struct blockdev *bd, uint64_t *tag, enum blk_err *status)
{
	struct ahci_disk *d = bd->priv;

	if (d->async_out == 0)
		return false;
	if (d->done_count == 0 && !d->dead) {
		kick(d);       /* a caller waiting on unissued requests would wait forever */
		wait_for(d, have_done);
	}
	if (d->done_count == 0)
		return false;
	*tag = d->done[d->done_head].tag;
	*status = d->done[d->done_head].status;
	d->done_head = (d->done_head + 1) % AHCI_SLOTS_MAX;
	d->done_count--;
	d->async_out--;
	return true;
}

static void quiesce_disk(struct ahci_disk *d)
{
	const char *stuck = port_stop(d->px);

	if (stuck)
		kprintf("ahci: %s: the %s before the hand-off\n", d->bd.name, stuck);
	d->dead = true;
	fail_outstanding(d, BLK_ETIMEDOUT);
}

static void ahci_quiesce(struct blockdev *bd)
{
	quiesce_disk(bd->priv);
}

static const struct blockdev_ops ahci_ops = {
	.read = ahci_read,
	.write = ahci_write,
	.flush = ahci_flush,
	.submit_read = ahci_submit_read,
	.kick = ahci_kick,
	.complete = ahci_complete,
	.quiesce = ahci_quiesce,
};

/* ---- bring-up ---- */

/* One allocation per port: command tables, then the command list (1 KiB aligned),
 * the received-FIS area (256 aligned) and the IDENTIFY buffer. */
static bool alloc_port_memory(struct ahci_disk *d)
{
	size_t tables = (size_t)d->hba->slots * sizeof(struct ahci_cmd_table);
	size_t list_off = (tables + AHCI_CMD_LIST_ALIGN - 1) & ~(size_t)(AHCI_CMD_LIST_ALIGN - 1);
	size_t rx_off = list_off + AHCI_SLOTS_MAX * sizeof(struct ahci_cmd_header);
	size_t id_off = rx_off + sizeof(struct ahci_rx_fis);
	uint8_t *p;

	d->mem_pages = (id_off + SECTOR + PAGE_SIZE - 1) / PAGE_SIZE;
	d->mem_phys = pmm_alloc_contig(d->mem_pages, 1);
	if (d->mem_phys == 0)
		return false;
	if (!(d->hba->cap & AHCI_CAP_S64A) &&
	    d->mem_phys + d->mem_pages * PAGE_SIZE > (1ull << 32)) {
		pmm_free_contig(d->mem_phys, d->mem_pages);
		return false;
	}
	p = (uint8_t *)(uintptr_t)d->mem_phys;      /* identity-mapped, zeroed */
	d->table = (struct ahci_cmd_table *)p;
	d->list = (struct ahci_cmd_header *)(p + list_off);
	d->rx = (struct ahci_rx_fis *)(p + rx_off);
	d->identify = (uint16_t *)(p + id_off);
	return true;
}

static uint64_t id_u64(const uint16_t *id, unsigned w)
{
	return id[w] | (uint64_t)id[w + 1] << 16 | (uint64_t)id[w + 2] << 32 |
	       (uint64_t)id[w + 3] << 48;
}

/* The model string: byte-swapped words, trailing spaces dropped. */
static void id_model(const uint16_t *id, char *out, size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; i < ID_MODEL_WORDS && n + 2 < cap; i++) {
		out[n++] = (char)(id[ID_WORD_MODEL + i] >> 8);
		out[n++] = (char)id[ID_WORD_MODEL + i];
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

/* Logical sector size in bytes (ACS-3 §7.12.7.46: word 106, words 117-118). */
static uint32_t id_sector_size(const uint16_t *id)
{
	uint16_t w = id[ID_WORD_SECTOR_SIZE];

	if ((w & 0xC000) != 0x4000 || !(w & (1u << 12)))
		return SECTOR;
	return (uint32_t)(id[ID_WORD_LOGICAL_SIZE] | (uint32_t)id[ID_WORD_LOGICAL_SIZE + 1] << 16) * 2;
}

/* IDENTIFY DEVICE: size, 48-bit addressing, sector size. */
static const char *identify(struct ahci_disk *d)
{
	const uint16_t *id = d->identify;
	enum blk_err e = sync_command(d, ATA_CMD_IDENTIFY, 0, 1, d->identify, false);
	uint32_t size;

	if (e != BLK_OK)
		return "IDENTIFY DEVICE failed";
	if (!(id[ID_WORD_CAP_LBA48] & ID_CAP_LBA48))
		return "the disk has no 48-bit addressing (READ DMA EXT); not supported";
	size = id_sector_size(id);
	if (size < SECTOR || size > BLOCKDEV_BLOCK_MAX || (size & (size - 1)))
		return "the disk's logical sector size is not a power of two from 512 to 4096 bytes";
	d->spb = size / SECTOR;
	d->bd.block_size = size;
	d->flush_ext = id[ID_WORD_CAP_LBA48] & ID_CAP_FLUSH_EXT;
	d->bd.sectors = id_u64(id, ID_WORD_LBA48_SECTORS) * d->spb;
	d->bd.max_sectors = MAX_SECTORS;
	d->bd.max_async = d->hba->slots;       /* ahci_submit_read() refuses more */
	return NULL;
}

static bool port_has_disk(uintptr_t px)
{
	return PX_SSTS_DET(px_read(px, PX_SSTS)) == PX_SSTS_DET_PHY;
}

/* Rebase and start port p; NULL when it has an ATA disk ready for commands. */
static const char *bring_up_port(struct ahci_disk *d)
{
	const char *why;

	port_rebase(d);
	if (!port_idle(d->px))
		return "the device stays busy (TFD BSY/DRQ) even after a COMRESET";
	/* The signature comes from the device's first D2H FIS, received once FRE is on. */
	if (px_read(d->px, PX_SIG) != PX_SIG_ATA)
		return "";
	why = port_start(d);
	if (!why)
		why = identify(d);
	return why;
}

static void describe(const struct ahci_disk *d)
{
	char model[ID_MODEL_WORDS * 2 + 1];
	const struct pci_dev *f = d->hba->pci;

	id_model(d->identify, model, sizeof(model));
	kprintf("ahci: %s: port %u of %02x:%02x.%x, %llu sectors (%llu MiB), %u-byte blocks, "
		"\"%s\", %u command slots, up to %u KiB per command%s\n", d->bd.name, d->port,
		f->bus, f->dev, f->fn, (unsigned long long)d->bd.sectors,
		(unsigned long long)(d->bd.sectors >> 11), d->bd.block_size, model, d->hba->slots,
		d->bd.max_sectors / 2, d->flush_ext ? ", flush ext" : "");
}

/* Take port p of h if it holds an ATA disk; returns the disk or NULL. */
static struct blockdev *attach_port(struct ahci_hba *h, unsigned p)
{
	struct ahci_disk *d = &ahci.disk[ahci.disk_count];
	const char *why;

	memset(d, 0, sizeof(*d));
	*d = (struct ahci_disk){ .hba = h, .port = p, .px = port_regs(h, p), .sync_slot = -1,
				 .spb = 1 };
	if (!alloc_port_memory(d)) {
		kprintf("ahci: port %u: no memory for the command list\n", p);
		return NULL;
	}
	ksnprintf(d->bd.name, sizeof(d->bd.name), "port%u", p);
	why = bring_up_port(d);
	if (why) {
		if (why[0])
			kprintf("ahci: %02x:%02x.%x port %u: %s; disk ignored\n", h->pci->bus,
				h->pci->dev, h->pci->fn, p, why);
		port_stop(d->px);
		pmm_free_contig(d->mem_phys, d->mem_pages);
		return NULL;
	}
	sdname_next(d->bd.name, sizeof(d->bd.name));
	d->bd.ops = &ahci_ops;
	d->bd.priv = d;
	ahci.disk_count++;
	describe(d);
	return &d->bd;
}

static unsigned ahci_attach(const struct pci_dev *f, struct blockdev **out, unsigned max)
{
	struct ahci_hba *h;
	const char *why;
	unsigned n = 0;
	uint32_t stuck;

	if (ahci.hba_count == AHCI_DISKS_MAX)
		return 0;
	h = &ahci.hba[ahci.hba_count];
	why = hba_init(h, f);
	if (why) {
		kprintf("ahci: %02x:%02x.%x: %s; controller ignored\n", f->bus, f->dev, f->fn, why);
		return 0;
	}
	ahci.hba_count++;
	stuck = stop_ports_for_attach(h);   /* engines the firmware left on */
	for (unsigned p = 0; p < AHCI_PORTS_MAX && n < max; p++) {
		if (!(h->pi & (1u << p)) || (stuck & (1u << p)) || !port_has_disk(port_regs(h, p)))
			continue;
		if (ahci.disk_count == AHCI_DISKS_MAX) {
			kprintf("ahci: more than %d disks, port %u ignored\n", AHCI_DISKS_MAX, p);
			break;
		}
		out[n] = attach_port(h, p);
		if (out[n])
			n++;
	}
	return n;
}

static void ahci_quiesce_all(void)
{
	for (unsigned i = 0; i < ahci.disk_count; i++)
		quiesce_disk(&ahci.disk[i]);
}

/* After virtio-blk (and NVMe); before virtio-scsi, so SATA disks get the first sd
 * names, as Linux's libata usually registers before virtio_scsi. */
static const struct disk_driver ahci_driver = {
	.name = "ahci",
	.order = 20,
	.match = ahci_match,
	.attach = ahci_attach,
	.quiesce_all = ahci_quiesce_all,
	.stop_firmware = ahci_stop_firmware,
};
DISK_DRIVER(ahci_driver);
