/* Parallel decode of compressed image blocks (Linux kernel/power/swap.c
 * load_compressed_image() splits the same work over its decompression threads): the
 * boot CPU frames and queues, any CPU decodes and checksums, the boot CPU emits in
 * order. A fault on any block stops the stream at that block, as the serial path does.
 *
 * Decoding at home. A block's length is known only once it is decoded, so where its
 * pages go is predicted when it is queued: r, the stream page it would start at if
 * every block still undecoded were a whole 32 pages (blocks decoded hold their true
 * length). A block is at most 32 pages, so its true start a <= r: every page it may
 * write, [r, r + 32), lies at or beyond its own true start, i.e. in pages no earlier
 * block owns. Each r also starts at or after the predicted pages of every block still
 * in flight, so no two decodes write the same frame. When r == a the pages are home
 * already; else (a < r) emission copies them down at once, in ascending order, which
 * reads each source page before any copy can overwrite it, and never reaches [r + 32,
 * ...) where later blocks decode. Pages written at r but owned by a later block are
 * rewritten when that block is emitted. Linux writes whole 32-page blocks but the
 * last (kernel/power/swap.c save_compressed_image()), so there r == a throughout. */
#include "resume/pload.h"

#include <stddef.h>

#include "kernel/timer.h"
#include "lib/crc32.h"

static void decode_job(struct smp_work *w)
{
	struct pload_job *j = (struct pload_job *)w;
	uint64_t t0;

	j->err = img_block_decode(j->codec, j->blk, j->out, &j->unc_len);
	j->crc_ns = 0;
	if (j->err || !j->crc)
		return;
	t0 = timer_ns();
	j->crc32 = crc32_le(0, j->out, j->unc_len);
	j->crc_ns = timer_ns() - t0;
}

static void copy_job(struct smp_work *w)
{
	struct pload_job *j = (struct pload_job *)((uint8_t *)w - offsetof(struct pload_job, copy_w));

	uint64_t t0 = timer_ns();

	for (unsigned i = 0; i < j->ncopy; i++)
		page_copy(j->copy[i].dst, j->copy[i].src);
	j->copy_ns = timer_ns() - t0;
}

bool pload_defer_copy(struct pload *pl, void *dst, const uint8_t *src)
{
	struct pload_job *j = pl->emitting;

	if (!j || j->ncopy == SWSUSP_UNC_PAGES)
		return false;
	j->copy[j->ncopy++] = (struct pload_copy){ dst, src };
	return true;
}

/* Until w is done: run queued work meanwhile (the queue counts that time), and
 * count the time with nothing to run as waiting. */
static void wait_done(struct pload *pl, struct smp_work *w)
{
	uint64_t t0 = timer_ns();

	while (!smp_done(w)) {
		if (smp_help()) {
			t0 = timer_ns();
			continue;
		}
		__builtin_ia32_pause();
		uint64_t t = timer_ns();
		pl->st.wait_ns += t - t0;
		t0 = t;
	}
}

/* The job's unc buffer is free again once its copies are done. */
static void wait_copies(struct pload *pl, struct pload_job *j)
{
	if (!j->copying)
		return;
	wait_done(pl, &j->copy_w);
	pl->st.copy_ns += j->copy_ns;
	j->copying = false;
}

void pload_finish(struct pload *pl)
{
	for (unsigned i = 0; i < PLOAD_JOBS; i++)
		wait_copies(pl, &pl->job[i]);
}

bool pload_init(struct pload *pl, struct img_stream *s, struct img_fault *f,
		void *(*alloc)(uint64_t bytes))
{
	*pl = (struct pload){ .s = s, .f = f };
	for (unsigned i = 0; i < PLOAD_JOBS; i++) {
		struct pload_job *j = &pl->job[i];

		j->w.fn = decode_job;
		j->copy_w.fn = copy_job;
		j->codec = s->cfg.codec;
		j->crc = s->cfg.crc;
		j->cmp = alloc(IMG_STREAM_CMP_BUF);
		j->unc = alloc(IMG_STREAM_UNC_BUF);
		if (!j->cmp || !j->unc)
			return false;
		j->out = j->unc;
	}
	return true;
}

void pload_set_home(struct pload *pl, pload_home_fn home, void *arg)
{
	pl->home = home;
	pl->home_arg = arg;
}

/* r for the next block (see the top of this file): its start if every block in flight
 * not yet decoded were whole, and no lower than any in-flight home decode's end. */
static uint64_t predict_start(struct pload *pl)
{
	uint64_t at = pl->s->out_pages, floor = 0;

	for (uint64_t q = pl->retired; q < pl->queued; q++) {
		const struct pload_job *j = &pl->job[q % PLOAD_JOBS];

		if (j->out != j->unc && j->home + SWSUSP_UNC_PAGES > floor)
			floor = j->home + SWSUSP_UNC_PAGES;
		if (smp_done(&j->w) && !j->err)
			at += j->unc_len / SWSUSP_PAGE_SIZE;
		else
			at += SWSUSP_UNC_PAGES;
	}
	return at > floor ? at : floor;
}

static void choose_out(struct pload *pl, struct pload_job *j)
{
	void *home = NULL;

	if (pl->home) {
		j->home = predict_start(pl);
		home = pl->home(pl->home_arg, j->home, SWSUSP_UNC_PAGES);
	}
	j->out = home ? home : j->unc;
}

static struct pload_job *oldest(struct pload *pl)
{
	return &pl->job[pl->retired % PLOAD_JOBS];
}

/* Wait for the oldest queued block (decoding others meanwhile) and emit it. */
static enum img_err retire(struct pload *pl)
{
	struct pload_job *j = oldest(pl);
	uint64_t t0;
	enum img_err e;

	wait_done(pl, &j->w);
	t0 = timer_ns();
	pl->retired++;
	pl->st.blocks++;
	pl->st.crc_ns += j->crc_ns;
	j->ncopy = 0;
	pl->emitting = j;
	if (j->out != j->unc && pl->s->out_pages != j->home) {
		pl->emitting = NULL;    /* decoded at home for later pages: copy down now */
		pl->st.home_moved++;
	} else if (j->out != j->unc && !j->err) {
		pl->st.home_pages += j->unc_len / SWSUSP_PAGE_SIZE;
	}
	e = img_stream_emit_block(pl->s, j->err, j->out, j->unc_len, &j->crc32, j->first, pl->f);
	pl->emitting = NULL;
	if (j->ncopy) {
		j->copying = true;
		smp_submit(&j->copy_w);
	}
	pl->st.emit_ns += timer_ns() - t0;
	return e;
}

/* After a fault: let every queued block finish (their buffers are about to go),
 * emitting nothing more. */
static void drain(struct pload *pl)
{
	while (pl->retired < pl->queued) {
		smp_wait(&oldest(pl)->w);
		pl->retired++;
	}
}

static enum img_err retire_all(struct pload *pl)
{
	while (pl->retired < pl->queued) {
		enum img_err e = retire(pl);
		if (e) {
			drain(pl);
			return e;
		}
	}
	return IMG_OK;
}

int pload_push(void *arg, const uint8_t *blocks, size_t nblocks)
{
	struct pload *pl = arg;
	enum img_err e = IMG_OK;

	while (nblocks && e == IMG_OK) {
		struct pload_job *j;
		const uint8_t *blk;
		size_t used;
		uint64_t t0;

		if (pl->queued - pl->retired == PLOAD_JOBS && (e = retire(pl)) != IMG_OK)
			break;
		j = &pl->job[pl->queued % PLOAD_JOBS];
		wait_copies(pl, j);
		t0 = timer_ns();
		e = img_stream_frame(pl->s, blocks, nblocks, j->cmp, &used, &blk, &j->first, pl->f);
		blocks += used * SWSUSP_PAGE_SIZE;
		nblocks -= used;
		if (e == IMG_OK && blk) {
			j->blk = blk;
			choose_out(pl, j);
			smp_submit(&j->w);
			pl->queued++;
		}
		pl->st.frame_ns += timer_ns() - t0;
		/* Emit whatever is ready, so the boot CPU copies while the others decode. */
		while (e == IMG_OK && pl->retired < pl->queued && smp_done(&oldest(pl)->w))
			e = retire(pl);
	}
	if (e != IMG_OK) {
		drain(pl);
		return 1;
	}
	return retire_all(pl) != IMG_OK;
}
