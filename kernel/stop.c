/* The end of a run that resumes nothing: say why, then follow thaw.on_fail (default:
 * wait 10 s or a key, then reboot so the machine boots normally). */
#include <stdarg.h>
#include <stdint.h>
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/power.h"
#include "kernel/stop.h"
#include "kernel/timer.h"

#define WAIT_BEFORE_REBOOT_S 10

static void wait_for_key_or_timeout(uint32_t seconds)
{
	kprintf("thaw: rebooting in %u s; press any key to reboot now\n", seconds);
	(void)console_wait_key(seconds * 1000ull);
}

__attribute__((noreturn)) static void apply_on_fail(const struct options *o, uint8_t code)
{
	power_test_exit(code);
	switch (o->on_fail) {
	case ON_FAIL_HALT:
		kprintf("thaw: halted (thaw.on_fail=halt)\n");
		power_halt();
	case ON_FAIL_POWEROFF:
		power_off();
	case ON_FAIL_REBOOT:
		power_reboot();
	case ON_FAIL_WAIT_REBOOT:
	default:
		wait_for_key_or_timeout(WAIT_BEFORE_REBOOT_S);
		power_reboot();
	}
}

void stop_nothing_to_resume(const struct options *o, const char *fmt, ...)
{
	va_list ap;

	power_wipe();           /* before the last words: nothing is unlocked any more */
	kprintf("thaw: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\nthaw: nothing to resume; stopping cleanly after %llu ms\n",
		(unsigned long long)timer_ms());
	apply_on_fail(o, POWER_EXIT_SUCCESS);
}

void stop_failed(const struct options *o, const char *fmt, ...)
{
	va_list ap;

	power_wipe();
	kprintf("thaw: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\nthaw: resume failed after %llu ms\n",
		(unsigned long long)timer_ms());
	apply_on_fail(o, POWER_EXIT_FAILURE);
}
