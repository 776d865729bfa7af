/* virtio-blk driver: device init (§3.1.1), requests as header → data → status chains
 * (§5.2.6), batched publication with one notify per batch, polling completion. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "drivers/virtio_blk.h"
#include "drivers/virtio_pci.h"
#include "drivers/virtqueue.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/timer.h"
#include "mm/pmm.h"

#define QUEUE_WANT      256u       /* entries asked of modern devices */
#define SEG_BYTES_DFLT  (4u << 20) /* one descriptor's length without F_SIZE_MAX */
#define MAX_SECTORS     8192u      /* 4 MiB per request */
#define MAX_SEGS        16u        /* data descriptors per request we build */
#define ERRORS_SHOWN    5

enum { KIND_NONE, KIND_SYNC, KIND_ASYNC };

struct done_entry {
	uint64_t tag;
	uint32_t status;           /* enum blk_err */
	uint32_t pad;
};

struct vblk {
	struct blockdev bd;
	struct virtio_pci vp;
	struct virtq vq;
	struct virtio_blk_outhdr *hdr;     /* [queue size], indexed by head descriptor */
	volatile uint8_t *status;          /* [queue size] */
	uint64_t *tag;                     /* [queue size] */
	uint8_t *kind;                     /* [queue size] */
	struct done_entry *done;           /* ring of finished async requests */
	uint16_t done_head, done_count;
	uint16_t sync_head;                /* head of the one synchronous request */
	bool sync_done;
	enum blk_err sync_status;
	uint32_t in_flight;                /* chains on the ring, sync and async */
	uint32_t async_out;                /* async requests not yet handed back */
	uint32_t seg_bytes;                /* largest data descriptor */
	uint32_t seg_limit;                /* data descriptors per request */
	uint64_t features;
	uint32_t blk_size;                 /* logical block size (F_BLK_SIZE), else 512 */
	bool dead;                         /* timed out or quiesced: refuse everything */
	unsigned errors;
	uint64_t mem_phys, mem_pages;
};

static struct {
	struct vblk dev[VIRTIO_BLK_MAX];
	unsigned count;
} vblk;

static enum blk_err map_status(uint8_t s)
{
	switch (s) {
	case VIRTIO_BLK_S_OK:     return BLK_OK;
	case VIRTIO_BLK_S_UNSUPP: return BLK_EUNSUPP;
	default:                  return BLK_EIO;     /* IOERR, or never written */
	}
}

static void report(struct vblk *v, const char *what, uint64_t sector, enum blk_err e)
{
	if (v->errors++ < ERRORS_SHOWN)
		kprintf("virtio-blk: %s: %s at sector %llu failed: %s\n", v->bd.name, what,
			(unsigned long long)sector, blk_strerror(e));
	else if (v->errors == ERRORS_SHOWN + 1)
		kprintf("virtio-blk: %s: further errors not shown\n", v->bd.name);
}

static void push_done(struct vblk *v, uint64_t tag, enum blk_err e)
{
	uint16_t i = (uint16_t)((v->done_head + v->done_count) % v->vq.size);

	v->done[i].tag = tag;
	v->done[i].status = e;
	v->done_count++;
}

/* Move every finished chain off the used ring. Returns how many. */
static unsigned reap(struct vblk *v)
{
	uint16_t head;
	uint32_t len;
	unsigned n = 0;

	while (virtq_pop_used(&v->vq, &head, &len)) {
		enum blk_err e;

		n++;
		if (head == VIRTQ_BAD_HEAD)
			continue;
		e = map_status(v->status[head]);
		v->in_flight--;
		if (v->kind[head] == KIND_ASYNC) {
			if (e != BLK_OK)
				report(v, "read", v->hdr[head].sector, e);
			push_done(v, v->tag[head], e);
		} else if (v->kind[head] == KIND_SYNC && head == v->sync_head) {
			v->sync_done = true;
			v->sync_status = e;
		}
		v->kind[head] = KIND_NONE;
	}
	return n;
}

/* Hand back everything outstanding with error e; the device is already reset, so
 * none of those buffers can be written any more (§4.1.4.3.2: reset stops the queues). */
static void fail_outstanding(struct vblk *v, enum blk_err e)
{
	for (uint16_t h = 0; h < v->vq.size; h++) {
		if (v->kind[h] == KIND_ASYNC)
			push_done(v, v->tag[h], e);
		else if (v->kind[h] == KIND_SYNC) {
			v->sync_done = true;
			v->sync_status = e;
		}
		v->kind[h] = KIND_NONE;
	}
	v->in_flight = 0;
}

/* The device stopped answering: reset it so it can never DMA into buffers we hand
 * back, then fail everything outstanding. */
static void declare_dead(struct vblk *v)
{
	kprintf("virtio-blk: %s: no completion for %u ms, device reset; %u request(s) failed\n",
		v->bd.name, VIRTIO_BLK_TIMEOUT_MS, v->in_flight);
	virtio_pci_reset(&v->vp);
	v->dead = true;
	fail_outstanding(v, BLK_ETIMEDOUT);
}

/* Poll until cond(v) holds; progress (any completion) restarts the clock. The
 * timeout also needs a minimum number of polls, so a TSC calibration gone wrong
 * (a descheduled vCPU can make it read 100x fast) cannot fake a dead device. */
static bool wait_for(struct vblk *v, bool (*cond)(const struct vblk *))
{
	uint64_t deadline = timer_ms() + VIRTIO_BLK_TIMEOUT_MS, polls = 0;

	while (!cond(v)) {
		if (reap(v)) {
			deadline = timer_ms() + VIRTIO_BLK_TIMEOUT_MS;
			polls = 0;
			continue;
		}
		if (++polls >= VIRTIO_BLK_TIMEOUT_POLLS && timer_ms() > deadline) {
			declare_dead(v);
			return false;
		}
		cpu_relax();
	}
	return true;
}

static bool sync_finished(const struct vblk *v)
{
	return v->sync_done;
}

static bool have_done(const struct vblk *v)
{
	return v->done_count > 0;
}

static bool has_room(const struct vblk *v)
{
	return v->vq.num_free >= v->seg_limit + 2;
}

static void kick(struct vblk *v)
{
	if (virtq_publish(&v->vq))
		virtio_pci_notify(&v->vp, 0);
}

/* Queue header → data segments → status. Returns the head or -1 (no room).
 * Header and status byte live in per-head slots; the head virtq_add will use is the
 * first free descriptor, known before the chain is built. */
static int add_request(struct vblk *v, uint32_t type, uint64_t sector, uint8_t *buf,
		       uint32_t bytes, bool device_writes)
{
	struct virtq_buf b[MAX_SEGS + 2];   /* bytes ≤ seg_limit × seg_bytes (probe) */
	uint16_t slot = virtq_next_head(&v->vq);
	unsigned n = 0;
	int head;

	v->hdr[slot] = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	v->status[slot] = 0xFF;            /* not a status the device may report */
	b[n++] = (struct virtq_buf){ (uintptr_t)&v->hdr[slot], sizeof(v->hdr[slot]), false };
	for (uint32_t off = 0; off < bytes; off += v->seg_bytes) {
		uint32_t len = bytes - off < v->seg_bytes ? bytes - off : v->seg_bytes;

		b[n++] = (struct virtq_buf){ (uintptr_t)(buf + off), len, device_writes };
	}
	b[n++] = (struct virtq_buf){ (uintptr_t)&v->status[slot], 1, true };
	head = virtq_add(&v->vq, b, n);
	if (head >= 0)
		v->in_flight++;
	return head;
}

static enum blk_err check_request(struct vblk *v, uint64_t sector, uint32_t count)
{
	if (v->dead)
		return BLK_ETIMEDOUT;
	if (count == 0 || count > v->bd.max_sectors)
		return BLK_EINVAL;
	if (sector > v->bd.sectors || count > v->bd.sectors - sector)
		return BLK_ERANGE;
	return BLK_OK;
}

/* Make room on the ring: publish what is pending and reap until enough is free. */
static enum blk_err make_room(struct vblk *v)
{
	if (has_room(v))
		return BLK_OK;
	kick(v);
	return wait_for(v, has_room) ? BLK_OK : BLK_ETIMEDOUT;
}

static enum blk_err sync_request(struct vblk *v, uint32_t type, uint64_t sector,
				 uint8_t *buf, uint32_t count, bool device_writes)
{
	enum blk_err e = make_room(v);
	int head;

	if (e != BLK_OK)
		return e;
	head = add_request(v, type, sector, buf, count * BLOCK_SECTOR_SIZE, device_writes);
	v->kind[head] = KIND_SYNC;
	v->sync_head = (uint16_t)head;
	v->sync_done = false;
	kick(v);
	if (!wait_for(v, sync_finished))
		return BLK_ETIMEDOUT;
	return v->sync_status;
}

static enum blk_err vblk_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct vblk *v = d->priv;
	enum blk_err e = check_request(v, sector, count);

	if (e == BLK_OK)
		e = sync_request(v, VIRTIO_BLK_T_IN, sector, buf, count, true);
	if (e != BLK_OK && e != BLK_EINVAL && e != BLK_ERANGE)
		report(v, "read", sector, e);
	return e;
}

static enum blk_err vblk_write(struct blockdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	struct vblk *v = d->priv;
	enum blk_err e = check_request(v, sector, count);

	if (e == BLK_OK && (v->features & (1ull << VIRTIO_BLK_F_RO))) {
		kprintf("virtio-blk: %s: device is read-only, write refused\n", d->name);
		return BLK_EUNSUPP;
	}
	if (e == BLK_OK)
		e = sync_request(v, VIRTIO_BLK_T_OUT, sector, (uint8_t *)(uintptr_t)buf, count, false);
	if (e != BLK_OK && e != BLK_EINVAL && e != BLK_ERANGE)
		report(v, "write", sector, e);
	return e;
}

/* T_FLUSH only exists with F_FLUSH; without it the device has no volatile write
 * cache to flush (§5.2.6.2: "write-through" when not negotiated). */
static enum blk_err vblk_flush(struct blockdev *d)
{
	struct vblk *v = d->priv;
	enum blk_err e;

	if (v->dead)
		return BLK_ETIMEDOUT;
	if (!(v->features & (1ull << VIRTIO_BLK_F_FLUSH)))
		return BLK_OK;
	e = sync_request(v, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false);
	if (e != BLK_OK)
		report(v, "flush", 0, e);
	return e;
}

static enum blk_err vblk_submit_read(struct blockdev *d, uint64_t sector, uint32_t count,
				     void *buf, uint64_t tag)
{
	struct vblk *v = d->priv;
	enum blk_err e = check_request(v, sector, count);
	int head;

	/* Finished requests wait in the done ring until complete() takes them: never
	 * have more outstanding than it holds. */
	if (e == BLK_OK && v->async_out >= v->vq.size)
		e = BLK_ENOMEM;
	if (e == BLK_OK)
		e = make_room(v);
	if (e != BLK_OK)
		return e;
	head = add_request(v, VIRTIO_BLK_T_IN, sector, buf, count * BLOCK_SECTOR_SIZE, true);
	v->kind[head] = KIND_ASYNC;
	v->tag[head] = tag;
	v->async_out++;
	return BLK_OK;
}

static void vblk_kick(struct blockdev *d)
{
	struct vblk *v = d->priv;

	if (!v->dead)
		kick(v);
}

static bool vblk_complete(struct blockdev *d, uint64_t *tag, enum blk_err *status)
{
	struct vblk *v = d->priv;

	if (v->async_out == 0)
		return false;
	if (v->done_count == 0 && !v->dead) {
		kick(v);       /* a caller waiting on unpublished requests would wait forever */
		wait_for(v, have_done);
	}
	if (v->done_count == 0)
		return false;     /* unreachable: a dead device fails all it had */
	*tag = v->done[v->done_head].tag;
	*status = (enum blk_err)v->done[v->done_head].status;
	v->done_head = (uint16_t)((v->done_head + 1) % v->vq.size);
	v->done_count--;
	v->async_out--;
	return true;
}

static void vblk_quiesce(struct blockdev *d)
{
	struct vblk *v = d->priv;

	virtio_pci_reset(&v->vp);
	v->dead = true;
	fail_outstanding(v, BLK_ETIMEDOUT);
}

static const struct blockdev_ops vblk_ops = {
	.read = vblk_read,
	.write = vblk_write,
	.flush = vblk_flush,
	.submit_read = vblk_submit_read,
	.kick = vblk_kick,
	.complete = vblk_complete,
	.quiesce = vblk_quiesce,
};

/* Everything per device that the device reads or writes, plus the bookkeeping
 * indexed like it, in one allocation made once (so the resume path can count it). */
static bool alloc_queue_memory(struct vblk *v, uint16_t size)
{
	size_t ring = virtq_bytes(size);
	size_t bytes = ring + (size_t)size * (sizeof(struct virtio_blk_outhdr) + 1 + 8 + 1 +
					      sizeof(struct done_entry));
	uint8_t *p;

	v->mem_pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	v->mem_phys = pmm_alloc_contig(v->mem_pages, 1);
	if (v->mem_phys == 0)
		return false;
	p = (uint8_t *)(uintptr_t)v->mem_phys;     /* identity-mapped, zeroed */
	virtq_init(&v->vq, p, size);
	p += ring;
	v->hdr = (struct virtio_blk_outhdr *)p;
	p += (size_t)size * sizeof(struct virtio_blk_outhdr);
	v->done = (struct done_entry *)p;
	p += (size_t)size * sizeof(struct done_entry);
	v->tag = (uint64_t *)p;
	p += (size_t)size * 8;
	v->status = p;
	p += size;
	v->kind = p;
	return true;
}

/* §3.1.1 steps 4-6: offer only what the driver uses. */
static const char *negotiate(struct vblk *v)
{
	uint64_t want = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
			1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_BLK_SIZE |
			1ull << VIRTIO_BLK_F_FLUSH;
	uint64_t offered = virtio_pci_device_features(&v->vp);

	if (v->vp.modern) {
		if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
			return "modern device without VIRTIO_F_VERSION_1";
		want |= 1ull << VIRTIO_F_VERSION_1;
	}
	v->features = offered & want;
	if (virtio_pci_set_features(&v->vp, v->features) != VPCI_OK)
		return vpci_strerror(VPCI_EFEATURES);
	return NULL;
}

/* Request geometry from the device's limits: QEMU offers seg_max = queue size - 2
 * and no size_max (QEMU hw/block/virtio-blk.c virtio_blk_update_config()), so one
 * descriptor per data buffer. */
static void set_limits(struct vblk *v)
{
	uint32_t seg_max = MAX_SEGS, sectors;

	v->seg_bytes = SEG_BYTES_DFLT;
	if (v->features & (1ull << VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t sm = virtio_pci_cfg32(&v->vp, VIRTIO_BLK_CFG(size_max));

		if (sm >= BLOCK_SECTOR_SIZE && sm < v->seg_bytes)
			v->seg_bytes = sm & ~(BLOCK_SECTOR_SIZE - 1);
	}
	if (v->features & (1ull << VIRTIO_BLK_F_SEG_MAX)) {
		uint32_t sg = virtio_pci_cfg32(&v->vp, VIRTIO_BLK_CFG(seg_max));

		if (sg >= 1 && sg < seg_max)
			seg_max = sg;
	}
	if (seg_max > (uint32_t)v->vq.size - 2)
		seg_max = v->vq.size - 2;
	v->seg_limit = seg_max;
	v->blk_size = BLOCK_SECTOR_SIZE;
	if (v->features & (1ull << VIRTIO_BLK_F_BLK_SIZE))
		v->blk_size = virtio_pci_cfg32(&v->vp, VIRTIO_BLK_CFG(blk_size));
	sectors = (uint32_t)((uint64_t)seg_max * v->seg_bytes / BLOCK_SECTOR_SIZE);
	v->bd.max_sectors = sectors < MAX_SECTORS ? sectors : MAX_SECTORS;
	v->bd.max_async = v->vq.size;     /* vblk_submit_read() refuses more */
}

static const char *setup_queue(struct vblk *v)
{
	uint16_t max = virtio_pci_queue_max(&v->vp, 0), size;
	enum vpci_err e;

	if (max == 0)
		return vpci_strerror(VPCI_ENOQUEUE);
	/* Legacy devices fix the size; modern ones may be given a smaller power of 2. */
	size = max;
	if (v->vp.modern && size > QUEUE_WANT)
		size = QUEUE_WANT;
	if ((size & (size - 1)) || size < 4)
		return vpci_strerror(VPCI_EQUEUESIZE);
	if (!alloc_queue_memory(v, size))
		return "no memory for the virtqueue";
	e = virtio_pci_queue_setup(&v->vp, 0, size, (uint64_t)(uintptr_t)v->vq.desc,
				   virtq_avail_addr(&v->vq), virtq_used_addr(&v->vq));
	if (e != VPCI_OK) {
		pmm_free_contig(v->mem_phys, v->mem_pages);
		return vpci_strerror(e);
	}
	return NULL;
}

bool virtio_blk_match(const struct pci_dev *d)
{
	if (d->vendor != VIRTIO_PCI_VENDOR || d->header_type != 0)
		return false;
	if (d->device == VIRTIO_PCI_MODERN_BASE + VIRTIO_BLK_DEVICE_ID)
		return true;
	/* Transitional devices carry the virtio device id in the subsystem id (§4.1.2.1). */
	return d->device >= VIRTIO_PCI_LEGACY_FIRST && d->device <= VIRTIO_PCI_LEGACY_LAST &&
	       d->subsys_id == VIRTIO_BLK_DEVICE_ID;
}

/* vda … vdz, vdaa … like Linux's virtblk_name_format(). */
static void disk_name(char *out, unsigned index)
{
	char tmp[8];
	int n = 0, o = 0;

	do {
		tmp[n++] = (char)('a' + index % 26);
		index = index / 26;
	} while (index-- > 0 && n < 6);
	out[o++] = 'v';
	out[o++] = 'd';
	while (n)
		out[o++] = tmp[--n];
	out[o] = '\0';
}

static const char *bring_up(struct vblk *v, const struct pci_dev *d)
{
	enum vpci_err e = virtio_pci_init(&v->vp, d);
	const char *why;

	if (e != VPCI_OK)
		return vpci_strerror(e);
	why = negotiate(v);
	if (!why)
		why = setup_queue(v);
	if (why) {
		virtio_pci_set_status(&v->vp, VIRTIO_STATUS_FAILED);
		return why;
	}
	set_limits(v);
	v->bd.sectors = virtio_pci_cfg64(&v->vp, VIRTIO_BLK_CFG(capacity));
	virtio_pci_set_status(&v->vp, VIRTIO_STATUS_DRIVER_OK);
	return NULL;
}

struct blockdev *virtio_blk_probe(const struct pci_dev *d)
{
	struct vblk *v;
	const char *why;

	if (vblk.count == VIRTIO_BLK_MAX) {
		kprintf("virtio-blk: %02x:%02x.%x: more than %d disks, ignored\n",
			d->bus, d->dev, d->fn, VIRTIO_BLK_MAX);
		return NULL;
	}
	v = &vblk.dev[vblk.count];
	memset(v, 0, sizeof(*v));
	why = bring_up(v, d);
	if (why) {
		kprintf("virtio-blk: %02x:%02x.%x: %s; disk ignored\n", d->bus, d->dev, d->fn, why);
		return NULL;
	}
	disk_name(v->bd.name, vblk.count);
	v->bd.ops = &vblk_ops;
	v->bd.priv = v;
	vblk.count++;
	kprintf("virtio-blk: %s: %llu sectors (%llu MiB), %s interface at %02x:%02x.%x, "
		"queue %u, up to %u KiB per request%s%s\n", v->bd.name,
		(unsigned long long)v->bd.sectors, (unsigned long long)(v->bd.sectors >> 11),
		v->vp.modern ? "modern" : "legacy", d->bus, d->dev, d->fn, v->vq.size,
		v->bd.max_sectors / 2,
		(v->features & (1ull << VIRTIO_BLK_F_FLUSH)) ? ", flush" : "",
		(v->features & (1ull << VIRTIO_BLK_F_RO)) ? ", read-only" : "");
	/* Requests are in 512-byte sectors, but a device with larger logical blocks
	 * fails those that are not whole, aligned blocks (QEMU virtio_blk_sect_range_ok). */
	if (v->blk_size != BLOCK_SECTOR_SIZE)
		kprintf("virtio-blk: %s: logical block size %u: reads smaller than a block "
			"will fail\n", v->bd.name, v->blk_size);
	return &v->bd;
}

void virtio_blk_quiesce_all(void)
{
	for (unsigned i = 0; i < vblk.count; i++)
		vblk_quiesce(&vblk.dev[i].bd);
}

static unsigned virtio_blk_attach(const struct pci_dev *f, struct blockdev **out, unsigned max)
{
	struct blockdev *d = max ? virtio_blk_probe(f) : NULL;

	if (!d)
		return 0;
	out[0] = d;
	return 1;
}

static const struct disk_driver virtio_blk_driver = {
	.name = "virtio-blk",
	.order = 0,
	.match = virtio_blk_match,
	.attach = virtio_blk_attach,
	.quiesce_all = virtio_blk_quiesce_all,
};
DISK_DRIVER(virtio_blk_driver);
