/* All disks thaw can read: found on PCI, named vda, vdb, … in PCI order, their
 * partitions registered as vda1, …, and the start of each probed for a swap header
 * or a filesystem (which may hold a swap file). */
#ifndef THAW_DISKS_H
#define THAW_DISKS_H
#include <stdint.h>
#include "block/blockdev.h"
#include "block/fsprobe.h"
#include "block/part_table.h"
#include "block/swaparea.h"

/* Scan PCI, bring up every virtio-blk device, read partition tables and probe
 * swap headers; prints one line per problem, then the list (disks_print()).
 * Returns the number of disks found. */
unsigned disks_init(void);

/* Reset every disk controller so no DMA is in flight (before the hand-off). */
void disks_quiesce_all(void);

/* What disks_init learned about a registered blockdev (NULL when not known). */
const struct part_table *disks_table(const struct blockdev *d);   /* its disk's table */
const struct part_entry *disks_part(const struct blockdev *d);    /* NULL for a disk */
const struct swap_info *disks_swap(const struct blockdev *d);     /* probe at offset 0 */
const struct fs_info *disks_fs(const struct blockdev *d);         /* superblock probe */

bool disks_unreadable(const struct blockdev *d);   /* first page gave a read error */

/* Print the list of disks, partitions, swap areas and filesystems, one line each:
 * "disks: <name>: …". */
void disks_print(void);

#endif
