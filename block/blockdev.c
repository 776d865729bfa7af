/* Block devices: partitions layered on a disk by offsetting every request, and
 * range-checked, chunked helpers. The registry of devices is block/disks.c. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/blockdev.h"

const char *blk_strerror(enum blk_err e)
{
	switch (e) {
	case BLK_OK:        return "ok";
	case BLK_EIO:       return "I/O error reported by the device";
	case BLK_ERANGE:    return "request past the end of the device";
	case BLK_ETIMEDOUT: return "device did not answer in time";
	case BLK_EUNSUPP:   return "request type not supported by the device";
	case BLK_ENOMEM:    return "out of memory for request state";
	case BLK_EINVAL:    return "malformed request";
	}
	return "unknown block error";
}

static bool in_range(const struct blockdev *d, uint64_t sector, uint32_t count)
{
	return sector <= d->sectors && count <= d->sectors - sector;
}

/* BLK_OK when the request lies inside d and on its block boundaries. */
static enum blk_err check(const struct blockdev *d, uint64_t sector, uint32_t count)
{
	if (!in_range(d, sector, count))
		return BLK_ERANGE;
	return blockdev_aligned(d, sector, count) ? BLK_OK : BLK_EINVAL;
}

/* Partition ops: check against the partition, then pass to the disk shifted by
 * the partition's start. Tags and completions are the disk's own. */
static enum blk_err part_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf)
{
	enum blk_err e = check(d, sector, count);

	if (e != BLK_OK)
		return e;
	return d->parent->ops->read(d->parent, d->start + sector, count, buf);
}

static enum blk_err part_write(struct blockdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	enum blk_err e = check(d, sector, count);

	if (e != BLK_OK)
		return e;
	return d->parent->ops->write(d->parent, d->start + sector, count, buf);
}

static enum blk_err part_flush(struct blockdev *d)
{
	return d->parent->ops->flush(d->parent);
}

static enum blk_err part_submit(struct blockdev *d, uint64_t sector, uint32_t count,
				void *buf, uint64_t tag)
{
	enum blk_err e = check(d, sector, count);

	if (e != BLK_OK)
		return e;
	return d->parent->ops->submit_read(d->parent, d->start + sector, count, buf, tag);
}

static void part_kick(struct blockdev *d)
{
	d->parent->ops->kick(d->parent);
}

static bool part_complete(struct blockdev *d, uint64_t *tag, enum blk_err *status)
{
	return d->parent->ops->complete(d->parent, tag, status);
}

static void part_quiesce(struct blockdev *d)
{
	d->parent->ops->quiesce(d->parent);
}

static const struct blockdev_ops part_ops_sync = {
	.read = part_read, .write = part_write, .flush = part_flush, .quiesce = part_quiesce,
};

static const struct blockdev_ops part_ops_async = {
	.read = part_read, .write = part_write, .flush = part_flush, .quiesce = part_quiesce,
	.submit_read = part_submit, .kick = part_kick, .complete = part_complete,
};

/* "vda" + 1 → "vda1"; "nvme0n1" + 1 → "nvme0n1p1" (Linux disk_name()). */
static void part_name(char *out, size_t cap, const char *disk, uint32_t number)
{
	char digits[11];
	size_t n = 0, len = strnlen(disk, cap - 1);

	do {
		digits[n++] = (char)('0' + number % 10);
		number /= 10;
	} while (number && n < sizeof(digits));
	memcpy(out, disk, len);
	if (len && disk[len - 1] >= '0' && disk[len - 1] <= '9' && len < cap - 1)
		out[len++] = 'p';
	while (n && len < cap - 1)
		out[len++] = digits[--n];
	out[len] = '\0';
}

void blockdev_partition_init(struct blockdev *p, struct blockdev *disk, uint32_t number,
			     uint64_t start, uint64_t sectors)
{
	memset(p, 0, sizeof(*p));
	part_name(p->name, sizeof(p->name), disk->name, number);
	p->sectors = sectors;
	p->block_size = disk->block_size;
	p->max_sectors = disk->max_sectors;
	p->max_async = disk->max_async;
	p->ops = disk->ops->submit_read ? &part_ops_async : &part_ops_sync;
	p->parent = disk;
	p->start = start;
}

/* The next piece of a request: at most max_sectors, rounded down to whole blocks. */
static uint32_t chunk(const struct blockdev *d, uint32_t left)
{
	uint32_t b = blockdev_block_sectors(d), max = d->max_sectors - d->max_sectors % b;

	return max && left > max ? max : left;
}

enum blk_dir { BLK_DIR_READ, BLK_DIR_WRITE };

/* One request, range-checked first, split into chunks of at most max_sectors. A write's
 * buffer travels as non-const here but reaches only ops->write, which takes it as const. */
static enum blk_err transfer(struct blockdev *d, enum blk_dir dir, uint64_t sector,
			     uint32_t count, uint8_t *p)
{
	enum blk_err e = check(d, sector, count);

	if (e != BLK_OK)
		return e;
	if (dir == BLK_DIR_WRITE && !d->ops->write)
		return BLK_EUNSUPP;
	while (count) {
		uint32_t n = chunk(d, count);

		e = dir == BLK_DIR_WRITE ? d->ops->write(d, sector, n, p) :
		    d->ops->read(d, sector, n, p);
		if (e != BLK_OK)
			return e;
		sector += n;
		count -= n;
		p += (size_t)n * BLOCK_SECTOR_SIZE;
	}
	return BLK_OK;
}

enum blk_err blockdev_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf)
{
	return transfer(d, BLK_DIR_READ, sector, count, buf);
}

enum blk_err blockdev_write(struct blockdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	return transfer(d, BLK_DIR_WRITE, sector, count, (uint8_t *)(uintptr_t)buf);
}

enum blk_err blockdev_flush(struct blockdev *d)
{
	return d->ops->flush ? d->ops->flush(d) : BLK_OK;
}
