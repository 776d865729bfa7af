/* ACPI table layouts thaw reads (ACPI 6.4 §5.2): RSDP, the common header, the
 * Generic Address Structure, the FADT and the FACS. Layout, and the one way to copy
 * a FADT of any revision; the MADT has its own file (kernel/madt.h). */
#ifndef THAW_ACPI_TABLES_H
#define THAW_ACPI_TABLES_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
#define RSDP_V1_LEN offsetof(struct acpi_rsdp, length)     /* ACPI 1.0: 20 bytes */
_Static_assert(RSDP_V1_LEN == 20, "RSDP v1");

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

/* FADT, "FACP" (ACPI 6.4 §5.2.9). Older firmware writes shorter FADTs
 * (ACPI 1.0: 116 bytes): copy min(length, sizeof) into a zeroed struct and read a
 * field only when ACPI_FADT_HAS(length, field). */
struct __attribute__((packed)) acpi_fadt {
	struct acpi_header header;      /*   0: signature "FACP" */
	uint32_t firmware_ctrl;         /*  36: FACS, 32-bit */
	uint32_t dsdt;                  /*  40 */
	uint8_t reserved0;              /*  44: ACPI 1.0 INT_MODEL */
	uint8_t preferred_pm_profile;   /*  45 */
	uint16_t sci_int;               /*  46 */
	uint32_t smi_cmd;               /*  48 */
	uint8_t acpi_enable;            /*  52 */
	uint8_t acpi_disable;           /*  53 */
	uint8_t s4bios_req;             /*  54 */
	uint8_t pstate_cnt;             /*  55 */
	uint32_t pm1a_evt_blk;          /*  56 */
	uint32_t pm1b_evt_blk;          /*  60 */
	uint32_t pm1a_cnt_blk;          /*  64: I/O port */
	uint32_t pm1b_cnt_blk;          /*  68: I/O port */
	uint32_t pm2_cnt_blk;           /*  72 */
	uint32_t pm_tmr_blk;            /*  76 */
	uint32_t gpe0_blk;              /*  80 */
	uint32_t gpe1_blk;              /*  84 */
	uint8_t pm1_evt_len;            /*  88 */
	uint8_t pm1_cnt_len;            /*  89 */
	uint8_t pm2_cnt_len;            /*  90 */
	uint8_t pm_tmr_len;             /*  91 */
	uint8_t gpe0_blk_len;           /*  92 */
	uint8_t gpe1_blk_len;           /*  93 */
	uint8_t gpe1_base;              /*  94 */
	uint8_t cst_cnt;                /*  95 */
	uint16_t p_lvl2_lat;            /*  96 */
	uint16_t p_lvl3_lat;            /*  98 */
	uint16_t flush_size;            /* 100 */
	uint16_t flush_stride;          /* 102 */
	uint8_t duty_offset;            /* 104 */
	uint8_t duty_width;             /* 105 */
	uint8_t day_alrm;               /* 106 */
	uint8_t mon_alrm;               /* 107 */
	uint8_t century;                /* 108 */
	uint16_t iapc_boot_arch;        /* 109 */
	uint8_t reserved1;              /* 111 */
	uint32_t flags;                 /* 112: FADT_FLAG_* */
	struct acpi_gas reset_reg;      /* 116 */
	uint8_t reset_value;            /* 128 */
	uint16_t arm_boot_arch;         /* 129 */
	uint8_t minor_version;          /* 131 */
	uint64_t x_firmware_ctrl;       /* 132: FACS, 64-bit; Linux uses it only if the u32 is 0 */
	uint64_t x_dsdt;                /* 140 */
	struct acpi_gas x_pm1a_evt_blk; /* 148 */
	struct acpi_gas x_pm1b_evt_blk; /* 160 */
	struct acpi_gas x_pm1a_cnt_blk; /* 172 */
	struct acpi_gas x_pm1b_cnt_blk; /* 184 */
	struct acpi_gas x_pm2_cnt_blk;  /* 196 */
	struct acpi_gas x_pm_tmr_blk;   /* 208 */
	struct acpi_gas x_gpe0_blk;     /* 220 */
	struct acpi_gas x_gpe1_blk;     /* 232 */
	struct acpi_gas sleep_control;  /* 244 */
	struct acpi_gas sleep_status;   /* 256 */
	uint64_t hypervisor_vendor;     /* 268 */
};
_Static_assert(offsetof(struct acpi_fadt, firmware_ctrl) == 36, "FADT FIRMWARE_CTRL");
_Static_assert(offsetof(struct acpi_fadt, dsdt) == 40, "FADT DSDT");
_Static_assert(offsetof(struct acpi_fadt, pm1a_cnt_blk) == 64, "FADT PM1a_CNT_BLK");
_Static_assert(offsetof(struct acpi_fadt, pm1b_cnt_blk) == 68, "FADT PM1b_CNT_BLK");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "FADT RESET_VALUE");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172, "FADT X_PM1a_CNT_BLK");
_Static_assert(offsetof(struct acpi_fadt, x_pm1b_cnt_blk) == 184, "FADT X_PM1b_CNT_BLK");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor) == 268, "FADT hypervisor id");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT (ACPI 6.x)");

#define FADT_FLAG_RESET_REG_SUP (1u << 10)

/* Copy a FADT of len bytes (any revision) into *out, zero beyond len. */
static inline void acpi_fadt_load(const void *table, size_t len, struct acpi_fadt *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, table, len < sizeof(*out) ? len : sizeof(*out));
}

/* Whether a FADT of len bytes holds the whole of field. */
#define ACPI_FADT_HAS(len, field) \
	((len) >= offsetof(struct acpi_fadt, field) + sizeof(((struct acpi_fadt *)0)->field))

/* FACS (§5.2.10): no checksum, its own length field. */
struct __attribute__((packed)) acpi_facs {
	char signature[4];              /*  0: "FACS" */
	uint32_t length;                /*  4: at least 64 */
	uint32_t hardware_signature;    /*  8: changes when the hardware configuration does */
	uint32_t firmware_waking_vector;        /* 12 */
	uint32_t global_lock;           /* 16 */
	uint32_t flags;                 /* 20 */
	uint64_t x_firmware_waking_vector;      /* 24 */
	uint8_t version;                /* 32 */
	uint8_t reserved0[3];           /* 33 */
	uint32_t ospm_flags;            /* 36 */
	uint8_t reserved1[24];          /* 40 */
};
_Static_assert(offsetof(struct acpi_facs, length) == 4, "FACS length");
_Static_assert(offsetof(struct acpi_facs, hardware_signature) == 8, "FACS hardware signature");
_Static_assert(offsetof(struct acpi_facs, x_firmware_waking_vector) == 24, "FACS X vector");
_Static_assert(offsetof(struct acpi_facs, ospm_flags) == 36, "FACS OSPM flags");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS");

/* PM1 control register (§4.8.3.2.1). */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << 10)
#define PM1_SLP_EN        (1u << 13)

#endif
