/* Check and walk the image's PFN list (Linux kernel/power/snapshot.c: pack_pfns()
 * writes it, unpack_orig_pfns() reads it; bit 63 = zero page since 6.6). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lib/le.h"
#include "image/pfnlist.h"
#include "image/swsusp_format.h"

static enum img_err pfn_fault(struct img_fault *f, enum img_err err, uint64_t page,
			      uint64_t pfn)
{
	img_fail(f, err);
	img_at_page(f, page);
	img_at_pfn(f, pfn);
	return err;
}

/* One meta page: PFNs until ~0 or the page end. Only the last page may be short. */
static enum img_err check_page(struct pfn_list *l, uint64_t pg, bool last,
			       struct img_fault *f)
{
	const uint8_t *p = l->pages[pg];

	for (unsigned int i = 0; i < SWSUSP_PFNS_PER_PAGE; i++) {
		uint64_t raw = get_le64(p + 8 * i), pfn = raw & ~SWSUSP_PFN_ZERO_FLAG;

		if (raw == SWSUSP_PFN_END) {
			if (last && i)
				return IMG_OK;
			/* a terminator where the header's page counts say PFNs go on */
			img_fail(f, IMG_EPFN_COUNT);
			img_at_page(f, pg);
			return IMG_EPFN_COUNT;
		}
		if (pfn >= SWSUSP_PFN_MAX)
			return pfn_fault(f, IMG_EPFN_RANGE, pg, raw);
		if (l->count && pfn <= l->highest)
			return pfn_fault(f, IMG_EPFN_ORDER, pg, pfn);
		if (!l->count)
			l->lowest = pfn;
		l->highest = pfn;
		l->count++;
		l->zero_count += raw != pfn;
	}
	return IMG_OK;
}

enum img_err pfn_list_check(struct pfn_list *l, const uint8_t *const *pages,
			    uint64_t nr_meta, uint64_t image_pages, struct img_fault *f)
{
	enum img_err err;

	memset(l, 0, sizeof(*l));
	l->pages = pages;
	l->nr_meta = nr_meta;
	for (uint64_t pg = 0; pg < nr_meta; pg++) {
		err = check_page(l, pg, pg + 1 == nr_meta, f);
		if (err)
			return err;
	}
	if (l->count - l->zero_count != image_pages) {
		img_fail(f, IMG_EPFN_COUNT);
		img_at_values(f, image_pages, l->count - l->zero_count);
		return IMG_EPFN_COUNT;
	}
	return IMG_OK;
}

void pfn_iter_init(struct pfn_iter *it, const struct pfn_list *l)
{
	it->l = l;
	it->i = 0;
}

bool pfn_iter_next(struct pfn_iter *it, uint64_t *pfn, bool *zero)
{
	uint64_t raw;

	if (it->i >= it->l->count)
		return false;
	raw = get_le64(it->l->pages[it->i / SWSUSP_PFNS_PER_PAGE] + 8 * (it->i % SWSUSP_PFNS_PER_PAGE));
	it->i++;
	*zero = raw & SWSUSP_PFN_ZERO_FLAG;
	*pfn = raw & ~SWSUSP_PFN_ZERO_FLAG;
	return true;
}
