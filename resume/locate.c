/* resume= resolution. Linux reads the header at resume_offset pages into the resume
 * device (kernel/power/swap.c swsusp_check(), Documentation/power/swsusp-and-swap-files.rst);
 * with no resume= thaw looks at every disk and partition for "S1SUSPEND". */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "resume/locate.h"
#include "resume/resume_spec.h"
#include "kernel/console.h"

#define SECTORS_PER_PAGE SWSUSP_PAGE_SECTORS

static struct {
	uint8_t page[SWAP_PAGE] __attribute__((aligned(4096)));
} loc;

const char *locate_strerror(enum locate_err e)
{
	switch (e) {
	case LOCATE_OK:        return "ok";
	case LOCATE_ENOIMAGE:  return "the swap area holds no hibernation image";
	case LOCATE_ESPEC:     return "resume= is malformed";
	case LOCATE_ENODEV:    return "no device matches resume=";
	case LOCATE_EAMBIG:    return "several devices match; name one with resume=";
	case LOCATE_ENOTFOUND: return "no hibernation image on any disk";
	case LOCATE_ERANGE:    return "resume_offset= lies past the end of the device";
	case LOCATE_EIO:       return "cannot read the swap header page";
	case LOCATE_ENODISKS:  return "no disks";
	}
	return "unknown locate error";
}

/* Read and probe the page at `page` of d (4 KiB units). */
static enum locate_err read_header(struct blockdev *d, uint64_t page, struct swap_info *si)
{
	enum blk_err e;

	if (page > d->sectors / SECTORS_PER_PAGE ||
	    d->sectors / SECTORS_PER_PAGE - page < 1)
		return LOCATE_ERANGE;
	e = d->ops->read(d, page * SECTORS_PER_PAGE, SECTORS_PER_PAGE, loc.page);
	if (e != BLK_OK)
		return LOCATE_EIO;
	swap_probe(loc.page, sizeof(loc.page), si);
	return LOCATE_OK;
}

static bool matches(const struct resume_spec *s, const struct disk_info *di, uint64_t page)
{
	struct rspec_candidate c = {
		.name = di->dev->name, .table = di->table, .part = di->part,
		.swap = di->swap, .fs = di->fs, .alias = { di->alias[0], di->alias[1] },
	};
	struct swap_info at;

	/* Scanning looks for the signature where resume_offset says, not at page 0. */
	if (s->kind == RSPEC_NONE) {
		if (page == 0)
			return resume_spec_matches(s, &c);
		if (read_header(di->dev, page, &at) != LOCATE_OK)
			return false;
		c.swap = &at;
	}
	if (!di->dev->parent)
		c.table = NULL;      /* a whole disk is not a partition */
	return resume_spec_matches(s, &c);
}

static bool hibernated_at(struct blockdev *d, uint64_t page)
{
	struct swap_info si;

	return read_header(d, page, &si) == LOCATE_OK && si.kind == SWAP_HIBERNATED;
}

/* Collect matches; if several, keep only those holding an image (cloned disks
 * share UUIDs and labels, but only one was hibernated to). */
static unsigned find_matches(const struct resume_spec *s, uint64_t page,
			     const struct disk_info *devs, unsigned ndevs,
			     struct blockdev **found, unsigned cap)
{
	unsigned n = 0, k = 0;

	for (unsigned i = 0; i < ndevs && n < cap; i++)
		if (matches(s, &devs[i], page))
			found[n++] = devs[i].dev;
	if (n < 2)
		return n;
	for (unsigned i = 0; i < n; i++)
		if (hibernated_at(found[i], page))
			found[k++] = found[i];
	return k ? k : n;
}

static void list_ambiguous(struct blockdev **found, unsigned n)
{
	kprintf("locate: several devices fit:");
	for (unsigned i = 0; i < n; i++)
		kprintf(" %s", found[i]->name);
	kprintf("; name one with resume=/dev/... or PARTUUID=\n");
}

static enum locate_err no_match(const struct resume_spec *s, const char *text,
			       const struct disk_info *devs, unsigned ndevs)
{
	if (s->kind == RSPEC_NONE) {
		kprintf("locate: no resume= given and no disk or partition carries a "
			"hibernation signature (S1SUSPEND)\n");
		for (unsigned i = 0; i < ndevs; i++)
			if (devs[i].unreadable)
				kprintf("locate: %s could not be read, so it was not checked\n",
					devs[i].dev->name);
		return LOCATE_ENOTFOUND;
	}
	kprintf("locate: resume=%s: no such device among the %u found\n", text, ndevs);
	return LOCATE_ENODEV;
}

static enum locate_err finish(struct blockdev *d, uint64_t page, struct resume_target *out)
{
	enum locate_err e = read_header(d, page, &out->swap);

	out->dev = d;
	out->header_page = page;
	out->header_sector = page * SECTORS_PER_PAGE;
	if (e == LOCATE_ERANGE) {
		kprintf("locate: %s: resume_offset=%llu is past its end (%llu pages)\n", d->name,
			(unsigned long long)page, (unsigned long long)(d->sectors / SECTORS_PER_PAGE));
		return e;
	}
	if (e == LOCATE_EIO) {
		kprintf("locate: %s: cannot read the swap header page %llu\n", d->name,
			(unsigned long long)page);
		return e;
	}
	if (out->swap.kind != SWAP_HIBERNATED) {
		kprintf("locate: %s: page %llu holds %s, not a hibernation image\n", d->name,
			(unsigned long long)page, out->swap.kind == SWAP_NONE ?
			"no swap signature" : swap_kind_name(out->swap.kind));
		return LOCATE_ENOIMAGE;
	}
	kprintf("locate: hibernation image on %s (header at page %llu, sector %llu)\n",
		d->name, (unsigned long long)page, (unsigned long long)out->header_sector);
	return LOCATE_OK;
}

enum locate_err locate_resume(const struct options *o, const struct disk_info *devs,
			      unsigned ndevs, struct resume_target *out)
{
	struct resume_spec s;
	struct blockdev *found[8];
	enum rspec_err re;
	unsigned n;

	memset(out, 0, sizeof(*out));
	if (ndevs == 0) {
		kprintf("locate: no disks, nothing to resume from\n");
		return LOCATE_ENODISKS;
	}
	re = resume_spec_parse(o->resume, &s);
	if (re != RSPEC_OK) {
		kprintf("locate: resume=%s: %s\n", o->resume, rspec_strerror(re));
		return LOCATE_ESPEC;
	}
	n = find_matches(&s, o->resume_offset, devs, ndevs, found, 8);
	if (n == 0)
		return no_match(&s, o->resume, devs, ndevs);
	if (n > 1) {
		list_ambiguous(found, n);
		return LOCATE_EAMBIG;
	}
	if (s.kind != RSPEC_NONE)
		kprintf("locate: resume=%s is %s\n", o->resume, found[0]->name);
	return finish(found[0], o->resume_offset, out);
}
