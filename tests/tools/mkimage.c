/* mkimage: writes a synthetic Linux hibernation image onto a swap-device image file, the
 * way Linux kernel/power/swap.c lays it out, for thaw's tests. Host tool (liblzo2, liblz4,
 * zlib — independent of thaw's own decoders and CRC code).
 *
 * Page spec (--pages FILE): records in ascending PFN order, each
 *   u64 pfn (little endian); bit 63 clear: 4096 bytes of page data follow;
 *                            bit 63 set:   a zero page, no data follows.
 * Zero pages become bit-63 PFNs without data with --zero-flag (Linux 6.6+), else they are
 * stored as ordinary pages of zeros (Linux 6.1).
 *
 * Options (values accept 0x hex):
 *   --out FILE            image file to write (required)
 *   --pages FILE          page spec (required)
 *   --device-pages N      device size in 4 KiB blocks (default: enough, plus slack)
 *   --compress none|lzo|lz4   (default lzo)
 *   --crc / --no-crc      store the CRC32 (default: as Linux, iff compressed)
 *   --zero-flag           6.6+ zero-page encoding
 *   --protocol v2|v1|v1md5|v0|seed   restore record (default v2)
 *   --jump VA --jump-phys PA --cr3 PA   restore record addresses
 *   --e820-crc HEX        v2 e820 checksum (v1md5: digest bytes derived from it)
 *   --num-physpages N     default: highest PFN + 1
 *   --hw-sig N            store hw_sig and set SF_HW_SIG (8)
 *   --platform            set SF_PLATFORM_MODE (1)
 *   --offset PAGES        swap header at this block (swap file; resume_offset=)
 *   --scatter             allocate blocks in a shuffled order (multi-page, non-contiguous map)
 *   --mixed-blocks        compressed blocks of 1, 32, 3, 17, 2, 32, 9 pages in turn (default 32)
 *   --seed N              seed for --scatter and the stale padding bytes (default 1)
 *   --corrupt KIND        see corrupt_kinds[] / --help ("data" on a raw image is, as in
 *                         Linux, undetectable; every other kind makes thawctl verify fail)
 * Exit status: 0 written, 1 error (message on stderr), 2 usage. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include "image/swsusp_format.h"

#define PAGE SWSUSP_PAGE_SIZE

struct cfg {
	const char *out, *pages;
	uint64_t device_pages, offset, jump, jump_phys, cr3, num_physpages, hw_sig, seed;
	uint32_t e820_crc;
	int compress;		/* 0 none, 1 lzo, 2 lz4 */
	int crc;		/* -1 default */
	bool zero_flag, platform, scatter, has_hw_sig, has_physpages;
	bool mixed_blocks;	/* --mixed-blocks: block sizes cycle 1, 32, 3, 17, 2, 32, 9 pages */
	const char *protocol;
	const char *corrupt;
};

static const char *const corrupt_kinds[][2] = {
	{ "data", "flip a bit in the first compressed block (raw: in the last page, undetectable)" },
	{ "meta", "set bit 62 of the first PFN (-> PFN out of range)" },
	{ "map", "set bit 40 of map entry 1 (-> block outside the device)" },
	{ "truncate", "cut the device in the middle of the stream (-> block outside)" },
	{ "loop", "map page 0 links to itself (needs >= 2 map pages) (-> map loop)" },
	{ "sig", "hibernation signature damaged (-> no signature)" },
	{ "orig-sig", "saved swap signature damaged" },
	{ "flags", "unknown flag bit 0x20 set" },
	{ "magic", "restore record magic damaged (-> unknown record)" },
	{ "info", "image header size field wrong (-> inconsistent page counts)" },
	{ "pages", "image header pages + 1 (-> map count / stream short)" },
	{ "crc", "header CRC32 off by one bit (-> CRC mismatch)" },
	{ "length", "first compressed block length above the worst case" },
	{ "length-zero", "first compressed block length 0" },
	{ "unc-len", "first compressed block decompresses to a partial page" },
	{ "lz-data", "garbage in the first compressed block's data (-> decoder error)" },
	{ "pfn-order", "two PFNs swapped, CRC kept consistent (-> PFN order)" },
	{ "pfn-count", "image header image_pages - 1 with pages kept (-> PFN count)" },
	{ "hole", "non-zero map entry after the end of data" },
	{ "short", "last stream block dropped from the map (-> map count / stream short)" },
	{ "extra", "one more compressed block than the header counts (-> stream too long)" },
};

static void usage(FILE *o)
{
	fprintf(o, "usage: mkimage --out FILE --pages SPEC [--device-pages N] [--compress none|lzo|lz4]\n"
		"  [--crc|--no-crc] [--zero-flag] [--protocol v2|v1|v1md5|v0|seed] [--jump VA]\n"
		"  [--jump-phys PA] [--cr3 PA] [--e820-crc HEX] [--num-physpages N] [--hw-sig N]\n"
		"  [--platform] [--offset PAGES] [--scatter] [--seed N] [--corrupt KIND]\n"
		"SPEC: records {u64 pfn LE; 4096 data bytes unless bit 63 (zero page)}, ascending.\n"
		"Corruptions:\n");
	for (size_t i = 0; i < sizeof(corrupt_kinds) / sizeof(corrupt_kinds[0]); i++)
		fprintf(o, "  %-12s %s\n", corrupt_kinds[i][0], corrupt_kinds[i][1]);
}

static void die(const char *msg)
{
	fprintf(stderr, "mkimage: %s\n", msg);
	exit(1);
}

static bool is(const struct cfg *c, const char *kind)
{
	return c->corrupt && !strcmp(c->corrupt, kind);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* ---- the logical stream: meta pages then data pages ---- */

struct stream {
	uint8_t *buf;		/* pages * PAGE */
	uint64_t pages, nr_meta, image_pages, listed, max_pfn;
};

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n;

	if (!f)
		die("cannot open the page spec");
	*len = 0;
	for (;;) {
		if (*len + (1 << 20) > cap) {
			cap = cap * 2 + (1 << 20);
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static void build_stream(const struct cfg *c, struct stream *s)
{
	size_t len, at = 0;
	uint8_t *spec = read_file(c->pages, &len);
	uint64_t n = 0, data = 0, prev = 0;

	/* First pass: count and check the spec. */
	while (at < len) {
		uint64_t pfn;

		if (len - at < 8)
			die("page spec: truncated record");
		memcpy(&pfn, spec + at, 8);
		at += 8;
		if (n && (pfn & ~SWSUSP_PFN_ZERO_FLAG) <= prev)
			die("page spec: PFNs not ascending");
		prev = pfn & ~SWSUSP_PFN_ZERO_FLAG;
		if (!(pfn & SWSUSP_PFN_ZERO_FLAG)) {
			if (len - at < PAGE)
				die("page spec: truncated page data");
			at += PAGE;
		}
		if (!(pfn & SWSUSP_PFN_ZERO_FLAG) || !c->zero_flag)
			data++;
		n++;
	}
	s->listed = n;
	s->max_pfn = prev;
	s->image_pages = data;
	s->nr_meta = (n + SWSUSP_PFNS_PER_PAGE - 1) / SWSUSP_PFNS_PER_PAGE;
	s->pages = s->nr_meta + data;
	s->buf = calloc(s->pages + 1, PAGE);
	if (!s->buf)
		die("out of memory");
	/* Second pass: PFN list (pack_pfns(): ~0 after the last if room) and data pages. */
	uint8_t *meta = s->buf, *out = s->buf + s->nr_meta * PAGE;
	uint64_t i = 0;

	for (at = 0; at < len; i++) {
		uint64_t pfn;
		bool zero;

		memcpy(&pfn, spec + at, 8);
		at += 8;
		zero = pfn & SWSUSP_PFN_ZERO_FLAG;
		pfn &= ~SWSUSP_PFN_ZERO_FLAG;
		put64(meta + 8 * i, zero && c->zero_flag ? pfn | SWSUSP_PFN_ZERO_FLAG : pfn);
		if (!zero) {
			memcpy(out, spec + at, PAGE);
			at += PAGE;
			out += PAGE;
		} else if (!c->zero_flag) {
			out += PAGE;	/* calloc'd: a page of zeros */
		}
	}
	if (n % SWSUSP_PFNS_PER_PAGE)
		put64(meta + 8 * n, SWSUSP_PFN_END);
	free(spec);
}

/* ---- the device: block allocation, swap map pages ---- */

struct dev {
	uint8_t *buf;
	uint64_t blocks, offset;
	uint64_t *order;	/* allocation order */
	uint64_t n_order, next_alloc;
	uint8_t map[PAGE];	/* the map page being filled */
	uint64_t map_block, first_map, k, n_entries, n_maps;
	uint64_t map_blocks[4096];	/* first few map blocks, for corruptions */
	uint64_t first_data_entry_block;
};

static void dev_init(struct dev *d, const struct cfg *c)
{
	uint64_t s = c->seed;

	d->blocks = c->device_pages;
	d->offset = c->offset;
	d->buf = calloc(d->blocks, PAGE);
	d->order = malloc(d->blocks * sizeof(uint64_t));
	if (!d->buf || !d->order)
		die("out of memory for the device");
	for (uint64_t b = 1; b < d->blocks; b++) {
		if (b == d->offset || (!c->scatter && b < d->offset))
			continue;
		d->order[d->n_order++] = b;
	}
	if (c->scatter) {
		for (uint64_t i = d->n_order - 1; i > 0; i--) {
			uint64_t j = rng(&s) % (i + 1), t = d->order[i];

			d->order[i] = d->order[j];
			d->order[j] = t;
		}
	}
}

static uint64_t alloc_block(struct dev *d)
{
	if (d->next_alloc >= d->n_order)
		die("device too small (--device-pages)");
	return d->order[d->next_alloc++];
}

static uint8_t *blk(struct dev *d, uint64_t b)
{
	return d->buf + b * PAGE;
}

/* swap_write_page(): record the block; a full map page links a freshly allocated next
 * page and is written at once, so data ending on 511 leaves an empty last map page. */
static void add_entry(struct dev *d, uint64_t b)
{
	put64(d->map + 8 * d->k++, b);
	d->n_entries++;
	if (d->k < SWSUSP_MAP_ENTRIES)
		return;
	uint64_t next = alloc_block(d);

	put64(d->map + offsetof(struct swap_map_page, next_swap), next);
	memcpy(blk(d, d->map_block), d->map, PAGE);
	memset(d->map, 0, PAGE);
	d->map_block = next;
	if (d->n_maps < 4096)
		d->map_blocks[d->n_maps] = next;
	d->n_maps++;
	d->k = 0;
}

static void write_page(struct dev *d, const uint8_t *page)
{
	uint64_t b = alloc_block(d);

	memcpy(blk(d, b), page, PAGE);
	add_entry(d, b);
	if (d->n_entries == 2)
		d->first_data_entry_block = b;
}

/* ---- compression ---- */

static size_t compress_block(const struct cfg *c, const uint8_t *src, size_t len, uint8_t *dst)
{
	if (c->compress == 2) {
		int n = LZ4_compress_default((const char *)src, (char *)dst, (int)len,
					     (int)SWSUSP_CMP_WORST);

		if (n <= 0)
			die("LZ4 compression failed");
		return (size_t)n;
	}
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	lzo_uint out = 0;

	if (lzo1x_1_compress(src, len, dst, &out, wrk) != LZO_E_OK)
		die("LZO compression failed");
	return out;
}

/* save_compressed_image(): up to 32 pages per block, [u64 len][data], written as whole
 * pages whose tail holds stale bytes from earlier use of the buffer. */
static void write_compressed(const struct cfg *c, struct dev *d, const struct stream *s)
{
	static uint8_t cmp[SWSUSP_CMP_SIZE + PAGE];
	uint64_t rs = c->seed ^ 0x5a5a;
	bool first = true;

	static const uint64_t mixed[] = { 1, 32, 3, 17, 2, 32, 9 };
	uint64_t k = 0, step;

	for (uint64_t p = 0; p < s->pages; p += step, k++) {
		uint64_t want = c->mixed_blocks ? mixed[k % (sizeof(mixed) / sizeof(mixed[0]))] :
						  SWSUSP_UNC_PAGES;
		uint64_t n = s->pages - p < want ? s->pages - p : want;
		size_t unc = n * PAGE, len;

		step = n;

		for (size_t i = 0; i < sizeof(cmp); i++)
			cmp[i] = (uint8_t)rng(&rs);
		if (first && is(c, "unc-len"))
			unc -= 100;
		len = compress_block(c, s->buf + p * PAGE, unc, cmp + SWSUSP_CMP_HEADER);
		put64(cmp, len);
		if (first && is(c, "data"))
			cmp[SWSUSP_CMP_HEADER + (len < PAGE - 8 ? len : PAGE - 8) / 2] ^= 0x08;
		if (first && is(c, "lz-data"))
			memset(cmp + SWSUSP_CMP_HEADER + len / 2, 0xff, len / 2 > 16 ? 16 : len / 2);
		if (first && is(c, "length"))
			put64(cmp, SWSUSP_CMP_WORST + 1);
		if (first && is(c, "length-zero"))
			put64(cmp, 0);
		for (size_t off = 0; off < SWSUSP_CMP_HEADER + len; off += PAGE)
			write_page(d, cmp + off);
		first = false;
	}
	if (is(c, "extra")) {
		size_t len = compress_block(c, s->buf, PAGE, cmp + SWSUSP_CMP_HEADER);

		put64(cmp, len);
		write_page(d, cmp);
	}
}

/* ---- headers ---- */

static void write_info(const struct cfg *c, struct dev *d, const struct stream *s, uint64_t b)
{
	uint8_t *p = blk(d, b);
	uint64_t pages = s->pages + 1;

	memset(p, 0, PAGE);
	put64(p + 0, c->jump);
	if (!strcmp(c->protocol, "seed")) {
		put64(p + 8, c->jump ^ RESTORE_MAGIC_V0);
	} else if (!strcmp(c->protocol, "v0")) {
		put64(p + 8, c->cr3);
		put64(p + 16, is(c, "magic") ? RESTORE_MAGIC_V0 ^ 4 : RESTORE_MAGIC_V0);
	} else {
		bool v2 = !strcmp(c->protocol, "v2");

		put64(p + 8, c->jump_phys);
		put64(p + 16, c->cr3);
		put64(p + 24, (v2 ? RESTORE_MAGIC_V2 : RESTORE_MAGIC_V1) ^ (is(c, "magic") ? 0x100 : 0));
		if (v2)
			put64(p + 32, c->e820_crc);
		else if (!strcmp(c->protocol, "v1md5"))
			for (int i = 0; i < 16; i++)
				p[32 + i] = (uint8_t)((c->e820_crc >> (8 * (i % 4))) + i + 1);
	}
	if (is(c, "pages"))
		pages++;
	put64(p + offsetof(struct swsusp_info, num_physpages),
	      c->has_physpages ? c->num_physpages : s->max_pfn + 1);
	put64(p + offsetof(struct swsusp_info, image_pages),
	      s->image_pages - (is(c, "pfn-count") ? 1 : 0));
	put64(p + offsetof(struct swsusp_info, pages), pages);
	put64(p + offsetof(struct swsusp_info, size), (pages << 12) + (is(c, "info") ? PAGE : 0));
}

/* mark_swapfiles() on top of an mkswap header (version 1, last_page, a UUID). */
static void write_header(const struct cfg *c, struct dev *d, uint32_t crc, bool has_crc)
{
	uint8_t *p = blk(d, d->offset);
	uint32_t flags = 0;

	put32(p + 1024, 1);
	put32(p + 1028, (uint32_t)(d->blocks - 1));
	for (int i = 0; i < 16; i++)
		p[offsetof(struct mkswap_header, uuid) + i] = (uint8_t)(0xa0 + i);
	memcpy(p + offsetof(struct mkswap_header, volume_name), "thaw-test", 9);
	if (c->compress == 0)
		flags |= SF_NOCOMPRESS_MODE;
	if (c->compress == 2)
		flags |= SF_COMPRESSION_ALG_LZ4;
	if (has_crc)
		flags |= SF_CRC32_MODE;
	if (c->platform)
		flags |= SF_PLATFORM_MODE;
	if (c->has_hw_sig) {
		flags |= SF_HW_SIG;
		put32(p + offsetof(struct swsusp_header, hw_sig), (uint32_t)c->hw_sig);
	}
	if (is(c, "flags"))
		flags |= 0x20;
	put32(p + offsetof(struct swsusp_header, crc32), crc ^ (is(c, "crc") ? 0x10 : 0));
	put64(p + offsetof(struct swsusp_header, image), d->first_map);
	put32(p + offsetof(struct swsusp_header, flags), flags);
	memcpy(p + offsetof(struct swsusp_header, orig_sig),
	       is(c, "orig-sig") ? "SWAPSPACEX" : SWSUSP_SWAP_SIG_V2, SWSUSP_SIG_LEN);
	memcpy(p + offsetof(struct swsusp_header, sig),
	       is(c, "sig") ? "S1SUSPENX" : SWSUSP_HIBERNATE_SIG, SWSUSP_SIG_LEN);
}

/* Linux's crc32_le(0, ...) without inversion = ~zlib crc32 seeded with ~0. */
static uint32_t stream_crc(const struct stream *s)
{
	return ~(uint32_t)crc32(0xffffffffUL, s->buf, (uInt)(s->pages * PAGE));
}

/* Corruptions of the written bytes (the logical ones happen while writing). */
static void corrupt_disk(const struct cfg *c, struct dev *d, uint64_t *file_blocks)
{
	uint8_t *m0 = blk(d, d->first_map);

	if (is(c, "data") && !c->compress) {
		/* The final stream page (never the empty trailing map page): raw images have
		 * no CRC, so like Linux nothing can notice this. */
		uint64_t last = d->order[d->next_alloc - (d->k == 0 && d->n_maps ? 2 : 1)];

		blk(d, last)[40] ^= 0x08;
	}
	if (is(c, "map"))
		m0[8 * 1 + 5] ^= 0x01;
	if (is(c, "truncate"))
		*file_blocks = d->first_data_entry_block + 2;
	if (is(c, "loop")) {
		if (!d->n_maps)
			die("--corrupt loop needs at least 2 map pages (511+ stream blocks)");
		put64(m0 + offsetof(struct swap_map_page, next_swap), d->first_map);
	}
	if (is(c, "hole")) {
		uint8_t *last = blk(d, d->map_block);

		if (d->k >= SWSUSP_MAP_ENTRIES - 1)
			die("--corrupt hole needs room after the last map entry");
		put64(last + 8 * (d->k + 1), d->first_map);
	}
}

static void write_image(struct cfg *c)
{
	struct stream s;
	struct dev d = { 0 };
	uint64_t file_blocks;
	bool has_crc;
	uint32_t crc;
	FILE *f;

	build_stream(c, &s);
	if (is(c, "meta"))
		s.buf[7] ^= 0x40;	/* bit 62 of PFN 0 */
	if (is(c, "pfn-order")) {
		if (s.listed < 2)
			die("--corrupt pfn-order needs two PFNs");
		uint64_t a, b;

		memcpy(&a, s.buf, 8);
		memcpy(&b, s.buf + 8, 8);
		put64(s.buf, b);
		put64(s.buf + 8, a);
	}
	has_crc = c->crc < 0 ? c->compress != 0 : c->crc;
	crc = has_crc ? stream_crc(&s) : 0;
	if (!c->device_pages)
		c->device_pages = c->offset + 64 + 2 * (s.pages + s.pages / 256);
	dev_init(&d, c);
	d.first_map = d.map_block = alloc_block(&d);
	d.map_blocks[0] = d.first_map;
	d.n_maps = 0;
	{
		uint64_t info_block = alloc_block(&d);

		add_entry(&d, info_block);
		write_info(c, &d, &s, info_block);
	}
	if (c->compress)
		write_compressed(c, &d, &s);
	else
		for (uint64_t p = 0; p < s.pages; p++)
			write_page(&d, s.buf + p * PAGE);
	if (is(c, "short")) {
		/* drop the last entry: it is the last one written into the current page */
		if (!d.k)
			die("--corrupt short: last map page empty");
		put64(d.map + 8 * (--d.k), 0);
	}
	memcpy(blk(&d, d.map_block), d.map, PAGE);
	write_header(c, &d, crc, has_crc);
	file_blocks = d.blocks;
	corrupt_disk(c, &d, &file_blocks);
	f = fopen(c->out, "wb");
	if (!f || fwrite(d.buf, PAGE, file_blocks, f) != file_blocks || fclose(f))
		die("cannot write the output file");
	printf("mkimage: %s: %" PRIu64 " blocks, %" PRIu64 " stream pages (%" PRIu64 " meta, %"
	       PRIu64 " data), %" PRIu64 " map entries, crc32 0x%08" PRIx32 "\n", c->out, file_blocks,
	       s.pages, s.nr_meta, s.image_pages, d.n_entries, crc);
	free(s.buf);
	free(d.buf);
	free(d.order);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end) {
		fprintf(stderr, "mkimage: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static bool known_corruption(const char *k)
{
	for (size_t i = 0; i < sizeof(corrupt_kinds) / sizeof(corrupt_kinds[0]); i++)
		if (!strcmp(k, corrupt_kinds[i][0]))
			return true;
	return false;
}

static void parse(int argc, char **argv, struct cfg *c)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--crc")) {
			c->crc = 1, takes = false;
		} else if (!strcmp(a, "--no-crc")) {
			c->crc = 0, takes = false;
		} else if (!strcmp(a, "--zero-flag")) {
			c->zero_flag = true, takes = false;
		} else if (!strcmp(a, "--platform")) {
			c->platform = true, takes = false;
		} else if (!strcmp(a, "--scatter")) {
			c->scatter = true, takes = false;
		} else if (!strcmp(a, "--mixed-blocks")) {
			c->mixed_blocks = true, takes = false;
		} else if (!v) {
			usage(stderr);
			exit(2);
		} else if (!strcmp(a, "--out")) {
			c->out = v;
		} else if (!strcmp(a, "--pages")) {
			c->pages = v;
		} else if (!strcmp(a, "--device-pages")) {
			c->device_pages = num(v);
		} else if (!strcmp(a, "--compress")) {
			c->compress = !strcmp(v, "none") ? 0 : !strcmp(v, "lzo") ? 1 : !strcmp(v, "lz4") ? 2 : -1;
		} else if (!strcmp(a, "--protocol")) {
			c->protocol = v;
		} else if (!strcmp(a, "--jump")) {
			c->jump = num(v);
		} else if (!strcmp(a, "--jump-phys")) {
			c->jump_phys = num(v);
		} else if (!strcmp(a, "--cr3")) {
			c->cr3 = num(v);
		} else if (!strcmp(a, "--e820-crc")) {
			c->e820_crc = (uint32_t)strtoul(v, NULL, 16);
		} else if (!strcmp(a, "--num-physpages")) {
			c->num_physpages = num(v), c->has_physpages = true;
		} else if (!strcmp(a, "--hw-sig")) {
			c->hw_sig = num(v), c->has_hw_sig = true;
		} else if (!strcmp(a, "--offset")) {
			c->offset = num(v);
		} else if (!strcmp(a, "--seed")) {
			c->seed = num(v);
		} else if (!strcmp(a, "--corrupt")) {
			c->corrupt = v;
		} else {
			usage(stderr);
			exit(2);
		}
		i += takes;
	}
}

int main(int argc, char **argv)
{
	struct cfg c = { .crc = -1, .compress = 1, .protocol = "v2", .seed = 1,
			 .jump = 0xffffffff81000000ull, .jump_phys = 0x1000000, .cr3 = 0x2000000 };

	parse(argc, argv, &c);
	if (!c.out || !c.pages || c.compress < 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(c.protocol, "v2") && strcmp(c.protocol, "v1") && strcmp(c.protocol, "v1md5") &&
	    strcmp(c.protocol, "v0") && strcmp(c.protocol, "seed")) {
		fprintf(stderr, "mkimage: unknown protocol '%s'\n", c.protocol);
		return 2;
	}
	if (c.corrupt && !known_corruption(c.corrupt)) {
		fprintf(stderr, "mkimage: unknown corruption '%s'\n", c.corrupt);
		return 2;
	}
	if (c.corrupt && !c.compress && (!strcmp(c.corrupt, "length") || !strcmp(c.corrupt, "crc") ||
	    !strcmp(c.corrupt, "length-zero") || !strcmp(c.corrupt, "unc-len") ||
	    !strcmp(c.corrupt, "lz-data") || !strcmp(c.corrupt, "extra"))) {
		fprintf(stderr, "mkimage: --corrupt %s needs a compressed image\n", c.corrupt);
		return 2;
	}
	if (lzo_init() != LZO_E_OK)
		die("lzo_init failed");
	write_image(&c);
	return 0;
}
