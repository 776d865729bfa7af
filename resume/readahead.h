/* Read-ahead for the image stream: keeps several multi-block reads in flight on the
 * resume device while the decoder works on the oldest finished one, and hands the
 * blocks over strictly in stream order. Requests may span map pages, since the whole
 * map chain is read first (docs/ARCHITECTURE.md). Falls back to synchronous reads when
 * the device has no async ops. A caller may name, run by run, where blocks go instead
 * of the buffers (their home): the device then reads them straight there. */
#ifndef THAW_RESUME_READAHEAD_H
#define THAW_RESUME_READAHEAD_H
#include <stddef.h>
#include <stdint.h>

#include "block/blockdev.h"

#define RA_SLOTS        4       /* buffers in flight */
#define RA_SLOT_BLOCKS  512     /* 2 MiB per buffer */
#define RA_SLOT_REQS    16      /* disjoint runs per buffer (virtqueue budget) */

/* Receives nblocks consecutive stream blocks (4 KiB each) in order. */
typedef int (*ra_consume_fn)(void *arg, const uint8_t *blocks, size_t nblocks);

/* Stream blocks [first, first + *n): where the device may read the first *n' <= *n of
 * them straight to (*n cut to n'), or NULL with *n cut to how many go through the
 * buffers. Called in ascending order of first (one block may be asked about again).
 * The blocks are then handed to consume where they were read. */
typedef uint8_t *(*ra_home_fn)(void *arg, size_t first, size_t *n);

struct ra_stats {
	uint64_t wait_ns;       /* waiting for the device */
	uint64_t consume_ns;    /* inside consume() */
	uint64_t submit_ns;     /* queueing requests (ra_fill) */
	uint64_t requests;
	uint64_t home_blocks;   /* read straight to where home() said */
	uint64_t blocks;
};

enum ra_err {
	RA_OK = 0,
	RA_EIO,                 /* a read failed: *bad_block says which */
	RA_ECONSUME,            /* consume() returned non-zero */
};

/* Stream blocks[0..n) of d (4 KiB block numbers relative to d) through consume (arg
 * for it and for home, which may be NULL). bufs: RA_SLOTS * RA_SLOT_BLOCKS * 4096
 * bytes, DMA-able. */
enum ra_err readahead_run(struct blockdev *d, const uint64_t *blocks, size_t n, uint8_t *bufs,
			  ra_consume_fn consume, ra_home_fn home, void *arg, struct ra_stats *st,
			  uint64_t *bad_block);

#endif
