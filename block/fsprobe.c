/* Superblock recognition: the leading part of each superblock, up to its label, as
 * a struct with asserted offsets; buffers are memcpy'd into it before any field is read. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/fsprobe.h"
#include "lib/le.h"

/* Linux fs/ext4/ext4.h struct ext4_super_block, 1024 bytes into the device. */
#define EXT_SB_OFFSET   1024
#define EXT_SB_MAGIC    0xEF53
struct __attribute__((packed)) ext4_sb_head {
	uint8_t before_magic[0x38];     /* 0x00 */
	uint16_t s_magic;               /* 0x38 */
	uint8_t before_uuid[0x2e];      /* 0x3a */
	uint8_t s_uuid[16];             /* 0x68 */
	char s_volume_name[16];         /* 0x78 */
};
_Static_assert(offsetof(struct ext4_sb_head, s_magic) == 0x38, "ext4 s_magic");
_Static_assert(offsetof(struct ext4_sb_head, s_uuid) == 0x68, "ext4 s_uuid");
_Static_assert(offsetof(struct ext4_sb_head, s_volume_name) == 0x78, "ext4 s_volume_name");

/* Linux include/uapi/linux/btrfs_tree.h struct btrfs_super_block, primary copy at 64 KiB. */
#define BTRFS_SB_OFFSET 0x10000
struct __attribute__((packed)) btrfs_sb_head {
	uint8_t csum[32];               /* 0x00 */
	uint8_t fsid[16];               /* 0x20 */
	uint64_t bytenr;                /* 0x30 */
	uint64_t flags;                 /* 0x38 */
	char magic[8];                  /* 0x40: "_BHRfS_M" */
	uint8_t before_label[0xe3];     /* 0x48 */
	char label[256];                /* 0x12b */
};
_Static_assert(offsetof(struct btrfs_sb_head, fsid) == 0x20, "btrfs fsid");
_Static_assert(offsetof(struct btrfs_sb_head, magic) == 0x40, "btrfs magic");
_Static_assert(offsetof(struct btrfs_sb_head, label) == 0x12b, "btrfs label");

/* Linux fs/xfs/libxfs/xfs_format.h struct xfs_sb (xfs_dsb on disk), at 0. */
struct __attribute__((packed)) xfs_sb_head {
	char sb_magicnum[4];            /*   0: "XFSB" */
	uint8_t before_uuid[28];        /*   4 */
	uint8_t sb_uuid[16];            /*  32 */
	uint8_t before_fname[60];       /*  48 */
	char sb_fname[12];              /* 108 */
};
_Static_assert(offsetof(struct xfs_sb_head, sb_uuid) == 32, "xfs sb_uuid");
_Static_assert(offsetof(struct xfs_sb_head, sb_fname) == 108, "xfs sb_fname");

static void set(struct fs_info *out, enum fs_kind k, const uint8_t *uuid,
		const char *label, size_t label_len)
{
	out->kind = k;
	memcpy(out->uuid, uuid, sizeof(out->uuid));
	memcpy(out->label, label, label_len);
	out->label[label_len] = '\0';       /* fixed-size fields need not be terminated */
}

void fs_probe(const uint8_t *buf, size_t len, struct fs_info *out)
{
	union {
		struct xfs_sb_head xfs;
		struct ext4_sb_head ext;
		struct btrfs_sb_head btrfs;
	} sb;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(sb.xfs) && memcmp(buf, "XFSB", 4) == 0) {
		memcpy(&sb.xfs, buf, sizeof(sb.xfs));
		set(out, FS_XFS, sb.xfs.sb_uuid, sb.xfs.sb_fname, sizeof(sb.xfs.sb_fname));
		return;
	}
	if (len >= EXT_SB_OFFSET + sizeof(sb.ext)) {
		memcpy(&sb.ext, buf + EXT_SB_OFFSET, sizeof(sb.ext));
		if (le16(sb.ext.s_magic) == EXT_SB_MAGIC) {
			set(out, FS_EXT, sb.ext.s_uuid, sb.ext.s_volume_name,
			    sizeof(sb.ext.s_volume_name));
			return;
		}
	}
	if (len >= BTRFS_SB_OFFSET + sizeof(sb.btrfs)) {
		memcpy(&sb.btrfs, buf + BTRFS_SB_OFFSET, sizeof(sb.btrfs));
		if (memcmp(sb.btrfs.magic, "_BHRfS_M", sizeof(sb.btrfs.magic)) == 0)
			set(out, FS_BTRFS, sb.btrfs.fsid, sb.btrfs.label, sizeof(sb.btrfs.label));
	}
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
