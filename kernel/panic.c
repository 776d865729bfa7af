/* panic(): report a broken invariant of thaw itself with a frame-pointer backtrace
 * (thaw builds with -fno-omit-frame-pointer), then stop. */
#include <stdarg.h>
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/layout.h"
#include "kernel/panic.h"
#include "kernel/power.h"

#define BACKTRACE_MAX 16

static void backtrace(void)
{
	const uint64_t *fp = __builtin_frame_address(0);

	kprintf("  backtrace:");
	/* Frames live on thaw's own stack inside the image; stop at anything else. */
	for (int i = 0; i < BACKTRACE_MAX && fp; i++) {
		if ((uintptr_t)fp < thaw_image_start() || (uintptr_t)fp >= thaw_image_end())
			break;
		kprintf(" %llx", (unsigned long long)fp[1]);
		fp = (const uint64_t *)fp[0];
	}
	kprintf("\n");
}

static struct {
	int depth;              /* > 0 while a panic is being reported */
} pan;

void panic(const char *fmt, ...)
{
	va_list ap;

	if (pan.depth++) {      /* panic while panicking: stop without more output */
		power_test_exit(POWER_EXIT_FAILURE);
		power_halt();
	}
	power_wipe();           /* first: whatever broke, no key outlives the report */
	kprintf("\nthaw: panic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace();
	kprintf("thaw: stopped. This is a bug in thaw; please report the lines above.\n");
	power_test_exit(POWER_EXIT_FAILURE);
	power_halt();
}
