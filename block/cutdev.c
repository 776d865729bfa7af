/* The "written" power cut as a block device wrapper (block/cutdev.h). */
#include <string.h>
#include "block/cutdev.h"
#include "kernel/cutpoint.h"

static struct blockdev *inner(struct blockdev *d)
{
	return d->priv;
}

static enum blk_err cut_read(struct blockdev *d, uint64_t sector, uint32_t count, void *buf)
{
	return inner(d)->ops->read(inner(d), sector, count, buf);
}

static enum blk_err cut_write(struct blockdev *d, uint64_t sector, uint32_t count,
			      const void *buf)
{
	enum blk_err e = inner(d)->ops->write(inner(d), sector, count, buf);

	if (e == BLK_OK)
		cutpoint("written");
	return e;
}

static enum blk_err cut_flush(struct blockdev *d)
{
	return inner(d)->ops->flush(inner(d));
}

static const struct blockdev_ops cut_ops = {
	.read = cut_read, .write = cut_write, .flush = cut_flush,
};

struct blockdev *cutdev_wrap(struct blockdev *d, struct blockdev *wrap)
{
	if (!cutpoint_armed("written"))
		return d;
	*wrap = *d;
	wrap->ops = &cut_ops;
	wrap->priv = d;
	wrap->parent = NULL;
	wrap->start = 0;
	return wrap;
}
