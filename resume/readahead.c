/* Read-ahead over blockdev submit_read/kick/complete: RA_SLOTS buffers, each filled
 * with up to RA_SLOT_BLOCKS stream blocks as up to RA_SLOT_REQS contiguous runs. */
#include "resume/readahead.h"

#include <stdbool.h>

#include "image/swsusp_format.h"
#include "kernel/timer.h"

#define SECTORS_PER_BLOCK SWSUSP_PAGE_SECTORS

/* One request: stream blocks [first, first + count), in the slot's buffer or at home. */
struct ra_seg {
	size_t first, count;
	uint8_t *home;          /* NULL: in the slot's buffer at (first - slot first) */
};

struct ra_slot {
	size_t first, count;    /* stream blocks [first, first+count) */
	struct ra_seg seg[RA_SLOT_REQS];
	unsigned nseg;
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
	ra_home_fn home;
	void *arg;
	struct ra_stats *st;
};

static uint8_t *slot_buf(struct ra *r, unsigned i)
{
	return r->bufs + (size_t)i * RA_SLOT_BLOCKS * 4096;
}

/* Issue one contiguous run; synchronous devices complete it at once. */
static bool ra_issue(struct ra *r, unsigned i, size_t at, size_t len, uint8_t *home)
{
	struct ra_slot *s = &r->slot[i];
	uint8_t *buf = home ? home : slot_buf(r, i) + (at - s->first) * 4096;
	uint64_t sector = r->blocks[at] * SECTORS_PER_BLOCK;
	uint32_t count = (uint32_t)len * SECTORS_PER_BLOCK;
	enum blk_err e;

	r->st->requests++;
	s->seg[s->nseg++] = (struct ra_seg){ at, len, home };
	if (home)
		r->st->home_blocks += len;
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

/* The first piece of run [at, at + len) that home() puts in one place: *home and its
 * length, or the blocks up to the next home piece, which go through the buffer. */
static size_t ra_split(struct ra *r, size_t at, size_t len, uint8_t **home)
{
	size_t done = 0;

	*home = NULL;
	while (done < len) {
		size_t k = len - done;
		uint8_t *h = r->home(r->arg, at + done, &k);

		if (!k || k > len - done)
			k = len - done;
		if (h && done)
			return done;
		if (h) {
			*home = h;
			return k;
		}
		done += k;
	}
	return done;
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
	s->nseg = 0;
	s->failed = false;
	if (!max_run)
		max_run = 1;
	while (r->next < r->n && s->count < RA_SLOT_BLOCKS && runs < max_runs) {
		size_t at = r->next, len = 1;
		uint8_t *home = NULL;

		while (at + len < r->n && s->count + len < RA_SLOT_BLOCKS && len < max_run &&
		       r->blocks[at + len] == r->blocks[at + len - 1] + 1)
			len++;
		if (r->home)
			len = ra_split(r, at, len, &home);
		s->count += len;
		r->next += len;
		runs++;
		if (!ra_issue(r, i, at, len, home))
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

/* Hand slot i's blocks over in order: each home run where it was read, and runs in
 * the buffer together (they are adjacent there). */
static int ra_consume(struct ra *r, unsigned i, ra_consume_fn consume, void *arg)
{
	struct ra_slot *s = &r->slot[i];
	unsigned g = 0;
	int rc = 0;

	while (g < s->nseg && !rc) {
		const struct ra_seg *a = &s->seg[g];
		size_t count = a->count;

		if (a->home) {
			rc = consume(arg, a->home, count);
			g++;
			continue;
		}
		while (++g < s->nseg && !s->seg[g].home)
			count += s->seg[g].count;
		rc = consume(arg, slot_buf(r, i) + (a->first - s->first) * 4096, count);
	}
	return rc;
}

enum ra_err readahead_run(struct blockdev *d, const uint64_t *blocks, size_t n, uint8_t *bufs,
			  ra_consume_fn consume, ra_home_fn home, void *arg, struct ra_stats *st,
			  uint64_t *bad_block)
{
	struct ra r = { .d = d, .blocks = blocks, .n = n, .bufs = bufs, .st = st,
			.home = home, .arg = arg,
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
		int rc = ra_consume(&r, cur, consume, arg);
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
