/* NVMe driver: a polled admin queue and one I/O queue pair per controller, every
 * active namespace a struct blockdev named like Linux (nvme0n1), many reads in
 * flight. Registers itself with DISK_DRIVER(); this header holds its limits. */
#ifndef THAW_NVME_H
#define THAW_NVME_H
#include <stdint.h>

#define NVME_CTRL_MAX        4       /* controllers driven */
#define NVME_NS_MAX          8       /* namespaces per controller made disks */
#define NVME_ADMIN_DEPTH     16u     /* admin SQ/CQ entries */
#define NVME_IO_DEPTH        128u    /* I/O SQ/CQ entries (capped by CAP.MQES) */
#define NVME_MAX_XFER        (1u << 20)  /* bytes per command, below MDTS: one PRP list page */
#define NVME_CMD_TIMEOUT_MS  5000u   /* no completion for this long: controller dead */
#define NVME_TIMEOUT_POLLS   20000000ull /* …and at least this many polls */
#define NVME_ORDER           10      /* disk_driver order: after virtio-blk */

#endif
