/* kprintf for unit tests of modules that report through thaw's console: whatever the
 * module prints is kept, NUL-terminated, in console_out for the assertions, and
 * console_clear() empties it. Include it in one file of each test program. */
#ifndef THAW_TEST_CONSOLE_CAPTURE_H
#define THAW_TEST_CONSOLE_CAPTURE_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static char console_out[8192];
static size_t console_len;

int kprintf(const char *fmt, ...)
{
	size_t room = sizeof(console_out) - console_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(console_out + console_len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		console_len += (size_t)n < room ? (size_t)n : room - 1;
	return n;
}

static inline void console_clear(void)
{
	console_len = 0;
	console_out[0] = 0;
}
#endif
