/* Console output: COM1 serial plus VGA text or the GRUB framebuffer. */
#ifndef THAW_CONSOLE_H
#define THAW_CONSOLE_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/format.h"

struct boot_info;

void console_init_early(void);                     /* serial only, before boot_info */
void console_init(const struct boot_info *bi);     /* add the screen */
void console_putc(char c);
void console_write(const char *s, size_t n);

/* printf subset: %d %i %u %x %X %o %c %s %p %%, flags '-' '0', width, precision for
 * %s, length modifiers hh h l ll z. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

/* Keyboard/serial input without interrupts: -1 when no key is waiting. */
int console_getc_nowait(void);

/* Wait up to timeout_ms for a key; the key, or -1 when none came in time. */
int console_wait_key(uint64_t timeout_ms);

/* Time spent printing so far (every kprintf), and the part of it spent drawing on
 * the screen (framebuffer or VGA text), for the resume summary. */
void console_times(uint64_t *print_ns, uint64_t *screen_ns);

#endif
