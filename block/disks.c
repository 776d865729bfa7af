/* Disk discovery: PCI scan → each driver's attach → partition table → swap probe,
 * with one clear message for each problem found on the way. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "block/fsprobe.h"
#include "block/stack.h"
#include "block/uuid.h"
#include "kernel/console.h"
#include "kernel/pci.h"

/* The table DISK_DRIVER() builds; linker.ld bounds it. */
extern const struct disk_driver *const __disk_drivers_start[];
extern const struct disk_driver *const __disk_drivers_end[];

#define DISKS_ALIAS_MAX 72

static struct {
	struct blockdev *dev[BLOCKDEV_MAX];   /* the registry: disks and partitions */
	unsigned count;
	struct blockdev parts[BLOCKDEV_MAX];  /* storage for partition devices */
	unsigned part_count;
	struct blockdev *disk[DISKS_MAX];
	struct part_table table[DISKS_MAX];
	unsigned disk_count;
	/* Per registered blockdev, by registry index. */
	struct swap_info swap[BLOCKDEV_MAX];
	const struct part_entry *part[BLOCKDEV_MAX];
	const struct part_table *owner[BLOCKDEV_MAX];
	bool unreadable[BLOCKDEV_MAX];        /* its first page could not be read */
	struct fs_info fs[BLOCKDEV_MAX];
	char alias[BLOCKDEV_MAX][2][DISKS_ALIAS_MAX];   /* stacked devices' other names */
	uint8_t probe[FS_PROBE_BYTES] __attribute__((aligned(4096)));   /* probe buffer */
} disks;

bool blockdev_register(struct blockdev *d)
{
	if (disks.count == BLOCKDEV_MAX)
		return false;
	disks.dev[disks.count++] = d;
	return true;
}

struct blockdev *blockdev_add_partition(struct blockdev *disk, uint32_t number,
					uint64_t start, uint64_t sectors)
{
	struct blockdev *p;

	if (disks.part_count == BLOCKDEV_MAX || disks.count == BLOCKDEV_MAX)
		return NULL;
	p = &disks.parts[disks.part_count++];
	blockdev_partition_init(p, disk, number, start, sectors);
	disks.dev[disks.count++] = p;
	return p;
}

unsigned blockdev_count(void)
{
	return disks.count;
}

struct blockdev *blockdev_at(unsigned i)
{
	return i < disks.count ? disks.dev[i] : NULL;
}

struct blockdev *blockdev_find(const char *name)
{
	for (unsigned i = 0; i < disks.count; i++)
		if (strcmp(disks.dev[i]->name, name) == 0)
			return disks.dev[i];
	return NULL;
}

static int reg_index(const struct blockdev *d)
{
	for (unsigned i = 0; i < blockdev_count(); i++)
		if (blockdev_at(i) == d)
			return (int)i;
	return -1;
}

static const char *scheme_name(enum part_scheme s)
{
	return s == PART_MBR ? "MBR" : s == PART_GPT ? "GPT" : "none";
}

static void report_problems(const struct blockdev *disk, const struct part_table *t)
{
	for (uint32_t i = 0; i < t->problem_count; i++) {
		const struct part_problem *p = &t->problem[i];

		if (p->index)
			kprintf("disks: %s: partition %u: %s\n", disk->name, p->index,
				part_strerror(p->err));
		else
			kprintf("disks: %s: %s\n", disk->name, part_strerror(p->err));
	}
}

static void add_partitions(struct blockdev *disk, struct part_table *t)
{
	for (uint32_t i = 0; i < t->count; i++) {
		struct blockdev *p = blockdev_add_partition(disk, t->part[i].number,
							    t->part[i].start, t->part[i].sectors);
		int r = p ? reg_index(p) : -1;

		if (r < 0) {
			kprintf("disks: %s: too many block devices, partition %u ignored\n",
				disk->name, t->part[i].number);
			continue;
		}
		disks.part[r] = &t->part[i];
		disks.owner[r] = t;
	}
}

/* Read a disk's table; on a table that cannot be trusted, register no partitions. */
static void scan_table(struct blockdev *disk, struct part_table *t)
{
	enum part_err e;

	if (disk->sectors == 0) {
		kprintf("disks: %s: disk has zero size; nothing to read\n", disk->name);
		memset(t, 0, sizeof(*t));
		return;
	}
	e = part_scan(disk, t);
	report_problems(disk, t);
	if (e != PART_OK) {
		kprintf("disks: %s: partition table unusable (%s); no partitions used\n",
			disk->name, part_strerror(e));
		t->count = 0;
		return;
	}
	add_partitions(disk, t);
}

/* One read covers the swap header (page 0) and every filesystem superblock probed. */
static void probe_contents(unsigned r)
{
	struct blockdev *d = blockdev_at(r);
	uint32_t sectors = FS_PROBE_BYTES / 512;
	enum blk_err e;

	memset(&disks.swap[r], 0, sizeof(disks.swap[r]));
	memset(&disks.fs[r], 0, sizeof(disks.fs[r]));
	if (d->sectors < SWAP_PAGE / 512)
		return;
	if (sectors > d->sectors)
		sectors = (uint32_t)d->sectors;
	e = d->ops->read(d, 0, sectors, disks.probe);
	if (e != BLK_OK && sectors > SWAP_PAGE / 512) {
		sectors = SWAP_PAGE / 512;         /* the swap header alone may still read */
		e = d->ops->read(d, 0, sectors, disks.probe);
	}
	if (e != BLK_OK) {
		kprintf("disks: %s: cannot read its first page: %s\n", d->name, blk_strerror(e));
		disks.unreadable[r] = true;
		return;
	}
	swap_probe(disks.probe, SWAP_PAGE, &disks.swap[r]);
	fs_probe(disks.probe, (size_t)sectors * 512, &disks.fs[r]);
	memcpy(d->uuid, disks.swap[r].uuid, 16);
	memcpy(d->label, disks.swap[r].label, sizeof(d->label));
}

static void add_disk(struct blockdev *d)
{
	if (disks.disk_count == DISKS_MAX || !blockdev_register(d)) {
		kprintf("disks: %s: too many block devices, disk ignored\n", d->name);
		return;
	}
	/* Partitions right after their disk: vda, vda1, vda2, vdb, … */
	disks.owner[reg_index(d)] = &disks.table[disks.disk_count];
	scan_table(d, &disks.table[disks.disk_count]);
	disks.disk[disks.disk_count++] = d;
}

static void attach_all(const struct disk_driver *drv, unsigned functions)
{
	for (unsigned i = 0; i < functions; i++) {
		const struct pci_dev *f = pci_at(i);
		struct blockdev *found[DISKS_MAX];
		unsigned n;

		if (!drv->match(f))
			continue;
		n = drv->attach(f, found, DISKS_MAX - disks.disk_count);
		for (unsigned k = 0; k < n; k++)
			add_disk(found[k]);
	}
}

static unsigned driver_count(void)
{
	unsigned n = (unsigned)(__disk_drivers_end - __disk_drivers_start);

	return n < DISK_DRIVERS_MAX ? n : DISK_DRIVERS_MAX;
}

/* The drivers in ascending order (a short insertion sort of the linker's table). */
static void sorted_drivers(const struct disk_driver **out, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		while (j > 0 && out[j - 1]->order > __disk_drivers_start[i]->order) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = __disk_drivers_start[i];
	}
}

static void probe_disks(void)
{
	unsigned functions = pci_scan(), n = driver_count();
	const struct disk_driver *drv[DISK_DRIVERS_MAX];

	sorted_drivers(drv, n);
	for (unsigned i = 0; i < n; i++)
		attach_all(drv[i], functions);
}

static void print_no_disk(void)
{
	unsigned n = driver_count();

	kprintf("disks: no disk found (thaw reads");
	for (unsigned i = 0; i < n; i++)
		kprintf("%s %s", i == 0 ? "" : i + 1 == n ? " and" : ",",
			__disk_drivers_start[i]->name);
	kprintf(" disks)\n");
}

void disks_stop_firmware_dma(void)
{
	unsigned functions = pci_scan(), n = driver_count();
	const struct disk_driver *drv[DISK_DRIVERS_MAX];

	sorted_drivers(drv, n);
	for (unsigned i = 0; i < n; i++) {
		if (!drv[i]->stop_firmware)
			continue;
		for (unsigned k = 0; k < functions; k++)
			if (drv[i]->match(pci_at(k)))
				drv[i]->stop_firmware(pci_at(k));
	}
}

static void set_alias(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, DISKS_ALIAS_MAX - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

bool disks_add_stacked(struct blockdev *d, const char *alias0, const char *alias1)
{
	int r;

	if (!blockdev_register(d)) {
		kprintf("disks: %s: too many block devices, not used\n", d->name);
		return false;
	}
	r = reg_index(d);
	set_alias(disks.alias[r][0], alias0);
	set_alias(disks.alias[r][1], alias1);
	probe_contents((unsigned)r);
	return true;
}

const char *disks_alias(const struct blockdev *d, unsigned i)
{
	int r = reg_index(d);

	return r < 0 || i > 1 || !disks.alias[r][i][0] ? NULL : disks.alias[r][i];
}

unsigned disks_init(void)
{
	unsigned plain;

	probe_disks();
	plain = blockdev_count();
	for (unsigned r = 0; r < plain; r++)
		probe_contents(r);
	stack_scan();                    /* LUKS and LVM inside them, probed as they come */
	if (disks.disk_count == 0)
		print_no_disk();
	disks_print();
	return disks.disk_count;
}

void disks_quiesce_all(void)
{
	for (unsigned i = 0; i < driver_count(); i++)
		__disk_drivers_start[i]->quiesce_all();
}

const struct part_table *disks_table(const struct blockdev *d)
{
	int r = reg_index(d);

	return r < 0 ? NULL : disks.owner[r];
}

const struct part_entry *disks_part(const struct blockdev *d)
{
	int r = reg_index(d);

	return r < 0 ? NULL : disks.part[r];
}

const struct swap_info *disks_swap(const struct blockdev *d)
{
	int r = reg_index(d);

	return r < 0 ? NULL : &disks.swap[r];
}

static void print_part(const struct blockdev *d, const struct part_table *t,
		       const struct part_entry *p)
{
	char u[UUID_TEXT_LEN + 1];

	if (t->scheme == PART_GPT) {
		uuid_format(p->guid, UUID_GUID_MIXED_ENDIAN, u);
		kprintf("disks: %s: partition of %s, start %llu, %llu sectors, partuuid %s, "
			"partlabel \"%s\"\n", d->name, d->parent->name,
			(unsigned long long)p->start, (unsigned long long)p->sectors, u, p->name);
	} else {
		kprintf("disks: %s: partition of %s, start %llu, %llu sectors, partuuid "
			"%08x-%02x, type 0x%02x\n", d->name, d->parent->name,
			(unsigned long long)p->start, (unsigned long long)p->sectors,
			t->mbr_signature, p->number, p->mbr_type);
	}
}

static void print_fs(const struct blockdev *d, const struct fs_info *f)
{
	char u[UUID_TEXT_LEN + 1];

	if (f->kind == FS_NONE)
		return;
	uuid_format(f->uuid, UUID_BYTES_AS_TEXT, u);
	kprintf("disks: %s: %s filesystem, uuid %s, label \"%s\"\n", d->name,
		fs_kind_name(f->kind), u, f->label);
}

static void print_swap(const struct blockdev *d, const struct swap_info *s)
{
	char u[UUID_TEXT_LEN + 1];

	if (s->kind == SWAP_NONE)
		return;
	uuid_format(s->uuid, UUID_BYTES_AS_TEXT, u);
	kprintf("disks: %s: %s, uuid %s, label \"%s\"\n", d->name, swap_kind_name(s->kind),
		s->has_uuid ? u : "(none)", s->label);
}

const struct fs_info *disks_fs(const struct blockdev *d)
{
	int r = reg_index(d);

	return r < 0 ? NULL : &disks.fs[r];
}

bool disks_unreadable(const struct blockdev *d)
{
	int r = reg_index(d);

	return r >= 0 && disks.unreadable[r];
}

unsigned disks_list(struct disk_info *out, unsigned cap)
{
	unsigned n = 0;

	for (; n < blockdev_count() && n < cap; n++) {
		struct blockdev *d = blockdev_at(n);

		out[n] = (struct disk_info){
			.dev = d, .table = disks_table(d), .part = disks_part(d),
			.swap = disks_swap(d), .fs = disks_fs(d), .unreadable = disks_unreadable(d),
			.alias = { disks_alias(d, 0), disks_alias(d, 1) },
		};
	}
	return n;
}

void disks_print(void)
{
	for (unsigned r = 0; r < blockdev_count(); r++) {
		const struct blockdev *d = blockdev_at(r);

		if (disks.alias[r][0][0])
			kprintf("disks: %s: /dev/%s%s%s, %llu sectors\n", d->name, disks.alias[r][0],
				disks.alias[r][1][0] ? " /dev/" : "", disks.alias[r][1],
				(unsigned long long)d->sectors);
		else if (!d->parent)
			kprintf("disks: %s: disk, %llu sectors, partition table %s, "
				"%u-byte blocks\n", d->name, (unsigned long long)d->sectors,
				disks.owner[r] ? scheme_name(disks.owner[r]->scheme) : "none",
				blockdev_block_bytes(d));
		else if (disks.part[r])
			print_part(d, disks.owner[r], disks.part[r]);
		print_swap(d, &disks.swap[r]);
		print_fs(d, &disks.fs[r]);
	}
}
