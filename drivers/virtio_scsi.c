/* virtio-scsi driver: device init (§3.1.1), the first request queue (§5.6.6), a LUN
 * scan by REPORT LUNS / INQUIRY / READ CAPACITY(16), and READ(16) / WRITE(16) /
 * SYNCHRONIZE CACHE as request → data → response chains, polled. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "block/scsi.h"
#include "block/sdname.h"
#include "drivers/virtio_pci.h"
#include "drivers/virtio_scsi.h"
#include "drivers/virtqueue.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/io.h"
#include "kernel/timer.h"
#include "mm/pmm.h"

#define QUEUE_WANT      256u       /* entries asked of modern devices */
#define SEG_BYTES       (4u << 20) /* bytes per data descriptor */
#define MAX_SECTORS     16384u     /* 8 MiB per request */
#define MAX_SEGS        4u         /* data descriptors per request we build */
#define SCAN_LUNS       64         /* LUNs per target taken from REPORT LUNS */
#define SCRATCH_BYTES   4096u      /* INQUIRY, READ CAPACITY and REPORT LUNS data */
#define RETRIES         4          /* UNIT ATTENTION, BUSY, becoming ready */
#define ERRORS_SHOWN    5

enum { KIND_NONE, KIND_SYNC, KIND_ASYNC };

/* Per head descriptor: what the chain is, so its completion finds its owner. */
struct vscsi_slot {
	uint64_t tag;
	uint64_t lba;
	uint32_t count;
	uint8_t kind;
	uint8_t disk;              /* index in vscsi.disk[] */
	uint8_t pad[2];
};

struct vscsi_result {
	uint8_t response, status;
	uint32_t residual;
	struct scsi_sense sense;
};

struct done_entry {
	uint64_t tag;
	enum blk_err status;
};

struct vscsi_host {
	const struct pci_dev *pci;
	struct virtio_pci vp;
	struct virtq vq;
	uint64_t features;
	struct virtio_scsi_req *req;        /* [queue size], by head */
	struct virtio_scsi_resp *resp;      /* [queue size] */
	struct vscsi_slot *slot;            /* [queue size] */
	uint8_t *scratch;
	uint32_t seg_limit, max_sectors;
	uint16_t max_target, sync_head;
	bool sync_done, dead;
	struct vscsi_result sync_result;
	uint32_t in_flight;
	uint64_t seq;
	uint64_t mem_phys, mem_pages;
};

struct vscsi_disk {
	struct blockdev bd;
	struct vscsi_host *h;
	uint16_t target, lun;
	uint32_t spb;                      /* 512-byte sectors per logical block */
	struct done_entry done[VIRTIO_SCSI_ASYNC_MAX];
	unsigned done_head, done_count, async_out;
	unsigned errors;
};

static struct {
	struct vscsi_host host[VIRTIO_SCSI_MAX];
	unsigned host_count;
	struct vscsi_disk disk[VIRTIO_SCSI_DISKS_MAX];
	unsigned disk_count;
} vscsi;

static const char *response_name(uint8_t r)
{
	static const char *const names[] = {
		"OK", "OVERRUN", "ABORTED", "BAD_TARGET", "RESET", "BUSY",
		"TRANSPORT_FAILURE", "TARGET_FAILURE", "NEXUS_FAILURE", "FAILURE",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

/* What went wrong with a finished request, for messages. */
static void describe(const struct vscsi_result *r, char *buf, size_t cap)
{
	char sense[96];

	if (r->response != VIRTIO_SCSI_S_OK) {
		ksnprintf(buf, cap, "virtio-scsi response %s (%u)", response_name(r->response),
			  r->response);
	} else if (r->status == SCSI_STATUS_CHECK_CONDITION) {
		scsi_sense_describe(&r->sense, sense, sizeof(sense));
		ksnprintf(buf, cap, "CHECK CONDITION, %s", sense);
	} else if (r->status != SCSI_STATUS_GOOD) {
		ksnprintf(buf, cap, "SCSI status 0x%02x%s", r->status,
			  r->status == SCSI_STATUS_BUSY ? " (BUSY)" : "");
	} else {
		ksnprintf(buf, cap, "short transfer, %u bytes missing", r->residual);
	}
}

static enum blk_err classify(const struct vscsi_result *r)
{
	if (r->response != VIRTIO_SCSI_S_OK || r->status != SCSI_STATUS_GOOD)
		return r->response == VIRTIO_SCSI_S_OK && r->sense.valid &&
		       r->sense.key == SCSI_KEY_DATA_PROTECT ? BLK_EUNSUPP : BLK_EIO;
	return r->residual ? BLK_EIO : BLK_OK;
}

/* Worth another try: the LUN was reset, is busy or is still becoming ready. */
static bool transient(const struct vscsi_result *r)
{
	if (r->response == VIRTIO_SCSI_S_BUSY || r->response == VIRTIO_SCSI_S_RESET)
		return true;
	if (r->response != VIRTIO_SCSI_S_OK)
		return false;
	if (r->status == SCSI_STATUS_BUSY || r->status == SCSI_STATUS_TASK_SET_FULL)
		return true;
	return r->status == SCSI_STATUS_CHECK_CONDITION && r->sense.valid &&
	       (r->sense.key == SCSI_KEY_UNIT_ATTENTION ||
		(r->sense.key == SCSI_KEY_NOT_READY && r->sense.asc == 0x04 && r->sense.ascq == 0x01));
}

static void report(struct vscsi_disk *d, const char *what, uint64_t sector,
		   const struct vscsi_result *r)
{
	char why[160];

	if (d->errors++ >= ERRORS_SHOWN) {
		if (d->errors == ERRORS_SHOWN + 1)
			kprintf("virtio-scsi: %s: further errors not shown\n", d->bd.name);
		return;
	}
	describe(r, why, sizeof(why));
	kprintf("virtio-scsi: %s: %s at sector %llu failed: %s\n", d->bd.name, what,
		(unsigned long long)sector, why);
}

static struct vscsi_result read_result(const struct vscsi_host *h, uint16_t head)
{
	const volatile struct virtio_scsi_resp *p = &h->resp[head];
	struct vscsi_result r = { .response = p->response, .status = p->status,
				  .residual = p->residual };
	uint32_t len = p->sense_len;

	if (len > VIRTIO_SCSI_SENSE_SIZE)
		len = VIRTIO_SCSI_SENSE_SIZE;
	if (r.status == SCSI_STATUS_CHECK_CONDITION)
		r.sense = scsi_sense_parse((const uint8_t *)h->resp[head].sense, len);
	return r;
}

static void push_done(struct vscsi_disk *d, uint64_t tag, enum blk_err e)
{
	unsigned i = (d->done_head + d->done_count) % VIRTIO_SCSI_ASYNC_MAX;

	d->done[i] = (struct done_entry){ tag, e };
	d->done_count++;
}

static void finish(struct vscsi_host *h, uint16_t head, const struct vscsi_result *r)
{
	struct vscsi_slot *s = &h->slot[head];

	if (s->kind == KIND_ASYNC) {
		struct vscsi_disk *d = &vscsi.disk[s->disk];
		enum blk_err e = classify(r);

		if (e != BLK_OK)
			report(d, "read", s->lba, r);
		push_done(d, s->tag, e);
	} else if (s->kind == KIND_SYNC && head == h->sync_head) {
		h->sync_result = *r;
		h->sync_done = true;
	}
	s->kind = KIND_NONE;
}

/* Move every finished chain off the used ring. Returns how many. */
static unsigned reap(struct vscsi_host *h)
{
	uint16_t head;
	uint32_t len;
	unsigned n = 0;

	while (virtq_pop_used(&h->vq, &head, &len)) {
		struct vscsi_result r;

		n++;
		if (head == VIRTQ_BAD_HEAD)
			continue;
		r = read_result(h, head);
		h->in_flight--;
		finish(h, head, &r);
	}
	return n;
}

/* Fail everything outstanding; the device is reset, so none of those buffers can
 * be written any more (§4.1.4.3.2). */
static void fail_outstanding(struct vscsi_host *h)
{
	struct vscsi_result dead = { .response = VIRTIO_SCSI_S_FAILURE };

	for (uint16_t i = 0; i < h->vq.size; i++) {
		if (h->slot[i].kind == KIND_ASYNC)
			push_done(&vscsi.disk[h->slot[i].disk], h->slot[i].tag, BLK_ETIMEDOUT);
		else if (h->slot[i].kind == KIND_SYNC) {
			h->sync_result = dead;
			h->sync_done = true;
		}
		h->slot[i].kind = KIND_NONE;
	}
	h->in_flight = 0;
}

static void declare_dead(struct vscsi_host *h)
{
	kprintf("virtio-scsi: %02x:%02x.%x: no completion for %u ms, device reset; %u "
		"request(s) failed\n", h->pci->bus, h->pci->dev, h->pci->fn,
		VIRTIO_SCSI_TIMEOUT_MS, h->in_flight);
	virtio_pci_reset(&h->vp);
	h->dead = true;
	fail_outstanding(h);
}

/* Poll until cond(h) holds; progress restarts the clock; a minimum number of polls
 * keeps a mis-calibrated TSC from faking a dead device. */
static bool wait_for(struct vscsi_host *h, bool (*cond)(const struct vscsi_host *, const void *),
		     const void *arg)
{
	uint64_t deadline = timer_ms() + VIRTIO_SCSI_TIMEOUT_MS, polls = 0;

	while (!cond(h, arg)) {
		if (reap(h)) {
			deadline = timer_ms() + VIRTIO_SCSI_TIMEOUT_MS;
			polls = 0;
			continue;
		}
		if (++polls >= VIRTIO_SCSI_TIMEOUT_POLLS && timer_ms() > deadline) {
			declare_dead(h);
			return false;
		}
		cpu_relax();
	}
	return true;
}

static bool sync_finished(const struct vscsi_host *h, const void *arg)
{
	(void)arg;
	return h->sync_done;
}

static bool has_room(const struct vscsi_host *h, const void *arg)
{
	(void)arg;
	return h->vq.num_free >= h->seg_limit + 2;
}

static bool disk_has_done(const struct vscsi_host *h, const void *arg)
{
	(void)h;
	return ((const struct vscsi_disk *)arg)->done_count > 0;
}

static void kick(struct vscsi_host *h)
{
	if (virtq_publish(&h->vq))
		virtio_pci_notify(&h->vp, VIRTIO_SCSI_REQUEST_Q);
}

static enum blk_err make_room(struct vscsi_host *h)
{
	if (h->dead)
		return BLK_ETIMEDOUT;
	if (has_room(h, NULL))
		return BLK_OK;
	kick(h);
	return wait_for(h, has_room, NULL) ? BLK_OK : BLK_ETIMEDOUT;
}

/* One SCSI command to (target, lun) as a chain (§5.6.6: device-readable request and
 * data-out first, then the response and data-in). Returns the head or -1. */
struct command {
	uint16_t target, lun;
	uint8_t cdb[SCSI_CDB_MAX];
	size_t cdb_len;
	uint8_t *buf;
	uint32_t bytes;
	bool data_out;
};

static int add_command(struct vscsi_host *h, const struct command *c)
{
	struct virtq_buf b[MAX_SEGS + 2];
	uint16_t slot = virtq_next_head(&h->vq);
	struct virtio_scsi_req *rq = &h->req[slot];
	unsigned n = 0;
	int head;

	memset(rq, 0, sizeof(*rq));
	rq->lun[0] = 1;                        /* §5.6.6.1: 1, target, then the LUN */
	rq->lun[1] = (uint8_t)c->target;
	rq->lun[2] = (uint8_t)(0x40 | c->lun >> 8);
	rq->lun[3] = (uint8_t)c->lun;
	rq->id = h->seq++;
	rq->task_attr = VIRTIO_SCSI_S_SIMPLE;
	memcpy(rq->cdb, c->cdb, c->cdb_len);
	memset(&h->resp[slot], 0, sizeof(h->resp[slot]));
	h->resp[slot].response = 0xFF;         /* not a response the device may give */
	b[n++] = (struct virtq_buf){ (uintptr_t)rq, sizeof(*rq), false };
	if (!c->data_out)
		b[n++] = (struct virtq_buf){ (uintptr_t)&h->resp[slot], sizeof(h->resp[slot]), true };
	for (uint32_t off = 0; off < c->bytes; off += SEG_BYTES)
		b[n++] = (struct virtq_buf){ (uintptr_t)(c->buf + off),
					     c->bytes - off < SEG_BYTES ? c->bytes - off : SEG_BYTES,
					     !c->data_out };
	if (c->data_out)
		b[n++] = (struct virtq_buf){ (uintptr_t)&h->resp[slot], sizeof(h->resp[slot]), true };
	head = virtq_add(&h->vq, b, n);
	if (head >= 0)
		h->in_flight++;
	return head;
}

/* Run c and wait; *r holds the outcome. BLK_ETIMEDOUT if the device died. */
static enum blk_err sync_once(struct vscsi_host *h, const struct command *c,
			      struct vscsi_result *r)
{
	enum blk_err e = make_room(h);
	int head;

	if (e != BLK_OK)
		return e;
	head = add_command(h, c);
	if (head < 0)
		return BLK_ENOMEM;
	h->slot[head] = (struct vscsi_slot){ .kind = KIND_SYNC };
	h->sync_head = (uint16_t)head;
	h->sync_done = false;
	kick(h);
	if (!wait_for(h, sync_finished, NULL))
		return BLK_ETIMEDOUT;
	*r = h->sync_result;
	return h->dead ? BLK_ETIMEDOUT : BLK_OK;
}

/* sync_once, again while the failure is transient (UNIT ATTENTION after the reset,
 * BUSY, becoming ready). */
static enum blk_err sync_command(struct vscsi_host *h, const struct command *c,
				 struct vscsi_result *r)
{
	enum blk_err e = BLK_OK;

	for (int i = 0; i < RETRIES; i++) {
		e = sync_once(h, c, r);
		if (e != BLK_OK || !transient(r))
			return e;
		if (r->status != SCSI_STATUS_CHECK_CONDITION || r->sense.key != SCSI_KEY_UNIT_ATTENTION)
			timer_delay_us(100000);
	}
	return e;
}

/* ---- struct blockdev ops ---- */

static enum blk_err check_request(struct vscsi_disk *d, uint64_t sector, uint32_t count)
{
	if (d->h->dead)
		return BLK_ETIMEDOUT;
	if (count == 0 || count > d->bd.max_sectors)
		return BLK_EINVAL;
	if (sector > d->bd.sectors || count > d->bd.sectors - sector)
		return BLK_ERANGE;
	return blockdev_aligned(&d->bd, sector, count) ? BLK_OK : BLK_EINVAL;
}

static struct command rw_command(const struct vscsi_disk *d, bool write, uint64_t sector,
				 uint32_t count, void *buf)
{
	struct command c = { .target = d->target, .lun = d->lun, .buf = buf,
			     .bytes = count * BLOCK_SECTOR_SIZE, .data_out = write };

	c.cdb_len = scsi_cdb_rw16(c.cdb, write, sector / d->spb, count / d->spb);
	return c;
}

static enum blk_err rw_sync(struct vscsi_disk *d, bool write, uint64_t sector, uint32_t count,
			    void *buf)
{
	struct command c = rw_command(d, write, sector, count, buf);
	struct vscsi_result r;
	enum blk_err e = check_request(d, sector, count);

	if (e != BLK_OK)
		return e;
	e = sync_command(d->h, &c, &r);
	if (e == BLK_OK)
		e = classify(&r);
	if (e != BLK_OK && !d->h->dead)
		report(d, write ? "write" : "read", sector, &r);
	return e;
}

static enum blk_err vscsi_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	return rw_sync(bd->priv, false, sector, count, buf);
}

static enum blk_err vscsi_write(struct blockdev *bd, uint64_t sector, uint32_t count,
				const void *buf)
{
	return rw_sync(bd->priv, true, sector, count, (void *)(uintptr_t)buf);
}

/* SYNCHRONIZE CACHE(16), or (10) when the LUN does not know (16) (SBC-3 §5.22). */
static enum blk_err vscsi_flush(struct blockdev *bd)
{
	struct vscsi_disk *d = bd->priv;
	struct command c = { .target = d->target, .lun = d->lun };
	struct vscsi_result r;
	enum blk_err e;

	if (d->h->dead)
		return BLK_ETIMEDOUT;
	c.cdb_len = scsi_cdb_sync_cache16(c.cdb);
	e = sync_command(d->h, &c, &r);
	if (e == BLK_OK && r.status == SCSI_STATUS_CHECK_CONDITION &&
	    r.sense.key == SCSI_KEY_ILLEGAL_REQUEST && r.sense.asc == 0x20) {
		c.cdb_len = scsi_cdb_sync_cache10(c.cdb);
		e = sync_command(d->h, &c, &r);
	}
	if (e == BLK_OK)
		e = classify(&r);
	if (e != BLK_OK && !d->h->dead)
		report(d, "flush", 0, &r);
	return e;
}

static enum blk_err vscsi_submit_read(struct blockdev *bd, uint64_t sector, uint32_t count,
				      void *buf, uint64_t tag)
{
	struct vscsi_disk *d = bd->priv;
	struct command c = rw_command(d, false, sector, count, buf);
	enum blk_err e = check_request(d, sector, count);
	int head;

	/* Finished requests wait in the disk's done ring: never more than it holds. */
	if (e == BLK_OK && d->async_out >= VIRTIO_SCSI_ASYNC_MAX)
		e = BLK_ENOMEM;
	if (e == BLK_OK)
		e = make_room(d->h);
	if (e != BLK_OK)
		return e;
	head = add_command(d->h, &c);
	if (head < 0)
		return BLK_ENOMEM;
	d->h->slot[head] = (struct vscsi_slot){ .kind = KIND_ASYNC, .tag = tag, .lba = sector,
						.count = count, .disk = (uint8_t)(d - vscsi.disk) };
	d->async_out++;
	return BLK_OK;
}

static void vscsi_kick(struct blockdev *bd)
{
	struct vscsi_disk *d = bd->priv;

	if (!d->h->dead)
		kick(d->h);
}

static bool vscsi_complete(struct blockdev *bd, uint64_t *tag, enum blk_err *status)
{
	struct vscsi_disk *d = bd->priv;

	if (d->async_out == 0)
		return false;
	if (d->done_count == 0 && !d->h->dead) {
		kick(d->h);    /* a caller waiting on unpublished requests would wait forever */
		wait_for(d->h, disk_has_done, d);
	}
	if (d->done_count == 0)
		return false;
	*tag = d->done[d->done_head].tag;
	*status = d->done[d->done_head].status;
	d->done_head = (d->done_head + 1) % VIRTIO_SCSI_ASYNC_MAX;
	d->done_count--;
	d->async_out--;
	return true;
}

static void quiesce_host(struct vscsi_host *h)
{
	virtio_pci_reset(&h->vp);
	h->dead = true;
	fail_outstanding(h);
}

static void vscsi_quiesce(struct blockdev *bd)
{
	quiesce_host(((struct vscsi_disk *)bd->priv)->h);
}

static const struct blockdev_ops vscsi_ops = {
	.read = vscsi_read,
	.write = vscsi_write,
	.flush = vscsi_flush,
	.submit_read = vscsi_submit_read,
	.kick = vscsi_kick,
	.complete = vscsi_complete,
	.quiesce = vscsi_quiesce,
};

/* ---- bring-up ---- */

/* Queue, per-head request/response/bookkeeping and the scratch page: one
 * allocation made once (the resume path counts it). */
static bool alloc_queue_memory(struct vscsi_host *h, uint16_t size)
{
	size_t ring = virtq_bytes(size);
	size_t per = sizeof(struct virtio_scsi_req) + sizeof(struct virtio_scsi_resp) +
		     sizeof(struct vscsi_slot);
	size_t scratch_off = (ring + (size_t)size * per + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	uint8_t *p;

	h->mem_pages = (scratch_off + SCRATCH_BYTES) / PAGE_SIZE;
	h->mem_phys = pmm_alloc_contig(h->mem_pages, 1);
	if (h->mem_phys == 0)
		return false;
	p = (uint8_t *)(uintptr_t)h->mem_phys;     /* identity-mapped, zeroed */
	virtq_init(&h->vq, p, size);
	h->slot = (struct vscsi_slot *)(p + ring);
	h->req = (struct virtio_scsi_req *)(p + ring + (size_t)size * sizeof(struct vscsi_slot));
	h->resp = (struct virtio_scsi_resp *)((uint8_t *)h->req +
					      (size_t)size * sizeof(struct virtio_scsi_req));
	h->scratch = p + scratch_off;
	return true;
}

static const char *negotiate(struct vscsi_host *h)
{
	uint64_t offered = virtio_pci_device_features(&h->vp);

	h->features = 0;                       /* no optional feature is used */
	if (h->vp.modern) {
		if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
			return "modern device without VIRTIO_F_VERSION_1";
		h->features |= 1ull << VIRTIO_F_VERSION_1;
	}
	if (virtio_pci_set_features(&h->vp, h->features) != VPCI_OK)
		return vpci_strerror(VPCI_EFEATURES);
	return NULL;
}

static const char *setup_queue(struct vscsi_host *h)
{
	uint16_t size = virtio_pci_queue_max(&h->vp, VIRTIO_SCSI_REQUEST_Q);
	enum vpci_err e;

	if (size == 0)
		return vpci_strerror(VPCI_ENOQUEUE);
	if (h->vp.modern && size > QUEUE_WANT)
		size = QUEUE_WANT;
	if ((size & (size - 1)) || size < 8)
		return vpci_strerror(VPCI_EQUEUESIZE);
	if (!alloc_queue_memory(h, size))
		return "no memory for the virtqueue";
	e = virtio_pci_queue_setup(&h->vp, VIRTIO_SCSI_REQUEST_Q, size,
				   (uint64_t)(uintptr_t)h->vq.desc, virtq_avail_addr(&h->vq),
				   virtq_used_addr(&h->vq));
	if (e != VPCI_OK) {
		pmm_free_contig(h->mem_phys, h->mem_pages);
		return vpci_strerror(e);
	}
	return NULL;
}

/* Limits from the configuration (§5.6.4); the request layout needs the defaults. */
static const char *read_config(struct vscsi_host *h)
{
	uint32_t seg_max = virtio_pci_cfg32(&h->vp, VSCSI_CFG_SEG_MAX);
	uint32_t max_sectors = virtio_pci_cfg32(&h->vp, VSCSI_CFG_MAX_SECTORS);

	if (virtio_pci_cfg32(&h->vp, VSCSI_CFG_CDB_SIZE) != VIRTIO_SCSI_CDB_SIZE ||
	    virtio_pci_cfg32(&h->vp, VSCSI_CFG_SENSE_SIZE) != VIRTIO_SCSI_SENSE_SIZE)
		return "cdb_size/sense_size are not the defaults 32/96 after reset";
	h->seg_limit = seg_max >= 1 && seg_max < MAX_SEGS ? seg_max : MAX_SEGS;
	if (h->seg_limit > (uint32_t)h->vq.size - 2)
		h->seg_limit = h->vq.size - 2;
	h->max_sectors = (uint32_t)((uint64_t)h->seg_limit * SEG_BYTES / BLOCK_SECTOR_SIZE);
	if (h->max_sectors > MAX_SECTORS)
		h->max_sectors = MAX_SECTORS;
	if (max_sectors >= 8 && max_sectors < h->max_sectors)
		h->max_sectors = max_sectors & ~7u;
	h->max_target = (uint16_t)(virtio_pci_cfg32(&h->vp, VSCSI_CFG_MAX_TARGET) >> 16);
	return NULL;
}

static const char *bring_up(struct vscsi_host *h, const struct pci_dev *f)
{
	enum vpci_err e = virtio_pci_init(&h->vp, f);
	const char *why;

	if (e != VPCI_OK)
		return vpci_strerror(e);
	why = negotiate(h);
	if (!why)
		why = setup_queue(h);
	if (!why)
		why = read_config(h);
	if (why) {
		virtio_pci_set_status(&h->vp, VIRTIO_STATUS_FAILED);
		return why;
	}
	virtio_pci_set_status(&h->vp, VIRTIO_STATUS_DRIVER_OK);
	return NULL;
}

/* A command to (target, lun) whose data comes back in the scratch page. */
static enum blk_err scan_command(struct vscsi_host *h, uint16_t target, uint16_t lun,
				 struct command *c, uint32_t bytes, struct vscsi_result *r)
{
	c->target = target;
	c->lun = lun;
	c->buf = h->scratch;
	c->bytes = bytes;
	memset(h->scratch, 0, SCRATCH_BYTES);
	return sync_command(h, c, r);
}

/* LUNs of target t: none when there is no such target, LUN 0 alone when the target
 * does not answer REPORT LUNS (SPC-4 §6.33). Returns how many. */
static size_t target_luns(struct vscsi_host *h, uint16_t t, uint16_t *luns)
{
	struct command c = { 0 };
	struct vscsi_result r;

	c.cdb_len = scsi_cdb_report_luns(c.cdb, SCRATCH_BYTES);
	if (scan_command(h, t, 0, &c, SCRATCH_BYTES, &r) != BLK_OK ||
	    r.response != VIRTIO_SCSI_S_OK)
		return 0;
	if (r.status != SCSI_STATUS_GOOD) {
		luns[0] = 0;
		return 1;
	}
	return scsi_report_luns_parse(h->scratch, SCRATCH_BYTES - r.residual, luns, SCAN_LUNS);
}

/* INQUIRY: true for a connected direct-access device (qualifier 0, type 0). */
static bool lun_is_disk(struct vscsi_host *h, uint16_t t, uint16_t lun)
{
	struct command c = { 0 };
	struct vscsi_result r;

	c.cdb_len = scsi_cdb_inquiry(c.cdb, SCSI_INQUIRY_LEN);
	if (scan_command(h, t, lun, &c, SCSI_INQUIRY_LEN, &r) != BLK_OK || classify(&r) != BLK_OK)
		return false;
	if ((h->scratch[0] >> 5) == 0 && (h->scratch[0] & 0x1F) != SCSI_TYPE_DISK)
		kprintf("virtio-scsi: %02x:%02x.%x target %u lun %u: SCSI device type 0x%02x, "
			"not a disk; ignored\n", h->pci->bus, h->pci->dev, h->pci->fn, t, lun,
			h->scratch[0] & 0x1F);
	return h->scratch[0] == SCSI_TYPE_DISK;
}

/* TEST UNIT READY (clears the UNIT ATTENTION of the reset), then READ CAPACITY(16). */
static const char *lun_capacity(struct vscsi_host *h, uint16_t t, uint16_t lun,
				uint64_t *blocks, uint32_t *block_len, char *why, size_t cap)
{
	struct command c = { 0 };
	struct vscsi_result r;

	c.cdb_len = scsi_cdb_test_unit_ready(c.cdb);
	if (scan_command(h, t, lun, &c, 0, &r) == BLK_OK && classify(&r) == BLK_OK) {
		c.cdb_len = scsi_cdb_read_capacity16(c.cdb, SCSI_READ_CAP16_LEN);
		if (scan_command(h, t, lun, &c, SCSI_READ_CAP16_LEN, &r) == BLK_OK &&
		    classify(&r) == BLK_OK) {
			if (!scsi_read_capacity16_parse(h->scratch, SCSI_READ_CAP16_LEN, blocks,
							block_len))
				return "READ CAPACITY(16) returned no usable capacity";
			if (*block_len < BLOCK_SECTOR_SIZE || *block_len > BLOCKDEV_BLOCK_MAX ||
			    (*block_len & (*block_len - 1)))
				return "the logical block size is not a power of two from 512 "
				       "to 4096 bytes";
			return NULL;
		}
	}
	describe(&r, why, cap);
	return why;
}

static struct blockdev *add_lun(struct vscsi_host *h, uint16_t t, uint16_t lun)
{
	struct vscsi_disk *d;
	uint64_t blocks = 0;
	uint32_t block_len = BLOCK_SECTOR_SIZE;
	char why[160];
	const char *err;

	if (!lun_is_disk(h, t, lun))
		return NULL;
	err = lun_capacity(h, t, lun, &blocks, &block_len, why, sizeof(why));
	if (err) {
		kprintf("virtio-scsi: %02x:%02x.%x target %u lun %u: %s; disk ignored\n",
			h->pci->bus, h->pci->dev, h->pci->fn, t, lun, err);
		return NULL;
	}
	d = &vscsi.disk[vscsi.disk_count++];
	*d = (struct vscsi_disk){ .h = h, .target = t, .lun = lun, .spb = block_len / BLOCK_SECTOR_SIZE };
	sdname_next(d->bd.name, sizeof(d->bd.name));
	d->bd.block_size = block_len;
	d->bd.sectors = blocks * d->spb;
	d->bd.max_sectors = h->max_sectors;
	d->bd.max_async = VIRTIO_SCSI_ASYNC_MAX;   /* vscsi_submit_read() refuses more */
	d->bd.ops = &vscsi_ops;
	d->bd.priv = d;
	kprintf("virtio-scsi: %s: target %u lun %u of %02x:%02x.%x, %llu sectors (%llu MiB), "
		"%u-byte blocks, %s interface, queue %u, up to %u KiB per request\n", d->bd.name,
		t, lun, h->pci->bus, h->pci->dev, h->pci->fn, (unsigned long long)d->bd.sectors,
		(unsigned long long)(d->bd.sectors >> 11), block_len,
		h->vp.modern ? "modern" : "legacy",
		h->vq.size, h->max_sectors / 2);
	return &d->bd;
}

/* Targets in order, LUNs in the order REPORT LUNS gives them: Linux's scan order. */
static unsigned scan(struct vscsi_host *h, struct blockdev **out, unsigned max)
{
	uint16_t luns[SCAN_LUNS];
	unsigned n = 0;

	for (uint32_t t = 0; t <= h->max_target && !h->dead; t++) {
		size_t count = target_luns(h, (uint16_t)t, luns);

		for (size_t i = 0; i < count && n < max; i++) {
			if (vscsi.disk_count == VIRTIO_SCSI_DISKS_MAX) {
				kprintf("virtio-scsi: more than %d disks, the rest ignored\n",
					VIRTIO_SCSI_DISKS_MAX);
				return n;
			}
			out[n] = add_lun(h, (uint16_t)t, luns[i]);
			if (out[n])
				n++;
		}
	}
	return n;
}

bool virtio_scsi_match(const struct pci_dev *d)
{
	if (d->vendor != VIRTIO_PCI_VENDOR || d->header_type != 0)
		return false;
	if (d->device == VIRTIO_PCI_MODERN_BASE + VIRTIO_SCSI_DEVICE_ID)
		return true;
	/* Transitional devices carry the virtio device id in the subsystem id (§4.1.2.1). */
	return d->device >= VIRTIO_PCI_LEGACY_FIRST && d->device <= VIRTIO_PCI_LEGACY_LAST &&
	       d->subsys_id == VIRTIO_SCSI_DEVICE_ID;
}

static unsigned virtio_scsi_attach(const struct pci_dev *f, struct blockdev **out, unsigned max)
{
	struct vscsi_host *h;
	const char *why;

	if (vscsi.host_count == VIRTIO_SCSI_MAX) {
		kprintf("virtio-scsi: %02x:%02x.%x: more than %d adapters, ignored\n", f->bus,
			f->dev, f->fn, VIRTIO_SCSI_MAX);
		return 0;
	}
	h = &vscsi.host[vscsi.host_count];
	memset(h, 0, sizeof(*h));
	h->pci = f;
	why = bring_up(h, f);
	if (why) {
		kprintf("virtio-scsi: %02x:%02x.%x: %s; adapter ignored\n", f->bus, f->dev, f->fn, why);
		return 0;
	}
	vscsi.host_count++;
	return scan(h, out, max);
}

static void virtio_scsi_quiesce_all(void)
{
	for (unsigned i = 0; i < vscsi.host_count; i++)
		quiesce_host(&vscsi.host[i]);
}

/* After AHCI: Linux names the SATA disks first (sda…), then these. */
static const struct disk_driver virtio_scsi_driver = {
	.name = "virtio-scsi",
	.order = 30,
	.match = virtio_scsi_match,
	.attach = virtio_scsi_attach,
	.quiesce_all = virtio_scsi_quiesce_all,
};
DISK_DRIVER(virtio_scsi_driver);
