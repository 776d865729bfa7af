/* The image reader's errors: one code per failure kind, the words thaw and thawctl
 * both print (img_strerror), and where a fault was found (struct img_fault). */
#ifndef THAW_IMG_ERR_H
#define THAW_IMG_ERR_H
#include <stddef.h>
#include <stdint.h>

enum img_err {
	IMG_OK = 0,
	IMG_EIO,		/* the block source failed to read */
	IMG_ECALLER,		/* a caller's callback refused a page */
	IMG_EARG,		/* bad arguments / workspace from the caller */
	/* swap header page */
	IMG_ENOIMAGE,		/* a plain swap area: no hibernation image */
	IMG_ENOSIG,		/* neither hibernation nor swap signature */
	IMG_EORIGSIG,		/* orig_sig is not a swap signature */
	IMG_EFLAGS,		/* unknown or contradictory SF_* flags */
	/* swap map chain */
	IMG_EBLOCK,		/* block number 0/outside the device/the header block */
	IMG_EMAP_LOOP,		/* map chain visits a map page twice */
	IMG_EMAP_LONG,		/* map chain/entries longer than the image can need */
	IMG_EMAP_HOLE,		/* non-zero entry after the end-of-data entry */
	IMG_EMAP_COUNT,		/* entry count inconsistent with the header's pages */
	IMG_EMAP_EMPTY,		/* first map page has no image header entry */
	IMG_ETOO_BIG,		/* the image needs more blocks than the device has */
	/* image header page */
	IMG_ERECORD,		/* unknown x86_64 restore record / magic */
	IMG_EINFO,		/* pages/image_pages/size inconsistent */
	/* compressed stream */
	IMG_ECMP_LEN,		/* block length 0 or above the worst case */
	IMG_EUNC_LEN,		/* decompressed length 0, > 128 KiB or not whole pages */
	IMG_ELZO_INPUT,		/* LZO: input overrun */
	IMG_ELZO_OUTPUT,	/* LZO: output overrun */
	IMG_ELZO_LOOKBEHIND,	/* LZO: match before start of output */
	IMG_ELZO_TRAILING,	/* LZO: input not consumed after end marker */
	IMG_ELZO_EOF,		/* LZO: malformed end-of-stream marker */
	IMG_ELZ4_INPUT,		/* LZ4: input overrun */
	IMG_ELZ4_OUTPUT,	/* LZ4: output overrun */
	IMG_ELZ4_OFFSET,	/* LZ4: match offset 0 or before start of output */
	IMG_ESTREAM_SHORT,	/* stream ended before all pages */
	IMG_ESTREAM_LONG,	/* stream holds more pages than the header counts */
	IMG_ECRC,		/* CRC32 of the stream differs from the header */
	/* PFN list */
	IMG_EPFN_ORDER,		/* PFNs not strictly ascending */
	IMG_EPFN_RANGE,		/* PFN beyond 52-bit physical addresses */
	IMG_EPFN_COUNT,		/* PFN count inconsistent with meta pages/image_pages */
	IMG_ERR_COUNT
};

const char *img_strerror(enum img_err e);

/* Where a fault was found. Fields are valid when their IMG_AT_* bit is set. */
enum {
	IMG_AT_BLOCK = 1u << 0,		/* block: device block (4 KiB units) */
	IMG_AT_PAGE = 1u << 1,		/* page: stream page index, 0 = first page after the header page */
	IMG_AT_PFN = 1u << 2,		/* pfn: page frame number */
	IMG_AT_VALUES = 1u << 3,	/* expected / got */
	IMG_AT_ENTRY = 1u << 4,		/* entry: map entry index (0 = header page) */
};

struct img_fault {
	enum img_err err;
	unsigned int at;
	uint64_t block;
	uint64_t page;
	uint64_t pfn;
	uint64_t entry;
	uint64_t expected;
	uint64_t got;
};

/* Record err in f (if f is non-NULL) and return it; the setters add a location. */
enum img_err img_fail(struct img_fault *f, enum img_err err);
void img_at_block(struct img_fault *f, uint64_t block);
void img_at_page(struct img_fault *f, uint64_t page);
void img_at_pfn(struct img_fault *f, uint64_t pfn);
void img_at_entry(struct img_fault *f, uint64_t entry);
void img_at_values(struct img_fault *f, uint64_t expected, uint64_t got);

/* "LZO data corrupt: lookbehind overrun (stream page 12, block 345)" into buf, NUL
 * terminated and truncated to cap; returns the length written. */
size_t img_fault_format(const struct img_fault *f, char *buf, size_t cap);

#endif
