/* The passphrase prompt's line editor over console_getc_nowait() (serial, then the
 * i8042 keyboard); polling, as thaw runs without interrupts. */
#include "kernel/passphrase.h"
#include "kernel/console.h"
#include "kernel/timer.h"

#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

int passphrase_read(char *buf, size_t cap, uint64_t timeout_ms)
{
	size_t n = 0;
	uint64_t idle_since = timer_ms();

	for (;;) {
		int c = console_getc_nowait();

		if (c < 0) {
			if (timer_ms() - idle_since > timeout_ms) {
				kprintf("\n");
				return -1;
			}
			timer_delay_us(1000);
			continue;
		}
		idle_since = timer_ms();
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			return n ? (int)n : -1;
		}
		if (c == KEY_ESC) {
			kprintf("\n");
			return -1;
		}
		if ((c == '\b' || c == KEY_DEL) && n) {
			n--;
			kprintf("\b \b");
		} else if (c >= 0x20 && c < 0x7f && n < cap) {
			buf[n++] = (char)c;
			kprintf("*");
		}
	}
}
