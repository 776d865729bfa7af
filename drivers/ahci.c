/* AHCI SATA disks: every port of an HBA (drivers/ahci_hba.c) with an ATA device, IDENTIFY,
 * READ/WRITE DMA EXT and FLUSH CACHE EXT from up to 32 command slots, completion by
 * polling PxCI, error recovery by replay (AHCI 1.3.1 §5, §6.2.2). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "block/sdname.h"
#include "drivers/ahci.h"
#include "drivers/ahci_cmd.h"
#include "drivers/ahci_hba.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/io.h"
#include "kernel/timer.h"
#include "mm/pmm.h"

#define MAX_SECTORS     16384u     /* 8 MiB per command: two PRDs of 4 MiB, or three */
#define ERRORS_SHOWN    5
#define MMIO_POLL_NS    20000      /* PxCI/PxIS at least this often while waiting */

enum { SLOT_FREE, SLOT_SYNC, SLOT_ASYNC };

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
	uint32_t bytes;            /* the transfer, as PRDBC reads once it is done */
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
	uint16_t *identify;                /* 256 words, DMA target */
	struct ata_identity id;
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

/* ---- commands ---- */

static void report(struct ahci_disk *d, const char *what, uint64_t lba, const char *why)
{
	if (d->errors++ < ERRORS_SHOWN)
		kprintf("ahci: %s: %s at sector %llu failed: %s\n", d->bd.name, what,
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

/* Build slot s's header and table from d->req[s]; the CI bit is written at kick. */
static void build(struct ahci_disk *d, unsigned s)
{
	struct ahci_req *r = &d->req[s];
	struct ahci_cmd_table *t = &d->table[s];
	uint32_t bytes = !r->buf ? 0 : r->command == ATA_CMD_IDENTIFY ? BLOCK_SECTOR_SIZE : r->count * BLOCK_SECTOR_SIZE;
	unsigned prds = r->buf ? ahci_fill_prdt(t->prdt, AHCI_PRDS, (uintptr_t)r->buf, bytes) : 0;
	uint64_t ct = (uintptr_t)t;

	/* Requests count 512-byte sectors; the FIS counts logical sectors. */
	ahci_fill_h2d((struct fis_reg_h2d *)t->cfis, r->command, r->lba / d->spb,
		      r->count / d->spb, r->command != ATA_CMD_IDENTIFY);
	d->list[s] = (struct ahci_cmd_header){
		.flags = AHCI_HDR_CFL(sizeof(struct fis_reg_h2d) / 4) | AHCI_HDR_PRDTL(prds) |
			 (r->write ? AHCI_HDR_WRITE : 0),
		.ctba = (uint32_t)ct, .ctbau = (uint32_t)(ct >> 32) };
	r->seq = d->seq++;
	r->bytes = bytes;
	d->pending |= 1u << s;
}

static void kick(struct ahci_disk *d)
{
	if (!d->pending || d->dead)
		return;
	mb();          /* headers and tables visible before the HBA fetches them */
	ahci_px_write(d->px, PX_CI, d->pending);
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
	const char *stuck = ahci_port_stop(d->px);
	unsigned n = count_bits(d->issued | d->pending);

	/* A device that hangs on a command keeps it (and its DMA) alive across ST = 0:
	 * COMRESET aborts it (§6.2.2.2); the engines stay off afterwards. */
	ahci_port_comreset(d->px);

	kprintf("ahci: %s: %s; port %u stopped, %u request(s) failed\n", d->bd.name, why,
		d->port, n);
	if (stuck) {
		kprintf("ahci: %s: the %s; bus mastering turned off for the whole controller\n",
			d->bd.name, stuck);
		ahci_hba_bus_master_off(d->hba);
	}
	d->dead = true;
	fail_outstanding(d, BLK_ETIMEDOUT);
}

/* Error recovery (§6.2.2.1): stop the engine, clear the errors, make the device idle
 * (COMRESET if needed), start again. False if the port cannot be restarted. */
static bool port_recover(struct ahci_disk *d)
{
	const char *why = ahci_port_stop(d->px);

	if (!why) {
		ahci_px_write(d->px, PX_SERR, 0xFFFFFFFF);
		ahci_px_write(d->px, PX_IS, 0xFFFFFFFF);
		ahci_port_rebase(d->hba, d->px, (uintptr_t)d->list, (uintptr_t)d->rx);
		why = ahci_port_start(d->px);
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
		uint32_t ci = ahci_px_read(d->px, PX_CI), is = ahci_px_read(d->px, PX_IS);

		if (is & PX_IS_ERRORS) {
			report(d, req_name(&d->req[s]), d->req[s].lba,
			       (ahci_describe_error(is, ahci_px_read(d->px, PX_TFD), why, sizeof(why)), why));
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
	ci = ahci_px_read(d->px, PX_CI);
	is = ahci_px_read(d->px, PX_IS);
	if (is & PX_IS_ERRORS) {
		unsigned before = count_bits(d->issued | d->pending);

		recover_and_replay(d);
		return before;
	}
	if (is)
		ahci_px_write(d->px, PX_IS, is);
	finished = d->issued & ~ci;
	for (unsigned s = 0; finished; s++, finished >>= 1)
		if (finished & 1) {
			finish(d, s, BLK_OK);
			n++;
		}
	return n;
}

/* A hint, from memory, that a command may have finished: the HBA has written its
 * whole byte count to PRDBC (§4.2.2: updated as data moves). Reading memory instead
 * of PxCI keeps the poll loop off the MMIO path (under QEMU every register read takes
 * its global lock, which the emulated disk needs to finish the command). */
static bool completion_hint(const struct ahci_disk *d)
{
	for (uint32_t m = d->issued; m; m &= m - 1) {
		unsigned s = (unsigned)__builtin_ctz(m);

		if (((volatile const struct ahci_cmd_header *)&d->list[s])->prdbc == d->req[s].bytes)
			return true;
	}
	return false;
}

/* Poll until cond(d) holds: PxCI/PxIS when a PRDBC says a command is done and at
 * least every MMIO_POLL_NS otherwise (errors and commands without data). Progress
 * restarts the clock; the timeout also needs a minimum number of polls so a TSC
 * calibration gone wrong cannot fake a dead port. */
static bool wait_for(struct ahci_disk *d, bool (*cond)(const struct ahci_disk *))
{
	uint64_t deadline = timer_ms() + AHCI_TIMEOUT_MS, polls = 0, next_mmio = 0;

	while (!cond(d)) {
		uint64_t now = timer_ns();

		if (d->dead)
			return false;
		if (completion_hint(d) || now >= next_mmio) {
			next_mmio = now + MMIO_POLL_NS;
			polls++;
			if (reap(d)) {
				deadline = timer_ms() + AHCI_TIMEOUT_MS;
				polls = 0;
				continue;
			}
		}
		if (polls >= AHCI_TIMEOUT_POLLS && timer_ms() > deadline) {
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
	if (!(d->hba->cap & AHCI_CAP_S64A) && (uintptr_t)buf + (uint64_t)count * BLOCK_SECTOR_SIZE > (1ull << 32))
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
	const char *stuck = ahci_port_stop(d->px);

	if (stuck) {
		kprintf("ahci: %s: the %s before the hand-off; bus mastering turned off\n",
			d->bd.name, stuck);
		ahci_hba_bus_master_off(d->hba);
	}
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

	d->mem_pages = (id_off + BLOCK_SECTOR_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
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

/* IDENTIFY DEVICE: size, 48-bit addressing, sector size. */
static const char *identify(struct ahci_disk *d)
{
	struct ata_identity *id = &d->id;
	enum blk_err e = sync_command(d, ATA_CMD_IDENTIFY, 0, 1, d->identify, false);

	if (e != BLK_OK)
		return "IDENTIFY DEVICE failed";
	ata_identify_parse(d->identify, id);
	if (!id->lba48)
		return "the disk has no 48-bit addressing (READ DMA EXT); not supported";
	if (id->sector_size < BLOCK_SECTOR_SIZE || id->sector_size > BLOCKDEV_BLOCK_MAX ||
	    (id->sector_size & (id->sector_size - 1)))
		return "the disk's logical sector size is not a power of two from 512 to 4096 bytes";
	d->spb = id->sector_size / BLOCK_SECTOR_SIZE;
	d->bd.block_size = id->sector_size;
	d->flush_ext = id->flush_ext;
	d->bd.sectors = id->sectors * d->spb;
	d->bd.max_sectors = MAX_SECTORS;
	d->bd.max_async = d->hba->slots;       /* ahci_submit_read() refuses more */
	return NULL;
}

static bool port_has_disk(uintptr_t px)
{
	return PX_SSTS_DET(ahci_px_read(px, PX_SSTS)) == PX_SSTS_DET_PHY;
}

/* Worth a bring-up: a link is up, or the HBA spins devices up one by one (CAP.SSS)
 * and this port was never spun up, so its link cannot be up yet (§10.10.1). */
static bool port_may_have_disk(const struct ahci_hba *h, uintptr_t px)
{
	return port_has_disk(px) ||
	       ((h->cap & AHCI_CAP_SSS) && !(ahci_px_read(px, PX_CMD) & PX_CMD_SUD));
}

/* Rebase and start port p; NULL when it has an ATA disk ready for commands. */
static const char *bring_up_port(struct ahci_disk *d)
{
	const char *why;

	ahci_port_rebase(d->hba, d->px, (uintptr_t)d->list, (uintptr_t)d->rx);
	if (!port_has_disk(d->px))
		return "";                 /* spun up, and nothing there */
	if (!ahci_port_idle(d->px))
		return "the device stays busy (TFD BSY/DRQ) even after a COMRESET";
	/* The signature comes from the device's first D2H FIS, received once FRE is on. */
	if (ahci_px_read(d->px, PX_SIG) != PX_SIG_ATA)
		return "";
	why = ahci_port_start(d->px);
	if (!why)
		why = identify(d);
	return why;
}

static void describe(const struct ahci_disk *d)
{
	const struct pci_dev *f = d->hba->pci;
	kprintf("ahci: %s: port %u of %02x:%02x.%x, %llu sectors (%llu MiB), %u-byte blocks, "
		"\"%s\", %u command slots, up to %u KiB per command%s\n", d->bd.name, d->port,
		f->bus, f->dev, f->fn, (unsigned long long)d->bd.sectors,
		(unsigned long long)(d->bd.sectors >> 11), d->bd.block_size, d->id.model, d->hba->slots,
		d->bd.max_sectors / 2, d->flush_ext ? ", flush ext" : "");
}

/* Take port p of h if it holds an ATA disk; returns the disk or NULL. */
static struct blockdev *attach_port(struct ahci_hba *h, unsigned p)
{
	struct ahci_disk *d = &ahci.disk[ahci.disk_count];
	const char *why;

	memset(d, 0, sizeof(*d));
	*d = (struct ahci_disk){ .hba = h, .port = p, .px = ahci_port_regs(h, p), .sync_slot = -1,
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
		ahci_port_stop(d->px);
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

	if (ahci.hba_count == AHCI_DISKS_MAX)
		return 0;
	h = &ahci.hba[ahci.hba_count];
	why = ahci_hba_init(h, f);
	if (why) {
		kprintf("ahci: %02x:%02x.%x: %s; controller ignored\n", f->bus, f->dev, f->fn, why);
		return 0;
	}
	ahci.hba_count++;
	if (!ahci_stop_ports_for_attach(h))     /* engines the firmware left on */
		return 0;
	for (unsigned p = 0; p < AHCI_PORTS_MAX && n < max; p++) {
		if (!(h->pi & (1u << p)) || !port_may_have_disk(h, ahci_port_regs(h, p)))
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

/* Before the jump: every disk's port stopped, and a check that no port of any HBA
 * runs (the image kernel's libata starts them again). */
static void ahci_quiesce_all(void)
{
	for (unsigned i = 0; i < ahci.disk_count; i++)
		quiesce_disk(&ahci.disk[i]);
	for (unsigned i = 0; i < ahci.hba_count; i++) {
		const struct ahci_hba *h = &ahci.hba[i];
		uint32_t running = ahci_running_ports(h);

		if (running)
			kprintf("ahci: %02x:%02x.%x: ports 0x%x still run at the hand-off\n",
				h->pci->bus, h->pci->dev, h->pci->fn, running);
		else
			kprintf("ahci: %02x:%02x.%x: every port stopped for the hand-off\n",
				h->pci->bus, h->pci->dev, h->pci->fn);
	}
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
