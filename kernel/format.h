/* printf-style formatting into any character sink; kprintf and ksnprintf are built
 * on it. Pure: no globals, no I/O, so the host tests exercise the same code. */
#ifndef THAW_FORMAT_H
#define THAW_FORMAT_H
#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Format fmt (the subset console.h documents) into sink; returns characters produced.
 * Unknown conversions are copied through literally so a typo is visible. */
int format_emit(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* Bounded formatting into buf (kernel/snprintf.c): always NUL-terminated when
 * size > 0; returns the length the whole output would have had. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
