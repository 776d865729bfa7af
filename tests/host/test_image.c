/* The image reader's pure layers: swap header, restore records, map chain, PFN list,
 * stream framing and loader, each error code provoked by a hand-built image in memory
 * (decoder-internal codes are provoked in test_lzo1x / test_lz4 and once here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lz4.h>
#include "lib/crc32.h"
#include "image/image_read.h"
#include "image/pfnlist.h"
#include "image/stream.h"
#include "image/swsusp_format.h"

#define PG SWSUSP_PAGE_SIZE

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* ---- an in-memory device and a tiny raw-image writer ---- */

struct memdev {
	uint8_t *buf;
	uint64_t blocks;
	bool fail;
	struct img_source src;
};

static enum img_err mem_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct memdev *d = ctx;

	if (d->fail || block + count > d->blocks)
		return IMG_EIO;
	memcpy(buf, d->buf + block * PG, (size_t)count * PG);
	return IMG_OK;
}

static uint8_t *blk(struct memdev *d, uint64_t b)
{
	return d->buf + b * PG;
}

/* Raw image with n data pages for PFNs 0x1000, 0x1002, ... (page i filled with i+1);
 * layout: 0 header, 1 map, 2 info, 3 meta, 4.. data. One map page (n < 500). */
static void make_raw(struct memdev *d, uint64_t n)
{
	uint8_t *h, *map, *info, *meta;

	d->blocks = 8 + n;
	d->buf = calloc(d->blocks, PG);
	d->fail = false;
	d->src = (struct img_source){ mem_read, d, d->blocks };
	h = blk(d, 0);
	memcpy(h + offsetof(struct swsusp_header, orig_sig), "SWAPSPACE2", 10);
	memcpy(h + offsetof(struct swsusp_header, sig), "S1SUSPEND", 10);
	put64(h + offsetof(struct swsusp_header, image), 1);
	put32(h + offsetof(struct swsusp_header, flags), SF_NOCOMPRESS_MODE);
	map = blk(d, 1);
	for (uint64_t i = 0; i < n + 2; i++)
		put64(map + 8 * i, 2 + i);
	info = blk(d, 2);
	put64(info + 0, 0xffffffff81000000ull);
	put64(info + 8, 0x1000000);
	put64(info + 16, 0x2000000);
	put64(info + 24, RESTORE_MAGIC_V2);
	put64(info + 32, 0xabcdef12);
	put64(info + offsetof(struct swsusp_info, image_pages), n);
	put64(info + offsetof(struct swsusp_info, pages), n + 2);
	put64(info + offsetof(struct swsusp_info, size), (n + 2) * PG);
	meta = blk(d, 3);
	for (uint64_t i = 0; i < n; i++) {
		put64(meta + 8 * i, 0x1000 + 2 * i);
		memset(blk(d, 4 + i), (int)(i + 1), PG);
	}
	put64(meta + 8 * n, SWSUSP_PFN_END);
}

/* ---- a loader client that records what it saw ---- */

struct seen {
	uint8_t meta[4][PG];
	uint64_t pfns[64];
	uint8_t first_byte[64];
	bool zero[64];
	int n;
	bool refuse_meta;
};

static const uint8_t *keep_meta(void *arg, uint64_t index, const uint8_t *page)
{
	struct seen *s = arg;

	if (s->refuse_meta || index >= 4)
		return NULL;
	memcpy(s->meta[index], page, PG);
	return s->meta[index];
}

static enum img_err on_data(void *arg, uint64_t pfn, const uint8_t *page)
{
	struct seen *s = arg;

	s->pfns[s->n] = pfn;
	s->first_byte[s->n] = page[0];
	s->zero[s->n++] = false;
	return IMG_OK;
}

static enum img_err on_zero(void *arg, uint64_t pfn)
{
	struct seen *s = arg;

	s->pfns[s->n] = pfn;
	s->zero[s->n++] = true;
	return IMG_OK;
}

static const struct img_loader_ops ops = { keep_meta, NULL, on_data, on_zero };

/* Runs the whole pull pipeline; returns the first error. */
static enum img_err run(struct memdev *d, uint64_t offset, struct seen *s, struct img_fault *f)
{
	static uint8_t cmp[IMG_STREAM_CMP_BUF], unc[IMG_STREAM_UNC_BUF], io[8 * PG];
	uint8_t page[PG];
	const uint8_t *meta[8];
	struct img_workspace ws = { cmp, unc, io, 8, meta };
	struct img_desc desc;
	struct img_map m;
	uint64_t *entries, *maps;
	enum img_err e;

	memset(f, 0, sizeof(*f));
	e = img_open(&d->src, offset, page, &desc, f);
	if (e)
		return e;
	entries = calloc(desc.max_entries, 8);
	maps = calloc(desc.max_maps, 8);
	e = img_read_map(&d->src, &desc, &m, entries, maps, page, f);
	if (!e)
		e = img_read_stream(&d->src, &desc, &m, &ws, &ops, s, NULL, f);
	free(entries);
	free(maps);
	return e;
}

static enum img_err run_raw(struct memdev *d, struct img_fault *f)
{
	struct seen s = { 0 };

	return run(d, 0, &s, f);
}

/* ---- tests ---- */

static void test_good_raw(void **state)
{
	struct memdev d;
	struct seen s = { 0 };
	struct img_fault f;

	(void)state;
	make_raw(&d, 5);
	assert_int_equal(run(&d, 0, &s, &f), IMG_OK);
	assert_int_equal(s.n, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(s.pfns[i], 0x1000 + 2 * (uint64_t)i);
		assert_int_equal(s.first_byte[i], i + 1);
	}
	free(d.buf);
}

/* Zero-flagged PFNs (6.6+) are announced in PFN order between the data pages. */
static void test_zero_flag(void **state)
{
	struct memdev d;
	struct seen s = { 0 };
	struct img_fault f;
	uint8_t *meta;

	(void)state;
	make_raw(&d, 3);
	meta = blk(&d, 3);
	/* 0x1000 data, 0x1001 zero, 0x1002 data, 0x1003 zero, 0x1004 data, 0x1005 zero */
	put64(meta + 8, 0x1001 | SWSUSP_PFN_ZERO_FLAG);
	put64(meta + 16, 0x1002);
	put64(meta + 24, 0x1003 | SWSUSP_PFN_ZERO_FLAG);
	put64(meta + 32, 0x1004);
	put64(meta + 40, 0x1005 | SWSUSP_PFN_ZERO_FLAG);
	put64(meta + 48, SWSUSP_PFN_END);
	assert_int_equal(run(&d, 0, &s, &f), IMG_OK);
	assert_int_equal(s.n, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(s.pfns[i], 0x1000 + (uint64_t)i);
		assert_int_equal(s.zero[i], i % 2 == 1);
	}
	assert_int_equal(s.first_byte[2], 2);
	free(d.buf);
}

static void test_header_errors(void **state)
{
	struct memdev d;
	struct img_fault f;
	uint8_t *h;

	(void)state;
	make_raw(&d, 2);
	h = blk(&d, 0);
	memcpy(h + offsetof(struct swsusp_header, sig), "SWAPSPACE2", 10);
	assert_int_equal(run_raw(&d, &f), IMG_ENOIMAGE);
	memcpy(h + offsetof(struct swsusp_header, sig), "S1SUSPEN\0\0", 10);
	assert_int_equal(run_raw(&d, &f), IMG_ENOSIG);
	memcpy(h + offsetof(struct swsusp_header, sig), "S1SUSPEND", 10);
	memcpy(h + offsetof(struct swsusp_header, orig_sig), "GARBAGE!!!", 10);
	assert_int_equal(run_raw(&d, &f), IMG_EORIGSIG);
	memcpy(h + offsetof(struct swsusp_header, orig_sig), "SWAP-SPACE", 10);
	assert_int_equal(run_raw(&d, &f), IMG_OK);
	put32(h + offsetof(struct swsusp_header, flags), SF_NOCOMPRESS_MODE | SF_CRC32_MODE);
	assert_int_equal(run_raw(&d, &f), IMG_EFLAGS);
	put32(h + offsetof(struct swsusp_header, flags), SF_NOCOMPRESS_MODE | 0x40);
	assert_int_equal(run_raw(&d, &f), IMG_EFLAGS);
	put32(h + offsetof(struct swsusp_header, flags), SF_NOCOMPRESS_MODE);
	d.fail = true;
	assert_int_equal(run_raw(&d, &f), IMG_EIO);
	assert_true(f.at & IMG_AT_BLOCK);
	free(d.buf);
}

static void test_discard(void **state)
{
	uint8_t page[PG] = { 0 };

	(void)state;
	memcpy(page + offsetof(struct swsusp_header, orig_sig), "SWAPSPACE2", 10);
	memcpy(page + offsetof(struct swsusp_header, sig), "S1SUSPEND", 10);
	assert_int_equal(img_header_discard(page, PG), IMG_OK);
	assert_memory_equal(page + offsetof(struct swsusp_header, sig), "SWAPSPACE2", 10);
	assert_int_equal(img_header_discard(page, PG), IMG_ENOIMAGE);
	memcpy(page + offsetof(struct swsusp_header, sig), "S1SUSPEND", 10);
	memcpy(page + offsetof(struct swsusp_header, orig_sig), "XXXXXXXXXX", 10);
	assert_int_equal(img_header_discard(page, PG), IMG_EORIGSIG);
	assert_memory_equal(page + offsetof(struct swsusp_header, sig), "S1SUSPEND", 10);
}

static void test_protocols(void **state)
{
	uint8_t page[PG] = { 0 };
	struct img_info info;
	const uint64_t jump = 0xffffffff8a000000ull;

	(void)state;
	put64(page + offsetof(struct swsusp_info, pages), 1);
	put64(page + offsetof(struct swsusp_info, size), PG);
	put64(page, jump);
	put64(page + 8, 0x5000000);
	put64(page + 16, 0x6000000);
	put64(page + 24, RESTORE_MAGIC_V2);
	put64(page + 32, 0xd6b6c699);
	assert_int_equal(img_info_parse(page, PG, &info), IMG_OK);
	assert_int_equal(info.protocol, IMG_PROTO_V2);
	assert_int_equal(info.e820_crc32, 0xd6b6c699);
	assert_int_equal(info.jump_address_phys, 0x5000000);
	assert_int_equal(info.cr3, 0x6000000);
	put64(page + 24, RESTORE_MAGIC_V1);
	put64(page + 32, 0);
	assert_int_equal(img_info_parse(page, PG, &info), IMG_OK);
	assert_int_equal(info.protocol, IMG_PROTO_V1);
	page[40] = 0x77;
	assert_int_equal(img_info_parse(page, PG, &info), IMG_OK);
	assert_int_equal(info.protocol, IMG_PROTO_V1_MD5);
	assert_int_equal(info.e820_md5[8], 0x77);
	memset(page, 0, 48);
	put64(page, jump);
	put64(page + 8, 0x7000000);
	put64(page + 16, RESTORE_MAGIC_V0);
	assert_int_equal(img_info_parse(page, PG, &info), IMG_OK);
	assert_int_equal(info.protocol, IMG_PROTO_V0_CR3);
	assert_int_equal(info.cr3, 0x7000000);
	memset(page, 0, 48);
	put64(page, jump);
	put64(page + 8, jump ^ RESTORE_MAGIC_V0);
	assert_int_equal(img_info_parse(page, PG, &info), IMG_OK);
	assert_int_equal(info.protocol, IMG_PROTO_SEED);
	assert_int_equal(info.jump_address, jump);
	put64(page + 8, jump ^ RESTORE_MAGIC_V0 ^ 1);
	assert_int_equal(img_info_parse(page, PG, &info), IMG_ERECORD);
	for (int p = IMG_PROTO_V2; p <= IMG_PROTO_SEED; p++)
		assert_non_null(img_protocol_name((enum img_protocol)p));
}

static void test_info_counts(void **state)
{
	struct memdev d;
	struct img_fault f;
	uint8_t *info;

	(void)state;
	make_raw(&d, 4);
	info = blk(&d, 2);
	put64(info + offsetof(struct swsusp_info, size), 7 * PG);
	assert_int_equal(run_raw(&d, &f), IMG_EINFO);
	put64(info + offsetof(struct swsusp_info, size), 6 * PG);
	put64(info + offsetof(struct swsusp_info, image_pages), 5);	/* no meta page left */
	assert_int_equal(run_raw(&d, &f), IMG_EINFO);
	put64(info + offsetof(struct swsusp_info, image_pages), 4);
	/* More pages than the device has blocks. */
	put64(info + offsetof(struct swsusp_info, image_pages), 1000);
	put64(info + offsetof(struct swsusp_info, pages), 1003);
	put64(info + offsetof(struct swsusp_info, size), 1003 * PG);
	assert_int_equal(run_raw(&d, &f), IMG_ETOO_BIG);
	put64(info + offsetof(struct swsusp_info, image_pages), 4);
	put64(info + offsetof(struct swsusp_info, pages), 6);
	put64(info + offsetof(struct swsusp_info, size), 6 * PG);
	put64(info + 24, 0x1234);
	assert_int_equal(run_raw(&d, &f), IMG_ERECORD);
	free(d.buf);
}

static void test_map_errors(void **state)
{
	struct memdev d;
	struct img_fault f;
	uint8_t *map;

	(void)state;
	make_raw(&d, 4);		/* entries 0..5 -> blocks 2..7 */
	map = blk(&d, 1);
	put64(map + 8 * 3, d.blocks + 5);
	assert_int_equal(run_raw(&d, &f), IMG_EBLOCK);
	assert_int_equal(f.block, d.blocks + 5);
	assert_int_equal(f.entry, 3);
	put64(map + 8 * 3, 5);
	put64(map + 8 * 5, 0);			/* one data page missing */
	assert_int_equal(run_raw(&d, &f), IMG_EMAP_COUNT);
	assert_int_equal(f.expected, 5);
	assert_int_equal(f.got, 4);
	put64(map + 8 * 5, 7);
	put64(map + 8 * 7, 99);			/* after the end of data */
	assert_int_equal(run_raw(&d, &f), IMG_EMAP_HOLE);
	put64(map + 8 * 7, 0);
	put64(map + 8 * 0, 0);
	assert_int_equal(run_raw(&d, &f), IMG_EMAP_EMPTY);
	put64(map + 8 * 0, 2);
	assert_int_equal(run_raw(&d, &f), IMG_OK);
	put64(blk(&d, 0) + offsetof(struct swsusp_header, image), 0);
	assert_int_equal(run_raw(&d, &f), IMG_EBLOCK);
	free(d.buf);
}

/* A chain of full map pages pointing back to itself: a loop, and a chain longer than
 * the image can need. */
static void test_map_loop_long(void **state)
{
	uint64_t entries[2000], maps[8];
	uint8_t page[PG] = { 0 };
	struct img_info info = { .pages = 600 };
	struct img_map m;
	struct img_fault f;

	(void)state;
	for (unsigned int i = 0; i < SWSUSP_MAP_ENTRIES; i++)
		put64(page + 8 * i, 100 + i);
	put64(page + offsetof(struct swap_map_page, next_swap), 10);
	assert_int_equal(img_map_init(&m, 10000, 0, 10, entries, 2000, maps, 8, &f), IMG_OK);
	assert_int_equal(img_map_feed(&m, page, PG, &f), IMG_OK);
	assert_int_equal(img_map_feed(&m, page, PG, &f), IMG_EMAP_LOOP);
	assert_int_equal(f.block, 10);
	assert_int_equal(img_map_init(&m, 10000, 0, 10, entries, 600, maps, 8, &f), IMG_OK);
	put64(page + offsetof(struct swap_map_page, next_swap), 11);
	assert_int_equal(img_map_feed(&m, page, PG, &f), IMG_OK);
	assert_int_equal(img_map_feed(&m, page, PG, &f), IMG_EMAP_LONG);
	/* Bounds: raw needs exactly pages entries; compressed at most 35 per 32 pages. */
	assert_int_equal(img_map_max_entries(&info, IMG_CODEC_RAW), 600);
	assert_int_equal(img_map_max_entries(&info, IMG_CODEC_LZ4), 1 + 19 * 35);
}

static void test_pfn_errors(void **state)
{
	struct memdev d;
	struct img_fault f;
	uint8_t *meta;

	(void)state;
	make_raw(&d, 3);
	meta = blk(&d, 3);
	put64(meta + 8, 0x1000);		/* equal to the one before */
	assert_int_equal(run_raw(&d, &f), IMG_EPFN_ORDER);
	assert_true(f.at & IMG_AT_PFN);
	put64(meta + 8, 1ull << 41);
	assert_int_equal(run_raw(&d, &f), IMG_EPFN_RANGE);
	put64(meta + 8, 0x1002);
	put64(meta + 24, 0x2000);		/* a fourth PFN instead of the terminator */
	put64(meta + 32, SWSUSP_PFN_END);
	assert_int_equal(run_raw(&d, &f), IMG_EPFN_COUNT);
	put64(meta, SWSUSP_PFN_END);		/* empty list where 3 are due */
	assert_int_equal(run_raw(&d, &f), IMG_EPFN_COUNT);
	free(d.buf);
}

static void test_caller_refuses(void **state)
{
	struct memdev d;
	struct seen s = { .refuse_meta = true };
	struct img_fault f;

	(void)state;
	make_raw(&d, 2);
	assert_int_equal(run(&d, 0, &s, &f), IMG_ECALLER);
	free(d.buf);
}

/* ---- the compressed stream, pushed directly ---- */

struct sink_log {
	uint64_t pages;
	uint8_t first[64];
};

static enum img_err log_page(void *arg, uint64_t index, const uint8_t *page, struct img_fault *f)
{
	struct sink_log *l = arg;

	(void)f;
	if (index < 64)
		l->first[index] = page[0];
	l->pages++;
	return IMG_OK;
}

/* LZ4 blocks of `per` pages each (page i filled with i), framed as Linux writes them
 * with stale 0xEE padding; returns the number of stream blocks. */
static size_t frame_lz4(uint8_t *out, uint64_t pages, uint64_t per)
{
	static uint8_t unc[SWSUSP_UNC_SIZE];
	size_t at = 0;

	for (uint64_t p = 0; p < pages; p += per) {
		uint64_t n = pages - p < per ? pages - p : per;
		int len;

		for (uint64_t i = 0; i < n; i++)
			memset(unc + i * PG, (int)(p + i), PG);
		len = LZ4_compress_default((const char *)unc, (char *)out + at + 8, (int)(n * PG),
					   SWSUSP_CMP_WORST);
		put64(out + at, (uint64_t)len);
		at += 8 + (size_t)len;
		while (at % PG)
			out[at++] = 0xee;
	}
	return at / PG;
}

static enum img_err push_all(const uint8_t *blocks, size_t n, uint64_t pages, size_t batch,
			     uint32_t crc, struct sink_log *log, struct img_fault *f)
{
	static uint8_t cmp[IMG_STREAM_CMP_BUF], unc[IMG_STREAM_UNC_BUF];
	struct img_stream_cfg cfg = { IMG_CODEC_LZ4, true, pages, cmp, unc, log_page, log };
	struct img_stream s;
	enum img_err e;

	memset(log, 0, sizeof(*log));
	assert_int_equal(img_stream_init(&s, &cfg), IMG_OK);
	for (size_t i = 0; i < n; i += batch) {
		e = img_stream_push(&s, blocks + i * PG, n - i < batch ? n - i : batch, f);
		if (e)
			return e;
	}
	return img_stream_finish(&s, crc, f);
}

static void test_stream_batches(void **state)
{
	uint8_t *blocks = calloc(64, PG);
	struct sink_log log;
	struct img_fault f;
	struct img_stream_cfg bad = { IMG_CODEC_LZO, false, 1, NULL, NULL, log_page, &log };
	struct img_stream s;
	size_t n = frame_lz4(blocks, 40, 32);
	uint32_t crc = 0;
	uint8_t pg[PG];

	(void)state;
	for (int i = 0; i < 40; i++) {
		memset(pg, i, PG);
		crc = crc32_le(crc, pg, PG);
	}
	/* Any batching gives the same pages and CRC. */
	for (size_t batch = 1; batch <= n; batch++) {
		assert_int_equal(push_all(blocks, n, 40, batch, crc, &log, &f), IMG_OK);
		assert_int_equal(log.pages, 40);
		for (int i = 0; i < 40; i++)
			assert_int_equal(log.first[i], i);
	}
	assert_int_equal(push_all(blocks, n, 40, 3, crc ^ 1, &log, &f), IMG_ECRC);
	assert_int_equal(f.expected, crc ^ 1);
	assert_int_equal(f.got, crc);
	assert_int_equal(push_all(blocks, n, 41, 3, crc, &log, &f), IMG_ESTREAM_SHORT);
	assert_int_equal(push_all(blocks, n, 39, 3, crc, &log, &f), IMG_ESTREAM_LONG);
	assert_int_equal(push_all(blocks, n - 1, 40, 3, crc, &log, &f), IMG_ESTREAM_SHORT);
	assert_int_equal(img_stream_init(&s, &bad), IMG_EARG);
	free(blocks);
}

static void test_stream_framing(void **state)
{
	uint8_t *blocks = calloc(64, PG);
	struct sink_log log;
	struct img_fault f;
	size_t n = frame_lz4(blocks, 8, 8);

	(void)state;
	put64(blocks, 0);
	assert_int_equal(push_all(blocks, n, 8, 1, 0, &log, &f), IMG_ECMP_LEN);
	assert_int_equal(f.entry, 1);
	put64(blocks, SWSUSP_CMP_WORST + 1);
	assert_int_equal(push_all(blocks, n, 8, 1, 0, &log, &f), IMG_ECMP_LEN);
	/* A block whose data ends 100 bytes into a page: decoded length not whole pages. */
	{
		static uint8_t unc[PG + 100];
		int len = LZ4_compress_default((const char *)unc, (char *)blocks + 8, PG + 100,
					       SWSUSP_CMP_WORST);

		put64(blocks, (uint64_t)len);
		assert_int_equal(push_all(blocks, 1, 8, 1, 0, &log, &f), IMG_EUNC_LEN);
	}
	/* Garbage data: a decoder error, located. */
	n = frame_lz4(blocks, 8, 8);
	put64(blocks, 4);
	memcpy(blocks + 8, "\x10\x41\x00\x00", 4);	/* 'A', then offset 0 */
	assert_int_equal(push_all(blocks, n, 8, 1, 0, &log, &f), IMG_ELZ4_OFFSET);
	assert_true(f.at & IMG_AT_ENTRY);
	free(blocks);
	(void)n;
}

/* The split path resume/pload.c takes: frame here, decode "elsewhere" (in a queue of
 * up to 4 blocks, emitted oldest first, as several CPUs would finish them), per-block
 * CRC joined with crc32_combine. */
static enum img_err split_all(const uint8_t *blocks, size_t n, uint64_t pages, size_t batch,
			      uint32_t crc, struct sink_log *log, struct img_fault *f)
{
	static uint8_t cmp[4][IMG_STREAM_CMP_BUF], unc[4][IMG_STREAM_UNC_BUF], spare[PG];
	struct img_stream_cfg cfg = { IMG_CODEC_LZ4, true, pages, spare, spare, log_page, log };
	struct { const uint8_t *blk; uint64_t first; } q[4];
	size_t queued = 0, retired = 0;
	struct img_stream s;
	enum img_err e = IMG_OK;

	memset(log, 0, sizeof(*log));
	memset(f, 0, sizeof(*f));
	assert_int_equal(img_stream_init(&s, &cfg), IMG_OK);
	for (size_t i = 0; i < n && !e; i += batch) {
		const uint8_t *p = blocks + i * PG;
		size_t left = n - i < batch ? n - i : batch, used;

		while (left && !e) {
			const uint8_t *blk;
			unsigned k = queued % 4;

			e = img_stream_frame(&s, p, left, cmp[k], &used, &blk, &q[k].first, f);
			p += used * PG;
			left -= used;
			if (!e && blk) {
				q[k].blk = blk;
				queued++;
			}
			/* Retire when the queue is full, and everything at the batch end
			 * (the batch's buffer is then reused). */
			while (!e && retired < queued && (queued - retired == 4 || !left)) {
				unsigned r = retired++ % 4;
				size_t ul;
				enum img_err d = img_block_decode(IMG_CODEC_LZ4, q[r].blk, unc[r], &ul);
				uint32_t c = d ? 0 : crc32_le(0, unc[r], ul);

				e = img_stream_emit_block(&s, d, unc[r], ul, &c, q[r].first, f);
			}
		}
	}
	return e ? e : img_stream_finish(&s, crc, f);
}

static void test_stream_split(void **state)
{
	uint8_t *blocks = calloc(400, PG);
	struct sink_log log, log2;
	struct img_fault f, f2;
	uint32_t crc = 0;
	uint8_t pg[PG];

	(void)state;
	for (int i = 0; i < 200; i++) {
		memset(pg, i, PG);
		crc = crc32_le(crc, pg, PG);
	}
	/* Blocks of 1, 7 and 32 pages, any batching: the same pages and CRC. */
	for (uint64_t per = 1; per <= 32; per += per == 1 ? 6 : 25) {
		size_t n = frame_lz4(blocks, 200, per);

		for (size_t batch = 1; batch <= n; batch = batch * 2 + 1) {
			assert_int_equal(split_all(blocks, n, 200, batch, crc, &log, &f), IMG_OK);
			assert_int_equal(log.pages, 200);
			for (int i = 0; i < 64; i++)
				assert_int_equal(log.first[i], i);
		}
		assert_int_equal(split_all(blocks, n, 200, 5, crc ^ 1, &log, &f), IMG_ECRC);
		assert_int_equal(f.got, crc);
		assert_int_equal(split_all(blocks, n, 199, 5, crc, &log, &f), IMG_ESTREAM_LONG);
		assert_int_equal(split_all(blocks, n, 201, 5, crc, &log, &f), IMG_ESTREAM_SHORT);
	}
	/* Faults: the same error, entry and page as the serial path. */
	{
		size_t n = frame_lz4(blocks, 40, 8);

		memcpy(blocks + 2 * PG, "\x04\0\0\0\0\0\0\0\x10\x41\0\0", 12);
		memset(&f2, 0, sizeof(f2));
		assert_int_not_equal(push_all(blocks, n, 40, 3, 0, &log2, &f2), IMG_OK);
		assert_int_equal(split_all(blocks, n, 40, 3, 0, &log, &f), f2.err);
		assert_int_equal(f.entry, f2.entry);
		assert_int_equal(f.page, f2.page);
		assert_int_equal(log.pages, log2.pages);
		put64(blocks, 0);
		assert_int_equal(push_all(blocks, n, 40, 3, 0, &log2, &f2), IMG_ECMP_LEN);
		assert_int_equal(split_all(blocks, n, 40, 3, 0, &log, &f), IMG_ECMP_LEN);
		assert_int_equal(f.entry, f2.entry);
		assert_int_equal(f.expected, f2.expected);
		assert_int_equal(f.got, f2.got);
	}
	free(blocks);
}

/* img_loader_run_ahead(): a run of data pages bound for consecutive frames, known only
 * once the PFN list is, never across a zero-flagged or skipped frame, never past the
 * last data page, and forward only. */
static void test_run_ahead(void **state)
{
	static uint8_t meta[PG];
	const uint8_t *kept[1];
	struct seen s = { 0 };
	struct img_info info = { .image_pages = 34, .nr_meta = 1 };
	struct img_loader ld;
	struct img_fault f = { 0 };
	uint64_t len;
	unsigned n = 0;

	(void)state;
	memset(meta, 0, sizeof(meta));
	for (uint64_t p = 0x100; p < 0x110; p++)                /* data 0..15 */
		put64(meta + 8 * n++, p);
	put64(meta + 8 * n++, 0x110 | SWSUSP_PFN_ZERO_FLAG);
	for (uint64_t p = 0x111; p < 0x121; p++)                /* data 16..31 */
		put64(meta + 8 * n++, p);
	put64(meta + 8 * n++, 0x130);                           /* data 32 */
	put64(meta + 8 * n++, 0x131);                           /* data 33 */
	put64(meta + 8 * n++, SWSUSP_PFN_END);
	img_loader_init(&ld, &info, kept, &ops, &s);
	assert_int_equal(img_loader_run_ahead(&ld, 1, 4, &len), 0);    /* list not known yet */
	assert_int_equal(img_loader_page(&ld, 0, meta, &f), IMG_OK);
	assert_int_equal(img_loader_run_ahead(&ld, 0, 2, &len), 0);    /* a meta page */
	assert_int_equal(img_loader_run_ahead(&ld, 1, 16, &len), 0x100);
	assert_int_equal(len, 16);
	assert_int_equal(img_loader_run_ahead(&ld, 1 + 10, 8, &len), 0x10a);
	assert_int_equal(len, 6);                                       /* the zero frame */
	assert_int_equal(img_loader_run_ahead(&ld, 1 + 16, 20, &len), 0x111);
	assert_int_equal(len, 16);                                      /* 0x120, 0x130 */
	assert_int_equal(img_loader_run_ahead(&ld, 1 + 32, 3, &len), 0x130);
	assert_int_equal(len, 2);                                       /* the last page */
	assert_int_equal(img_loader_run_ahead(&ld, 1 + 34, 1, &len), 0);       /* past it */
	assert_int_equal(img_loader_run_ahead(&ld, 1 + 3, 2, &len), 0);        /* backwards */
	assert_int_equal(len, 0);
	/* The loader's own delivery is unaffected by the look-ahead. */
	for (uint64_t i = 0; i < 34; i++) {
		static uint8_t page[PG];
		page[0] = (uint8_t)i;
		assert_int_equal(img_loader_page(&ld, 1 + i, page, &f), IMG_OK);
	}
	assert_int_equal(img_loader_finish(&ld, &f), IMG_OK);
	assert_int_equal(s.n, 35);
	assert_int_equal(s.pfns[16], 0x110);
	assert_true(s.zero[16]);
	assert_int_equal(s.pfns[34], 0x131);
	assert_int_equal(s.first_byte[34], 33);
}

static void test_messages(void **state)
{
	struct img_fault f = { 0 };
	char buf[200], tiny[8];

	(void)state;
	for (int i = 0; i < IMG_ERR_COUNT; i++) {
		assert_non_null(img_strerror((enum img_err)i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(img_strerror((enum img_err)i), img_strerror((enum img_err)j));
	}
	img_fail(&f, IMG_ECRC);
	img_at_values(&f, 0x1234, 0xabcd);
	img_fault_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "image CRC32 mismatch (expected 0x1234, got 0xabcd)");
	img_fail(&f, IMG_EPFN_ORDER);
	img_at_pfn(&f, 0x42);
	img_at_page(&f, 7);
	img_at_block(&f, 99);
	img_fault_format(&f, buf, sizeof(buf));
	assert_string_equal(buf, "PFN list not strictly ascending (pfn 0x42, stream page 7, block 99)");
	assert_int_equal(img_fault_format(&f, tiny, sizeof(tiny)), 7);
	assert_string_equal(tiny, "PFN lis");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_raw),
		cmocka_unit_test(test_zero_flag),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_info_counts),
		cmocka_unit_test(test_map_errors),
		cmocka_unit_test(test_map_loop_long),
		cmocka_unit_test(test_pfn_errors),
		cmocka_unit_test(test_caller_refuses),
		cmocka_unit_test(test_stream_batches),
		cmocka_unit_test(test_stream_framing),
		cmocka_unit_test(test_stream_split),
		cmocka_unit_test(test_run_ahead),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
