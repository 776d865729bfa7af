/* Route stream pages: PFN pages to the caller's keeping, then each data page to its
 * frame in ascending PFN order, announcing zero-flagged frames on the way
 * (Linux kernel/power/snapshot.c snapshot_write_next() semantics). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "image/loader.h"

void img_loader_init(struct img_loader *ld, const struct img_info *info,
		     const uint8_t **meta, const struct img_loader_ops *ops, void *arg)
{
	memset(ld, 0, sizeof(*ld));
	ld->ops = ops;
	ld->arg = arg;
	ld->nr_meta = info->nr_meta;
	ld->image_pages = info->image_pages;
	ld->meta = meta;
}

static enum img_err caller_err(struct img_fault *f, enum img_err err)
{
	if (!f || f->err != err)
		img_fail(f, err);
	return err;
}

/* All meta pages kept: check the list and let the caller mark the frames. */
static enum img_err list_ready(struct img_loader *ld, struct img_fault *f)
{
	enum img_err err = pfn_list_check(&ld->list, ld->meta, ld->nr_meta, ld->image_pages, f);

	if (err)
		return err;
	pfn_iter_init(&ld->it, &ld->list);
	pfn_iter_init(&ld->ahead, &ld->list);
	ld->ahead_data = 0;
	if (ld->ops->pfns) {
		err = ld->ops->pfns(ld->arg, &ld->list);
		if (err)
			return caller_err(f, err);
	}
	return IMG_OK;
}

/* Next PFN that owns a data page; zero-flagged PFNs before it are announced. */
static enum img_err next_data_pfn(struct img_loader *ld, uint64_t *pfn, struct img_fault *f)
{
	bool zero;
	enum img_err err;

	while (pfn_iter_next(&ld->it, pfn, &zero)) {
		if (!zero)
			return IMG_OK;
		if (ld->ops->zero) {
			err = ld->ops->zero(ld->arg, *pfn);
			if (err)
				return caller_err(f, err);
		}
	}
	return img_fail(f, IMG_ESTREAM_LONG);
}

enum img_err img_loader_page(void *arg, uint64_t index, const uint8_t *page,
			     struct img_fault *f)
{
	struct img_loader *ld = arg;
	enum img_err err;
	uint64_t pfn;

	if (index < ld->nr_meta) {
		ld->meta[index] = ld->ops->keep_meta(ld->arg, index, page);
		if (!ld->meta[index])
			return caller_err(f, IMG_ECALLER);
		return index + 1 == ld->nr_meta ? list_ready(ld, f) : IMG_OK;
	}
	if (index != ld->nr_meta + ld->data_seen)
		return img_fail(f, IMG_EARG);
	err = next_data_pfn(ld, &pfn, f);
	if (err)
		return err;
	ld->data_seen++;
	err = ld->ops->data(ld->arg, pfn, page);
	if (err) {
		caller_err(f, err);
		img_at_pfn(f, pfn);
	}
	return err;
}

/* Move the cursor to the entry of data page `data` (zero-flagged entries skipped). */
static bool ahead_to(struct img_loader *ld, uint64_t data)
{
	struct pfn_iter peek;
	uint64_t pfn;
	bool zero;

	while (ld->ahead_data < data) {
		if (!pfn_iter_next(&ld->ahead, &pfn, &zero))
			return false;
		ld->ahead_data += !zero;
	}
	for (;;) {                      /* skip zero entries before it */
		peek = ld->ahead;
		if (!pfn_iter_next(&peek, &pfn, &zero))
			return false;
		if (!zero)
			return true;
		ld->ahead = peek;
	}
}

uint64_t img_loader_run_ahead(struct img_loader *ld, uint64_t index, uint64_t max,
			      uint64_t *len)
{
	struct pfn_iter peek;
	uint64_t first = 0, pfn, data;
	bool zero;

	*len = 0;
	if (ld->it.l != &ld->list || index < ld->nr_meta || !max)
		return 0;
	data = index - ld->nr_meta;
	if (data < ld->ahead_data || data >= ld->image_pages || !ahead_to(ld, data))
		return 0;
	if (max > ld->image_pages - data)
		max = ld->image_pages - data;
	peek = ld->ahead;
	for (uint64_t i = 0; i < max; i++) {
		if (!pfn_iter_next(&peek, &pfn, &zero) || zero || (i && pfn != first + i))
			break;
		if (!i)
			first = pfn;
		*len = i + 1;
	}
	return first;
}

enum img_err img_loader_finish(struct img_loader *ld, struct img_fault *f)
{
	uint64_t pfn;
	bool zero;
	enum img_err err;

	if (!ld->nr_meta && !ld->image_pages) {
		err = list_ready(ld, f);	/* empty image: nothing listed */
		if (err)
			return err;
	} else if (ld->it.l != &ld->list || ld->data_seen != ld->image_pages) {
		img_fail(f, IMG_ESTREAM_SHORT);
		img_at_values(f, ld->image_pages, ld->data_seen);
		return IMG_ESTREAM_SHORT;
	}
	while (pfn_iter_next(&ld->it, &pfn, &zero)) {
		if (!zero) {
			img_fail(f, IMG_ESTREAM_SHORT);
			img_at_pfn(f, pfn);
			return IMG_ESTREAM_SHORT;
		}
		if (ld->ops->zero && (err = ld->ops->zero(ld->arg, pfn)))
			return caller_err(f, err);
	}
	return IMG_OK;
}
