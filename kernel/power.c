/* Leaving thaw. Reboot: the FADT reset register (ACPI 6.4 §4.8.3.6), else the 8042
 * pulse (IBM AT), else a triple fault. Poweroff: SLP_TYPa/b from \_S5_ with SLP_EN
 * into PM1a/PM1b control (§7.4.2, §16.1.7). Tests leave through isa-debug-exit. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "kernel/acpi.h"
#include "kernel/acpi_tables.h"
#include "kernel/aml_s5.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/power.h"
#include "kernel/timer.h"

#define DEBUG_EXIT_PORT	0xf4    /* -device isa-debug-exit,iobase=0xf4,iosize=0x04 */
#define KBC_STATUS	0x64
#define KBC_CMD		0x64
#define KBC_INPUT_FULL	0x02
#define KBC_PULSE_RESET	0xFE
#define RESET_WAIT_US	500000

static struct {
	void (*wipe)(void);             /* cleared before it runs: once, even if it faults */
	bool test_exit;
	bool has_reset;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	bool has_s5;
	uint8_t slp_typa, slp_typb;
	uint16_t pm1a_cnt, pm1b_cnt;    /* I/O ports; 0 = absent */
} power;

void power_set_test_exit(bool enabled)
{
	power.test_exit = enabled;
}

void power_set_wipe(void (*wipe)(void))
{
	power.wipe = wipe;
}

void power_wipe(void)
{
	void (*wipe)(void) = power.wipe;

	power.wipe = NULL;
	if (wipe)
		wipe();
}

void power_test_exit(uint8_t code)
{
	power_wipe();
	if (power.test_exit)
		outb(DEBUG_EXIT_PORT, code);
}

/* A PM1 control block's I/O port: the X_ GAS when it names an I/O port, else the
 * 32-bit field. 0 = absent. */
static uint16_t pm1_port(const struct acpi_gas *x, bool has_x, uint32_t port32, bool has32)
{
	if (has_x && x->space_id == ACPI_GAS_IO && x->address && x->address <= 0xffff)
		return (uint16_t)x->address;
	return has32 && port32 <= 0xffff ? (uint16_t)port32 : 0;
}

void power_init(const struct boot_info *bi)
{
	const struct acpi_header *fadt = acpi_find_table("FACP");
	const struct acpi_header *dsdt = acpi_find_table("DSDT");
	struct acpi_fadt f;
	uint32_t len;

	(void)bi;
	if (!fadt)
		return;
	len = fadt->length;
	acpi_fadt_load(fadt, len, &f);
	if (ACPI_FADT_HAS(len, flags) && (f.flags & FADT_FLAG_RESET_REG_SUP) &&
	    ACPI_FADT_HAS(len, reset_value)) {
		power.reset_reg = f.reset_reg;
		power.reset_value = f.reset_value;
		power.has_reset = power.reset_reg.address != 0;
	}
	power.pm1a_cnt = pm1_port(&f.x_pm1a_cnt_blk, ACPI_FADT_HAS(len, x_pm1a_cnt_blk),
				  f.pm1a_cnt_blk, ACPI_FADT_HAS(len, pm1a_cnt_blk));
	power.pm1b_cnt = pm1_port(&f.x_pm1b_cnt_blk, ACPI_FADT_HAS(len, x_pm1b_cnt_blk),
				  f.pm1b_cnt_blk, ACPI_FADT_HAS(len, pm1b_cnt_blk));
	if (dsdt)
		power.has_s5 = aml_find_s5((const uint8_t *)dsdt + sizeof(*dsdt),
					   dsdt->length - sizeof(*dsdt),
					   &power.slp_typa, &power.slp_typb);
}

/* Summary line for kmain. */
void power_describe(void)
{
	kprintf("power: ACPI RSDP %s, reset register %s, S5 %s\n",
		acpi_rsdp_phys() ? "found" : "not found",
		power.has_reset ? "yes" : "no (8042 fallback)",
		power.has_s5 && power.pm1a_cnt ? "yes" : "no (halt instead)");
}

static void write_reset_reg(void)
{
	const struct acpi_gas *g = &power.reset_reg;

	if (g->space_id == ACPI_GAS_IO)
		outb((uint16_t)g->address, power.reset_value);
	else if (g->space_id == ACPI_GAS_MEMORY && g->address < (1ull << 32))
		mmio_write8((uintptr_t)g->address, power.reset_value);
}

static void kbc_reset(void)
{
	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		cpu_relax();
	outb(KBC_CMD, KBC_PULSE_RESET);
}

/* An empty IDT turns the next exception into a triple fault: the CPU resets. */
__attribute__((noreturn)) static void triple_fault(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };

	__asm__ volatile("lidt %0; int3" : : "m"(none));
	for (;;)
		__asm__ volatile("cli; hlt");
}

void power_reboot(void)
{
	power_wipe();
	kprintf("thaw: rebooting\n");
	if (power.has_reset) {
		write_reset_reg();
		timer_delay_us(RESET_WAIT_US);
	}
	kbc_reset();
	timer_delay_us(RESET_WAIT_US);
	triple_fault();
}

static void write_slp(uint16_t port, uint8_t typ)
{
	uint16_t v = inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);

	outw(port, v | (uint16_t)(typ << PM1_SLP_TYP_SHIFT & PM1_SLP_TYP_MASK) | PM1_SLP_EN);
}

void power_off(void)
{
	power_wipe();
	kprintf("thaw: powering off\n");
	if (power.has_s5 && power.pm1a_cnt) {
		write_slp(power.pm1a_cnt, power.slp_typa);
		if (power.pm1b_cnt)
			write_slp(power.pm1b_cnt, power.slp_typb);
		timer_delay_us(RESET_WAIT_US);
	}
	kprintf("thaw: ACPI soft-off unavailable; halting. Turn the machine off by hand.\n");
	power_halt();
}

void power_halt(void)
{
	power_wipe();
	for (;;)
		__asm__ volatile("cli; hlt");
}
