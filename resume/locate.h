/* Where the hibernation image is: resume= / resume_offset= resolved to a block
 * device and the sector of its swap header page, or a scan of every device. */
#ifndef THAW_LOCATE_H
#define THAW_LOCATE_H
#include <stdint.h>
#include "block/blockdev.h"
#include "block/disks.h"
#include "block/swaparea.h"
#include "kernel/cmdline.h"

enum locate_err {
	LOCATE_OK = 0,        /* target holds "S1SUSPEND" at the offset */
	LOCATE_ENOIMAGE,      /* target found, but it holds no hibernation image */
	LOCATE_ESPEC,         /* resume= is malformed */
	LOCATE_ENODEV,        /* resume= names no device present */
	LOCATE_EAMBIG,        /* several devices fit; none can be chosen safely */
	LOCATE_ENOTFOUND,     /* no resume=, and no device carries a signature */
	LOCATE_ERANGE,        /* resume_offset= lies past the end of the device */
	LOCATE_EIO,           /* the header page could not be read */
	LOCATE_ENODISKS,      /* no disk at all */
};

const char *locate_strerror(enum locate_err e);

struct resume_target {
	struct blockdev *dev;     /* partition or disk the image's block numbers refer to */
	uint64_t header_page;     /* resume_offset: 4 KiB page of the swap header on dev */
	uint64_t header_sector;   /* the same in 512-byte sectors (header_page * 8) */
	struct swap_info swap;    /* what the header page holds */
};

/* Resolve o->resume and o->resume_offset among devs[0..n) (disks_list(), or a fake
 * registry in a host test); prints what it found or why it failed ("locate: …").
 * Reads header pages through each device's ops. On LOCATE_OK and LOCATE_ENOIMAGE,
 * *out is filled. */
enum locate_err locate_resume(const struct options *o, const struct disk_info *devs,
			      unsigned n, struct resume_target *out);

#endif
