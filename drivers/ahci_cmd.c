/* AHCI command tables and ATA data, pure: the H2D FIS (SATA 3.x §10.5.5), PRDT entries
 * (AHCI 1.3.1 §4.2.3.3), IDENTIFY DEVICE words and the error register (ACS-3 §7.12.7,
 * §6.3). No I/O; reads and writes only the arrays it is given. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/blockdev.h"
#include "drivers/ahci_cmd.h"
#include "kernel/format.h"


unsigned ahci_fill_prdt(struct ahci_prd *prdt, unsigned max, uint64_t addr, uint32_t bytes)
{
	unsigned n = 0;

	if (bytes == 0 || (bytes & 1) || (addr & 1))
		return 0;
	for (uint32_t off = 0; off < bytes; n++) {
		uint32_t len = bytes - off < AHCI_PRD_MAX_BYTES ? bytes - off : AHCI_PRD_MAX_BYTES;
		uint64_t a = addr + off;

		if (n == max)
			return 0;
		prdt[n] = (struct ahci_prd){ .dba = (uint32_t)a, .dbau = (uint32_t)(a >> 32),
					     .dbc = len - 1 };
		off += len;
	}
	return n;
}

void ahci_fill_h2d(struct fis_reg_h2d *f, uint8_t command, uint64_t lba, uint32_t count,
		   bool lba_mode)
{
	uint16_t c = (uint16_t)count;           /* 65536 wraps to 0 */

	memset(f, 0, sizeof(*f));
	f->type = FIS_TYPE_REG_H2D;
	f->flags = FIS_H2D_COMMAND;
	f->command = command;
	f->device = lba_mode ? ATA_DEVICE_LBA : 0;
	f->lba0 = (uint8_t)lba;
	f->lba1 = (uint8_t)(lba >> 8);
	f->lba2 = (uint8_t)(lba >> 16);
	f->lba3 = (uint8_t)(lba >> 24);
	f->lba4 = (uint8_t)(lba >> 32);
	f->lba5 = (uint8_t)(lba >> 40);
	f->count = (uint8_t)c;
	f->count_exp = (uint8_t)(c >> 8);
}

/* Logical sector size: word 106 valid (15:14 = 01b) with bit 12 set gives words
 * 117-118 in 16-bit words; otherwise 512 bytes. */
static uint32_t id_sector_size(const uint16_t *id)
{
	uint16_t w = id[ID_WORD_SECTOR_SIZE];

	if ((w & 0xC000) != 0x4000 || !(w & (1u << 12)))
		return BLOCK_SECTOR_SIZE;
	return (uint32_t)(id[ID_WORD_LOGICAL_SIZE] | (uint32_t)id[ID_WORD_LOGICAL_SIZE + 1] << 16) * 2;
}

/* The model string: byte-swapped words, trailing spaces dropped. */
static void id_model(const uint16_t *id, char *out)
{
	size_t n = 0;

	for (unsigned i = 0; i < ID_MODEL_WORDS; i++) {
		out[n++] = (char)(id[ID_WORD_MODEL + i] >> 8);
		out[n++] = (char)id[ID_WORD_MODEL + i];
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

void ata_identify_parse(const uint16_t *id, struct ata_identity *out)
{
	const uint16_t *w = id + ID_WORD_LBA48_SECTORS;

	out->lba48 = id[ID_WORD_CAP_LBA48] & ID_CAP_LBA48;
	out->flush_ext = id[ID_WORD_CAP_LBA48] & ID_CAP_FLUSH_EXT;
	out->sectors = w[0] | (uint64_t)w[1] << 16 | (uint64_t)w[2] << 32 | (uint64_t)w[3] << 48;
	out->sector_size = id_sector_size(id);
	id_model(id, out->model);
}

/* PxIS says how it failed; with TFES the device's error register says why. */
static const char *error_name(uint32_t is, uint32_t tfd)
{
	uint8_t err = (uint8_t)PX_TFD_ERR(tfd);

	if (!(is & PX_IS_TFES))
		return is & PX_IS_HBFS ? "host bus fatal error (PxIS.HBFS)" :
		       is & PX_IS_HBDS ? "host bus data error (PxIS.HBDS)" :
		       is & PX_IS_IFS ? "interface fatal error (PxIS.IFS)" :
		       "HBA overflow (PxIS.OFS)";
	return err & ATA_ERR_UNC ? "uncorrectable media error (UNC)" :
	       err & ATA_ERR_IDNF ? "sector not found (IDNF)" :
	       err & ATA_ERR_ICRC ? "interface CRC error (ICRC)" :
	       err & ATA_ERR_ABRT ? "command aborted by the device (ABRT)" :
	       (tfd & ATA_STS_DF) ? "device fault (DF)" : "device reported an error";
}

void ahci_describe_error(uint32_t is, uint32_t tfd, char *buf, size_t cap)
{
	ksnprintf(buf, cap, "%s; ATA status 0x%02x error 0x%02x", error_name(is, tfd),
		  (unsigned)PX_TFD_STS(tfd), (unsigned)PX_TFD_ERR(tfd));
}
