/* Disk self-tests. Output lines are parsed by tests/system/test_disk*.py, which
 * recomputes every checksum from the disk image on the host (zlib CRC-32). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "selftest/disk.h"
#include "block/disks.h"
#include "drivers/nvme.h"
#include "resume/locate.h"
#include "kernel/console.h"
#include "kernel/power.h"
#include "kernel/timer.h"
#include "mm/pmm.h"
#include "lib/crc32.h"

#define RANDOM_READS  48
#define ASYNC_MAX_SEC 2048u          /* 1 MiB per async test request */
#define STREAM_DEPTH  16u
#define STREAM_SEC    8192u          /* 4 MiB requests when streaming a whole disk */
#define KICK_BATCH    4u             /* refills per notify while streaming */
#define WRITE_SECTOR  2048u          /* thaw.test=disk-write: where, on the last disk */
#define WRITE_COUNT   128u

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64: a reproducible spread of offsets, nothing more. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void print_read(const struct blockdev *d, const char *how, uint64_t sector,
		       uint32_t count, const void *buf, enum blk_err e)
{
	uint32_t crc = e == BLK_OK ? crc32(0, buf, (size_t)count * BLOCK_SECTOR_SIZE) : 0;

	kprintf("disk-read: %s %s sector=%llu count=%u crc=%08x status=%s\n", d->name, how,
		(unsigned long long)sector, count, crc, e == BLK_OK ? "ok" : blk_strerror(e));
}

/* The largest request d takes, at most want sectors, in whole logical blocks. */
static uint32_t cap_request(const struct blockdev *d, uint32_t want)
{
	uint32_t b = blockdev_block_sectors(d), max = d->max_sectors ? d->max_sectors : want;

	max = max < want ? max : want;
	return max - max % b ? max - max % b : b;
}

/* Round a request out to whole logical blocks, inside the disk (whose size is whole
 * blocks): a 4Kn disk takes nothing else. */
static void align_request(const struct blockdev *d, uint64_t *sector, uint32_t *count)
{
	uint32_t b = blockdev_block_sectors(d);
	uint64_t end = *sector + *count;

	*sector -= *sector % b;
	end = (end + b - 1) / b * b;
	if (end > d->sectors)
		end = d->sectors;
	*count = (uint32_t)(end - *sector);
}

static void pick_raw(const struct blockdev *d, uint64_t *rng, int i, uint32_t max,
		     uint64_t *sector, uint32_t *count);

/* Edges first (first and last sectors, largest request at the end), then random;
 * whole logical blocks, at most max sectors. */
static void pick(const struct blockdev *d, uint64_t *rng, int i, uint32_t max,
		 uint64_t *sector, uint32_t *count)
{
	uint32_t b = blockdev_block_sectors(d);

	max = cap_request(d, max);
	pick_raw(d, rng, i, max, sector, count);
	align_request(d, sector, count);
	if (*count > max)
		*count = max - max % b;
}

static void pick_raw(const struct blockdev *d, uint64_t *rng, int i, uint32_t max,
		     uint64_t *sector, uint32_t *count)
{
	uint64_t n = d->sectors;

	switch (i) {
	case 0: *sector = 0; *count = 1; return;
	case 1: *sector = n - 1; *count = 1; return;
	case 2: *count = (uint32_t)(n < max ? n : max); *sector = n - *count; return;
	case 3: *sector = 1; *count = 7; return;
	}
	*count = (uint32_t)(rng_next(rng) % max) + 1;
	if (*count > n)
		*count = (uint32_t)n;
	*sector = rng_next(rng) % (n - *count + 1);
}

static bool sync_reads(struct blockdev *d, uint8_t *buf, uint64_t *rng)
{
	bool ok = true;

	for (int i = 0; i < RANDOM_READS / 2; i++) {
		uint64_t sector;
		uint32_t count;
		enum blk_err e;

		pick(d, rng, i, d->max_sectors, &sector, &count);
		e = d->ops->read(d, sector, count, buf);
		print_read(d, "sync", sector, count, buf, e);
		ok &= e == BLK_OK;
	}
	return ok;
}

/* A batch of reads in flight at once, one notify, completions in any order. */
static bool async_reads(struct blockdev *d, uint8_t *buf, uint64_t *rng)
{
	uint64_t sector[RANDOM_READS / 2];
	uint32_t count[RANDOM_READS / 2];
	uint64_t tag;
	enum blk_err e;
	bool ok = true;
	int n = RANDOM_READS / 2;

	for (int i = 0; i < n; i++) {
		pick(d, rng, i + 4, ASYNC_MAX_SEC, &sector[i], &count[i]);
		e = d->ops->submit_read(d, sector[i], count[i],
					buf + (size_t)i * ASYNC_MAX_SEC * BLOCK_SECTOR_SIZE, (uint64_t)i);
		if (e != BLK_OK) {
			print_read(d, "async", sector[i], count[i], NULL, e);
			return false;
		}
	}
	d->ops->kick(d);
	while (d->ops->complete(d, &tag, &e)) {
		print_read(d, "async", sector[tag], count[tag],
			   buf + (size_t)tag * ASYNC_MAX_SEC * BLOCK_SECTOR_SIZE, e);
		ok &= e == BLK_OK;
	}
	return ok;
}

struct stream {
	uint8_t *buf;                 /* depth × req sectors */
	bool done[STREAM_DEPTH];
	enum blk_err err[STREAM_DEPTH];
	uint64_t next_submit, next_consume, total;
	uint64_t kicked;              /* next_submit at the last kick */
	uint32_t req;
};

static uint32_t req_len(const struct stream *s, uint64_t k)
{
	uint64_t left = s->total - k * s->req;

	return left < s->req ? (uint32_t)left : s->req;
}

static enum blk_err submit_next(struct blockdev *d, struct stream *s)
{
	uint64_t k = s->next_submit++;

	s->done[k % STREAM_DEPTH] = false;
	return d->ops->submit_read(d, k * s->req, req_len(s, k),
				   s->buf + (k % STREAM_DEPTH) * (size_t)s->req * BLOCK_SECTOR_SIZE, k);
}

/* Read all of d with STREAM_DEPTH requests in flight; crc (if not NULL) over the
 * data in disk order, the way the image reader consumes it. */
static enum blk_err stream_disk(struct blockdev *d, uint8_t *buf, uint32_t *crc)
{
	struct stream s = { .buf = buf, .total = d->sectors, .req = cap_request(d, STREAM_SEC) };
	uint64_t reqs = (d->sectors + s.req - 1) / s.req, tag;
	enum blk_err e = BLK_OK;

	while (s.next_submit < reqs && s.next_submit < STREAM_DEPTH && e == BLK_OK)
		e = submit_next(d, &s);
	d->ops->kick(d);
	s.kicked = s.next_submit;
	while (d->ops->complete(d, &tag, &e)) {
		s.done[tag % STREAM_DEPTH] = true;
		s.err[tag % STREAM_DEPTH] = e;
		while (s.next_consume < s.next_submit && s.done[s.next_consume % STREAM_DEPTH]) {
			uint64_t k = s.next_consume++;
			enum blk_err ke = s.err[k % STREAM_DEPTH];

			if (ke != BLK_OK)
				e = ke;
			else if (crc && e == BLK_OK)     /* after an error the crc stops */
				*crc = crc32(*crc, s.buf + (k % STREAM_DEPTH) * (size_t)s.req * BLOCK_SECTOR_SIZE,
					     (size_t)req_len(&s, k) * BLOCK_SECTOR_SIZE);
			if (e == BLK_OK && s.next_submit < reqs)
				e = submit_next(d, &s);
		}
		if (e != BLK_OK)
			break;
		/* One notify per few refills; complete() itself publishes before it
		 * would wait, so the device never starves on unpublished requests. */
		if (s.next_submit - s.kicked >= KICK_BATCH) {
			d->ops->kick(d);
			s.kicked = s.next_submit;
		}
	}
	/* Drain whatever is still in flight after an error. */
	while (d->ops->complete(d, &tag, &(enum blk_err){ BLK_OK }))
		;
	return e;
}

static bool whole_disk(struct blockdev *d, uint8_t *buf)
{
	uint32_t crc = 0;
	uint64_t t0 = timer_ns(), ns;
	enum blk_err e = stream_disk(d, buf, &crc);

	ns = timer_ns() - t0;
	kprintf("disk-read: %s whole sectors=%llu crc=%08x status=%s ms=%llu\n", d->name,
		(unsigned long long)d->sectors, crc, e == BLK_OK ? "ok" : blk_strerror(e),
		(unsigned long long)(ns / 1000000));
	return e == BLK_OK;
}

static bool test_read(void)
{
	uint8_t *buf = pmm_alloc_bytes((uint64_t)STREAM_DEPTH * STREAM_SEC * BLOCK_SECTOR_SIZE);
	bool ok = true;

	if (!buf) {
		kprintf("disk-read: no memory for buffers\n");
		return false;
	}
	for (unsigned i = 0; i < blockdev_count(); i++) {
		struct blockdev *d = blockdev_at(i);
		uint64_t rng = 0x9E3779B97F4A7C15ull ^ i;

		if (d->parent || d->sectors == 0)
			continue;
		ok &= sync_reads(d, buf, &rng);
		ok &= async_reads(d, buf, &rng);
		ok &= whole_disk(d, buf);
	}
	return ok;
}

/* The pattern the host expects: byte j of the written area. */
static uint8_t pattern(uint32_t j)
{
	return (uint8_t)(j * 7 + (j >> 9) * 13 + 0x5A);
}

static bool test_write(void)
{
	static uint8_t wbuf[WRITE_COUNT * BLOCK_SECTOR_SIZE] __attribute__((aligned(4096)));
	static uint8_t rbuf[WRITE_COUNT * BLOCK_SECTOR_SIZE] __attribute__((aligned(4096)));
	struct blockdev *d = NULL;
	enum blk_err e;

	for (unsigned i = 0; i < blockdev_count(); i++)
		if (!blockdev_at(i)->parent)
			d = blockdev_at(i);
	if (!d || d->sectors < WRITE_SECTOR + WRITE_COUNT) {
		kprintf("disk-write: no disk large enough\n");
		return false;
	}
	for (uint32_t j = 0; j < sizeof(wbuf); j++)
		wbuf[j] = pattern(j);
	e = d->ops->write(d, WRITE_SECTOR, WRITE_COUNT, wbuf);
	if (e == BLK_OK)
		e = d->ops->flush(d);
	if (e == BLK_OK)
		e = d->ops->read(d, WRITE_SECTOR, WRITE_COUNT, rbuf);
	kprintf("disk-write: %s sector=%u count=%u crc=%08x status=%s readback=%s\n", d->name,
		WRITE_SECTOR, WRITE_COUNT, crc32(0, wbuf, sizeof(wbuf)),
		e == BLK_OK ? "ok" : blk_strerror(e),
		e == BLK_OK && memcmp(wbuf, rbuf, sizeof(wbuf)) == 0 ? "same" : "different");
	/* Out of range must be refused before anything reaches the device. */
	kprintf("disk-write: %s past-end status=%s\n", d->name,
		blk_strerror(d->ops->write(d, d->sectors, 1, wbuf)));
	return e == BLK_OK && memcmp(wbuf, rbuf, sizeof(wbuf)) == 0;
}

static bool test_disks(const struct options *o)
{
	static struct disk_info devs[BLOCKDEV_MAX];
	unsigned n = disks_list(devs, BLOCKDEV_MAX);
	struct resume_target t;
	enum locate_err e;

	e = locate_resume(o, devs, n, &t);   /* disks_init() printed the list already */
	kprintf("disks: locate=%s dev=%s page=%llu\n", e == LOCATE_OK ? "ok" : locate_strerror(e),
		t.dev ? t.dev->name : "-", (unsigned long long)t.header_page);
	return true;
}

/* Read all of d one request at a time: devices without submit/complete (LVM). */
static enum blk_err read_all_sync(struct blockdev *d, uint8_t *buf)
{
	enum blk_err e = BLK_OK;

	for (uint64_t s = 0; s < d->sectors && e == BLK_OK; s += STREAM_SEC)
		e = blockdev_read(d, s, (uint32_t)(d->sectors - s < STREAM_SEC ?
						   d->sectors - s : STREAM_SEC), buf);
	return e;
}

static struct blockdev *device_named(const char *name)
{
	for (unsigned i = 0; i < blockdev_count(); i++)
		if (strcmp(blockdev_at(i)->name, name) == 0)
			return blockdev_at(i);
	return NULL;
}

/* Whole-device read throughput, no checksum: of the first disk (`make bench-disk`),
 * or of the device named after "disk-bench:" (a decrypted LUKS or an LVM device:
 * `make bench-luks`). */
static bool test_bench(const char *name)
{
	uint8_t *buf = pmm_alloc_bytes((uint64_t)STREAM_DEPTH * STREAM_SEC * BLOCK_SECTOR_SIZE);
	struct blockdev *d = name ? device_named(name) : blockdev_at(0);
	uint64_t t0, ns;
	enum blk_err e;

	if (!d)
		kprintf("disk-bench: no device %s\n", name ? name : "at all");
	if (!buf || !d)
		return false;
	t0 = timer_ns();
	e = d->ops->submit_read ? stream_disk(d, buf, NULL) : read_all_sync(d, buf);
	ns = timer_ns() - t0;
	kprintf("disk-bench: %s bytes=%llu ns=%llu MiB/s=%llu status=%s\n", d->name,
		(unsigned long long)(d->sectors * BLOCK_SECTOR_SIZE), (unsigned long long)ns,
		(unsigned long long)(ns ? d->sectors * BLOCK_SECTOR_SIZE * 1000000000ull / ns >> 20 : 0),
		e == BLK_OK ? "ok" : blk_strerror(e));
	return e == BLK_OK;
}

/* The first NVMe disk's controller driven into fatal status: a clear message, the
 * controller reset, and every later request refused at once (no hang, no write). */
static bool test_nvme_fatal(void)
{
	static uint8_t buf[4096] __attribute__((aligned(4096)));
	struct blockdev *d = NULL;
	const char *why;
	enum blk_err r, w;
	uint64_t t0;

	for (unsigned i = 0; i < blockdev_count() && !d; i++)
		if (!blockdev_at(i)->parent && strncmp(blockdev_at(i)->name, "nvme", 4) == 0)
			d = blockdev_at(i);
	if (!d) {
		kprintf("disk-nvme-fatal: no NVMe disk\n");
		return false;
	}
	why = nvme_test_fatal(d);
	t0 = timer_ms();
	r = d->ops->read(d, 0, 8, buf);
	w = d->ops->write(d, 0, 8, buf);
	kprintf("disk-nvme-fatal: %s enable=\"%s\" read=%s write=%s ms=%llu\n", d->name, why,
		blk_strerror(r), blk_strerror(w), (unsigned long long)(timer_ms() - t0));
	return r == BLK_EIO && w == BLK_EIO;
}

void disktest_run(const struct options *o)
{
	bool ok;

	if (strcmp(o->test, "disks") == 0)
		ok = test_disks(o);
	else if (strcmp(o->test, "disk-read") == 0)
		ok = test_read();
	else if (strcmp(o->test, "disk-write") == 0)
		ok = test_write();
	else if (strcmp(o->test, "disk-bench") == 0)
		ok = test_bench(NULL);
	else if (strncmp(o->test, "disk-bench:", 11) == 0)
		ok = test_bench(o->test + 11);
	else if (strcmp(o->test, "disk-nvme-fatal") == 0)
		ok = test_nvme_fatal();
	else
		return;
	kprintf("disktest: %s %s\n", o->test, ok ? "passed" : "FAILED");
	power_test_exit(ok ? POWER_EXIT_SUCCESS : POWER_EXIT_FAILURE);
	power_halt();
}
