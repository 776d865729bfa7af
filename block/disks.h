/* Disk discovery and the registry of what it found: every PCI function is offered to
 * each disk driver, the disks they bring up are registered (vda, vdb, … within a
 * driver, in PCI order), their partitions after them (vda1, …), and the start of each
 * probed for a swap header or a filesystem (which may hold a swap file).
 *
 * Drivers plug in by a table: each one defines a struct disk_driver and names it with
 * DISK_DRIVER(); the linker gathers them (linker.ld, section disk_drivers). Adding a
 * controller touches neither this file nor its callers. */
#ifndef THAW_DISKS_H
#define THAW_DISKS_H
#include <stdint.h>
#include "block/blockdev.h"
#include "block/fsprobe.h"
#include "block/part_table.h"
#include "block/swaparea.h"
#include "kernel/pci.h"

#define DISKS_MAX 32            /* whole disks, over all drivers */
#define DISK_DRIVERS_MAX 8      /* entries of the DISK_DRIVER() table used */

struct disk_driver {
	const char *name;       /* "virtio-blk", in messages */
	unsigned order;         /* drivers are offered the bus in ascending order */
	bool (*match)(const struct pci_dev *f);
	/* Bring up controller f; store up to max disks it serves in out[] and return
	 * their number (0 with a message on the console when it cannot). */
	unsigned (*attach)(const struct pci_dev *f, struct blockdev **out, unsigned max);
	/* Stop every controller attached: no DMA afterwards, its disks stop working. */
	void (*quiesce_all)(void);
	/* Optional (NULL: nothing to stop). Called for each function match() accepts,
	 * before the frame allocator exists: make sure controller f, as the firmware left
	 * it (an NVMe controller enabled, AHCI ports with DMA engines on, their queues
	 * in RAM the memory map calls free), can no longer write to memory. It may use
	 * PCI configuration space, the timer, the console and MMIO below 4 GiB (boot
	 * code's identity map), but must not allocate frames or map pages. */
	void (*stop_firmware)(const struct pci_dev *f);
};

#define DISK_DRIVER(drv) \
	static const struct disk_driver *const disk_driver_entry_##drv \
		__attribute__((used, section("disk_drivers"), aligned(8))) = &(drv)

/* The registry of disks and partitions, in discovery order: each disk is followed by
 * its partitions. */
#define BLOCKDEV_MAX 64

/* Add a disk a driver has set up; false when the registry is full. */
bool blockdev_register(struct blockdev *d);

/* Register partition `number` of disk (blockdev_partition_init()); NULL when full. */
struct blockdev *blockdev_add_partition(struct blockdev *disk, uint32_t number,
					uint64_t start, uint64_t sectors);

/* Register a stacked device (block/stack.c: an unlocked LUKS volume, an LVM LV) and
 * probe what it holds; aliases are the other names resume= may use for it, without
 * "/dev/" ("mapper/vg-swap", "vg/swap"; NULL for none). False when full. */
bool disks_add_stacked(struct blockdev *d, const char *alias0, const char *alias1);
const char *disks_alias(const struct blockdev *d, unsigned i);   /* NULL when none */

unsigned blockdev_count(void);
struct blockdev *blockdev_at(unsigned i);
struct blockdev *blockdev_find(const char *name);

/* Scan PCI, bring up every disk a driver claims, read partition tables and probe
 * swap headers; prints one line per problem, then the list (disks_print()).
 * Returns the number of disks found. */
unsigned disks_init(void);

/* Before pmm_init(): offer every PCI function to each driver's stop_firmware, so no
 * controller the firmware left running writes into frames thaw is about to use (its
 * bitmaps, page tables, buffers). */
void disks_stop_firmware_dma(void);

/* Reset every disk controller so no DMA is in flight (before the hand-off). */
void disks_quiesce_all(void);

/* What disks_init learned about a registered blockdev (NULL when not known). */
const struct part_table *disks_table(const struct blockdev *d);   /* its disk's table */
const struct part_entry *disks_part(const struct blockdev *d);    /* NULL for a disk */
const struct swap_info *disks_swap(const struct blockdev *d);     /* probe at offset 0 */
const struct fs_info *disks_fs(const struct blockdev *d);         /* superblock probe */

bool disks_unreadable(const struct blockdev *d);   /* first page gave a read error */

/* One registered device with what discovery learned about it: the explicit input of
 * resume= resolution (resume/locate.h), which a host test builds by hand. */
struct disk_info {
	struct blockdev *dev;
	const struct part_table *table;         /* its disk's partition table, or NULL */
	const struct part_entry *part;          /* its entry there; NULL for a disk */
	const struct swap_info *swap;           /* probe of its first page, or NULL */
	const struct fs_info *fs;               /* superblock probe, or NULL */
	bool unreadable;                        /* the first page gave a read error */
	const char *alias[2];                   /* stacked devices' other names, or NULL */
};

/* The registry in discovery order: fills up to cap entries, returns how many. */
unsigned disks_list(struct disk_info *out, unsigned cap);

/* Print the list of disks, partitions, swap areas and filesystems, one line each:
 * "disks: <name>: …". */
void disks_print(void);

#endif
