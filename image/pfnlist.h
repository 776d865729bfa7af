/* The PFN list in the image's meta pages (kernel/power/snapshot.c pack_pfns() and
 * unpack_orig_pfns()): check it, then walk it. The caller keeps the meta pages; this
 * module only reads them through the caller's array of page pointers. */
#ifndef THAW_PFNLIST_H
#define THAW_PFNLIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"

struct pfn_list {
	const uint8_t *const *pages;	/* nr_meta pages of 512 little-endian u64 */
	uint64_t nr_meta;
	uint64_t count;		/* PFNs listed (data + zero) */
	uint64_t zero_count;	/* of which flagged zero (bit 63, 6.6+) */
	uint64_t lowest;	/* lowest and highest PFN listed (count > 0) */
	uint64_t highest;
};

/* Checks: strictly ascending, every PFN < 2^40, ~0 only as terminator in the last page,
 * every page but the last full, count - zero_count == image_pages.
 * Errors IMG_EPFN_ORDER, IMG_EPFN_RANGE, IMG_EPFN_COUNT, located by page and PFN. */
enum img_err pfn_list_check(struct pfn_list *l, const uint8_t *const *pages,
			    uint64_t nr_meta, uint64_t image_pages, struct img_fault *f);

/* Walks a checked list in order: the i-th non-zero PFN owns the i-th data page. */
struct pfn_iter {
	const struct pfn_list *l;
	uint64_t i;
};

void pfn_iter_init(struct pfn_iter *it, const struct pfn_list *l);
/* false at the end; *zero tells whether the frame is to be zeroed (no data page). */
bool pfn_iter_next(struct pfn_iter *it, uint64_t *pfn, bool *zero);

#endif
