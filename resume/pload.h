/* The parallel restore of a compressed image: the boot CPU frames the stream blocks
 * read-ahead delivers and queues each compressed block; every CPU (the boot CPU too,
 * while it waits) decodes blocks and checksums them; the boot CPU emits the pages in
 * stream order to the stream's sink and joins the per-block CRCs (crc32_combine). */
#ifndef THAW_RESUME_PLOAD_H
#define THAW_RESUME_PLOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/img_err.h"
#include "image/stream.h"
#include "lib/page.h"
#include "kernel/smp.h"

#define PLOAD_JOBS 16                   /* compressed blocks in flight */

/* One page copy the boot CPU decided (placement) and any CPU carries out. */
struct pload_copy {
	void *dst;
	const uint8_t *src;             /* a page of the job's unc buffer */
};

struct pload_job {
	struct smp_work w;              /* first: the queue hands back &w (decoding) */
	struct smp_work copy_w;         /* the copies into place, queued at emission */
	enum img_codec codec;
	bool crc;
	const uint8_t *blk;             /* the compressed block */
	uint64_t first;                 /* its first stream block */
	uint8_t *cmp;                   /* IMG_STREAM_CMP_BUF: a block gathered across pushes */
	uint8_t *unc;                   /* IMG_STREAM_UNC_BUF */
	uint8_t *out;                   /* where it decodes: unc, or its pages' home frames */
	uint64_t home;                  /* out is home: the stream page it was placed for */
	size_t unc_len;
	uint32_t crc32;
	enum img_err err;
	uint64_t crc_ns;                /* of its run time, the CRC's share */
	struct pload_copy copy[SWSUSP_UNC_PAGES];
	unsigned ncopy;
	uint64_t copy_ns;               /* the copies' run time */
	bool copying;                   /* copy_w queued and not yet waited for */
};

struct pload_stats {
	uint64_t frame_ns;              /* boot CPU: framing and queueing */
	uint64_t wait_ns;               /* boot CPU: waiting for a block with nothing to do */
	uint64_t emit_ns;               /* boot CPU: emitting pages (placement, copy, zeroing) */
	uint64_t crc_ns;                /* all CPUs: CRC of decoded blocks */
	uint64_t copy_ns;               /* all CPUs: copying pages into place */
	uint64_t blocks;                /* compressed blocks decoded */
	uint64_t home_pages;            /* pages decoded straight into their home frames */
	uint64_t home_moved;            /* blocks decoded at home for the wrong pages, moved */
};

/* Where the pages from stream page `first` on would go when they are `n` free frames
 * in a row: their address, or NULL (decode into a buffer, place at emission). */
typedef void *(*pload_home_fn)(void *arg, uint64_t first, uint64_t n);

struct pload {
	struct img_stream *s;
	struct img_fault *f;
	struct pload_job job[PLOAD_JOBS];
	struct pload_job *emitting;     /* the job whose pages the sink is receiving */
	pload_home_fn home;
	void *home_arg;
	uint64_t queued, retired;       /* jobs, in stream order */
	struct pload_stats st;
};

/* Buffers from alloc(bytes) (NULL: none). False when out of memory. */
bool pload_init(struct pload *pl, struct img_stream *s, struct img_fault *f,
		void *(*alloc)(uint64_t bytes));

/* Decode into home frames where home() finds them (see pload.c for why that is safe
 * while blocks of unknown length decode out of order). */
void pload_set_home(struct pload *pl, pload_home_fn home, void *arg);

/* Called by the sink while a block is emitted: the copy of src to dst is left to
 * whichever CPU is free (src lives until then). False outside emission: copy now. */
bool pload_defer_copy(struct pload *pl, void *dst, const uint8_t *src);

/* After the last push: every deferred copy done. */
void pload_finish(struct pload *pl);

/* read-ahead's consumer (ra_consume_fn, arg = pl): every block that starts in these
 * stream blocks is decoded and emitted before it returns (the buffer is reused after). */
int pload_push(void *arg, const uint8_t *blocks, size_t nblocks);

#endif
