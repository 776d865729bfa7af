/* From stream pages to frames: the first nr_meta pages are handed to the caller to keep,
 * the PFN list is checked once complete, then every data page is delivered with its PFN
 * and every zero-flagged PFN announced, in ascending PFN order. Plug img_loader_page()
 * into struct img_stream_cfg as sink with arg = the loader. */
#ifndef THAW_LOADER_H
#define THAW_LOADER_H
#include <stdint.h>
#include "image/image_info.h"
#include "image/img_err.h"
#include "image/pfnlist.h"

struct img_loader_ops {
	/* Keep a copy of meta page `index` and return it (valid until loading ends);
	 * NULL refuses (IMG_ECALLER). */
	const uint8_t *(*keep_meta)(void *arg, uint64_t index, const uint8_t *page);
	/* The PFN list is complete and checked; called once, before any data page (mark
	 * every listed frame here). May be NULL. */
	enum img_err (*pfns)(void *arg, const struct pfn_list *list);
	/* Data page for frame pfn; page is valid only during the call. */
	enum img_err (*data)(void *arg, uint64_t pfn, const uint8_t *page);
	/* Frame pfn was all zero at snapshot time and has no data page. May be NULL. */
	enum img_err (*zero)(void *arg, uint64_t pfn);
};

struct img_loader {
	const struct img_loader_ops *ops;
	void *arg;
	uint64_t nr_meta;
	uint64_t image_pages;
	const uint8_t **meta;	/* caller array of nr_meta pointers */
	struct pfn_list list;
	struct pfn_iter it;
	uint64_t data_seen;
	struct pfn_iter ahead;	/* img_loader_run_ahead()'s cursor */
	uint64_t ahead_data;	/* the data page index the cursor's next entry owns */
};

/* meta: an array of info->nr_meta pointers owned by the caller. */
void img_loader_init(struct img_loader *ld, const struct img_info *info,
		     const uint8_t **meta, const struct img_loader_ops *ops, void *arg);

/* img_page_fn for the stream; arg is the struct img_loader. */
enum img_err img_loader_page(void *arg, uint64_t index, const uint8_t *page,
			     struct img_fault *f);

/* Look-ahead for a caller that puts pages into their home frames before they are
 * emitted: when stream page `index` is a data page, its PFN, and in *len how many of
 * the data pages [index, index + max) lie in consecutive frames from it (>= 1); else
 * 0 (also before the PFN list is complete, and for an index below an earlier call's:
 * the cursor only moves forward). Changes nothing the stream's own delivery uses. */
uint64_t img_loader_run_ahead(struct img_loader *ld, uint64_t index, uint64_t max,
			      uint64_t *len);

/* After the stream finished: announces trailing zero PFNs, checks every data page
 * arrived (IMG_ESTREAM_SHORT). */
enum img_err img_loader_finish(struct img_loader *ld, struct img_fault *f);

#endif
