/* Unit tests for resume/readahead.c over a RAM disk (tests/host/memdisk.h) with an
 * asynchronous queue that completes requests out of order: blocks reach the consumer
 * strictly in stream order, requests respect the device's limits, errors name the
 * block, and nothing is left in flight when readahead_run() returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/timer.h"
#include "resume/readahead.h"
#include "tests/host/memdisk.h"

uint64_t timer_ns(void)
{
	static uint64_t now;

	return now += 1000;
}

#define DISK_BLOCKS 4096        /* 16 MiB */
#define QMAX 256

struct req {
	uint64_t sector, tag;
	uint32_t count;
	void *buf;
};

/* The queue: submitted requests complete in an order of the fake's choosing. */
static struct {
	struct memdisk m;
	struct req q[QMAX];
	unsigned n, max_seen, kicks;
	unsigned refuse_after;          /* submit_read fails with BLK_ENOMEM from then on */
	unsigned submits;
	uint64_t rng;
	uint32_t largest;
} fd;

static enum blk_err fd_submit(struct blockdev *d, uint64_t sector, uint32_t count, void *buf,
			      uint64_t tag)
{
	if (fd.submits++ >= fd.refuse_after || fd.n == QMAX ||
	    (d->max_async && fd.n >= d->max_async))
		return BLK_ENOMEM;
	if (sector > d->sectors || count > d->sectors - sector)
		return BLK_ERANGE;
	fd.q[fd.n++] = (struct req){ sector, tag, count, buf };
	fd.max_seen = fd.n > fd.max_seen ? fd.n : fd.max_seen;
	fd.largest = count > fd.largest ? count : fd.largest;
	return BLK_OK;
}

static void fd_kick(struct blockdev *d)
{
	(void)d;
	fd.kicks++;
}

/* A pseudo-random outstanding request finishes (data copied, or BLK_EIO). */
static bool fd_complete(struct blockdev *d, uint64_t *tag, enum blk_err *status)
{
	struct req r;
	unsigned i;

	if (!fd.n)
		return false;
	fd.rng = fd.rng * 6364136223846793005ull + 1442695040888963407ull;
	i = (unsigned)((fd.rng >> 33) % fd.n);
	r = fd.q[i];
	fd.q[i] = fd.q[--fd.n];
	*tag = r.tag;
	*status = memdisk_read(d, r.sector, r.count, r.buf);
	return true;
}

static const struct blockdev_ops async_ops = {
	.read = memdisk_read, .write = memdisk_write, .flush = memdisk_flush,
	.submit_read = fd_submit, .kick = fd_kick, .complete = fd_complete,
};

/* What the consumer saw. */
static struct {
	size_t delivered;               /* stream blocks so far */
	size_t calls, stop_at_call;     /* consume returns 1 on call stop_at_call */
	bool in_order;
} seen;

static uint64_t *blocks;
static size_t nblocks;
static uint8_t *bufs;
static struct ra_stats st;

/* Home for test_home_runs: stream block i goes to home_area + i * 4096 when i / 10 is
 * odd (runs of 10 blocks); the others through the buffers. */
static uint8_t *home_area;
static size_t home_asked;               /* the last block asked about */
static bool home_ascending, home_where;

static bool is_home(size_t i)
{
	return i / 10 % 2 == 1;
}

static uint8_t *home(void *arg, size_t first, size_t *n)
{
	size_t k = 0;

	(void)arg;
	home_ascending &= first >= home_asked;
	home_asked = first;
	while (k < *n && is_home(first + k) == is_home(first))
		k++;
	*n = k;
	return is_home(first) ? home_area + first * 4096 : NULL;
}

static int consume(void *arg, const uint8_t *b, size_t n)
{
	(void)arg;
	if (home_area) {
		for (size_t i = 0; i < n; i++) {
			size_t at = seen.delivered + i;
			bool there = b + i * 4096 == home_area + at * 4096;
			home_where &= there == is_home(at);
		}
	}
	seen.calls++;
	for (size_t i = 0; i < n; i++) {
		uint64_t want = blocks[seen.delivered + i];
		uint64_t got;

		memcpy(&got, b + i * 4096, 8);
		if (got != want || b[i * 4096 + 4095] != (uint8_t)(want * 7))
			seen.in_order = false;
	}
	seen.delivered += n;
	return seen.calls == seen.stop_at_call;
}

/* Every 4 KiB block of the disk names itself: its number, then a check byte. */
static void make_disk(bool async)
{
	memset(&fd, 0, sizeof(fd));
	memdisk_init(&fd.m, "vda", DISK_BLOCKS * 8ull);
	for (uint64_t b = 0; b < DISK_BLOCKS; b++) {
		memcpy(fd.m.data + b * 4096, &b, 8);
		fd.m.data[b * 4096 + 4095] = (uint8_t)(b * 7);
	}
	fd.m.bd.max_sectors = 1024;             /* 128 blocks per request at most */
	if (async)
		fd.m.bd.ops = &async_ops;
	fd.refuse_after = UINT32_MAX;
	fd.rng = 12345;
}

/* A fragmented stream: runs of varying length, jumping backwards and forwards. */
static void make_stream(size_t n)
{
	uint64_t at = 100;

	nblocks = n;
	for (size_t i = 0; i < n; i++) {
		if (i % 37 == 0)
			at = (at * 2654435761u + 17) % (DISK_BLOCKS - 64);
		blocks[i] = at++;
	}
}

static int setup(void **state)
{
	(void)state;
	blocks = calloc(DISK_BLOCKS, sizeof(*blocks));
	bufs = malloc((size_t)RA_SLOTS * RA_SLOT_BLOCKS * 4096);
	memset(&seen, 0, sizeof(seen));
	seen.in_order = true;
	memset(&st, 0, sizeof(st));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(blocks);
	free(bufs);
	memdisk_free(&fd.m);
	return 0;
}

static enum ra_err run(uint64_t *bad)
{
	return readahead_run(&fd.m.bd, blocks, nblocks, bufs, consume, NULL, NULL, &st, bad);
}

static void test_sync_device_in_order(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(false);
	make_stream(3000);
	assert_int_equal(run(&bad), RA_OK);
	assert_true(seen.in_order);
	assert_int_equal(seen.delivered, 3000);
	assert_int_equal(st.blocks, 3000);
	assert_true(st.requests >= 3000 / 37);      /* at least one request per run */
	assert_int_equal(seen.calls, (3000 + RA_SLOT_BLOCKS - 1) / RA_SLOT_BLOCKS);
}

static void test_async_out_of_order(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	make_stream(4000);
	assert_int_equal(run(&bad), RA_OK);
	assert_true(seen.in_order);
	assert_int_equal(seen.delivered, 4000);
	assert_int_equal(fd.n, 0);
	assert_true(fd.max_seen > 1);               /* several reads were in flight */
	assert_true(fd.max_seen <= RA_SLOTS * RA_SLOT_REQS);
	assert_true(fd.largest <= 1024);
	assert_true(fd.kicks > 0);
}

/* A long contiguous stream is read in requests of max_sectors, not one per block. */
static void test_contiguous_uses_large_requests(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	nblocks = 2048;
	for (size_t i = 0; i < nblocks; i++)
		blocks[i] = 1000 + i;
	assert_int_equal(run(&bad), RA_OK);
	assert_true(seen.in_order);
	assert_int_equal(st.requests, 2048 / 128);
	assert_int_equal(fd.largest, 1024);
}

/* Runs home() places are read straight there and handed over in place, the rest
 * through the buffers, all in stream order. */
static void test_home_runs(void **state)
{
	uint64_t bad = 0;
	size_t want = 0;

	(void)state;
	make_disk(true);
	make_stream(3000);
	home_area = calloc(3000, 4096);
	home_asked = 0;
	home_ascending = home_where = true;
	assert_int_equal(readahead_run(&fd.m.bd, blocks, nblocks, bufs, consume, home, NULL,
				       &st, &bad), RA_OK);
	for (size_t i = 0; i < 3000; i++)
		want += is_home(i);
	assert_true(seen.in_order);
	assert_int_equal(seen.delivered, 3000);
	assert_true(home_ascending);
	assert_true(home_where);
	assert_int_equal(st.home_blocks, want);
	free(home_area);
	home_area = NULL;
}

/* A small queue (max_async 6): never more outstanding than the device takes. */
static void test_small_queue_budget(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	fd.m.bd.max_async = 6;
	make_stream(3000);
	assert_int_equal(run(&bad), RA_OK);
	assert_true(seen.in_order);
	assert_int_equal(seen.delivered, 3000);
	assert_true(fd.max_seen <= 6);
}

static void test_async_read_error(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	make_stream(3000);
	fd.m.bad_sector = blocks[1500] * 8 + 3;     /* inside stream block 1500 */
	assert_int_equal(run(&bad), RA_EIO);
	/* The slot holding block 1500 (the third) names its first block; the slots
	 * before it were delivered whole, nothing after. */
	assert_int_equal(bad, blocks[2 * RA_SLOT_BLOCKS]);
	assert_int_equal(seen.delivered, 2 * RA_SLOT_BLOCKS);
	assert_true(seen.in_order);
	assert_int_equal(fd.n, 0);                  /* drained: no DMA into freed buffers */
}

static void test_sync_read_error(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(false);
	make_stream(3000);
	fd.m.bad_sector = blocks[40] * 8;           /* stream block 40 opens a run */
	assert_int_equal(run(&bad), RA_EIO);
	assert_int_equal(bad, blocks[37]);          /* the failed run starts at block 37 */
	assert_int_equal(seen.delivered, 0);
}

static void test_submit_refused(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	make_stream(3000);
	fd.refuse_after = 3;
	assert_int_equal(run(&bad), RA_EIO);
	assert_int_equal(bad, blocks[3 * 37]);      /* the fourth run, which was refused */
	assert_int_equal(seen.delivered, 0);
	assert_int_equal(fd.n, 0);
}

static void test_consumer_stops(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	make_stream(3000);
	seen.stop_at_call = 2;
	assert_int_equal(run(&bad), RA_ECONSUME);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.delivered, 2 * RA_SLOT_BLOCKS);
	assert_int_equal(fd.n, 0);
}

static void test_empty_stream(void **state)
{
	uint64_t bad = 0;

	(void)state;
	make_disk(true);
	nblocks = 0;
	assert_int_equal(run(&bad), RA_OK);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(st.requests, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_device_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contiguous_uses_large_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_queue_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_read_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_read_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consumer_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_stream, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
