/* block/scsi.c: CDB bytes against SBC-3/SPC-4 layouts, sense data in both formats
 * (and truncated), READ CAPACITY(16) and REPORT LUNS parsing within the given length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "block/scsi.h"

static void test_rw16_cdb(void **state)
{
	uint8_t cdb[SCSI_CDB_MAX];
	static const uint8_t want[16] = { 0x8A, 0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
					  0x00, 0x01, 0x02, 0x03, 0, 0 };

	(void)state;
	assert_int_equal(scsi_cdb_rw16(cdb, true, 0x0123456789ABCDEFull, 0x010203), 16);
	assert_memory_equal(cdb, want, 16);
	scsi_cdb_rw16(cdb, false, 7, 8);
	assert_int_equal(cdb[0], SCSI_READ_16);
	assert_int_equal(cdb[9], 7);
	assert_int_equal(cdb[13], 8);
}

static void test_other_cdbs(void **state)
{
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	assert_int_equal(scsi_cdb_read_capacity16(cdb, 32), 16);
	assert_int_equal(cdb[0], 0x9E);
	assert_int_equal(cdb[1], 0x10);
	assert_int_equal(cdb[13], 32);
	assert_int_equal(scsi_cdb_report_luns(cdb, 4096), 12);
	assert_int_equal(cdb[0], 0xA0);
	assert_int_equal(cdb[8], 0x10);
	assert_int_equal(scsi_cdb_inquiry(cdb, 36), 6);
	assert_int_equal(cdb[4], 36);
	assert_int_equal(scsi_cdb_sync_cache10(cdb), 10);
	assert_int_equal(cdb[0], 0x35);
	assert_int_equal(scsi_cdb_sync_cache16(cdb), 16);
	assert_int_equal(cdb[0], 0x91);
	assert_int_equal(scsi_cdb_test_unit_ready(cdb), 6);
	assert_int_equal(cdb[0], 0);
}

static void test_sense_fixed_and_descriptor(void **state)
{
	uint8_t fixed[18] = { 0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x00 };
	uint8_t desc[8] = { 0x72, 0x06, 0x29, 0x02 };
	struct scsi_sense s;
	char buf[128];

	(void)state;
	s = scsi_sense_parse(fixed, sizeof(fixed));
	assert_true(s.valid);
	assert_int_equal(s.key, SCSI_KEY_MEDIUM_ERROR);
	assert_int_equal(s.asc, 0x11);
	scsi_sense_describe(&s, buf, sizeof(buf));
	assert_string_equal(buf, "sense key MEDIUM ERROR, asc 0x11 ascq 0x00 (unrecovered read error)");
	s = scsi_sense_parse(desc, sizeof(desc));
	assert_true(s.valid);
	assert_int_equal(s.key, SCSI_KEY_UNIT_ATTENTION);
	assert_int_equal(s.asc, 0x29);
	assert_int_equal(s.ascq, 0x02);
}

static void test_sense_short_or_bad(void **state)
{
	uint8_t fixed[3] = { 0xF0, 0, 0x05 };     /* VALID bit set, cut after the key */
	uint8_t junk[20] = { 0x12 };
	struct scsi_sense s;
	char buf[64];

	(void)state;
	s = scsi_sense_parse(fixed, sizeof(fixed));
	assert_true(s.valid);
	assert_int_equal(s.key, SCSI_KEY_ILLEGAL_REQUEST);
	assert_int_equal(s.asc, 0);
	assert_false(scsi_sense_parse(junk, sizeof(junk)).valid);
	assert_false(scsi_sense_parse(fixed, 0).valid);
	assert_false(scsi_sense_parse(fixed, 2).valid);
	s = scsi_sense_parse(junk, sizeof(junk));
	scsi_sense_describe(&s, buf, sizeof(buf));
	assert_string_equal(buf, "no sense data");
}

static void test_read_capacity(void **state)
{
	uint8_t d[32] = { 0, 0, 0, 0, 0, 0x01, 0xFF, 0xFF, 0, 0, 0x10, 0 };
	uint64_t blocks;
	uint32_t len;

	(void)state;
	assert_true(scsi_read_capacity16_parse(d, sizeof(d), &blocks, &len));
	assert_int_equal(blocks, 0x20000);
	assert_int_equal(len, 4096);
	assert_false(scsi_read_capacity16_parse(d, 11, &blocks, &len));
	memset(d + 8, 0, 4);
	assert_false(scsi_read_capacity16_parse(d, sizeof(d), &blocks, &len));
}

static void test_report_luns(void **state)
{
	uint8_t d[8 + 4 * 8] = { 0, 0, 0, 32 };
	uint16_t luns[8];

	(void)state;
	d[8 + 1] = 0;                           /* LUN 0, peripheral */
	d[16 + 1] = 5;                          /* LUN 5 */
	d[24] = 0x41; d[24 + 1] = 0x2C;         /* LUN 300, flat */
	d[32] = 0xC0;                           /* extended addressing: skipped */
	assert_int_equal(scsi_report_luns_parse(d, sizeof(d), luns, 8), 3);
	assert_int_equal(luns[0], 0);
	assert_int_equal(luns[1], 5);
	assert_int_equal(luns[2], 300);
	/* A list length beyond the buffer reads only what is there. */
	d[3] = 0xF0;
	assert_int_equal(scsi_report_luns_parse(d, 8 + 16, luns, 8), 2);
	assert_int_equal(scsi_report_luns_parse(d, sizeof(d), luns, 1), 1);
	assert_int_equal(scsi_report_luns_parse(d, 7, luns, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rw16_cdb),
		cmocka_unit_test(test_other_cdbs),
		cmocka_unit_test(test_sense_fixed_and_descriptor),
		cmocka_unit_test(test_sense_short_or_bad),
		cmocka_unit_test(test_read_capacity),
		cmocka_unit_test(test_report_luns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
