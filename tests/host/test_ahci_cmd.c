/* drivers/ahci_cmd.c: PRDT entries never above 4 MiB, even counts, refusals when they
 * cannot fit; the H2D FIS bytes of a 48-bit command; IDENTIFY words for 512- and
 * 4096-byte sectors; error decoding from PxIS and PxTFD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/ahci_cmd.h"

static void test_prdt_split(void **state)
{
	struct ahci_prd prdt[AHCI_PRDS];
	uint64_t addr = 0x1234567002ull;           /* above 4 GiB, word aligned */
	uint32_t bytes = (8u << 20) + 1024, total = 0;
	unsigned n;

	(void)state;
	n = ahci_fill_prdt(prdt, AHCI_PRDS, addr, bytes);
	assert_int_equal(n, 3);
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = (prdt[i].dbc & 0x3FFFFF) + 1;

		assert_true(len <= AHCI_PRD_MAX_BYTES);
		assert_true(prdt[i].dbc & 1);          /* count - 1 odd: the count is even */
		assert_int_equal(((uint64_t)prdt[i].dbau << 32 | prdt[i].dba), addr + total);
		total += len;
	}
	assert_int_equal(total, bytes);
	assert_int_equal(prdt[0].dbc, AHCI_PRD_MAX_BYTES - 1);
	assert_int_equal(prdt[2].dbc, 1023);
}

static void test_prdt_refusals(void **state)
{
	struct ahci_prd prdt[2];

	(void)state;
	assert_int_equal(ahci_fill_prdt(prdt, 2, 0x1000, 0), 0);
	assert_int_equal(ahci_fill_prdt(prdt, 2, 0x1000, 511), 0);     /* odd count */
	assert_int_equal(ahci_fill_prdt(prdt, 2, 0x1001, 512), 0);     /* odd address */
	assert_int_equal(ahci_fill_prdt(prdt, 2, 0x1000, 12u << 20), 0);   /* needs 3 */
	assert_int_equal(ahci_fill_prdt(prdt, 2, 0x1000, 8u << 20), 2);
	assert_int_equal(ahci_fill_prdt(prdt, 2, 0x1000, 512), 1);
	assert_int_equal(prdt[0].dbc, 511);
}

static void test_h2d(void **state)
{
	struct fis_reg_h2d f;
	const uint8_t *b = (const uint8_t *)&f;

	(void)state;
	ahci_fill_h2d(&f, ATA_CMD_READ_DMA_EXT, 0x0000BA9876543210ull, 65536, true);
	assert_int_equal(b[0], 0x27);
	assert_int_equal(b[1], 0x80);
	assert_int_equal(b[2], 0x25);
	assert_int_equal(b[4], 0x10);
	assert_int_equal(b[5], 0x32);
	assert_int_equal(b[6], 0x54);
	assert_int_equal(b[7], 0x40);
	assert_int_equal(b[8], 0x76);
	assert_int_equal(b[9], 0x98);
	assert_int_equal(b[10], 0xBA);
	assert_int_equal(b[12], 0);                /* 65536 sectors: count 0 */
	assert_int_equal(b[13], 0);
	ahci_fill_h2d(&f, ATA_CMD_WRITE_DMA_EXT, 7, 0x1234, true);
	assert_int_equal(b[12], 0x34);
	assert_int_equal(b[13], 0x12);
	ahci_fill_h2d(&f, ATA_CMD_IDENTIFY, 0, 0, false);
	assert_int_equal(b[2], 0xEC);
	assert_int_equal(b[7], 0);
}

static void put_model(uint16_t *id, const char *m)
{
	char buf[ID_MODEL_WORDS * 2];

	memset(buf, ' ', sizeof(buf));
	memcpy(buf, m, strlen(m));
	for (unsigned i = 0; i < ID_MODEL_WORDS; i++)
		id[ID_WORD_MODEL + i] = (uint16_t)((uint8_t)buf[2 * i] << 8 | (uint8_t)buf[2 * i + 1]);
}

static void test_identify(void **state)
{
	uint16_t id[256] = { 0 };
	struct ata_identity a;

	(void)state;
	put_model(id, "QEMU HARDDISK");
	id[ID_WORD_CAP_LBA48] = ID_CAP_LBA48 | ID_CAP_FLUSH_EXT;
	id[100] = 0x5678;
	id[101] = 0x1234;
	id[102] = 0x0001;
	ata_identify_parse(id, &a);
	assert_true(a.lba48);
	assert_true(a.flush_ext);
	assert_int_equal(a.sectors, 0x000112345678ull);
	assert_int_equal(a.sector_size, 512);
	assert_string_equal(a.model, "QEMU HARDDISK");
	/* 4Kn: word 106 valid with "logical sector longer than 256 words", 2048 words. */
	id[ID_WORD_SECTOR_SIZE] = 0x4000 | 1u << 12;
	id[ID_WORD_LOGICAL_SIZE] = 2048;
	ata_identify_parse(id, &a);
	assert_int_equal(a.sector_size, 4096);
	/* Word 106 not valid (15:14 != 01b): 512 whatever 117-118 say. */
	id[ID_WORD_SECTOR_SIZE] = 0xC000 | 1u << 12;
	ata_identify_parse(id, &a);
	assert_int_equal(a.sector_size, 512);
	id[ID_WORD_CAP_LBA48] = 0;
	ata_identify_parse(id, &a);
	assert_false(a.lba48);
}

static void test_errors(void **state)
{
	char buf[128];

	(void)state;
	ahci_describe_error(PX_IS_TFES, 0x4051, buf, sizeof(buf));
	assert_string_equal(buf, "uncorrectable media error (UNC); ATA status 0x51 error 0x40");
	ahci_describe_error(PX_IS_TFES, 0x0451, buf, sizeof(buf));
	assert_string_equal(buf, "command aborted by the device (ABRT); ATA status 0x51 error 0x04");
	ahci_describe_error(PX_IS_TFES, 0x1051, buf, sizeof(buf));
	assert_string_equal(buf, "sector not found (IDNF); ATA status 0x51 error 0x10");
	ahci_describe_error(PX_IS_HBFS, 0x0050, buf, sizeof(buf));
	assert_string_equal(buf, "host bus fatal error (PxIS.HBFS); ATA status 0x50 error 0x00");
	ahci_describe_error(PX_IS_TFES, 0x0071, buf, sizeof(buf));
	assert_string_equal(buf, "device fault (DF); ATA status 0x71 error 0x00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prdt_split),
		cmocka_unit_test(test_prdt_refusals),
		cmocka_unit_test(test_h2d),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
