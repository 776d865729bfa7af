/* Read-ahead over blockdev submit_read/kick/complete: RA_SLOTS buffers, each filled
 * with up to RA_SLOT_BLOCKS stream blocks as up to RA_SLOT_REQS contiguous runs. */
#include "resume/readahead.h"

#include <stdbool.h>

#include "image/swsusp_format.h"
#include "kernel/timer.h"

#define SECTORS_PER_BLOCK SWSUSP_PAGE_SECTORS

struct ra_slot {
	size_t first, count;    /* stream blocks [first, first+count) */
	unsigned pending;       /* requests not yet completed */
	bool failed;
	uint64_t bad_block;
};

struct ra {
	struct blockdev *d;
	const uint64_t *blocks;
	size_t n, next;         /* next stream block to schedule */
	uint8_t *bufs;
	struct ra_slot slot[RA_SLOTS];
	bool async;
	struct ra_stats *st;
};

static uint8_t *slot_buf(struct ra *r, unsigned i)
{
	return r->bufs + (size_t)i * RA_SLOT_BLOCKS * 4096;
}

/* Issue one contiguous run; synchronous devices complete it at once. */
static bool ra_issue(struct ra *r, unsigned i, size_t at, size_t len)
{
	struct ra_slot *s = &r->slot[i];
	uint8_t *buf = slot_buf(r, i) + (at - s->first) * 4096;
	uint64_t sector = r->blocks[at] * SECTORS_PER_BLOCK;
	uint32_t count = (uint32_t)len * SECTORS_PER_BLOCK;
	enum blk_err e;

	r->st->requests++;
	if (r->async) {
		e = r->d->ops->submit_read(r->d, sector, count, buf, i);
		if (e == BLK_OK) {
			s->pending++;
			return true;
		}
	} else {
		e = blockdev_read(r->d, sector, count, buf);
		if (e == BLK_OK)
			return true;
	}
	s->failed = true;
	s->bad_block = r->blocks[at];
	return false;
}

/* Runs per slot such that all slots together never exceed what the device takes
 * outstanding at once (a small virtqueue would otherwise refuse a fragmented image). */
static unsigned ra_max_runs(const struct blockdev *d)
{
	unsigned per_slot = d->max_async / RA_SLOTS;

	if (!d->max_async || per_slot >= RA_SLOT_REQS)
		return RA_SLOT_REQS;
	return per_slot ? per_slot : 1;
}

/* Fill slot i with the next stream blocks, grouped into contiguous runs. */
static void ra_fill(struct ra *r, unsigned i)
{
	struct ra_slot *s = &r->slot[i];
	uint32_t max_run = r->d->max_sectors / SECTORS_PER_BLOCK;
	unsigned runs = 0, max_runs = ra_max_runs(r->d);
	uint64_t t0 = timer_ns();

	s->first = r->next;
	s->count = 0;
	s->pending = 0;
	s->failed = false;
	if (!max_run)
		max_run = 1;
	while (r->next < r->n && s->count < RA_SLOT_BLOCKS && runs < max_runs) {
		size_t at = r->next, len = 1;
		while (at + len < r->n && s->count + len < RA_SLOT_BLOCKS && len < max_run &&
		       r->blocks[at + len] == r->blocks[at + len - 1] + 1)
			len++;
		s->count += len;
		r->next += len;
		runs++;
		if (!ra_issue(r, i, at, len))
			break;
	}
	if (r->async && runs)
		r->d->ops->kick(r->d);
	r->st->submit_ns += timer_ns() - t0;
}

/* Wait until slot i has all its data. */
static void ra_wait(struct ra *r, unsigned i)
{
	uint64_t t0 = timer_ns();

	while (r->slot[i].pending) {
		uint64_t tag;
		enum blk_err status;
		if (!r->d->ops->complete(r->d, &tag, &status))
			break;
		if (tag >= RA_SLOTS || !r->slot[tag].pending)
			continue;       /* not ours: the driver hands back only our tags */
		r->slot[tag].pending--;
		if (status != BLK_OK && !r->slot[tag].failed) {
			r->slot[tag].failed = true;
			r->slot[tag].bad_block = r->blocks[r->slot[tag].first];
		}
	}
	r->st->wait_ns += timer_ns() - t0;
}

/* Let every outstanding request land before returning (no DMA into buffers the
 * caller may reuse). */
static void ra_drain(struct ra *r)
{
	for (unsigned i = 0; i < RA_SLOTS; i++)
		ra_wait(r, i);
}

enum ra_err readahead_run(struct blockdev *d, const uint64_t *blocks, size_t n, uint8_t *bufs,
			  ra_consume_fn consume, void *arg, struct ra_stats *st, uint64_t *bad_block)
{
	struct ra r = { .d = d, .blocks = blocks, .n = n, .bufs = bufs, .st = st,
			.async = d->ops->submit_read && d->ops->kick && d->ops->complete };
	unsigned cur = 0;

	for (unsigned i = 0; i < RA_SLOTS; i++)
		ra_fill(&r, i);
	while (r.slot[cur].count) {
		struct ra_slot *s = &r.slot[cur];
		ra_wait(&r, cur);
		if (s->failed) {
			*bad_block = s->bad_block;
			ra_drain(&r);
			return RA_EIO;
		}
		uint64_t t0 = timer_ns();
		int rc = consume(arg, slot_buf(&r, cur), s->count);
		st->consume_ns += timer_ns() - t0;
		st->blocks += s->count;
		if (rc) {
			ra_drain(&r);
			return RA_ECONSUME;
		}
		ra_fill(&r, cur);
		cur = (cur + 1) % RA_SLOTS;
	}
	return RA_OK;
}
