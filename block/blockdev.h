/* A block device as the image reader sees it: a disk or a partition, addressed in
 * 512-byte sectors whatever its logical block size (as Linux's sector_t is), with an
 * optional asynchronous read interface for overlap. */
#ifndef THAW_BLOCKDEV_H
#define THAW_BLOCKDEV_H
#include <stdbool.h>
#include <stdint.h>

#define BLOCK_SECTOR_SIZE 512u /* every struct blockdev addresses 512-byte sectors */

enum blk_err {
	BLK_OK = 0,
	BLK_EIO,          /* the device reported an I/O error */
	BLK_ERANGE,       /* request past the end of the device */
	BLK_ETIMEDOUT,    /* the device did not complete in time */
	BLK_EUNSUPP,      /* the device refused the request type */
	BLK_ENOMEM,       /* no memory for request state */
	BLK_EINVAL,       /* misaligned or malformed request */
};

const char *blk_strerror(enum blk_err e);

/* Every sector number and count below is in 512-byte units. A device whose logical
 * block is larger (a 4Kn disk: 4096) takes only requests whose sector and count are
 * multiples of block_size / 512 and answers others with BLK_EINVAL, like Linux's
 * bdev_logical_block_size() alignment rule. Partition tables count in device blocks
 * (block/mbr.c, block/gpt.c convert); a hibernation page (4 KiB) is 8 sectors, one
 * block of a 4Kn disk. */
#define BLOCKDEV_BLOCK_MAX  4096u     /* largest logical block size supported */

struct blockdev;

struct blockdev_ops {
	enum blk_err (*read)(struct blockdev *d, uint64_t sector, uint32_t count, void *buf);
	enum blk_err (*write)(struct blockdev *d, uint64_t sector, uint32_t count, const void *buf);
	enum blk_err (*flush)(struct blockdev *d);
	/* Asynchronous reads (optional; NULL = only synchronous). submit queues a read
	 * tagged `tag` and may defer the doorbell until kick; complete returns one
	 * finished request's tag and status, or false if none is outstanding.
	 * complete waits (polling, bounded by the driver's timeout) when nothing has
	 * finished yet; requests finish in any order. virtio-blk: count ≤ max_sectors,
	 * at most queue-size (256 under QEMU) submitted, not yet completed (else BLK_ENOMEM). */
	enum blk_err (*submit_read)(struct blockdev *d, uint64_t sector, uint32_t count, void *buf, uint64_t tag);
	void (*kick)(struct blockdev *d);
	bool (*complete)(struct blockdev *d, uint64_t *tag, enum blk_err *status);
	void (*quiesce)(struct blockdev *d);   /* stop DMA: device reset before hand-off */
};

struct blockdev {
	char name[16];              /* vda, vdb, vda1, ... */
	uint64_t sectors;           /* size in 512-byte sectors */
	uint32_t block_size;        /* logical block in bytes: 512…4096, a power of two;
				     * 0 is taken as 512 */
	uint32_t max_sectors;       /* largest single request (a whole number of blocks) */
	uint32_t max_async;         /* most submit_read()s outstanding at once (0: no limit) */
	const struct blockdev_ops *ops;
	struct blockdev *parent;    /* partition: the whole disk; disk: NULL */
	uint64_t start;             /* partition: first sector on the parent */
	uint8_t uuid[16];           /* filled by the swap-area probe */
	char label[17];
	void *priv;
};

/* The logical block in 512-byte sectors: 1, or 8 on a 4Kn disk. */
static inline uint32_t blockdev_block_sectors(const struct blockdev *d)
{
	return d->block_size > BLOCK_SECTOR_SIZE ? d->block_size / BLOCK_SECTOR_SIZE : 1;
}

/* The logical block in bytes (512 when the driver left block_size 0). */
static inline uint32_t blockdev_block_bytes(const struct blockdev *d)
{
	return blockdev_block_sectors(d) * BLOCK_SECTOR_SIZE;
}

/* Whether [sector, sector+count) starts and ends on logical block boundaries. */
static inline bool blockdev_aligned(const struct blockdev *d, uint64_t sector, uint64_t count)
{
	uint32_t b = blockdev_block_sectors(d);

	return sector % b == 0 && count % b == 0;
}

/* Make p partition `number` of disk covering [start, start+sectors), named like
 * Linux (vda1; a "p" before the number when the disk name ends in a digit). */
void blockdev_partition_init(struct blockdev *p, struct blockdev *disk, uint32_t number,
			     uint64_t start, uint64_t sectors);

/* Whole-disk helpers that check the range, the block alignment (BLK_EINVAL) and the
 * op's presence, and split requests at max_sectors. */
enum blk_err blockdev_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf);
enum blk_err blockdev_write(struct blockdev *d, uint64_t sector, uint32_t count, const void *buf);
enum blk_err blockdev_flush(struct blockdev *d);

#endif
