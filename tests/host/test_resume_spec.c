/* Unit tests for block/resume_spec.c, block/uuid.c and block/swaparea.c: every
 * resume= form, the matching rules, and swap header recognition. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "block/fsprobe.h"
#include "resume/resume_spec.h"
#include "block/swaparea.h"
#include "block/uuid.h"

static void test_uuid_roundtrip(void **state)
{
	const char *t = "0123abcd-4567-89ef-fedc-ba9876543210";
	uint8_t u[16];
	char out[UUID_TEXT_LEN + 1];

	(void)state;
	assert_true(uuid_parse(t, UUID_BYTES_AS_TEXT, u));
	assert_int_equal(u[0], 0x01);
	assert_int_equal(u[15], 0x10);
	uuid_format(u, UUID_BYTES_AS_TEXT, out);
	assert_string_equal(out, t);
	/* GUID order: the first three fields are stored little-endian. */
	assert_true(uuid_parse("0123ABCD-4567-89EF-fedc-ba9876543210", UUID_GUID_MIXED_ENDIAN, u));
	assert_int_equal(u[0], 0xcd);
	assert_int_equal(u[3], 0x01);
	assert_int_equal(u[4], 0x67);
	assert_int_equal(u[6], 0xef);
	assert_int_equal(u[8], 0xfe);
	uuid_format(u, UUID_GUID_MIXED_ENDIAN, out);
	assert_string_equal(out, t);
	assert_false(uuid_parse("0123abcd-4567-89ef-fedc-ba987654321", UUID_BYTES_AS_TEXT, u));
	assert_false(uuid_parse("0123abcd-4567-89ef-fedc-ba98765432100", UUID_BYTES_AS_TEXT, u));
	assert_false(uuid_parse("0123abcd+4567-89ef-fedc-ba9876543210", UUID_BYTES_AS_TEXT, u));
	assert_false(uuid_parse("0123abcd-4567-89eg-fedc-ba9876543210", UUID_BYTES_AS_TEXT, u));
}

static void test_parse_forms(void **state)
{
	struct resume_spec s;

	(void)state;
	assert_int_equal(resume_spec_parse("", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_NONE);
	assert_int_equal(resume_spec_parse("/dev/vda", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_DEVNAME);
	assert_string_equal(s.text, "vda");
	assert_int_equal(resume_spec_parse("/dev/vdb12", &s), RSPEC_OK);
	assert_string_equal(s.text, "vdb12");
	assert_int_equal(resume_spec_parse("/dev/sda1", &s), RSPEC_OK);
	assert_string_equal(s.text, "sda1");
	assert_int_equal(resume_spec_parse("/dev/nvme0n1p2", &s), RSPEC_OK);
	assert_string_equal(s.text, "nvme0n1p2");
	assert_int_equal(resume_spec_parse("/dev/nvme10n12", &s), RSPEC_OK);
	assert_int_equal(resume_spec_parse("/dev/vda0", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/vd1", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/hda1", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/nvme0n0", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/nvme01n1", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/nvme0n1p", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/nvme0n1p0", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/nvme0", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/nvme0n1x", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("UUID=0123abcd-4567-89ef-fedc-ba9876543210", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_UUID);
	assert_int_equal(s.uuid[0], 0x01);
	assert_int_equal(resume_spec_parse("/dev/disk/by-uuid/0123abcd-4567-89ef-fedc-ba9876543210", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_UUID);
	assert_int_equal(resume_spec_parse("UUID=xyz", &s), RSPEC_EUUID);
	assert_int_equal(resume_spec_parse("PARTUUID=0123abcd-4567-89ef-fedc-ba9876543210", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_PARTUUID_GPT);
	assert_int_equal(s.uuid[0], 0xcd);
	assert_int_equal(resume_spec_parse("PARTUUID=deadBEEF-05", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_PARTUUID_MBR);
	assert_int_equal(s.mbr_signature, 0xdeadbeef);
	assert_int_equal(s.mbr_number, 5);
	assert_int_equal(resume_spec_parse("PARTUUID=deadbeef-0g", &s), RSPEC_EUUID);
	assert_int_equal(resume_spec_parse("PARTUUID=0123abcd-4567-89ef-fedc-ba9876543210/PARTNROFF=1", &s),
			 RSPEC_EFORM);
	assert_int_equal(resume_spec_parse("LABEL=myswap", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_LABEL);
	assert_string_equal(s.text, "myswap");
	assert_int_equal(resume_spec_parse("LABEL=", &s), RSPEC_EFORM);
	assert_int_equal(resume_spec_parse("PARTLABEL=swap part", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_PARTLABEL);
	assert_string_equal(s.text, "swap part");
	assert_int_equal(resume_spec_parse("/dev/disk/by-partlabel/x", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_PARTLABEL);
	assert_int_equal(resume_spec_parse("254:1", &s), RSPEC_EDEVNUM);
	assert_int_equal(resume_spec_parse("fe01", &s), RSPEC_EDEVNUM);
	assert_int_equal(resume_spec_parse("swap", &s), RSPEC_EFORM);
	char longlabel[200];
	memset(longlabel, 'x', sizeof(longlabel));
	memcpy(longlabel, "LABEL=", 6);
	longlabel[199] = '\0';
	assert_int_equal(resume_spec_parse(longlabel, &s), RSPEC_ELONG);
	assert_non_null(strstr(rspec_strerror(RSPEC_EDEVNUM), "major:minor"));
}

static void test_describe(void **state)
{
	struct resume_spec s;
	char out[64];

	(void)state;
	resume_spec_parse("PARTUUID=DEADbeef-0a", &s);
	resume_spec_describe(&s, out, sizeof(out));
	assert_string_equal(out, "PARTUUID=deadbeef-0a");
	resume_spec_parse("PARTUUID=0123ABCD-4567-89ef-fedc-ba9876543210", &s);
	resume_spec_describe(&s, out, sizeof(out));
	assert_string_equal(out, "PARTUUID=0123abcd-4567-89ef-fedc-ba9876543210");
	resume_spec_parse("/dev/vdc3", &s);
	resume_spec_describe(&s, out, 8);
	assert_string_equal(out, "/dev/vd");
}

static void make_swap(uint8_t *page, const char *magic, const char *label)
{
	memset(page, 0, SWAP_PAGE);
	page[offsetof(struct mkswap_header, version)] = 1;
	page[offsetof(struct mkswap_header, last_page)] = 0xff;
	for (int i = 0; i < 16; i++)
		page[offsetof(struct mkswap_header, uuid) + i] = (uint8_t)(0x10 + i);
	memcpy(page + offsetof(struct mkswap_header, volume_name), label, strlen(label));
	memcpy(page + offsetof(struct mkswap_header, magic), magic, SWSUSP_SIG_LEN);
}

static void test_swap_probe(void **state)
{
	static uint8_t page[SWAP_PAGE];
	struct swap_info si;

	(void)state;
	make_swap(page, "SWAPSPACE2", "myswap");
	swap_probe(page, sizeof(page), &si);
	assert_int_equal(si.kind, SWAP_V1);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.last_page, 0xff);
	assert_true(si.has_uuid);
	assert_int_equal(si.uuid[15], 0x1f);
	assert_string_equal(si.label, "myswap");
	make_swap(page, "S1SUSPEND\0", "0123456789abcdefXX");   /* label fills all 16 */
	swap_probe(page, sizeof(page), &si);
	assert_int_equal(si.kind, SWAP_HIBERNATED);
	assert_string_equal(si.label, "0123456789abcdef");
	make_swap(page, "S1SUSPENDX", "");
	swap_probe(page, sizeof(page), &si);
	assert_int_equal(si.kind, SWAP_NONE);                  /* the NUL is part of the magic */
	make_swap(page, "SWAP-SPACE", "");
	swap_probe(page, sizeof(page), &si);
	assert_int_equal(si.kind, SWAP_V0);
	assert_false(si.has_uuid);
	make_swap(page, "SWAPSPACE2", "");
	swap_probe(page, SWAP_PAGE - 1, &si);                   /* short buffer: nothing */
	assert_int_equal(si.kind, SWAP_NONE);
	memset(page + offsetof(struct mkswap_header, uuid), 0, 16);
	swap_probe(page, SWAP_PAGE, &si);
	assert_false(si.has_uuid);
}

static void test_match(void **state)
{
	struct resume_spec s;
	struct swap_info si = { .kind = SWAP_HIBERNATED, .has_uuid = true };
	struct part_table mbr = { .scheme = PART_MBR, .mbr_signature = 0xdeadbeef };
	struct part_table gpt = { .scheme = PART_GPT };
	struct part_entry p5 = { .number = 5 };
	struct part_entry g2 = { .number = 2, .has_guid = true };
	struct rspec_candidate disk = { .name = "vda", .swap = &si };
	struct rspec_candidate c5 = { .name = "vda5", .table = &mbr, .part = &p5, .swap = &si };
	struct rspec_candidate c2 = { .name = "vdb2", .table = &gpt, .part = &g2, .swap = NULL };

	(void)state;
	memset(si.uuid, 0x42, 16);
	strcpy(si.label, "hib");
	strcpy(g2.name, "swap");
	memset(g2.guid, 0x77, 16);

	resume_spec_parse("", &s);
	assert_true(resume_spec_matches(&s, &disk));
	assert_false(resume_spec_matches(&s, &c2));
	resume_spec_parse("/dev/vda5", &s);
	assert_true(resume_spec_matches(&s, &c5));
	assert_false(resume_spec_matches(&s, &disk));
	resume_spec_parse("UUID=42424242-4242-4242-4242-424242424242", &s);
	assert_true(resume_spec_matches(&s, &c5));
	assert_false(resume_spec_matches(&s, &c2));
	resume_spec_parse("UUID=42424242-4242-4242-4242-424242424243", &s);
	assert_false(resume_spec_matches(&s, &c5));
	resume_spec_parse("LABEL=hib", &s);
	assert_true(resume_spec_matches(&s, &disk));
	resume_spec_parse("LABEL=hi", &s);
	assert_false(resume_spec_matches(&s, &disk));
	resume_spec_parse("PARTUUID=deadbeef-05", &s);
	assert_true(resume_spec_matches(&s, &c5));
	assert_false(resume_spec_matches(&s, &disk));
	resume_spec_parse("PARTUUID=deadbeef-06", &s);
	assert_false(resume_spec_matches(&s, &c5));
	resume_spec_parse("PARTUUID=77777777-7777-7777-7777-777777777777", &s);
	assert_true(resume_spec_matches(&s, &c2));
	assert_false(resume_spec_matches(&s, &c5));
	resume_spec_parse("PARTLABEL=swap", &s);
	assert_true(resume_spec_matches(&s, &c2));
	assert_false(resume_spec_matches(&s, &c5));
}

static void test_fs_probe(void **state)
{
	static uint8_t buf[FS_PROBE_BYTES];
	struct fs_info fs;

	(void)state;
	memset(buf, 0, sizeof(buf));
	fs_probe(buf, sizeof(buf), &fs);
	assert_int_equal(fs.kind, FS_NONE);

	buf[1024 + 0x38] = 0x53;
	buf[1024 + 0x39] = 0xEF;
	memset(buf + 1024 + 0x68, 0xab, 16);
	memcpy(buf + 1024 + 0x78, "rootfs-label-16c", 16);     /* exactly 16, no NUL */
	fs_probe(buf, sizeof(buf), &fs);
	assert_int_equal(fs.kind, FS_EXT);
	assert_int_equal(fs.uuid[15], 0xab);
	assert_string_equal(fs.label, "rootfs-label-16c");
	fs_probe(buf, 1100, &fs);                               /* too short for the sb */
	assert_int_equal(fs.kind, FS_NONE);

	memset(buf, 0, sizeof(buf));
	memcpy(buf + 0x10000 + 0x40, "_BHRfS_M", 8);
	buf[0x10000 + 0x20] = 0x42;
	memcpy(buf + 0x10000 + 0x12B, "bt", 3);
	fs_probe(buf, sizeof(buf), &fs);
	assert_int_equal(fs.kind, FS_BTRFS);
	assert_int_equal(fs.uuid[0], 0x42);
	assert_string_equal(fs.label, "bt");
	fs_probe(buf, 0x10000 + 0x100, &fs);
	assert_int_equal(fs.kind, FS_NONE);

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "XFSB", 4);
	buf[32] = 0x77;
	memcpy(buf + 108, "xfslabel", 8);
	fs_probe(buf, sizeof(buf), &fs);
	assert_int_equal(fs.kind, FS_XFS);
	assert_int_equal(fs.uuid[0], 0x77);
	assert_string_equal(fs.label, "xfslabel");
}

static void test_match_filesystem(void **state)
{
	struct resume_spec s;
	struct fs_info fs = { .kind = FS_EXT };
	struct swap_info none = { .kind = SWAP_NONE };
	struct rspec_candidate c = { .name = "vda1", .swap = &none, .fs = &fs };

	(void)state;
	memset(fs.uuid, 0x5c, 16);
	strcpy(fs.label, "root");
	resume_spec_parse("UUID=5c5c5c5c-5c5c-5c5c-5c5c-5c5c5c5c5c5c", &s);
	assert_true(resume_spec_matches(&s, &c));
	resume_spec_parse("LABEL=root", &s);
	assert_true(resume_spec_matches(&s, &c));
	fs.kind = FS_NONE;                   /* stale bytes of an unrecognised device */
	assert_false(resume_spec_matches(&s, &c));
	c.fs = NULL;
	assert_false(resume_spec_matches(&s, &c));
}

/* Device-mapper names: /dev/mapper/NAME and /dev/VG/LV match a stacked device's
 * aliases, /dev/dm-N its own name; deeper paths are refused. */
static void test_dm_names(void **state)
{
	struct swap_info si = { .kind = SWAP_HIBERNATED };
	struct rspec_candidate lv = { .name = "dm-1", .alias = { "mapper/vg--a-swap", "vg-a/swap" },
				      .swap = &si };
	struct resume_spec s;

	(void)state;
	assert_int_equal(resume_spec_parse("/dev/mapper/vg--a-swap", &s), RSPEC_OK);
	assert_int_equal(s.kind, RSPEC_DEVNAME);
	assert_true(resume_spec_matches(&s, &lv));
	assert_int_equal(resume_spec_parse("/dev/vg-a/swap", &s), RSPEC_OK);
	assert_true(resume_spec_matches(&s, &lv));
	assert_int_equal(resume_spec_parse("/dev/dm-1", &s), RSPEC_OK);
	assert_true(resume_spec_matches(&s, &lv));
	assert_int_equal(resume_spec_parse("/dev/vg-a/other", &s), RSPEC_OK);
	assert_false(resume_spec_matches(&s, &lv));
	assert_int_equal(resume_spec_parse("/dev/a/b/c", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev/mapper/", &s), RSPEC_ENAME);
	assert_int_equal(resume_spec_parse("/dev//swap", &s), RSPEC_ENAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dm_names),
		cmocka_unit_test(test_uuid_roundtrip),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_swap_probe),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_fs_probe),
		cmocka_unit_test(test_match_filesystem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
