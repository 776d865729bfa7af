/* A RAM-backed struct blockdev for unit tests: reads and writes memcpy, and a
 * sector, a later read, a write or a flush can be set to fail so error paths are
 * reachable. A logical block larger than 512 bytes (memdisk_set_block) refuses
 * misaligned requests as a 4Kn disk does. */
#ifndef THAW_TEST_MEMDISK_H
#define THAW_TEST_MEMDISK_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "block/blockdev.h"

struct memdisk {
	struct blockdev bd;
	uint8_t *data;
	uint64_t bad_sector;      /* reads touching it fail with BLK_EIO; UINT64_MAX = none */
	unsigned reads;
	bool strict;              /* abort() on a request outside the disk or off its
				   * block boundaries (fuzzing) */
	unsigned misaligned;      /* requests refused for their alignment */
	unsigned fail_reads_after; /* 0: never; N: every read after the first N fails */
	enum blk_err write_err;   /* what writes return (BLK_OK: they write) */
	bool drop_writes;         /* writes report BLK_OK but change nothing */
	enum blk_err flush_err;
	unsigned writes, flushes;
};

/* BLK_OK, or why the request is refused (abort() in strict mode). */
static inline enum blk_err memdisk_check(struct memdisk *m, uint64_t sector, uint32_t count)
{
	struct blockdev *d = &m->bd;
	enum blk_err e = BLK_OK;

	if (sector > d->sectors || count > d->sectors - sector)
		e = BLK_ERANGE;
	else if (!blockdev_aligned(d, sector, count))
		e = BLK_EINVAL;
	if (e == BLK_EINVAL)
		m->misaligned++;
	if (e != BLK_OK && m->strict)
		abort();
	return e;
}

static enum blk_err memdisk_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct memdisk *m = d->priv;
	enum blk_err e = memdisk_check(m, sector, count);

	m->reads++;
	if (m->fail_reads_after && m->reads > m->fail_reads_after)
		return BLK_EIO;
	if (e != BLK_OK)
		return e;
	if (m->bad_sector >= sector && m->bad_sector < sector + count)
		return BLK_EIO;
	memcpy(buf, m->data + sector * 512, (size_t)count * 512);
	return BLK_OK;
}

static enum blk_err memdisk_write(struct blockdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	struct memdisk *m = d->priv;
	enum blk_err e = memdisk_check(m, sector, count);

	m->writes++;
	if (e != BLK_OK)
		return e;
	if (m->write_err != BLK_OK || m->drop_writes)
		return m->write_err;
	memcpy(m->data + sector * 512, buf, (size_t)count * 512);
	return BLK_OK;
}

static enum blk_err memdisk_flush(struct blockdev *d)
{
	struct memdisk *m = d->priv;

	m->flushes++;
	return m->flush_err;
}

static const struct blockdev_ops memdisk_ops = {
	.read = memdisk_read, .write = memdisk_write, .flush = memdisk_flush,
};

/* A disk over the caller's `sectors` × 512 bytes at data (memdisk_free must not be
 * called): the fuzzers reuse one buffer instead of allocating a disk per input. */
static inline void memdisk_init_on(struct memdisk *m, const char *name, uint64_t sectors,
				   uint8_t *data)
{
	memset(m, 0, sizeof(*m));
	strncpy(m->bd.name, name, sizeof(m->bd.name) - 1);
	m->bd.sectors = sectors;
	m->bd.max_sectors = 256;
	m->bd.ops = &memdisk_ops;
	m->bd.priv = m;
	m->data = data;
	m->bad_sector = UINT64_MAX;
}

static inline void memdisk_init(struct memdisk *m, const char *name, uint64_t sectors)
{
	memdisk_init_on(m, name, sectors, calloc(sectors ? sectors : 1, 512));
}

/* Give the disk a logical block of `bytes` (512 or 4096); its size stays the same. */
static inline void memdisk_set_block(struct memdisk *m, uint32_t bytes)
{
	m->bd.block_size = bytes;
}

static inline void memdisk_free(struct memdisk *m)
{
	free(m->data);
}

#endif
