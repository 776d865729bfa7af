/* The resume= argument: which forms thaw accepts (those of Linux's early_lookup_bdev
 * and of initramfs tools that make sense without udev) and how a candidate device
 * is matched against it. Pure: the caller supplies what it read from the disks. */
#ifndef THAW_RESUME_SPEC_H
#define THAW_RESUME_SPEC_H
#include <stdbool.h>
#include <stdint.h>
#include "block/fsprobe.h"
#include "block/part_table.h"
#include "block/swaparea.h"

#define RSPEC_TEXT_MAX 80

enum rspec_kind {
	RSPEC_NONE,               /* resume= absent: scan */
	RSPEC_DEVNAME,            /* /dev/vda, /dev/vda2, /dev/mapper/vg-swap, /dev/vg/swap */
	RSPEC_UUID,               /* UUID= or /dev/disk/by-uuid/: swap area's or filesystem's */
	RSPEC_LABEL,              /* LABEL= or /dev/disk/by-label/: swap area's or filesystem's */
	RSPEC_PARTUUID_GPT,       /* PARTUUID=<GUID>: GPT unique partition GUID */
	RSPEC_PARTUUID_MBR,       /* PARTUUID=SSSSSSSS-PP: MBR disk signature + number */
	RSPEC_PARTLABEL,          /* PARTLABEL=: GPT partition name */
};

enum rspec_err {
	RSPEC_OK = 0,
	RSPEC_EFORM,              /* not a form thaw knows */
	RSPEC_EUUID,              /* UUID text malformed */
	RSPEC_EDEVNUM,            /* major:minor or a hex dev_t: meaningless to thaw */
	RSPEC_ELONG,              /* value too long */
	RSPEC_ENAME,              /* /dev/ name that is no disk name thaw knows */
};

const char *rspec_strerror(enum rspec_err e);

struct resume_spec {
	enum rspec_kind kind;
	char text[RSPEC_TEXT_MAX];  /* device name without /dev/, label or partition label */
	uint8_t uuid[16];           /* RSPEC_UUID and RSPEC_PARTUUID_GPT, stored byte order */
	uint32_t mbr_signature;     /* RSPEC_PARTUUID_MBR */
	uint32_t mbr_number;
};

/* Parse s (the value after "resume="; "" gives RSPEC_NONE). */
enum rspec_err resume_spec_parse(const char *s, struct resume_spec *out);

/* What is known about one candidate block device. */
struct rspec_candidate {
	const char *name;                  /* vda, vda2, dm-0 */
	const char *alias[2];              /* stacked: "mapper/vg-swap", "vg/swap"; or NULL */
	const struct part_table *table;    /* the parent disk's table; NULL for a disk */
	const struct part_entry *part;     /* NULL for a whole disk */
	const struct swap_info *swap;      /* probe of its first page; NULL if unread */
	const struct fs_info *fs;          /* filesystem probe (swap files); NULL if unread */
};

bool resume_spec_matches(const struct resume_spec *s, const struct rspec_candidate *c);

/* Human form of s for messages ("PARTUUID=…"), into out[cap]. */
void resume_spec_describe(const struct resume_spec *s, char *out, unsigned cap);

#endif
