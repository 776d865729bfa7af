/* Recognise the filesystems a Linux swap file lives on, for resume=UUID=/LABEL= with
 * resume_offset=: ext2/3/4, btrfs and XFS, by superblock magic, UUID and label. */
#ifndef THAW_FSPROBE_H
#define THAW_FSPROBE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes from the start of a device that cover every superblock probed (btrfs's
 * primary copy lives at 64 KiB). */
#define FS_PROBE_BYTES (68u * 1024)
#define FS_LABEL_MAX   256

enum fs_kind { FS_NONE = 0, FS_EXT, FS_BTRFS, FS_XFS };

struct fs_info {
	enum fs_kind kind;
	uint8_t uuid[16];                 /* the UUID blkid reports, stored in text order */
	char label[FS_LABEL_MAX + 1];
};

/* Inspect the first len bytes of a device; never fails (FS_NONE if unknown). */
void fs_probe(const uint8_t *buf, size_t len, struct fs_info *out);

const char *fs_kind_name(enum fs_kind k);

#endif
