/* lvm/: a physical volume built here byte by byte (label, pv_header, metadata-area
 * header, text) with zlib computing LVM's CRC as the oracle: the label and ring are
 * found, text wrapping past the ring's end is joined, every damaged checksum or field
 * is refused by its own error; the VG reader maps linear and striped LVs, names them
 * like device-mapper and refuses thin, raid and snapshot volumes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lvm/lvm_format.h"
#include "lvm/lvm_pv.h"
#include "lvm/lvm_vg.h"

unsigned long crc32_z(unsigned long crc, const unsigned char *buf, size_t len);

#define DEV (1u << 20)
#define MDA 4096u
#define MDA_SIZE (64u * 1024)

static uint8_t dev[DEV];

static uint32_t oracle_crc(const void *p, size_t n)
{
	return (uint32_t)~crc32_z(~(unsigned long)LVM_CRC_INITIAL & 0xffffffff, p, n);
}

static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* A PV with its label in sector 1 and the text at ring offset text_off. */
static void make_pv(const char *text, uint64_t text_off)
{
	uint8_t *l = dev + 512, *h = dev + MDA;
	size_t n = strlen(text), first = n < MDA_SIZE - text_off ? n : MDA_SIZE - text_off;

	memset(dev, 0, sizeof(dev));
	memcpy(l, "LABELONE", 8);
	put64(l + 8, 1);
	put32(l + 20, 32);
	memcpy(l + 24, "LVM2 001", 8);
	memcpy(l + 32, "ie4GdIJavRsZTuokLj0WR2SNaQhCGBXq", 32);
	put64(l + 64, DEV);
	put64(l + 72, 1u << 20), put64(l + 80, 0);      /* data area, then {0,0} */
	put64(l + 104, MDA), put64(l + 112, MDA_SIZE);  /* metadata area, then {0,0} */
	put32(l + 16, oracle_crc(l + 20, 512 - 20));
	memcpy(h + 4, LVM_MDA_MAGIC, 16);
	put32(h + 20, 1);
	put64(h + 24, MDA), put64(h + 32, MDA_SIZE);
	put64(h + 40, text_off), put64(h + 48, n);
	put32(h + 56, oracle_crc(text, n));
	put32(h, oracle_crc(h + 4, 512 - 4));
	memcpy(dev + MDA + text_off, text, first);
	memcpy(dev + MDA + 512, text + first, n - first);
}

static bool rd(void *ctx, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	if (off > DEV || len > DEV - off)
		return false;
	memcpy(buf, dev + off, len);
	return true;
}

static const char VG[] =
	"vg-a {\nid = \"x\"\nseqno = 3\nextent_size = 8\n"
	"physical_volumes {\npv0 {\nid = \"ie4GdI-JavR-sZTu-okLj-0WR2-SNaQ-hCGBXq\"\npe_start = 2048\n}\n"
	"pv1 {\nid = \"second\"\npe_start = 100\n}\n}\n"
	"logical_volumes {\n"
	"li-near {\nstatus = [\"READ\", \"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 2\n"
	"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 5]\n}\n"
	"segment2 {\nstart_extent = 2\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\"pv1\", 0]\n}\n}\n"
	"st {\nstatus = [\"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
	"type = \"striped\"\nstripe_count = 2\nstripe_size = 2\nstripes = [\"pv0\", 0, \"pv1\", 1]\n}\n}\n"
	"th {\nstatus = [\"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"thin\"\n}\n}\n"
	"origin {\nstatus = [\"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
	"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 9]\n}\n}\n"
	"snapshot0 {\nstatus = [\"READ\"]\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
	"type = \"snapshot\"\norigin = \"origin\"\ncow_store = \"th\"\n}\n}\n"
	"}\n}\n# tail comment\ncontents = \"Text Format Volume Group\"\n";

static void test_ring_and_wrap(void **state)
{
	static char text[LVM_TEXT_MAX];
	struct lvm_pv_label l;
	size_t len;

	(void)state;
	make_pv(VG, 1024);
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_OK);
	assert_string_equal(text, VG);
	assert_string_equal(l.uuid, "ie4GdIJavRsZTuokLj0WR2SNaQhCGBXq");
	make_pv(VG, MDA_SIZE - 100);            /* 100 bytes at the end, the rest after the header */
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_OK);
	assert_int_equal(len, strlen(VG));
	assert_string_equal(text, VG);
}

static void test_damage(void **state)
{
	static char text[LVM_TEXT_MAX];
	struct lvm_pv_label l;
	size_t len;

	(void)state;
	memset(dev, 0, sizeof(dev));
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_ENOLABEL);
	make_pv(VG, 1024);
	dev[512 + 100] ^= 1;                    /* inside the label's CRC range */
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_ELABEL);
	make_pv(VG, 1024);
	dev[MDA + 300] ^= 1;                    /* the mda header */
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_EMDA);
	make_pv(VG, 1024);
	dev[MDA + 1024 + 10] ^= 1;              /* the text */
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_ECSUM);
	make_pv(VG, 10);                        /* inside the 512-byte header: impossible */
	assert_int_equal(lvm_pv_read(rd, NULL, &l, text, sizeof(text), &len), LVM_EMDA);
}

static void test_vg(void **state)
{
	static struct lvm_node node[1024];
	static struct lvm_vg vg;
	uint32_t pv;
	uint64_t at, run;
	char dm[64];

	(void)state;
	assert_int_equal(lvm_vg_parse(&vg, VG, strlen(VG), node, 1024), LVM_OK);
	assert_string_equal(vg.name, "vg-a");
	assert_int_equal(vg.npv, 2);
	assert_string_equal(vg.pv[0].uuid, "ie4GdIJavRsZTuokLj0WR2SNaQhCGBXq");
	assert_int_equal(vg.nlv, 5);
	/* linear: extent 0-1 on pv0 from pe 5, extent 2 on pv1 pe 0 */
	assert_true(lvm_map(&vg, &vg.lv[0], 3, &pv, &at, &run));
	assert_int_equal(pv, 0), assert_int_equal(at, 2048 + 5 * 8 + 3), assert_int_equal(run, 13);
	assert_true(lvm_map(&vg, &vg.lv[0], 17, &pv, &at, &run));
	assert_int_equal(pv, 1), assert_int_equal(at, 100 + 1), assert_int_equal(run, 7);
	assert_false(lvm_map(&vg, &vg.lv[0], 24, &pv, &at, &run));
	/* striped, 2-sector chunks: sector 5 = chunk 2 -> stripe 0 row 1 */
	assert_true(lvm_map(&vg, &vg.lv[1], 5, &pv, &at, &run));
	assert_int_equal(pv, 0), assert_int_equal(at, 2048 + 0 + 2 + 1), assert_int_equal(run, 1);
	assert_true(lvm_map(&vg, &vg.lv[1], 2, &pv, &at, &run));
	assert_int_equal(pv, 1), assert_int_equal(at, 100 + 8 + 0);
	assert_string_equal(vg.lv[2].refused, "thin");
	assert_string_equal(vg.lv[3].refused, "snapshot");   /* the origin */
	assert_string_equal(vg.lv[4].refused, "hidden");
	assert_true(lvm_dm_name(vg.name, vg.lv[0].name, dm, sizeof(dm)));
	assert_string_equal(dm, "vg--a-li--near");
	assert_false(lvm_dm_name(vg.name, vg.lv[0].name, dm, 8));
}

static void test_text_refusals(void **state)
{
	static struct lvm_node node[64];
	struct lvm_doc d;
	static const char *const bad[] = { "a {", "a = ", "a = [1,", "a = \"x", "}", "a b",
					   "a = [1 2]", "{}" };

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(lvm_text_parse(&d, bad[i], strlen(bad[i]), node, 64));
	assert_true(lvm_text_parse(&d, "a = 1 # c\nb { c = [\"x\", 2] }", 28, node, 64));
	assert_false(lvm_text_parse(&d, "a = 1 b = 2 c = 3", 17, node, 3));      /* too many nodes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_and_wrap),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_vg),
		cmocka_unit_test(test_text_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
