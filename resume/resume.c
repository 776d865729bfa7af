/* The top-level resume flow: every check happens before the one disk write, and the
 * write happens before the jump. One explicit context is handed to every step; a step
 * says how the run goes on by the value it returns. */
#include "resume/resume.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "block/blockdev.h"
#include "block/cutdev.h"
#include "block/disks.h"
#include "block/stack.h"
#include "image/image_read.h"
#include "image/stream.h"
#include "image/swsusp_format.h"
#include "kernel/acpi_mode.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cutpoint.h"
#include "kernel/smp.h"
#include "kernel/stop.h"
#include "kernel/timer.h"
#include "mm/pmm.h"
#include "resume/commit.h"
#include "resume/efi_location.h"
#include "resume/handoff.h"
#include "resume/jump.h"
#include "resume/locate.h"
#include "resume/place.h"
#include "resume/pload.h"
#include "resume/readahead.h"
#include "resume/trampoline_abi.h"
#include "resume/verify.h"

#define PROMPT_S        30      /* how long the discard prompt waits */
#define MIB             (1024 * 1024)
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

/* The steps of resume_main(), in order (the table is at the end). */
enum step_id {
	STEP_SCRATCH, STEP_LOCATE, STEP_OPEN, STEP_COUNTDOWN, STEP_CHECK, STEP_PROBE,
	STEP_SMP, STEP_MAP, STEP_LOAD, STEP_HANDOFF, STEP_ACPI, STEP_COMMIT, STEP_COUNT,
};

/* Why a loader callback refused: a placement error, and for the reservation the frame. */
struct load_refusal {
	enum place_err err;     /* PLACE_OK: no callback refused */
	bool reserving;         /* while reserving the PFN list: pfn is the frame */
	uint64_t pfn;
};

/* Everything one resume knows. Each step gets it as its only argument, and so does
 * every callback the steps install (the loader, the stream, read-ahead, placement). */
struct resume_ctx {
	const struct boot_info *bi;
	const struct options *o;
	struct disk_info devs[BLOCKDEV_MAX];    /* the registry, as locate_resume() takes it */
	struct blockdev *dev;
	uint64_t offset;                /* swap header block (resume_offset) */
	struct hibernate_location hl;   /* systemd's HibernateLocation, when read */
	bool hl_read;                   /* it was: delete it when the resume commits */
	struct img_source src;
	struct img_desc d;
	struct img_map m;
	struct place_env env;
	struct placer pl;
	struct handoff h;
	struct img_loader loader;
	struct img_stream stream;
	struct img_fault fault;
	struct load_refusal refusal;
	struct ra_stats ra;
	uint8_t *page;                  /* 4 KiB scratch, DMA-able */
	uint8_t *meta;                  /* nr_meta pages kept for the loader */
	uint64_t t_open_ns;             /* when reading the image began */
	uint64_t map_ns;                /* reading the swap-map chain */
	uint64_t placed, next_report;   /* progress */
	unsigned cpus;                  /* CPUs that decoded the image */
	struct pload par;               /* the block decoder of compressed images */
	struct load_times {
		uint64_t place_ns;      /* placing and copying data pages */
		uint64_t zero_ns;       /* placing zero pages */
		uint64_t reserve_ns;    /* reserving the PFN list's frames */
		uint64_t progress_ns;   /* printing the progress bar */
		uint64_t print0_ns, screen0_ns;  /* console time when reading began */
		uint64_t step_ns[STEP_COUNT];    /* each step of steps[] */
	} t;
};

/* How a step ends: carry on, or stop the run with a line saying why. */
enum resume_end { RESUME_GO = 0, RESUME_NOTHING, RESUME_FAILED };

struct outcome {
	enum resume_end end;
	char line[400];                 /* "resume: …", printed by kernel/stop.c */
};

typedef struct outcome (*resume_step)(struct resume_ctx *c);

/* ---- outcomes --------------------------------------------------------------- */

static struct outcome go(void)
{
	return (struct outcome){ .end = RESUME_GO };
}

__attribute__((format(printf, 2, 3)))
static struct outcome ending(enum resume_end end, const char *fmt, ...)
{
	struct outcome r = { .end = end };
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(r.line, sizeof(r.line), fmt, ap);
	va_end(ap);
	return r;
}

/* The image is refused and left as it was: a later boot may still resume it. */
static struct outcome refused(const char *what, const char *detail)
{
	return ending(RESUME_FAILED, "resume: %s%s%s — the image was left untouched; it can "
		      "still be resumed by a later boot", what, detail ? ": " : "",
		      detail ? detail : "");
}

/* A reader fault; IMG_ECALLER means one of our callbacks refused, and says why. */
static struct outcome refused_fault(const struct resume_ctx *c, const char *what,
				    const struct img_fault *f)
{
	const struct load_refusal *r = &c->refusal;
	char buf[192];

	if (f->err == IMG_ECALLER && r->err == PLACE_ENOTRAM && r->reserving)
		ksnprintf(buf, sizeof(buf), "%s (frame 0x%llx; this machine has RAM up to "
			  "frame 0x%llx)", place_strerror(r->err), (unsigned long long)r->pfn,
			  (unsigned long long)pmm_max_pfn());
	else if (f->err == IMG_ECALLER && r->err != PLACE_OK && r->reserving)
		ksnprintf(buf, sizeof(buf), "%s (frame 0x%llx)", place_strerror(r->err),
			  (unsigned long long)r->pfn);
	else if (f->err == IMG_ECALLER && r->err != PLACE_OK)
		ksnprintf(buf, sizeof(buf), "%s", place_strerror(r->err));
	else
		img_fault_format(f, buf, sizeof(buf));
	return refused(what, buf);
}

__attribute__((noreturn)) static void stop(const struct resume_ctx *c, const struct outcome *r)
{
	if (r->end == RESUME_NOTHING)
		stop_nothing_to_resume(c->o, "%s", r->line);
	stop_failed(c->o, "%s", r->line);
}

/* ---- the machine under the reader and the placer ------------------------------ */

static enum img_err src_read(void *arg, uint64_t block, uint32_t count, void *buf)
{
	struct blockdev *d = arg;
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

/* Placement over mm/pmm.c: RAM is identity-mapped, so frame pfn is at pfn * 4 KiB. */
static bool env_is_ram(void *arg, uint64_t pfn) { (void)arg; return pmm_is_ram(pfn); }
static bool env_is_thaw(void *arg, uint64_t pfn) { (void)arg; return pmm_is_thaw(pfn); }
static void env_forbid(void *arg, uint64_t pfn, uint64_t n) { (void)arg; pmm_forbid(pfn, n); }
static uint64_t env_alloc(void *arg) { (void)arg; return pmm_alloc() / PAGE_SIZE; }
static void *env_frame(void *arg, uint64_t pfn) { (void)arg; return (void *)(uintptr_t)(pfn * PAGE_SIZE); }

/* ---- the loader's callbacks (arg: the context) -------------------------------- */

/* The reliability tests' power cuts part-way through the load (kernel/cutpoint.h). */
static void cut_during_load(uint64_t percent)
{
	static const struct { uint64_t percent; const char *phase; } at[] = {
		{ 10, "load-10" }, { 50, "load-50" }, { 90, "load-90" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(at); i++)
		if (percent >= at[i].percent)
			cutpoint(at[i].phase);
}

static void progress(struct resume_ctx *c, bool last)
{
	uint64_t total = c->pl.reserved;
	uint64_t ms, mib_s, eta_ms;
	char bar[21];

	if (!total || (!last && c->placed < c->next_report))
		return;
	c->next_report = c->placed + total / 10 + 1;
	ms = (timer_ns() - c->t_open_ns) / 1000000;
	mib_s = ms ? c->placed * PAGE_SIZE / MIB * 1000 / ms : 0;
	eta_ms = c->placed ? ms * (total - c->placed) / c->placed : 0;
	for (int i = 0; i < 20; i++)
		bar[i] = (uint64_t)i * total < c->placed * 20 ? '#' : '.';
	bar[20] = 0;
	kprintf("resume: [%s] %3llu%%  %llu MiB/s  ETA %llu.%01llu s\n", bar,
		(unsigned long long)(c->placed * 100 / total), (unsigned long long)mib_s,
		(unsigned long long)(eta_ms / 1000), (unsigned long long)(eta_ms % 1000 / 100));
	cut_during_load(c->placed * 100 / total);
}

static const uint8_t *ld_keep_meta(void *arg, uint64_t index, const uint8_t *page)
{
	struct resume_ctx *c = arg;

	if (index >= c->d.info.nr_meta)
		return NULL;
	memcpy(c->meta + index * PAGE_SIZE, page, PAGE_SIZE);
	return c->meta + index * PAGE_SIZE;
}

static enum img_err ld_refuse(struct resume_ctx *c, enum place_err e, bool reserving)
{
	c->refusal = (struct load_refusal){ e, reserving, c->pl.bad_pfn };
	return IMG_ECALLER;
}

/* Every listed frame must be RAM here and is forbidden to the allocator before a
 * single page is written (Linux kernel/power/snapshot.c mark_unsafe_pages()). */
static enum img_err ld_pfns(void *arg, const struct pfn_list *list)
{
	struct resume_ctx *c = arg;
	struct pfn_iter it;
	uint64_t pfn;
	bool zero;
	enum place_err e = PLACE_OK;

	uint64_t t0 = timer_ns();

	pfn_iter_init(&it, list);
	while (e == PLACE_OK && pfn_iter_next(&it, &pfn, &zero))
		e = place_reserve(&c->pl, pfn);
	place_reserve_end(&c->pl);
	c->t.reserve_ns += timer_ns() - t0;
	if (e != PLACE_OK)
		return ld_refuse(c, e, true);
	c->next_report = list->count / 10;
	return IMG_OK;
}

static enum img_err ld_data(void *arg, uint64_t pfn, const uint8_t *page)
{
	struct resume_ctx *c = arg;
	enum place_err e;
	void *dst = place_dest(&c->pl, pfn, &e);

	uint64_t t0 = timer_ns();

	if (!dst)
		return ld_refuse(c, e, false);
	/* dst == page: decoded at home already (resume/pload.c). */
	if (dst != page && !pload_defer_copy(&c->par, dst, page))
		page_copy(dst, page);
	c->placed++;
	c->t.place_ns += timer_ns() - t0;
	if (c->placed >= c->next_report) {
		t0 = timer_ns();
		progress(c, false);
		c->t.progress_ns += timer_ns() - t0;
	}
	return IMG_OK;
}

static enum img_err ld_zero(void *arg, uint64_t pfn)
{
	struct resume_ctx *c = arg;
	uint64_t t0 = timer_ns();
	enum place_err e = place_zero(&c->pl, pfn);

	c->t.zero_ns += timer_ns() - t0;
	if (e != PLACE_OK)
		return ld_refuse(c, e, false);
	c->placed++;
	return IMG_OK;
}

/* pload_home_fn: stream pages [first, first + n) are data pages bound for n
 * consecutive frames, none of them thaw's (listed frames are forbidden to the
 * allocator, so none becomes thaw's later): decode straight into them. */
static void *ld_home(void *arg, uint64_t first, uint64_t n)
{
	struct resume_ctx *c = arg;
	uint64_t len, pfn = img_loader_run_ahead(&c->loader, first, n, &len);

	if (!pfn || len != n)
		return NULL;
	for (uint64_t i = 0; i < n; i++)
		if (pmm_is_thaw(pfn + i))
			return NULL;
	return env_frame(c, pfn);
}

/* ra_home_fn for raw images (stream block i = stream page i): a run of at least
 * RAW_HOME_MIN data pages bound for consecutive frames below 4 GiB (every driver can
 * DMA there), none of them thaw's, is read straight into them; everything else goes
 * through the read-ahead buffers. Shorter runs would cost more requests than the
 * copies they save. */
#define RAW_HOME_MIN    16
#define DMA32_PFNS      (1ull << 20)
static uint8_t *ld_raw_home(void *arg, size_t first, size_t *n)
{
	struct resume_ctx *c = arg;
	uint64_t len, k = 0, pfn = img_loader_run_ahead(&c->loader, first, *n, &len);

	if (!pfn) {
		/* meta pages (or the list not known yet): up to the first data page */
		if (first < c->d.info.nr_meta && *n > c->d.info.nr_meta - first)
			*n = c->d.info.nr_meta - first;
		return NULL;
	}
	if (pfn + len > DMA32_PFNS)
		len = pfn < DMA32_PFNS ? DMA32_PFNS - pfn : 0;
	while (k < len && !pmm_is_thaw(pfn + k))
		k++;
	if (k >= RAW_HOME_MIN || (k && k == *n)) {
		*n = k;
		return env_frame(c, pfn);
	}
	*n = k ? k : 1;
	return NULL;
}

static const struct img_loader_ops loader_ops = {
	.keep_meta = ld_keep_meta, .pfns = ld_pfns, .data = ld_data, .zero = ld_zero,
};

/* The stream's consumer: decode and place the blocks read-ahead delivers. */
static int push_blocks(void *arg, const uint8_t *blocks, size_t nblocks)
{
	struct resume_ctx *c = arg;

	return img_stream_push(&c->stream, blocks, nblocks, &c->fault) != IMG_OK;
}

/* ---- the steps ---------------------------------------------------------------- */

static struct outcome alloc_scratch(struct resume_ctx *c)
{
	c->page = pmm_alloc_bytes(PAGE_SIZE);
	if (!c->page)
		return ending(RESUME_FAILED, "resume: no memory for a page buffer");
	return go();
}

/* resume= wins; without it systemd's HibernateLocation names the device and offset; a
 * variable naming no device or no image is reported, and every disk is scanned. The
 * variable is read either way (systemd-hibernate-resume does too) so that the resume
 * consumes it. */
static enum locate_err locate_with_variable(struct resume_ctx *c, unsigned n,
					    struct resume_target *t)
{
	enum locate_err e;

	c->hl_read = efi_location_read(&c->hl);
	if (!c->hl_read)
		return locate_resume(c->o, c->devs, n, t);
	if (c->o->resume[0]) {
		kprintf("locate: resume=%s wins over HibernateLocation (UUID=%s offset=%llu)\n",
			c->o->resume, c->hl.uuid, (unsigned long long)c->hl.offset);
		return locate_resume(c->o, c->devs, n, t);
	}
	e = efi_location_locate(&c->hl, c->o, c->devs, n, t);
	if (e == LOCATE_OK)
		return e;
	kprintf("locate: HibernateLocation names UUID=%s offset=%llu, which holds no image "
		"here (%s); scanning every disk instead\n", c->hl.uuid,
		(unsigned long long)c->hl.offset, locate_strerror(e));
	return locate_resume(c->o, c->devs, n, t);
}

static struct outcome locate_image(struct resume_ctx *c)
{
	unsigned n = disks_list(c->devs, BLOCKDEV_MAX);
	struct resume_target t;
	enum locate_err e = locate_with_variable(c, n, &t);

	if (e != LOCATE_OK && stack_locked())
		kprintf("locate: %u encrypted device%s stayed locked, so what %s was not "
			"searched\n", stack_locked(), stack_locked() == 1 ? "" : "s",
			stack_locked() == 1 ? "it holds" : "they hold");
	if (e == LOCATE_ENOIMAGE || e == LOCATE_ENOTFOUND || e == LOCATE_ENODISKS)
		return ending(RESUME_NOTHING, "resume: nothing to resume: %s", locate_strerror(e));
	if (e != LOCATE_OK)
		return ending(RESUME_FAILED, "resume: cannot find the image: %s", locate_strerror(e));
	c->dev = t.dev;
	c->offset = t.header_page;
	c->src = (struct img_source){ src_read, c->dev, c->dev->sectors / 8 };
	cutpoint("located");
	return go();
}

static struct outcome open_image(struct resume_ctx *c)
{
	struct img_fault f = { 0 };
	enum img_err e;

	c->t_open_ns = timer_ns();
	console_times(&c->t.print0_ns, &c->t.screen0_ns);
	e = img_open(&c->src, c->offset, c->page, &c->d, &f);
	if (e == IMG_ENOIMAGE)
		return ending(RESUME_NOTHING, "resume: %s holds no hibernation image", c->dev->name);
	if (e != IMG_OK)
		return refused_fault(c, "image refused", &f);
	kprintf("resume: image on %s at block %llu: %s record, %s, %llu data pages "
		"(%llu MiB), %llu PFN pages\n", c->dev->name, (unsigned long long)c->offset,
		img_protocol_name(c->d.info.protocol), img_codec_name(c->d.hdr.codec),
		(unsigned long long)c->d.info.image_pages,
		(unsigned long long)(c->d.info.image_pages * PAGE_SIZE / MIB),
		(unsigned long long)c->d.info.nr_meta);
	return go();
}

/* Not resuming: offer to discard the image (the signature reset, nothing else). */
static struct outcome offer_discard(struct resume_ctx *c, const char *why)
{
	enum commit_err e;
	int key;

	kprintf("resume: not resuming (%s).\n"
		"resume: discard the hibernation image on %s? It can never be resumed "
		"afterwards; unsaved work in it is lost. [y/N] (%u s)\n", why, c->dev->name, PROMPT_S);
	key = console_wait_key(PROMPT_S * 1000ull);
	if (key != 'y' && key != 'Y')
		return ending(RESUME_NOTHING, "resume: image kept; it will be offered again at the "
			      "next boot");
	e = commit_invalidate(c->dev, c->offset, &c->d.hdr, c->page);
	if (e == COMMIT_EREADBACK)
		return ending(RESUME_NOTHING, "resume: image discarded (%s)", commit_strerror(e));
	if (e != COMMIT_OK)
		return ending(RESUME_FAILED, "resume: discarding failed: %s", commit_strerror(e));
	return ending(RESUME_NOTHING, "resume: image discarded; the swap area is plain swap again");
}

static struct outcome countdown(struct resume_ctx *c)
{
	if (c->o->noresume)
		return offer_discard(c, "noresume");
	/* One line a second: readable on a serial log, not only on a screen. */
	for (uint32_t s = c->o->delay_s; s > 0; s--) {
		kprintf("thaw: resuming in %u s — press any key to cancel\n", s);
		if (console_wait_key(1000) >= 0)
			return offer_discard(c, "cancelled by a key");
	}
	return go();
}

/* The image must have been made on this machine: same memory map, same ACPI
 * hardware signature (when recorded). */
static struct outcome check_machine(struct resume_ctx *c)
{
	char why[192];
	enum verify_err e = verify_e820(c->bi, c->o, &c->d.info, why, sizeof(why));

	if (e != VERIFY_OK)
		return refused(verify_strerror(e), why);
	e = verify_hw_sig(&c->d.hdr, why, sizeof(why));
	if (e != VERIFY_OK)
		return refused(verify_strerror(e), why);
	verify_note_physpages(c->bi, &c->d.info);
	return go();
}

/* Firmware tables are certainly intact until the first image page is written. */
static struct outcome probe_firmware(struct resume_ctx *c)
{
	jump_probe(&c->h);
	return go();
}

/* The other CPUs, for decoding: started only once the image is known to be worth
 * resuming, parked again (INIT) as soon as the pages are in. */
static struct outcome start_cpus(struct resume_ctx *c)
{
	c->cpus = smp_start(c->bi, c->o->smp_max);
	return go();
}

static struct outcome read_map(struct resume_ctx *c)
{
	uint64_t *entries = pmm_alloc_bytes(c->d.max_entries * sizeof(uint64_t));
	uint64_t *maps = pmm_alloc_bytes(c->d.max_maps * sizeof(uint64_t));
	struct img_fault f = { 0 };
	uint64_t t0 = timer_ns();

	if (!entries || !maps)
		return refused("not enough memory for the swap map", NULL);
	if (img_read_map(&c->src, &c->d, &c->m, entries, maps, c->page, &f) != IMG_OK)
		return refused_fault(c, "bad swap map", &f);
	c->map_ns = timer_ns() - t0;
	return go();
}

/* The reader's buffers (read-ahead's in *bufs), the placer and the loader. All buffers come from the
 * allocator before the PFN list is known, so they are thaw-occupied frames: pages
 * whose home they are get staged. */
static bool set_up_loading(struct resume_ctx *c, struct img_stream_cfg *cfg, uint8_t **bufs)
{
	const uint8_t **meta_ptrs = pmm_alloc_bytes(c->d.info.nr_meta * sizeof(void *));

	*bufs = pmm_alloc_bytes((uint64_t)RA_SLOTS * RA_SLOT_BLOCKS * PAGE_SIZE);
	*cfg = (struct img_stream_cfg){
		.codec = c->d.hdr.codec, .crc = c->d.hdr.has_crc,
		.pages = img_info_stream_pages(&c->d.info),
		.cmp_buf = pmm_alloc_bytes(IMG_STREAM_CMP_BUF),
		.unc_buf = pmm_alloc_bytes(IMG_STREAM_UNC_BUF),
		.sink = img_loader_page, .arg = &c->loader,
	};
	c->meta = pmm_alloc_bytes(c->d.info.nr_meta * PAGE_SIZE);
	if (!cfg->cmp_buf || !cfg->unc_buf || !*bufs || !meta_ptrs || !c->meta)
		return false;
	c->env = (struct place_env){ c, env_is_ram, env_is_thaw, env_forbid, env_alloc, env_frame };
	place_init(&c->pl, &c->env);
	img_loader_init(&c->loader, &c->d.info, meta_ptrs, &loader_ops, c);
	return true;
}

/* What read-ahead's end means for the resume. */
static struct outcome after_readahead(struct resume_ctx *c, enum ra_err re, uint64_t bad)
{
	char why[64];

	if (re == RA_EIO) {
		ksnprintf(why, sizeof(why), "read error at block %llu", (unsigned long long)bad);
		return refused("I/O error while reading the image", why);
	}
	if (re == RA_ECONSUME) {
		if (c->fault.at & IMG_AT_ENTRY && c->fault.entry < c->m.n_entries)
			img_at_block(&c->fault, c->m.entries[c->fault.entry]);
		return refused_fault(c, "image refused", &c->fault);
	}
	if (img_stream_finish(&c->stream, c->d.hdr.crc32, &c->fault) != IMG_OK ||
	    img_loader_finish(&c->loader, &c->fault) != IMG_OK)
		return refused_fault(c, "image refused", &c->fault);
	return go();
}

/* Stream every data block through read-ahead, the decoder, the loader and the placer.
 * Compressed images go through resume/pload.c (on every CPU there is); raw ones
 * through the stream on this CPU. */
static struct outcome load_pages_on(struct resume_ctx *c)
{
	uint8_t *bufs;
	struct img_stream_cfg cfg;
	struct outcome r;
	uint64_t bad = 0;
	enum ra_err re;
	ra_consume_fn consume = push_blocks;
	void *arg = c;

	if (!set_up_loading(c, &cfg, &bufs))
		return refused("not enough memory for the image reader's buffers", NULL);
	if (img_stream_init(&c->stream, &cfg) != IMG_OK)
		return refused("cannot set up the image stream", NULL);
	/* On one CPU too: the boot CPU decodes the queued blocks itself, into home
	 * frames where it can, which saves the copy the stream's own decoder makes. */
	if (cfg.codec != IMG_CODEC_RAW) {
		if (!pload_init(&c->par, &c->stream, &c->fault, pmm_alloc_bytes))
			return refused("not enough memory for the parallel decoder's buffers", NULL);
		pload_set_home(&c->par, ld_home, c);
		consume = pload_push;
		arg = &c->par;
	}
	re = readahead_run(c->dev, c->m.entries + 1, c->m.n_entries - 1, bufs, consume,
			   consume == pload_push ? NULL : ld_raw_home, arg, &c->ra, &bad);
	if (consume == pload_push)
		pload_finish(&c->par);
	r = after_readahead(c, re, bad);
	if (r.end != RESUME_GO)
		return r;
	progress(c, true);
	if (c->d.hdr.has_crc)
		kprintf("resume: image CRC32 0x%x verified\n", c->stream.crc);
	cutpoint("verified");
	return go();
}

/* Whatever happened, no AP runs thaw's code past this point. */
static struct outcome load_pages(struct resume_ctx *c)
{
	struct outcome r = load_pages_on(c);

	smp_park();
	return r;
}

static struct outcome prepare_handoff(struct resume_ctx *c)
{
	const struct img_info *in = &c->d.info;
	struct handoff_env env = { .max_pfn = pmm_max_pfn() };
	enum handoff_err e;

	c->h.jump = in->jump_address;
	c->h.jump_phys = in->jump_address_phys;
	c->h.image_cr3 = in->cr3;
	c->h.protocol = (in->protocol == IMG_PROTO_V2 || in->protocol == IMG_PROTO_V1 ||
			 in->protocol == IMG_PROTO_V1_MD5) ? TRAMP_PROTO_MODERN : TRAMP_PROTO_SEED;
	jump_machine(&env);
	e = handoff_prepare(&c->h, &c->pl, &env);
	if (e != HANDOFF_OK)
		return refused("cannot hand over to this image", handoff_strerror(e));
	return go();
}

/* ACPI as Linux's boot kernel leaves it (kernel/acpi_mode.c says what and why):
 * ACPI mode now, the fixed events and platform-mode GPEs at the jump. */
static struct outcome enter_acpi_mode(struct resume_ctx *c)
{
	c->h.platform = c->d.hdr.flags & SF_PLATFORM_MODE;
	if (c->h.platform)
		kprintf("resume: the image was made in platform mode: all ACPI GPEs will be "
			"disabled before the jump, as Linux's platform_pre_restore() does\n");
	acpi_mode_enable();
	return go();
}

/* The one disk write. */
static struct outcome commit(struct resume_ctx *c)
{
	struct blockdev cut;
	enum commit_err e = commit_invalidate(cutdev_wrap(c->dev, &cut), c->offset, &c->d.hdr,
					      c->page);

	if (e == COMMIT_OK) {
		cutpoint("committed");
		if (c->hl_read)
			efi_location_delete();
		return go();
	}
	/* The device took the write and the flush, so the image is most likely no
	 * longer marked: not jumping now would lose it for good. Jumping risks a
	 * second resume only if the device lied about the flush; Linux's own boot
	 * kernel (kernel/power/swap.c swsusp_check()) writes without any read-back. */
	if (e == COMMIT_EREADBACK) {
		kprintf("resume: warning: %s; resuming anyway: the write and the flush "
			"succeeded, so the image is no longer marked resumable and would be "
			"lost if thaw stopped here\n", commit_strerror(e));
		cutpoint("committed");
		return go();
	}
	if (e == COMMIT_EREAD || e == COMMIT_ECHANGED)
		return refused("not invalidating the image", commit_strerror(e));
	/* The header may be half-written: do not claim it is intact, do not jump. */
	return ending(RESUME_FAILED, "resume: %s — not resuming; the image may or may not be "
		      "offered again", commit_strerror(e));
}

static unsigned long long ms(uint64_t ns)
{
	return (unsigned long long)(ns / 1000000);
}

/* One line with the figures and where load_ms went: per step (open, check, smp, map,
 * pages, handoff, commit), and pages_ms split into what the boot CPU did: io_wait,
 * submit, frame, cpu_wait (for another CPU's block), decode (its own decoding, CRC and
 * copies), emit (placement: reserve, place, zero, progress), other (the rest). The other
 * CPUs' work (ap_decode) and everyone's crc and copy time are shown beside; home: pages
 * decoded (resume/pload.c) or read (raw images) straight into their frames,
 * home_moved: blocks decoded there for the wrong pages and copied down; wakes: IPIs
 * that woke a halted AP (kernel/smp.c). */
static void summary(const struct resume_ctx *c)
{
	uint64_t now = timer_ns(), load = now - c->t_open_ns;
	uint64_t bytes = c->d.info.image_pages * PAGE_SIZE;
	uint64_t print, screen, ap_ns = 0, bsp_ns, emit_ns, known, other;
	const uint64_t *st = c->t.step_ns;
	bool par = c->d.hdr.codec != IMG_CODEC_RAW;
	struct smp_stats ss;

	console_times(&print, &screen);
	smp_get_stats(&ss);
	for (unsigned i = 1; i < SMP_MAX_CPUS; i++)
		ap_ns += ss.work_ns[i];
	/* In the serial path the stream decodes inside consume, around the emission. */
	emit_ns = c->t.reserve_ns + c->t.place_ns + c->t.zero_ns + c->t.progress_ns;
	if (par)
		emit_ns = c->par.st.emit_ns;
	bsp_ns = par ? ss.work_ns[0] : c->ra.consume_ns - emit_ns;
	known = c->ra.wait_ns + c->ra.submit_ns + c->par.st.frame_ns + c->par.st.wait_ns +
		bsp_ns + emit_ns;
	other = st[STEP_LOAD] > known ? st[STEP_LOAD] - known : 0;
	kprintf("thaw: resuming pages=%llu bytes=%llu load_ms=%llu mibps=%llu zero=%llu "
		"staged=%llu direct=%llu codec=%s levels=%d map_ms=%llu io_wait_ms=%llu "
		"decode_ms=%llu requests=%llu total_ms=%llu cpus=%u open_ms=%llu check_ms=%llu "
		"smp_ms=%llu pages_ms=%llu submit_ms=%llu frame_ms=%llu cpu_wait_ms=%llu "
		"emit_ms=%llu reserve_ms=%llu place_ms=%llu zero_ms=%llu progress_ms=%llu "
		"other_ms=%llu ap_decode_ms=%llu crc_ms=%llu copy_ms=%llu handoff_ms=%llu "
		"commit_ms=%llu print_ms=%llu screen_ms=%llu home=%llu home_moved=%llu "
		"wakes=%llu\n",
		(unsigned long long)c->d.info.image_pages, (unsigned long long)bytes, ms(load),
		(unsigned long long)(load / 1000000 ? bytes * 1000 / MIB / (load / 1000000) : 0),
		(unsigned long long)(c->pl.zeroed), (unsigned long long)c->pl.staged,
		(unsigned long long)c->pl.direct, img_codec_name(c->d.hdr.codec), c->h.levels,
		ms(c->map_ns), ms(c->ra.wait_ns), ms(bsp_ns), (unsigned long long)c->ra.requests,
		(unsigned long long)timer_ms(), c->cpus ? c->cpus : 1,
		ms(st[STEP_OPEN]), ms(st[STEP_COUNTDOWN] + st[STEP_CHECK] + st[STEP_PROBE]),
		ms(st[STEP_SMP]), ms(st[STEP_LOAD]), ms(c->ra.submit_ns), ms(c->par.st.frame_ns),
		ms(c->par.st.wait_ns), ms(emit_ns), ms(c->t.reserve_ns), ms(c->t.place_ns),
		ms(c->t.zero_ns), ms(c->t.progress_ns), ms(other), ms(ap_ns),
		ms(c->par.st.crc_ns), ms(c->par.st.copy_ns), ms(st[STEP_HANDOFF]),
		ms(st[STEP_COMMIT]), ms(print - c->t.print0_ns), ms(screen - c->t.screen0_ns),
		(unsigned long long)(c->par.st.home_pages + c->ra.home_blocks),
		(unsigned long long)c->par.st.home_moved, (unsigned long long)ss.wakes);
}

/* The table of contents: each step may rely on everything above it. */

static const resume_step steps[STEP_COUNT] = {
	[STEP_SCRATCH] = alloc_scratch,         /* a page for headers */
	[STEP_LOCATE] = locate_image,           /* resume= / resume_offset= → device, header */
	[STEP_OPEN] = open_image,               /* swap header, map page 0, image header */
	[STEP_COUNTDOWN] = countdown,           /* noresume, thaw.delay: cancel or discard */
	[STEP_CHECK] = check_machine,           /* e820 checksum, ACPI hardware signature */
	[STEP_PROBE] = probe_firmware,          /* the IOAPICs, before any image page is written */
	[STEP_SMP] = start_cpus,                /* the other CPUs, thaw.smp= */
	[STEP_MAP] = read_map,                  /* the swap-map chain */
	[STEP_LOAD] = load_pages,               /* PFN list, then every page home or staged;
						 * the other CPUs parked (INIT) at its end */
	[STEP_HANDOFF] = prepare_handoff,       /* paging depth, temporary tables, trampoline */
	[STEP_ACPI] = enter_acpi_mode,          /* SCI_EN on, as after a Linux boot */
	[STEP_COMMIT] = commit,                 /* the one disk write: the signature reset */
};

void resume_main(const struct boot_info *bi, const struct options *o)
{
	static struct resume_ctx ctx;   /* static for its size; reached only through &ctx */
	struct resume_ctx *c = &ctx;

	c->bi = bi;
	c->o = o;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		uint64_t t0 = timer_ns();
		struct outcome r = steps[i](c);

		c->t.step_ns[i] = timer_ns() - t0;
		if (r.end != RESUME_GO) {
			smp_park();     /* no AP left running thaw's code, whatever comes next */
			stop(c, &r);
		}
	}
	summary(c);
	jump_to_image(&c->h, &c->pl);
}
