/* AHCI (Serial ATA AHCI 1.3.1) hardware layout: HBA and port registers, the command
 * list, received-FIS area, command table, PRDT entry and the FISes thaw sends, plus
 * the ATA commands and IDENTIFY DEVICE words the driver uses. Layout only. */
#ifndef THAW_AHCI_REGS_H
#define THAW_AHCI_REGS_H
#include <stddef.h>
#include <stdint.h>

/* PCI class 01h (mass storage), subclass 06h (SATA), prog-if 01h (AHCI 1.0). */
#define AHCI_PCI_CLASS    0x01
#define AHCI_PCI_SUBCLASS 0x06
#define AHCI_PCI_PROGIF   0x01
#define AHCI_ABAR         5          /* BAR5 holds the HBA memory registers (§2.1.11) */

/* Generic host control (§3.1). */
#define AHCI_CAP   0x00
#define AHCI_GHC   0x04
#define AHCI_IS    0x08
#define AHCI_PI    0x0C
#define AHCI_VS    0x10
#define AHCI_CAP2  0x24
#define AHCI_BOHC  0x28
#define AHCI_PORT_BASE 0x100
#define AHCI_PORT_SIZE 0x80
#define AHCI_PORTS_MAX 32

#define AHCI_CAP_NP(c)   (((c) & 0x1F) + 1)          /* ports supported */
#define AHCI_CAP_NCS(c)  ((((c) >> 8) & 0x1F) + 1)   /* command slots per port */
#define AHCI_CAP_SSS     (1u << 27)                  /* staggered spin-up */
#define AHCI_CAP_SNCQ    (1u << 30)
#define AHCI_CAP_S64A    (1u << 31)                  /* 64-bit DMA addresses */
#define AHCI_GHC_HR      (1u << 0)
#define AHCI_GHC_IE      (1u << 1)
#define AHCI_GHC_AE      (1u << 31)
#define AHCI_CAP2_BOH    (1u << 0)                   /* BIOS/OS hand-off (§10.6) */
#define AHCI_BOHC_BOS    (1u << 0)
#define AHCI_BOHC_OOS    (1u << 1)
#define AHCI_BOHC_BB     (1u << 4)

/* Port registers, at AHCI_PORT_BASE + AHCI_PORT_SIZE * port (§3.3). */
#define PX_CLB   0x00
#define PX_CLBU  0x04
#define PX_FB    0x08
#define PX_FBU   0x0C
#define PX_IS    0x10      /* write 1 to clear */
#define PX_IE    0x14
#define PX_CMD   0x18
#define PX_TFD   0x20
#define PX_SIG   0x24
#define PX_SSTS  0x28
#define PX_SCTL  0x2C
#define PX_SERR  0x30      /* write 1 to clear */
#define PX_SACT  0x34
#define PX_CI    0x38

#define PX_CMD_ST     (1u << 0)
#define PX_CMD_SUD    (1u << 1)
#define PX_CMD_POD    (1u << 2)
#define PX_CMD_CLO    (1u << 3)
#define PX_CMD_FRE    (1u << 4)
#define PX_CMD_FR     (1u << 14)
#define PX_CMD_CR     (1u << 15)
#define PX_CMD_ICC_MASK   (0xFu << 28)
#define PX_CMD_ICC_ACTIVE (1u << 28)

#define PX_TFD_STS(t)  ((t) & 0xFF)
#define PX_TFD_ERR(t)  (((t) >> 8) & 0xFF)
#define ATA_STS_ERR    0x01
#define ATA_STS_DRQ    0x08
#define ATA_STS_DF     0x20
#define ATA_STS_BSY    0x80

#define PX_SSTS_DET(s)     ((s) & 0xF)
#define PX_SSTS_DET_PHY    3          /* device present, communication established */
#define PX_SCTL_DET_MASK   0xFu
#define PX_SCTL_DET_COMRESET 1u

#define PX_SIG_ATA    0x00000101u
#define PX_SIG_ATAPI  0xEB140101u

/* PxIS bits that mean the command or the link failed (§3.3.5). */
#define PX_IS_OFS   (1u << 24)        /* overflow */
#define PX_IS_IFS   (1u << 27)        /* interface fatal */
#define PX_IS_HBDS  (1u << 28)        /* host bus data error */
#define PX_IS_HBFS  (1u << 29)        /* host bus fatal */
#define PX_IS_TFES  (1u << 30)        /* task file error: the device set ERR */
#define PX_IS_ERRORS (PX_IS_OFS | PX_IS_IFS | PX_IS_HBDS | PX_IS_HBFS | PX_IS_TFES)

/* Command header: one of 32 in the 1 KiB-aligned command list (§4.2.2). */
struct ahci_cmd_header {
	uint32_t flags;          /* 0: CFL 4:0, A 5, W 6, P 7, R 8, B 9, C 10, PMP 15:12, PRDTL 31:16 */
	uint32_t prdbc;          /* 4: bytes transferred, written by the HBA */
	uint32_t ctba;           /* 8: command table, 128-byte aligned */
	uint32_t ctbau;          /* 12 */
	uint32_t reserved[4];    /* 16 */
};
_Static_assert(sizeof(struct ahci_cmd_header) == 32, "command header is 32 bytes");
_Static_assert(offsetof(struct ahci_cmd_header, ctba) == 8, "CTBA at 8");
#define AHCI_HDR_CFL(dwords) ((uint32_t)(dwords) & 0x1F)
#define AHCI_HDR_WRITE       (1u << 6)
#define AHCI_HDR_PRDTL(n)    ((uint32_t)(n) << 16)
#define AHCI_CMD_LIST_ALIGN  1024
#define AHCI_SLOTS_MAX       32

/* Physical region descriptor (§4.2.3.3). */
struct ahci_prd {
	uint32_t dba;            /* 0: data address, bit 0 reserved (word aligned) */
	uint32_t dbau;           /* 4 */
	uint32_t reserved;       /* 8 */
	uint32_t dbc;            /* 12: byte count - 1 in 21:0 (bit 0 set: even count), I 31 */
};
_Static_assert(sizeof(struct ahci_prd) == 16, "PRD entry is 16 bytes");
_Static_assert(offsetof(struct ahci_prd, dbc) == 12, "DBC at 12");
#define AHCI_PRD_MAX_BYTES   (4u << 20)   /* DBC is 22 bits: 4 MiB per entry */

/* Host-to-device register FIS (SATA 3.x §10.5.5), the command thaw sends. */
struct fis_reg_h2d {
	uint8_t type;            /* 0: FIS_TYPE_REG_H2D */
	uint8_t flags;           /* 1: PMP 3:0, C 7 (this is a command) */
	uint8_t command;         /* 2 */
	uint8_t features;        /* 3: features 7:0 */
	uint8_t lba0, lba1, lba2;   /* 4: LBA 23:0 */
	uint8_t device;          /* 7: bit 6 = LBA mode */
	uint8_t lba3, lba4, lba5;   /* 8: LBA 47:24 */
	uint8_t features_exp;    /* 11: features 15:8 */
	uint8_t count;           /* 12: count 7:0 */
	uint8_t count_exp;       /* 13: count 15:8 */
	uint8_t icc;             /* 14 */
	uint8_t control;         /* 15 */
	uint8_t reserved[4];     /* 16 */
};
_Static_assert(sizeof(struct fis_reg_h2d) == 20, "H2D FIS is 5 dwords");
_Static_assert(offsetof(struct fis_reg_h2d, lba3) == 8, "LBA 47:24 at 8");
_Static_assert(offsetof(struct fis_reg_h2d, count) == 12, "count at 12");
#define FIS_TYPE_REG_H2D 0x27
#define FIS_H2D_COMMAND  0x80
#define ATA_DEVICE_LBA   0x40

/* Command table (§4.2.3): the FIS, the ATAPI command, then the PRDT. thaw builds
 * AHCI_PRDS entries per table, enough for AHCI_PRDS × 4 MiB. */
#define AHCI_PRDS 8
struct ahci_cmd_table {
	uint8_t cfis[64];        /* 0x00: command FIS */
	uint8_t acmd[16];        /* 0x40: ATAPI command */
	uint8_t reserved[48];    /* 0x50 */
	struct ahci_prd prdt[AHCI_PRDS];   /* 0x80 */
};
_Static_assert(offsetof(struct ahci_cmd_table, prdt) == 0x80, "PRDT at 0x80");
_Static_assert(sizeof(struct ahci_cmd_table) % 128 == 0, "tables stay 128-byte aligned");

/* Received-FIS area, 256-byte aligned (§4.2.1). */
struct ahci_rx_fis {
	uint8_t dsfis[0x20];     /* 0x00: DMA setup */
	uint8_t psfis[0x20];     /* 0x20: PIO setup */
	uint8_t rfis[0x18];      /* 0x40: D2H register */
	uint8_t sdbfis[0x08];    /* 0x58: set device bits */
	uint8_t ufis[0x40];      /* 0x60: unknown */
	uint8_t reserved[0x60];  /* 0xA0 */
};
_Static_assert(sizeof(struct ahci_rx_fis) == 256, "received-FIS area is 256 bytes");
_Static_assert(offsetof(struct ahci_rx_fis, rfis) == 0x40, "D2H FIS at 0x40");
#define AHCI_RX_FIS_ALIGN 256

/* ATA commands (ACS-3 §7). */
#define ATA_CMD_READ_DMA_EXT    0x25
#define ATA_CMD_WRITE_DMA_EXT   0x35
#define ATA_CMD_FLUSH_CACHE     0xE7
#define ATA_CMD_FLUSH_CACHE_EXT 0xEA
#define ATA_CMD_IDENTIFY        0xEC
#define ATA_EXT_MAX_SECTORS     65536u   /* count 0 means 65536 */

/* ATA error register bits (ACS-3 §6.3). */
#define ATA_ERR_ABRT 0x04
#define ATA_ERR_IDNF 0x10
#define ATA_ERR_UNC  0x40
#define ATA_ERR_ICRC 0x80

/* IDENTIFY DEVICE words (ACS-3 §7.12.7). */
#define ID_WORD_CAP_LBA48        83      /* bit 10: 48-bit addressing, bit 13: FLUSH EXT */
#define ID_CAP_LBA48             (1u << 10)
#define ID_CAP_FLUSH_EXT         (1u << 13)
#define ID_WORD_LBA48_SECTORS    100     /* words 100-103 */
#define ID_WORD_SECTOR_SIZE      106     /* 15:14 = 01 valid, 12: logical > 256 words */
#define ID_WORD_LOGICAL_SIZE     117     /* words 117-118, in 16-bit words */
#define ID_WORD_MODEL            27      /* words 27-46, byte-swapped ASCII */
#define ID_MODEL_WORDS           20

#endif
