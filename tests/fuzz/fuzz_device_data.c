/* Fuzz target: what a disk controller hands back to thaw — SCSI sense data, REPORT
 * LUNS and READ CAPACITY(16) data (block/scsi.c) and ATA IDENTIFY DEVICE words
 * (drivers/ahci_cmd.c).
 * Oracle: for any bytes, (1) nothing is read outside the input (ASan: the replayer and
 * libFuzzer pass exact-size buffers; IDENTIFY gets its 512 bytes from a zero-padded
 * copy), (2) REPORT LUNS stores at most the slots given, each a 14-bit LUN, (3) sense
 * keys are 4-bit, descriptions are NUL-terminated within their buffer, (4) a capacity
 * is reported only with a non-zero block length, (5) never crashes (ASan/UBSan).
 * Input: byte 0 picks the parser (mod 4), the rest is the data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "block/scsi.h"
#include "drivers/ahci_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sense(const uint8_t *d, size_t n)
{
	struct scsi_sense s = scsi_sense_parse(d, n);
	char buf[48];

	if (s.key > 15)
		abort();
	scsi_sense_describe(&s, buf, sizeof(buf));
	if (!memchr(buf, '\0', sizeof(buf)))
		abort();
}

static void report_luns(const uint8_t *d, size_t n)
{
	uint16_t luns[9];
	size_t got = scsi_report_luns_parse(d, n, luns, 8);

	if (got > 8)
		abort();
	for (size_t i = 0; i < got; i++)
		if (luns[i] > 0x3FFF)
			abort();
}

static void capacity(const uint8_t *d, size_t n)
{
	uint64_t blocks = 0;
	uint32_t len = 0;

	if (scsi_read_capacity16_parse(d, n, &blocks, &len) && (len == 0 || blocks == 0))
		abort();
}

static void identify(const uint8_t *d, size_t n)
{
	uint16_t id[256];
	struct ata_identity a;

	memset(id, 0, sizeof(id));
	memcpy(id, d, n < sizeof(id) ? n : sizeof(id));
	ata_identify_parse(id, &a);
	if (!memchr(a.model, '\0', sizeof(a.model)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0: sense(data + 1, size - 1); break;
	case 1: report_luns(data + 1, size - 1); break;
	case 2: capacity(data + 1, size - 1); break;
	default: identify(data + 1, size - 1); break;
	}
	return 0;
}
