/* Reads and writes split where the LV's mapping changes PV or stripe (lvm_map gives
 * the run left in the piece), each piece passed to its PV. */
#include "lvm/lvm_dev.h"
#include <string.h>

static enum blk_err lv_io(struct blockdev *b, uint64_t sector, uint32_t count, uint8_t *p, bool wr)
{
	struct lvm_dev *d = (struct lvm_dev *)b;

	while (count) {
		uint32_t pv;
		uint64_t at, run;
		enum blk_err e;

		if (!lvm_map(d->vg, d->lv, sector, &pv, &at, &run) || !d->pv[pv])
			return BLK_ERANGE;
		uint32_t n = run < count ? (uint32_t)run : count;

		e = wr ? blockdev_write(d->pv[pv], at, n, p) : blockdev_read(d->pv[pv], at, n, p);
		if (e != BLK_OK)
			return e;
		sector += n, count -= n, p += 512u * n;
	}
	return BLK_OK;
}

static enum blk_err lv_read(struct blockdev *b, uint64_t sector, uint32_t count, void *buf)
{
	return lv_io(b, sector, count, buf, false);
}

static enum blk_err lv_write(struct blockdev *b, uint64_t sector, uint32_t count, const void *buf)
{
	return lv_io(b, sector, count, (uint8_t *)(uintptr_t)buf, true);
}

static enum blk_err lv_flush(struct blockdev *b)
{
	struct lvm_dev *d = (struct lvm_dev *)b;

	for (uint32_t i = 0; i < d->vg->npv; i++)
		if (d->pv[i] && blockdev_flush(d->pv[i]) != BLK_OK)
			return BLK_EIO;
	return BLK_OK;
}

static const struct blockdev_ops lvm_dev_ops = {
	.read = lv_read, .write = lv_write, .flush = lv_flush,
};

bool lvm_dev_init(struct lvm_dev *d, const struct lvm_vg *vg, const struct lvm_lv *lv,
		  struct blockdev *const *pv, const char *name)
{
	uint64_t es = vg->extent_size;

	memset(d, 0, sizeof(*d));
	for (uint32_t s = 0; s < lv->nseg; s++)
		for (uint32_t k = 0; k < lv->seg[s].stripe_count; k++) {
			const struct lvm_stripe *st = &lv->seg[s].stripe[k];
			uint64_t end = vg->pv[st->pv].pe_start +
				       (st->pe + lv->seg[s].extent_count / lv->seg[s].stripe_count) * es;

			if (!pv[st->pv] || end > pv[st->pv]->sectors)
				return false;
		}
	memcpy(d->pv, pv, sizeof(d->pv));
	d->vg = vg, d->lv = lv;
	memcpy(d->dev.name, name, strnlen(name, sizeof(d->dev.name) - 1));
	d->dev.sectors = lv->extents * es;
	d->dev.max_sectors = 2048;
	d->dev.ops = &lvm_dev_ops;
	d->dev.priv = d;
	return true;
}
