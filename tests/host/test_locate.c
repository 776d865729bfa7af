/* Unit tests for resume/locate.c: resume= resolution against a fake registry of
 * RAM disks (tests/host/memdisk.h) built the way block/disks.c builds the real one —
 * every resume= form, several devices, none, a swap file's offset, unreadable disks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/console.h"
#include "tests/host/console_capture.h"
#include "resume/locate.h"
#include "tests/host/memdisk.h"

#define DISK_SECTORS 8192                 /* 4 MiB */
#define SWAPFILE_PAGE 100                 /* where the swap file's header lies on vdb */

/* vda: MBR disk (signature 0xdeadbeef), vda1 hibernated swap, vda2 plain swap.
 * vdb: whole disk holding an ext filesystem with a swap file at page SWAPFILE_PAGE.
 * vdc: GPT disk, vdc1 plain swap named "swapspace" with a known unique GUID. */
static struct memdisk vda, vdb, vdc;
static struct blockdev vda1, vda2, vdc1;
static struct part_table mbr, gpt;
static struct swap_info swaps[8];
static struct fs_info fss[8];
static struct disk_info devs[8];
static unsigned ndevs;
static struct options opt;

static const uint8_t swap_uuid[16] = { 0x01, 0x23, 0xab, 0xcd, 0x45, 0x67, 0x89, 0xef,
				       0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
static const uint8_t gpt_guid[16] = { 0xcd, 0xab, 0x23, 0x01, 0x67, 0x45, 0xef, 0x89,
				      0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };

/* A mkswap header at sector `sector` of m; hibernated: "S1SUSPEND" over the magic. */
static void put_swap(struct memdisk *m, uint64_t sector, bool hibernated, const uint8_t *uuid,
		     const char *label)
{
	uint8_t *p = m->data + sector * 512;

	memset(p, 0, SWAP_PAGE);
	p[offsetof(struct mkswap_header, version)] = 1;
	p[offsetof(struct mkswap_header, last_page)] = 0xff;
	if (uuid)
		memcpy(p + offsetof(struct mkswap_header, uuid), uuid, 16);
	if (label)
		memcpy(p + offsetof(struct mkswap_header, volume_name), label, strlen(label));
	memcpy(p + offsetof(struct mkswap_header, magic), hibernated ? "S1SUSPEND\0" : "SWAPSPACE2",
	       SWSUSP_SIG_LEN);
}

/* The probe disks.c makes of a device's first page. */
static void add(struct blockdev *d, const struct part_table *t, const struct part_entry *pe,
		const struct fs_info *fs)
{
	uint8_t page[SWAP_PAGE];
	struct disk_info *di = &devs[ndevs];

	assert_int_equal(d->ops->read(d, 0, 8, page), BLK_OK);
	swap_probe(page, sizeof(page), &swaps[ndevs]);
	if (fs)
		fss[ndevs] = *fs;
	*di = (struct disk_info){ .dev = d, .table = t, .part = pe, .swap = &swaps[ndevs],
				  .fs = &fss[ndevs] };
	ndevs++;
}

static void part(struct part_table *t, uint32_t n, uint64_t start, uint64_t sectors)
{
	struct part_entry *e = &t->part[t->count++];

	e->number = n;
	e->start = start;
	e->sectors = sectors;
}

static int setup(void **state)
{
	struct fs_info ext = { .kind = FS_EXT, .uuid = { 0xaa, 0xbb }, .label = "rootfs" };

	(void)state;
	memset(devs, 0, sizeof(devs));
	memset(swaps, 0, sizeof(swaps));
	memset(fss, 0, sizeof(fss));
	memset(&opt, 0, sizeof(opt));
	memset(&mbr, 0, sizeof(mbr));
	memset(&gpt, 0, sizeof(gpt));
	ndevs = 0;
	console_clear();
	memdisk_init(&vda, "vda", DISK_SECTORS);
	memdisk_init(&vdb, "vdb", DISK_SECTORS);
	memdisk_init(&vdc, "vdc", DISK_SECTORS);
	mbr.scheme = PART_MBR;
	mbr.mbr_signature = 0xdeadbeef;
	part(&mbr, 1, 2048, 2048);
	part(&mbr, 2, 4096, 2048);
	gpt.scheme = PART_GPT;
	part(&gpt, 1, 2048, 4096);
	gpt.part[0].has_guid = true;
	memcpy(gpt.part[0].guid, gpt_guid, 16);
	strcpy(gpt.part[0].name, "swapspace");
	blockdev_partition_init(&vda1, &vda.bd, 1, 2048, 2048);
	blockdev_partition_init(&vda2, &vda.bd, 2, 4096, 2048);
	blockdev_partition_init(&vdc1, &vdc.bd, 1, 2048, 4096);
	put_swap(&vda, 2048, true, swap_uuid, "hibswap");
	put_swap(&vda, 4096, false, NULL, NULL);
	put_swap(&vdb, SWAPFILE_PAGE * 8, true, NULL, NULL);
	put_swap(&vdc, 2048, false, NULL, NULL);
	add(&vda.bd, NULL, NULL, NULL);
	add(&vda1, &mbr, &mbr.part[0], NULL);
	add(&vda2, &mbr, &mbr.part[1], NULL);
	add(&vdb.bd, NULL, NULL, &ext);
	add(&vdc.bd, NULL, NULL, NULL);
	add(&vdc1, &gpt, &gpt.part[0], NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	memdisk_free(&vda);
	memdisk_free(&vdb);
	memdisk_free(&vdc);
	return 0;
}

static enum locate_err run(const char *resume, uint64_t offset, struct resume_target *t)
{
	snprintf(opt.resume, sizeof(opt.resume), "%s", resume);
	opt.resume_offset = offset;
	return locate_resume(&opt, devs, ndevs, t);
}

static void expect_found(const char *resume, uint64_t offset, const struct blockdev *want)
{
	struct resume_target t;

	assert_int_equal(run(resume, offset, &t), LOCATE_OK);
	assert_ptr_equal(t.dev, want);
	assert_int_equal(t.header_page, offset);
	assert_int_equal(t.header_sector, offset * 8);
	assert_int_equal(t.swap.kind, SWAP_HIBERNATED);
	assert_non_null(strstr(console_out, "locate: hibernation image on"));
}

static void test_devname(void **state)
{
	(void)state;
	expect_found("/dev/vda1", 0, &vda1);
	assert_non_null(strstr(console_out, "resume=/dev/vda1 is vda1"));
}

static void test_uuid_and_label(void **state)
{
	(void)state;
	expect_found("UUID=0123abcd-4567-89ef-fedc-ba9876543210", 0, &vda1);
	expect_found("/dev/disk/by-uuid/0123abcd-4567-89ef-fedc-ba9876543210", 0, &vda1);
	expect_found("LABEL=hibswap", 0, &vda1);
}

static void test_partuuid_mbr(void **state)
{
	(void)state;
	expect_found("PARTUUID=DEADBEEF-01", 0, &vda1);
}

/* The GPT forms find the partition; it holds plain swap, so no image there. */
static void test_gpt_forms_find_partition(void **state)
{
	struct resume_target t;

	(void)state;
	assert_int_equal(run("PARTUUID=0123abcd-4567-89ef-fedc-ba9876543210", 0, &t),
			 LOCATE_ENOIMAGE);
	assert_ptr_equal(t.dev, &vdc1);
	assert_int_equal(t.swap.kind, SWAP_V1);
	assert_int_equal(run("PARTLABEL=swapspace", 0, &t), LOCATE_ENOIMAGE);
	assert_ptr_equal(t.dev, &vdc1);
	assert_non_null(strstr(console_out, "vdc1: page 0 holds"));
}

static void test_scan_finds_the_one_image(void **state)
{
	(void)state;
	expect_found("", 0, &vda1);
	assert_null(strstr(console_out, "resume= is"));    /* nothing named, nothing echoed */
}

static void test_scan_several_is_ambiguous(void **state)
{
	struct resume_target t;

	(void)state;
	put_swap(&vdc, 2048, true, NULL, NULL);
	ndevs = 5;                                 /* re-probe vdc1 with its new header */
	add(&vdc1, &gpt, &gpt.part[0], NULL);
	assert_int_equal(run("", 0, &t), LOCATE_EAMBIG);
	assert_non_null(strstr(console_out, "several devices fit: vda1 vdc1;"));
}

/* Cloned disks share a UUID; only the one hibernated to is chosen. */
static void test_clone_prefers_hibernated(void **state)
{
	(void)state;
	put_swap(&vda, 4096, false, swap_uuid, "hibswap");
	ndevs = 2;
	add(&vda2, &mbr, &mbr.part[1], NULL);
	ndevs = 6;
	expect_found("UUID=0123abcd-4567-89ef-fedc-ba9876543210", 0, &vda1);
}

static void test_no_devices(void **state)
{
	struct resume_target t;

	(void)state;
	ndevs = 0;
	assert_int_equal(run("/dev/vda1", 0, &t), LOCATE_ENODISKS);
	assert_non_null(strstr(console_out, "no disks"));
	assert_null(t.dev);
}

static void test_no_such_device(void **state)
{
	struct resume_target t;

	(void)state;
	assert_int_equal(run("/dev/vdz", 0, &t), LOCATE_ENODEV);
	assert_non_null(strstr(console_out, "resume=/dev/vdz: no such device among the 6 found"));
	assert_int_equal(run("UUID=00000000-0000-0000-0000-000000000001", 0, &t), LOCATE_ENODEV);
}

static void test_malformed(void **state)
{
	struct resume_target t;

	(void)state;
	vda.reads = 0;
	assert_int_equal(run("8:2", 0, &t), LOCATE_ESPEC);
	assert_int_equal(run("/dev/hda1", 0, &t), LOCATE_ESPEC);
	assert_int_equal(vda.reads, 0);            /* refused before reading anything */
}

static void test_plain_swap_is_no_image(void **state)
{
	struct resume_target t;

	(void)state;
	assert_int_equal(run("/dev/vda2", 0, &t), LOCATE_ENOIMAGE);
	assert_ptr_equal(t.dev, &vda2);
	assert_non_null(strstr(console_out, "vda2: page 0 holds swap (SWAPSPACE2), not a hibernation image"));
}

/* A swap file: resume= names the filesystem, resume_offset= the header's page. */
static void test_swap_file_offset(void **state)
{
	struct resume_target t;

	(void)state;
	expect_found("/dev/vdb", SWAPFILE_PAGE, &vdb.bd);
	expect_found("UUID=aabb0000-0000-0000-0000-000000000000", SWAPFILE_PAGE, &vdb.bd);
	expect_found("LABEL=rootfs", SWAPFILE_PAGE, &vdb.bd);
	/* Scanning with an offset looks at that page of every device. */
	expect_found("", SWAPFILE_PAGE, &vdb.bd);
	/* The filesystem's own first page is no image. */
	assert_int_equal(run("/dev/vdb", 0, &t), LOCATE_ENOIMAGE);
}

static void test_offset_past_end(void **state)
{
	struct resume_target t;

	(void)state;
	assert_int_equal(run("/dev/vda1", 256, &t), LOCATE_ERANGE);   /* vda1: 256 pages */
	assert_non_null(strstr(console_out, "vda1: resume_offset=256 is past its end (256 pages)"));
	assert_int_equal(run("/dev/vda1", 255, &t), LOCATE_ENOIMAGE);
}

static void test_unreadable_device(void **state)
{
	struct resume_target t;

	(void)state;
	vda.bad_sector = 2048;                     /* vda1's header page */
	assert_int_equal(run("/dev/vda1", 0, &t), LOCATE_EIO);
	assert_non_null(strstr(console_out, "vda1: cannot read the swap header page 0"));
	/* A scan skips what disks_init() could not read, and says so. */
	vdb.bad_sector = SWAPFILE_PAGE * 8;        /* the swap file's header page */
	devs[3].unreadable = true;
	devs[1].swap = NULL;
	devs[1].unreadable = true;
	console_clear();
	assert_int_equal(run("", 0, &t), LOCATE_ENOTFOUND);
	assert_non_null(strstr(console_out, "no disk or partition carries a hibernation signature"));
	assert_non_null(strstr(console_out, "vda1 could not be read, so it was not checked"));
	assert_non_null(strstr(console_out, "vdb could not be read, so it was not checked"));
	/* Scanning at an offset on an unreadable disk does not match it. */
	assert_int_equal(run("", SWAPFILE_PAGE, &t), LOCATE_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_devname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uuid_and_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partuuid_mbr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_forms_find_partition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_finds_the_one_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_several_is_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_prefers_hibernated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_such_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_swap_is_no_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_file_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offset_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_device, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
