/* NVMe driver: a polled admin queue and one I/O queue pair per controller, every
 * active namespace a struct blockdev named like Linux (nvme0n1), many reads in
 * flight. Registers itself with DISK_DRIVER(); this header holds its limits. */
#ifndef THAW_NVME_H
#define THAW_NVME_H
#include <stdint.h>
#include "block/blockdev.h"

#define NVME_CTRL_MAX        4       /* controllers driven */
#define NVME_NS_MAX          8       /* namespaces per controller made disks */
#define NVME_ADMIN_DEPTH     16u     /* admin SQ/CQ entries */
#define NVME_IO_DEPTH        128u    /* I/O SQ/CQ entries (capped by CAP.MQES) */
#define NVME_MAX_XFER        (1u << 20)  /* bytes per command, below MDTS: one PRP list page */
#define NVME_CMD_TIMEOUT_MS  5000u   /* no completion for this long: controller dead */
#define NVME_TIMEOUT_POLLS   20000000ull /* …and at least this many polls */
#define NVME_ORDER           10      /* disk_driver order: after virtio-blk */

/* Self-test only (thaw.test=disk-nvme-fatal): drive the controller behind NVMe disk d
 * into controller fatal status and let the driver handle it. Returns the driver's
 * message for the failed enable, or why the test could not run. */
const char *nvme_test_fatal(struct blockdev *d);

#endif
