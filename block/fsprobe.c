/* Superblock recognition. Offsets: Linux fs/ext4/ext4.h struct ext4_super_block (at
 * 1024: s_magic 0x38 = 0xEF53, s_uuid 0x68, s_volume_name 0x78); fs/btrfs (struct
 * btrfs_super_block at 64 KiB: fsid 0x20, magic "_BHRfS_M" 0x40, label 0x12B);
 * fs/xfs/libxfs/xfs_format.h struct xfs_sb (at 0: "XFSB", sb_uuid 32, sb_fname 108). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/fsprobe.h"
#include "lib/le.h"

#define EXT_SB        1024
#define EXT_MAGIC     0x38
#define EXT_UUID      0x68
#define EXT_LABEL     0x78
#define EXT_LABEL_LEN 16

#define BTRFS_SB      0x10000
#define BTRFS_FSID    0x20
#define BTRFS_MAGIC   0x40
#define BTRFS_LABEL   0x12B
#define BTRFS_LABEL_LEN 256

#define XFS_UUID      32
#define XFS_LABEL     108
#define XFS_LABEL_LEN 12

static void set(struct fs_info *out, enum fs_kind k, const uint8_t *uuid,
		const uint8_t *label, size_t label_len)
{
	out->kind = k;
	memcpy(out->uuid, uuid, 16);
	memcpy(out->label, label, label_len);
	out->label[label_len] = '\0';       /* fixed-size fields need not be terminated */
}

void fs_probe(const uint8_t *buf, size_t len, struct fs_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len >= 4 + XFS_LABEL + XFS_LABEL_LEN && memcmp(buf, "XFSB", 4) == 0) {
		set(out, FS_XFS, buf + XFS_UUID, buf + XFS_LABEL, XFS_LABEL_LEN);
		return;
	}
	if (len >= EXT_SB + EXT_LABEL + EXT_LABEL_LEN &&
	    get_le16(buf + EXT_SB + EXT_MAGIC) == 0xEF53) {
		set(out, FS_EXT, buf + EXT_SB + EXT_UUID, buf + EXT_SB + EXT_LABEL, EXT_LABEL_LEN);
		return;
	}
	if (len >= BTRFS_SB + BTRFS_LABEL + BTRFS_LABEL_LEN &&
	    memcmp(buf + BTRFS_SB + BTRFS_MAGIC, "_BHRfS_M", 8) == 0)
		set(out, FS_BTRFS, buf + BTRFS_SB + BTRFS_FSID, buf + BTRFS_SB + BTRFS_LABEL,
		    BTRFS_LABEL_LEN);
}

const char *fs_kind_name(enum fs_kind k)
{
	switch (k) {
	case FS_NONE:  return "none";
	case FS_EXT:   return "ext2/3/4";
	case FS_BTRFS: return "btrfs";
	case FS_XFS:   return "xfs";
	}
	return "?";
}
