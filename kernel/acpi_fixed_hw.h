/* The ACPI fixed hardware thaw hands over (ACPI 6.4 §4.8): where the FADT puts the
 * SMI command port, the PM1 event/control blocks and the GPE blocks. Pure. */
#ifndef THAW_ACPI_FIXED_HW_H
#define THAW_ACPI_FIXED_HW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FADT Flags (ACPI 6.4 §5.2.9, Table 5.10). */
#define FADT_F_PWR_BUTTON       (1u << 4)   /* set: no fixed power button */
#define FADT_F_SLP_BUTTON       (1u << 5)   /* set: no fixed sleep button */
#define FADT_F_HW_REDUCED       (1u << 20)  /* HW_REDUCED_ACPI: no fixed hardware */

/* PM1 registers (§4.8.3.1, §4.8.3.2): status bits are write-1-to-clear. */
#define PM1_CNT_SCI_EN          (1u << 0)
#define PM1_EVT_PWRBTN          (1u << 8)   /* PWRBTN_STS / PWRBTN_EN */
#define PM1_EVT_SLPBTN          (1u << 9)
#define PM1_EVT_WAK_STS         (1u << 15)

enum acpi_hw_err {
	ACPI_HW_OK = 0,
	ACPI_HW_ESHORT,         /* FADT shorter than the ACPI 1.0 fields read here */
	ACPI_HW_EREDUCED,       /* hardware-reduced ACPI: no SCI_EN, no PM1 blocks */
	ACPI_HW_ENOPM1,         /* no PM1a control or event block */
	ACPI_HW_ENOTIO,         /* a block is in memory space; thaw drives I/O ports only */
};

const char *acpi_hw_strerror(enum acpi_hw_err e);

/* One register block: an I/O port base and its length in bytes (0 = absent). */
struct acpi_hw_blk {
	uint16_t port;
	uint8_t len;
};

struct acpi_fixed_hw {
	uint16_t smi_cmd;       /* 0: the system is always in ACPI mode */
	uint8_t acpi_enable;    /* value written to smi_cmd */
	uint8_t acpi_disable;
	uint32_t flags;         /* FADT_F_* */
	struct acpi_hw_blk pm1_evt[2];  /* a, b: status half then enable half */
	struct acpi_hw_blk pm1_cnt[2];
	struct acpi_hw_blk gpe[2];      /* GPE0, GPE1: status half then enable half */
};

/* Decode the FADT in buf[len]. Each block's address is chosen the way ACPICA does
 * (drivers/acpi/acpica/tbfadt.c acpi_tb_convert_fadt()/acpi_tb_select_address()):
 * the X_ GAS when its address is non-zero, else the 32-bit field; lengths from
 * the legacy *_LEN fields. Never reads outside buf[0, len). */
enum acpi_hw_err acpi_fixed_hw_parse(const void *buf, size_t len, struct acpi_fixed_hw *hw);

/* Whether thaw must switch the machine into ACPI mode, given PM1 control as read
 * (ACPICA acpi_hw_get_mode(), acpi_hw_set_mode()): not when SCI_EN is already
 * set, not when SMI_CMD is 0 (ACPI 2.0: no mode transition, always ACPI), and not
 * when ACPI_ENABLE is 0 (ACPI 2.0: enabling not supported). */
bool acpi_fixed_hw_needs_enable(const struct acpi_fixed_hw *hw, uint16_t pm1_cnt);

#endif
