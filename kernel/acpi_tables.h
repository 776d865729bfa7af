/* ACPI table layouts thaw reads (ACPI 6.4 §5.2): RSDP, the common header, the FADT
 * fields for reset/poweroff/FACS/DSDT, and the Generic Address Structure. Layout only. */
#ifndef THAW_ACPI_TABLES_H
#define THAW_ACPI_TABLES_H
#include <stddef.h>
#include <stdint.h>

struct __attribute__((packed)) acpi_rsdp {
	char signature[8];      /* 0: "RSD PTR " */
	uint8_t checksum;       /* 8: first 20 bytes sum to 0 */
	char oem_id[6];         /* 9 */
	uint8_t revision;       /* 15: 0 = ACPI 1.0 (20 bytes), 2 = v2+ */
	uint32_t rsdt;          /* 16 */
	uint32_t length;        /* 20: v2 */
	uint64_t xsdt;          /* 24: v2 */
	uint8_t ext_checksum;   /* 32: all `length` bytes sum to 0 */
	uint8_t reserved[3];    /* 33 */
};
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(offsetof(struct acpi_rsdp, xsdt) == 24, "RSDP xsdt");

struct __attribute__((packed)) acpi_header {
	char signature[4];      /* 0 */
	uint32_t length;        /* 4: whole table, header included */
	uint8_t revision;       /* 8 */
	uint8_t checksum;       /* 9: all `length` bytes sum to 0 */
	char oem_id[6];         /* 10 */
	char oem_table_id[8];   /* 16 */
	uint32_t oem_revision;  /* 24 */
	uint32_t creator_id;    /* 28 */
	uint32_t creator_rev;   /* 32 */
};
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");

/* Generic Address Structure (§5.2.3.2). */
struct __attribute__((packed)) acpi_gas {
	uint8_t space_id;       /* 0: 0 system memory, 1 system I/O */
	uint8_t bit_width;      /* 1 */
	uint8_t bit_offset;     /* 2 */
	uint8_t access_size;    /* 3 */
	uint64_t address;       /* 4 */
};
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO     1

/* FADT offsets (§5.2.9, Table 5.9); older FADTs are shorter, so check length. */
#define FADT_FIRMWARE_CTRL      36      /* u32 FACS */
#define FADT_DSDT               40      /* u32 */
#define FADT_PM1A_CNT_BLK       64      /* u32 I/O port */
#define FADT_PM1B_CNT_BLK       68      /* u32 I/O port */
#define FADT_FLAGS              112     /* u32 */
#define FADT_RESET_REG          116     /* struct acpi_gas */
#define FADT_RESET_VALUE        128     /* u8 */
#define FADT_X_FIRMWARE_CTRL    132     /* u64 */
#define FADT_X_DSDT             140     /* u64 */
#define FADT_X_PM1A_CNT_BLK     172     /* struct acpi_gas */
#define FADT_X_PM1B_CNT_BLK     184     /* struct acpi_gas */
#define FADT_FLAG_RESET_REG_SUP (1u << 10)

/* PM1 control register (§4.8.3.2.1). */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << 10)
#define PM1_SLP_EN        (1u << 13)

#endif
