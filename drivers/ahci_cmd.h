/* What thaw puts in an AHCI command table and reads back from the device, as pure
 * functions: the H2D register FIS, the PRDT, IDENTIFY DEVICE data and the error a
 * failed command reports (drivers/ahci_cmd.c). */
#ifndef THAW_AHCI_CMD_H
#define THAW_AHCI_CMD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "drivers/ahci_regs.h"

/* PRDT entries for bytes at physical address addr: at most 4 MiB each, an even byte
 * count (§4.2.3.3). Returns how many were used, 0 when bytes is 0 or odd, addr is odd,
 * or more than max entries would be needed. */
unsigned ahci_fill_prdt(struct ahci_prd *prdt, unsigned max, uint64_t addr, uint32_t bytes);

/* A 48-bit command: LBA and count in device (logical-sector) units; count 65536 is
 * sent as 0, as ACS-3 defines it. lba_mode false for IDENTIFY (device register 0). */
void ahci_fill_h2d(struct fis_reg_h2d *f, uint8_t command, uint64_t lba, uint32_t count,
		   bool lba_mode);

struct ata_identity {
	uint64_t sectors;            /* logical sectors (words 100-103) */
	uint32_t sector_size;        /* bytes per logical sector */
	bool lba48, flush_ext;
	char model[ID_MODEL_WORDS * 2 + 1];
};

/* Decode IDENTIFY DEVICE data (256 words, ACS-3 §7.12.7). */
void ata_identify_parse(const uint16_t *id, struct ata_identity *out);

/* "uncorrectable media error (UNC); ATA status 0x51 error 0x40" from PxIS and PxTFD. */
void ahci_describe_error(uint32_t is, uint32_t tfd, char *buf, size_t cap);

#endif
