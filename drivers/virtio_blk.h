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

/* struct virtio_blk_config (§5.2.4): the fields thaw reads, in device config space. */
struct __attribute__((packed)) virtio_blk_config {
	uint64_t capacity;       /*  0: 512-byte sectors */
	uint32_t size_max;       /*  8: with F_SIZE_MAX */
	uint32_t seg_max;        /* 12: with F_SEG_MAX */
	uint16_t cylinders;      /* 16: geometry, with F_GEOMETRY */
	uint8_t heads;           /* 18 */
	uint8_t sectors;         /* 19 */
	uint32_t blk_size;       /* 20: with F_BLK_SIZE */
};
_Static_assert(offsetof(struct virtio_blk_config, size_max) == 8, "size_max at 8");
_Static_assert(offsetof(struct virtio_blk_config, seg_max) == 12, "seg_max at 12");
_Static_assert(offsetof(struct virtio_blk_config, blk_size) == 20, "blk_size at 20");
#define VIRTIO_BLK_CFG(field) ((uint32_t)offsetof(struct virtio_blk_config, field))

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
