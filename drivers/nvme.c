/* NVMe driver: controller reset and enable (NVM Express Base 1.4 §7.6.1), Identify,
 * one polled I/O queue pair, namespaces as block devices, reads kept in flight by
 * command identifier, and the early stop of a controller the firmware left running. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "drivers/nvme.h"
#include "drivers/nvme_prp.h"
#include "drivers/nvme_regs.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/paging.h"
#include "kernel/pci.h"
#include "kernel/timer.h"
#include "lib/le.h"
#include "mm/pmm.h"

#define SECTOR        512u
#define LOW_4G        (1ull << 32)
#define REGS_BYTES    0x1000u     /* CAP … ACQ; the doorbells follow */
#define ERRORS_SHOWN  5
#define CID_SYNC      0           /* I/O CID of the one synchronous command */

enum cid_state { CID_FREE, CID_BUSY, CID_DONE };

struct nvme_queue {
	struct nvme_sqe *sq;              /* identity-mapped, zeroed at allocation */
	volatile struct nvme_cqe *cq;
	uint16_t id, depth;
	uint16_t sq_tail, sq_head;        /* head as the controller last reported it */
	uint16_t published;               /* sq_tail at the last doorbell write */
	uint16_t cq_head;
	uint8_t phase;                    /* the phase tag of a new entry */
};

struct nvme_cmd {                         /* one I/O command identifier */
	uint8_t state;                    /* enum cid_state */
	bool async;                       /* submit_read(): handed back by complete() */
	uint8_t opcode;
	uint16_t status;                  /* NVMe status field, phase bit cleared */
	enum blk_err err;
	struct nvme_ns *ns;
	uint64_t tag, sector;
	uint32_t count;
};

struct nvme_ctrl;

struct nvme_ns {
	struct blockdev bd;
	struct nvme_ctrl *c;
	uint32_t nsid;
	uint32_t shift;                   /* sectors → LBAs: log2(block bytes / 512) */
	uint32_t async_out;               /* submitted, not yet handed back */
};

struct nvme_ctrl {
	struct pci_dev pci;
	char where[8];                    /* "00:04.0" */
	char name[8];                     /* "nvme0" */
	uintptr_t regs;
	uint32_t db_stride;               /* bytes between doorbells */
	uint32_t ready_ms;                /* CAP.TO × 500 ms */
	bool vwc;                         /* volatile write cache: Flush means something */
	bool dead;                        /* timed out, failed or quiesced: refuse all */
	enum blk_err dead_err;            /* what a dead controller's disks answer */
	struct nvme_queue admin, io;
	struct nvme_cmd cmd[NVME_IO_DEPTH];
	uint16_t cids;                    /* I/O CIDs in use: io.depth − 1 */
	uint16_t admin_cid;
	uint8_t *ident;                   /* 4 KiB Identify buffer */
	uint64_t *prp;                    /* one PRP list page per I/O CID */
	uint32_t max_bytes;               /* per command: MDTS, NVME_MAX_XFER */
	unsigned errors;
	struct nvme_ns ns[NVME_NS_MAX];
	unsigned ns_count;
	uint64_t mem_phys, mem_pages;
};

static struct {
	struct nvme_ctrl ctrl[NVME_CTRL_MAX];
	unsigned count;
	struct nvme_ctrl early;           /* register access for nvme_stop_firmware() */
} nvme;

/* ---- registers ---------------------------------------------------------------- */

static uint32_t rd32(const struct nvme_ctrl *c, uint32_t off)
{
	return mmio_read32(c->regs + off);
}

static void wr32(const struct nvme_ctrl *c, uint32_t off, uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

/* 64-bit registers as two dword accesses, low first (§3.1: 8-byte registers may be
 * accessed as two 4-byte ones; Linux lo_hi_writeq()). */
static uint64_t rd64(const struct nvme_ctrl *c, uint32_t off)
{
	return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}

static void wr64(const struct nvme_ctrl *c, uint32_t off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

enum ready { READY_OK, READY_TIMEOUT, READY_CFS, READY_GONE };

/* Wait for CSTS.RDY to read `want` (§7.6.1). CFS ends the wait only when enabling:
 * a reset (EN = 0) is how a host recovers a fatal controller, so it must go on. */
static enum ready wait_ready(const struct nvme_ctrl *c, bool want, uint32_t ms)
{
	uint64_t deadline = timer_ms() + ms, polls = 0;

	for (;;) {
		uint32_t s = rd32(c, NVME_REG_CSTS);

		if (s == NVME_CSTS_GONE)
			return READY_GONE;
		if (want && (s & NVME_CSTS_CFS))
			return READY_CFS;
		if (!!(s & NVME_CSTS_RDY) == want)
			return READY_OK;
		if (++polls >= 1000 && timer_ms() > deadline)
			return READY_TIMEOUT;
		timer_delay_us(100);
	}
}

static const char *ready_str(enum ready r)
{
	switch (r) {
	case READY_OK:      return "ok";
	case READY_TIMEOUT: return "timed out";
	case READY_CFS:     return "controller fatal status (CSTS.CFS) set";
	case READY_GONE:    return "registers read all ones (device gone)";
	}
	return "?";
}

/* CC.EN = 0 and wait for RDY = 0: the controller stops every queue and forgets its
 * configuration, so it writes no memory afterwards (§7.6.1.1, Linux nvme_disable_ctrl). */
static enum ready disable(const struct nvme_ctrl *c, uint32_t ms)
{
	uint32_t cc = rd32(c, NVME_REG_CC);

	if (cc == NVME_CSTS_GONE)
		return READY_GONE;
	if (cc & (NVME_CC_EN | NVME_CC_SHN_MASK))
		wr32(c, NVME_REG_CC, cc & ~(NVME_CC_EN | NVME_CC_SHN_MASK));
	return wait_ready(c, false, ms);
}

/* A controller that would not go idle may still write memory: take its bus mastering
 * away, so nothing it does can reach RAM (PCI 3.0 §6.2.2: Bus Master Enable). */
static enum ready disable_or_cut(const struct nvme_ctrl *c)
{
	enum ready r = disable(c, c->ready_ms);

	if (r != READY_OK) {
		pci_write16(&c->pci, PCI_COMMAND,
			    pci_read16(&c->pci, PCI_COMMAND) & ~PCI_COMMAND_MASTER);
		kprintf("nvme: %s: controller did not go idle (%s); bus mastering turned off\n",
			c->name, ready_str(r));
	}
	return r;
}

static uint32_t cap_ready_ms(uint64_t cap)
{
	uint32_t to = NVME_CAP_TO(cap);

	return (to ? to : 1) * 500u;
}

static uintptr_t doorbell(const struct nvme_ctrl *c, uint16_t qid, bool cq)
{
	return c->regs + NVME_REG_DBS + (2u * qid + (cq ? 1u : 0u)) * c->db_stride;
}

/* ---- queues ------------------------------------------------------------------- */

static bool sq_full(const struct nvme_queue *q)
{
	return (uint16_t)((q->sq_tail + 1) % q->depth) == q->sq_head;
}

static void sq_push(struct nvme_queue *q, const struct nvme_sqe *e)
{
	q->sq[q->sq_tail] = *e;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
}

/* Tell the controller about every entry pushed since the last doorbell. */
static void sq_ring(const struct nvme_ctrl *c, struct nvme_queue *q)
{
	if (q->published == q->sq_tail)
		return;
	mb();                               /* entries visible before the doorbell */
	mmio_write32(doorbell(c, q->id, false), q->sq_tail);
	q->published = q->sq_tail;
}

/* Take the next new completion entry, if there is one (its phase tag matches). */
static bool cq_pop(struct nvme_queue *q, struct nvme_cqe *out)
{
	volatile struct nvme_cqe *e = &q->cq[q->cq_head];

	if (NVME_STATUS_PHASE(e->status) != q->phase)
		return false;
	rmb();
	out->result = e->result;
	out->sq_head = e->sq_head;
	out->sq_id = e->sq_id;
	out->cid = e->cid;
	out->status = e->status & 0xFFFE;
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	if (out->sq_head < q->depth)
		q->sq_head = out->sq_head;
	return true;
}

static void cq_ring(const struct nvme_ctrl *c, const struct nvme_queue *q)
{
	mmio_write32(doorbell(c, q->id, true), q->cq_head);
}

/* ---- status and errors -------------------------------------------------------- */

static const char *status_str(uint16_t st)
{
	uint32_t sct = NVME_STATUS_SCT(st), sc = NVME_STATUS_SC(st);

	if (sct == NVME_SCT_MEDIA) {
		switch (sc) {
		case 0x80: return "media error: write fault";
		case 0x81: return "media error: unrecovered read error";
		case 0x82: return "media error: end-to-end guard check error";
		case 0x85: return "media error: compare failure";
		case 0x86: return "media error: access denied";
		case 0x87: return "media error: deallocated or unwritten block";
		default:   return "media or data integrity error";
		}
	}
	if (sct == NVME_SCT_GENERIC) {
		switch (sc) {
		case 0x01: return "invalid command opcode";
		case 0x02: return "invalid field in command";
		case 0x04: return "data transfer error";
		case 0x06: return "internal error";
		case 0x07: return "command aborted by request";
		case 0x0B: return "invalid namespace or format";
		case 0x13: return "invalid PRP offset";
		case 0x80: return "LBA out of range";
		case 0x82: return "namespace not ready";
		default:   return "generic command error";
		}
	}
	return sct == NVME_SCT_CMD_SPECIFIC ? "command specific error" : "path or vendor error";
}

static enum blk_err status_err(uint16_t st)
{
	if (NVME_STATUS_SC(st) == 0 && NVME_STATUS_SCT(st) == 0)
		return BLK_OK;
	if (NVME_STATUS_SCT(st) == NVME_SCT_GENERIC && NVME_STATUS_SC(st) == 0x01)
		return BLK_EUNSUPP;
	if (NVME_STATUS_SCT(st) == NVME_SCT_GENERIC && NVME_STATUS_SC(st) == 0x80)
		return BLK_ERANGE;
	return BLK_EIO;
}

static const char *op_str(uint8_t op)
{
	return op == NVME_CMD_READ ? "read" : op == NVME_CMD_WRITE ? "write" : "flush";
}

/* One line per failed command, naming the disk, what, where and why. */
static void report(struct nvme_ctrl *c, const struct nvme_cmd *k)
{
	if (c->errors++ >= ERRORS_SHOWN) {
		if (c->errors == ERRORS_SHOWN + 1)
			kprintf("nvme: %s: further errors not shown\n", c->name);
		return;
	}
	if (k->err == BLK_ETIMEDOUT) {
		kprintf("nvme: %s: %s at sector %llu (%u sectors) failed: %s\n", k->ns->bd.name,
			op_str(k->opcode), (unsigned long long)k->sector, k->count,
			blk_strerror(k->err));
		return;
	}
	kprintf("nvme: %s: %s at sector %llu (%u sectors) failed: %s (status 0x%03x: SCT %u "
		"SC 0x%02x)\n", k->ns->bd.name, op_str(k->opcode), (unsigned long long)k->sector,
		k->count, status_str(k->status), k->status >> 1, NVME_STATUS_SCT(k->status),
		NVME_STATUS_SC(k->status));
}

/* ---- I/O commands ------------------------------------------------------------- */

/* Move every new I/O completion onto its command identifier. Returns how many. */
static unsigned io_reap(struct nvme_ctrl *c)
{
	struct nvme_cqe e;
	unsigned n = 0;

	while (cq_pop(&c->io, &e)) {
		struct nvme_cmd *k = e.cid < c->cids ? &c->cmd[e.cid] : NULL;

		n++;
		if (!k || k->state != CID_BUSY)
			continue;        /* not a command of ours: nothing to hand back */
		k->status = e.status;
		k->err = status_err(e.status);
		k->state = CID_DONE;
		if (k->err != BLK_OK)
			report(c, k);
	}
	if (n)
		cq_ring(c, &c->io);
	return n;
}

/* The controller stopped answering or failed: disable it so it can never again
 * write to buffers we hand back, then fail everything outstanding. */
static void declare_dead(struct nvme_ctrl *c, const char *why, enum blk_err err)
{
	unsigned failed = 0;
	enum ready r = disable_or_cut(c);

	for (uint16_t i = 0; i < c->cids; i++) {
		struct nvme_cmd *k = &c->cmd[i];

		if (k->state != CID_BUSY)
			continue;
		k->state = CID_DONE;
		k->err = err;
		k->status = 0;
		if (failed++ == 0 && k->ns)
			kprintf("nvme: %s: %s at sector %llu: %s\n", k->ns->bd.name,
				op_str(k->opcode), (unsigned long long)k->sector, why);
	}
	kprintf("nvme: %s: controller disabled (%s); %u command(s) failed\n", c->name,
		ready_str(r), failed);
	for (unsigned i = 0; i < c->ns_count; i++)
		kprintf("nvme: %s: refuses further requests: its controller %s failed (%s)\n",
			c->ns[i].bd.name, c->name, why);
	c->dead = true;
	c->dead_err = err;
}

/* Poll until cond holds; any completion restarts the clock. The timeout also needs
 * a minimum number of polls, so a TSC calibration gone wrong cannot fake it. */
static bool io_wait(struct nvme_ctrl *c, bool (*cond)(struct nvme_ctrl *, const void *),
		    const void *arg)
{
	uint64_t deadline = timer_ms() + NVME_CMD_TIMEOUT_MS, polls = 0;

	while (!cond(c, arg)) {
		uint32_t csts;

		if (c->dead)
			return false;
		if (io_reap(c)) {
			deadline = timer_ms() + NVME_CMD_TIMEOUT_MS;
			polls = 0;
			continue;
		}
		if ((++polls & 0xFFF) == 0) {
			csts = rd32(c, NVME_REG_CSTS);
			if (csts == NVME_CSTS_GONE || (csts & NVME_CSTS_CFS)) {
				declare_dead(c, csts & NVME_CSTS_CFS ?
					     "controller fatal status (CSTS.CFS)" :
					     "controller registers read all ones", BLK_EIO);
				return false;
			}
		}
		if (polls >= NVME_TIMEOUT_POLLS && timer_ms() > deadline) {
			declare_dead(c, "no completion within 5000 ms", BLK_ETIMEDOUT);
			return false;
		}
		cpu_relax();
	}
	return true;
}

static enum blk_err check_request(const struct nvme_ns *ns, uint64_t sector, uint32_t count,
				  const void *buf)
{
	if (ns->c->dead)
		return ns->c->dead_err;
	if (sector > ns->bd.sectors || count > ns->bd.sectors - sector)
		return BLK_ERANGE;
	if (count == 0 || count > ns->bd.max_sectors || !blockdev_aligned(&ns->bd, sector, count) ||
	    ((uintptr_t)buf & 3))
		return BLK_EINVAL;
	return BLK_OK;
}

/* Fill command identifier cid with a read or write and queue it (no doorbell). */
static enum blk_err queue_rw(struct nvme_ns *ns, uint16_t cid, uint8_t opcode, uint64_t sector,
			     uint32_t count, void *buf)
{
	struct nvme_ctrl *c = ns->c;
	struct nvme_cmd *k = &c->cmd[cid];
	uint64_t *list = c->prp + (size_t)cid * NVME_PRP_LIST_MAX;
	struct nvme_sqe e;
	struct nvme_prp p;

	if (!nvme_prp_build((uintptr_t)buf, count * SECTOR, list, (uintptr_t)list, &p))
		return BLK_EINVAL;
	memset(&e, 0, sizeof(e));
	e.opcode = opcode;
	e.cid = cid;
	e.nsid = ns->nsid;
	e.prp1 = p.prp1;
	e.prp2 = p.prp2;
	e.cdw10 = (uint32_t)(sector >> ns->shift);
	e.cdw11 = (uint32_t)((sector >> ns->shift) >> 32);
	e.cdw12 = (count >> ns->shift) - 1;          /* NLB is 0-based */
	*k = (struct nvme_cmd){ .state = CID_BUSY, .opcode = opcode, .ns = ns,
				.sector = sector, .count = count };
	sq_push(&c->io, &e);
	return BLK_OK;
}

static bool cid_done(struct nvme_ctrl *c, const void *arg)
{
	return c->cmd[*(const uint16_t *)arg].state == CID_DONE;
}

static bool sq_has_room(struct nvme_ctrl *c, const void *arg)
{
	(void)arg;
	return !sq_full(&c->io);
}

/* One command on CID_SYNC, waited for. */
static enum blk_err sync_cmd(struct nvme_ns *ns, uint8_t opcode, uint64_t sector,
			     uint32_t count, void *buf)
{
	struct nvme_ctrl *c = ns->c;
	static const uint16_t cid = CID_SYNC;
	struct nvme_cmd *k = &c->cmd[CID_SYNC];
	enum blk_err e;

	sq_ring(c, &c->io);                 /* never wait on commands the device was not told of */
	if (!io_wait(c, sq_has_room, NULL))
		return BLK_ETIMEDOUT;
	if (opcode == NVME_CMD_FLUSH) {
		struct nvme_sqe s = { .opcode = NVME_CMD_FLUSH, .cid = CID_SYNC, .nsid = ns->nsid };

		*k = (struct nvme_cmd){ .state = CID_BUSY, .opcode = opcode, .ns = ns };
		sq_push(&c->io, &s);
	} else if ((e = queue_rw(ns, CID_SYNC, opcode, sector, count, buf)) != BLK_OK) {
		return e;
	}
	sq_ring(c, &c->io);
	if (!io_wait(c, cid_done, &cid))
		return BLK_ETIMEDOUT;
	k->state = CID_FREE;
	return k->err;
}

static enum blk_err nvme_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct nvme_ns *ns = d->priv;
	enum blk_err e = check_request(ns, sector, count, buf);

	return e == BLK_OK ? sync_cmd(ns, NVME_CMD_READ, sector, count, buf) : e;
}

static enum blk_err nvme_write(struct blockdev *d, uint64_t sector, uint32_t count,
			       const void *buf)
{
	struct nvme_ns *ns = d->priv;
	enum blk_err e = check_request(ns, sector, count, buf);

	return e == BLK_OK ? sync_cmd(ns, NVME_CMD_WRITE, sector, count, (void *)(uintptr_t)buf) : e;
}

/* Without a volatile write cache every completed write is already durable (Identify
 * Controller VWC; Linux sends no Flush then either). */
static enum blk_err nvme_flush(struct blockdev *d)
{
	struct nvme_ns *ns = d->priv;

	if (ns->c->dead)
		return ns->c->dead_err;
	return ns->c->vwc ? sync_cmd(ns, NVME_CMD_FLUSH, 0, 0, NULL) : BLK_OK;
}

static enum blk_err nvme_submit_read(struct blockdev *d, uint64_t sector, uint32_t count,
				     void *buf, uint64_t tag)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_ctrl *c = ns->c;
	enum blk_err e = check_request(ns, sector, count, buf);
	uint16_t cid;

	if (e != BLK_OK)
		return e;
	for (cid = CID_SYNC + 1; cid < c->cids; cid++)
		if (c->cmd[cid].state == CID_FREE)
			break;
	if (cid == c->cids)
		return BLK_ENOMEM;           /* more than max_async outstanding */
	/* A free identifier means a free SQ slot: at most cids − 1 < depth − 1 entries
	 * are ever queued, and done ones were consumed (their CQE moved SQHD past them). */
	e = queue_rw(ns, cid, NVME_CMD_READ, sector, count, buf);
	if (e != BLK_OK)
		return e;
	c->cmd[cid].async = true;
	c->cmd[cid].tag = tag;
	ns->async_out++;
	return BLK_OK;
}

static void nvme_kick(struct blockdev *d)
{
	struct nvme_ns *ns = d->priv;

	if (!ns->c->dead)
		sq_ring(ns->c, &ns->c->io);
}

/* A finished asynchronous read of this namespace, or -1. */
static int done_of(const struct nvme_ctrl *c, const struct nvme_ns *ns)
{
	for (uint16_t i = CID_SYNC + 1; i < c->cids; i++)
		if (c->cmd[i].state == CID_DONE && c->cmd[i].async && c->cmd[i].ns == ns)
			return i;
	return -1;
}

static bool ns_has_done(struct nvme_ctrl *c, const void *arg)
{
	return done_of(c, arg) >= 0;
}

static bool nvme_complete(struct blockdev *d, uint64_t *tag, enum blk_err *status)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_ctrl *c = ns->c;
	int i;

	if (ns->async_out == 0)
		return false;
	if (done_of(c, ns) < 0 && !c->dead) {
		sq_ring(c, &c->io);      /* a caller waiting on unrung commands would wait forever */
		io_wait(c, ns_has_done, ns);
	}
	i = done_of(c, ns);
	if (i < 0)
		return false;            /* unreachable: a dead controller fails all it had */
	*tag = c->cmd[i].tag;
	*status = c->cmd[i].err;
	c->cmd[i].state = CID_FREE;
	c->cmd[i].async = false;
	ns->async_out--;
	return true;
}

/* Disable the controller before the hand-off (the image kernel's nvme driver resets
 * it on restore, Linux drivers/nvme/host/pci.c nvme_simple_resume). */
static void ctrl_quiesce(struct nvme_ctrl *c)
{
	enum ready r = disable_or_cut(c);

	if (!c->dead) {
		for (uint16_t i = 0; i < c->cids; i++)
			if (c->cmd[i].state == CID_BUSY) {
				c->cmd[i].state = CID_DONE;
				c->cmd[i].err = BLK_ETIMEDOUT;
			}
		c->dead_err = BLK_ETIMEDOUT;
	}
	c->dead = true;
	kprintf("nvme: %s: controller disabled for the hand-off (CC.EN=0, CSTS.RDY=0: %s)\n",
		c->name, ready_str(r));
}

static void nvme_quiesce(struct blockdev *d)
{
	struct nvme_ns *ns = d->priv;

	if (!ns->c->dead)
		ctrl_quiesce(ns->c);
}

static const struct blockdev_ops nvme_ops = {
	.read = nvme_read,
	.write = nvme_write,
	.flush = nvme_flush,
	.submit_read = nvme_submit_read,
	.kick = nvme_kick,
	.complete = nvme_complete,
	.quiesce = nvme_quiesce,
};

/* ---- admin commands ----------------------------------------------------------- */

/* One admin command, waited for with the controller's ready timeout. Returns the
 * NVMe status (0 = success) or 0xFFFF when no completion came. */
static uint16_t admin(struct nvme_ctrl *c, struct nvme_sqe *e, uint32_t *result)
{
	struct nvme_queue *q = &c->admin;
	uint64_t deadline, polls = 0;
	struct nvme_cqe r;

	e->cid = ++c->admin_cid;
	sq_push(q, e);
	sq_ring(c, q);
	deadline = timer_ms() + (c->ready_ms > NVME_CMD_TIMEOUT_MS ? c->ready_ms :
				 NVME_CMD_TIMEOUT_MS);
	for (;;) {
		if (cq_pop(q, &r)) {
			cq_ring(c, q);
			if (r.cid != e->cid)
				continue;            /* a stale entry: not this command's */
			if (result)
				*result = r.result;
			return r.status;
		}
		if (++polls >= 1000 && timer_ms() > deadline)
			return 0xFFFF;
		timer_delay_us(10);
	}
}

static uint16_t identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe e = { .opcode = NVME_ADMIN_IDENTIFY, .nsid = nsid,
			      .prp1 = (uintptr_t)c->ident, .cdw10 = cns };

	memset(c->ident, 0, NVME_PAGE);
	return admin(c, &e, NULL);
}

static const char *admin_failed(uint16_t st)
{
	return st == 0xFFFF ? "no completion (timed out)" : status_str(st);
}

/* ---- bring-up ----------------------------------------------------------------- */

/* Queue memory, the Identify buffer and the PRP lists: one zeroed allocation. */
static bool alloc_memory(struct nvme_ctrl *c)
{
	uint64_t asq = 1, acq = 1, id = 1;
	uint64_t iosq = ((uint64_t)c->io.depth * sizeof(struct nvme_sqe) + NVME_PAGE - 1) / NVME_PAGE;
	uint64_t iocq = ((uint64_t)c->io.depth * sizeof(struct nvme_cqe) + NVME_PAGE - 1) / NVME_PAGE;
	uint8_t *p;

	c->mem_pages = asq + acq + id + iosq + iocq + c->cids;
	c->mem_phys = pmm_alloc_contig(c->mem_pages, 1);
	if (!c->mem_phys)
		return false;
	p = (uint8_t *)(uintptr_t)c->mem_phys;
	c->admin.sq = (struct nvme_sqe *)p;
	p += asq * NVME_PAGE;
	c->admin.cq = (volatile struct nvme_cqe *)p;
	p += acq * NVME_PAGE;
	c->ident = p;
	p += id * NVME_PAGE;
	c->io.sq = (struct nvme_sqe *)p;
	p += iosq * NVME_PAGE;
	c->io.cq = (volatile struct nvme_cqe *)p;
	p += iocq * NVME_PAGE;
	c->prp = (uint64_t *)p;
	return true;
}

static void init_queue(struct nvme_queue *q, uint16_t id, uint16_t depth)
{
	q->id = id;
	q->depth = depth;
	q->sq_tail = q->sq_head = q->published = q->cq_head = 0;
	q->phase = 1;                       /* zeroed memory reads phase 0: old */
}

/* Map the registers, read CAP, reset the controller (§7.6.1 steps 1-2). */
static const char *reset_ctrl(struct nvme_ctrl *c, uint64_t *cap)
{
	struct pci_bar bar;
	enum ready r;

	if (!pci_bar_decode(&c->pci, 0, &bar) || bar.io || bar.addr == 0)
		return "BAR0 is not an assigned memory BAR";
	if (!paging_map_mmio(bar.addr, REGS_BYTES))
		return "cannot map the registers";
	c->regs = (uintptr_t)bar.addr;
	pci_enable(&c->pci, PCI_COMMAND_MEMORY);
	*cap = rd64(c, NVME_REG_CAP);
	if (*cap == ~0ull)
		return "registers read all ones (device gone)";
	c->ready_ms = cap_ready_ms(*cap);
	c->db_stride = 4u << NVME_CAP_DSTRD(*cap);
	if (!paging_map_mmio(bar.addr, NVME_REG_DBS + 4 * c->db_stride))
		return "cannot map the doorbells";
	if (!NVME_CAP_CSS_NVM(*cap))
		return "controller lacks the NVM command set";
	if (NVME_CAP_MPSMIN(*cap) != 0)
		return "controller does not take 4 KiB memory pages (CAP.MPSMIN)";
	wr32(c, NVME_REG_INTMS, 0xFFFFFFFFu);       /* polled: no interrupts */
	if (rd32(c, NVME_REG_CC) & NVME_CC_EN)       /* registers above 4 GiB: see below */
		kprintf("nvme: %s: controller found enabled (CC 0x%08x, admin SQ at 0x%llx); "
			"resetting it\n", c->name, rd32(c, NVME_REG_CC),
			(unsigned long long)rd64(c, NVME_REG_ASQ));
	r = disable(c, c->ready_ms);
	if (r != READY_OK) {
		kprintf("nvme: %s: reset (CC.EN=0) did not finish in %u ms: %s\n", c->name,
			c->ready_ms, ready_str(r));
		return "controller never became idle";
	}
	return NULL;
}

/* Admin queue, enable, wait for ready (§7.6.1 steps 3-5). aqa: the Admin Queue
 * Attributes written (only nvme_test_fatal() passes anything but the real sizes). */
static const char *enable_ctrl(struct nvme_ctrl *c, uint32_t aqa)
{
	enum ready r;

	init_queue(&c->admin, 0, NVME_ADMIN_DEPTH);
	wr32(c, NVME_REG_AQA, aqa);
	wr64(c, NVME_REG_ASQ, (uintptr_t)c->admin.sq);
	wr64(c, NVME_REG_ACQ, (uintptr_t)c->admin.cq);
	pci_enable(&c->pci, PCI_COMMAND_MASTER);
	wr32(c, NVME_REG_CC, NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS_4K | NVME_CC_AMS_RR |
	     NVME_CC_IOSQES | NVME_CC_IOCQES);
	r = wait_ready(c, true, c->ready_ms);
	if (r == READY_OK)
		return NULL;
	kprintf("nvme: %s: enable (CC.EN=1) failed after up to %u ms: %s\n", c->name,
		c->ready_ms, ready_str(r));
	return r == READY_CFS ? "controller fatal status while enabling" :
	       r == READY_TIMEOUT ? "controller never became ready" : ready_str(r);
}

/* Identify Controller: entry sizes, transfer limit, cache. */
static const char *identify_ctrl(struct nvme_ctrl *c, uint32_t *nn)
{
	uint16_t st = identify(c, NVME_ID_CNS_CTRL, 0);
	uint8_t *id = c->ident, mdts;
	char model[41];
	size_t n = 40;

	if (st) {
		kprintf("nvme: %s: Identify Controller failed: %s\n", c->name, admin_failed(st));
		return "Identify Controller failed";
	}
	if ((id[NVME_IDC_SQES] & 0xF) > 6 || (id[NVME_IDC_SQES] >> 4) < 6 ||
	    (id[NVME_IDC_CQES] & 0xF) > 4 || (id[NVME_IDC_CQES] >> 4) < 4)
		return "controller needs queue entries other than 64/16 bytes";
	mdts = id[NVME_IDC_MDTS];
	c->max_bytes = NVME_MAX_XFER;
	if (mdts && mdts < 20 && (NVME_PAGE << mdts) < c->max_bytes)
		c->max_bytes = NVME_PAGE << mdts;
	c->vwc = id[NVME_IDC_VWC] & 1;
	*nn = get_le32(id + NVME_IDC_NN);
	memcpy(model, id + NVME_IDC_MN, 40);
	while (n && (model[n - 1] == ' ' || model[n - 1] == '\0'))
		n--;
	model[n] = '\0';
	kprintf("nvme: %s: \"%s\" at %s (%04x:%04x), NVMe %u.%u, %u namespace(s), queue %u, "
		"up to %u KiB per command%s\n", c->name, model, c->where, c->pci.vendor,
		c->pci.device, rd32(c, NVME_REG_VS) >> 16, (rd32(c, NVME_REG_VS) >> 8) & 0xFF,
		*nn, c->io.depth, c->max_bytes / 1024, c->vwc ? ", volatile write cache" : "");
	return NULL;
}

/* Set Features (Number of Queues), then Create I/O CQ and SQ 1 (§5.3, §5.4). */
static const char *create_io_queues(struct nvme_ctrl *c)
{
	struct nvme_sqe e = { .opcode = NVME_ADMIN_SET_FEAT, .cdw10 = NVME_FEAT_NUM_QUEUES,
			      .cdw11 = 0 };
	uint16_t st = admin(c, &e, NULL);

	if (st)          /* Linux carries on with what the controller has: so do we */
		kprintf("nvme: %s: Set Features (Number of Queues) failed: %s\n", c->name,
			admin_failed(st));
	init_queue(&c->io, 1, c->io.depth);
	e = (struct nvme_sqe){ .opcode = NVME_ADMIN_CREATE_CQ, .prp1 = (uintptr_t)c->io.cq,
			       .cdw10 = (uint32_t)(c->io.depth - 1) << 16 | 1,
			       .cdw11 = NVME_QUEUE_PHYS_CONTIG };
	if ((st = admin(c, &e, NULL)) != 0) {
		kprintf("nvme: %s: Create I/O Completion Queue failed: %s\n", c->name,
			admin_failed(st));
		return "cannot create the I/O queues";
	}
	e = (struct nvme_sqe){ .opcode = NVME_ADMIN_CREATE_SQ, .prp1 = (uintptr_t)c->io.sq,
			       .cdw10 = (uint32_t)(c->io.depth - 1) << 16 | 1,
			       .cdw11 = 1u << 16 | NVME_QUEUE_PHYS_CONTIG };
	if ((st = admin(c, &e, NULL)) != 0) {
		kprintf("nvme: %s: Create I/O Submission Queue failed: %s\n", c->name,
			admin_failed(st));
		return "cannot create the I/O queues";
	}
	return NULL;
}

/* "nvme0" + instance 1 → "nvme0n1" (Linux nvme_alloc_ns: nvme%dn%d). */
static void ns_name(char *out, size_t cap, const char *ctrl, unsigned instance)
{
	char digits[12];
	size_t n = 0, len = strnlen(ctrl, cap - 1);

	do {
		digits[n++] = (char)('0' + instance % 10);
		instance /= 10;
	} while (instance && n < sizeof(digits));
	memcpy(out, ctrl, len);
	if (len < cap - 1)
		out[len++] = 'n';
	while (n && len < cap - 1)
		out[len++] = digits[--n];
	out[len] = '\0';
}

/* Identify Namespace nsid; make it a disk named with `instance` when thaw can read
 * it. Linux numbers namespaces in the order it scans the active list, from 1. */
static void add_namespace(struct nvme_ctrl *c, uint32_t nsid, unsigned instance)
{
	struct nvme_ns *ns = &c->ns[c->ns_count];
	uint16_t st = identify(c, NVME_ID_CNS_NS, nsid);
	const uint8_t *id = c->ident;
	uint32_t nlbaf = id[NVME_IDN_NLBAF], flbas = id[NVME_IDN_FLBAS], fmt, lbads, ms;
	uint64_t nsze = get_le64(id + NVME_IDN_NSZE);
	char name[16];

	ns_name(name, sizeof(name), c->name, instance);
	if (st) {
		kprintf("nvme: %s: Identify Namespace %u failed: %s; namespace ignored\n", name,
			nsid, admin_failed(st));
		return;
	}
	/* The format in use (Linux nvme_lbaf_index): bits 3:0, and 6:5 above 16 formats. */
	fmt = (flbas & 0xF) | (nlbaf + 1 > 16 ? (flbas & 0x60) >> 1 : 0);
	ms = get_le16(id + NVME_IDN_LBAF + 4 * fmt);
	lbads = id[NVME_IDN_LBAF + 4 * fmt + 2];
	if (nsze == 0) {
		kprintf("nvme: %s: namespace %u has size 0; ignored\n", name, nsid);
		return;
	}
	if (fmt > nlbaf || lbads < 9 || lbads > 12) {
		kprintf("nvme: %s: namespace %u: logical block of 2^%u bytes not supported "
			"(512-4096); ignored\n", name, nsid, lbads);
		return;
	}
	if (ms) {
		kprintf("nvme: %s: namespace %u: %u bytes of metadata per block not supported; "
			"ignored\n", name, nsid, ms);
		return;
	}
	if (nsze > (UINT64_MAX >> 3) >> (lbads - 9)) {
		kprintf("nvme: %s: namespace %u: size out of range; ignored\n", name, nsid);
		return;
	}
	memset(ns, 0, sizeof(*ns));
	memcpy(ns->bd.name, name, sizeof(ns->bd.name) - 1);
	ns->c = c;
	ns->nsid = nsid;
	ns->shift = lbads - 9;
	ns->bd.sectors = nsze << ns->shift;
	ns->bd.block_size = 1u << lbads;
	ns->bd.max_sectors = c->max_bytes / SECTOR;
	ns->bd.max_async = c->cids - 1u;
	ns->bd.ops = &nvme_ops;
	ns->bd.priv = ns;
	c->ns_count++;
	kprintf("nvme: %s: namespace %u, %llu sectors (%llu MiB), %u-byte logical blocks\n",
		name, nsid, (unsigned long long)ns->bd.sectors,
		(unsigned long long)(ns->bd.sectors >> 11), 1u << lbads);
}

/* Every active namespace, in NSID order (CNS 02h); NVMe 1.0 controllers without the
 * list get NSIDs 1…NN probed one by one (Linux nvme_scan_ns_sequential). */
static void scan_namespaces(struct nvme_ctrl *c, uint32_t nn)
{
	uint32_t list[NVME_NS_MAX * 4], count = 0;
	uint16_t st = identify(c, NVME_ID_CNS_NS_ACTIVE, 0);

	if (st == 0) {
		for (uint32_t i = 0; i < 1024 && count < sizeof(list) / sizeof(list[0]); i++) {
			uint32_t id = get_le32(c->ident + 4 * i);

			if (id == 0)
				break;
			list[count++] = id;
		}
	} else {
		for (uint32_t id = 1; id <= nn && count < sizeof(list) / sizeof(list[0]); id++)
			list[count++] = id;
	}
	for (uint32_t i = 0; i < count && c->ns_count < NVME_NS_MAX; i++)
		add_namespace(c, list[i], i + 1);
	if (count > NVME_NS_MAX && c->ns_count == NVME_NS_MAX)
		kprintf("nvme: %s: more than %u namespaces; the rest ignored\n", c->name,
			NVME_NS_MAX);
}

static const char *bring_up(struct nvme_ctrl *c)
{
	uint64_t cap;
	uint32_t nn;
	const char *why = reset_ctrl(c, &cap);

	if (why)
		return why;
	c->io.depth = NVME_IO_DEPTH;
	if (NVME_CAP_MQES(cap) + 1 < c->io.depth)
		c->io.depth = (uint16_t)(NVME_CAP_MQES(cap) + 1);
	if (c->io.depth < 4)
		return "controller queues too small (CAP.MQES)";
	c->cids = c->io.depth - 1;
	if (!alloc_memory(c))
		return "no memory for the queues";
	why = enable_ctrl(c, (NVME_ADMIN_DEPTH - 1) << 16 | (NVME_ADMIN_DEPTH - 1));
	if (!why)
		why = identify_ctrl(c, &nn);
	if (!why)
		why = create_io_queues(c);
	if (why) {
		/* Its queues' frames go back to the allocator only once it cannot write them. */
		if (disable_or_cut(c) == READY_OK)
			pmm_free_contig(c->mem_phys, c->mem_pages);
		return why;
	}
	scan_namespaces(c, nn);
	return NULL;
}

/* thaw.test=disk-nvme-fatal: make the controller serving d fail for real. It is reset
 * and re-enabled with Admin Queue sizes of one entry, which NVMe Base 1.4 §3.1.8
 * forbids (two at least): the controller answers with CSTS.CFS (QEMU nvme_start_ctrl
 * does) instead of RDY. The driver must report it, reset the controller and refuse
 * every later request at once. Returns what enabling said. */
const char *nvme_test_fatal(struct blockdev *d)
{
	struct nvme_ns *ns = d->ops == &nvme_ops ? d->priv : NULL;
	struct nvme_ctrl *c = ns ? ns->c : NULL;
	const char *why;

	if (!c || c->dead)
		return "not a working NVMe disk";
	disable(c, c->ready_ms);
	why = enable_ctrl(c, 0);
	if (!why)
		return "controller accepted an invalid admin queue size";
	declare_dead(c, why, BLK_EIO);
	return why;
}

/* ---- the disk driver ---------------------------------------------------------- */

static bool nvme_match(const struct pci_dev *f)
{
	return f->header_type == 0 && f->class_code == NVME_PCI_CLASS &&
	       f->subclass == NVME_PCI_SUBCLASS && f->prog_if == NVME_PCI_PROGIF;
}

static void pci_where(char *out, const struct pci_dev *f)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = hex[f->bus >> 4];
	out[1] = hex[f->bus & 15];
	out[2] = ':';
	out[3] = hex[f->dev >> 4];
	out[4] = hex[f->dev & 15];
	out[5] = '.';
	out[6] = hex[f->fn & 7];
	out[7] = '\0';
}

static unsigned nvme_attach(const struct pci_dev *f, struct blockdev **out, unsigned max)
{
	struct nvme_ctrl *c;
	const char *why;
	unsigned n = 0;

	if (nvme.count == NVME_CTRL_MAX) {
		kprintf("nvme: %02x:%02x.%x: more than %d controllers, ignored\n", f->bus, f->dev,
			f->fn, NVME_CTRL_MAX);
		return 0;
	}
	c = &nvme.ctrl[nvme.count];
	memset(c, 0, sizeof(*c));
	c->pci = *f;
	pci_where(c->where, f);
	memcpy(c->name, "nvme", 4);
	c->name[4] = (char)('0' + nvme.count);
	why = bring_up(c);
	if (why) {
		kprintf("nvme: %s at %s: %s; its disks are not used\n", c->name, c->where, why);
		return 0;
	}
	nvme.count++;
	for (unsigned i = 0; i < c->ns_count && n < max; i++)
		out[n++] = &c->ns[i].bd;
	return n;
}

static void nvme_quiesce_all(void)
{
	for (unsigned i = 0; i < nvme.count; i++)
		if (!nvme.ctrl[i].dead)
			ctrl_quiesce(&nvme.ctrl[i]);
}

/* Before the frame allocator exists: take bus mastering away (no DMA whatever the
 * controller's state), then, where the registers are reachable through the boot
 * identity map (below 4 GiB), disable a controller the firmware left enabled. One
 * above 4 GiB (OVMF) cannot be mapped without allocating page tables; it stays
 * enabled but unable to reach memory until nvme_attach() maps and resets it. */
static void nvme_stop_firmware(const struct pci_dev *f)
{
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	struct nvme_ctrl *c = &nvme.early;
	struct pci_bar bar;
	uint32_t cc, csts;
	enum ready r;

	memset(c, 0, sizeof(*c));
	pci_where(c->where, f);
	if (cmd & PCI_COMMAND_MASTER)
		pci_write16(f, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
	if (!(cmd & PCI_COMMAND_MEMORY) || !pci_bar_decode(f, 0, &bar) || bar.io || !bar.addr)
		return;
	if (bar.addr >= LOW_4G || bar.addr + NVME_REG_DBS > LOW_4G) {
		kprintf("nvme: %s: registers at 0x%llx (above 4 GiB): bus mastering turned off "
			"until the driver resets the controller\n", c->where,
			(unsigned long long)bar.addr);
		return;
	}
	c->regs = (uintptr_t)bar.addr;
	cc = rd32(c, NVME_REG_CC);
	csts = rd32(c, NVME_REG_CSTS);
	if (cc == NVME_CSTS_GONE || (!(cc & NVME_CC_EN) && !(csts & NVME_CSTS_RDY)))
		return;
	kprintf("nvme: %s: firmware left the controller enabled (CC 0x%08x, CSTS 0x%x, admin "
		"SQ at 0x%llx); disabling it\n", c->where, cc, csts,
		(unsigned long long)rd64(c, NVME_REG_ASQ));
	r = disable(c, cap_ready_ms(rd64(c, NVME_REG_CAP)));
	if (r != READY_OK)
		kprintf("nvme: %s: disabling failed: %s; bus mastering stays off\n", c->where,
			ready_str(r));
}

static const struct disk_driver nvme_driver = {
	.name = "NVMe",
	.order = NVME_ORDER,
	.match = nvme_match,
	.attach = nvme_attach,
	.quiesce_all = nvme_quiesce_all,
	.stop_firmware = nvme_stop_firmware,
};
DISK_DRIVER(nvme_driver);
