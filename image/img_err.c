/* Messages for the image reader's errors and the fault formatter; thaw and thawctl
 * both print these words. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "image/img_err.h"

static const char *const img_msgs[IMG_ERR_COUNT] = {
	[IMG_OK] = "no error",
	[IMG_EIO] = "read error on the resume device",
	[IMG_ECALLER] = "page refused by the loader",
	[IMG_EARG] = "bad reader arguments",
	[IMG_ENOIMAGE] = "no hibernation image (plain swap signature)",
	[IMG_ENOSIG] = "no swap or hibernation signature",
	[IMG_EORIGSIG] = "saved swap signature is not SWAPSPACE2/SWAP-SPACE",
	[IMG_EFLAGS] = "unknown or contradictory image flags",
	[IMG_EBLOCK] = "block number outside the resume device",
	[IMG_EMAP_LOOP] = "swap map chain loops",
	[IMG_EMAP_LONG] = "swap map longer than the image needs",
	[IMG_EMAP_HOLE] = "swap map entry after the end of data",
	[IMG_EMAP_COUNT] = "swap map entry count does not match the image size",
	[IMG_EMAP_EMPTY] = "swap map holds no image header",
	[IMG_ETOO_BIG] = "image larger than the resume device (truncated device?)",
	[IMG_ERECORD] = "unknown x86_64 restore record (image magic)",
	[IMG_EINFO] = "inconsistent page counts in the image header",
	[IMG_ECMP_LEN] = "invalid compressed block length",
	[IMG_EUNC_LEN] = "invalid decompressed block length",
	[IMG_ELZO_INPUT] = "LZO data corrupt: input overrun",
	[IMG_ELZO_OUTPUT] = "LZO data corrupt: output overrun",
	[IMG_ELZO_LOOKBEHIND] = "LZO data corrupt: lookbehind overrun",
	[IMG_ELZO_TRAILING] = "LZO data corrupt: input not consumed",
	[IMG_ELZO_EOF] = "LZO data corrupt: bad end marker",
	[IMG_ELZ4_INPUT] = "LZ4 data corrupt: input overrun",
	[IMG_ELZ4_OUTPUT] = "LZ4 data corrupt: output overrun",
	[IMG_ELZ4_OFFSET] = "LZ4 data corrupt: bad match offset",
	[IMG_ESTREAM_SHORT] = "image stream ends early",
	[IMG_ESTREAM_LONG] = "image stream longer than its header says",
	[IMG_ECRC] = "image CRC32 mismatch",
	[IMG_EPFN_ORDER] = "PFN list not strictly ascending",
	[IMG_EPFN_RANGE] = "PFN out of range",
	[IMG_EPFN_COUNT] = "PFN count does not match the image header",
};

const char *img_strerror(enum img_err e)
{
	if ((unsigned int)e >= IMG_ERR_COUNT || !img_msgs[e])
		return "unknown image error";
	return img_msgs[e];
}

enum img_err img_fail(struct img_fault *f, enum img_err err)
{
	if (f) {
		memset(f, 0, sizeof(*f));
		f->err = err;
	}
	return err;
}

void img_at_block(struct img_fault *f, uint64_t block)
{
	if (f) {
		f->at |= IMG_AT_BLOCK;
		f->block = block;
	}
}

void img_at_page(struct img_fault *f, uint64_t page)
{
	if (f) {
		f->at |= IMG_AT_PAGE;
		f->page = page;
	}
}

void img_at_pfn(struct img_fault *f, uint64_t pfn)
{
	if (f) {
		f->at |= IMG_AT_PFN;
		f->pfn = pfn;
	}
}

void img_at_entry(struct img_fault *f, uint64_t entry)
{
	if (f) {
		f->at |= IMG_AT_ENTRY;
		f->entry = entry;
	}
}

void img_at_values(struct img_fault *f, uint64_t expected, uint64_t got)
{
	if (f) {
		f->at |= IMG_AT_VALUES;
		f->expected = expected;
		f->got = got;
	}
}

/* A bounded string builder: never writes past cap, always NUL-terminates. */
struct sbuf {
	char *p;
	size_t cap;
	size_t len;
};

static void sb_puts(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (b->len + 1 < b->cap)
			b->p[b->len] = *s;
		b->len++;
	}
}

static void sb_num(struct sbuf *b, uint64_t v, unsigned int base)
{
	char tmp[24];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		sb_puts(b, "0x");
	sb_puts(b, tmp + i);
}

static void sb_field(struct sbuf *b, int *n, const char *name, uint64_t v, unsigned int base)
{
	sb_puts(b, (*n)++ ? ", " : " (");
	sb_puts(b, name);
	sb_num(b, v, base);
}

size_t img_fault_format(const struct img_fault *f, char *buf, size_t cap)
{
	struct sbuf b = { buf, cap, 0 };
	int n = 0;

	sb_puts(&b, img_strerror(f->err));
	if (f->at & IMG_AT_VALUES) {
		/* checksums in hex, counts and lengths in decimal */
		unsigned int base = f->err == IMG_ECRC ? 16 : 10;

		sb_field(&b, &n, "expected ", f->expected, base);
		sb_field(&b, &n, "got ", f->got, base);
	}
	if (f->at & IMG_AT_PFN)
		sb_field(&b, &n, "pfn ", f->pfn, 16);
	if (f->at & IMG_AT_PAGE)
		sb_field(&b, &n, "stream page ", f->page, 10);
	if (f->at & IMG_AT_ENTRY)
		sb_field(&b, &n, "map entry ", f->entry, 10);
	if (f->at & IMG_AT_BLOCK)
		sb_field(&b, &n, "block ", f->block, 10);
	if (n)
		sb_puts(&b, ")");
	if (cap)
		buf[b.len < cap ? b.len : cap - 1] = 0;
	return b.len < cap ? b.len : (cap ? cap - 1 : 0);
}
