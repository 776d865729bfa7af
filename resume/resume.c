/* The top-level resume flow (issue 5; linux-hibernation-format.md §6): every check
 * happens before the one disk write, and the write happens before the jump. */
#include "resume/resume.h"

#include <stddef.h>
#include <string.h>

#include "block/blockdev.h"
#include "resume/locate.h"
#include "kernel/acpi_mode.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/stop.h"
#include "kernel/timer.h"
#include "mm/pmm.h"
#include "resume/commit.h"
#include "resume/handoff.h"
#include "image/image_read.h"
#include "image/swsusp_format.h"
#include "resume/place.h"
#include "resume/readahead.h"
#include "image/stream.h"
#include "resume/trampoline_abi.h"
#include "resume/verify.h"

#define PROMPT_S        30      /* how long the discard prompt waits */
#define MIB             (1024 * 1024)

/* The one state struct of this module. */
static struct resume_state {
	const struct boot_info *bi;
	const struct options *o;
	struct blockdev *dev;
	uint64_t offset;                /* swap header block (resume_offset) */
	struct img_source src;
	struct img_desc d;
	struct img_map m;
	struct place_env env;
	struct placer pl;
	struct handoff h;
	struct img_loader loader;
	struct img_stream stream;
	struct img_fault fault;
	struct ra_stats ra;
	uint8_t *page;                  /* 4 KiB scratch, DMA-able */
	uint8_t *meta;                  /* nr_meta pages kept for the loader */
	uint64_t t_open_ns;             /* when reading the image began */
	uint64_t map_ns;                /* reading the swap-map chain */
	uint64_t placed, next_report;   /* progress */
	char why[192];                  /* a callback's reason for refusing */
} rs;

/* ---- small helpers ------------------------------------------------------ */

static void *alloc_bytes(uint64_t bytes)
{
	uint64_t frames = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	return (void *)(uintptr_t)pmm_alloc_contig(frames ? frames : 1, 1);
}

__attribute__((noreturn)) static void refuse(const char *fmt, const char *detail)
{
	stop_failed(rs.o, "resume: %s%s%s — the image was left untouched; it can still be "
		    "resumed by a later boot", fmt, detail ? ": " : "", detail ? detail : "");
}

__attribute__((noreturn)) static void refuse_fault(const char *what, const struct img_fault *f)
{
	char buf[160];

	img_fault_format(f, buf, sizeof(buf));
	if (f->err == IMG_ECALLER && rs.why[0])
		refuse(what, rs.why);
	refuse(what, buf);
}

static enum img_err src_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct blockdev *d = ctx;
	uint32_t max = d->max_sectors >= 8 ? d->max_sectors / 8 : 1;

	while (count) {
		uint32_t n = count < max ? count : max;
		if (blockdev_read(d, block * 8, n * 8, buf) != BLK_OK)
			return IMG_EIO;
		block += n;
		count -= n;
		buf = (uint8_t *)buf + (uint64_t)n * PAGE_SIZE;
	}
	return IMG_OK;
}

/* A page copy in 8-byte moves: rep movsb costs one emulated iteration per byte
 * under QEMU's TCG; this loop is ~8x cheaper there and no worse on hardware. */
static void copy_page(void *dst, const void *src)
{
	uint64_t *d = dst;
	const uint64_t *s = src;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i += 4) {
		d[i] = s[i];
		d[i + 1] = s[i + 1];
		d[i + 2] = s[i + 2];
		d[i + 3] = s[i + 3];
	}
}

/* ---- placement environment over mm/pmm.c (identity-mapped RAM) ---------- */

static bool env_is_ram(void *ctx, uint64_t pfn) { (void)ctx; return pmm_is_ram(pfn); }
static bool env_is_thaw(void *ctx, uint64_t pfn) { (void)ctx; return pmm_is_thaw(pfn); }
static void env_forbid(void *ctx, uint64_t pfn, uint64_t n) { (void)ctx; pmm_forbid(pfn, n); }
static uint64_t env_alloc(void *ctx) { (void)ctx; return pmm_alloc() / PAGE_SIZE; }
static void *env_frame(void *ctx, uint64_t pfn) { (void)ctx; return (void *)(uintptr_t)(pfn * PAGE_SIZE); }

/* ---- loading -------------------------------------------------------------- */

static void progress(bool last)
{
	uint64_t total = rs.pl.reserved;
	uint64_t ms, mib_s, eta_ms;
	char bar[21];

	if (!total || (!last && rs.placed < rs.next_report))
		return;
	rs.next_report = rs.placed + total / 10 + 1;
	ms = (timer_ns() - rs.t_open_ns) / 1000000;
	mib_s = ms ? rs.placed * PAGE_SIZE / MIB * 1000 / ms : 0;
	eta_ms = rs.placed ? ms * (total - rs.placed) / rs.placed : 0;
	for (int i = 0; i < 20; i++)
		bar[i] = (uint64_t)i * total < rs.placed * 20 ? '#' : '.';
	bar[20] = 0;
	kprintf("resume: [%s] %3llu%%  %llu MiB/s  ETA %llu.%01llu s\n", bar,
		(unsigned long long)(rs.placed * 100 / total), (unsigned long long)mib_s,
		(unsigned long long)(eta_ms / 1000), (unsigned long long)(eta_ms % 1000 / 100));
}

static const uint8_t *ld_keep_meta(void *arg, uint64_t index, const uint8_t *page)
{
	(void)arg;
	if (index >= rs.d.info.nr_meta)
		return NULL;
	memcpy(rs.meta + index * PAGE_SIZE, page, PAGE_SIZE);
	return rs.meta + index * PAGE_SIZE;
}

/* Every listed frame must be RAM here and is forbidden to the allocator before a
 * single page is written (restore-lessons.md #7, #13). */
static enum img_err ld_pfns(void *arg, const struct pfn_list *list)
{
	struct pfn_iter it;
	uint64_t pfn;
	bool zero;
	enum place_err e = PLACE_OK;

	(void)arg;
	pfn_iter_init(&it, list);
	while (e == PLACE_OK && pfn_iter_next(&it, &pfn, &zero))
		e = place_reserve(&rs.pl, pfn);
	place_reserve_end(&rs.pl);
	if (e != PLACE_OK) {
		if (e == PLACE_ENOTRAM)
			ksnprintf(rs.why, sizeof(rs.why), "%s (frame 0x%llx; this machine has RAM "
				  "up to frame 0x%llx)", place_strerror(e),
				  (unsigned long long)rs.pl.bad_pfn, (unsigned long long)pmm_max_pfn());
		else
			ksnprintf(rs.why, sizeof(rs.why), "%s (frame 0x%llx)", place_strerror(e),
				  (unsigned long long)rs.pl.bad_pfn);
		return IMG_ECALLER;
	}
	rs.next_report = list->count / 10;
	return IMG_OK;
}

static enum img_err ld_data(void *arg, uint64_t pfn, const uint8_t *page)
{
	enum place_err e;
	void *dst = place_dest(&rs.pl, pfn, &e);

	(void)arg;
	if (!dst) {
		ksnprintf(rs.why, sizeof(rs.why), "%s", place_strerror(e));
		return IMG_ECALLER;
	}
	copy_page(dst, page);
	rs.placed++;
	progress(false);
	return IMG_OK;
}

static enum img_err ld_zero(void *arg, uint64_t pfn)
{
	enum place_err e = place_zero(&rs.pl, pfn);

	(void)arg;
	if (e != PLACE_OK) {
		ksnprintf(rs.why, sizeof(rs.why), "%s", place_strerror(e));
		return IMG_ECALLER;
	}
	rs.placed++;
	return IMG_OK;
}

static const struct img_loader_ops loader_ops = {
	.keep_meta = ld_keep_meta, .pfns = ld_pfns, .data = ld_data, .zero = ld_zero,
};

static void read_map(void)
{
	uint64_t *entries = alloc_bytes(rs.d.max_entries * sizeof(uint64_t));
	uint64_t *maps = alloc_bytes(rs.d.max_maps * sizeof(uint64_t));
	struct img_fault f = { 0 };
	uint64_t t0 = timer_ns();

	if (!entries || !maps)
		refuse("not enough memory for the swap map", NULL);
	if (img_read_map(&rs.src, &rs.d, &rs.m, entries, maps, rs.page, &f) != IMG_OK)
		refuse_fault("bad swap map", &f);
	rs.map_ns = timer_ns() - t0;
}

/* The stream's consumer: decode and place the blocks read-ahead delivers. */
static int push_blocks(void *arg, const uint8_t *blocks, size_t nblocks)
{
	(void)arg;
	return img_stream_push(&rs.stream, blocks, nblocks, &rs.fault) != IMG_OK;
}

/* All buffers come from the allocator before the PFN list is known, so they are
 * thaw-occupied frames: pages whose home they are get staged. */
static void load_pages(void)
{
	const uint8_t **meta_ptrs = alloc_bytes(rs.d.info.nr_meta * sizeof(void *));
	uint8_t *bufs = alloc_bytes((uint64_t)RA_SLOTS * RA_SLOT_BLOCKS * PAGE_SIZE);
	struct img_stream_cfg cfg = {
		.codec = rs.d.hdr.codec, .crc = rs.d.hdr.has_crc,
		.pages = img_info_stream_pages(&rs.d.info),
		.cmp_buf = alloc_bytes(IMG_STREAM_CMP_BUF), .unc_buf = alloc_bytes(IMG_STREAM_UNC_BUF),
		.sink = img_loader_page, .arg = &rs.loader,
	};
	uint64_t bad = 0;
	enum ra_err re;

	rs.meta = alloc_bytes(rs.d.info.nr_meta * PAGE_SIZE);
	if (!cfg.cmp_buf || !cfg.unc_buf || !bufs || !meta_ptrs || !rs.meta)
		refuse("not enough memory for the image reader's buffers", NULL);
	rs.env = (struct place_env){ NULL, env_is_ram, env_is_thaw, env_forbid, env_alloc, env_frame };
	place_init(&rs.pl, &rs.env);
	img_loader_init(&rs.loader, &rs.d.info, meta_ptrs, &loader_ops, NULL);
	if (img_stream_init(&rs.stream, &cfg) != IMG_OK)
		refuse("cannot set up the image stream", NULL);
	re = readahead_run(rs.dev, rs.m.entries + 1, rs.m.n_entries - 1, bufs, push_blocks, NULL,
			   &rs.ra, &bad);
	if (re == RA_EIO) {
		ksnprintf(rs.why, sizeof(rs.why), "read error at block %llu", (unsigned long long)bad);
		refuse("I/O error while reading the image", rs.why);
	}
	if (re == RA_ECONSUME) {
		if (rs.fault.at & IMG_AT_ENTRY && rs.fault.entry < rs.m.n_entries)
			img_at_block(&rs.fault, rs.m.entries[rs.fault.entry]);
		refuse_fault("image refused", &rs.fault);
	}
	if (img_stream_finish(&rs.stream, rs.d.hdr.crc32, &rs.fault) != IMG_OK ||
	    img_loader_finish(&rs.loader, &rs.fault) != IMG_OK)
		refuse_fault("image refused", &rs.fault);
	progress(true);
	if (rs.d.hdr.has_crc)
		kprintf("resume: image CRC32 0x%x verified\n", rs.stream.crc);
}

/* ---- locate, noresume, discard ---------------------------------------------- */

static void locate(void)
{
	struct resume_target t;
	enum locate_err e = locate_resume(rs.o, &t);

	if (e == LOCATE_ENOIMAGE || e == LOCATE_ENOTFOUND || e == LOCATE_ENODISKS)
		stop_nothing_to_resume(rs.o, "resume: nothing to resume: %s", locate_strerror(e));
	if (e != LOCATE_OK)
		stop_failed(rs.o, "resume: cannot find the image: %s", locate_strerror(e));
	rs.dev = t.dev;
	rs.offset = t.header_page;
	rs.src = (struct img_source){ src_read, rs.dev, rs.dev->sectors / 8 };
}

/* Wait up to s seconds for a key; true if one came. */
static int wait_key(uint32_t s)
{
	uint64_t end = timer_ms() + (uint64_t)s * 1000;

	while (timer_ms() < end) {
		int c = console_getc_nowait();
		if (c >= 0)
			return c;
	}
	return -1;
}

__attribute__((noreturn)) static void offer_discard(const char *why)
{
	enum commit_err e;
	int c;

	kprintf("resume: not resuming (%s).\n"
		"resume: discard the hibernation image on %s? It can never be resumed "
		"afterwards; unsaved work in it is lost. [y/N] (%u s)\n", why, rs.dev->name, PROMPT_S);
	c = wait_key(PROMPT_S);
	if (c != 'y' && c != 'Y')
		stop_nothing_to_resume(rs.o, "resume: image kept; it will be offered again at the "
				       "next boot");
	e = commit_invalidate(rs.dev, rs.offset, &rs.d.hdr, rs.page);
	if (e == COMMIT_EREADBACK)
		stop_nothing_to_resume(rs.o, "resume: image discarded (%s)", commit_strerror(e));
	if (e != COMMIT_OK)
		stop_failed(rs.o, "resume: discarding failed: %s", commit_strerror(e));
	stop_nothing_to_resume(rs.o, "resume: image discarded; the swap area is plain swap again");
}

static void countdown(void)
{
	if (rs.o->noresume)
		offer_discard("noresume");
	/* One line a second: readable on a serial log, not only on a screen. */
	for (uint32_t s = rs.o->delay_s; s > 0; s--) {
		kprintf("thaw: resuming in %u s — press any key to cancel\n", s);
		if (wait_key(1) >= 0)
			offer_discard("cancelled by a key");
	}
}

/* ---- the flow ----------------------------------------------------------------- */

static void open_image(void)
{
	struct img_fault f = { 0 };
	enum img_err e;

	rs.t_open_ns = timer_ns();
	e = img_open(&rs.src, rs.offset, rs.page, &rs.d, &f);
	if (e == IMG_ENOIMAGE)
		stop_nothing_to_resume(rs.o, "resume: %s holds no hibernation image", rs.dev->name);
	if (e != IMG_OK)
		refuse_fault("image refused", &f);
	kprintf("resume: image on %s at block %llu: %s record, %s, %llu data pages "
		"(%llu MiB), %llu PFN pages\n", rs.dev->name, (unsigned long long)rs.offset,
		img_protocol_name(rs.d.info.protocol), img_codec_name(rs.d.hdr.codec),
		(unsigned long long)rs.d.info.image_pages,
		(unsigned long long)(rs.d.info.image_pages * PAGE_SIZE / MIB),
		(unsigned long long)rs.d.info.nr_meta);
}

/* The image must have been made on this machine: same memory map, same ACPI
 * hardware signature (when recorded). */
static void check_machine(void)
{
	enum verify_err e = verify_e820(rs.bi, rs.o, &rs.d.info, rs.why, sizeof(rs.why));

	if (e != VERIFY_OK)
		refuse(verify_strerror(e), rs.why);
	e = verify_hw_sig(&rs.d.hdr, rs.why, sizeof(rs.why));
	if (e != VERIFY_OK)
		refuse(verify_strerror(e), rs.why);
	verify_note_physpages(rs.bi, &rs.d.info);
	rs.why[0] = 0;
}

static void prepare_handoff(void)
{
	const struct img_info *in = &rs.d.info;
	enum handoff_err e;

	rs.h.jump = in->jump_address;
	rs.h.jump_phys = in->jump_address_phys;
	rs.h.image_cr3 = in->cr3;
	rs.h.protocol = (in->protocol == IMG_PROTO_V2 || in->protocol == IMG_PROTO_V1 ||
			 in->protocol == IMG_PROTO_V1_MD5) ? TRAMP_PROTO_MODERN : TRAMP_PROTO_SEED;
	rs.h.platform = rs.d.hdr.flags & SF_PLATFORM_MODE;
	e = handoff_prepare(&rs.h, &rs.pl);
	if (e != HANDOFF_OK)
		refuse("cannot hand over to this image", handoff_strerror(e));
	if (rs.h.platform)
		kprintf("resume: the image was made in platform mode: all ACPI GPEs will be "
			"disabled before the jump, as Linux's platform_pre_restore() does\n");
	acpi_mode_enable();
}

static void commit(void)
{
	enum commit_err e = commit_invalidate(rs.dev, rs.offset, &rs.d.hdr, rs.page);

	if (e == COMMIT_OK)
		return;
	/* The device took the write and the flush, so the image is most likely no
	 * longer marked: not jumping now would lose it for good. Jumping risks a
	 * second resume only if the device lied about the flush; Linux's own boot
	 * kernel (kernel/power/swap.c swsusp_check()) writes without any read-back. */
	if (e == COMMIT_EREADBACK) {
		kprintf("resume: warning: %s; resuming anyway: the write and the flush "
			"succeeded, so the image is no longer marked resumable and would be "
			"lost if thaw stopped here\n", commit_strerror(e));
		return;
	}
	if (e == COMMIT_EREAD || e == COMMIT_ECHANGED)
		refuse("not invalidating the image", commit_strerror(e));
	/* The header may be half-written: do not claim it is intact, do not jump. */
	stop_failed(rs.o, "resume: %s — not resuming; the image may or may not be offered "
		    "again", commit_strerror(e));
}

static void summary(void)
{
	uint64_t ms = (timer_ns() - rs.t_open_ns) / 1000000;
	uint64_t bytes = rs.d.info.image_pages * PAGE_SIZE;

	kprintf("thaw: resuming pages=%llu bytes=%llu load_ms=%llu mibps=%llu zero=%llu "
		"staged=%llu direct=%llu codec=%s levels=%d map_ms=%llu io_wait_ms=%llu "
		"decode_ms=%llu requests=%llu total_ms=%llu\n",
		(unsigned long long)rs.d.info.image_pages, (unsigned long long)bytes,
		(unsigned long long)ms, (unsigned long long)(ms ? bytes * 1000 / MIB / ms : 0),
		(unsigned long long)(rs.pl.zeroed), (unsigned long long)rs.pl.staged,
		(unsigned long long)rs.pl.direct, img_codec_name(rs.d.hdr.codec), rs.h.levels,
		(unsigned long long)(rs.map_ns / 1000000), (unsigned long long)(rs.ra.wait_ns / 1000000),
		(unsigned long long)(rs.ra.consume_ns / 1000000),
		(unsigned long long)rs.ra.requests, (unsigned long long)timer_ms());
}

void resume_main(const struct boot_info *bi, const struct options *o)
{
	rs.bi = bi;
	rs.o = o;
	rs.page = alloc_bytes(PAGE_SIZE);
	if (!rs.page)
		stop_failed(o, "resume: no memory for a page buffer");
	locate();
	open_image();
	countdown();
	check_machine();
	handoff_probe(&rs.h);
	read_map();
	load_pages();
	prepare_handoff();
	commit();
	summary();
	handoff_jump(&rs.h, &rs.pl);
}
