/* virtio-blk (virtio 1.1 §5.2) over the PCI transport: reads, writes and flushes as
 * struct blockdev, many requests in flight, completion by polling with a timeout. */
#ifndef THAW_VIRTIO_BLK_H
#define THAW_VIRTIO_BLK_H
#include <stddef.h>
#include <stdint.h>
#include "block/blockdev.h"
#include "kernel/pci.h"

/* Request header (§5.2.6), read by the device. */
struct virtio_blk_outhdr {
	uint32_t type;           /* 0: VIRTIO_BLK_T_* */
	uint32_t reserved;       /* 4: legacy ioprio */
	uint64_t sector;         /* 8: always 512-byte units */
};
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "outhdr is 16 bytes");
_Static_assert(offsetof(struct virtio_blk_outhdr, sector) == 8, "sector at 8");

#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

/* struct virtio_blk_config offsets (§5.2.4). */
#define VIRTIO_BLK_CFG_CAPACITY 0      /* u64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8      /* u32, with F_SIZE_MAX */
#define VIRTIO_BLK_CFG_SEG_MAX  12     /* u32, with F_SEG_MAX */
#define VIRTIO_BLK_CFG_BLK_SIZE 20     /* u32, with F_BLK_SIZE */

/* Feature bits (§5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

#define VIRTIO_BLK_DEVICE_ID  2
#define VIRTIO_BLK_MAX        16       /* disks driven */
#define VIRTIO_BLK_TIMEOUT_MS 5000     /* no completion for this long: device dead */
#define VIRTIO_BLK_TIMEOUT_POLLS 20000000ull  /* …and at least this many polls */

/* True for a virtio-blk PCI function (transitional 1af4:1001 or modern 1af4:1042). */
bool virtio_blk_match(const struct pci_dev *d);

/* Bring up the device d, name it (vda, vdb, … in call order) and return its
 * blockdev, or NULL with a message on the console. */
struct blockdev *virtio_blk_probe(const struct pci_dev *d);

/* Reset every device probed: no DMA afterwards; the blockdevs stop working. */
void virtio_blk_quiesce_all(void);

#endif
