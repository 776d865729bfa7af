/* Decrypting reads and encrypting writes over the container, one encryption sector
 * (512 or 4096 bytes) at a time; IVs are 512-byte sector numbers from the segment's
 * start plus iv_tweak (see luks_iv_sector()). Requests not aligned to a 4096-byte
 * encryption sector go through a bounce sector. */
#include "luks/luks_dev.h"
#include "crypto/wipe.h"
#include <string.h>

static struct luks_dev *of(struct blockdev *b)
{
	return (struct luks_dev *)b;            /* dev is the first member */
}

/* One whole encryption sector es (in 512-byte units from the segment start). */
static enum blk_err read_es(struct luks_dev *d, uint64_t es, uint8_t *buf)
{
	enum blk_err e = blockdev_read(d->container, d->first + es * d->spe, d->spe, buf);

	if (e == BLK_OK)
		sector_decrypt(&d->c, es * d->spe + d->iv_tweak, buf, 512u * d->spe);
	return e;
}

static enum blk_err ld_read(struct blockdev *b, uint64_t sector, uint32_t count, void *buf)
{
	struct luks_dev *d = of(b);
	uint8_t *p = buf;
	enum blk_err e;

	if (sector % d->spe == 0 && count % d->spe == 0) {      /* the fast, aligned case */
		e = blockdev_read(d->container, d->first + sector, count, buf);
		for (uint32_t i = 0; e == BLK_OK && i < count; i += d->spe)
			sector_decrypt(&d->c, sector + i + d->iv_tweak, p + 512u * i, 512u * d->spe);
		return e;
	}
	while (count) {
		uint64_t es = sector / d->spe;
		uint32_t in = (uint32_t)(sector % d->spe), n = d->spe - in < count ? d->spe - in : count;

		if ((e = read_es(d, es, d->bounce)))
			return e;
		memcpy(p, d->bounce + 512u * in, 512u * n);
		p += 512u * n, sector += n, count -= n;
	}
	crypto_wipe(d->bounce, sizeof(d->bounce));
	return BLK_OK;
}

/* Writes: whole encryption sectors only (thaw writes one aligned page). */
static enum blk_err ld_write(struct blockdev *b, uint64_t sector, uint32_t count, const void *buf)
{
	struct luks_dev *d = of(b);
	const uint8_t *p = buf;
	enum blk_err e = BLK_OK;

	if (sector % d->spe || count % d->spe)
		return BLK_EINVAL;
	for (uint32_t i = 0; e == BLK_OK && i < count; i += d->spe) {
		memcpy(d->bounce, p + 512u * i, 512u * d->spe);
		sector_encrypt(&d->c, sector + i + d->iv_tweak, d->bounce, 512u * d->spe);
		e = blockdev_write(d->container, d->first + sector + i, d->spe, d->bounce);
	}
	crypto_wipe(d->bounce, sizeof(d->bounce));
	return e;
}

static enum blk_err ld_flush(struct blockdev *b)
{
	return blockdev_flush(of(b)->container);
}

/* Asynchronous reads: the container reads into the caller's buffer under our slot
 * number as its tag; completion decrypts in place and hands back the caller's tag. */
static enum blk_err ld_submit(struct blockdev *b, uint64_t sector, uint32_t count, void *buf,
			      uint64_t tag)
{
	struct luks_dev *d = of(b);
	struct luks_req *r = NULL;
	enum blk_err e;

	for (unsigned i = 0; i < LUKS_DEV_ASYNC && !r; i++)
		if (!d->req[i].used)
			r = &d->req[i];
	if (!r)
		return BLK_ENOMEM;
	if (sector > b->sectors || count > b->sectors - sector)
		return BLK_ERANGE;
	*r = (struct luks_req){ .tag = tag, .sector = sector, .count = count, .buf = buf, .used = true };
	if (sector % d->spe || count % d->spe) {         /* rare: read it now */
		r->done = true;
		r->status = ld_read(b, sector, count, buf);
		return BLK_OK;
	}
	e = d->container->ops->submit_read(d->container, d->first + sector, count, buf,
					   (uint64_t)(r - d->req));
	if (e != BLK_OK)
		r->used = false;
	return e;
}

static void ld_kick(struct blockdev *b)
{
	of(b)->container->ops->kick(of(b)->container);
}

static bool ld_complete(struct blockdev *b, uint64_t *tag, enum blk_err *status)
{
	struct luks_dev *d = of(b);
	uint64_t slot;
	struct luks_req *r;

	for (unsigned i = 0; i < LUKS_DEV_ASYNC; i++)
		if (d->req[i].used && d->req[i].done) {
			d->req[i].used = false;
			*tag = d->req[i].tag, *status = d->req[i].status;
			return true;
		}
	if (!d->container->ops->complete(d->container, &slot, status))
		return false;
	if (slot >= LUKS_DEV_ASYNC || !d->req[slot].used) {
		*status = BLK_EIO;              /* not ours: a broken invariant of the caller */
		return true;
	}
	r = &d->req[slot];
	for (uint32_t i = 0; *status == BLK_OK && i < r->count; i += d->spe)
		sector_decrypt(&d->c, r->sector + i + d->iv_tweak, r->buf + 512u * i, 512u * d->spe);
	r->used = false;
	*tag = r->tag;
	return true;
}

static void ld_quiesce(struct blockdev *b)
{
	if (of(b)->container->ops->quiesce)
		of(b)->container->ops->quiesce(of(b)->container);
}

static const struct blockdev_ops luks_dev_ops = {
	.read = ld_read, .write = ld_write, .flush = ld_flush, .quiesce = ld_quiesce,
};

static const struct blockdev_ops luks_dev_ops_async = {
	.read = ld_read, .write = ld_write, .flush = ld_flush, .quiesce = ld_quiesce,
	.submit_read = ld_submit, .kick = ld_kick, .complete = ld_complete,
};

bool luks_dev_init(struct luks_dev *d, struct blockdev *container, const struct luks_volume *v,
		   const uint8_t *key, const char *name)
{
	uint64_t first = v->data_offset / 512, size;

	memset(d, 0, sizeof(*d));
	if (first >= container->sectors)
		return false;
	size = v->data_size ? v->data_size / 512 : container->sectors - first;
	if (size > container->sectors - first)
		return false;
	d->spe = v->sector_size / 512;
	size -= size % d->spe;
	if (!sector_cipher_setkey(&d->c, v->mode, key, v->key_bytes, AES_IMPL_AUTO))
		return false;
	d->container = container, d->first = first, d->iv_tweak = v->iv_tweak;
	memcpy(d->dev.name, name, strnlen(name, sizeof(d->dev.name) - 1));
	d->dev.sectors = size;
	d->dev.max_sectors = container->max_sectors - container->max_sectors % d->spe;
	if (container->ops->submit_read && container->ops->kick && container->ops->complete) {
		d->dev.ops = &luks_dev_ops_async;
		d->dev.max_async = container->max_async && container->max_async < LUKS_DEV_ASYNC ?
				   container->max_async : LUKS_DEV_ASYNC;
	} else {
		d->dev.ops = &luks_dev_ops;
	}
	d->dev.priv = d;
	return true;
}

void luks_dev_wipe(struct luks_dev *d)
{
	crypto_wipe(&d->c, sizeof(d->c));
	crypto_wipe(d->bounce, sizeof(d->bounce));
}
