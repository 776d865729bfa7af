/* ACPI mode and fixed events at the hand-off (ACPI 6.4 §4.8.2.1 legacy/ACPI mode,
 * §4.8.3 PM1 and GPE registers). What Linux's boot kernel leaves, and why:
 *  - SCI_EN = 1: drivers/acpi/bus.c acpi_bus_init() → acpi_enable_subsystem() →
 *    acpi_enable() writes ACPI_ENABLE to SMI_CMD at every Linux boot. An image made
 *    with /sys/power/disk = shutdown never enables ACPI itself after the resume
 *    (only acpi_hibernation_leave() does, in platform mode), so without this a
 *    BIOS machine resumed by thaw gets no SCI at all.
 *  - Power button: drivers/acpi/button.c arms PWRBTN_EN in the boot kernel; ACPICA
 *    hwsleep.c acpi_hw_legacy_wake() clears PWRBTN_STS and sets PWRBTN_EN on every
 *    wake, since the press that powered the machine on is still latched in
 *    PWRBTN_STS. Nothing in the image kernel re-arms it in shutdown mode.
 *  - Platform mode: kernel/power/hibernate.c resume_target_kernel() runs
 *    platform_pre_restore() = drivers/acpi/sleep.c acpi_pm_freeze():
 *    acpi_disable_all_gpes() (every GPE enable register 0), then waits for ACPI
 *    event work and blocks EC transactions — thaw runs no AML and never talks to
 *    the EC, so those two have nothing to undo. The image kernel's
 *    acpi_hibernation_leave() and acpi_pm_finish() re-enable its runtime GPEs.
 *    No other platform op runs on Linux's restore path (software_resume() →
 *    load_image_and_restore() → hibernation_restore()): no begin (_TTS), no
 *    prepare (_PTS), no _WAK — those belong to the image kernel's own entry into
 *    S4 and its leave/finish after the jump.
 *  - Shutdown mode, GPEs: left as the firmware set them. Linux's boot kernel would
 *    have enabled the GPEs its own ACPICA found _Lxx/_Exx methods for; thaw runs no
 *    AML, and the image kernel never rewrites GPE enables after a shutdown-mode
 *    resume (only acpi_pm_finish()/acpi_pm_thaw() do, in platform mode). */
#include "kernel/acpi_mode.h"

#include <stdint.h>

#include "kernel/acpi.h"
#include "kernel/acpi_fixed_hw.h"
#include "kernel/acpi_tables.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/timer.h"

static struct {
	bool loaded;            /* hw is valid */
	struct acpi_fixed_hw hw;
} am;

static bool load(void)
{
	const struct acpi_header *fadt = acpi_find_table("FACP");
	enum acpi_hw_err e;

	if (am.loaded)
		return true;
	if (!fadt) {
		kprintf("acpi: no FADT; the ACPI mode and events are left as the firmware set them\n");
		return false;
	}
	e = acpi_fixed_hw_parse(fadt, fadt->length, &am.hw);
	if (e == ACPI_HW_EREDUCED)
		return false;           /* nothing to hand over: always "ACPI mode" */
	if (e != ACPI_HW_OK) {
		kprintf("acpi: %s; the ACPI mode and events are left as the firmware set them\n",
			acpi_hw_strerror(e));
		return false;
	}
	am.loaded = true;
	return true;
}

/* PM1 control, A and B ORed, as ACPICA reads ACPI_REGISTER_PM1_CONTROL. */
static uint16_t pm1_cnt(void)
{
	uint16_t v = inw(am.hw.pm1_cnt[0].port);

	if (am.hw.pm1_cnt[1].port)
		v |= inw(am.hw.pm1_cnt[1].port);
	return v;
}

void acpi_mode_enable(void)
{
	uint64_t start;

	if (!load())
		return;
	if (pm1_cnt() & PM1_CNT_SCI_EN) {
		kprintf("acpi: ACPI mode already on (SCI_EN=1)\n");
		return;
	}
	if (!acpi_fixed_hw_needs_enable(&am.hw, pm1_cnt())) {
		kprintf("acpi: SCI_EN=0 and the FADT offers no switch to ACPI mode (SMI_CMD 0x%x, "
			"ACPI_ENABLE 0x%x)\n", am.hw.smi_cmd, am.hw.acpi_enable);
		return;
	}
	start = timer_ms();
	outb(am.hw.smi_cmd, am.hw.acpi_enable);
	while (!(pm1_cnt() & PM1_CNT_SCI_EN)) {
		if (timer_ms() - start > ACPI_MODE_TIMEOUT_MS) {
			kprintf("acpi: warning: SCI_EN still 0 %u ms after SMI_CMD 0x%x <- 0x%x; the "
				"resumed system will get no ACPI events (power button, lid, "
				"thermal)\n", ACPI_MODE_TIMEOUT_MS, am.hw.smi_cmd, am.hw.acpi_enable);
			return;
		}
		timer_delay_us(100);
	}
	kprintf("acpi: ACPI mode enabled (SMI_CMD 0x%x <- 0x%x, SCI_EN after %llu ms)\n",
		am.hw.smi_cmd, am.hw.acpi_enable, (unsigned long long)(timer_ms() - start));
}

/* PM1 event block: status half then enable half (§4.8.3.1); 16-bit registers. */
static void pm1_buttons(const struct acpi_hw_blk *evt, uint16_t buttons)
{
	uint16_t en_port = (uint16_t)(evt->port + evt->len / 2);

	outw(evt->port, buttons);               /* write 1 to clear the latched presses */
	outw(en_port, inw(en_port) | buttons);
}

/* GPE block: status half then enable half, byte registers (§4.8.4.1). */
static void gpe_disable(const struct acpi_hw_blk *gpe)
{
	for (uint8_t i = 0; i < gpe->len / 2; i++)
		outb((uint16_t)(gpe->port + gpe->len / 2 + i), 0);
}

void acpi_mode_handover(bool platform)
{
	uint16_t buttons = 0;

	if (!load())
		return;
	if (!(am.hw.flags & FADT_F_PWR_BUTTON))
		buttons |= PM1_EVT_PWRBTN;
	if (!(am.hw.flags & FADT_F_SLP_BUTTON))
		buttons |= PM1_EVT_SLPBTN;
	for (int i = 0; i < 2; i++)
		if (buttons && am.hw.pm1_evt[i].port)
			pm1_buttons(&am.hw.pm1_evt[i], buttons);
	if (!platform)
		return;
	for (int i = 0; i < 2; i++)
		if (am.hw.gpe[i].port)
			gpe_disable(&am.hw.gpe[i]);
}
